package calendar

import (
	"strconv"
	"time"
)

// Limits on value-date computations.
const (
	// SettlementDaysMax bounds Corridor.SettlementDays.
	SettlementDaysMax = 30
	// SearchDaysMax bounds how many days ValueDate looks ahead for each
	// business day it needs (the acceptance day, then each settlement day);
	// past it the answer is ErrNoBusinessDay rather than a walk through an
	// endless closure.
	SearchDaysMax = 120
)

// Corridor holds the calendar settings of a payment corridor: the two
// countries, how many business days settlement takes, and the sending side's
// cut-off.
type Corridor struct {
	// Source is the sending country (ISO 3166 alpha-2, "RU").
	Source string
	// Target is the receiving country ("IR").
	Target string
	// SettlementDays is the number of days that are business days in both
	// countries between the acceptance day and the value date: 1 for "the
	// next business day", 0 for the same day. NewCorridor sets 1.
	SettlementDays int
	// CountShortWeekday says whether a weekly short banking day (Iran's
	// Thursday) counts as a business day of the corridor, on either side.
	// When it does, a Thursday value date has a 12:30 Tehran deadline; when
	// it does not, Thursday is skipped like a Friday.
	CountShortWeekday bool
	// CutoffLocal is the sending side's cut-off, local time in Source: a
	// payment accepted at or after it counts from the next business day.
	// Zero uses the Source profile's default. The cut-off never falls after
	// the end of the day's banking hours.
	CutoffLocal TimeOfDay
	// SourceScopes and TargetScopes locate the sending and receiving banks
	// ("province:Tehran", "bank:BKMTIRTH"), so provincial and bank closures
	// apply to them. National entries always apply.
	SourceScopes []Scope
	// TargetScopes locate the receiving bank, as SourceScopes the sending.
	TargetScopes []Scope
}

// NewCorridor returns the corridor from source to target with the defaults:
// next business day, weekly short days not counted, profile cut-offs.
func NewCorridor(source, target string) Corridor {
	return Corridor{Source: source, Target: target, SettlementDays: 1}
}

// ValueDate computes when a payment accepted at the instant at is due.
//
// The acceptance day is at's date in the sending country's zone, moved to the
// next sending-side business day if at is at or after the cut-off, or if that
// date is not a business day. The value date is the SettlementDays-th day
// after the acceptance day that is a business day in both countries (with 0,
// the acceptance day itself if it is one, else the next such day). The
// deadline is the end of the receiving side's banking hours on the value date,
// as an instant.
//
// It returns a *NoDataError if any day it must look at has no holiday data,
// ErrUnknownCountry for a country without a calendar, a *QueryError for
// settings out of range, and ErrNoBusinessDay if no day within SearchDaysMax
// qualifies. All days are read from one snapshot of the Set.
func (s *Set) ValueDate(corridor Corridor, at time.Time) (valueDate Date, deadline time.Time, err error) {
	st := s.state.Load()
	source, err := st.calendar(corridor.Source)
	if err != nil {
		return Date{}, time.Time{}, err
	}
	target, err := st.calendar(corridor.Target)
	if err != nil {
		return Date{}, time.Time{}, err
	}
	if corridor.SettlementDays < 0 || corridor.SettlementDays > SettlementDaysMax {
		return Date{}, time.Time{}, &QueryError{Field: "settlement_days", Rule: RuleCorridorInvalid,
			Detail: strconv.Itoa(corridor.SettlementDays) + " is outside 0.." + strconv.Itoa(SettlementDaysMax)}
	}
	if corridor.CutoffLocal < 0 || corridor.CutoffLocal > EndOfDay {
		return Date{}, time.Time{}, &QueryError{Field: "cutoff_local", Rule: RuleCorridorInvalid, Detail: "is outside 00:00–24:00"}
	}
	if at.IsZero() {
		return Date{}, time.Time{}, &QueryError{Field: "at", Rule: RuleCorridorInvalid, Detail: "is the zero time"}
	}
	sourceDay := func(d Date) (Day, bool, error) {
		day, err := source.Day(d, corridor.SourceScopes...)
		return day, err == nil && corridor.counts(day), err
	}
	targetDay := func(d Date) (Day, bool, error) {
		day, err := target.Day(d, corridor.TargetScopes...)
		return day, err == nil && corridor.counts(day), err
	}

	// The acceptance day.
	local := at.In(source.loc)
	accepted := DateOf(local)
	day, business, err := sourceDay(accepted)
	if err != nil {
		return Date{}, time.Time{}, err
	}
	if !business || !local.Before(accepted.At(source.cutoff(corridor, day), source.loc)) {
		found := false
		for range SearchDaysMax {
			accepted = accepted.AddDays(1)
			if _, business, err = sourceDay(accepted); err != nil {
				return Date{}, time.Time{}, err
			}
			if business {
				found = true
				break
			}
		}
		if !found {
			return Date{}, time.Time{}, &noBusinessDay{country: source.Code(), after: DateOf(local)}
		}
	}

	// The value date: count days that are business days on both sides.
	d := accepted
	if corridor.SettlementDays > 0 {
		d = d.AddDays(1)
	}
	remaining := max(corridor.SettlementDays, 1)
	for range SearchDaysMax * (corridor.SettlementDays + 1) {
		_, sourceBusiness, err := sourceDay(d)
		if err != nil {
			return Date{}, time.Time{}, err
		}
		targetDay, targetBusiness, err := targetDay(d)
		if err != nil {
			return Date{}, time.Time{}, err
		}
		if sourceBusiness && targetBusiness {
			remaining--
			if remaining == 0 {
				return d, d.At(targetDay.Hours.Close, target.loc), nil
			}
		}
		d = d.AddDays(1)
	}
	return Date{}, time.Time{}, &noBusinessDay{country: source.Code() + "-" + target.Code(), after: accepted}
}

// counts reports whether a day is a business day for the corridor.
func (c Corridor) counts(d Day) bool {
	return d.BusinessDay && (c.CountShortWeekday || !d.ShortWeekday)
}

// cutoff returns the sending cut-off on a business day: the corridor's or the
// profile's, but never after the day's banking hours end.
func (c *Country) cutoff(corridor Corridor, day Day) TimeOfDay {
	cut := corridor.CutoffLocal
	if cut == 0 {
		cut = c.profile.Cutoff
		if day.ShortWeekday {
			cut = c.profile.CutoffShortWeekday
		}
	}
	if cut == 0 || cut > day.Hours.Close {
		cut = day.Hours.Close
	}
	return cut
}

// noBusinessDay is ErrNoBusinessDay with the country and date it searched
// from.
type noBusinessDay struct {
	country string
	after   Date
}

func (e *noBusinessDay) Error() string {
	return ErrNoBusinessDay.Error() + ": " + e.country + " after " + e.after.String()
}

// Is makes errors.Is(err, ErrNoBusinessDay) true.
func (e *noBusinessDay) Is(target error) bool { return target == ErrNoBusinessDay }
