package screening

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// qualityOriginalScript is the Quality of the name a UN entry gives in its
// own script (NAME_ORIGINAL_SCRIPT): Arabic, Cyrillic or Chinese
// beside the romanised primary name.
const qualityOriginalScript = "original-script"

// unAliasDepthMax bounds how deep ParseUN looks into nested parentheses
// for further spellings of an alias; the UN nests two deep.
const unAliasDepthMax = 8

// unRecord is one INDIVIDUAL or ENTITY of the UN list; the elements it
// does not name (documents, places of birth, designations) are skipped.
type unRecord struct {
	FirstName       string      `xml:"FIRST_NAME"`
	SecondName      string      `xml:"SECOND_NAME"`
	ThirdName       string      `xml:"THIRD_NAME"`
	FourthName      string      `xml:"FOURTH_NAME"`
	OriginalScript  string      `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType        string      `xml:"UN_LIST_TYPE"`
	Reference       string      `xml:"REFERENCE_NUMBER"`
	Comments        string      `xml:"COMMENTS1"`
	Nationalities   []string    `xml:"NATIONALITY>VALUE"`
	Aliases         []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases   []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses       []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntityAddresses []unAddress `xml:"ENTITY_ADDRESS"`
	Births          []unBirth   `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

// unAlias is one INDIVIDUAL_ALIAS or ENTITY_ALIAS. Some aliases of
// individuals carry the date of birth of the identity they name.
type unAlias struct {
	Quality     string `xml:"QUALITY"`
	Name        string `xml:"ALIAS_NAME"`
	DateOfBirth string `xml:"DATE_OF_BIRTH"`
}

// unAddress is one INDIVIDUAL_ADDRESS or ENTITY_ADDRESS.
type unAddress struct {
	Country string `xml:"COUNTRY"`
}

// unBirth is one INDIVIDUAL_DATE_OF_BIRTH. TYPE_OF_DATE (EXACT,
// APPROXIMATELY, BETWEEN) says how sure the UN is, not which elements are
// given, so each given element is read whatever it says.
type unBirth struct {
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

// ParseUN reads the UN Security Council consolidated list, the XML file
// whose root CONSOLIDATED_LIST holds INDIVIDUALS/INDIVIDUAL and
// ENTITIES/ENTITY records, and returns the list named name, published at
// the root's dateGenerated.
//
// An entry's id is its REFERENCE_NUMBER (unique, required); its primary
// name is FIRST_NAME to FOURTH_NAME joined by spaces (required); its
// NAME_ORIGINAL_SCRIPT is an alias of Quality "original-script". Each
// ALIAS_NAME may pack several names: they are split at ";" ("Azim
// Adhajani; Azim Agha-Jani"), and a closing parenthesis that holds ";"
// lists further spellings of the name before it ("حسن غول (Hassan Ghul;
// Hassan Gul)" is three names). An alias of QUALITY "Low" is "weak", any
// other "strong". Countries come from NATIONALITY and the addresses, by
// name, and a name that is not a country is left out with a warning;
// dates of birth from DATE, YEAR, FROM_YEAR and TO_YEAR; the program from
// UN_LIST_TYPE; Remarks from COMMENTS1.
//
// The file is read as a stream, a record at a time. A file cut short
// anywhere is refused: the root must be closed.
func ParseUN(name string, data []byte) (*List, error) {
	p := unParser{
		f:    listFile{FormatUN, name},
		d:    xml.NewDecoder(bytes.NewReader(data)),
		byID: make(map[string]int),
		list: &List{Name: name, Format: FormatUN},
	}
	if fault := p.f.sizeFault(data); fault != nil {
		return nil, fault
	}
	if err := p.read(); err != nil {
		return nil, err
	}
	if len(p.list.Entries) == 0 {
		return nil, p.f.fault(0, "", "the list holds no INDIVIDUAL or ENTITY records")
	}
	if w := p.countries.warning("the UN list"); w != "" {
		p.list.Warnings = append(p.list.Warnings, w)
	}
	return p.list, nil
}

// unParser holds the UN list while it is read.
type unParser struct {
	f         listFile
	d         *xml.Decoder
	list      *List
	byID      map[string]int // the line of each REFERENCE_NUMBER's record
	countries countryNames
}

// read reads the root and the records within it, then checks that
// nothing but white space, comments and processing instructions follows.
func (p *unParser) read() error {
	root, err := p.start()
	if err != nil {
		return err
	}
	if root.Name.Local != "CONSOLIDATED_LIST" {
		return p.fault(root.Name.Local, "the root element is %s, not CONSOLIDATED_LIST", root.Name.Local)
	}
	generated := ""
	for _, a := range root.Attr {
		if a.Name.Local == "dateGenerated" {
			generated = strings.TrimSpace(a.Value)
		}
	}
	published, err := time.Parse(time.RFC3339Nano, generated)
	if err != nil {
		return p.fault("dateGenerated", "the root's dateGenerated %q is not a date and time such as 2026-02-27T00:00:09.554Z", generated)
	}
	p.list.Published = published.UTC()
	for closed := false; !closed; {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "INDIVIDUALS":
				err = p.records("INDIVIDUAL", Individual)
			case "ENTITIES":
				err = p.records("ENTITY", Entity)
			default:
				err = p.d.Skip()
			}
			if err != nil {
				return p.xmlFault(err)
			}
		case xml.EndElement:
			closed = true
		}
	}
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.xmlFault(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return p.fault("", "an element follows the end of CONSOLIDATED_LIST")
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return p.fault("", "text follows the end of CONSOLIDATED_LIST")
		}
	}
}

// start returns the root element.
func (p *unParser) start() (xml.StartElement, error) {
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return xml.StartElement{}, p.fault("", "the file holds no XML element: it is empty or cut short")
		}
		if err != nil {
			return xml.StartElement{}, p.xmlFault(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, p.fault("", "text stands before the root element")
			}
		}
	}
}

// token returns the next token within the root, refusing the end of the
// file.
func (p *unParser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err == io.EOF {
		return nil, p.fault("CONSOLIDATED_LIST", "the file ends before CONSOLIDATED_LIST is closed: it is cut short")
	}
	if err != nil {
		return nil, p.xmlFault(err)
	}
	return tok, nil
}

// records reads the records of an INDIVIDUALS or ENTITIES element, each
// an element named record.
func (p *unParser) records(record string, typ EntityType) error {
	for n := 1; ; {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != record {
				return p.fault(t.Name.Local, "the element %s stands where only %s records belong", t.Name.Local, record)
			}
			line, _ := p.d.InputPos()
			var rec unRecord
			if err := p.d.DecodeElement(&rec, &t); err != nil {
				return p.xmlFault(err)
			}
			if err := p.entry(&rec, record, n, line, typ); err != nil {
				return err
			}
			n++
		case xml.EndElement:
			return nil
		}
	}
}

// entry adds the entry of the nth record of its kind, which starts at
// line.
func (p *unParser) entry(rec *unRecord, record string, n, line int, typ EntityType) error {
	at := func(field, format string, args ...any) error {
		return p.f.fault(line, record+"/"+field, "%s record %d: %s", record, n, fmt.Sprintf(format, args...))
	}
	id, detail := idClean(rec.Reference)
	if strings.TrimSpace(rec.Reference) == "" {
		return at("REFERENCE_NUMBER", "the record has no REFERENCE_NUMBER")
	}
	if detail != "" {
		return at("REFERENCE_NUMBER", "%s", detail)
	}
	if prior, dup := p.byID[id]; dup {
		return at("REFERENCE_NUMBER", "the REFERENCE_NUMBER %s is also that of the record on line %d", id, prior)
	}
	if len(p.list.Entries) == ListEntriesMax {
		return at("", "the list has more than the %d entries a list may hold", ListEntriesMax)
	}
	var parts []string
	for _, part := range []string{rec.FirstName, rec.SecondName, rec.ThirdName, rec.FourthName} {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	primary, detail := nameClean(strings.Join(parts, " "))
	if detail == "" && primary == "" {
		detail = "the record has no name in FIRST_NAME to FOURTH_NAME"
	}
	if detail != "" {
		return at("FIRST_NAME", "%s", detail)
	}
	b := newEntryBuilder(id, typ)
	b.addName(primary, false, "")
	original, detail := nameClean(rec.OriginalScript)
	if detail == "" {
		detail = b.addName(original, true, qualityOriginalScript)
	}
	if detail != "" {
		return at("NAME_ORIGINAL_SCRIPT", "%s", detail)
	}
	aliasElement := record + "_ALIAS"
	for _, alias := range append(rec.Aliases, rec.EntityAliases...) {
		quality := qualityStrong
		if strings.EqualFold(strings.TrimSpace(alias.Quality), "Low") {
			quality = qualityWeak
		}
		for _, raw := range unAliasNames(alias.Name, 0) {
			text, detail := nameClean(raw)
			if detail == "" {
				detail = b.addName(text, true, quality)
			}
			if detail != "" {
				return at(aliasElement+"/ALIAS_NAME", "%s", detail)
			}
		}
		if d := strings.TrimSpace(alias.DateOfBirth); d != "" {
			if err := p.date(b, d, unAliasDate(d), "YYYY, YYYY-MM or YYYY-MM-DD", at, aliasElement+"/DATE_OF_BIRTH"); err != nil {
				return err
			}
		}
	}
	countries := rec.Nationalities
	for _, a := range append(rec.Addresses, rec.EntityAddresses...) {
		countries = append(countries, a.Country)
	}
	for _, c := range countries {
		if detail := b.addValue(valueCountry, p.countries.code(c)); detail != "" {
			return at("NATIONALITY", "%s", detail)
		}
	}
	for _, birth := range rec.Births {
		for _, d := range []struct{ value, field, date, form string }{
			{birth.Date, "DATE", unDate(birth.Date), "YYYY-MM-DD"},
			{birth.Year, "YEAR", unYear(birth.Year), "YYYY"},
			{birth.FromYear, "FROM_YEAR", unYear(birth.FromYear), "YYYY"},
			{birth.ToYear, "TO_YEAR", unYear(birth.ToYear), "YYYY"},
		} {
			if strings.TrimSpace(d.value) == "" {
				continue
			}
			if err := p.date(b, d.value, d.date, d.form, at, "INDIVIDUAL_DATE_OF_BIRTH/"+d.field); err != nil {
				return err
			}
		}
	}
	if detail := b.addValue(valueProgram, strings.TrimSpace(rec.ListType)); detail != "" {
		return at("UN_LIST_TYPE", "%s", detail)
	}
	remarks, detail := remarksClean(rec.Comments)
	if detail != "" {
		return at("COMMENTS1", "%s", detail)
	}
	b.entry.Remarks = remarks
	p.byID[id] = line
	p.list.Entries = append(p.list.Entries, b.entry)
	return nil
}

// date adds the date of birth read from value, date being "" where value
// is not a date of the form its element takes.
func (p *unParser) date(b *entryBuilder, value, date, form string, at func(string, string, ...any) error, field string) error {
	if date == "" {
		return at(field, "%q is not a date of the form %s", strings.TrimSpace(value), form)
	}
	if detail := b.addValue(valueDateOfBirth, date); detail != "" {
		return at(field, "%s", detail)
	}
	return nil
}

// unDate returns a DATE (an XML Schema date, YYYY-MM-DD with an optional
// time zone the date does not depend on) as YYYY-MM-DD, or "".
func unDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return ""
	}
	day, zone := s[:10], s[10:]
	if zone != "" && zone != "Z" {
		if _, err := time.Parse("-07:00", zone); err != nil {
			return ""
		}
	}
	if !dateOfBirthValid(day) {
		return ""
	}
	return day
}

// unAliasDate returns the DATE_OF_BIRTH of an alias, which the UN gives
// as a DATE or a year ("1955"), as YYYY-MM-DD, YYYY-MM or YYYY, or "".
func unAliasDate(s string) string {
	if s = strings.TrimSpace(s); dateOfBirthValid(s) {
		return s
	}
	return unDate(s)
}

// unYear returns a YEAR, FROM_YEAR or TO_YEAR as YYYY, or "".
func unYear(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 4 || !dateOfBirthValid(s) {
		return ""
	}
	return s
}

// unAliasNames splits an ALIAS_NAME into the names it packs, at depth
// levels of parentheses below the ALIAS_NAME itself.
//
// The UN separates spellings with ";", at the top ("Azim Adhajani; Azim
// Agha-Jani") and inside a closing parenthesis after an original-script
// name ("حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)"). A parenthesis
// without ";" is part of the name ("Jin Tiesan (金铁三)", "Al-Qaida in Yemen
// (AQY)") and is kept.
func unAliasNames(s string, depth int) []string {
	var names []string
	for _, piece := range unSplitTop(s) {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		if open := unOpening(piece); open >= 0 && depth < unAliasDepthMax {
			inner := piece[open+1 : len(piece)-1]
			// "Amir Khazmat (original script: Амир Хазмат)" is two
			// spellings of one name.
			if rest, ok := cutPrefixFold(strings.TrimSpace(inner), unOriginalScript); ok {
				names = append(names, unAliasNames(piece[:open], depth+1)...)
				names = append(names, unAliasNames(rest, depth+1)...)
				continue
			}
			if len(unSplitTop(inner)) > 1 {
				names = append(names, unAliasNames(piece[:open], depth+1)...)
				names = append(names, unAliasNames(inner, depth+1)...)
				continue
			}
		}
		names = append(names, piece)
	}
	return names
}

// unOriginalScript introduces, inside an alias's parentheses, the same
// name in the script it is written in.
const unOriginalScript = "original script:"

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// unSplitTop splits s at each ";" outside parentheses, or at every ";"
// where the parentheses of s do not balance, as in "Mohammad Sabet b) M.
// Javad Kareemi Sabet".
func unSplitTop(s string) []string {
	var pieces []string
	depth, start, balanced := 0, 0, true
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				balanced = false
			} else {
				depth--
			}
		case ';':
			if depth == 0 {
				pieces = append(pieces, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 || !balanced {
		return strings.Split(s, ";")
	}
	return append(pieces, s[start:])
}

// unOpening returns the index of the "(" that the ")" ending s closes, or
// -1 if s does not end with ")".
func unOpening(s string) int {
	if !strings.HasSuffix(s, ")") {
		return -1
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// fault returns the ParseError for a rule broken at the decoder's place.
func (p *unParser) fault(field, format string, args ...any) error {
	line, _ := p.d.InputPos()
	return p.f.fault(line, field, format, args...)
}

// xmlFault returns the ParseError for an error of the XML decoder.
func (p *unParser) xmlFault(err error) error {
	var syntax *xml.SyntaxError
	if errors.As(err, &syntax) {
		return p.f.fault(syntax.Line, "", "the XML is malformed or cut short: %s", syntax.Msg)
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	return p.fault("", "the XML cannot be read: %v", err)
}
