package screening_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"astara/screening"
)

// The published record counts of the samples in testdata/lists.
const (
	sampleSDNEntries    = 17 // the rows of sdn.csv
	sampleUNIndividuals = 730
	sampleUNEntities    = 273
	sampleCSVEntries    = 4
)

// MustReadSample returns a file of testdata/lists.
func MustReadSample(tb testing.TB, file string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "lists", file))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// sampleOFACFiles returns the OFAC sample set.
func sampleOFACFiles(tb testing.TB) screening.OFACFiles {
	tb.Helper()
	return screening.OFACFiles{
		SDN:      MustReadSample(tb, "sdn.csv"),
		Alt:      MustReadSample(tb, "alt.csv"),
		Add:      MustReadSample(tb, "add.csv"),
		Comments: MustReadSample(tb, "sdn_comments.csv"),
	}
}

// MustZip returns a ZIP archive of files, in the order given as name,
// content pairs.
func MustZip(tb testing.TB, files ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustParse parses data and fails the test on an error.
func MustParse(tb testing.TB, format string, data []byte) *screening.List {
	tb.Helper()
	list, err := screening.Parse(format, "test", data)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", format, err)
	}
	return list
}

// MustParseError parses data and returns its *ParseError, failing the
// test if it parses or fails otherwise.
func MustParseError(tb testing.TB, format string, data []byte) *screening.ParseError {
	tb.Helper()
	list, err := screening.Parse(format, "test", data)
	return mustBeParseError(tb, list, err)
}

func mustBeParseError(tb testing.TB, list *screening.List, err error) *screening.ParseError {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got a list of %d entries, want an error", len(list.Entries))
	}
	if list != nil {
		tb.Errorf("got a list with the error %v, want none", err)
	}
	var pe *screening.ParseError
	if !errors.As(err, &pe) {
		tb.Fatalf("got %T %v, want a *screening.ParseError", err, err)
	}
	return pe
}

// MustEntry returns the entry of list with id.
func MustEntry(tb testing.TB, list *screening.List, id string) screening.Entry {
	tb.Helper()
	for _, e := range list.Entries {
		if e.ID == id {
			return e
		}
	}
	tb.Fatalf("no entry %s in the list", id)
	return screening.Entry{}
}

// nameTexts returns the texts of names, marking an alias "~" and quoting
// its quality: "PRIMARY", "~ALIAS(strong)".
func nameTexts(names []screening.Name) []string {
	var out []string
	for _, n := range names {
		if n.Alias {
			out = append(out, "~"+n.Text+"("+n.Quality+")")
		} else {
			out = append(out, n.Text)
		}
	}
	return out
}

// hasName reports whether names holds text.
func hasName(names []screening.Name, text string) bool {
	return slices.ContainsFunc(names, func(n screening.Name) bool { return n.Text == text })
}

// sdnCSV returns an sdn.csv of rows, each given as ent_num, name, type,
// program, remarks; the other columns are "-0-".
func sdnCSV(rows ...[5]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,%s\r\n", r[0], csvQuoted(r[1]), r[2], csvQuoted(r[3]), csvQuoted(r[4]))
	}
	return []byte(b.String())
}

// csvQuoted returns s as a quoted CSV field.
func csvQuoted(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func TestParseSamples(t *testing.T) {
	t.Run("OFACFiles", func(t *testing.T) {
		list, err := screening.ParseOFAC("OFAC-SDN", sampleOFACFiles(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(list.Entries); got != sampleSDNEntries {
			t.Errorf("got %d entries, want %d", got, sampleSDNEntries)
		}
		if list.Name != "OFAC-SDN" || list.Format != screening.FormatOFAC || !list.Published.IsZero() {
			t.Errorf("got name %q, format %q, published %v; want OFAC-SDN, %q, zero", list.Name, list.Format, list.Published, screening.FormatOFAC)
		}
		want := []string{
			"alt.csv: 5 rows were skipped because their ent_num is not an entry of sdn.csv.",
			"add.csv: 4 rows were skipped because their ent_num is not an entry of sdn.csv.",
		}
		if !slices.Equal(list.Warnings, want) {
			t.Errorf("got warnings %q, want %q", list.Warnings, want)
		}
	})
	t.Run("OFACArchiveEqualsFiles", func(t *testing.T) {
		files := sampleOFACFiles(t)
		archive := MustZip(t,
			"SDN_CSV/SDN.CSV", string(files.SDN),
			"SDN_CSV/ALT.CSV", string(files.Alt),
			"SDN_CSV/ADD.CSV", string(files.Add),
			"SDN_CSV/SDN_COMMENTS.CSV", string(files.Comments))
		fromZip := MustParse(t, screening.FormatOFAC, archive)
		fromFiles, err := screening.ParseOFAC("test", files)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromZip, fromFiles) {
			t.Errorf("the archive gives a list other than its files'")
		}
	})
	t.Run("OFACBareSDN", func(t *testing.T) {
		list := MustParse(t, screening.FormatOFAC, MustReadSample(t, "sdn.csv"))
		if got := len(list.Entries); got != sampleSDNEntries {
			t.Errorf("got %d entries, want %d", got, sampleSDNEntries)
		}
		e := MustEntry(t, list, "11195")
		if hasName(e.Names, "HESA TRADE CENTER") {
			t.Errorf("got the alt.csv alias without alt.csv")
		}
		if !hasName(e.Names, "HESA") {
			t.Errorf("got names %q, want the weak alias HESA of Remarks", nameTexts(e.Names))
		}
	})
	t.Run("UN", func(t *testing.T) {
		list := MustParse(t, screening.FormatUN, MustReadSample(t, "UN_consolidated.xml"))
		individuals, entities := 0, 0
		for _, e := range list.Entries {
			switch e.Type {
			case screening.Individual:
				individuals++
			case screening.Entity:
				entities++
			}
		}
		if individuals != sampleUNIndividuals || entities != sampleUNEntities {
			t.Errorf("got %d individuals and %d entities, want %d and %d", individuals, entities, sampleUNIndividuals, sampleUNEntities)
		}
		if got, want := len(list.Entries), sampleUNIndividuals+sampleUNEntities; got != want {
			t.Errorf("got %d entries, want %d", got, want)
		}
		if want := time.Date(2026, 2, 27, 0, 0, 9, 554_000_000, time.UTC); !list.Published.Equal(want) {
			t.Errorf("got published %v, want %v", list.Published, want)
		}
		want := []string{`2 country names in the UN list are not ISO 3166 countries ("former Soviet Union", "na"); no country code was recorded for them.`}
		if !slices.Equal(list.Warnings, want) {
			t.Errorf("got warnings %q, want %q", list.Warnings, want)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		list := MustParse(t, screening.FormatCSV, MustReadSample(t, "internal.csv"))
		if got := len(list.Entries); got != sampleCSVEntries {
			t.Errorf("got %d entries, want %d", got, sampleCSVEntries)
		}
		if want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); !list.Published.Equal(want) {
			t.Errorf("got published %v, want %v", list.Published, want)
		}
		got := MustEntry(t, list, "INT-0001")
		want := screening.Entry{
			ID:   "INT-0001",
			Type: screening.Individual,
			Names: []screening.Name{
				{Text: "PETROV, Ivan Sergeyevich"},
				{Text: "Ivan Petroff", Alias: true},
				{Text: "I. S. Petrov", Alias: true},
			},
			Countries:    []string{"RU", "CY"},
			DatesOfBirth: []string{"1971-05-14", "1972"},
			Programs:     []string{"FRAUD"},
			Remarks:      "Refused onboarding in 2024, see case 881.",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if e := MustEntry(t, list, "INT-0003"); !slices.Equal(e.Countries, []string{"RU"}) || e.Names[0].Text != "Анна Кузнецова" {
			t.Errorf("got %+v, want the Cyrillic name kept and the country upper-cased", e)
		}
	})
}

func TestOFACSampleJoin(t *testing.T) {
	list, err := screening.ParseOFAC("OFAC-SDN", sampleOFACFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rule, id     string
		typ          screening.EntityType
		names        []string
		countries    []string
		datesOfBirth []string
		programs     []string
	}{
		{
			rule: "RemarksAliasIsWeakAndAnOrphanAltRowIsNotJoined", id: "10278", typ: screening.Individual,
			// alt.csv's row "10416,10278,..." belongs to ent_num 10416,
			// not to the alt_num 10278.
			names:        []string{"LOGAN MOREY, Elvis Angus", "~BURTON BURGESS(weak)"},
			datesOfBirth: []string{"1963-07-28"}, programs: []string{"SDNT"},
		},
		{
			rule: "AltAliasesAreStrongRemarksAliasesWeak", id: "11195", typ: screening.Entity,
			names: []string{"IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY",
				"~HESA TRADE CENTER(strong)", "~IRAN AIRCRAFT MANUFACTURING INDUSTRIES(strong)",
				"~IRAN AIRCRAFT MANUFACTURING COMPANY(strong)", "~KARKHANEJATE SANAYE HAVAPAYMAIE IRAN(strong)",
				"~HESA(weak)", "~HTC(weak)", "~IAMI(weak)", "~IAMCO(weak)", "~HAVA PEYMA SAZI-E IRAN(weak)",
				"~HAVAPEYMA SAZI IRAN(weak)", "~HAVAPEYMA SAZHRAN(weak)", "~HEVAPEIMASAZI(weak)", "~SHAHIN CO.(weak)"},
			countries: []string{"IR"}, programs: []string{"NPWMD", "IFSR", "IRAN-CON-ARMS-EO"},
		},
		{
			rule: "AddressCountries", id: "12685", typ: screening.Entity,
			names:     []string{"GADDAFI INTERNATIONAL CHARITY AND DEVELOPMENT FOUNDATION", "~GADDAFI INTERNATIONAL FOUNDATION FOR CHARITY ORGANISATIONS(strong)"},
			countries: []string{"LY", "CH"}, programs: []string{"LIBYA2"},
		},
		{
			rule: "NationalityAndAddressAreOneCountry", id: "29702", typ: screening.Individual,
			names:     []string{"LIFSHITS, Artem Mikhaylovich"},
			countries: []string{"RU"}, datesOfBirth: []string{"1992-12-26"}, programs: []string{"CYBER2", "ELECTION-EO13848"},
		},
		{
			rule: "CommentsCarryTheRemarksOn", id: "33151", typ: screening.Entity,
			names:     []string{"SUEX OTC, S.R.O.", "~SUCCESSFUL EXCHANGE(weak)"},
			countries: []string{"RU", "CZ"}, programs: []string{"CYBER2"},
		},
		{
			rule: "VesselIsAnEntityTiedToItsFlag", id: "47371", typ: screening.Entity,
			names:     []string{"NS LEADER"},
			countries: []string{"GA"}, programs: []string{"RUSSIA-EO14024"},
		},
		{
			rule: "AircraftWithoutCountry", id: "48727", typ: screening.Entity,
			names:    []string{"EP-PUS"},
			programs: []string{"SDGT", "NPWMD", "IRGC", "IFSR"},
		},
		{
			rule: "CitizenAndNationality", id: "48603", typ: screening.Individual,
			names: []string{"KHOROSHEV, Dmitry Yuryevich", "~KHOROSHEV, Dmitriy Yurevich(strong)",
				"~YURIEVICH, Dmitry(strong)", "~KHOROSHEV, Dmitrii Yuryevich(strong)", "~LOCKBITSUPP(weak)"},
			countries: []string{"RU"}, datesOfBirth: []string{"1993-04-17"}, programs: []string{"CYBER2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			e := MustEntry(t, list, tt.id)
			if e.Type != tt.typ {
				t.Errorf("got type %s, want %s", e.Type, tt.typ)
			}
			if got := nameTexts(e.Names); !slices.Equal(got, tt.names) {
				t.Errorf("got names %q, want %q", got, tt.names)
			}
			if !slices.Equal(e.Countries, tt.countries) {
				t.Errorf("got countries %q, want %q", e.Countries, tt.countries)
			}
			if !slices.Equal(e.DatesOfBirth, tt.datesOfBirth) {
				t.Errorf("got dates of birth %q, want %q", e.DatesOfBirth, tt.datesOfBirth)
			}
			if !slices.Equal(e.Programs, tt.programs) {
				t.Errorf("got programs %q, want %q", e.Programs, tt.programs)
			}
		})
	}
	t.Run("CommentsAppendedWithoutSeparator", func(t *testing.T) {
		e := MustEntry(t, list, "33151")
		if !strings.Contains(e.Remarks, "XBT 1B64QRxfaa35MVkf7sDjuGUYAP5izQt7Qi; Digital Currency Address - ETH") {
			t.Errorf("got remarks ending %q, want the comment appended mid-address", e.Remarks[len(e.Remarks)-200:])
		}
	})
}

func TestUNSample(t *testing.T) {
	list := MustParse(t, screening.FormatUN, MustReadSample(t, "UN_consolidated.xml"))
	tests := []struct {
		rule, id     string
		typ          screening.EntityType
		names        []string
		countries    []string
		datesOfBirth []string
		programs     []string
	}{
		{
			rule: "AliasNameSplitAtSemicolon", id: "IRi.003", typ: screening.Individual,
			names:     []string{"AZIM AGHAJANI", "~Azim Adhajani(strong)", "~Azim Agha-Jani(strong)"},
			countries: []string{"IR"}, programs: []string{"Iran"},
		},
		{
			rule: "OriginalScriptKeptAndLowIsWeak", id: "IQi.001", typ: screening.Individual,
			names:     []string{"SADDAM HUSSEIN AL-TIKRITI", "~صدام حسين التكريتي(original-script)", "~Abu Ali(weak)"},
			countries: []string{"IQ"}, datesOfBirth: []string{"1937-04-28"}, programs: []string{"Iraq"},
		},
		{
			rule: "YearAndBetweenKeepBothEnds", id: "TAi.002", typ: screening.Individual,
			names:     []string{"MOHAMMAD HASSAN AKHUND", "~محمد حسن آخوند(original-script)"},
			countries: []string{"AF"}, datesOfBirth: []string{"1955", "1958", "1945", "1950"}, programs: []string{"Taliban"},
		},
		{
			rule: "NationalityAndAddressNamesMapped", id: "CDi.001", typ: screening.Individual,
			names:     []string{"ERIC BADEGE"},
			countries: []string{"CD", "RW"}, datesOfBirth: []string{"1971"}, programs: []string{"DRC"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			e := MustEntry(t, list, tt.id)
			if e.Type != tt.typ {
				t.Errorf("got type %s, want %s", e.Type, tt.typ)
			}
			if got := nameTexts(e.Names); !slices.Equal(got, tt.names) {
				t.Errorf("got names %q, want %q", got, tt.names)
			}
			if !slices.Equal(e.Countries, tt.countries) {
				t.Errorf("got countries %q, want %q", e.Countries, tt.countries)
			}
			if !slices.Equal(e.DatesOfBirth, tt.datesOfBirth) {
				t.Errorf("got dates of birth %q, want %q", e.DatesOfBirth, tt.datesOfBirth)
			}
			if !slices.Equal(e.Programs, tt.programs) {
				t.Errorf("got programs %q, want %q", e.Programs, tt.programs)
			}
		})
	}
	t.Run("ParenthesisedSpellingsSplit", func(t *testing.T) {
		e := MustEntry(t, list, "QDe.137")
		for _, want := range []string{"Hay’at Tahrir al-Sham (HTS)", "Hay’at Tahrir al-Sham", "جبهة النصرة", "Jabhat al-Nusrah", "Al-Nusra Front"} {
			if !hasName(e.Names, want) {
				t.Errorf("got names %q, want %q among them", nameTexts(e.Names), want)
			}
		}
	})
	t.Run("EveryEntryNamedAndUnique", func(t *testing.T) {
		seen := map[string]bool{}
		for _, e := range list.Entries {
			if seen[e.ID] || len(e.Names) == 0 || e.Names[0].Alias {
				t.Errorf("entry %s: repeated, or without a primary name: %q", e.ID, nameTexts(e.Names))
			}
			seen[e.ID] = true
		}
	})
}

// unDoc returns a UN list holding the given INDIVIDUAL records.
func unDoc(individuals ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
<INDIVIDUALS>
` + strings.Join(individuals, "\n") + `
</INDIVIDUALS>
<ENTITIES/>
</CONSOLIDATED_LIST>
`)
}

// unIndividual returns an INDIVIDUAL record with reference and the given
// inner elements.
func unIndividual(reference, inner string) string {
	return "<INDIVIDUAL><FIRST_NAME>JOHN</FIRST_NAME><SECOND_NAME>DOE</SECOND_NAME>" +
		"<REFERENCE_NUMBER>" + reference + "</REFERENCE_NUMBER>" + inner + "</INDIVIDUAL>"
}

func TestUNRecords(t *testing.T) {
	tests := []struct {
		rule         string
		inner        string
		names        []string
		countries    []string
		datesOfBirth []string
	}{
		{rule: "NamePartsJoinedWithOneSpace", inner: "<THIRD_NAME>  </THIRD_NAME><FOURTH_NAME> OF  NOWHERE </FOURTH_NAME>",
			names: []string{"JOHN DOE OF NOWHERE"}},
		{rule: "EmptyAliasSkipped", inner: "<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE"}},
		{rule: "AliasesSplitTrimmedAndEmptiesDropped", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME> A B ;; C D; </ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~A B(strong)", "~C D(strong)"}},
		{rule: "ParenthesisWithoutSemicolonKept", inner: "<INDIVIDUAL_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Jin Tiesan (金铁三)</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~Jin Tiesan (金铁三)(strong)"}},
		{rule: "ParenthesisWithSemicolonSplit", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>حسن غول (Hassan Ghul; Hassan Gul)</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~حسن غول(strong)", "~Hassan Ghul(strong)", "~Hassan Gul(strong)"}},
		{rule: "OriginalScriptInParenthesesIsASecondSpelling", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Amir Khazmat (original script: Амир Хазмат)</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~Amir Khazmat(strong)", "~Амир Хазмат(strong)"}},
		{rule: "UnbalancedParenthesisSplitAtEverySemicolon", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>A Sabet; B Sabet b) C Sabet; D Sabet</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~A Sabet(strong)", "~B Sabet b) C Sabet(strong)", "~D Sabet(strong)"}},
		{rule: "LowIsWeakFkaIsStrong", inner: "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>JD</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>JOHN ROE</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~JD(weak)", "~JOHN ROE(strong)"}},
		{rule: "AliasEqualToPrimaryDropped", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>John Doe</ALIAS_NAME></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE"}},
		{rule: "OriginalScriptIsAnAlias", inner: "<NAME_ORIGINAL_SCRIPT>Джон Доу</NAME_ORIGINAL_SCRIPT>",
			names: []string{"JOHN DOE", "~Джон Доу(original-script)"}},
		{rule: "UNCountryNames", inner: "<NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE><VALUE>Syrian Arab Republic</VALUE></NATIONALITY>" +
			"<NATIONALITY><VALUE>Russian Federation</VALUE></NATIONALITY>" +
			"<INDIVIDUAL_ADDRESS><COUNTRY>Democratic Republic of the Congo</COUNTRY></INDIVIDUAL_ADDRESS>" +
			"<INDIVIDUAL_ADDRESS><COUNTRY>Türkiye</COUNTRY></INDIVIDUAL_ADDRESS>" +
			"<INDIVIDUAL_ADDRESS><COUNTRY>China, Hong Kong Special Administrative Region</COUNTRY></INDIVIDUAL_ADDRESS>" +
			"<INDIVIDUAL_ADDRESS><COUNTRY>Democratic People's Republic of Korea</COUNTRY></INDIVIDUAL_ADDRESS>" +
			"<INDIVIDUAL_ADDRESS><COUNTRY>former Soviet Union</COUNTRY></INDIVIDUAL_ADDRESS>",
			names: []string{"JOHN DOE"}, countries: []string{"IR", "SY", "RU", "CD", "TR", "HK", "KP"}},
		{rule: "DatesAsPreciseAsGiven", inner: "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1957-04-23</DATE></INDIVIDUAL_DATE_OF_BIRTH>" +
			"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1960</YEAR></INDIVIDUAL_DATE_OF_BIRTH>" +
			"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1961</FROM_YEAR><TO_YEAR>1963</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>" +
			"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>24/06/1402 (Hijri Calendar)</NOTE></INDIVIDUAL_DATE_OF_BIRTH>" +
			"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE/></INDIVIDUAL_DATE_OF_BIRTH>",
			names: []string{"JOHN DOE"}, datesOfBirth: []string{"1957-04-23", "1960", "1961", "1963"}},
		{rule: "AliasDateOfBirth", inner: "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>JANG</ALIAS_NAME><DATE_OF_BIRTH>1958-02-22</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>" +
			"<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>JON</ALIAS_NAME><DATE_OF_BIRTH>1955</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>",
			names: []string{"JOHN DOE", "~JANG(strong)", "~JON(strong)"}, datesOfBirth: []string{"1958-02-22", "1955"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			list := MustParse(t, screening.FormatUN, unDoc(unIndividual("XXi.001", tt.inner)))
			e := MustEntry(t, list, "XXi.001")
			if got := nameTexts(e.Names); !slices.Equal(got, tt.names) {
				t.Errorf("got names %q, want %q", got, tt.names)
			}
			if !slices.Equal(e.Countries, tt.countries) {
				t.Errorf("got countries %q, want %q", e.Countries, tt.countries)
			}
			if !slices.Equal(e.DatesOfBirth, tt.datesOfBirth) {
				t.Errorf("got dates of birth %q, want %q", e.DatesOfBirth, tt.datesOfBirth)
			}
		})
	}
}

func TestUNFaults(t *testing.T) {
	tests := []struct {
		rule        string
		data        string
		line        int
		field       string
		detailHolds string
	}{
		{rule: "NoReferenceNumber", data: string(unDoc(unIndividual("XXi.001", ""), "<INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>")),
			line: 5, field: "INDIVIDUAL/REFERENCE_NUMBER", detailHolds: "INDIVIDUAL record 2: the record has no REFERENCE_NUMBER"},
		{rule: "NoName", data: string(unDoc("<INDIVIDUAL><FIRST_NAME> </FIRST_NAME><REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER></INDIVIDUAL>")),
			line: 4, field: "INDIVIDUAL/FIRST_NAME", detailHolds: "INDIVIDUAL record 1: the record has no name"},
		{rule: "DuplicateReference", data: string(unDoc(unIndividual("XXi.001", ""), unIndividual("XXi.001", ""))),
			line: 5, field: "INDIVIDUAL/REFERENCE_NUMBER", detailHolds: "also that of the record on line 4"},
		{rule: "BadDate", data: string(unDoc(unIndividual("XXi.001", "<INDIVIDUAL_DATE_OF_BIRTH><DATE>1957-02-30</DATE></INDIVIDUAL_DATE_OF_BIRTH>"))),
			line: 4, field: "INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/DATE", detailHolds: `"1957-02-30" is not a date of the form YYYY-MM-DD`},
		{rule: "BadYear", data: string(unDoc(unIndividual("XXi.001", "<INDIVIDUAL_DATE_OF_BIRTH><YEAR>c. 1960</YEAR></INDIVIDUAL_DATE_OF_BIRTH>"))),
			line: 4, field: "INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/YEAR", detailHolds: "not a date of the form YYYY"},
		{rule: "WrongRoot", data: `<LIST dateGenerated="2026-02-27T00:00:09Z"/>`,
			line: 1, field: "LIST", detailHolds: "not CONSOLIDATED_LIST"},
		{rule: "NoDateGenerated", data: `<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>`,
			line: 1, field: "dateGenerated", detailHolds: "is not a date and time"},
		{rule: "ElementAfterRoot", data: string(unDoc(unIndividual("XXi.001", ""))) + "<MORE/>",
			line: 8, detailHolds: "an element follows the end of CONSOLIDATED_LIST"},
		{rule: "StrangerAmongRecords", data: string(unDoc(unIndividual("XXi.001", ""), "<ENTITY/>")),
			line: 5, field: "ENTITY", detailHolds: "the element ENTITY stands where only INDIVIDUAL records belong"},
		{rule: "NoRecords", data: `<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09Z"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>`,
			detailHolds: "holds no INDIVIDUAL or ENTITY records"},
		{rule: "Empty", data: "", detailHolds: "holds no XML element"},
		{rule: "InvalidUTF8", data: string(unDoc(unIndividual("XXi.001", "<COMMENTS1>caf\xe9</COMMENTS1>"))),
			line: 4, detailHolds: "invalid UTF-8"},
		{rule: "OtherEncodingDeclared", data: `<?xml version="1.0" encoding="ISO-8859-1"?><CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09Z"/>`,
			detailHolds: "cannot be read"},
		{rule: "Unclosed", data: strings.TrimSuffix(string(unDoc(unIndividual("XXi.001", ""))), "</CONSOLIDATED_LIST>\n"),
			detailHolds: "cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			pe := MustParseError(t, screening.FormatUN, []byte(tt.data))
			if pe.Format != screening.FormatUN || pe.File != "test" {
				t.Errorf("got format %q, file %q; want %q, test", pe.Format, pe.File, screening.FormatUN)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("got line %d, want %d (%v)", pe.Line, tt.line, pe)
			}
			if pe.Field != tt.field {
				t.Errorf("got field %q, want %q (%v)", pe.Field, tt.field, pe)
			}
			if !strings.Contains(pe.Detail, tt.detailHolds) {
				t.Errorf("got detail %q, want it to hold %q", pe.Detail, tt.detailHolds)
			}
		})
	}
}

func TestOFACRemarks(t *testing.T) {
	tests := []struct {
		rule         string
		remarks      string
		datesOfBirth []string
		countries    []string
		aliases      []string
		warned       bool
	}{
		{rule: "DayMonthYear", remarks: "DOB 28 Jul 1963; POB Toledo District, Belize.", datesOfBirth: []string{"1963-07-28"}},
		{rule: "MonthYear", remarks: "DOB Jul 1963.", datesOfBirth: []string{"1963-07"}},
		{rule: "Year", remarks: "DOB 1963.", datesOfBirth: []string{"1963"}},
		{rule: "Circa", remarks: "DOB circa 1960.", datesOfBirth: []string{"1960"}},
		{rule: "RangeKeepsBothEnds", remarks: "DOB 01 Jan 1960 to 31 Dec 1962.", datesOfBirth: []string{"1960-01-01", "1962-12-31"}},
		{rule: "YearRange", remarks: "DOB circa 1960 to 1962.", datesOfBirth: []string{"1960", "1962"}},
		{rule: "AltDates", remarks: "DOB 10 Mar 1958; alt. DOB 1959; alt. DOB 10 Mar 1958.", datesOfBirth: []string{"1958-03-10", "1959"}},
		{rule: "NoSuchDayWarned", remarks: "DOB 31 Feb 1960.", warned: true},
		{rule: "Nationality", remarks: "nationality Iran; alt. nationality Syria.", countries: []string{"IR", "SY"}},
		{rule: "Citizen", remarks: "citizen Russia; nationality Korea, North.", countries: []string{"RU", "KP"}},
		{rule: "UnknownCountryWarned", remarks: "nationality Atlantis.", warned: true},
		{rule: "PlaceOfBirthIsNoTie", remarks: "POB Tehran, Iran."},
		{rule: "AliasesWeak", remarks: "a.k.a. 'ABU X'; a.k.a. 'D'S SUPERMARKET'; f.k.a. 'OLD CO.'.", aliases: []string{"~ABU X(weak)", "~D'S SUPERMARKET(weak)", "~OLD CO.(weak)"}},
		{rule: "AliasWithoutClosingQuoteWarned", remarks: "a.k.a. 'ABU X.", warned: true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			list, err := screening.ParseOFAC("test", screening.OFACFiles{SDN: sdnCSV([5]string{"1", "DOE, John", "individual", "SDGT", tt.remarks})})
			if err != nil {
				t.Fatal(err)
			}
			e := list.Entries[0]
			if !slices.Equal(e.DatesOfBirth, tt.datesOfBirth) {
				t.Errorf("got dates of birth %q, want %q", e.DatesOfBirth, tt.datesOfBirth)
			}
			if !slices.Equal(e.Countries, tt.countries) {
				t.Errorf("got countries %q, want %q", e.Countries, tt.countries)
			}
			if got := nameTexts(e.Names[1:]); !slices.Equal(got, tt.aliases) {
				t.Errorf("got aliases %q, want %q", got, tt.aliases)
			}
			if warned := len(list.Warnings) > 0; warned != tt.warned {
				t.Errorf("got warnings %q, want some: %v", list.Warnings, tt.warned)
			}
			if e.Remarks != tt.remarks {
				t.Errorf("got remarks %q, want them kept as %q", e.Remarks, tt.remarks)
			}
		})
	}
}

func TestOFACFiles(t *testing.T) {
	row := sdnCSV([5]string{"7", "DOE, John", "individual", "SDGT] [IRAN", "-0- "})
	t.Run("EmptyMarkWithAndWithoutSpace", func(t *testing.T) {
		data := []byte("7,\"ACME\",-0-,\"SDGT\",-0- ,-0-,-0- ,-0-,-0- ,-0- ,-0-,-0-\r\n")
		e := MustParse(t, screening.FormatOFAC, data).Entries[0]
		if e.Type != screening.Entity || e.Remarks != "" || len(e.Countries) != 0 {
			t.Errorf("got %+v, want an entity with empty fields", e)
		}
	})
	t.Run("ControlZAtTheEndAccepted", func(t *testing.T) {
		for _, tail := range []string{"\x1a", "\x1a\r\n"} {
			list := MustParse(t, screening.FormatOFAC, append(slices.Clone(row), tail...))
			if len(list.Entries) != 1 {
				t.Errorf("tail %q: got %d entries, want 1", tail, len(list.Entries))
			}
		}
		noBreak := append(bytes.TrimSuffix(slices.Clone(row), []byte("\r\n")), 0x1a)
		if list := MustParse(t, screening.FormatOFAC, noBreak); len(list.Entries) != 1 {
			t.Errorf("got %d entries, want 1", len(list.Entries))
		}
	})
	t.Run("Windows1252Decoded", func(t *testing.T) {
		data := []byte("7,\"CAF\xc9 M\xdcLLER\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Linked To: \x93X\x94.\"\r\n")
		e := MustParse(t, screening.FormatOFAC, data).Entries[0]
		if e.Names[0].Text != "CAFÉ MÜLLER" || e.Remarks != "Linked To: “X”." {
			t.Errorf("got %q, %q; want the Windows-1252 characters decoded", e.Names[0].Text, e.Remarks)
		}
	})
	t.Run("ProgramsSplit", func(t *testing.T) {
		e := MustParse(t, screening.FormatOFAC, row).Entries[0]
		if !slices.Equal(e.Programs, []string{"SDGT", "IRAN"}) {
			t.Errorf("got programs %q, want SDGT, IRAN", e.Programs)
		}
	})
	t.Run("ArchiveExtraFileWarned", func(t *testing.T) {
		list := MustParse(t, screening.FormatOFAC, MustZip(t, "sdn.csv", string(row), "readme.txt", "x"))
		if want := []string{"The archive's files readme.txt are not OFAC CSV files and were not read."}; !slices.Equal(list.Warnings, want) {
			t.Errorf("got warnings %q, want %q", list.Warnings, want)
		}
	})
	t.Run("AltTypesAndDuplicates", func(t *testing.T) {
		alt := "7,1,\"aka\",\"JD\",-0- \r\n7,2,\"fka\",\"DOE, Jon\",-0- \r\n7,3,\"nka\",\"ROE, John\",-0- \r\n7,4,\"aka\",\"doe, john\",-0- \r\n"
		list, err := screening.ParseOFAC("test", screening.OFACFiles{SDN: row, Alt: []byte(alt)})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"DOE, John", "~JD(strong)", "~DOE, Jon(strong)", "~ROE, John(strong)"}
		if got := nameTexts(list.Entries[0].Names); !slices.Equal(got, want) {
			t.Errorf("got names %q, want %q", got, want)
		}
	})
	t.Run("EmptyOptionalFile", func(t *testing.T) {
		if _, err := screening.ParseOFAC("test", screening.OFACFiles{SDN: row, Alt: []byte{}, Add: []byte{}, Comments: []byte{}}); err != nil {
			t.Errorf("got %v, want empty optional files read as having no rows", err)
		}
	})
}

func TestOFACFaults(t *testing.T) {
	row := string(sdnCSV([5]string{"7", "DOE, John", "individual", "SDGT", "-0- "}))
	tests := []struct {
		rule        string
		files       screening.OFACFiles
		file        string
		line        int
		field       string
		detailHolds string
	}{
		{rule: "SDNRequired", files: screening.OFACFiles{Alt: []byte(row)},
			file: "sdn.csv", detailHolds: "sdn.csv is required"},
		{rule: "SDNEmpty", files: screening.OFACFiles{SDN: []byte{}},
			file: "sdn.csv", detailHolds: "holds no entries"},
		{rule: "FieldCount", files: screening.OFACFiles{SDN: []byte(row + "8,\"X\",-0- ,\"SDGT\"\r\n")},
			file: "sdn.csv", line: 2, detailHolds: "the row has 4 fields where the file's rows have 12"},
		{rule: "EntNumNotANumber", files: screening.OFACFiles{SDN: sdnCSV([5]string{"7a", "X", "individual", "SDGT", ""})},
			file: "sdn.csv", line: 1, field: "ent_num", detailHolds: `the ent_num "7a" is not a number`},
		{rule: "EntNumTwice", files: screening.OFACFiles{SDN: []byte(row + row)},
			file: "sdn.csv", line: 2, field: "ent_num", detailHolds: "the ent_num 7 is given twice, on lines 1 and 2"},
		{rule: "UnknownType", files: screening.OFACFiles{SDN: sdnCSV([5]string{"7", "X", "ship", "SDGT", ""})},
			file: "sdn.csv", line: 1, field: "SDN_Type", detailHolds: `the type "ship"`},
		{rule: "NoName", files: screening.OFACFiles{SDN: sdnCSV([5]string{"7", "-0- ", "individual", "SDGT", ""})},
			file: "sdn.csv", line: 1, field: "SDN_Name", detailHolds: "the entry has no name"},
		{rule: "ControlCharacterInName", files: screening.OFACFiles{SDN: sdnCSV([5]string{"7", "DOE\x00", "individual", "SDGT", ""})},
			file: "sdn.csv", line: 1, field: "SDN_Name", detailHolds: "control character U+0000"},
		{rule: "QuoteNotClosed", files: screening.OFACFiles{SDN: []byte(row + "8,\"X,-0- \r\n")},
			file: "sdn.csv", line: 2, detailHolds: "a quoted field is not closed"},
		{rule: "BareQuote", files: screening.OFACFiles{SDN: []byte("7,DO\"E,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n")},
			file: "sdn.csv", line: 1, detailHolds: "a quote (\") stands inside"},
		{rule: "NoFinalLineBreak", files: screening.OFACFiles{SDN: []byte(strings.TrimSuffix(row, "\r\n"))},
			file: "sdn.csv", line: 1, detailHolds: "does not end with a line break"},
		{rule: "AltType", files: screening.OFACFiles{SDN: []byte(row), Alt: []byte("7,1,\"xka\",\"JD\",-0- \r\n")},
			file: "alt.csv", line: 1, field: "alt_type", detailHolds: `the alias type "xka"`},
		{rule: "AltEmptyName", files: screening.OFACFiles{SDN: []byte(row), Alt: []byte("7,1,\"aka\",-0- ,-0- \r\n")},
			file: "alt.csv", line: 1, field: "alt_name", detailHolds: "the alias is empty"},
		{rule: "AltFieldCount", files: screening.OFACFiles{SDN: []byte(row), Alt: []byte("7,1,\"aka\",\"JD\"\r\n")},
			file: "alt.csv", line: 1, detailHolds: "the row has 4 fields where the file's rows have 5"},
		{rule: "AddEntNum", files: screening.OFACFiles{SDN: []byte(row), Add: []byte("x,1,-0- ,-0- ,\"Iran\",-0- \r\n")},
			file: "add.csv", line: 1, field: "ent_num", detailHolds: "is not a number"},
		{rule: "CommentsCutShort", files: screening.OFACFiles{SDN: []byte(row), Comments: []byte("7,\"more")},
			file: "sdn_comments.csv", line: 1, detailHolds: "does not end with a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			list, err := screening.ParseOFAC("test", tt.files)
			pe := mustBeParseError(t, list, err)
			if pe.Format != screening.FormatOFAC || pe.File != tt.file {
				t.Errorf("got format %q, file %q; want %q, %q", pe.Format, pe.File, screening.FormatOFAC, tt.file)
			}
			if pe.Line != tt.line {
				t.Errorf("got line %d, want %d (%v)", pe.Line, tt.line, pe)
			}
			if pe.Field != tt.field {
				t.Errorf("got field %q, want %q (%v)", pe.Field, tt.field, pe)
			}
			if !strings.Contains(pe.Detail, tt.detailHolds) {
				t.Errorf("got detail %q, want it to hold %q", pe.Detail, tt.detailHolds)
			}
		})
	}
}

func TestOFACArchiveFaults(t *testing.T) {
	row := string(sdnCSV([5]string{"7", "DOE, John", "individual", "SDGT", "-0- "}))
	tests := []struct {
		rule        string
		data        []byte
		file        string
		detailHolds string
	}{
		{rule: "NoSDN", data: MustZip(t, "alt.csv", ""), file: "ZIP archive", detailHolds: "holds no sdn.csv"},
		{rule: "SDNTwice", data: MustZip(t, "a/sdn.csv", row, "b/SDN.csv", row), file: "sdn.csv", detailHolds: "holds sdn.csv twice"},
		{rule: "NotAnArchive", data: []byte(zipMagicPrefix + "not really"), file: "ZIP archive", detailHolds: "cannot be read"},
		{rule: "MemberFaultNamed", data: MustZip(t, "sdn.csv", row, "alt.csv", "7,1,\"aka\"\r\n"), file: "alt.csv", detailHolds: "the row has 3 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			pe := MustParseError(t, screening.FormatOFAC, tt.data)
			if pe.File != tt.file || !strings.Contains(pe.Detail, tt.detailHolds) {
				t.Errorf("got file %q, detail %q; want %q, holding %q", pe.File, pe.Detail, tt.file, tt.detailHolds)
			}
		})
	}
}

// zipMagicPrefix opens a ZIP archive.
const zipMagicPrefix = "PK\x03\x04"

// csvHeader is the header of Astara's CSV format with every column.
const csvHeader = "id,name,type,aliases,countries,dates_of_birth,programs,remarks\n"

func TestCSVFormat(t *testing.T) {
	tests := []struct {
		rule  string
		data  string
		entry screening.Entry
	}{
		{rule: "RequiredColumnsOnly", data: "id,name,type\nA1,ACME LTD,entity\n",
			entry: screening.Entry{ID: "A1", Type: screening.Entity, Names: []screening.Name{{Text: "ACME LTD"}}}},
		{rule: "ColumnsInAnyOrderAndCase", data: " Type ,REMARKS,Name,Id\nindividual,  note  ,DOE,A1\n",
			entry: screening.Entry{ID: "A1", Type: screening.Individual, Names: []screening.Name{{Text: "DOE"}}, Remarks: "note"}},
		{rule: "TypeInAnyCase", data: "id,name,type\nA1,DOE,Individual\n",
			entry: screening.Entry{ID: "A1", Type: screening.Individual, Names: []screening.Name{{Text: "DOE"}}}},
		{rule: "WhiteSpaceOfNamesCollapsed", data: "id,name,type,aliases\nA1,\"  DOE,\t  John \",individual, J  DOE ;;\n",
			entry: screening.Entry{ID: "A1", Type: screening.Individual, Names: []screening.Name{{Text: "DOE, John"}, {Text: "J DOE", Alias: true}}}},
		{rule: "ListsSplitAndDeduplicated", data: csvHeader + "A1,DOE,individual,JD;jd;Doe,ir;RU;IR,1960;1960-05;1960-05-01,SDGT; IRAN ;SDGT,\n",
			entry: screening.Entry{ID: "A1", Type: screening.Individual, Names: []screening.Name{{Text: "DOE"}, {Text: "JD", Alias: true}},
				Countries: []string{"IR", "RU"}, DatesOfBirth: []string{"1960", "1960-05", "1960-05-01"}, Programs: []string{"SDGT", "IRAN"}}},
		{rule: "KosovoAccepted", data: "id,name,type,countries\nA1,ACME,entity,XK\n",
			entry: screening.Entry{ID: "A1", Type: screening.Entity, Names: []screening.Name{{Text: "ACME"}}, Countries: []string{"XK"}}},
		{rule: "ByteOrderMarkAndCRLF", data: "\uFEFFid,name,type\r\nA1,ACME,entity\r\n",
			entry: screening.Entry{ID: "A1", Type: screening.Entity, Names: []screening.Name{{Text: "ACME"}}}},
		{rule: "QuotedLineBreakInRemarks", data: "id,name,type,remarks\nA1,ACME,entity,\"one\ntwo \"\"three\"\"\"\n",
			entry: screening.Entry{ID: "A1", Type: screening.Entity, Names: []screening.Name{{Text: "ACME"}}, Remarks: "one\ntwo \"three\""}},
		{rule: "BlankLinesSkipped", data: "id,name,type\n\nA1,ACME,entity\n\n",
			entry: screening.Entry{ID: "A1", Type: screening.Entity, Names: []screening.Name{{Text: "ACME"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			list := MustParse(t, screening.FormatCSV, []byte(tt.data))
			if len(list.Entries) != 1 {
				t.Fatalf("got %d entries, want 1", len(list.Entries))
			}
			if got := list.Entries[0]; !reflect.DeepEqual(got, tt.entry) {
				t.Errorf("got %+v, want %+v", got, tt.entry)
			}
		})
	}
	t.Run("PublishedLine", func(t *testing.T) {
		list := MustParse(t, screening.FormatCSV, []byte("#published:2026-01-31\n"+csvHeader))
		if want := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC); !list.Published.Equal(want) || len(list.Entries) != 0 {
			t.Errorf("got published %v and %d entries, want %v and none", list.Published, len(list.Entries), want)
		}
	})
}

func TestCSVFaults(t *testing.T) {
	tests := []struct {
		rule        string
		data        string
		line        int
		field       string
		detailHolds string
	}{
		{rule: "UnknownColumn", data: "id,name,type,alias\n", line: 1, field: "alias", detailHolds: `the column "alias" is none of id, name`},
		{rule: "ColumnTwice", data: "id,name,type,Name\n", line: 1, field: "name", detailHolds: "given twice"},
		{rule: "IDColumnRequired", data: "name,type\n", line: 1, field: "id", detailHolds: "no id column"},
		{rule: "NameColumnRequired", data: "id,type\n", line: 1, field: "name", detailHolds: "no name column"},
		{rule: "TypeColumnRequired", data: "id,name\nA1,ACME\n", line: 1, field: "type", detailHolds: "no type column"},
		{rule: "IDEmpty", data: "id,name,type\n ,ACME,entity\n", line: 2, field: "id", detailHolds: "the id is empty"},
		{rule: "IDWithSpace", data: "id,name,type\nA 1,ACME,entity\n", line: 2, field: "id", detailHolds: "holds a space"},
		{rule: "IDTwice", data: "id,name,type\nA1,ACME,entity\nA1,ACME 2,entity\n", line: 3, field: "id", detailHolds: "also that of the entry on line 2"},
		{rule: "NameEmpty", data: "id,name,type\nA1, ,entity\n", line: 2, field: "name", detailHolds: "the name is empty"},
		{rule: "TypeEmpty", data: "id,name,type\nA1,ACME,\n", line: 2, field: "type", detailHolds: `the type "" is neither individual nor entity`},
		{rule: "TypeUnknown", data: "id,name,type\nA1,ACME,company\n", line: 2, field: "type", detailHolds: `the type "company"`},
		{rule: "CountryNotACode", data: "id,name,type,countries\nA1,ACME,entity,Iran\n", line: 2, field: "countries", detailHolds: `"IRAN" is not an ISO 3166 alpha-2`},
		{rule: "CountryUnassigned", data: "id,name,type,countries\nA1,ACME,entity,ZZ\n", line: 2, field: "countries", detailHolds: `"ZZ" is not`},
		{rule: "DateForm", data: "id,name,type,dates_of_birth\nA1,DOE,individual,12/05/1960\n", line: 2, field: "dates_of_birth", detailHolds: `"12/05/1960" is not a day`},
		{rule: "DateNotInCalendar", data: "id,name,type,dates_of_birth\nA1,DOE,individual,1960-02-30\n", line: 2, field: "dates_of_birth", detailHolds: `"1960-02-30"`},
		{rule: "DateOfEntity", data: "id,name,type,dates_of_birth\nA1,ACME,entity,1960\n", line: 2, field: "dates_of_birth", detailHolds: "an entity, which has no date of birth"},
		{rule: "FieldCount", data: "id,name,type\nA1,ACME\n", line: 2, detailHolds: "the row has 2 fields where the file's rows have 3"},
		{rule: "QuoteNotClosed", data: "id,name,type\nA1,\"ACME,entity\n", line: 2, detailHolds: "a quoted field is not closed"},
		{rule: "BareQuote", data: "id,name,type\nA1,AC\"ME,entity\n", line: 2, detailHolds: "a quote (\") stands inside"},
		{rule: "NoFinalLineBreak", data: "id,name,type\nA1,ACME,entity", line: 2, detailHolds: "does not end with a line break"},
		{rule: "InvalidUTF8", data: "id,name,type\nA1,ACM\xc9,entity\n", line: 2, detailHolds: "is not UTF-8"},
		{rule: "ControlCharacter", data: "id,name,type\nA1,ACME\x07,entity\n", line: 2, field: "name", detailHolds: "control character U+0007"},
		{rule: "PublishedLineMalformed", data: "# published 2026-01-31\n" + csvHeader, line: 1, field: "published", detailHolds: "# published: YYYY-MM-DD"},
		{rule: "PublishedDateMalformed", data: "# published: 2026-1-31\n" + csvHeader, line: 1, field: "published", detailHolds: "# published: YYYY-MM-DD"},
		{rule: "NoHeader", data: "", line: 1, detailHolds: "no header row"},
		{rule: "NoHeaderAfterPublished", data: "# published: 2026-01-31\n", line: 2, detailHolds: "no header row"},
		{rule: "LinesCountedPastPublished", data: "# published: 2026-01-31\nid,name,type\nA1,ACME,thing\n", line: 3, field: "type", detailHolds: `the type "thing"`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			pe := MustParseError(t, screening.FormatCSV, []byte(tt.data))
			if pe.Format != screening.FormatCSV || pe.File != "test" {
				t.Errorf("got format %q, file %q; want %q, test", pe.Format, pe.File, screening.FormatCSV)
			}
			if pe.Line != tt.line {
				t.Errorf("got line %d, want %d (%v)", pe.Line, tt.line, pe)
			}
			if pe.Field != tt.field {
				t.Errorf("got field %q, want %q (%v)", pe.Field, tt.field, pe)
			}
			if !strings.Contains(pe.Detail, tt.detailHolds) {
				t.Errorf("got detail %q, want it to hold %q", pe.Detail, tt.detailHolds)
			}
		})
	}
}

func TestParseErrorText(t *testing.T) {
	tests := []struct {
		err  screening.ParseError
		want string
	}{
		{screening.ParseError{Format: "ofac-csv", File: "sdn.csv", Line: 3, Field: "SDN_Type", Detail: "the type is wrong"},
			"screening: ofac-csv sdn.csv line 3, SDN_Type: the type is wrong"},
		{screening.ParseError{Format: "un-xml", File: "UN", Detail: "the list holds no records"},
			"screening: un-xml UN: the list holds no records"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestParseFormatUnknown(t *testing.T) {
	if _, err := screening.Parse("pdf", "test", nil); !errors.Is(err, screening.ErrFormatUnknown) {
		t.Errorf("got %v, want ErrFormatUnknown", err)
	}
}

// csvRows returns an Astara CSV of n entity rows, each row's cells given
// by cells(i) after id and name.
func csvRows(header string, n int, cells func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "E%d,NAME %d,%s\n", i, i, cells(i))
	}
	return b.Bytes()
}

func TestLimits(t *testing.T) {
	countryCodes := []string{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if _, err := screening.Parse(screening.FormatCSV, "t", []byte("id,name,type,countries\nA,B,entity,"+code+"\n")); err == nil {
				countryCodes = append(countryCodes, code)
			}
		}
	}
	if len(countryCodes) <= screening.ValuesPerEntryMax {
		t.Fatalf("got %d country codes, too few to pass ValuesPerEntryMax", len(countryCodes))
	}
	repeat := func(n int, item func(i int) string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = item(i)
		}
		return strings.Join(items, ";")
	}
	tests := []struct {
		rule        string
		data        func(n int) []byte
		max         int
		detailHolds string
	}{
		{rule: "ListEntriesMax", max: screening.ListEntriesMax, detailHolds: "more than the 100000 entries",
			data: func(n int) []byte { return csvRows("id,name,type\n", n, func(int) string { return "entity" }) }},
		{rule: "NamesPerEntryMax", max: screening.NamesPerEntryMax, detailHolds: "more than the 500 names",
			data: func(n int) []byte {
				return []byte("id,name,type,aliases\nA1,NAME,entity," + repeat(n-1, func(i int) string { return fmt.Sprint("ALIAS ", i) }) + "\n")
			}},
		{rule: "NameLenMax", max: screening.NameLenMax, detailHolds: "more than the 1024 bytes a name",
			data: func(n int) []byte { return []byte("id,name,type\nA1," + strings.Repeat("N", n) + ",entity\n") }},
		{rule: "IDLenMax", max: screening.IDLenMax, detailHolds: "more than the 64 bytes an id",
			data: func(n int) []byte { return []byte("id,name,type\n" + strings.Repeat("1", n) + ",NAME,entity\n") }},
		{rule: "ValuesPerEntryMaxCountries", max: screening.ValuesPerEntryMax, detailHolds: "more than the 200 countries",
			data: func(n int) []byte {
				return []byte("id,name,type,countries\nA1,NAME,entity," + strings.Join(countryCodes[:n], ";") + "\n")
			}},
		{rule: "ValuesPerEntryMaxDates", max: screening.ValuesPerEntryMax, detailHolds: "more than the 200 dates of birth",
			data: func(n int) []byte {
				return []byte("id,name,type,dates_of_birth\nA1,NAME,individual," + repeat(n, func(i int) string { return fmt.Sprint(1800 + i) }) + "\n")
			}},
		{rule: "ValuesPerEntryMaxPrograms", max: screening.ValuesPerEntryMax, detailHolds: "more than the 200 programs",
			data: func(n int) []byte {
				return []byte("id,name,type,programs\nA1,NAME,entity," + repeat(n, func(i int) string { return fmt.Sprint("P", i) }) + "\n")
			}},
		{rule: "ProgramLenMax", max: screening.ProgramLenMax, detailHolds: "more than the 128 bytes a program",
			data: func(n int) []byte {
				return []byte("id,name,type,programs\nA1,NAME,entity," + strings.Repeat("P", n) + "\n")
			}},
		{rule: "RemarksLenMax", max: screening.RemarksLenMax, detailHolds: "more than the 65536 bytes remarks",
			data: func(n int) []byte {
				return []byte("id,name,type,remarks\nA1,NAME,entity," + strings.Repeat("r", n) + "\n")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			MustParse(t, screening.FormatCSV, tt.data(tt.max))
			pe := MustParseError(t, screening.FormatCSV, tt.data(tt.max+1))
			if !strings.Contains(pe.Detail, tt.detailHolds) {
				t.Errorf("got detail %q, want it to hold %q", pe.Detail, tt.detailHolds)
			}
		})
	}
	t.Run("ListFileBytesMax", func(t *testing.T) {
		big := make([]byte, screening.ListFileBytesMax+1)
		for _, format := range []string{screening.FormatOFAC, screening.FormatUN, screening.FormatCSV} {
			pe := MustParseError(t, format, big)
			if !strings.Contains(pe.Detail, "more than the 67108864 bytes a list file may hold") {
				t.Errorf("%s: got detail %q, want the file size refused", format, pe.Detail)
			}
		}
	})
	t.Run("ListFileBytesMaxInArchive", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.Create("sdn.csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(make([]byte, screening.ListFileBytesMax+1)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		pe := MustParseError(t, screening.FormatOFAC, buf.Bytes())
		if pe.File != "sdn.csv" || !strings.Contains(pe.Detail, "more than the 67108864 bytes") {
			t.Errorf("got %v, want sdn.csv refused for its size", pe)
		}
	})
	t.Run("ArchiveFilesMax", func(t *testing.T) {
		row := string(sdnCSV([5]string{"7", "DOE, John", "individual", "SDGT", ""}))
		files := []string{"sdn.csv", row}
		for i := 1; i < screening.ArchiveFilesMax; i++ {
			files = append(files, fmt.Sprintf("other%d.txt", i), "")
		}
		MustParse(t, screening.FormatOFAC, MustZip(t, files...))
		pe := MustParseError(t, screening.FormatOFAC, MustZip(t, append(files, "one-more.txt", "")...))
		if !strings.Contains(pe.Detail, "more than the 64 an OFAC archive may hold") {
			t.Errorf("got detail %q, want the archive refused for its files", pe.Detail)
		}
	})
}

// cuts returns the lengths to cut data to: every 1/50 of it, and the
// middle of each of up to 50 of its lines spread through the file.
func cuts(data []byte) []int {
	var at []int
	for i := range 50 {
		at = append(at, i*len(data)/50)
	}
	var starts []int
	for i := 0; i < len(data); {
		starts = append(starts, i)
		next := bytes.IndexByte(data[i:], '\n')
		if next < 0 {
			break
		}
		i += next + 1
	}
	step := max(1, len(starts)/50)
	for i := 0; i < len(starts); i += step {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		at = append(at, (starts[i]+end)/2)
	}
	return at
}

func TestTruncation(t *testing.T) {
	t.Run("UNRefusedWhereverCut", func(t *testing.T) {
		data := MustReadSample(t, "UN_consolidated.xml")
		for _, cut := range cuts(data) {
			list, err := screening.ParseUN("UN", data[:cut])
			if err == nil {
				t.Errorf("cut at %d of %d: got a list of %d entries, want an error", cut, len(data), len(list.Entries))
				continue
			}
			mustBeParseError(t, list, err)
		}
	})
	t.Run("OFACArchiveRefusedWhereverCut", func(t *testing.T) {
		files := sampleOFACFiles(t)
		data := MustZip(t, "sdn.csv", string(files.SDN), "alt.csv", string(files.Alt), "add.csv", string(files.Add), "sdn_comments.csv", string(files.Comments))
		for _, cut := range cuts(data)[1:] {
			MustParseError(t, screening.FormatOFAC, data[:cut])
		}
	})
	// A CSV cut at a line break is a shorter file, whole in itself; cut
	// anywhere else it must be refused.
	csvCases := []struct {
		file  string
		parse func(cut []byte) (*screening.List, error)
		rows  func(list *screening.List) int
	}{
		{"sdn.csv", func(cut []byte) (*screening.List, error) {
			return screening.ParseOFAC("t", screening.OFACFiles{SDN: cut})
		},
			func(list *screening.List) int { return len(list.Entries) }},
		{"alt.csv", func(cut []byte) (*screening.List, error) {
			f := sampleOFACFiles(t)
			f.Alt = cut
			return screening.ParseOFAC("t", f)
		}, nil},
		{"add.csv", func(cut []byte) (*screening.List, error) {
			f := sampleOFACFiles(t)
			f.Add = cut
			return screening.ParseOFAC("t", f)
		}, nil},
		{"sdn_comments.csv", func(cut []byte) (*screening.List, error) {
			f := sampleOFACFiles(t)
			f.Comments = cut
			return screening.ParseOFAC("t", f)
		}, nil},
		{"internal.csv", func(cut []byte) (*screening.List, error) { return screening.ParseCSV("t", cut) },
			func(list *screening.List) int { return len(list.Entries) + 2 }}, // the published line and the header
	}
	for _, tt := range csvCases {
		t.Run(tt.file, func(t *testing.T) {
			data := MustReadSample(t, tt.file)
			for _, cut := range cuts(data) {
				list, err := tt.parse(data[:cut])
				atLineBreak := cut == 0 || data[cut-1] == '\n'
				if err != nil {
					mustBeParseError(t, list, err)
					continue
				}
				if !atLineBreak {
					t.Errorf("cut at %d of %d, mid-line: got a list, want an error", cut, len(data))
					continue
				}
				if tt.rows != nil {
					if got, want := tt.rows(list), bytes.Count(data[:cut], []byte("\n")); got != want {
						t.Errorf("cut at %d: got %d rows, want the %d whole lines", cut, got, want)
					}
				}
			}
		})
	}
}
