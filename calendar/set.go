package calendar

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Limits on changes and their records.
const (
	// ActorBytesMax bounds Edit.By.
	ActorBytesMax = 100
	// AuditRecordsMax bounds the audit log a Set keeps in memory; the oldest
	// records are dropped past it. Every change also returns its record, for
	// callers that keep a durable log.
	AuditRecordsMax = 4096
)

// Set holds the calendars of several countries and is the only way to
// change them.
//
// Reads never block: the Set keeps an immutable snapshot (the calendars, the
// version, the audit log) behind an atomic pointer, and each change builds a
// new snapshot and swaps it in (copy on write). Writers are serialized by a
// mutex. Every change increments Version and closes the channel Changed
// returned, so a caller that computed deadlines from the calendars knows to
// recompute them.
type Set struct {
	mu    sync.Mutex // serializes changes
	state atomic.Pointer[setState]
}

// setState is one immutable snapshot of a Set.
type setState struct {
	version   uint64
	calendars map[string]*Country
	audit     []AuditRecord
	changed   chan struct{} // closed when this snapshot is replaced
}

// NewSet returns a Set with an empty calendar for each profile: every date is
// without data until data is loaded. It fails for an invalid profile, a
// country given twice, or a zone the zone database does not have or gets
// wrong (ErrZoneData).
func NewSet(profiles ...Profile) (*Set, error) {
	st := &setState{calendars: map[string]*Country{}, changed: make(chan struct{})}
	for _, p := range profiles {
		p = p.clone()
		if err := p.validate(); err != nil {
			return nil, err
		}
		if _, dup := st.calendars[p.Country]; dup {
			return nil, fmt.Errorf("calendar: country %s configured twice", p.Country)
		}
		loc, err := loadZone(p.Zone)
		if err != nil {
			return nil, err
		}
		st.calendars[p.Country] = newCountry(p, loc)
	}
	s := &Set{}
	s.state.Store(st)
	return s, nil
}

// Default returns the Set of the countries of Profiles with the holiday
// data that ships in the binary (Russia, India, Azerbaijan and China
// 2025–2027; Iran 1403 from 1 January 2025 to 1406), loaded on behalf of e.
func Default(e Edit) (*Set, error) {
	s, err := NewSet(Profiles()...)
	if err != nil {
		return nil, err
	}
	datasets, err := Shipped()
	if err != nil {
		return nil, err
	}
	for _, ds := range datasets {
		if _, err := s.Load(ds, e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Version counts the changes made to the Set; it starts at 0 and grows by
// one with every change.
func (s *Set) Version() uint64 { return s.state.Load().version }

// Changed returns a channel that is closed at the next change. Call it again
// after it fires to wait for the one after.
func (s *Set) Changed() <-chan struct{} { return s.state.Load().changed }

// Countries returns the countries the Set has calendars for, sorted.
func (s *Set) Countries() []string { return slices.Sorted(maps.Keys(s.state.Load().calendars)) }

// Country returns the current calendar of a country, an immutable snapshot,
// or ErrUnknownCountry.
func (s *Set) Country(code string) (*Country, error) {
	return s.state.Load().calendar(code)
}

func (st *setState) calendar(country string) (*Country, error) {
	c, ok := st.calendars[country]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownCountry, quoteInput(country))
	}
	return c, nil
}

// IsBusinessDay reports whether d is a business day in the country,
// nationally. It returns a *NoDataError for a date without holiday data and
// ErrUnknownCountry for a country without a calendar.
func (s *Set) IsBusinessDay(country string, d Date) (bool, error) {
	c, err := s.Country(country)
	if err != nil {
		return false, err
	}
	return c.IsBusinessDay(d)
}

// Day describes d in the country; see Country.Day.
func (s *Set) Day(country string, d Date, scopes ...Scope) (Day, error) {
	c, err := s.Country(country)
	if err != nil {
		return Day{}, err
	}
	return c.Day(d, scopes...)
}

// Days describes the dates from from to to in the country, the answer of GET
// /v1/calendars/{country}; see Country.Days.
func (s *Set) Days(country string, from, to Date, scopes ...Scope) (Listing, error) {
	c, err := s.Country(country)
	if err != nil {
		return Listing{}, err
	}
	return c.Days(from, to, scopes...)
}

// Audit returns the audit log, oldest first: the last AuditRecordsMax
// changes.
func (s *Set) Audit() []AuditRecord { return slices.Clone(s.state.Load().audit) }

// Edit says who makes a change and when. The time is the caller's: the
// package never reads a clock.
type Edit struct {
	// By identifies the operator or process ("operator:alice", "startup").
	By string
	// At is when the change is made.
	At time.Time
}

func (e Edit) validate() error {
	switch {
	case e.By == "" || len(e.By) > ActorBytesMax || !printable(e.By):
		return &DataError{Source: "edit", Field: "by", Rule: RuleFieldInvalid,
			Detail: "is empty, longer than " + strconv.Itoa(ActorBytesMax) + " bytes or not printable"}
	case e.At.IsZero():
		return &DataError{Source: "edit", Field: "at", Rule: RuleFieldMissing, Detail: "is the zero time"}
	}
	return nil
}

// Action names the kind of a change.
type Action string

// The actions an AuditRecord records.
const (
	// ActionLoad: a data file or an iCalendar file was loaded.
	ActionLoad Action = "load"
	// ActionConfirm: estimates were confirmed as official.
	ActionConfirm Action = "confirm"
	// ActionClosure: an ad-hoc closure was declared.
	ActionClosure Action = "closure"
)

// AuditRecord records one change: who, when, what.
type AuditRecord struct {
	// Version is the Set's version after the change.
	Version uint64
	// By is who made the change (Edit.By).
	By string
	// At is when the change was made (Edit.At).
	At time.Time
	// Country is the calendar that changed.
	Country string
	// Action is the kind of change.
	Action Action
	// What says what changed, for people.
	What string
	// Added are the entries added or changed (in their new form).
	Added []Entry
	// Removed are the entries removed or changed (in their old form).
	Removed []Entry
}

// commit applies a new calendar for one country as the next version, with
// its audit record. The caller holds s.mu.
func (s *Set) commit(old *setState, c *Country, rec AuditRecord) AuditRecord {
	next := &setState{
		version:   old.version + 1,
		calendars: maps.Clone(old.calendars),
		changed:   make(chan struct{}),
	}
	next.calendars[c.Code()] = c
	rec.Version = next.version
	rec.Country = c.Code()
	audit := old.audit
	if len(audit) >= AuditRecordsMax {
		audit = audit[len(audit)-AuditRecordsMax+1:]
	}
	// A fresh slice, so no snapshot shares a backing array with another.
	next.audit = append(slices.Clone(audit), rec)
	s.state.Store(next)
	close(old.changed)
	return rec
}

// Load loads a dataset (from ReadData or ReadICS) into its country's
// calendar. Within the dataset's coverage spans everything the calendar had is
// replaced, and those spans are marked as having data; entries outside them
// are added, replacing an entry with the same date, kind, scope and name.
//
// It fails with a *DataError for an invalid dataset or one without a country,
// and ErrUnknownCountry for a country without a calendar; a failed Load
// changes nothing.
func (s *Set) Load(ds Dataset, e Edit) (AuditRecord, error) {
	if err := e.validate(); err != nil {
		return AuditRecord{}, err
	}
	ds.Entries = slices.Clone(ds.Entries)
	ds.Coverage = slices.Clone(ds.Coverage)
	if err := ds.normalize(); err != nil {
		return AuditRecord{}, err
	}
	if ds.Country == "" {
		return AuditRecord{}, &DataError{Source: ds.Source, Field: "country", Rule: RuleFieldMissing, Detail: "the dataset names no country"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	c, err := old.calendar(ds.Country)
	if err != nil {
		return AuditRecord{}, err
	}
	inNew := func(d Date) bool {
		for _, sp := range ds.Coverage {
			if sp.Contains(d) {
				return true
			}
		}
		return false
	}
	var kept, removed, added []Entry
	incoming := map[entryKey]Entry{}
	for _, n := range ds.Entries {
		if !inNew(n.Date) {
			incoming[n.key()] = n
		}
	}
	for _, x := range c.entries {
		n, replaced := incoming[x.key()]
		switch {
		case inNew(x.Date):
			removed = append(removed, x)
		case replaced && n == x:
			kept = append(kept, x)
			delete(incoming, x.key()) // already there: neither added nor removed
		case replaced:
			removed = append(removed, x)
		default:
			kept = append(kept, x)
		}
	}
	for _, n := range ds.Entries {
		if _, pending := incoming[n.key()]; inNew(n.Date) || pending {
			added = append(added, n)
		}
	}
	// New spans supersede old ones they contain.
	var coverage []Span
	for _, sp := range c.coverage {
		if !slices.ContainsFunc(ds.Coverage, func(n Span) bool { return !sp.From.Before(n.From) && !sp.To.After(n.To) }) {
			coverage = append(coverage, sp)
		}
	}
	coverage = append(coverage, ds.Coverage...)
	next := c.with(coverage, append(kept, added...))
	what := fmt.Sprintf("loaded %s: %d entries added, %d removed", ds.Source, len(added), len(removed))
	if len(ds.Coverage) > 0 {
		what += ", data for"
		for _, sp := range ds.Coverage {
			what += " " + sp.String()
		}
	}
	return s.commit(old, next, AuditRecord{By: e.By, At: e.At, Action: ActionLoad, What: what, Added: added, Removed: removed}), nil
}

// Confirmation upgrades estimates to official, and moves them if the actual
// date differs (a lunar holiday after moon sighting).
type Confirmation struct {
	// Date is the date of the estimate.
	Date Date
	// Name picks one entry on Date; empty confirms every estimate on it.
	Name string
	// Actual is the date the entry really falls on, if it moved; zero keeps
	// Date.
	Actual Date
	// Source names the publication that confirms it; empty keeps the
	// entry's source.
	Source string
}

// Confirm marks the estimates on c.Date (or the one named c.Name) as
// official, moving them to c.Actual if it is set. It returns ErrNotFound when
// no estimate matches, a *NoDataError when c.Actual is in a year without
// data, and ErrExists when the moved entry is already on c.Actual.
func (s *Set) Confirm(country string, c Confirmation, e Edit) (AuditRecord, error) {
	if err := e.validate(); err != nil {
		return AuditRecord{}, err
	}
	if c.Date.IsZero() {
		return AuditRecord{}, &DataError{Source: "confirmation", Field: "date", Rule: RuleFieldMissing, Detail: "is missing"}
	}
	if len(c.Source) > SourceBytesMax || !printable(c.Source) {
		return AuditRecord{}, &DataError{Source: "confirmation", Field: "source", Rule: RuleFieldInvalid, Detail: "is too long or not printable"}
	}
	actual := c.Actual
	if actual.IsZero() {
		actual = c.Date
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	cal, err := old.calendar(country)
	if err != nil {
		return AuditRecord{}, err
	}
	if !cal.Covers(actual) {
		return AuditRecord{}, cal.noData(actual)
	}
	var entries, added, removed []Entry
	keys := map[entryKey]bool{}
	for _, x := range cal.entries {
		keys[x.key()] = true
	}
	for _, x := range cal.entries {
		if x.Date != c.Date || x.Status != StatusEstimate || (c.Name != "" && x.Name != c.Name) {
			entries = append(entries, x)
			continue
		}
		n := x
		n.Status = StatusOfficial
		n.Date = actual
		if c.Source != "" {
			n.Source = c.Source
		}
		if actual != c.Date && keys[n.key()] {
			return AuditRecord{}, fmt.Errorf("%w: %s %s %q", ErrExists, actual, n.Kind, n.Name)
		}
		entries = append(entries, n)
		added = append(added, n)
		removed = append(removed, x)
	}
	if len(added) == 0 {
		return AuditRecord{}, fmt.Errorf("%w: no estimate on %s named %q in %s", ErrNotFound, c.Date, c.Name, country)
	}
	what := fmt.Sprintf("confirmed %d estimate(s) on %s as official", len(added), c.Date)
	if actual != c.Date {
		what += ", moved to " + actual.String()
	}
	return s.commit(old, cal.with(cal.coverage, entries), AuditRecord{By: e.By, At: e.At, Action: ActionConfirm, What: what, Added: added, Removed: removed}), nil
}

// Closure is an ad-hoc closure of banks and offices that an operator
// declares: a day (or several) off at short notice.
type Closure struct {
	// Date is the first day closed.
	Date Date
	// Through is the last day closed, for a closure of several days; zero
	// means Date only.
	Through Date
	// Name says why ("National mourning").
	Name string
	// NameLocal is the name in the country's language, optional.
	NameLocal string
	// Scope is national (the default when empty) or "province:<name>".
	Scope Scope
	// Source names the announcement; empty records "operator".
	Source string
}

// DeclareClosure adds an official closure to a country's calendar, one entry
// per day. It fails with a *DataError for an invalid closure, a *NoDataError
// for a day without data (a closure cannot make a year without data into one
// with data), and ErrExists when the same closure is already there.
func (s *Set) DeclareClosure(country string, c Closure, e Edit) (AuditRecord, error) {
	if err := e.validate(); err != nil {
		return AuditRecord{}, err
	}
	if c.Scope == "" {
		c.Scope = ScopeNational
	}
	if c.Source == "" {
		c.Source = "operator"
	}
	through := c.Through
	if through.IsZero() {
		through = c.Date
	}
	if c.Date.IsZero() || through.Before(c.Date) || c.Date.DaysUntil(through) >= RangeDaysMax {
		return AuditRecord{}, &DataError{Source: "closure", Field: "through", Rule: RuleRangeTooLong,
			Detail: "the closure is missing its date, reversed, or longer than " + strconv.Itoa(RangeDaysMax) + " days"}
	}
	var added []Entry
	for d := c.Date; !d.After(through); d = d.AddDays(1) {
		n := Entry{Date: d, Name: c.Name, NameLocal: c.NameLocal, Kind: KindClosure, Status: StatusOfficial, Scope: c.Scope, Source: c.Source}
		if field, detail, rule := n.validate(); rule != "" {
			return AuditRecord{}, &DataError{Source: "closure", Field: field, Rule: rule, Detail: detail}
		}
		added = append(added, n)
		if d == through {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	cal, err := old.calendar(country)
	if err != nil {
		return AuditRecord{}, err
	}
	for _, n := range added {
		if !cal.Covers(n.Date) {
			return AuditRecord{}, cal.noData(n.Date)
		}
		for _, x := range cal.byDate[n.Date] {
			if x.key() == n.key() {
				return AuditRecord{}, fmt.Errorf("%w: closure %q on %s (%s)", ErrExists, n.Name, n.Date, n.Scope)
			}
		}
	}
	what := fmt.Sprintf("declared closure %q (%s) on %s", c.Name, c.Scope, c.Date)
	if through != c.Date {
		what += " through " + through.String()
	}
	entries := append(slices.Clone(cal.entries), added...)
	return s.commit(old, cal.with(cal.coverage, entries), AuditRecord{By: e.By, At: e.At, Action: ActionClosure, What: what, Added: added}), nil
}
