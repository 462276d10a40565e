package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"astara/calendar"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// The routes the dashboard reads that the rest of the API did not have:
// each answers in one request what would otherwise take a request per
// payment or per bank. They are ordinary API routes, for scripts too.

// Limits of the console's routes.
const (
	// TrafficMinutesMax is the longest span GET /v1/traffic counts, in
	// minutes; it walks the payments of the span, newest first.
	TrafficMinutesMax = 180
	// TrafficMinutesDefault is the span when none is asked for.
	TrafficMinutesDefault = 60
	// UETRPrefixLenMax is the longest UETR prefix a search takes: a whole
	// UETR with its hyphens.
	UETRPrefixLenMax = 36
)

func (s *Server) registerConsole() {
	s.route("GET /ui/static/{name}", s.consoleAsset)
	s.route("GET /v1/traffic", s.anyone(s.traffic))
	s.route("GET /v1/payments/search", s.anyone(s.searchPayments))
	s.route("GET /v1/payments/{uetr}/transfers", s.admin(s.paymentTransfers))
	s.route("GET /v1/payments/{uetr}/messages", s.anyone(s.paymentMessages))
	s.route("GET /v1/participants/positions", s.admin(s.allPositions))
	s.route("GET /v1/calendars", s.anyone(s.calendarsOverview))
}

// consoleAsset serves the dashboard's script and style sheet, which the
// dashboard's handler serves beside its page.
func (s *Server) consoleAsset(w http.ResponseWriter, r *http.Request) {
	if s.dashboard == nil {
		writeProblem(w, problem(http.StatusNotFound, "asset_not_found", "name", "this node serves no dashboard"))
		return
	}
	s.dashboard.ServeHTTP(w, r)
}

// --- traffic --------------------------------------------------------------

type corridorTrafficJSON struct {
	Corridor string `json:"corridor"`
	Currency string `json:"currency"`
	Payments int    `json:"payments"`
	Value    string `json:"value"`
}

type minuteJSON struct {
	At        string                `json:"at"`
	Payments  int                   `json:"payments"`
	Corridors []corridorTrafficJSON `json:"corridors"`
}

// corridorSum adds up one corridor's payments; value is in minor units of
// the source currency, as a big.Int so that no number of payments can
// overflow it.
type corridorSum struct {
	payments int
	value    big.Int
	currency money.Currency
}

func (c *corridorSum) add(p *payments.Payment) {
	c.payments++
	hi, lo := p.SourceAmount.Parts()
	var a big.Int
	a.SetUint64(hi).Lsh(&a, 64).Or(&a, new(big.Int).SetUint64(lo))
	c.value.Add(&c.value, &a)
}

// formatMinor writes x minor units of c in major units, as
// money.FormatAmount does.
func formatMinor(x *big.Int, c money.Currency) string {
	digits := x.String()
	n := int(c.MinorUnits)
	if n == 0 {
		return digits
	}
	if len(digits) <= n {
		digits = strings.Repeat("0", n-len(digits)+1) + digits
	}
	return digits[:len(digits)-n] + "." + digits[len(digits)-n:]
}

func corridorSums(m map[string]*corridorSum) []corridorTrafficJSON {
	out := make([]corridorTrafficJSON, 0, len(m))
	for name, c := range m {
		out = append(out, corridorTrafficJSON{Corridor: name, Currency: c.currency.Code.String(), Payments: c.payments, Value: formatMinor(&c.value, c.currency)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Corridor < out[j].Corridor })
	return out
}

// allStatuses are the statuses a payment may stand in, in the order of the
// lifecycle.
var allStatuses = []payments.Status{payments.StatusReceived, payments.StatusHeld, payments.StatusReserved, payments.StatusCompleted,
	payments.StatusRejected, payments.StatusReturned, payments.StatusExpired}

// traffic counts the payments created in each of the last minutes, per
// corridor with their value, and where the payments of the span stand: a
// participant's own payments, every payment for the operator.
func (s *Server) traffic(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	minutes := TrafficMinutesDefault
	if v := r.URL.Query().Get("minutes"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > TrafficMinutesMax {
			writeProblem(w, problem(http.StatusBadRequest, "minutes_out_of_range", "minutes", "minutes must be a whole number from 1 to %d", TrafficMinutesMax))
			return
		}
		minutes = n
	}
	end := s.now().Truncate(time.Minute).Add(time.Minute)
	start := end.Add(-time.Duration(minutes) * time.Minute)
	buckets := make([]map[string]*corridorSum, minutes)
	total := map[string]*corridorSum{}
	statuses := map[payments.Status]int{}
	count, breached := 0, 0
	s.paymentsView(func(m *payments.Machine) {
		// Payments are in the order they were made, and each is made at
		// its entry's time: the walk stops at the first older than the
		// span.
		for i := m.PaymentsCount() - 1; i >= 0; i-- {
			p := m.PaymentAt(i)
			if p.CreatedAt.Before(start) {
				break
			}
			if !p.CreatedAt.Before(end) || !paymentVisible(p, c.participant) {
				continue
			}
			name := p.Source.String() + "-" + p.Target.String()
			cur, _ := money.LookupCurrency(p.Source)
			k := int(p.CreatedAt.Sub(start) / time.Minute)
			if buckets[k] == nil {
				buckets[k] = map[string]*corridorSum{}
			}
			for _, sums := range []map[string]*corridorSum{buckets[k], total} {
				if sums[name] == nil {
					sums[name] = &corridorSum{currency: cur}
				}
				sums[name].add(p)
			}
			statuses[p.Status]++
			count++
			if p.SLABreached {
				breached++
			}
		}
	})
	out := struct {
		From        string                `json:"from"`
		To          string                `json:"to"`
		Payments    int                   `json:"payments"`
		SLABreached int                   `json:"sla_breached"`
		Statuses    map[string]int        `json:"statuses"`
		Corridors   []corridorTrafficJSON `json:"corridors"`
		Minutes     []minuteJSON          `json:"minutes"`
	}{From: start.Format(time.RFC3339), To: end.Format(time.RFC3339), Payments: count, SLABreached: breached,
		Statuses: map[string]int{}, Corridors: corridorSums(total), Minutes: make([]minuteJSON, minutes)}
	for _, st := range allStatuses {
		out.Statuses[string(st)] = statuses[st]
	}
	for k := range out.Minutes {
		n := 0
		for _, c := range buckets[k] {
			n += c.payments
		}
		out.Minutes[k] = minuteJSON{At: start.Add(time.Duration(k) * time.Minute).Format(time.RFC3339), Payments: n, Corridors: corridorSums(buckets[k])}
	}
	writeJSON(w, http.StatusOK, out)
}

// --- search ---------------------------------------------------------------

var uetrPrefixPattern = regexp.MustCompile(`^[0-9a-fA-F-]+$`)

// paymentFilter is what a search asks of a payment.
type paymentFilter struct {
	who          *payments.Participant // the caller, for a participant
	uetrPrefix   string                // lower case, without hyphens
	participant  string                // a bank on either side (for a participant: the other side)
	status       payments.Status
	breached     bool
	from, to     time.Time
	currency     money.Code
	amountMin    money.Amount
	amountMax    money.Amount
	hasAmountMax bool
}

func (f *paymentFilter) match(p *payments.Payment) bool {
	if !paymentVisible(p, f.who) {
		return false
	}
	if f.participant != "" && p.Sender != f.participant && p.Receiver != f.participant {
		return false
	}
	if f.uetrPrefix != "" && !strings.HasPrefix(strings.ReplaceAll(p.UETR.String(), "-", ""), f.uetrPrefix) {
		return false
	}
	if (f.status != "" && p.Status != f.status) || (f.breached && !p.SLABreached) ||
		(!f.from.IsZero() && p.CreatedAt.Before(f.from)) || (!f.to.IsZero() && !p.CreatedAt.Before(f.to)) {
		return false
	}
	if f.currency.IsZero() {
		return true
	}
	var amounts []money.Amount
	if p.Source == f.currency {
		amounts = append(amounts, p.SourceAmount)
	}
	if p.Target == f.currency {
		amounts = append(amounts, p.TargetAmount)
	}
	return slices.ContainsFunc(amounts, func(a money.Amount) bool {
		return !a.Less(f.amountMin) && (!f.hasAmountMax || !f.amountMax.Less(a))
	})
}

// parseSearch reads a search's query.
func parseSearch(r *http.Request, who *payments.Participant) (*paymentFilter, *Problem) {
	q := r.URL.Query()
	f := &paymentFilter{who: who}
	if v := q.Get("uetr"); v != "" {
		if len(v) > UETRPrefixLenMax || !uetrPrefixPattern.MatchString(v) {
			return nil, problem(http.StatusBadRequest, "uetr_prefix_invalid", "uetr", "uetr is the start of a UETR: up to %d hexadecimal digits and hyphens", UETRPrefixLenMax)
		}
		f.uetrPrefix = strings.ToLower(strings.ReplaceAll(v, "-", ""))
	}
	if v := q.Get("participant"); v != "" {
		if !participantIDPattern.MatchString(v) {
			return nil, problem(http.StatusBadRequest, "participant_id_invalid", "participant", "participant must be a BIC: 8 or 11 upper-case letters and digits")
		}
		f.participant = v
	}
	f.status = payments.Status(q.Get("status"))
	if f.status != "" && !slices.Contains(allStatuses, f.status) {
		return nil, problem(http.StatusBadRequest, "status_unknown", "status", "%q is not a payment status", f.status)
	}
	switch q.Get("sla") {
	case "":
	case "breached":
		f.breached = true
	default:
		return nil, problem(http.StatusBadRequest, "sla_unknown", "sla", "sla takes one value: breached")
	}
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.from}, {"to", &f.to}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, problem(http.StatusBadRequest, "time_syntax", x.name, "%s must be an RFC 3339 time", x.name)
			}
			*x.dst = t
		}
	}
	var cur money.Currency
	if v := q.Get("currency"); v != "" {
		c, p := parseCurrency(v, fp("currency"))
		if p != nil {
			return nil, p
		}
		cur, f.currency = c, c.Code
	}
	for _, x := range []struct {
		name string
		dst  *money.Amount
		set  *bool
	}{{"amount_min", &f.amountMin, nil}, {"amount_max", &f.amountMax, &f.hasAmountMax}} {
		v := q.Get(x.name)
		if v == "" {
			continue
		}
		if f.currency.IsZero() {
			return nil, problem(http.StatusBadRequest, "field_required", "currency", "%s is an amount in a currency: give currency too", x.name)
		}
		a, p := parseAmount(v, cur, fp(x.name))
		if p != nil {
			return nil, p
		}
		*x.dst = a
		if x.set != nil {
			*x.set = true
		}
	}
	if f.hasAmountMax && f.amountMax.Less(f.amountMin) {
		return nil, problem(http.StatusBadRequest, "amount_range_invalid", "amount_max", "amount_max is below amount_min")
	}
	return f, nil
}

// searchPayments finds payments by any of UETR (its start), bank, status,
// time of creation and amount, newest first: a participant's own, or any
// for the operator. A page is a walk from the cursor (or the newest) to
// the limit's match.
func (s *Server) searchPayments(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	limit, p := parseLimit(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	f, p := parseSearch(r, c.participant)
	if p != nil {
		writeProblem(w, p)
		return
	}
	start := -1
	if v := r.URL.Query().Get("cursor"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "cursor", "cursor is not one this API returned"))
			return
		}
		start = n
	}
	out := []paymentResponse{}
	next := ""
	s.paymentsView(func(m *payments.Machine) {
		i := m.PaymentsCount() - 1
		if start >= 0 {
			i = min(start, i)
		}
		for ; i >= 0; i-- {
			p := m.PaymentAt(i)
			if !f.match(p) {
				continue
			}
			if len(out) == limit {
				next = strconv.Itoa(i)
				break
			}
			pj := paymentJSON(p)
			if c.operator {
				pj.Screening = p.Screening
			}
			out = append(out, pj)
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"payments": out, "next_cursor": next})
}

// --- a payment's ledger transfers -----------------------------------------

type legTransferJSON struct {
	transferResponse
	Leg         string `json:"leg"`
	DebitOwner  string `json:"debit_owner,omitempty"`
	DebitKind   string `json:"debit_kind,omitempty"`
	CreditOwner string `json:"credit_owner,omitempty"`
	CreditKind  string `json:"credit_kind,omitempty"`
	// at is Timestamp as the engine keeps it, to sort by: the written
	// times drop trailing zeros, so they do not sort as text.
	at uint64
}

// accountKinds names the payments layer's kinds of account.
var accountKinds = map[uint16]string{payments.AccountPosition: "position", payments.AccountSettlement: "settlement",
	payments.AccountCap: "cap", payments.AccountFeeIncome: "fee_income"}

type accountOwner struct{ owner, kind string }

// accountOwners maps the ids of every participant's accounts, and of the
// switch's fee income, to whose they are.
func accountOwners(m *payments.Machine) map[ledger.ID]accountOwner {
	out := map[ledger.ID]accountOwner{}
	currencies := map[money.Code]bool{}
	for _, p := range m.Participants() {
		for _, c := range p.Currencies {
			currencies[c] = true
			for kind, name := range accountKinds {
				if kind != payments.AccountFeeIncome {
					out[payments.AccountID(p.ID, c, kind)] = accountOwner{p.ID, name}
				}
			}
		}
	}
	for c := range currencies {
		out[payments.AccountID(payments.SwitchID, c, payments.AccountFeeIncome)] = accountOwner{payments.SwitchID, "fee_income"}
	}
	return out
}

// paymentTransfers answers the ledger transfers that carry a payment: the
// pending legs of each of its reservations (a calendar change renews
// them) with where each stands, the posts that completed it, and the legs
// of its return. A void is not listed: its leg's state says "voided".
func (s *Server) paymentTransfers(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	p, ok := s.visiblePayment(w, r, nil)
	if !ok {
		return
	}
	type candidate struct {
		id  ledger.ID
		leg string
	}
	var ids []candidate
	for k := 0; k <= p.Reservation; k++ {
		cp := p
		cp.Reservation = k
		src, tgt, fee := cp.Legs()
		suffix := ""
		if k > 0 {
			suffix = "-" + strconv.Itoa(k)
		}
		ids = append(ids, candidate{src, "source" + suffix}, candidate{tgt, "target" + suffix}, candidate{fee, "fee" + suffix})
	}
	for i, legs := range p.TrancheLegs() {
		ids = append(ids, candidate{legs[0], fmt.Sprintf("tranche-%d-source", i+1)}, candidate{legs[1], fmt.Sprintf("tranche-%d-target", i+1)})
	}
	for _, id := range p.PostingIDs() {
		ids = append(ids, candidate{id, ""})
	}
	out := []legTransferJSON{}
	seen := map[ledger.ID]bool{}
	s.paymentsView(func(m *payments.Machine) {
		owners := accountOwners(m)
		e := m.LedgerEngine()
		legs := map[ledger.ID]string{}
		add := func(id ledger.ID, leg string) (ledger.Transfer, bool) {
			t, state, found := e.LookupTransfer(id)
			if !found || seen[id] {
				return t, found
			}
			seen[id] = true
			c, _ := money.LookupCurrency(t.Currency)
			j := legTransferJSON{transferResponse: transferResponse{ID: t.ID.String(), DebitAccountID: t.DebitAccountID.String(),
				CreditAccountID: t.CreditAccountID.String(), Amount: money.FormatAmount(t.Amount, c), Currency: t.Currency.String(),
				Code: t.Code, Flags: flagNames(transferFlagNames, t.Flags), TimeoutSeconds: t.TimeoutSeconds, State: state.String(),
				Timestamp: formatTimestamp(t.Timestamp)}, Leg: leg, at: t.Timestamp}
			if !t.PendingID.IsZero() {
				j.PendingID = t.PendingID.String()
			}
			if o, ok := owners[t.DebitAccountID]; ok {
				j.DebitOwner, j.DebitKind = o.owner, o.kind
			}
			if o, ok := owners[t.CreditAccountID]; ok {
				j.CreditOwner, j.CreditKind = o.owner, o.kind
			}
			out = append(out, j)
			legs[id] = leg
			return t, true
		}
		for _, c := range ids {
			if c.leg != "" {
				add(c.id, c.leg)
				continue
			}
			// A posting names its pending leg; a trade payment's tranche
			// legs are found this way.
			t, _, found := e.LookupTransfer(c.id)
			if !found {
				continue
			}
			if t.PendingID.IsZero() {
				add(c.id, "return")
				continue
			}
			leg, known := legs[t.PendingID]
			if !known {
				leg = "tranche"
				add(t.PendingID, leg)
			}
			add(c.id, "post "+leg)
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	writeJSON(w, http.StatusOK, map[string]any{"uetr": p.UETR.String(), "transfers": out})
}

// --- a payment's ISO 20022 messages ---------------------------------------

// messageRecorder keeps what a message handler answers.
type messageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (m *messageRecorder) Header() http.Header         { return m.header }
func (m *messageRecorder) Write(b []byte) (int, error) { return m.body.Write(b) }
func (m *messageRecorder) WriteHeader(status int)      { m.status = status }

type messageJSON struct {
	Message     string `json:"message"`
	Participant string `json:"participant"`
	XML         string `json:"xml,omitempty"`
	Code        string `json:"code,omitempty"`
	Detail      string `json:"detail,omitempty"`
}

// paymentMessages answers every ISO 20022 message the switch writes about
// a payment, as each bank gets it from its own /iso20022 routes: the
// pacs.008 to the receiving bank, the pacs.002 status report and the
// camt.054 notification to each bank, and, once returned, the pacs.004 to
// the sending bank. A message the payment does not have yet (a pacs.008
// held by screening, a notification of a payment that moved no money) is
// listed with the reason instead of its XML. A participant gets the
// messages addressed to it.
func (s *Server) paymentMessages(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	p, ok := s.visiblePayment(w, r, c.participant)
	if !ok {
		return
	}
	type source struct {
		message, to string
		write       func(http.ResponseWriter, *http.Request, *payments.Participant)
	}
	sources := []source{{"pacs.008", p.Receiver, s.outboundPacs008}, {"pacs.002", p.Sender, s.outboundPacs002},
		{"pacs.002", p.Receiver, s.outboundPacs002}, {"camt.054", p.Sender, s.outboundCamt054}, {"camt.054", p.Receiver, s.outboundCamt054}}
	if p.Status == payments.StatusReturned {
		sources = append(sources, source{"pacs.004", p.Sender, s.outboundPacs004})
	}
	out := []messageJSON{}
	for _, src := range sources {
		if c.participant != nil && src.to != c.participant.ID {
			continue
		}
		var to payments.Participant
		found := false
		s.paymentsView(func(m *payments.Machine) {
			if x, ok := m.Participant(src.to); ok {
				to, found = *x, true
			}
		})
		if !found {
			continue
		}
		rec := &messageRecorder{header: http.Header{}, status: http.StatusOK}
		src.write(rec, r, &to)
		msg := messageJSON{Message: src.message, Participant: src.to}
		if rec.status == http.StatusOK {
			msg.XML = rec.body.String()
		} else {
			var pr Problem
			if err := json.Unmarshal(rec.body.Bytes(), &pr); err != nil {
				pr = Problem{Code: "message_unavailable", Detail: http.StatusText(rec.status)}
			}
			msg.Code, msg.Detail = pr.Code, pr.Detail
		}
		out = append(out, msg)
	}
	writeJSON(w, http.StatusOK, map[string]any{"uetr": p.UETR.String(), "messages": out})
}

// --- every bank's positions -----------------------------------------------

// positionsOf is a participant's position per currency, for GET
// /v1/positions (its own) and the operator's view of every bank. The
// position's credits include the net debit cap credited to it; the net
// position leaves it out.
func positionsOf(e *ledger.Engine, who *payments.Participant) []positionJSON {
	out := []positionJSON{}
	for _, c := range who.Currencies {
		cur, _ := money.LookupCurrency(c)
		a, ok := e.LookupAccount(payments.AccountID(who.ID, c, payments.AccountPosition))
		if !ok {
			continue
		}
		capAmount := who.NetDebitCap[c]
		credits := a.CreditsPosted.MustSub(capAmount)
		pos := positionJSON{Currency: c.String(), NetDebitCap: money.FormatAmount(capAmount, cur),
			Reserved: money.FormatAmount(a.DebitsPending, cur), Incoming: money.FormatAmount(a.CreditsPending, cur)}
		if credits.Less(a.DebitsPosted) {
			pos.Negative = true
			pos.Position = "-" + money.FormatAmount(a.DebitsPosted.MustSub(credits), cur)
		} else {
			pos.Position = money.FormatAmount(credits.MustSub(a.DebitsPosted), cur)
		}
		pos.Available = money.FormatAmount(a.CreditsPosted.MustSub(a.DebitsPosted).MustSub(a.DebitsPending), cur)
		out = append(out, pos)
	}
	return out
}

// allPositions answers every participant's positions at one moment.
func (s *Server) allPositions(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	type participantPositions struct {
		Participant string         `json:"participant"`
		Positions   []positionJSON `json:"positions"`
	}
	out := []participantPositions{}
	s.paymentsView(func(m *payments.Machine) {
		for _, p := range m.Participants() {
			out = append(out, participantPositions{Participant: p.ID, Positions: positionsOf(m.LedgerEngine(), p)})
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"participants": out})
}

// --- calendars at a glance ------------------------------------------------

type spanJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type countryCalendarJSON struct {
	Country  string     `json:"country"`
	TimeZone string     `json:"time_zone"`
	Coverage []spanJSON `json:"coverage"`
}

type corridorDateJSON struct {
	Corridor      string `json:"corridor"`
	SourceCountry string `json:"source_country"`
	TargetCountry string `json:"target_country"`
	ValueDate     string `json:"value_date,omitempty"`
	Deadline      string `json:"deadline,omitempty"`
	Code          string `json:"code,omitempty"`
	Detail        string `json:"detail,omitempty"`
}

// calendarsOverview answers the countries that have a business calendar,
// and each corridor's value date and deadline for a payment made now. A
// currency's country is its ISO 4217 code's first two letters; a
// corridor whose country has no calendar answers the code
// calendar_country_unknown instead of a date.
func (s *Server) calendarsOverview(w http.ResponseWriter, r *http.Request, _ caller) {
	out := struct {
		Countries []countryCalendarJSON `json:"countries"`
		Corridors []corridorDateJSON    `json:"corridors"`
	}{Countries: []countryCalendarJSON{}, Corridors: []corridorDateJSON{}}
	for _, code := range s.calendars.Countries() {
		c, err := s.calendars.Country(code)
		if err != nil {
			continue
		}
		cc := countryCalendarJSON{Country: code, TimeZone: c.Location().String(), Coverage: []spanJSON{}}
		for _, sp := range c.Coverage() {
			cc.Coverage = append(cc.Coverage, spanJSON{From: sp.From.String(), To: sp.To.String()})
		}
		out.Countries = append(out.Countries, cc)
	}
	var corridors []payments.Corridor
	s.paymentsView(func(m *payments.Machine) { corridors = m.Corridors() })
	now := s.now()
	for _, cor := range corridors {
		source, target := cor.Source.String()[:2], cor.Target.String()[:2]
		d := corridorDateJSON{Corridor: cor.Name(), SourceCountry: source, TargetCountry: target}
		cal := calendar.NewCorridor(source, target)
		cal.SettlementDays = cor.SettlementDays
		cal.CountShortWeekday = cor.ThursdayIsBusinessDay
		day, deadline, err := s.calendars.ValueDate(cal, now)
		if err != nil {
			d.Code, d.Detail = string(calendar.RuleOf(err)), err.Error()
			if d.Code == "" {
				d.Code = "calendar_error"
			}
		} else {
			d.ValueDate, d.Deadline = day.String(), deadline.Format(time.RFC3339)
		}
		out.Corridors = append(out.Corridors, d)
	}
	writeJSON(w, http.StatusOK, out)
}
