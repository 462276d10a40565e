package calendar_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"astara/calendar"
)

var exportedAt = time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)

// MustReadICS parses an iCalendar text and fails the test if it is rejected.
func MustReadICS(tb testing.TB, text string) calendar.Dataset {
	tb.Helper()
	ds, err := calendar.ReadICS(strings.NewReader(text))
	if err != nil {
		tb.Fatalf("ReadICS: %v", err)
	}
	return ds
}

// ics wraps VEVENT bodies into a calendar, with CRLF line ends.
func ics(header string, events ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + header)
	for _, e := range events {
		b.WriteString("BEGIN:VEVENT\n" + e + "END:VEVENT\n")
	}
	b.WriteString("END:VCALENDAR\n")
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}

func TestICSRoundTrip(t *testing.T) {
	s := MustDefault(t)
	for _, country := range []string{"RU", "IR", "IN", "AZ", "CN"} {
		t.Run(country, func(t *testing.T) {
			c := MustCountry(t, s, country)
			var buf bytes.Buffer
			if err := c.WriteICS(&buf, exportedAt); err != nil {
				t.Fatalf("WriteICS: %v", err)
			}
			for i, line := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
				if len(line) > 75 {
					t.Fatalf("line %d is %d octets: %q", i+1, len(line), line)
				}
			}
			ds, err := calendar.ReadICS(&buf)
			if err != nil {
				t.Fatalf("ReadICS: %v", err)
			}
			fresh, err := calendar.NewSet(calendar.Profiles()...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fresh.Load(ds, operator(t, "2026-01-15T12:00:00Z")); err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, want := MustCountry(t, fresh, country).Data(), c.Data()
			if !reflect.DeepEqual(got.Entries, want.Entries) {
				t.Errorf("entries differ after the round trip:\ngot  %+v\nwant %+v", got.Entries, want.Entries)
			}
			if !reflect.DeepEqual(got.Coverage, want.Coverage) {
				t.Errorf("coverage: got %v, want %v", got.Coverage, want.Coverage)
			}
		})
	}
	t.Run("ExportIsDeterministic", func(t *testing.T) {
		var a, b bytes.Buffer
		c := MustCountry(t, s, "IR")
		_ = c.WriteICS(&a, exportedAt)
		_ = c.WriteICS(&b, exportedAt)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("two exports differ")
		}
		if !strings.Contains(a.String(), "X-ASTARA-SOLAR-HIJRI:1405-01-01\r\n") || !strings.Contains(a.String(), "DTSTAMP:20260115T120000Z\r\n") {
			t.Errorf("the export lacks the Solar Hijri date or the stamp")
		}
	})
}

func TestReadICS(t *testing.T) {
	t.Run("FoldingEscapingAndRanges", func(t *testing.T) {
		ds := MustReadICS(t, ics("X-ASTARA-COUNTRY:IR\n",
			"DTSTART;VALUE=DATE:20260301\nDTEND;VALUE=DATE:20260308\nSUMMARY:National mourning\\, seven days\\; banks\n  closed\nCATEGORIES:CLOSURE,OFFICIAL,Public holiday\n",
			"DTSTART:20260813\nSUMMARY:Imam Reza\nCATEGORIES:HOLIDAY\nCATEGORIES:ESTIMATE\nX-ASTARA-LUNAR:last day of Safar 1448\nBEGIN:VALARM\nSUMMARY:ignored\nEND:VALARM\n",
			"DTSTART;VALUE=DATE:20250723\nSUMMARY:Heat\nX-ASTARA-KIND:closure\nX-ASTARA-SCOPE:province:Tehran\n",
			"DTSTART;VALUE=DATE:20250724\nSUMMARY:Cancelled\nSTATUS:CANCELLED\n",
			"DTSTART;VALUE=DATE:20250801\nDURATION:P2D\nSUMMARY:Two days\nCATEGORIES:closure,province:Khuzestan\n",
		))
		if ds.Country != "IR" || len(ds.Entries) != 7+1+1+2 {
			t.Fatalf("got country %q and %d entries, want IR and 11", ds.Country, len(ds.Entries))
		}
		first := ds.Entries[0]
		if first.Date.String() != "2025-07-23" || first.Kind != calendar.KindClosure || first.Scope != "province:Tehran" || first.Status != calendar.StatusOfficial {
			t.Errorf("first entry: got %+v", first)
		}
		var mourning []calendar.Entry
		for _, e := range ds.Entries {
			if strings.HasPrefix(e.Name, "National mourning") {
				mourning = append(mourning, e)
			}
		}
		if len(mourning) != 7 || mourning[0].Name != "National mourning, seven days; banks closed" || mourning[6].Date.String() != "2026-03-07" ||
			mourning[0].Kind != calendar.KindClosure || mourning[0].Source != "iCalendar import" {
			t.Errorf("mourning: got %+v", mourning)
		}
		last := ds.Entries[len(ds.Entries)-1]
		if last.Name != "Imam Reza" || last.Status != calendar.StatusEstimate || last.Lunar != "last day of Safar 1448" {
			t.Errorf("lunar entry: got %+v", last)
		}
		khuzestan := ds.Entries[2]
		if khuzestan.Scope != calendar.ProvinceScope("Khuzestan") || khuzestan.Date.String() != "2025-08-02" {
			t.Errorf("duration entry: got %+v", khuzestan)
		}
	})
	t.Run("WithoutCoverageItExtends", func(t *testing.T) {
		s := MustDefault(t)
		ds := MustReadICS(t, ics("", "DTSTART;VALUE=DATE:20251022\nSUMMARY:Air pollution\nCATEGORIES:CLOSURE\n"))
		ds.Country = "IR"
		if _, err := s.Load(ds, operator(t, "2025-10-21T18:00:00Z")); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if d := MustDay(t, s, "IR", "2025-10-22"); d.Reason != calendar.ReasonClosure {
			t.Errorf("2025-10-22: got %+v", d)
		}
		if d := MustDay(t, s, "IR", "2025-08-14"); d.Reason != calendar.ReasonHoliday {
			t.Errorf("the rest of the year was replaced: %+v", d)
		}
	})
	t.Run("LoadWithoutCountry", func(t *testing.T) {
		s := MustDefault(t)
		ds := MustReadICS(t, ics("", "DTSTART;VALUE=DATE:20251022\nSUMMARY:x\n"))
		if _, err := s.Load(ds, startup); calendar.RuleOf(err) != calendar.RuleFieldMissing {
			t.Errorf("got %v, want %s", err, calendar.RuleFieldMissing)
		}
	})

	tests := []struct {
		name string
		text string
		rule calendar.Rule
	}{
		{"DateTimeStartRejected", ics("", "DTSTART:20260301T090000Z\nSUMMARY:x\n"), calendar.RuleUnsupported},
		{"RecurrenceRejected", ics("", "DTSTART;VALUE=DATE:20260301\nRRULE:FREQ=YEARLY\nSUMMARY:x\n"), calendar.RuleUnsupported},
		{"NoStart", ics("", "SUMMARY:x\n"), calendar.RuleFieldMissing},
		{"NoSummary", ics("", "DTSTART;VALUE=DATE:20260301\n"), calendar.RuleFieldMissing},
		{"EndNotAfterStart", ics("", "DTSTART;VALUE=DATE:20260301\nDTEND;VALUE=DATE:20260301\nSUMMARY:x\n"), calendar.RuleFieldInvalid},
		{"RangeOnePastTheLimit", ics("", fmt.Sprintf("DTSTART;VALUE=DATE:20250101\nDURATION:P%dD\nSUMMARY:x\n", calendar.RangeDaysMax+1)), calendar.RuleRangeTooLong},
		{"BadKind", ics("", "DTSTART;VALUE=DATE:20260301\nSUMMARY:x\nX-ASTARA-KIND:party\n"), calendar.RuleFieldInvalid},
		{"TwoKindsInCategories", ics("", "DTSTART;VALUE=DATE:20260301\nSUMMARY:x\nCATEGORIES:HOLIDAY,CLOSURE\n"), calendar.RuleFieldInvalid},
		{"BadScopeInCategories", ics("", "DTSTART;VALUE=DATE:20260301\nSUMMARY:x\nCATEGORIES:BANK:nope\n"), calendar.RuleFieldInvalid},
		{"SolarHijriDisagrees", ics("", "DTSTART;VALUE=DATE:20260321\nSUMMARY:Nowruz\nX-ASTARA-SOLAR-HIJRI:1405-01-02\n"), calendar.RuleDateMismatch},
		{"DuplicateEvent", ics("", "DTSTART;VALUE=DATE:20260321\nSUMMARY:Nowruz\n", "DTSTART;VALUE=DATE:20260321\nSUMMARY:Nowruz\n"), calendar.RuleFieldInvalid},
		{"NotACalendar", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", calendar.RuleDataSyntax},
		{"Unclosed", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", calendar.RuleDataSyntax},
		{"MismatchedEnd", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", calendar.RuleDataSyntax},
		{"Empty", "", calendar.RuleDataSyntax},
		{"NotUTF8", "BEGIN:VCALENDAR\r\nX-WR-CALNAME:\xff\r\nEND:VCALENDAR\r\n", calendar.RuleDataSyntax},
		{"DeepNesting", "BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:X\r\n", calendar.ICSDepthMax) + strings.Repeat("END:X\r\n", calendar.ICSDepthMax) + "END:VCALENDAR\r\n", calendar.RuleTooManyEntries},
		{"BadCountry", ics("X-ASTARA-COUNTRY:Iran\n"), calendar.RuleFieldInvalid},
		{"BadCoverage", ics("X-ASTARA-COVERAGE:20250101-20251231\n"), calendar.RuleFieldInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := calendar.ReadICS(strings.NewReader(tt.text))
			if got := calendar.RuleOf(err); got != tt.rule {
				t.Errorf("got %q (%v), want %q", got, err, tt.rule)
			}
			var de *calendar.DataError
			if err != nil && !errors.As(err, &de) {
				t.Errorf("got %T, want *DataError", err)
			}
		})
	}
}

func TestICSLimits(t *testing.T) {
	event := "DTSTART;VALUE=DATE:%s\nSUMMARY:Day %d\n"
	events := func(n int) []string {
		out := make([]string, n)
		d := MustDate(t, "2025-01-01")
		for i := range out {
			out[i] = fmt.Sprintf(event, strings.ReplaceAll(d.AddDays(i).String(), "-", ""), i)
		}
		return out
	}
	t.Run("EventsAtTheLimit", func(t *testing.T) {
		if _, err := calendar.ReadICS(strings.NewReader(ics("", events(calendar.ICSEventsMax)...))); err != nil {
			t.Errorf("got %v", err)
		}
	})
	t.Run("EventsOnePastTheLimit", func(t *testing.T) {
		_, err := calendar.ReadICS(strings.NewReader(ics("", events(calendar.ICSEventsMax+1)...)))
		if calendar.RuleOf(err) != calendar.RuleTooManyEntries {
			t.Errorf("got %v, want %s", err, calendar.RuleTooManyEntries)
		}
	})
	pad := func(size int) string {
		base := ics("")
		filler := "X-PAD:" + strings.Repeat("x", size-len(base)-len("X-PAD:\r\n")) + "\r\n"
		return strings.Replace(base, "END:VCALENDAR", filler+"END:VCALENDAR", 1)
	}
	t.Run("BytesAtTheLimit", func(t *testing.T) {
		text := pad(calendar.ICSBytesMax)
		if len(text) != calendar.ICSBytesMax {
			t.Fatalf("built %d bytes", len(text))
		}
		if _, err := calendar.ReadICS(strings.NewReader(text)); err != nil {
			t.Errorf("got %v", err)
		}
	})
	t.Run("BytesOnePastTheLimit", func(t *testing.T) {
		_, err := calendar.ReadICS(strings.NewReader(pad(calendar.ICSBytesMax + 1)))
		if calendar.RuleOf(err) != calendar.RuleTooLarge {
			t.Errorf("got %v, want %s", err, calendar.RuleTooLarge)
		}
	})
}

// FuzzImportICS feeds arbitrary bytes to the importer. It must never panic;
// whatever it accepts must write back and read again to the same dataset, and
// load into a Set without panicking.
func FuzzImportICS(f *testing.F) {
	// A small export as a seed: large seeds make minimization slow.
	s := MustDefault(f)
	data := MustCountry(f, s, "IR").Data()
	data.Entries = data.Entries[20:24]
	data.Coverage = data.Coverage[1:2]
	var buf bytes.Buffer
	_ = calendar.WriteICS(&buf, data, exportedAt)
	f.Add(buf.Bytes())
	f.Add([]byte(ics("X-ASTARA-COUNTRY:RU\nX-ASTARA-COVERAGE:20280101/20281231\n",
		"DTSTART;VALUE=DATE:20280101\nDTEND;VALUE=DATE:20280109\nSUMMARY:New Year holidays\nCATEGORIES:HOLIDAY\n")))
	f.Add([]byte(ics("", "DTSTART;VALUE=DATE:20250723\nSUMMARY:Heat\\, \\;\n x\nCATEGORIES:closure,province:Tehran\n")))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;X=\"a:b;c\";VALUE=DATE:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := calendar.ReadICS(bytes.NewReader(data))
		if err != nil {
			var de *calendar.DataError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is a %T, want *DataError", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := calendar.WriteICS(&out, ds, exportedAt); err != nil {
			t.Fatalf("WriteICS: %v", err)
		}
		again, err := calendar.ReadICS(&out)
		if err != nil {
			t.Fatalf("the export of an accepted file is rejected: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(again.Entries, ds.Entries) || !reflect.DeepEqual(again.Coverage, ds.Coverage) || again.Country != ds.Country {
			t.Fatalf("round trip differs:\ngot  %+v\nwant %+v", again, ds)
		}
		if ds.Country == "RU" || ds.Country == "IR" {
			fresh, err := calendar.NewSet(calendar.Russia(), calendar.Iran())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fresh.Load(ds, startup); err != nil {
				t.Fatalf("Load of an accepted dataset: %v", err)
			}
		}
	})
}
