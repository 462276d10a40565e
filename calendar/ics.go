package calendar

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"astara/calendar/jalali"
)

// Limits on iCalendar input.
const (
	// ICSBytesMax bounds the size of an iCalendar file.
	ICSBytesMax = 1 << 20
	// ICSEventsMax bounds the VEVENTs of an iCalendar file (before ranges are
	// expanded; DatasetEntriesMax bounds the entries after).
	ICSEventsMax = 2000
	// ICSDepthMax bounds how deeply components (BEGIN/END) nest.
	ICSDepthMax = 8
)

// The iCalendar properties this package writes and reads besides the
// standard ones. They carry what a plain holiday feed lacks.
const (
	icsCountry    = "X-ASTARA-COUNTRY"     // calendar: ISO 3166 alpha-2
	icsSystem     = "X-ASTARA-SYSTEM"      // calendar: gregorian | solar_hijri
	icsCoverage   = "X-ASTARA-COVERAGE"    // calendar, repeated: YYYYMMDD/YYYYMMDD
	icsKind       = "X-ASTARA-KIND"        // event
	icsStatus     = "X-ASTARA-STATUS"      // event
	icsScope      = "X-ASTARA-SCOPE"       // event
	icsSource     = "X-ASTARA-SOURCE"      // event
	icsNameLocal  = "X-ASTARA-NAME-LOCAL"  // event
	icsLunar      = "X-ASTARA-LUNAR"       // event
	icsSolarHijri = "X-ASTARA-SOLAR-HIJRI" // event, a check: YYYY-MM-DD
)

// icsSourceDefault is the source of an imported event that names none.
const icsSourceDefault = "iCalendar import"

// ReadICS reads holiday data from an iCalendar file (RFC 5545).
//
// Each VEVENT is one entry, or one per day when DTEND spans several days:
//
//   - DTSTART must be a date (DTSTART;VALUE=DATE:20260309, or 8 digits);
//     DTEND, if present, is the day after the last one, as RFC 5545 says.
//     DURATION:P<n>D or P<n>W may stand for DTEND. A date-time start and a
//     recurrence rule (RRULE, RDATE) are rejected rather than misread.
//   - SUMMARY is the name.
//   - The kind, status and scope come from X-ASTARA-KIND, X-ASTARA-STATUS
//     and X-ASTARA-SCOPE, or else from CATEGORIES values (HOLIDAY, TRANSFER,
//     WORKING_WEEKEND, SHORT, CLOSURE; OFFICIAL, ESTIMATE; NATIONAL,
//     PROVINCE:<name>, BANK:<BIC>), or else default to holiday, official and
//     national. Other categories are ignored.
//   - X-ASTARA-SOURCE, X-ASTARA-NAME-LOCAL and X-ASTARA-LUNAR fill the
//     entry's other fields; X-ASTARA-SOLAR-HIJRI, if present, must be the
//     same day as DTSTART.
//   - An event with STATUS:CANCELLED is skipped.
//
// The calendar's X-ASTARA-COUNTRY names the country and each
// X-ASTARA-COVERAGE:YYYYMMDD/YYYYMMDD a range the file is complete for (see
// Dataset for what loading does with them). Other components (VTIMEZONE,
// VTODO, VALARM) and unknown properties are ignored.
//
// It returns a *DataError naming the line for anything it rejects, and never
// reads more than ICSBytesMax bytes.
func ReadICS(r io.Reader) (Dataset, error) {
	p := icsParser{ds: Dataset{Source: "ics", System: Gregorian}}
	if err := p.parse(r); err != nil {
		return Dataset{}, err
	}
	if err := p.ds.normalize(); err != nil {
		return Dataset{}, err
	}
	return p.ds, nil
}

type icsLine struct {
	number int // line where the content line starts
	name   string
	params map[string]string
	value  string
}

type icsParser struct {
	ds     Dataset
	line   int
	events int
}

func (p *icsParser) fail(line int, field string, rule Rule, format string, args ...any) error {
	return &DataError{Source: "ics", Line: line, Entry: p.events, Field: field, Rule: rule, Detail: fmt.Sprintf(format, args...)}
}

func (p *icsParser) parse(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, ICSBytesMax+1))
	if err != nil {
		return p.fail(0, "", RuleDataSyntax, "read: %v", err)
	}
	if len(b) > ICSBytesMax {
		return p.fail(0, "", RuleTooLarge, "longer than %d bytes", ICSBytesMax)
	}
	if !utf8.Valid(b) {
		return p.fail(0, "", RuleDataSyntax, "not UTF-8")
	}
	lines, err := p.unfold(b)
	if err != nil {
		return err
	}
	var (
		stack    []string // open components
		event    []icsLine
		inEvent  bool
		calendar bool
	)
	for _, l := range lines {
		switch l.name {
		case "BEGIN":
			v := strings.ToUpper(l.value)
			if len(stack) == 0 && v != "VCALENDAR" {
				return p.fail(l.number, "BEGIN", RuleDataSyntax, "the file does not start with BEGIN:VCALENDAR")
			}
			if len(stack) >= ICSDepthMax {
				return p.fail(l.number, "BEGIN", RuleTooManyEntries, "components nest deeper than %d", ICSDepthMax)
			}
			if v == "VCALENDAR" && calendar {
				return p.fail(l.number, "BEGIN", RuleUnsupported, "more than one VCALENDAR")
			}
			calendar = true
			stack = append(stack, v)
			if v == "VEVENT" && len(stack) == 2 {
				p.events++
				if p.events > ICSEventsMax {
					return p.fail(l.number, "VEVENT", RuleTooManyEntries, "more than %d events", ICSEventsMax)
				}
				inEvent, event = true, event[:0]
			}
			continue
		case "END":
			v := strings.ToUpper(l.value)
			if len(stack) == 0 || stack[len(stack)-1] != v {
				return p.fail(l.number, "END", RuleDataSyntax, "END:%s does not close the open component", l.value)
			}
			stack = stack[:len(stack)-1]
			if v == "VEVENT" && len(stack) == 1 {
				inEvent = false
				if err := p.event(event); err != nil {
					return err
				}
			}
			continue
		}
		switch {
		case len(stack) == 0:
			return p.fail(l.number, l.name, RuleDataSyntax, "a property outside VCALENDAR")
		case len(stack) == 1:
			if err := p.calendarProperty(l); err != nil {
				return err
			}
		case inEvent && len(stack) == 2:
			event = append(event, l)
		}
	}
	if !calendar {
		return p.fail(0, "", RuleDataSyntax, "no VCALENDAR")
	}
	if len(stack) != 0 {
		return p.fail(p.line, "END", RuleDataSyntax, "%s is not closed", stack[len(stack)-1])
	}
	return nil
}

// unfold splits the input into content lines, joining folded lines (a line
// break followed by a space or a tab), and parses each.
func (p *icsParser) unfold(b []byte) ([]icsLine, error) {
	var (
		out     []icsLine
		cur     strings.Builder
		start   int
		pending bool
	)
	flush := func() error {
		if !pending {
			return nil
		}
		pending = false
		l, err := p.parseLine(start, cur.String())
		if err != nil {
			return err
		}
		out = append(out, l)
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), ICSBytesMax+1)
	for sc.Scan() {
		p.line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if text != "" && (text[0] == ' ' || text[0] == '\t') {
			if !pending {
				return nil, p.fail(p.line, "", RuleDataSyntax, "a continuation line with nothing to continue")
			}
			cur.WriteString(text[1:])
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		if text == "" {
			continue
		}
		cur.Reset()
		cur.WriteString(text)
		start, pending = p.line, true
	}
	if err := sc.Err(); err != nil {
		return nil, p.fail(p.line, "", RuleDataSyntax, "read: %v", err)
	}
	return out, flush()
}

// parseLine splits "NAME;PARAM=value;PARAM="quoted":value".
func (p *icsParser) parseLine(number int, s string) (icsLine, error) {
	l := icsLine{number: number, params: map[string]string{}}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return l, p.fail(number, "", RuleDataSyntax, "not NAME:value")
	}
	l.name = strings.ToUpper(s[:i])
	for _, c := range l.name {
		if !(c == '-' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return l, p.fail(number, "", RuleDataSyntax, "property name %s is not letters, digits and '-'", quoteInput(s[:i]))
		}
	}
	for s[i] == ';' {
		s = s[i+1:]
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return l, p.fail(number, l.name, RuleDataSyntax, "a parameter without '='")
		}
		name := strings.ToUpper(s[:eq])
		s = s[eq+1:]
		var value string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return l, p.fail(number, l.name, RuleDataSyntax, "an unterminated quoted parameter")
			}
			value, s = s[1:end+1], s[end+2:]
		} else {
			end := strings.IndexAny(s, ";:")
			if end < 0 {
				return l, p.fail(number, l.name, RuleDataSyntax, "no ':' before the value")
			}
			value, s = s[:end], s[end:]
		}
		l.params[name] = value
		i = 0
		if s == "" || (s[0] != ';' && s[0] != ':') {
			return l, p.fail(number, l.name, RuleDataSyntax, "no ':' before the value")
		}
	}
	l.value = s[i+1:]
	return l, nil
}

func (p *icsParser) calendarProperty(l icsLine) error {
	switch l.name {
	case icsCountry:
		c := unescapeText(l.value)
		if !validCountry(c) {
			return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not an ISO 3166 alpha-2 code", quoteInput(c))
		}
		p.ds.Country = c
	case icsSystem:
		s, ok := ParseSystem(unescapeText(l.value))
		if !ok {
			return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not gregorian or solar_hijri", quoteInput(l.value))
		}
		p.ds.System = s
	case icsCoverage:
		from, to, ok := strings.Cut(l.value, "/")
		f, err1 := parseICSDate(from)
		t, err2 := parseICSDate(to)
		if !ok || err1 != nil || err2 != nil {
			return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not YYYYMMDD/YYYYMMDD", quoteInput(l.value))
		}
		if len(p.ds.Coverage) >= CoverageSpansMax {
			return p.fail(l.number, l.name, RuleTooManyEntries, "more than %d coverage spans", CoverageSpansMax)
		}
		p.ds.Coverage = append(p.ds.Coverage, Span{From: f, To: t})
	}
	return nil
}

// event turns one VEVENT's properties into entries.
func (p *icsParser) event(props []icsLine) error {
	var (
		e                    = Entry{Source: icsSourceDefault}
		start, end           Date
		durationDays         int
		cats                 categories
		catsLine             int
		solarHijri           string
		solarHijriLine, line int
		cancelled            bool
	)
	if len(props) > 0 {
		line = props[0].number
	}
	for _, l := range props {
		var err error
		switch l.name {
		case "DTSTART", "DTEND":
			var d Date
			if v, ok := l.params["VALUE"]; (ok && !strings.EqualFold(v, "DATE")) || len(l.value) != 8 {
				return p.fail(l.number, l.name, RuleUnsupported, "%s is not a date YYYYMMDD (date-times are not supported)", quoteInput(l.value))
			}
			if d, err = parseICSDate(l.value); err != nil {
				return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not a date YYYYMMDD", quoteInput(l.value))
			}
			if l.name == "DTSTART" {
				start = d
			} else {
				end = d
			}
		case "DURATION":
			if durationDays, err = parseICSDuration(l.value); err != nil {
				return p.fail(l.number, l.name, RuleUnsupported, "%s is not P<n>D or P<n>W", quoteInput(l.value))
			}
		case "RRULE", "RDATE", "EXRULE":
			return p.fail(l.number, l.name, RuleUnsupported, "recurring events are not supported; list each date")
		case "SUMMARY":
			e.Name = unescapeText(l.value)
		case "STATUS":
			cancelled = strings.EqualFold(l.value, "CANCELLED")
		case "CATEGORIES":
			catsLine = l.number
			for _, c := range splitText(l.value) {
				if !cats.add(c) {
					return p.fail(l.number, "CATEGORIES", RuleFieldInvalid, "%s is not national, province:<name> or bank:<BIC>", quoteInput(c))
				}
			}
		case icsKind:
			k, ok := ParseKind(unescapeText(l.value))
			if !ok {
				return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not holiday, transfer, working_weekend, short or closure", quoteInput(l.value))
			}
			e.Kind = k
		case icsStatus:
			s, ok := ParseStatus(unescapeText(l.value))
			if !ok {
				return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not official or estimate", quoteInput(l.value))
			}
			e.Status = s
		case icsScope:
			s, ok := ParseScope(unescapeText(l.value))
			if !ok {
				return p.fail(l.number, l.name, RuleFieldInvalid, "%s is not national, province:<name> or bank:<BIC>", quoteInput(l.value))
			}
			e.Scope = s
		case icsSource:
			e.Source = unescapeText(l.value)
		case icsNameLocal:
			e.NameLocal = unescapeText(l.value)
		case icsLunar:
			e.Lunar = unescapeText(l.value)
		case icsSolarHijri:
			solarHijri, solarHijriLine = unescapeText(l.value), l.number
		}
	}
	if cancelled {
		return nil
	}
	if start.IsZero() {
		return p.fail(line, "DTSTART", RuleFieldMissing, "the event has no DTSTART")
	}
	// X-ASTARA properties win over categories; categories over defaults.
	kind, ok1 := pick(cats.kinds)
	status, ok2 := pick(cats.statuses)
	scope, ok3 := pick(cats.scopes)
	switch {
	case !ok1 && e.Kind == "", !ok2 && e.Status == "", !ok3 && e.Scope == "":
		return p.fail(catsLine, "CATEGORIES", RuleFieldInvalid, "more than one kind, status or scope")
	}
	e.Kind = cmp.Or(e.Kind, kind, KindHoliday)
	e.Status = cmp.Or(e.Status, status, StatusOfficial)
	e.Scope = cmp.Or(e.Scope, scope, ScopeNational)
	last := start
	switch {
	case !end.IsZero() && durationDays > 0:
		return p.fail(line, "DURATION", RuleFieldInvalid, "both DTEND and DURATION")
	case !end.IsZero():
		if !end.After(start) {
			return p.fail(line, "DTEND", RuleFieldInvalid, "DTEND is not after DTSTART")
		}
		if start.DaysUntil(end) > RangeDaysMax {
			return p.fail(line, "DTEND", RuleRangeTooLong, "the event spans more than %d days", RangeDaysMax)
		}
		last = end.AddDays(-1)
	case durationDays > 0:
		if durationDays > RangeDaysMax {
			return p.fail(line, "DURATION", RuleRangeTooLong, "the event spans more than %d days", RangeDaysMax)
		}
		last = start.AddDays(durationDays - 1)
	}
	if solarHijri != "" {
		j, err := jalali.Parse(solarHijri)
		g, err2 := FromJalali(j)
		if err != nil || err2 != nil || g != start {
			return p.fail(solarHijriLine, icsSolarHijri, RuleDateMismatch, "%s is not the same day as DTSTART %s", quoteInput(solarHijri), start)
		}
	}
	e.Date = start
	if field, detail, rule := e.validate(); rule != "" {
		return p.fail(line, icsField(field), rule, "%s", detail)
	}
	for d := start; !d.After(last); d = d.AddDays(1) {
		if len(p.ds.Entries) >= DatasetEntriesMax {
			return p.fail(line, "", RuleTooManyEntries, "more than %d entries after ranges are expanded", DatasetEntriesMax)
		}
		n := e
		n.Date = d
		p.ds.Entries = append(p.ds.Entries, n)
		if d == last {
			break
		}
	}
	return nil
}

// icsField names the iCalendar property behind an entry field, for errors.
func icsField(field string) string {
	switch field {
	case "name":
		return "SUMMARY"
	case "name_local":
		return icsNameLocal
	case "source":
		return icsSource
	case "lunar":
		return icsLunar
	case "kind":
		return icsKind
	case "status":
		return icsStatus
	case "scope":
		return icsScope
	}
	return field
}

// categories are the kinds, statuses and scopes found among an event's
// CATEGORIES values.
type categories struct {
	kinds    []Kind
	statuses []Status
	scopes   []Scope
}

// add reads one CATEGORIES value; it returns false for a value that looks
// like a scope but is not a valid one. Values that are none of these are
// ignored.
func (c *categories) add(v string) bool {
	v = strings.TrimSpace(v)
	if k, ok := ParseKind(v); ok {
		c.kinds = appendNew(c.kinds, k)
		return true
	}
	if s, ok := ParseStatus(v); ok {
		c.statuses = appendNew(c.statuses, s)
		return true
	}
	prefix, rest, found := strings.Cut(v, ":")
	prefix = strings.ToLower(prefix)
	switch {
	case !found && prefix == "national":
		c.scopes = appendNew(c.scopes, ScopeNational)
	case found && (prefix == "province" || prefix == "bank"):
		s, ok := ParseScope(prefix + ":" + rest)
		if !ok {
			return false
		}
		c.scopes = appendNew(c.scopes, s)
	}
	return true
}

func appendNew[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// pick returns the one value of a field given by categories, "" if none, and
// false if there are several.
func pick[T ~string](list []T) (T, bool) {
	switch len(list) {
	case 0:
		return "", true
	case 1:
		return list[0], true
	}
	return "", false
}

func parseICSDate(s string) (Date, error) {
	if len(s) != 8 {
		return Date{}, &DateError{Input: s, Rule: RuleDateSyntax}
	}
	return ParseDate(s[0:4] + "-" + s[4:6] + "-" + s[6:8])
}

// parseICSDuration reads "P<n>D" or "P<n>W" (with an optional '+').
func parseICSDuration(s string) (int, error) {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 3 || len(s) > 8 || s[0] != 'P' {
		return 0, strconv.ErrSyntax
	}
	unit := s[len(s)-1]
	n, err := strconv.Atoi(s[1 : len(s)-1])
	if err != nil || n <= 0 || strings.ContainsAny(s[1:len(s)-1], "+-") {
		return 0, strconv.ErrSyntax
	}
	switch unit {
	case 'D':
		return n, nil
	case 'W':
		return n * 7, nil
	}
	return 0, strconv.ErrSyntax
}

// unescapeText undoes RFC 5545 TEXT escaping: \\ \; \, \n \N.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitText splits a comma-separated TEXT list, unescaping each value.
func splitText(s string) []string {
	var (
		out []string
		cur strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			cur.WriteByte(s[i])
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ',':
			out = append(out, unescapeText(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, unescapeText(cur.String()))
}

// escapeText applies RFC 5545 TEXT escaping.
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\n", `\n`).Replace(s)
}

// WriteICS writes a dataset as an iCalendar file that ReadICS reads back to
// the same dataset: one all-day VEVENT per entry, with the X-ASTARA
// properties, CATEGORIES for other readers, and stamp (the time of the
// export, which the caller supplies) as DTSTAMP. Lines end in CRLF and are
// folded at 75 octets.
func WriteICS(w io.Writer, ds Dataset, stamp time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Astara//calendar//EN")
	line("CALSCALE", "GREGORIAN")
	if ds.Country != "" {
		line("X-WR-CALNAME", escapeText("Astara business calendar "+ds.Country))
		line(icsCountry, ds.Country)
	}
	if ds.System != 0 {
		line(icsSystem, ds.System.String())
	}
	for _, sp := range ds.Coverage {
		line(icsCoverage, icsDate(sp.From)+"/"+icsDate(sp.To))
	}
	dtstamp := stamp.UTC().Format("20060102T150405Z")
	seq := map[Date]int{}
	entries := slices.Clone(ds.Entries)
	slices.SortStableFunc(entries, compareEntries)
	for _, e := range entries {
		seq[e.Date]++
		line("BEGIN", "VEVENT")
		line("UID", fmt.Sprintf("%s-%s-%d@astara", orDefault(ds.Country, "XX"), icsDate(e.Date), seq[e.Date]))
		line("DTSTAMP", dtstamp)
		line("DTSTART;VALUE=DATE", icsDate(e.Date))
		line("DTEND;VALUE=DATE", icsDate(e.Date.AddDays(1)))
		line("SUMMARY", escapeText(e.Name))
		line("CATEGORIES", escapeText(strings.ToUpper(string(e.Kind)))+","+escapeText(strings.ToUpper(string(e.Status))))
		line("TRANSP", "TRANSPARENT")
		line(icsKind, string(e.Kind))
		line(icsStatus, string(e.Status))
		line(icsScope, escapeText(string(e.Scope)))
		line(icsSource, escapeText(e.Source))
		if e.NameLocal != "" {
			line(icsNameLocal, escapeText(e.NameLocal))
		}
		if e.Lunar != "" {
			line(icsLunar, escapeText(e.Lunar))
		}
		if ds.System == SolarHijri {
			if j, err := e.Date.Jalali(); err == nil {
				line(icsSolarHijri, j.String())
			}
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// WriteICS writes the calendar's data as an iCalendar file; see the
// package-level WriteICS.
func (c *Country) WriteICS(w io.Writer, stamp time.Time) error {
	return WriteICS(w, c.Data(), stamp)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func icsDate(d Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year(), int(d.Month()), d.Day()) }

// writeFolded writes one content line, folded so that no line exceeds 75
// octets, never splitting a UTF-8 sequence.
func writeFolded(w *bufio.Writer, s string) {
	const lineOctetsMax = 75
	limit := lineOctetsMax
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = lineOctetsMax - 1 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
