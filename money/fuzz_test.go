package money_test

import (
	"math/big"
	"strings"
	"testing"

	"astara/money"
)

// knownRules is every Rule the parsers may return.
var knownRules = map[money.Rule]bool{
	money.RuleAmountEmpty: true, money.RuleAmountTooLong: true, money.RuleAmountSyntax: true,
	money.RuleAmountTooManyDecimals: true, money.RuleAmountOverflow: true,
	money.RuleRateEmpty: true, money.RuleRateTooLong: true, money.RuleRateSyntax: true,
	money.RuleRateTooManyDecimals: true, money.RuleRateOverflow: true, money.RuleRateZero: true,
}

// canonicalDecimal returns the decimal text s (already accepted by a
// parser) with leading integer zeros dropped and the fraction padded or
// trimmed to exactly frac digits, or trimmed of trailing zeros if frac < 0.
func canonicalDecimal(s string, frac int) string {
	intPart, fracPart, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if frac < 0 {
		fracPart = strings.TrimRight(fracPart, "0")
	} else {
		fracPart += strings.Repeat("0", frac-len(fracPart))
	}
	if fracPart == "" {
		return intPart
	}
	return intPart + "." + fracPart
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"0", "123", "123.4", "123.45", "007.50", "20000000.00", "5234000", "1.234",
		"", "+1", "-1", "1e3", " 1", "1.", ".5", "1..2", "١٢٣", "1,00",
		"340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
		"3402823669209384634633746074317682114.55", strings.Repeat("9", 65),
	} {
		for exp := range uint8(4) {
			f.Add(s, exp)
		}
	}
	f.Fuzz(func(t *testing.T, s string, exp uint8) {
		c := exponentCurrency(exp % 5)
		a, err := money.ParseAmount(s, c)
		if err != nil {
			rule, ok := money.RuleOf(err)
			if !ok || !knownRules[rule] || !errorsAs[*money.AmountError](err) {
				t.Fatalf("ParseAmount(%q, exp %d) error %T %v, want an *AmountError with a known rule", s, c.MinorUnits, err, err)
			}
			return
		}
		text := money.FormatAmount(a, c)
		if want := canonicalDecimal(s, int(c.MinorUnits)); text != want {
			t.Fatalf("FormatAmount(ParseAmount(%q)) = %q, want %q", s, text, want)
		}
		again, err := money.ParseAmount(text, c)
		if err != nil || again != a {
			t.Fatalf("ParseAmount(%q) = %s, %v, want %s, nil", text, again, err, a)
		}
		want, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("math/big cannot read %q, which ParseAmount accepted", s)
		}
		want.Mul(want, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.MinorUnits)), nil)))
		if !want.IsInt() || want.Num().Cmp(amountBig(a)) != 0 {
			t.Fatalf("ParseAmount(%q, exp %d) = %s, want %s", s, c.MinorUnits, a, want.RatString())
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{
		"523.40", "1", "1.000", "0.0019", "007.5", "0.000000000000000001", "100",
		"", "0", "0.0", "+1", "-1", "1e3", ".5", "5.", "1.0000000000000000000",
		"340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
		"340282366920938463463374607431768211455.000", strings.Repeat("1", 65),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := money.ParseRate(s)
		if err != nil {
			rule, ok := money.RuleOf(err)
			if !ok || !knownRules[rule] || !errorsAs[*money.RateError](err) {
				t.Fatalf("ParseRate(%q) error %T %v, want a *RateError with a known rule", s, err, err)
			}
			return
		}
		text := r.String()
		if want := canonicalDecimal(s, -1); text != want {
			t.Fatalf("ParseRate(%q).String() = %q, want %q", s, text, want)
		}
		again, err := money.ParseRate(text)
		if err != nil || again != r || again.Cmp(r) != 0 {
			t.Fatalf("ParseRate(%q) = %v, %v, want %v, nil", text, again, err, r)
		}
		want, ok := new(big.Rat).SetString(s)
		if !ok || want.Sign() <= 0 || rateRat(r).Cmp(want) != 0 {
			t.Fatalf("ParseRate(%q) = %s, want %s", s, r, want.RatString())
		}
	})
}
