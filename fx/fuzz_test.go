package fx_test

import (
	"testing"
	"time"

	"astara/fx"
)

// checkParsed holds for any feed input: an error is a *FeedError with a
// known rule and comes with no quotes; quotes are bounded, valid for a Book,
// and the same on a second parse.
func checkParsed(t *testing.T, parse func([]byte, time.Time) ([]fx.Quote, error), data []byte, source string) {
	quotes, err := parse(data, received)
	if err != nil {
		fe := feedError(t, err)
		if !feedRules[fe.Rule] || fe.Feed != source {
			t.Fatalf("error %v: rule %q feed %q", err, fe.Rule, fe.Feed)
		}
		if quotes != nil {
			t.Fatalf("error %v came with %d quotes", err, len(quotes))
		}
		return
	}
	if len(quotes) > fx.FeedQuotesMax {
		t.Fatalf("%d quotes, more than FeedQuotesMax", len(quotes))
	}
	var b fx.Book
	for _, q := range quotes {
		if q.Source != source {
			t.Fatalf("quote %s from source %q, want %q", q, q.Source, source)
		}
		if err := b.Set(q); err != nil {
			t.Fatalf("quote %s is refused by a Book: %v", q, err)
		}
	}
	again, err := parse(data, received)
	if err != nil || formatQuotes(again) != formatQuotes(quotes) {
		t.Fatalf("a second parse differs: %v\n%s\nvs\n%s", err, formatQuotes(again), formatQuotes(quotes))
	}
}

var feedRules = map[fx.Rule]bool{
	fx.RuleFeedTooLarge: true, fx.RuleFeedTooManyQuotes: true, fx.RuleFeedSyntax: true,
	fx.RuleFeedValue: true, fx.RuleFeedDate: true, fx.RuleFeedEmpty: true,
}

func FuzzParseCBR(f *testing.F) {
	f.Add(MustReadFile(f, cbrFixture))
	f.Add(cbrDoc("14.10.2025", valute("IRR", "100000", "13,7247", "1,37247E-04")))
	f.Add(cbrDoc("04.04.2025", valute("AMD", "100", "21,5637", "0,215637"), valute("USD", "1", "8E1", "")))
	f.Add(cbrDoc("14.10.2025", valute("USD", "3", "0,000000000000000025", "8,08548e+1")))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="01.01.2025"><Valute><CharCode>EUR</CharCode><Nominal>1</Nominal><Value>1</Value></Valute></ValCurs>`))
	f.Add([]byte(`<ValCurs Date="x"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, fx.ParseCBR, data, fx.SourceCBR)
	})
}

func FuzzParseECB(f *testing.F) {
	f.Add(MustReadFile(f, "ecb-daily.xml"))
	f.Add(MustReadFile(f, "ecb-history.xml"))
	f.Add(ecbDoc(day("2024-06-28", rate("USD", "1.0705"), rate("IRR", "1"))))
	f.Add(ecbDoc(day("2024-06-28", rate("USD", "1.0705")), day("2024-06-27", rate("USD", "1.0703"))))
	f.Add([]byte(`<Envelope><Cube><Cube time="2024-06-28"><Cube currency="USD" rate="1"/></Cube></Cube></Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, fx.ParseECB, data, fx.SourceECB)
	})
}
