package fx

import (
	"time"

	"astara/money"
)

// The sources whose feeds this package reads. A source name is what a
// corridor configures and what every quote carries; operators may enter
// quotes under other names ("cbi", "ice", "manual").
const (
	// SourceCBR is the Bank of Russia's official rates (XML_daily).
	SourceCBR = "cbr"
	// SourceECB is the European Central Bank's euro reference rates.
	SourceECB = "ecb"
)

// SourceLenMax is the longest source name, in bytes. A source name is 1 to
// SourceLenMax bytes of lower-case ASCII letters, digits, '_' and '-'.
const SourceLenMax = 32

// Quote is one exchange rate: how many units of Quote one unit of Base buys,
// according to Source at a time.
//
// Its JSON form (for journals, snapshots and the API) names the fields in
// snake case and leaves out inverted, derived and via when unset.
//
// Quotes that feeds and operators supply are direct: Inverted and Derived
// are false and Via is zero, and only such quotes go into a Book. Book.Lookup
// may answer with a computed one, marked as such.
type Quote struct {
	// Base and Quote are the pair: Rate is units of Quote per 1 Base, in
	// major units (RUB per USD for Base USD, Quote RUB).
	Base  money.Code `json:"base"`
	Quote money.Code `json:"quote"`
	// Rate is the rate, exactly as the source gave it for a direct quote.
	Rate money.Rate `json:"rate"`
	// Source names who set the rate (SourceCBR, SourceECB, an operator's
	// source such as "cbi"). Iran has several official rates at once, so a
	// rate without its source means nothing.
	Source string `json:"source"`
	// AsOf is when the source set the rate, or the day it takes effect at
	// 00:00 in the source's zone; each feed parser documents which. Freshness
	// is measured from it, and a quote is not used before it.
	AsOf time.Time `json:"as_of"`
	// Received is when Astara got the rate (when the feed was fetched, when
	// the operator entered it).
	Received time.Time `json:"received"`
	// Inverted marks a rate Book.Lookup computed as 1 / the source's quote of
	// the opposite direction (RUB per IRR from IRR per RUB). It is the
	// source's rate in substance, rounded to the scale asked for.
	Inverted bool `json:"inverted,omitempty"`
	// Derived marks a cross rate Book.Lookup computed through a third
	// currency, Via, from two quotes of the same source. It is used only
	// where the corridor allows it.
	Derived bool `json:"derived,omitempty"`
	// Via is the third currency of a Derived quote; zero otherwise.
	Via money.Code `json:"via,omitzero"`
}

// String writes q for logs and tests:
// "USD/RUB 80.8548 cbr as of 2025-10-14T00:00:00+03:00", with "inverted" or
// "derived via USD" appended for a computed quote.
func (q Quote) String() string {
	s := pairString(q.Base, q.Quote) + " " + q.Rate.String() + " " + q.Source + " as of " + q.AsOf.Format(time.RFC3339)
	if q.Inverted {
		s += " inverted"
	}
	if q.Derived {
		s += " derived via " + q.Via.String()
	}
	return s
}

// validSource reports whether s is a valid source name.
func validSource(s string) bool {
	if len(s) == 0 || len(s) > SourceLenMax {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
