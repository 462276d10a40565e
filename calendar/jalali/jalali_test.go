package jalali_test

import (
	"errors"
	"testing"
	"time"

	"astara/calendar/jalali"
)

// MustParse parses a Solar Hijri date and fails the test if it is rejected.
func MustParse(tb testing.TB, s string) jalali.Date {
	tb.Helper()
	d, err := jalali.Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return d
}

// gregorian formats the Gregorian date of d, failing the test on error.
func gregorian(tb testing.TB, d jalali.Date) string {
	tb.Helper()
	y, m, day, err := d.Gregorian()
	if err != nil {
		tb.Fatalf("%s.Gregorian(): %v", d, err)
	}
	return time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// leap33 is the 33-year arithmetic rule (the "Khayyam" rule that
// yaa110/go-persian-calendar uses), an oracle independent of the breaks table.
func leap33(y int) bool { return ((25*y+11)%33+33)%33 < 8 }

// leapBirashk is the 2820-year cycle used by many older libraries; the tests
// show it disagrees with the published calendar for 1403 and 1404.
func leapBirashk(y int) bool {
	epy := y - 474
	if y <= 0 {
		epy = y - 473
	}
	return ((((epy%2820)+474+38)*682)%2816+2816)%2816 < 682
}

func TestPublishedNowruz(t *testing.T) {
	tests := []struct {
		name      string
		jalali    string
		gregorian string
		weekday   time.Weekday
	}{
		{"Nowruz1403", "1403-01-01", "2024-03-20", time.Wednesday},
		{"LastDayOfLeap1403", "1403-12-30", "2025-03-20", time.Thursday},
		{"Nowruz1404IsFriday", "1404-01-01", "2025-03-21", time.Friday},
		{"Nowruz1405IsSaturday", "1405-01-01", "2026-03-21", time.Saturday},
		{"OilDay1404IsFriday", "1404-12-29", "2026-03-20", time.Friday},
		{"Nowruz1406", "1406-01-01", "2027-03-21", time.Sunday},
		{"Nowruz1407", "1407-01-01", "2028-03-20", time.Monday},
		{"Dey11Of1394", "1394-10-11", "2016-01-01", time.Friday},
		{"Nowruz1300", "1300-01-01", "1921-03-21", time.Monday},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := MustParse(t, tt.jalali)
			if got := gregorian(t, d); got != tt.gregorian {
				t.Errorf("%s in Gregorian: got %s, want %s", tt.jalali, got, tt.gregorian)
			}
			if got := d.Weekday(); got != tt.weekday {
				t.Errorf("%s weekday: got %s, want %s", tt.jalali, got, tt.weekday)
			}
			g, _ := time.Parse(time.DateOnly, tt.gregorian)
			back, err := jalali.FromGregorian(g.Year(), g.Month(), g.Day())
			if err != nil || back != d {
				t.Errorf("FromGregorian(%s): got %v (%v), want %s", tt.gregorian, back, err, tt.jalali)
			}
		})
	}
}

func TestLeapYears(t *testing.T) {
	t.Run("1403IsLeap1404IsNot", func(t *testing.T) {
		for _, tt := range []struct {
			year int
			want bool
		}{{1399, true}, {1403, true}, {1404, false}, {1405, false}, {1406, false}, {1407, false}, {1408, true}} {
			if got := jalali.IsLeap(tt.year); got != tt.want {
				t.Errorf("IsLeap(%d): got %t, want %t", tt.year, got, tt.want)
			}
		}
	})
	t.Run("BirashkWouldBeWrongFor1403And1404", func(t *testing.T) {
		// The 2820-year cycle makes 1404 leap and 1403 common; the published
		// calendar (30 Esfand 1403 = 2025-03-20) says the opposite.
		if leapBirashk(1403) || !leapBirashk(1404) {
			t.Fatalf("Birashk oracle: 1403 %t, 1404 %t; the test's premise is wrong", leapBirashk(1403), leapBirashk(1404))
		}
		if jalali.IsLeap(1403) == leapBirashk(1403) || jalali.IsLeap(1404) == leapBirashk(1404) {
			t.Errorf("IsLeap agrees with Birashk: 1403 %t, 1404 %t", jalali.IsLeap(1403), jalali.IsLeap(1404))
		}
	})
	t.Run("AgreesWith33YearRuleFrom1200To1633", func(t *testing.T) {
		for y := 1200; y <= 1633; y++ {
			if got, want := jalali.IsLeap(y), leap33(y); got != want {
				t.Errorf("IsLeap(%d): got %t, want %t (33-year rule)", y, got, want)
			}
		}
	})
	t.Run("FirstDisagreementWith33YearRuleIs1634", func(t *testing.T) {
		// Borkowski: the 33-year rule is valid up to 1634 AP; the two first
		// differ at 1634/1635.
		if jalali.IsLeap(1634) == leap33(1634) && jalali.IsLeap(1635) == leap33(1635) {
			t.Errorf("expected a disagreement at 1634/1635")
		}
	})
}

func TestMonthLengths(t *testing.T) {
	for _, y := range []int{1300, 1403, 1404, 1405, 1500} {
		for m := jalali.Farvardin; m <= jalali.Esfand; m++ {
			want := 31
			switch {
			case m >= jalali.Mehr && m <= jalali.Bahman:
				want = 30
			case m == jalali.Esfand && jalali.IsLeap(y):
				want = 30
			case m == jalali.Esfand:
				want = 29
			}
			if got := jalali.MonthDays(y, m); got != want {
				t.Errorf("MonthDays(%d, %s): got %d, want %d", y, m, got, want)
			}
		}
	}
	if got := jalali.MonthDays(1405, 13); got != 0 {
		t.Errorf("MonthDays(1405, 13): got %d, want 0", got)
	}
}

// TestWholeRange walks every day from 1 Farvardin 1300 to the last day of
// 1500 and checks both directions against time.Date's Gregorian arithmetic and
// a 33-year-rule count of year lengths, which knows nothing of the breaks table.
func TestWholeRange(t *testing.T) {
	g := time.Date(1921, time.March, 21, 0, 0, 0, 0, time.UTC) // 1 Farvardin 1300
	want := jalali.Date{Year: 1300, Month: jalali.Farvardin, Day: 1}
	days := 0
	for want.Year <= 1500 {
		got, err := jalali.FromGregorian(g.Year(), g.Month(), g.Day())
		if err != nil || got != want {
			t.Fatalf("FromGregorian(%s): got %v (%v), want %s", g.Format(time.DateOnly), got, err, want)
		}
		y, m, d, err := want.Gregorian()
		if err != nil || y != g.Year() || m != g.Month() || d != g.Day() {
			t.Fatalf("%s.Gregorian(): got %04d-%02d-%02d (%v), want %s", want, y, m, d, err, g.Format(time.DateOnly))
		}
		if got := want.Weekday(); got != g.Weekday() {
			t.Fatalf("%s.Weekday(): got %s, want %s", want, got, g.Weekday())
		}
		// The next Solar Hijri day, by the month lengths of the 33-year rule.
		monthDays := 31
		switch {
		case want.Month >= jalali.Mehr && want.Month <= jalali.Bahman:
			monthDays = 30
		case want.Month == jalali.Esfand && leap33(want.Year):
			monthDays = 30
		case want.Month == jalali.Esfand:
			monthDays = 29
		}
		want.Day++
		if want.Day > monthDays {
			want.Day = 1
			want.Month++
			if want.Month > jalali.Esfand {
				want.Month = jalali.Farvardin
				want.Year++
			}
		}
		g = g.AddDate(0, 0, 1)
		days++
	}
	if days < 201*365 {
		t.Fatalf("walked only %d days", days)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		input string
		err   error
	}{
		{"Valid", "1405-01-01", nil},
		{"Esfand30InLeapYear", "1403-12-30", nil},
		{"Esfand30InCommonYearRejected", "1404-12-30", jalali.ErrSyntax},
		{"Mehr31Rejected", "1405-07-31", jalali.ErrSyntax},
		{"Month13Rejected", "1405-13-01", jalali.ErrSyntax},
		{"Day0Rejected", "1405-01-00", jalali.ErrSyntax},
		{"ShortYearRejected", "405-01-01", jalali.ErrSyntax},
		{"SlashesRejected", "1405/01/01", jalali.ErrSyntax},
		{"SignRejected", "+405-01-01", jalali.ErrSyntax},
		{"YearZeroOutOfRange", "0000-01-01", jalali.ErrRange},
		{"YearBeyondTableOutOfRange", "3177-01-01", jalali.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := jalali.Parse(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q): got %v, want %v", tt.input, err, tt.err)
			}
			if err == nil && d.String() != tt.input {
				t.Errorf("String(): got %s, want %s", d, tt.input)
			}
		})
	}
}

func TestRangeLimits(t *testing.T) {
	if _, err := jalali.FromGregorian(622, time.March, 1); !errors.Is(err, jalali.ErrRange) {
		t.Errorf("FromGregorian(0622-03-01): got %v, want ErrRange", err)
	}
	if _, err := jalali.FromGregorian(622, time.March, 22); err != nil {
		t.Errorf("FromGregorian(0622-03-22): got %v, want year 1", err)
	}
	last := jalali.Date{Year: jalali.YearMax, Month: jalali.Esfand, Day: jalali.MonthDays(jalali.YearMax, jalali.Esfand)}
	n, err := last.UnixDays()
	if err != nil {
		t.Fatalf("%s.UnixDays(): %v", last, err)
	}
	if got, err := jalali.FromUnixDays(n); err != nil || got != last {
		t.Errorf("FromUnixDays(last): got %v (%v), want %s", got, err, last)
	}
	if _, err := jalali.FromUnixDays(n + 1); !errors.Is(err, jalali.ErrRange) {
		t.Errorf("FromUnixDays(last+1): got %v, want ErrRange", err)
	}
	if _, err := jalali.FromGregorian(2025, time.February, 29); !errors.Is(err, jalali.ErrSyntax) {
		t.Errorf("FromGregorian(2025-02-29): got %v, want ErrSyntax", err)
	}
}

func TestMonthNames(t *testing.T) {
	tests := []struct {
		month   jalali.Month
		latin   string
		persian string
	}{
		{jalali.Farvardin, "Farvardin", "فروردین"},
		{jalali.Ordibehesht, "Ordibehesht", "اردیبهشت"},
		{jalali.Khordad, "Khordad", "خرداد"},
		{jalali.Tir, "Tir", "تیر"},
		{jalali.Mordad, "Mordad", "مرداد"},
		{jalali.Shahrivar, "Shahrivar", "شهریور"},
		{jalali.Mehr, "Mehr", "مهر"},
		{jalali.Aban, "Aban", "آبان"},
		{jalali.Azar, "Azar", "آذر"},
		{jalali.Dey, "Dey", "دی"},
		{jalali.Bahman, "Bahman", "بهمن"},
		{jalali.Esfand, "Esfand", "اسفند"},
	}
	for _, tt := range tests {
		t.Run(tt.latin, func(t *testing.T) {
			if got := tt.month.String(); got != tt.latin {
				t.Errorf("String(): got %s, want %s", got, tt.latin)
			}
			if got := tt.month.Persian(); got != tt.persian {
				t.Errorf("Persian(): got %s, want %s", got, tt.persian)
			}
		})
	}
	if got, want := jalali.Digits("1405-01"), "۱۴۰۵-۰۱"; got != want {
		t.Errorf("Digits: got %s, want %s", got, want)
	}
}
