package journal_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/journal"
	"astara/ledger"
	"astara/ledger/storetest"
)

func TestChain(t *testing.T) {
	t.Run("ReopenRestoresLastSeqAndLastHash", func(t *testing.T) {
		fs := vfs.NewMem()
		st := MustOpen(t, fs, "j")
		entries := ledgerEntries(9, 1)
		storetest.MustAppend(t, st, entries[:4])
		storetest.MustAppend(t, st, entries[4:])
		seq, hash := st.LastSeq(), st.LastHash()
		MustClose(t, st)
		st = MustOpen(t, fs, "j")
		defer MustClose(t, st)
		if got := st.LastSeq(); got != seq {
			t.Errorf("LastSeq() after reopen = %d, want %d", got, seq)
		}
		if got := st.LastHash(); got != hash {
			t.Errorf("LastHash() after reopen = %x, want %x", got, hash)
		}
		// The chain continues where it stopped.
		next := ledger.Entry{Seq: 10, Timestamp: 99_000_000, Op: ledger.OpPulse}
		storetest.MustAppend(t, st, []ledger.Entry{next})
		if got := st.LastHash(); got == hash {
			t.Errorf("LastHash() did not change after appending entry 10")
		}
		if rep := MustVerify(t, st); rep.Entries != 10 || rep.LastSeq != 10 || rep.LastHash != st.LastHash() || !rep.TotalsBalanced {
			t.Errorf("Verify() = %+v, want 10 entries through 10 ending in %x, balanced", rep, st.LastHash())
		}
	})
	t.Run("HashCoversEveryField", func(t *testing.T) {
		// Two journals with one field of one entry different end in
		// different hashes; equal journals end in equal ones.
		base := storetest.Entries(1, 5)
		variants := []struct {
			name string
			edit func(e *ledger.Entry)
		}{
			{"Same", func(e *ledger.Entry) {}},
			{"Timestamp", func(e *ledger.Entry) { e.Timestamp++ }},
			{"Op", func(e *ledger.Entry) { e.Op++ }},
			{"Payload", func(e *ledger.Entry) { e.Payload = append(bytes.Clone(e.Payload), 0) }},
		}
		want := lastHashOf(t, base)
		for _, v := range variants {
			entries := append([]ledger.Entry(nil), base...)
			v.edit(&entries[2])
			got := lastHashOf(t, entries)
			if (got == want) != (v.name == "Same") {
				t.Errorf("%s: last hash %x, unedited %x: want them equal only without an edit", v.name, got, want)
			}
		}
	})
	t.Run("PayloadOnePastTheLimitRefused", func(t *testing.T) {
		st := MustOpen(t, vfs.NewMem(), "j")
		defer MustClose(t, st)
		big := ledger.Entry{Seq: 1, Timestamp: 1, Op: ledger.OpCreateTransfers, Payload: make([]byte, journal.EntryPayloadBytesMax+1)}
		if err := st.Append([]ledger.Entry{big}); err == nil {
			t.Errorf("Append of %d payload bytes = nil, want an error", len(big.Payload))
		}
		big.Payload = big.Payload[:journal.EntryPayloadBytesMax]
		storetest.MustAppend(t, st, []ledger.Entry{big})
		if got := storetest.MustReplay(t, st, 0); len(got) != 1 || len(got[0].Payload) != journal.EntryPayloadBytesMax {
			t.Errorf("Replay(0) returned %d entries, want one of %d bytes", len(got), journal.EntryPayloadBytesMax)
		}
	})
	t.Run("SnapshotReaderSurvivesANewerSnapshot", func(t *testing.T) {
		// A reader keeps the snapshot it opened even when a newer one
		// replaces it meanwhile: recovery, a backup or a verifier reading a
		// live store must not see a false corruption.
		st := MustOpen(t, vfs.NewMem(), "j")
		defer MustClose(t, st)
		storetest.MustAppend(t, st, storetest.Entries(1, 6))
		old := bytes.Repeat([]byte("old state "), 1<<20) // several chunks
		if err := st.SaveSnapshot(3, func(w io.Writer) error { _, err := w.Write(old); return err }); err != nil {
			t.Fatal(err)
		}
		seq, r, ok, err := st.LoadSnapshot()
		if err != nil || !ok || seq != 3 {
			t.Fatalf("LoadSnapshot() = %d, %t, %v; want 3", seq, ok, err)
		}
		if err := st.SaveSnapshot(6, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, old) {
			t.Errorf("reading snapshot 3 after snapshot 6 was saved: %d bytes, %v; want the %d bytes of snapshot 3", len(got), err, len(old))
		}
	})
}

func lastHashOf(t *testing.T, entries []ledger.Entry) journal.Hash {
	t.Helper()
	st := MustOpen(t, vfs.NewMem(), "j")
	defer MustClose(t, st)
	storetest.MustAppend(t, st, entries)
	return st.LastHash()
}

// corruptJournal is the journal the corruption cases start from: nine
// valid ledger entries and a snapshot of the state after entry 3.
func corruptJournal(t *testing.T) (vfs.FS, []ledger.Entry) {
	t.Helper()
	fs := vfs.NewMem()
	st := MustOpen(t, fs, "j")
	entries := ledgerEntries(9, 7)
	storetest.MustAppend(t, st, entries[:5])
	storetest.MustAppend(t, st, entries[5:])
	if err := st.SaveSnapshot(3, engineAfter(t, entries[:3]).WriteSnapshot); err != nil {
		t.Fatal(err)
	}
	MustVerify(t, st)
	MustClose(t, st)
	return fs, entries
}

func TestCorruptionIsDetectedWithItsPosition(t *testing.T) {
	flip := func(seq uint64, at int) func(*testing.T, *pebble.DB) {
		return func(t *testing.T, db *pebble.DB) {
			rec := MustGet(t, db, journal.EntryKey(seq))
			rec[at] ^= 0x20
			MustSet(t, db, journal.EntryKey(seq), rec)
		}
	}
	truncate := func(seq uint64, keep func(n int) int) func(*testing.T, *pebble.DB) {
		return func(t *testing.T, db *pebble.DB) {
			rec := MustGet(t, db, journal.EntryKey(seq))
			MustSet(t, db, journal.EntryKey(seq), rec[:keep(len(rec))])
		}
	}
	// edit changes a transfer's amount in entry seq's payload (still a
	// valid payload) and seals the record as far as rehash says.
	edit := func(seq uint64, rehash bool) func(*testing.T, *pebble.DB) {
		return func(t *testing.T, db *pebble.DB) {
			rec := MustGet(t, db, journal.EntryKey(seq))
			// Payload: count 4 | first transfer: ids 48 | amount low 8.
			rec[journal.RecordPayloadAt+4+48+7] ^= 0x01
			journal.SealRecord(seq, rec, rehash)
			MustSet(t, db, journal.EntryKey(seq), rec)
		}
	}
	chunk := func(t *testing.T, db *pebble.DB) {
		c := MustGet(t, db, journal.ChunkKey(3, 0))
		c[len(c)/2] ^= 0x01
		MustSet(t, db, journal.ChunkKey(3, 0), c)
	}
	// moveSnapshot makes the manifest claim to follow entry to, with the
	// hash of entry to when withHash is set (a manifest that is
	// self-consistent but whose state is that of entry 3).
	moveSnapshot := func(to uint64, withHash bool) func(*testing.T, *pebble.DB) {
		return func(t *testing.T, db *pebble.DB) {
			m := MustGet(t, db, journal.ManifestKey(3))
			c := MustGet(t, db, journal.ChunkKey(3, 0))
			m[7] = byte(to)
			if withHash {
				h := journal.RecordHash(MustGet(t, db, journal.EntryKey(to)))
				copy(m[8:40], h[:])
			}
			MustDelete(t, db, journal.ManifestKey(3))
			MustSet(t, db, journal.ManifestKey(to), m)
			MustSet(t, db, journal.ChunkKey(to, 0), c)
		}
	}
	tests := []struct {
		name    string
		corrupt func(*testing.T, *pebble.DB)
		seq     uint64 // where the fault must be reported
		// entryFault: Replay(0) fails too (a snapshot fault leaves the
		// entries readable).
		entryFault bool
		// openFails: the fault is in the last entry's header, which
		// journal.Open reads: it refuses there.
		openFails bool
	}{
		{name: "FlippedPayloadByte", corrupt: flip(6, journal.RecordPayloadAt+10), seq: 6, entryFault: true},
		{name: "FlippedTimestampByte", corrupt: flip(6, 5), seq: 6, entryFault: true},
		{name: "FlippedHashByte", corrupt: flip(6, 50), seq: 6, entryFault: true},
		{name: "TornRecord", corrupt: truncate(6, func(n int) int { return n - 9 }), seq: 6, entryFault: true},
		{name: "TornHeader", corrupt: truncate(6, func(n int) int { return journal.RecordHeaderBytes - 1 }), seq: 6, entryFault: true},
		{name: "TornLastRecord", corrupt: truncate(9, func(n int) int { return n - 1 }), seq: 9, entryFault: true},
		{name: "TornLastHeader", corrupt: truncate(9, func(n int) int { return 20 }), seq: 9, openFails: true},
		{name: "MissingEntry", corrupt: func(t *testing.T, db *pebble.DB) { MustDelete(t, db, journal.EntryKey(6)) }, seq: 6, entryFault: true},
		{name: "SwappedEntries", corrupt: func(t *testing.T, db *pebble.DB) {
			a, b := MustGet(t, db, journal.EntryKey(5)), MustGet(t, db, journal.EntryKey(6))
			MustSet(t, db, journal.EntryKey(5), b)
			MustSet(t, db, journal.EntryKey(6), a)
		}, seq: 5, entryFault: true},
		{name: "DuplicatedEntry", corrupt: func(t *testing.T, db *pebble.DB) {
			MustSet(t, db, journal.EntryKey(6), MustGet(t, db, journal.EntryKey(5)))
		}, seq: 6, entryFault: true},
		{name: "UnknownVersion", corrupt: func(t *testing.T, db *pebble.DB) {
			rec := MustGet(t, db, journal.EntryKey(6))
			rec[0] = 2
			journal.SealRecord(6, rec, false)
			MustSet(t, db, journal.EntryKey(6), rec)
		}, seq: 6, entryFault: true},
		{name: "EditedWithItsCRC", corrupt: edit(6, false), seq: 6, entryFault: true},
		{name: "EditedWithItsCRCAndHashBreaksTheNextLink", corrupt: edit(6, true), seq: 7, entryFault: true},
		{name: "CorruptSnapshotChunk", corrupt: chunk, seq: 3},
		{name: "MissingSnapshotChunk", corrupt: func(t *testing.T, db *pebble.DB) { MustDelete(t, db, journal.ChunkKey(3, 0)) }, seq: 3},
		{name: "SnapshotNamesAnotherEntry", corrupt: moveSnapshot(5, false), seq: 5},
		{name: "SnapshotNamesAnotherEntryWithItsHash", corrupt: moveSnapshot(5, true), seq: 5},
		{name: "SnapshotOfAMissingEntry", corrupt: func(t *testing.T, db *pebble.DB) { MustDelete(t, db, journal.EntryKey(3)) }, seq: 3, entryFault: true},
		{name: "ManifestOfTheWrongSize", corrupt: func(t *testing.T, db *pebble.DB) {
			m := MustGet(t, db, journal.ManifestKey(3))
			MustSet(t, db, journal.ManifestKey(3), m[:len(m)-1])
		}, seq: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _ := corruptJournal(t)
			WithRawDB(t, fs, "j", func(db *pebble.DB) { tt.corrupt(t, db) })
			st, err := journal.Open("j", journal.Options{FS: fs})
			if tt.openFails {
				if err == nil {
					st.Close()
				}
				if !CorruptAt(err, tt.seq) {
					t.Fatalf("journal.Open = %v, want corruption at %d", err, tt.seq)
				}
				return
			}
			if err != nil {
				t.Fatalf("journal.Open: %v", err)
			}
			defer MustClose(t, st)
			if _, err := st.Verify(ledger.Options{}); !CorruptAt(err, tt.seq) {
				t.Errorf("Verify() = %v, want corruption at %d", err, tt.seq)
			}
			err = st.Replay(0, func(ledger.Entry) error { return nil })
			if tt.entryFault && !CorruptAt(err, tt.seq) {
				t.Errorf("Replay(0) = %v, want corruption at %d", err, tt.seq)
			}
			if !tt.entryFault && err != nil {
				t.Errorf("Replay(0) = %v, want nil: the entries are intact", err)
			}
			svc, err := ledger.Open(st, ledger.ServiceOptions{})
			if err == nil {
				svc.Close()
				t.Fatalf("ledger.Open = nil error, want a refusal to serve from a corrupt journal")
			}
			if !errors.Is(err, journal.ErrCorrupt) && !errors.Is(err, ledger.ErrCorruptSnapshot) {
				t.Errorf("ledger.Open = %v, want journal.ErrCorrupt or ledger.ErrCorruptSnapshot", err)
			}
		})
	}
}

// An entry before the snapshot is read by Verify and Replay(0) but not by
// recovery, which starts from the snapshot (and the entry it names): the
// state is whole without it. `astara verify` is the check of the whole
// history.
func TestCorruptionBeforeTheSnapshotIsFoundByVerify(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(*testing.T, *pebble.DB)
		seq     uint64
	}{
		{"FlippedByte", func(t *testing.T, db *pebble.DB) {
			rec := MustGet(t, db, journal.EntryKey(2))
			rec[len(rec)-1] ^= 0x80
			MustSet(t, db, journal.EntryKey(2), rec)
		}, 2},
		{"MissingFirstEntry", func(t *testing.T, db *pebble.DB) { MustDelete(t, db, journal.EntryKey(1)) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _ := corruptJournal(t)
			WithRawDB(t, fs, "j", func(db *pebble.DB) { tt.corrupt(t, db) })
			st := MustOpen(t, fs, "j")
			defer MustClose(t, st)
			if _, err := st.Verify(ledger.Options{}); !CorruptAt(err, tt.seq) {
				t.Errorf("Verify() = %v, want corruption at %d", err, tt.seq)
			}
			if err := st.Replay(0, func(ledger.Entry) error { return nil }); !CorruptAt(err, tt.seq) {
				t.Errorf("Replay(0) = %v, want corruption at %d", err, tt.seq)
			}
		})
	}
}

func TestReplayFromTheMiddle(t *testing.T) {
	fs, entries := corruptJournal(t)
	st := MustOpen(t, fs, "j")
	defer MustClose(t, st)
	for _, after := range []uint64{1, 4, 8, 9} {
		got := storetest.MustReplay(t, st, after)
		if len(got) != len(entries)-int(after) {
			t.Fatalf("Replay(%d) returned %d entries, want %d", after, len(got), len(entries)-int(after))
		}
		for i, e := range got {
			w := entries[int(after)+i]
			if e.Seq != w.Seq || e.Timestamp != w.Timestamp || e.Op != w.Op || !bytes.Equal(e.Payload, w.Payload) {
				t.Errorf("Replay(%d) entry %d = {%d %d %s}, want {%d %d %s}", after, i, e.Seq, e.Timestamp, e.Op, w.Seq, w.Timestamp, w.Op)
			}
		}
	}
	if err := st.Replay(10, func(ledger.Entry) error { return nil }); err == nil {
		t.Errorf("Replay(10) past the last entry 9 = nil, want an error")
	}
}
