package trade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// DataFormat is the version of the data format this package reads, in the
// file's "format" field.
const DataFormat = 1

// Limits on corridor data. Each is checked at load, so that planning can
// neither run long nor overflow a time.Duration.
const (
	// DataBytesMax bounds the size of a data file.
	DataBytesMax = 1 << 20
	// NodesMax bounds the number of nodes in a file.
	NodesMax = 256
	// LegsMax bounds the number of legs in a file.
	LegsMax = 1024
	// RoutesMax bounds the number of routes in a file.
	RoutesMax = 256
	// RouteLegsMax bounds the number of legs of one route.
	RouteLegsMax = 64
	// RouteMilestonesMax bounds the number of milestones of one route.
	RouteMilestonesMax = 64
	// IDBytesMax bounds the length of an id.
	IDBytesMax = 64
	// NameBytesMax bounds the length of a name.
	NameBytesMax = 200
	// SourceBytesMax bounds the length of a source.
	SourceBytesMax = 2000
	// DistanceKMMax bounds one leg's distance: half the Earth's
	// circumference, rounded up.
	DistanceKMMax = 20100
	// SpeedKMPerDayMin and SpeedKMPerDayMax bound a leg's average speed:
	// from 1 km/h to 1,000 km/h.
	SpeedKMPerDayMin = 24
	SpeedKMPerDayMax = 24000
	// DwellHoursMax bounds the dwell at the end of a leg: 90 days.
	DwellHoursMax = 90 * 24
	// RouteHoursMax bounds a route's whole transit, travel and dwell: two
	// years. It keeps every plan far inside time.Duration's range.
	RouteHoursMax = 731 * 24
)

// dataFile is a data file as written in JSON.
type dataFile struct {
	Format int         `json:"format"`
	Nodes  []dataNode  `json:"nodes"`
	Legs   []dataLeg   `json:"legs"`
	Routes []dataRoute `json:"routes"`
}

type dataNode struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Country string   `json:"country"`
	Kind    string   `json:"kind"`
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
	Source  string   `json:"source"`
}

type dataLeg struct {
	ID            string `json:"id"`
	From          string `json:"from"`
	To            string `json:"to"`
	Mode          string `json:"mode"`
	DistanceKM    int    `json:"distance_km"`
	GaugeChange   bool   `json:"gauge_change"`
	DwellHours    int    `json:"dwell_hours"`
	SpeedKMPerDay int    `json:"speed_km_per_day"`
	Source        string `json:"source"`
}

type dataRoute struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Planned    bool            `json:"planned"`
	Legs       []string        `json:"legs"`
	Milestones []dataMilestone `json:"milestones"`
}

type dataMilestone struct {
	Milestone string `json:"milestone"`
	Node      string `json:"node"`
}

// Load reads corridor data from r (see Parse). name identifies the input in
// errors. It reads at most DataBytesMax+1 bytes.
func Load(r io.Reader, name string) (*Network, error) {
	b, err := io.ReadAll(io.LimitReader(r, DataBytesMax+1))
	if err != nil {
		return nil, &DataError{Source: name, Rule: RuleDataSyntax, Detail: "read: " + err.Error()}
	}
	return Parse(b, name)
}

// Parse validates corridor data in the format of data/corridor.json and
// returns the network it describes. name identifies the input in errors.
// Every rejection is a *DataError naming the field and the rule; the first
// fault found is reported.
//
// The format is one JSON object: "format" (DataFormat), "nodes" {id, name,
// country, kind, lat, lon, source}, "legs" {id, from, to, mode,
// distance_km, gauge_change, dwell_hours, speed_km_per_day, source} and
// "routes" {id, name, planned, legs, milestones [{milestone, node}]}.
func Parse(data []byte, name string) (*Network, error) {
	p := parser{name: name}
	if len(data) > DataBytesMax {
		return nil, p.fail("", RuleTooLarge, "longer than "+strconv.Itoa(DataBytesMax)+" bytes")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f dataFile
	if err := dec.Decode(&f); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, p.fail(typeErr.Field, RuleDataSyntax, "is a JSON "+typeErr.Value+", want "+typeErr.Type.String())
		}
		return nil, p.fail("", RuleDataSyntax, err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.fail("", RuleDataSyntax, "data after the JSON object")
	}
	if f.Format != DataFormat {
		return nil, p.fail("format", RuleDataFormat, "is "+strconv.Itoa(f.Format)+", want "+strconv.Itoa(DataFormat))
	}
	n := &Network{
		nodeByID:   map[string]int{},
		legByID:    map[string]int{},
		routeByID:  map[string]int{},
		plannedLeg: map[string]bool{},
	}
	if err := p.nodes(n, f.Nodes); err != nil {
		return nil, err
	}
	if err := p.legs(n, f.Legs); err != nil {
		return nil, err
	}
	if err := p.routes(n, f.Routes); err != nil {
		return nil, err
	}
	used, usedByCurrent := map[string]bool{}, map[string]bool{}
	for _, r := range n.routes {
		for _, id := range r.Legs {
			used[id] = true
			if !r.Planned {
				usedByCurrent[id] = true
			}
		}
	}
	for id := range used {
		n.plannedLeg[id] = !usedByCurrent[id]
	}
	return n, nil
}

type parser struct {
	name string
}

func (p parser) fail(field string, rule Rule, detail string) error {
	return &DataError{Source: p.name, Field: field, Rule: rule, Detail: detail}
}

// checkText checks a required text field and its length.
func (p parser) checkText(field, value string, max int) error {
	if value == "" {
		return p.fail(field, RuleFieldMissing, "is empty")
	}
	if len(value) > max {
		return p.fail(field, RuleFieldInvalid, "longer than "+strconv.Itoa(max)+" bytes")
	}
	return nil
}

// checkID checks an identifier: 1 to IDBytesMax bytes of a-z, 0-9, '_' and
// '-'.
func (p parser) checkID(field, id string) error {
	if err := p.checkText(field, id, IDBytesMax); err != nil {
		return err
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return p.fail(field, RuleFieldInvalid, quoteInput(id)+" has a character other than a-z, 0-9, '_' and '-'")
		}
	}
	return nil
}

func (p parser) nodes(n *Network, nodes []dataNode) error {
	if len(nodes) > NodesMax {
		return p.fail("nodes", RuleTooMany, strconv.Itoa(len(nodes))+" nodes, more than "+strconv.Itoa(NodesMax))
	}
	for i, d := range nodes {
		at := func(field string) string { return fmt.Sprintf("nodes[%d].%s", i, field) }
		if err := p.checkID(at("id"), d.ID); err != nil {
			return err
		}
		if _, dup := n.nodeByID[d.ID]; dup {
			return p.fail(at("id"), RuleDuplicateID, quoteInput(d.ID)+" is already a node")
		}
		if err := p.checkText(at("name"), d.Name, NameBytesMax); err != nil {
			return err
		}
		if !isCountry(d.Country) {
			return p.fail(at("country"), RuleFieldInvalid, quoteInput(d.Country)+" is not an ISO 3166 alpha-2 code")
		}
		switch d.Kind {
		case KindPort, KindRail, KindBorder, KindCity:
		case "":
			return p.fail(at("kind"), RuleFieldMissing, "is empty")
		default:
			return p.fail(at("kind"), RuleFieldInvalid, quoteInput(d.Kind)+" is not port, rail, border or city")
		}
		if d.Lat == nil {
			return p.fail(at("lat"), RuleFieldMissing, "is absent")
		}
		if d.Lon == nil {
			return p.fail(at("lon"), RuleFieldMissing, "is absent")
		}
		if lat := *d.Lat; math.IsNaN(lat) || lat < -90 || lat > 90 {
			return p.fail(at("lat"), RuleCoordinateRange, strconv.FormatFloat(lat, 'g', -1, 64)+" is outside -90..90")
		}
		if lon := *d.Lon; math.IsNaN(lon) || lon < -180 || lon > 180 {
			return p.fail(at("lon"), RuleCoordinateRange, strconv.FormatFloat(lon, 'g', -1, 64)+" is outside -180..180")
		}
		if err := p.checkText(at("source"), d.Source, SourceBytesMax); err != nil {
			return err
		}
		n.nodeByID[d.ID] = len(n.nodes)
		n.nodes = append(n.nodes, Node{
			ID: d.ID, Name: d.Name, Country: d.Country, Kind: d.Kind,
			Lat: *d.Lat, Lon: *d.Lon, Source: d.Source,
		})
	}
	return nil
}

func isCountry(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}

func (p parser) legs(n *Network, legs []dataLeg) error {
	if len(legs) > LegsMax {
		return p.fail("legs", RuleTooMany, strconv.Itoa(len(legs))+" legs, more than "+strconv.Itoa(LegsMax))
	}
	for i, d := range legs {
		at := func(field string) string { return fmt.Sprintf("legs[%d].%s", i, field) }
		if err := p.checkID(at("id"), d.ID); err != nil {
			return err
		}
		if _, dup := n.legByID[d.ID]; dup {
			return p.fail(at("id"), RuleDuplicateID, quoteInput(d.ID)+" is already a leg")
		}
		for _, end := range []struct{ field, id string }{{"from", d.From}, {"to", d.To}} {
			if end.id == "" {
				return p.fail(at(end.field), RuleFieldMissing, "is empty")
			}
			if _, ok := n.nodeByID[end.id]; !ok {
				return p.fail(at(end.field), RuleUnknownNode, quoteInput(end.id)+" is not a node")
			}
		}
		if d.From == d.To {
			return p.fail(at("to"), RuleSameEnds, "the leg starts and ends at "+quoteInput(d.From))
		}
		switch d.Mode {
		case ModeSea, ModeRail, ModeRoad:
		case "":
			return p.fail(at("mode"), RuleFieldMissing, "is empty")
		default:
			return p.fail(at("mode"), RuleFieldInvalid, quoteInput(d.Mode)+" is not sea, rail or road")
		}
		if d.DistanceKM <= 0 {
			return p.fail(at("distance_km"), RuleNotPositive, strconv.Itoa(d.DistanceKM)+" is not positive")
		}
		if d.DistanceKM > DistanceKMMax {
			return p.fail(at("distance_km"), RuleOutOfRange, strconv.Itoa(d.DistanceKM)+" is more than "+strconv.Itoa(DistanceKMMax))
		}
		if d.SpeedKMPerDay <= 0 {
			return p.fail(at("speed_km_per_day"), RuleNotPositive, strconv.Itoa(d.SpeedKMPerDay)+" is not positive")
		}
		if d.SpeedKMPerDay < SpeedKMPerDayMin || d.SpeedKMPerDay > SpeedKMPerDayMax {
			return p.fail(at("speed_km_per_day"), RuleOutOfRange, strconv.Itoa(d.SpeedKMPerDay)+" is outside "+
				strconv.Itoa(SpeedKMPerDayMin)+".."+strconv.Itoa(SpeedKMPerDayMax))
		}
		if d.DwellHours < 0 || d.DwellHours > DwellHoursMax {
			return p.fail(at("dwell_hours"), RuleOutOfRange, strconv.Itoa(d.DwellHours)+" is outside 0.."+strconv.Itoa(DwellHoursMax))
		}
		if d.GaugeChange && d.Mode != ModeRail {
			return p.fail(at("gauge_change"), RuleGaugeChangeNotRail, "a "+d.Mode+" leg cannot change track gauge")
		}
		if err := p.checkText(at("source"), d.Source, SourceBytesMax); err != nil {
			return err
		}
		n.legByID[d.ID] = len(n.legs)
		n.legs = append(n.legs, Leg{
			ID: d.ID, From: d.From, To: d.To, Mode: d.Mode, DistanceKM: d.DistanceKM,
			GaugeChange: d.GaugeChange, DwellHours: d.DwellHours, SpeedKMPerDay: d.SpeedKMPerDay,
			Source: d.Source,
		})
	}
	return nil
}

func (p parser) routes(n *Network, routes []dataRoute) error {
	if len(routes) > RoutesMax {
		return p.fail("routes", RuleTooMany, strconv.Itoa(len(routes))+" routes, more than "+strconv.Itoa(RoutesMax))
	}
	for i, d := range routes {
		at := func(field string) string { return fmt.Sprintf("routes[%d].%s", i, field) }
		if err := p.checkID(at("id"), d.ID); err != nil {
			return err
		}
		if _, dup := n.routeByID[d.ID]; dup {
			return p.fail(at("id"), RuleDuplicateID, quoteInput(d.ID)+" is already a route")
		}
		if err := p.checkText(at("name"), d.Name, NameBytesMax); err != nil {
			return err
		}
		if len(d.Legs) == 0 {
			return p.fail(at("legs"), RuleFieldMissing, "the route has no legs")
		}
		if len(d.Legs) > RouteLegsMax {
			return p.fail(at("legs"), RuleTooMany, strconv.Itoa(len(d.Legs))+" legs, more than "+strconv.Itoa(RouteLegsMax))
		}
		// position holds each node's index in travel order: the origin is
		// 0, the end of legs[j] is j+1.
		position := map[string]int{}
		hours := 0
		for j, id := range d.Legs {
			field := fmt.Sprintf("routes[%d].legs[%d]", i, j)
			k, ok := n.legByID[id]
			if !ok {
				return p.fail(field, RuleUnknownLeg, quoteInput(id)+" is not a leg")
			}
			leg := n.legs[k]
			if j == 0 {
				position[leg.From] = 0
			} else if prev := n.legs[n.legByID[d.Legs[j-1]]]; prev.To != leg.From {
				return p.fail(field, RuleNotConnected, quoteInput(id)+" starts at "+quoteInput(leg.From)+
					", but the leg before it ends at "+quoteInput(prev.To))
			}
			if _, seen := position[leg.To]; seen {
				return p.fail(field, RuleNodeRevisited, quoteInput(id)+" returns to "+quoteInput(leg.To))
			}
			position[leg.To] = j + 1
			hours += travelHours(leg) + leg.DwellHours
		}
		if hours > RouteHoursMax {
			return p.fail(at("legs"), RuleOutOfRange, "the route takes "+strconv.Itoa(hours)+" hours, more than "+strconv.Itoa(RouteHoursMax))
		}
		if len(d.Milestones) > RouteMilestonesMax {
			return p.fail(at("milestones"), RuleTooMany, strconv.Itoa(len(d.Milestones))+" milestones, more than "+strconv.Itoa(RouteMilestonesMax))
		}
		milestones := make([]RouteMilestone, 0, len(d.Milestones))
		seen := map[RouteMilestone]bool{}
		last := 0
		for j, m := range d.Milestones {
			mat := func(field string) string { return fmt.Sprintf("routes[%d].milestones[%d].%s", i, j, field) }
			switch Milestone(m.Milestone) {
			case MilestoneLoaded, MilestoneDeparted, MilestoneBorderCrossed, MilestoneArrived:
			case "":
				return p.fail(mat("milestone"), RuleFieldMissing, "is empty")
			default:
				return p.fail(mat("milestone"), RuleFieldInvalid, quoteInput(m.Milestone)+" is not loaded, departed, border_crossed or arrived")
			}
			if m.Node == "" {
				return p.fail(mat("node"), RuleFieldMissing, "is empty")
			}
			pos, on := position[m.Node]
			if !on {
				return p.fail(mat("node"), RuleMilestoneNotOnRoute, quoteInput(m.Node)+" is not on route "+quoteInput(d.ID))
			}
			// Along the route, and at one node "arrived" before the rest.
			order := 2 * pos
			if Milestone(m.Milestone) != MilestoneArrived {
				order++
			}
			if order < last {
				return p.fail(mat("node"), RuleMilestoneOrder, quoteInput(m.Milestone)+" at "+quoteInput(m.Node)+
					" happens before the milestone listed ahead of it")
			}
			last = order
			rm := RouteMilestone{Milestone: Milestone(m.Milestone), Node: m.Node}
			if seen[rm] {
				return p.fail(mat("milestone"), RuleDuplicateID, quoteInput(m.Milestone)+" at "+quoteInput(m.Node)+" is listed twice")
			}
			seen[rm] = true
			milestones = append(milestones, rm)
		}
		n.routeByID[d.ID] = len(n.routes)
		n.routes = append(n.routes, Route{
			ID: d.ID, Name: d.Name, Planned: d.Planned,
			Legs: append([]string(nil), d.Legs...), Milestones: milestones,
		})
	}
	return nil
}
