package fx_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"astara/fx"
	"astara/money"
)

const cbrFixture = "cbr-daily-2025-10-14.xml"

// cbrDoc returns a UTF-8 XML_daily document dated date with the given Valute
// elements.
func cbrDoc(date string, valutes ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ValCurs Date="` + date + `" name="Foreign Currency Market">` + "\n" +
		strings.Join(valutes, "\n") + "\n</ValCurs>\n")
}

// valute returns a Valute element; an empty vunitRate leaves VunitRate out.
func valute(code, nominal, value, vunitRate string) string {
	s := `<Valute ID="R00000"><NumCode>000</NumCode><CharCode>` + code + `</CharCode><Nominal>` + nominal +
		`</Nominal><Name>Тест</Name><Value>` + value + `</Value>`
	if vunitRate != "" {
		s += `<VunitRate>` + vunitRate + `</VunitRate>`
	}
	return s + `</Valute>`
}

func TestParseCBRFixture(t *testing.T) {
	data := MustReadFile(t, cbrFixture)
	if utf8.Valid(data) {
		t.Fatalf("%s is valid UTF-8; it must hold windows-1251 bytes, as the Bank of Russia serves them", cbrFixture)
	}
	quotes, err := fx.ParseCBR(data, received)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "cbr-daily-2025-10-14.golden", formatQuotes(quotes))

	// Each rate checked by hand: Value / Nominal.
	want := []struct {
		base money.Code
		rate string
	}{
		{azn, "47.5616"},     // 47,5616 / 1
		{amd, "0.211223"},    // 21,1223 / 100
		{usd, "80.8548"},     // 80,8548 / 1
		{eur, "93.724"},      // 93,7240 / 1, VunitRate printed as 93,724
		{inr, "0.911553"},    // 91,1553 / 100
		{irr, "0.000137247"}, // 13,7247 / 100000, VunitRate 1,37247E-04
		{cny, "11.3222"},     // 11,3222 / 1
		{uzs, "0.0067375"},   // 67,3750 / 10000, VunitRate 6,7375E-03
	}
	if len(quotes) != len(want) {
		t.Fatalf("got %d quotes, want %d (VND and XDR are not in the money table and are skipped):\n%s", len(quotes), len(want), formatQuotes(quotes))
	}
	asOf := time.Date(2025, time.October, 14, 0, 0, 0, 0, moscow)
	for i, w := range want {
		q := quotes[i]
		if q.Base != w.base || q.Quote != rub || q.Rate != MustRate(t, w.rate) {
			t.Errorf("quote %d: got %s/%s %s, want %s/RUB %s", i, q.Base, q.Quote, q.Rate, w.base, w.rate)
		}
		if q.Source != fx.SourceCBR || !q.AsOf.Equal(asOf) || !q.Received.Equal(received) || q.Inverted || q.Derived || !q.Via.IsZero() {
			t.Errorf("quote %d: got %+v, want a direct cbr quote as of %s received %s", i, q, asOf, received)
		}
	}
	if got := quotes[0].AsOf.UTC(); !got.Equal(time.Date(2025, time.October, 13, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("AsOf in UTC: got %s, want 2025-10-13T21:00:00Z (00:00 Moscow, UTC+3)", got)
	}
}

// The same document in UTF-8 (declared, or with no prolog at all) parses to
// the same quotes.
func TestParseCBRUTF8(t *testing.T) {
	data := MustReadFile(t, cbrFixture)
	decoded, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fx.ParseCBR(data, received)
	if err != nil {
		t.Fatal(err)
	}
	declared := bytes.Replace(decoded, []byte(`encoding="windows-1251"`), []byte(`encoding="UTF-8"`), 1)
	_, noProlog, _ := bytes.Cut(decoded, []byte("?>"))
	bom := append([]byte("\xEF\xBB\xBF"), declared...)
	for name, doc := range map[string][]byte{"Declared": declared, "NoProlog": noProlog, "ByteOrderMark": bom} {
		t.Run(name, func(t *testing.T) {
			got, err := fx.ParseCBR(doc, received)
			if err != nil {
				t.Fatal(err)
			}
			if formatQuotes(got) != formatQuotes(want) {
				t.Errorf("got\n%s\nwant\n%s", formatQuotes(got), formatQuotes(want))
			}
		})
	}
}

// Rates are Value / Nominal exactly, rounded half-even only past
// money.RateScaleMax fraction digits; VunitRate is a cross-check in any
// notation.
func TestParseCBRRates(t *testing.T) {
	tests := []struct {
		name                      string
		nominal, value, vunitRate string
		want                      string
	}{
		{"NominalOne", "1", "80,8548", "80,8548", "80.8548"},
		{"NominalHundred", "100", "21,5637", "0,215637", "0.215637"},
		{"NominalHundredThousand", "100000", "13,7247", "0,000137247", "0.000137247"},
		{"NoVunitRate", "100000", "13,7247", "", "0.000137247"},
		{"VunitRateScientific", "100000", "4,81017", "4,81017E-05", "0.0000481017"},
		{"VunitRateScientificSecondSample", "100000", "5,88139", "5,88139E-05", "0.0000588139"},
		{"VunitRateScientificLowerCase", "100000", "13,7247", "1,37247e-4", "0.000137247"},
		{"VunitRateScientificThreeDigitExponent", "100000", "13,7247", "1,37247E-004", "0.000137247"},
		{"VunitRateScientificPlusExponent", "1", "109,4110", "1,09411E+02", "109.411"},
		{"VunitRateWholeUnits", "1", "149,6", "1,5E+02", "149.6"},
		{"VunitRateShorterThanValue", "1", "109,4110", "109,411", "109.411"},
		{"VunitRateRoundedWithinOneUnit", "100000", "13,7247", "1,3725E-04", "0.000137247"},
		{"VunitRateTruncatedWithinOneUnit", "100000", "13,7247", "1,3724E-04", "0.000137247"},
		{"DecimalDot", "1", "80.8548", "80.8548", "80.8548"},
		{"ValueScientific", "1", "1,5E+02", "", "150"},
		{"ValueTrailingZeros", "1", "100,000000", "", "100"},
		{"ValueWhiteSpace", " 1 ", " 80,8548\n", "", "80.8548"},
		{"NominalLeadingZero", "0100", "21,5637", "", "0.215637"},
		{"NominalQuintillion", "1000000000000000000", "1", "", "0.000000000000000001"},
		{"NonTerminatingRoundsDown", "3", "1", "", "0.333333333333333333"},
		{"NonTerminatingRoundsUp", "3", "2", "", "0.666666666666666667"},
		{"TieRoundsToEvenDown", "10", "0,000000000000000025", "", "0.000000000000000002"},
		{"TieRoundsToEvenUp", "10", "0,000000000000000015", "", "0.000000000000000002"},
		{"TieRoundsToEvenUpAgain", "10", "0,000000000000000035", "", "0.000000000000000004"},
		{"ValueBeyondScaleRounds", "1", "0,12345678901234567891", "", "0.123456789012345679"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quotes, err := fx.ParseCBR(cbrDoc("14.10.2025", valute("IRR", tt.nominal, tt.value, tt.vunitRate)), received)
			if err != nil {
				t.Fatal(err)
			}
			if len(quotes) != 1 {
				t.Fatalf("got %d quotes, want 1", len(quotes))
			}
			if got := quotes[0].Rate.String(); got != tt.want {
				t.Errorf("%s / %s: got %s, want %s", tt.value, tt.nominal, got, tt.want)
			}
		})
	}
}

func TestParseCBRErrors(t *testing.T) {
	fixture := MustReadFile(t, cbrFixture)
	usd := valute("USD", "1", "80,8548", "80,8548")
	tests := []struct {
		name    string
		data    []byte
		rule    fx.Rule
		element string
	}{
		{"NotXML", []byte("Service unavailable"), fx.RuleFeedSyntax, ""},
		{"Empty", nil, fx.RuleFeedSyntax, ""},
		{"Truncated", fixture[:len(fixture)/2], fx.RuleFeedSyntax, "ValCurs/Valute[5]"},
		{"WrongRoot", []byte(`<ValCursX Date="14.10.2025"/>`), fx.RuleFeedSyntax, "ValCursX"},
		{"ECBFeed", MustReadFile(t, "ecb-daily.xml"), fx.RuleFeedSyntax, "Envelope"},
		{"UnsupportedEncoding", []byte(`<?xml version="1.0" encoding="koi8-r"?><ValCurs Date="14.10.2025"/>`), fx.RuleFeedSyntax, ""},
		{"Windows1251Undeclared", bytes.Replace(fixture, []byte(`<?xml version="1.0" encoding="windows-1251"?>`), nil, 1), fx.RuleFeedSyntax, "ValCurs/Valute[1]/Name"},
		{"DateMissing", []byte(`<ValCurs name="Foreign Currency Market">` + usd + `</ValCurs>`), fx.RuleFeedDate, "ValCurs@Date"},
		{"DateISO", cbrDoc("2025-10-14", usd), fx.RuleFeedDate, "ValCurs@Date"},
		{"DateNotADay", cbrDoc("31.04.2025", usd), fx.RuleFeedDate, "ValCurs@Date"},
		{"DateShort", cbrDoc("4.4.2025", usd), fx.RuleFeedDate, "ValCurs@Date"},
		{"DateYearZero", cbrDoc("01.01.0000", usd), fx.RuleFeedDate, "ValCurs@Date"},
		{"NoValute", cbrDoc("14.10.2025"), fx.RuleFeedEmpty, "ValCurs"},
		{"CharCodeMissing", cbrDoc("14.10.2025", `<Valute><Nominal>1</Nominal><Value>1</Value></Valute>`), fx.RuleFeedSyntax, "ValCurs/Valute[1]/CharCode"},
		{"NominalMissing", cbrDoc("14.10.2025", `<Valute><CharCode>USD</CharCode><Value>1</Value></Valute>`), fx.RuleFeedSyntax, "ValCurs/Valute[1]/Nominal"},
		{"ValueMissing", cbrDoc("14.10.2025", usd, `<Valute><CharCode>EUR</CharCode><Nominal>1</Nominal></Valute>`), fx.RuleFeedSyntax, "ValCurs/Valute[2]/Value"},
		{"ValueRepeated", cbrDoc("14.10.2025", `<Valute><CharCode>USD</CharCode><Nominal>1</Nominal><Value>1</Value><Value>2</Value></Valute>`), fx.RuleFeedSyntax, "ValCurs/Valute[1]/Value"},
		{"ElementInValue", cbrDoc("14.10.2025", valute("USD", "1", "<b>80</b>", "")), fx.RuleFeedSyntax, "ValCurs/Valute[1]/Value/b"},
		{"TextBetweenElements", cbrDoc("14.10.2025", "USD 80,8548", usd), fx.RuleFeedSyntax, "ValCurs"},
		{"SecondRoot", append(cbrDoc("14.10.2025", usd), "<ValCurs/>"...), fx.RuleFeedSyntax, "ValCurs"},
		{"CharCodeLowerCase", cbrDoc("14.10.2025", valute("usd", "1", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/CharCode"},
		{"CharCodeNumeric", cbrDoc("14.10.2025", valute("840", "1", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/CharCode"},
		{"CharCodeRouble", cbrDoc("14.10.2025", valute("RUB", "1", "1", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/CharCode"},
		{"CharCodeRepeated", cbrDoc("14.10.2025", usd, usd), fx.RuleFeedValue, "ValCurs/Valute[2]/CharCode"},
		{"CharCodeRepeatedUnknown", cbrDoc("14.10.2025", valute("XDR", "1", "110", ""), valute("XDR", "1", "110", "")), fx.RuleFeedValue, "ValCurs/Valute[2]/CharCode"},
		{"NominalZero", cbrDoc("14.10.2025", valute("USD", "0", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Nominal"},
		{"NominalNegative", cbrDoc("14.10.2025", valute("USD", "-1", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Nominal"},
		{"NominalFraction", cbrDoc("14.10.2025", valute("USD", "1,5", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Nominal"},
		{"NominalBeyondUint64", cbrDoc("14.10.2025", valute("USD", "18446744073709551616", "80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Nominal"},
		{"ValueEmpty", cbrDoc("14.10.2025", valute("USD", "1", "", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueZero", cbrDoc("14.10.2025", valute("USD", "1", "0,0000", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueNegative", cbrDoc("14.10.2025", valute("USD", "1", "-80,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueTwoSeparators", cbrDoc("14.10.2025", valute("USD", "1", "80,85,48", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueGrouped", cbrDoc("14.10.2025", valute("USD", "1", "1 080,8548", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueNoIntegerDigits", cbrDoc("14.10.2025", valute("USD", "1", ",5", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueHugeExponent", cbrDoc("14.10.2025", valute("USD", "1", "1E999999999", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueTooLong", cbrDoc("14.10.2025", valute("USD", "1", "1,"+strings.Repeat("1", 64), "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueRoundsToZero", cbrDoc("14.10.2025", valute("USD", "100", "0,000000000000000001", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueTieRoundsToZero", cbrDoc("14.10.2025", valute("USD", "10", "0,000000000000000005", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"ValueOverflows", cbrDoc("14.10.2025", valute("USD", "1", "1E39", "")), fx.RuleFeedValue, "ValCurs/Valute[1]/Value"},
		{"VunitRateNotANumber", cbrDoc("14.10.2025", valute("USD", "1", "80,8548", "n/a")), fx.RuleFeedValue, "ValCurs/Valute[1]/VunitRate"},
		{"VunitRateContradictsValue", cbrDoc("14.10.2025", valute("USD", "1", "80,8548", "80,87")), fx.RuleFeedValue, "ValCurs/Valute[1]/VunitRate"},
		{"VunitRateContradictsValueScientific", cbrDoc("14.10.2025", valute("IRR", "100000", "13,7247", "1,3720E-04")), fx.RuleFeedValue, "ValCurs/Valute[1]/VunitRate"},
		{"VunitRateIgnoresNominal", cbrDoc("14.10.2025", valute("IRR", "100000", "13,7247", "13,7247")), fx.RuleFeedValue, "ValCurs/Valute[1]/VunitRate"},
		{"TooLarge", bytes.Repeat([]byte(" "), fx.FeedBytesMax+1), fx.RuleFeedTooLarge, ""},
		{"TooManyQuotes", cbrManyValutes(fx.FeedQuotesMax + 1), fx.RuleFeedTooManyQuotes, fmt.Sprintf("ValCurs/Valute[%d]", fx.FeedQuotesMax+1)},
	}
	var messages strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quotes, err := fx.ParseCBR(tt.data, received)
			if err == nil {
				t.Fatalf("got %d quotes and no error, want %s", len(quotes), tt.rule)
			}
			if quotes != nil {
				t.Errorf("got %d quotes with the error, want none", len(quotes))
			}
			fe := feedError(t, err)
			if fe.Rule != tt.rule || fe.Element != tt.element || fe.Feed != fx.SourceCBR {
				t.Errorf("got rule %s element %q feed %q, want %s %q %q\n(%v)", fe.Rule, fe.Element, fe.Feed, tt.rule, tt.element, fx.SourceCBR, err)
			}
			if got := fx.RuleOf(err); got != tt.rule {
				t.Errorf("RuleOf: got %s, want %s", got, tt.rule)
			}
			fmt.Fprintf(&messages, "%s: %v\n", tt.name, err)
		})
	}
	checkGolden(t, "cbr-errors.golden", messages.String())
}

// cbrManyValutes returns a feed of n Valute elements with distinct codes
// (most unknown to the money table, so skipped but counted; never RUB).
func cbrManyValutes(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<ValCurs Date="14.10.2025">`)
	for i := 0; n > 0; i++ {
		code := string([]byte{'A' + byte(i/676%26), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		if code == "RUB" {
			continue
		}
		n--
		fmt.Fprintf(&b, "<Valute><CharCode>%s</CharCode><Nominal>1</Nominal><Value>1</Value></Valute>\n", code)
	}
	b.WriteString(`</ValCurs>`)
	return b.Bytes()
}

func TestParseCBRLimits(t *testing.T) {
	t.Run("QuotesAtTheLimit", func(t *testing.T) {
		data := cbrManyValutes(fx.FeedQuotesMax)
		quotes, err := fx.ParseCBR(data, received)
		if err != nil {
			t.Fatal(err)
		}
		// Only the codes in the money table come back.
		if len(quotes) == 0 || len(quotes) > len(money.Currencies()) {
			t.Errorf("got %d quotes, want 1 to %d", len(quotes), len(money.Currencies()))
		}
	})
	t.Run("BytesAtTheLimit", func(t *testing.T) {
		data := cbrDoc("14.10.2025", valute("USD", "1", "80,8548", ""))
		data = append(data, bytes.Repeat([]byte(" "), fx.FeedBytesMax-len(data))...)
		if len(data) != fx.FeedBytesMax {
			t.Fatalf("test feed is %d bytes, want %d", len(data), fx.FeedBytesMax)
		}
		if _, err := fx.ParseCBR(data, received); err != nil {
			t.Fatal(err)
		}
	})
}

// A feed of currencies Astara does not use is valid: no quotes, no error.
func TestParseCBROnlyUnknownCurrencies(t *testing.T) {
	quotes, err := fx.ParseCBR(cbrDoc("14.10.2025", valute("XDR", "1", "110,2356", ""), valute("VND", "10000", "30,6835", "0,00306835")), received)
	if err != nil || len(quotes) != 0 {
		t.Errorf("got %d quotes, %v; want none and no error", len(quotes), err)
	}
}

// Elements the format does not define are ignored, wherever they are.
func TestParseCBRIgnoresUnknownElements(t *testing.T) {
	data := cbrDoc("14.10.2025",
		`<Notice><p>Курсы <b>установлены</b></p></Notice>`,
		`<Valute ID="R01235"><CharCode>USD</CharCode><Extra a="1"><x/></Extra><Nominal>1</Nominal><Value>80,8548</Value></Valute>`)
	quotes, err := fx.ParseCBR(data, received)
	if err != nil {
		t.Fatal(err)
	}
	if len(quotes) != 1 || quotes[0].Rate != MustRate(t, "80.8548") {
		t.Errorf("got %v, want USD/RUB 80.8548", quotes)
	}
}

// Moscow's offset is taken from the zone database for the feed's date: UTC+4
// in 2012, UTC+3 since October 2014.
func TestParseCBRAsOfMoscowHistory(t *testing.T) {
	for _, tt := range []struct{ date, utc string }{
		{"14.10.2025", "2025-10-13T21:00:00Z"},
		{"01.07.2012", "2012-06-30T20:00:00Z"},
	} {
		quotes, err := fx.ParseCBR(cbrDoc(tt.date, valute("USD", "1", "31,9", "")), received)
		if err != nil {
			t.Fatal(err)
		}
		if got := quotes[0].AsOf.UTC().Format(time.RFC3339); got != tt.utc {
			t.Errorf("%s: got AsOf %s UTC, want %s", tt.date, got, tt.utc)
		}
	}
}
