package fx

import (
	"bytes"
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"sync"
	"time"

	"astara/money"
)

// BookSeriesMax is the most series a Book holds. A series is the quotes of
// one base, quote and source; 16,384 is every ordered pair of 90 currencies
// from two sources.
const BookSeriesMax = 16384

// SeriesQuotesMax is how many quotes of one series a Book keeps, by AsOf:
// the one in effect and those announced for later (the Bank of Russia sets
// Monday's rates on Friday; a holiday stretch sets several at once). Older
// ones are dropped.
const SeriesQuotesMax = 4

// ViaCurrenciesMax is the most via currencies Book.Lookup tries for a cross.
const ViaCurrenciesMax = 8

// Book is an in-memory rate book: the latest quotes of each base, quote and
// source, and the rules for answering "what is the rate" from them.
//
// It holds direct quotes only, as feeds and operators give them. Lookup
// computes the rest: the inverse of the opposite direction, and a cross
// through a third currency where the caller (the corridor) allows it. Every
// answer names its source; a cross never mixes sources.
//
// The zero Book is empty and ready to use. A Book is safe for concurrent use
// (a feed may Set while payments Lookup); it must not be copied after first
// use.
type Book struct {
	mu     sync.RWMutex
	series map[seriesKey][]Quote // each sorted by AsOf, oldest first, at most SeriesQuotesMax
}

// NewBook returns an empty book, the same as a zero Book.
func NewBook() *Book { return new(Book) }

type seriesKey struct {
	base, quote money.Code
	source      string
}

// Set adds q to the book. q must be a direct quote: Base and Quote known,
// different currencies; a positive Rate; a valid source name (1 to
// SourceLenMax bytes of a-z, 0-9, '_' and '-'); AsOf and Received set; and
// Inverted, Derived and Via unset (computed quotes are never stored, so that
// a cross can never be crossed again). Otherwise Set returns an *InputError
// with RuleQuoteInvalid, or RuleBookFull for a new series beyond
// BookSeriesMax, and changes nothing.
//
// A quote with the same AsOf as one already in its series replaces it (a
// correction). Of each series only the SeriesQuotesMax newest by AsOf are
// kept, so a quote older than all of a full series is accepted and dropped.
// Monotonic clock readings are stripped from the times.
func (b *Book) Set(q Quote) error {
	if err := validateQuote(q); err != nil {
		return err
	}
	q.AsOf, q.Received = q.AsOf.Round(0), q.Received.Round(0)
	k := seriesKey{q.Base, q.Quote, q.Source}

	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.series[k]
	if !ok && len(b.series) >= BookSeriesMax {
		return &InputError{Field: "quote", Rule: RuleBookFull,
			Detail: fmt.Sprintf("%s from %q would be a new series beyond BookSeriesMax (%d)", pairString(q.Base, q.Quote), q.Source, BookSeriesMax)}
	}
	if b.series == nil {
		b.series = make(map[seriesKey][]Quote)
	}
	i, found := slices.BinarySearchFunc(s, q.AsOf, func(e Quote, t time.Time) int { return e.AsOf.Compare(t) })
	if found {
		s = slices.Clone(s) // Never change a slice a caller may hold through List.
		s[i] = q
	} else {
		s = slices.Insert(slices.Clone(s), i, q)
		if len(s) > SeriesQuotesMax {
			s = s[len(s)-SeriesQuotesMax:]
		}
	}
	b.series[k] = s
	return nil
}

func validateQuote(q Quote) error {
	fail := func(field, detail string) error {
		return &InputError{Field: field, Rule: RuleQuoteInvalid, Detail: detail}
	}
	for _, c := range []struct {
		field string
		code  money.Code
	}{{"base", q.Base}, {"quote", q.Quote}} {
		if _, ok := money.LookupCurrency(c.code); !ok {
			return fail(c.field, strconv.Quote(c.code.String())+" is not a known currency")
		}
	}
	switch {
	case q.Base == q.Quote:
		return fail("quote", "is the same currency as the base, "+q.Base.String())
	case q.Rate.IsZero():
		return fail("rate", "is zero; a rate must be positive")
	case !validSource(q.Source):
		return fail("source", strconv.Quote(q.Source)+" is not 1 to "+strconv.Itoa(SourceLenMax)+" bytes of a-z, 0-9, '_' and '-'")
	case q.AsOf.IsZero():
		return fail("as_of", "is not set")
	case q.Received.IsZero():
		return fail("received", "is not set")
	case q.Inverted || q.Derived || !q.Via.IsZero():
		return fail("quote", "is a computed (inverted or derived) quote; the book holds direct quotes only")
	}
	return nil
}

// Latest returns the newest quote by AsOf of base in quote from source, as
// stored, and whether there is one. It may not be in effect yet (its AsOf
// may be in the future); Lookup is the question for a rate to use.
func (b *Book) Latest(base, quote money.Code, source string) (Quote, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s := b.series[seriesKey{base, quote, source}]
	if len(s) == 0 {
		return Quote{}, false
	}
	return s[len(s)-1], true
}

// List returns every quote in the book, sorted by source, base, quote and
// AsOf (oldest first). The slice is the caller's.
func (b *Book) List() []Quote {
	b.mu.RLock()
	var all []Quote
	for _, s := range b.series {
		all = append(all, s...)
	}
	b.mu.RUnlock()
	slices.SortFunc(all, func(x, y Quote) int {
		return cmp.Or(
			cmp.Compare(x.Source, y.Source),
			bytes.Compare(x.Base[:], y.Base[:]),
			bytes.Compare(x.Quote[:], y.Quote[:]),
			x.AsOf.Compare(y.AsOf),
		)
	})
	return all
}

// Lookup returns the rate of base in quote (units of quote per 1 base) from
// source to use at now, trying in order:
//
//  1. the direct quote: the newest of the series in effect at now (AsOf not
//     after now), if its age now - AsOf is at most maxAge (a quote exactly
//     maxAge old is fresh, one nanosecond older is stale). It is returned as
//     stored, at its own precision;
//  2. the inverse of the opposite direction's quote in effect, if fresh:
//     1 / rate rounded half-even to at most scale fraction digits, marked
//     Inverted, with the stored quote's AsOf and Received;
//  3. if allowDerived, a cross through each currency of via in turn: base in
//     v times v in quote, each leg a fresh direct or inverted quote of the
//     same source. The product is computed exactly from the stored rates and
//     rounded once, half-even, to at most scale fraction digits; the result
//     is marked Derived with Via = v, and takes the older leg's AsOf and
//     Received, so its age is its older leg's.
//
// A fresh cross is preferred to a stale direct quote: staleness is a reason
// not to use a rate, and the corridor allowed the cross. Half-even rounding
// has no bias across many conversions; how a converted amount is rounded
// is the caller's decision (money.Convert takes a mode).
//
// Errors: *NoRateError (ErrNoRate) when no quote is in effect for any path
// tried; *StaleRateError (ErrRateStale) when a path had quotes but they were
// all too old, naming the first stale quote met; *InputError with
// RuleLookupInvalid for base equal to quote, an invalid source name, a
// negative maxAge, scale over money.RateScaleMax, or more than
// ViaCurrenciesMax via currencies; and a wrapped *money.RateError when a
// computed rate rounds to zero at scale (money.RuleRateZero: ask for more
// digits) or overflows.
func (b *Book) Lookup(base, quote money.Code, source string, now time.Time, maxAge time.Duration,
	allowDerived bool, via []money.Code, scale uint8) (Quote, error) {
	fail := func(field, detail string) (Quote, error) {
		return Quote{}, &InputError{Field: field, Rule: RuleLookupInvalid, Detail: detail}
	}
	switch {
	case base == quote:
		return fail("quote", "is the same currency as the base, "+base.String())
	case !validSource(source):
		return fail("source", strconv.Quote(source)+" is not 1 to "+strconv.Itoa(SourceLenMax)+" bytes of a-z, 0-9, '_' and '-'")
	case maxAge < 0:
		return fail("max_age", maxAge.String()+" is negative")
	case scale > money.RateScaleMax:
		return fail("scale", fmt.Sprintf("%d is more than money.RateScaleMax (%d)", scale, money.RateScaleMax))
	case len(via) > ViaCurrenciesMax:
		return fail("via", fmt.Sprintf("has %d currencies, more than ViaCurrenciesMax (%d)", len(via), ViaCurrenciesMax))
	}

	b.mu.RLock()
	defer b.mu.RUnlock()
	l := lookup{book: b, source: source, now: now, maxAge: maxAge}

	if q, ok := l.fresh(base, quote); ok {
		return q, nil
	}
	if q, ok := l.fresh(quote, base); ok {
		inv, err := q.Rate.Invert(scale, money.RoundHalfEven)
		if err != nil {
			return Quote{}, fmt.Errorf("fx: invert %s from %q at scale %d: %w", pairString(quote, base), source, scale, err)
		}
		return Quote{Base: base, Quote: quote, Rate: inv, Source: source, AsOf: q.AsOf, Received: q.Received, Inverted: true}, nil
	}
	if allowDerived {
		for _, v := range via {
			if v == base || v == quote {
				continue
			}
			q, ok, err := l.cross(base, v, quote, scale)
			if err != nil {
				return Quote{}, err
			}
			if ok {
				return q, nil
			}
		}
	}
	if l.stale != nil {
		return Quote{}, &StaleRateError{Base: base, Quote: quote, Source: source,
			Stale: *l.stale, Age: now.Sub(l.stale.AsOf), Limit: maxAge}
	}
	return Quote{}, &NoRateError{Base: base, Quote: quote, Source: source, DerivedAllowed: allowDerived, Via: slices.Clone(via)}
}

// lookup is the state of one Book.Lookup: the question, and the first stale
// quote met, for the error if nothing fresh is found.
type lookup struct {
	book   *Book
	source string
	now    time.Time
	maxAge time.Duration
	stale  *Quote
}

// fresh returns the quote of base in quote in effect at l.now, if it is at
// most l.maxAge old. A quote in effect but too old is remembered as stale.
func (l *lookup) fresh(base, quote money.Code) (Quote, bool) {
	s := l.book.series[seriesKey{base, quote, l.source}]
	for i := len(s) - 1; i >= 0; i-- {
		q := s[i]
		if q.AsOf.After(l.now) {
			continue // Announced, not in effect yet.
		}
		if l.now.Sub(q.AsOf) <= l.maxAge {
			return q, true
		}
		if l.stale == nil {
			l.stale = &q
		}
		return Quote{}, false
	}
	return Quote{}, false
}

// leg returns the rate of base in quote as an exact fraction from a fresh
// direct quote, or else from the inverse of a fresh opposite one.
func (l *lookup) leg(base, quote money.Code) (num, den *big.Int, q Quote, ok bool) {
	if q, ok := l.fresh(base, quote); ok {
		num, den := rateRatio(q.Rate)
		return num, den, q, true
	}
	if q, ok := l.fresh(quote, base); ok {
		num, den := rateRatio(q.Rate)
		return den, num, q, true
	}
	return nil, nil, Quote{}, false
}

// cross returns base in quote through via, if both legs are fresh.
func (l *lookup) cross(base, via, quote money.Code, scale uint8) (Quote, bool, error) {
	num1, den1, q1, ok := l.leg(base, via)
	if !ok {
		return Quote{}, false, nil
	}
	num2, den2, q2, ok := l.leg(via, quote)
	if !ok {
		return Quote{}, false, nil
	}
	rate, _, err := rateFromRatio(num1.Mul(num1, num2), den1.Mul(den1, den2), scale)
	if err != nil {
		return Quote{}, false, fmt.Errorf("fx: cross %s via %s from %q at scale %d: %w", pairString(base, quote), via, l.source, scale, err)
	}
	asOf, received := q1.AsOf, q1.Received
	if q2.AsOf.Before(asOf) {
		asOf = q2.AsOf
	}
	if q2.Received.Before(received) {
		received = q2.Received
	}
	return Quote{Base: base, Quote: quote, Rate: rate, Source: l.source, AsOf: asOf, Received: received,
		Derived: true, Via: via}, true, nil
}
