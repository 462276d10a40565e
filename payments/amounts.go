package payments

import (
	"math/big"

	"astara/money"
)

// The arithmetic of a quote. A rate is the number of major units of the
// target currency per major unit of the source ("523.4" IRR per RUB). Every
// result is computed exactly and rounded once, always in the customer's
// favour where the two directions meet: the creditor gets the target amount
// rounded down, so a source amount never buys more than it is worth, and a
// requested target amount is met in full by the smallest source amount that
// buys at least that much.

// TargetFromSource returns what source, in sc, buys in tc at rate: the exact
// product rounded down to tc's minor unit (money.Convert with
// money.RoundDown). 150,000.00 RUB at 523.4 buys 78,510,000 IRR.
//
// A zero rate is a *money.RateError with money.RuleRateZero; a result beyond
// 2^128-1 minor units a *money.AmountError with money.RuleAmountOverflow.
func TargetFromSource(source money.Amount, sc money.Currency, rate money.Rate, tc money.Currency) (money.Amount, error) {
	return money.Convert(source, sc, rate, tc, money.RoundDown)
}

// SourceFromTarget returns the smallest amount in sc, in whole minor units,
// whose TargetFromSource at rate is at least target, in tc: the beneficiary
// receives at least what was asked, and the debtor pays no minor unit more
// than needed. It is computed exactly: with rate = c/10^k and tc counted in
// 10^e times finer units than sc, TargetFromSource(s) = floor(s*c*10^e/10^k),
// which is at least target exactly when s is at least
// ceil(target*10^k/(c*10^e)). A zero target needs a zero source.
//
// A zero rate is a *money.RateError with money.RuleRateZero; a source, or the
// target it buys, beyond 2^128-1 minor units a *money.AmountError with
// money.RuleAmountOverflow.
func SourceFromTarget(target money.Amount, tc money.Currency, rate money.Rate, sc money.Currency) (money.Amount, error) {
	if rate.IsZero() {
		return money.Amount{}, &money.RateError{Rule: money.RuleRateZero}
	}
	if target.IsZero() {
		return money.Amount{}, nil
	}
	hi, lo, k := rate.Parts()
	num := new(big.Int).Mul(amountsBig(target.Parts()), amountsPow10(int(k)))
	den := amountsBig(hi, lo)
	if e := int(tc.MinorUnits) - int(sc.MinorUnits); e >= 0 {
		den.Mul(den, amountsPow10(e))
	} else {
		num.Mul(num, amountsPow10(-e))
	}
	// ceil(num/den) = floor((num + den - 1) / den) for positive numbers.
	num.Add(num, den)
	num.Sub(num, big.NewInt(1))
	num.Quo(num, den)
	source, ok := amountsFromBig(num)
	if !ok {
		return money.Amount{}, &money.AmountError{Rule: money.RuleAmountOverflow}
	}

	// The ceiling is exact, so no step is ever needed; check that it is
	// sufficient and minimal anyway, as a quote promises both.
	got, err := TargetFromSource(source, sc, rate, tc)
	if err != nil {
		return money.Amount{}, err
	}
	if got.Less(target) {
		panic("payments: SourceFromTarget: source " + source.String() + " buys " + got.String() + ", less than " + target.String())
	}
	less, _ := source.Sub(money.NewAmount(1)) // source > 0 as target > 0
	if got, err := TargetFromSource(less, sc, rate, tc); err == nil && !got.Less(target) {
		panic("payments: SourceFromTarget: source " + source.String() + " is not the smallest for " + target.String())
	}
	return source, nil
}

// ApplyMargin returns the rate the customer gets when the FX provider keeps
// marginPercent percent: rate * (1 - marginPercent/100), rounded down (the
// margin is never undercut by rounding) to money.RateScaleMax fraction
// digits, or to fewer if the coefficient would not fit 128 bits. The zero
// margin returns rate unchanged. 523.4 IRR per RUB less a margin of 0.5 is
// 520.783.
//
// A zero rate, a margin of 100 or more, or a result that rounds to zero is a
// *money.RateError with money.RuleRateZero: the customer's rate must be
// positive.
func ApplyMargin(rate money.Rate, marginPercent money.Rate) (money.Rate, error) {
	if rate.IsZero() {
		return money.Rate{}, &money.RateError{Rule: money.RuleRateZero}
	}
	if marginPercent.IsZero() {
		return rate, nil
	}
	if marginPercent.Cmp(feePercentMax) >= 0 {
		return money.Rate{}, &money.RateError{Rule: money.RuleRateZero}
	}
	rHi, rLo, rScale := rate.Parts()
	mHi, mLo, mScale := marginPercent.Parts()
	// rate = r/10^rScale and margin = m/10^mScale, so the result is
	// r * (100*10^mScale - m) / 10^(rScale+mScale+2).
	keep := new(big.Int).Mul(big.NewInt(100), amountsPow10(int(mScale)))
	keep.Sub(keep, amountsBig(mHi, mLo))
	num := new(big.Int).Mul(amountsBig(rHi, rLo), keep)
	num.Mul(num, amountsPow10(money.RateScaleMax))
	q := num.Quo(num, amountsPow10(int(rScale)+int(mScale)+2))
	scale := money.RateScaleMax
	ten := big.NewInt(10)
	// The result is below rate, whose coefficient fits at rScale, so this
	// stops at rScale at the latest.
	for q.BitLen() > 128 {
		q.Quo(q, ten)
		scale--
	}
	result, _ := amountsFromBig(q)
	hi, lo := result.Parts()
	return money.RateFromParts(hi, lo, uint8(scale)) // zero q: RuleRateZero
}

// amountsBig returns hi*2^64 + lo as a new big.Int.
func amountsBig(hi, lo uint64) *big.Int {
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

// amountsFromBig returns x as an Amount and whether it fits, for x >= 0.
func amountsFromBig(x *big.Int) (money.Amount, bool) {
	if x.Sign() < 0 || x.BitLen() > 128 {
		return money.Amount{}, false
	}
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0)))
	hi := new(big.Int).Rsh(x, 64)
	return money.AmountFromParts(hi.Uint64(), lo.Uint64()), true
}

// amountsPow10 returns 10^n as a new big.Int, for n >= 0.
func amountsPow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}
