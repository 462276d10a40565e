package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"astara/calendar"
)

// The reference tables of India, Azerbaijan and China, written from the
// publications named in data/README.md independently of the data files.

func row(country, date string, kind calendar.Kind, status calendar.Status, name string) refDay {
	return refDay{country, date, kind, status, name, ""}
}

func inOfficial(date, name string) refDay { return row("IN", date, holiday, official, name) }
func inEstimate(date, name string) refDay { return row("IN", date, holiday, estimate, name) }

// indiaReference is Maharashtra's list under NI Act s.25, which the RBI
// keeps for Mumbai: the 2025 and 2026 notifications as changed during the
// year, and the estimated 2027 list.
var indiaReference = []refDay{
	inOfficial("2025-01-26", "Republic Day"), inOfficial("2025-02-19", "Shivaji"), inOfficial("2025-02-26", "Mahashivratri"),
	inOfficial("2025-03-14", "Holi"), inOfficial("2025-03-30", "Gudhi Padwa"), inOfficial("2025-03-31", "Ramzan-Id"),
	inOfficial("2025-04-01", "closing of yearly accounts"), inOfficial("2025-04-06", "Ram Navami"), inOfficial("2025-04-10", "Mahavir"),
	inOfficial("2025-04-14", "Ambedkar"), inOfficial("2025-04-18", "Good Friday"), inOfficial("2025-05-01", "Maharashtra Din"),
	inOfficial("2025-05-12", "Buddha"), inOfficial("2025-06-07", "Bakri Id"), inOfficial("2025-07-06", "Muharram"),
	inOfficial("2025-08-15", "Independence Day"), inOfficial("2025-08-15", "Parsi New Year"), inOfficial("2025-08-27", "Ganesh"),
	inOfficial("2025-09-08", "Id-E-Milad"), inOfficial("2025-10-02", "Gandhi"), inOfficial("2025-10-02", "Dasara"),
	inOfficial("2025-10-21", "Laxmi Pujan"), inOfficial("2025-10-22", "Bali Pratipada"), inOfficial("2025-11-05", "Guru Nanak"),
	inOfficial("2025-12-25", "Christmas"),

	row("IN", "2026-01-15", closure, official, "elections"),
	inOfficial("2026-01-26", "Republic Day"), inOfficial("2026-02-15", "Mahashivratri"), inOfficial("2026-02-19", "Shivaji"),
	inOfficial("2026-03-03", "Holi"), inOfficial("2026-03-19", "Gudhi Padwa"), inOfficial("2026-03-21", "Ramzan-Id"),
	inOfficial("2026-03-26", "Ram Navami"), inOfficial("2026-03-31", "Mahavir"), inOfficial("2026-04-01", "closing of yearly accounts"),
	inOfficial("2026-04-03", "Good Friday"), inOfficial("2026-04-14", "Ambedkar"), inOfficial("2026-05-01", "Maharashtra Din"),
	inOfficial("2026-05-01", "Buddha"), inOfficial("2026-05-28", "Bakri Id"), inOfficial("2026-06-26", "Moharum"),
	inOfficial("2026-08-15", "Independence Day"), inOfficial("2026-08-15", "Parsi New Year"), inOfficial("2026-08-26", "Id-E-Milad"),
	inOfficial("2026-09-14", "Ganesh"), inOfficial("2026-10-02", "Gandhi"), inOfficial("2026-10-20", "Dasara"),
	inOfficial("2026-11-08", "Laxmi Pujan"), inOfficial("2026-11-10", "Bali Pratipada"), inOfficial("2026-11-24", "Guru Nanak"),
	inOfficial("2026-12-25", "Christmas"),

	inEstimate("2027-01-26", "Republic Day"), inEstimate("2027-02-19", "Shivaji"), inEstimate("2027-03-06", "Mahashivratri"),
	inEstimate("2027-03-10", "Ramzan-Id"), inEstimate("2027-03-22", "Holi"), inEstimate("2027-03-26", "Good Friday"),
	inEstimate("2027-04-01", "closing of yearly accounts"), inEstimate("2027-04-07", "Gudhi Padwa"), inEstimate("2027-04-14", "Ambedkar"),
	inEstimate("2027-04-15", "Ram Navami"), inEstimate("2027-04-18", "Mahavir"), inEstimate("2027-05-01", "Maharashtra Din"),
	inEstimate("2027-05-17", "Bakri Id"), inEstimate("2027-05-20", "Buddha"), inEstimate("2027-06-16", "Muharram"),
	inEstimate("2027-08-15", "Independence Day"), inEstimate("2027-08-15", "Parsi New Year"), inEstimate("2027-08-15", "Id-E-Milad"),
	inEstimate("2027-09-04", "Ganesh"), inEstimate("2027-10-02", "Gandhi"), inEstimate("2027-10-09", "Dasara"),
	inEstimate("2027-10-29", "Laxmi Pujan"), inEstimate("2027-10-30", "Bali Pratipada"), inEstimate("2027-11-14", "Guru Nanak"),
	inEstimate("2027-12-25", "Christmas"),
}

func az(date string, kind calendar.Kind, status calendar.Status, name string) refDay {
	return row("AZ", date, kind, status, name)
}

// azerbaijanReference is Labour Code art. 105, the Cabinet's decisions on
// the religious holidays and on moved days off, and the Ministry of
// Labour's production calendars; 2027 by the Code's rules.
var azerbaijanReference = []refDay{
	az("2025-01-01", holiday, official, "Yeni il"), az("2025-01-02", holiday, official, "Yeni il"),
	az("2025-01-03", transfer, official, "2024-12-29"), az("2025-01-20", holiday, official, "Hüzn"),
	az("2025-01-29", closure, official, "elections"), az("2025-03-08", holiday, official, "Qadınlar"),
	az("2025-03-20", holiday, official, "Novruz"), az("2025-03-21", holiday, official, "Novruz"), az("2025-03-22", holiday, official, "Novruz"),
	az("2025-03-23", holiday, official, "Novruz"), az("2025-03-24", holiday, official, "Novruz"),
	az("2025-03-25", transfer, official, "Novruz"), az("2025-03-26", transfer, official, "Novruz"),
	az("2025-03-27", transfer, official, "2025-03-10"), az("2025-03-28", transfer, official, "2025-04-01"),
	az("2025-03-30", holiday, official, "Ramazan"), az("2025-03-31", holiday, official, "Ramazan"),
	az("2025-05-09", holiday, official, "Faşizm"), az("2025-05-28", holiday, official, "Müstəqillik"),
	az("2025-06-06", holiday, official, "Qurban"), az("2025-06-07", holiday, official, "Qurban"), az("2025-06-09", transfer, official, "Gurban"),
	az("2025-06-15", holiday, official, "Qurtuluş"), az("2025-06-16", transfer, official, "Salvation"),
	az("2025-06-21", workSat, official, "2025-06-27"), az("2025-06-26", holiday, official, "Silahlı"), az("2025-06-27", transfer, official, "2025-06-21"),
	az("2025-11-08", holiday, official, "Zəfər"), az("2025-11-09", holiday, official, "Bayrağı"),
	az("2025-11-10", transfer, official, "Victory"), az("2025-11-11", transfer, official, "Flag"), az("2025-12-31", holiday, official, "Həmrəyliyi"),

	az("2026-01-01", holiday, official, "Yeni il"), az("2026-01-02", holiday, official, "Yeni il"), az("2026-01-20", holiday, official, "Hüzn"),
	az("2026-03-08", holiday, official, "Qadınlar"), az("2026-03-09", transfer, official, "Women"),
	az("2026-03-20", holiday, official, "Novruz"), az("2026-03-20", holiday, official, "Ramazan"), az("2026-03-21", holiday, official, "Novruz"),
	az("2026-03-21", holiday, official, "Ramazan"), az("2026-03-22", holiday, official, "Novruz"), az("2026-03-23", holiday, official, "Novruz"),
	az("2026-03-24", holiday, official, "Novruz"), az("2026-03-25", transfer, official, "Novruz"), az("2026-03-26", transfer, official, "Novruz"),
	az("2026-03-27", transfer, official, "Ramazan"), az("2026-03-30", transfer, official, "Ramazan"),
	az("2026-05-09", holiday, official, "Faşizm"), az("2026-05-11", transfer, official, "Fascism"),
	az("2026-05-27", holiday, official, "Qurban"), az("2026-05-28", holiday, official, "Qurban"), az("2026-05-28", holiday, official, "Müstəqillik"),
	az("2026-05-29", transfer, official, "Gurban"), az("2026-06-15", holiday, official, "Qurtuluş"), az("2026-06-26", holiday, official, "Silahlı"),
	az("2026-11-08", holiday, official, "Zəfər"), az("2026-11-09", holiday, official, "Bayrağı"), az("2026-11-10", transfer, official, "Victory"),
	az("2026-12-31", holiday, official, "Həmrəyliyi"),

	az("2027-01-01", holiday, official, "Yeni il"), az("2027-01-02", holiday, official, "Yeni il"), az("2027-01-04", transfer, estimate, "New Year"),
	az("2027-01-20", holiday, official, "Hüzn"), az("2027-03-08", holiday, official, "Qadınlar"),
	az("2027-03-09", holiday, estimate, "Ramazan"), az("2027-03-10", holiday, estimate, "Ramazan"),
	az("2027-03-20", holiday, estimate, "Novruz"), az("2027-03-21", holiday, estimate, "Novruz"), az("2027-03-22", holiday, estimate, "Novruz"),
	az("2027-03-23", holiday, estimate, "Novruz"), az("2027-03-24", holiday, estimate, "Novruz"),
	az("2027-03-25", transfer, estimate, "Novruz"), az("2027-03-26", transfer, estimate, "Novruz"),
	az("2027-05-09", holiday, official, "Faşizm"), az("2027-05-10", transfer, estimate, "Fascism"),
	az("2027-05-16", holiday, estimate, "Qurban"), az("2027-05-17", holiday, estimate, "Qurban"), az("2027-05-18", transfer, estimate, "Gurban"),
	az("2027-05-28", holiday, official, "Müstəqillik"), az("2027-06-15", holiday, official, "Qurtuluş"),
	az("2027-06-26", holiday, official, "Silahlı"), az("2027-06-28", transfer, estimate, "Armed Forces"),
	az("2027-11-08", holiday, official, "Zəfər"), az("2027-11-09", holiday, official, "Bayrağı"), az("2027-12-31", holiday, official, "Həmrəyliyi"),
}

func cn(date string, kind calendar.Kind, status calendar.Status, name string) refDay {
	return row("CN", date, kind, status, name)
}

// chinaReference is the State Council's notices for 2025 and 2026 and, for
// 2027, the statutory days of the holiday measures with the make-up days
// of their art. 6.
var chinaReference = []refDay{
	cn("2025-01-01", holiday, official, "元旦"), cn("2025-01-26", workSat, official, "春节"),
	cn("2025-01-28", holiday, official, "除夕"), cn("2025-01-29", holiday, official, "春节"), cn("2025-01-30", holiday, official, "春节"),
	cn("2025-01-31", holiday, official, "春节"), cn("2025-02-03", transfer, official, "春节"), cn("2025-02-04", transfer, official, "春节"),
	cn("2025-02-08", workSat, official, "春节"), cn("2025-04-04", holiday, official, "清明"), cn("2025-04-27", workSat, official, "劳动节"),
	cn("2025-05-01", holiday, official, "劳动节"), cn("2025-05-02", holiday, official, "劳动节"), cn("2025-05-05", transfer, official, "劳动节"),
	cn("2025-05-31", holiday, official, "端午"), cn("2025-06-02", transfer, official, "端午节补假"),
	cn("2025-09-28", workSat, official, "国庆"), cn("2025-10-01", holiday, official, "国庆"), cn("2025-10-02", holiday, official, "国庆"),
	cn("2025-10-03", holiday, official, "国庆"), cn("2025-10-06", holiday, official, "中秋"), cn("2025-10-07", transfer, official, "国庆"),
	cn("2025-10-08", transfer, official, "国庆"), cn("2025-10-11", workSat, official, "国庆"),

	cn("2026-01-01", holiday, official, "元旦"), cn("2026-01-02", transfer, official, "元旦"), cn("2026-01-04", workSat, official, "元旦"),
	cn("2026-02-14", workSat, official, "春节"), cn("2026-02-16", holiday, official, "除夕"), cn("2026-02-17", holiday, official, "春节"),
	cn("2026-02-18", holiday, official, "春节"), cn("2026-02-19", holiday, official, "春节"), cn("2026-02-20", transfer, official, "春节"),
	cn("2026-02-23", transfer, official, "春节"), cn("2026-02-28", workSat, official, "春节"),
	cn("2026-04-05", holiday, official, "清明"), cn("2026-04-06", transfer, official, "清明节补假"),
	cn("2026-05-01", holiday, official, "劳动节"), cn("2026-05-02", holiday, official, "劳动节"), cn("2026-05-04", transfer, official, "劳动节补假"),
	cn("2026-05-05", transfer, official, "劳动节调休"), cn("2026-05-09", workSat, official, "劳动节"), cn("2026-06-19", holiday, official, "端午"),
	cn("2026-09-20", workSat, official, "国庆"), cn("2026-09-25", holiday, official, "中秋"),
	cn("2026-10-01", holiday, official, "国庆"), cn("2026-10-02", holiday, official, "国庆"), cn("2026-10-03", holiday, official, "国庆"),
	cn("2026-10-05", transfer, official, "国庆节补假"), cn("2026-10-06", transfer, official, "国庆节调休"), cn("2026-10-07", transfer, official, "国庆节调休"),
	cn("2026-10-10", workSat, official, "国庆"),

	cn("2027-01-01", holiday, official, "元旦"), cn("2027-02-05", holiday, official, "除夕"), cn("2027-02-06", holiday, official, "春节"),
	cn("2027-02-07", holiday, official, "春节"), cn("2027-02-08", holiday, official, "春节"),
	cn("2027-02-09", transfer, estimate, "春节补假"), cn("2027-02-10", transfer, estimate, "春节补假"),
	cn("2027-04-05", holiday, official, "清明"), cn("2027-05-01", holiday, official, "劳动节"), cn("2027-05-02", holiday, official, "劳动节"),
	cn("2027-05-03", transfer, estimate, "劳动节补假"), cn("2027-05-04", transfer, estimate, "劳动节补假"),
	cn("2027-06-09", holiday, official, "端午"), cn("2027-09-15", holiday, official, "中秋"),
	cn("2027-10-01", holiday, official, "国庆"), cn("2027-10-02", holiday, official, "国庆"), cn("2027-10-03", holiday, official, "国庆"),
	cn("2027-10-04", transfer, estimate, "国庆节补假"), cn("2027-10-05", transfer, estimate, "国庆节补假"),
}

// dayCase is a date with what the calendar must say about it.
type dayCase struct {
	name     string
	date     string
	business bool
	reason   calendar.Reason
}

func checkDays(t *testing.T, s *calendar.Set, country string, tests []dayCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := MustDay(t, s, country, tt.date)
			if day.BusinessDay != tt.business || day.Reason != tt.reason {
				t.Errorf("%s %s: got business_day=%t reason=%q, want %t %q", country, tt.date, day.BusinessDay, day.Reason, tt.business, tt.reason)
			}
		})
	}
}

func TestIndiaWeek(t *testing.T) {
	s := MustDefault(t)
	checkDays(t, s, "IN", []dayCase{
		{"FirstSaturdayIsOpen", "2025-10-04", true, ""},
		{"SecondSaturdayIsClosed", "2025-10-11", false, calendar.ReasonWeekend},
		{"ThirdSaturdayIsOpen", "2025-10-18", true, ""},
		{"FourthSaturdayIsClosed", "2025-10-25", false, calendar.ReasonWeekend},
		{"FifthSaturdayIsOpen", "2025-11-29", true, ""},
		{"SecondSaturdayOnTheEighth", "2025-11-08", false, calendar.ReasonWeekend},
		{"FourthSaturdayOnTheTwentyEighth", "2026-02-28", false, calendar.ReasonWeekend},
		{"SaturdayOnTheFifteenthIsTheThird", "2025-11-15", true, ""},
		{"SundayIsClosed", "2025-10-12", false, calendar.ReasonWeekend},
		{"RepublicDay", "2026-01-26", false, calendar.ReasonHoliday},
		{"RepublicDayOnASunday", "2025-01-26", false, calendar.ReasonHoliday},
		{"HolidayOnAThirdSaturdayCloses", "2026-03-21", false, calendar.ReasonHoliday},
		{"IdEMiladMovedAwayFromTheFifthInMumbai", "2025-09-05", true, ""},
		{"IdEMiladOnTheEighthInMumbai", "2025-09-08", false, calendar.ReasonHoliday},
		{"MunicipalElectionsInMumbai", "2026-01-15", false, calendar.ReasonClosure},
		{"BanksCloseTheirAccountsOnTheFirstOfApril", "2026-04-01", false, calendar.ReasonHoliday},
		{"BhaubeejIsNotABankHoliday", "2026-11-11", true, ""},
		{"DiwaliWeek2025", "2025-10-21", false, calendar.ReasonHoliday},
		{"EstimatedHolidayOnASecondSaturdayIsAHoliday", "2027-10-09", false, calendar.ReasonHoliday},
	})
	t.Run("HoursAreTheRTGSCustomerWindow", func(t *testing.T) {
		if day := MustDay(t, s, "IN", "2025-10-18"); day.Hours.String() != "07:00–18:00" {
			t.Errorf("got %s, want 07:00–18:00", day.Hours)
		}
	})
	t.Run("OnlyTheSecondAndFourthSaturdaysAreTheWeekend", func(t *testing.T) {
		for d := MustDate(t, "2025-01-04"); d.Year() <= 2027; d = d.AddDays(7) {
			day := MustDay(t, s, "IN", d.String())
			switch n := (d.Day()-1)/7 + 1; {
			case n == 2 || n == 4:
				if day.BusinessDay {
					t.Errorf("%s, Saturday number %d of its month: got a business day", d, n)
				}
			case !day.BusinessDay && day.Reason == calendar.ReasonWeekend:
				t.Errorf("%s, Saturday number %d of its month: got the weekend", d, n)
			}
		}
	})
}

func TestMonthWeekday(t *testing.T) {
	secondSaturday := calendar.MonthWeekday{Weekday: time.Saturday, Ordinal: 2}
	for _, tt := range []struct {
		date string
		want bool
	}{
		{"2025-11-01", false}, {"2025-11-08", true}, {"2025-11-15", false},
		{"2026-08-08", true}, {"2026-08-14", false}, {"2026-08-09", false},
	} {
		if got := secondSaturday.Matches(MustDate(t, tt.date)); got != tt.want {
			t.Errorf("second Saturday matches %s: got %t, want %t", tt.date, got, tt.want)
		}
	}
	if got := secondSaturday.String(); got != "2nd Saturday" {
		t.Errorf("got %q, want 2nd Saturday", got)
	}
	fifth := calendar.MonthWeekday{Weekday: time.Friday, Ordinal: calendar.MonthWeekdayOrdinalMax}
	if !fifth.Matches(MustDate(t, "2026-01-30")) || fifth.Matches(MustDate(t, "2026-02-27")) {
		t.Errorf("fifth Friday: want 2026-01-30 and not 2026-02-27 (February 2026 has four)")
	}

	t.Run("Profiles", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			monthly []calendar.MonthWeekday
			ok      bool
		}{
			{"OrdinalAtTheLimit", []calendar.MonthWeekday{{Weekday: time.Saturday, Ordinal: calendar.MonthWeekdayOrdinalMax}}, true},
			{"OrdinalOnePastTheLimit", []calendar.MonthWeekday{{Weekday: time.Saturday, Ordinal: calendar.MonthWeekdayOrdinalMax + 1}}, false},
			{"OrdinalZero", []calendar.MonthWeekday{{Weekday: time.Saturday, Ordinal: 0}}, false},
			{"InvalidWeekday", []calendar.MonthWeekday{{Weekday: 7, Ordinal: 1}}, false},
			{"AlreadyAWeeklyRestDay", []calendar.MonthWeekday{{Weekday: time.Sunday, Ordinal: 1}}, false},
			{"GivenTwice", []calendar.MonthWeekday{{Weekday: time.Saturday, Ordinal: 2}, {Weekday: time.Saturday, Ordinal: 2}}, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := calendar.India()
				p.WeekendMonthly = tt.monthly
				_, err := calendar.NewSet(p)
				if tt.ok && err != nil {
					t.Errorf("got %v, want no error", err)
				}
				if !tt.ok && calendar.RuleOf(err) != calendar.RuleFieldInvalid {
					t.Errorf("got %v, want %s", err, calendar.RuleFieldInvalid)
				}
			})
		}
	})
	t.Run("TheProfileIsACopy", func(t *testing.T) {
		p := calendar.India()
		s, err := calendar.NewSet(p)
		if err != nil {
			t.Fatal(err)
		}
		p.WeekendMonthly[0].Ordinal = 3
		got := MustCountry(t, s, "IN").Profile()
		got.WeekendMonthly[1].Ordinal = 1
		if again := MustCountry(t, s, "IN").Profile(); again.WeekendMonthly[0].Ordinal != 2 || again.WeekendMonthly[1].Ordinal != 4 {
			t.Errorf("the calendar's monthly weekend changed with its caller's: %v", again.WeekendMonthly)
		}
	})
	t.Run("AWorkingWeekendEntryOpensASecondSaturday", func(t *testing.T) {
		s, err := calendar.NewSet(calendar.India())
		if err != nil {
			t.Fatal(err)
		}
		ds, err := calendar.ReadData(strings.NewReader(`{"format": 1, "country": "IN", "calendar": "gregorian", "year": 2026, "entries": [
			{"date": "2026-03-14", "name": "Working Saturday", "kind": "working_weekend", "status": "official", "source": "test"}]}`), "IN-2026.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ds, startup); err != nil {
			t.Fatal(err)
		}
		if day := MustDay(t, s, "IN", "2026-03-14"); !day.BusinessDay || day.Hours.String() != "07:00–18:00" {
			t.Errorf("got %+v, want a business day with weekday hours", day)
		}
		if day := MustDay(t, s, "IN", "2026-03-28"); day.BusinessDay || day.Reason != calendar.ReasonWeekend {
			t.Errorf("the fourth Saturday: got %+v, want the weekend", day)
		}
	})
}

func TestAzerbaijanDays(t *testing.T) {
	s := MustDefault(t)
	checkDays(t, s, "AZ", []dayCase{
		{"Novruz2025FirstDay", "2025-03-20", false, calendar.ReasonHoliday},
		{"Novruz2025OnASaturday", "2025-03-22", false, calendar.ReasonHoliday},
		{"Novruz2025DayOffMovedFromTheSaturday", "2025-03-25", false, calendar.ReasonTransfer},
		{"DayOffSwappedByTheCabinet", "2025-03-27", false, calendar.ReasonTransfer},
		{"WomensDayDayOffSwappedAwayIsAWorkingMonday", "2025-03-10", true, ""},
		{"RamazanDayOffSwappedAwayIsAWorkingTuesday", "2025-04-01", true, ""},
		{"TransferredWorkingSaturday", "2025-06-21", true, ""},
		{"ItsDayOff", "2025-06-27", false, calendar.ReasonTransfer},
		{"MourningDayIsNotAWorkingDay", "2026-01-20", false, calendar.ReasonHoliday},
		{"MunicipalElections", "2025-01-29", false, calendar.ReasonClosure},
		{"RamazanOnNovruzGivesTheNextWorkingDay", "2026-03-30", false, calendar.ReasonTransfer},
		{"FirstWorkingDayAfterNovruz2026", "2026-03-31", true, ""},
		{"GurbanOnIndependenceDay", "2026-05-29", false, calendar.ReasonTransfer},
		{"OrdinarySaturday", "2025-10-18", false, calendar.ReasonWeekend},
		{"EstimatedNovruz2027", "2027-03-22", false, calendar.ReasonHoliday},
		{"EstimatedMoveOfGurban2027", "2027-05-18", false, calendar.ReasonTransfer},
	})
	t.Run("HoursAreAZIPS", func(t *testing.T) {
		if day := MustDay(t, s, "AZ", "2025-10-14"); day.Hours.String() != "09:20–17:00" {
			t.Errorf("got %s, want 09:20–17:00", day.Hours)
		}
	})
	t.Run("EstimatesAreMarked", func(t *testing.T) {
		if day := MustDay(t, s, "AZ", "2027-03-09"); !day.Estimate || day.Entries[0].Lunar != "1 Shawwal 1448" {
			t.Errorf("got %+v, want the estimated 1 Shawwal 1448", day)
		}
		if day := MustDay(t, s, "AZ", "2027-03-08"); day.Estimate {
			t.Errorf("Women's Day 2027 is statutory: got an estimate")
		}
	})
}

func TestChinaDays(t *testing.T) {
	s := MustDefault(t)
	checkDays(t, s, "CN", []dayCase{
		{"SpringFestivalEve2025", "2025-01-28", false, calendar.ReasonHoliday},
		{"SpringFestival2025", "2025-01-29", false, calendar.ReasonHoliday},
		{"SpringFestivalWeekend2025", "2025-02-01", false, calendar.ReasonWeekend},
		{"SpringFestivalWeekdayOff2025", "2025-02-04", false, calendar.ReasonTransfer},
		{"AdjustedWorkingSundayBefore", "2025-01-26", true, ""},
		{"AdjustedWorkingSaturdayAfter", "2025-02-08", true, ""},
		{"DragonBoatOnASaturdayIsMadeUpOnMonday", "2025-06-02", false, calendar.ReasonTransfer},
		{"MidAutumnInTheNationalDayWeek", "2025-10-06", false, calendar.ReasonHoliday},
		{"AdjustedWorkingSaturdayAfterNationalDay", "2025-10-11", true, ""},
		{"OrdinarySaturday", "2025-10-18", false, calendar.ReasonWeekend},
		{"SpringFestival2026StartsOnASunday", "2026-02-15", false, calendar.ReasonWeekend},
		{"SpringFestival2026LastDay", "2026-02-23", false, calendar.ReasonTransfer},
		{"SpringFestival2026WorkingSaturdays", "2026-02-28", true, ""},
		{"NewYear2026WorkingSunday", "2026-01-04", true, ""},
		{"QingmingOnASunday2026", "2026-04-05", false, calendar.ReasonHoliday},
		{"EstimatedMakeUpDay2027", "2027-02-09", false, calendar.ReasonTransfer},
		{"NoWorkingWeekendPlacedFor2027", "2027-02-13", false, calendar.ReasonWeekend},
	})
	t.Run("HoursAreTheHVPSDaySession", func(t *testing.T) {
		if day := MustDay(t, s, "CN", "2025-01-26"); day.Hours.String() != "08:30–17:15" {
			t.Errorf("a working Sunday: got %s, want the weekday hours 08:30–17:15", day.Hours)
		}
	})
}

// TestEntryCounts counts the days each data file lists, after ranges are
// expanded, by status: it catches an entry lost or added by an edit.
func TestEntryCounts(t *testing.T) {
	datasets, err := calendar.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ official, estimate int }
	want := map[string]counts{
		"IN-2025.json": {25, 0}, "IN-2026.json": {26, 0}, "IN-2027.json": {0, 25},
		"AZ-2025.json": {32, 0}, "AZ-2026.json": {28, 0}, "AZ-2027.json": {11, 15},
		"CN-2025.json": {24, 0}, "CN-2026.json": {28, 0}, "CN-2027.json": {13, 6},
	}
	seen := 0
	for _, ds := range datasets {
		w, ok := want[ds.Source]
		if !ok {
			continue
		}
		seen++
		var got counts
		for _, e := range ds.Entries {
			if e.Status == calendar.StatusOfficial {
				got.official++
			} else {
				got.estimate++
			}
		}
		if got != w {
			t.Errorf("%s: got %d official and %d estimate entries, want %d and %d", ds.Source, got.official, got.estimate, w.official, w.estimate)
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d files", seen, len(want))
	}
}

// TestEstimatesNameTheirRule checks that every estimate of India,
// Azerbaijan and China says in its source that it is one and how it was
// computed, and that nothing of 2027 that a 2027 publication would decide
// is official.
func TestEstimatesNameTheirRule(t *testing.T) {
	datasets, err := calendar.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range datasets {
		if ds.Country != "IN" && ds.Country != "AZ" && ds.Country != "CN" {
			continue
		}
		for _, e := range ds.Entries {
			if e.Status == calendar.StatusEstimate && (!strings.HasPrefix(e.Source, "estimate: ") || len(e.Source) < len("estimate: ")+20) {
				t.Errorf("%s %s %q: an estimate whose source does not start with \"estimate: \" and its rule: %q", ds.Source, e.Date, e.Name, e.Source)
			}
			if e.Date.Year() == 2027 && e.Kind != calendar.KindHoliday && e.Status == calendar.StatusOfficial {
				t.Errorf("%s %s %q: a moved day of 2027 is official before any 2027 publication", ds.Source, e.Date, e.Name)
			}
			if ds.Country == "IN" && e.Date.Year() == 2027 && e.Status == calendar.StatusOfficial {
				t.Errorf("%s %s %q: official before Maharashtra's 2027 notification", ds.Source, e.Date, e.Name)
			}
		}
	}
}

func TestYearTotalsOfTheNewCountries(t *testing.T) {
	s := MustDefault(t)
	for _, tt := range []struct {
		name     string
		country  string
		year     string
		business int
	}{
		// As published in the Ministry of Labour's production calendars.
		{"Azerbaijan2025Is239", "AZ", "2025", 239},
		{"Azerbaijan2026Is241", "AZ", "2026", 241},
		{"Azerbaijan2027StatutoryBaselineIs241", "AZ", "2027", 241},
		// China's notices only trade days: 261 weekdays less 13 statutory
		// days, every year.
		{"China2025Is248", "CN", "2025", 248},
		{"China2026Is248", "CN", "2026", 248},
		{"China2027Is248", "CN", "2027", 248},
		// 365 days less 52 Sundays, 24 second and fourth Saturdays and the
		// holidays that fall on other days, counted from the lists.
		{"India2025Is270", "IN", "2025", 270},
		{"India2026Is267", "IN", "2026", 267},
		{"India2027EstimateIs271", "IN", "2027", 271},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listing, err := s.Days(tt.country, MustDate(t, tt.year+"-01-01"), MustDate(t, tt.year+"-12-31"))
			if err != nil {
				t.Fatal(err)
			}
			business := 0
			for _, d := range listing.Days {
				if d.BusinessDay {
					business++
				}
			}
			if business != tt.business {
				t.Errorf("got %d business days, want %d", business, tt.business)
			}
		})
	}
}

// TestValueDateNewCorridors covers the demo's RUB-INR and RUB-AZN corridors
// and RUB-CNY, in both directions.
func TestValueDateNewCorridors(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name      string
		corridor  calendar.Corridor
		at        string
		valueDate string
		deadline  string
	}{
		// Russia to India.
		{"RUINNextBusinessDay", corridor("RU", "IN"), "2025-10-14T10:00:00+03:00", "2025-10-15", "2025-10-15T18:00:00+05:30"},
		{"RUINOverASecondSaturday", corridor("RU", "IN"), "2025-10-10T10:00:00+03:00", "2025-10-13", "2025-10-13T18:00:00+05:30"},
		{"RUINOverDiwali", corridor("RU", "IN"), "2025-10-20T10:00:00+03:00", "2025-10-23", "2025-10-23T18:00:00+05:30"},
		{"RUINOneSecondBeforeTheMoscowCutoff", corridor("RU", "IN"), "2025-10-14T20:59:59+03:00", "2025-10-15", "2025-10-15T18:00:00+05:30"},
		{"RUINAtTheMoscowCutoff", corridor("RU", "IN"), "2025-10-14T21:00:00+03:00", "2025-10-16", "2025-10-16T18:00:00+05:30"},
		{"RUINOverTheRussianNewYear", corridor("RU", "IN"), "2025-12-30T15:00:00+03:00", "2026-01-12", "2026-01-12T18:00:00+05:30"},
		{"RUINOverTheMumbaiElections", corridor("RU", "IN"), "2026-01-14T10:00:00+03:00", "2026-01-16", "2026-01-16T18:00:00+05:30"},
		{"RUINOverAFourthSaturdayAndRepublicDay", corridor("RU", "IN"), "2026-01-23T10:00:00+03:00", "2026-01-27", "2026-01-27T18:00:00+05:30"},
		{"RUINOverAnEstimatedEid2027", corridor("RU", "IN"), "2027-03-09T10:00:00+03:00", "2027-03-11", "2027-03-11T18:00:00+05:30"},
		// India to Russia: a third Saturday is accepted, a second is not.
		{"INRUAcceptedOnAThirdSaturday", corridor("IN", "RU"), "2025-10-18T10:00:00+05:30", "2025-10-20", "2025-10-20T21:00:00+03:00"},
		{"INRUASecondSaturdayCountsFromMonday", corridor("IN", "RU"), "2025-10-11T10:00:00+05:30", "2025-10-14", "2025-10-14T21:00:00+03:00"},
		{"INRUOneSecondBeforeTheKolkataCutoff", corridor("IN", "RU"), "2025-10-14T17:59:59+05:30", "2025-10-15", "2025-10-15T21:00:00+03:00"},
		{"INRUAtTheKolkataCutoff", corridor("IN", "RU"), "2025-10-14T18:00:00+05:30", "2025-10-16", "2025-10-16T21:00:00+03:00"},

		// Russia to Azerbaijan.
		{"RUAZNextBusinessDay", corridor("RU", "AZ"), "2025-10-14T10:00:00+03:00", "2025-10-15", "2025-10-15T17:00:00+04:00"},
		{"RUAZOverNovruzAndRamazan2025", corridor("RU", "AZ"), "2025-03-19T10:00:00+03:00", "2025-04-01", "2025-04-01T17:00:00+04:00"},
		{"RUAZSwappedDayOffIsWorked", corridor("RU", "AZ"), "2025-03-07T10:00:00+03:00", "2025-03-10", "2025-03-10T17:00:00+04:00"},
		{"RUAZWorkingSaturdayNotCommon", corridor("RU", "AZ"), "2025-06-20T10:00:00+03:00", "2025-06-23", "2025-06-23T17:00:00+04:00"},
		{"RUAZOverNovruzAndRamazan2026", corridor("RU", "AZ"), "2026-03-19T10:00:00+03:00", "2026-03-31", "2026-03-31T17:00:00+04:00"},
		{"RUAZOverGurban2026", corridor("RU", "AZ"), "2026-05-26T10:00:00+03:00", "2026-06-01", "2026-06-01T17:00:00+04:00"},
		{"RUAZOverEstimatedNovruz2027", corridor("RU", "AZ"), "2027-03-19T10:00:00+03:00", "2027-03-29", "2027-03-29T17:00:00+04:00"},
		// Azerbaijan to Russia.
		{"AZRUAcceptedOnTheWorkingSaturday", corridor("AZ", "RU"), "2025-06-21T10:00:00+04:00", "2025-06-23", "2025-06-23T21:00:00+03:00"},
		{"AZRUOneSecondBeforeTheAZIPSCutoff", corridor("AZ", "RU"), "2025-10-14T16:59:59+04:00", "2025-10-15", "2025-10-15T21:00:00+03:00"},
		{"AZRUAtTheAZIPSCutoff", corridor("AZ", "RU"), "2025-10-14T17:00:00+04:00", "2025-10-16", "2025-10-16T21:00:00+03:00"},

		// Russia to China.
		{"RUCNNextBusinessDay", corridor("RU", "CN"), "2025-10-14T10:00:00+03:00", "2025-10-15", "2025-10-15T17:15:00+08:00"},
		{"RUCNOverSpringFestival2025", corridor("RU", "CN"), "2025-01-27T10:00:00+03:00", "2025-02-05", "2025-02-05T17:15:00+08:00"},
		{"RUCNAdjustedSundayIsNotCommon", corridor("RU", "CN"), "2025-01-24T10:00:00+03:00", "2025-01-27", "2025-01-27T17:15:00+08:00"},
		{"RUCNOverNationalDay2025", corridor("RU", "CN"), "2025-09-30T10:00:00+03:00", "2025-10-09", "2025-10-09T17:15:00+08:00"},
		{"RUCNOverSpringFestival2026", corridor("RU", "CN"), "2026-02-13T10:00:00+03:00", "2026-02-24", "2026-02-24T17:15:00+08:00"},
		{"RUCNOverEstimatedMakeUpDays2027", corridor("RU", "CN"), "2027-02-04T10:00:00+03:00", "2027-02-11", "2027-02-11T17:15:00+08:00"},
		// China to Russia.
		{"CNRUAcceptedOnTheAdjustedSunday", corridor("CN", "RU"), "2025-01-26T10:00:00+08:00", "2025-01-27", "2025-01-27T21:00:00+03:00"},
		{"CNRUOneSecondBeforeTheHVPSCutoff", corridor("CN", "RU"), "2025-10-14T17:14:59+08:00", "2025-10-15", "2025-10-15T21:00:00+03:00"},
		{"CNRUAtTheHVPSCutoff", corridor("CN", "RU"), "2025-10-14T17:15:00+08:00", "2025-10-16", "2025-10-16T21:00:00+03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vd, deadline, err := s.ValueDate(tt.corridor, MustTime(t, tt.at))
			if err != nil {
				t.Fatalf("ValueDate: %v", err)
			}
			want := MustTime(t, tt.deadline)
			if vd.String() != tt.valueDate || !deadline.Equal(want) {
				t.Errorf("got %s, deadline %s; want %s, deadline %s", vd, deadline.Format(time.RFC3339), tt.valueDate, tt.deadline)
			}
		})
	}
	t.Run("NoDataAfter2027", func(t *testing.T) {
		for _, c := range []string{"IN", "AZ", "CN"} {
			_, _, err := s.ValueDate(corridor(c, "RU"), MustTime(t, "2027-12-31T10:00:00Z"))
			var nd *calendar.NoDataError
			if !errors.As(err, &nd) || nd.Country != c || nd.Date.String() != "2028-01-01" {
				t.Errorf("%s-RU on the last day of 2027: got %v, want no data for %s at 2028-01-01", c, err, c)
			}
		}
	})
}
