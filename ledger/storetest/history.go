package storetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"astara/journal"
	"astara/ledger"
)

// verifier is a store that verifies its journal (both stores do).
type verifier interface {
	VerifyMachine(ledger.Machine) (journal.Report, error)
}

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// historyWorkload sends batches of transfers, some pending with timeouts,
// and posts, voids and retries earlier ones, so that the history holds
// every kind of record: posted at once, pending and since closed,
// expired, and retried ids that answer exists.
type historyWorkload struct {
	r       *rand.Rand
	next    uint64
	pending []ledger.ID
	sent    []ledger.Transfer
}

func (w *historyWorkload) batch() []ledger.Transfer {
	var out []ledger.Transfer
	for range 20 + w.r.IntN(40) {
		from := 1 + w.r.Uint64N(3)
		to := 1 + (from+w.r.Uint64N(2))%3
		t := transfer(w.next, from, to, 1+w.r.Uint64N(50))
		w.next++
		if w.r.IntN(8) == 0 {
			t.Flags = ledger.TransferPending
			t.TimeoutSeconds = uint32(w.r.IntN(2)) // 0 or 1 s
			w.pending = append(w.pending, t.ID)
		}
		out = append(out, t)
	}
	for range w.r.IntN(4) {
		if len(w.pending) == 0 {
			break
		}
		flag := ledger.TransferPostPending
		if w.r.IntN(2) == 0 {
			flag = ledger.TransferVoidPending
		}
		out = append(out, ledger.Transfer{ID: id(w.next), PendingID: w.pending[0], Flags: flag})
		w.pending = w.pending[1:]
		w.next++
	}
	if len(w.sent) > 0 {
		// A retry of a transfer sent long ago: by now it is in History.
		out = append(out, w.sent[w.r.IntN(len(w.sent))])
	}
	w.sent = append(w.sent, out...)
	return out
}

// testHistoryReadsBack runs a Service with a tiny hot window, so that a
// store that keeps the engine's history (ledger.HistoryStore) has it moved
// out of memory between batches, and checks every transfer and every
// balance, read back through the engine after a snapshot and a restart,
// against an engine that kept everything in memory and replayed the same
// journal. A store without a History keeps everything in memory, and the
// same answers are checked.
func testHistoryReadsBack(t *testing.T, h *Harness) {
	st := h.Store()
	const hot = 64
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	svc := MustOpenService(t, st, ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: hot}, SnapshotEventsInterval: 900, Clock: clock})
	MustCreateAccounts(t, svc, []ledger.Account{
		{ID: id(1), Currency: rub, Code: 1},
		{ID: id(2), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
		{ID: id(3), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
	})
	w := &historyWorkload{r: rand.New(rand.NewPCG(9, 9)), next: 1000}
	peak := 0
	for range 100 {
		MustCreateTransfers(t, svc, w.batch())
		clock.advance(300 * time.Millisecond) // pending transfers expire on the way
		svc.View(func(e *ledger.Engine) { peak = max(peak, e.MemoryTransfersCount()-e.OpenPendingCount()) })
	}
	var total int
	svc.View(func(e *ledger.Engine) { total = e.TransfersCount() })
	history := HistoryOf(st)
	if history != nil && peak > total/4 {
		// The window, the chunk being filled and what is applied while a
		// move is written: far fewer than all.
		t.Errorf("up to %d closed transfers in memory of %d, want at most a quarter", peak, total)
	}
	// After Close: a pulse may still expire pending transfers until then.
	svc.Close()
	live := State(t, svc)
	if history != nil {
		moved := 0
		if err := history.ScanTransfers(func(ledger.HistoryTransfer) bool { moved++; return true }); err != nil {
			t.Fatal(err)
		}
		if moved < total/2 {
			t.Errorf("%d transfers in History of %d", moved, total)
		}
	}

	// The reference: everything in memory, replayed from the first entry.
	full := ledger.New(ledger.Options{})
	rp := &ledger.Replayer{Engine: full}
	for _, e := range MustReplay(t, st, 0) {
		if _, err := rp.Apply(e); err != nil {
			t.Fatalf("replay entry %d: %v", e.Seq, err)
		}
	}
	st = h.Reopen()
	// No pulse while the state is read back: on the real clock every
	// pending transfer of the workload is long due, and a pulse would
	// expire them under the checks.
	svc = MustOpenService(t, st, ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: hot}, PulseInterval: time.Hour})
	defer svc.Close()
	if got, want := State(t, svc), EngineState(t, full); !bytes.Equal(got, live) || !bytes.Equal(got, want) {
		t.Fatalf("state after the restart (%d bytes) differs from the state before it (%d bytes, equal: %t) or from a full replay (%d bytes, equal: %t)",
			len(got), len(live), bytes.Equal(got, live), len(want), bytes.Equal(got, want))
	}
	svc.View(func(e *ledger.Engine) {
		if n := e.MemoryTransfersCount(); history != nil && n != e.OpenPendingCount() {
			t.Errorf("%d transfers in memory after a restart from a snapshot, want only the %d open pending", n, e.OpenPendingCount())
		}
		for _, x := range w.sent {
			gt, gs, gok := e.LookupTransfer(x.ID)
			wt, ws, wok := full.LookupTransfer(x.ID)
			if gt != wt || gs != ws || gok != wok {
				t.Fatalf("transfer %s: got %+v %s %t, want %+v %s %t", x.ID, gt, gs, gok, wt, ws, wok)
			}
		}
		for _, a := range []ledger.ID{id(1), id(2), id(3)} {
			got, _ := e.AccountBalances(a, 0, 1<<30)
			want, _ := full.AccountBalances(a, 0, 1<<30)
			if !slices.Equal(got, want) {
				t.Fatalf("balances of %s: got %d, want %d", a, len(got), len(want))
			}
			// Pages that start anywhere, across the split between
			// History and memory.
			for k := 0; k < len(want); k += 13 {
				after := want[k].Timestamp
				rest := want[k:]
				for len(rest) > 0 && rest[0].Timestamp <= after {
					rest = rest[1:]
				}
				page, _ := e.AccountBalances(a, after, 7)
				if !slices.Equal(page, rest[:min(7, len(rest))]) {
					t.Fatalf("balances of %s after %d: got %+v, want %+v", a, after, page, rest[:min(7, len(rest))])
				}
			}
			// The balance before any moment: at a balance's own timestamp
			// (the one before it), just after it (itself), before the
			// first and after the last.
			for k := 0; k < len(want); k += 5 {
				for _, before := range []uint64{want[k].Timestamp, want[k].Timestamp + 1} {
					j := len(want)
					for j > 0 && want[j-1].Timestamp >= before {
						j--
					}
					got, found, ok := e.AccountBalanceBefore(a, before)
					if !ok || found != (j > 0) || found && got != want[j-1] {
						t.Fatalf("balance of %s before %d: got %+v %t %t, want the %dth of %d", a, before, got, found, ok, j, len(want))
					}
				}
			}
			if len(want) > 0 {
				if _, found, _ := e.AccountBalanceBefore(a, want[0].Timestamp); found {
					t.Errorf("a balance of %s before its first", a)
				}
				if got, _, _ := e.AccountBalanceBefore(a, math.MaxUint64); got != want[len(want)-1] {
					t.Errorf("balance of %s before the end: got %+v, want %+v", a, got, want[len(want)-1])
				}
			}
		}
	})
	// A retry of what was sent answers as the first time did, or exists,
	// from History as from memory.
	// Verification replays the journal the same way, moving history as
	// it goes and comparing every record it moves with the stored one.
	if v, ok := st.(verifier); ok {
		rep, err := v.VerifyMachine(ledger.NewEngineMachine(ledger.Options{HotTransfers: hot}))
		if err != nil || !rep.SnapshotOK || !rep.TotalsBalanced {
			t.Errorf("VerifyMachine() = %+v, %v; want a clean report", rep, err)
		}
	}
	retry := w.sent[:50]
	for i, r := range MustCreateTransfers(t, svc, retry) {
		switch {
		case r == ledger.ResultExists, r.Transient(), r == ledger.ResultIDAlreadyFailed,
			r == ledger.ResultPendingTransferAlreadyPosted, r == ledger.ResultPendingTransferAlreadyVoided,
			r == ledger.ResultPendingTransferExpired:
		default:
			t.Errorf("retry of %s answered %s", retry[i].ID, r)
		}
	}
}

// testFollower follows a journal that a Service writes, as a standby does,
// then takes over: the taken-over state is the writer's, and the takeover
// replays only what was written after the last catch-up.
func testFollower(t *testing.T, h *Harness) {
	st := h.Store()
	leader := MustOpenService(t, st, ledger.ServiceOptions{})
	MustCreateAccounts(t, leader, accountsFixture())
	f, err := ledger.Follow(st, ledger.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range uint64(5) {
		MustCreateTransfers(t, leader, []ledger.Transfer{transfer(100+i, 1, 2, 10), transfer(200+i, 1, 3, 5)})
	}
	n, err := f.CatchUp()
	if err != nil || n != 5 || f.Seq() != st.LastSeq() {
		t.Fatalf("CatchUp() = %d, %v at entry %d; want the 5 entries written, to %d", n, err, f.Seq(), st.LastSeq())
	}
	MustCreateTransfers(t, leader, []ledger.Transfer{transfer(300, 2, 3, 1)})
	leader.Close()
	want := State(t, leader)
	svc, replayed, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if replayed != 1 {
		t.Errorf("%d entries replayed at the takeover, want the 1 written since the catch-up", replayed)
	}
	if got := State(t, svc); !bytes.Equal(got, want) {
		t.Errorf("the follower took over with another state than the leader's")
	}
	MustCreateTransfers(t, svc, []ledger.Transfer{transfer(301, 1, 2, 1)})
	if _, _, err := f.Open(); err == nil {
		t.Errorf("a follower opened twice")
	}
}

// testRecordsReadBack writes versions of records (ledger.Record) under
// keys of several lengths, out of version order, and reads the latest
// version below a version back: below the first (none), at a version
// (the one before it), between versions and after the last, before and
// after a restart. A record written again is accepted with the same
// content and refused with other content. A store without a History is
// checked against ledger.MemoryHistory, the reference, which its restart
// leaves as it is.
func testRecordsReadBack(t *testing.T, h *Harness) {
	st := h.Store()
	history := HistoryOf(st)
	reopen := func() ledger.History { return HistoryOf(h.Reopen()) }
	if history == nil {
		history = ledger.NewMemoryHistory()
		reopen = func() ledger.History { h.Reopen(); return history }
	}
	// short's bytes followed by a version, 7, are long's: a store that
	// put a key's versions right after its bytes would read long's
	// versions as short's and short's version 7 as long's. (Callers keep
	// no key a prefix of another, but the stores keep even these apart.)
	short := []byte{'k', 1}
	long := binary.BigEndian.AppendUint64([]byte{'k', 1}, 7)
	widest := bytes.Repeat([]byte{0xff}, ledger.RecordKeyMax)
	one := []byte{'z'}
	value := func(key []byte, version uint64) []byte { return fmt.Appendf(nil, "%x@%d", key, version) }
	rec := func(key []byte, version uint64) ledger.Record {
		return ledger.Record{Key: key, Version: version, Value: value(key, version)}
	}
	// Newer versions first: the order of the writes is not the order of
	// the versions. long's version 9 is empty. Versions are journal
	// sequence numbers, up to the largest int64.
	first := []ledger.Record{rec(short, 20), rec(long, 9), rec(widest, 1<<40), rec(one, math.MaxInt64), rec(one, 1<<62)}
	first[1].Value = nil
	second := []ledger.Record{rec(short, 3), rec(short, 7), rec(long, 5), rec(widest, 1)}
	for _, records := range [][]ledger.Record{first, second} {
		if err := history.WriteRecords(records); err != nil {
			t.Fatalf("WriteRecords(%d records): %v", len(records), err)
		}
	}
	second[0].Value[0] ^= 0xff // the store keeps its own copy

	type read struct {
		key     []byte
		before  uint64
		version uint64 // the version read; 0 for none (no record has version 0)
	}
	reads := []read{
		{short, 0, 0}, {short, 3, 0}, {short, 4, 3}, {short, 7, 3}, {short, 8, 7}, {short, 20, 7}, {short, 21, 20}, {short, math.MaxUint64, 20},
		{long, 5, 0}, {long, 6, 5}, {long, 9, 5}, {long, 10, 9}, {long, math.MaxUint64, 9},
		{widest, 1, 0}, {widest, 2, 1}, {widest, 1 << 40, 1}, {widest, 1<<40 + 1, 1 << 40}, {widest, math.MaxUint64, 1 << 40},
		{one, 1 << 62, 0}, {one, 1<<62 + 1, 1 << 62}, {one, math.MaxInt64, 1 << 62}, {one, math.MaxInt64 + 1, math.MaxInt64}, {one, math.MaxUint64, math.MaxInt64},
		{[]byte{'k', 2}, math.MaxUint64, 0}, // never written
	}
	check := func(when string, history ledger.History) {
		t.Helper()
		for _, r := range reads {
			got, ok, err := history.Record(r.key, r.before)
			if err != nil {
				t.Fatalf("%s: Record(%x, %d): %v", when, r.key, r.before, err)
			}
			if r.version == 0 {
				if ok {
					t.Errorf("%s: Record(%x, %d) = version %d, want none", when, r.key, r.before, got.Version)
				}
				continue
			}
			want := value(r.key, r.version)
			if bytes.Equal(r.key, long) && r.version == 9 {
				want = nil
			}
			if !ok || got.Version != r.version || !bytes.Equal(got.Key, r.key) || !bytes.Equal(got.Value, want) {
				t.Errorf("%s: Record(%x, %d) = %x version %d %q (found %t), want %x version %d %q",
					when, r.key, r.before, got.Key, got.Version, got.Value, ok, r.key, r.version, want)
			}
		}
		// ScanRecords finds what Record does, for the keys of a prefix:
		// short and long (of two lengths) under "k", and nothing else.
		for _, before := range []uint64{4, 8, 10, 21, math.MaxUint64} {
			var got []string
			err := history.ScanRecords([]byte{'k'}, before, func(r ledger.Record) bool {
				got = append(got, fmt.Sprintf("%x@%d=%q", r.Key, r.Version, r.Value))
				return true
			})
			if err != nil {
				t.Fatalf("%s: ScanRecords(k, %d): %v", when, before, err)
			}
			var want []string
			for _, key := range [][]byte{short, long} {
				if r, ok, _ := history.Record(key, before); ok {
					want = append(want, fmt.Sprintf("%x@%d=%q", r.Key, r.Version, r.Value))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: ScanRecords(k, %d) = %v, want %v", when, before, got, want)
			}
		}
		n := 0
		if err := history.ScanRecords([]byte{0xff, 0xff}, math.MaxUint64, func(ledger.Record) bool { n++; return false }); err != nil || n != 1 {
			t.Errorf("%s: ScanRecords of widest's prefix, stopped at the first: %d records, %v; want 1", when, n, err)
		}
	}
	check("after the writes", history)

	// A replay writes the same records again: nothing changes, even with
	// one twice in a batch.
	again := append([]ledger.Record{rec(short, 3), rec(short, 7), rec(short, 3)}, first...)
	if err := history.WriteRecords(again); err != nil {
		t.Errorf("WriteRecords of stored records again = %v, want nil", err)
	}
	// Other content under a stored version is refused, and leaves the
	// stored one as it was; a store that writes without reading (the
	// embedded journal) is checked by its Verify instead.
	blind := false
	if b, ok := history.(interface{ BlindWrites() bool }); ok {
		blind = b.BlindWrites()
	}
	if !blind {
		changed := rec(short, 7)
		changed.Value = []byte("other")
		if err := history.WriteRecords([]ledger.Record{changed}); err == nil {
			t.Errorf("WriteRecords of %x version 7 with other content = nil, want an error", short)
		}
		emptied := rec(long, 5)
		emptied.Value = nil
		if err := history.WriteRecords([]ledger.Record{emptied}); err == nil {
			t.Errorf("WriteRecords of %x version 5 with no content = nil, want an error", long)
		}
		// So are two contents of one new version in one batch (what a
		// failed batch leaves is not checked: nothing reads that key).
		twice := []ledger.Record{rec([]byte{'d'}, 1), rec([]byte{'d'}, 1)}
		twice[1].Value = []byte("other")
		if err := history.WriteRecords(twice); err == nil {
			t.Errorf("WriteRecords of two contents of one version in a batch = nil, want an error")
		}
	}
	for _, key := range [][]byte{nil, make([]byte, ledger.RecordKeyMax+1)} {
		if err := history.WriteRecords([]ledger.Record{{Key: key, Version: 1}}); err == nil {
			t.Errorf("WriteRecords of a key of %d bytes = nil, want an error", len(key))
		}
	}
	check("after writing again", history)

	if err := history.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	check("after a restart", reopen())
}
