package money_test

import (
	"testing"

	"astara/money"
)

func TestConvert(t *testing.T) {
	kwdPerUSD := "0.3075"
	for _, tc := range []struct {
		name                       string
		amount                     string // in major units of source
		source                     money.Currency
		rate                       string
		target                     money.Currency
		down, up, halfEven, halfUp string // in major units of target
	}{
		{"rub_to_rial_exact", "150000.00", rub, "523.4", irr, "78510000", "78510000", "78510000", "78510000"},
		{"rial_to_rub_exact", "78510000", irr, "0.001911", rub, "150032.61", "150032.61", "150032.61", "150032.61"},
		{"one_rial_is_a_fraction_of_a_kopeck", "1", irr, "0.001911", rub, "0.00", "0.01", "0.00", "0.00"},
		{"kopecks_to_rials_rounds", "0.05", rub, "523.4", irr, "26", "27", "26", "26"},
		{"tie_to_even_stays_down", "0.01", rub, "50", irr, "0", "1", "0", "1"},
		{"tie_to_even_goes_up", "0.03", rub, "50", irr, "1", "2", "2", "2"},
		{"two_to_three_digits", "1.00", usd, kwdPerUSD, kwd, "0.307", "0.308", "0.308", "0.308"},
		{"two_to_three_digits_exact", "2.00", usd, kwdPerUSD, kwd, "0.615", "0.615", "0.615", "0.615"},
		{"two_to_zero_digits", "1.00", usd, "150.25", jpy, "150", "151", "150", "150"},
		{"three_to_two_digits", "0.001", kwd, "3.25", usd, "0.00", "0.01", "0.00", "0.00"},
		{"zero_amount", "0", rub, "523.4", irr, "0", "0", "0", "0"},
		{"max_at_rate_one", "3402823669209384634633746074317682114.55", rub, "1", usd, "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, r := MustAmount(t, tc.amount, tc.source), MustRate(t, tc.rate)
			for _, w := range []struct {
				mode money.RoundingMode
				want string
			}{{money.RoundDown, tc.down}, {money.RoundUp, tc.up}, {money.RoundHalfEven, tc.halfEven}, {money.RoundHalfUp, tc.halfUp}} {
				got, err := money.Convert(a, tc.source, r, tc.target, w.mode)
				if err != nil {
					t.Errorf("Convert(%s %s at %s to %s, %s): %v", tc.amount, tc.source, r, tc.target, w.mode, err)
					continue
				}
				if s := money.FormatAmount(got, tc.target); s != w.want {
					t.Errorf("Convert(%s %s at %s to %s, %s) = %s, want %s", tc.amount, tc.source, r, tc.target, w.mode, s, w.want)
				}
			}
		})
	}
	t.Run("result_past_max_is_amount_overflow", func(t *testing.T) {
		got, err := money.Convert(money.AmountMax, rub, MustRate(t, "523.4"), irr, money.RoundDown)
		if ruleOf(err) != money.RuleAmountOverflow || !errorsAs[*money.AmountError](err) {
			t.Errorf("Convert(max) = %s, %v, want an *AmountError with %s", got, err, money.RuleAmountOverflow)
		}
	})
	t.Run("exponent_growth_past_max_is_amount_overflow", func(t *testing.T) {
		// Rate 1, but IRR (0 digits) to KWD (3 digits) multiplies by 1000.
		got, err := money.Convert(money.AmountMax, irr, MustRate(t, "1"), kwd, money.RoundDown)
		if ruleOf(err) != money.RuleAmountOverflow {
			t.Errorf("Convert(max IRR to KWD) = %s, %v, want %s", got, err, money.RuleAmountOverflow)
		}
	})
	t.Run("zero_rate_is_rate_zero", func(t *testing.T) {
		got, err := money.Convert(money.NewAmount(1), rub, money.Rate{}, irr, money.RoundDown)
		if ruleOf(err) != money.RuleRateZero || !errorsAs[*money.RateError](err) {
			t.Errorf("Convert at the zero Rate = %s, %v, want a *RateError with %s", got, err, money.RuleRateZero)
		}
	})
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		amount                     string // RUB
		percent                    string
		down, up, halfEven, halfUp string // RUB
	}{
		{"published_fee_one_percent", "150000.00", "1.00", "1500.00", "1500.00", "1500.00", "1500.00"},
		{"one_percent_of_the_limit", "20000000.00", "1", "200000.00", "200000.00", "200000.00", "200000.00"},
		{"tenth_of_a_percent", "20000000.00", "0.1", "20000.00", "20000.00", "20000.00", "20000.00"},
		{"fraction_of_a_kopeck", "0.01", "1", "0.00", "0.01", "0.00", "0.00"},
		{"tie_to_even_goes_up", "1.00", "1.5", "0.01", "0.02", "0.02", "0.02"},
		{"tie_to_even_stays_down", "1.00", "2.5", "0.02", "0.03", "0.02", "0.03"},
		{"hundred_percent_of_max", "3402823669209384634633746074317682114.55", "100", "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55", "3402823669209384634633746074317682114.55"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, p := MustAmount(t, tc.amount, rub), MustRate(t, tc.percent)
			for _, w := range []struct {
				mode money.RoundingMode
				want string
			}{{money.RoundDown, tc.down}, {money.RoundUp, tc.up}, {money.RoundHalfEven, tc.halfEven}, {money.RoundHalfUp, tc.halfUp}} {
				got, err := money.Percent(a, p, w.mode)
				if err != nil {
					t.Errorf("Percent(%s, %s, %s): %v", tc.amount, p, w.mode, err)
					continue
				}
				if s := money.FormatAmount(got, rub); s != w.want {
					t.Errorf("Percent(%s, %s, %s) = %s, want %s", tc.amount, p, w.mode, s, w.want)
				}
			}
		})
	}
	t.Run("zero_percent_is_zero", func(t *testing.T) {
		if got, err := money.Percent(money.AmountMax, money.Rate{}, money.RoundUp); err != nil || !got.IsZero() {
			t.Errorf("Percent(max, 0) = %s, %v, want 0, nil", got, err)
		}
	})
	t.Run("over_100_percent_past_max_is_amount_overflow", func(t *testing.T) {
		got, err := money.Percent(money.AmountMax, MustRate(t, "150"), money.RoundDown)
		if ruleOf(err) != money.RuleAmountOverflow {
			t.Errorf("Percent(max, 150) = %s, %v, want %s", got, err, money.RuleAmountOverflow)
		}
	})
}
