package fx

import (
	"encoding/xml"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"astara/money"
)

var rub = money.MustCode("RUB")

// ParseCBR reads the Bank of Russia's daily official rates, the XML_daily
// format (XML_daily_eng is the same with English names):
//
//	<ValCurs Date="14.10.2025" name="Foreign Currency Market">
//	  <Valute ID="R01300">
//	    <NumCode>364</NumCode><CharCode>IRR</CharCode><Nominal>100000</Nominal>
//	    <Name>Иранских риалов</Name><Value>13,7247</Value><VunitRate>1,37247E-04</VunitRate>
//	  </Valute>
//	  ...
//
// The bytes are as the Bank of Russia serves them: windows-1251 declared in
// the prolog; UTF-8 (declared or not) is read as well.
//
// Each Valute becomes a quote of Base = the foreign currency (CharCode),
// Quote = RUB, Source SourceCBR, Received = received. The rate is Value /
// Nominal computed exactly from the two (13,7247 RUB per 100000 IRR is
// 0.000137247 RUB per IRR). Nominals are powers of ten in practice, so the
// quotient terminates; if it ever needs more than money.RateScaleMax
// fraction digits it is rounded half-even to that many, which is a relative
// error far below any published digit.
//
// VunitRate, the Bank's own Value / Nominal, is printed with varying
// precision and sometimes in scientific notation ("4,81017E-05"), so it is
// never used as the rate. When present it is a cross-check: it must be
// within one unit in its last printed digit of the exact Value / Nominal, or
// the feed is rejected as contradicting itself.
//
// AsOf is the Date attribute at 00:00 Europe/Moscow: the day the rates take
// effect. The Bank sets them the working day before (USD and EUR at 15:30
// Moscow time), so a freshly fetched file is usually dated tomorrow; a Book
// does not use a quote before its AsOf. A rate stays in effect until the
// next setting, which after a weekend or the New Year holidays is several
// days later; the corridor's maximum age must allow for that.
//
// Numbers are read with a decimal comma (a dot is accepted too) and no
// grouping. Currencies that are well-formed codes but not in the money
// table (XDR, or VND in table version 2026-11) are skipped without an error:
// the feed carries about 50 currencies and Astara uses a few. Every entry is
// still checked, so a malformed entry for a skipped currency rejects the
// feed. Elements the format does not define are ignored.
//
// Quotes come in the order of the file. Errors are *FeedError values naming
// the element, the line and the Rule; the feed is taken whole or not at all.
func ParseCBR(data []byte, received time.Time) ([]Quote, error) {
	r, err := newFeedReader(SourceCBR, data)
	if err != nil {
		return nil, err
	}
	root, err := r.root("ValCurs")
	if err != nil {
		return nil, err
	}
	dateText, ok := attr(root, "Date")
	if !ok {
		return nil, r.fail("ValCurs@Date", RuleFeedDate, "", "is missing")
	}
	day, ok := parseDay(dateText, "02.01.2006")
	if !ok {
		return nil, r.fail("ValCurs@Date", RuleFeedDate, dateText, "is not a day written dd.mm.yyyy")
	}
	asOf := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, zoneMoscow)
	received = received.Round(0)

	var quotes []Quote
	seen := make(map[money.Code]int) // CharCode -> Valute position, for repeats
	entries := 0
	for {
		tok, err := r.token("ValCurs")
		if err != nil {
			return nil, err
		}
		if _, ok := tok.(xml.EndElement); ok || tok == nil {
			break
		}
		start := tok.(xml.StartElement)
		if start.Name.Local != "Valute" {
			if err := r.skip("ValCurs/" + start.Name.Local); err != nil {
				return nil, err
			}
			continue
		}
		entries++
		if entries > FeedQuotesMax {
			return nil, r.fail(indexed("ValCurs/Valute", entries), RuleFeedTooManyQuotes, "",
				fmt.Sprintf("is more than FeedQuotesMax (%d) entries", FeedQuotesMax))
		}
		path := indexed("ValCurs/Valute", entries)
		v, err := r.valute(path)
		if err != nil {
			return nil, err
		}
		base, rate, err := v.check(path)
		if err != nil {
			return nil, err
		}
		if first, ok := seen[base]; ok {
			return nil, v.fail(path+"/CharCode", v.charCode, RuleFeedValue,
				fmt.Sprintf("repeats the currency of Valute[%d]", first))
		}
		seen[base] = entries
		if _, known := money.LookupCurrency(base); !known {
			continue
		}
		quotes = append(quotes, Quote{Base: base, Quote: rub, Rate: rate, Source: SourceCBR, AsOf: asOf, Received: received})
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if entries == 0 {
		return nil, r.fail("ValCurs", RuleFeedEmpty, "", "has no Valute")
	}
	return quotes, nil
}

// cbrField is one child element of a Valute as read.
type cbrField struct {
	text string
	line int
	set  bool
}

// cbrValute is one Valute as read, before its values are checked.
type cbrValute struct {
	feed                                *feedReader
	endLine                             int
	charCode, nominal, value, vunitRate cbrField
	currency                            string // CharCode once it is well formed
}

// valute reads a Valute whose start was just read, up to its end.
func (r *feedReader) valute(path string) (*cbrValute, error) {
	v := &cbrValute{feed: r}
	for {
		tok, err := r.token(path)
		if err != nil {
			return nil, err
		}
		if tok == nil {
			return nil, r.fail(path, RuleFeedSyntax, "", "is not closed")
		}
		if _, ok := tok.(xml.EndElement); ok {
			v.endLine = r.line()
			return v, nil
		}
		start := tok.(xml.StartElement)
		var f *cbrField
		switch start.Name.Local {
		case "CharCode":
			f = &v.charCode
		case "Nominal":
			f = &v.nominal
		case "Value":
			f = &v.value
		case "VunitRate":
			f = &v.vunitRate
		default: // NumCode, Name, and anything added later.
			if err := r.skip(path + "/" + start.Name.Local); err != nil {
				return nil, err
			}
			continue
		}
		child := path + "/" + start.Name.Local
		if f.set {
			return nil, r.fail(child, RuleFeedSyntax, "", "is repeated")
		}
		line := r.line()
		text, err := r.text(child)
		if err != nil {
			return nil, err
		}
		*f = cbrField{text: text, line: line, set: true}
	}
}

// fail returns a *FeedError for the field of v at path.
func (v *cbrValute) fail(path string, f cbrField, rule Rule, detail string) *FeedError {
	line := f.line
	if !f.set {
		line = v.endLine
	}
	return &FeedError{Feed: v.feed.feed, Line: line, Element: path, Currency: v.currency, Input: f.text, Rule: rule, Detail: detail}
}

// check validates v's values and returns its currency and its exact rate.
func (v *cbrValute) check(path string) (money.Code, money.Rate, error) {
	for _, f := range []struct {
		name  string
		field cbrField
	}{{"CharCode", v.charCode}, {"Nominal", v.nominal}, {"Value", v.value}} {
		if !f.field.set {
			return money.Code{}, money.Rate{}, v.fail(path+"/"+f.name, f.field, RuleFeedSyntax, "is missing")
		}
	}
	base, err := money.ParseCode(v.charCode.text)
	if err != nil {
		return money.Code{}, money.Rate{}, v.fail(path+"/CharCode", v.charCode, RuleFeedValue, "is not three upper-case letters")
	}
	v.currency = base.String()
	if base == rub {
		return money.Code{}, money.Rate{}, v.fail(path+"/CharCode", v.charCode, RuleFeedValue, "is the rouble itself")
	}
	nominal, ok := parseNominal(v.nominal.text)
	if !ok {
		return money.Code{}, money.Rate{}, v.fail(path+"/Nominal", v.nominal, RuleFeedValue, "is not a positive whole number")
	}
	value, ok := parseFeedNumber(v.value.text)
	if !ok {
		return money.Code{}, money.Rate{}, v.fail(path+"/Value", v.value, RuleFeedValue, "is not a decimal number")
	}
	if value.coef.Sign() == 0 {
		return money.Code{}, money.Rate{}, v.fail(path+"/Value", v.value, RuleFeedValue, "is zero")
	}
	// The exact rate: Value / Nominal.
	num, den := value.ratio()
	den.Mul(den, new(big.Int).SetUint64(nominal))
	rate, _, err := rateFromRatio(num, den, money.RateScaleMax)
	if err != nil {
		return money.Code{}, money.Rate{}, v.fail(path+"/Value", v.value, RuleFeedValue,
			fmt.Sprintf("divided by the nominal %d %s", nominal, rateErrorDetail(err)))
	}
	if v.vunitRate.set {
		unit, ok := parseFeedNumber(v.vunitRate.text)
		switch {
		case !ok:
			return money.Code{}, money.Rate{}, v.fail(path+"/VunitRate", v.vunitRate, RuleFeedValue, "is not a decimal number")
		case !unit.withinOneUnit(num, den):
			return money.Code{}, money.Rate{}, v.fail(path+"/VunitRate", v.vunitRate, RuleFeedValue,
				fmt.Sprintf("is not Value / Nominal (%s / %d = %s) to within one unit in its last digit", v.value.text, nominal, rate))
		}
	}
	return base, rate, nil
}

// parseNominal reads a Nominal: ASCII digits for a whole number from 1 to
// the largest uint64.
func parseNominal(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

// rateErrorDetail words a rounding failure of rateFromRatio.
func rateErrorDetail(err error) string {
	if r, _ := money.RuleOf(err); r == money.RuleRateZero {
		return fmt.Sprintf("rounds to zero at %d fraction digits", money.RateScaleMax)
	}
	return "needs a coefficient beyond 128 bits"
}

// parseDay reads a date in layout ("02.01.2006", "2006-01-02") exactly: two-
// digit day and month, four-digit year from 0001, a day that exists.
func parseDay(s, layout string) (time.Time, bool) {
	if len(s) != len(layout) {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if isDigit(layout[i]) != isDigit(s[i]) || (!isDigit(s[i]) && s[i] != layout[i]) {
			return time.Time{}, false
		}
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1 {
		return time.Time{}, false
	}
	return t, true
}

// skip skips the element whose start was just read.
func (r *feedReader) skip(path string) error {
	if err := r.d.Skip(); err != nil {
		return r.fail(path, RuleFeedSyntax, "", "is not well-formed XML: "+err.Error())
	}
	return nil
}
