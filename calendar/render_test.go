package calendar_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"astara/calendar"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/")

func TestRenderMonth(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name    string
		country string
		month   string
		golden  string
	}{
		{"RussiaMarch2026", "RU", "2026-03", "render-RU-2026-03.golden"},
		{"RussiaJanuary2025", "RU", "2025-01", "render-RU-2025-01.golden"},
		{"IranFarvardin1405", "IR", "1405-01", "render-IR-1405-01.golden"},
		{"IranEsfand1404", "IR", "1404-12", "render-IR-1404-12.golden"},
		{"IranDey1403HasDaysWithoutData", "IR", "1403-10", "render-IR-1403-10.golden"},
		{"IndiaOctober2025SecondAndFourthSaturdays", "IN", "2025-10", "render-IN-2025-10.golden"},
		{"AzerbaijanMarch2025NovruzAndSwappedDays", "AZ", "2025-03", "render-AZ-2025-03.golden"},
		{"ChinaJanuary2025AdjustedWorkingSunday", "CN", "2025-01", "render-CN-2025-01.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustCountry(t, s, tt.country)
			m, err := calendar.ParseMonth(tt.month, c.System())
			if err != nil {
				t.Fatalf("ParseMonth: %v", err)
			}
			var buf bytes.Buffer
			if err := calendar.RenderMonth(&buf, c, m); err != nil {
				t.Fatalf("RenderMonth: %v", err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *rewrite {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -rewrite to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("got\n%s\nwant\n%s", buf.Bytes(), want)
			}
		})
	}
	t.Run("MonthWithoutData", func(t *testing.T) {
		c := MustCountry(t, s, "RU")
		m, _ := calendar.ParseMonth("2028-01", calendar.Gregorian)
		if err := calendar.RenderMonth(&bytes.Buffer{}, c, m); !errors.Is(err, calendar.ErrNoData) {
			t.Errorf("got %v, want ErrNoData", err)
		}
	})
	t.Run("BadMonths", func(t *testing.T) {
		for _, in := range []string{"2026-13", "2026-3", "1405-00", "+405-01", ""} {
			if _, err := calendar.ParseMonth(in, calendar.SolarHijri); !errors.Is(err, calendar.ErrInvalidDate) {
				t.Errorf("ParseMonth(%q): got %v, want ErrInvalidDate", in, err)
			}
		}
	})
}
