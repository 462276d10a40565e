package trade

import (
	"time"
)

// Stop is a shipment's time at one node of its route.
type Stop struct {
	// Node is the node id.
	Node string
	// Arrive is when the cargo reaches the node. At the origin it is the
	// departure.
	Arrive time.Time
	// Depart is Arrive plus the dwell at the end of the leg that reached
	// the node: when the cargo leaves, or at the destination when it is
	// released. At the origin it is the departure.
	Depart time.Time
}

// Expected is when a shipment is expected to reach one of its route's
// milestones.
type Expected struct {
	Milestone Milestone
	Node      string
	At        time.Time
}

// Plan is a shipment's expected journey along a route.
type Plan struct {
	// Route is the route id.
	Route string
	// DistanceKM is the sum of the legs' distances.
	DistanceKM int
	// Stops has one stop per node of the route, in travel order, origin
	// first.
	Stops []Stop
	// Milestones are the route's milestones with their expected times, in
	// the route's order.
	Milestones []Expected
	// ETA is the expected arrival at the destination: the last stop's
	// Arrive.
	ETA time.Time
	// TransitHours is the time from departure to ETA, in whole hours.
	TransitHours int
	// TransitDays is TransitHours in days, rounded up: a transit of 49
	// hours is 3 days.
	TransitDays int
}

// travelHours is the time a leg takes, distance over speed, in whole hours
// rounded up: 100 km at 240 km/day is 10 hours, 101 km is 11. The limits
// checked at load keep the product far from overflow.
func travelHours(l Leg) int {
	return ceilDiv(l.DistanceKM*24, l.SpeedKMPerDay)
}

// ceilDiv is a/b rounded up, for a >= 0 and b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Plan computes a shipment's stops, milestones and ETA on the route with
// the id, leaving its origin at departure. It is deterministic: each leg
// takes its distance over its speed, in whole hours rounded up (see
// Leg.SpeedKMPerDay), then the dwell at its end (Leg.DwellHours). Time
// arithmetic is in whole hours of elapsed time, never in floating point;
// the times carry departure's location, and a daylight-saving change
// along the way does not alter a duration.
//
// A milestone "arrived" is expected at its stop's Arrive; "loaded",
// "departed" and "border_crossed" at its Depart, once the dwell (loading,
// formalities) is over.
//
// Plan returns a *QueryError matching ErrUnknownRoute for a route that does
// not exist, and one with RuleDepartureMissing for a zero departure.
func (n *Network) Plan(route string, departure time.Time) (Plan, error) {
	if departure.IsZero() {
		return Plan{}, &QueryError{Field: "departure", Rule: RuleDepartureMissing, Detail: "is the zero time"}
	}
	i, ok := n.routeByID[route]
	if !ok {
		return Plan{}, &QueryError{Field: "route", Rule: RuleUnknownRoute, Detail: quoteInput(route) + " is not a route"}
	}
	r := n.routes[i]
	first := n.legs[n.legByID[r.Legs[0]]]
	p := Plan{
		Route: r.ID,
		Stops: make([]Stop, 0, len(r.Legs)+1),
	}
	p.Stops = append(p.Stops, Stop{Node: first.From, Arrive: departure, Depart: departure})
	hours := 0 // elapsed since departure
	stopOf := map[string]int{first.From: 0}
	for _, id := range r.Legs {
		leg := n.legs[n.legByID[id]]
		p.DistanceKM += leg.DistanceKM
		hours += travelHours(leg)
		arrive := departure.Add(time.Duration(hours) * time.Hour)
		hours += leg.DwellHours
		depart := departure.Add(time.Duration(hours) * time.Hour)
		stopOf[leg.To] = len(p.Stops)
		p.Stops = append(p.Stops, Stop{Node: leg.To, Arrive: arrive, Depart: depart})
	}
	last := p.Stops[len(p.Stops)-1]
	p.ETA = last.Arrive
	p.TransitHours = int(last.Arrive.Sub(departure) / time.Hour)
	p.TransitDays = ceilDiv(p.TransitHours, 24)
	p.Milestones = make([]Expected, 0, len(r.Milestones))
	for _, m := range r.Milestones {
		s := p.Stops[stopOf[m.Node]]
		at := s.Depart
		if m.Milestone == MilestoneArrived {
			at = s.Arrive
		}
		p.Milestones = append(p.Milestones, Expected{Milestone: m.Milestone, Node: m.Node, At: at})
	}
	return p, nil
}

// Comparison sets two routes' plans side by side, typically the corridor
// (A) against the sea route through Suez (B).
type Comparison struct {
	A, B Plan
	// DistanceSavedKM is how much shorter A is than B, B.DistanceKM −
	// A.DistanceKM: negative when A is the longer.
	DistanceSavedKM int
	// HoursSaved is how much faster A is than B, B.TransitHours −
	// A.TransitHours: negative when A is the slower.
	HoursSaved int
	// DistanceSavedPermille is DistanceSavedKM per thousand of B's
	// distance, truncated toward zero: 600 means A is 60.0% shorter.
	DistanceSavedPermille int
	// TimeSavedPermille is HoursSaved per thousand of B's transit hours,
	// truncated toward zero.
	TimeSavedPermille int
}

// Compare plans routes a and b for the same departure and reports the
// distance and the transit time one saves over the other. It returns the
// errors of Plan.
func (n *Network) Compare(a, b string, departure time.Time) (Comparison, error) {
	pa, err := n.Plan(a, departure)
	if err != nil {
		return Comparison{}, err
	}
	pb, err := n.Plan(b, departure)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{
		A:               pa,
		B:               pb,
		DistanceSavedKM: pb.DistanceKM - pa.DistanceKM,
		HoursSaved:      pb.TransitHours - pa.TransitHours,
	}
	// Every leg has a positive distance and takes at least an hour, so
	// neither divisor is zero.
	c.DistanceSavedPermille = c.DistanceSavedKM * 1000 / pb.DistanceKM
	c.TimeSavedPermille = c.HoursSaved * 1000 / pb.TransitHours
	return c, nil
}
