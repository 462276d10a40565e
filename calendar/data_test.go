package calendar_test

import (
	"fmt"
	"strings"
	"testing"

	"astara/calendar"
)

func TestShippedData(t *testing.T) {
	datasets, err := calendar.Shipped()
	if err != nil {
		t.Fatalf("Shipped: %v", err)
	}
	var names []string
	for _, ds := range datasets {
		names = append(names, ds.Source)
		for _, e := range ds.Entries {
			if e.Source == "" || e.Name == "" {
				t.Errorf("%s %s: an entry without name or source", ds.Source, e.Date)
			}
		}
	}
	want := "AZ-2025.json AZ-2026.json AZ-2027.json CN-2025.json CN-2026.json CN-2027.json IN-2025.json IN-2026.json IN-2027.json " +
		"IR-1403.json IR-1404.json IR-1405.json IR-1406.json RU-2025.json RU-2026.json RU-2027.json"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files: got %s, want %s", got, want)
	}
	t.Run("SolarHijriEntriesAreDerived", func(t *testing.T) {
		s := MustDefault(t)
		// Written as 1404-11-22 only; the Gregorian date comes from the
		// conversion.
		if d := MustDay(t, s, "IR", "2026-02-11"); d.Reason != calendar.ReasonHoliday || d.Name != "Victory of the Islamic Revolution" {
			t.Errorf("got %+v", d)
		}
	})
}

// dataFile builds a data file around one entry.
func dataFile(entry string) string {
	return `{"format": 1, "country": "IR", "calendar": "solar_hijri", "year": 1405, "entries": [` + entry + `]}`
}

func TestReadData(t *testing.T) {
	tests := []struct {
		name string
		text string
		rule calendar.Rule
	}{
		{"Valid", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}`), ""},
		{"UnknownFieldRejected", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law", "colour": "red"}`), calendar.RuleDataSyntax},
		{"DateAndJalaliDisagree", dataFile(`{"date": "2026-03-22", "jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}`), calendar.RuleDateMismatch},
		{"OutsideTheYear", dataFile(`{"date": "2026-03-20", "name": "Oil", "kind": "holiday", "status": "official", "source": "law"}`), calendar.RuleOutsideCoverage},
		{"BadKind", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "party", "status": "official", "source": "law"}`), calendar.RuleFieldInvalid},
		{"BadStatus", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "maybe", "source": "law"}`), calendar.RuleFieldInvalid},
		{"NoSource", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official"}`), calendar.RuleFieldMissing},
		{"NoDate", dataFile(`{"name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}`), calendar.RuleFieldInvalid},
		{"Esfand30InACommonYear", dataFile(`{"jalali": "1405-12-30", "name": "x", "kind": "closure", "status": "official", "source": "law"}`), calendar.RuleFieldInvalid},
		{"RangeThroughInSolarHijri", dataFile(`{"jalali": "1405-01-01", "through": "1405-01-04", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}`), ""},
		{"RangeReversed", dataFile(`{"jalali": "1405-01-04", "through": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}`), calendar.RuleFieldInvalid},
		{"Duplicate", dataFile(`{"jalali": "1405-01-01", "name": "Nowruz", "kind": "holiday", "status": "official", "source": "law"}, {"date": "2026-03-21", "name": "Nowruz", "kind": "holiday", "status": "estimate", "source": "other"}`), calendar.RuleFieldInvalid},
		{"FormatTwo", strings.Replace(dataFile(""), `"format": 1`, `"format": 2`, 1), calendar.RuleDataFormat},
		{"UnknownCalendar", strings.Replace(dataFile(""), "solar_hijri", "lunar", 1), calendar.RuleDataFormat},
		{"TrailingData", dataFile("") + "{}", calendar.RuleDataSyntax},
		{"PartialCoverage", `{"format": 1, "country": "RU", "calendar": "gregorian", "year": 2028, "from": "2028-06-01", "entries": []}`, ""},
		{"CoverageOutsideTheYear", `{"format": 1, "country": "RU", "calendar": "gregorian", "year": 2028, "from": "2027-06-01", "entries": []}`, calendar.RuleFieldInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := calendar.ReadData(strings.NewReader(tt.text), "test.json")
			if got := calendar.RuleOf(err); got != tt.rule {
				t.Errorf("got %q (%v), want %q", got, err, tt.rule)
			}
		})
	}
	t.Run("BytesOnePastTheLimit", func(t *testing.T) {
		text := dataFile("")
		text += strings.Repeat(" ", calendar.DataFileBytesMax-len(text))
		if _, err := calendar.ReadData(strings.NewReader(text), "test.json"); err != nil {
			t.Errorf("at the limit: got %v", err)
		}
		if _, err := calendar.ReadData(strings.NewReader(text+" "), "test.json"); calendar.RuleOf(err) != calendar.RuleTooLarge {
			t.Errorf("one past the limit: got %v, want %s", err, calendar.RuleTooLarge)
		}
	})
	t.Run("EntriesOnePastTheLimit", func(t *testing.T) {
		entries := func(n int) string {
			var b strings.Builder
			for i := range n {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"jalali": "1405-01-01", "name": "n%d", "kind": "closure", "status": "official", "source": "s"}`, i)
			}
			return b.String()
		}
		if _, err := calendar.ReadData(strings.NewReader(dataFile(entries(calendar.DatasetEntriesMax))), "test.json"); err != nil {
			t.Errorf("at the limit: got %v", err)
		}
		_, err := calendar.ReadData(strings.NewReader(dataFile(entries(calendar.DatasetEntriesMax+1))), "test.json")
		if calendar.RuleOf(err) != calendar.RuleTooManyEntries {
			t.Errorf("one past the limit: got %v, want %s", err, calendar.RuleTooManyEntries)
		}
	})
	t.Run("LoadIntoTheWrongCountryIsUnknown", func(t *testing.T) {
		s, err := calendar.NewSet(calendar.Russia())
		if err != nil {
			t.Fatal(err)
		}
		ds, err := calendar.ReadData(strings.NewReader(dataFile("")), "IR-1405.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ds, startup); calendar.RuleOf(err) != calendar.RuleCountryUnknown {
			t.Errorf("got %v, want %s", err, calendar.RuleCountryUnknown)
		}
	})
}
