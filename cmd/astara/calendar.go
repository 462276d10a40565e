package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"astara/calendar"
)

func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("calendar", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: astara calendar COUNTRY YYYY-MM   (RU 2026-03; IR takes Solar Hijri months: IR 1405-01)")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageError{"want a country and a month"}
	}
	set, err := calendar.Default(calendar.Edit{By: "astara calendar", At: time.Now()})
	if err != nil {
		return err
	}
	country, err := set.Country(strings.ToUpper(fs.Arg(0)))
	if err != nil {
		return usageError{fmt.Sprintf("%v (known: %s)", err, strings.Join(set.Countries(), ", "))}
	}
	month, err := calendar.ParseMonth(fs.Arg(1), country.System())
	if err != nil {
		return usageError{err.Error()}
	}
	return calendar.RenderMonth(stdout, country, month)
}
