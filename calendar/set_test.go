package calendar_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"astara/calendar"
)

func TestNoData(t *testing.T) {
	s := MustDefault(t)
	tests := []struct {
		name    string
		country string
		date    string
		year    int
	}{
		{"RussiaBefore2025", "RU", "2024-12-31", 2024},
		{"RussiaAfter2027", "RU", "2028-01-01", 2028},
		{"IranBeforeJanuary2025", "IR", "2024-12-31", 1403},
		{"IranAfter1406", "IR", "2028-03-20", 1407},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := s.IsBusinessDay(tt.country, MustDate(t, tt.date))
			var nd *calendar.NoDataError
			if !errors.As(err, &nd) || nd.Country != tt.country || nd.Year != tt.year {
				t.Fatalf("got %t, %v; want a NoDataError for %s %d", ok, err, tt.country, tt.year)
			}
			if ok {
				t.Errorf("a day without data was reported as a business day")
			}
			if !strings.Contains(err.Error(), tt.country) {
				t.Errorf("error %q does not name the country", err)
			}
		})
	}
	t.Run("AnEmptySetHasNoData", func(t *testing.T) {
		empty, err := calendar.NewSet(calendar.Russia())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := empty.IsBusinessDay("RU", MustDate(t, "2026-01-12")); !errors.Is(err, calendar.ErrNoData) {
			t.Errorf("got %v, want ErrNoData", err)
		}
	})
	t.Run("LastCoveredDays", func(t *testing.T) {
		for _, c := range []struct{ country, date string }{{"RU", "2027-12-31"}, {"IR", "2028-03-19"}, {"IR", "2025-01-01"}} {
			if _, err := s.IsBusinessDay(c.country, MustDate(t, c.date)); err != nil {
				t.Errorf("%s %s: got %v, want data", c.country, c.date, err)
			}
		}
	})
}

func TestListing(t *testing.T) {
	s := MustDefault(t)
	t.Run("JSONIsTheAPIShape", func(t *testing.T) {
		listing, err := s.Days("RU", MustDate(t, "2026-01-08"), MustDate(t, "2026-01-12"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(listing)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"country":"RU","days":[` +
			`{"date":"2026-01-08","business_day":false,"reason":"holiday","name":"New Year holidays"},` +
			`{"date":"2026-01-09","business_day":false,"reason":"transfer","name":"Day off transferred from 2026-01-03"},` +
			`{"date":"2026-01-10","business_day":false,"reason":"weekend"},` +
			`{"date":"2026-01-11","business_day":false,"reason":"weekend"},` +
			`{"date":"2026-01-12","business_day":true}]}`
		if string(b) != want {
			t.Errorf("got  %s\nwant %s", b, want)
		}
	})
	t.Run("TwoHolidaysOnOneDayAreNamedTogether", func(t *testing.T) {
		day := MustDay(t, s, "IR", "2026-03-21")
		if day.Name != "Eid al-Fitr; Nowruz (New Year)" {
			t.Errorf("got %q, want both names", day.Name)
		}
	})
	t.Run("RangeOnePastTheLimit", func(t *testing.T) {
		from := MustDate(t, "2025-01-01")
		if _, err := s.Days("RU", from, from.AddDays(calendar.ListingDaysMax-1)); err != nil {
			t.Errorf("at the limit: got %v", err)
		}
		if _, err := s.Days("RU", from, from.AddDays(calendar.ListingDaysMax)); calendar.RuleOf(err) != calendar.RuleRangeInvalid {
			t.Errorf("one past the limit: got %v, want %s", err, calendar.RuleRangeInvalid)
		}
	})
	t.Run("ReversedRange", func(t *testing.T) {
		if _, err := s.Days("RU", MustDate(t, "2026-01-02"), MustDate(t, "2026-01-01")); !errors.Is(err, calendar.ErrInvalidQuery) {
			t.Errorf("got %v, want ErrInvalidQuery", err)
		}
	})
	t.Run("RangeIntoAYearWithoutData", func(t *testing.T) {
		if _, err := s.Days("RU", MustDate(t, "2027-12-30"), MustDate(t, "2028-01-02")); !errors.Is(err, calendar.ErrNoData) {
			t.Errorf("got %v, want ErrNoData", err)
		}
	})
}

func TestClosure(t *testing.T) {
	s := MustDefault(t)
	c := corridor("RU", "IR")
	at := MustTime(t, "2025-10-14T10:00:00+03:00")
	before, _, err := s.ValueDate(c, at)
	if err != nil || before.String() != "2025-10-15" {
		t.Fatalf("before the closure: got %s (%v), want 2025-10-15", before, err)
	}
	version := s.Version()
	changed := s.Changed()
	edit := operator(t, "2025-10-14T08:00:00Z")
	rec, err := s.DeclareClosure("IR", calendar.Closure{Date: MustDate(t, "2025-10-15"), Name: "Closure for air pollution"}, edit)
	if err != nil {
		t.Fatalf("DeclareClosure: %v", err)
	}

	t.Run("ChangesTheValueDate", func(t *testing.T) {
		after, deadline, err := s.ValueDate(c, at)
		if err != nil || after.String() != "2025-10-20" || !deadline.Equal(MustTime(t, "2025-10-20T13:30:00+03:30")) {
			t.Errorf("got %s %s (%v), want 2025-10-20 13:30 Tehran", after, deadline, err)
		}
	})
	t.Run("BumpsTheVersion", func(t *testing.T) {
		if got := s.Version(); got != version+1 || rec.Version != got {
			t.Errorf("got version %d (record %d), want %d", got, rec.Version, version+1)
		}
	})
	t.Run("ClosesTheChangedChannel", func(t *testing.T) {
		select {
		case <-changed:
		default:
			t.Errorf("the channel from Changed is still open")
		}
		select {
		case <-s.Changed():
			t.Errorf("the new channel from Changed is already closed")
		default:
		}
	})
	t.Run("RecordsWhoWhenWhat", func(t *testing.T) {
		log := s.Audit()
		last := log[len(log)-1]
		if last.By != edit.By || !last.At.Equal(edit.At) || last.Action != calendar.ActionClosure || last.Country != "IR" ||
			len(last.Added) != 1 || last.Added[0].Date.String() != "2025-10-15" || !strings.Contains(last.What, "air pollution") {
			t.Errorf("got %+v, want the closure by %s at %s", last, edit.By, edit.At)
		}
		if last.Version != rec.Version {
			t.Errorf("the log's record has version %d, the returned one %d", last.Version, rec.Version)
		}
	})
	t.Run("TheDayReadsAsAClosure", func(t *testing.T) {
		day := MustDay(t, s, "IR", "2025-10-15")
		if day.BusinessDay || day.Reason != calendar.ReasonClosure || day.Name != "Closure for air pollution" {
			t.Errorf("got %+v", day)
		}
	})
	t.Run("TheSameClosureTwiceIsRejected", func(t *testing.T) {
		v := s.Version()
		_, err := s.DeclareClosure("IR", calendar.Closure{Date: MustDate(t, "2025-10-15"), Name: "Closure for air pollution"}, edit)
		if !errors.Is(err, calendar.ErrExists) || s.Version() != v {
			t.Errorf("got %v (version %d→%d), want ErrExists and no change", err, v, s.Version())
		}
	})
	t.Run("ProvincialClosureOnlyForBanksInTheProvince", func(t *testing.T) {
		_, err := s.DeclareClosure("IR", calendar.Closure{Date: MustDate(t, "2025-10-21"), Name: "Heat", Scope: calendar.ProvinceScope("Isfahan")}, edit)
		if err != nil {
			t.Fatal(err)
		}
		at := MustTime(t, "2025-10-20T10:00:00+03:00")
		national, _, _ := s.ValueDate(c, at)
		inIsfahan := c
		inIsfahan.TargetScopes = []calendar.Scope{calendar.ProvinceScope("Isfahan")}
		local, _, _ := s.ValueDate(inIsfahan, at)
		if national.String() != "2025-10-21" || local.String() != "2025-10-22" {
			t.Errorf("got national %s, Isfahan %s; want 2025-10-21 and 2025-10-22", national, local)
		}
	})
	t.Run("ClosureInAYearWithoutData", func(t *testing.T) {
		_, err := s.DeclareClosure("IR", calendar.Closure{Date: MustDate(t, "2028-04-01"), Name: "Heat"}, edit)
		if !errors.Is(err, calendar.ErrNoData) {
			t.Errorf("got %v, want ErrNoData", err)
		}
	})
	t.Run("InvalidClosures", func(t *testing.T) {
		for name, cl := range map[string]calendar.Closure{
			"NoName":           {Date: MustDate(t, "2025-10-22")},
			"BadScope":         {Date: MustDate(t, "2025-10-22"), Name: "x", Scope: "city:Tehran"},
			"BadBIC":           {Date: MustDate(t, "2025-10-22"), Name: "x", Scope: calendar.BankScope("bkmti")},
			"Reversed":         {Date: MustDate(t, "2025-10-22"), Through: MustDate(t, "2025-10-21"), Name: "x"},
			"OnePastRangeDays": {Date: MustDate(t, "2025-03-21"), Through: MustDate(t, "2025-03-21").AddDays(calendar.RangeDaysMax), Name: "x"},
			"NameTooLong":      {Date: MustDate(t, "2025-10-22"), Name: strings.Repeat("x", calendar.NameBytesMax+1)},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := s.DeclareClosure("IR", cl, edit); !errors.Is(err, calendar.ErrInvalidData) {
					t.Errorf("got %v, want ErrInvalidData", err)
				}
			})
		}
	})
	t.Run("EditWithoutActorOrTime", func(t *testing.T) {
		cl := calendar.Closure{Date: MustDate(t, "2025-10-22"), Name: "x"}
		if _, err := s.DeclareClosure("IR", cl, calendar.Edit{At: edit.At}); !errors.Is(err, calendar.ErrInvalidData) {
			t.Errorf("no actor: got %v", err)
		}
		if _, err := s.DeclareClosure("IR", cl, calendar.Edit{By: "x"}); !errors.Is(err, calendar.ErrInvalidData) {
			t.Errorf("no time: got %v", err)
		}
	})
}

func TestConfirm(t *testing.T) {
	edit := operator(t, "2026-07-20T08:00:00Z")
	t.Run("EstimateBecomesOfficial", func(t *testing.T) {
		s := MustDefault(t)
		v := s.Version()
		rec, err := s.Confirm("IR", calendar.Confirmation{Date: MustDate(t, "2026-08-03"), Source: "official 1405 calendar"}, edit)
		if err != nil {
			t.Fatalf("Confirm: %v", err)
		}
		day := MustDay(t, s, "IR", "2026-08-03")
		if day.Estimate || day.Entries[0].Status != calendar.StatusOfficial || day.Entries[0].Source != "official 1405 calendar" {
			t.Errorf("got %+v, want an official entry", day.Entries)
		}
		if s.Version() != v+1 || rec.Action != calendar.ActionConfirm || len(rec.Removed) != 1 || rec.Removed[0].Status != calendar.StatusEstimate {
			t.Errorf("got version %d record %+v", s.Version(), rec)
		}
	})
	t.Run("MovedByMoonSighting", func(t *testing.T) {
		s := MustDefault(t)
		_, err := s.Confirm("IR", calendar.Confirmation{Date: MustDate(t, "2026-08-13"), Name: "Martyrdom of Imam Reza", Actual: MustDate(t, "2026-08-12")}, edit)
		if err != nil {
			t.Fatalf("Confirm: %v", err)
		}
		if d := MustDay(t, s, "IR", "2026-08-13"); !d.BusinessDay {
			t.Errorf("the old date is still off: %+v", d)
		}
		if d := MustDay(t, s, "IR", "2026-08-12"); d.BusinessDay || d.Estimate || d.Name != "Martyrdom of Imam Reza" {
			t.Errorf("the new date: got %+v", d)
		}
	})
	t.Run("NothingToConfirm", func(t *testing.T) {
		s := MustDefault(t)
		v := s.Version()
		_, err := s.Confirm("IR", calendar.Confirmation{Date: MustDate(t, "2026-03-21")}, edit)
		if !errors.Is(err, calendar.ErrNotFound) || s.Version() != v {
			t.Errorf("got %v, want ErrNotFound and no change", err)
		}
	})
	t.Run("RussianTransferEstimate", func(t *testing.T) {
		s := MustDefault(t)
		if _, err := s.Confirm("RU", calendar.Confirmation{Date: MustDate(t, "2027-05-10")}, edit); err != nil {
			t.Fatalf("Confirm: %v", err)
		}
		if d := MustDay(t, s, "RU", "2027-05-10"); d.Estimate {
			t.Errorf("still an estimate: %+v", d)
		}
	})
}

func TestLoadReplacesAYear(t *testing.T) {
	s := MustDefault(t)
	// The 2027 decree is adopted: Jan 2 and 3 move to, say, Dec 30 and 31.
	file := `{"format": 1, "country": "RU", "calendar": "gregorian", "year": 2027, "source": "2027 decree",
	  "entries": [
	    {"date": "2027-01-01", "through": "2027-01-08", "name": "New Year holidays", "kind": "holiday", "status": "official", "source": "art. 112"},
	    {"date": "2027-12-30", "name": "Day off transferred from 2027-01-02", "kind": "transfer", "status": "official", "source": "2027 decree"},
	    {"date": "2027-12-31", "name": "Day off transferred from 2027-01-03", "kind": "transfer", "status": "official", "source": "2027 decree"}
	  ]}`
	ds, err := calendar.ReadData(strings.NewReader(file), "RU-2027.json")
	if err != nil {
		t.Fatalf("ReadData: %v", err)
	}
	rec, err := s.Load(ds, operator(t, "2026-10-01T09:00:00Z"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if d := MustDay(t, s, "RU", "2027-12-31"); d.BusinessDay || d.Reason != calendar.ReasonTransfer {
		t.Errorf("2027-12-31: got %+v, want a transfer", d)
	}
	if d := MustDay(t, s, "RU", "2027-05-10"); !d.BusinessDay {
		t.Errorf("2027-05-10: the old estimate is still there: %+v", d)
	}
	if d := MustDay(t, s, "RU", "2026-12-31"); d.BusinessDay {
		t.Errorf("2026 changed: %+v", d)
	}
	if rec.Action != calendar.ActionLoad || len(rec.Added) != 10 || len(rec.Removed) != 21 {
		t.Errorf("got record %s with %d added, %d removed; want 10 and 21", rec.What, len(rec.Added), len(rec.Removed))
	}
}

// TestConcurrentReadsAndWrites runs readers against a writer; with -race it
// checks that the copy-on-write snapshots are safe.
func TestConcurrentReadsAndWrites(t *testing.T) {
	s := MustDefault(t)
	c := corridor("RU", "IR")
	at := MustTime(t, "2025-10-14T10:00:00+03:00")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			last := uint64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := s.Version()
				if v < last {
					t.Errorf("version went back from %d to %d", last, v)
				}
				last = v
				if _, _, err := s.ValueDate(c, at); err != nil {
					t.Errorf("ValueDate: %v", err)
				}
				if _, err := s.Days("IR", MustDate(t, "2025-10-01"), MustDate(t, "2025-11-30")); err != nil {
					t.Errorf("Days: %v", err)
				}
				_ = s.Audit()
			}
		})
	}
	start := MustDate(t, "2025-10-15")
	for i := range 30 {
		_, err := s.DeclareClosure("IR", calendar.Closure{Date: start.AddDays(i), Name: "Closure"}, operator(t, "2025-10-14T08:00:00Z"))
		if err != nil {
			t.Errorf("DeclareClosure: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	shipped, err := calendar.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Audit()), len(shipped)+30; got != want {
		t.Errorf("audit log: got %d records, want %d", got, want)
	}
}

func TestSetConfiguration(t *testing.T) {
	t.Run("CountryTwice", func(t *testing.T) {
		if _, err := calendar.NewSet(calendar.Russia(), calendar.Russia()); err == nil {
			t.Errorf("got nil error")
		}
	})
	t.Run("UnknownZone", func(t *testing.T) {
		p := calendar.Russia()
		p.Zone = "Europe/Atlantis"
		if _, err := calendar.NewSet(p); err == nil {
			t.Errorf("got nil error")
		}
	})
	t.Run("HoursThatCloseBeforeTheyOpen", func(t *testing.T) {
		p := calendar.Iran()
		p.Hours = calendar.Hours{Open: calendar.NewTimeOfDay(14, 0), Close: calendar.NewTimeOfDay(13, 0)}
		if _, err := calendar.NewSet(p); !errors.Is(err, calendar.ErrInvalidData) {
			t.Errorf("got %v, want ErrInvalidData", err)
		}
	})
	t.Run("ShortDaysCanCloseEarlier", func(t *testing.T) {
		p := calendar.Russia()
		p.ShortDayMinutes = 60
		s, err := calendar.NewSet(p, calendar.Iran(), calendar.India(), calendar.Azerbaijan(), calendar.China())
		if err != nil {
			t.Fatal(err)
		}
		ds, err := calendar.Shipped()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if _, err := s.Load(d, startup); err != nil {
				t.Fatal(err)
			}
		}
		_, deadline, err := s.ValueDate(corridor("IR", "RU", countThursday), MustTime(t, "2026-04-29T10:00:00+03:30"))
		if err != nil || !deadline.Equal(MustTime(t, "2026-04-30T20:00:00+03:00")) {
			t.Errorf("got %s (%v), want 20:00 Moscow on the short day 2026-04-30", deadline, err)
		}
	})
}
