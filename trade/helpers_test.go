package trade_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"astara/trade"
)

// smallNetwork is a network whose plan can be computed by hand:
//
//	a --sea 100 km @ 240 km/day--> b --rail 101 km @ 240--> c --road 1 km @ 24000--> d
//	   10 h, dwell 5                  11 h (10.1 up), dwell 0   1 h (0.001 up), dwell 7
const smallNetwork = `{
  "format": 1,
  "nodes": [
    {"id": "a", "name": "Port A", "country": "IN", "kind": "port", "lat": 10, "lon": 20, "source": "test"},
    {"id": "b", "name": "Border B", "country": "IR", "kind": "border", "lat": 11, "lon": 21, "source": "test"},
    {"id": "c", "name": "Junction C", "country": "AZ", "kind": "rail", "lat": 12, "lon": 22, "source": "test"},
    {"id": "d", "name": "City D", "country": "RU", "kind": "city", "lat": 13, "lon": 23, "source": "test"}
  ],
  "legs": [
    {"id": "a-b", "from": "a", "to": "b", "mode": "sea", "distance_km": 100, "dwell_hours": 5, "speed_km_per_day": 240, "source": "test"},
    {"id": "b-c", "from": "b", "to": "c", "mode": "rail", "distance_km": 101, "gauge_change": true, "dwell_hours": 0, "speed_km_per_day": 240, "source": "test"},
    {"id": "c-d", "from": "c", "to": "d", "mode": "road", "distance_km": 1, "dwell_hours": 7, "speed_km_per_day": 24000, "source": "estimate: test"}
  ],
  "routes": [
    {"id": "r1", "name": "A to D", "legs": ["a-b", "b-c", "c-d"],
     "milestones": [
       {"milestone": "loaded", "node": "a"},
       {"milestone": "departed", "node": "a"},
       {"milestone": "arrived", "node": "b"},
       {"milestone": "border_crossed", "node": "b"},
       {"milestone": "arrived", "node": "d"}
     ]}
  ]
}`

// MustParse parses data or fails the test.
func MustParse(tb testing.TB, data string) *trade.Network {
	tb.Helper()
	n, err := trade.Parse([]byte(data), "test.json")
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return n
}

// MustPlan plans a route or fails the test.
func MustPlan(tb testing.TB, n *trade.Network, route string, departure time.Time) trade.Plan {
	tb.Helper()
	p, err := n.Plan(route, departure)
	if err != nil {
		tb.Fatalf("Plan(%q): %v", route, err)
	}
	return p
}

// doc is a data file decoded into generic JSON values, to be changed by a
// test and encoded again.
type doc map[string]any

// smallDoc returns smallNetwork as a doc.
func smallDoc(tb testing.TB) doc {
	tb.Helper()
	var d doc
	if err := json.Unmarshal([]byte(smallNetwork), &d); err != nil {
		tb.Fatal(err)
	}
	return d
}

func (d doc) list(key string) []any { return d[key].([]any) }

func (d doc) item(key string, i int) map[string]any { return d.list(key)[i].(map[string]any) }

func (d doc) route(i int) map[string]any { return d.item("routes", i) }

func (d doc) milestone(route, i int) map[string]any {
	return d.route(route)["milestones"].([]any)[i].(map[string]any)
}

func (d doc) bytes(tb testing.TB) []byte {
	tb.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustDataError asserts err is a *DataError with the field and rule.
func MustDataError(tb testing.TB, err error, field string, rule trade.Rule) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want field %q rule %s", field, rule)
	}
	if !errors.Is(err, trade.ErrInvalidData) {
		tb.Errorf("errors.Is(%v, ErrInvalidData) = false", err)
	}
	var de *trade.DataError
	if !errors.As(err, &de) {
		tb.Fatalf("got %T %v, want *trade.DataError", err, err)
	}
	if de.Field != field || de.Rule != rule {
		tb.Errorf("got field %q rule %s (%v), want field %q rule %s", de.Field, de.Rule, err, field, rule)
	}
}

// greatCircleKM is the distance between two nodes on a sphere of the
// Earth's mean radius. Tests only: the package itself never derives a
// distance from coordinates.
func greatCircleKM(a, b trade.Node) float64 {
	const earthRadiusKM = 6371.0
	rad := func(deg float64) float64 { return deg * math.Pi / 180 }
	dLat, dLon := rad(b.Lat-a.Lat), rad(b.Lon-a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(h))
}
