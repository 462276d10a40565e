package trade_test

import (
	"errors"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the daylight-saving test needs Europe/Berlin everywhere

	"astara/trade"
)

// departure is a Monday morning in UTC.
var departure = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func at(hours int) time.Time { return departure.Add(time.Duration(hours) * time.Hour) }

func TestPlanStopsAndMilestones(t *testing.T) {
	n := MustParse(t, smallNetwork)
	p := MustPlan(t, n, "r1", departure)

	// a-b: 100 km at 240 km/day = 10 h exactly; dwell 5 at b.
	// b-c: 101 km at 240 km/day = 10.1 h, rounded up to 11; no dwell.
	// c-d: 1 km at 24,000 km/day = 0.001 h, rounded up to 1; dwell 7 at d.
	wantStops := []trade.Stop{
		{Node: "a", Arrive: at(0), Depart: at(0)},
		{Node: "b", Arrive: at(10), Depart: at(15)},
		{Node: "c", Arrive: at(26), Depart: at(26)},
		{Node: "d", Arrive: at(27), Depart: at(34)},
	}
	if !slices.EqualFunc(p.Stops, wantStops, func(a, b trade.Stop) bool {
		return a.Node == b.Node && a.Arrive.Equal(b.Arrive) && a.Depart.Equal(b.Depart)
	}) {
		t.Errorf("got stops %+v, want %+v", p.Stops, wantStops)
	}
	wantMilestones := []trade.Expected{
		{Milestone: trade.MilestoneLoaded, Node: "a", At: at(0)},
		{Milestone: trade.MilestoneDeparted, Node: "a", At: at(0)},
		{Milestone: trade.MilestoneArrived, Node: "b", At: at(10)},
		{Milestone: trade.MilestoneBorderCrossed, Node: "b", At: at(15)},
		{Milestone: trade.MilestoneArrived, Node: "d", At: at(27)},
	}
	if !slices.EqualFunc(p.Milestones, wantMilestones, func(a, b trade.Expected) bool {
		return a.Milestone == b.Milestone && a.Node == b.Node && a.At.Equal(b.At)
	}) {
		t.Errorf("got milestones %+v, want %+v", p.Milestones, wantMilestones)
	}
	if p.Route != "r1" || p.DistanceKM != 202 {
		t.Errorf("got route %q distance %d, want r1 202", p.Route, p.DistanceKM)
	}
	if !p.ETA.Equal(at(27)) {
		t.Errorf("got ETA %v, want %v", p.ETA, at(27))
	}
	// 27 hours is one day and 3 hours: 2 days, rounded up.
	if p.TransitHours != 27 || p.TransitDays != 2 {
		t.Errorf("got %d hours, %d days, want 27 hours, 2 days", p.TransitHours, p.TransitDays)
	}
}

func TestPlanTransitDaysRoundUp(t *testing.T) {
	for _, tc := range []struct {
		distanceKM, dwellHours int
		wantHours, wantDays    int
	}{
		{480, 0, 48, 2},  // exactly two days
		{481, 0, 49, 3},  // one hour into the third day
		{10, 500, 1, 1},  // the dwell at the destination is not transit
		{240, 23, 24, 1}, // likewise
	} {
		d := smallDoc(t)
		d.item("legs", 0)["distance_km"] = tc.distanceKM
		d.item("legs", 0)["dwell_hours"] = tc.dwellHours
		d["routes"] = []any{map[string]any{"id": "ab", "name": "A to B", "legs": []any{"a-b"}}}
		n := MustParse(t, string(d.bytes(t)))
		p := MustPlan(t, n, "ab", departure)
		if p.TransitHours != tc.wantHours || p.TransitDays != tc.wantDays {
			t.Errorf("%d km, dwell %d: got %d hours, %d days, want %d hours, %d days",
				tc.distanceKM, tc.dwellHours, p.TransitHours, p.TransitDays, tc.wantHours, tc.wantDays)
		}
	}
}

func TestPlanCountsElapsedHoursAcrossDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Berlin moves its clocks forward at 02:00 on 29 March 2026.
	dep := time.Date(2026, 3, 28, 12, 0, 0, 0, berlin)
	p := MustPlan(t, MustParse(t, smallNetwork), "r1", dep)
	if got := p.ETA.Sub(dep); got != 27*time.Hour {
		t.Errorf("got ETA %v after departure, want 27h", got)
	}
	if got, want := p.ETA.Format("2006-01-02 15:04 MST"), "2026-03-29 16:00 CEST"; got != want {
		t.Errorf("got ETA %s, want %s (27 elapsed hours, the clock moved forward)", got, want)
	}
}

func TestPlanRefusesUnknownRoute(t *testing.T) {
	n := trade.Corridor()
	_, err := n.Plan("instc-east", departure)
	if !errors.Is(err, trade.ErrUnknownRoute) || !errors.Is(err, trade.ErrInvalidQuery) {
		t.Fatalf("got %v, want an error matching ErrUnknownRoute and ErrInvalidQuery", err)
	}
	var qe *trade.QueryError
	if !errors.As(err, &qe) || qe.Field != "route" || qe.Rule != trade.RuleUnknownRoute {
		t.Errorf("got %#v, want field route rule %s", err, trade.RuleUnknownRoute)
	}
	if _, err := n.Compare("instc-west", "cape", departure); !errors.Is(err, trade.ErrUnknownRoute) {
		t.Errorf("Compare with an unknown route: got %v, want ErrUnknownRoute", err)
	}
	if _, err := n.Compare("cape", "suez", departure); !errors.Is(err, trade.ErrUnknownRoute) {
		t.Errorf("Compare with an unknown route: got %v, want ErrUnknownRoute", err)
	}
}

func TestPlanRefusesZeroDeparture(t *testing.T) {
	_, err := trade.Corridor().Plan("instc-west", time.Time{})
	var qe *trade.QueryError
	if !errors.As(err, &qe) || qe.Rule != trade.RuleDepartureMissing || errors.Is(err, trade.ErrUnknownRoute) {
		t.Errorf("got %v, want a QueryError with rule %s", err, trade.RuleDepartureMissing)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	n := trade.Corridor()
	for _, r := range n.Routes() {
		a := MustPlan(t, n, r.ID, departure)
		b := MustPlan(t, n, r.ID, departure)
		if !a.ETA.Equal(b.ETA) || a.TransitHours != b.TransitHours || len(a.Stops) != len(b.Stops) {
			t.Errorf("%s: two plans differ: %v, %v", r.ID, a.ETA, b.ETA)
		}
		if len(a.Stops) != len(r.Legs)+1 || len(a.Milestones) != len(r.Milestones) {
			t.Errorf("%s: got %d stops, %d milestones, want %d, %d",
				r.ID, len(a.Stops), len(a.Milestones), len(r.Legs)+1, len(r.Milestones))
		}
	}
}

// TestPlanWesternRoute checks the corridor's main route against the data,
// leg by leg (travel hours = distance × 24 / speed, rounded up; then the
// dwell):
//
//	Nhava Sheva → Bandar Abbas    2,032 km sea  @613 ->  80 h + 72
//	Bandar Abbas → Qom            1,216 km rail @400 ->  73 h +  6
//	Qom → Tehran                    151 km rail @400 ->  10 h + 12
//	Tehran → Qazvin                 172 km rail @400 ->  11 h +  6
//	Qazvin → Rasht                  164 km rail @400 ->  10 h + 12
//	Rasht → Astara (IR)             180 km road @500 ->   9 h + 48
//	Astara (IR) → Astara (AZ)        10 km rail @400 ->   1 h + 12
//	Astara (AZ) → Alat              245 km rail @400 ->  15 h +  6
//	Alat → Baku                      65 km rail @400 ->   4 h + 12
//	Baku → Yalama                   203 km rail @400 ->  13 h + 24
//	Yalama → Makhachkala            195 km rail @839 ->   6 h + 12
//	Makhachkala → Kizlyar           139 km rail @839 ->   4 h +  6
//	Kizlyar → Astrakhan             335 km rail @839 ->  10 h + 12
//	Astrakhan → Moscow            1,525 km rail @839 ->  44 h
//	                              6,632 km              290 h + 240 = 530 h
func TestPlanWesternRoute(t *testing.T) {
	p := MustPlan(t, trade.Corridor(), "instc-west", departure)
	if p.DistanceKM != 6632 || p.TransitHours != 530 || p.TransitDays != 23 {
		t.Errorf("got %d km, %d hours, %d days, want 6632 km, 530 hours, 23 days",
			p.DistanceKM, p.TransitHours, p.TransitDays)
	}
	want := map[string]time.Time{
		"arrived@bandar_abbas":     at(80),
		"departed@bandar_abbas":    at(152),
		"border_crossed@astara_az": at(80 + 72 + 73 + 6 + 10 + 12 + 11 + 6 + 10 + 12 + 9 + 48 + 1 + 12),
		"border_crossed@yalama":    at(530 - 44 - 12 - 10 - 6 - 4 - 12 - 6),
		"arrived@moscow":           at(530),
	}
	for _, m := range p.Milestones {
		key := string(m.Milestone) + "@" + m.Node
		if w, ok := want[key]; ok && !m.At.Equal(w) {
			t.Errorf("%s: got %v, want %v", key, m.At, w)
		}
	}
	// The first Mumbai–Moscow container on this route took 23 days in 2016
	// (Railway Gazette): the data is meant to reproduce that, within a day.
	if days := p.TransitHours / 24; days < 22 || days > 23 {
		t.Errorf("got %d whole days, want 22 or 23, as the 2016 run", days)
	}
}

func TestPlannedRailSavesTheRoadTransfer(t *testing.T) {
	c, err := trade.Corridor().Compare("instc-west-rail", "instc-west", departure)
	if err != nil {
		t.Fatal(err)
	}
	// Rail 162 km @400 = 10 h + 12 h gauge change, against road 180 km
	// @500 = 9 h + 48 h unloading lorries: 35 hours and 18 km saved.
	if c.HoursSaved != 35 || c.DistanceSavedKM != 18 {
		t.Errorf("got %d hours, %d km saved, want 35, 18", c.HoursSaved, c.DistanceSavedKM)
	}
}

// The published claims for the corridor: about 7,200 km against about
// 16,000 km through Suez, and 30–40% less time ("40% shorter"). The
// tolerances: distances within 15% (the 7,200 km end in St Petersburg, the
// routes here in Moscow, 650 km closer), the time saving within 15
// percentage points of 40%. The data gives 6,632 km against 16,716 km
// (60.3% shorter) and 530 hours against 730 (27.3% faster): shorter than
// claimed and less of a time saving, because the sea route modelled here
// sails direct to St Petersburg (30 days door to Moscow, as COMCEC's 2017
// estimate of 32 days) where the claims assume 40 to 60 days with
// transshipment in a European hub.
const (
	claimCorridorKM          = 7200
	claimSuezKM              = 16000
	claimTimeSavedPermille   = 400
	toleranceDistancePercent = 15
	toleranceTimePermille    = 150
)

func TestCorridorAgainstSuez(t *testing.T) {
	n := trade.Corridor()
	for _, route := range []string{"instc-west", "instc-west-rail", "instc-caspian"} {
		t.Run(route, func(t *testing.T) {
			c, err := n.Compare(route, "suez", departure)
			if err != nil {
				t.Fatal(err)
			}
			if c.A.DistanceKM >= c.B.DistanceKM || c.A.TransitDays >= c.B.TransitDays || c.HoursSaved <= 0 {
				t.Errorf("got %d km, %d days against Suez %d km, %d days, want the corridor shorter in both",
					c.A.DistanceKM, c.A.TransitDays, c.B.DistanceKM, c.B.TransitDays)
			}
			if !within(c.A.DistanceKM, claimCorridorKM, toleranceDistancePercent) {
				t.Errorf("got %d km, want within %d%% of the claimed %d km", c.A.DistanceKM, toleranceDistancePercent, claimCorridorKM)
			}
			if !within(c.B.DistanceKM, claimSuezKM, toleranceDistancePercent) {
				t.Errorf("got Suez %d km, want within %d%% of the claimed %d km", c.B.DistanceKM, toleranceDistancePercent, claimSuezKM)
			}
			if d := c.TimeSavedPermille - claimTimeSavedPermille; d < -toleranceTimePermille || d > toleranceTimePermille {
				t.Errorf("got %d‰ time saved, want within %d‰ of the claimed %d‰", c.TimeSavedPermille, toleranceTimePermille, claimTimeSavedPermille)
			}
		})
	}
	c, err := n.Compare("instc-west", "suez", departure)
	if err != nil {
		t.Fatal(err)
	}
	if c.A.DistanceKM != 6632 || c.B.DistanceKM != 16716 || c.DistanceSavedKM != 10084 || c.DistanceSavedPermille != 603 {
		t.Errorf("got %d km against %d km, %d km (%d‰) saved, want 6632, 16716, 10084 (603‰)",
			c.A.DistanceKM, c.B.DistanceKM, c.DistanceSavedKM, c.DistanceSavedPermille)
	}
	if c.A.TransitHours != 530 || c.B.TransitHours != 730 || c.HoursSaved != 200 || c.TimeSavedPermille != 273 {
		t.Errorf("got %d h against %d h, %d h (%d‰) saved, want 530, 730, 200 (273‰)",
			c.A.TransitHours, c.B.TransitHours, c.HoursSaved, c.TimeSavedPermille)
	}
	if c.A.TransitDays != 23 || c.B.TransitDays != 31 {
		t.Errorf("got %d days against %d, want 23 against 31", c.A.TransitDays, c.B.TransitDays)
	}
}

// within reports whether got is within percent of want.
func within(got, want, percent int) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	return d*100 <= want*percent
}
