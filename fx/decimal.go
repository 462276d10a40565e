package fx

import (
	"encoding/binary"
	"math/big"

	"astara/money"
)

// feedNumberExpMax bounds the exponent a feed number may write ("E-05"), so
// that a hostile "1E999999999" cannot make the exact arithmetic below build
// a huge integer. Real feeds never go beyond a few.
const feedNumberExpMax = 99

// feedNumber is a number as a feed writes it, held exactly: coef * 10^exp.
type feedNumber struct {
	coef *big.Int
	exp  int
}

// parseFeedNumber reads a non-negative decimal number as rate feeds write
// it: ASCII digits, optionally a decimal separator (',' as the Bank of Russia
// writes, or '.') followed by digits, optionally an exponent ('E' or 'e', an
// optional sign and 1 to 3 digits, at most feedNumberExpMax). There must be
// digits on both sides of a separator, and there is no grouping, sign or
// space. The text is at most money.RateTextLenMax bytes. The value may be
// zero; callers decide what zero means.
func parseFeedNumber(s string) (feedNumber, bool) {
	if len(s) == 0 || len(s) > money.RateTextLenMax {
		return feedNumber{}, false
	}
	i := 0
	digits := make([]byte, 0, len(s))
	for i < len(s) && isDigit(s[i]) {
		digits = append(digits, s[i])
		i++
	}
	if len(digits) == 0 {
		return feedNumber{}, false
	}
	frac := 0
	if i < len(s) && (s[i] == ',' || s[i] == '.') {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			digits = append(digits, s[i])
			i++
		}
		frac = i - start
		if frac == 0 {
			return feedNumber{}, false
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'E' || s[i] == 'e') {
		i++
		negative := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			negative = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) && i-start < 3 {
			exp = exp*10 + int(s[i]-'0')
			i++
		}
		if i == start || exp > feedNumberExpMax {
			return feedNumber{}, false
		}
		if negative {
			exp = -exp
		}
	}
	if i != len(s) {
		return feedNumber{}, false
	}
	coef, _ := new(big.Int).SetString(string(digits), 10)
	return feedNumber{coef: coef, exp: exp - frac}, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ratio returns n as num/den with den positive.
func (n feedNumber) ratio() (num, den *big.Int) {
	num, den = new(big.Int).Set(n.coef), big.NewInt(1)
	if n.exp >= 0 {
		num.Mul(num, pow10(n.exp))
	} else {
		den.Set(pow10(-n.exp))
	}
	return num, den
}

// withinOneUnit reports whether n is within one unit in its last written
// digit (10^n.exp) of num/den, den positive: |n - num/den| <= 10^n.exp.
func (n feedNumber) withinOneUnit(num, den *big.Int) bool {
	// Scale everything by den * 10^max(0, -exp) to compare integers.
	lhs, rhs := new(big.Int).Mul(n.coef, den), new(big.Int).Set(num)
	unit := new(big.Int).Set(den)
	if n.exp >= 0 {
		p := pow10(n.exp)
		lhs.Mul(lhs, p)
		unit.Mul(unit, p)
	} else {
		rhs.Mul(rhs, pow10(-n.exp))
	}
	diff := lhs.Sub(lhs, rhs)
	return diff.CmpAbs(unit) <= 0
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// rateFromRatio returns num/den (both positive) as a money.Rate of at most
// scale fraction digits, rounded half-even when the exact quotient needs more
// digits, and whether it was exact. This is the one place the package rounds
// a quotient itself, so that a cross rate or a feed's Value / Nominal is
// rounded once, from the exact value. Errors are *money.RateError values: a
// result that rounds to zero (money.RuleRateZero) or needs more than 128
// bits (money.RuleRateOverflow).
func rateFromRatio(num, den *big.Int, scale uint8) (money.Rate, bool, error) {
	q := new(big.Int).Mul(num, pow10(int(scale)))
	q, r := q.QuoRem(q, den, new(big.Int))
	exact := r.Sign() == 0
	if !exact {
		// Round half-even: up if 2r > den, or on a tie if q is odd.
		c := r.Lsh(r, 1).Cmp(den)
		if c > 0 || (c == 0 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
	}
	if q.Sign() == 0 {
		return money.Rate{}, exact, &money.RateError{Rule: money.RuleRateZero}
	}
	// Drop trailing fraction zeros before the 128-bit check: 10^20 at scale
	// 18 is the rate 100.
	ten, m := big.NewInt(10), new(big.Int)
	for scale > 0 {
		d, rem := new(big.Int).QuoRem(q, ten, m)
		if rem.Sign() != 0 {
			break
		}
		q = d
		scale--
	}
	if q.BitLen() > 128 {
		return money.Rate{}, exact, &money.RateError{Rule: money.RuleRateOverflow}
	}
	var buf [16]byte
	q.FillBytes(buf[:])
	rate, err := money.RateFromParts(binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:]), scale)
	return rate, exact, err
}

// rateRatio returns r as num/den.
func rateRatio(r money.Rate) (num, den *big.Int) {
	hi, lo, scale := r.Parts()
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], hi)
	binary.BigEndian.PutUint64(buf[8:], lo)
	return new(big.Int).SetBytes(buf[:]), pow10(int(scale))
}
