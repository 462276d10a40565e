package fx

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"astara/money"
)

// Rule is a stable, machine-readable code naming the rule an input broke. The
// HTTP layer sends it to clients as the problem's "code"; its values never
// change meaning once released.
type Rule string

// The rules for rate feeds (ParseCBR, ParseECB).
const (
	// RuleFeedTooLarge: the feed is longer than FeedBytesMax bytes.
	RuleFeedTooLarge Rule = "feed_too_large"
	// RuleFeedTooManyQuotes: the feed has more than FeedQuotesMax entries.
	RuleFeedTooManyQuotes Rule = "feed_too_many_quotes"
	// RuleFeedSyntax: the feed is not well-formed XML in a supported
	// encoding, or its structure is not the feed's: a wrong root element, a
	// required element or attribute missing or repeated, an element where
	// text belongs, stray text between elements.
	RuleFeedSyntax Rule = "feed_syntax"
	// RuleFeedValue: a value does not read or breaks a rule: a currency code
	// that is not three upper-case letters, a rate or nominal that is not a
	// positive number, a rate that rounds to zero or overflows, a currency
	// given twice, a VunitRate that contradicts Value / Nominal.
	RuleFeedValue Rule = "feed_value"
	// RuleFeedDate: the feed's date is missing, not in the feed's format, not
	// a real day, or (in a history file) given twice.
	RuleFeedDate Rule = "feed_date"
	// RuleFeedEmpty: the feed is well formed but holds no rates at all. A feed
	// whose every currency is unknown to the money table is not empty: it
	// parses to no quotes without an error.
	RuleFeedEmpty Rule = "feed_empty"
)

// The rules for the Book.
const (
	// RuleQuoteInvalid: Book.Set was given a quote that breaks a rule (see
	// Book.Set).
	RuleQuoteInvalid Rule = "fx_quote_invalid"
	// RuleBookFull: Book.Set would start a new series beyond BookSeriesMax.
	RuleBookFull Rule = "fx_book_full"
	// RuleLookupInvalid: Book.Lookup was asked an impossible question: a
	// pair of the same currency, an invalid source name, a negative maximum
	// age, a scale over money.RateScaleMax, too many via currencies.
	RuleLookupInvalid Rule = "fx_lookup_invalid"
	// RuleNoRate: no quote that Book.Lookup may use is in the book: none for
	// the pair and source, none in effect yet, or only a cross that the
	// caller did not allow.
	RuleNoRate Rule = "fx_no_rate"
	// RuleRateStale: the quotes Book.Lookup could use are older than the
	// caller's maximum age.
	RuleRateStale Rule = "fx_rate_stale"
)

// Sentinel errors, for errors.Is. Each typed error below matches the sentinel
// of its class.
var (
	// ErrInvalidFeed is matched by every *FeedError.
	ErrInvalidFeed = errors.New("fx: invalid rate feed")
	// ErrInvalidInput is matched by every *InputError.
	ErrInvalidInput = errors.New("fx: invalid input")
	// ErrNoRate is matched by every *NoRateError.
	ErrNoRate = errors.New("fx: no rate")
	// ErrRateStale is matched by every *StaleRateError.
	ErrRateStale = errors.New("fx: rate is stale")
)

// errorInputQuotedMax bounds how much of a rejected input an error message
// repeats, so a huge feed does not end up whole in a log line.
const errorInputQuotedMax = 80

func quoteInput(s string) string {
	if len(s) > errorInputQuotedMax {
		return strconv.Quote(s[:errorInputQuotedMax]) + "..."
	}
	return strconv.Quote(s)
}

// FeedError reports a rate feed that was rejected. A feed is taken whole or
// not at all: no quotes are returned with a FeedError.
type FeedError struct {
	// Feed is the source whose format was expected: SourceCBR or SourceECB.
	Feed string
	// Line is the 1-based line of the input near the fault, 0 when the fault
	// is not at one place (the feed is too large, for example).
	Line int
	// Element is the path to the element or attribute at fault, with
	// 1-based positions among its kind: "ValCurs/Valute[3]/Value",
	// "Envelope/Cube/Cube[2]/Cube[5]@rate". Empty for the whole feed.
	Element string
	// Currency is the currency the entry is for, when it is known.
	Currency string
	// Input is the rejected text, if there is one.
	Input string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

// Error describes the fault for operators; clients get e.Rule.
func (e *FeedError) Error() string {
	var b strings.Builder
	b.WriteString("fx: " + e.Feed + " feed")
	if e.Line > 0 {
		b.WriteString(" line " + strconv.Itoa(e.Line))
	}
	if e.Element != "" {
		b.WriteString(" " + e.Element)
	}
	if e.Currency != "" {
		b.WriteString(" (" + e.Currency + ")")
	}
	b.WriteString(": ")
	if e.Input != "" {
		b.WriteString(quoteInput(e.Input) + " ")
	}
	b.WriteString(e.Detail + " (" + string(e.Rule) + ")")
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidFeed) true.
func (e *FeedError) Is(target error) bool { return target == ErrInvalidFeed }

// InputError reports a quote that Book.Set refused, or a Book.Lookup
// question that cannot be asked. Nothing is changed in the book.
type InputError struct {
	// Field names the quote field or lookup argument at fault ("base",
	// "rate", "source", "max_age", ...).
	Field string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

// Error describes the fault for operators; clients get e.Rule.
func (e *InputError) Error() string {
	return "fx: " + e.Field + " " + e.Detail + " (" + string(e.Rule) + ")"
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// NoRateError reports that Book.Lookup found no quote it may use for a pair
// and source.
type NoRateError struct {
	// Base and Quote are the pair asked for; Source the source.
	Base, Quote money.Code
	Source      string
	// DerivedAllowed and Via repeat what the caller allowed: whether a cross
	// rate could be used, and through which currencies.
	DerivedAllowed bool
	Via            []money.Code
}

// Error names the pair and source, and what was tried.
func (e *NoRateError) Error() string {
	s := "fx: no rate for " + pairString(e.Base, e.Quote) + " from " + strconv.Quote(e.Source) +
		" in effect (direct or inverted"
	if e.DerivedAllowed && len(e.Via) > 0 {
		codes := make([]string, len(e.Via))
		for i, c := range e.Via {
			codes[i] = c.String()
		}
		s += ", or crossed via " + strings.Join(codes, ", ")
	} else if e.DerivedAllowed {
		s += "; no via currency given"
	} else {
		s += "; no cross allowed"
	}
	return s + ") (" + string(RuleNoRate) + ")"
}

// Is makes errors.Is(err, ErrNoRate) true.
func (e *NoRateError) Is(target error) bool { return target == ErrNoRate }

// StaleRateError reports that the quotes Book.Lookup could use for a pair
// and source are all older than the caller's limit. It carries the first
// stale quote met, in the order Lookup tries them (direct, the opposite
// direction, then each cross leg).
type StaleRateError struct {
	// Base and Quote are the pair asked for; Source the source.
	Base, Quote money.Code
	Source      string
	// Stale is the quote that was too old, as stored: for a cross leg its
	// Base and Quote are the leg's, not the pair asked for.
	Stale Quote
	// Age is how old Stale was at the time asked about (now - Stale.AsOf);
	// Limit is the maximum age the caller allowed.
	Age, Limit time.Duration
}

// Error names the pair, the source, the stale quote, its age and the limit.
func (e *StaleRateError) Error() string {
	return "fx: rate for " + pairString(e.Base, e.Quote) + " from " + strconv.Quote(e.Source) + " is stale: " +
		pairString(e.Stale.Base, e.Stale.Quote) + " as of " + e.Stale.AsOf.Format(time.RFC3339) +
		" is " + e.Age.String() + " old, limit " + e.Limit.String() + " (" + string(RuleRateStale) + ")"
}

// Is makes errors.Is(err, ErrRateStale) true.
func (e *StaleRateError) Is(target error) bool { return target == ErrRateStale }

// RuleOf returns the Rule an error from this package carries, or "" for nil
// and for errors that carry none. Errors from the money package that Lookup
// wraps (a computed rate that rounds to zero) give their money.Rule.
func RuleOf(err error) Rule {
	var (
		fe *FeedError
		ie *InputError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &fe):
		return fe.Rule
	case errors.As(err, &ie):
		return ie.Rule
	case errors.Is(err, ErrNoRate):
		return RuleNoRate
	case errors.Is(err, ErrRateStale):
		return RuleRateStale
	}
	if r, ok := money.RuleOf(err); ok {
		return Rule(r)
	}
	return ""
}

func pairString(base, quote money.Code) string { return base.String() + "/" + quote.String() }
