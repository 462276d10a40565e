package http

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"astara/calendar"
	"astara/money"
	"astara/payments"
	"astara/settlement"
)

func (s *Server) registerSettlement() {
	s.route("GET /v1/settlement/windows", s.anyone(s.listWindows))
	s.route("GET /v1/settlement/windows/{id}", s.anyone(s.getWindow))
	s.route("POST /v1/settlement/windows/{id}/close", s.admin(s.closeWindow))
	s.route("POST /v1/settlement/windows/{id}/settle", s.admin(s.settleWindow))
	s.route("GET /v1/settlement/windows/{id}/instructions", s.admin(s.windowInstructions))
}

type windowPositionJSON struct {
	Participant string `json:"participant"`
	Sent        string `json:"sent"`
	Received    string `json:"received"`
	Net         string `json:"net"`
}

type instructionJSON struct {
	ID       string `json:"id"`
	Payer    string `json:"payer"`
	Payee    string `json:"payee"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type windowJSON struct {
	ID           string                `json:"id"`
	Currency     string                `json:"currency"`
	Status       payments.WindowStatus `json:"status"`
	OpenedAt     string                `json:"opened_at"`
	ClosedAt     string                `json:"closed_at,omitempty"`
	SettledAt    string                `json:"settled_at,omitempty"`
	ClosedBy     string                `json:"closed_by,omitempty"`
	SettledBy    string                `json:"settled_by,omitempty"`
	Payments     int                   `json:"payments"`
	Gross        string                `json:"gross"`
	Net          string                `json:"net"`
	NettingRatio string                `json:"netting_ratio"`
	Positions    []windowPositionJSON  `json:"positions"`
	Instructions []instructionJSON     `json:"instructions,omitempty"`
}

// signedAmount writes a net position: negative for a net payer.
func signedAmount(a money.Amount, negative bool, c money.Currency) string {
	if negative && !a.IsZero() {
		return "-" + money.FormatAmount(a, c)
	}
	return money.FormatAmount(a, c)
}

// windowView renders a window; for a participant (who non-nil), with its
// own position and its own instructions only.
func windowView(w *payments.Window, who *payments.Participant) windowJSON {
	cur, _ := money.LookupCurrency(w.Currency)
	positions := w.SortedPositions()
	totals, _ := settlement.Sum(positions)
	out := windowJSON{ID: w.ID, Currency: cur.Code.String(), Status: w.Status, OpenedAt: w.OpenedAt.Format(time.RFC3339Nano),
		ClosedBy: w.ClosedBy, SettledBy: w.SettledBy, Payments: w.Payments,
		Gross: money.FormatAmount(totals.Gross, cur), Net: money.FormatAmount(totals.Net, cur), NettingRatio: settlement.Ratio(totals),
		Positions: []windowPositionJSON{}}
	if !w.ClosedAt.IsZero() {
		out.ClosedAt = w.ClosedAt.Format(time.RFC3339Nano)
	}
	if !w.SettledAt.IsZero() {
		out.SettledAt = w.SettledAt.Format(time.RFC3339Nano)
	}
	for _, p := range positions {
		if who != nil && p.Participant != who.ID {
			continue
		}
		n, payer := p.Net()
		out.Positions = append(out.Positions, windowPositionJSON{Participant: p.Participant, Sent: money.FormatAmount(p.Sent, cur),
			Received: money.FormatAmount(p.Received, cur), Net: signedAmount(n, payer, cur)})
	}
	if w.Status != payments.WindowOpen {
		for i, in := range settlement.Instructions(positions) {
			if who != nil && in.Payer != who.ID && in.Payee != who.ID {
				continue
			}
			out.Instructions = append(out.Instructions, instructionJSON{ID: instructionID(w.ID, i), Payer: in.Payer, Payee: in.Payee,
				Amount: money.FormatAmount(in.Amount, cur), Currency: cur.Code.String()})
		}
	}
	return out
}

func instructionID(window string, i int) string { return fmt.Sprintf("%s-%03d", window, i+1) }

func (s *Server) listWindows(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	q := r.URL.Query()
	var cur money.Code
	if v := q.Get("currency"); v != "" {
		cc, p := parseCurrency(v, fp("currency"))
		if p != nil {
			writeProblem(w, p)
			return
		}
		cur = cc.Code
	}
	status := payments.WindowStatus(q.Get("status"))
	switch status {
	case "", payments.WindowOpen, payments.WindowClosed, payments.WindowSettled:
	default:
		writeProblem(w, problem(http.StatusBadRequest, "status_unknown", "status", "%q is not a window status (open, closed, settled)", status))
		return
	}
	out := []windowJSON{}
	s.paymentsView(func(m *payments.Machine) {
		for _, win := range m.Windows() {
			if (!cur.IsZero() && win.Currency != cur) || (status != "" && win.Status != status) {
				continue
			}
			if c.participant != nil && !c.participant.HasCurrency(win.Currency) {
				continue
			}
			out = append(out, windowView(&win, c.participant))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"windows": out})
}

// window finds a window the caller may see.
func (s *Server) window(w http.ResponseWriter, r *http.Request, who *payments.Participant) (payments.Window, bool) {
	if !s.requirePayments(w) {
		return payments.Window{}, false
	}
	id := r.PathValue("id")
	var win payments.Window
	var ok bool
	s.paymentsView(func(m *payments.Machine) { win, ok = m.Window(id) })
	if !ok || (who != nil && !who.HasCurrency(win.Currency)) {
		writeProblem(w, problem(http.StatusNotFound, payments.CodeWindowNotFound, "id", "no settlement window %s", id))
		return payments.Window{}, false
	}
	return win, true
}

func (s *Server) getWindow(w http.ResponseWriter, r *http.Request, c caller) {
	if win, ok := s.window(w, r, c.participant); ok {
		writeJSON(w, http.StatusOK, windowView(&win, c.participant))
	}
}

func (s *Server) closeWindow(w http.ResponseWriter, r *http.Request) {
	s.windowCommand(w, r, &payments.CloseWindow{ID: r.PathValue("id"), By: "operator"})
}

func (s *Server) settleWindow(w http.ResponseWriter, r *http.Request) {
	s.windowCommand(w, r, &payments.SettleWindow{ID: r.PathValue("id"), By: "operator"})
}

func (s *Server) windowCommand(w http.ResponseWriter, r *http.Request, cmd any) {
	if !s.requirePayments(w) {
		return
	}
	if r.ContentLength != 0 {
		var empty struct{}
		if p := decodeBody(w, r, &empty); p != nil {
			writeProblem(w, p)
			return
		}
	}
	reply, p := s.submit(r.Context(), cmd)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, windowView(reply.(*payments.Window), nil))
}

// SettlementDate is the day a closed window's instructions settle: the
// day of its close in the currency's country, or the next business day of
// that country's calendar when the close falls on a day off. The country
// is the currency code's first two letters (ISO 4217 builds codes from ISO
// 3166: RUB, RU; IRR, IR); a currency whose country has no calendar
// settles on the day of the close, in UTC.
func (s *Server) SettlementDate(c money.Code, closed time.Time) string {
	country := c.String()[:2]
	cal, err := s.calendars.Country(country)
	if err != nil {
		return closed.UTC().Format(time.DateOnly)
	}
	local := closed.In(cal.Location())
	d := calendar.DateOf(local)
	for range calendar.SearchDaysMax {
		if ok, err := cal.IsBusinessDay(d); err != nil || ok {
			break
		}
		d = d.AddDays(1)
	}
	return d.String()
}

// instructionRows returns a closed window's settlement instructions with
// their settlement accounts.
func (s *Server) instructionRows(win *payments.Window) []settlement.CSVRow {
	cur, _ := money.LookupCurrency(win.Currency)
	date := s.SettlementDate(win.Currency, win.ClosedAt)
	var rows []settlement.CSVRow
	for i, in := range settlement.Instructions(win.SortedPositions()) {
		rows = append(rows, settlement.CSVRow{ID: instructionID(win.ID, i), Window: win.ID, Currency: cur, Payer: in.Payer, Payee: in.Payee,
			PayerAccount: payments.AccountID(in.Payer, win.Currency, payments.AccountSettlement).String(),
			PayeeAccount: payments.AccountID(in.Payee, win.Currency, payments.AccountSettlement).String(),
			Amount:       in.Amount, SettlementDate: date})
	}
	return rows
}

func (s *Server) windowInstructions(w http.ResponseWriter, r *http.Request) {
	win, ok := s.window(w, r, nil)
	if !ok {
		return
	}
	if win.Status == payments.WindowOpen {
		writeProblem(w, problem(http.StatusConflict, payments.CodeWindowNotClosed, "id", "window %s is open: its instructions are known once it is closed", win.ID))
		return
	}
	rows := s.instructionRows(&win)
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, "application/xml") || strings.Contains(accept, "text/xml"):
		body, p := s.pacs009(&win, rows)
		if p != nil {
			writeProblem(w, p)
			return
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-pacs.009.xml"`, win.ID))
		writeXML(w, http.StatusOK, body)
	case accept == "" || strings.Contains(accept, "text/csv") || strings.Contains(accept, "*/*"):
		var b bytes.Buffer
		if err := settlement.WriteCSV(&b, rows); err != nil {
			writeProblem(w, problem(http.StatusInternalServerError, "internal", "", "write CSV: %v", err))
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-instructions.csv"`, win.ID))
		w.Write(b.Bytes())
	default:
		writeProblem(w, problem(http.StatusNotAcceptable, "not_acceptable", "Accept", "instructions are text/csv or application/xml (pacs.009)"))
	}
}

// SettlementSchedule says when windows close by themselves.
type SettlementSchedule struct {
	// Every closes an open window this long after it opened; zero for
	// never.
	Every time.Duration
	// AtBusinessDayEnd closes an open window once the cut-off of a
	// business day of its currency's country has passed since it opened.
	AtBusinessDayEnd bool
	// Settle records the settlement of each window as soon as it is
	// closed, as if the settlement bank confirmed at once: for the demo,
	// never for a real network, where the confirmation is the operator's.
	Settle bool
	// Tick is how often the schedule looks; zero for a second.
	Tick time.Duration
	// Logf, when set, reports each close and settlement.
	Logf func(format string, args ...any)
}

// RunSettlementSchedule closes (and, when the schedule says so, settles)
// windows on schedule until ctx is done. A window with no payments is left
// open: closing it would only add an empty window. A command the machine
// refuses (the window was closed by hand meanwhile) is skipped and tried
// no further.
func (s *Server) RunSettlementSchedule(ctx context.Context, sch SettlementSchedule) {
	tick := sch.Tick
	if tick <= 0 {
		tick = time.Second
	}
	logf := sch.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	// refused keeps the last refusal of each window's settlement, so that
	// a refusal tried again every tick is reported once.
	refused := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.now()
		var due, toSettle []string
		s.paymentsView(func(m *payments.Machine) {
			for _, w := range m.Windows() {
				switch {
				case w.Status == payments.WindowOpen && w.Payments > 0 && s.closeDue(&w, sch, now):
					due = append(due, w.ID)
				case w.Status == payments.WindowClosed && sch.Settle:
					toSettle = append(toSettle, w.ID)
				}
			}
		})
		for _, id := range due {
			if reply, p := s.submit(ctx, &payments.CloseWindow{ID: id, By: "schedule"}); p == nil {
				w := reply.(*payments.Window)
				logf("settlement: closed %s (%s)", w.ID, countOf(w.Payments, "payment"))
				if sch.Settle {
					toSettle = append(toSettle, id)
				}
			}
		}
		for _, id := range toSettle {
			reply, p := s.submit(ctx, &payments.SettleWindow{ID: id, By: "schedule"})
			if p != nil && refused[id] != p.Detail {
				refused[id] = p.Detail
				logf("settlement: %s not settled: %s (%s)", id, p.Detail, p.Code)
			}
			if p == nil {
				delete(refused, id)
				w := reply.(*payments.Window)
				totals, _ := settlement.Sum(w.SortedPositions())
				cur, _ := money.LookupCurrency(w.Currency)
				logf("settlement: settled %s: gross %s, net %s %s (ratio %s)", w.ID, money.FormatAmount(totals.Gross, cur),
					money.FormatAmount(totals.Net, cur), cur.Code, settlement.Ratio(totals))
			}
		}
	}
}

func (s *Server) closeDue(w *payments.Window, sch SettlementSchedule, now time.Time) bool {
	if sch.Every > 0 && now.Sub(w.OpenedAt) >= sch.Every {
		return true
	}
	if sch.AtBusinessDayEnd {
		if end, ok := s.lastBusinessDayEnd(w.Currency, now); ok && w.OpenedAt.Before(end) {
			return true
		}
	}
	return false
}

// lastBusinessDayEnd returns the latest cut-off of a business day of the
// currency's country at or before now.
func (s *Server) lastBusinessDayEnd(c money.Code, now time.Time) (time.Time, bool) {
	cal, err := s.calendars.Country(c.String()[:2])
	if err != nil {
		return time.Time{}, false
	}
	loc, prof := cal.Location(), cal.Profile()
	d := calendar.DateOf(now.In(loc))
	for range calendar.SearchDaysMax {
		if ok, err := cal.IsBusinessDay(d); err != nil {
			return time.Time{}, false
		} else if ok {
			// The banking day ends at the profile's cut-off where it sets
			// one, else when the banks close (earlier on a short weekday).
			cut := prof.Hours.Close
			if slices.Contains(prof.ShortWeekdays, d.Weekday()) && prof.HoursShortWeekday.Close != 0 {
				cut = prof.HoursShortWeekday.Close
			}
			if prof.Cutoff != 0 {
				cut = prof.Cutoff
			}
			if end := d.At(cut, loc); !end.After(now) {
				return end, true
			}
		}
		d = d.AddDays(-1)
	}
	return time.Time{}, false
}

// countOf writes "1 payment", "2 payments".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
