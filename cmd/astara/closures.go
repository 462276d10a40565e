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
	"astara/http"
)

// calendarChangesFile keeps the operator's changes to the calendars
// (closures, uploaded data, confirmed estimates), one JSON object a line,
// so that they outlive a restart: they are applied again, in order, at
// start-up.
const calendarChangesFile = "calendar-changes.jsonl"

// calendarChangeLineBytesMax bounds one recorded change: an uploaded data
// file of the largest size, base64-encoded, with room to spare.
const calendarChangeLineBytesMax = 4 << 20

// openCalendars loads the shipped calendars and the changes recorded in
// the data directory.
func (m *Main) openCalendars() (*calendar.Set, error) {
	set, err := calendar.Default(calendar.Edit{By: "startup", At: time.Now()})
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(m.DataDir, calendarChangesFile))
	if errors.Is(err, os.ErrNotExist) {
		return set, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), calendarChangeLineBytesMax)
	line := 0
	for sc.Scan() {
		line++
		var ch http.CalendarChange
		if err := json.Unmarshal(sc.Bytes(), &ch); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", calendarChangesFile, line, err)
		}
		if _, err := http.ApplyCalendarChange(set, ch, calendar.Edit{By: "operator (recorded)", At: ch.At}); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", calendarChangesFile, line, err)
		}
	}
	return set, sc.Err()
}

// recordCalendarChange appends a change to the data directory, synced.
func (m *Main) recordCalendarChange(ch http.CalendarChange) error {
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(m.DataDir, calendarChangesFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
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
