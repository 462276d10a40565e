package calendar

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"astara/calendar/jalali"
)

// Month names a month on a calendar system: March 2026 (Gregorian) or
// Farvardin 1405 (Solar Hijri).
type Month struct {
	// System is the calendar the month belongs to.
	System System
	// Year is the year on System (2026, or 1405).
	Year int
	// Month is 1 to 12: January to December, or Farvardin to Esfand.
	Month int
}

// ParseMonth reads "YYYY-MM" as a month of system: ParseMonth("2026-03",
// Gregorian) is March 2026, ParseMonth("1405-01", SolarHijri) is Farvardin
// 1405.
func ParseMonth(s string, system System) (Month, error) {
	if len(s) != 7 || s[4] != '-' {
		return Month{}, &DateError{Input: s, Rule: RuleDateSyntax}
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && (s[i] < '0' || s[i] > '9') {
			return Month{}, &DateError{Input: s, Rule: RuleDateSyntax}
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:])
	out := Month{System: system, Year: y, Month: m}
	if _, err := out.Span(); err != nil {
		return Month{}, &DateError{Input: s, Rule: RuleDateInvalid}
	}
	return out, nil
}

// String writes the month as "2026-03" or "1405-01".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// Span returns the Gregorian dates of the month's first and last day.
func (m Month) Span() (Span, error) {
	switch m.System {
	case Gregorian:
		from, err := NewDate(m.Year, time.Month(m.Month), 1)
		if err != nil {
			return Span{}, err
		}
		return Span{From: from, To: from.AddDays(monthDays(m.Year, time.Month(m.Month)) - 1)}, nil
	case SolarHijri:
		j, err := jalali.New(m.Year, jalali.Month(m.Month), 1)
		if err != nil {
			return Span{}, &DateError{Input: m.String(), Rule: RuleDateInvalid}
		}
		from, err := FromJalali(j)
		if err != nil {
			return Span{}, err
		}
		return Span{From: from, To: from.AddDays(jalali.MonthDays(m.Year, jalali.Month(m.Month)) - 1)}, nil
	}
	return Span{}, &DateError{Input: m.String(), Rule: RuleDateInvalid}
}

// title returns "March 2026" or "Farvardin 1405 (فروردین ۱۴۰۵)".
func (m Month) title() string {
	if m.System == SolarHijri {
		jm := jalali.Month(m.Month)
		return fmt.Sprintf("%s %d (%s %s)", jm, m.Year, jm.Persian(), jalali.Digits(strconv.Itoa(m.Year)))
	}
	return fmt.Sprintf("%s %d", time.Month(m.Month), m.Year)
}

// RenderMonth writes a month of a calendar for a terminal: a title, a grid of
// weeks starting on the country's first weekday with the non-business days
// marked, a legend, the banking hours, and then every entry of the month by
// date. Days without data show as "..". It fails with a *NoDataError if no
// day of the month has data.
//
// A cell is the day of the month, in parentheses on a weekend day, in
// brackets on a holiday, a transferred day off or a closure, followed by '*'
// on a short day and '?' where an estimate decides the day.
func RenderMonth(w io.Writer, c *Country, m Month) error {
	span, err := m.Span()
	if err != nil {
		return err
	}
	covered := false
	for d := span.From; !d.After(span.To); d = d.AddDays(1) {
		covered = covered || c.Covers(d)
	}
	if !covered {
		return c.noData(span.From)
	}
	p := c.profile
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s · %s (%s) · %s\n", m.title(), p.Name, p.Country, p.Zone)
	if m.System != Gregorian {
		fmt.Fprintf(bw, "%s to %s\n", span.From, span.To)
	}
	bw.WriteString("\n")

	// The grid.
	var row strings.Builder
	for i := range 7 {
		wd := (p.FirstWeekday + time.Weekday(i)) % 7
		row.WriteString(" " + wd.String()[:2] + "   ")
	}
	bw.WriteString(strings.TrimRight(row.String(), " ") + "\n")
	row.Reset()
	column := (int(span.From.Weekday()) - int(p.FirstWeekday) + 7) % 7
	row.WriteString(strings.Repeat("      ", column))
	number := 1
	for d := span.From; !d.After(span.To); d = d.AddDays(1) {
		row.WriteString(cell(c, d, number))
		number++
		column++
		if column == 7 || d == span.To {
			bw.WriteString(strings.TrimRight(row.String(), " ") + "\n")
			row.Reset()
			column = 0
		}
	}
	bw.WriteString("\n( ) weekend   [ ] holiday, transfer or closure   * short day   ? estimate   .. no data\n")
	hours := "Banking hours " + p.Hours.String()
	for _, wd := range p.ShortWeekdays {
		hours += ", " + wd.String() + " " + p.HoursShortWeekday.String()
	}
	if p.ShortDayMinutes > 0 {
		hours += fmt.Sprintf(", short days close %d min earlier", p.ShortDayMinutes)
	}
	fmt.Fprintf(bw, "%s (%s)\n", hours, p.Zone)

	// The entries.
	entries := c.Entries(span.From, span.To)
	if len(entries) > 0 {
		bw.WriteString("\n")
	}
	for _, e := range entries {
		when := e.Date.String() + " " + e.Date.Weekday().String()[:3]
		if m.System == SolarHijri {
			if j, err := e.Date.Jalali(); err == nil {
				when = j.String() + " " + when
			}
		}
		text := e.Name
		if e.NameLocal != "" {
			text += " (" + e.NameLocal + ")"
		}
		if e.Lunar != "" {
			text += " [" + e.Lunar + "]"
		}
		if e.Scope != ScopeNational {
			text += " {" + string(e.Scope) + "}"
		}
		if e.Status == StatusEstimate {
			text += " (estimate)"
		}
		fmt.Fprintf(bw, "%s  %-15s  %s\n", when, e.Kind, text)
	}
	return bw.Flush()
}

// cell renders one day of the grid, six columns wide.
func cell(c *Country, d Date, number int) string {
	if !c.Covers(d) {
		return " ..   "
	}
	day := c.day(d, nil)
	open, closing := " ", " "
	switch day.Reason {
	case ReasonWeekend:
		open, closing = "(", ")"
	case ReasonHoliday, ReasonTransfer, ReasonClosure:
		open, closing = "[", "]"
	}
	mark := " "
	switch {
	case day.Estimate:
		mark = "?"
	case day.Short:
		mark = "*"
	}
	if open == " " { // no brackets: the mark follows the number
		closing, mark = mark, " "
	}
	return fmt.Sprintf("%s%2d%s%s ", open, number, closing, mark)
}
