package screening

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// zipMagic opens every ZIP archive: a local file header.
const zipMagic = "PK\x03\x04"

// The files of OFAC's CSV set, as OFAC names them.
const (
	ofacFileSDN      = "sdn.csv"
	ofacFileAlt      = "alt.csv"
	ofacFileAdd      = "add.csv"
	ofacFileComments = "sdn_comments.csv"
)

// The columns of each file of the set, in OFAC's order; OFAC's CSV files
// have no header row, so these names are for the faults only.
var (
	ofacColumnsSDN = []string{"ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
		"Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks"}
	ofacColumnsAlt      = []string{"ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"}
	ofacColumnsAdd      = []string{"ent_num", "add_num", "address", "city/state/postal", "country", "add_remarks"}
	ofacColumnsComments = []string{"ent_num", "remarks"}
)

// The Alias qualities the OFAC reader gives. OFAC publishes its strong
// aliases in alt.csv and its weak ones ("nicknames, noms-de-guerre and
// unusually common acronyms", which it does not expect to be screened
// alone) only in the Remarks of sdn.csv, as "a.k.a. 'HESA'".
const (
	qualityStrong = "strong"
	qualityWeak   = "weak"
)

// OFACFiles holds the files of one OFAC SDN CSV set, as published. SDN is
// required; a nil Alt, Add or Comments is a file not given, whose data the
// list then lacks.
type OFACFiles struct {
	SDN      []byte // sdn.csv: one row per entry
	Alt      []byte // alt.csv: the entries' strong aliases
	Add      []byte // add.csv: the entries' addresses
	Comments []byte // sdn_comments.csv: the rest of Remarks past OFAC's 1,000 characters
}

// ParseOFAC reads OFAC's SDN list in its CSV form and returns the list
// named name, with no Published date: OFAC's CSV files do not carry one.
//
// The files have no header row, are UTF-8 or, where they are not,
// Windows-1252, write an empty field as "-0-", and may end with the byte
// 0x1A. Each file must end with a line break or with that byte, so that a
// file cut short mid-line is refused; a file cut at a line break cannot be
// told from a shorter one.
//
// From sdn.csv come the id (ent_num, a number, unique), the primary name,
// the type ("individual" is Individual; "vessel", "aircraft" and "-0-"
// are Entity), the programs ("SDGT] [IFSR" is SDGT and IFSR), the vessel's
// flag as a country and the Remarks. Remarks, with the continuation from
// sdn_comments.csv appended as it is (OFAC cuts Remarks mid-word at 1,000
// characters), also give the dates of birth ("DOB 28 Jul 1963", "DOB Jul
// 1963", "DOB circa 1960", "DOB 01 Jan 1960 to 31 Dec 1962", which keeps
// both ends), the countries of "nationality Iran" and "citizen Russia",
// and the weak aliases "a.k.a. 'X'". alt.csv gives strong aliases of
// types aka, fka and nka; add.csv gives address countries. A row of
// alt.csv, add.csv or sdn_comments.csv whose ent_num is not in sdn.csv is
// skipped with a warning.
func ParseOFAC(name string, files OFACFiles) (*List, error) {
	if files.SDN == nil {
		return nil, listFile{FormatOFAC, ofacFileSDN}.fault(0, "", "sdn.csv is required and was not given")
	}
	p := ofacParser{byID: make(map[string]*ofacRecord)}
	if err := p.readSDN(files.SDN); err != nil {
		return nil, err
	}
	for _, step := range []struct {
		file string
		data []byte
		read func(*csvReader, []string, *ofacRecord) error
	}{
		{ofacFileAlt, files.Alt, p.readAlt},
		{ofacFileAdd, files.Add, p.readAdd},
		{ofacFileComments, files.Comments, p.readComments},
	} {
		if step.data == nil {
			continue
		}
		if err := p.readJoined(step.file, step.data, step.read); err != nil {
			return nil, err
		}
	}
	list := &List{Name: name, Format: FormatOFAC, Entries: make([]Entry, 0, len(p.records))}
	for _, rec := range p.records {
		if err := p.readRemarks(rec); err != nil {
			return nil, err
		}
		list.Entries = append(list.Entries, rec.b.entry)
	}
	list.Warnings = append(list.Warnings, p.warnings...)
	if p.datesUnread > 0 {
		list.Warnings = append(list.Warnings, fmt.Sprintf(
			"sdn.csv gives %d dates of birth in Remarks that are not of a form OFAC uses (\"DOB 28 Jul 1963\", \"DOB Jul 1963\", \"DOB 1963\", \"DOB circa 1960\", \"DOB 1960 to 1962\"); they are kept in Remarks only.",
			p.datesUnread))
	}
	if p.aliasesUnread > 0 {
		list.Warnings = append(list.Warnings, fmt.Sprintf(
			"sdn.csv gives %d aliases in Remarks without the closing quote of \"a.k.a. 'X'\"; they are kept in Remarks only.",
			p.aliasesUnread))
	}
	if w := p.countries.warning("the OFAC files"); w != "" {
		list.Warnings = append(list.Warnings, w)
	}
	return list, nil
}

// ofacRecord is one entry of sdn.csv while the other files are joined to
// it.
type ofacRecord struct {
	b       *entryBuilder
	line    int    // of the row in sdn.csv, for the faults found in Remarks
	remarks string // as sdn.csv and sdn_comments.csv give them
}

// ofacParser holds the entries of one OFAC set while it is read.
type ofacParser struct {
	records       []*ofacRecord
	byID          map[string]*ofacRecord
	countries     countryNames
	warnings      []string
	datesUnread   int
	aliasesUnread int
}

// readSDN reads sdn.csv into the parser's records.
func (p *ofacParser) readSDN(data []byte) error {
	r, err := newOFACReader(ofacFileSDN, data)
	if err != nil {
		return err
	}
	for {
		row, err := r.row(ofacColumnsSDN)
		if err != nil || row == nil {
			if err == nil && len(p.records) == 0 {
				return r.f.fault(0, "", "sdn.csv holds no entries")
			}
			return err
		}
		id, detail := idClean(row[0])
		if detail == "" && !digitsOnly(id) {
			detail = fmt.Sprintf("the ent_num %q is not a number", id)
		}
		if detail != "" {
			return r.fault(0, ofacColumnsSDN[0], "%s", detail)
		}
		if prior, dup := p.byID[id]; dup {
			return r.fault(0, ofacColumnsSDN[0], "the ent_num %s is given twice, on lines %d and %d", id, prior.line, r.line(0))
		}
		if len(p.records) == ListEntriesMax {
			return r.fault(0, "", "the list has more than the %d entries a list may hold", ListEntriesMax)
		}
		var typ EntityType
		switch t := strings.ToLower(ofacValue(row[2])); t {
		case "individual":
			typ = Individual
		case "", "vessel", "aircraft":
			typ = Entity
		default:
			return r.fault(2, ofacColumnsSDN[2], "the type %q is none of individual, vessel, aircraft and -0-", t)
		}
		b := newEntryBuilder(id, typ)
		primary, detail := nameClean(ofacValue(row[1]))
		if detail == "" && primary == "" {
			detail = "the entry has no name"
		}
		if detail != "" {
			return r.fault(1, ofacColumnsSDN[1], "%s", detail)
		}
		b.addName(primary, false, "")
		for _, program := range strings.Split(ofacValue(row[3]), "]") {
			if detail := b.addValue(valueProgram, strings.Trim(program, "[] ")); detail != "" {
				return r.fault(3, ofacColumnsSDN[3], "%s", detail)
			}
		}
		if detail := b.addValue(valueCountry, p.countries.code(ofacValue(row[9]))); detail != "" {
			return r.fault(9, ofacColumnsSDN[9], "%s", detail)
		}
		rec := &ofacRecord{b: b, line: r.line(0), remarks: ofacValue(row[11])}
		p.records = append(p.records, rec)
		p.byID[id] = rec
	}
}

// readJoined reads a file whose rows belong to the entries of sdn.csv by
// their first column, ent_num, handing each row to read with its entry.
func (p *ofacParser) readJoined(file string, data []byte, read func(*csvReader, []string, *ofacRecord) error) error {
	columns := map[string][]string{ofacFileAlt: ofacColumnsAlt, ofacFileAdd: ofacColumnsAdd, ofacFileComments: ofacColumnsComments}[file]
	r, err := newOFACReader(file, data)
	if err != nil {
		return err
	}
	orphans := 0
	for {
		row, err := r.row(columns)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		id := strings.TrimSpace(row[0])
		if !digitsOnly(id) {
			return r.fault(0, columns[0], "the ent_num %q is not a number", id)
		}
		rec := p.byID[id]
		if rec == nil {
			orphans++
			continue
		}
		if err := read(r, row, rec); err != nil {
			return err
		}
	}
	if orphans > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf(
			"%s: %d rows were skipped because their ent_num is not an entry of sdn.csv.", file, orphans))
	}
	return nil
}

// readAlt adds the alias of one row of alt.csv.
func (p *ofacParser) readAlt(r *csvReader, row []string, rec *ofacRecord) error {
	switch t := strings.ToLower(ofacValue(row[2])); t {
	case "aka", "fka", "nka":
	default:
		return r.fault(2, ofacColumnsAlt[2], "the alias type %q is none of aka, fka and nka", t)
	}
	alias, detail := nameClean(ofacValue(row[3]))
	if detail == "" && alias == "" {
		detail = "the alias is empty"
	}
	if detail != "" {
		return r.fault(3, ofacColumnsAlt[3], "%s", detail)
	}
	if detail := rec.b.addName(alias, true, qualityStrong); detail != "" {
		return r.fault(3, ofacColumnsAlt[3], "%s", detail)
	}
	return nil
}

// readAdd adds the country of one row of add.csv.
func (p *ofacParser) readAdd(r *csvReader, row []string, rec *ofacRecord) error {
	if detail := rec.b.addValue(valueCountry, p.countries.code(ofacValue(row[4]))); detail != "" {
		return r.fault(4, ofacColumnsAdd[4], "%s", detail)
	}
	return nil
}

// readComments appends one row of sdn_comments.csv to the entry's
// Remarks, without a separator: OFAC cuts Remarks at 1,000 characters,
// mid-word as often as not, and carries the rest on here.
func (p *ofacParser) readComments(r *csvReader, row []string, rec *ofacRecord) error {
	rec.remarks += ofacValue(row[1])
	if len(rec.remarks) > RemarksLenMax {
		return r.fault(1, ofacColumnsComments[1], "the remarks of ent_num %s are more than the %d bytes remarks may hold", rec.b.entry.ID, RemarksLenMax)
	}
	return nil
}

// readRemarks sets the entry's Remarks and adds what they give: dates of
// birth, countries of nationality and citizenship, and weak aliases.
func (p *ofacParser) readRemarks(rec *ofacRecord) error {
	f := listFile{FormatOFAC, ofacFileSDN}
	remarks, detail := remarksClean(rec.remarks)
	if detail != "" {
		return f.fault(rec.line, ofacColumnsSDN[11], "%s", detail)
	}
	rec.b.entry.Remarks = remarks
	for _, part := range strings.Split(remarks, ";") {
		part = strings.TrimSuffix(strings.TrimSpace(part), ".")
		part = strings.TrimPrefix(part, "alt. ")
		kind, value := "", ""
		switch {
		case strings.HasPrefix(part, "DOB "):
			dates, ok := ofacDates(strings.TrimPrefix(part, "DOB "))
			if !ok {
				p.datesUnread++
			}
			for _, d := range dates {
				if detail := rec.b.addValue(valueDateOfBirth, d); detail != "" {
					return f.fault(rec.line, ofacColumnsSDN[11], "%s", detail)
				}
			}
			continue
		case strings.HasPrefix(part, "nationality "), strings.HasPrefix(part, "citizen "):
			_, country, _ := strings.Cut(part, " ")
			kind, value = valueCountry, p.countries.code(country)
		case strings.HasPrefix(part, "a.k.a. '"), strings.HasPrefix(part, "f.k.a. '"), strings.HasPrefix(part, "n.k.a. '"):
			quoted := part[len("a.k.a. '"):]
			end := strings.LastIndexByte(quoted, '\'')
			if end < 0 {
				p.aliasesUnread++
				continue
			}
			alias, detail := nameClean(quoted[:end])
			if detail == "" {
				detail = rec.b.addName(alias, true, qualityWeak)
			}
			if detail != "" {
				return f.fault(rec.line, ofacColumnsSDN[11], "%s", detail)
			}
			continue
		default:
			continue
		}
		if detail := rec.b.addValue(kind, value); detail != "" {
			return f.fault(rec.line, ofacColumnsSDN[11], "%s", detail)
		}
	}
	return nil
}

// ofacDates reads the date or range of a "DOB" remark, each end as
// precise as OFAC gives it, and reports whether it could.
func ofacDates(s string) ([]string, bool) {
	var dates []string
	for _, end := range strings.Split(s, " to ") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(end), "circa "))
		var layout, form string
		switch len(fields) {
		case 1:
			layout, form = "2006", "2006"
		case 2:
			layout, form = "Jan 2006", "2006-01"
		case 3:
			layout, form = "2 Jan 2006", "2006-01-02"
		default:
			return nil, false
		}
		t, err := time.Parse(layout, strings.Join(fields, " "))
		if err != nil {
			return nil, false
		}
		dates = append(dates, t.Format(form))
	}
	return dates, true
}

// ofacValue returns a field trimmed, and "" for OFAC's empty mark "-0-".
func ofacValue(field string) string {
	field = strings.TrimSpace(field)
	if field == "-0-" {
		return ""
	}
	return field
}

// newOFACReader checks that an OFAC file is whole and readable and returns
// a reader of its rows.
func newOFACReader(file string, data []byte) (*csvReader, error) {
	f := listFile{FormatOFAC, file}
	if fault := f.sizeFault(data); fault != nil {
		return nil, fault
	}
	// OFAC's files may close with the DOS end-of-file byte 0x1A, with or
	// without a line break after it; it closes the file as a line break
	// would.
	whole := len(data) == 0 || bytes.HasSuffix(data, []byte("\n"))
	if body := bytes.TrimRight(data, "\r\n"); bytes.HasSuffix(body, []byte{0x1A}) {
		data, whole = bytes.TrimRight(body, "\x1a"), true
	}
	if !whole {
		return nil, f.fault(1+bytes.Count(data, []byte("\n")), "", "the file does not end with a line break: it is cut short")
	}
	data = bytes.TrimPrefix(data, []byte(byteOrderMark))
	if f.utf8Fault(data) != nil {
		// Not UTF-8, so the Windows code page OFAC's files have long
		// been written in; it gives every byte a character.
		decoded, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, f.fault(0, "", "the file is neither UTF-8 nor Windows-1252: %v", err)
		}
		data = decoded
	}
	return newCSVReader(f, data, 0), nil
}

// ofacArchive returns the OFAC files a ZIP archive holds, found by their
// names in any case and in any folder, with a warning naming the files it
// holds besides.
func ofacArchive(data []byte) (OFACFiles, []string, error) {
	var files OFACFiles
	f := listFile{FormatOFAC, "ZIP archive"}
	if fault := f.sizeFault(data); fault != nil {
		return files, nil, fault
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// An insecure path ("../sdn.csv") does no harm here: nothing is
		// written, and only the base name is read.
		return files, nil, f.fault(0, "", "the archive cannot be read (%v): it is malformed or cut short", err)
	}
	if len(zr.File) > ArchiveFilesMax {
		return files, nil, f.fault(0, "", "the archive holds %d files, more than the %d an OFAC archive may hold", len(zr.File), ArchiveFilesMax)
	}
	var others []string
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasSuffix(zf.Name, "/") {
			continue
		}
		base := strings.ToLower(path.Base(strings.ReplaceAll(zf.Name, "\\", "/")))
		target := map[string]*[]byte{
			ofacFileSDN: &files.SDN, ofacFileAlt: &files.Alt, ofacFileAdd: &files.Add, ofacFileComments: &files.Comments,
		}[base]
		if target == nil {
			others = append(others, zf.Name)
			continue
		}
		member := listFile{FormatOFAC, base}
		if *target != nil {
			return files, nil, member.fault(0, "", "the archive holds %s twice", base)
		}
		if zf.UncompressedSize64 > ListFileBytesMax {
			return files, nil, member.fault(0, "", "the file is %d bytes, more than the %d bytes a list file may hold", zf.UncompressedSize64, ListFileBytesMax)
		}
		content, err := ofacArchiveRead(zf)
		if err != nil {
			return files, nil, member.fault(0, "", "the file cannot be read from the archive (%v): it is malformed or cut short", err)
		}
		if fault := member.sizeFault(content); fault != nil {
			return files, nil, fault
		}
		*target = content
	}
	if files.SDN == nil {
		return files, nil, f.fault(0, "", "the archive holds no sdn.csv")
	}
	var warnings []string
	if len(others) > 0 {
		warnings = append(warnings, fmt.Sprintf("The archive's files %s are not OFAC CSV files and were not read.", strings.Join(others, ", ")))
	}
	return files, warnings, nil
}

// ofacArchiveRead returns a file of the archive, at most one byte past
// ListFileBytesMax however large its header says it is, and an error if
// its checksum fails.
func ofacArchiveRead(zf *zip.File) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	content, err := io.ReadAll(io.LimitReader(rc, ListFileBytesMax+1))
	if err != nil {
		return nil, err
	}
	if content == nil {
		content = []byte{}
	}
	return content, nil
}
