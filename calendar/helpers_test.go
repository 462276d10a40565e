package calendar_test

import (
	"testing"
	"time"

	"astara/calendar"
)

// loadedAt is the time the tests' data is loaded; nothing depends on it
// except the audit records.
var loadedAt = time.Date(2025, time.December, 1, 9, 0, 0, 0, time.UTC)

// startup is the Edit the shipped data is loaded with.
var startup = calendar.Edit{By: "startup", At: loadedAt}

// MustDate parses a Gregorian date and fails the test if it is rejected.
func MustDate(tb testing.TB, s string) calendar.Date {
	tb.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// MustTime parses an RFC 3339 time and fails the test if it is rejected.
func MustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("time.Parse(%q): %v", s, err)
	}
	return t
}

// MustDefault returns a fresh Set with the shipped data.
func MustDefault(tb testing.TB) *calendar.Set {
	tb.Helper()
	s, err := calendar.Default(startup)
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return s
}

// MustCountry returns a country's calendar from s.
func MustCountry(tb testing.TB, s *calendar.Set, country string) *calendar.Country {
	tb.Helper()
	c, err := s.Country(country)
	if err != nil {
		tb.Fatalf("Country(%s): %v", country, err)
	}
	return c
}

// MustDay describes a date and fails the test on error.
func MustDay(tb testing.TB, s *calendar.Set, country, date string, scopes ...calendar.Scope) calendar.Day {
	tb.Helper()
	d, err := s.Day(country, MustDate(tb, date), scopes...)
	if err != nil {
		tb.Fatalf("Day(%s, %s): %v", country, date, err)
	}
	return d
}

// operator is an Edit by an operator at a given time.
func operator(tb testing.TB, at string) calendar.Edit {
	tb.Helper()
	return calendar.Edit{By: "operator:alice", At: MustTime(tb, at)}
}
