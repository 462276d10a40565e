package calendar

import (
	"fmt"
	"slices"
	"time"

	// The tz database is compiled into the binary, so a host without
	// zoneinfo still knows Asia/Tehran and Europe/Moscow. Go prefers the
	// host's files when they exist, so NewSet also checks the zones it loads
	// against known offsets (see zoneProbes).
	_ "time/tzdata"
)

// Profile is the configuration of one country's business calendar that is
// not holiday data: its zone, weekly rest days, banking hours and default
// cut-offs. The holiday data comes separately, from data files.
type Profile struct {
	// Country is the ISO 3166 alpha-2 code ("RU").
	Country string
	// Name is the country's name in English, for display.
	Name string
	// Zone is the IANA time zone name ("Europe/Moscow").
	Zone string
	// System is the calendar the country's data years are counted on, and
	// the one its month views use.
	System System
	// Weekend are the weekly rest days.
	Weekend []time.Weekday
	// ShortWeekdays are weekly days on which banks work shorter hours (Iran:
	// Thursday). They are business days of the country; whether a corridor
	// counts them is the corridor's setting (Corridor.CountShortWeekday).
	ShortWeekdays []time.Weekday
	// FirstWeekday is the first column of a month view.
	FirstWeekday time.Weekday
	// Hours are the banking hours of a business day, local time. A working
	// weekend day has these hours too.
	Hours Hours
	// HoursShortWeekday are the banking hours of a ShortWeekdays day.
	HoursShortWeekday Hours
	// ShortDayMinutes is how much earlier banking hours close on a day with a
	// "short" entry (a pre-holiday day). Zero keeps the hours: the Bank of
	// Russia's payment sessions do not follow art. 95's shorter working day.
	ShortDayMinutes int
	// Cutoff is the default sending-side cut-off, local time, for payments
	// accepted on a business day; zero means Hours.Close. A corridor may set
	// its own.
	Cutoff TimeOfDay
	// CutoffShortWeekday is the default cut-off on a ShortWeekdays day;
	// zero means HoursShortWeekday.Close.
	CutoffShortWeekday TimeOfDay
}

// Russia returns the profile of the Russian Federation: Saturday and Sunday
// off, Europe/Moscow (UTC+3, no daylight saving time since 2014), and the
// Bank of Russia payment system's regular session, 01:00–21:00 Moscow time,
// as the banking day for payments.
func Russia() Profile {
	return Profile{
		Country:      "RU",
		Name:         "Russia",
		Zone:         "Europe/Moscow",
		System:       Gregorian,
		Weekend:      []time.Weekday{time.Saturday, time.Sunday},
		FirstWeekday: time.Monday,
		Hours:        Hours{Open: NewTimeOfDay(1, 0), Close: NewTimeOfDay(21, 0)},
	}
}

// Iran returns the profile of the Islamic Republic of Iran: Friday off,
// Thursday a short banking day, Asia/Tehran (UTC+3:30, no daylight saving
// time since September 2022), and bank branch hours for customers of
// 07:30–13:30 Saturday to Wednesday and 07:30–12:30 on Thursday, as set by
// the Council for Coordination of Banks in 1404.
func Iran() Profile {
	return Profile{
		Country:           "IR",
		Name:              "Iran",
		Zone:              "Asia/Tehran",
		System:            SolarHijri,
		Weekend:           []time.Weekday{time.Friday},
		ShortWeekdays:     []time.Weekday{time.Thursday},
		FirstWeekday:      time.Saturday,
		Hours:             Hours{Open: NewTimeOfDay(7, 30), Close: NewTimeOfDay(13, 30)},
		HoursShortWeekday: Hours{Open: NewTimeOfDay(7, 30), Close: NewTimeOfDay(12, 30)},
	}
}

func (p *Profile) isWeekend(w time.Weekday) bool      { return slices.Contains(p.Weekend, w) }
func (p *Profile) isShortWeekday(w time.Weekday) bool { return slices.Contains(p.ShortWeekdays, w) }

// validate checks the profile's settings.
func (p *Profile) validate() error {
	bad := func(field, detail string) error {
		return &DataError{Source: "profile " + p.Country, Field: field, Rule: RuleFieldInvalid, Detail: detail}
	}
	validHours := func(h Hours) bool { return h.Open >= 0 && h.Open < h.Close && h.Close <= EndOfDay }
	switch {
	case !validCountry(p.Country):
		return bad("country", quoteInput(p.Country)+" is not an ISO 3166 alpha-2 code")
	case p.System != Gregorian && p.System != SolarHijri:
		return bad("system", "is not gregorian or solar_hijri")
	case !validHours(p.Hours):
		return bad("hours", p.Hours.String()+" does not open before it closes")
	case len(p.ShortWeekdays) > 0 && !validHours(p.HoursShortWeekday):
		return bad("hours_short_weekday", p.HoursShortWeekday.String()+" does not open before it closes")
	case p.ShortDayMinutes < 0 || TimeOfDay(p.ShortDayMinutes*60) >= p.Hours.Close-p.Hours.Open:
		return bad("short_day_minutes", "is negative or longer than the banking day")
	case p.Cutoff < 0 || p.Cutoff > EndOfDay || p.CutoffShortWeekday < 0 || p.CutoffShortWeekday > EndOfDay:
		return bad("cutoff", "is outside 00:00–24:00")
	case len(p.Weekend) >= 7:
		return bad("weekend", "leaves no working day")
	}
	for _, w := range append(slices.Clone(p.Weekend), p.ShortWeekdays...) {
		if w < time.Sunday || w > time.Saturday {
			return bad("weekend", "has an invalid weekday")
		}
	}
	for _, w := range p.ShortWeekdays {
		if p.isWeekend(w) {
			return bad("short_weekdays", w.String()+" is also a weekend day")
		}
	}
	return nil
}

// zoneProbe is a known UTC offset of a zone at an instant.
type zoneProbe struct {
	zone          string
	at            time.Time
	offsetSeconds int
}

// zoneProbes are facts a zone database must agree with before a calendar
// uses it. An old tzdata still applies Iranian daylight saving time after
// 2022 (+04:30 in summer); Moscow has been UTC+3 all year since 26 Oct 2014.
var zoneProbes = []zoneProbe{
	{"Asia/Tehran", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3*3600 + 1800},
	{"Asia/Tehran", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 3*3600 + 1800},
	{"Europe/Moscow", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3 * 3600},
	{"Europe/Moscow", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 3 * 3600},
}

// loadZone loads an IANA zone and checks it against zoneProbes.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("calendar: load zone %s: %w", name, err)
	}
	for _, p := range zoneProbes {
		if p.zone != name {
			continue
		}
		if _, off := p.at.In(loc).Zone(); off != p.offsetSeconds {
			return nil, fmt.Errorf("%w: %s is UTC%+.2f at %s, want UTC%+.2f; update the host's tzdata or set ZONEINFO",
				ErrZoneData, name, float64(off)/3600, p.at.Format(time.RFC3339), float64(p.offsetSeconds)/3600)
		}
	}
	return loc, nil
}
