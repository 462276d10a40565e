package calendar

import (
	"errors"
	"strconv"
	"strings"
)

// Rule is a stable, machine-readable code naming the rule an input broke. The
// HTTP layer sends it to clients as the problem's "code"; its values never
// change meaning once released.
type Rule string

// The rules for dates and times of day.
const (
	// RuleDateSyntax: the text is not "YYYY-MM-DD" with ASCII digits.
	RuleDateSyntax Rule = "date_syntax"
	// RuleDateInvalid: the date does not exist (31 April), or its year is
	// outside 0001..9999.
	RuleDateInvalid Rule = "date_invalid"
	// RuleTimeOfDaySyntax: the text is not "HH:MM" or "HH:MM:SS" from 00:00
	// to 24:00.
	RuleTimeOfDaySyntax Rule = "time_of_day_syntax"
)

// The rules for holiday data, from a data file, an iCalendar file or an
// operator's change.
const (
	// RuleDataSyntax: the input is not well-formed JSON or iCalendar.
	RuleDataSyntax Rule = "calendar_data_syntax"
	// RuleDataFormat: the data file declares a format this version does not
	// read, or the calendar system is unknown.
	RuleDataFormat Rule = "calendar_data_format"
	// RuleFieldMissing: a required field or property is absent.
	RuleFieldMissing Rule = "calendar_field_missing"
	// RuleFieldInvalid: a field's value is not one the format allows.
	RuleFieldInvalid Rule = "calendar_field_invalid"
	// RuleDateMismatch: an entry gives both a Gregorian and a Solar Hijri
	// date and they are not the same day.
	RuleDateMismatch Rule = "calendar_date_mismatch"
	// RuleOutsideCoverage: an entry's date is outside the years its file
	// covers.
	RuleOutsideCoverage Rule = "calendar_outside_coverage"
	// RuleCountryMismatch: the data is for another country than the one it
	// is loaded into.
	RuleCountryMismatch Rule = "calendar_country_mismatch"
	// RuleTooLarge: the input is longer than its byte limit.
	RuleTooLarge Rule = "calendar_data_too_large"
	// RuleTooManyEntries: the input has more entries or events than its limit.
	RuleTooManyEntries Rule = "calendar_too_many_entries"
	// RuleRangeTooLong: an entry spans more days than RangeDaysMax.
	RuleRangeTooLong Rule = "calendar_range_too_long"
	// RuleUnsupported: the input uses a feature the importer does not
	// implement (a recurrence rule, a date-time instead of a date), rather
	// than silently reading it wrong.
	RuleUnsupported Rule = "calendar_unsupported"
)

// The rules for queries and changes.
const (
	// RuleNoData: the calendar has no holiday data for the year asked about.
	RuleNoData Rule = "calendar_no_data"
	// RuleCountryUnknown: no calendar is configured for the country.
	RuleCountryUnknown Rule = "calendar_country_unknown"
	// RuleNotFound: no entry matches (e.g. no estimate to confirm).
	RuleNotFound Rule = "calendar_entry_not_found"
	// RuleExists: the same entry is already in the calendar.
	RuleExists Rule = "calendar_entry_exists"
	// RuleNoBusinessDay: no common business day within the search limit.
	RuleNoBusinessDay Rule = "calendar_no_business_day"
	// RuleCorridorInvalid: a corridor setting is out of range.
	RuleCorridorInvalid Rule = "calendar_corridor_invalid"
	// RuleRangeInvalid: a from..to query is reversed or longer than its limit.
	RuleRangeInvalid Rule = "calendar_range_invalid"
)

// Sentinel errors, for errors.Is. Each typed error below matches the sentinel
// of its class.
var (
	// ErrNoData is matched by every *NoDataError.
	ErrNoData = errors.New("calendar: no holiday data")
	// ErrUnknownCountry is returned for a country with no calendar.
	ErrUnknownCountry = errors.New("calendar: unknown country")
	// ErrInvalidData is matched by every *DataError.
	ErrInvalidData = errors.New("calendar: invalid data")
	// ErrInvalidDate is matched by every *DateError.
	ErrInvalidDate = errors.New("calendar: invalid date")
	// ErrNotFound is returned when a change names an entry that is not there.
	ErrNotFound = errors.New("calendar: entry not found")
	// ErrExists is returned when a change would add an entry that is already
	// there.
	ErrExists = errors.New("calendar: entry exists")
	// ErrNoBusinessDay is returned when no day within SearchDaysMax is a
	// business day on both sides of a corridor.
	ErrNoBusinessDay = errors.New("calendar: no business day within the search limit")
	// ErrInvalidQuery is returned for a corridor or a range that breaks a
	// limit.
	ErrInvalidQuery = errors.New("calendar: invalid query")
	// ErrZoneData is returned when the time zone database gives a country's
	// zone an offset that contradicts the known facts (an old tzdata that
	// still applies Iranian daylight saving time after 2022, for example).
	ErrZoneData = errors.New("calendar: stale time zone data")
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

// DateError reports a date or time of day that was rejected.
type DateError struct {
	// Input is the rejected text.
	Input string
	// Rule names the rule that was broken.
	Rule Rule
}

func (e *DateError) Error() string {
	return "calendar: " + quoteInput(e.Input) + " is not a valid date or time (" + string(e.Rule) + ")"
}

// Is makes errors.Is(err, ErrInvalidDate) true.
func (e *DateError) Is(target error) bool { return target == ErrInvalidDate }

// NoDataError reports a question about a date for which the country's
// calendar has no holiday data. It is never answered with a guess: a year
// without data is an error, not a year without holidays.
type NoDataError struct {
	// Country is the ISO 3166 alpha-2 code.
	Country string
	// Year is the data year that is missing, on the country's System: a
	// Gregorian year for Russia, a Solar Hijri year for Iran.
	Year int
	// System is the calendar Year is counted on.
	System System
	// Date is the date that was asked about.
	Date Date
}

func (e *NoDataError) Error() string {
	return "calendar: no holiday data for " + e.Country + " year " + strconv.Itoa(e.Year) +
		e.System.yearSuffix() + " (asked about " + e.Date.String() + ")"
}

// Is makes errors.Is(err, ErrNoData) true.
func (e *NoDataError) Is(target error) bool { return target == ErrNoData }

// DataError reports holiday data that was rejected: a data file, an
// iCalendar file, or a change an operator asked for. Nothing of the rejected
// input is applied.
type DataError struct {
	// Source names the input ("RU-2026.json", "ics").
	Source string
	// Line is the 1-based line of an iCalendar file, 0 when not known.
	Line int
	// Entry is the 1-based number of the entry or event, 0 when the error is
	// not about one entry.
	Entry int
	// Field names the field or property at fault, if one is.
	Field string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString("calendar: ")
	if e.Source != "" {
		b.WriteString(e.Source)
	} else {
		b.WriteString("data")
	}
	if e.Line > 0 {
		b.WriteString(" line " + strconv.Itoa(e.Line))
	}
	if e.Entry > 0 {
		b.WriteString(" entry " + strconv.Itoa(e.Entry))
	}
	if e.Field != "" {
		b.WriteString(" field " + e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	b.WriteString(" (" + string(e.Rule) + ")")
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidData) true.
func (e *DataError) Is(target error) bool { return target == ErrInvalidData }

// QueryError reports a query or a corridor setting that breaks a rule or a
// limit: a reversed range, too many days, too many settlement days.
type QueryError struct {
	// Field names the parameter or setting at fault.
	Field string
	// Rule names the rule that was broken.
	Rule Rule
	// Detail says what was wrong, for people.
	Detail string
}

func (e *QueryError) Error() string {
	return "calendar: " + e.Field + " " + e.Detail + " (" + string(e.Rule) + ")"
}

// Is makes errors.Is(err, ErrInvalidQuery) true.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }

// RuleOf returns the Rule an error from this package carries, or "" for nil
// and for errors that carry none.
func RuleOf(err error) Rule {
	var (
		de *DataError
		dt *DateError
		nd *NoDataError
		qe *QueryError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &de):
		return de.Rule
	case errors.As(err, &dt):
		return dt.Rule
	case errors.As(err, &nd):
		return RuleNoData
	case errors.As(err, &qe):
		return qe.Rule
	case errors.Is(err, ErrUnknownCountry):
		return RuleCountryUnknown
	case errors.Is(err, ErrNotFound):
		return RuleNotFound
	case errors.Is(err, ErrExists):
		return RuleExists
	case errors.Is(err, ErrNoBusinessDay):
		return RuleNoBusinessDay
	}
	return ""
}
