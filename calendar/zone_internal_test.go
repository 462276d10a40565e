package calendar

import (
	"errors"
	"testing"
	"time"
)

// TestEveryShippedZoneIsProbed keeps a country from shipping without the
// start-up check of its zone: each profile's zone has probes in summer and
// in winter, and the compiled-in tz database passes them.
func TestEveryShippedZoneIsProbed(t *testing.T) {
	for _, p := range Profiles() {
		months := map[time.Month]bool{}
		for _, probe := range zoneProbes {
			if probe.zone == p.Zone {
				months[probe.at.Month()] = true
			}
		}
		if !months[time.June] || !months[time.January] {
			t.Errorf("%s (%s): probes in %v, want June and January", p.Country, p.Zone, months)
		}
		if _, err := loadZone(p.Zone); err != nil {
			t.Errorf("%s: %v", p.Country, err)
		}
	}
}

// TestAStaleZoneStopsStartUp plays a tz database that disagrees with a
// probe, as one from before Azerbaijan dropped daylight saving time would.
func TestAStaleZoneStopsStartUp(t *testing.T) {
	saved := zoneProbes
	t.Cleanup(func() { zoneProbes = saved })
	// Baku was UTC+5 in June 2015; a probe that says +4 fails as a stale
	// database fails the real probe of June 2024.
	zoneProbes = append(append([]zoneProbe(nil), saved...), zoneProbe{"Asia/Baku", time.Date(2015, time.June, 15, 12, 0, 0, 0, time.UTC), 4 * 3600})
	if _, err := NewSet(Azerbaijan()); !errors.Is(err, ErrZoneData) {
		t.Errorf("got %v, want ErrZoneData", err)
	}
	if _, err := NewSet(India(), China()); err != nil {
		t.Errorf("other zones: got %v", err)
	}
}
