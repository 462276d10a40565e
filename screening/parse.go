package screening

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The formats a list file comes in, as Parse takes them and List.Format
// reports them.
const (
	FormatOFAC = "ofac-csv" // OFAC's SDN CSV set: sdn.csv, alt.csv, add.csv, sdn_comments.csv
	FormatUN   = "un-xml"   // the UN Security Council consolidated list
	FormatCSV  = "csv"      // Astara's simple CSV for national and internal lists (see ParseCSV)
)

// Limits on a list file. A file past any of them is refused whole: the
// limits are far above what the published lists hold, so a file that
// crosses one is broken or hostile, and screening against part of it
// would be worse than keeping the version already loaded.
const (
	// ListFileBytesMax bounds one file: an OFAC CSV, the UN XML, an
	// operator's CSV, a ZIP archive, and each file inside the archive once
	// uncompressed. The UN list and OFAC's sdn.csv are a few megabytes.
	ListFileBytesMax = 64 << 20
	// ListEntriesMax bounds the entries of one list; OFAC's SDN list holds
	// under 20,000 and the UN list about 1,000.
	ListEntriesMax = 100_000
	// NamesPerEntryMax bounds the names (primary and aliases) of one
	// entry; the largest entry of the UN list has about 30.
	NamesPerEntryMax = 500
	// NameLenMax bounds one name, in bytes of UTF-8.
	NameLenMax = 1024
	// IDLenMax bounds an entry's id, in bytes of UTF-8.
	IDLenMax = 64
	// ValuesPerEntryMax bounds each of an entry's countries, dates of
	// birth and programs.
	ValuesPerEntryMax = 200
	// ProgramLenMax bounds one program's name, in bytes of UTF-8; OFAC's
	// longest are about 20.
	ProgramLenMax = 128
	// RemarksLenMax bounds an entry's remarks, in bytes of UTF-8.
	RemarksLenMax = 64 << 10
	// ArchiveFilesMax bounds the files of an OFAC ZIP archive, which holds
	// four.
	ArchiveFilesMax = 64
)

// ErrFormatUnknown is returned by Parse for a format that is none of
// FormatOFAC, FormatUN and FormatCSV: a mistake of the caller, not of the
// file.
var ErrFormatUnknown = errors.New("screening: unknown list format")

// ParseError reports a list file that is malformed or cut short. Any
// ParseError means that no List was returned: a list is taken whole or not
// at all, so that screening never runs against part of a list while
// believing it has all of it.
type ParseError struct {
	Format string // FormatOFAC, FormatUN or FormatCSV
	// File is the file at fault: within an OFAC set "sdn.csv", "alt.csv",
	// "add.csv", "sdn_comments.csv" or "ZIP archive"; for the formats of
	// one file, the list's name as given to Parse.
	File   string
	Line   int    // 1-based line of the fault, 0 if unknown
	Field  string // the column or XML element at fault, "" if the fault is not in one
	Detail string // the rule broken, as a sentence
}

// Error returns the fault with its place, as in
// "screening: ofac-csv sdn.csv line 3, SDN_Type: ...".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("screening: ")
	b.WriteString(e.Format)
	if e.File != "" {
		b.WriteString(" ")
		b.WriteString(e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(", ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	return b.String()
}

// Parse reads a list file in one of the formats and returns the list
// named name. For FormatOFAC, data is either a ZIP archive holding
// sdn.csv and, optionally, alt.csv, add.csv and sdn_comments.csv, or a
// bare sdn.csv; see ParseOFAC, ParseUN and ParseCSV for the rules of
// each format. Every fault of the file is a *ParseError.
func Parse(format, name string, data []byte) (*List, error) {
	switch format {
	case FormatOFAC:
		if !bytes.HasPrefix(data, []byte(zipMagic)) {
			if data == nil {
				data = []byte{} // given, though empty
			}
			return ParseOFAC(name, OFACFiles{SDN: data})
		}
		files, warnings, err := ofacArchive(data)
		if err != nil {
			return nil, err
		}
		list, err := ParseOFAC(name, files)
		if err != nil {
			return nil, err
		}
		list.Warnings = append(list.Warnings, warnings...)
		return list, nil
	case FormatUN:
		return ParseUN(name, data)
	case FormatCSV:
		return ParseCSV(name, data)
	}
	return nil, fmt.Errorf("%w %q: want %q, %q or %q", ErrFormatUnknown, format, FormatOFAC, FormatUN, FormatCSV)
}

// listFile names one file being read, so that each fault found in it
// becomes a ParseError with its place.
type listFile struct {
	format, file string
}

// fault returns the ParseError for a rule broken at line in field.
func (f listFile) fault(line int, field, format string, args ...any) *ParseError {
	return &ParseError{Format: f.format, File: f.file, Line: line, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// sizeFault returns the ParseError for data past ListFileBytesMax, or nil.
func (f listFile) sizeFault(data []byte) *ParseError {
	if len(data) > ListFileBytesMax {
		return f.fault(0, "", "the file is %d bytes, more than the %d bytes a list file may hold", len(data), ListFileBytesMax)
	}
	return nil
}

// utf8Fault returns the ParseError for the first byte of data that is not
// UTF-8, or nil.
func (f listFile) utf8Fault(data []byte) *ParseError {
	if utf8.Valid(data) {
		return nil
	}
	at := 0
	for at < len(data) {
		r, n := utf8.DecodeRune(data[at:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		at += n
	}
	return f.fault(1+bytes.Count(data[:at], []byte("\n")), "", "byte %d (0x%02X) is not UTF-8: the file must be UTF-8", at+1, data[at])
}

// nameClean returns a name as a list spells it with its edges trimmed and
// each run of white space made one space: lists pad and wrap names, and
// two spellings that differ only in spacing are one name. The second
// result is the rule the name breaks, or "".
func nameClean(raw string) (string, string) {
	name := strings.Join(strings.Fields(raw), " ")
	if len(name) > NameLenMax {
		return "", fmt.Sprintf("the name is %d bytes, more than the %d bytes a name may hold", len(name), NameLenMax)
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		return "", fmt.Sprintf("the name holds the control character %U", []rune(name[i:])[0])
	}
	return name, ""
}

// idClean returns an entry's id trimmed, and the rule it breaks or "".
func idClean(raw string) (string, string) {
	id := strings.TrimSpace(raw)
	switch {
	case id == "":
		return "", "the id is empty"
	case len(id) > IDLenMax:
		return "", fmt.Sprintf("the id is %d bytes, more than the %d bytes an id may hold", len(id), IDLenMax)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", fmt.Sprintf("the id %q holds a space or a control character", id)
	}
	return id, ""
}

// remarksClean returns remarks trimmed, and the rule they break or "".
func remarksClean(raw string) (string, string) {
	remarks := strings.TrimSpace(raw)
	if len(remarks) > RemarksLenMax {
		return "", fmt.Sprintf("the remarks are %d bytes, more than the %d bytes remarks may hold", len(remarks), RemarksLenMax)
	}
	return remarks, ""
}

// dateOfBirthValid reports whether s is YYYY, YYYY-MM or YYYY-MM-DD and a
// day of the calendar.
func dateOfBirthValid(s string) bool {
	layout := ""
	switch len(s) {
	case 4:
		layout = "2006"
	case 7:
		layout = "2006-01"
	case 10:
		layout = "2006-01-02"
	default:
		return false
	}
	_, err := time.Parse(layout, s)
	return err == nil
}

// digitsOnly reports whether s is a non-empty run of ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// entryBuilder assembles one Entry, keeping each of its names, countries,
// dates and programs once and each within its limit.
type entryBuilder struct {
	entry Entry
	// names holds the names so far, folded to lower case: "HESA" in the
	// remarks and "Hesa" in alt.csv are one name, and the first spelling
	// is kept, the primary or strong one.
	names map[string]bool
	// values holds the countries, dates and programs so far, each under
	// its kind.
	values map[string]bool
}

// newEntryBuilder starts an entry with its id and type.
func newEntryBuilder(id string, typ EntityType) *entryBuilder {
	return &entryBuilder{
		entry:  Entry{ID: id, Type: typ},
		names:  make(map[string]bool),
		values: make(map[string]bool),
	}
}

// addName adds a cleaned name once and returns the rule broken, or "".
// The first name added is the primary one.
func (b *entryBuilder) addName(text string, alias bool, quality string) string {
	if text == "" {
		return ""
	}
	key := strings.ToLower(text)
	if b.names[key] {
		return ""
	}
	if len(b.entry.Names) == NamesPerEntryMax {
		return fmt.Sprintf("the entry has more than the %d names an entry may hold", NamesPerEntryMax)
	}
	b.names[key] = true
	b.entry.Names = append(b.entry.Names, Name{Text: text, Alias: alias, Quality: quality})
	return ""
}

// The kinds of value an entryBuilder keeps, as its rules name them.
const (
	valueCountry     = "countries"
	valueDateOfBirth = "dates of birth"
	valueProgram     = "programs"
)

// addValue adds a country, date of birth or program once and returns the
// rule broken, or "".
func (b *entryBuilder) addValue(kind, value string) string {
	if kind == valueProgram {
		value = strings.Join(strings.Fields(value), " ")
		if len(value) > ProgramLenMax {
			return fmt.Sprintf("the program is %d bytes, more than the %d bytes a program may hold", len(value), ProgramLenMax)
		}
		if i := strings.IndexFunc(value, unicode.IsControl); i >= 0 {
			return fmt.Sprintf("the program holds the control character %U", []rune(value[i:])[0])
		}
	}
	if value == "" || b.values[kind+"\x00"+value] {
		return ""
	}
	var values *[]string
	switch kind {
	case valueCountry:
		values = &b.entry.Countries
	case valueDateOfBirth:
		values = &b.entry.DatesOfBirth
	default:
		values = &b.entry.Programs
	}
	if len(*values) == ValuesPerEntryMax {
		return fmt.Sprintf("the entry has more than the %d %s an entry may hold", ValuesPerEntryMax, kind)
	}
	b.values[kind+"\x00"+value] = true
	*values = append(*values, value)
	return ""
}

// countryNames gathers the country names of a file that are not in the
// country table, so that one warning can name them all.
type countryNames struct {
	unknown map[string]bool
}

// code returns the code of a country name, "" for an empty name or one
// the table does not hold, which it remembers.
func (c *countryNames) code(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return ""
	}
	code, ok := countryCode(name)
	if !ok {
		if c.unknown == nil {
			c.unknown = make(map[string]bool)
		}
		c.unknown[name] = true
	}
	return code
}

// countryNamesShownMax bounds the unknown names one warning quotes.
const countryNamesShownMax = 10

// warning returns the sentence for the unknown names found in source
// ("the UN list"), or "".
func (c *countryNames) warning(source string) string {
	if len(c.unknown) == 0 {
		return ""
	}
	names := make([]string, 0, len(c.unknown))
	for n := range c.unknown {
		names = append(names, strconv.Quote(n))
	}
	slices.Sort(names)
	more := ""
	if len(names) > countryNamesShownMax {
		more = fmt.Sprintf(" and %d more", len(names)-countryNamesShownMax)
		names = names[:countryNamesShownMax]
	}
	return fmt.Sprintf("%d country names in %s are not ISO 3166 countries (%s%s); no country code was recorded for them.",
		len(c.unknown), source, strings.Join(names, ", "), more)
}

// byteOrderMark is the UTF-8 byte order mark spreadsheet programs write at
// the start of a CSV file; it is not part of the first field.
const byteOrderMark = "\uFEFF"

// csvReader reads the rows of one CSV file and places its faults.
type csvReader struct {
	f listFile
	r *csv.Reader
	// lineFirst is the line of the file that the reader's first line is:
	// ParseCSV reads its "# published" line itself.
	lineFirst int
}

// newCSVReader returns a reader of data, a file whose line lineFirst+1
// is data's first line.
func newCSVReader(f listFile, data []byte, lineFirst int) *csvReader {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // counted by row, to name the columns
	return &csvReader{f: f, r: r, lineFirst: lineFirst}
}

// next returns the next row, or nil at the end of the file.
func (c *csvReader) next() ([]string, error) {
	row, err := c.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, c.f.fault(0, "", "the file cannot be read: %v", err)
		}
		detail := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			detail = "a quoted field is not closed where it should be: the file is malformed or cut short"
		case errors.Is(pe.Err, csv.ErrBareQuote):
			detail = "a quote (\") stands inside a field that does not start with one; quote the whole field and double the quotes within it"
		}
		return nil, c.f.fault(c.lineFirst+pe.Line, "", "%s", detail)
	}
	return row, nil
}

// row returns the next row, checked to have one field for each of
// columns, or nil at the end of the file.
func (c *csvReader) row(columns []string) ([]string, error) {
	row, err := c.next()
	if err != nil || row == nil {
		return nil, err
	}
	if len(row) != len(columns) {
		return nil, c.fault(0, "", "the row has %d fields where the file's rows have %d (%s)", len(row), len(columns), strings.Join(columns, ", "))
	}
	return row, nil
}

// line returns the line on which field i of the row last read starts.
func (c *csvReader) line(i int) int {
	line, _ := c.r.FieldPos(i)
	return c.lineFirst + line
}

// fault returns the ParseError for field i of the row last read, in
// column.
func (c *csvReader) fault(i int, column, format string, args ...any) *ParseError {
	return c.f.fault(c.line(i), column, format, args...)
}
