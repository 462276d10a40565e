package money

import (
	"errors"
	"strconv"
)

// Rule is a stable, machine-readable code naming the rule an input broke. The
// HTTP layer sends it to clients as the problem's "code"; its values never
// change meaning once released.
type Rule string

// The rules for amounts written as text.
const (
	// RuleAmountEmpty: the text is empty.
	RuleAmountEmpty Rule = "amount_empty"
	// RuleAmountTooLong: the text is longer than AmountTextLenMax bytes.
	RuleAmountTooLong Rule = "amount_too_long"
	// RuleAmountSyntax: the text is not ASCII digits with an optional '.'
	// followed by at least one digit (no sign, exponent, space, grouping
	// separator, leading or trailing '.').
	RuleAmountSyntax Rule = "amount_syntax"
	// RuleAmountTooManyDecimals: more fraction digits than the currency's
	// minor units (any '.' at all for a currency with none).
	RuleAmountTooManyDecimals Rule = "amount_too_many_decimals"
	// RuleAmountBelowMinorUnit: a non-zero digit below the minor unit
	// Astara counts the currency in, within the digits ISO 4217 gives it
	// (a fraction of a rial).
	RuleAmountBelowMinorUnit Rule = "amount_below_minor_unit"
	// RuleAmountOverflow: the value is beyond 2^128-1 minor units, as
	// written or as the result of a calculation.
	RuleAmountOverflow Rule = "amount_overflow"
)

// The rules for currency codes.
const (
	// RuleCurrencyCodeSyntax: the code is not exactly three upper-case ASCII
	// letters.
	RuleCurrencyCodeSyntax Rule = "currency_code_syntax"
	// RuleCurrencyUnknown: the code is well formed but not in the currency
	// table of this TableVersion.
	RuleCurrencyUnknown Rule = "currency_unknown"
)

// The rules for rates written as text or derived from other rates.
const (
	// RuleRateEmpty: the text is empty.
	RuleRateEmpty Rule = "rate_empty"
	// RuleRateTooLong: the text is longer than RateTextLenMax bytes.
	RuleRateTooLong Rule = "rate_too_long"
	// RuleRateSyntax: the text is not ASCII digits with an optional '.'
	// followed by at least one digit.
	RuleRateSyntax Rule = "rate_syntax"
	// RuleRateTooManyDecimals: more than RateScaleMax fraction digits, as
	// written or as requested of a derived rate.
	RuleRateTooManyDecimals Rule = "rate_too_many_decimals"
	// RuleRateOverflow: the coefficient needs more than 128 bits.
	RuleRateOverflow Rule = "rate_overflow"
	// RuleRateZero: the rate is zero, as written, as given, or after rounding
	// a derived rate to the requested scale. A rate must be positive.
	RuleRateZero Rule = "rate_zero"
)

// ruleText is the human-readable explanation of each rule, used in messages.
var ruleText = map[Rule]string{
	RuleAmountEmpty:           "is empty",
	RuleAmountTooLong:         "is longer than " + strconv.Itoa(AmountTextLenMax) + " bytes",
	RuleAmountSyntax:          "is not digits with an optional '.' and fraction digits",
	RuleAmountTooManyDecimals: "has more fraction digits than the currency's minor units",
	RuleAmountBelowMinorUnit:  "has a non-zero fraction below the currency's minor unit",
	RuleAmountOverflow:        "exceeds 2^128-1 minor units",
	RuleCurrencyCodeSyntax:    "is not three upper-case ASCII letters",
	RuleCurrencyUnknown:       "is not a known currency",
	RuleRateEmpty:             "is empty",
	RuleRateTooLong:           "is longer than " + strconv.Itoa(RateTextLenMax) + " bytes",
	RuleRateSyntax:            "is not digits with an optional '.' and fraction digits",
	RuleRateTooManyDecimals:   "has more than " + strconv.Itoa(RateScaleMax) + " fraction digits",
	RuleRateOverflow:          "has a coefficient beyond 128 bits",
	RuleRateZero:              "is zero; a rate must be positive",
}

// errorInputQuotedMax bounds how much of a rejected input an error message
// repeats, so a huge request body does not end up whole in a log line.
const errorInputQuotedMax = 80

func quoteInput(s string) string {
	if len(s) > errorInputQuotedMax {
		return strconv.Quote(s[:errorInputQuotedMax]) + "..."
	}
	return strconv.Quote(s)
}

// AmountError reports an amount that was rejected: text that ParseAmount or
// ParseMinorUnits refused, or a calculation whose result does not fit.
type AmountError struct {
	// Input is the rejected text; empty when a calculation overflowed.
	Input string
	// Currency is the currency the text was parsed for; zero for
	// ParseMinorUnits and for calculations.
	Currency Code
	// Rule names the rule that was broken.
	Rule Rule
}

// Error describes the rejected amount for operators; clients get e.Rule.
func (e *AmountError) Error() string {
	s := "money: "
	if e.Input != "" || e.Rule != RuleAmountOverflow {
		s += "amount " + quoteInput(e.Input)
	} else {
		s += "result"
	}
	if !e.Currency.IsZero() {
		s += " for " + e.Currency.String()
	}
	return s + " " + ruleText[e.Rule] + " (" + string(e.Rule) + ")"
}

// RateError reports a rate that was rejected by ParseRate or could not be
// derived by Rate.Invert or Rate.Mul, or a zero Rate given to Convert.
type RateError struct {
	// Input is the rejected text; empty for a derived or given rate.
	Input string
	// Rule names the rule that was broken.
	Rule Rule
}

// Error describes the rejected rate for operators; clients get e.Rule.
func (e *RateError) Error() string {
	s := "money: rate "
	if e.Input != "" || e.Rule == RuleRateEmpty {
		s += quoteInput(e.Input) + " "
	}
	return s + ruleText[e.Rule] + " (" + string(e.Rule) + ")"
}

// CurrencyError reports a currency code that is malformed or unknown.
type CurrencyError struct {
	// Input is the rejected text.
	Input string
	// Rule names the rule that was broken.
	Rule Rule
}

// Error describes the rejected code for operators; clients get e.Rule.
func (e *CurrencyError) Error() string {
	return "money: currency " + quoteInput(e.Input) + " " + ruleText[e.Rule] + " (" + string(e.Rule) + ")"
}

// RuleOf returns the Rule carried by err if err is or wraps an *AmountError,
// *RateError or *CurrencyError, so an adapter can name the broken rule with
// one call.
func RuleOf(err error) (Rule, bool) {
	var ae *AmountError
	if errors.As(err, &ae) {
		return ae.Rule, true
	}
	var re *RateError
	if errors.As(err, &re) {
		return re.Rule, true
	}
	var ce *CurrencyError
	if errors.As(err, &ce) {
		return ce.Rule, true
	}
	return "", false
}
