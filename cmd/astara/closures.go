package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"astara/calendar"
)

// closuresFile keeps the operator's ad-hoc closures, one JSON object a
// line, so that they outlive a restart; they are declared again, in order,
// at start-up.
const closuresFile = "calendar-closures.jsonl"

type closureRecord struct {
	Country string    `json:"country"`
	At      time.Time `json:"at"`
	Date    string    `json:"date"`
	Through string    `json:"through,omitempty"`
	Name    string    `json:"name"`
	Scope   string    `json:"scope,omitempty"`
	Source  string    `json:"source,omitempty"`
}

// openCalendars loads the shipped calendars and the closures recorded in
// the data directory.
func (m *Main) openCalendars() (*calendar.Set, error) {
	set, err := calendar.Default(calendar.Edit{By: "startup", At: time.Now()})
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(m.DataDir, closuresFile))
	if errors.Is(err, os.ErrNotExist) {
		return set, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		var rec closureRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", closuresFile, line, err)
		}
		c := calendar.Closure{Name: rec.Name, Source: rec.Source, Scope: calendar.Scope(rec.Scope)}
		if c.Date, err = calendar.ParseDate(rec.Date); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", closuresFile, line, err)
		}
		if rec.Through != "" {
			if c.Through, err = calendar.ParseDate(rec.Through); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", closuresFile, line, err)
			}
		}
		if _, err := set.DeclareClosure(rec.Country, c, calendar.Edit{By: "operator (recorded)", At: rec.At}); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", closuresFile, line, err)
		}
	}
	return set, sc.Err()
}

// recordClosure appends a closure to the data directory, synced, before
// it takes effect.
func (m *Main) recordClosure(country string, c calendar.Closure) error {
	rec := closureRecord{Country: country, At: time.Now().UTC(), Date: c.Date.String(), Name: c.Name, Scope: string(c.Scope), Source: c.Source}
	if !c.Through.IsZero() {
		rec.Through = c.Through.String()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(m.DataDir, closuresFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
