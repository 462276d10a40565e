package screening_test

import (
	"bytes"
	"errors"
	"testing"

	"astara/screening"
)

// checkParsed fails the test unless a parse either failed with a
// *ParseError and no list, or returned a list whose every entry has a
// unique id and a primary name first, each name within its limits.
func checkParsed(t *testing.T, list *screening.List, err error) {
	t.Helper()
	if err != nil {
		var pe *screening.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("got %T %v, want a *screening.ParseError", err, err)
		}
		if list != nil {
			t.Fatalf("got a list with the error %v, want none", err)
		}
		return
	}
	if len(list.Entries) > screening.ListEntriesMax {
		t.Fatalf("got %d entries, more than ListEntriesMax", len(list.Entries))
	}
	ids := make(map[string]bool, len(list.Entries))
	for i, e := range list.Entries {
		if e.ID == "" || ids[e.ID] {
			t.Fatalf("entry %d: got the id %q, empty or repeated", i, e.ID)
		}
		ids[e.ID] = true
		if len(e.Names) == 0 || e.Names[0].Alias {
			t.Fatalf("entry %s: got names %+v, want a primary name first", e.ID, e.Names)
		}
		if len(e.Names) > screening.NamesPerEntryMax {
			t.Fatalf("entry %s: got %d names, more than NamesPerEntryMax", e.ID, len(e.Names))
		}
		for _, n := range e.Names {
			if n.Text == "" || len(n.Text) > screening.NameLenMax {
				t.Fatalf("entry %s: got the name %q, empty or past NameLenMax", e.ID, n.Text)
			}
		}
	}
}

func FuzzParseOFAC(f *testing.F) {
	files := sampleOFACFiles(f)
	f.Add(files.SDN, files.Alt, files.Add, files.Comments)
	f.Add(MustZip(f, "sdn.csv", string(files.SDN), "alt.csv", string(files.Alt), "add.csv", string(files.Add)), []byte(nil), []byte(nil), []byte(nil))
	f.Add(sdnCSV([5]string{"1", "DOE, John", "individual", "SDGT] [IRAN", "DOB circa 01 Jan 1960 to 1962; nationality Iran; a.k.a. 'JD'."}),
		[]byte("1,2,\"aka\",\"DOE, Jon\",-0- \r\n"), []byte("1,3,-0- ,-0- ,\"Russia\",-0- \r\n"), []byte("1,\" more\"\r\n\x1a"))
	f.Fuzz(func(t *testing.T, sdn, alt, add, comments []byte) {
		list, err := screening.Parse(screening.FormatOFAC, "OFAC-SDN", sdn)
		checkParsed(t, list, err)
		list, err = screening.ParseOFAC("OFAC-SDN", screening.OFACFiles{SDN: sdn, Alt: alt, Add: add, Comments: comments})
		checkParsed(t, list, err)
	})
}

func FuzzParseUN(f *testing.F) {
	// The whole published list (2 MB) is parsed by TestUNSample; as a seed
	// it would make each execution take seconds. Its first records are
	// enough for the fuzzer to learn the format.
	f.Add(unHead(f, 3))
	f.Add(unDoc(unIndividual("XXi.001", "<NAME_ORIGINAL_SCRIPT>Джон</NAME_ORIGINAL_SCRIPT>"+
		"<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>A (B; C); D</ALIAS_NAME><DATE_OF_BIRTH>1955</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>"+
		"<NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE></NATIONALITY>"+
		"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>")))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := screening.Parse(screening.FormatUN, "UN", data)
		checkParsed(t, list, err)
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add(MustReadSample(f, "internal.csv"))
	f.Add([]byte(csvHeader + "A1,\"DOE, John\",individual,JD;J. Doe,IR;ru,1960;1961-02,SDGT,\"a \"\"b\"\"\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := screening.Parse(screening.FormatCSV, "internal", data)
		checkParsed(t, list, err)
	})
}

// unHead returns the published UN list cut after its first n INDIVIDUAL
// records, closed so that it is well formed.
func unHead(tb testing.TB, n int) []byte {
	tb.Helper()
	data := MustReadSample(tb, "UN_consolidated.xml")
	end := 0
	for i := 0; i < n; i++ {
		j := bytes.Index(data[end:], []byte("</INDIVIDUAL>"))
		if j < 0 {
			tb.Fatalf("the UN sample has fewer than %d individuals", n)
		}
		end += j + len("</INDIVIDUAL>")
	}
	return append(append([]byte(nil), data[:end]...), "</INDIVIDUALS><ENTITIES></ENTITIES></CONSOLIDATED_LIST>\n"...)
}
