package fx_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"astara/fx"
	"astara/money"
)

// ecbDoc returns an eurofxref document whose outer Cube holds cubes.
func ecbDoc(cubes ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">` + "\n" +
		`<gesmes:subject>Reference rates</gesmes:subject>` + "\n" +
		`<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>` + "\n" +
		"<Cube>\n" + strings.Join(cubes, "\n") + "\n</Cube>\n</gesmes:Envelope>\n")
}

// day returns a dated Cube holding rate Cubes.
func day(date string, rates ...string) string {
	return `<Cube time='` + date + `'>` + strings.Join(rates, "") + `</Cube>`
}

// rate returns a rate Cube.
func rate(currency, rate string) string {
	return `<Cube currency='` + currency + `' rate='` + rate + `'/>`
}

func TestParseECBDaily(t *testing.T) {
	quotes, err := fx.ParseECB(MustReadFile(t, "ecb-daily.xml"), received)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "ecb-daily.golden", formatQuotes(quotes))
	asOf := time.Date(2024, time.June, 28, 16, 0, 0, 0, berlin)
	if got := asOf.UTC(); !got.Equal(time.Date(2024, time.June, 28, 14, 0, 0, 0, time.UTC)) {
		t.Fatalf("16:00 Berlin in summer: got %s UTC, want 14:00 (CEST, UTC+2)", got)
	}
	want := map[money.Code]string{
		usd: "1.0705", cny: "7.7748", inr: "89.2495",
		money.MustCode("JPY"): "171.94", money.MustCode("GBP"): "0.84638",
		money.MustCode("CHF"): "0.9646", money.MustCode("TRY"): "35.1284",
	}
	if len(quotes) != len(want) {
		t.Fatalf("got %d quotes, want %d (ISK is not in the money table):\n%s", len(quotes), len(want), formatQuotes(quotes))
	}
	for _, q := range quotes {
		if q.Base != eur || q.Rate != MustRate(t, want[q.Quote]) || q.Source != fx.SourceECB || !q.AsOf.Equal(asOf) || !q.Received.Equal(received) {
			t.Errorf("got %s received %s, want EUR/%s %s ecb as of %s", q, q.Received, q.Quote, want[q.Quote], asOf)
		}
	}
}

func TestParseECBHistory(t *testing.T) {
	data := MustReadFile(t, "ecb-history.xml")
	quotes, err := fx.ParseECB(data, received)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "ecb-history.golden", formatQuotes(quotes))
	if len(quotes) != 9 {
		t.Fatalf("got %d quotes, want 9 (three days of three)", len(quotes))
	}
	for i := 1; i < len(quotes); i++ {
		if quotes[i].AsOf.After(quotes[i-1].AsOf) {
			t.Errorf("quote %d (%s) is newer than quote %d (%s); want newest first", i, quotes[i], i-1, quotes[i-1])
		}
	}

	// Days given oldest first come back newest first, each day's rates in
	// file order.
	shuffled := ecbDoc(
		day("2024-06-26", rate("USD", "1.0698"), rate("CNY", "7.7726")),
		day("2024-06-28", rate("USD", "1.0705"), rate("CNY", "7.7748")),
		day("2024-06-27", rate("USD", "1.0703"), rate("CNY", "7.7785")),
	)
	quotes, err = fx.ParseECB(shuffled, received)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range quotes {
		got = append(got, q.AsOf.Format("01-02")+" "+q.Quote.String()+" "+q.Rate.String())
	}
	want := "06-28 USD 1.0705, 06-28 CNY 7.7748, 06-27 USD 1.0703, 06-27 CNY 7.7785, 06-26 USD 1.0698, 06-26 CNY 7.7726"
	if strings.Join(got, ", ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ", "), want)
	}
}

// The ECB's publication time follows Berlin's daylight saving time.
func TestParseECBAsOfWinter(t *testing.T) {
	quotes, err := fx.ParseECB(ecbDoc(day("2025-01-15", rate("USD", "1.0298"))), received)
	if err != nil {
		t.Fatal(err)
	}
	if got := quotes[0].AsOf.UTC().Format(time.RFC3339); got != "2025-01-15T15:00:00Z" {
		t.Errorf("got AsOf %s UTC, want 2025-01-15T15:00:00Z (16:00 CET, UTC+1)", got)
	}
}

func TestParseECBErrors(t *testing.T) {
	usd := rate("USD", "1.0705")
	tests := []struct {
		name    string
		data    []byte
		rule    fx.Rule
		element string
	}{
		{"HTMLPage", []byte("<html><body>Maintenance"), fx.RuleFeedSyntax, "html"},
		{"NotXML", []byte("Service unavailable"), fx.RuleFeedSyntax, ""},
		{"WrongRoot", []byte(`<Cube><Cube time="2024-06-28"/></Cube>`), fx.RuleFeedSyntax, "Cube"},
		{"CBRFeed", MustReadFile(t, cbrFixture), fx.RuleFeedSyntax, "ValCurs"},
		{"OuterCubeMissing", []byte(`<Envelope><subject>Reference rates</subject></Envelope>`), fx.RuleFeedSyntax, "Envelope/Cube"},
		{"OuterCubeRepeated", []byte(`<Envelope><Cube>` + day("2024-06-28", usd) + `</Cube><Cube>` + day("2024-06-27", usd) + `</Cube></Envelope>`), fx.RuleFeedSyntax, "Envelope/Cube"},
		{"NoDays", ecbDoc(), fx.RuleFeedEmpty, "Envelope/Cube"},
		{"DayWithoutRates", ecbDoc(day("2024-06-28")), fx.RuleFeedEmpty, "Envelope/Cube"},
		{"TimeMissing", ecbDoc(`<Cube>` + usd + `</Cube>`), fx.RuleFeedDate, "Envelope/Cube/Cube[1]@time"},
		{"TimeNotISO", ecbDoc(day("28.06.2024", usd)), fx.RuleFeedDate, "Envelope/Cube/Cube[1]@time"},
		{"TimeNotADay", ecbDoc(day("2024-02-30", usd)), fx.RuleFeedDate, "Envelope/Cube/Cube[1]@time"},
		{"TimeWithClock", ecbDoc(day("2024-06-28T16:00", usd)), fx.RuleFeedDate, "Envelope/Cube/Cube[1]@time"},
		{"DayRepeated", ecbDoc(day("2024-06-28", usd), day("2024-06-28", usd)), fx.RuleFeedDate, "Envelope/Cube/Cube[2]@time"},
		{"CurrencyMissing", ecbDoc(day("2024-06-28", `<Cube rate='1.0705'/>`)), fx.RuleFeedSyntax, "Envelope/Cube/Cube[1]/Cube[1]@currency"},
		{"RateMissing", ecbDoc(day("2024-06-28", usd, `<Cube currency='CNY'/>`)), fx.RuleFeedSyntax, "Envelope/Cube/Cube[1]/Cube[2]@rate"},
		{"CurrencyLowerCase", ecbDoc(day("2024-06-28", rate("usd", "1.0705"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@currency"},
		{"CurrencyEuro", ecbDoc(day("2024-06-28", rate("EUR", "1"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@currency"},
		{"CurrencyRepeated", ecbDoc(day("2024-06-28", usd, rate("CNY", "7.7748"), usd)), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[3]@currency"},
		{"RateDecimalComma", ecbDoc(day("2024-06-28", rate("USD", "1,0705"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@rate"},
		{"RateZero", ecbDoc(day("2024-06-28", rate("USD", "0.0000"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@rate"},
		{"RateNegative", ecbDoc(day("2024-06-28", rate("USD", "-1.0705"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@rate"},
		{"RateEmpty", ecbDoc(day("2024-06-28", rate("USD", ""))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@rate"},
		{"RateScientific", ecbDoc(day("2024-06-28", rate("USD", "1.0705E0"))), fx.RuleFeedValue, "Envelope/Cube/Cube[1]/Cube[1]@rate"},
		{"FourCubeLevels", ecbDoc(day("2024-06-28", `<Cube currency='USD' rate='1.0705'><Cube/></Cube>`)), fx.RuleFeedSyntax, "Envelope/Cube/Cube[1]/Cube[1]/Cube"},
		{"TextInRateCube", ecbDoc(day("2024-06-28", `<Cube currency='USD' rate='1.0705'>1.0705</Cube>`)), fx.RuleFeedSyntax, "Envelope/Cube/Cube[1]/Cube[1]"},
		{"TooLarge", bytes.Repeat([]byte(" "), fx.FeedBytesMax+1), fx.RuleFeedTooLarge, ""},
		{"TooManyQuotes", ecbManyRates(fx.FeedQuotesMax + 1), fx.RuleFeedTooManyQuotes, fmt.Sprintf("Envelope/Cube/Cube[%d]/Cube[1]", fx.FeedQuotesMax/2+1)},
	}
	var messages strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quotes, err := fx.ParseECB(tt.data, received)
			if err == nil {
				t.Fatalf("got %d quotes and no error, want %s", len(quotes), tt.rule)
			}
			if quotes != nil {
				t.Errorf("got %d quotes with the error, want none", len(quotes))
			}
			fe := feedError(t, err)
			if fe.Rule != tt.rule || fe.Element != tt.element || fe.Feed != fx.SourceECB {
				t.Errorf("got rule %s element %q feed %q, want %s %q %q\n(%v)", fe.Rule, fe.Element, fe.Feed, tt.rule, tt.element, fx.SourceECB, err)
			}
			fmt.Fprintf(&messages, "%s: %v\n", tt.name, err)
		})
	}
	checkGolden(t, "ecb-errors.golden", messages.String())
}

// ecbManyRates returns a history of n rate Cubes, two a day.
func ecbManyRates(n int) []byte {
	var cubes []string
	start := time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += 2 {
		rates := []string{rate("USD", "1.0705")}
		if i+1 < n {
			rates = append(rates, rate("CNY", "7.7748"))
		}
		cubes = append(cubes, day(start.AddDate(0, 0, i/2).Format("2006-01-02"), rates...))
	}
	return ecbDoc(cubes...)
}

func TestParseECBLimits(t *testing.T) {
	t.Run("QuotesAtTheLimit", func(t *testing.T) {
		quotes, err := fx.ParseECB(ecbManyRates(fx.FeedQuotesMax), received)
		if err != nil {
			t.Fatal(err)
		}
		if len(quotes) != fx.FeedQuotesMax {
			t.Errorf("got %d quotes, want %d", len(quotes), fx.FeedQuotesMax)
		}
	})
	t.Run("BytesAtTheLimit", func(t *testing.T) {
		data := MustReadFile(t, "ecb-daily.xml")
		data = append(data, bytes.Repeat([]byte("\n"), fx.FeedBytesMax-len(data))...)
		if _, err := fx.ParseECB(data, received); err != nil {
			t.Fatal(err)
		}
	})
}
