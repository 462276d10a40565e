package trade

import (
	"errors"
	"strconv"
	"strings"
)

// Rule is a stable, machine-readable code naming the rule an input broke.
// Its values never change meaning once released.
type Rule string

// The rules for corridor data.
const (
	// RuleDataSyntax: the input is not one well-formed JSON object of the
	// documented shape (unknown field, wrong type, trailing data).
	RuleDataSyntax Rule = "trade_data_syntax"
	// RuleDataFormat: the file declares a format this version does not read.
	RuleDataFormat Rule = "trade_data_format"
	// RuleTooLarge: the input is longer than DataBytesMax.
	RuleTooLarge Rule = "trade_data_too_large"
	// RuleTooMany: a list is longer than its limit (NodesMax, LegsMax,
	// RoutesMax, RouteLegsMax, RouteMilestonesMax).
	RuleTooMany Rule = "trade_too_many"
	// RuleFieldMissing: a required field is absent or empty.
	RuleFieldMissing Rule = "trade_field_missing"
	// RuleFieldInvalid: a field's value is not one the format allows (an
	// identifier with other characters, an unknown kind or mode, a country
	// that is not two capital letters, a text over its length limit).
	RuleFieldInvalid Rule = "trade_field_invalid"
	// RuleDuplicateID: two nodes, two legs or two routes share an id, or a
	// route names the same milestone at the same node twice.
	RuleDuplicateID Rule = "trade_duplicate_id"
	// RuleCoordinateRange: a latitude outside -90..90 or a longitude
	// outside -180..180.
	RuleCoordinateRange Rule = "trade_coordinate_out_of_range"
	// RuleNotPositive: a distance or a speed that is zero or negative.
	RuleNotPositive Rule = "trade_not_positive"
	// RuleOutOfRange: a number beyond its limit (DistanceKMMax,
	// SpeedKMPerDayMin/Max, DwellHoursMax, RouteHoursMax) or a negative
	// dwell.
	RuleOutOfRange Rule = "trade_out_of_range"
	// RuleUnknownNode: a leg's end is not a node of the file.
	RuleUnknownNode Rule = "trade_unknown_node"
	// RuleSameEnds: a leg starts and ends at the same node.
	RuleSameEnds Rule = "trade_leg_same_ends"
	// RuleGaugeChangeNotRail: a road or sea leg is marked as a gauge change.
	RuleGaugeChangeNotRail Rule = "trade_gauge_change_not_rail"
	// RuleUnknownLeg: a route names a leg that is not in the file.
	RuleUnknownLeg Rule = "trade_unknown_leg"
	// RuleNotConnected: a leg of a route does not start where the one
	// before it ends.
	RuleNotConnected Rule = "trade_legs_not_connected"
	// RuleNodeRevisited: a route passes the same node twice, so a
	// milestone at that node would be ambiguous.
	RuleNodeRevisited Rule = "trade_route_revisits_node"
	// RuleMilestoneNotOnRoute: a milestone is at a node the route does not
	// pass.
	RuleMilestoneNotOnRoute Rule = "trade_milestone_not_on_route"
	// RuleMilestoneOrder: a milestone happens before the one listed ahead
	// of it: at a node the route passes earlier, or "arrived" after another
	// milestone at the same node.
	RuleMilestoneOrder Rule = "trade_milestone_order"
)

// The rules for questions about the network.
const (
	// RuleUnknownRoute: no route has the id asked for.
	RuleUnknownRoute Rule = "trade_unknown_route"
	// RuleDepartureMissing: the departure time is the zero time.
	RuleDepartureMissing Rule = "trade_departure_missing"
)

// Sentinel errors, for errors.Is. Each typed error matches the sentinel of
// its class.
var (
	// ErrInvalidData is matched by every *DataError.
	ErrInvalidData = errors.New("trade: invalid corridor data")
	// ErrInvalidQuery is matched by every *QueryError.
	ErrInvalidQuery = errors.New("trade: invalid query")
	// ErrUnknownRoute is matched by a *QueryError for a route id that does
	// not exist.
	ErrUnknownRoute = errors.New("trade: unknown route")
)

// errorInputQuotedMax bounds how much of a rejected input an error message
// repeats.
const errorInputQuotedMax = 80

func quoteInput(s string) string {
	if len(s) > errorInputQuotedMax {
		return strconv.Quote(s[:errorInputQuotedMax]) + "..."
	}
	return strconv.Quote(s)
}

// DataError reports corridor data that was rejected. Nothing of the
// rejected input is used.
type DataError struct {
	// Source names the input ("corridor.json").
	Source string
	// Field is the path of the field at fault, indexes counted from 0:
	// "legs[3].distance_km", "routes[0].milestones[2].node". Empty when the
	// error is about the input as a whole.
	Field string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString("trade: ")
	if e.Source != "" {
		b.WriteString(e.Source)
	} else {
		b.WriteString("data")
	}
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	b.WriteString(" (" + string(e.Rule) + ")")
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidData) true.
func (e *DataError) Is(target error) bool { return target == ErrInvalidData }

// QueryError reports a question the network cannot answer: a route that
// does not exist, a departure that is not a time.
type QueryError struct {
	// Field names the argument at fault ("route", "departure").
	Field string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

func (e *QueryError) Error() string {
	return "trade: " + e.Field + ": " + e.Detail + " (" + string(e.Rule) + ")"
}

// Is makes errors.Is(err, ErrInvalidQuery) true, and errors.Is(err,
// ErrUnknownRoute) true for an unknown route.
func (e *QueryError) Is(target error) bool {
	return target == ErrInvalidQuery || (target == ErrUnknownRoute && e.Rule == RuleUnknownRoute)
}
