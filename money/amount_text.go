package money

import (
	"math/bits"
	"strconv"
	"strings"
)

// AmountTextLenMax is the longest amount text ParseAmount and
// ParseMinorUnits read, in bytes. 2^128-1 has 39 digits; the rest allows a
// '.' and leading zeros while keeping the work per field bounded.
const AmountTextLenMax = 64

// pow10 holds 10^0 to 10^19, every power of ten that fits in a uint64.
var pow10 = [...]uint64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
	10_000_000_000_000_000_000,
}

// chunkDigits is the number of decimal digits handled per 64-bit step:
// 10^19 is the largest power of ten below 2^64.
const chunkDigits = 19

// mulAdd64 returns a*m + c and whether it fits in 128 bits.
func mulAdd64(a Amount, m, c uint64) (Amount, bool) {
	hiHi, hiLo := bits.Mul64(a.hi, m)
	loHi, lo := bits.Mul64(a.lo, m)
	hi, carry := bits.Add64(hiLo, loHi, 0)
	if hiHi != 0 || carry != 0 {
		return Amount{}, false
	}
	lo, carry = bits.Add64(lo, c, 0)
	hi, carry = bits.Add64(hi, 0, carry)
	return Amount{hi: hi, lo: lo}, carry == 0
}

// mulPow10 returns a*10^n and whether it fits in 128 bits.
func mulPow10(a Amount, n int) (Amount, bool) {
	for n > 0 && !a.IsZero() {
		k := min(n, chunkDigits)
		var ok bool
		if a, ok = mulAdd64(a, pow10[k], 0); !ok {
			return Amount{}, false
		}
		n -= k
	}
	return a, true
}

// divRem64 returns a/d and a%d. d must not be zero.
func (a Amount) divRem64(d uint64) (q Amount, r uint64) {
	q.hi, r = a.hi/d, a.hi%d
	q.lo, r = bits.Div64(r, a.lo, d)
	return q, r
}

// appendDigits appends the decimal digits of a (of the integer count of minor
// units, without any point) to dst.
func (a Amount) appendDigits(dst []byte) []byte {
	if a.hi == 0 {
		return strconv.AppendUint(dst, a.lo, 10)
	}
	// Peel 19-digit chunks off the low end until the rest fits in 64 bits;
	// 2^128 < 10^39, so there are at most two.
	var buf [2 * chunkDigits]byte
	i := len(buf)
	for a.hi != 0 {
		var r uint64
		a, r = a.divRem64(pow10[chunkDigits])
		for range chunkDigits {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	dst = strconv.AppendUint(dst, a.lo, 10)
	return append(dst, buf[i:]...)
}

// String writes a as the decimal integer count of minor units ("523400" for
// 5234.00 RUB), the form journals and logs use. For text in major units, as
// users see it, use FormatAmount.
func (a Amount) String() string {
	var buf [40]byte
	return string(a.appendDigits(buf[:0]))
}

// FormatAmount writes a in major units of c with exactly c.MinorUnits
// fraction digits: "20000000.00" for 2,000,000,000 kopecks, "5234000" for
// 5,234,000 rials. It is the inverse of ParseAmount: ParseAmount(
// FormatAmount(a, c), c) returns a for every a.
func FormatAmount(a Amount, c Currency) string {
	var buf [48]byte // 39 digits, a '.' and padding fit for every real exponent.
	return string(appendDecimal(buf[:0], a, int(c.MinorUnits)))
}

// AppendAmount appends FormatAmount(a, c) to dst and returns the extended
// slice, for encoders that build a buffer without a string per amount.
func AppendAmount(dst []byte, a Amount, c Currency) []byte {
	return appendDecimal(dst, a, int(c.MinorUnits))
}

// appendDecimal appends the digits of a with a '.' before the last n of
// them, padding with zeros so there is at least one digit before the '.'.
func appendDecimal(dst []byte, a Amount, n int) []byte {
	var buf [40]byte
	digits := a.appendDigits(buf[:0])
	if n == 0 {
		return append(dst, digits...)
	}
	if len(digits) > n {
		dst = append(dst, digits[:len(digits)-n]...)
		dst = append(dst, '.')
		return append(dst, digits[len(digits)-n:]...)
	}
	dst = append(dst, '0', '.')
	for range n - len(digits) {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

// ParseAmount reads a decimal amount in major units of c, as the API writes
// it, and returns it in minor units. The text is ASCII digits, optionally
// followed by '.' and 1 to c.MinorUnits fraction digits: for RUB "123",
// "123.4" and "123.45" are 12300, 12340 and 12345 kopecks. A currency that
// Astara counts in fewer digits than ISO 4217 gives it takes ISO's digits
// too, as long as those beyond its own are zeros: the rial is counted in
// whole rials (ISO says 2), so "1092907500", "1092907500.0" and
// "1092907500.00" are 1092907500 rials, while "1092907500.50" is refused
// (RuleAmountBelowMinorUnit: there is no fraction of a rial to move).
//
// Leading zeros are accepted ("007.50" is 7.50): they do not change the value
// and some bank systems pad fixed-width fields with them. Everything else is
// rejected with an *AmountError naming the rule: empty text
// (RuleAmountEmpty), text over AmountTextLenMax bytes (RuleAmountTooLong), a
// sign, exponent, space, grouping separator, non-ASCII digit, or a '.' with
// no digit before or after it (RuleAmountSyntax), more fraction digits than
// c and ISO 4217 allow, even zeros (RuleAmountTooManyDecimals), a non-zero
// digit below c's minor unit (RuleAmountBelowMinorUnit), and values beyond 2^128-1
// minor units (RuleAmountOverflow). Rules are checked in that order.
func ParseAmount(s string, c Currency) (Amount, error) {
	fail := func(rule Rule) (Amount, error) {
		return Amount{}, &AmountError{Input: s, Currency: c.Code, Rule: rule}
	}
	switch {
	case len(s) == 0:
		return fail(RuleAmountEmpty)
	case len(s) > AmountTextLenMax:
		return fail(RuleAmountTooLong)
	}
	intDigits, fracDigits, ok := scanDecimal(s)
	if !ok {
		return fail(RuleAmountSyntax)
	}
	if len(fracDigits) > int(c.MinorUnits) {
		// A currency counted in fewer digits than ISO 4217 gives it (the
		// rial: whole rials, ISO's exponent 2) takes ISO's digits when they
		// are zeros: "1092907500.00" IRR is 1092907500 rials.
		extra := fracDigits[c.MinorUnits:]
		if len(fracDigits) > int(max(c.MinorUnits, c.ISOMinorUnits)) {
			return fail(RuleAmountTooManyDecimals)
		}
		if strings.Trim(extra, "0") != "" {
			return fail(RuleAmountBelowMinorUnit)
		}
		fracDigits = fracDigits[:c.MinorUnits]
	}
	a, ok := accumulateDigits(Amount{}, intDigits)
	if ok {
		a, ok = accumulateDigits(a, fracDigits)
	}
	if ok {
		a, ok = mulPow10(a, int(c.MinorUnits)-len(fracDigits))
	}
	if !ok {
		return fail(RuleAmountOverflow)
	}
	return a, nil
}

// ParseMinorUnits reads a decimal integer count of minor units, as
// Amount.String writes it: ASCII digits only (leading zeros accepted), at
// most AmountTextLenMax bytes, at most 2^128-1. Errors are *AmountError
// values with the same rules as ParseAmount.
func ParseMinorUnits(s string) (Amount, error) {
	fail := func(rule Rule) (Amount, error) {
		return Amount{}, &AmountError{Input: s, Rule: rule}
	}
	switch {
	case len(s) == 0:
		return fail(RuleAmountEmpty)
	case len(s) > AmountTextLenMax:
		return fail(RuleAmountTooLong)
	case digitsEnd(s, 0) != len(s):
		return fail(RuleAmountSyntax)
	}
	a, ok := accumulateDigits(Amount{}, s)
	if !ok {
		return fail(RuleAmountOverflow)
	}
	return a, nil
}

// scanDecimal splits s, of the form digits ['.' digits], into its integer and
// fraction digits. ok is false if s has any other form: empty, a sign, an
// exponent, a space, a non-ASCII digit, or a '.' without a digit on each side.
func scanDecimal(s string) (intDigits, fracDigits string, ok bool) {
	intEnd := digitsEnd(s, 0)
	if intEnd == 0 {
		return "", "", false
	}
	if intEnd == len(s) {
		return s, "", true
	}
	if s[intEnd] != '.' {
		return "", "", false
	}
	fracEnd := digitsEnd(s, intEnd+1)
	if fracEnd == intEnd+1 || fracEnd != len(s) {
		return "", "", false
	}
	return s[:intEnd], s[intEnd+1:], true
}

// digitsEnd returns the index of the first byte at or after i in s that is
// not an ASCII digit, or len(s).
func digitsEnd(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// accumulateDigits returns a*10^len(digits) + the value of digits, which must
// be ASCII digits, and whether it fits in 128 bits. It works in 19-digit
// chunks so that most amounts take one 64-bit loop and one multiply.
func accumulateDigits(a Amount, digits string) (Amount, bool) {
	for len(digits) > 0 {
		n := min(len(digits), chunkDigits)
		var v uint64
		for i := range n {
			v = v*10 + uint64(digits[i]-'0')
		}
		var ok bool
		if a.IsZero() {
			a = Amount{lo: v}
		} else if a, ok = mulAdd64(a, pow10[n], v); !ok {
			return Amount{}, false
		}
		digits = digits[n:]
	}
	return a, true
}
