package calendar_test

import (
	"testing"
	"time"
)

func TestZones(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name    string
		country string
		at      time.Time
		offset  time.Duration
	}{
		{"TehranHasNoDaylightSavingIn2024", "IR", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3*time.Hour + 30*time.Minute},
		{"TehranHadDaylightSavingIn2022", "IR", time.Date(2022, time.June, 15, 12, 0, 0, 0, time.UTC), 4*time.Hour + 30*time.Minute},
		{"TehranWinter2025", "IR", time.Date(2025, time.January, 15, 12, 0, 0, 0, time.UTC), 3*time.Hour + 30*time.Minute},
		{"MoscowSummer2024", "RU", time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC), 3 * time.Hour},
		{"MoscowWinter2026", "RU", time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), 3 * time.Hour},
		{"KolkataSummer2025", "IN", time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC), 5*time.Hour + 30*time.Minute},
		{"KolkataWinter2026", "IN", time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), 5*time.Hour + 30*time.Minute},
		{"BakuHadDaylightSavingIn2015", "AZ", time.Date(2015, time.June, 15, 12, 0, 0, 0, time.UTC), 5 * time.Hour},
		{"BakuHasNoDaylightSavingIn2025", "AZ", time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC), 4 * time.Hour},
		{"BakuWinter2026", "AZ", time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), 4 * time.Hour},
		{"ShanghaiSummer2025", "CN", time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC), 8 * time.Hour},
		{"ShanghaiWinter2026", "CN", time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := MustCountry(t, s, tt.country).Location()
			_, off := tt.at.In(loc).Zone()
			if got := time.Duration(off) * time.Second; got != tt.offset {
				t.Errorf("%s at %s: got %s, want %s", loc, tt.at.Format(time.RFC3339), got, tt.offset)
			}
		})
	}
}
