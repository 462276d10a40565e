package payments_test

import (
	"testing"

	"astara/money"
	"astara/payments"
)

// MustFeeRUB parses s as roubles and fails the test if it is rejected.
func MustFeeRUB(tb testing.TB, s string) money.Amount {
	tb.Helper()
	a, err := money.ParseAmount(s, money.MustCurrency("RUB"))
	if err != nil {
		tb.Fatalf("ParseAmount(%q, RUB): %v", s, err)
	}
	return a
}

func TestFee(t *testing.T) {
	published := payments.FeeSchedule{Percent: money.MustRate("1.00"), Min: MustFeeRUB(t, "15000.00")}
	rub := money.MustCurrency("RUB")
	tests := []struct {
		rule     string
		schedule payments.FeeSchedule
		amount   string
		want     string
	}{
		{"published service: 1% of 150,000 is below the minimum", published, "150000.00", "15000.00"},
		{"published service: 1% of 1,500,000 is the minimum", published, "1500000.00", "15000.00"},
		{"published service: a fraction of a kopeck rounds up", published, "1500000.01", "15000.01"},
		{"published service: 1% of the 20,000,000 limit", published, "20000000.00", "200000.00"},
		{"published service: nothing sent still pays the minimum", published, "0.00", "15000.00"},
		{"the zero schedule is free", payments.FeeSchedule{}, "1000.00", "0.00"},
		{"any fraction of a kopeck rounds up", payments.FeeSchedule{Percent: money.MustRate("0.01")}, "0.01", "0.01"},
		{"an exact percentage is not rounded", payments.FeeSchedule{Percent: money.MustRate("0.5")}, "200.00", "1.00"},
		{"fixed is added to the percentage", payments.FeeSchedule{Percent: money.MustRate("1"), Fixed: MustFeeRUB(t, "100.00")}, "1000.00", "110.00"},
		{"fixed alone", payments.FeeSchedule{Fixed: MustFeeRUB(t, "250.00")}, "1000000.00", "250.00"},
		{"minimum applies to fixed plus percentage", payments.FeeSchedule{Percent: money.MustRate("1"), Fixed: MustFeeRUB(t, "100.00"), Min: MustFeeRUB(t, "150.00")}, "1000.00", "150.00"},
		{"maximum caps", payments.FeeSchedule{Percent: money.MustRate("1"), Max: MustFeeRUB(t, "50000.00")}, "20000000.00", "50000.00"},
		{"maximum equal to the fee", payments.FeeSchedule{Percent: money.MustRate("1"), Max: MustFeeRUB(t, "200000.00")}, "20000000.00", "200000.00"},
		{"zero maximum is no maximum", payments.FeeSchedule{Percent: money.MustRate("1")}, "20000000.00", "200000.00"},
		{"maximum is applied after the minimum", payments.FeeSchedule{Min: MustFeeRUB(t, "100.00"), Max: MustFeeRUB(t, "50.00")}, "1.00", "50.00"},
		{"100 percent", payments.FeeSchedule{Percent: money.MustRate("100")}, "123.45", "123.45"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := tt.schedule.Fee(MustFeeRUB(t, tt.amount))
			if err != nil {
				t.Fatalf("Fee(%s): %v", tt.amount, err)
			}
			if want := MustFeeRUB(t, tt.want); got != want {
				t.Fatalf("Fee(%s) = %s, want %s", tt.amount, money.FormatAmount(got, rub), tt.want)
			}
		})
	}

	overflows := []struct {
		rule     string
		schedule payments.FeeSchedule
		amount   money.Amount
	}{
		{"fixed plus percentage beyond 128 bits", payments.FeeSchedule{Percent: money.MustRate("1"), Fixed: money.AmountMax}, money.NewAmount(100)},
		{"fixed plus a rounded-up fraction beyond 128 bits", payments.FeeSchedule{Percent: money.MustRate("0.0001"), Fixed: money.AmountMax}, money.NewAmount(1)},
		{"percentage beyond 128 bits", payments.FeeSchedule{Percent: money.MustRate("200")}, money.AmountMax},
	}
	for _, tt := range overflows {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := tt.schedule.Fee(tt.amount)
			if rule, _ := money.RuleOf(err); rule != money.RuleAmountOverflow {
				t.Fatalf("Fee = %s, %v; want %s", got, err, money.RuleAmountOverflow)
			}
		})
	}
	t.Run("the largest amount at 1 percent does not overflow", func(t *testing.T) {
		if _, err := published.Fee(money.AmountMax); err != nil {
			t.Fatalf("Fee(AmountMax): %v", err)
		}
	})
}

func TestFeeScheduleValidate(t *testing.T) {
	tests := []struct {
		rule     string
		schedule payments.FeeSchedule
		field    string
		wantAt   string // "" for valid
		wantCode string
	}{
		{"published service", payments.FeeSchedule{Percent: money.MustRate("1"), Min: MustFeeRUB(t, "15000.00")}, "fee", "", ""},
		{"zero schedule", payments.FeeSchedule{}, "fee", "", ""},
		{"percent of 100", payments.FeeSchedule{Percent: money.MustRate("100")}, "fee", "", ""},
		{"percent one hundredth past 100", payments.FeeSchedule{Percent: money.MustRate("100.01")}, "fee", "fee.percent", "fee_percent_too_large"},
		{"percent a tiny fraction past 100", payments.FeeSchedule{Percent: money.MustRate("100.000000000000000001")}, "fee", "fee.percent", "fee_percent_too_large"},
		{"max equal to min", payments.FeeSchedule{Min: MustFeeRUB(t, "10.00"), Max: MustFeeRUB(t, "10.00")}, "fee", "", ""},
		{"max one kopeck below min", payments.FeeSchedule{Min: MustFeeRUB(t, "10.00"), Max: MustFeeRUB(t, "9.99")}, "fee", "fee.max", "fee_max_below_min"},
		{"zero max is no maximum, whatever the min", payments.FeeSchedule{Min: MustFeeRUB(t, "10.00")}, "fee", "", ""},
		{"nested field", payments.FeeSchedule{Min: MustFeeRUB(t, "1.00"), Max: MustFeeRUB(t, "0.50")}, "corridor.fee", "corridor.fee.max", "fee_max_below_min"},
		{"no field", payments.FeeSchedule{Percent: money.MustRate("101")}, "", "percent", "fee_percent_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			fe := tt.schedule.Validate(tt.field)
			switch {
			case tt.wantCode == "" && fe != nil:
				t.Fatalf("got %v, want valid", fe)
			case tt.wantCode == "":
			case fe == nil:
				t.Fatalf("got valid, want %s at %s", tt.wantCode, tt.wantAt)
			case fe.Code != tt.wantCode || fe.Field != tt.wantAt || fe.Reason != "" || fe.Detail == "":
				t.Fatalf("got %+v, want %s at %s with a detail and no reason", *fe, tt.wantCode, tt.wantAt)
			}
		})
	}
}
