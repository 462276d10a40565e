package money_test

import (
	"strings"
	"testing"

	"astara/money"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		cur  money.Currency
		want string // minor units, when accepted
		rule money.Rule
	}{
		{"whole_major_units", "123", rub, "12300", ""},
		{"one_fraction_digit", "123.4", rub, "12340", ""},
		{"two_fraction_digits", "123.45", rub, "12345", ""},
		{"published_limit", "20000000.00", rub, "2000000000", ""},
		{"zero", "0", rub, "0", ""},
		{"zero_with_fraction", "0.00", rub, "0", ""},
		{"fraction_only_below_one", "0.05", rub, "5", ""},
		{"leading_zeros_accepted", "007.50", rub, "750", ""},
		{"many_leading_zeros_accepted", strings.Repeat("0", 60) + "1.5", rub, "150", ""},
		{"rial_whole", "5234000", irr, "5234000", ""},
		{"yen_whole", "1000", jpy, "1000", ""},
		{"dinar_three_digits", "1.234", kwd, "1234", ""},
		{"largest_for_0_digits", "340282366920938463463374607431768211455", irr, "340282366920938463463374607431768211455", ""},
		{"largest_for_2_digits", "3402823669209384634633746074317682114.55", rub, "340282366920938463463374607431768211455", ""},
		{"2_pow_64", "18446744073709551616", irr, "18446744073709551616", ""},
		{"longest_text_accepted", strings.Repeat("0", money.AmountTextLenMax-3) + "1.5", rub, "150", ""},

		{"empty_is_amount_empty", "", rub, "", money.RuleAmountEmpty},
		{"one_past_length_limit_is_amount_too_long", strings.Repeat("0", money.AmountTextLenMax-2) + "1.5", rub, "", money.RuleAmountTooLong},
		{"plus_sign_is_amount_syntax", "+1.00", rub, "", money.RuleAmountSyntax},
		{"minus_sign_is_amount_syntax", "-1.00", rub, "", money.RuleAmountSyntax},
		{"exponent_is_amount_syntax", "1e3", rub, "", money.RuleAmountSyntax},
		{"fraction_exponent_is_amount_syntax", "1.5E2", rub, "", money.RuleAmountSyntax},
		{"leading_space_is_amount_syntax", " 1.00", rub, "", money.RuleAmountSyntax},
		{"trailing_space_is_amount_syntax", "1.00 ", rub, "", money.RuleAmountSyntax},
		{"inner_space_is_amount_syntax", "1 000.00", rub, "", money.RuleAmountSyntax},
		{"grouping_comma_is_amount_syntax", "1,000.00", rub, "", money.RuleAmountSyntax},
		{"decimal_comma_is_amount_syntax", "1,00", rub, "", money.RuleAmountSyntax},
		{"underscore_is_amount_syntax", "1_000", rub, "", money.RuleAmountSyntax},
		{"leading_point_is_amount_syntax", ".50", rub, "", money.RuleAmountSyntax},
		{"trailing_point_is_amount_syntax", "1.", rub, "", money.RuleAmountSyntax},
		{"trailing_point_in_rials_is_amount_syntax", "5234000.", irr, "", money.RuleAmountSyntax},
		{"lone_point_is_amount_syntax", ".", rub, "", money.RuleAmountSyntax},
		{"two_points_is_amount_syntax", "1.0.0", rub, "", money.RuleAmountSyntax},
		{"hex_is_amount_syntax", "0x10", rub, "", money.RuleAmountSyntax},
		{"arabic_indic_digits_is_amount_syntax", "١٢٣", irr, "", money.RuleAmountSyntax},
		{"persian_digits_is_amount_syntax", "۱۲۳", irr, "", money.RuleAmountSyntax},
		{"fullwidth_digits_is_amount_syntax", "１２３", irr, "", money.RuleAmountSyntax},
		{"nul_byte_is_amount_syntax", "1\x00", rub, "", money.RuleAmountSyntax},
		{"infinity_is_amount_syntax", "Inf", rub, "", money.RuleAmountSyntax},
		{"three_digits_for_rub_is_amount_too_many_decimals", "1.234", rub, "", money.RuleAmountTooManyDecimals},
		{"trailing_zero_beyond_minor_units_is_amount_too_many_decimals", "1.000", rub, "", money.RuleAmountTooManyDecimals},
		{"rials_take_ISO's_two_zero_digits", "5234000.0", irr, "5234000", ""},
		{"rials_take_ISO's_two_zero_digits_both", "1092907500.00", irr, "1092907500", ""},
		{"a_fraction_of_a_rial_is_amount_below_minor_unit", "1092907500.50", irr, "", money.RuleAmountBelowMinorUnit},
		{"a_tenth_of_a_rial_is_amount_below_minor_unit", "1.1", irr, "", money.RuleAmountBelowMinorUnit},
		{"rials_with_more_than_ISO's_digits_are_amount_too_many_decimals", "5234000.000", irr, "", money.RuleAmountTooManyDecimals},
		{"any_fraction_for_yen_is_amount_too_many_decimals", "1.5", jpy, "", money.RuleAmountTooManyDecimals},
		{"four_digits_for_dinar_is_amount_too_many_decimals", "1.2345", kwd, "", money.RuleAmountTooManyDecimals},
		{"2_pow_128_is_amount_overflow", "340282366920938463463374607431768211456", irr, "", money.RuleAmountOverflow},
		{"one_minor_unit_past_max_is_amount_overflow", "3402823669209384634633746074317682114.56", rub, "", money.RuleAmountOverflow},
		{"max_major_units_times_100_is_amount_overflow", "340282366920938463463374607431768211455", rub, "", money.RuleAmountOverflow},
		{"forty_digits_is_amount_overflow", "9999999999999999999999999999999999999999", irr, "", money.RuleAmountOverflow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := money.ParseAmount(tc.in, tc.cur)
			if rule := ruleOf(err); rule != tc.rule {
				t.Fatalf("ParseAmount(%q, %s) rule %q (%v), want %q", tc.in, tc.cur, rule, err, tc.rule)
			}
			if err != nil {
				if !errorsAs[*money.AmountError](err) {
					t.Errorf("error %T, want *money.AmountError", err)
				}
				return
			}
			if got.String() != tc.want {
				t.Errorf("ParseAmount(%q, %s) = %s, want %s", tc.in, tc.cur, got, tc.want)
			}
		})
	}
}

func TestAmountError(t *testing.T) {
	_, err := money.ParseAmount("1.234", rub)
	want := `money: amount "1.234" for RUB has more fraction digits than the currency's minor units (amount_too_many_decimals)`
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err = money.ParseAmount(strings.Repeat("9", 200), rub)
	if got := err.Error(); len(got) > 200 {
		t.Errorf("Error() for a long input is %d bytes, want it cut: %q", len(got), got)
	}
	var ae *money.AmountError
	if !errorsAs[*money.AmountError](err) {
		t.Fatalf("error %T, want %T", err, ae)
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string // minor units
		cur  money.Currency
		want string
	}{
		{"exactly_minor_units_digits", "2000000000", rub, "20000000.00"},
		{"zero_has_fraction_digits", "0", rub, "0.00"},
		{"below_one_major_unit_pads", "5", rub, "0.05"},
		{"below_one_dinar_pads", "7", kwd, "0.007"},
		{"rials_have_no_point", "5234000", irr, "5234000"},
		{"yen_have_no_point", "0", jpy, "0"},
		{"max_amount_2_digits", "340282366920938463463374607431768211455", rub, "3402823669209384634633746074317682114.55"},
		{"max_amount_0_digits", "340282366920938463463374607431768211455", irr, "340282366920938463463374607431768211455"},
		{"2_pow_64", "18446744073709551616", usd, "184467440737095516.16"},
		{"ten_pow_19", "10000000000000000000", kwd, "10000000000000000.000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := MustMinorUnits(t, tc.in)
			if got := money.FormatAmount(a, tc.cur); got != tc.want {
				t.Errorf("FormatAmount(%s, %s) = %q, want %q", tc.in, tc.cur, got, tc.want)
			}
			if got := string(money.AppendAmount([]byte("x="), a, tc.cur)); got != "x="+tc.want {
				t.Errorf("AppendAmount = %q, want %q", got, "x="+tc.want)
			}
		})
	}
}

func TestAmountString(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   money.Amount
		want string
	}{
		{"zero", money.Amount{}, "0"},
		{"max_uint64", money.NewAmount(^uint64(0)), "18446744073709551615"},
		{"2_pow_64", money.AmountFromParts(1, 0), "18446744073709551616"},
		{"ten_pow_38", money.AmountFromParts(0x4b3b4ca85a86c47a, 0x098a224000000000), "100000000000000000000000000000000000000"},
		{"inner_zero_chunks", money.AmountFromParts(0x4b3b4ca85a86c47a, 0x098a224000000001), "100000000000000000000000000000000000001"},
		{"max", money.AmountMax, "340282366920938463463374607431768211455"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseMinorUnits(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		rule           money.Rule
	}{
		{"digits", "523400", "523400", ""},
		{"leading_zeros_accepted", "00042", "42", ""},
		{"max", "340282366920938463463374607431768211455", "340282366920938463463374607431768211455", ""},
		{"longest_text_accepted", strings.Repeat("0", money.AmountTextLenMax-1) + "7", "7", ""},
		{"empty_is_amount_empty", "", "", money.RuleAmountEmpty},
		{"one_past_length_limit_is_amount_too_long", strings.Repeat("0", money.AmountTextLenMax) + "7", "", money.RuleAmountTooLong},
		{"point_is_amount_syntax", "1.00", "", money.RuleAmountSyntax},
		{"sign_is_amount_syntax", "-1", "", money.RuleAmountSyntax},
		{"2_pow_128_is_amount_overflow", "340282366920938463463374607431768211456", "", money.RuleAmountOverflow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := money.ParseMinorUnits(tc.in)
			if rule := ruleOf(err); rule != tc.rule {
				t.Fatalf("ParseMinorUnits(%q) rule %q (%v), want %q", tc.in, rule, err, tc.rule)
			}
			if err == nil && got.String() != tc.want {
				t.Errorf("ParseMinorUnits(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
