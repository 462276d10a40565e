package money_test

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"astara/money"
)

// propertyRuns is how many random cases each property draws, on top of the
// edge values.
const propertyRuns = 10_000

// amountCases returns the edge values followed by propertyRuns random ones.
func amountCases(rng *rand.Rand) []money.Amount {
	cases := append([]money.Amount(nil), edgeAmounts...)
	for range propertyRuns {
		cases = append(cases, randomAmount(rng))
	}
	return cases
}

func TestPropertyFormatParseRoundTrip(t *testing.T) {
	rng := newRand(t)
	cases := amountCases(rng)
	for exp := uint8(0); exp <= 3; exp++ {
		c := exponentCurrency(exp)
		t.Run("exponent_"+string('0'+rune(exp)), func(t *testing.T) {
			for _, a := range cases {
				s := money.FormatAmount(a, c)
				got, err := money.ParseAmount(s, c)
				if err != nil || got != a {
					t.Fatalf("ParseAmount(FormatAmount(%s)) = %s, %v, want %s, nil (text %q)", a, got, err, a, s)
				}
			}
		})
	}
	t.Run("minor_units_text_matches_math_big", func(t *testing.T) {
		for _, a := range cases {
			s := a.String()
			if want := amountBig(a).String(); s != want {
				t.Fatalf("String() = %s, want %s", s, want)
			}
			if got, err := money.ParseMinorUnits(s); err != nil || got != a {
				t.Fatalf("ParseMinorUnits(%q) = %s, %v, want %s, nil", s, got, err, a)
			}
		}
	})
	t.Run("binary_round_trip", func(t *testing.T) {
		var b [money.AmountBytes]byte
		for _, a := range cases {
			a.PutBytes(b[:])
			if got := money.AmountFromBytes(b[:]); got != a {
				t.Fatalf("AmountFromBytes(PutBytes(%s)) = %s", a, got)
			}
		}
	})
}

// TestPropertyParseAmountMatchesMathBig writes random decimal texts (with
// leading zeros, up to 45 digits, with and without a fraction) and checks
// ParseAmount's value or rule against an exact reference.
func TestPropertyParseAmountMatchesMathBig(t *testing.T) {
	rng := newRand(t)
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			if rng.IntN(4) == 0 {
				b.WriteByte('0')
			} else {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		return b.String()
	}
	for range propertyRuns {
		exp := uint8(rng.IntN(4))
		s := digits(1 + rng.IntN(45))
		frac := ""
		if rng.IntN(2) == 0 {
			frac = digits(1 + rng.IntN(4))
			s += "." + frac
		}
		got, err := money.ParseAmount(s, exponentCurrency(exp))

		var wantRule money.Rule
		want, _ := new(big.Rat).SetString(s)
		want.Mul(want, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
		switch {
		case len(frac) > int(exp):
			wantRule = money.RuleAmountTooManyDecimals
		case want.Num().Cmp(two128) >= 0:
			wantRule = money.RuleAmountOverflow
		}
		if rule := ruleOf(err); rule != wantRule {
			t.Fatalf("ParseAmount(%q, exponent %d) rule %q (%v), want %q", s, exp, rule, err, wantRule)
		}
		if err == nil && amountBig(got).Cmp(want.Num()) != 0 {
			t.Fatalf("ParseAmount(%q, exponent %d) = %s, want %s", s, exp, got, want.Num())
		}
	}
}

func TestPropertyArithmeticMatchesMathBig(t *testing.T) {
	rng := newRand(t)
	cases := amountCases(rng)
	pick := func() money.Amount { return cases[rng.IntN(len(cases))] }
	t.Run("Add_never_wraps", func(t *testing.T) {
		for range propertyRuns {
			a, b := pick(), pick()
			got, ok := a.Add(b)
			want, wantOK := bigAmount(new(big.Int).Add(amountBig(a), amountBig(b)))
			if ok != wantOK || (ok && got != want) {
				t.Fatalf("%s.Add(%s) = %s, %v, want %s, %v", a, b, got, ok, want, wantOK)
			}
		}
	})
	t.Run("Sub_never_wraps", func(t *testing.T) {
		for range propertyRuns {
			a, b := pick(), pick()
			got, ok := a.Sub(b)
			want, wantOK := bigAmount(new(big.Int).Sub(amountBig(a), amountBig(b)))
			if ok != wantOK || (ok && got != want) {
				t.Fatalf("%s.Sub(%s) = %s, %v, want %s, %v", a, b, got, ok, want, wantOK)
			}
		}
	})
	t.Run("Cmp_matches", func(t *testing.T) {
		for range propertyRuns {
			a, b := pick(), pick()
			if got, want := a.Cmp(b), amountBig(a).Cmp(amountBig(b)); got != want || a.Less(b) != (want < 0) {
				t.Fatalf("%s.Cmp(%s) = %d (Less %v), want %d", a, b, got, a.Less(b), want)
			}
		}
	})
	t.Run("MulUint64_never_wraps", func(t *testing.T) {
		for range propertyRuns {
			a, m := pick(), rng.Uint64()>>rng.UintN(64)
			if !a.IsZero() && rng.IntN(2) == 0 {
				// A multiplier at the edge of overflow: max/a or one more.
				q, _ := bigAmount(new(big.Int).Quo(amountBig(money.AmountMax), amountBig(a)))
				if qhi, qlo := q.Parts(); qhi == 0 && qlo < ^uint64(0) {
					m = qlo + rng.Uint64N(2)
				}
			}
			got, ok := money.MulUint64(a, m)
			want, wantOK := bigAmount(new(big.Int).Mul(amountBig(a), new(big.Int).SetUint64(m)))
			if ok != wantOK || (ok && got != want) {
				t.Fatalf("MulUint64(%s, %d) = %s, %v, want %s, %v", a, m, got, ok, want, wantOK)
			}
		}
	})
	t.Run("DivUint64_rounds_like_math_big", func(t *testing.T) {
		for range propertyRuns {
			a, d := pick(), (rng.Uint64()>>rng.UintN(64))|1
			if rng.IntN(4) == 0 {
				d = 2 * (1 + rng.Uint64N(50)) // Even divisors make ties.
			}
			for _, mode := range roundingModes {
				got := money.DivUint64(a, d, mode)
				want := refRound(new(big.Rat).SetFrac(amountBig(a), new(big.Int).SetUint64(d)), mode)
				if amountBig(got).Cmp(want) != 0 {
					t.Fatalf("DivUint64(%s, %d, %s) = %s, want %s", a, d, mode, got, want)
				}
			}
		}
	})
	t.Run("Sum_never_wraps", func(t *testing.T) {
		for range propertyRuns {
			in := make([]money.Amount, rng.IntN(5))
			want := new(big.Int)
			for i := range in {
				in[i] = pick()
				if rng.IntN(2) == 0 {
					in[i] = money.NewAmount(rng.Uint64())
				}
				want.Add(want, amountBig(in[i]))
			}
			got, ok := money.Sum(in...)
			wantA, wantOK := bigAmount(want)
			if ok != wantOK || (ok && got != wantA) {
				t.Fatalf("Sum(%v) = %s, %v, want %s, %v", in, got, ok, want, wantOK)
			}
		}
	})
}

func TestPropertyConvertMatchesMathBig(t *testing.T) {
	rng := newRand(t)
	overflows, exact := 0, 0
	for range propertyRuns {
		a := randomAmount(rng)
		if rng.IntN(2) == 0 {
			a = money.NewAmount(rng.Uint64N(1_000_000_000_000))
		}
		source, target := exponentCurrency(uint8(rng.IntN(4))), exponentCurrency(uint8(rng.IntN(4)))
		r := randomRate(rng)

		x := new(big.Rat).Mul(new(big.Rat).SetInt(amountBig(a)), rateRat(r))
		shift := new(big.Rat).SetFrac(big.NewInt(1), big.NewInt(1))
		for range int(target.MinorUnits) {
			shift.Mul(shift, big.NewRat(10, 1))
		}
		for range int(source.MinorUnits) {
			shift.Mul(shift, big.NewRat(1, 10))
		}
		x.Mul(x, shift)
		if x.IsInt() {
			exact++
		}

		var results [4]money.Amount
		for i, mode := range roundingModes {
			got, err := money.Convert(a, source, r, target, mode)
			want, wantOK := bigAmount(refRound(x, mode))
			if !wantOK {
				overflows++
				if ruleOf(err) != money.RuleAmountOverflow {
					t.Fatalf("Convert(%s, exp %d, %s, exp %d, %s) = %s, %v, want %s", a, source.MinorUnits, r, target.MinorUnits, mode, got, err, money.RuleAmountOverflow)
				}
				continue
			}
			if err != nil || got != want {
				t.Fatalf("Convert(%s, exp %d, %s, exp %d, %s) = %s, %v, want %s", a, source.MinorUnits, r, target.MinorUnits, mode, got, err, want)
			}
			results[i] = got
		}
		// Down <= nearest <= Up, and Up is at most one above Down.
		down, up := results[0], results[1]
		if _, ok := down.Add(money.NewAmount(1)); ok && !up.IsZero() {
			for _, nearest := range results[2:] {
				if nearest.Less(down) || up.Less(nearest) || down.MustAdd(money.NewAmount(1)).Less(up) {
					t.Fatalf("Convert(%s at %s): down %s, nearest %s, up %s out of order", a, r, down, nearest, up)
				}
			}
		}
	}
	t.Logf("%d cases: %d exact, %d mode results overflowed", propertyRuns, exact, overflows)
}

func TestPropertyPercentMatchesMathBig(t *testing.T) {
	rng := newRand(t)
	for range propertyRuns {
		a := randomAmount(rng)
		p := randomRate(rng)
		if rng.IntN(2) == 0 { // Realistic fee percentages: 0.0001% to 1000%.
			var err error
			if p, err = money.RateFromParts(0, rng.Uint64N(100_000)+1, uint8(rng.IntN(5))); err != nil {
				t.Fatal(err)
			}
		}
		x := new(big.Rat).Mul(new(big.Rat).SetInt(amountBig(a)), rateRat(p))
		x.Quo(x, big.NewRat(100, 1))
		for _, mode := range roundingModes {
			got, err := money.Percent(a, p, mode)
			want, wantOK := bigAmount(refRound(x, mode))
			switch {
			case !wantOK && ruleOf(err) != money.RuleAmountOverflow:
				t.Fatalf("Percent(%s, %s, %s) = %s, %v, want %s", a, p, mode, got, err, money.RuleAmountOverflow)
			case wantOK && (err != nil || got != want):
				t.Fatalf("Percent(%s, %s, %s) = %s, %v, want %s", a, p, mode, got, err, want)
			}
		}
	}
}

func TestPropertyRate(t *testing.T) {
	rng := newRand(t)
	rates := make([]money.Rate, propertyRuns)
	for i := range rates {
		rates[i] = randomRate(rng)
	}
	t.Run("String_ParseRate_round_trip", func(t *testing.T) {
		for _, r := range rates {
			s := r.String()
			got, err := money.ParseRate(s)
			if err != nil || got != r {
				t.Fatalf("ParseRate(%q) = %v, %v, want %v, nil", s, got, err, r)
			}
			if want := rateRat(r).FloatString(18); strings.TrimRight(strings.TrimRight(want, "0"), ".") != s {
				t.Fatalf("String() = %q, want %q", s, want)
			}
		}
	})
	t.Run("Cmp_matches_math_big", func(t *testing.T) {
		for i, r := range rates {
			s := rates[(i+1)%len(rates)]
			if rng.IntN(4) == 0 { // Equal values written at different scales.
				text := r.String()
				if _, _, scale := r.Parts(); scale == 0 {
					text += ".000"
				} else if scale < money.RateScaleMax {
					text += "0"
				}
				s = MustRate(t, text)
			}
			if got, want := r.Cmp(s), rateRat(r).Cmp(rateRat(s)); got != want {
				t.Fatalf("%s.Cmp(%s) = %d, want %d", r, s, got, want)
			}
		}
	})
	t.Run("Invert_matches_math_big", func(t *testing.T) {
		for _, r := range rates {
			scale := uint8(rng.IntN(money.RateScaleMax + 1))
			for _, mode := range roundingModes {
				got, err := r.Invert(scale, mode)
				x := new(big.Rat).Inv(rateRat(r))
				x.Mul(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
				checkDerivedRate(t, "Invert", r, scale, mode, got, err, refRound(x, mode))
			}
		}
	})
	t.Run("Mul_matches_math_big", func(t *testing.T) {
		for i, r := range rates {
			s := rates[(i+7)%len(rates)]
			scale := uint8(rng.IntN(money.RateScaleMax + 1))
			for _, mode := range roundingModes {
				got, err := r.Mul(s, scale, mode)
				x := new(big.Rat).Mul(rateRat(r), rateRat(s))
				x.Mul(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
				checkDerivedRate(t, "Mul", r, scale, mode, got, err, refRound(x, mode))
			}
		}
	})
}

// checkDerivedRate checks a rate derived at scale against want, the exact
// result times 10^scale after rounding.
func checkDerivedRate(t *testing.T, op string, r money.Rate, scale uint8, mode money.RoundingMode, got money.Rate, err error, want *big.Int) {
	t.Helper()
	wantRat := new(big.Rat).SetFrac(want, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	var wantRule money.Rule
	if want.Sign() == 0 {
		wantRule = money.RuleRateZero
	} else {
		// The canonical coefficient is the value times the least power of
		// ten that makes it whole.
		coef := new(big.Rat).Set(wantRat)
		for !coef.IsInt() {
			coef.Mul(coef, big.NewRat(10, 1))
		}
		if coef.Num().Cmp(two128) >= 0 {
			wantRule = money.RuleRateOverflow
		}
	}
	if rule := ruleOf(err); rule != wantRule {
		t.Fatalf("%s.%s(%d, %s) = %v, %v (rule %q), want rule %q", r, op, scale, mode, got, err, rule, wantRule)
	}
	if err == nil && rateRat(got).Cmp(wantRat) != 0 {
		t.Fatalf("%s.%s(%d, %s) = %s, want %s", r, op, scale, mode, got, wantRat.FloatString(int(scale)))
	}
}
