package calendar

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"astara/calendar/jalali"
)

// Limits on holiday data. Each applies to a data file, an iCalendar file and
// an operator's change alike.
const (
	// NameBytesMax bounds an entry's name and its local-language name.
	NameBytesMax = 200
	// SourceBytesMax bounds an entry's source.
	SourceBytesMax = 300
	// LunarBytesMax bounds an entry's lunar reference ("25 Shawwal 1447").
	LunarBytesMax = 64
	// ProvinceBytesMax bounds the name in a "province:<name>" scope.
	ProvinceBytesMax = 64
	// RangeDaysMax bounds the days one entry may span (a closure "through" a
	// later date, an iCalendar event with DTEND), and the length of one
	// coverage span (one data year).
	RangeDaysMax = 366
	// DatasetEntriesMax bounds the entries of one data file or iCalendar
	// file, after ranges are expanded to days.
	DatasetEntriesMax = 5000
	// CoverageSpansMax bounds the coverage spans one dataset declares.
	CoverageSpansMax = 64
)

// System is the calendar a country's data years and month views are counted
// on.
type System int

// The calendar systems.
const (
	// Gregorian years: a Russian data file covers 1 January to 31 December.
	Gregorian System = 1 + iota
	// SolarHijri years: an Iranian data file covers 1 Farvardin to the last
	// day of Esfand (21 March to 20 March, give or take a day).
	SolarHijri
)

// String returns the system's name in data files: "gregorian" or
// "solar_hijri".
func (s System) String() string {
	switch s {
	case Gregorian:
		return "gregorian"
	case SolarHijri:
		return "solar_hijri"
	}
	return "System(" + strconv.Itoa(int(s)) + ")"
}

// ParseSystem reads "gregorian" or "solar_hijri".
func ParseSystem(s string) (System, bool) {
	switch s {
	case "gregorian":
		return Gregorian, true
	case "solar_hijri":
		return SolarHijri, true
	}
	return 0, false
}

func (s System) yearSuffix() string {
	if s == SolarHijri {
		return " SH"
	}
	return ""
}

// yearOf returns the data year of d on s.
func (s System) yearOf(d Date) int {
	if s == SolarHijri {
		j, err := d.Jalali()
		if err != nil {
			return 0
		}
		return j.Year
	}
	return d.Year()
}

// yearSpan returns the Gregorian dates of the first and last day of year on s.
func (s System) yearSpan(year int) (Span, bool) {
	switch s {
	case Gregorian:
		from, err1 := NewDate(year, 1, 1)
		to, err2 := NewDate(year, 12, 31)
		return Span{From: from, To: to}, err1 == nil && err2 == nil
	case SolarHijri:
		from, err1 := FromJalali(jalali.Date{Year: year, Month: jalali.Farvardin, Day: 1})
		to, err2 := FromJalali(jalali.Date{Year: year, Month: jalali.Esfand, Day: jalali.MonthDays(year, jalali.Esfand)})
		return Span{From: from, To: to}, err1 == nil && err2 == nil
	}
	return Span{}, false
}

// Kind says what an entry does to its day.
type Kind string

// The kinds of entry.
const (
	// KindHoliday is a statutory public holiday: a non-working day even on a
	// weekday. On a weekend day it changes only the reason.
	KindHoliday Kind = "holiday"
	// KindTransfer is a weekday made a day off because a day off was moved
	// to it (a Russian decree, or the automatic transfer of art. 112).
	KindTransfer Kind = "transfer"
	// KindWorkingWeekend is a Saturday or Sunday made a working day.
	KindWorkingWeekend Kind = "working_weekend"
	// KindShort is a working day with shorter hours (Russia's pre-holiday
	// day, art. 95). It stays a business day.
	KindShort Kind = "short"
	// KindClosure is an ad-hoc closure of banks and offices, declared at
	// short notice (heat, energy, mourning), nationally or in a province.
	KindClosure Kind = "closure"
)

var kinds = []Kind{KindHoliday, KindTransfer, KindClosure, KindWorkingWeekend, KindShort}

// ParseKind reads a kind's name; it accepts '-' for '_' and any letter case.
func ParseKind(s string) (Kind, bool) {
	k := Kind(strings.ReplaceAll(strings.ToLower(s), "-", "_"))
	return k, slices.Contains(kinds, k)
}

// rank orders kinds within a day: the ones that close a day first.
func (k Kind) rank() int { return slices.Index(kinds, k) }

// Status says how sure an entry is.
type Status string

// The statuses.
const (
	// StatusOfficial is published by the authority (a decree, the official
	// Iranian calendar, an announced closure).
	StatusOfficial Status = "official"
	// StatusEstimate is computed or forecast and may move: an Iranian lunar
	// holiday before the moon is sighted, a Russian transfer before the
	// year's decree.
	StatusEstimate Status = "estimate"
)

// ParseStatus reads "official" or "estimate" in any letter case.
func ParseStatus(s string) (Status, bool) {
	st := Status(strings.ToLower(s))
	return st, st == StatusOfficial || st == StatusEstimate
}

// Scope says where an entry applies: the whole country, one province, or one
// bank. Written "national", "province:<name>" or "bank:<BIC>".
type Scope string

// ScopeNational applies to the whole country.
const ScopeNational Scope = "national"

// ProvinceScope returns the scope of a province ("province:Tehran").
func ProvinceScope(name string) Scope { return Scope("province:" + name) }

// BankScope returns the scope of one bank, by its BIC ("bank:BKMTIRTH").
func BankScope(bic string) Scope { return Scope("bank:" + bic) }

// ParseScope validates a scope written "national", "province:<name>" (a
// name of up to ProvinceBytesMax bytes of printable text) or "bank:<BIC>" (8
// or 11 upper-case letters and digits, ISO 9362).
func ParseScope(s string) (Scope, bool) {
	switch {
	case s == string(ScopeNational):
		return ScopeNational, true
	case strings.HasPrefix(s, "province:"):
		name := s[len("province:"):]
		if name == "" || len(name) > ProvinceBytesMax || strings.TrimSpace(name) != name || !printable(name) {
			return "", false
		}
		return Scope(s), true
	case strings.HasPrefix(s, "bank:"):
		if !validBIC(s[len("bank:"):]) {
			return "", false
		}
		return Scope(s), true
	}
	return "", false
}

func validBIC(b string) bool {
	if len(b) != 8 && len(b) != 11 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if (i == 4 || i == 5) && !letter { // the country code
			return false
		}
		if !letter && !digit {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Entry is one line of holiday data: what happens on one day in one country.
// A day may have several entries (Nowruz and Eid al-Fitr on 1 Farvardin 1405;
// a working Saturday that is also a short day).
type Entry struct {
	// Date is the Gregorian date. Entries written in Solar Hijri dates have
	// it derived by the conversion when they are read.
	Date Date
	// Name is the entry's name in English.
	Name string
	// NameLocal is the name in the country's language, where known
	// ("Новогодние каникулы").
	NameLocal string
	// Kind says what the entry does to the day.
	Kind Kind
	// Status says whether it is official or an estimate.
	Status Status
	// Scope says where it applies.
	Scope Scope
	// Source names the publication or rule it comes from.
	Source string
	// Lunar is the Islamic (Hijri lunar) date the entry commemorates
	// ("25 Shawwal 1447"); empty for others. Lunar dates are published per
	// year and may move by a day after moon sighting.
	Lunar string
}

// key is an entry's identity: two entries with the same key are the same
// entry, whatever their status and source.
type entryKey struct {
	date  Date
	kind  Kind
	scope Scope
	name  string
}

func (e Entry) key() entryKey { return entryKey{e.Date, e.Kind, e.Scope, e.Name} }

// compareEntries is the canonical order of entries: by date, then by kind
// (closing kinds first), scope and name.
func compareEntries(a, b Entry) int {
	return cmp.Or(
		a.Date.Compare(b.Date),
		cmp.Compare(a.Kind.rank(), b.Kind.rank()),
		cmp.Compare(a.Scope, b.Scope),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Status, b.Status),
		cmp.Compare(a.Source, b.Source),
	)
}

// validate checks one entry's fields; it returns the field at fault and why.
func (e Entry) validate() (field, detail string, rule Rule) {
	switch {
	case e.Date.IsZero() || !e.Date.valid():
		return "date", "is missing or invalid", RuleFieldMissing
	case e.Name == "":
		return "name", "is empty", RuleFieldMissing
	case len(e.Name) > NameBytesMax || !printable(e.Name):
		return "name", "is longer than " + strconv.Itoa(NameBytesMax) + " bytes or not printable text", RuleFieldInvalid
	case len(e.NameLocal) > NameBytesMax || !printable(e.NameLocal):
		return "name_local", "is longer than " + strconv.Itoa(NameBytesMax) + " bytes or not printable text", RuleFieldInvalid
	case e.Kind.rank() < 0:
		return "kind", quoteInput(string(e.Kind)) + " is not holiday, transfer, working_weekend, short or closure", RuleFieldInvalid
	case e.Status != StatusOfficial && e.Status != StatusEstimate:
		return "status", quoteInput(string(e.Status)) + " is not official or estimate", RuleFieldInvalid
	case !validScope(e.Scope):
		return "scope", quoteInput(string(e.Scope)) + " is not national, province:<name> or bank:<BIC>", RuleFieldInvalid
	case e.Source == "":
		return "source", "is empty", RuleFieldMissing
	case len(e.Source) > SourceBytesMax || !printable(e.Source):
		return "source", "is longer than " + strconv.Itoa(SourceBytesMax) + " bytes or not printable text", RuleFieldInvalid
	case len(e.Lunar) > LunarBytesMax || !printable(e.Lunar):
		return "lunar", "is longer than " + strconv.Itoa(LunarBytesMax) + " bytes or not printable text", RuleFieldInvalid
	}
	return "", "", ""
}

func validScope(s Scope) bool {
	_, ok := ParseScope(string(s))
	return ok
}

// Span is a range of dates, both ends included.
type Span struct {
	// From is the first day.
	From Date
	// To is the last day.
	To Date
}

// Contains reports whether d is within s.
func (s Span) Contains(d Date) bool { return !d.Before(s.From) && !d.After(s.To) }

// String writes s as "2026-01-01..2026-12-31".
func (s Span) String() string { return s.From.String() + ".." + s.To.String() }

// Dataset is holiday data for one country as read from a data file or an
// iCalendar file, before it is loaded into a Set.
//
// Coverage lists the date ranges the data is complete for. Loading a dataset
// replaces everything the calendar had within those ranges and marks them as
// having data; entries outside them are added to what is there (which is how
// an iCalendar file without coverage extends a calendar).
type Dataset struct {
	// Country is the ISO 3166 alpha-2 code; empty when the input did not say.
	Country string
	// System is the calendar the data was written on.
	System System
	// Coverage are the ranges the data is complete for.
	Coverage []Span
	// Entries are the entries, one per day, in canonical order.
	Entries []Entry
	// Source names the input, for audit records and errors.
	Source string
}

// validCountry reports whether c looks like an ISO 3166 alpha-2 code.
func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// normalize validates the dataset's entries and coverage, sorts them and
// rejects duplicates.
func (ds *Dataset) normalize() error {
	fail := func(entry int, field, detail string, rule Rule) error {
		return &DataError{Source: ds.Source, Entry: entry, Field: field, Rule: rule, Detail: detail}
	}
	if ds.Country != "" && !validCountry(ds.Country) {
		return fail(0, "country", quoteInput(ds.Country)+" is not an ISO 3166 alpha-2 code", RuleFieldInvalid)
	}
	if len(ds.Entries) > DatasetEntriesMax {
		return fail(0, "", "more than "+strconv.Itoa(DatasetEntriesMax)+" entries", RuleTooManyEntries)
	}
	if len(ds.Coverage) > CoverageSpansMax {
		return fail(0, "coverage", "more than "+strconv.Itoa(CoverageSpansMax)+" spans", RuleTooManyEntries)
	}
	for _, s := range ds.Coverage {
		if s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From) || s.From.DaysUntil(s.To) >= RangeDaysMax {
			return fail(0, "coverage", s.String()+" is reversed or longer than "+strconv.Itoa(RangeDaysMax)+" days", RuleRangeTooLong)
		}
	}
	for i, e := range ds.Entries {
		if field, detail, rule := e.validate(); rule != "" {
			return fail(i+1, field, detail, rule)
		}
	}
	slices.SortStableFunc(ds.Entries, compareEntries)
	for i := 1; i < len(ds.Entries); i++ {
		if ds.Entries[i].key() == ds.Entries[i-1].key() {
			e := ds.Entries[i]
			return fail(0, "", "duplicate entry "+e.Date.String()+" "+string(e.Kind)+" "+quoteInput(e.Name), RuleFieldInvalid)
		}
	}
	return nil
}
