package calendar

import (
	"fmt"
	"slices"
	"strconv"
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
	// WeekendMonthly are rest days that come once a month rather than every
	// week: India's banks close on the second and fourth Saturday of each
	// month and work on the others. A working_weekend entry opens one as it
	// opens a weekly rest day.
	WeekendMonthly []MonthWeekday
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

// India returns the profile of the Republic of India as its banks' payment
// calendar: Sunday off every week, and the second and fourth Saturday of
// each month, which the Central Government declared public holidays for all
// banks under section 25 of the Negotiable Instruments Act, 1881 (Ministry
// of Finance notification of 20 August 2015, in force from 1 September
// 2015); Asia/Kolkata (UTC+5:30, no daylight saving time).
//
// The holiday data is the list the Reserve Bank of India keeps for Mumbai,
// where RBI settles: the Government of Maharashtra's holidays under the
// same section (see data/README.md). The hours are 07:00–18:00, the window
// for customer RTGS transactions that the RBI last set for working days
// (RBI/2019-20/46, from 26 August 2019). Since 00:30 on 14 December 2020
// RTGS itself runs round the clock on all days (RBI/2020-21/70), so the
// hours are a banking day for crediting a beneficiary, not a system limit;
// a corridor may set its own cut-off.
func India() Profile {
	return Profile{
		Country: "IN",
		Name:    "India",
		Zone:    "Asia/Kolkata",
		System:  Gregorian,
		Weekend: []time.Weekday{time.Sunday},
		WeekendMonthly: []MonthWeekday{
			{Weekday: time.Saturday, Ordinal: 2},
			{Weekday: time.Saturday, Ordinal: 4},
		},
		FirstWeekday: time.Monday,
		Hours:        Hours{Open: NewTimeOfDay(7, 0), Close: NewTimeOfDay(18, 0)},
	}
}

// Azerbaijan returns the profile of the Republic of Azerbaijan: Saturday
// and Sunday off, Asia/Baku (UTC+4, no daylight saving time since 2016),
// and the hours in which the Central Bank's real-time gross settlement
// system AZIPS accepts payment orders from its participants, 09:20–17:00
// Baku time (cbar.az, "Ödəniş sistemləri").
func Azerbaijan() Profile {
	return Profile{
		Country:      "AZ",
		Name:         "Azerbaijan",
		Zone:         "Asia/Baku",
		System:       Gregorian,
		Weekend:      []time.Weekday{time.Saturday, time.Sunday},
		FirstWeekday: time.Monday,
		Hours:        Hours{Open: NewTimeOfDay(9, 20), Close: NewTimeOfDay(17, 0)},
	}
}

// China returns the profile of the People's Republic of China: Saturday
// and Sunday off unless the State Council makes one a working day,
// Asia/Shanghai (UTC+8, no daylight saving time since 1991), and the day
// session of the People's Bank of China's high-value payment system (HVPS,
// 大额支付系统) on a legal working day: from 08:30 to the business cut-off
// at 17:15, when the settlement window opens (PBOC General Office notice on
// the HVPS and CIPS operating hours, in force from 2 May 2018).
func China() Profile {
	return Profile{
		Country:      "CN",
		Name:         "China",
		Zone:         "Asia/Shanghai",
		System:       Gregorian,
		Weekend:      []time.Weekday{time.Saturday, time.Sunday},
		FirstWeekday: time.Monday,
		Hours:        Hours{Open: NewTimeOfDay(8, 30), Close: NewTimeOfDay(17, 15)},
	}
}

// Profiles returns the profiles of every country whose holiday data ships
// in the binary, in the order Default configures them: Russia, Iran,
// India, Azerbaijan and China.
func Profiles() []Profile {
	return []Profile{Russia(), Iran(), India(), Azerbaijan(), China()}
}

// isWeekend reports whether d is a rest day of the week or of the month.
func (p *Profile) isWeekend(d Date) bool {
	return slices.Contains(p.Weekend, d.Weekday()) || slices.ContainsFunc(p.WeekendMonthly, func(m MonthWeekday) bool { return m.Matches(d) })
}

func (p *Profile) isShortWeekday(w time.Weekday) bool { return slices.Contains(p.ShortWeekdays, w) }

// clone returns p with its slices copied, so that the caller's profile and
// the calendar's never share a backing array.
func (p *Profile) clone() Profile {
	c := *p
	c.Weekend = slices.Clone(p.Weekend)
	c.WeekendMonthly = slices.Clone(p.WeekendMonthly)
	c.ShortWeekdays = slices.Clone(p.ShortWeekdays)
	return c
}

// MonthWeekdayOrdinalMax is the largest MonthWeekday.Ordinal: no weekday
// comes more than five times in a month.
const MonthWeekdayOrdinalMax = 5

// MonthWeekday is one weekday of each month, counted from the month's
// start: {time.Saturday, 2} is the second Saturday, which is always the
// 8th to the 14th.
type MonthWeekday struct {
	// Weekday is the day of the week.
	Weekday time.Weekday
	// Ordinal counts the Weekdays of the month: 1 is the first (the 1st to
	// the 7th), MonthWeekdayOrdinalMax the fifth (the 29th to the 31st).
	Ordinal int
}

// Matches reports whether d is this weekday of its month.
func (m MonthWeekday) Matches(d Date) bool {
	return d.Weekday() == m.Weekday && (d.Day()-1)/7+1 == m.Ordinal
}

// String writes m as "2nd Saturday".
func (m MonthWeekday) String() string {
	suffix := "th"
	switch m.Ordinal {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	return strconv.Itoa(m.Ordinal) + suffix + " " + m.Weekday.String()
}

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
		if slices.Contains(p.Weekend, w) {
			return bad("short_weekdays", w.String()+" is also a weekend day")
		}
	}
	for i, m := range p.WeekendMonthly {
		switch {
		case m.Weekday < time.Sunday || m.Weekday > time.Saturday:
			return bad("weekend_monthly", "has an invalid weekday")
		case m.Ordinal < 1 || m.Ordinal > MonthWeekdayOrdinalMax:
			return bad("weekend_monthly", m.Weekday.String()+" number "+strconv.Itoa(m.Ordinal)+" is outside 1.."+strconv.Itoa(MonthWeekdayOrdinalMax))
		case slices.Contains(p.Weekend, m.Weekday):
			return bad("weekend_monthly", "the "+m.String()+" is already a weekly rest day")
		case slices.Contains(p.WeekendMonthly[:i], m):
			return bad("weekend_monthly", "the "+m.String()+" is given twice")
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
// 2022 (+04:30 in summer); Moscow has been UTC+3 all year since 26 Oct 2014;
// Baku has kept UTC+4 all year since Azerbaijan abolished daylight saving
// time in 2016 (a tzdata from before then gives +05:00 in summer); Kolkata
// is UTC+5:30 and Shanghai UTC+8, summer and winter.
var zoneProbes = []zoneProbe{
	{"Asia/Tehran", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3*3600 + 1800},
	{"Asia/Tehran", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 3*3600 + 1800},
	{"Europe/Moscow", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3 * 3600},
	{"Europe/Moscow", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 3 * 3600},
	{"Asia/Baku", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 4 * 3600},
	{"Asia/Baku", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 4 * 3600},
	{"Asia/Kolkata", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 5*3600 + 1800},
	{"Asia/Kolkata", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 5*3600 + 1800},
	{"Asia/Shanghai", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 8 * 3600},
	{"Asia/Shanghai", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 8 * 3600},
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
