package fx_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"astara/fx"
	"astara/money"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata instead of comparing with them")

var (
	moscow = MustLocation("Europe/Moscow")
	berlin = MustLocation("Europe/Berlin")

	rub = money.MustCode("RUB")
	irr = money.MustCode("IRR")
	usd = money.MustCode("USD")
	eur = money.MustCode("EUR")
	cny = money.MustCode("CNY")
	inr = money.MustCode("INR")
	amd = money.MustCode("AMD")
	azn = money.MustCode("AZN")
	uzs = money.MustCode("UZS")
)

// received is when the tests' feeds were fetched: the evening before the
// CBR fixture's date, when the Bank has set the rates.
var received = time.Date(2025, time.October, 13, 20, 0, 0, 0, moscow)

// MustLocation loads a zone or panics; the package links in tzdata.
func MustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// MustRate parses s and fails the test if it is rejected.
func MustRate(tb testing.TB, s string) money.Rate {
	tb.Helper()
	r, err := money.ParseRate(s)
	if err != nil {
		tb.Fatalf("ParseRate(%q): %v", s, err)
	}
	return r
}

// MustReadFile reads a file of testdata.
func MustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// MustSet adds q to b and fails the test if it is refused.
func MustSet(tb testing.TB, b *fx.Book, q fx.Quote) {
	tb.Helper()
	if err := b.Set(q); err != nil {
		tb.Fatalf("Set(%s): %v", q, err)
	}
}

// checkGolden compares got with testdata/name, or writes it there with
// -rewrite.
func checkGolden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -rewrite to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs (run go test -rewrite to update it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// formatQuotes writes quotes one a line, for golden files.
func formatQuotes(quotes []fx.Quote) string {
	var b strings.Builder
	for _, q := range quotes {
		fmt.Fprintf(&b, "%s received %s\n", q, q.Received.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// feedError returns err as a *FeedError, failing the test if it is not one.
func feedError(tb testing.TB, err error) *fx.FeedError {
	tb.Helper()
	var fe *fx.FeedError
	if !errors.As(err, &fe) {
		tb.Fatalf("got error %v (%T), want a *fx.FeedError", err, err)
	}
	if !errors.Is(err, fx.ErrInvalidFeed) {
		tb.Errorf("errors.Is(%v, ErrInvalidFeed) is false", err)
	}
	return fe
}
