package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"astara/calendar"
	"astara/payments"
)

func (s *Server) registerCalendars() {
	s.route("GET /v1/calendars/value-date", s.anyone(s.getValueDate))
	s.route("GET /v1/calendars/{country}", s.anyone(s.getCalendar))
	s.route("GET /v1/calendars/{country}/ics", s.anyone(s.getCalendarICS))
	s.route("POST /v1/calendars/{country}/closures", s.admin(s.declareClosure))
	s.route("POST /v1/calendars/{country}/data", s.admin(s.loadCalendarData))
	s.route("GET /v1/calendars/audit", s.admin(s.calendarAudit))
	s.route("POST /v1/calendars/{country}/confirmations", s.admin(s.confirmCalendarEntry))
}

// calendarProblem maps a calendar error to a problem. The calendar's rules
// are already the API's stable codes ("calendar_no_data", "date_syntax").
// field names the parameter at fault; "" takes the field a data error
// names, and an unknown country is always the country's fault.
func calendarProblem(err error, field string) *Problem {
	code := string(calendar.RuleOf(err))
	if code == "" {
		code = "calendar_error"
	}
	var de *calendar.DataError
	if field == "" && errors.As(err, &de) {
		field = de.Field
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, calendar.ErrUnknownCountry):
		status, field = http.StatusNotFound, "country"
	case errors.Is(err, calendar.ErrNoData):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, calendar.ErrExists):
		status = http.StatusConflict
	case errors.Is(err, calendar.ErrNotFound):
		status = http.StatusNotFound
	}
	return problem(status, code, field, "%v", err)
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request, _ caller) {
	country := strings.ToUpper(r.PathValue("country"))
	q := r.URL.Query()
	from, err := calendar.ParseDate(q.Get("from"))
	if err != nil {
		writeProblem(w, calendarProblem(err, "from"))
		return
	}
	to, err := calendar.ParseDate(q.Get("to"))
	if err != nil {
		writeProblem(w, calendarProblem(err, "to"))
		return
	}
	listing, err := s.calendars.Days(country, from, to)
	if err != nil {
		// A range too long or reversed is to's fault; a date without data
		// is no one field's.
		field := ""
		if errors.Is(err, calendar.ErrInvalidQuery) {
			field = "to"
		}
		writeProblem(w, calendarProblem(err, field))
		return
	}
	writeJSON(w, http.StatusOK, listing)
}

func (s *Server) getCalendarICS(w http.ResponseWriter, r *http.Request, _ caller) {
	c, err := s.calendars.Country(strings.ToUpper(r.PathValue("country")))
	if err != nil {
		writeProblem(w, calendarProblem(err, "country"))
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	c.WriteICS(w, s.now())
}

func (s *Server) getValueDate(w http.ResponseWriter, r *http.Request, _ caller) {
	q := r.URL.Query()
	at := s.now()
	if v := q.Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeProblem(w, problem(http.StatusBadRequest, "time_syntax", "at", "at must be an RFC 3339 time with an offset"))
			return
		}
		at = t
	}
	src, tgt, ok := strings.Cut(q.Get("corridor"), "-")
	if !ok {
		writeProblem(w, problem(http.StatusBadRequest, "corridor_invalid", "corridor", "corridor is SOURCE-TARGET currencies, such as RUB-IRR"))
		return
	}
	sc, p := parseCurrency(src, fp("corridor"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	tc, p := parseCurrency(tgt, fp("corridor"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	cor := DefaultCorridor(sc.Code, tc.Code)
	s.paymentsView(func(m *payments.Machine) {
		if c, ok := m.Corridor(sc.Code.String() + "-" + tc.Code.String()); ok {
			cor = c
		}
	})
	sourceCountry, targetCountry := currencyCountry(sc.Code.String()), currencyCountry(tc.Code.String())
	if sourceCountry == "" || targetCountry == "" {
		writeProblem(w, problem(http.StatusUnprocessableEntity, string(calendar.RuleCountryUnknown), "corridor", "no calendar for the countries of %s-%s", sc.Code, tc.Code))
		return
	}
	c := calendar.NewCorridor(sourceCountry, targetCountry)
	c.SettlementDays = cor.SettlementDays
	c.CountShortWeekday = cor.ThursdayIsBusinessDay
	d, deadline, err := s.calendars.ValueDate(c, at)
	if err != nil {
		writeProblem(w, calendarProblem(err, "at"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"corridor": cor.Name(), "at": at.Format(time.RFC3339),
		"value_date": d.String(), "deadline": deadline.Format(time.RFC3339)})
}

// currencyCountry names the country whose calendar governs a currency's
// side of a corridor, for the currencies that have one.
func currencyCountry(code string) string {
	switch code {
	case "RUB":
		return "RU"
	case "IRR":
		return "IR"
	case "INR":
		return "IN"
	case "AZN":
		return "AZ"
	case "CNY":
		return "CN"
	}
	return ""
}

func (s *Server) declareClosure(w http.ResponseWriter, r *http.Request) {
	country := strings.ToUpper(r.PathValue("country"))
	var req struct {
		Date    string `json:"date"`
		Through string `json:"through"`
		Name    string `json:"name"`
		Scope   string `json:"scope"`
		Source  string `json:"source"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	c := calendar.Closure{Name: req.Name, Source: req.Source}
	var err error
	if c.Date, err = calendar.ParseDate(req.Date); err != nil {
		writeProblem(w, calendarProblem(err, "date"))
		return
	}
	if req.Through != "" {
		if c.Through, err = calendar.ParseDate(req.Through); err != nil {
			writeProblem(w, calendarProblem(err, "through"))
			return
		}
	}
	if req.Scope != "" {
		scope, ok := calendar.ParseScope(req.Scope)
		if !ok {
			writeProblem(w, problem(http.StatusBadRequest, "scope_invalid", "scope", "scope is national, province:NAME or bank:BIC"))
			return
		}
		c.Scope = scope
	}
	rec, err := s.calendars.DeclareClosure(country, c, calendar.Edit{By: "operator", At: s.now()})
	if err != nil {
		writeProblem(w, calendarProblem(err, ""))
		return
	}
	if p := s.recordCalendarChange(r.Context(), CalendarChange{Kind: "closure", Country: country, At: rec.At, Date: req.Date,
		Through: req.Through, Name: req.Name, Scope: req.Scope, Source: req.Source}); p != nil {
		writeProblem(w, p)
		return
	}
	out := closureResponse{Country: rec.Country, Date: c.Date.String(), Name: c.Name, Scope: string(calendar.ScopeNational),
		Source: "operator", Version: rec.Version, DeclaredBy: rec.By, DeclaredAt: rec.At.Format(time.RFC3339Nano)}
	if !c.Through.IsZero() {
		out.Through = c.Through.String()
	}
	if c.Scope != "" {
		out.Scope = string(c.Scope)
	}
	if c.Source != "" {
		out.Source = c.Source
	}
	moved, p := s.rescheduleReserved(r.Context(), "closure: "+c.Name)
	if p != nil {
		writeProblem(w, p)
		return
	}
	out.Rescheduled = moved
	writeJSON(w, http.StatusCreated, out)
}

// rescheduleReserved asks the calendars again for the value date and
// deadline of every reserved payment, as of its creation, and moves those
// that changed. It returns how many moved.
func (s *Server) rescheduleReserved(ctx context.Context, reason string) (int, *Problem) {
	var changes []payments.Reschedule
	s.paymentsView(func(m *payments.Machine) {
		m.Unfinished(func(p *payments.Payment) bool {
			if p.Status != payments.StatusReserved {
				return true
			}
			cor, ok := m.Corridor(p.Source.String() + "-" + p.Target.String())
			sender, ok1 := m.Participant(p.Sender)
			receiver, ok2 := m.Participant(p.Receiver)
			if !ok || !ok1 || !ok2 {
				return true
			}
			valueDate, deadline, pr := s.valueDate(&cor, sender.Country, receiver.Country, p.CreatedAt)
			if pr != nil || (valueDate == p.ValueDate && deadline.Equal(p.Deadline)) {
				return true
			}
			changes = append(changes, payments.Reschedule{UETR: p.UETR, ValueDate: valueDate, Deadline: deadline})
			return true
		})
	})
	moved := 0
	for len(changes) > 0 {
		n := min(len(changes), payments.ReschedulePaymentsMax)
		reply, p := s.submit(ctx, &payments.RescheduleDeadlines{Payments: changes[:n], By: "operator", Reason: reason})
		if p != nil {
			return moved, p
		}
		moved += len(reply.(*payments.RescheduleResult).Moved)
		changes = changes[n:]
	}
	return moved, nil
}

// closureResponse is the answer to a declared closure: the closure as it
// now applies, and the calendars' version after it.
type closureResponse struct {
	Country    string `json:"country"`
	Date       string `json:"date"`
	Through    string `json:"through,omitempty"`
	Name       string `json:"name"`
	Scope      string `json:"scope"`
	Source     string `json:"source"`
	Version    uint64 `json:"version"`
	DeclaredBy string `json:"declared_by"`
	DeclaredAt string `json:"declared_at"`
	// Rescheduled counts the reserved payments whose value date and
	// deadline the closure moved.
	Rescheduled int `json:"rescheduled"`
}

// CalendarChange is an operator's change to the calendars, as it is
// recorded so that a restart applies it again, in order.
type CalendarChange struct {
	Kind    string    `json:"kind"` // closure, data or confirmation
	Country string    `json:"country"`
	At      time.Time `json:"at"`
	Date    string    `json:"date,omitempty"`
	Through string    `json:"through,omitempty"`
	Actual  string    `json:"actual,omitempty"`
	Name    string    `json:"name,omitempty"`
	Scope   string    `json:"scope,omitempty"`
	Source  string    `json:"source,omitempty"`
	Format  string    `json:"format,omitempty"` // json or ics, for data
	Data    []byte    `json:"data,omitempty"`
}

// ApplyCalendarChange applies a recorded change to a set of calendars.
func ApplyCalendarChange(set *calendar.Set, ch CalendarChange, e calendar.Edit) (calendar.AuditRecord, error) {
	date := func(s string) (calendar.Date, error) {
		if s == "" {
			return calendar.Date{}, nil
		}
		return calendar.ParseDate(s)
	}
	switch ch.Kind {
	case "closure":
		c := calendar.Closure{Name: ch.Name, Source: ch.Source, Scope: calendar.Scope(ch.Scope)}
		var err error
		if c.Date, err = date(ch.Date); err != nil {
			return calendar.AuditRecord{}, err
		}
		if c.Through, err = date(ch.Through); err != nil {
			return calendar.AuditRecord{}, err
		}
		return set.DeclareClosure(ch.Country, c, e)
	case "confirmation":
		c := calendar.Confirmation{Name: ch.Name, Source: ch.Source}
		var err error
		if c.Date, err = date(ch.Date); err != nil {
			return calendar.AuditRecord{}, err
		}
		if c.Actual, err = date(ch.Actual); err != nil {
			return calendar.AuditRecord{}, err
		}
		return set.Confirm(ch.Country, c, e)
	case "data":
		ds, err := readCalendarData(ch.Format, ch.Data, ch.Source)
		if err != nil {
			return calendar.AuditRecord{}, err
		}
		if ds.Country == "" {
			ds.Country = ch.Country
		}
		if ds.Country != ch.Country {
			return calendar.AuditRecord{}, fmt.Errorf("the data is for %s, not %s", ds.Country, ch.Country)
		}
		return set.Load(ds, e)
	}
	return calendar.AuditRecord{}, fmt.Errorf("unknown calendar change %q", ch.Kind)
}

func readCalendarData(format string, data []byte, name string) (calendar.Dataset, error) {
	if format == "ics" {
		return calendar.ReadICS(bytes.NewReader(data))
	}
	return calendar.ReadData(bytes.NewReader(data), name)
}

// recordCalendarChange makes a change that was just applied durable, then
// moves the reserved payments it affects. A change is recorded after it
// was accepted, so that only changes that apply are replayed at start-up,
// and answered only once recorded.
func (s *Server) recordCalendarChange(ctx context.Context, ch CalendarChange) *Problem {
	if s.closures != nil {
		if err := s.closures(ch); err != nil {
			return problem(http.StatusServiceUnavailable, "calendar_change_not_recorded", "",
				"the change applies now but could not be recorded, so a restart would lose it: %v", err)
		}
	}
	what := strings.Join(strings.Fields(strings.Join([]string{ch.Kind, ch.Date, ch.Through, ch.Actual, ch.Name, ch.Scope}, " ")), " ")
	return s.audit(ctx, "calendar_changed", ch.Country, what)
}

type calendarChangeResponse struct {
	Country     string `json:"country"`
	Action      string `json:"action"`
	What        string `json:"what"`
	Version     uint64 `json:"version"`
	ChangedBy   string `json:"changed_by"`
	ChangedAt   string `json:"changed_at"`
	Rescheduled int    `json:"rescheduled"`
}

func (s *Server) answerCalendarChange(w http.ResponseWriter, r *http.Request, ch CalendarChange, rec calendar.AuditRecord) {
	if p := s.recordCalendarChange(r.Context(), ch); p != nil {
		writeProblem(w, p)
		return
	}
	moved, p := s.rescheduleReserved(r.Context(), ch.Kind+" of the "+ch.Country+" calendar")
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, calendarChangeResponse{Country: rec.Country, Action: string(rec.Action), What: rec.What,
		Version: rec.Version, ChangedBy: rec.By, ChangedAt: rec.At.Format(time.RFC3339Nano), Rescheduled: moved})
}

// loadCalendarData replaces or extends a country's calendar with a data
// file (?format=json, the shipped format) or an iCalendar file
// (?format=ics): the dates its coverage names are replaced; its other
// entries are added.
func (s *Server) loadCalendarData(w http.ResponseWriter, r *http.Request) {
	country := strings.ToUpper(r.PathValue("country"))
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max(calendar.DataFileBytesMax, calendar.ICSBytesMax)))
	if err != nil {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "a calendar file holds at most %d bytes", max(calendar.DataFileBytesMax, calendar.ICSBytesMax)))
		return
	}
	format := r.URL.Query().Get("format")
	if format != "json" && format != "ics" {
		writeProblem(w, problem(http.StatusBadRequest, "format_unknown", "format", "format is json (the calendar data file) or ics (iCalendar)"))
		return
	}
	if _, err := s.calendars.Country(country); err != nil {
		writeProblem(w, calendarProblem(err, "country"))
		return
	}
	ch := CalendarChange{Kind: "data", Country: country, At: s.now(), Format: format, Data: data, Source: "operator upload"}
	rec, err := ApplyCalendarChange(s.calendars, ch, calendar.Edit{By: "operator", At: ch.At})
	if err != nil {
		writeProblem(w, calendarProblem(err, "body"))
		return
	}
	s.answerCalendarChange(w, r, ch, rec)
}

// confirmCalendarEntry upgrades an estimated entry (a lunar holiday) to
// official, and moves it if the official date differs.
func (s *Server) confirmCalendarEntry(w http.ResponseWriter, r *http.Request) {
	country := strings.ToUpper(r.PathValue("country"))
	var req struct {
		Date   string `json:"date"`
		Name   string `json:"name"`
		Actual string `json:"actual"`
		Source string `json:"source"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	for _, f := range []struct{ name, v string }{{"date", req.Date}, {"actual", req.Actual}} {
		if f.v == "" && f.name == "actual" {
			continue
		}
		if _, err := calendar.ParseDate(f.v); err != nil {
			writeProblem(w, calendarProblem(err, f.name))
			return
		}
	}
	ch := CalendarChange{Kind: "confirmation", Country: country, At: s.now(), Date: req.Date, Name: req.Name, Actual: req.Actual, Source: req.Source}
	rec, err := ApplyCalendarChange(s.calendars, ch, calendar.Edit{By: "operator", At: ch.At})
	if err != nil {
		writeProblem(w, calendarProblem(err, ""))
		return
	}
	s.answerCalendarChange(w, r, ch, rec)
}

type auditJSON struct {
	Version   uint64 `json:"version"`
	Country   string `json:"country"`
	Action    string `json:"action"`
	What      string `json:"what"`
	ChangedBy string `json:"changed_by"`
	ChangedAt string `json:"changed_at"`
	Added     int    `json:"added"`
	Removed   int    `json:"removed"`
}

// calendarAudit lists every change made to the calendars since start-up,
// oldest first: the shipped data loaded, then the recorded changes applied
// again, then the operator's changes since.
func (s *Server) calendarAudit(w http.ResponseWriter, r *http.Request) {
	out := []auditJSON{}
	for _, a := range s.calendars.Audit() {
		out = append(out, auditJSON{Version: a.Version, Country: a.Country, Action: string(a.Action), What: a.What,
			ChangedBy: a.By, ChangedAt: a.At.Format(time.RFC3339Nano), Added: len(a.Added), Removed: len(a.Removed)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": out})
}
