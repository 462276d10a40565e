package calendar_test

import (
	"errors"
	"testing"
	"time"

	"astara/calendar"
)

// corridor returns a corridor with the defaults, changed by opts.
func corridor(source, target string, opts ...func(*calendar.Corridor)) calendar.Corridor {
	c := calendar.NewCorridor(source, target)
	for _, o := range opts {
		o(&c)
	}
	return c
}

func countThursday(c *calendar.Corridor) { c.CountShortWeekday = true }
func sameDay(c *calendar.Corridor)       { c.SettlementDays = 0 }
func cutoff(hhmm string) func(*calendar.Corridor) {
	return func(c *calendar.Corridor) {
		t, err := calendar.ParseTimeOfDay(hhmm)
		if err != nil {
			panic(err)
		}
		c.CutoffLocal = t
	}
}

func TestValueDate(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name      string
		corridor  calendar.Corridor
		at        string
		valueDate string
		deadline  string
	}{
		// An ordinary week: Tuesday in Moscow is due Wednesday in Tehran.
		{"NextBusinessDay", corridor("RU", "IR"), "2025-10-14T10:00:00+03:00", "2025-10-15", "2025-10-15T13:30:00+03:30"},
		{"SameDayWhenSettlementDaysIsZero", corridor("RU", "IR", sameDay), "2025-10-14T10:00:00+03:00", "2025-10-14", "2025-10-14T13:30:00+03:30"},

		// Thursday in Tehran.
		{"ThursdaySkippedWhenNotCounted", corridor("RU", "IR"), "2025-10-15T10:00:00+03:00", "2025-10-20", "2025-10-20T13:30:00+03:30"},
		{"ThursdayDeadlineIs1230WhenCounted", corridor("RU", "IR", countThursday), "2025-10-15T10:00:00+03:00", "2025-10-16", "2025-10-16T12:30:00+03:30"},
		{"ThursdayAfternoonInTehranMovesToSaturday", corridor("IR", "RU", countThursday, sameDay), "2025-10-16T14:00:00+03:30", "2025-10-20", "2025-10-20T21:00:00+03:00"},
		{"ThursdayOneSecondBeforeTheShortCutoff", corridor("IR", "RU", countThursday, sameDay), "2025-10-16T12:29:59+03:30", "2025-10-16", "2025-10-16T21:00:00+03:00"},
		{"ThursdayAtTheShortCutoff", corridor("IR", "RU", countThursday, sameDay), "2025-10-16T12:30:00+03:30", "2025-10-20", "2025-10-20T21:00:00+03:00"},
		{"ThursdayAcceptedAnyTimeWhenNotCounted", corridor("IR", "RU"), "2025-10-16T08:00:00+03:30", "2025-10-20", "2025-10-20T21:00:00+03:00"},

		// Cut-offs, one second either side.
		{"OneSecondBeforeCorridorCutoff", corridor("RU", "IR", cutoff("16:00")), "2025-10-14T15:59:59+03:00", "2025-10-15", "2025-10-15T13:30:00+03:30"},
		{"AtCorridorCutoff", corridor("RU", "IR", cutoff("16:00")), "2025-10-14T16:00:00+03:00", "2025-10-20", "2025-10-20T13:30:00+03:30"},
		{"OneSecondAfterCorridorCutoff", corridor("RU", "IR", cutoff("16:00")), "2025-10-14T16:00:01+03:00", "2025-10-20", "2025-10-20T13:30:00+03:30"},
		{"OneSecondBeforeDefaultCutoff2100", corridor("RU", "IR", countThursday), "2025-10-14T20:59:59+03:00", "2025-10-15", "2025-10-15T13:30:00+03:30"},
		{"OneSecondAfterDefaultCutoff2100", corridor("RU", "IR", countThursday), "2025-10-14T21:00:01+03:00", "2025-10-16", "2025-10-16T12:30:00+03:30"},
		{"CutoffIsReadInTheSendingZone", corridor("RU", "IR", cutoff("16:00")), "2025-10-14T12:59:59Z", "2025-10-15", "2025-10-15T13:30:00+03:30"},
		{"ZoneOfAtDoesNotMatter", corridor("RU", "IR", cutoff("16:00")), "2025-10-14T13:00:00Z", "2025-10-20", "2025-10-20T13:30:00+03:30"},

		// Russian New Year holidays: 31 Dec to 11 Jan off in Russia.
		{"RussianNewYear", corridor("RU", "IR"), "2025-12-30T15:00:00+03:00", "2026-01-12", "2026-01-12T13:30:00+03:30"},
		{"AcceptedOnATransferredDayOff", corridor("RU", "IR"), "2025-12-31T10:00:00+03:00", "2026-01-13", "2026-01-13T13:30:00+03:30"},
		{"IranToRussiaOverNewYear", corridor("IR", "RU"), "2025-12-29T09:00:00+03:30", "2025-12-30", "2025-12-30T21:00:00+03:00"},
		{"IranToRussiaOverNewYearAfterCutoff", corridor("IR", "RU"), "2025-12-30T13:30:00+03:30", "2026-01-12", "2026-01-12T21:00:00+03:00"},

		// Nowruz: 20 to 24 March 2026 off in Iran, with the weekends.
		{"NowruzRussiaToIran", corridor("RU", "IR"), "2026-03-19T10:00:00+03:00", "2026-03-25", "2026-03-25T13:30:00+03:30"},
		{"NowruzIranToRussia", corridor("IR", "RU"), "2026-03-22T10:00:00+03:30", "2026-03-30", "2026-03-30T21:00:00+03:00"},

		// A lunar holiday on a Friday gives no substitute day.
		{"LunarHolidayOnAFriday", corridor("IR", "RU", countThursday), "2026-08-20T09:00:00+03:30", "2026-08-24", "2026-08-24T21:00:00+03:00"},
		{"LunarHolidayOnAFridayThenSaturdayIsOpen", corridor("IR", "RU", sameDay), "2026-08-21T09:00:00+03:30", "2026-08-24", "2026-08-24T21:00:00+03:00"},

		// The national mourning closure of 1–7 March 2026 in Iran, then the
		// Russian day off moved from Sunday 8 March to Monday 9 March.
		{"MourningClosureThenRussianTransfer", corridor("RU", "IR"), "2026-02-27T10:00:00+03:00", "2026-03-10", "2026-03-10T13:30:00+03:30"},
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
}

func TestValueDateErrors(t *testing.T) {
	s := MustDefault(t)
	t.Run("NoDataForTheNextRussianYear", func(t *testing.T) {
		_, _, err := s.ValueDate(corridor("RU", "IR"), MustTime(t, "2027-12-30T10:00:00+03:00"))
		var nd *calendar.NoDataError
		if !errors.As(err, &nd) || nd.Country != "RU" || nd.Year != 2028 || nd.Date.String() != "2028-01-01" {
			t.Fatalf("got %v, want no data for RU 2028 at 2028-01-01", err)
		}
		if !errors.Is(err, calendar.ErrNoData) || calendar.RuleOf(err) != calendar.RuleNoData {
			t.Errorf("got %v (rule %q), want ErrNoData", err, calendar.RuleOf(err))
		}
	})
	t.Run("NoDataBeforeTheShippedIranianData", func(t *testing.T) {
		_, _, err := s.ValueDate(corridor("IR", "RU"), MustTime(t, "2024-12-31T10:00:00+03:30"))
		var nd *calendar.NoDataError
		if !errors.As(err, &nd) || nd.Country != "IR" || nd.Year != 1403 || nd.System != calendar.SolarHijri {
			t.Fatalf("got %v, want no data for IR 1403", err)
		}
	})
	t.Run("UnknownCountry", func(t *testing.T) {
		if _, _, err := s.ValueDate(corridor("RU", "TR"), MustTime(t, "2026-01-12T10:00:00Z")); !errors.Is(err, calendar.ErrUnknownCountry) {
			t.Errorf("got %v, want ErrUnknownCountry", err)
		}
	})
	t.Run("SettlementDaysOnePastTheLimit", func(t *testing.T) {
		c := corridor("RU", "IR")
		c.SettlementDays = calendar.SettlementDaysMax
		if _, _, err := s.ValueDate(c, MustTime(t, "2026-01-12T10:00:00Z")); err != nil {
			t.Errorf("at the limit: got %v", err)
		}
		c.SettlementDays = calendar.SettlementDaysMax + 1
		if _, _, err := s.ValueDate(c, MustTime(t, "2026-01-12T10:00:00Z")); calendar.RuleOf(err) != calendar.RuleCorridorInvalid {
			t.Errorf("one past the limit: got %v, want %s", err, calendar.RuleCorridorInvalid)
		}
	})
	t.Run("NoBusinessDayWithinTheSearchLimit", func(t *testing.T) {
		s := MustDefault(t)
		_, err := s.DeclareClosure("IR", calendar.Closure{Date: MustDate(t, "2026-04-01"), Through: MustDate(t, "2027-03-20"), Name: "Long closure"}, operator(t, "2026-03-31T10:00:00Z"))
		if err != nil {
			t.Fatalf("DeclareClosure: %v", err)
		}
		if _, _, err := s.ValueDate(corridor("RU", "IR"), MustTime(t, "2026-04-01T10:00:00+03:00")); !errors.Is(err, calendar.ErrNoBusinessDay) {
			t.Errorf("got %v, want ErrNoBusinessDay", err)
		}
	})
}
