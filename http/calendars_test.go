package http_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"astara/calendar"
)

// The JSON of the calendar API, as the tests read it.
type (
	dayOut struct {
		Date        string `json:"date"`
		BusinessDay bool   `json:"business_day"`
		Reason      string `json:"reason"`
		Name        string `json:"name"`
	}
	listingOut struct {
		Country string   `json:"country"`
		Days    []dayOut `json:"days"`
	}
	valueDateOut struct {
		Corridor  string `json:"corridor"`
		At        string `json:"at"`
		ValueDate string `json:"value_date"`
		Deadline  string `json:"deadline"`
	}
	closureIn struct {
		Date    string `json:"date"`
		Through string `json:"through,omitempty"`
		Name    string `json:"name"`
		Scope   string `json:"scope,omitempty"`
		Source  string `json:"source,omitempty"`
	}
	closureOut struct {
		Country     string `json:"country"`
		Date        string `json:"date"`
		Through     string `json:"through"`
		Name        string `json:"name"`
		Scope       string `json:"scope"`
		Source      string `json:"source"`
		Version     uint64 `json:"version"`
		DeclaredBy  string `json:"declared_by"`
		DeclaredAt  string `json:"declared_at"`
		Rescheduled int    `json:"rescheduled"`
	}
)

// MustCalendar GETs a country's days from..to.
func MustCalendar(tb testing.TB, s *testServer, country, from, to string) listingOut {
	tb.Helper()
	var l listingOut
	s.MustGetJSON(tb, "/v1/calendars/"+country+"?from="+from+"&to="+to, &l)
	return l
}

// MustValueDate GETs the value date of a corridor at an instant.
func MustValueDate(tb testing.TB, s *testServer, corridor, at string) valueDateOut {
	tb.Helper()
	var v valueDateOut
	s.MustGetJSON(tb, "/v1/calendars/value-date?corridor="+corridor+"&at="+url.QueryEscape(at), &v)
	return v
}

func TestCalendarDays(t *testing.T) {
	s := NewTestServer(t)
	t.Run("RussiasNewYearHolidays2026", func(t *testing.T) {
		got := MustCalendar(t, s, "RU", "2026-01-01", "2026-01-12")
		holiday := func(date, name string) dayOut { return dayOut{Date: date, Reason: "holiday", Name: name} }
		want := listingOut{Country: "RU", Days: []dayOut{
			holiday("2026-01-01", "New Year holidays"),
			holiday("2026-01-02", "New Year holidays"),
			holiday("2026-01-03", "New Year holidays"), // a Saturday: the holiday, not the weekend, is the reason
			holiday("2026-01-04", "New Year holidays"),
			holiday("2026-01-05", "New Year holidays"),
			holiday("2026-01-06", "New Year holidays"),
			holiday("2026-01-07", "Orthodox Christmas"),
			holiday("2026-01-08", "New Year holidays"),
			{Date: "2026-01-09", Reason: "transfer", Name: "Day off transferred from 2026-01-03"},
			{Date: "2026-01-10", Reason: "weekend"},
			{Date: "2026-01-11", Reason: "weekend"},
			{Date: "2026-01-12", BusinessDay: true},
		}}
		if !slices.Equal(got.Days, want.Days) || got.Country != want.Country {
			t.Fatalf("RU 2026-01-01..12:\ngot  %+v\nwant %+v", got, want)
		}
	})
	t.Run("IransNowruz1405", func(t *testing.T) {
		// 1 Farvardin 1405 is Saturday 21 March 2026; Eid al-Fitr falls
		// on the same days.
		got := MustCalendar(t, s, "ir", "2026-03-19", "2026-03-25")
		want := []dayOut{
			{Date: "2026-03-19", BusinessDay: true}, // Thursday: a short day, but open
			{Date: "2026-03-20", Reason: "holiday", Name: "Oil Industry Nationalisation Day"},
			{Date: "2026-03-21", Reason: "holiday", Name: "Eid al-Fitr; Nowruz (New Year)"},
			{Date: "2026-03-22", Reason: "holiday", Name: "Eid al-Fitr holiday; Nowruz holiday"},
			{Date: "2026-03-23", Reason: "holiday", Name: "Nowruz holiday"},
			{Date: "2026-03-24", Reason: "holiday", Name: "Nowruz holiday"},
			{Date: "2026-03-25", BusinessDay: true},
		}
		if got.Country != "IR" || !slices.Equal(got.Days, want) {
			t.Fatalf("IR around Nowruz 1405:\ngot  %+v\nwant %+v", got, want)
		}
	})
	t.Run("AYearWithoutDataIsNotAYearWithoutHolidays", func(t *testing.T) {
		p := MustProblem(t, s.Do(t, "GET", "/v1/calendars/RU?from=2027-12-30&to=2028-01-02", nil), http.StatusUnprocessableEntity, "calendar_no_data", "")
		if !strings.Contains(p.Detail, "RU year 2028") {
			t.Fatalf("detail: got %q, want the missing year named", p.Detail)
		}
		// Iran's data years are Solar Hijri: 1407 begins on 20 March 2028.
		p = MustProblem(t, s.Do(t, "GET", "/v1/calendars/IR?from=2028-03-19&to=2028-03-20", nil), http.StatusUnprocessableEntity, "calendar_no_data", "")
		if !strings.Contains(p.Detail, "IR year 1407") {
			t.Fatalf("detail: got %q, want the missing Solar Hijri year named", p.Detail)
		}
	})
	t.Run("BadQueries", func(t *testing.T) {
		for _, c := range []struct {
			query, code, field string
			status             int
		}{
			{"/v1/calendars/RU?to=2026-01-12", "date_syntax", "from", 400},
			{"/v1/calendars/RU?from=2026-01-01&to=12.01.2026", "date_syntax", "to", 400},
			{"/v1/calendars/RU?from=2026-02-30&to=2026-03-01", "date_invalid", "from", 400},
			{"/v1/calendars/RU?from=2026-01-12&to=2026-01-01", "calendar_range_invalid", "to", 400},
			{"/v1/calendars/RU?from=2025-01-01&to=2027-12-31", "calendar_range_invalid", "to", 400},
			{"/v1/calendars/DE?from=2026-01-01&to=2026-01-12", "calendar_country_unknown", "country", 404},
			{"/v1/calendars/DE/ics", "calendar_country_unknown", "country", 404},
		} {
			MustProblem(t, s.Do(t, "GET", c.query, nil), c.status, c.code, c.field)
		}
	})
	t.Run("AnyoneWithAKeyReads", func(t *testing.T) {
		MustProblem(t, s.DoToken(t, "GET", "/v1/calendars/RU?from=2026-01-01&to=2026-01-02", nil, ""), http.StatusUnauthorized, "unauthenticated", "")
		n := newNetwork(t)
		var l listingOut
		MustJSON(t, n.As(t, caspian, "GET", "/v1/calendars/RU?from=2026-01-01&to=2026-01-02", nil), http.StatusOK, &l)
		var v valueDateOut
		MustJSON(t, n.As(t, volga, "GET", "/v1/calendars/value-date?corridor=RUB-IRR", nil), http.StatusOK, &v)
		if v.At != t0.Format(time.RFC3339) || v.ValueDate != "2026-03-10" {
			t.Fatalf("value date now: got %+v, want at the fake clock's now, 2026-03-10", v)
		}
	})
}

func TestCalendarValueDate(t *testing.T) {
	s := NewTestServer(t)
	const thursdayAfternoonTehran = "2026-03-19T15:00:00+03:30" // 14:30 in Moscow
	t.Run("RUBIRRThursdayAfternoonBeforeNowruz", func(t *testing.T) {
		// Accepted on Thursday in Moscow; Friday is Iran's weekend and a
		// holiday, Saturday to Tuesday Nowruz (and Russia's weekend): the
		// value date is Wednesday, due at the close of Tehran's banks.
		got := MustValueDate(t, s, "RUB-IRR", thursdayAfternoonTehran)
		want := valueDateOut{Corridor: "RUB-IRR", At: thursdayAfternoonTehran, ValueDate: "2026-03-25", Deadline: "2026-03-25T13:30:00+03:30"}
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("IRRRUBThursdayAfterTehransCutoff", func(t *testing.T) {
		// Tehran's Thursday closes at 12:30: a payment at 15:00 counts
		// from the next Iranian business day, Wednesday after Nowruz, and
		// is due on Thursday at the close of Moscow's banks.
		got := MustValueDate(t, s, "IRR-RUB", thursdayAfternoonTehran)
		want := valueDateOut{Corridor: "IRR-RUB", At: thursdayAfternoonTehran, ValueDate: "2026-03-26", Deadline: "2026-03-26T21:00:00+03:00"}
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		if got := MustValueDate(t, s, "IRR-RUB", "2026-03-19T11:00:00+03:30"); got.ValueDate != "2026-03-25" {
			t.Fatalf("before the cut-off: got %s, want 2026-03-25", got.ValueDate)
		}
	})
	t.Run("BadQueries", func(t *testing.T) {
		for _, c := range []struct {
			query, code, field string
			status             int
		}{
			{"corridor=RUBIRR", "corridor_invalid", "corridor", 400},
			{"corridor=RUB-RUX", "currency_unknown", "corridor", 400},
			{"corridor=RUB-USD", "calendar_country_unknown", "corridor", 422},
			{"corridor=RUB-IRR&at=2026-03-19T15:00:00", "time_syntax", "at", 400},
			{"corridor=RUB-IRR&at=" + url.QueryEscape("2028-06-01T12:00:00+03:00"), "calendar_no_data", "at", 422},
		} {
			MustProblem(t, s.Do(t, "GET", "/v1/calendars/value-date?"+c.query, nil), c.status, c.code, c.field)
		}
	})
}

func TestCalendarClosures(t *testing.T) {
	n := newNetwork(t)
	const at = "2026-03-19T15:00:00+03:30"
	if got := MustValueDate(t, n.testServer, "RUB-IRR", at); got.ValueDate != "2026-03-25" {
		t.Fatalf("before the closure: got %s, want 2026-03-25", got.ValueDate)
	}
	t.Run("AParticipantCannotDeclareOne", func(t *testing.T) {
		MustProblem(t, n.As(t, volga, "POST", "/v1/calendars/IR/closures", closureIn{Date: "2026-03-25", Name: "Snow"}),
			http.StatusUnauthorized, "invalid_token", "")
		if got := MustValueDate(t, n.testServer, "RUB-IRR", at); got.ValueDate != "2026-03-25" {
			t.Fatalf("after the refused closure: got %s, want 2026-03-25", got.ValueDate)
		}
	})

	var c closureOut
	MustJSON(t, n.Do(t, "POST", "/v1/calendars/ir/closures", closureIn{Date: "2026-03-25", Name: "Heavy snow in Tehran"}), http.StatusCreated, &c)
	want := closureOut{Country: "IR", Date: "2026-03-25", Name: "Heavy snow in Tehran", Scope: "national", Source: "operator",
		Version: c.Version, DeclaredBy: "operator", DeclaredAt: t0.Format(time.RFC3339Nano)}
	if c != want || c.Version == 0 {
		t.Fatalf("closure: got %+v, want %+v", c, want)
	}

	t.Run("TheDayIsClosed", func(t *testing.T) {
		got := MustCalendar(t, n.testServer, "IR", "2026-03-25", "2026-03-25")
		if want := []dayOut{{Date: "2026-03-25", Reason: "closure", Name: "Heavy snow in Tehran"}}; !slices.Equal(got.Days, want) {
			t.Fatalf("2026-03-25: got %+v, want %+v", got.Days, want)
		}
	})
	t.Run("TheNextValueDateMoves", func(t *testing.T) {
		// Thursday the 26th counts on this corridor, with Tehran's short
		// hours.
		got := MustValueDate(t, n.testServer, "RUB-IRR", at)
		if got.ValueDate != "2026-03-26" || got.Deadline != "2026-03-26T12:30:00+03:30" {
			t.Fatalf("after the closure: got %+v, want 2026-03-26 by 12:30 in Tehran", got)
		}
		n.PutCorridor(t, "RUB-IRR", map[string]any{"thursday_is_business_day": false})
		if got := MustValueDate(t, n.testServer, "RUB-IRR", at); got.ValueDate != "2026-03-30" {
			t.Fatalf("without Thursdays: got %s, want Monday 2026-03-30 (Friday is Iran's weekend, Saturday and Sunday Russia's)", got.ValueDate)
		}
	})
	t.Run("QuotesUseIt", func(t *testing.T) {
		n.PutCorridor(t, "RUB-IRR", map[string]any{"thursday_is_business_day": true})
		// Before the Iranian closure of 1 to 7 March is over, quotes are due
		// on the 10th; an extra closure on the 10th moves them to the 12th
		// (the 11th is a holiday).
		MustJSON(t, n.Do(t, "POST", "/v1/calendars/IR/closures", closureIn{Date: "2026-03-10", Name: "Air pollution", Source: "Tehran governorate"}),
			http.StatusCreated, &c)
		if c.Source != "Tehran governorate" {
			t.Fatalf("source: got %q, want the announcement's", c.Source)
		}
		q := n.MustQuote(t, volga, rubQuote("1000.00"))
		if q.ValueDate != "2026-03-12" || q.Deadline != "2026-03-12T12:30:00+03:30" {
			t.Fatalf("quote: got %s %s, want 2026-03-12 by 12:30 in Tehran", q.ValueDate, q.Deadline)
		}
	})
	t.Run("BadClosures", func(t *testing.T) {
		for _, c := range []struct {
			name        string
			path        string
			body        any
			status      int
			code, field string
		}{
			{"DateInvalid", "/v1/calendars/IR/closures", closureIn{Date: "2026-02-30", Name: "X"}, 400, "date_invalid", "date"},
			{"ThroughNotADate", "/v1/calendars/IR/closures", closureIn{Date: "2026-04-05", Through: "soon", Name: "X"}, 400, "date_syntax", "through"},
			{"Reversed", "/v1/calendars/IR/closures", closureIn{Date: "2026-04-05", Through: "2026-04-04", Name: "X"}, 400, "calendar_range_too_long", "through"},
			{"WithoutName", "/v1/calendars/IR/closures", closureIn{Date: "2026-04-05"}, 400, "calendar_field_missing", "name"},
			{"ScopeUnknown", "/v1/calendars/IR/closures", closureIn{Date: "2026-04-05", Name: "X", Scope: "planet"}, 400, "scope_invalid", "scope"},
			{"InAYearWithoutData", "/v1/calendars/RU/closures", closureIn{Date: "2028-01-10", Name: "X"}, 422, "calendar_no_data", ""},
			{"Again", "/v1/calendars/IR/closures", closureIn{Date: "2026-03-25", Name: "Heavy snow in Tehran"}, 409, "calendar_entry_exists", ""},
			{"UnknownCountry", "/v1/calendars/DE/closures", closureIn{Date: "2026-04-05", Name: "X"}, 404, "calendar_country_unknown", "country"},
			{"UnknownField", "/v1/calendars/IR/closures", map[string]string{"date": "2026-04-05", "name": "X", "reason": "snow"}, 400, "json_invalid", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := n.Do(t, "GET", "/v1/calendars/IR/ics", nil).Body
				MustProblem(t, n.Do(t, "POST", c.path, c.body), c.status, c.code, c.field)
				if after := n.Do(t, "GET", "/v1/calendars/IR/ics", nil).Body; !bytes.Equal(after, before) {
					t.Fatalf("the refused closure changed the calendar")
				}
			})
		}
	})
	t.Run("TheICSExportHasIt", func(t *testing.T) {
		resp := n.Do(t, "GET", "/v1/calendars/IR/ics", nil)
		ds := MustICS(t, resp)
		if ds.Country != "IR" {
			t.Fatalf("country: got %q, want IR", ds.Country)
		}
		found := false
		for _, e := range ds.Entries {
			if e.Date.String() == "2026-03-25" && e.Kind == calendar.KindClosure && e.Name == "Heavy snow in Tehran" {
				found = true
			}
		}
		if !found {
			t.Fatalf("the closure of 2026-03-25 is not in the export")
		}
	})
}

func TestCalendarICS(t *testing.T) {
	s := NewTestServer(t)
	resp := s.Do(t, "GET", "/v1/calendars/RU/ics", nil)
	ds := MustICS(t, resp)
	var transfer *calendar.Entry
	for i, e := range ds.Entries {
		if e.Date.String() == "2026-01-09" {
			transfer = &ds.Entries[i]
		}
	}
	if ds.Country != "RU" || transfer == nil || transfer.Kind != calendar.KindTransfer {
		t.Fatalf("RU export: got country %q and 2026-01-09 %+v, want RU and the transferred day off", ds.Country, transfer)
	}
	// The export loads back into a calendar that answers as the server's.
	set, err := calendar.NewSet(calendar.Russia())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Load(ds, calendar.Edit{By: "test", At: t0}); err != nil {
		t.Fatalf("load the export: %v", err)
	}
	from, _ := calendar.ParseDate("2026-01-01")
	to, _ := calendar.ParseDate("2026-01-12")
	back, err := set.Days("RU", from, to)
	if err != nil {
		t.Fatal(err)
	}
	served := MustCalendar(t, s, "RU", "2026-01-01", "2026-01-12")
	for i, d := range back.Days {
		got := dayOut{Date: d.Date.String(), BusinessDay: d.BusinessDay, Reason: string(d.Reason), Name: d.Name}
		if got != served.Days[i] {
			t.Fatalf("%s from the export: got %+v, want %+v", got.Date, got, served.Days[i])
		}
	}
}

// MustICS requires an iCalendar answer and parses it.
func MustICS(tb testing.TB, resp response) calendar.Dataset {
	tb.Helper()
	if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		tb.Fatalf("ics: got %d %q, want 200 text/calendar", resp.Status, resp.Header.Get("Content-Type"))
	}
	if !bytes.HasPrefix(resp.Body, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(resp.Body, []byte("END:VCALENDAR\r\n")) {
		tb.Fatalf("ics: got %.60q...%q, want BEGIN:VCALENDAR to END:VCALENDAR with CRLF", resp.Body, resp.Body[max(0, len(resp.Body)-20):])
	}
	ds, err := calendar.ReadICS(bytes.NewReader(resp.Body))
	if err != nil {
		tb.Fatalf("ics does not parse: %v", err)
	}
	return ds
}
