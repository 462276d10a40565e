package calendar_test

import (
	"strings"
	"testing"

	"astara/calendar"
)

// refDay is one row of the reference tables (corridor-facts.md sections 1.3,
// 2.3 and 2.4), written here independently of the data files.
type refDay struct {
	country string
	date    string
	kind    calendar.Kind
	status  calendar.Status
	// name is a part of the entry's name or local name.
	name string
	// scope is empty for national entries.
	scope calendar.Scope
}

const (
	holiday  = calendar.KindHoliday
	transfer = calendar.KindTransfer
	workSat  = calendar.KindWorkingWeekend
	short    = calendar.KindShort
	closure  = calendar.KindClosure
	official = calendar.StatusOfficial
	estimate = calendar.StatusEstimate
)

func ru(date string, kind calendar.Kind, name string) refDay {
	return refDay{"RU", date, kind, official, name, ""}
}

func ir(date string, status calendar.Status, name string) refDay {
	return refDay{"IR", date, holiday, status, name, ""}
}

const (
	newYear   = "Новогодние каникулы"
	christmas = "Рождество Христово"
	defender  = "День защитника Отечества"
	women     = "Международный женский день"
	labour    = "Праздник Весны и Труда"
	victory   = "День Победы"
	russia    = "День России"
	unity     = "День народного единства"
)

// russiaReference is section 1.3.
var russiaReference = []refDay{
	ru("2025-01-01", holiday, newYear), ru("2025-01-02", holiday, newYear), ru("2025-01-03", holiday, newYear),
	ru("2025-01-04", holiday, newYear), ru("2025-01-05", holiday, newYear), ru("2025-01-06", holiday, newYear),
	ru("2025-01-07", holiday, christmas), ru("2025-01-08", holiday, newYear),
	ru("2025-02-23", holiday, defender), ru("2025-03-07", short, ""), ru("2025-03-08", holiday, women),
	ru("2025-04-30", short, ""), ru("2025-05-01", holiday, labour),
	ru("2025-05-02", transfer, "2025-01-04"), ru("2025-05-08", transfer, "2025-02-23"),
	ru("2025-05-09", holiday, victory), ru("2025-06-11", short, ""), ru("2025-06-12", holiday, russia),
	ru("2025-06-13", transfer, "2025-03-08"), ru("2025-11-01", workSat, ""), ru("2025-11-01", short, ""),
	ru("2025-11-03", transfer, "2025-11-01"), ru("2025-11-04", holiday, unity), ru("2025-12-31", transfer, "2025-01-05"),

	ru("2026-01-01", holiday, newYear), ru("2026-01-02", holiday, newYear), ru("2026-01-03", holiday, newYear),
	ru("2026-01-04", holiday, newYear), ru("2026-01-05", holiday, newYear), ru("2026-01-06", holiday, newYear),
	ru("2026-01-07", holiday, christmas), ru("2026-01-08", holiday, newYear), ru("2026-01-09", transfer, "2026-01-03"),
	ru("2026-02-23", holiday, defender), ru("2026-03-08", holiday, women), ru("2026-03-09", transfer, "2026-03-08"),
	ru("2026-04-30", short, ""), ru("2026-05-01", holiday, labour), ru("2026-05-08", short, ""),
	ru("2026-05-09", holiday, victory), ru("2026-05-11", transfer, "2026-05-09"), ru("2026-06-11", short, ""),
	ru("2026-06-12", holiday, russia), ru("2026-11-03", short, ""), ru("2026-11-04", holiday, unity),
	ru("2026-12-31", transfer, "2026-01-04"),

	ru("2027-01-01", holiday, newYear), ru("2027-01-02", holiday, newYear), ru("2027-01-03", holiday, newYear),
	ru("2027-01-04", holiday, newYear), ru("2027-01-05", holiday, newYear), ru("2027-01-06", holiday, newYear),
	ru("2027-01-07", holiday, christmas), ru("2027-01-08", holiday, newYear),
	ru("2027-02-23", holiday, defender), ru("2027-03-08", holiday, women), ru("2027-05-01", holiday, labour),
	{"RU", "2027-05-03", transfer, estimate, "2027-05-01", ""},
	ru("2027-05-09", holiday, victory),
	{"RU", "2027-05-10", transfer, estimate, "2027-05-09", ""},
	ru("2027-06-12", holiday, russia),
	{"RU", "2027-06-14", transfer, estimate, "2027-06-12", ""},
	ru("2027-11-04", holiday, unity),
}

// iranReference is sections 2.3 (solar), 2.4 (lunar) and the national
// mourning closure of 2.1.
var iranReference = []refDay{
	// 2.3, solar holidays.
	ir("2025-03-21", official, "Nowruz"), ir("2025-03-22", official, "Nowruz"), ir("2025-03-23", official, "Nowruz"),
	ir("2025-03-24", official, "Nowruz"), ir("2025-04-01", official, "Islamic Republic"), ir("2025-04-02", official, "Nature"),
	ir("2025-06-04", official, "Khomeini"), ir("2025-06-05", official, "Khordad"), ir("2026-02-11", official, "Revolution"),
	ir("2026-03-20", official, "Oil"),
	ir("2026-03-21", official, "Nowruz"), ir("2026-03-22", official, "Nowruz"), ir("2026-03-23", official, "Nowruz"),
	ir("2026-03-24", official, "Nowruz"), ir("2026-04-01", official, "Islamic Republic"), ir("2026-04-02", official, "Nature"),
	ir("2026-06-04", official, "Khomeini"), ir("2026-06-05", official, "Khordad"), ir("2027-02-11", official, "Revolution"),
	ir("2027-03-20", official, "Oil"),
	ir("2027-03-21", official, "Nowruz"), ir("2027-03-22", official, "Nowruz"), ir("2027-03-23", official, "Nowruz"),
	ir("2027-03-24", official, "Nowruz"), ir("2027-04-01", official, "Islamic Republic"), ir("2027-04-02", official, "Nature"),
	ir("2027-06-04", official, "Khomeini"), ir("2027-06-05", official, "Khordad"), ir("2028-02-11", official, "Revolution"),
	ir("2028-03-19", official, "Oil"),

	// 2.4, lunar holidays of 1404.
	ir("2025-03-22", official, "Imam Ali"), ir("2025-03-31", official, "Eid al-Fitr"), ir("2025-04-01", official, "Eid al-Fitr"),
	ir("2025-04-24", official, "Sadeq"), ir("2025-06-06", official, "Adha"), ir("2025-06-14", official, "Ghadir"),
	ir("2025-07-05", official, "Tasua"), ir("2025-07-06", official, "Ashura"), ir("2025-08-14", official, "Arbaeen"),
	ir("2025-08-22", official, "Prophet"), ir("2025-08-24", official, "Reza"), ir("2025-09-01", official, "Askari"),
	ir("2025-09-10", official, "Birth of the Prophet"), ir("2025-11-24", official, "Fatima"),
	ir("2026-01-03", official, "Birth of Imam Ali"), ir("2026-01-17", official, "Mab'ath"),
	ir("2026-02-04", estimate, "Mahdi"), ir("2026-03-11", estimate, "Imam Ali"),
	{"IR", "2026-03-01", closure, official, "mourning", ""}, {"IR", "2026-03-02", closure, official, "mourning", ""},
	{"IR", "2026-03-03", closure, official, "mourning", ""}, {"IR", "2026-03-04", closure, official, "mourning", ""},
	{"IR", "2026-03-05", closure, official, "mourning", ""}, {"IR", "2026-03-06", closure, official, "mourning", ""},
	{"IR", "2026-03-07", closure, official, "mourning", ""},

	// 2.4, lunar holidays of 1405; 25 Shawwal is UNCONFIRMED, so an estimate.
	ir("2026-03-21", official, "Eid al-Fitr"), ir("2026-03-22", official, "Eid al-Fitr"),
	ir("2026-04-14", estimate, "Sadeq"), ir("2026-05-27", official, "Adha"), ir("2026-06-04", official, "Ghadir"),
	ir("2026-06-24", official, "Tasua"), ir("2026-06-25", official, "Ashura"), ir("2026-08-03", estimate, "Arbaeen"),
	ir("2026-08-11", estimate, "Prophet"), ir("2026-08-13", estimate, "Reza"), ir("2026-08-21", estimate, "Askari"),
	ir("2026-08-30", estimate, "Birth of the Prophet"), ir("2026-11-13", estimate, "Fatima"),
	ir("2026-12-22", estimate, "Birth of Imam Ali"), ir("2027-01-05", estimate, "Mab'ath"),
	ir("2027-01-23", estimate, "Mahdi"), ir("2027-02-28", estimate, "Imam Ali"),
	ir("2027-03-09", estimate, "Eid al-Fitr"), ir("2027-03-10", estimate, "Eid al-Fitr"),

	// 2.4, lunar holidays of 1406, all estimates.
	ir("2027-04-02", estimate, "Sadeq"), ir("2027-05-16", estimate, "Adha"), ir("2027-05-24", estimate, "Ghadir"),
	ir("2027-06-14", estimate, "Tasua"), ir("2027-06-15", estimate, "Ashura"), ir("2027-07-24", estimate, "Arbaeen"),
	ir("2027-08-01", estimate, "Prophet"), ir("2027-08-02", estimate, "Reza"), ir("2027-08-10", estimate, "Askari"),
	ir("2027-08-19", estimate, "Birth of the Prophet"), ir("2027-11-02", estimate, "Fatima"),
	ir("2027-12-11", estimate, "Birth of Imam Ali"), ir("2027-12-25", estimate, "Mab'ath"),
	ir("2028-01-12", estimate, "Mahdi"), ir("2028-02-17", estimate, "Imam Ali"),
	ir("2028-02-26", estimate, "Eid al-Fitr"), ir("2028-02-27", estimate, "Eid al-Fitr"),
}

// beyondReference are entries the data has that the reference tables do not
// list: Russian short days of 2027 by art. 95, the part of Iranian 1403 that
// falls in 2025, and the provincial closures of section 2.1.
var beyondReference = []refDay{
	{"RU", "2027-02-22", short, estimate, "", ""}, {"RU", "2027-04-30", short, estimate, "", ""},
	{"RU", "2027-06-11", short, estimate, "", ""}, {"RU", "2027-11-03", short, estimate, "", ""},
	ir("2025-01-14", official, "Birth of Imam Ali"), ir("2025-01-28", official, "Mab'ath"),
	ir("2025-02-10", official, "Revolution"), ir("2025-02-14", estimate, "Mahdi"),
	ir("2025-03-19", official, "Oil"), {"IR", "2025-03-20", closure, official, "آخرین روز سال", ""},
	{"IR", "2025-02-24", closure, official, "cold", "province:Tehran"},
	{"IR", "2025-02-25", closure, official, "cold", "province:Tehran"},
	{"IR", "2025-07-23", closure, official, "heat", "province:Tehran"},
	{"IR", "2025-08-06", closure, official, "heat", "province:Tehran"},
	{"IR", "2025-08-23", closure, official, "heat", "province:Tehran"},
}

func TestReferenceHolidays(t *testing.T) {
	s := MustDefault(t)
	check := func(t *testing.T, rows []refDay) {
		for _, r := range rows {
			t.Run(r.country+"/"+r.date+"/"+string(r.kind), func(t *testing.T) {
				var scopes []calendar.Scope
				if r.scope != "" {
					scopes = append(scopes, r.scope)
				}
				day := MustDay(t, s, r.country, r.date, scopes...)
				found := false
				for _, e := range day.Entries {
					if e.Kind == r.kind && e.Status == r.status && (e.Scope == r.scope || r.scope == "" && e.Scope == calendar.ScopeNational) &&
						(strings.Contains(e.Name, r.name) || strings.Contains(e.NameLocal, r.name)) {
						found = true
					}
				}
				if !found {
					t.Errorf("entries: got %+v, want a %s %s entry named like %q", day.Entries, r.status, r.kind, r.name)
				}
				switch r.kind {
				case calendar.KindHoliday:
					if day.BusinessDay || day.Reason != calendar.ReasonHoliday {
						t.Errorf("got business_day=%t reason=%q, want a holiday", day.BusinessDay, day.Reason)
					}
				case calendar.KindTransfer:
					if day.BusinessDay || day.Reason != calendar.ReasonTransfer {
						t.Errorf("got business_day=%t reason=%q, want a transfer", day.BusinessDay, day.Reason)
					}
				case calendar.KindClosure:
					if day.BusinessDay || (day.Reason != calendar.ReasonClosure && day.Reason != calendar.ReasonHoliday) {
						t.Errorf("got business_day=%t reason=%q, want a closure", day.BusinessDay, day.Reason)
					}
				case calendar.KindShort:
					if !day.BusinessDay || !day.Short {
						t.Errorf("got business_day=%t short=%t, want a short business day", day.BusinessDay, day.Short)
					}
				case calendar.KindWorkingWeekend:
					if !day.BusinessDay {
						t.Errorf("got business_day=false, want a working weekend day")
					}
				}
			})
		}
	}
	t.Run("Russia", func(t *testing.T) { check(t, russiaReference) })
	t.Run("Iran", func(t *testing.T) { check(t, iranReference) })
	t.Run("BeyondReference", func(t *testing.T) { check(t, beyondReference) })
	t.Run("India", func(t *testing.T) { check(t, indiaReference) })
	t.Run("Azerbaijan", func(t *testing.T) { check(t, azerbaijanReference) })
	t.Run("China", func(t *testing.T) { check(t, chinaReference) })
}

// TestNoHolidaysBeyondTheTables checks the other direction: every day of
// 2025–2027 that the data makes special is in one of the tables (those of
// India, Azerbaijan and China are in countries_test.go), so the data has no
// stray entries.
func TestNoHolidaysBeyondTheTables(t *testing.T) {
	s := MustDefault(t)
	known := map[string]bool{}
	for _, rows := range [][]refDay{russiaReference, iranReference, beyondReference, indiaReference, azerbaijanReference, chinaReference} {
		for _, r := range rows {
			known[r.country+" "+r.date+" "+string(r.kind)+" "+string(r.scope)] = true
		}
	}
	for _, country := range []string{"RU", "IR", "IN", "AZ", "CN"} {
		c := MustCountry(t, s, country)
		for _, e := range c.Entries(MustDate(t, "2025-01-01"), MustDate(t, "2027-12-31")) {
			scope := e.Scope
			if scope == calendar.ScopeNational {
				scope = ""
			}
			if !known[country+" "+e.Date.String()+" "+string(e.Kind)+" "+string(scope)] {
				t.Errorf("%s %s: entry %q (%s) is in the data but in no reference table", country, e.Date, e.Name, e.Kind)
			}
		}
	}
}

func TestTransfers(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name     string
		date     string
		business bool
		reason   calendar.Reason
	}{
		{"Russia2026Jan9IsOff", "2026-01-09", false, calendar.ReasonTransfer},
		{"Russia2025Nov1IsAWorkingSaturday", "2025-11-01", true, ""},
		{"Russia2025May2IsOff", "2025-05-02", false, calendar.ReasonTransfer},
		{"Russia2025Dec31IsOff", "2025-12-31", false, calendar.ReasonTransfer},
		{"Russia2026Mar9IsOffByArt112", "2026-03-09", false, calendar.ReasonTransfer},
		{"Russia2026Dec30IsAnOrdinaryDay", "2026-12-30", true, ""},
		{"Russia2025Jan4IsAHolidayOnASaturday", "2025-01-04", false, calendar.ReasonHoliday},
		{"RussiaOrdinarySaturday", "2026-01-10", false, calendar.ReasonWeekend},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := MustDay(t, s, "RU", tt.date)
			if day.BusinessDay != tt.business || day.Reason != tt.reason {
				t.Errorf("%s: got business_day=%t reason=%q, want %t %q", tt.date, day.BusinessDay, day.Reason, tt.business, tt.reason)
			}
		})
	}
	t.Run("WorkingSaturdayIsShortAndHasWeekdayHours", func(t *testing.T) {
		day := MustDay(t, s, "RU", "2025-11-01")
		if !day.Short || day.Hours.String() != "01:00–21:00" {
			t.Errorf("got short=%t hours=%s, want short with 01:00–21:00", day.Short, day.Hours)
		}
	})
}

func TestYearTotals(t *testing.T) {
	s := MustDefault(t)
	count := func(t *testing.T, country, from, to string) (business, off int) {
		t.Helper()
		listing, err := s.Days(country, MustDate(t, from), MustDate(t, to))
		if err != nil {
			t.Fatalf("Days: %v", err)
		}
		for _, d := range listing.Days {
			if d.BusinessDay {
				business++
			} else {
				off++
			}
		}
		return business, off
	}
	for _, tt := range []struct {
		name          string
		year          string
		business, off int
	}{
		{"Russia2025Is247Of365", "2025", 247, 118},
		{"Russia2026Is247Of365", "2026", 247, 118},
		{"Russia2027StatutoryBaselineIs249", "2027", 249, 116},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, o := count(t, "RU", tt.year+"-01-01", tt.year+"-12-31")
			if b != tt.business || o != tt.off {
				t.Errorf("got %d business / %d off, want %d / %d", b, o, tt.business, tt.off)
			}
		})
	}
	// Iranian holiday counts as published: 26 in 1404 (gardshgar) and 25 in
	// 1405 (ILNA), which leaves out the unconfirmed 25 Shawwal.
	for _, tt := range []struct {
		name     string
		from, to string
		want     int
	}{
		{"Iran1404Has26HolidayDays", "2025-03-21", "2026-03-20", 26},
		{"Iran1405Has25HolidayDaysWithout25Shawwal", "2026-03-21", "2027-03-20", 25},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listing, err := s.Days("IR", MustDate(t, tt.from), MustDate(t, tt.to))
			if err != nil {
				t.Fatalf("Days: %v", err)
			}
			got := 0
			for _, d := range listing.Days {
				if d.Reason == calendar.ReasonHoliday && d.Date.String() != "2026-04-14" {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("got %d holiday days, want %d", got, tt.want)
			}
		})
	}
}

func TestIranWeek(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name     string
		date     string
		business bool
		reason   calendar.Reason
		hours    string
	}{
		{"FridayIsTheWeekend", "2025-10-17", false, calendar.ReasonWeekend, "closed"},
		{"ThursdayIsAShortBusinessDay", "2025-10-16", true, "", "07:30–12:30"},
		{"SaturdayIsABusinessDay", "2025-10-18", true, "", "07:30–13:30"},
		{"LunarHolidayOnAFridayIsAHoliday", "2025-08-22", false, calendar.ReasonHoliday, "closed"},
		{"NoSubstituteDayAfterAFridayHoliday", "2026-08-22", true, "", "07:30–13:30"},
		{"MourningClosureOnAFriday", "2026-03-06", false, calendar.ReasonClosure, "closed"},
		{"ProvincialClosureDoesNotCloseTheCountry", "2025-07-23", true, "", "07:30–13:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := MustDay(t, s, "IR", tt.date)
			if day.BusinessDay != tt.business || day.Reason != tt.reason || day.Hours.String() != tt.hours {
				t.Errorf("%s: got %t %q %s, want %t %q %s", tt.date, day.BusinessDay, day.Reason, day.Hours, tt.business, tt.reason, tt.hours)
			}
		})
	}
	t.Run("ProvincialClosureClosesTheProvince", func(t *testing.T) {
		day := MustDay(t, s, "IR", "2025-07-23", calendar.ProvinceScope("Tehran"))
		if day.BusinessDay || day.Reason != calendar.ReasonClosure {
			t.Errorf("got %t %q, want a closure", day.BusinessDay, day.Reason)
		}
	})
}
