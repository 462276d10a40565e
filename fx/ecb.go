package fx

import (
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"astara/money"
)

var eur = money.MustCode("EUR")

// ecbPublicationHour is when the ECB publishes its reference rates, in
// Europe/Berlin (Frankfurt) time: "around 16:00 CET" on TARGET days.
const ecbPublicationHour = 16

// ParseECB reads the European Central Bank's euro foreign exchange reference
// rates, the eurofxref format, with its three nested Cube levels:
//
//	<gesmes:Envelope ...>
//	  <Cube>
//	    <Cube time='2024-06-28'>
//	      <Cube currency='USD' rate='1.0705'/>
//	      ...
//
// Both the daily file (eurofxref-daily.xml, one dated Cube) and the history
// files (eurofxref-hist-90d.xml and the like, one dated Cube per day) are
// read; see FeedBytesMax and FeedQuotesMax for their size. The feed is UTF-8.
//
// Each rate Cube becomes a quote of Base = EUR, Quote = the currency, the
// rate exactly as written (a dot decimal, read by money.ParseRate), Source
// SourceECB, Received = received. AsOf is the Cube's date at 16:00
// Europe/Berlin, the time the ECB publishes the day's rates (they are set at
// the 14:10 CET concertation; 16:00 is when a reader can have them). Days
// come newest first, each day's rates in the order of the file.
//
// Currencies that are well-formed codes but not in the money table are
// skipped without an error (the ECB quotes about 30, IRR and RUB not among
// them). Elements the format does not define are ignored. Errors are
// *FeedError values naming the element, the line and the Rule; the feed is
// taken whole or not at all.
func ParseECB(data []byte, received time.Time) ([]Quote, error) {
	r, err := newFeedReader(SourceECB, data)
	if err != nil {
		return nil, err
	}
	if _, err := r.root("Envelope"); err != nil {
		return nil, err
	}
	received = received.Round(0)
	p := ecbParser{r: r, received: received, days: make(map[time.Time]int)}
	outer := false
	for {
		tok, err := r.token("Envelope")
		if err != nil {
			return nil, err
		}
		if _, ok := tok.(xml.EndElement); ok || tok == nil {
			break
		}
		start := tok.(xml.StartElement)
		if start.Name.Local != "Cube" {
			if err := r.skip("Envelope/" + start.Name.Local); err != nil {
				return nil, err
			}
			continue
		}
		if outer {
			return nil, r.fail("Envelope/Cube", RuleFeedSyntax, "", "is repeated")
		}
		outer = true
		if err := p.outerCube(); err != nil {
			return nil, err
		}
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	switch {
	case !outer:
		return nil, r.fail("Envelope/Cube", RuleFeedSyntax, "", "is missing")
	case p.entries == 0:
		return nil, r.fail("Envelope/Cube", RuleFeedEmpty, "", "has no rates")
	}
	// Newest first; a stable sort keeps each day's rates in file order.
	slices.SortStableFunc(p.quotes, func(a, b Quote) int { return b.AsOf.Compare(a.AsOf) })
	return p.quotes, nil
}

// ecbParser holds the state of one ParseECB.
type ecbParser struct {
	r        *feedReader
	received time.Time
	quotes   []Quote
	days     map[time.Time]int // day -> position of its Cube, for repeats
	entries  int               // rate Cubes read, for FeedQuotesMax
}

// outerCube reads the Cube that holds the dated Cubes.
func (p *ecbParser) outerCube() error {
	const path = "Envelope/Cube"
	return p.childCubes(path, func(start xml.StartElement, n int) error {
		return p.dayCube(start, indexed(path+"/Cube", n), n)
	})
}

// childCubes calls fn with each Cube element inside the element at path,
// numbered from 1, skipping other elements, until that element closes.
func (p *ecbParser) childCubes(path string, fn func(start xml.StartElement, n int) error) error {
	n := 0
	for {
		tok, err := p.r.token(path)
		if err != nil {
			return err
		}
		if tok == nil {
			return p.r.fail(path, RuleFeedSyntax, "", "is not closed")
		}
		if _, ok := tok.(xml.EndElement); ok {
			return nil
		}
		start := tok.(xml.StartElement)
		if start.Name.Local != "Cube" {
			if err := p.r.skip(path + "/" + start.Name.Local); err != nil {
				return err
			}
			continue
		}
		n++
		if err := fn(start, n); err != nil {
			return err
		}
	}
}

// dayCube reads a dated Cube whose start was just read.
func (p *ecbParser) dayCube(start xml.StartElement, path string, n int) error {
	dateText, ok := attr(start, "time")
	if !ok {
		return p.r.fail(path+"@time", RuleFeedDate, "", "is missing")
	}
	day, ok := parseDay(dateText, "2006-01-02")
	if !ok {
		return p.r.fail(path+"@time", RuleFeedDate, dateText, "is not a day written yyyy-mm-dd")
	}
	if first, ok := p.days[day]; ok {
		return p.r.fail(path+"@time", RuleFeedDate, dateText, fmt.Sprintf("repeats the day of Cube[%d]", first))
	}
	p.days[day] = n
	asOf := time.Date(day.Year(), day.Month(), day.Day(), ecbPublicationHour, 0, 0, 0, zoneBerlin)

	seen := make(map[money.Code]int)
	return p.childCubes(path, func(start xml.StartElement, i int) error {
		p.entries++
		rpath := indexed(path+"/Cube", i)
		if p.entries > FeedQuotesMax {
			return p.r.fail(rpath, RuleFeedTooManyQuotes, "", fmt.Sprintf("is more than FeedQuotesMax (%d) entries", FeedQuotesMax))
		}
		q, err := p.rateCube(start, rpath, seen, i)
		if err != nil {
			return err
		}
		if _, known := money.LookupCurrency(q.Quote); known {
			q.AsOf = asOf
			p.quotes = append(p.quotes, q)
		}
		return nil
	})
}

// rateCube reads a rate Cube whose start was just read.
func (p *ecbParser) rateCube(start xml.StartElement, path string, seen map[money.Code]int, i int) (Quote, error) {
	fail := func(element string, rule Rule, input, currency, detail string) (Quote, error) {
		e := p.r.fail(element, rule, input, detail)
		e.Currency = currency
		return Quote{}, e
	}
	codeText, ok := attr(start, "currency")
	if !ok {
		return fail(path+"@currency", RuleFeedSyntax, "", "", "is missing")
	}
	code, err := money.ParseCode(codeText)
	if err != nil {
		return fail(path+"@currency", RuleFeedValue, codeText, "", "is not three upper-case letters")
	}
	if code == eur {
		return fail(path+"@currency", RuleFeedValue, codeText, "", "is the euro itself")
	}
	if first, ok := seen[code]; ok {
		return fail(path+"@currency", RuleFeedValue, codeText, "", fmt.Sprintf("repeats the currency of Cube[%d]", first))
	}
	seen[code] = i
	rateText, ok := attr(start, "rate")
	if !ok {
		return fail(path+"@rate", RuleFeedSyntax, "", code.String(), "is missing")
	}
	rate, err := money.ParseRate(rateText)
	if err != nil {
		rule, _ := money.RuleOf(err)
		return fail(path+"@rate", RuleFeedValue, rateText, code.String(), "is not a positive decimal with a dot (money rule "+string(rule)+")")
	}
	// A rate Cube is empty: <Cube currency='USD' rate='1.0705'/>.
	text, err := p.r.text(path)
	if err != nil {
		return Quote{}, err
	}
	if text != "" {
		return fail(path, RuleFeedSyntax, text, code.String(), "is text inside a rate Cube")
	}
	return Quote{Base: eur, Quote: code, Rate: rate, Source: SourceECB, Received: p.received}, nil
}
