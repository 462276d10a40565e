package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"

	"astara/calendar/jalali"
)

// DataFileBytesMax bounds the size of one data file.
const DataFileBytesMax = 1 << 20

// DataFormat is the version of the data file format this package reads and
// writes in a file's "format" field.
const DataFormat = 1

// shipped holds the holiday data compiled into the binary, one file per
// country and data year; data/README.md documents the format.
//
//go:embed data/*.json
var shipped embed.FS

// Shipped returns the datasets compiled into the binary, in file name order.
// Each file is named <country>-<year>.json, the year counted on the
// country's calendar system, and says so inside; a file whose name and
// content disagree is an error.
func Shipped() ([]Dataset, error) {
	names, err := fs.Glob(shipped, "data/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []Dataset
	for _, name := range names {
		b, err := shipped.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ds, year, err := readData(bytes.NewReader(b), path.Base(name))
		if err != nil {
			return nil, err
		}
		if want := ds.Country + "-" + strconv.Itoa(year) + ".json"; path.Base(name) != want {
			return nil, &DataError{Source: name, Rule: RuleFieldInvalid, Detail: "the file's content is for " + want}
		}
		out = append(out, ds)
	}
	return out, nil
}

// dataFile is a data file as written in JSON.
type dataFile struct {
	Format   int    `json:"format"`
	Country  string `json:"country"`
	Calendar string `json:"calendar"`
	Year     int    `json:"year"`
	// From and To narrow the coverage to part of the year (Gregorian dates);
	// by default a file covers its whole year.
	From    string      `json:"from,omitempty"`
	To      string      `json:"to,omitempty"`
	Source  string      `json:"source,omitempty"`
	Notes   []string    `json:"notes,omitempty"`
	Entries []dataEntry `json:"entries"`
}

// dataEntry is one entry as written in a data file.
type dataEntry struct {
	Date      string `json:"date,omitempty"`
	Jalali    string `json:"jalali,omitempty"`
	Through   string `json:"through,omitempty"`
	Name      string `json:"name"`
	NameLocal string `json:"name_local,omitempty"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Scope     string `json:"scope,omitempty"`
	Source    string `json:"source"`
	Lunar     string `json:"lunar,omitempty"`
	Note      string `json:"note,omitempty"`
}

// ReadData reads a data file in the format of data/README.md: one country,
// one data year. name identifies the input in errors and audit records. It
// returns a *DataError for anything it rejects.
func ReadData(r io.Reader, name string) (Dataset, error) {
	ds, _, err := readData(r, name)
	return ds, err
}

func readData(r io.Reader, name string) (Dataset, int, error) {
	fail := func(entry int, field string, rule Rule, detail string) (Dataset, int, error) {
		return Dataset{}, 0, &DataError{Source: name, Entry: entry, Field: field, Rule: rule, Detail: detail}
	}
	b, err := io.ReadAll(io.LimitReader(r, DataFileBytesMax+1))
	if err != nil {
		return fail(0, "", RuleDataSyntax, "read: "+err.Error())
	}
	if len(b) > DataFileBytesMax {
		return fail(0, "", RuleTooLarge, "longer than "+strconv.Itoa(DataFileBytesMax)+" bytes")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f dataFile
	if err := dec.Decode(&f); err != nil {
		return fail(0, "", RuleDataSyntax, err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail(0, "", RuleDataSyntax, "data after the JSON object")
	}
	if f.Format != DataFormat {
		return fail(0, "format", RuleDataFormat, "is "+strconv.Itoa(f.Format)+", want "+strconv.Itoa(DataFormat))
	}
	if !validCountry(f.Country) {
		return fail(0, "country", RuleFieldInvalid, quoteInput(f.Country)+" is not an ISO 3166 alpha-2 code")
	}
	system, ok := ParseSystem(f.Calendar)
	if !ok {
		return fail(0, "calendar", RuleDataFormat, quoteInput(f.Calendar)+" is not gregorian or solar_hijri")
	}
	span, ok := system.yearSpan(f.Year)
	if !ok {
		return fail(0, "year", RuleFieldInvalid, strconv.Itoa(f.Year)+" is out of range")
	}
	for _, bound := range []struct {
		field, text string
		dst         *Date
	}{{"from", f.From, &span.From}, {"to", f.To, &span.To}} {
		if bound.text == "" {
			continue
		}
		d, err := ParseDate(bound.text)
		if err != nil || !(Span{From: span.From, To: span.To}).Contains(d) {
			return fail(0, bound.field, RuleFieldInvalid, quoteInput(bound.text)+" is not a date within the year")
		}
		*bound.dst = d
	}
	if span.To.Before(span.From) {
		return fail(0, "to", RuleFieldInvalid, "is before from")
	}
	if len(f.Entries) > DatasetEntriesMax {
		return fail(0, "entries", RuleTooManyEntries, "more than "+strconv.Itoa(DatasetEntriesMax)+" entries")
	}
	ds := Dataset{Country: f.Country, System: system, Coverage: []Span{span}, Source: name}
	for i, fe := range f.Entries {
		days, field, detail := fe.days()
		if detail != "" {
			return fail(i+1, field, RuleFieldInvalid, detail)
		}
		if fe.Date != "" && fe.Jalali != "" && days[0].jalaliMismatch {
			return fail(i+1, "jalali", RuleDateMismatch, fe.Jalali+" is not "+fe.Date)
		}
		scope := Scope(fe.Scope)
		if scope == "" {
			scope = ScopeNational
		}
		first := Entry{Date: days[0].date, Name: fe.Name, NameLocal: fe.NameLocal, Kind: Kind(fe.Kind), Status: Status(fe.Status),
			Scope: scope, Source: fe.Source, Lunar: fe.Lunar}
		if field, detail, rule := first.validate(); rule != "" {
			return fail(i+1, field, rule, detail)
		}
		for _, d := range days {
			if !span.Contains(d.date) {
				return fail(i+1, "date", RuleOutsideCoverage, d.date.String()+" is outside the file's coverage "+span.String())
			}
			if len(ds.Entries) >= DatasetEntriesMax {
				return fail(i+1, "through", RuleTooManyEntries, "more than "+strconv.Itoa(DatasetEntriesMax)+" entries after ranges are expanded")
			}
			e := first
			e.Date = d.date
			ds.Entries = append(ds.Entries, e)
		}
	}
	if err := ds.normalize(); err != nil {
		return Dataset{}, 0, err
	}
	return ds, f.Year, nil
}

type expandedDay struct {
	date           Date
	jalaliMismatch bool
}

// days returns the dates an entry stands for: its date, or each day from its
// date through its "through" date. A date written in Solar Hijri is
// converted; "through" is read on the same calendar as the start.
func (fe dataEntry) days() (out []expandedDay, field, detail string) {
	var start, end Date
	mismatch := false
	switch {
	case fe.Date != "":
		d, err := ParseDate(fe.Date)
		if err != nil {
			return nil, "date", quoteInput(fe.Date) + " is not a date YYYY-MM-DD"
		}
		start, end = d, d
		if fe.Jalali != "" {
			j, err := jalali.Parse(fe.Jalali)
			if err != nil {
				return nil, "jalali", quoteInput(fe.Jalali) + " is not a Solar Hijri date YYYY-MM-DD"
			}
			g, err := FromJalali(j)
			mismatch = err != nil || g != d
		}
		if fe.Through != "" {
			if end, err = ParseDate(fe.Through); err != nil {
				return nil, "through", quoteInput(fe.Through) + " is not a date YYYY-MM-DD"
			}
		}
	case fe.Jalali != "":
		j, err := jalali.Parse(fe.Jalali)
		if err != nil {
			return nil, "jalali", quoteInput(fe.Jalali) + " is not a Solar Hijri date YYYY-MM-DD"
		}
		if start, err = FromJalali(j); err != nil {
			return nil, "jalali", quoteInput(fe.Jalali) + " is out of range"
		}
		end = start
		if fe.Through != "" {
			jt, err := jalali.Parse(fe.Through)
			if err != nil {
				return nil, "through", quoteInput(fe.Through) + " is not a Solar Hijri date YYYY-MM-DD"
			}
			if end, err = FromJalali(jt); err != nil {
				return nil, "through", quoteInput(fe.Through) + " is out of range"
			}
		}
	default:
		return nil, "date", "neither date nor jalali is given"
	}
	if end.Before(start) || start.DaysUntil(end) >= RangeDaysMax {
		return nil, "through", "is before the start or more than " + strconv.Itoa(RangeDaysMax) + " days after it"
	}
	for d := start; !d.After(end); d = d.AddDays(1) {
		out = append(out, expandedDay{date: d, jalaliMismatch: mismatch})
		if d == end {
			break
		}
	}
	return out, "", ""
}
