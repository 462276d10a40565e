// Package jalali converts dates between the Gregorian calendar and the Solar
// Hijri (Jalali, Persian) calendar, the civil calendar of Iran.
//
// The Solar Hijri year starts on the day of the March equinox as seen in
// Tehran (Nowruz, 1 Farvardin). Months 1–6 have 31 days, months 7–11 have 30,
// and Esfand has 29, or 30 in a leap year. Because the year follows the
// equinox, leap years are not a simple cycle; this package uses Borkowski's
// algorithm, which reproduces the astronomical leap pattern from a short table
// of "break" years. It agrees with the 33-year arithmetic rule on every year
// from 1200 to 1633, and it is NOT the Birashk 2820-year cycle that many older
// libraries use: Birashk makes 1404 a leap year instead of 1403, which shifts
// every date of 1404 by one day.
//
// The package is pure arithmetic on civil dates; it knows nothing of time
// zones. Dates are plain values that the caller builds with [New] or [Parse]
// (which validate) or converts with [FromGregorian] and [FromUnixDays].
package jalali

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// YearMin and YearMax bound the Solar Hijri years this package converts.
// Borkowski's table covers -61..3177; the package keeps to positive years and
// stops one year short of the table's end, because a year's length needs the
// start of the next one.
const (
	YearMin = 1
	YearMax = 3176
)

// ErrRange is returned for a date outside YearMin..YearMax.
var ErrRange = errors.New("jalali: year out of range")

// ErrSyntax is returned for text that is not a date written YYYY-MM-DD, or a
// date whose month or day does not exist.
var ErrSyntax = errors.New("jalali: invalid date")

// Month is a Solar Hijri month, Farvardin (1) to Esfand (12).
type Month int

// The twelve months of the Solar Hijri year.
const (
	Farvardin Month = 1 + iota
	Ordibehesht
	Khordad
	Tir
	Mordad
	Shahrivar
	Mehr
	Aban
	Azar
	Dey
	Bahman
	Esfand
)

var monthNames = [...]string{
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
}

var monthNamesPersian = [...]string{
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
}

// String returns the month's name transliterated into Latin script, as it is
// usually written in English ("Farvardin").
func (m Month) String() string {
	if m < Farvardin || m > Esfand {
		return "Month(" + strconv.Itoa(int(m)) + ")"
	}
	return monthNames[m-1]
}

// Persian returns the month's name in Persian script ("فروردین").
func (m Month) Persian() string {
	if m < Farvardin || m > Esfand {
		return ""
	}
	return monthNamesPersian[m-1]
}

// Date is a day of the Solar Hijri calendar. The zero Date is not a valid
// date; build dates with New, Parse or the conversions.
type Date struct {
	// Year is the Solar Hijri year (1405 began on 2026-03-21).
	Year int
	// Month is Farvardin to Esfand.
	Month Month
	// Day is 1 to 31.
	Day int
}

// New returns the date year-month-day, or an error if the year is outside
// YearMin..YearMax or the month or day does not exist in that year.
func New(year int, month Month, day int) (Date, error) {
	if year < YearMin || year > YearMax {
		return Date{}, fmt.Errorf("%w: %d", ErrRange, year)
	}
	if month < Farvardin || month > Esfand || day < 1 || day > MonthDays(year, month) {
		return Date{}, fmt.Errorf("%w: %04d-%02d-%02d", ErrSyntax, year, int(month), day)
	}
	return Date{Year: year, Month: month, Day: day}, nil
}

// Parse reads a date written "YYYY-MM-DD" with a four-digit year, such as
// "1405-01-01", and validates it like New.
func Parse(s string) (Date, error) {
	y, m, d, ok := splitDate(s)
	if !ok {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrSyntax, s)
	}
	return New(y, Month(m), d)
}

// splitDate splits "YYYY-MM-DD" into numbers; it checks only the shape.
func splitDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, 0, false
		}
	}
	y, _ = strconv.Atoi(s[0:4])
	m, _ = strconv.Atoi(s[5:7])
	d, _ = strconv.Atoi(s[8:10])
	return y, m, d, true
}

// String writes the date as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d is a date that exists.
func (d Date) Valid() bool {
	_, err := New(d.Year, d.Month, d.Day)
	return err == nil
}

// IsLeap reports whether Solar Hijri year has 366 days (Esfand has 30). It
// returns false for a year outside YearMin..YearMax.
func IsLeap(year int) bool {
	return YearDays(year) == 366
}

// YearDays returns the number of days in the year: 365 or 366, or 0 for a
// year outside YearMin..YearMax.
func YearDays(year int) int {
	if year < YearMin || year > YearMax {
		return 0
	}
	return nowruz(year+1) - nowruz(year)
}

// MonthDays returns the number of days in the month: 31 for Farvardin to
// Shahrivar, 30 for Mehr to Bahman, and 29 or 30 for Esfand. It returns 0 for
// a month or year that does not exist.
func MonthDays(year int, month Month) int {
	switch {
	case year < YearMin || year > YearMax || month < Farvardin || month > Esfand:
		return 0
	case month <= Shahrivar:
		return 31
	case month <= Bahman:
		return 30
	case IsLeap(year):
		return 30
	default:
		return 29
	}
}

// UnixDays returns the number of days from 1970-01-01 (Gregorian) to d; it
// is negative before 1970. It fails for a date that does not exist.
func (d Date) UnixDays() (int, error) {
	if _, err := New(d.Year, d.Month, d.Day); err != nil {
		return 0, err
	}
	return nowruz(d.Year) + dayOfYear(d.Month, d.Day) - 1, nil
}

// dayOfYear returns the 1-based day number of month/day within its year.
func dayOfYear(month Month, day int) int {
	if month <= Mehr {
		return (int(month)-1)*31 + day
	}
	return 6*31 + (int(month)-7)*30 + day
}

// FromUnixDays returns the Solar Hijri date n days after 1970-01-01
// (Gregorian), or ErrRange if it falls outside YearMin..YearMax.
func FromUnixDays(n int) (Date, error) {
	gy, _, _ := civilFromDays(n)
	// The Solar Hijri year starting in Gregorian year gy is gy-621; a date
	// before that year's Nowruz belongs to the year before.
	year := gy - 621
	if year < YearMin || year > YearMax+1 {
		return Date{}, fmt.Errorf("%w: day %d", ErrRange, n)
	}
	if n < nowruz(year) {
		year--
	}
	if year < YearMin || year > YearMax {
		return Date{}, fmt.Errorf("%w: day %d", ErrRange, n)
	}
	k := n - nowruz(year) // 0-based day of the year
	if k < 6*31 {
		return Date{Year: year, Month: Month(1 + k/31), Day: 1 + k%31}, nil
	}
	k -= 6 * 31
	return Date{Year: year, Month: Month(7 + k/30), Day: 1 + k%30}, nil
}

// FromGregorian converts a Gregorian date to the Solar Hijri calendar. It
// fails if the Gregorian date does not exist or is outside the range.
func FromGregorian(year int, month time.Month, day int) (Date, error) {
	if month < time.January || month > time.December || day < 1 || day > gregorianMonthDays(year, month) {
		return Date{}, fmt.Errorf("%w: Gregorian %04d-%02d-%02d does not exist", ErrSyntax, year, int(month), day)
	}
	return FromUnixDays(daysFromCivil(year, month, day))
}

// Gregorian returns d on the Gregorian calendar. It fails for a date that
// does not exist.
func (d Date) Gregorian() (year int, month time.Month, day int, err error) {
	n, err := d.UnixDays()
	if err != nil {
		return 0, 0, 0, err
	}
	year, month, day = civilFromDays(n)
	return year, month, day, nil
}

// Weekday returns the day of the week of d, or -1 for a date that does not
// exist.
func (d Date) Weekday() time.Weekday {
	n, err := d.UnixDays()
	if err != nil {
		return -1
	}
	// 1970-01-01 was a Thursday.
	return time.Weekday(((n % 7) + 7 + int(time.Thursday)) % 7)
}

// Digits replaces the ASCII digits in s by Persian (Extended Arabic-Indic)
// digits, for display: Digits("1405") is "۱۴۰۵".
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '۰' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// breaks are the years in which the pattern of leap years in the 33-year
// cycles changes, from Kazimierz Borkowski, "The Persian calendar for 3000
// years", Earth, Moon and Planets 74 (1996) 223–230, as used by the jalaali
// libraries.
var breaks = [...]int{
	-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178,
}

// nowruz returns 1 Farvardin of Solar Hijri year jy as days since
// 1970-01-01. jy must be within breaks[0]..breaks[len-1]-1.
//
// It counts the leap years of the Solar Hijri calendar since AD 621 (from the
// 33-year sub-cycles between break years) and those of the Gregorian calendar
// up to the same year; the difference gives the day of March on which the year
// starts.
func nowruz(jy int) int {
	gy := jy + 621
	leapJ := -14
	jp := breaks[0]
	jump := 0
	for i := 1; i < len(breaks); i++ {
		jm := breaks[i]
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + (jump%33)/4
		jp = jm
	}
	n := jy - jp
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march := 20 + leapJ - leapG
	return daysFromCivil(gy, time.March, march)
}

// daysFromCivil returns the number of days from 1970-01-01 to the proleptic
// Gregorian date y-m-d. A day beyond the month's end rolls over, which nowruz
// relies on. (Howard Hinnant's algorithm.)
func daysFromCivil(y int, m time.Month, d int) int {
	if m <= time.February {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(n int) (int, time.Month, int) {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func gregorianMonthDays(y int, m time.Month) int {
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
