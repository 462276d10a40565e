package money_test

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"astara/money"
)

// Currencies used across the tests.
var (
	rub = money.MustCurrency("RUB")
	irr = money.MustCurrency("IRR")
	usd = money.MustCurrency("USD")
	jpy = money.MustCurrency("JPY")
	kwd = money.MustCurrency("KWD")
)

// exponentCurrency returns a synthetic currency counted with n minor units,
// for properties that must hold for every exponent.
func exponentCurrency(n uint8) money.Currency {
	return money.Currency{Code: money.MustCode("XTS"), Number: 963, Name: "Testing", MinorUnits: n, ISOMinorUnits: n}
}

// MustAmount parses s in c and fails the test if it is rejected.
func MustAmount(tb testing.TB, s string, c money.Currency) money.Amount {
	tb.Helper()
	a, err := money.ParseAmount(s, c)
	if err != nil {
		tb.Fatalf("ParseAmount(%q, %s): %v", s, c, err)
	}
	return a
}

// MustMinorUnits parses a count of minor units and fails the test if it is
// rejected.
func MustMinorUnits(tb testing.TB, s string) money.Amount {
	tb.Helper()
	a, err := money.ParseMinorUnits(s)
	if err != nil {
		tb.Fatalf("ParseMinorUnits(%q): %v", s, err)
	}
	return a
}

// MustRate parses s and fails the test if it is rejected.
func MustRate(tb testing.TB, s string) money.Rate {
	tb.Helper()
	r, err := money.ParseRate(s)
	if err != nil {
		tb.Fatalf("ParseRate(%q): %v", s, err)
	}
	return r
}

// ruleOf returns the Rule of err, or "" for nil and "<untyped>" for an error
// that carries no rule.
func ruleOf(err error) money.Rule {
	if err == nil {
		return ""
	}
	rule, ok := money.RuleOf(err)
	if !ok {
		return "<untyped>"
	}
	return rule
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// amountBig returns a as a big.Int.
func amountBig(a money.Amount) *big.Int {
	hi, lo := a.Parts()
	x := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	return x.Add(x, new(big.Int).SetUint64(lo))
}

// bigAmount returns x as an Amount and whether it is in range.
func bigAmount(x *big.Int) (money.Amount, bool) {
	if x.Sign() < 0 || x.Cmp(two128) >= 0 {
		return money.Amount{}, false
	}
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(x, 64).Uint64()
	return money.AmountFromParts(hi, lo), true
}

// rateRat returns r as an exact rational.
func rateRat(r money.Rate) *big.Rat {
	hi, lo, scale := r.Parts()
	coef := amountBig(money.AmountFromParts(hi, lo))
	return new(big.Rat).SetFrac(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

// refRound rounds the non-negative rational x to an integer with mode, the
// slow and obvious way: floor, then look at the fraction left over.
func refRound(x *big.Rat, mode money.RoundingMode) *big.Int {
	floor := new(big.Int).Quo(x.Num(), x.Denom())
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(floor))
	if frac.Sign() == 0 {
		return floor
	}
	up := false
	switch c := frac.Cmp(big.NewRat(1, 2)); mode {
	case money.RoundDown:
	case money.RoundUp:
		up = true
	case money.RoundHalfUp:
		up = c >= 0
	case money.RoundHalfEven:
		up = c > 0 || (c == 0 && floor.Bit(0) == 1)
	default:
		panic("refRound: bad mode")
	}
	if up {
		floor.Add(floor, big.NewInt(1))
	}
	return floor
}

var roundingModes = []money.RoundingMode{money.RoundDown, money.RoundUp, money.RoundHalfEven, money.RoundHalfUp}

// edgeAmounts are the values where 128-bit arithmetic and decimal
// conversion usually go wrong.
var edgeAmounts = func() []money.Amount {
	max64 := ^uint64(0)
	return []money.Amount{
		money.NewAmount(0), money.NewAmount(1), money.NewAmount(2), money.NewAmount(9),
		money.NewAmount(10), money.NewAmount(99), money.NewAmount(100),
		money.NewAmount(9_999_999_999_999_999_999), money.NewAmount(10_000_000_000_000_000_000),
		money.NewAmount(max64 - 1), money.NewAmount(max64),
		money.AmountFromParts(1, 0), money.AmountFromParts(1, 1),
		money.AmountFromParts(0x4b3b4ca85a86c47a, 0x098a224000000000),   // 10^38
		money.AmountFromParts(0x4b3b4ca85a86c47a, 0x098a224000000000-1), // 10^38-1
		money.AmountFromParts(0x0785ee10d5da46d9, 0x00f436a000000000),   // 10^37
		money.AmountFromParts(max64>>1, max64), money.AmountFromParts(1<<63, 0),
		money.AmountFromParts(max64, max64-1), money.AmountMax,
	}
}()

// randomAmount draws an Amount with a spread of magnitudes: edge values, small
// values, 64-bit values and values of every bit length up to 128.
func randomAmount(rng *rand.Rand) money.Amount {
	switch rng.IntN(8) {
	case 0:
		return edgeAmounts[rng.IntN(len(edgeAmounts))]
	case 1:
		return money.NewAmount(rng.Uint64N(100_000))
	case 2:
		return money.NewAmount(rng.Uint64())
	default:
		n := rng.UintN(129)
		hi, lo := rng.Uint64(), rng.Uint64()
		switch {
		case n == 0:
			return money.Amount{}
		case n <= 64:
			return money.NewAmount(lo >> (64 - n))
		default:
			return money.AmountFromParts(hi>>(128-n), lo)
		}
	}
}

// randomRate draws a valid Rate with a coefficient of any bit length and any
// scale up to RateScaleMax.
func randomRate(rng *rand.Rand) money.Rate {
	for {
		a := randomAmount(rng)
		if rng.IntN(2) == 0 { // Keep many rates of realistic size.
			a = money.NewAmount(rng.Uint64N(10_000_000_000) + 1)
		}
		if a.IsZero() {
			continue
		}
		hi, lo := a.Parts()
		r, err := money.RateFromParts(hi, lo, uint8(rng.UintN(money.RateScaleMax+1)))
		if err != nil {
			panic(err)
		}
		return r
	}
}

// newRand returns the seeded source every property test uses, so a failure
// is reproducible.
func newRand(tb testing.TB) *rand.Rand {
	tb.Helper()
	const seed = 20261128
	tb.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed))
}

// errorsAs reports whether err is a *T.
func errorsAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}
