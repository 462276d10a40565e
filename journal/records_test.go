package journal_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/journal"
	"astara/ledger"
)

// Under Verify, a record that replay writes is compared with the stored
// one: the same passes, and one edited in the store is
// corrupt, named by its key and version; one missing passes. The
// comparison writes nothing.
func TestVerifyFindsAnEditedRecord(t *testing.T) {
	fs := vfs.NewMem()
	st := MustOpen(t, fs, "j")
	records := []ledger.Record{
		{Key: []byte("p|same"), Version: 3, Value: []byte("kept")},
		{Key: []byte("p|edit"), Version: 4, Value: []byte("edited later")},
		{Key: []byte("p|gone"), Version: 5, Value: []byte("deleted later")},
	}
	if err := st.History().WriteRecords(records); err != nil {
		t.Fatal(err)
	}
	MustClose(t, st)
	WithRawDB(t, fs, "j", func(db *pebble.DB) {
		edited := journal.RecordKey(nil, records[1].Key, records[1].Version)
		v := MustGet(t, db, edited)
		v[0] ^= 1
		MustSet(t, db, edited, v)
		MustDelete(t, db, journal.RecordKey(nil, records[2].Key, records[2].Version))
	})
	st = MustOpen(t, fs, "j")
	defer MustClose(t, st)
	check := journal.CheckingHistory(st)

	if err := check.WriteRecords(records[:1]); err != nil {
		t.Errorf("WriteRecords under Verify of the record as stored = %v, want nil", err)
	}
	r := records[1]
	err := check.WriteRecords([]ledger.Record{r})
	var ce *journal.CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), fmt.Sprintf("record %x version %d", r.Key, r.Version)) {
		t.Errorf("WriteRecords under Verify of %s = %v, want a CorruptError naming record %x version %d", r.Key, err, r.Key, r.Version)
	}
	// A record deleted, or never stored, passes: the node may have died
	// before writing it, and its replay writes it. Comparing writes
	// nothing.
	extra := ledger.Record{Key: []byte("p|new"), Version: 6, Value: []byte("x")}
	if err := check.WriteRecords([]ledger.Record{records[2], extra}); err != nil {
		t.Errorf("WriteRecords under Verify of records not stored = %v, want nil", err)
	}
	if _, ok, err := st.History().Record(extra.Key, math.MaxUint64); ok || err != nil {
		t.Errorf("Record(%s) after comparing it = found %t, %v; want none", extra.Key, ok, err)
	}
}

// Records written before Sync survive a crash right after it: Sync syncs
// the write-ahead log that holds them. One written after it is lost,
// which shows that the crash loses what was not synced.
func TestRecordsDurableAfterSync(t *testing.T) {
	mem := vfs.NewCrashableMem()
	st := MustOpen(t, mem, "j")
	var records []ledger.Record
	for v := range uint64(50) {
		records = append(records, ledger.Record{Key: []byte{'p', byte(v % 5)}, Version: v + 1, Value: bytes.Repeat([]byte{byte(v)}, 100)})
	}
	h := st.History()
	for i := 0; i < len(records); i += 10 {
		if err := h.WriteRecords(records[i : i+10]); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Sync(); err != nil {
		t.Fatal(err)
	}
	unsynced := ledger.Record{Key: []byte("p|late"), Version: 60, Value: []byte("not synced")}
	if err := h.WriteRecords([]ledger.Record{unsynced}); err != nil {
		t.Fatal(err)
	}
	crashed := mem.CrashClone(vfs.CrashCloneCfg{})
	MustClose(t, st)
	st = MustOpen(t, crashed, "j")
	defer MustClose(t, st)
	for _, r := range records {
		got, ok, err := st.History().Record(r.Key, r.Version+1)
		if err != nil || !ok || got.Version != r.Version || !bytes.Equal(got.Value, r.Value) {
			t.Fatalf("Record(%x, %d) after a crash = version %d (found %t), %v; want version %d as written", r.Key, r.Version+1, got.Version, ok, err, r.Version)
		}
	}
	if _, ok, err := st.History().Record(unsynced.Key, math.MaxUint64); ok || err != nil {
		t.Errorf("Record(%s) written after Sync, after a crash = found %t, %v; want lost", unsynced.Key, ok, err)
	}
}
