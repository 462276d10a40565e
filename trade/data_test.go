package trade_test

import (
	"os"
	"strings"
	"testing"

	"astara/trade"
)

// TestCorridorDataLoads parses the shipped file as Corridor does, so that a
// broken file fails here rather than as a panic at start-up.
func TestCorridorDataLoads(t *testing.T) {
	b, err := os.ReadFile("data/corridor.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := trade.Parse(b, "corridor.json")
	if err != nil {
		t.Fatalf("Parse(data/corridor.json): %v", err)
	}
	c := trade.Corridor()
	if len(n.Nodes()) != len(c.Nodes()) || len(n.Legs()) != len(c.Legs()) || len(n.Routes()) != len(c.Routes()) {
		t.Errorf("got %d/%d/%d nodes/legs/routes from the file, %d/%d/%d from Corridor()",
			len(n.Nodes()), len(n.Legs()), len(n.Routes()), len(c.Nodes()), len(c.Legs()), len(c.Routes()))
	}
	if trade.Corridor() != c {
		t.Error("Corridor() parsed the file twice")
	}
}

// TestCorridorHasIssueNodes checks every place issue 12 names.
func TestCorridorHasIssueNodes(t *testing.T) {
	n := trade.Corridor()
	for _, want := range []struct{ id, country, kind string }{
		{"nhava_sheva", "IN", trade.KindPort},
		{"bandar_abbas", "IR", trade.KindPort},
		{"tehran", "IR", trade.KindRail},
		{"qazvin", "IR", trade.KindRail},
		{"rasht", "IR", trade.KindRail},
		{"astara_ir", "IR", trade.KindBorder},
		{"astara_az", "AZ", trade.KindBorder},
		{"baku", "AZ", trade.KindRail},
		{"yalama", "AZ", trade.KindBorder},
		{"makhachkala", "RU", trade.KindPort},
		{"astrakhan", "RU", trade.KindPort},
		{"moscow", "RU", trade.KindCity},
		// The Caspian ports.
		{"bandar_anzali", "IR", trade.KindPort},
		{"alat", "AZ", trade.KindPort},
		// The sea route.
		{"suez", "EG", trade.KindPort},
		{"port_said", "EG", trade.KindPort},
		{"st_petersburg", "RU", trade.KindPort},
	} {
		node, ok := n.Node(want.id)
		if !ok {
			t.Errorf("got no node %s", want.id)
			continue
		}
		if node.Country != want.country || node.Kind != want.kind {
			t.Errorf("%s: got %s %s, want %s %s", want.id, node.Country, node.Kind, want.country, want.kind)
		}
	}
}

func TestCorridorRoutes(t *testing.T) {
	n := trade.Corridor()
	for _, want := range []struct {
		id      string
		planned bool
		via     []string
	}{
		{"instc-west", false, []string{"nhava_sheva", "bandar_abbas", "tehran", "qazvin", "rasht", "astara_ir", "astara_az", "baku", "yalama", "makhachkala", "astrakhan", "moscow"}},
		{"instc-west-rail", true, []string{"nhava_sheva", "bandar_abbas", "tehran", "qazvin", "rasht", "astara_ir", "astara_az", "baku", "yalama", "makhachkala", "astrakhan", "moscow"}},
		{"instc-caspian", false, []string{"nhava_sheva", "bandar_abbas", "tehran", "qazvin", "rasht", "bandar_anzali", "astrakhan", "moscow"}},
		{"suez", false, []string{"nhava_sheva", "suez", "port_said", "st_petersburg", "moscow"}},
	} {
		t.Run(want.id, func(t *testing.T) {
			r, ok := n.Route(want.id)
			if !ok {
				t.Fatalf("got no route %s", want.id)
			}
			if r.Planned != want.planned {
				t.Errorf("got planned %v, want %v", r.Planned, want.planned)
			}
			// The route is connected: each leg starts where the previous
			// one ends, and it passes the issue's nodes in order.
			var path []string
			for i, id := range r.Legs {
				leg, ok := n.Leg(id)
				if !ok {
					t.Fatalf("got unknown leg %s", id)
				}
				if i == 0 {
					path = append(path, leg.From)
				} else if path[len(path)-1] != leg.From {
					t.Errorf("leg %s starts at %s, the previous one ends at %s", id, leg.From, path[len(path)-1])
				}
				path = append(path, leg.To)
			}
			next := 0
			for _, node := range path {
				if next < len(want.via) && node == want.via[next] {
					next++
				}
			}
			if next != len(want.via) {
				t.Errorf("got path %v, want it to pass %v in order", path, want.via)
			}
		})
	}
}

func TestCorridorGaugeChangeIsAtAstara(t *testing.T) {
	n := trade.Corridor()
	var changes []string
	for _, l := range n.Legs() {
		if l.GaugeChange {
			changes = append(changes, l.ID)
		}
	}
	if len(changes) != 1 || changes[0] != "astara_ir-astara_az" {
		t.Errorf("got gauge changes on %v, want only on astara_ir-astara_az", changes)
	}
	for _, tc := range []struct {
		route string
		want  bool
	}{{"instc-west", true}, {"instc-west-rail", true}, {"instc-caspian", false}, {"suez", false}} {
		r, _ := n.Route(tc.route)
		got := false
		for _, id := range r.Legs {
			leg, _ := n.Leg(id)
			got = got || leg.GaugeChange
		}
		if got != tc.want {
			t.Errorf("%s: got a gauge change %v, want %v", tc.route, got, tc.want)
		}
	}
}

func TestCorridorPlannedLeg(t *testing.T) {
	n := trade.Corridor()
	for _, tc := range []struct {
		leg  string
		want bool
	}{
		{"rasht-astara_ir-rail", true},
		{"rasht-astara_ir-road", false},
		{"astara_ir-astara_az", false},
		{"no-such-leg", false},
	} {
		if got := n.LegPlanned(tc.leg); got != tc.want {
			t.Errorf("got LegPlanned(%s) = %v, want %v", tc.leg, got, tc.want)
		}
	}
	rail, _ := n.Leg("rasht-astara_ir-rail")
	if rail.DistanceKM != 162 || !strings.Contains(rail.Source, "planned") {
		t.Errorf("got the planned Rasht–Astara railway %d km, source %q; want 162 km, marked planned", rail.DistanceKM, rail.Source)
	}
	if leg, _ := n.Leg("qazvin-rasht"); leg.DistanceKM != 164 {
		t.Errorf("got Qazvin–Rasht %d km, want 164", leg.DistanceKM)
	}
}

// TestCorridorFiguresHaveSources checks that every node and leg says where
// its figures come from: a link, or a derivation introduced by "estimate:".
func TestCorridorFiguresHaveSources(t *testing.T) {
	n := trade.Corridor()
	for _, node := range n.Nodes() {
		if !strings.Contains(node.Source, "http") {
			t.Errorf("node %s: got source %q, want a link", node.ID, node.Source)
		}
	}
	for _, l := range n.Legs() {
		for _, part := range []string{"distance:", "speed:", "dwell:"} {
			if !strings.Contains(l.Source, part) {
				t.Errorf("leg %s: got source %q, want it to account for the %s", l.ID, l.Source, strings.TrimSuffix(part, ":"))
			}
		}
		if !strings.Contains(l.Source, "http") && !l.Estimated() {
			t.Errorf("leg %s: got source %q, want a link or an estimate", l.ID, l.Source)
		}
	}
}

// TestCorridorDistancesMatchCoordinates checks the data against itself: no
// leg is shorter than the great circle between its ends (1% allowed for
// rounding), so a swapped coordinate or a mistyped distance shows.
func TestCorridorDistancesMatchCoordinates(t *testing.T) {
	n := trade.Corridor()
	for _, l := range n.Legs() {
		from, _ := n.Node(l.From)
		to, _ := n.Node(l.To)
		gc := greatCircleKM(from, to)
		if float64(l.DistanceKM) < gc*0.99 {
			t.Errorf("leg %s: got %d km, shorter than the great circle %.0f km", l.ID, l.DistanceKM, gc)
		}
		if float64(l.DistanceKM) > gc*4 {
			t.Errorf("leg %s: got %d km, more than 4 times the great circle %.0f km", l.ID, l.DistanceKM, gc)
		}
	}
}
