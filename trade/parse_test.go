package trade_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"astara/trade"
)

func TestParseAcceptsSmallNetwork(t *testing.T) {
	n := MustParse(t, smallNetwork)
	if got := len(n.Nodes()); got != 4 {
		t.Errorf("got %d nodes, want 4", got)
	}
	leg, ok := n.Leg("b-c")
	want := trade.Leg{ID: "b-c", From: "b", To: "c", Mode: "rail", DistanceKM: 101, GaugeChange: true,
		DwellHours: 0, SpeedKMPerDay: 240, Source: "test"}
	if !ok || leg != want {
		t.Errorf("got Leg(b-c) = %+v, %v, want %+v, true", leg, ok, want)
	}
	node, ok := n.Node("b")
	if !ok || node.Country != "IR" || node.Kind != "border" || node.Lat != 11 || node.Lon != 21 {
		t.Errorf("got Node(b) = %+v, %v", node, ok)
	}
	if _, ok := n.Node("zz"); ok {
		t.Error("got Node(zz) found, want not found")
	}
	r, ok := n.Route("r1")
	if !ok || r.Name != "A to D" || r.Planned || len(r.Legs) != 3 || len(r.Milestones) != 5 {
		t.Errorf("got Route(r1) = %+v, %v", r, ok)
	}
	if _, ok := n.Route("zz"); ok {
		t.Error("got Route(zz) found, want not found")
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	n := MustParse(t, smallNetwork)
	r, _ := n.Route("r1")
	r.Legs[0] = "changed"
	r.Milestones[0].Node = "changed"
	n.Routes()[0].Legs[1] = "changed"
	n.Nodes()[0].Name = "changed"
	n.Legs()[0].DistanceKM = 1
	again, _ := n.Route("r1")
	if again.Legs[0] != "a-b" || again.Legs[1] != "b-c" || again.Milestones[0].Node != "a" {
		t.Errorf("got route %+v after changing copies, want it unchanged", again)
	}
	if node, _ := n.Node("a"); node.Name != "Port A" {
		t.Errorf("got node name %q after changing a copy, want Port A", node.Name)
	}
	if leg, _ := n.Leg("a-b"); leg.DistanceKM != 100 {
		t.Errorf("got distance %d after changing a copy, want 100", leg.DistanceKM)
	}
}

func TestEstimated(t *testing.T) {
	n := MustParse(t, smallNetwork)
	for _, tc := range []struct {
		leg  string
		want bool
	}{{"a-b", false}, {"c-d", true}} {
		leg, _ := n.Leg(tc.leg)
		if got := leg.Estimated(); got != tc.want {
			t.Errorf("got Leg(%s).Estimated() = %v, want %v", tc.leg, got, tc.want)
		}
	}
}

// TestParseRefusesFaults changes one thing in a valid file and expects the
// fault to be refused with its field and rule.
func TestParseRefusesFaults(t *testing.T) {
	cases := []struct {
		name   string
		change func(d doc)
		field  string
		rule   trade.Rule
	}{
		{"FormatUnknown", func(d doc) { d["format"] = 2 }, "format", trade.RuleDataFormat},
		{"UnknownField", func(d doc) { d["extra"] = true }, "", trade.RuleDataSyntax},
		{"WrongType", func(d doc) { d.item("legs", 0)["distance_km"] = "ten" }, "legs.distance_km", trade.RuleDataSyntax},

		{"NodeIDMissing", func(d doc) { d.item("nodes", 0)["id"] = "" }, "nodes[0].id", trade.RuleFieldMissing},
		{"NodeIDBadCharacter", func(d doc) { d.item("nodes", 0)["id"] = "Port A" }, "nodes[0].id", trade.RuleFieldInvalid},
		{"NodeIDTooLong", func(d doc) { d.item("nodes", 0)["id"] = strings.Repeat("a", trade.IDBytesMax+1) }, "nodes[0].id", trade.RuleFieldInvalid},
		{"NodeIDDuplicate", func(d doc) { d.item("nodes", 1)["id"] = "a" }, "nodes[1].id", trade.RuleDuplicateID},
		{"NodeNameMissing", func(d doc) { delete(d.item("nodes", 2), "name") }, "nodes[2].name", trade.RuleFieldMissing},
		{"NodeNameTooLong", func(d doc) { d.item("nodes", 2)["name"] = strings.Repeat("x", trade.NameBytesMax+1) }, "nodes[2].name", trade.RuleFieldInvalid},
		{"CountryNotAlpha2", func(d doc) { d.item("nodes", 1)["country"] = "IRN" }, "nodes[1].country", trade.RuleFieldInvalid},
		{"CountryLowerCase", func(d doc) { d.item("nodes", 1)["country"] = "ir" }, "nodes[1].country", trade.RuleFieldInvalid},
		{"KindUnknown", func(d doc) { d.item("nodes", 0)["kind"] = "airport" }, "nodes[0].kind", trade.RuleFieldInvalid},
		{"KindMissing", func(d doc) { d.item("nodes", 0)["kind"] = "" }, "nodes[0].kind", trade.RuleFieldMissing},
		{"LatitudeMissing", func(d doc) { delete(d.item("nodes", 3), "lat") }, "nodes[3].lat", trade.RuleFieldMissing},
		{"LongitudeMissing", func(d doc) { delete(d.item("nodes", 3), "lon") }, "nodes[3].lon", trade.RuleFieldMissing},
		{"LatitudeOverNorthPole", func(d doc) { d.item("nodes", 3)["lat"] = 90.5 }, "nodes[3].lat", trade.RuleCoordinateRange},
		{"LatitudeUnderSouthPole", func(d doc) { d.item("nodes", 3)["lat"] = -91 }, "nodes[3].lat", trade.RuleCoordinateRange},
		{"LongitudeOutOfRange", func(d doc) { d.item("nodes", 3)["lon"] = -180.01 }, "nodes[3].lon", trade.RuleCoordinateRange},
		{"NodeSourceMissing", func(d doc) { d.item("nodes", 0)["source"] = "" }, "nodes[0].source", trade.RuleFieldMissing},
		{"NodeSourceTooLong", func(d doc) { d.item("nodes", 0)["source"] = strings.Repeat("s", trade.SourceBytesMax+1) }, "nodes[0].source", trade.RuleFieldInvalid},

		{"LegIDDuplicate", func(d doc) { d.item("legs", 2)["id"] = "a-b" }, "legs[2].id", trade.RuleDuplicateID},
		{"LegFromMissing", func(d doc) { d.item("legs", 0)["from"] = "" }, "legs[0].from", trade.RuleFieldMissing},
		{"LegFromUnknownNode", func(d doc) { d.item("legs", 0)["from"] = "zz" }, "legs[0].from", trade.RuleUnknownNode},
		{"LegToUnknownNode", func(d doc) { d.item("legs", 1)["to"] = "zz" }, "legs[1].to", trade.RuleUnknownNode},
		{"LegSameEnds", func(d doc) { d.item("legs", 0)["to"] = "a" }, "legs[0].to", trade.RuleSameEnds},
		{"ModeUnknown", func(d doc) { d.item("legs", 0)["mode"] = "air" }, "legs[0].mode", trade.RuleFieldInvalid},
		{"ModeMissing", func(d doc) { delete(d.item("legs", 0), "mode") }, "legs[0].mode", trade.RuleFieldMissing},
		{"DistanceZero", func(d doc) { d.item("legs", 0)["distance_km"] = 0 }, "legs[0].distance_km", trade.RuleNotPositive},
		{"DistanceNegative", func(d doc) { d.item("legs", 1)["distance_km"] = -5 }, "legs[1].distance_km", trade.RuleNotPositive},
		{"DistanceOneOverMax", func(d doc) { d.item("legs", 1)["distance_km"] = trade.DistanceKMMax + 1 }, "legs[1].distance_km", trade.RuleOutOfRange},
		{"SpeedMissing", func(d doc) { delete(d.item("legs", 0), "speed_km_per_day") }, "legs[0].speed_km_per_day", trade.RuleNotPositive},
		{"SpeedOneUnderMin", func(d doc) { d.item("legs", 0)["speed_km_per_day"] = trade.SpeedKMPerDayMin - 1 }, "legs[0].speed_km_per_day", trade.RuleOutOfRange},
		{"SpeedOneOverMax", func(d doc) { d.item("legs", 0)["speed_km_per_day"] = trade.SpeedKMPerDayMax + 1 }, "legs[0].speed_km_per_day", trade.RuleOutOfRange},
		{"DwellNegative", func(d doc) { d.item("legs", 0)["dwell_hours"] = -1 }, "legs[0].dwell_hours", trade.RuleOutOfRange},
		{"DwellOneOverMax", func(d doc) { d.item("legs", 0)["dwell_hours"] = trade.DwellHoursMax + 1 }, "legs[0].dwell_hours", trade.RuleOutOfRange},
		{"GaugeChangeBySea", func(d doc) { d.item("legs", 0)["gauge_change"] = true }, "legs[0].gauge_change", trade.RuleGaugeChangeNotRail},
		{"LegSourceMissing", func(d doc) { delete(d.item("legs", 2), "source") }, "legs[2].source", trade.RuleFieldMissing},

		{"RouteIDDuplicate", func(d doc) {
			d["routes"] = append(d.list("routes"), map[string]any{"id": "r1", "name": "again", "legs": []any{"a-b"}})
		}, "routes[1].id", trade.RuleDuplicateID},
		{"RouteNameMissing", func(d doc) { d.route(0)["name"] = "" }, "routes[0].name", trade.RuleFieldMissing},
		{"RouteWithoutLegs", func(d doc) { d.route(0)["legs"] = []any{} }, "routes[0].legs", trade.RuleFieldMissing},
		{"RouteUnknownLeg", func(d doc) { d.route(0)["legs"] = []any{"a-b", "b-z"} }, "routes[0].legs[1]", trade.RuleUnknownLeg},
		{"RouteLegsNotConnected", func(d doc) { d.route(0)["legs"] = []any{"a-b", "c-d"} }, "routes[0].legs[1]", trade.RuleNotConnected},
		{"RouteRevisitsNode", func(d doc) {
			d["legs"] = append(d.list("legs"), map[string]any{"id": "b-a", "from": "b", "to": "a", "mode": "sea",
				"distance_km": 100, "speed_km_per_day": 240, "source": "test"})
			d.route(0)["legs"] = []any{"a-b", "b-a"}
			d.route(0)["milestones"] = []any{}
		}, "routes[0].legs[1]", trade.RuleNodeRevisited},
		{"RouteLegsOneOverMax", func(d doc) {
			legs := make([]any, trade.RouteLegsMax+1)
			for i := range legs {
				legs[i] = "a-b"
			}
			d.route(0)["legs"] = legs
		}, "routes[0].legs", trade.RuleTooMany},
		{"RouteTakesTooLong", func(d doc) {
			// 20,100 km at 24 km/day is 20,100 hours, over two years.
			d.item("legs", 0)["distance_km"] = trade.DistanceKMMax
			d.item("legs", 0)["speed_km_per_day"] = trade.SpeedKMPerDayMin
		}, "routes[0].legs", trade.RuleOutOfRange},
		{"MilestoneUnknown", func(d doc) { d.milestone(0, 1)["milestone"] = "shipped" }, "routes[0].milestones[1].milestone", trade.RuleFieldInvalid},
		{"MilestoneNodeMissing", func(d doc) { d.milestone(0, 1)["node"] = "" }, "routes[0].milestones[1].node", trade.RuleFieldMissing},
		{"MilestoneNotOnRoute", func(d doc) {
			d.route(0)["legs"] = []any{"a-b", "b-c"}
		}, "routes[0].milestones[4].node", trade.RuleMilestoneNotOnRoute},
		{"MilestoneUnknownNode", func(d doc) { d.milestone(0, 2)["node"] = "zz" }, "routes[0].milestones[2].node", trade.RuleMilestoneNotOnRoute},
		{"MilestoneBackwards", func(d doc) { d.milestone(0, 4)["node"] = "a" }, "routes[0].milestones[4].node", trade.RuleMilestoneOrder},
		{"MilestoneArrivedAfterDeparting", func(d doc) {
			d.milestone(0, 2)["milestone"] = "border_crossed"
			d.milestone(0, 3)["milestone"] = "arrived"
		}, "routes[0].milestones[3].node", trade.RuleMilestoneOrder},
		{"MilestoneTwice", func(d doc) { d.milestone(0, 1)["milestone"] = "loaded" }, "routes[0].milestones[1].milestone", trade.RuleDuplicateID},
		{"MilestonesOneOverMax", func(d doc) {
			ms := make([]any, trade.RouteMilestonesMax+1)
			for i := range ms {
				ms[i] = map[string]any{"milestone": "arrived", "node": "d"}
			}
			d.route(0)["milestones"] = ms
		}, "routes[0].milestones", trade.RuleTooMany},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := smallDoc(t)
			tc.change(d)
			_, err := trade.Parse(d.bytes(t), "test.json")
			MustDataError(t, err, tc.field, tc.rule)
			if err != nil && tc.field != "" && !strings.Contains(err.Error(), tc.field) {
				t.Errorf("got message %q, want it to name the field %q", err, tc.field)
			}
		})
	}
}

func TestParseAcceptsLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(d doc)
	}{
		{"DwellAtMax", func(d doc) { d.item("legs", 0)["dwell_hours"] = trade.DwellHoursMax }},
		{"SpeedAtMin", func(d doc) { d.item("legs", 2)["speed_km_per_day"] = trade.SpeedKMPerDayMin }},
		{"SpeedAtMax", func(d doc) { d.item("legs", 0)["speed_km_per_day"] = trade.SpeedKMPerDayMax }},
		{"CoordinatesAtEdges", func(d doc) {
			d.item("nodes", 0)["lat"], d.item("nodes", 0)["lon"] = -90, 180
			d.item("nodes", 1)["lat"], d.item("nodes", 1)["lon"] = 90, -180
		}},
		{"NameAtMax", func(d doc) { d.item("nodes", 0)["name"] = strings.Repeat("x", trade.NameBytesMax) }},
		{"NoRoutes", func(d doc) { d["routes"] = []any{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := smallDoc(t)
			tc.change(d)
			if _, err := trade.Parse(d.bytes(t), "test.json"); err != nil {
				t.Errorf("got %v, want no error", err)
			}
		})
	}
}

func TestParseRefusesMalformedInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		rule trade.Rule
	}{
		{"Empty", "", trade.RuleDataSyntax},
		{"NotJSON", "nodes: []", trade.RuleDataSyntax},
		{"Array", "[]", trade.RuleDataSyntax},
		{"TrailingData", smallNetwork + " {}", trade.RuleDataSyntax},
		{"FormatAbsent", `{"nodes": []}`, trade.RuleDataFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trade.Parse([]byte(tc.data), "test.json")
			wantField := ""
			if tc.rule == trade.RuleDataFormat {
				wantField = "format"
			}
			MustDataError(t, err, wantField, tc.rule)
		})
	}
}

func TestParseRefusesTooMany(t *testing.T) {
	nodes := make([]string, trade.NodesMax+1)
	for i := range nodes {
		nodes[i] = fmt.Sprintf(`{"id": "n%d", "name": "N", "country": "RU", "kind": "rail", "lat": 0, "lon": 0, "source": "s"}`, i)
	}
	data := `{"format": 1, "nodes": [` + strings.Join(nodes, ",") + `]}`
	_, err := trade.Parse([]byte(data), "test.json")
	MustDataError(t, err, "nodes", trade.RuleTooMany)

	ok := `{"format": 1, "nodes": [` + strings.Join(nodes[:trade.NodesMax], ",") + `]}`
	if _, err := trade.Parse([]byte(ok), "test.json"); err != nil {
		t.Errorf("got %v for %d nodes, want no error", err, trade.NodesMax)
	}
}

func TestParseRefusesTooLarge(t *testing.T) {
	padded := smallNetwork + strings.Repeat(" ", trade.DataBytesMax+1-len(smallNetwork))
	_, err := trade.Parse([]byte(padded), "test.json")
	MustDataError(t, err, "", trade.RuleTooLarge)

	atMax := smallNetwork + strings.Repeat(" ", trade.DataBytesMax-len(smallNetwork))
	if _, err := trade.Parse([]byte(atMax), "test.json"); err != nil {
		t.Errorf("got %v for a file of DataBytesMax bytes, want no error", err)
	}
	_, err = trade.Load(bytes.NewReader([]byte(padded)), "test.json")
	MustDataError(t, err, "", trade.RuleTooLarge)
}

func TestLoad(t *testing.T) {
	n, err := trade.Load(strings.NewReader(smallNetwork), "test.json")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, ok := n.Route("r1"); !ok {
		t.Error("got no route r1 after Load")
	}
}

func TestDataErrorNamesSource(t *testing.T) {
	d := smallDoc(t)
	d.item("legs", 0)["distance_km"] = 0
	_, err := trade.Parse(d.bytes(t), "corridor-test.json")
	want := "trade: corridor-test.json field legs[0].distance_km: 0 is not positive (trade_not_positive)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
