package http_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type (
	tradeIn struct {
		ContractReference string       `json:"contract_reference"`
		InvoiceReference  string       `json:"invoice_reference,omitempty"`
		Incoterms         string       `json:"incoterms"`
		IncotermsPlace    string       `json:"incoterms_place,omitempty"`
		ShipmentReference string       `json:"shipment_reference"`
		Carrier           string       `json:"carrier"`
		Route             string       `json:"route"`
		Departure         string       `json:"departure,omitempty"`
		Deadline          string       `json:"deadline"`
		Documents         []documentIn `json:"documents,omitempty"`
		Release           []releaseIn  `json:"release"`
	}
	documentIn struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	releaseIn struct {
		Milestone string `json:"milestone"`
		Node      string `json:"node,omitempty"`
		Percent   string `json:"percent"`
	}
	tradePaymentIn struct {
		paymentIn
		Trade *tradeIn `json:"trade,omitempty"`
	}
	trancheOut struct {
		Milestone    string `json:"milestone"`
		Node         string `json:"node"`
		Percent      string `json:"percent"`
		SourceAmount string `json:"source_amount"`
		TargetAmount string `json:"target_amount"`
		ReleasedAt   string `json:"released_at"`
	}
	releasedOut struct {
		SourceAmount string `json:"source_amount"`
		TargetAmount string `json:"target_amount"`
	}
	tradeOut struct {
		ContractReference string       `json:"contract_reference"`
		InvoiceReference  string       `json:"invoice_reference"`
		Incoterms         string       `json:"incoterms"`
		IncotermsPlace    string       `json:"incoterms_place"`
		ShipmentReference string       `json:"shipment_reference"`
		Carrier           string       `json:"carrier"`
		Route             string       `json:"route"`
		Departure         string       `json:"departure"`
		Deadline          string       `json:"deadline"`
		Documents         []documentIn `json:"documents"`
		Tranches          []trancheOut `json:"tranches"`
		Released          releasedOut  `json:"released"`
	}
	tradePaymentOut struct {
		paymentOut
		Trade *tradeOut `json:"trade"`
	}
	expectedOut struct {
		Milestone  string `json:"milestone"`
		Node       string `json:"node"`
		ExpectedAt string `json:"expected_at"`
		ReportedAt string `json:"reported_at"`
	}
	stopOut struct {
		Node   string `json:"node"`
		Arrive string `json:"arrive"`
		Depart string `json:"depart"`
	}
	planOut struct {
		Route        string        `json:"route"`
		DistanceKM   int           `json:"distance_km"`
		TransitHours int           `json:"transit_hours"`
		TransitDays  int           `json:"transit_days"`
		ETA          string        `json:"eta"`
		Stops        []stopOut     `json:"stops"`
		Milestones   []expectedOut `json:"milestones"`
	}
	shipmentPaymentOut struct {
		UETR                 string       `json:"uetr"`
		Status               string       `json:"status"`
		SendingParticipant   string       `json:"sending_participant"`
		ReceivingParticipant string       `json:"receiving_participant"`
		SourceAmount         *moneyOut    `json:"source_amount"`
		TargetAmount         *moneyOut    `json:"target_amount"`
		Released             *releasedOut `json:"released"`
	}
	reportedOut struct {
		Milestone  string `json:"milestone"`
		Node       string `json:"node"`
		At         string `json:"at"`
		ReportedAt string `json:"reported_at"`
	}
	shipmentOut struct {
		Ref       string               `json:"ref"`
		Carrier   string               `json:"carrier"`
		Route     string               `json:"route"`
		Departure string               `json:"departure"`
		CreatedAt string               `json:"created_at"`
		Reported  []reportedOut        `json:"reported"`
		Plan      *planOut             `json:"plan"`
		Payments  []shipmentPaymentOut `json:"payments"`
	}
	milestoneOut struct {
		shipmentOut
		Released []string          `json:"released"`
		Refused  map[string]string `json:"refused"`
	}
)

// railway is the test network's carrier.
const railway = "RZDCRUMM"

// tradeNetwork is newNetwork with a carrier and its key.
func tradeNetwork(tb testing.TB) *network {
	tb.Helper()
	n := newNetwork(tb)
	n.MustParticipant(tb, participantIn{ID: railway, Name: "Caspian Rail Logistics", Country: "RU", Roles: []string{"carrier"}})
	return n
}

// tradeTerms pays 30% on loading and 70% on arrival, due in twenty days.
func (n *network) tradeTerms(shipment string) *tradeIn {
	return &tradeIn{ContractReference: "C-2026-117", InvoiceReference: "INV-4711", Incoterms: "CPT", IncotermsPlace: "Moscow",
		ShipmentReference: shipment, Carrier: railway, Route: "instc-west", Departure: n.Clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339),
		Deadline:  n.Clock.Now().Add(20 * 24 * time.Hour).UTC().Format(time.RFC3339),
		Documents: []documentIn{{Name: "contract.pdf", SHA256: strings.Repeat("0f", 32)}},
		Release:   []releaseIn{{Milestone: "loaded", Percent: "30"}, {Milestone: "arrived", Percent: "70"}}}
}

// payTrade quotes amount roubles and pays them on terms.
func (n *network) payTrade(tb testing.TB, amount string, terms *tradeIn) response {
	tb.Helper()
	q := n.MustQuote(tb, volga, rubQuote(amount))
	in := tradePaymentIn{paymentIn: rubPayment(q.ID), Trade: terms}
	in.Purpose = "GDDS"
	return n.Pay(tb, volga, n.Key(), in)
}

func (n *network) report(tb testing.TB, shipment, milestone, node string) response {
	tb.Helper()
	return n.As(tb, railway, "POST", "/v1/shipments/"+shipment+"/milestones", map[string]string{"milestone": milestone, "node": node})
}

func TestTradePayments(t *testing.T) {
	n := tradeNetwork(t)
	var p tradePaymentOut
	MustJSON(t, n.payTrade(t, "1000000.00", n.tradeTerms("SHIP-1")), http.StatusCreated, &p)
	if p.Status != "reserved" || p.Trade == nil || len(p.Trade.Tranches) != 2 || p.Trade.Tranches[0].SourceAmount != "300000.00" ||
		p.Trade.Tranches[0].Node != "nhava_sheva" || p.Trade.Tranches[1].Node != "moscow" ||
		p.Trade.Tranches[1].SourceAmount != "700000.00" || p.Trade.Released.SourceAmount != "0.00" || p.Trade.Incoterms != "CPT" {
		t.Fatalf("got %s %+v, want reserved in tranches of 300,000.00 and 700,000.00 RUB", p.Status, p.Trade)
	}

	t.Run("the receiving bank does not accept a trade payment", func(t *testing.T) {
		MustProblem(t, n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/accept", nil), http.StatusConflict, "trade_released_by_milestones", "")
	})

	t.Run("the shipment shows its plan and the payment waiting on it", func(t *testing.T) {
		var sh shipmentOut
		MustJSON(t, n.As(t, volga, "GET", "/v1/shipments/SHIP-1", nil), http.StatusOK, &sh)
		if sh.Carrier != railway || sh.Route != "instc-west" || sh.Plan == nil || sh.Plan.ETA == "" || len(sh.Plan.Milestones) == 0 ||
			len(sh.Payments) != 1 || sh.Payments[0].UETR != p.UETR || sh.Payments[0].SourceAmount == nil {
			t.Fatalf("got %+v, want the shipment with its plan and the bank's payment", sh)
		}
		var carrierView shipmentOut
		MustJSON(t, n.As(t, railway, "GET", "/v1/shipments/SHIP-1", nil), http.StatusOK, &carrierView)
		if len(carrierView.Payments) != 1 || carrierView.Payments[0].SourceAmount != nil || carrierView.Payments[0].SendingParticipant != "" {
			t.Errorf("the carrier sees %+v, want the payment's status without its amounts or banks", carrierView.Payments)
		}
		MustProblem(t, n.As(t, kama, "GET", "/v1/shipments/SHIP-1", nil), http.StatusNotFound, "shipment_not_found", "ref")
	})

	t.Run("loading releases 30%, arrival the rest", func(t *testing.T) {
		var r milestoneOut
		MustJSON(t, n.report(t, "SHIP-1", "loaded", "nhava_sheva"), http.StatusOK, &r)
		if !slices.Equal(r.Released, []string{p.UETR}) || len(r.Reported) != 1 || r.Reported[0].Node != "nhava_sheva" {
			t.Fatalf("got %+v, want the payment released and the report recorded", r)
		}
		var got tradePaymentOut
		MustJSON(t, n.As(t, volga, "GET", "/v1/payments/"+p.UETR, nil), http.StatusOK, &got)
		if got.Status != "reserved" || got.Trade.Released.SourceAmount != "300000.00" || got.Trade.Tranches[0].ReleasedAt == "" {
			t.Fatalf("got %s, released %+v, want 300,000.00 RUB released and the payment reserved", got.Status, got.Trade.Released)
		}
		MustProblem(t, n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/reject", map[string]string{"reason": "AC04"}), http.StatusConflict, "trade_released_by_milestones", "")
		MustJSON(t, n.report(t, "SHIP-1", "arrived", "moscow"), http.StatusOK, &r)
		MustJSON(t, n.As(t, volga, "GET", "/v1/payments/"+p.UETR, nil), http.StatusOK, &got)
		if got.Status != "completed" || got.Trade.Released.SourceAmount != "1000000.00" {
			t.Fatalf("got %s, released %+v, want completed", got.Status, got.Trade.Released)
		}
	})

	t.Run("the operator sees each tranche's legs, then their posts", func(t *testing.T) {
		var tr struct {
			UETR      string `json:"uetr"`
			Transfers []struct {
				Leg    string `json:"leg"`
				Amount string `json:"amount"`
				State  string `json:"state"`
			} `json:"transfers"`
		}
		resp := n.DoToken(t, "GET", "/v1/payments/"+p.UETR+"/transfers", nil, adminToken)
		if resp.Status != http.StatusOK {
			t.Fatalf("got %d %s", resp.Status, resp.Body)
		}
		if err := json.Unmarshal(resp.Body, &tr); err != nil {
			t.Fatal(err)
		}
		var legs []string
		for _, x := range tr.Transfers {
			legs = append(legs, x.Leg+" "+x.Amount)
		}
		for _, want := range []string{"tranche-1-source 300000.00", "tranche-2-source 700000.00", "post tranche-1-source 300000.00", "post tranche-2-source 700000.00"} {
			if !slices.Contains(legs, want) {
				t.Errorf("got legs %v, want %q among them", legs, want)
			}
		}
	})

	t.Run("a milestone reported without its node is the next one of its name on the route", func(t *testing.T) {
		var q tradePaymentOut
		MustJSON(t, n.payTrade(t, "1000.00", n.tradeTerms("SHIP-2")), http.StatusCreated, &q)
		var r milestoneOut
		for _, want := range []string{"astara_az", "yalama"} {
			MustJSON(t, n.report(t, "SHIP-2", "border_crossed", ""), http.StatusOK, &r)
			if last := r.Reported[len(r.Reported)-1]; last.Node != want {
				t.Errorf("got a border crossing at %s, want %s", last.Node, want)
			}
		}
		// "arrived" first names Bandar Abbas, on the way: the tranche
		// waiting on Moscow stays.
		MustJSON(t, n.report(t, "SHIP-2", "arrived", ""), http.StatusOK, &r)
		var got tradePaymentOut
		MustJSON(t, n.As(t, volga, "GET", "/v1/payments/"+q.UETR, nil), http.StatusOK, &got)
		if got.Status != "reserved" || got.Trade.Tranches[1].ReleasedAt != "" {
			t.Errorf("got %s with tranches %+v, want Moscow's tranche waiting", got.Status, got.Trade.Tranches)
		}
	})

	t.Run("a report is the carrier's, about a node of the route", func(t *testing.T) {
		MustProblem(t, n.As(t, volga, "POST", "/v1/shipments/SHIP-1/milestones", map[string]string{"milestone": "loaded"}), http.StatusNotFound, "shipment_not_found", "shipment_ref")
		MustProblem(t, n.report(t, "SHIP-1", "sailed", ""), http.StatusBadRequest, "milestone_unknown", "milestone")
		MustProblem(t, n.report(t, "SHIP-1", "arrived", "shanghai"), http.StatusBadRequest, "node_not_on_route", "node")
		MustProblem(t, n.report(t, "SHIP-9", "loaded", ""), http.StatusNotFound, "shipment_not_found", "shipment_ref")
	})
}

func TestTradePaymentRules(t *testing.T) {
	n := tradeNetwork(t)
	for _, tc := range []struct {
		rule        string
		edit        func(t *tradeIn)
		purpose     string
		status      int
		code, field string
	}{
		{"a trade payment's purpose is a trade purpose", func(t *tradeIn) {}, "SALA", 400, "purpose_not_trade", "purpose"},
		{"a contract reference is required", func(t *tradeIn) { t.ContractReference = "" }, "", 400, "field_required", "trade.contract_reference"},
		{"a reference is at most 35 characters", func(t *tradeIn) { t.InvoiceReference = strings.Repeat("я", 36) }, "", 400, "text_too_long", "trade.invoice_reference"},
		{"Incoterms are the 2020 rules", func(t *tradeIn) { t.Incoterms = "CNF" }, "", 400, "incoterms_unknown", "trade.incoterms"},
		{"the route is one of the corridor's", func(t *tradeIn) { t.Route = "silk-road" }, "", 400, "route_unknown", "trade.route"},
		{"the carrier is a participant id", func(t *tradeIn) { t.Carrier = "rzd" }, "", 400, "participant_id_invalid", "trade.carrier"},
		{"the carrier has the carrier role", func(t *tradeIn) { t.Carrier = fxp }, "", 422, "carrier_unknown", "trade.carrier"},
		{"the deadline is required", func(t *tradeIn) { t.Deadline = "" }, "", 400, "field_required", "trade.deadline"},
		{"the deadline is RFC 3339", func(t *tradeIn) { t.Deadline = "next month" }, "", 400, "time_syntax", "trade.deadline"},
		{"a document is named by its SHA-256", func(t *tradeIn) { t.Documents[0].SHA256 = "abc" }, "", 400, "sha256_invalid", "trade.documents[0].sha256"},
		{"a percent has at most two decimals", func(t *tradeIn) { t.Release[0].Percent = "30.125" }, "", 400, "percent_invalid", "trade.release[0].percent"},
		{"the shares add up to 100%", func(t *tradeIn) { t.Release[1].Percent = "60" }, "", 400, "release_invalid", "trade.release"},
		{"the release names its milestones", func(t *tradeIn) { t.Release = nil }, "", 400, "field_required", "trade.release"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			before := n.NetState(t)
			terms := n.tradeTerms("SHIP-R")
			tc.edit(terms)
			q := n.MustQuote(t, volga, rubQuote("1000.00"))
			in := tradePaymentIn{paymentIn: rubPayment(q.ID), Trade: terms}
			in.Purpose = "GDDS"
			if tc.purpose != "" {
				in.Purpose = tc.purpose
			}
			MustProblem(t, n.Pay(t, volga, n.Key(), in), tc.status, tc.code, tc.field)
			n.MustUnchanged(t, before)
		})
	}
	t.Run("a carrier needs no currency; a bank does", func(t *testing.T) {
		MustProblem(t, n.DoToken(t, "POST", "/v1/participants", participantIn{ID: "NOCURRUM", Name: "No Currency", Country: "RU"}, adminToken),
			http.StatusBadRequest, "field_required", "currencies")
		MustProblem(t, n.DoToken(t, "POST", "/v1/participants", participantIn{ID: "SHIPRUMM", Name: "Shipper", Country: "RU", Roles: []string{"shipper"}}, adminToken),
			http.StatusBadRequest, "field_required", "currencies")
	})
}

func TestTradeCorridor(t *testing.T) {
	n := newNetwork(t)
	var c struct {
		Nodes []struct {
			ID        string  `json:"id"`
			Name      string  `json:"name"`
			Country   string  `json:"country"`
			Kind      string  `json:"kind"`
			Lat       float64 `json:"lat"`
			Lon       float64 `json:"lon"`
			Estimated bool    `json:"estimated"`
			Source    string  `json:"source"`
		} `json:"nodes"`
		Legs []struct {
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
		} `json:"legs"`
		Routes []struct {
			ID         string        `json:"id"`
			Name       string        `json:"name"`
			Planned    bool          `json:"planned"`
			Legs       []string      `json:"legs"`
			Milestones []expectedOut `json:"milestones"`
		} `json:"routes"`
	}
	MustJSON(t, n.As(t, volga, "GET", "/v1/trade/corridor", nil), http.StatusOK, &c)
	var ids []string
	for _, x := range c.Nodes {
		ids = append(ids, x.ID)
		if x.Source == "" {
			t.Errorf("node %s has no source", x.ID)
		}
	}
	for _, want := range []string{"nhava_sheva", "bandar_abbas", "tehran", "qazvin", "rasht", "astara_ir", "astara_az", "baku", "yalama", "makhachkala", "astrakhan", "moscow"} {
		if !slices.Contains(ids, want) {
			t.Errorf("the corridor has no node %s", want)
		}
	}
	if !slices.ContainsFunc(c.Legs, func(l struct {
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
	}) bool {
		return l.GaugeChange
	}) {
		t.Errorf("no leg changes gauge")
	}

	var plan planOut
	MustJSON(t, n.As(t, volga, "GET", "/v1/trade/routes/instc-west/plan?departure=2026-03-02T08:00:00Z", nil), http.StatusOK, &plan)
	if plan.DistanceKM == 0 || plan.ETA <= "2026-03-02T08:00:00Z" || len(plan.Stops) < 10 || plan.Stops[0].Node != "nhava_sheva" {
		t.Errorf("got plan %+v, want the western route from Nhava Sheva", plan)
	}
	var cmp struct {
		A                    planOut `json:"a"`
		B                    planOut `json:"b"`
		DistanceSavedKM      int     `json:"distance_saved_km"`
		HoursSaved           int     `json:"hours_saved"`
		DistanceSavedPercent string  `json:"distance_saved_percent"`
		TimeSavedPercent     string  `json:"time_saved_percent"`
	}
	MustJSON(t, n.As(t, volga, "GET", "/v1/trade/compare?departure=2026-03-02T08:00:00Z", nil), http.StatusOK, &cmp)
	if cmp.A.Route != "instc-west" || cmp.B.Route != "suez" || cmp.DistanceSavedKM != cmp.B.DistanceKM-cmp.A.DistanceKM || cmp.HoursSaved <= 0 {
		t.Errorf("got %+v, want the western route against Suez, shorter and faster", cmp)
	}
	MustProblem(t, n.As(t, volga, "GET", "/v1/trade/routes/silk-road/plan", nil), http.StatusNotFound, "route_not_found", "id")
	MustProblem(t, n.As(t, volga, "GET", "/v1/trade/routes/instc-west/plan?departure=tomorrow", nil), http.StatusBadRequest, "time_syntax", "departure")
	MustProblem(t, n.As(t, volga, "GET", "/v1/trade/compare?b=silk-road", nil), http.StatusBadRequest, "route_unknown", "b")
}

func TestTradeCarrierIsScreened(t *testing.T) {
	n := tradeNetwork(t)
	n.MustImport(t, "format=csv&list=SHIPS", "id,name,type\nV-1,Caspian Rail Logistics,entity\n", http.StatusCreated)
	var p tradePaymentOut
	MustJSON(t, n.payTrade(t, "1000000.00", n.tradeTerms("SHIP-S")), http.StatusCreated, &p)
	if p.Status != "rejected" || p.Reason != "RR04" {
		t.Fatalf("got %s %q, want the payment blocked for its carrier", p.Status, p.Reason)
	}
	op := n.MustOperatorPayment(t, p.UETR)
	if op.Screening == nil || len(op.Screening.Hits) == 0 || op.Screening.Hits[0].Field != "trade.carrier" {
		t.Errorf("got screening %+v, want a hit on trade.carrier", op.Screening)
	}
}
