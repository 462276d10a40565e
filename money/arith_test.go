package money_test

import (
	"testing"

	"astara/money"
)

func TestMulUint64(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a      money.Amount
		m      uint64
		want   money.Amount
		wantOK bool
	}{
		{"small", money.NewAmount(15000), 100, money.NewAmount(1500000), true},
		{"by_zero", money.AmountMax, 0, money.Amount{}, true},
		{"carries_into_high_word", money.NewAmount(^uint64(0)), 2, money.AmountFromParts(1, ^uint64(0)-1), true},
		{"max_by_one", money.AmountMax, 1, money.AmountMax, true},
		{"max_by_two_overflows", money.AmountMax, 2, money.Amount{}, false},
		{"high_word_by_2_pow_63_overflows", money.AmountFromParts(2, 0), 1 << 63, money.Amount{}, false},
		{"high_word_product_overflows", money.AmountFromParts(1<<62, ^uint64(0)), 4, money.Amount{}, false},
		{"carry_from_low_word_overflows", money.AmountFromParts(0x5555555555555555, ^uint64(0)), 3, money.Amount{}, false},
		{"carry_from_low_word_fits", money.AmountFromParts(0x5555555555555554, ^uint64(0)), 3, money.AmountFromParts(^uint64(0)-1, ^uint64(0)-2), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := money.MulUint64(tc.a, tc.m)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("MulUint64(%s, %d) = %s, %v, want %s, %v", tc.a, tc.m, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestDivUint64(t *testing.T) {
	max := money.AmountMax
	half := money.AmountFromParts(1<<63, 0) // 2^127
	for _, tc := range []struct {
		name                       string
		a                          money.Amount
		d                          uint64
		down, up, halfEven, halfUp money.Amount
	}{
		{"exact_is_not_rounded", money.NewAmount(12), 4, money.NewAmount(3), money.NewAmount(3), money.NewAmount(3), money.NewAmount(3)},
		{"below_half", money.NewAmount(10), 3, money.NewAmount(3), money.NewAmount(4), money.NewAmount(3), money.NewAmount(3)},
		{"above_half", money.NewAmount(11), 3, money.NewAmount(3), money.NewAmount(4), money.NewAmount(4), money.NewAmount(4)},
		{"tie_to_even_below", money.NewAmount(10), 4, money.NewAmount(2), money.NewAmount(3), money.NewAmount(2), money.NewAmount(3)},
		{"tie_to_even_above", money.NewAmount(14), 4, money.NewAmount(3), money.NewAmount(4), money.NewAmount(4), money.NewAmount(4)},
		{"zero", money.Amount{}, 7, money.Amount{}, money.Amount{}, money.Amount{}, money.Amount{}},
		{"max_by_one", max, 1, max, max, max, max},
		{"max_by_two_ties", max, 2, half.MustSub(money.NewAmount(1)), half, half, half},
		{"max_by_max_uint64", max, ^uint64(0), money.AmountFromParts(1, 1), money.AmountFromParts(1, 1), money.AmountFromParts(1, 1), money.AmountFromParts(1, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range []struct {
				mode money.RoundingMode
				want money.Amount
			}{{money.RoundDown, tc.down}, {money.RoundUp, tc.up}, {money.RoundHalfEven, tc.halfEven}, {money.RoundHalfUp, tc.halfUp}} {
				if got := money.DivUint64(tc.a, tc.d, w.mode); got != w.want {
					t.Errorf("DivUint64(%s, %d, %s) = %s, want %s", tc.a, tc.d, w.mode, got, w.want)
				}
			}
		})
	}
	t.Run("by_zero_panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("DivUint64 by zero did not panic")
			}
		}()
		money.DivUint64(money.NewAmount(1), 0, money.RoundDown)
	})
	t.Run("zero_rounding_mode_panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("DivUint64 with the zero RoundingMode did not panic")
			}
		}()
		money.DivUint64(money.NewAmount(1), 3, 0)
	})
}

func TestSum(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []money.Amount
		want   money.Amount
		wantOK bool
	}{
		{"none_is_zero", nil, money.Amount{}, true},
		{"one", []money.Amount{money.NewAmount(5)}, money.NewAmount(5), true},
		{"carries", []money.Amount{money.NewAmount(^uint64(0)), money.NewAmount(1), money.NewAmount(1)}, money.AmountFromParts(1, 1), true},
		{"up_to_max", []money.Amount{money.AmountMax.MustSub(money.NewAmount(3)), money.NewAmount(1), money.NewAmount(2)}, money.AmountMax, true},
		{"one_past_max_overflows", []money.Amount{money.AmountMax, money.NewAmount(1)}, money.Amount{}, false},
		{"overflow_then_zero_still_overflows", []money.Amount{money.AmountMax, money.AmountMax, money.Amount{}}, money.Amount{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := money.Sum(tc.in...)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("Sum(%v) = %s, %v, want %s, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
