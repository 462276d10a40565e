package xsd

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// builtin is one of the XML Schema primitive or derived built-in types that
// this package can check lexically.
type builtin int

const (
	bString builtin = iota
	bNormalizedString
	bToken
	bDecimal
	bInteger
	bBoolean
	bDate
	bDateTime
	bTime
	bGYear
	bGYearMonth
	bBase64Binary
)

// builtins maps the local names of supported xs: types to their kind. A
// type not listed here fails the schema load.
var builtins = map[string]builtin{
	"string":           bString,
	"normalizedString": bNormalizedString,
	"token":            bToken,
	"decimal":          bDecimal,
	"integer":          bInteger,
	"boolean":          bBoolean,
	"date":             bDate,
	"dateTime":         bDateTime,
	"time":             bTime,
	"gYear":            bGYear,
	"gYearMonth":       bGYearMonth,
	"base64Binary":     bBase64Binary,
}

// whiteSpace is the whiteSpace facet: what the value's whitespace becomes
// before any other check.
type whiteSpace int

const (
	wsPreserve whiteSpace = iota
	wsReplace
	wsCollapse
)

// isStringy reports whether length facets count characters for this kind.
func (k builtin) isStringy() bool {
	return k == bString || k == bNormalizedString || k == bToken
}

// isDecimal reports whether digit and range facets apply to this kind.
func (k builtin) isDecimal() bool { return k == bDecimal || k == bInteger }

// simpleType is a compiled xs:simpleType: its built-in base and the facets
// of every restriction step from the built-in down to it. All steps must
// hold; within a step, patterns are alternatives and so are enumerations.
type simpleType struct {
	name  string // for messages; the xs: name for built-ins
	base  builtin
	ws    whiteSpace
	steps []*facets
}

// facets is one xs:restriction's facets. -1 means "not set".
type facets struct {
	length, minLength, maxLength int
	totalDigits, fractionDigits  int
	pattern                      *regexp.Regexp
	patternText                  string
	enum                         map[string]struct{}
	minIncl, maxIncl             *decimal
	minExcl, maxExcl             *decimal
}

func newFacets() *facets {
	return &facets{length: -1, minLength: -1, maxLength: -1, totalDigits: -1, fractionDigits: -1}
}

// check validates a raw value (element text or attribute value). It returns
// the broken rule and a sentence, or "" when the value is valid.
func (t *simpleType) check(raw string) (Rule, string) {
	v := normalize(raw, t.ws)
	var dec decimal
	switch t.base {
	case bDecimal, bInteger:
		var ok bool
		dec, ok = parseDecimal(v)
		if !ok || (t.base == bInteger && strings.Contains(v, ".")) {
			return RuleSyntax, fmt.Sprintf("value %s is not a valid %s (type %s)", quote(v), t.baseName(), t.name)
		}
	case bBoolean:
		switch v {
		case "true", "false", "1", "0":
		default:
			return RuleSyntax, fmt.Sprintf("value %s is not a valid boolean (true, false, 1, 0) (type %s)", quote(v), t.name)
		}
	case bDate, bDateTime, bTime, bGYear, bGYearMonth:
		if !validTemporal(t.base, v) {
			return RuleSyntax, fmt.Sprintf("value %s is not a valid %s (type %s)", quote(v), t.baseName(), t.name)
		}
	case bBase64Binary:
		if _, ok := base64Len(v); !ok {
			return RuleSyntax, fmt.Sprintf("value %s is not valid base64Binary (type %s)", quote(v), t.name)
		}
	}
	for _, f := range t.steps {
		if r, d := t.checkStep(f, v, dec); r != "" {
			return r, d
		}
	}
	return "", ""
}

func (t *simpleType) baseName() string {
	for n, k := range builtins {
		if k == t.base {
			return "xs:" + n
		}
	}
	return "?"
}

func (t *simpleType) checkStep(f *facets, v string, dec decimal) (Rule, string) {
	if f.length >= 0 || f.minLength >= 0 || f.maxLength >= 0 {
		n, unit := 0, "characters"
		if t.base == bBase64Binary {
			n, _ = base64Len(v)
			unit = "octets"
		} else {
			n = utf8.RuneCountInString(v)
		}
		switch {
		case f.length >= 0 && n != f.length:
			return RuleLength, fmt.Sprintf("value %s has %d %s, type %s requires length %d", quote(v), n, unit, t.name, f.length)
		case f.minLength >= 0 && n < f.minLength:
			return RuleLength, fmt.Sprintf("value %s has %d %s, type %s requires minLength %d", quote(v), n, unit, t.name, f.minLength)
		case f.maxLength >= 0 && n > f.maxLength:
			return RuleLength, fmt.Sprintf("value %s has %d %s, type %s allows maxLength %d", quote(v), n, unit, t.name, f.maxLength)
		}
	}
	if f.pattern != nil && !f.pattern.MatchString(v) {
		return RulePattern, fmt.Sprintf("value %s does not match pattern %s of type %s", quote(v), f.patternText, t.name)
	}
	if f.enum != nil {
		key := v
		if t.base.isDecimal() {
			key = dec.String()
		}
		if _, ok := f.enum[key]; !ok {
			return RuleEnumeration, fmt.Sprintf("value %s is not one of the %d codes of type %s", quote(v), len(f.enum), t.name)
		}
	}
	if t.base.isDecimal() {
		if f.totalDigits >= 0 && dec.totalDigits() > f.totalDigits {
			return RuleTotalDigits, fmt.Sprintf("value %s has %d significant digits, type %s allows totalDigits %d", quote(v), dec.totalDigits(), t.name, f.totalDigits)
		}
		if f.fractionDigits >= 0 && len(dec.frac) > f.fractionDigits {
			return RuleFractionDigits, fmt.Sprintf("value %s has %d fraction digits, type %s allows fractionDigits %d", quote(v), len(dec.frac), t.name, f.fractionDigits)
		}
		switch {
		case f.minIncl != nil && dec.cmp(*f.minIncl) < 0:
			return RuleRange, fmt.Sprintf("value %s is below minInclusive %s of type %s", quote(v), f.minIncl, t.name)
		case f.maxIncl != nil && dec.cmp(*f.maxIncl) > 0:
			return RuleRange, fmt.Sprintf("value %s is above maxInclusive %s of type %s", quote(v), f.maxIncl, t.name)
		case f.minExcl != nil && dec.cmp(*f.minExcl) <= 0:
			return RuleRange, fmt.Sprintf("value %s is not above minExclusive %s of type %s", quote(v), f.minExcl, t.name)
		case f.maxExcl != nil && dec.cmp(*f.maxExcl) >= 0:
			return RuleRange, fmt.Sprintf("value %s is not below maxExclusive %s of type %s", quote(v), f.maxExcl, t.name)
		}
	}
	return "", ""
}

// normalize applies the whiteSpace facet. It allocates only when the value
// actually changes, which for ISO 20022 data is almost never.
func normalize(s string, ws whiteSpace) string {
	if ws == wsPreserve {
		return s
	}
	if strings.IndexAny(s, "\t\n\r") >= 0 {
		s = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, s)
	}
	if ws == wsReplace {
		return s
	}
	s = strings.Trim(s, " ")
	if strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// decimal is an exact, normalized decimal number: no leading zeros in int,
// no trailing zeros in frac, and zero is never negative. Facet checks work on
// digit strings so that no value is ever rounded through a float.
type decimal struct {
	neg       bool
	int, frac string
}

// parseDecimal parses the xs:decimal lexical form: optional sign, digits,
// optional point and digits, at least one digit overall, no exponent.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return d, false
	}
	for i := 0; i < len(ip); i++ {
		if ip[i] < '0' || ip[i] > '9' {
			return d, false
		}
	}
	for i := 0; i < len(fp); i++ {
		if fp[i] < '0' || fp[i] > '9' {
			return d, false
		}
	}
	d.int = strings.TrimLeft(ip, "0")
	d.frac = strings.TrimRight(fp, "0")
	if d.int == "" && d.frac == "" {
		d.neg = false
	}
	return d, true
}

// totalDigits counts significant digits: the value is i × 10^-n with no
// leading or trailing zeros in i, as XML Schema defines the facet.
func (d decimal) totalDigits() int { return len(d.int) + len(d.frac) }

// cmp compares two normalized decimals exactly.
func (d decimal) cmp(e decimal) int {
	if d.neg != e.neg {
		if d.neg {
			return -1
		}
		return 1
	}
	c := d.cmpAbs(e)
	if d.neg {
		return -c
	}
	return c
}

func (d decimal) cmpAbs(e decimal) int {
	if len(d.int) != len(e.int) {
		if len(d.int) < len(e.int) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(d.int, e.int); c != 0 {
		return c
	}
	// Same integer part: compare fractions digit by digit; a missing digit
	// is a zero, and normalized fractions have no trailing zeros, so the
	// shorter one is smaller when it is a prefix.
	return strings.Compare(d.frac, e.frac)
}

// String renders the canonical form, used as the key of decimal enumerations.
func (d decimal) String() string {
	s := d.int
	if s == "" {
		s = "0"
	}
	if d.frac != "" {
		s += "." + d.frac
	}
	if d.neg {
		s = "-" + s
	}
	return s
}

// base64Len returns the number of octets a base64Binary value encodes.
// Whitespace is allowed anywhere in the lexical form.
func base64Len(s string) (int, bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Join(strings.Fields(s), "")
	}
	n, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	return len(n), true
}

// validTemporal checks the lexical forms of the date and time types of XML
// Schema 1.0: years of four or more digits (no leading zero beyond four,
// never 0000), real calendar days, 24:00:00 only as end of day, optional
// fractional seconds and an optional zone Z or ±hh:mm within ±14:00.
func validTemporal(k builtin, s string) bool {
	var ok bool
	var y, m int
	switch k {
	case bGYear:
		_, s, ok = parseYear(s)
	case bGYearMonth:
		if _, s, ok = parseYear(s); ok && len(s) >= 3 && s[0] == '-' {
			m, ok = num(s[1:3])
			ok = ok && m >= 1 && m <= 12
			s = s[3:]
		} else {
			ok = false
		}
	case bDate, bDateTime:
		y, s, ok = parseYear(s)
		if !ok || len(s) < 6 || s[0] != '-' || s[3] != '-' {
			return false
		}
		var d int
		var ok1, ok2 bool
		m, ok1 = num(s[1:3])
		d, ok2 = num(s[4:6])
		if !ok1 || !ok2 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
			return false
		}
		s = s[6:]
		if k == bDateTime {
			if len(s) == 0 || s[0] != 'T' {
				return false
			}
			s, ok = parseClock(s[1:])
		}
	case bTime:
		s, ok = parseClock(s)
	}
	return ok && validZone(s)
}

// parseYear reads -?YYYY+ and returns the year and the rest.
func parseYear(s string) (int, string, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < 4 || (n > 4 && s[0] == '0') {
		return 0, s, false
	}
	y := 0
	for i := 0; i < n; i++ {
		if y > 1e8 { // far beyond anything real; avoid overflow
			return 0, s, false
		}
		y = y*10 + int(s[i]-'0')
	}
	if y == 0 {
		return 0, s, false
	}
	if neg {
		y = -y
	}
	return y, s[n:], true
}

// parseClock reads hh:mm:ss(.s+)? and returns the rest.
func parseClock(s string) (string, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return s, false
	}
	h, ok1 := num(s[0:2])
	mi, ok2 := num(s[3:5])
	se, ok3 := num(s[6:8])
	if !ok1 || !ok2 || !ok3 || mi > 59 || se > 59 || h > 24 {
		return s, false
	}
	s = s[8:]
	fracZero := true
	if s != "" && s[0] == '.' {
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			if s[n] != '0' {
				fracZero = false
			}
			n++
		}
		if n == 1 {
			return s, false
		}
		s = s[n:]
	}
	if h == 24 && (mi != 0 || se != 0 || !fracZero) {
		return s, false
	}
	return s, true
}

// validZone accepts "", "Z" or ±hh:mm with |offset| <= 14:00.
func validZone(s string) bool {
	if s == "" || s == "Z" {
		return true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return false
	}
	h, ok1 := num(s[1:3])
	m, ok2 := num(s[4:6])
	return ok1 && ok2 && m <= 59 && (h < 14 || (h == 14 && m == 0))
}

// num parses exactly two ASCII digits.
func num(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		// Proleptic Gregorian; XSD 1.0 year -1 is 1 BCE, leap like year 0
		// would be in 1.1 — irrelevant for payments, kept simple.
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
