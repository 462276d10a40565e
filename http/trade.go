package http

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"astara/money"
	"astara/payments"
	"astara/trade"
)

// Limits of a trade payment's terms, in characters: ISO 20022's Max35Text
// for references, Max70Text for a place, Max140Text for a document name.
const (
	TradeReferenceLenMax = 35
	TradePlaceLenMax     = 70
	DocumentNameLenMax   = 140
)

// incoterms are the eleven rules of Incoterms 2020.
var incoterms = []string{"CFR", "CIF", "CIP", "CPT", "DAP", "DDP", "DPU", "EXW", "FAS", "FCA", "FOB"}

// tradePurposes are the purpose codes a trade payment may carry: goods,
// energies, trade services, suppliers, commerce.
var tradePurposes = []string{"COMC", "ENRG", "GDDS", "GDSV", "SUPP", "TRAD"}

type tradeRequest struct {
	ContractReference string         `json:"contract_reference"`
	InvoiceReference  string         `json:"invoice_reference"`
	Incoterms         string         `json:"incoterms"`
	IncotermsPlace    string         `json:"incoterms_place"`
	ShipmentReference string         `json:"shipment_reference"`
	Carrier           string         `json:"carrier"`
	Route             string         `json:"route"`
	Departure         string         `json:"departure"`
	Deadline          string         `json:"deadline"`
	Documents         []documentJSON `json:"documents"`
	Release           []releaseJSON  `json:"release"`
}

type documentJSON struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

type releaseJSON struct {
	Milestone string `json:"milestone"`
	Node      string `json:"node"`
	Percent   string `json:"percent"`
}

// routeMilestones returns a route's milestones in order.
func routeMilestones(route string) []payments.RouteMilestone {
	rt, _ := trade.Corridor().Route(route)
	out := make([]payments.RouteMilestone, 0, len(rt.Milestones))
	for _, m := range rt.Milestones {
		out = append(out, payments.RouteMilestone{Milestone: string(m.Milestone), Node: m.Node})
	}
	return out
}

// defaultNode is where a milestone named without a node is reached on a
// route: the arrival at the destination, any other milestone where the
// route first reaches it (the loading at the origin, the first border).
func defaultNode(route []payments.RouteMilestone, milestone string) string {
	node := ""
	for _, m := range route {
		if m.Milestone != milestone {
			continue
		}
		node = m.Node
		if milestone != "arrived" {
			break
		}
	}
	return node
}

// text checks a free-text field of a trade's terms: its length in
// characters, and no control characters.
func text(v, field string, required bool, max int) *Problem {
	n := len([]rune(v))
	switch {
	case required && strings.TrimSpace(v) == "":
		return problem(http.StatusBadRequest, "field_required", field, "%s is required", field)
	case n > max:
		return problem(http.StatusBadRequest, "text_too_long", field, "%s holds %d characters; at most %d", field, n, max)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return problem(http.StatusBadRequest, "text_invalid", field, "%s holds a control character", field)
	}
	return nil
}

// parseBasisPoints reads a percentage with at most two decimals ("30",
// "33.33") as basis points.
func parseBasisPoints(s string) (int, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	return w*100 + f, true
}

// parseTrade checks the form of a trade payment's terms and its route.
func parseTrade(req *tradeRequest, purpose string) (*payments.TradeTerms, *Problem) {
	if !slices.Contains(tradePurposes, purpose) {
		return nil, problem(http.StatusBadRequest, "purpose_not_trade", "purpose", "a trade payment's purpose is one of %s, not %q", strings.Join(tradePurposes, ", "), purpose)
	}
	for _, f := range []struct {
		v, field string
		required bool
		max      int
	}{
		{req.ContractReference, "trade.contract_reference", true, TradeReferenceLenMax},
		{req.InvoiceReference, "trade.invoice_reference", false, TradeReferenceLenMax},
		{req.IncotermsPlace, "trade.incoterms_place", false, TradePlaceLenMax},
		{req.ShipmentReference, "trade.shipment_reference", true, TradeReferenceLenMax},
	} {
		if p := text(f.v, f.field, f.required, f.max); p != nil {
			return nil, p
		}
	}
	if !slices.Contains(incoterms, req.Incoterms) {
		return nil, problem(http.StatusBadRequest, "incoterms_unknown", "trade.incoterms", "incoterms is one of the Incoterms 2020 rules (%s), not %q", strings.Join(incoterms, ", "), req.Incoterms)
	}
	if !participantIDPattern.MatchString(req.Carrier) {
		return nil, problem(http.StatusBadRequest, "participant_id_invalid", "trade.carrier", "carrier must be a participant's id: 8 or 11 upper-case letters and digits")
	}
	if _, ok := trade.Corridor().Route(req.Route); !ok {
		var ids []string
		for _, r := range trade.Corridor().Routes() {
			ids = append(ids, r.ID)
		}
		return nil, problem(http.StatusBadRequest, "route_unknown", "trade.route", "route is one of the corridor's routes (%s), not %q", strings.Join(ids, ", "), req.Route)
	}
	t := &payments.TradeTerms{ContractRef: req.ContractReference, InvoiceRef: req.InvoiceReference, Incoterms: req.Incoterms,
		IncotermsPlace: req.IncotermsPlace, ShipmentRef: req.ShipmentReference, Carrier: req.Carrier, Route: req.Route}
	for _, f := range []struct {
		v, field string
		dst      *time.Time
		required bool
	}{{req.Departure, "trade.departure", &t.Departure, false}, {req.Deadline, "trade.deadline", &t.Deadline, true}} {
		if f.v == "" {
			if f.required {
				return nil, problem(http.StatusBadRequest, "field_required", f.field, "%s is required: the contract's deadline, RFC 3339", f.field)
			}
			continue
		}
		at, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			return nil, problem(http.StatusBadRequest, "time_syntax", f.field, "%s must be an RFC 3339 time", f.field)
		}
		*f.dst = at.UTC()
	}
	if len(req.Documents) > payments.TradeDocumentsMax {
		return nil, problem(http.StatusBadRequest, "documents_too_many", "trade.documents", "%d documents; at most %d", len(req.Documents), payments.TradeDocumentsMax)
	}
	for i, d := range req.Documents {
		field := fmt.Sprintf("trade.documents[%d]", i)
		if p := text(d.Name, field+".name", true, DocumentNameLenMax); p != nil {
			return nil, p
		}
		if !isSHA256Hex(d.SHA256) {
			return nil, problem(http.StatusBadRequest, "sha256_invalid", field+".sha256", "sha256 is the document's SHA-256: 64 lower-case hexadecimal digits")
		}
		t.Documents = append(t.Documents, payments.Document{Name: d.Name, SHA256: d.SHA256})
	}
	if len(req.Release) == 0 {
		return nil, problem(http.StatusBadRequest, "field_required", "trade.release", "release names the milestones that release the money and each one's percent")
	}
	t.RouteMilestones = routeMilestones(t.Route)
	for i, r := range req.Release {
		bp, ok := parseBasisPoints(r.Percent)
		if !ok {
			return nil, problem(http.StatusBadRequest, "percent_invalid", fmt.Sprintf("trade.release[%d].percent", i), "percent is a number with at most two decimals, such as 30 or 33.33")
		}
		node := r.Node
		if node == "" {
			node = defaultNode(t.RouteMilestones, r.Milestone)
		}
		t.Release = append(t.Release, payments.Release{Milestone: r.Milestone, Node: node, BasisPoints: bp})
	}
	return t, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// tradeResponse is a trade payment's terms and tranches as the API shows
// them.
type tradeResponse struct {
	ContractReference string         `json:"contract_reference"`
	InvoiceReference  string         `json:"invoice_reference,omitempty"`
	Incoterms         string         `json:"incoterms"`
	IncotermsPlace    string         `json:"incoterms_place,omitempty"`
	ShipmentReference string         `json:"shipment_reference"`
	Carrier           string         `json:"carrier"`
	Route             string         `json:"route"`
	Departure         string         `json:"departure,omitempty"`
	Deadline          string         `json:"deadline"`
	Documents         []documentJSON `json:"documents"`
	Tranches          []trancheJSON  `json:"tranches"`
	Released          releasedJSON   `json:"released"`
}

type trancheJSON struct {
	Milestone    string `json:"milestone"`
	Node         string `json:"node"`
	Percent      string `json:"percent"`
	SourceAmount string `json:"source_amount"`
	TargetAmount string `json:"target_amount"`
	ReleasedAt   string `json:"released_at,omitempty"`
}

type releasedJSON struct {
	SourceAmount string `json:"source_amount"`
	TargetAmount string `json:"target_amount"`
}

func percentText(bp int) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

func tradeJSON(p *payments.Payment) *tradeResponse {
	t := p.Trade
	if t == nil {
		return nil
	}
	sc, _ := money.LookupCurrency(p.Source)
	tc, _ := money.LookupCurrency(p.Target)
	out := &tradeResponse{ContractReference: t.ContractRef, InvoiceReference: t.InvoiceRef, Incoterms: t.Incoterms,
		IncotermsPlace: t.IncotermsPlace, ShipmentReference: t.ShipmentRef, Carrier: t.Carrier, Route: t.Route,
		Deadline: t.Deadline.Format(time.RFC3339), Documents: []documentJSON{}}
	if !t.Departure.IsZero() {
		out.Departure = t.Departure.Format(time.RFC3339)
	}
	for _, d := range t.Documents {
		out.Documents = append(out.Documents, documentJSON{Name: d.Name, SHA256: d.SHA256})
	}
	for _, tr := range t.Tranches {
		j := trancheJSON{Milestone: tr.Milestone, Node: tr.Node, Percent: percentText(tr.BasisPoints),
			SourceAmount: money.FormatAmount(tr.Source, sc), TargetAmount: money.FormatAmount(tr.Target, tc)}
		if !tr.ReleasedAt.IsZero() {
			j.ReleasedAt = tr.ReleasedAt.Format(time.RFC3339Nano)
		}
		out.Tranches = append(out.Tranches, j)
	}
	src, tgt := t.Released()
	out.Released = releasedJSON{SourceAmount: money.FormatAmount(src, sc), TargetAmount: money.FormatAmount(tgt, tc)}
	return out
}

func (s *Server) registerTrade() {
	s.route("GET /v1/trade/corridor", s.anyone(s.tradeCorridor))
	s.route("GET /v1/trade/routes/{id}/plan", s.anyone(s.tradePlan))
	s.route("GET /v1/trade/compare", s.anyone(s.tradeCompare))
	s.route("GET /v1/shipments", s.anyone(s.listShipments))
	s.route("GET /v1/shipments/{ref}", s.anyone(s.getShipment))
	s.route("POST /v1/shipments/{ref}/milestones", s.participant(s.reportMilestone))
}

// shipmentVisible reports whether the caller may see a shipment: the
// operator any, a carrier its own, a bank one that carries a payment of
// its own.
func shipmentVisible(m *payments.Machine, sh *payments.Shipment, c caller) bool {
	if c.participant == nil {
		return true
	}
	if sh.Carrier == c.participant.ID {
		return true
	}
	for _, uetr := range sh.Payments {
		if p, ok := m.Payment(uetr); ok && (p.Sender == c.participant.ID || p.Receiver == c.participant.ID) {
			return true
		}
	}
	return false
}

type reportedJSON struct {
	Milestone  string `json:"milestone"`
	Node       string `json:"node,omitempty"`
	At         string `json:"at"`
	ReportedAt string `json:"reported_at"`
}

type shipmentPaymentJSON struct {
	UETR                 string          `json:"uetr"`
	Status               payments.Status `json:"status"`
	SendingParticipant   string          `json:"sending_participant,omitempty"`
	ReceivingParticipant string          `json:"receiving_participant,omitempty"`
	SourceAmount         *amountJSON     `json:"source_amount,omitempty"`
	TargetAmount         *amountJSON     `json:"target_amount,omitempty"`
	Released             *releasedJSON   `json:"released,omitempty"`
}

type shipmentJSON struct {
	Ref       string                `json:"ref"`
	Carrier   string                `json:"carrier"`
	Route     string                `json:"route"`
	Departure string                `json:"departure,omitempty"`
	CreatedAt string                `json:"created_at"`
	Reported  []reportedJSON        `json:"reported"`
	Plan      *planJSON             `json:"plan"`
	Payments  []shipmentPaymentJSON `json:"payments"`
}

// shipmentView is a shipment as the caller may see it: a bank sees its own
// payments on it, the carrier the payments' statuses only, the operator
// everything.
func shipmentView(m *payments.Machine, sh *payments.Shipment, c caller) shipmentJSON {
	out := shipmentJSON{Ref: sh.Ref, Carrier: sh.Carrier, Route: sh.Route, CreatedAt: sh.CreatedAt.Format(time.RFC3339Nano),
		Reported: []reportedJSON{}, Payments: []shipmentPaymentJSON{}}
	if !sh.Departure.IsZero() {
		out.Departure = sh.Departure.Format(time.RFC3339)
	}
	departure := sh.CreatedAt
	if !sh.Departure.IsZero() {
		departure = sh.Departure
	}
	for _, r := range sh.Reported {
		out.Reported = append(out.Reported, reportedJSON{Milestone: r.Milestone, Node: r.Node, At: r.At.Format(time.RFC3339), ReportedAt: r.ReportedAt.Format(time.RFC3339Nano)})
		if r.Milestone == "loaded" {
			departure = r.At
		}
	}
	if plan, err := trade.Corridor().Plan(sh.Route, departure); err == nil {
		pj := planView(plan)
		for i := range pj.Milestones {
			for _, r := range sh.Reported {
				if r.Milestone == pj.Milestones[i].Milestone && r.Node == pj.Milestones[i].Node {
					pj.Milestones[i].ReportedAt = r.At.Format(time.RFC3339)
				}
			}
		}
		out.Plan = &pj
	}
	for _, uetr := range sh.Payments {
		p, ok := m.Payment(uetr)
		if !ok {
			continue
		}
		own := c.participant == nil || p.Sender == c.participant.ID || p.Receiver == c.participant.ID
		if !own && c.participant != nil && c.participant.ID != sh.Carrier {
			continue
		}
		j := shipmentPaymentJSON{UETR: uetr.String(), Status: p.Status}
		if own {
			sc, _ := money.LookupCurrency(p.Source)
			tc, _ := money.LookupCurrency(p.Target)
			j.SendingParticipant, j.ReceivingParticipant = p.Sender, p.Receiver
			j.SourceAmount = &amountJSON{money.FormatAmount(p.SourceAmount, sc), sc.Code.String()}
			j.TargetAmount = &amountJSON{money.FormatAmount(p.TargetAmount, tc), tc.Code.String()}
			if p.Trade != nil {
				src, tgt := p.Trade.Released()
				j.Released = &releasedJSON{SourceAmount: money.FormatAmount(src, sc), TargetAmount: money.FormatAmount(tgt, tc)}
			}
		}
		out.Payments = append(out.Payments, j)
	}
	return out
}

func (s *Server) listShipments(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	out := []shipmentJSON{}
	s.paymentsView(func(m *payments.Machine) {
		for _, sh := range m.Shipments() {
			if shipmentVisible(m, &sh, c) {
				out = append(out, shipmentView(m, &sh, c))
			}
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"shipments": out})
}

func (s *Server) getShipment(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.requirePayments(w) {
		return
	}
	ref := r.PathValue("ref")
	var out *shipmentJSON
	s.paymentsView(func(m *payments.Machine) {
		if sh, ok := m.Shipment(ref); ok && shipmentVisible(m, &sh, c) {
			v := shipmentView(m, &sh, c)
			out = &v
		}
	})
	if out == nil {
		writeProblem(w, problem(http.StatusNotFound, "shipment_not_found", "ref", "no shipment %s", ref))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// reportMilestone is a carrier's report that a shipment reached a
// milestone.
func (s *Server) reportMilestone(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	// A participant that does not carry the shipment finds none: the
	// machine answers shipment_not_found, as for any shipment of another.
	var req struct {
		Milestone string `json:"milestone"`
		Node      string `json:"node"`
		At        string `json:"at"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	cmd := &payments.ReportMilestone{Carrier: who.ID, ShipmentRef: r.PathValue("ref"), Milestone: req.Milestone, Node: req.Node, At: s.now()}
	if !slices.Contains(payments.TradeMilestones, req.Milestone) {
		writeProblem(w, problem(http.StatusBadRequest, "milestone_unknown", "milestone", "milestone is one of %s, not %q", strings.Join(payments.TradeMilestones, ", "), req.Milestone))
		return
	}
	if req.At != "" {
		at, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			writeProblem(w, problem(http.StatusBadRequest, "time_syntax", "at", "at must be an RFC 3339 time"))
			return
		}
		cmd.At = at.UTC()
	}
	var sh payments.Shipment
	var found bool
	s.paymentsView(func(m *payments.Machine) { sh, found = m.Shipment(cmd.ShipmentRef) })
	if found && sh.Carrier == who.ID {
		if req.Node != "" && !routeHasNode(sh.Route, req.Node) {
			writeProblem(w, problem(http.StatusBadRequest, "node_not_on_route", "node", "%q is not a node of route %s", req.Node, sh.Route))
			return
		}
		if cmd.Node == "" {
			cmd.Node = nextNode(sh, req.Milestone)
		}
	}
	reply, p := s.submit(r.Context(), cmd)
	if p != nil {
		writeProblem(w, p)
		return
	}
	res := reply.(*payments.MilestoneResult)
	out := struct {
		shipmentJSON
		Released []string          `json:"released"`
		Refused  map[string]string `json:"refused"`
	}{Released: []string{}, Refused: res.Refused}
	for _, id := range res.Released {
		out.Released = append(out.Released, id.String())
	}
	s.paymentsView(func(m *payments.Machine) { out.shipmentJSON = shipmentView(m, &res.Shipment, caller{participant: who}) })
	writeJSON(w, http.StatusOK, out)
}

// nextNode is where a milestone reported without a node is reached: the
// first place on the shipment's route where it is not yet reported, or,
// when every one is, the last (a report sent again).
func nextNode(sh payments.Shipment, milestone string) string {
	last := ""
	for _, m := range sh.Milestones {
		if m.Milestone != milestone {
			continue
		}
		last = m.Node
		if !slices.ContainsFunc(sh.Reported, func(r payments.Reported) bool { return r.Milestone == m.Milestone && r.Node == m.Node }) {
			return m.Node
		}
	}
	return last
}

func routeHasNode(routeID, node string) bool {
	rt, ok := trade.Corridor().Route(routeID)
	if !ok {
		return false
	}
	legs := map[string]trade.Leg{}
	for _, l := range trade.Corridor().Legs() {
		legs[l.ID] = l
	}
	for _, id := range rt.Legs {
		if legs[id].From == node || legs[id].To == node {
			return true
		}
	}
	return false
}

type expectedJSON struct {
	Milestone  string `json:"milestone"`
	Node       string `json:"node"`
	ExpectedAt string `json:"expected_at,omitempty"`
	ReportedAt string `json:"reported_at,omitempty"`
}

type stopJSON struct {
	Node   string `json:"node"`
	Arrive string `json:"arrive"`
	Depart string `json:"depart"`
}

type planJSON struct {
	Route        string         `json:"route"`
	DistanceKM   int            `json:"distance_km"`
	TransitHours int            `json:"transit_hours"`
	TransitDays  int            `json:"transit_days"`
	ETA          string         `json:"eta"`
	Stops        []stopJSON     `json:"stops"`
	Milestones   []expectedJSON `json:"milestones"`
}

func planView(p trade.Plan) planJSON {
	out := planJSON{Route: p.Route, DistanceKM: p.DistanceKM, TransitHours: p.TransitHours, TransitDays: p.TransitDays,
		ETA: p.ETA.UTC().Format(time.RFC3339), Stops: []stopJSON{}, Milestones: []expectedJSON{}}
	for _, s := range p.Stops {
		out.Stops = append(out.Stops, stopJSON{Node: s.Node, Arrive: s.Arrive.UTC().Format(time.RFC3339), Depart: s.Depart.UTC().Format(time.RFC3339)})
	}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, expectedJSON{Milestone: string(m.Milestone), Node: m.Node, ExpectedAt: m.At.UTC().Format(time.RFC3339)})
	}
	return out
}

type nodeJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Country   string  `json:"country"`
	Kind      string  `json:"kind"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	Estimated bool    `json:"estimated"`
	Source    string  `json:"source"`
}

type legJSON struct {
	ID            string `json:"id"`
	From          string `json:"from"`
	To            string `json:"to"`
	Mode          string `json:"mode"`
	DistanceKM    int    `json:"distance_km"`
	GaugeChange   bool   `json:"gauge_change"`
	DwellHours    int    `json:"dwell_hours"`
	SpeedKMPerDay int    `json:"speed_km_per_day"`
	Planned       bool   `json:"planned"`
	Estimated     bool   `json:"estimated"`
	Source        string `json:"source"`
}

type routeJSON struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Planned    bool           `json:"planned"`
	Legs       []string       `json:"legs"`
	Milestones []expectedJSON `json:"milestones"`
}

// tradeCorridor answers the corridor as data: its nodes with their
// coordinates, its legs and its routes, each figure with its source.
func (s *Server) tradeCorridor(w http.ResponseWriter, r *http.Request, c caller) {
	n := trade.Corridor()
	out := struct {
		Nodes  []nodeJSON  `json:"nodes"`
		Legs   []legJSON   `json:"legs"`
		Routes []routeJSON `json:"routes"`
	}{Nodes: []nodeJSON{}, Legs: []legJSON{}, Routes: []routeJSON{}}
	for _, x := range n.Nodes() {
		out.Nodes = append(out.Nodes, nodeJSON{ID: x.ID, Name: x.Name, Country: x.Country, Kind: x.Kind, Lat: x.Lat, Lon: x.Lon, Estimated: x.Estimated(), Source: x.Source})
	}
	for _, l := range n.Legs() {
		out.Legs = append(out.Legs, legJSON{ID: l.ID, From: l.From, To: l.To, Mode: l.Mode, DistanceKM: l.DistanceKM, GaugeChange: l.GaugeChange,
			DwellHours: l.DwellHours, SpeedKMPerDay: l.SpeedKMPerDay, Planned: n.LegPlanned(l.ID), Estimated: l.Estimated(), Source: l.Source})
	}
	for _, rt := range n.Routes() {
		j := routeJSON{ID: rt.ID, Name: rt.Name, Planned: rt.Planned, Legs: rt.Legs, Milestones: []expectedJSON{}}
		for _, m := range rt.Milestones {
			j.Milestones = append(j.Milestones, expectedJSON{Milestone: string(m.Milestone), Node: m.Node})
		}
		out.Routes = append(out.Routes, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// departureParam reads ?departure= (RFC 3339; now by default).
func (s *Server) departureParam(r *http.Request) (time.Time, *Problem) {
	v := r.URL.Query().Get("departure")
	if v == "" {
		return s.now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, problem(http.StatusBadRequest, "time_syntax", "departure", "departure must be an RFC 3339 time")
	}
	return t.UTC(), nil
}

// tradePlan answers a route's expected stops, milestones and ETA for a
// departure.
func (s *Server) tradePlan(w http.ResponseWriter, r *http.Request, c caller) {
	dep, p := s.departureParam(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	plan, err := trade.Corridor().Plan(r.PathValue("id"), dep)
	if err != nil {
		writeProblem(w, problem(http.StatusNotFound, "route_not_found", "id", "no route %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, planView(plan))
}

// tradeCompare sets two routes side by side for one departure: by default
// the corridor's western route against the sea route through Suez.
func (s *Server) tradeCompare(w http.ResponseWriter, r *http.Request, c caller) {
	dep, p := s.departureParam(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	q := r.URL.Query()
	a, b := q.Get("a"), q.Get("b")
	if a == "" {
		a = "instc-west"
	}
	if b == "" {
		b = "suez"
	}
	for _, x := range []struct{ field, id string }{{"a", a}, {"b", b}} {
		if _, ok := trade.Corridor().Route(x.id); !ok {
			writeProblem(w, problem(http.StatusBadRequest, "route_unknown", x.field, "no route %q", x.id))
			return
		}
	}
	cmp, err := trade.Corridor().Compare(a, b, dep)
	if err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "route_unknown", "a", "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"a": planView(cmp.A), "b": planView(cmp.B),
		"distance_saved_km": cmp.DistanceSavedKM, "hours_saved": cmp.HoursSaved,
		"distance_saved_percent": permilleText(cmp.DistanceSavedPermille), "time_saved_percent": permilleText(cmp.TimeSavedPermille)})
}

// permilleText writes a permille as a percentage with one decimal: 603 is
// "60.3", -5 is "-0.5".
func permilleText(p int) string {
	if p < 0 {
		return "-" + permilleText(-p)
	}
	return fmt.Sprintf("%d.%d", p/10, p%10)
}
