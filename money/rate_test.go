package money_test

import (
	"strings"
	"testing"

	"astara/money"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string // canonical String, when accepted
		rule money.Rule
	}{
		{"trailing_fraction_zeros_dropped", "523.40", "523.4", ""},
		{"whole_fraction_of_zeros_dropped", "1.000", "1", ""},
		{"integer_zeros_kept", "100", "100", ""},
		{"below_one", "0.0019", "0.0019", ""},
		{"leading_zeros_accepted", "007.5", "7.5", ""},
		{"scale_max_digits", "0.000000000000000001", "0.000000000000000001", ""},
		{"coefficient_max", "340282366920938463463374607431768211455", "340282366920938463463374607431768211455", ""},
		{"coefficient_max_with_fraction", "3402823669209384634633.74607431768211455", "3402823669209384634633.74607431768211455", ""},
		{"coefficient_max_then_zeros", "340282366920938463463374607431768211455.000", "340282366920938463463374607431768211455", ""},
		{"longest_text_accepted", strings.Repeat("0", money.RateTextLenMax-3) + "1.5", "1.5", ""},

		{"empty_is_rate_empty", "", "", money.RuleRateEmpty},
		{"one_past_length_limit_is_rate_too_long", strings.Repeat("0", money.RateTextLenMax-2) + "1.5", "", money.RuleRateTooLong},
		{"sign_is_rate_syntax", "+1.5", "", money.RuleRateSyntax},
		{"negative_is_rate_syntax", "-1.5", "", money.RuleRateSyntax},
		{"exponent_is_rate_syntax", "1.5e-3", "", money.RuleRateSyntax},
		{"leading_point_is_rate_syntax", ".5", "", money.RuleRateSyntax},
		{"trailing_point_is_rate_syntax", "5.", "", money.RuleRateSyntax},
		{"space_is_rate_syntax", "1.5 ", "", money.RuleRateSyntax},
		{"decimal_comma_is_rate_syntax", "1,5", "", money.RuleRateSyntax},
		{"zero_is_rate_zero", "0", "", money.RuleRateZero},
		{"zero_with_fraction_is_rate_zero", "0.000", "", money.RuleRateZero},
		{"one_past_scale_max_is_rate_too_many_decimals", "0.0000000000000000001", "", money.RuleRateTooManyDecimals},
		{"zeros_past_scale_max_is_rate_too_many_decimals", "1.0000000000000000000", "", money.RuleRateTooManyDecimals},
		{"2_pow_128_is_rate_overflow", "340282366920938463463374607431768211456", "", money.RuleRateOverflow},
		{"coefficient_past_max_is_rate_overflow", "34028236692093846346337460743176821145.6", "", money.RuleRateOverflow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := money.ParseRate(tc.in)
			if rule := ruleOf(err); rule != tc.rule {
				t.Fatalf("ParseRate(%q) rule %q (%v), want %q", tc.in, rule, err, tc.rule)
			}
			if err != nil {
				if !errorsAs[*money.RateError](err) {
					t.Errorf("error %T, want *money.RateError", err)
				}
				return
			}
			if got.String() != tc.want {
				t.Errorf("ParseRate(%q).String() = %q, want %q", tc.in, got.String(), tc.want)
			}
			if again := MustRate(t, got.String()); again != got {
				t.Errorf("ParseRate(String()) = %v, want %v", again, got)
			}
		})
	}
}

func TestRateCanonical(t *testing.T) {
	t.Run("equal_values_are_==", func(t *testing.T) {
		if a, b := MustRate(t, "523.4"), MustRate(t, "0523.400"); a != b {
			t.Errorf("%v != %v", a, b)
		}
	})
	t.Run("RateFromParts_normalizes", func(t *testing.T) {
		r, err := money.RateFromParts(0, 52340, 2)
		if err != nil {
			t.Fatal(err)
		}
		if hi, lo, scale := r.Parts(); hi != 0 || lo != 5234 || scale != 1 {
			t.Errorf("Parts() = %d, %d, %d, want 0, 5234, 1", hi, lo, scale)
		}
		if r != MustRate(t, "523.4") {
			t.Errorf("RateFromParts(0, 52340, 2) = %v, want 523.4", r)
		}
	})
	t.Run("RateFromParts_zero_is_rate_zero", func(t *testing.T) {
		if _, err := money.RateFromParts(0, 0, 3); ruleOf(err) != money.RuleRateZero {
			t.Errorf("rule %q, want %q", ruleOf(err), money.RuleRateZero)
		}
	})
	t.Run("RateFromParts_scale_past_max_is_rate_too_many_decimals", func(t *testing.T) {
		if _, err := money.RateFromParts(0, 1, money.RateScaleMax+1); ruleOf(err) != money.RuleRateTooManyDecimals {
			t.Errorf("rule %q, want %q", ruleOf(err), money.RuleRateTooManyDecimals)
		}
	})
	t.Run("zero_rate_writes_0_and_does_not_marshal", func(t *testing.T) {
		var r money.Rate
		if !r.IsZero() || r.String() != "0" {
			t.Errorf("Rate{}: IsZero %v, String %q, want true, \"0\"", r.IsZero(), r.String())
		}
		if _, err := r.MarshalText(); err == nil {
			t.Error("Rate{}.MarshalText() succeeded, want an error")
		}
	})
	t.Run("text_round_trip", func(t *testing.T) {
		var r money.Rate
		if err := r.UnmarshalText([]byte("523.40")); err != nil {
			t.Fatal(err)
		}
		if b, err := r.MarshalText(); err != nil || string(b) != "523.4" {
			t.Errorf("MarshalText() = %q, %v, want \"523.4\", nil", b, err)
		}
		if err := r.UnmarshalText([]byte("-1")); ruleOf(err) != money.RuleRateSyntax {
			t.Errorf("UnmarshalText(-1) rule %q, want %q", ruleOf(err), money.RuleRateSyntax)
		}
	})
}

func TestRateCmp(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       int
	}{
		{"equal_at_different_written_scales", "1.5", "1.50", 0},
		{"greater_at_lower_scale", "1.5", "1.49", 1},
		{"less_at_higher_scale", "0.000000000000000001", "1", -1},
		{"max_coefficient_whole_beats_max_coefficient_scaled", "340282366920938463463374607431768211455", "340282366920938463463.374607431768211455", 1},
		{"scaled_up_coefficient_overflows_64_bits", "18446744073709551616", "18446744073709551615.999999999999999999", 1},
		{"equal_large", "18446744073709551616", "18446744073709551616.000", 0},
		{"scaled_up_coefficient_just_past_128_bits", "34028236692093846346337460743176821146", "34028236692093846346337460743176821145.5", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := MustRate(t, tc.a), MustRate(t, tc.b)
			if got := a.Cmp(b); got != tc.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", a, b, got, tc.want)
			}
			if got := b.Cmp(a); got != -tc.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", b, a, got, -tc.want)
			}
		})
	}
}

func TestRateInvert(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		scale uint8
		mode  money.RoundingMode
		want  string
		rule  money.Rule
	}{
		{"rub_per_rial", "523.4", 6, money.RoundHalfEven, "0.001911", ""},
		{"rub_per_rial_down", "523.4", 6, money.RoundDown, "0.00191", ""},
		{"exact_needs_no_rounding", "4", 2, money.RoundUp, "0.25", ""},
		{"exact_result_is_trimmed", "4", 18, money.RoundUp, "0.25", ""},
		{"third_down", "3", 2, money.RoundDown, "0.33", ""},
		{"third_up", "3", 2, money.RoundUp, "0.34", ""},
		{"below_one_inverts_above_one", "0.5", 0, money.RoundDown, "2", ""},
		{"smallest_rate_inverts_to_ten_pow_18", "0.000000000000000001", 0, money.RoundDown, "1000000000000000000", ""},
		{"huge_rate_rounds_to_zero_is_rate_zero", "340282366920938463463374607431768211455", 18, money.RoundHalfEven, "", money.RuleRateZero},
		{"huge_rate_rounded_up_is_smallest_step", "340282366920938463463374607431768211455", 18, money.RoundUp, "0.000000000000000001", ""},
		{"scale_past_max_is_rate_too_many_decimals", "2", money.RateScaleMax + 1, money.RoundDown, "", money.RuleRateTooManyDecimals},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MustRate(t, tc.in).Invert(tc.scale, tc.mode)
			if rule := ruleOf(err); rule != tc.rule {
				t.Fatalf("%s.Invert(%d, %s) rule %q (%v), want %q", tc.in, tc.scale, tc.mode, rule, err, tc.rule)
			}
			if err == nil && got.String() != tc.want {
				t.Errorf("%s.Invert(%d, %s) = %s, want %s", tc.in, tc.scale, tc.mode, got, tc.want)
			}
		})
	}
	t.Run("zero_rate_is_rate_zero", func(t *testing.T) {
		if _, err := (money.Rate{}).Invert(6, money.RoundDown); ruleOf(err) != money.RuleRateZero {
			t.Errorf("rule %q, want %q", ruleOf(err), money.RuleRateZero)
		}
	})
}

func TestRateMul(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, b  string
		scale uint8
		mode  money.RoundingMode
		want  string
		rule  money.Rule
	}{
		{"cross_rate", "523.4", "2", 6, money.RoundDown, "1046.8", ""},
		{"exact_product_is_trimmed", "0.2", "0.5", 2, money.RoundDown, "0.1", ""},
		{"exact_at_scale_max", "0.123456789012345678", "0.5", 18, money.RoundDown, "0.061728394506172839", ""},
		{"rounded_half_even", "0.123456789012345678", "0.5", 17, money.RoundHalfEven, "0.06172839450617284", ""},
		{"rounded_down", "0.123456789012345678", "0.5", 17, money.RoundDown, "0.06172839450617283", ""},
		{"wide_product_that_trims_to_fit", "0.000000000000000005", "300000000000000000000000000000000000000", 18, money.RoundDown, "1500000000000000000000", ""},
		{"past_128_bits_is_rate_overflow", "340282366920938463463374607431768211455", "2", 0, money.RoundDown, "", money.RuleRateOverflow},
		{"rounding_to_zero_is_rate_zero", "0.000000001", "0.000000001", 17, money.RoundDown, "", money.RuleRateZero},
		{"scale_past_max_is_rate_too_many_decimals", "1", "1", money.RateScaleMax + 1, money.RoundDown, "", money.RuleRateTooManyDecimals},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := MustRate(t, tc.a), MustRate(t, tc.b)
			got, err := a.Mul(b, tc.scale, tc.mode)
			if rule := ruleOf(err); rule != tc.rule {
				t.Fatalf("%s.Mul(%s, %d, %s) rule %q (%v), want %q", a, b, tc.scale, tc.mode, rule, err, tc.rule)
			}
			if err == nil && got.String() != tc.want {
				t.Errorf("%s.Mul(%s, %d, %s) = %s, want %s", a, b, tc.scale, tc.mode, got, tc.want)
			}
		})
	}
	t.Run("zero_rate_is_rate_zero", func(t *testing.T) {
		if _, err := MustRate(t, "2").Mul(money.Rate{}, 6, money.RoundDown); ruleOf(err) != money.RuleRateZero {
			t.Errorf("rule %q, want %q", ruleOf(err), money.RuleRateZero)
		}
	})
}

func TestRoundingMode(t *testing.T) {
	for _, tc := range []struct {
		mode money.RoundingMode
		want string
	}{
		{money.RoundDown, "down"},
		{money.RoundUp, "up"},
		{money.RoundHalfEven, "half_even"},
		{money.RoundHalfUp, "half_up"},
		{0, "RoundingMode(0)"},
		{9, "RoundingMode(9)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.mode.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			got, err := money.ParseRoundingMode(tc.want)
			switch valid := tc.mode != 0 && tc.mode < 9; {
			case valid && (err != nil || got != tc.mode):
				t.Errorf("ParseRoundingMode(%q) = %v, %v, want %v, nil", tc.want, got, err, tc.mode)
			case !valid && err == nil:
				t.Errorf("ParseRoundingMode(%q) = %v, nil, want an error", tc.want, got)
			}
		})
	}
	t.Run("zero_mode_panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("Convert with the zero RoundingMode did not panic")
			}
		}()
		_, _ = money.Convert(money.NewAmount(1), rub, MustRate(t, "1"), usd, 0)
	})
}
