package ledger_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"astara/ledger"
	"astara/ledger/storetest"
)

// reusingStore replays its entries as Pebble's iterator hands them out:
// each payload in one buffer that the next entry overwrites. It can fail
// its read at an entry, and counts the entries it read.
type reusingStore struct {
	*storetest.MemStore
	entries []ledger.Entry
	failAt  uint64 // 0: never
	read    int
}

var errTorn = errors.New("entry torn")

func (s *reusingStore) Replay(after uint64, fn func(ledger.Entry) error) error {
	var buf []byte
	for _, e := range s.entries[after:] {
		if e.Seq == s.failAt {
			return fmt.Errorf("entry %d: %w", e.Seq, errTorn)
		}
		s.read++
		buf = append(buf[:0], e.Payload...)
		e.Payload = buf
		if err := fn(e); err != nil {
			return err
		}
		clear(buf)
	}
	return nil
}

// replayAheadEntries returns n entries of batches of transfers, each
// batch of its own size, and a pulse between them.
func replayAheadEntries(n int) []ledger.Entry {
	var entries []ledger.Entry
	next := uint64(1)
	for i := range n {
		e := ledger.Entry{Seq: uint64(len(entries) + 1), Timestamp: t0 + uint64(len(entries))*1000}
		if i%3 == 2 {
			e.Op = ledger.OpPulse
		} else {
			batch := make([]ledger.Transfer, 1+i%5)
			for j := range batch {
				batch[j] = ledger.Transfer{ID: id(next), DebitAccountID: id(1), CreditAccountID: id(2), Amount: amt(next), Code: 1}
				next++
			}
			e.Op = ledger.OpCreateTransfers
			e.Payload = ledger.AppendTransfers(nil, batch)
		}
		entries = append(entries, e)
	}
	return entries
}

// TestReplayAheadHandsOutCopies checks that the entries read ahead
// arrive in order, whole, with their batches decoded, although the
// store's buffer is overwritten by the entries read after them.
func TestReplayAheadHandsOutCopies(t *testing.T) {
	entries := replayAheadEntries(40)
	st := &reusingStore{MemStore: new(storetest.MemStore), entries: entries}
	var got []uint64
	err := ledger.ReplayAhead(st, 3, func(e ledger.Entry, decoded any, events int) error {
		want := entries[e.Seq-1]
		got = append(got, e.Seq)
		if e.Op != want.Op || e.Timestamp != want.Timestamp || !bytes.Equal(e.Payload, want.Payload) {
			t.Fatalf("entry %d arrived as op %d at %d with %d bytes, not as written", e.Seq, e.Op, e.Timestamp, len(e.Payload))
		}
		if want.Op != ledger.OpCreateTransfers {
			if decoded != nil || events != 1 {
				t.Fatalf("entry %d (op %d): decoded %v, %d events", e.Seq, e.Op, decoded, events)
			}
			return nil
		}
		batch, _, err := ledger.DecodeTransfers(nil, want.Payload)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := decoded.([]ledger.Transfer)
		if !ok || !slices.Equal(d, batch) || events != len(batch) {
			t.Fatalf("entry %d: decoded %v (%d events), want %v", e.Seq, decoded, events, batch)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries)-3 || got[0] != 4 || !slices.IsSorted(got) {
		t.Fatalf("entries %v, want 4 to %d in order", got, len(entries))
	}
}

// TestReplayAheadStops checks both ways a replay read ahead ends early:
// a fault of the store's read reaches the caller only after every entry
// before it, and an error of the caller stops the reading.
func TestReplayAheadStops(t *testing.T) {
	entries := replayAheadEntries(60)
	st := &reusingStore{MemStore: new(storetest.MemStore), entries: entries, failAt: 30}
	last := uint64(0)
	err := ledger.ReplayAhead(st, 0, func(e ledger.Entry, _ any, _ int) error {
		last = e.Seq
		return nil
	})
	if !errors.Is(err, errTorn) || last != 29 {
		t.Fatalf("replay to a torn entry 30: error %v after entry %d, want the store's after 29", err, last)
	}

	st = &reusingStore{MemStore: new(storetest.MemStore), entries: entries}
	stop := errors.New("apply failed")
	err = ledger.ReplayAhead(st, 0, func(e ledger.Entry, _ any, _ int) error {
		if e.Seq == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("the caller's error: got %v", err)
	}
	// The reader may have read a few entries ahead, and no more.
	if st.read > 10+ledger.ReplayAheadEntries+1 {
		t.Fatalf("the reader read %d entries after the caller stopped at 10", st.read)
	}
}
