package money

import (
	"errors"
	"math/big"
	"math/bits"
	"strings"
)

// RateScaleMax is the most fraction digits a Rate has. Eighteen digits is
// far finer than any published rate (central banks publish 4 to 6) and leaves
// room for derived cross rates.
const RateScaleMax = 18

// RateTextLenMax is the longest rate text ParseRate reads, in bytes.
const RateTextLenMax = 64

// Rate is a positive exact decimal: a coefficient of up to 128 bits and a
// scale of 0 to RateScaleMax fraction digits, worth coefficient/10^scale. As
// an exchange rate it is the number of major units of the target currency
// per one major unit of the source ("523.4" IRR per RUB); as a percentage
// (see Percent) it is the number of hundredths.
//
// A Rate is always held in canonical form, with no trailing zero in its
// fraction ("523.40" is held as 5234 at scale 1), so two Rates are == exactly
// when they are equal in value, and a Rate can be a map key. The zero Rate is
// not a valid rate: ParseRate never returns it, and Convert rejects it.
type Rate struct {
	hi, lo uint64 // the coefficient
	scale  uint8
}

// ParseRate reads a rate written as ASCII digits with an optional '.' and 1
// to RateScaleMax fraction digits ("523.40", "0.0019", "100"). Leading zeros
// are accepted, as in ParseAmount; trailing fraction zeros are accepted and
// dropped (see String). Errors are *RateError values naming the rule, checked
// in this order: empty (RuleRateEmpty), longer than RateTextLenMax bytes
// (RuleRateTooLong), a sign, exponent, space or a '.' without digits on both
// sides (RuleRateSyntax), more than RateScaleMax fraction digits, even zeros
// (RuleRateTooManyDecimals), a coefficient beyond 128 bits after dropping
// trailing fraction zeros (RuleRateOverflow), and a zero value (RuleRateZero).
func ParseRate(s string) (Rate, error) {
	fail := func(rule Rule) (Rate, error) {
		return Rate{}, &RateError{Input: s, Rule: rule}
	}
	switch {
	case len(s) == 0:
		return fail(RuleRateEmpty)
	case len(s) > RateTextLenMax:
		return fail(RuleRateTooLong)
	}
	intDigits, fracDigits, ok := scanDecimal(s)
	if !ok {
		return fail(RuleRateSyntax)
	}
	if len(fracDigits) > RateScaleMax {
		return fail(RuleRateTooManyDecimals)
	}
	fracDigits = strings.TrimRight(fracDigits, "0")
	coef, ok := accumulateDigits(Amount{}, intDigits)
	if ok {
		coef, ok = accumulateDigits(coef, fracDigits)
	}
	switch {
	case !ok:
		return fail(RuleRateOverflow)
	case coef.IsZero():
		return fail(RuleRateZero)
	}
	return Rate{hi: coef.hi, lo: coef.lo, scale: uint8(len(fracDigits))}, nil
}

// MustRate is ParseRate for constants and tests: it panics if s is not a
// valid rate.
func MustRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// RateFromParts returns the rate (hi*2^64 + lo) / 10^scale in canonical form,
// for decoding a rate stored by Parts. A zero coefficient is a *RateError
// with RuleRateZero, a scale over RateScaleMax one with
// RuleRateTooManyDecimals.
func RateFromParts(hi, lo uint64, scale uint8) (Rate, error) {
	coef := Amount{hi: hi, lo: lo}
	switch {
	case scale > RateScaleMax:
		return Rate{}, &RateError{Rule: RuleRateTooManyDecimals}
	case coef.IsZero():
		return Rate{}, &RateError{Rule: RuleRateZero}
	}
	for scale > 0 {
		q, rem := coef.divRem64(10)
		if rem != 0 {
			break
		}
		coef, scale = q, scale-1
	}
	return Rate{hi: coef.hi, lo: coef.lo, scale: scale}, nil
}

// Parts returns r's canonical coefficient, as high and low 64 bits, and its
// scale: r is (hi*2^64 + lo) / 10^scale.
func (r Rate) Parts() (hi, lo uint64, scale uint8) { return r.hi, r.lo, r.scale }

// IsZero reports whether r is the zero Rate, which is not a valid rate.
func (r Rate) IsZero() bool { return r.hi == 0 && r.lo == 0 }

// String writes r in canonical form: the shortest decimal that is exactly r,
// with no trailing fraction zeros and no '.' when r is whole ("523.4" for
// "523.40", "1" for "1.000", "0.0019"). It is the one spelling of each value,
// so it is what journals, quotes and audit logs record. ParseRate reads it
// back to the same Rate. The zero Rate writes "0".
func (r Rate) String() string {
	var buf [64]byte
	return string(appendDecimal(buf[:0], r.coef(), int(r.scale)))
}

// MarshalText writes r as String does. The zero Rate is an error.
func (r Rate) MarshalText() ([]byte, error) {
	if r.IsZero() {
		return nil, errors.New("money: marshal the zero Rate")
	}
	return appendDecimal(nil, r.coef(), int(r.scale)), nil
}

// UnmarshalText reads text with ParseRate.
func (r *Rate) UnmarshalText(text []byte) error {
	v, err := ParseRate(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Cmp returns -1, 0 or +1 as r is less than, equal to or greater than s in
// value.
func (r Rate) Cmp(s Rate) int {
	if r.scale > s.scale {
		return -s.Cmp(r)
	}
	// Bring r to s's scale: r.coef * 10^(s.scale-r.scale) needs up to
	// 128+60 bits, so compare as 192-bit numbers.
	m := pow10[s.scale-r.scale]
	h1, w0 := bits.Mul64(r.lo, m)
	h2, l1 := bits.Mul64(r.hi, m)
	w1, carry := bits.Add64(l1, h1, 0)
	w2 := h2 + carry
	switch {
	case w2 != 0:
		return 1
	case w1 != s.hi:
		return cmp3(w1 < s.hi)
	case w0 != s.lo:
		return cmp3(w0 < s.lo)
	}
	return 0
}

func cmp3(less bool) int {
	if less {
		return -1
	}
	return 1
}

// Invert returns 1/r rounded with mode to at most scale fraction digits, for
// the rate of the opposite direction (IRR per RUB from RUB per IRR). The
// result is in canonical form, so it may have fewer digits than scale. Errors
// are *RateError values: r zero or the result rounding to zero
// (RuleRateZero), scale over RateScaleMax (RuleRateTooManyDecimals).
func (r Rate) Invert(scale uint8, mode RoundingMode) (Rate, error) {
	mode.mustValid()
	switch {
	case scale > RateScaleMax:
		return Rate{}, &RateError{Rule: RuleRateTooManyDecimals}
	case r.IsZero():
		return Rate{}, &RateError{Rule: RuleRateZero}
	}
	// 1/r = 10^r.scale / coef; at scale digits: 10^(scale+r.scale) / coef.
	q := quoRound(bigPow10(int(scale)+int(r.scale)), r.coefBig(), mode)
	return rateFromBig(q, int(scale))
}

// Mul returns r*s rounded with mode to at most scale fraction digits, for a
// cross rate derived through a third currency (RUB per IRR = RUB per USD *
// USD per IRR). A product that needs no more than scale digits is exact.
// Errors are *RateError values: either rate zero or the result rounding to
// zero (RuleRateZero), scale over RateScaleMax (RuleRateTooManyDecimals), a
// product beyond 128 bits (RuleRateOverflow).
func (r Rate) Mul(s Rate, scale uint8, mode RoundingMode) (Rate, error) {
	mode.mustValid()
	switch {
	case scale > RateScaleMax:
		return Rate{}, &RateError{Rule: RuleRateTooManyDecimals}
	case r.IsZero() || s.IsZero():
		return Rate{}, &RateError{Rule: RuleRateZero}
	}
	p := new(big.Int).Mul(r.coefBig(), s.coefBig())
	pScale := int(r.scale) + int(s.scale)
	if pScale <= int(scale) {
		return rateFromBig(p, pScale)
	}
	return rateFromBig(quoRound(p, bigPow10(pScale-int(scale)), mode), int(scale))
}

func (r Rate) coef() Amount { return Amount{hi: r.hi, lo: r.lo} }

func (r Rate) coefBig() *big.Int { return amountToBig(r.coef()) }

// rateFromBig returns the canonical Rate coef/10^scale, for a scale of at
// most RateScaleMax. It may overwrite coef.
func rateFromBig(coef *big.Int, scale int) (Rate, error) {
	if coef.Sign() == 0 {
		return Rate{}, &RateError{Rule: RuleRateZero}
	}
	ten := big.NewInt(10)
	q, m := new(big.Int), new(big.Int)
	for scale > 0 {
		if q.QuoRem(coef, ten, m); m.Sign() != 0 {
			break
		}
		coef, q = q, coef
		scale--
	}
	a, ok := amountFromBig(coef)
	if !ok {
		return Rate{}, &RateError{Rule: RuleRateOverflow}
	}
	return Rate{hi: a.hi, lo: a.lo, scale: uint8(scale)}, nil
}
