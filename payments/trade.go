package payments

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"astara/ledger"
	"astara/money"
)

// Trade payments follow the goods. The buyer's bank reserves the money as
// usual, but for as long as the contract allows, and in tranches: each
// tranche is released (its legs posted) when the carrier reports the
// milestone it waits on — loaded, crossed the border, arrived — and what
// is not released by the contract's deadline is voided. The receiving
// bank does not accept a trade payment; it may reject one while nothing
// is released.

// RoleCarrier reports the milestones of the shipments it carries.
const RoleCarrier Role = "carrier"

// The milestones a carrier reports. A route reaches them at its nodes, in
// an order its data gives (RouteMilestones): "arrived" at Bandar Abbas
// comes before "border_crossed" at Astara and "arrived" in Moscow. A
// milestone implies the ones before it on the route: a report of the
// arrival in Moscow releases a tranche still waiting on the loading.
var TradeMilestones = []string{"loaded", "departed", "border_crossed", "arrived"}

// RouteMilestone is a milestone at a node of a shipment's route.
type RouteMilestone struct {
	Milestone string `json:"milestone"`
	Node      string `json:"node"`
}

// routeIndex returns where a milestone at a node stands on a route, or -1.
func routeIndex(route []RouteMilestone, milestone, node string) int {
	return slices.Index(route, RouteMilestone{Milestone: milestone, Node: node})
}

// Limits of a trade payment.
const (
	// TradeTranchesMax is the most tranches a trade payment is released in.
	TradeTranchesMax = 4
	// TradeDocumentsMax is the most documents a trade payment names.
	TradeDocumentsMax = 20
	// BasisPointsWhole is a whole payment in basis points (100%).
	BasisPointsWhole = 10_000
)

// TradeTerms are what a trade payment says of the deal it pays for and of
// when its money is released. The edge checked their form and the route;
// the machine checks what depends on the state.
type TradeTerms struct {
	ContractRef    string     `json:"contract_ref"`
	InvoiceRef     string     `json:"invoice_ref,omitempty"`
	Incoterms      string     `json:"incoterms"`
	IncotermsPlace string     `json:"incoterms_place,omitempty"`
	ShipmentRef    string     `json:"shipment_ref"`
	Carrier        string     `json:"carrier"`
	Route          string     `json:"route"`
	Departure      time.Time  `json:"departure,omitzero"`
	Deadline       time.Time  `json:"deadline"`
	Documents      []Document `json:"documents,omitempty"`
	Release        []Release  `json:"release"`
	// RouteMilestones are the route's milestones in order, as the edge
	// read them from the corridor's data when the payment was made, so
	// that the release follows the route the payment named even if the
	// data changes later.
	RouteMilestones []RouteMilestone `json:"route_milestones"`
}

// Document is a document of the deal, attached by its hash: the switch
// keeps the proof, not the file.
type Document struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Release is one tranche's condition: the milestone it waits on, at a node
// of the route, and its share of the payment.
type Release struct {
	Milestone   string `json:"milestone"`
	Node        string `json:"node"`
	BasisPoints int    `json:"basis_points"`
}

// Trade is a trade payment's terms and its tranches.
type Trade struct {
	TradeTerms
	Tranches []Tranche `json:"tranches"`
}

// Tranche is one part of a trade payment, reserved on its own legs.
type Tranche struct {
	Milestone   string       `json:"milestone"`
	Node        string       `json:"node"`
	BasisPoints int          `json:"basis_points"`
	Source      money.Amount `json:"source"`
	Target      money.Amount `json:"target"`
	ReleasedAt  time.Time    `json:"released_at,omitzero"`
}

// Released returns what the released tranches moved.
func (t *Trade) Released() (source, target money.Amount) {
	for _, tr := range t.Tranches {
		if !tr.ReleasedAt.IsZero() {
			source, target = source.MustAdd(tr.Source), target.MustAdd(tr.Target)
		}
	}
	return source, target
}

// tranches splits a payment's amounts by the release shares: each tranche
// takes its share rounded down, and the last what is left, so that the
// tranches add up to the payment exactly.
func tranches(release []Release, source, target money.Amount) []Tranche {
	out := make([]Tranche, len(release))
	var restS, restT = source, target
	for i, r := range release {
		out[i] = Tranche{Milestone: r.Milestone, Node: r.Node, BasisPoints: r.BasisPoints}
		if i == len(release)-1 {
			out[i].Source, out[i].Target = restS, restT
			break
		}
		s, _ := money.MulUint64(source, uint64(r.BasisPoints))
		t, _ := money.MulUint64(target, uint64(r.BasisPoints))
		out[i].Source = money.DivUint64(s, BasisPointsWhole, money.RoundDown)
		out[i].Target = money.DivUint64(t, BasisPointsWhole, money.RoundDown)
		restS, restT = restS.MustSub(out[i].Source), restT.MustSub(out[i].Target)
	}
	return out
}

// checkTradeTerms checks what the state decides of a trade payment's
// terms: the carrier, the shipment, the release, the deadline.
func (m *Machine) checkTradeTerms(t *TradeTerms, amountS, amountT money.Amount, now time.Time) *Refusal {
	c, ok := m.participants[t.Carrier]
	if !ok || !c.HasRole(RoleCarrier) {
		return refuse(KindRefused, "carrier_unknown", "", "trade.carrier", "%q is not a participant with the carrier role", t.Carrier)
	}
	if len(t.RouteMilestones) == 0 {
		return refuse(KindInvalid, "route_invalid", "", "trade.route", "the route %q has no milestones", t.Route)
	}
	if s, ok := m.shipments[t.ShipmentRef]; ok && (s.Carrier != t.Carrier || s.Route != t.Route) {
		return refuse(KindConflict, "shipment_mismatch", "", "trade.shipment_ref",
			"shipment %s is carried by %s on route %s; this payment names %s on %s", s.Ref, s.Carrier, s.Route, t.Carrier, t.Route)
	}
	if n := len(t.Release); n == 0 || n > TradeTranchesMax {
		return refuse(KindInvalid, "release_invalid", "", "trade.release", "a trade payment is released in 1 to %d tranches; got %d", TradeTranchesMax, n)
	}
	sum := 0
	for i, r := range t.Release {
		field := fmt.Sprintf("trade.release[%d]", i)
		if !slices.Contains(TradeMilestones, r.Milestone) {
			return refuse(KindInvalid, "milestone_unknown", "", field+".milestone", "%q is not a milestone (%s)", r.Milestone, strings.Join(TradeMilestones, ", "))
		}
		k := routeIndex(t.RouteMilestones, r.Milestone, r.Node)
		if k < 0 {
			return refuse(KindInvalid, "milestone_not_on_route", "", field+".node", "route %s has no milestone %s at %q", t.Route, r.Milestone, r.Node)
		}
		if i > 0 && k <= routeIndex(t.RouteMilestones, t.Release[i-1].Milestone, t.Release[i-1].Node) {
			return refuse(KindInvalid, "release_invalid", "", field+".milestone", "tranches follow the route's milestones in order, each once: %s at %s does not come after %s at %s",
				r.Milestone, r.Node, t.Release[i-1].Milestone, t.Release[i-1].Node)
		}
		if r.BasisPoints <= 0 || r.BasisPoints > BasisPointsWhole {
			return refuse(KindInvalid, "release_invalid", "", field+".percent", "a tranche's share is more than 0%% and at most 100%%")
		}
		sum += r.BasisPoints
	}
	if sum != BasisPointsWhole {
		return refuse(KindInvalid, "release_invalid", "", "trade.release", "the tranches' shares add up to %d.%02d%%, not 100%%", sum/100, sum%100)
	}
	if len(t.Documents) > TradeDocumentsMax {
		return refuse(KindInvalid, "documents_too_many", "", "trade.documents", "%d documents; at most %d", len(t.Documents), TradeDocumentsMax)
	}
	if !t.Deadline.After(now) {
		return refuse(KindInvalid, "deadline_past", "", "trade.deadline", "the contract's deadline %s has passed", t.Deadline.Format(time.RFC3339))
	}
	if t.Deadline.Sub(now) > time.Duration(ledger.TimeoutSecondsMax)*time.Second {
		return refuse(KindInvalid, "deadline_too_far", "", "trade.deadline", "the money can be reserved for at most %d days; the deadline %s is further",
			ledger.TimeoutSecondsMax/86400, t.Deadline.Format(time.RFC3339))
	}
	for _, tr := range tranches(t.Release, amountS, amountT) {
		if tr.Source.IsZero() || tr.Target.IsZero() {
			return refuse(KindInvalid, "release_invalid", "", "trade.release", "a tranche of %d.%02d%% of this payment is less than one minor unit", tr.BasisPoints/100, tr.BasisPoints%100)
		}
	}
	return nil
}

// tradeTimeout is how long a trade payment's reservation waits: until the
// contract's deadline, rounded up to the second.
func tradeTimeout(deadline, now time.Time) uint32 {
	secs := (deadline.Sub(now) + time.Second - 1) / time.Second
	return uint32(min(max(secs, 1), ledger.TimeoutSecondsMax))
}

// trancheLegs returns the ids of tranche i's legs: source, target.
func trancheLegs(uetr ledger.ID, i int) (source, target ledger.ID) {
	return legID(uetr, fmt.Sprintf("trade-source-%d", i)), legID(uetr, fmt.Sprintf("trade-target-%d", i))
}

// TrancheLegs returns the ledger ids of a trade payment's tranche legs,
// source and target per tranche; none for another payment.
func (p *Payment) TrancheLegs() [][2]ledger.ID {
	if p.Trade == nil {
		return nil
	}
	out := make([][2]ledger.ID, len(p.Trade.Tranches))
	for i := range out {
		out[i][0], out[i][1] = trancheLegs(p.UETR, i)
	}
	return out
}

// tradeReservationLegs reserves a trade payment: per tranche, sender ->
// FX provider and FX provider -> receiver; and the fee, whole, which is
// posted with the first tranche released. One chain.
func tradeReservationLegs(p *Payment, timeout uint32) []ledger.Transfer {
	var legs []ledger.Transfer
	for i, tr := range p.Trade.Tranches {
		src, tgt := trancheLegs(p.UETR, i)
		legs = append(legs,
			ledger.Transfer{ID: src, DebitAccountID: AccountID(p.Sender, p.Source, AccountPosition), CreditAccountID: AccountID(p.FXProvider, p.Source, AccountPosition),
				Amount: tr.Source, Currency: p.Source, Code: TransferCodePayment, Flags: ledger.TransferPending | ledger.TransferLinked, TimeoutSeconds: timeout},
			ledger.Transfer{ID: tgt, DebitAccountID: AccountID(p.FXProvider, p.Target, AccountPosition), CreditAccountID: AccountID(p.Receiver, p.Target, AccountPosition),
				Amount: tr.Target, Currency: p.Target, Code: TransferCodePayment, Flags: ledger.TransferPending | ledger.TransferLinked, TimeoutSeconds: timeout})
	}
	if !p.Fee.IsZero() {
		_, _, fee := p.Legs()
		legs = append(legs, ledger.Transfer{ID: fee, DebitAccountID: AccountID(p.Sender, p.Source, AccountPosition),
			CreditAccountID: AccountID(SwitchID, p.Source, AccountFeeIncome), Amount: p.Fee, Currency: p.Source,
			Code: TransferCodeFee, Flags: ledger.TransferPending | ledger.TransferLinked, TimeoutSeconds: timeout})
	}
	legs[len(legs)-1].Flags &^= ledger.TransferLinked
	return legs
}

// pendingLegs returns the ids of a payment's reserved legs that may still
// be open: every leg of an ordinary payment; the unreleased tranches'
// legs of a trade payment, and its fee until the first release.
func (p *Payment) pendingLegs() []ledger.ID {
	src, tgt, fee := p.Legs()
	if p.Trade == nil {
		if p.Fee.IsZero() {
			return []ledger.ID{src, tgt}
		}
		return []ledger.ID{src, tgt, fee}
	}
	var out []ledger.ID
	released := false
	for i, tr := range p.Trade.Tranches {
		if !tr.ReleasedAt.IsZero() {
			released = true
			continue
		}
		s, t := trancheLegs(p.UETR, i)
		out = append(out, s, t)
	}
	if !released && !p.Fee.IsZero() {
		out = append(out, fee)
	}
	return out
}

// Shipment is what the switch knows of a shipment that trade payments
// wait on: who carries it, on which route, and the milestones reported.
type Shipment struct {
	Ref     string `json:"ref"`
	Carrier string `json:"carrier"`
	Route   string `json:"route"`
	// Milestones are the route's, in order, from its first payment.
	Milestones []RouteMilestone `json:"milestones"`
	Departure  time.Time        `json:"departure,omitzero"`
	Payments   []ledger.ID      `json:"payments"`
	Reported   []Reported       `json:"reported"`
	CreatedAt  time.Time        `json:"created_at"`
}

// Reported is a milestone as the carrier reported it.
type Reported struct {
	Milestone  string    `json:"milestone"`
	Node       string    `json:"node"`
	At         time.Time `json:"at"`
	ReportedAt time.Time `json:"reported_at"`
}

// ReportMilestone is a carrier's report that a shipment reached a
// milestone at a node of its route (the edge names the node when the
// carrier does not), at a moment (not after the report).
type ReportMilestone struct {
	Carrier     string    `json:"carrier"`
	ShipmentRef string    `json:"shipment_ref"`
	Milestone   string    `json:"milestone"`
	Node        string    `json:"node"`
	At          time.Time `json:"at"`
}

// MilestoneResult is what a report did: the shipment after it, and per
// payment waiting on it, the payment after it or why nothing was released.
type MilestoneResult struct {
	Shipment Shipment
	Released []ledger.ID
	// Refused holds, per payment whose tranche the ledger refused (its
	// reservation expired a moment before), the reason.
	Refused map[string]string
}

// Shipment returns a shipment by its reference.
func (m *Machine) Shipment(ref string) (Shipment, bool) {
	s, ok := m.shipments[ref]
	if !ok {
		return Shipment{}, false
	}
	return copyShipment(s), true
}

// Shipments returns every shipment, oldest first.
func (m *Machine) Shipments() []Shipment {
	out := make([]Shipment, 0, len(m.shipments))
	for _, s := range m.shipments {
		out = append(out, copyShipment(s))
	}
	slices.SortFunc(out, func(a, b Shipment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Ref, b.Ref)
	})
	return out
}

func copyShipment(s *Shipment) Shipment {
	cp := *s
	cp.Payments = slices.Clone(s.Payments)
	cp.Reported = slices.Clone(s.Reported)
	cp.Milestones = slices.Clone(s.Milestones)
	return cp
}

// addShipment records that a trade payment waits on its shipment.
func (m *Machine) addShipment(p *Payment, now time.Time) {
	t := p.Trade
	s, ok := m.shipments[t.ShipmentRef]
	if !ok {
		s = &Shipment{Ref: t.ShipmentRef, Carrier: t.Carrier, Route: t.Route, Milestones: slices.Clone(t.RouteMilestones), Departure: t.Departure, CreatedAt: now}
		m.shipments[t.ShipmentRef] = s
	}
	s.Payments = append(s.Payments, p.UETR)
}

func (m *Machine) reportMilestone(c *ReportMilestone, now time.Time) any {
	s, ok := m.shipments[c.ShipmentRef]
	if !ok || s.Carrier != c.Carrier {
		return refuse(KindNotFound, "shipment_not_found", "", "shipment_ref", "no shipment %s carried by %s", c.ShipmentRef, c.Carrier)
	}
	mi := routeIndex(s.Milestones, c.Milestone, c.Node)
	if mi < 0 {
		return refuse(KindInvalid, "milestone_not_on_route", "", "node", "route %s has no milestone %s at %q", s.Route, c.Milestone, c.Node)
	}
	if c.At.After(now) {
		return refuse(KindInvalid, "milestone_in_future", "", "at", "a milestone is reported once reached; %s is after now", c.At.Format(time.RFC3339))
	}
	out := &MilestoneResult{Refused: map[string]string{}}
	if slices.ContainsFunc(s.Reported, func(r Reported) bool { return r.Milestone == c.Milestone && r.Node == c.Node }) {
		// A report sent again: it was taken the first time.
		out.Shipment = copyShipment(s)
		return out
	}
	s.Reported = append(s.Reported, Reported{Milestone: c.Milestone, Node: c.Node, At: c.At, ReportedAt: now})
	for _, uetr := range s.Payments {
		p := m.payments[uetr]
		if p == nil || p.Status != StatusReserved || p.Trade == nil {
			continue
		}
		m.touch(uetr)
		m.changed(uetr)
		if reason := m.release(p, mi, c, now); reason != "" {
			out.Refused[uetr.String()] = reason
		} else if p.Status == StatusReserved || p.Status == StatusCompleted {
			out.Released = append(out.Released, uetr)
		}
	}
	out.Shipment = copyShipment(s)
	return out
}

// release posts the tranches of p that wait on milestone index mi or an
// earlier one, in one chain (with the fee at the first release), and
// returns why the ledger refused, or "".
func (m *Machine) release(p *Payment, mi int, c *ReportMilestone, now time.Time) string {
	var due []int
	first := true
	for i, tr := range p.Trade.Tranches {
		if !tr.ReleasedAt.IsZero() {
			first = false
			continue
		}
		if routeIndex(p.Trade.RouteMilestones, tr.Milestone, tr.Node) <= mi {
			due = append(due, i)
		}
	}
	if len(due) == 0 {
		return ""
	}
	post := func(leg ledger.ID) ledger.Transfer {
		return ledger.Transfer{ID: derive(string(rune('0'+ledger.TransferPostPending)), leg.String()), PendingID: leg,
			Flags: ledger.TransferPostPending | ledger.TransferLinked}
	}
	var chain []ledger.Transfer
	for _, i := range due {
		s, t := trancheLegs(p.UETR, i)
		chain = append(chain, post(s), post(t))
	}
	_, _, feeLeg := p.Legs()
	if first && !p.Fee.IsZero() {
		chain = append(chain, post(feeLeg))
	}
	chain[len(chain)-1].Flags &^= ledger.TransferLinked
	if _, r := firstFailure(m.createTransfers(chain)); r != ledger.ResultOK {
		return r.String()
	}
	sc, _ := money.LookupCurrency(p.Source)
	tc, _ := money.LookupCurrency(p.Target)
	var srcSum, tgtSum money.Amount
	bp := 0
	for _, i := range due {
		tr := &p.Trade.Tranches[i]
		tr.ReleasedAt = now
		srcSum, tgtSum = srcSum.MustAdd(tr.Source), tgtSum.MustAdd(tr.Target)
		bp += tr.BasisPoints
	}
	fee := money.Amount{}
	if first {
		fee = p.Fee
	}
	m.count(p.Source, now, move{p.Sender, p.FXProvider, srcSum}, move{p.Sender, SwitchID, fee})
	m.count(p.Target, now, move{p.FXProvider, p.Receiver, tgtSum})
	where := ""
	if c.Node != "" {
		where = " at " + c.Node
	}
	p.Events = append(p.Events, Event{At: now, Event: "released", By: c.Carrier, Detail: fmt.Sprintf("%s%s (%s, reported by %s): %d.%02d%% released, %s %s to %s %s",
		c.Milestone, where, c.At.UTC().Format(time.RFC3339), c.Carrier, bp/100, bp%100, money.FormatAmount(srcSum, sc), sc.Code, money.FormatAmount(tgtSum, tc), tc.Code)})
	if len(p.pendingLegs()) == 0 {
		p.Status = StatusCompleted
		p.Events = append(p.Events, Event{At: now, Status: StatusCompleted, Event: "completed", By: SwitchID, Detail: "every tranche released"})
	}
	return ""
}

// expireTrade marks a trade payment whose contract deadline passed with
// tranches unreleased: those were voided by the ledger; what was released
// stays.
func (m *Machine) expireTrade(p *Payment, now time.Time) {
	m.touch(p.UETR)
	sc, _ := money.LookupCurrency(p.Source)
	src, _ := p.Trade.Released()
	p.Status = StatusExpired
	p.Reason = "AB05"
	if src.IsZero() {
		m.releaseDaily(p)
	}
	p.Events = append(p.Events, Event{At: now, Status: StatusExpired, Event: "expired", By: SwitchID, Reason: "AB05",
		Detail: fmt.Sprintf("the contract's deadline passed; %s %s had been released, the rest was voided", money.FormatAmount(src, sc), sc.Code)})
}

// pushExpiry watches a payment's reservation, whose last leg was created
// at timestamp last with timeout seconds.
func (m *Machine) pushExpiry(p *Payment, last uint64, timeout uint32) {
	heap.Push(&m.expiries, paymentExpiry{at: last + uint64(timeout)*1_000_000_000, uetr: p.UETR})
}
