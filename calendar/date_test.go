package calendar_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"astara/calendar"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name  string
		input string
		rule  calendar.Rule
	}{
		{"Valid", "2026-03-08", ""},
		{"LeapDay", "2024-02-29", ""},
		{"LeapDayInCommonYearDoesNotExist", "2025-02-29", calendar.RuleDateInvalid},
		{"April31DoesNotExist", "2026-04-31", calendar.RuleDateInvalid},
		{"Month13DoesNotExist", "2026-13-01", calendar.RuleDateInvalid},
		{"YearZeroOutOfRange", "0000-01-01", calendar.RuleDateInvalid},
		{"ShortFormRejected", "2026-3-8", calendar.RuleDateSyntax},
		{"TimeRejected", "2026-03-08T00:00:00Z", calendar.RuleDateSyntax},
		{"SlashesRejected", "2026/03/08", calendar.RuleDateSyntax},
		{"SignRejected", "+026-03-08", calendar.RuleDateSyntax},
		{"Empty", "", calendar.RuleDateSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := calendar.ParseDate(tt.input)
			if got := calendar.RuleOf(err); got != tt.rule {
				t.Fatalf("ParseDate(%q): got rule %q (%v), want %q", tt.input, got, err, tt.rule)
			}
			if err != nil && !errors.Is(err, calendar.ErrInvalidDate) {
				t.Errorf("error %v does not match ErrInvalidDate", err)
			}
			if err == nil && d.String() != tt.input {
				t.Errorf("String(): got %s, want %s", d, tt.input)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name string
		from string
		days int
		want string
	}{
		{"NextDay", "2026-03-08", 1, "2026-03-09"},
		{"AcrossYearEnd", "2025-12-31", 1, "2026-01-01"},
		{"AcrossLeapDay", "2024-02-28", 2, "2024-03-01"},
		{"Backwards", "2026-01-01", -1, "2025-12-31"},
		{"AYear", "2025-03-21", 365, "2026-03-21"},
		{"ClampedAtTheEndOfTheRange", "9999-12-31", 1, "9999-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MustDate(t, tt.from).AddDays(tt.days)
			if got.String() != tt.want {
				t.Errorf("%s.AddDays(%d): got %s, want %s", tt.from, tt.days, got, tt.want)
			}
		})
	}
	t.Run("WeekdayAgreesWithTime", func(t *testing.T) {
		d := MustDate(t, "1999-12-25")
		for i := range 20000 {
			g := time.Date(1999, time.December, 25+i, 0, 0, 0, 0, time.UTC)
			if d.Weekday() != g.Weekday() || d.String() != g.Format(time.DateOnly) {
				t.Fatalf("%s: got %s %s, want %s %s", g.Format(time.DateOnly), d, d.Weekday(), g.Format(time.DateOnly), g.Weekday())
			}
			d = d.AddDays(1)
		}
	})
	t.Run("DaysUntilAndCompare", func(t *testing.T) {
		a, b := MustDate(t, "2025-12-30"), MustDate(t, "2026-01-12")
		if got := a.DaysUntil(b); got != 13 {
			t.Errorf("DaysUntil: got %d, want 13", got)
		}
		if !a.Before(b) || b.Before(a) || !b.After(a) || a.Compare(a) != 0 {
			t.Errorf("Compare is inconsistent for %s and %s", a, b)
		}
	})
	t.Run("DateOfTakesTheDateInTheGivenZone", func(t *testing.T) {
		tehran, _ := time.LoadLocation("Asia/Tehran")
		at := MustTime(t, "2026-03-20T21:00:00Z") // 00:30 on 21 March in Tehran
		if got := calendar.DateOf(at.In(tehran)); got.String() != "2026-03-21" {
			t.Errorf("DateOf in Tehran: got %s, want 2026-03-21", got)
		}
		if got := calendar.DateOf(at); got.String() != "2026-03-20" {
			t.Errorf("DateOf in UTC: got %s, want 2026-03-20", got)
		}
	})
	t.Run("JalaliBothWays", func(t *testing.T) {
		d := MustDate(t, "2026-03-21")
		j, err := d.Jalali()
		if err != nil || j.String() != "1405-01-01" {
			t.Fatalf("Jalali(): got %s (%v), want 1405-01-01", j, err)
		}
		back, err := calendar.FromJalali(j)
		if err != nil || back != d {
			t.Errorf("FromJalali: got %s (%v), want %s", back, err, d)
		}
	})
}

func TestDateJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		D calendar.Date `json:"d"`
	}{MustDate(t, "2026-01-09")})
	if err != nil || string(b) != `{"d":"2026-01-09"}` {
		t.Fatalf("Marshal: got %s (%v), want {\"d\":\"2026-01-09\"}", b, err)
	}
	var v struct {
		D calendar.Date `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-30"}`), &v); !errors.Is(err, calendar.ErrInvalidDate) {
		t.Errorf("Unmarshal 2026-02-30: got %v, want ErrInvalidDate", err)
	}
	if _, err := json.Marshal(calendar.Date{}); err == nil {
		t.Errorf("Marshal of the zero Date: got nil error")
	}
}

func TestTimeOfDay(t *testing.T) {
	tests := []struct {
		input string
		ok    bool
	}{
		{"13:30", true}, {"00:00", true}, {"24:00", true}, {"12:29:59", true},
		{"24:01", false}, {"13:60", false}, {"1:30", false}, {"13-30", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			c, err := calendar.ParseTimeOfDay(tt.input)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseTimeOfDay(%q): got %v, want ok=%t", tt.input, err, tt.ok)
			}
			if err == nil && c.String() != tt.input {
				t.Errorf("String(): got %s, want %s", c, tt.input)
			}
		})
	}
}
