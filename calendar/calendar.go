package calendar

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ListingDaysMax bounds the days one Days query returns (two years, leap day
// included).
const ListingDaysMax = 731

// Country is one country's business calendar: its Profile and its holiday
// data. A Country is immutable; a Set replaces it with a new one on every
// change, so a Country obtained from a Set stays consistent however long the
// caller holds it.
type Country struct {
	profile  Profile
	loc      *time.Location
	coverage []Span
	entries  []Entry // canonical order
	byDate   map[Date][]Entry
}

// newCountry returns an empty calendar for p, whose zone is loc.
func newCountry(p Profile, loc *time.Location) *Country {
	return &Country{profile: p, loc: loc, byDate: map[Date][]Entry{}}
}

// with returns a new calendar with these coverage spans and entries (which
// it sorts and indexes); c is not changed.
func (c *Country) with(coverage []Span, entries []Entry) *Country {
	slices.SortStableFunc(entries, compareEntries)
	coverage = slices.Clone(coverage)
	slices.SortFunc(coverage, func(a, b Span) int { return cmp.Or(a.From.Compare(b.From), a.To.Compare(b.To)) })
	coverage = slices.Compact(coverage)
	n := &Country{profile: c.profile, loc: c.loc, coverage: coverage, entries: entries, byDate: make(map[Date][]Entry, len(entries))}
	for _, e := range entries {
		n.byDate[e.Date] = append(n.byDate[e.Date], e)
	}
	return n
}

// Code returns the country's ISO 3166 alpha-2 code.
func (c *Country) Code() string { return c.profile.Country }

// Location returns the country's time zone.
func (c *Country) Location() *time.Location { return c.loc }

// System returns the calendar the country's data years and month views are
// counted on.
func (c *Country) System() System { return c.profile.System }

// Profile returns a copy of the calendar's profile.
func (c *Country) Profile() Profile { return c.profile.clone() }

// Coverage returns the date ranges the calendar has holiday data for.
func (c *Country) Coverage() []Span { return slices.Clone(c.coverage) }

// Covers reports whether the calendar has holiday data for d.
func (c *Country) Covers(d Date) bool {
	for _, s := range c.coverage {
		if s.Contains(d) {
			return true
		}
	}
	return false
}

// noData returns the *NoDataError for d.
func (c *Country) noData(d Date) error {
	return &NoDataError{Country: c.profile.Country, Year: c.profile.System.yearOf(d), System: c.profile.System, Date: d}
}

// Entries returns the entries from from to to, both included, of every
// scope, in canonical order.
func (c *Country) Entries(from, to Date) []Entry {
	var out []Entry
	for _, e := range c.entries {
		if !e.Date.Before(from) && !e.Date.After(to) {
			out = append(out, e)
		}
	}
	return out
}

// Data returns the calendar's holiday data as a Dataset, as it would be
// written to an iCalendar file.
func (c *Country) Data() Dataset {
	return Dataset{
		Country:  c.profile.Country,
		System:   c.profile.System,
		Coverage: slices.Clone(c.coverage),
		Entries:  slices.Clone(c.entries),
		Source:   "calendar " + c.profile.Country,
	}
}

// Reason says why a day is not a business day.
type Reason string

// The reasons, as the API writes them.
const (
	// ReasonWeekend: a weekly rest day.
	ReasonWeekend Reason = "weekend"
	// ReasonHoliday: a public holiday.
	ReasonHoliday Reason = "holiday"
	// ReasonTransfer: a day off moved to this day.
	ReasonTransfer Reason = "transfer"
	// ReasonClosure: an ad-hoc closure.
	ReasonClosure Reason = "closure"
)

// Day describes one date of one country's calendar. Its JSON form is the
// API's: {"date", "business_day", "reason"?, "name"?}.
type Day struct {
	// Date is the day described.
	Date Date `json:"date"`
	// BusinessDay is true when banks are open for payments (including a
	// short day and a working weekend day).
	BusinessDay bool `json:"business_day"`
	// Reason says why a day is not a business day; empty on business days.
	Reason Reason `json:"reason,omitempty"`
	// Name joins the names of the entries that decide the day (the holidays
	// of a holiday, the closure of a closed day; the working weekend or short
	// day of a business day) with "; ".
	Name string `json:"name,omitempty"`

	// Short is true on a business day with shorter banking hours: the weekly
	// short day or a pre-holiday short day.
	Short bool `json:"-"`
	// ShortWeekday is true on a business day that is one of the profile's
	// weekly short days (Iran's Thursday), which a corridor may not count.
	ShortWeekday bool `json:"-"`
	// Estimate is true when an entry that applies to the day is an estimate.
	Estimate bool `json:"-"`
	// Hours are the banking hours of the day, local time; zero when it is
	// not a business day.
	Hours Hours `json:"-"`
	// Entries are the entries that apply to the day in the scopes asked for.
	Entries []Entry `json:"-"`
}

// Day describes d. Entries of scope national always apply; a provincial or
// bank entry applies only when its scope is among scopes. It returns a
// *NoDataError when the calendar has no data for d.
func (c *Country) Day(d Date, scopes ...Scope) (Day, error) {
	if !c.Covers(d) {
		return Day{}, c.noData(d)
	}
	return c.day(d, scopes), nil
}

// IsBusinessDay reports whether d is a business day nationally. It returns a
// *NoDataError when the calendar has no data for d.
func (c *Country) IsBusinessDay(d Date) (bool, error) {
	day, err := c.Day(d)
	return day.BusinessDay, err
}

// day describes d, which the caller has checked is covered.
func (c *Country) day(d Date, scopes []Scope) Day {
	out := Day{Date: d}
	var has [kindCount]bool
	names := map[Kind][]string{}
	for _, e := range c.byDate[d] {
		if e.Scope != ScopeNational && !slices.Contains(scopes, e.Scope) {
			continue
		}
		out.Entries = append(out.Entries, e)
		has[e.Kind.rank()] = true
		names[e.Kind] = append(names[e.Kind], e.Name)
		if e.Status == StatusEstimate {
			out.Estimate = true
		}
	}
	wd := d.Weekday()
	weekend := c.profile.isWeekend(d) && !has[KindWorkingWeekend.rank()]
	switch {
	case has[KindHoliday.rank()]:
		out.Reason, out.Name = ReasonHoliday, joinNames(names[KindHoliday])
	case has[KindTransfer.rank()]:
		out.Reason, out.Name = ReasonTransfer, joinNames(names[KindTransfer])
	case has[KindClosure.rank()]:
		out.Reason, out.Name = ReasonClosure, joinNames(names[KindClosure])
	case weekend:
		out.Reason = ReasonWeekend
	default:
		out.BusinessDay = true
		out.Name = joinNames(append(names[KindWorkingWeekend], names[KindShort]...))
		out.Hours = c.profile.Hours
		if c.profile.isShortWeekday(wd) && !has[KindWorkingWeekend.rank()] {
			out.Short, out.ShortWeekday = true, true
			out.Hours = c.profile.HoursShortWeekday
		}
		if has[KindShort.rank()] {
			out.Short = true
			out.Hours.Close -= TimeOfDay(c.profile.ShortDayMinutes * 60)
		}
	}
	return out
}

// kindCount is the number of kinds, which sizes the per-kind flags in day.
const kindCount = 5

func joinNames(names []string) string { return strings.Join(slices.Compact(names), "; ") }

// Listing is the API's answer to GET /v1/calendars/{country}?from&to.
type Listing struct {
	// Country is the ISO 3166 alpha-2 code.
	Country string `json:"country"`
	// Days are the dates asked for, in order.
	Days []Day `json:"days"`
}

// Days describes every date from from to to, both included, in the scopes
// given (national entries always apply). It fails with a *QueryError for a
// reversed range or one longer than ListingDaysMax, and with a *NoDataError
// if any date in the range has no data.
func (c *Country) Days(from, to Date, scopes ...Scope) (Listing, error) {
	if from.IsZero() || to.IsZero() || to.Before(from) || from.DaysUntil(to) >= ListingDaysMax {
		return Listing{}, &QueryError{Field: "from..to", Rule: RuleRangeInvalid,
			Detail: from.String() + ".." + to.String() + " is reversed or longer than " + strconv.Itoa(ListingDaysMax) + " days"}
	}
	out := Listing{Country: c.profile.Country, Days: make([]Day, 0, from.DaysUntil(to)+1)}
	for d := from; !d.After(to); d = d.AddDays(1) {
		day, err := c.Day(d, scopes...)
		if err != nil {
			return Listing{}, err
		}
		out.Days = append(out.Days, day)
		if d == to { // AddDays clamps at the end of the Date range
			break
		}
	}
	return out, nil
}
