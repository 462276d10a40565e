package iso20022

import (
	"errors"
	"strconv"
	"strings"

	"astara/money"
)

// AmountDigitsMax is the most digits an amount in an ISO 20022 message has:
// ActiveCurrencyAndAmount and its kin are decimals of totalDigits 18.
const AmountDigitsMax = 18

// ParseAmount reads the text of an ISO 20022 amount element in the currency
// of its Ccy attribute and returns it in Astara's minor units of that
// currency.
//
// The text is a plain decimal: ASCII digits with an optional '.' and fraction
// digits (no sign, no exponent; XML white space around it is ignored, as the
// schema's decimal type collapses it). It may carry up to ISOMinorUnits
// fraction digits, the exponent ISO 4217 gives the currency, but every digit
// beyond MinorUnits, the exponent Astara counts in, must be zero. That is the
// rial's rule: ISO 4217 still gives IRR two minor digits while rials are
// counted whole, so "1092907500.00" is 1092907500 rials and "1092907500.50"
// is refused (RuleAmountFraction); for RUB "150000.5" is 15000050 kopecks.
//
// Errors are *Error values without a Path: RuleCurrencyUnknown,
// RuleAmountSyntax, RuleAmountDecimals (more fraction digits than ISO
// gives), RuleAmountFraction, RuleAmountOverflow (beyond 2^128-1 minor
// units) and RuleAmountTooLarge (more than AmountDigitsMax digits).
func ParseAmount(text string, ccy string) (money.Amount, money.Currency, error) {
	c, err := money.CurrencyByString(ccy)
	if err != nil {
		return money.Amount{}, money.Currency{}, &Error{Rule: RuleCurrencyUnknown,
			Detail: "currency " + strconv.Quote(ccy) + " is not an ISO 4217 currency Astara knows"}
	}
	a, err := parseAmountIn(text, c)
	if err != nil {
		return money.Amount{}, money.Currency{}, err
	}
	return a, c, nil
}

// parseAmountIn is ParseAmount for a known currency: money.ParseAmount's
// rule (which takes ISO 4217's zero digits below the unit Astara counts
// in), with its refusals named in this package's rules, and ISO 20022's
// limit of AmountDigitsMax digits on top.
func parseAmountIn(text string, c money.Currency) (money.Amount, error) {
	fail := func(rule Rule, detail string) (money.Amount, error) {
		return money.Amount{}, &Error{Rule: rule, Detail: detail}
	}
	s := strings.Trim(text, " \t\r\n")
	a, err := money.ParseAmount(s, c)
	if err != nil {
		rule, _ := money.RuleOf(err)
		switch rule {
		case money.RuleAmountTooManyDecimals:
			return fail(RuleAmountDecimals, quoteShort(text)+" has more fraction digits than ISO 4217 gives "+c.Code.String()+
				" ("+strconv.Itoa(int(max(c.MinorUnits, c.ISOMinorUnits)))+")")
		case money.RuleAmountBelowMinorUnit:
			if c.MinorUnits == 0 {
				return fail(RuleAmountFraction, quoteShort(text)+": a "+currencyUnitName(c)+
					" has no fraction; Astara counts whole units of "+c.Code.String())
			}
			return fail(RuleAmountFraction, quoteShort(text)+": Astara counts "+c.Code.String()+
				" to "+strconv.Itoa(int(c.MinorUnits))+" decimals")
		case money.RuleAmountOverflow, money.RuleAmountTooLong:
			return fail(RuleAmountOverflow, "the amount is beyond 2^128-1 minor units")
		}
		return fail(RuleAmountSyntax, quoteShort(text)+" is not a plain decimal amount")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if n := len(strings.TrimLeft(intPart, "0")) + len(strings.TrimRight(frac, "0")); n > AmountDigitsMax {
		return fail(RuleAmountTooLarge, "the amount has "+strconv.Itoa(n)+" digits; ISO 20022 allows "+
			strconv.Itoa(AmountDigitsMax))
	}
	return a, nil
}

// FormatAmount writes a, in minor units of c, as the text of an ISO 20022
// amount: exactly c.MinorUnits fraction digits, the way Astara counts the
// currency ("1092907500" for rials, "150000.50" for roubles). ISO allows
// fewer fraction digits than ISO 4217 gives, so whole rials are valid. An
// amount of more than AmountDigitsMax digits is an *Error with
// RuleAmountTooLarge.
func FormatAmount(a money.Amount, c money.Currency) (string, error) {
	if n := len(a.String()); n > AmountDigitsMax {
		return "", &Error{Rule: RuleAmountTooLarge, Detail: "the amount has " + strconv.Itoa(n) +
			" digits; ISO 20022 allows " + strconv.Itoa(AmountDigitsMax)}
	}
	return money.FormatAmount(a, c), nil
}

// currencyUnitName names the major unit in errors people read.
func currencyUnitName(c money.Currency) string {
	if c.Code.String() == "IRR" {
		return "rial"
	}
	return c.Code.String() + " unit"
}

// quoteShortMax bounds how much of a bad value an error repeats.
const quoteShortMax = 40

// quoteShort quotes s for an error, cut to quoteShortMax bytes.
func quoteShort(s string) string {
	if len(s) > quoteShortMax {
		return strconv.Quote(s[:quoteShortMax]) + "..."
	}
	return strconv.Quote(s)
}

// BaseOneRate's limits in the pacs schemas: at most 11 digits, at most 10
// of them after the point.
const (
	rateDigitsMax         = 11
	rateFractionDigitsMax = 10
)

// formatRate writes r as a BaseOneRate. A rate with more digits than the
// type allows is rounded down (truncated) to fit: it is information for the
// creditor's bank, which is credited the IntrBkSttlmAmt, not an amount
// computed from the text, so the rounding never moves money. A rate of more
// than 11 integer digits, or below 10^-10, cannot be written and is
// RuleRateRange.
func formatRate(r money.Rate) (string, error) {
	if r.IsZero() {
		return "", errors.New("iso20022: the zero rate")
	}
	s := r.String()
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) > rateDigitsMax {
		return "", &Error{Rule: RuleRateRange, Detail: "the rate " + s + " has more than 11 integer digits"}
	}
	keep := min(rateFractionDigitsMax, rateDigitsMax-len(intPart))
	if intPart == "0" {
		// A leading zero is not a digit of xs:decimal's totalDigits; the
		// fraction's leading zeros are.
		keep = rateFractionDigitsMax
	}
	if len(frac) > keep {
		frac = strings.TrimRight(frac[:keep], "0")
	}
	if frac == "" {
		if intPart == "0" {
			return "", &Error{Rule: RuleRateRange, Detail: "the rate " + s + " is below 10^-10"}
		}
		return intPart, nil
	}
	return intPart + "." + frac, nil
}
