package money

import "math/big"

// Convert returns the amount a of source, converted at rate r into minor
// units of target and rounded once with mode. r is the number of major units
// of target per one major unit of source, so the exact result is
//
//	a * r * 10^(target.MinorUnits - source.MinorUnits)
//
// which Convert computes exactly (with math/big) before rounding: 150000.00
// RUB at 523.4 IRR per RUB is 78,510,000 IRR, 15000000 kopecks times 523.4
// over 10^2.
//
// A zero r is a *RateError with RuleRateZero; a result beyond 2^128-1 minor
// units an *AmountError with RuleAmountOverflow. Convert panics if mode is
// invalid.
func Convert(a Amount, source Currency, r Rate, target Currency, mode RoundingMode) (Amount, error) {
	mode.mustValid()
	if r.IsZero() {
		return Amount{}, &RateError{Rule: RuleRateZero}
	}
	num := new(big.Int).Mul(amountToBig(a), r.coefBig())
	den := bigPow10(int(r.scale))
	if e := int(target.MinorUnits) - int(source.MinorUnits); e >= 0 {
		num.Mul(num, bigPow10(e))
	} else {
		den.Mul(den, bigPow10(-e))
	}
	result, ok := amountFromBig(quoRound(num, den, mode))
	if !ok {
		return Amount{}, &AmountError{Rule: RuleAmountOverflow}
	}
	return result, nil
}

// Percent returns p percent of a, a*p/100, rounded once with mode: "1.00"
// percent of 150000.00 RUB is 1500.00 RUB. It is how fees are computed; the
// payments layer chooses the mode (it rounds fees up). The zero Rate is zero
// percent and gives zero. A result beyond 2^128-1 minor units (p over 100 can
// grow a) is an *AmountError with RuleAmountOverflow. Percent panics if mode
// is invalid.
func Percent(a Amount, p Rate, mode RoundingMode) (Amount, error) {
	mode.mustValid()
	num := new(big.Int).Mul(amountToBig(a), p.coefBig())
	result, ok := amountFromBig(quoRound(num, bigPow10(int(p.scale)+2), mode))
	if !ok {
		return Amount{}, &AmountError{Rule: RuleAmountOverflow}
	}
	return result, nil
}

// quoRound returns num/den rounded with mode, for num >= 0 and den > 0. It
// may reuse num for the result.
func quoRound(num, den *big.Int, mode RoundingMode) *big.Int {
	q, r := num.QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	// Compare r with den-r, the distance to q+1, as 2r with den.
	half := r.Lsh(r, 1).Cmp(den)
	if mode.roundsUp(q.Bit(0) == 1, half) {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// bigPow10 returns a new big.Int holding 10^n, n >= 0.
func bigPow10(n int) *big.Int {
	if n < len(pow10) {
		return new(big.Int).SetUint64(pow10[n])
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// amountToBig returns a new big.Int holding a.
func amountToBig(a Amount) *big.Int {
	x := new(big.Int).SetUint64(a.hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(a.lo))
}

// amountFromBig returns x as an Amount and whether it fits, for x >= 0.
func amountFromBig(x *big.Int) (Amount, bool) {
	if x.Sign() < 0 || x.BitLen() > 128 {
		return Amount{}, false
	}
	var lo, hi big.Int
	lo.SetUint64(^uint64(0))
	lo.And(x, &lo)
	hi.Rsh(x, 64)
	return Amount{hi: hi.Uint64(), lo: lo.Uint64()}, true
}
