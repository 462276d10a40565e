package payments

import "astara/money"

// FeeSchedule is a corridor's fee, in the source currency. The fee is charged
// on top of the source amount: the debtor pays the source amount plus the
// fee, and the whole source amount is converted for the creditor.
//
// The published RUB-IRR service is {Percent: 1, Min: 15,000.00 RUB}: 1% of
// the amount sent, but never less than 15,000 roubles.
type FeeSchedule struct {
	// Percent of the source amount; the zero Rate is none.
	Percent money.Rate `json:",omitzero"`
	// Fixed is added to the percentage.
	Fixed money.Amount
	// Min is the least fee; zero is none.
	Min money.Amount
	// Max is the most fee; zero is no maximum.
	Max money.Amount
}

// feePercentMax is the largest fee percentage: a fee above the amount sent
// is a typo.
var feePercentMax = money.MustRate("100")

// Fee returns the fee on amount, in the same currency: Fixed plus Percent of
// amount rounded up to the minor unit (the switch never undercharges by a
// fraction), then raised to Min, then lowered to Max when Max is set. A sum
// beyond 2^128-1 minor units is a *money.AmountError with
// money.RuleAmountOverflow.
func (f FeeSchedule) Fee(amount money.Amount) (money.Amount, error) {
	p, err := money.Percent(amount, f.Percent, money.RoundUp)
	if err != nil {
		return money.Amount{}, err
	}
	fee, ok := f.Fixed.Add(p)
	if !ok {
		return money.Amount{}, &money.AmountError{Rule: money.RuleAmountOverflow}
	}
	if fee.Less(f.Min) {
		fee = f.Min
	}
	if !f.Max.IsZero() && f.Max.Less(fee) {
		fee = f.Max
	}
	return fee, nil
}

// Validate checks f as configured for the fee at field (a JSON path such as
// "fee"). It returns nil, a nil *FieldError, or the first rule broken:
// "fee_percent_too_large" for a Percent over 100 (at field.percent),
// "fee_max_below_min" for a Max that is set and below Min (at field.max).
// Neither has an ISO reason: they are configuration, not payments.
func (f FeeSchedule) Validate(field string) *FieldError {
	sub := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	if f.Percent.Cmp(feePercentMax) > 0 {
		return &FieldError{Field: sub("percent"), Code: "fee_percent_too_large",
			Detail: "the fee percentage " + f.Percent.String() + " is over 100"}
	}
	if !f.Max.IsZero() && f.Max.Less(f.Min) {
		return &FieldError{Field: sub("max"), Code: "fee_max_below_min",
			Detail: "the maximum fee is below the minimum"}
	}
	return nil
}
