package http

import (
	"context"
	"errors"
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
	// Recorded after it was accepted, so that only closures that apply are
	// replayed at start-up; answered only once recorded.
	if s.closures != nil {
		if err := s.closures(country, c); err != nil {
			writeProblem(w, problem(http.StatusServiceUnavailable, "closure_not_recorded", "",
				"the closure applies now but could not be recorded, so a restart would lose it: %v", err))
			return
		}
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
		for i := 0; i < m.PaymentsCount(); i++ {
			p := m.PaymentAt(i)
			if p.Status != payments.StatusReserved {
				continue
			}
			cor, ok := m.Corridor(p.Source.String() + "-" + p.Target.String())
			sender, ok1 := m.Participant(p.Sender)
			receiver, ok2 := m.Participant(p.Receiver)
			if !ok || !ok1 || !ok2 {
				continue
			}
			valueDate, deadline, pr := s.valueDate(&cor, sender.Country, receiver.Country, p.CreatedAt)
			if pr != nil || (valueDate == p.ValueDate && deadline.Equal(p.Deadline)) {
				continue
			}
			changes = append(changes, payments.Reschedule{UETR: p.UETR, ValueDate: valueDate, Deadline: deadline})
		}
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
