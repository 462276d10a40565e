package screening

import (
	"bytes"
	"strings"
	"time"
)

// The columns of Astara's CSV format.
const (
	csvColumnID           = "id"
	csvColumnName         = "name"
	csvColumnType         = "type"
	csvColumnAliases      = "aliases"
	csvColumnCountries    = "countries"
	csvColumnDatesOfBirth = "dates_of_birth"
	csvColumnPrograms     = "programs"
	csvColumnRemarks      = "remarks"
)

// csvColumns are the columns of Astara's CSV format, in the order its
// documentation gives them.
var csvColumns = []string{
	csvColumnID, csvColumnName, csvColumnType, csvColumnAliases,
	csvColumnCountries, csvColumnDatesOfBirth, csvColumnPrograms, csvColumnRemarks,
}

// csvColumnsRequired are the columns a file must have.
var csvColumnsRequired = []string{csvColumnID, csvColumnName, csvColumnType}

// ParseCSV reads a list in Astara's CSV format, the format in which an
// operator loads a national or internal list, and returns the list named
// name.
//
// The file is UTF-8 (a leading byte order mark is ignored), in the CSV of
// RFC 4180: fields separated by commas, a field holding a comma, a quote
// or a line break enclosed in double quotes, a quote within one doubled.
// Lines end with LF or CRLF, and the last line must end with one too, so
// that a file cut short mid-line is refused (a file cut at a line break
// cannot be told from a shorter list). Blank lines are skipped.
//
// The first line may be
//
//	# published: 2026-03-01
//
// which sets the list's Published date (UTC midnight); a first line that
// starts with "#" and is not of that form is refused.
//
// The next line is the header: the names of the columns, in any order,
// in any case. The columns are:
//
//	id              required: the entry's id, unique in the file, at most
//	                IDLenMax bytes, without spaces
//	name            required: the primary name, as the list spells it
//	type            required: individual or entity (a company,
//	                organisation, vessel or aircraft), in any case; it has
//	                no default, so that a person is never screened as a
//	                company because a cell was left empty
//	aliases         other names, separated by ";"
//	countries       ISO 3166 alpha-2 codes (XK for Kosovo), separated by
//	                ";", in any case
//	dates_of_birth  YYYY, YYYY-MM or YYYY-MM-DD, real days of the calendar,
//	                separated by ";"; only for an individual
//	programs        the sanctions programmes or list types, separated by ";"
//	remarks         free text for the operator who reviews a hit
//
// A column that is none of these is refused, so that a misspelt column is
// not silently ignored; so is a column given twice. Every row has one
// field for each column of the header. Values are trimmed, and each run
// of white space within a name is made one space; empty items of a ";"
// list are skipped. Any fault is a *ParseError naming the line and column
// and the rule broken, and no list is returned.
func ParseCSV(name string, data []byte) (*List, error) {
	f := listFile{FormatCSV, name}
	if fault := f.sizeFault(data); fault != nil {
		return nil, fault
	}
	data = bytes.TrimPrefix(data, []byte(byteOrderMark))
	if fault := f.utf8Fault(data); fault != nil {
		return nil, fault
	}
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		return nil, f.fault(1+bytes.Count(data, []byte("\n")), "", "the file does not end with a line break: it is cut short")
	}
	list := &List{Name: name, Format: FormatCSV, Entries: []Entry{}}
	lineFirst := 0
	if bytes.HasPrefix(data, []byte("#")) {
		first, rest, _ := bytes.Cut(data, []byte("\n"))
		published, ok := csvPublished(string(first))
		if !ok {
			return nil, f.fault(1, "published", "the first line starts with \"#\" but is not of the form \"# published: YYYY-MM-DD\"")
		}
		list.Published, data, lineFirst = published, rest, 1
	}
	r := newCSVReader(f, data, lineFirst)
	header, err := r.next()
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, f.fault(lineFirst+1, "", "the file has no header row")
	}
	index := make(map[string]int, len(header))
	for i, column := range header {
		column = strings.ToLower(strings.TrimSpace(column))
		known := false
		for _, c := range csvColumns {
			known = known || c == column
		}
		if !known {
			return nil, r.fault(i, column, "the column %q is none of %s", column, strings.Join(csvColumns, ", "))
		}
		if _, dup := index[column]; dup {
			return nil, r.fault(i, column, "the column %s is given twice", column)
		}
		index[column] = i
		header[i] = column
	}
	for _, c := range csvColumnsRequired {
		if _, ok := index[c]; !ok {
			return nil, r.fault(0, c, "the header has no %s column, which is required", c)
		}
	}
	lines := make(map[string]int)
	for {
		row, err := r.row(header)
		if err != nil {
			return nil, err
		}
		if row == nil {
			return list, nil
		}
		if len(list.Entries) == ListEntriesMax {
			return nil, r.fault(0, "", "the list has more than the %d entries a list may hold", ListEntriesMax)
		}
		entry, err := csvEntry(r, row, index)
		if err != nil {
			return nil, err
		}
		if prior, dup := lines[entry.ID]; dup {
			return nil, r.fault(index[csvColumnID], csvColumnID, "the id %s is also that of the entry on line %d", entry.ID, prior)
		}
		lines[entry.ID] = r.line(index[csvColumnID])
		list.Entries = append(list.Entries, entry)
	}
}

// csvPublished reads the "# published: YYYY-MM-DD" line.
func csvPublished(line string) (time.Time, bool) {
	key, value, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "#"), ":")
	if !ok || strings.ToLower(strings.TrimSpace(key)) != "published" {
		return time.Time{}, false
	}
	value = strings.TrimSpace(value)
	t, err := time.Parse("2006-01-02", value)
	if err != nil || len(value) != len("2006-01-02") {
		return time.Time{}, false
	}
	return t, true
}

// csvEntry returns the entry of one row.
func csvEntry(r *csvReader, row []string, index map[string]int) (Entry, error) {
	field := func(column string) string {
		if i, ok := index[column]; ok {
			return row[i]
		}
		return ""
	}
	fault := func(column, format string, args ...any) error {
		return r.fault(index[column], column, format, args...)
	}
	id, detail := idClean(field(csvColumnID))
	if detail != "" {
		return Entry{}, fault(csvColumnID, "%s", detail)
	}
	var typ EntityType
	switch t := strings.ToLower(strings.TrimSpace(field(csvColumnType))); t {
	case string(Individual):
		typ = Individual
	case string(Entity):
		typ = Entity
	default:
		return Entry{}, fault(csvColumnType, "the type %q is neither individual nor entity", t)
	}
	b := newEntryBuilder(id, typ)
	primary, detail := nameClean(field(csvColumnName))
	if detail == "" && primary == "" {
		detail = "the name is empty"
	}
	if detail != "" {
		return Entry{}, fault(csvColumnName, "%s", detail)
	}
	b.addName(primary, false, "")
	for _, raw := range strings.Split(field(csvColumnAliases), ";") {
		alias, detail := nameClean(raw)
		if detail == "" {
			detail = b.addName(alias, true, "")
		}
		if detail != "" {
			return Entry{}, fault(csvColumnAliases, "%s", detail)
		}
	}
	for _, raw := range strings.Split(field(csvColumnCountries), ";") {
		code := strings.ToUpper(strings.TrimSpace(raw))
		if code != "" && !countryCodeKnown(code) {
			return Entry{}, fault(csvColumnCountries, "%q is not an ISO 3166 alpha-2 country code", code)
		}
		if detail := b.addValue(valueCountry, code); detail != "" {
			return Entry{}, fault(csvColumnCountries, "%s", detail)
		}
	}
	for _, raw := range strings.Split(field(csvColumnDatesOfBirth), ";") {
		date := strings.TrimSpace(raw)
		switch {
		case date == "":
			continue
		case typ != Individual:
			return Entry{}, fault(csvColumnDatesOfBirth, "the entry is an entity, which has no date of birth")
		case !dateOfBirthValid(date):
			return Entry{}, fault(csvColumnDatesOfBirth, "%q is not a day, month or year of the form YYYY-MM-DD, YYYY-MM or YYYY", date)
		}
		if detail := b.addValue(valueDateOfBirth, date); detail != "" {
			return Entry{}, fault(csvColumnDatesOfBirth, "%s", detail)
		}
	}
	for _, raw := range strings.Split(field(csvColumnPrograms), ";") {
		if detail := b.addValue(valueProgram, strings.TrimSpace(raw)); detail != "" {
			return Entry{}, fault(csvColumnPrograms, "%s", detail)
		}
	}
	remarks, detail := remarksClean(field(csvColumnRemarks))
	if detail != "" {
		return Entry{}, fault(csvColumnRemarks, "%s", detail)
	}
	b.entry.Remarks = remarks
	return b.entry, nil
}
