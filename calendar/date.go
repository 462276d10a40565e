package calendar

import (
	"fmt"
	"strconv"
	"time"

	"astara/calendar/jalali"
)

// Date is a civil date on the Gregorian calendar: a year, a month and a day,
// with no time of day and no time zone. A business day is a Date; which
// instants belong to it depends on the country's zone, so conversions to and
// from time.Time always name a location.
//
// The zero Date is not a valid date (IsZero reports it); Dates compare with
// == and order with Compare, Before and After.
type Date struct {
	year  int
	month time.Month
	day   int
}

// The range of years a Date holds, so that every Date has a four-digit
// "YYYY-MM-DD" form.
const (
	DateYearMin = 1
	DateYearMax = 9999
)

// NewDate returns the date year-month-day, or a *DateError if it does not
// exist (31 April, 29 February in a common year) or its year is outside
// DateYearMin..DateYearMax.
func NewDate(year int, month time.Month, day int) (Date, error) {
	if year < DateYearMin || year > DateYearMax || month < time.January || month > time.December ||
		day < 1 || day > monthDays(year, month) {
		return Date{}, &DateError{Input: fmt.Sprintf("%04d-%02d-%02d", year, int(month), day), Rule: RuleDateInvalid}
	}
	return Date{year: year, month: month, day: day}, nil
}

// ParseDate reads a date written "YYYY-MM-DD" (RFC 3339 full-date), such as
// "2026-03-08".
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, &DateError{Input: s, Rule: RuleDateSyntax}
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return Date{}, &DateError{Input: s, Rule: RuleDateSyntax}
		}
	}
	y, _ := strconv.Atoi(s[0:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:10])
	date, err := NewDate(y, time.Month(m), d)
	if err != nil {
		return Date{}, &DateError{Input: s, Rule: RuleDateInvalid}
	}
	return date, nil
}

// DateOf returns the civil date of t in t's own location. To take the date in
// a country's zone, pass t.In(loc).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{year: y, month: m, day: d}
}

// FromJalali returns the Gregorian Date of a Solar Hijri date.
func FromJalali(j jalali.Date) (Date, error) {
	y, m, d, err := j.Gregorian()
	if err != nil {
		return Date{}, err
	}
	return NewDate(y, m, d)
}

// Year returns the year of d.
func (d Date) Year() int { return d.year }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.month }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.day }

// IsZero reports whether d is the zero Date, which is not a valid date.
func (d Date) IsZero() bool { return d == Date{} }

// String writes d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// MarshalText writes d as "YYYY-MM-DD", so a Date is a JSON string.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, &DateError{Rule: RuleDateInvalid}
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// unixDays returns the number of days from 1970-01-01 to d. The
// proleptic Gregorian arithmetic is the standard library's.
func (d Date) unixDays() int {
	return int(time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// dateFromUnixDays is the inverse of unixDays; the result may be outside the
// Date range, which callers check with valid.
func dateFromUnixDays(n int) Date {
	y, m, day := time.Unix(int64(n)*secondsPerDay, 0).UTC().Date()
	return Date{year: y, month: m, day: day}
}

const secondsPerDay = 24 * 60 * 60

// valid reports whether d is within the Date range.
func (d Date) valid() bool {
	return d.year >= DateYearMin && d.year <= DateYearMax && d.month >= 1 && d.month <= 12 &&
		d.day >= 1 && d.day <= monthDays(d.year, d.month)
}

// AddDays returns the date n days after d (before it for negative n). The
// result is clamped to the Date range: adding past 9999-12-31 gives
// 9999-12-31, which no calendar has data for.
func (d Date) AddDays(n int) Date {
	r := dateFromUnixDays(d.unixDays() + n)
	switch {
	case r.year > DateYearMax:
		return Date{year: DateYearMax, month: time.December, day: 31}
	case r.year < DateYearMin:
		return Date{year: DateYearMin, month: time.January, day: 1}
	}
	return r
}

// DaysUntil returns the number of days from d to e, negative if e is before d.
func (d Date) DaysUntil(e Date) int { return e.unixDays() - d.unixDays() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	n := d.unixDays()
	return time.Weekday(((n % 7) + 7 + int(time.Thursday)) % 7) // 1970-01-01 was a Thursday
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.year != e.year:
		return cmpInt(d.year, e.year)
	case d.month != e.month:
		return cmpInt(int(d.month), int(e.month))
	}
	return cmpInt(d.day, e.day)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Jalali returns d on the Solar Hijri calendar; it fails only for a date
// outside the range the conversion covers (after the year 3797).
func (d Date) Jalali() (jalali.Date, error) {
	return jalali.FromUnixDays(d.unixDays())
}

// In returns the first instant of d in loc (midnight, or the first instant
// after a transition that skips midnight).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, loc)
}

// At returns the instant at local time of day c on d in loc.
func (d Date) At(c TimeOfDay, loc *time.Location) time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, int(c), 0, loc)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func monthDays(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// TimeOfDay is a local wall-clock time, in seconds since midnight, from 00:00
// to 24:00 inclusive (24:00 is the end of the day). It has no zone: a
// country's profile says where it is read.
type TimeOfDay int32

// The end of the day, 24:00.
const EndOfDay TimeOfDay = 24 * 60 * 60

// NewTimeOfDay returns hour:minute; it panics on a value outside 00:00–24:00,
// and is meant for constants. Use ParseTimeOfDay for input.
func NewTimeOfDay(hour, minute int) TimeOfDay {
	c := TimeOfDay(hour*3600 + minute*60)
	if hour < 0 || minute < 0 || minute > 59 || c > EndOfDay {
		panic(fmt.Sprintf("calendar: time of day %02d:%02d out of range", hour, minute))
	}
	return c
}

// ParseTimeOfDay reads "HH:MM" or "HH:MM:SS", 00:00 to 24:00.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	bad := &DateError{Input: s, Rule: RuleTimeOfDaySyntax}
	if len(s) != 5 && len(s) != 8 {
		return 0, bad
	}
	fields := []string{s[0:2], s[3:5]}
	if s[2] != ':' {
		return 0, bad
	}
	if len(s) == 8 {
		if s[5] != ':' {
			return 0, bad
		}
		fields = append(fields, s[6:8])
	}
	var n [3]int
	for i, f := range fields {
		if f[0] < '0' || f[0] > '9' || f[1] < '0' || f[1] > '9' {
			return 0, bad
		}
		n[i] = int(f[0]-'0')*10 + int(f[1]-'0')
	}
	c := TimeOfDay(n[0]*3600 + n[1]*60 + n[2])
	if n[1] > 59 || n[2] > 59 || c > EndOfDay {
		return 0, bad
	}
	return c, nil
}

// String writes c as "HH:MM", or "HH:MM:SS" when it has seconds.
func (c TimeOfDay) String() string {
	h, m, s := int(c)/3600, int(c)%3600/60, int(c)%60
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// Hours are the banking hours of a day, local time: open at Open, closed from
// Close on. The zero Hours means closed.
type Hours struct {
	// Open is when banks open.
	Open TimeOfDay
	// Close is when they close; a deadline on the day is this instant.
	Close TimeOfDay
}

// IsZero reports whether h is the zero Hours (closed all day).
func (h Hours) IsZero() bool { return h == Hours{} }

// String writes h as "07:30–13:30".
func (h Hours) String() string {
	if h.IsZero() {
		return "closed"
	}
	return h.Open.String() + "–" + h.Close.String()
}
