package http

import (
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

func calendarProblem(err error, field string) *Problem {
	rule := calendar.RuleOf(err)
	code := "calendar_" + string(rule)
	if rule == "" {
		code = "calendar_error"
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, calendar.ErrUnknownCountry):
		status = http.StatusNotFound
	case errors.Is(err, calendar.ErrNoData):
		status = http.StatusUnprocessableEntity
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
		writeProblem(w, calendarProblem(err, "country"))
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
		writeProblem(w, problem(http.StatusUnprocessableEntity, "calendar_unknown_country", "corridor", "no calendar for the countries of %s-%s", sc.Code, tc.Code))
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
	writeJSON(w, http.StatusCreated, rec)
}
