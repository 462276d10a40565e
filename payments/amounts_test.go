package payments_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"astara/money"
	"astara/payments"
)

// MustQuoteAmount parses s in c and fails the test if it is rejected.
func MustQuoteAmount(tb testing.TB, s string, c money.Currency) money.Amount {
	tb.Helper()
	a, err := money.ParseAmount(s, c)
	if err != nil {
		tb.Fatalf("ParseAmount(%q, %s): %v", s, c, err)
	}
	return a
}

// quoteRat returns r as an exact fraction.
func quoteRat(r money.Rate) *big.Rat {
	hi, lo, scale := r.Parts()
	num := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	num.Or(num, new(big.Int).SetUint64(lo))
	return new(big.Rat).SetFrac(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

// quoteCurrency returns a synthetic currency counted in n minor units, for
// properties that must hold for every exponent.
func quoteCurrency(n uint8) money.Currency {
	return money.Currency{Code: money.MustCode("XTS"), Number: 963, Name: "Testing", MinorUnits: n, ISOMinorUnits: n}
}

func TestTargetAndSourceExamples(t *testing.T) {
	rub, irr := money.MustCurrency("RUB"), money.MustCurrency("IRR")
	rubPerIRR := money.MustRate("0.0019")
	irrPerRUB := money.MustRate("523.4")
	tests := []struct {
		rule           string
		source         string
		sc             money.Currency
		rate           money.Rate
		target         string
		tc             money.Currency
		sourceForExact string // SourceFromTarget(target); "" if source itself
	}{
		{"RUB to IRR converts exactly", "150000.00", rub, irrPerRUB, "78510000", irr, ""},
		{"RUB to IRR rounds the rials down", "150000.01", rub, irrPerRUB, "78510005", irr, "150000.01"},
		{"one kopeck buys 5 rials, not 5.234", "0.01", rub, irrPerRUB, "5", irr, ""},
		{"IRR to RUB rounds the kopecks down", "52632", irr, rubPerIRR, "100.00", rub, "52632"},
		{"IRR to RUB: one rial buys no kopeck", "1", irr, rubPerIRR, "0.00", rub, "0"},
		{"a rate of 1 between the same exponents", "123.45", rub, money.MustRate("1"), "123.45", money.MustCurrency("USD"), ""},
		{"to three minor units", "10.00", rub, money.MustRate("0.004"), "0.040", money.MustCurrency("KWD"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			source, target := MustQuoteAmount(t, tt.source, tt.sc), MustQuoteAmount(t, tt.target, tt.tc)
			got, err := payments.TargetFromSource(source, tt.sc, tt.rate, tt.tc)
			if err != nil || got != target {
				t.Fatalf("TargetFromSource(%s) = %s, %v; want %s", tt.source, money.FormatAmount(got, tt.tc), err, tt.target)
			}
			want := source
			if tt.sourceForExact != "" {
				want = MustQuoteAmount(t, tt.sourceForExact, tt.sc)
			}
			got, err = payments.SourceFromTarget(target, tt.tc, tt.rate, tt.sc)
			if err != nil || got != want {
				t.Fatalf("SourceFromTarget(%s) = %s, %v; want %s", tt.target, money.FormatAmount(got, tt.sc), err, money.FormatAmount(want, tt.sc))
			}
		})
	}

	sourceTests := []struct {
		rule   string
		target string
		tc     money.Currency
		rate   money.Rate
		sc     money.Currency
		want   string
	}{
		{"one rial more needs one kopeck more", "78510001", irr, irrPerRUB, rub, "150000.01"},
		{"one rial needs a whole kopeck", "1", irr, irrPerRUB, rub, "0.01"},
		{"100 roubles need 52,632 rials, as 52,631 buy 99.99", "100.00", rub, rubPerIRR, irr, "52632"},
		{"one kopeck needs 6 rials, as 5 buy 0.95 kopeck", "0.01", rub, rubPerIRR, irr, "6"},
		{"nothing needs nothing", "0", irr, irrPerRUB, rub, "0.00"},
	}
	for _, tt := range sourceTests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := payments.SourceFromTarget(MustQuoteAmount(t, tt.target, tt.tc), tt.tc, tt.rate, tt.sc)
			if want := MustQuoteAmount(t, tt.want, tt.sc); err != nil || got != want {
				t.Fatalf("SourceFromTarget(%s) = %s, %v; want %s", tt.target, money.FormatAmount(got, tt.sc), err, tt.want)
			}
		})
	}

	t.Run("the largest target at a rate of 1", func(t *testing.T) {
		got, err := payments.SourceFromTarget(money.AmountMax, irr, money.MustRate("1"), irr)
		if err != nil || got != money.AmountMax {
			t.Fatalf("got %s, %v; want AmountMax", got, err)
		}
	})
	errs := []struct {
		rule string
		call func() error
		want money.Rule
	}{
		{"TargetFromSource at the zero rate", func() error {
			_, err := payments.TargetFromSource(money.NewAmount(1), rub, money.Rate{}, irr)
			return err
		}, money.RuleRateZero},
		{"SourceFromTarget at the zero rate", func() error {
			_, err := payments.SourceFromTarget(money.NewAmount(1), irr, money.Rate{}, rub)
			return err
		}, money.RuleRateZero},
		{"SourceFromTarget at the zero rate for nothing", func() error {
			_, err := payments.SourceFromTarget(money.Amount{}, irr, money.Rate{}, rub)
			return err
		}, money.RuleRateZero},
		{"target beyond 128 bits", func() error {
			_, err := payments.TargetFromSource(money.AmountMax, irr, money.MustRate("2"), irr)
			return err
		}, money.RuleAmountOverflow},
		{"source beyond 128 bits", func() error {
			_, err := payments.SourceFromTarget(money.AmountMax, irr, money.MustRate("0.5"), irr)
			return err
		}, money.RuleAmountOverflow},
		{"source beyond 128 bits by the exponents", func() error {
			_, err := payments.SourceFromTarget(money.AmountMax, irr, money.MustRate("1"), rub)
			return err
		}, money.RuleAmountOverflow},
	}
	for _, tt := range errs {
		t.Run(tt.rule, func(t *testing.T) {
			err := tt.call()
			if rule, _ := money.RuleOf(err); rule != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// quoteRandomRate returns a rate with a coefficient of up to 64 bits and a
// random scale, from very small to very large.
func quoteRandomRate(tb testing.TB, rng *rand.Rand) money.Rate {
	tb.Helper()
	for {
		coef := rng.Uint64() >> rng.IntN(64)
		if coef == 0 {
			continue
		}
		r, err := money.RateFromParts(0, coef, uint8(rng.IntN(money.RateScaleMax+1)))
		if err != nil {
			tb.Fatalf("RateFromParts: %v", err)
		}
		return r
	}
}

// quoteRandomAmount returns an amount of up to bitsMax bits, with small
// values as likely as large ones.
func quoteRandomAmount(rng *rand.Rand, bitsMax int) money.Amount {
	bits := rng.IntN(bitsMax + 1)
	if bits <= 64 {
		if bits == 0 {
			return money.Amount{}
		}
		return money.NewAmount(rng.Uint64() >> (64 - bits))
	}
	return money.AmountFromParts(rng.Uint64()>>(128-bits), rng.Uint64())
}

func TestSourceFromTargetProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260301, 1))
	currencies := []money.Currency{
		money.MustCurrency("RUB"), money.MustCurrency("IRR"), money.MustCurrency("KWD"), quoteCurrency(4),
	}
	one := money.NewAmount(1)
	const rounds = 20000

	t.Run("sufficient and minimal", func(t *testing.T) {
		for range rounds {
			sc, tc := currencies[rng.IntN(len(currencies))], currencies[rng.IntN(len(currencies))]
			rate := quoteRandomRate(t, rng)
			target := quoteRandomAmount(rng, 90)
			source, err := payments.SourceFromTarget(target, tc, rate, sc)
			if err != nil {
				// Only a source beyond 128 bits may fail: check exactly.
				exact := new(big.Rat).SetFrac(quoteAmountInt(target), big.NewInt(1))
				exact.Quo(exact, quoteRat(rate))
				exact.Mul(exact, quotePow10Rat(int(sc.MinorUnits)-int(tc.MinorUnits)))
				if rule, _ := money.RuleOf(err); rule != money.RuleAmountOverflow || exact.Cmp(new(big.Rat).SetInt(quoteAmountInt(money.AmountMax))) <= 0 {
					t.Fatalf("SourceFromTarget(%s %s, %s, %s) = %v", target, tc, rate, sc, err)
				}
				continue
			}
			got, err := payments.TargetFromSource(source, sc, rate, tc)
			if err != nil || got.Less(target) {
				t.Fatalf("%s %s at %s buys %s %s, %v; want at least %s", source, sc, rate, got, tc, err, target)
			}
			if source.IsZero() {
				if !target.IsZero() {
					t.Fatalf("zero source for target %s", target)
				}
				continue
			}
			less := source.MustSub(one)
			if got, err := payments.TargetFromSource(less, sc, rate, tc); err != nil || !got.Less(target) {
				t.Fatalf("%s %s at %s already buys %s %s, %v; want less than %s", less, sc, rate, got, tc, err, target)
			}
		}
	})

	t.Run("round trip from the source never costs more", func(t *testing.T) {
		for range rounds {
			sc, tc := currencies[rng.IntN(len(currencies))], currencies[rng.IntN(len(currencies))]
			rate := quoteRandomRate(t, rng)
			source := quoteRandomAmount(rng, 90)
			target, err := payments.TargetFromSource(source, sc, rate, tc)
			if err != nil {
				continue // beyond 128 bits: TestTargetAndSourceExamples covers it
			}
			back, err := payments.SourceFromTarget(target, tc, rate, sc)
			if err != nil {
				t.Fatalf("SourceFromTarget(%s %s, %s): %v", target, tc, rate, err)
			}
			if source.Less(back) {
				t.Fatalf("%s %s buys %s %s, which needs %s", source, sc, target, tc, back)
			}
			if again, _ := payments.TargetFromSource(back, sc, rate, tc); again != target {
				t.Fatalf("%s %s buys %s %s; %s buys %s", source, sc, target, tc, back, again)
			}
			// When each source unit buys at least one target unit, no two
			// sources buy the same target: the round trip is exact.
			perUnit := new(big.Rat).Mul(quoteRat(rate), quotePow10Rat(int(tc.MinorUnits)-int(sc.MinorUnits)))
			if perUnit.Cmp(big.NewRat(1, 1)) >= 0 && back != source {
				t.Fatalf("%s %s at %s buys %s %s, back to %s", source, sc, rate, target, tc, back)
			}
		}
	})

	t.Run("the rial and the rouble around the published limit", func(t *testing.T) {
		rub, irr := money.MustCurrency("RUB"), money.MustCurrency("IRR")
		limit := MustQuoteAmount(t, "20000000.00", rub)
		for range 2000 {
			rate := quoteRandomRate(t, rng)
			source := limit
			if d := rng.Uint64N(1000); rng.IntN(2) == 0 {
				source = source.MustSub(money.NewAmount(d))
			} else {
				source = source.MustAdd(money.NewAmount(d))
			}
			for _, pair := range [][2]money.Currency{{rub, irr}, {irr, rub}} {
				target, err := payments.TargetFromSource(source, pair[0], rate, pair[1])
				if err != nil {
					t.Fatal(err)
				}
				back, err := payments.SourceFromTarget(target, pair[1], rate, pair[0])
				if err != nil || source.Less(back) {
					t.Fatalf("%s %s at %s: %s back to %s, %v", source, pair[0], rate, target, back, err)
				}
			}
		}
	})
}

func quoteAmountInt(a money.Amount) *big.Int {
	hi, lo := a.Parts()
	x := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

func quotePow10Rat(e int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(e, -e))), nil)
	if e < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

func TestApplyMargin(t *testing.T) {
	tests := []struct {
		rule, rate, margin, want string
	}{
		{"half a percent off 523.4", "523.4", "0.5", "520.783"},
		{"one percent off 1", "1", "1", "0.99"},
		{"rounded down to 18 digits", "1", "0.000000000000000001", "0.999999999999999999"},
		{"rounded down, not to nearest", "3", "33.333333333333333333", "2"},
		{"a small rate", "0.0019", "2", "0.001862"},
		{"just below 100 percent keeps a positive rate", "1", "99.99", "0.0001"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := payments.ApplyMargin(money.MustRate(tt.rate), money.MustRate(tt.margin))
			if err != nil || got != money.MustRate(tt.want) {
				t.Fatalf("ApplyMargin(%s, %s) = %s, %v; want %s", tt.rate, tt.margin, got, err, tt.want)
			}
		})
	}
	t.Run("zero margin keeps the rate", func(t *testing.T) {
		r := money.MustRate("523.4")
		if got, err := payments.ApplyMargin(r, money.Rate{}); err != nil || got != r {
			t.Fatalf("got %s, %v; want %s", got, err, r)
		}
	})
	t.Run("the largest rate loses digits, not bits", func(t *testing.T) {
		hi, lo := money.AmountMax.Parts()
		r, err := money.RateFromParts(hi, lo, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := payments.ApplyMargin(r, money.MustRate("0.5"))
		if err != nil {
			t.Fatal(err)
		}
		want := new(big.Int).Mul(quoteAmountInt(money.AmountMax), big.NewInt(995))
		want.Quo(want, big.NewInt(1000))
		if quoteRat(got).Cmp(new(big.Rat).SetInt(want)) != 0 {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
	for _, tt := range []struct{ rule, rate, margin string }{
		{"a margin of 100 percent", "523.4", "100"},
		{"a margin over 100 percent", "523.4", "150"},
		{"a rate that rounds to zero", "0.000000000000000001", "50"},
		{"a margin that leaves less than 18 digits can hold", "1", "99.999999999999999999"},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := payments.ApplyMargin(money.MustRate(tt.rate), money.MustRate(tt.margin))
			if rule, _ := money.RuleOf(err); rule != money.RuleRateZero {
				t.Fatalf("ApplyMargin(%s, %s) = %s, %v; want %s", tt.rate, tt.margin, got, err, money.RuleRateZero)
			}
		})
	}
	t.Run("the zero rate", func(t *testing.T) {
		if _, err := payments.ApplyMargin(money.Rate{}, money.MustRate("1")); err == nil {
			t.Fatal("got nil, want an error")
		}
	})

	t.Run("exact floor at 18 digits, never above the rate, falling with the margin", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(20260301, 2))
		ulp := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(money.RateScaleMax), nil))
		hundred := big.NewRat(100, 1)
		for range 20000 {
			rate := quoteRandomRate(t, rng)
			m1, m2 := quoteRandomRate(t, rng), quoteRandomRate(t, rng)
			if quoteRat(m1).Cmp(hundred) >= 0 || quoteRat(m2).Cmp(hundred) >= 0 {
				continue
			}
			if m1.Cmp(m2) > 0 {
				m1, m2 = m2, m1
			}
			exact := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(quoteRat(m1), hundred))
			exact.Mul(exact, quoteRat(rate))
			got1, err := payments.ApplyMargin(rate, m1)
			if err != nil {
				if exact.Cmp(ulp) >= 0 {
					t.Fatalf("ApplyMargin(%s, %s): %v, want %s", rate, m1, err, exact.FloatString(20))
				}
				continue
			}
			diff := new(big.Rat).Sub(exact, quoteRat(got1))
			if diff.Sign() < 0 || diff.Cmp(ulp) >= 0 {
				t.Fatalf("ApplyMargin(%s, %s) = %s, exact %s", rate, m1, got1, exact.FloatString(24))
			}
			if got1.Cmp(rate) > 0 {
				t.Fatalf("ApplyMargin(%s, %s) = %s, above the rate", rate, m1, got1)
			}
			if got2, err := payments.ApplyMargin(rate, m2); err == nil && got2.Cmp(got1) > 0 {
				t.Fatalf("margin %s gives %s, above %s for margin %s", m2, got2, got1, m1)
			}
		}
	})
}
