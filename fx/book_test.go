package fx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"astara/fx"
	"astara/money"
)

// t0 is the CBR fixture's effective time, 14.10.2025 00:00 Moscow.
var t0 = time.Date(2025, time.October, 14, 0, 0, 0, 0, moscow)

// direct returns a direct quote received four hours before asOf.
func direct(tb testing.TB, base, quote money.Code, rate, source string, asOf time.Time) fx.Quote {
	tb.Helper()
	return fx.Quote{Base: base, Quote: quote, Rate: MustRate(tb, rate), Source: source, AsOf: asOf, Received: asOf.Add(-4 * time.Hour)}
}

func TestBookSetRefuses(t *testing.T) {
	valid := direct(t, usd, rub, "80.8548", "cbr", t0)
	tests := []struct {
		name   string
		change func(*fx.Quote)
		field  string
	}{
		{"BaseZero", func(q *fx.Quote) { q.Base = money.Code{} }, "base"},
		{"BaseUnknown", func(q *fx.Quote) { q.Base = money.MustCode("VND") }, "base"},
		{"QuoteUnknown", func(q *fx.Quote) { q.Quote = money.MustCode("XDR") }, "quote"},
		{"SameCurrency", func(q *fx.Quote) { q.Quote = usd }, "quote"},
		{"RateZero", func(q *fx.Quote) { q.Rate = money.Rate{} }, "rate"},
		{"SourceEmpty", func(q *fx.Quote) { q.Source = "" }, "source"},
		{"SourceUpperCase", func(q *fx.Quote) { q.Source = "CBR" }, "source"},
		{"SourceSpace", func(q *fx.Quote) { q.Source = "cb r" }, "source"},
		{"SourceOnePastLimit", func(q *fx.Quote) { q.Source = strings.Repeat("a", fx.SourceLenMax+1) }, "source"},
		{"AsOfZero", func(q *fx.Quote) { q.AsOf = time.Time{} }, "as_of"},
		{"ReceivedZero", func(q *fx.Quote) { q.Received = time.Time{} }, "received"},
		{"Inverted", func(q *fx.Quote) { q.Inverted = true }, "quote"},
		{"Derived", func(q *fx.Quote) { q.Derived, q.Via = true, eur }, "quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b fx.Book
			q := valid
			tt.change(&q)
			err := b.Set(q)
			var ie *fx.InputError
			if !errors.As(err, &ie) || ie.Rule != fx.RuleQuoteInvalid || ie.Field != tt.field {
				t.Fatalf("got %v, want an *InputError %s on %s", err, fx.RuleQuoteInvalid, tt.field)
			}
			if !errors.Is(err, fx.ErrInvalidInput) {
				t.Errorf("errors.Is(%v, ErrInvalidInput) is false", err)
			}
			if got := b.List(); len(got) != 0 {
				t.Errorf("the book holds %v after a refused Set, want nothing", got)
			}
		})
	}
	t.Run("SourceAtTheLimit", func(t *testing.T) {
		var b fx.Book
		q := valid
		q.Source = "a-b_" + strings.Repeat("9", fx.SourceLenMax-4)
		MustSet(t, &b, q)
	})
}

func TestBookSeriesLimit(t *testing.T) {
	var b fx.Book
	codes := []money.Code{usd, eur, cny, inr, amd, azn, uzs, rub, irr}
	n := 0
fill:
	for s := 0; ; s++ {
		for _, base := range codes {
			for _, quote := range codes {
				if base == quote {
					continue
				}
				if n == fx.BookSeriesMax {
					break fill
				}
				MustSet(t, &b, direct(t, base, quote, "1.5", fmt.Sprintf("s%d", s), t0))
				n++
			}
		}
	}
	err := b.Set(direct(t, usd, rub, "80.8548", "one-past", t0))
	if fx.RuleOf(err) != fx.RuleBookFull {
		t.Fatalf("series %d: got %v, want %s", fx.BookSeriesMax+1, err, fx.RuleBookFull)
	}
	// A quote for a series already in the book is still taken.
	MustSet(t, &b, direct(t, usd, eur, "0.93", "s0", t0.Add(24*time.Hour)))
}

func TestBookSeriesHistory(t *testing.T) {
	var b fx.Book
	days := []int{2, 0, 4, 1, 3} // out of order on purpose
	for _, d := range days {
		MustSet(t, &b, direct(t, usd, rub, fmt.Sprintf("80.%d", d+1), "cbr", t0.AddDate(0, 0, d)))
	}
	list := b.List()
	if len(list) != fx.SeriesQuotesMax {
		t.Fatalf("got %d quotes, want SeriesQuotesMax (%d):\n%s", len(list), fx.SeriesQuotesMax, formatQuotes(list))
	}
	for i, q := range list {
		if want := t0.AddDate(0, 0, i+1); !q.AsOf.Equal(want) {
			t.Errorf("quote %d: got AsOf %s, want %s (the oldest is dropped)", i, q.AsOf, want)
		}
	}
	latest, ok := b.Latest(usd, rub, "cbr")
	if !ok || latest.Rate != MustRate(t, "80.5") {
		t.Errorf("Latest: got %s, %v; want 80.5 (the newest AsOf)", latest, ok)
	}

	// The same AsOf again is a correction: it replaces.
	MustSet(t, &b, direct(t, usd, rub, "80.55", "cbr", t0.AddDate(0, 0, 4)))
	if latest, _ := b.Latest(usd, rub, "cbr"); latest.Rate != MustRate(t, "80.55") || len(b.List()) != fx.SeriesQuotesMax {
		t.Errorf("after a correction: Latest %s, %d quotes; want 80.55, %d", latest, len(b.List()), fx.SeriesQuotesMax)
	}
	if _, ok := b.Latest(rub, usd, "cbr"); ok {
		t.Error("Latest(RUB, USD): found a quote for the opposite direction")
	}
}

func TestBookList(t *testing.T) {
	var b fx.Book
	MustSet(t, &b, direct(t, usd, rub, "80.8548", "cbr", t0))
	MustSet(t, &b, direct(t, eur, usd, "1.0705", "ecb", t0))
	MustSet(t, &b, direct(t, eur, rub, "93.724", "cbr", t0))
	MustSet(t, &b, direct(t, usd, rub, "80.9", "cbr", t0.Add(-24*time.Hour)))
	MustSet(t, &b, direct(t, rub, irr, "7286", "cbi", t0))
	var got []string
	for _, q := range b.List() {
		got = append(got, q.Source+" "+q.Base.String()+"/"+q.Quote.String()+" "+q.Rate.String())
	}
	want := "cbi RUB/IRR 7286, cbr EUR/RUB 93.724, cbr USD/RUB 80.9, cbr USD/RUB 80.8548, ecb EUR/USD 1.0705"
	if strings.Join(got, ", ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ", "), want)
	}
}

func TestBookLookupFreshness(t *testing.T) {
	var b fx.Book
	q := direct(t, usd, rub, "80.8548", "cbr", t0)
	MustSet(t, &b, q)
	maxAge := 72 * time.Hour

	t.Run("AtTheLimit", func(t *testing.T) {
		got, err := b.Lookup(usd, rub, "cbr", t0.Add(maxAge), maxAge, false, nil, 6)
		if err != nil {
			t.Fatal(err)
		}
		if got != q {
			t.Errorf("got %+v, want the stored quote %+v", got, q)
		}
	})
	t.Run("OneNanosecondPast", func(t *testing.T) {
		_, err := b.Lookup(usd, rub, "cbr", t0.Add(maxAge+time.Nanosecond), maxAge, false, nil, 6)
		var se *fx.StaleRateError
		if !errors.As(err, &se) {
			t.Fatalf("got %v, want a *StaleRateError", err)
		}
		if se.Age != maxAge+time.Nanosecond || se.Limit != maxAge || se.Stale != q || se.Base != usd || se.Quote != rub || se.Source != "cbr" {
			t.Errorf("got %+v, want age %s, limit %s, the stored quote", se, maxAge+time.Nanosecond, maxAge)
		}
		if !errors.Is(err, fx.ErrRateStale) || fx.RuleOf(err) != fx.RuleRateStale {
			t.Errorf("errors.Is ErrRateStale %v, RuleOf %s", errors.Is(err, fx.ErrRateStale), fx.RuleOf(err))
		}
		if msg := err.Error(); !strings.Contains(msg, "72h0m0.000000001s") || !strings.Contains(msg, "limit 72h0m0s") || !strings.Contains(msg, `USD/RUB from "cbr"`) {
			t.Errorf("message %q does not give the pair, source, age and limit", msg)
		}
	})
	t.Run("ZeroMaxAgeAtAsOf", func(t *testing.T) {
		if _, err := b.Lookup(usd, rub, "cbr", t0, 0, false, nil, 6); err != nil {
			t.Errorf("a quote is fresh at its own AsOf with maxAge 0: %v", err)
		}
	})
	t.Run("NotYetInEffect", func(t *testing.T) {
		_, err := b.Lookup(usd, rub, "cbr", t0.Add(-time.Nanosecond), maxAge, false, nil, 6)
		if !errors.Is(err, fx.ErrNoRate) {
			t.Errorf("got %v, want ErrNoRate: a quote is not used before its AsOf", err)
		}
	})
	t.Run("InEffectWhileTomorrowsIsAnnounced", func(t *testing.T) {
		var b fx.Book
		today := direct(t, usd, rub, "80.8548", "cbr", t0)
		tomorrow := direct(t, usd, rub, "81.0012", "cbr", t0.AddDate(0, 0, 1))
		MustSet(t, &b, today)
		MustSet(t, &b, tomorrow)
		for _, tt := range []struct {
			now  time.Time
			want fx.Quote
		}{
			{t0.Add(16 * time.Hour), today},
			{t0.AddDate(0, 0, 1).Add(-time.Nanosecond), today},
			{t0.AddDate(0, 0, 1), tomorrow},
		} {
			got, err := b.Lookup(usd, rub, "cbr", tt.now, maxAge, false, nil, 6)
			if err != nil || got != tt.want {
				t.Errorf("at %s: got %s, %v; want %s", tt.now, got, err, tt.want)
			}
		}
	})
}

func TestBookLookupInverted(t *testing.T) {
	var b fx.Book
	stored := direct(t, irr, rub, "0.000137247", "cbr", t0) // from the CBR feed: RUB per IRR
	MustSet(t, &b, stored)
	now := t0.Add(time.Hour)

	got, err := b.Lookup(rub, irr, "cbr", now, 24*time.Hour, false, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 1 / 0.000137247 = 7286.13375884..., half-even at 2 digits.
	want := fx.Quote{Base: rub, Quote: irr, Rate: MustRate(t, "7286.13"), Source: "cbr", AsOf: stored.AsOf, Received: stored.Received, Inverted: true}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if viaMoney, _ := stored.Rate.Invert(2, money.RoundHalfEven); got.Rate != viaMoney {
		t.Errorf("got %s, money.Rate.Invert gives %s", got.Rate, viaMoney)
	}

	t.Run("RoundsToZero", func(t *testing.T) {
		var b fx.Book
		MustSet(t, &b, direct(t, rub, irr, "7286.13", "cbi", t0))
		_, err := b.Lookup(irr, rub, "cbi", now, 24*time.Hour, false, nil, 2)
		if got := fx.RuleOf(err); got != fx.Rule(money.RuleRateZero) {
			t.Errorf("got %v (rule %s), want %s: 0.000137... at 2 digits is zero", err, got, money.RuleRateZero)
		}
	})
	t.Run("DirectPreferred", func(t *testing.T) {
		var b fx.Book
		MustSet(t, &b, stored)
		opposite := direct(t, rub, irr, "7300", "cbr", t0)
		MustSet(t, &b, opposite)
		got, err := b.Lookup(rub, irr, "cbr", now, 24*time.Hour, false, nil, 2)
		if err != nil || got != opposite {
			t.Errorf("got %s, %v; want the direct quote %s", got, err, opposite)
		}
	})
	t.Run("FreshInverseBeatsStaleDirect", func(t *testing.T) {
		var b fx.Book
		MustSet(t, &b, stored)
		MustSet(t, &b, direct(t, rub, irr, "7300", "cbr", t0.AddDate(0, 0, -10)))
		got, err := b.Lookup(rub, irr, "cbr", now, 24*time.Hour, false, nil, 2)
		if err != nil || !got.Inverted || got.Rate != MustRate(t, "7286.13") {
			t.Errorf("got %s, %v; want the inverted fresh quote 7286.13", got, err)
		}
	})
	t.Run("StaleInverse", func(t *testing.T) {
		_, err := b.Lookup(rub, irr, "cbr", t0.Add(25*time.Hour), 24*time.Hour, false, nil, 2)
		var se *fx.StaleRateError
		if !errors.As(err, &se) || se.Stale != stored || se.Age != 25*time.Hour {
			t.Errorf("got %v, want a *StaleRateError naming the IRR/RUB quote, 25h old", err)
		}
	})
}

// crossBook holds an operator's market quotes, both against USD, and the
// CBR's USD/RUB.
func crossBook(t *testing.T) *fx.Book {
	t.Helper()
	var b fx.Book
	MustSet(t, &b, direct(t, usd, rub, "80.8548", "market", t0))
	MustSet(t, &b, direct(t, usd, irr, "589100", "market", t0.Add(2*time.Hour)))
	MustSet(t, &b, direct(t, usd, rub, "80.8548", "cbr", t0))
	return &b
}

func TestBookLookupDerived(t *testing.T) {
	b := crossBook(t)
	now := t0.Add(3 * time.Hour)
	maxAge := 24 * time.Hour

	t.Run("CrossThroughUSD", func(t *testing.T) {
		got, err := b.Lookup(rub, irr, "market", now, maxAge, true, []money.Code{usd}, 2)
		if err != nil {
			t.Fatal(err)
		}
		// RUB->USD is 1/80.8548 (inverted leg), USD->IRR 589100:
		// 589100 / 80.8548 = 7285.90015682..., rounded once, half-even.
		want := fx.Quote{Base: rub, Quote: irr, Rate: MustRate(t, "7285.9"), Source: "market",
			AsOf: t0, Received: t0.Add(-4 * time.Hour), Derived: true, Via: usd}
		if got != want {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("CrossRoundedOnce", func(t *testing.T) {
		// Inverting the USD/RUB leg first, at 6 digits, would give 0.012368
		// and then 0.012368 * 589100 = 7285.9888: double rounding, 0.09 IRR
		// off. The exact product is rounded once.
		got, err := b.Lookup(rub, irr, "market", now, maxAge, true, []money.Code{usd}, 6)
		if err != nil {
			t.Fatal(err)
		}
		if want := MustRate(t, "7285.900157"); got.Rate != want {
			t.Errorf("got %s, want %s", got.Rate, want)
		}
	})
	t.Run("CrossOfDirectLegsIsRateMul", func(t *testing.T) {
		got, err := b.Lookup(irr, rub, "market", now, maxAge, true, []money.Code{usd}, 12)
		if err != nil {
			t.Fatal(err)
		}
		// IRR->USD inverted, USD->RUB direct: 80.8548 / 589100.
		if want := MustRate(t, "0.0001372514"); got.Rate != want || !got.Derived || got.Via != usd {
			t.Errorf("got %s, want %s derived via USD", got, want)
		}
		var c fx.Book
		MustSet(t, &c, direct(t, rub, usd, "0.012368", "m", t0))
		MustSet(t, &c, direct(t, usd, irr, "589100", "m", t0))
		got, err = c.Lookup(rub, irr, "m", now, maxAge, true, []money.Code{usd}, 2)
		viaMoney, _ := MustRate(t, "0.012368").Mul(MustRate(t, "589100"), 2, money.RoundHalfEven)
		if err != nil || got.Rate != viaMoney {
			t.Errorf("got %s, %v; money.Rate.Mul gives %s", got.Rate, err, viaMoney)
		}
	})
	t.Run("RefusedWhenDerivedNotAllowed", func(t *testing.T) {
		_, err := b.Lookup(rub, irr, "market", now, maxAge, false, []money.Code{usd}, 2)
		var ne *fx.NoRateError
		if !errors.As(err, &ne) || ne.DerivedAllowed || ne.Base != rub || ne.Quote != irr || ne.Source != "market" {
			t.Fatalf("got %v, want a *NoRateError for RUB/IRR from market, derived not allowed", err)
		}
		if !errors.Is(err, fx.ErrNoRate) || fx.RuleOf(err) != fx.RuleNoRate {
			t.Errorf("errors.Is ErrNoRate %v, RuleOf %s", errors.Is(err, fx.ErrNoRate), fx.RuleOf(err))
		}
	})
	t.Run("RefusedWithNoViaCurrencies", func(t *testing.T) {
		if _, err := b.Lookup(rub, irr, "market", now, maxAge, true, nil, 2); !errors.Is(err, fx.ErrNoRate) {
			t.Errorf("got %v, want ErrNoRate", err)
		}
	})
	t.Run("ViaTriedInOrder", func(t *testing.T) {
		got, err := b.Lookup(rub, irr, "market", now, maxAge, true, []money.Code{irr, eur, rub, usd}, 2)
		if err != nil || got.Via != usd {
			t.Errorf("got %s, %v; want a cross via USD (IRR and RUB are the pair, EUR has no legs)", got, err)
		}
	})
	t.Run("SourcesNeverMix", func(t *testing.T) {
		// cbr has USD/RUB but not USD/IRR; market's USD/IRR is not used.
		_, err := b.Lookup(rub, irr, "cbr", now, maxAge, true, []money.Code{usd}, 2)
		if !errors.Is(err, fx.ErrNoRate) {
			t.Errorf("got %v, want ErrNoRate", err)
		}
	})
	t.Run("StaleLeg", func(t *testing.T) {
		late := t0.Add(maxAge + time.Nanosecond) // USD/RUB is stale, USD/IRR still fresh
		_, err := b.Lookup(rub, irr, "market", late, maxAge, true, []money.Code{usd}, 2)
		var se *fx.StaleRateError
		if !errors.As(err, &se) || se.Stale.Base != usd || se.Stale.Quote != rub || se.Age != maxAge+time.Nanosecond {
			t.Errorf("got %v, want a *StaleRateError naming the USD/RUB leg", err)
		}
	})
	t.Run("CrossAgeIsTheOlderLeg", func(t *testing.T) {
		got, err := b.Lookup(rub, irr, "market", t0.Add(maxAge), maxAge, true, []money.Code{usd}, 2)
		if err != nil || !got.AsOf.Equal(t0) {
			t.Errorf("got %s, %v; want AsOf %s (the USD/RUB leg)", got, err, t0)
		}
	})
	t.Run("FreshCrossBeatsStaleDirect", func(t *testing.T) {
		b := crossBook(t)
		MustSet(t, b, direct(t, rub, irr, "7000", "market", t0.AddDate(0, 0, -30)))
		got, err := b.Lookup(rub, irr, "market", now, maxAge, true, []money.Code{usd}, 2)
		if err != nil || !got.Derived {
			t.Errorf("got %s, %v; want the fresh cross", got, err)
		}
	})
}

func TestBookLookupInvalid(t *testing.T) {
	b := crossBook(t)
	tests := []struct {
		name        string
		base, quote money.Code
		source      string
		maxAge      time.Duration
		via         []money.Code
		scale       uint8
		field       string
	}{
		{"SameCurrency", rub, rub, "cbr", time.Hour, nil, 2, "quote"},
		{"SourceInvalid", usd, rub, "CBR", time.Hour, nil, 2, "source"},
		{"MaxAgeNegative", usd, rub, "cbr", -time.Nanosecond, nil, 2, "max_age"},
		{"ScaleOnePastMax", usd, rub, "cbr", time.Hour, nil, money.RateScaleMax + 1, "scale"},
		{"ViaOnePastMax", usd, rub, "cbr", time.Hour, make([]money.Code, fx.ViaCurrenciesMax+1), 2, "via"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Lookup(tt.base, tt.quote, tt.source, t0, tt.maxAge, true, tt.via, tt.scale)
			var ie *fx.InputError
			if !errors.As(err, &ie) || ie.Rule != fx.RuleLookupInvalid || ie.Field != tt.field {
				t.Errorf("got %v, want an *InputError %s on %s", err, fx.RuleLookupInvalid, tt.field)
			}
		})
	}
	t.Run("AtTheLimits", func(t *testing.T) {
		if _, err := b.Lookup(usd, rub, "cbr", t0, time.Hour, true, make([]money.Code, fx.ViaCurrenciesMax), money.RateScaleMax); err != nil {
			t.Error(err)
		}
	})
}

// Feeds go into a book as they come, and the corridor's question is
// answered from them: RUB/IRR from the CBR's IRR rate.
func TestBookFromFeeds(t *testing.T) {
	var b fx.Book
	quotes, err := fx.ParseCBR(MustReadFile(t, cbrFixture), received)
	if err != nil {
		t.Fatal(err)
	}
	ecb, err := fx.ParseECB(MustReadFile(t, "ecb-history.xml"), received)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append(quotes, ecb...) {
		MustSet(t, &b, q)
	}
	got, err := b.Lookup(rub, irr, fx.SourceCBR, t0.Add(10*time.Hour), 96*time.Hour, false, nil, 2)
	if err != nil || got.Rate != MustRate(t, "7286.13") || !got.Inverted {
		t.Errorf("RUB/IRR from cbr: got %s, %v; want 7286.13 inverted", got, err)
	}
	// The ECB's CNY/USD cross through EUR, from the newest day.
	got, err = b.Lookup(usd, cny, fx.SourceECB, time.Date(2024, time.June, 29, 12, 0, 0, 0, berlin), 96*time.Hour, true, []money.Code{eur}, 6)
	if err != nil || got.Rate != MustRate(t, "7.262774") || got.Via != eur {
		t.Errorf("USD/CNY from ecb via EUR: got %s, %v; want 7.262774 (7.7748 / 1.0705)", got, err)
	}
}

// A feed may Set while payments Lookup; run with -race.
func TestBookConcurrentUse(t *testing.T) {
	var b fx.Book
	MustSet(t, &b, direct(t, usd, rub, "80.8548", "cbr", t0))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if g == 0 {
					if err := b.Set(direct(t, usd, rub, fmt.Sprintf("80.%d", i+1), "cbr", t0.Add(time.Duration(i)*time.Minute))); err != nil {
						t.Error(err)
						return
					}
					continue
				}
				if _, err := b.Lookup(rub, usd, "cbr", t0.Add(4*time.Hour), 24*time.Hour, false, nil, 8); err != nil {
					t.Error(err)
					return
				}
				_ = b.List()
			}
		})
	}
	wg.Wait()
}

// The answers and refusals of Lookup as operators read them.
func TestBookLookupMessages(t *testing.T) {
	b := crossBook(t)
	MustSet(t, b, direct(t, irr, rub, "0.000137247", "cbr", t0))
	now := t0.Add(3 * time.Hour)
	day := 24 * time.Hour
	tests := []struct {
		name         string
		base, quote  money.Code
		source       string
		now          time.Time
		allowDerived bool
		via          []money.Code
	}{
		{"Direct", usd, rub, "cbr", now, false, nil},
		{"Inverted", rub, irr, "cbr", now, false, nil},
		{"Derived", rub, irr, "market", now, true, []money.Code{eur, usd}},
		{"NoRate", rub, cny, "cbr", now, false, nil},
		{"NoRateAfterTryingCrosses", rub, cny, "cbr", now, true, []money.Code{usd, eur}},
		{"Stale", usd, rub, "cbr", now.Add(3 * day), false, nil},
		{"Invalid", usd, usd, "cbr", now, false, nil},
	}
	var out strings.Builder
	for _, tt := range tests {
		q, err := b.Lookup(tt.base, tt.quote, tt.source, tt.now, day, tt.allowDerived, tt.via, 4)
		if err != nil {
			fmt.Fprintf(&out, "%s: %v [%s]\n", tt.name, err, fx.RuleOf(err))
			continue
		}
		fmt.Fprintf(&out, "%s: %s\n", tt.name, q)
	}
	checkGolden(t, "book-lookup.golden", out.String())
}

// Quotes go through journals and snapshots as JSON; what comes back is the
// same quote, and a book restored from List answers the same.
func TestQuoteJSON(t *testing.T) {
	b := fx.NewBook()
	stored := direct(t, irr, rub, "0.000137247", "cbr", t0)
	MustSet(t, b, stored)
	data, err := json.Marshal(b.List())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"base":"IRR","quote":"RUB","rate":"0.000137247","source":"cbr","as_of":"2025-10-14T00:00:00+03:00","received":"2025-10-13T20:00:00+03:00"}]`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	var back []fx.Quote
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	restored := fx.NewBook()
	for _, q := range back {
		MustSet(t, restored, q)
	}
	got, err := restored.Lookup(rub, irr, "cbr", t0, time.Hour, false, nil, 2)
	if err != nil || got.Rate != MustRate(t, "7286.13") || !got.AsOf.Equal(t0) {
		t.Errorf("restored book: got %s, %v", got, err)
	}
	derived, err := crossBook(t).Lookup(rub, irr, "market", t0.Add(3*time.Hour), time.Hour*24, true, []money.Code{usd}, 2)
	if err != nil {
		t.Fatal(err)
	}
	data, err = json.Marshal(derived)
	if err != nil || !strings.Contains(string(data), `"derived":true,"via":"USD"`) {
		t.Errorf("derived quote: got %s, %v", data, err)
	}
}
