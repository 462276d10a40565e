package trade

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// Milestone is an event in a shipment's journey that a payment can wait
// on: a letter of credit pays on "loaded", an importer releases funds on
// "arrived".
type Milestone string

// The milestones.
const (
	// MilestoneLoaded: the cargo is on board the vehicle leaving the node.
	MilestoneLoaded Milestone = "loaded"
	// MilestoneDeparted: the vehicle carrying the cargo leaves the node.
	MilestoneDeparted Milestone = "departed"
	// MilestoneBorderCrossed: the cargo has cleared the border formalities
	// at the node and leaves it.
	MilestoneBorderCrossed Milestone = "border_crossed"
	// MilestoneArrived: the cargo reaches the node.
	MilestoneArrived Milestone = "arrived"
)

// The kinds of node.
const (
	KindPort   = "port"
	KindRail   = "rail"
	KindBorder = "border"
	KindCity   = "city"
)

// The modes of a leg.
const (
	ModeSea  = "sea"
	ModeRail = "rail"
	ModeRoad = "road"
)

// estimateMarker starts the part of a source field that describes a figure
// derived rather than found (see Node.Estimated).
const estimateMarker = "estimate:"

// Node is a place on the corridor: a port, a rail junction, a border
// crossing or a city.
type Node struct {
	// ID is the node's stable identifier ("astara_az").
	ID string
	// Name is for people ("Astara (Azerbaijan)").
	Name string
	// Country is the ISO 3166 alpha-2 code of the country the node is in.
	Country string
	// Kind is KindPort, KindRail, KindBorder or KindCity.
	Kind string
	// Lat and Lon are in decimal degrees (WGS 84). They are for drawing
	// the map, never for money or for time: distances are data, not
	// computed from coordinates.
	Lat, Lon float64
	// Source says where the coordinates come from.
	Source string
}

// Estimated reports whether part of the node's data was derived rather than
// found: its source says "estimate:".
func (n Node) Estimated() bool { return strings.Contains(n.Source, estimateMarker) }

// Leg is one movement of cargo between two nodes by one mode.
type Leg struct {
	// ID is the leg's stable identifier ("qazvin-rasht").
	ID string
	// From and To are node ids.
	From, To string
	// Mode is ModeSea, ModeRail or ModeRoad.
	Mode string
	// DistanceKM is the distance travelled, in whole kilometres.
	DistanceKM int
	// GaugeChange marks the leg on which cargo passes between 1,435 mm and
	// 1,520 mm track. The transfer between wagons takes place in the
	// terminal at one of its ends and is counted in the dwell there.
	GaugeChange bool
	// DwellHours is the typical time the cargo spends at To before the
	// next leg starts: handling, transshipment, customs, waiting.
	DwellHours int
	// SpeedKMPerDay is the average speed over the leg, stops included.
	SpeedKMPerDay int
	// Source says where the distance, speed and dwell come from; a figure
	// that was derived is introduced by "estimate:".
	Source string
}

// Estimated reports whether one of the leg's figures was derived rather
// than found: its source says "estimate:".
func (l Leg) Estimated() bool { return strings.Contains(l.Source, estimateMarker) }

// Route is a path of legs from an origin to a destination, with the
// milestones a shipment on it is expected to reach.
type Route struct {
	// ID is the route's stable identifier ("instc-west").
	ID string
	// Name is for people.
	Name string
	// Planned marks a route that uses infrastructure not yet built.
	Planned bool
	// Legs are leg ids in travel order; each starts where the one before
	// it ends, and no node is passed twice.
	Legs []string
	// Milestones are in travel order.
	Milestones []RouteMilestone
}

// RouteMilestone is a milestone at a node of a route.
type RouteMilestone struct {
	Milestone Milestone
	Node      string
}

// Network is a validated set of nodes, legs and routes. It is immutable:
// its accessors return copies, so a Network can be shared between
// goroutines.
type Network struct {
	nodes  []Node
	legs   []Leg
	routes []Route

	nodeByID  map[string]int
	legByID   map[string]int
	routeByID map[string]int
	// plannedLeg is true for a leg that only planned routes use.
	plannedLeg map[string]bool
}

// corridorFile is the corridor data shipped in the binary.
//
//go:embed data/corridor.json
var corridorFile []byte

// corridorName identifies the shipped data in errors.
const corridorName = "corridor.json"

var corridor = sync.OnceValue(func() *Network {
	n, err := Parse(corridorFile, corridorName)
	if err != nil {
		// The file is compiled in and checked by the package's tests;
		// failing here means the binary was built from broken data.
		panic(err)
	}
	return n
})

// Corridor returns the International North–South Transport Corridor as
// shipped in the binary (data/corridor.json), parsed once. It panics only
// if that file is broken, which the package's tests rule out.
func Corridor() *Network { return corridor() }

// Nodes returns the nodes in file order.
func (n *Network) Nodes() []Node { return slices.Clone(n.nodes) }

// Legs returns the legs in file order.
func (n *Network) Legs() []Leg { return slices.Clone(n.legs) }

// Routes returns the routes in file order.
func (n *Network) Routes() []Route {
	out := make([]Route, len(n.routes))
	for i, r := range n.routes {
		out[i] = cloneRoute(r)
	}
	return out
}

// Node returns the node with the id, and whether there is one.
func (n *Network) Node(id string) (Node, bool) {
	i, ok := n.nodeByID[id]
	if !ok {
		return Node{}, false
	}
	return n.nodes[i], true
}

// Leg returns the leg with the id, and whether there is one.
func (n *Network) Leg(id string) (Leg, bool) {
	i, ok := n.legByID[id]
	if !ok {
		return Leg{}, false
	}
	return n.legs[i], true
}

// Route returns the route with the id, and whether there is one.
func (n *Network) Route(id string) (Route, bool) {
	i, ok := n.routeByID[id]
	if !ok {
		return Route{}, false
	}
	return cloneRoute(n.routes[i]), true
}

// LegPlanned reports whether the leg with the id exists and is used only by
// planned routes: the infrastructure it runs on is not built yet, so a map
// should draw it differently. A leg no route uses is not planned.
func (n *Network) LegPlanned(id string) bool { return n.plannedLeg[id] }

func cloneRoute(r Route) Route {
	r.Legs = slices.Clone(r.Legs)
	r.Milestones = slices.Clone(r.Milestones)
	return r
}
