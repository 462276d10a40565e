package payments_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
	"astara/trade"
)

// carrier is the network's railway, a participant with the carrier role
// and no currency.
const carrier = "RZDCRUMM"

// TradeNetwork is NewNetwork with a carrier.
func TradeNetwork(tb testing.TB) *Switch {
	tb.Helper()
	s := NewNetwork(tb)
	s.AddParticipant(carrier, nil, nil, payments.RoleCarrier)
	return s
}

// routeMilestones returns a route's milestones as the edge hands them to
// the machine.
func routeMilestones(tb testing.TB, id string) []payments.RouteMilestone {
	tb.Helper()
	r, ok := trade.Corridor().Route(id)
	if !ok {
		tb.Fatalf("no route %s", id)
	}
	var out []payments.RouteMilestone
	for _, m := range r.Milestones {
		out = append(out, payments.RouteMilestone{Milestone: string(m.Milestone), Node: m.Node})
	}
	return out
}

// TradeTerms are a contract paid 30% on loading at Nhava Sheva and 70% on
// arrival in Moscow, due in twenty days, on the western route.
func (s *Switch) TradeTerms(shipment string) *payments.TradeTerms {
	return &payments.TradeTerms{ContractRef: "C-2026-117", InvoiceRef: "INV-4711", Incoterms: "CPT", IncotermsPlace: "Moscow",
		ShipmentRef: shipment, Carrier: carrier, Route: "instc-west", Deadline: s.Now().Add(20 * 24 * time.Hour),
		Documents: []payments.Document{{Name: "contract.pdf", SHA256: strings.Repeat("ab", 32)}},
		Release: []payments.Release{{Milestone: "loaded", Node: "nhava_sheva", BasisPoints: 3000},
			{Milestone: "arrived", Node: "moscow", BasisPoints: 7000}},
		RouteMilestones: routeMilestones(s.tb, "instc-west")}
}

// PayTrade sends a trade payment of sourceAmount on terms.
func (s *Switch) PayTrade(sourceAmount uint64, terms *payments.TradeTerms) any {
	s.tb.Helper()
	c := s.PayCmd(s.Quote(sourceAmount))
	c.Purpose = "GDDS"
	c.Trade = terms
	return s.Do(c)
}

// Report reports a milestone of a shipment as the carrier: loaded at the
// origin, arrived at the destination.
func (s *Switch) Report(shipment, milestone string) any {
	s.tb.Helper()
	node := map[string]string{"loaded": "nhava_sheva", "departed": "nhava_sheva", "border_crossed": "astara_az", "arrived": "moscow"}[milestone]
	return s.ReportAt(shipment, milestone, node)
}

// ReportAt reports a milestone at a node.
func (s *Switch) ReportAt(shipment, milestone, node string) any {
	s.tb.Helper()
	return s.Do(&payments.ReportMilestone{Carrier: carrier, ShipmentRef: shipment, Milestone: milestone, Node: node, At: s.Now().Add(-time.Minute)})
}

// tranchesPosted returns the ledger expected after the tranches whose
// shares add up to bp were released: those posted with the fee, the rest
// still reserved.
func tranchesView(tb testing.TB, before map[string]Bal, p *payments.Payment, released []int) map[string]Bal {
	tb.Helper()
	want := map[string]Bal{}
	for k, v := range before {
		want[k] = v
	}
	add := func(name string, f func(b *Bal)) {
		b := want[name]
		f(&b)
		want[name] = b
	}
	F := Minor(tb, p.Fee)
	anyReleased := len(released) > 0
	for i, tr := range p.Trade.Tranches {
		S, T := Minor(tb, tr.Source), Minor(tb, tr.Target)
		if slices.Contains(released, i) {
			add("sender RUB position", func(b *Bal) { b.DebitsPosted += S })
			add("FX provider RUB position", func(b *Bal) { b.CreditsPosted += S })
			add("FX provider IRR position", func(b *Bal) { b.DebitsPosted += T })
			add("receiver IRR position", func(b *Bal) { b.CreditsPosted += T })
		} else {
			add("sender RUB position", func(b *Bal) { b.DebitsPending += S })
			add("FX provider RUB position", func(b *Bal) { b.CreditsPending += S })
			add("FX provider IRR position", func(b *Bal) { b.DebitsPending += T })
			add("receiver IRR position", func(b *Bal) { b.CreditsPending += T })
		}
	}
	if anyReleased {
		add("sender RUB position", func(b *Bal) { b.DebitsPosted += F })
		add("switch RUB fee income", func(b *Bal) { b.CreditsPosted += F })
	} else {
		add("sender RUB position", func(b *Bal) { b.DebitsPending += F })
		add("switch RUB fee income", func(b *Bal) { b.CreditsPending += F })
	}
	return want
}

func mustLedgerEqual(tb testing.TB, s *Switch, want map[string]Bal) {
	tb.Helper()
	if got := LedgerView(tb, s.M); !reflect.DeepEqual(got, want) {
		tb.Errorf("got ledger %+v, want %+v", got, want)
	}
}

func TestTradeRelease(t *testing.T) {
	t.Run("tranches are reserved apart and add up to the payment", func(t *testing.T) {
		s := TradeNetwork(t)
		before := LedgerView(t, s.M)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_01, s.TradeTerms("SHIP-1")))
		if p.Status != payments.StatusReserved || p.Trade == nil || len(p.Trade.Tranches) != 2 {
			t.Fatalf("got %s with trade %+v, want reserved in two tranches", p.Status, p.Trade)
		}
		a, b := p.Trade.Tranches[0], p.Trade.Tranches[1]
		if Minor(t, a.Source) != 4_500_000 || Minor(t, a.Source)+Minor(t, b.Source) != Minor(t, p.SourceAmount) ||
			Minor(t, a.Target)+Minor(t, b.Target) != Minor(t, p.TargetAmount) {
			t.Errorf("got tranches %+v of %s/%s, want 30%% rounded down and the rest", p.Trade.Tranches, p.SourceAmount, p.TargetAmount)
		}
		if !p.Deadline.Equal(p.Trade.Deadline) {
			t.Errorf("got deadline %s, want the contract's %s", p.Deadline, p.Trade.Deadline)
		}
		mustLedgerEqual(t, s, tranchesView(t, before, p, nil))
		sh, ok := s.M.Shipment("SHIP-1")
		if !ok || sh.Carrier != carrier || sh.Route != "instc-west" || !slices.Equal(sh.Payments, []ledger.ID{p.UETR}) {
			t.Errorf("got shipment %+v, want SHIP-1 by %s with the payment", sh, carrier)
		}
	})

	t.Run("each milestone releases its tranche, the fee with the first", func(t *testing.T) {
		s := TradeNetwork(t)
		before := LedgerView(t, s.M)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		r := MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "loaded"))
		if !slices.Equal(r.Released, []ledger.ID{p.UETR}) || len(r.Shipment.Reported) != 1 {
			t.Fatalf("got %+v, want the payment released and the milestone recorded", r)
		}
		got := MustPayment(t, s.M, p.UETR)
		if got.Status != payments.StatusReserved || got.Trade.Tranches[0].ReleasedAt.IsZero() || !got.Trade.Tranches[1].ReleasedAt.IsZero() {
			t.Fatalf("got %s %+v, want reserved with the first tranche released", got.Status, got.Trade.Tranches)
		}
		mustLedgerEqual(t, s, tranchesView(t, before, p, []int{0}))
		last := got.Events[len(got.Events)-1]
		if last.Event != "released" || last.By != carrier || !strings.Contains(last.Detail, "30.00% released") {
			t.Errorf("got the last event %+v, want 30%% released by the carrier", last)
		}

		// The same report again changes nothing.
		MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "loaded"))
		if again := MustPayment(t, s.M, p.UETR); len(again.Events) != len(got.Events) {
			t.Errorf("a repeated report added events: %v", eventNames(again))
		}
		mustLedgerEqual(t, s, tranchesView(t, before, p, []int{0}))

		MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "arrived"))
		done := MustPayment(t, s.M, p.UETR)
		if done.Status != payments.StatusCompleted {
			t.Fatalf("got %s, want completed", done.Status)
		}
		MustLedger(t, s.M, before, phasePosted, p)
		if got, want := eventNames(done), []string{"received", "reserved", "released", "released", "completed"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got events %v, want %v", got, want)
		}
		w, _ := s.M.OpenWindow(codeRUB)
		if pos := w.Positions[bankRU]; pos == nil || Minor(t, pos.Sent) != Minor(t, p.SourceAmount)+Minor(t, p.Fee) {
			t.Errorf("got the RUB window's %s position %+v, want the payment and its fee sent", bankRU, pos)
		}
	})

	t.Run("an arrival at a port on the way releases nothing waiting on the arrival in Moscow", func(t *testing.T) {
		s := TradeNetwork(t)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		MustReply[*payments.MilestoneResult](t, s.ReportAt("SHIP-1", "arrived", "bandar_abbas"))
		got := MustPayment(t, s.M, p.UETR)
		if !got.Trade.Tranches[1].ReleasedAt.IsZero() || got.Trade.Tranches[0].ReleasedAt.IsZero() {
			t.Fatalf("got tranches %+v, want the loading's released (it comes before) and Moscow's waiting", got.Trade.Tranches)
		}
		// Both border crossings of the route are recorded.
		MustReply[*payments.MilestoneResult](t, s.ReportAt("SHIP-1", "border_crossed", "astara_az"))
		r := MustReply[*payments.MilestoneResult](t, s.ReportAt("SHIP-1", "border_crossed", "yalama"))
		if n := len(r.Shipment.Reported); n != 3 {
			t.Errorf("got %d reports, want 3", n)
		}
		MustRefusal(t, s.ReportAt("SHIP-1", "arrived", "tehran"), "milestone_not_on_route")
	})

	t.Run("a later milestone releases the tranches before it", func(t *testing.T) {
		s := TradeNetwork(t)
		before := LedgerView(t, s.M)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "arrived"))
		if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusCompleted {
			t.Fatalf("got %s, want completed", got.Status)
		}
		MustLedger(t, s.M, before, phasePosted, p)
	})

	t.Run("the deadline voids what was not released", func(t *testing.T) {
		s := TradeNetwork(t)
		before := LedgerView(t, s.M)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "loaded"))
		s.At(p.Trade.Deadline.Add(time.Second))
		s.Pulse()
		got := MustPayment(t, s.M, p.UETR)
		if got.Status != payments.StatusExpired || got.Reason != "AB05" {
			t.Fatalf("got %s %q, want expired AB05", got.Status, got.Reason)
		}
		want := tranchesView(t, before, p, []int{0})
		for _, name := range []string{"sender RUB position", "FX provider RUB position", "FX provider IRR position", "receiver IRR position"} {
			b := want[name]
			b.DebitsPending, b.CreditsPending = before[name].DebitsPending, before[name].CreditsPending
			want[name] = b
		}
		mustLedgerEqual(t, s, want)
		// An arrival reported after the deadline releases nothing.
		if r := MustReply[*payments.MilestoneResult](t, s.Report("SHIP-1", "arrived")); len(r.Released) != 0 {
			t.Errorf("got %v released after the deadline, want none", r.Released)
		}
		mustLedgerEqual(t, s, want)
	})

	t.Run("the receiving bank may reject before any release, not accept", func(t *testing.T) {
		s := TradeNetwork(t)
		before := LedgerView(t, s.M)
		p := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		MustRefusal(t, s.Accept(p.UETR, bankIR), payments.CodeTradeReleasedByMilestones)
		MustReply[*payments.Payment](t, s.Reject(p.UETR, bankIR, "AC04"))
		mustLedgerEqual(t, s, before)

		q := MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-2")))
		MustReply[*payments.MilestoneResult](t, s.Report("SHIP-2", "loaded"))
		MustRefusal(t, s.Reject(q.UETR, bankIR, "AC04"), payments.CodeTradeReleasedByMilestones)
	})
}

func TestTradeRefusals(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		edit  func(s *Switch, t *payments.TradeTerms)
		code  string
		field string
	}{
		{"the carrier is a participant", func(s *Switch, t *payments.TradeTerms) { t.Carrier = "NOBODYXX" }, "carrier_unknown", "trade.carrier"},
		{"the carrier has the carrier role", func(s *Switch, t *payments.TradeTerms) { t.Carrier = bankFX }, "carrier_unknown", "trade.carrier"},
		{"the shares add up to 100%", func(s *Switch, t *payments.TradeTerms) { t.Release[1].BasisPoints = 6000 }, "release_invalid", "trade.release"},
		{"a share is above 0%", func(s *Switch, t *payments.TradeTerms) {
			t.Release[0].BasisPoints, t.Release[1].BasisPoints = 0, 10_000
		},
			"release_invalid", "trade.release[0].percent"},
		{"tranches follow the milestones in order", func(s *Switch, t *payments.TradeTerms) {
			t.Release[0], t.Release[1] = t.Release[1], t.Release[0]
		}, "release_invalid", "trade.release[1].milestone"},
		{"a tranche's milestone is on the route", func(s *Switch, t *payments.TradeTerms) { t.Release[1].Node = "tehran" },
			"milestone_not_on_route", "trade.release[1].node"},
		{"a milestone is one of the four", func(s *Switch, t *payments.TradeTerms) { t.Release[0].Milestone = "paid" }, "milestone_unknown", "trade.release[0].milestone"},
		{"at most TradeTranchesMax tranches", func(s *Switch, t *payments.TradeTerms) {
			t.Release = nil
			for _, m := range t.RouteMilestones[:payments.TradeTranchesMax+1] {
				t.Release = append(t.Release, payments.Release{Milestone: m.Milestone, Node: m.Node, BasisPoints: 2000})
			}
		}, "release_invalid", "trade.release"},
		{"at most TradeDocumentsMax documents", func(s *Switch, t *payments.TradeTerms) {
			t.Documents = make([]payments.Document, payments.TradeDocumentsMax+1)
		}, "documents_too_many", "trade.documents"},
		{"the deadline is to come", func(s *Switch, t *payments.TradeTerms) { t.Deadline = s.Now().Add(-time.Hour) }, "deadline_past", "trade.deadline"},
		{"the deadline is within TimeoutSecondsMax", func(s *Switch, t *payments.TradeTerms) {
			t.Deadline = s.Now().Add(time.Duration(ledger.TimeoutSecondsMax+3600) * time.Second)
		}, "deadline_too_far", "trade.deadline"},
		{"a tranche is at least a minor unit", func(s *Switch, t *payments.TradeTerms) {
			// 0.01% of 1,000.00 RUB is 10 kopecks, of 523,400 IRR 52 rials;
			// 0.0001% is not a share the request can name, but 1 basis point
			// of 50.00 RUB is less than a kopeck.
			t.Release[0].BasisPoints, t.Release[1].BasisPoints = 1, 9999
			t.ContractRef = "small"
		}, "release_invalid", "trade.release"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			s := TradeNetwork(t)
			before, transfers := LedgerView(t, s.M), s.M.Ledger.TransfersCount()
			terms := s.TradeTerms("SHIP-1")
			tc.edit(s, terms)
			amount := uint64(1_000_00)
			if terms.ContractRef == "small" {
				amount = 50_00
			}
			c := s.PayCmd(s.Quote(amount))
			c.Trade = terms
			if r := MustRefusal(t, s.Do(c), tc.code); r.Field != tc.field {
				t.Errorf("got field %q, want %q", r.Field, tc.field)
			}
			mustLedgerEqual(t, s, before)
			if n := s.M.Ledger.TransfersCount(); n != transfers {
				t.Errorf("got %d transfers, want %d", n, transfers)
			}
			if _, ok := s.M.Shipment("SHIP-1"); ok {
				t.Errorf("a refused payment left a shipment")
			}
		})
	}

	t.Run("a shipment keeps its carrier and route", func(t *testing.T) {
		s := TradeNetwork(t)
		MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		terms := s.TradeTerms("SHIP-1")
		terms.Route = "instc-caspian"
		MustRefusal(t, s.PayTrade(150_000_00, terms), "shipment_mismatch")
	})

	t.Run("only the shipment's carrier reports, and never ahead of time", func(t *testing.T) {
		s := TradeNetwork(t)
		MustReply[*payments.Payment](t, s.PayTrade(150_000_00, s.TradeTerms("SHIP-1")))
		for _, tc := range []struct {
			c    *payments.ReportMilestone
			code string
		}{
			{&payments.ReportMilestone{Carrier: bankFX, ShipmentRef: "SHIP-1", Milestone: "loaded", At: s.Now()}, "shipment_not_found"},
			{&payments.ReportMilestone{Carrier: carrier, ShipmentRef: "SHIP-9", Milestone: "loaded", At: s.Now()}, "shipment_not_found"},
			{&payments.ReportMilestone{Carrier: carrier, ShipmentRef: "SHIP-1", Milestone: "unloaded", Node: "nhava_sheva", At: s.Now()}, "milestone_not_on_route"},
			{&payments.ReportMilestone{Carrier: carrier, ShipmentRef: "SHIP-1", Milestone: "loaded", Node: "nhava_sheva", At: s.Now().Add(time.Hour)}, "milestone_in_future"},
		} {
			MustRefusal(t, s.Do(tc.c), tc.code)
		}
		if sh, _ := s.M.Shipment("SHIP-1"); len(sh.Reported) != 0 {
			t.Errorf("got reports %+v, want none", sh.Reported)
		}
	})
}

// TestTradeAmountsSplitExactly checks the split for many amounts and
// shares: the tranches always add up to the payment, each is its share
// rounded down but the last.
func TestTradeAmountsSplitExactly(t *testing.T) {
	s := TradeNetwork(t)
	for i, amount := range []uint64{1_000_00, 1_000_01, 1_234_567_89, 19_999_999_99} {
		for _, shares := range [][]int{{3000, 7000}, {3333, 3333, 3334}, {1, 2, 9997}, {10_000}} {
			terms := s.TradeTerms(fmt.Sprintf("SHIP-%d-%v", i, shares))
			terms.Release = nil
			for k, bp := range shares {
				m := terms.RouteMilestones[k]
				terms.Release = append(terms.Release, payments.Release{Milestone: m.Milestone, Node: m.Node, BasisPoints: bp})
			}
			reply := s.PayTrade(amount, terms)
			if r, ok := reply.(*payments.Refusal); ok {
				if r.Code != "release_invalid" {
					t.Fatalf("%d %v: got %s (%s)", amount, shares, r.Code, r.Detail)
				}
				continue
			}
			p := reply.(*payments.Payment)
			var sumS, sumT money.Amount
			for k, tr := range p.Trade.Tranches {
				sumS, sumT = sumS.MustAdd(tr.Source), sumT.MustAdd(tr.Target)
				if k < len(shares)-1 {
					want := Minor(t, p.SourceAmount) * uint64(shares[k]) / 10_000
					if Minor(t, tr.Source) != want {
						t.Errorf("%d %v: tranche %d got %s, want %d", amount, shares, k, tr.Source, want)
					}
				}
			}
			if sumS != p.SourceAmount || sumT != p.TargetAmount {
				t.Errorf("%d %v: tranches add up to %s/%s, want %s/%s", amount, shares, sumS, sumT, p.SourceAmount, p.TargetAmount)
			}
		}
	}
}
