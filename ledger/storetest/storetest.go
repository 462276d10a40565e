// Package storetest is the acceptance suite that every ledger.Store backend
// passes: the embedded journal, PostgreSQL, and whatever comes next. Run
// checks the Store contract directly (sequence numbers, replay, snapshots)
// and through a ledger.Service on top of it (idempotent retries, restart),
// so that a backend that passes can be swapped for another without the
// ledger noticing.
//
// Faults that only a backend can cause (a corrupted file, a failed fsync,
// a crash) are tested by the backend's own package, which knows how to
// cause them.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"astara/ledger"
	"astara/money"
)

// Opener opens the store of a subtest. The first call with a given t
// returns an empty store; every later call with the same t reopens the
// same durable store, which the suite has closed before (when the store
// implements io.Closer). The suite closes the store it holds at the end of
// each subtest.
type Opener func(t *testing.T) ledger.Store

// Run runs the acceptance suite against the stores returned by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(t *testing.T, h *Harness)
	}{
		{"EmptyStoreHasNothing", testEmptyStore},
		{"AppendReplay", testAppendReplay},
		{"ReplayAfterAnyEntry", testReplayAfter},
		{"ReplayStopsAtCallbackError", testReplayCallbackError},
		{"GapRefused", testGapRefused},
		{"RepeatedSeqRefused", testRepeatedSeqRefused},
		{"GroupWithGapRefusedWhole", testGroupWithGapRefusedWhole},
		{"SnapshotRoundTrip", testSnapshotRoundTrip},
		{"SnapshotReplacesOlder", testSnapshotReplacesOlder},
		{"FailedSnapshotKeepsPrevious", testFailedSnapshotKeepsPrevious},
		{"SnapshotAfterLastEntryRefused", testSnapshotAfterLastRefused},
		{"IdempotentRetry", testIdempotentRetry},
		{"ExistsWithDifferentAmount", testExistsWithDifferentAmount},
		{"ReopenKeepsEverything", testReopenKeepsEverything},
		{"SnapshotPlusTailEqualsFullReplay", testSnapshotPlusTail},
		{"HistoryReadsBackAfterRestartAndSnapshot", testHistoryReadsBack},
		{"RecordsReadBackByVersion", testRecordsReadBack},
		{"FilterSchemeOfANewStore", func(t *testing.T, h *Harness) { testFilterScheme(t, h, false) }},
		{"FilterSchemeOfAnUpgradedStore", func(t *testing.T, h *Harness) { testFilterScheme(t, h, true) }},
		{"FollowerCatchesUpAndTakesOver", testFollower},
		{"QueryTablesAlwaysAConsistentState", testQueryTables},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Harness{t: t, open: open}
			// A cleanup, not a defer: it runs after the cleanups that
			// close the services the subtest opened on the store.
			t.Cleanup(h.Close)
			tt.run(t, h)
		})
	}
}

// Harness holds a subtest's store across reopens.
type Harness struct {
	t     *testing.T
	open  Opener
	store ledger.Store
}

// Store returns the open store, opening it on first use.
func (h *Harness) Store() ledger.Store {
	h.t.Helper()
	if h.store == nil {
		h.store = h.open(h.t)
	}
	return h.store
}

// Reopen closes the store and opens it again, as a restart does.
func (h *Harness) Reopen() ledger.Store {
	h.t.Helper()
	h.Close()
	return h.Store()
}

// Close closes the store if it is open.
func (h *Harness) Close() {
	h.t.Helper()
	if h.store == nil {
		return
	}
	if c, ok := h.store.(io.Closer); ok {
		if err := c.Close(); err != nil {
			h.t.Errorf("close store: %v", err)
		}
	}
	h.store = nil
}

// Entries returns n entries numbered from first, with payloads of varied
// sizes (some empty) and increasing timestamps. The payloads are opaque to
// a Store; they are not valid ledger batches.
func Entries(first uint64, n int) []ledger.Entry {
	out := make([]ledger.Entry, n)
	for i := range out {
		seq := first + uint64(i)
		p := make([]byte, int(seq*37%300))
		for j := range p {
			p[j] = byte(seq*7 + uint64(j))
		}
		out[i] = ledger.Entry{Seq: seq, Timestamp: 1_000_000 * seq, Op: ledger.Op(1 + seq%3), Payload: p}
	}
	return out
}

// MustAppend appends entries and fails the test on an error.
func MustAppend(tb testing.TB, st ledger.Store, entries []ledger.Entry) {
	tb.Helper()
	if err := st.Append(entries); err != nil {
		tb.Fatalf("Append(%d..%d): %v", entries[0].Seq, entries[len(entries)-1].Seq, err)
	}
}

// MustReplay returns every entry after seq, with its payload copied.
func MustReplay(tb testing.TB, st ledger.Store, after uint64) []ledger.Entry {
	tb.Helper()
	var out []ledger.Entry
	err := st.Replay(after, func(e ledger.Entry) error {
		e.Payload = bytes.Clone(e.Payload)
		out = append(out, e)
		return nil
	})
	if err != nil {
		tb.Fatalf("Replay(%d): %v", after, err)
	}
	return out
}

// MustLoadSnapshot reads the latest snapshot whole.
func MustLoadSnapshot(tb testing.TB, st ledger.Store) (uint64, []byte, bool) {
	tb.Helper()
	seq, r, ok, err := st.LoadSnapshot()
	if err != nil {
		tb.Fatalf("LoadSnapshot: %v", err)
	}
	if !ok {
		return 0, nil, false
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("read snapshot %d: %v", seq, err)
	}
	return seq, b, true
}

func entriesEqual(a, b []ledger.Entry) bool {
	return slices.EqualFunc(a, b, func(x, y ledger.Entry) bool {
		return x.Seq == y.Seq && x.Timestamp == y.Timestamp && x.Op == y.Op && bytes.Equal(x.Payload, y.Payload)
	})
}

func describe(entries []ledger.Entry) string {
	var b bytes.Buffer
	for _, e := range entries {
		fmt.Fprintf(&b, "{%d %d %s %dB} ", e.Seq, e.Timestamp, e.Op, len(e.Payload))
	}
	return b.String()
}

func testEmptyStore(t *testing.T, h *Harness) {
	st := h.Store()
	if got := st.LastSeq(); got != 0 {
		t.Errorf("LastSeq() = %d, want 0", got)
	}
	if got := MustReplay(t, st, 0); len(got) != 0 {
		t.Errorf("Replay(0) = %s, want nothing", describe(got))
	}
	if seq, _, ok := MustLoadSnapshot(t, st); ok {
		t.Errorf("LoadSnapshot() found a snapshot at %d in an empty store", seq)
	}
}

func testAppendReplay(t *testing.T, h *Harness) {
	st := h.Store()
	want := Entries(1, 10)
	for _, group := range [][2]int{{0, 1}, {1, 4}, {4, 10}} {
		MustAppend(t, st, want[group[0]:group[1]])
		if got := st.LastSeq(); got != uint64(group[1]) {
			t.Errorf("LastSeq() after appending through %d = %d, want %d", group[1], got, group[1])
		}
	}
	if err := st.Append(nil); err != nil {
		t.Errorf("Append(nil) = %v, want nil", err)
	}
	if got := MustReplay(t, st, 0); !entriesEqual(got, want) {
		t.Errorf("Replay(0)\n got %s\nwant %s", describe(got), describe(want))
	}
}

func testReplayAfter(t *testing.T, h *Harness) {
	st := h.Store()
	want := Entries(1, 7)
	MustAppend(t, st, want)
	for after := uint64(0); after <= 7; after++ {
		if got := MustReplay(t, st, after); !entriesEqual(got, want[after:]) {
			t.Errorf("Replay(%d)\n got %s\nwant %s", after, describe(got), describe(want[after:]))
		}
	}
}

func testReplayCallbackError(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 5))
	stop := errors.New("stop here")
	var seen []uint64
	err := st.Replay(0, func(e ledger.Entry) error {
		seen = append(seen, e.Seq)
		if e.Seq == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("Replay returned %v, want the callback's error", err)
	}
	if want := []uint64{1, 2, 3}; !slices.Equal(seen, want) {
		t.Errorf("Replay called back with %v, want %v", seen, want)
	}
}

func testGapRefused(t *testing.T, h *Harness) {
	st := h.Store()
	if err := st.Append(Entries(2, 1)); err == nil {
		t.Errorf("Append(2) to an empty store = nil, want an error")
	}
	MustAppend(t, st, Entries(1, 3))
	if err := st.Append(Entries(5, 1)); err == nil {
		t.Errorf("Append(5) after 3 = nil, want an error")
	}
	if got := st.LastSeq(); got != 3 {
		t.Errorf("LastSeq() after a refused append = %d, want 3", got)
	}
	MustAppend(t, st, Entries(4, 1))
	if got, want := MustReplay(t, st, 0), Entries(1, 4); !entriesEqual(got, want) {
		t.Errorf("Replay(0)\n got %s\nwant %s", describe(got), describe(want))
	}
}

func testRepeatedSeqRefused(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 3))
	for _, seq := range []uint64{0, 1, 3} {
		e := Entries(seq, 1)
		e[0].Payload = []byte("a different payload")
		if err := st.Append(e); err == nil {
			t.Errorf("Append(%d) after 3 = nil, want an error", seq)
		}
	}
	if got, want := MustReplay(t, st, 0), Entries(1, 3); !entriesEqual(got, want) {
		t.Errorf("Replay(0)\n got %s\nwant %s", describe(got), describe(want))
	}
}

func testGroupWithGapRefusedWhole(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 2))
	group := append(Entries(3, 2), Entries(6, 1)...)
	if err := st.Append(group); err == nil {
		t.Fatalf("Append(3, 4, 6) = nil, want an error")
	}
	if got := st.LastSeq(); got != 2 {
		t.Errorf("LastSeq() after a refused group = %d, want 2 (nothing of the group)", got)
	}
	h.Reopen()
	if got, want := MustReplay(t, h.Store(), 0), Entries(1, 2); !entriesEqual(got, want) {
		t.Errorf("Replay(0) after reopen\n got %s\nwant %s", describe(got), describe(want))
	}
}

// snapshotBytes returns n pseudo-random bytes: large snapshots cross any
// chunk size a backend uses.
func snapshotBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		// Small and uneven writes, as an encoder makes them.
		for len(b) > 0 {
			n := min(len(b), 100_003)
			if _, err := w.Write(b[:n]); err != nil {
				return err
			}
			b = b[n:]
		}
		return nil
	}
}

func testSnapshotRoundTrip(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 5))
	tests := []struct {
		name string
		seq  uint64
		size int
	}{
		{"Empty", 1, 0},
		{"Small", 2, 1000},
		{"ManyChunks", 4, 9<<20 + 123},
	}
	for _, tt := range tests {
		want := snapshotBytes(tt.size, tt.seq)
		if err := st.SaveSnapshot(tt.seq, writeBytes(want)); err != nil {
			t.Fatalf("%s: SaveSnapshot(%d): %v", tt.name, tt.seq, err)
		}
		for _, reopen := range []bool{false, true} {
			if reopen {
				st = h.Reopen()
			}
			seq, got, ok := MustLoadSnapshot(t, st)
			if !ok || seq != tt.seq || !bytes.Equal(got, want) {
				t.Errorf("%s (reopened %t): LoadSnapshot() = seq %d, %d bytes, ok %t; want seq %d, %d bytes equal to those saved",
					tt.name, reopen, seq, len(got), ok, tt.seq, len(want))
			}
		}
	}
}

func testSnapshotReplacesOlder(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 6))
	old := snapshotBytes(5<<20, 1)
	if err := st.SaveSnapshot(3, writeBytes(old)); err != nil {
		t.Fatal(err)
	}
	newer := []byte("state after entry 6")
	if err := st.SaveSnapshot(6, writeBytes(newer)); err != nil {
		t.Fatal(err)
	}
	st = h.Reopen()
	if seq, got, ok := MustLoadSnapshot(t, st); !ok || seq != 6 || !bytes.Equal(got, newer) {
		t.Errorf("LoadSnapshot() = seq %d, %q, ok %t; want seq 6, %q", seq, got, ok, newer)
	}
	if got, want := MustReplay(t, st, 6), []ledger.Entry(nil); !entriesEqual(got, want) {
		t.Errorf("Replay(6) = %s, want nothing", describe(got))
	}
}

func testFailedSnapshotKeepsPrevious(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 4))
	want := snapshotBytes(3000, 2)
	if err := st.SaveSnapshot(2, writeBytes(want)); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("encoder failed")
	err := st.SaveSnapshot(4, func(w io.Writer) error {
		w.Write(snapshotBytes(5<<20, 4))
		return broken
	})
	if err == nil {
		t.Fatalf("SaveSnapshot with a failing writer = nil, want an error")
	}
	for _, reopen := range []bool{false, true} {
		if reopen {
			st = h.Reopen()
		}
		if seq, got, ok := MustLoadSnapshot(t, st); !ok || seq != 2 || !bytes.Equal(got, want) {
			t.Errorf("reopened %t: LoadSnapshot() = seq %d, %d bytes, ok %t; want the previous one, seq 2, %d bytes", reopen, seq, len(got), ok, len(want))
		}
	}
}

func testSnapshotAfterLastRefused(t *testing.T, h *Harness) {
	st := h.Store()
	MustAppend(t, st, Entries(1, 2))
	if err := st.SaveSnapshot(3, writeBytes([]byte("from the future"))); err == nil {
		t.Errorf("SaveSnapshot(3) after entry 2 = nil, want an error")
	}
	if seq, _, ok := MustLoadSnapshot(t, st); ok {
		t.Errorf("LoadSnapshot() found a snapshot at %d, want none", seq)
	}
}

// The ledger on top of the store.

var rub = money.MustCode("RUB")

// MustOpenService opens a Service on st and closes it at the end of the
// test unless the test closed it.
func MustOpenService(tb testing.TB, st ledger.Store, opts ledger.ServiceOptions) *ledger.Service {
	tb.Helper()
	svc, err := ledger.Open(st, opts)
	if err != nil {
		tb.Fatalf("ledger.Open: %v", err)
	}
	tb.Cleanup(func() { svc.Close() })
	return svc
}

// MustCreateAccounts creates accounts and fails the test unless all are OK.
func MustCreateAccounts(tb testing.TB, svc *ledger.Service, accounts []ledger.Account) {
	tb.Helper()
	res, err := svc.CreateAccounts(context.Background(), accounts)
	if err != nil {
		tb.Fatalf("CreateAccounts: %v", err)
	}
	for i, r := range res {
		if r != ledger.ResultOK {
			tb.Fatalf("CreateAccounts: account %d: %s, want ok", i, r)
		}
	}
}

// MustCreateTransfers submits transfers and returns their results.
func MustCreateTransfers(tb testing.TB, svc *ledger.Service, transfers []ledger.Transfer) []ledger.Result {
	tb.Helper()
	res, err := svc.CreateTransfers(context.Background(), transfers)
	if err != nil {
		tb.Fatalf("CreateTransfers: %v", err)
	}
	return res
}

// State returns the engine's whole logical state (Engine.WriteState),
// which is deterministic and does not depend on where the history is: two
// engines with equal states write equal bytes.
func State(tb testing.TB, svc *ledger.Service) []byte {
	tb.Helper()
	var b bytes.Buffer
	var err error
	svc.View(func(e *ledger.Engine) { err = e.WriteState(&b) })
	if err != nil {
		tb.Fatalf("WriteState: %v", err)
	}
	return b.Bytes()
}

// EngineState is State for a bare engine.
func EngineState(tb testing.TB, e *ledger.Engine) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := e.WriteState(&b); err != nil {
		tb.Fatalf("WriteState: %v", err)
	}
	return b.Bytes()
}

func id(v uint64) ledger.ID { return ledger.IDFromUint64(v) }

func accountsFixture() []ledger.Account {
	return []ledger.Account{
		{ID: id(1), Currency: rub, Code: 1},
		{ID: id(2), Currency: rub, Code: 1, Flags: ledger.AccountDebitsMustNotExceedCredits | ledger.AccountHistory},
		{ID: id(3), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
	}
}

func transfer(tid, debit, credit, amount uint64) ledger.Transfer {
	return ledger.Transfer{ID: id(tid), DebitAccountID: id(debit), CreditAccountID: id(credit), Amount: money.NewAmount(amount), Currency: rub, Code: 7}
}

func balances(tb testing.TB, svc *ledger.Service, account uint64) ledger.Account {
	tb.Helper()
	var a ledger.Account
	var ok bool
	svc.View(func(e *ledger.Engine) { a, ok = e.LookupAccount(id(account)) })
	if !ok {
		tb.Fatalf("account %d not found", account)
	}
	return a
}

func testIdempotentRetry(t *testing.T, h *Harness) {
	svc := MustOpenService(t, h.Store(), ledger.ServiceOptions{})
	MustCreateAccounts(t, svc, accountsFixture())
	tr := []ledger.Transfer{transfer(10, 1, 2, 500)}
	if got := MustCreateTransfers(t, svc, tr); got[0] != ledger.ResultOK {
		t.Fatalf("first CreateTransfers = %s, want ok", got[0])
	}
	check := func(when string, svc *ledger.Service) {
		t.Helper()
		if got := MustCreateTransfers(t, svc, tr); got[0] != ledger.ResultExists {
			t.Errorf("%s: retry = %s, want exists", when, got[0])
		}
		if got := balances(t, svc, 2).CreditsPosted; got != money.NewAmount(500) {
			t.Errorf("%s: credits posted = %s, want 500 (applied once)", when, got)
		}
	}
	check("before restart", svc)
	svc.Close()
	svc = MustOpenService(t, h.Reopen(), ledger.ServiceOptions{})
	check("after restart", svc)
}

func testExistsWithDifferentAmount(t *testing.T, h *Harness) {
	svc := MustOpenService(t, h.Store(), ledger.ServiceOptions{})
	MustCreateAccounts(t, svc, accountsFixture())
	if got := MustCreateTransfers(t, svc, []ledger.Transfer{transfer(10, 1, 2, 500)}); got[0] != ledger.ResultOK {
		t.Fatalf("first CreateTransfers = %s, want ok", got[0])
	}
	check := func(when string, svc *ledger.Service) {
		t.Helper()
		if got := MustCreateTransfers(t, svc, []ledger.Transfer{transfer(10, 1, 2, 501)}); got[0] != ledger.ResultExistsWithDifferentAmount {
			t.Errorf("%s: retry with 501 = %s, want %s", when, got[0], ledger.ResultExistsWithDifferentAmount)
		}
		if got := balances(t, svc, 2).CreditsPosted; got != money.NewAmount(500) {
			t.Errorf("%s: credits posted = %s, want 500", when, got)
		}
	}
	check("before restart", svc)
	svc.Close()
	svc = MustOpenService(t, h.Reopen(), ledger.ServiceOptions{})
	check("after restart", svc)
}

// mixedBatches is a workload that touches every kind of state: posted,
// pending, posted and voided pending transfers, a failing linked chain, a
// limit that refuses, histories.
func mixedBatches() [][]ledger.Transfer {
	pending := func(t ledger.Transfer) ledger.Transfer { t.Flags = ledger.TransferPending; return t }
	post := ledger.Transfer{ID: id(104), PendingID: id(102), Flags: ledger.TransferPostPending}
	void := ledger.Transfer{ID: id(105), PendingID: id(103), Flags: ledger.TransferVoidPending}
	linked := transfer(106, 1, 3, 5)
	linked.Flags = ledger.TransferLinked
	return [][]ledger.Transfer{
		{transfer(100, 1, 2, 1000), transfer(101, 2, 3, 300)},
		{pending(transfer(102, 2, 3, 200)), pending(transfer(103, 1, 3, 50))},
		{post, void},
		{linked, transfer(107, 2, 1, 1_000_000)}, // the second exceeds credits: the chain fails
		{transfer(108, 3, 1, 1), transfer(109, 2, 3, 1)},
	}
}

func testReopenKeepsEverything(t *testing.T, h *Harness) {
	svc := MustOpenService(t, h.Store(), ledger.ServiceOptions{SnapshotEventsInterval: -1})
	MustCreateAccounts(t, svc, accountsFixture())
	var results [][]ledger.Result
	for _, b := range mixedBatches() {
		results = append(results, MustCreateTransfers(t, svc, b))
	}
	want := State(t, svc)
	last := h.Store().LastSeq()
	svc.Close()
	// Every transfer's result must be what replay reproduces: resubmitting
	// each batch answers exists for what was created.
	for _, opts := range []ledger.ServiceOptions{{SnapshotEventsInterval: -1}, {}, {}} {
		svc := MustOpenService(t, h.Reopen(), opts)
		if got := h.Store().LastSeq(); got != last {
			t.Errorf("LastSeq() after reopen (%+v) = %d, want %d", opts, got, last)
		}
		if got := State(t, svc); !bytes.Equal(got, want) {
			t.Errorf("state after reopen (%+v) differs: got %d bytes, want %d bytes", opts, len(got), len(want))
		}
		svc.Close() // with snapshots on, this writes one; the next reopen starts from it
	}
	svc = MustOpenService(t, h.Reopen(), ledger.ServiceOptions{})
	for i, b := range mixedBatches() {
		got := MustCreateTransfers(t, svc, b)
		for j, r := range got {
			if results[i][j] == ledger.ResultOK && r != ledger.ResultExists {
				t.Errorf("batch %d transfer %d: retry after restart = %s, want exists", i, j, r)
			}
		}
	}
	if got := State(t, svc); len(got) < len(want) {
		t.Errorf("state shrank after retries: %d bytes, had %d", len(got), len(want))
	}
}

// hideSnapshots makes a store look as if it had no snapshot, so that
// recovery replays every entry.
type hideSnapshots struct{ ledger.Store }

func (hideSnapshots) LoadSnapshot() (uint64, io.ReadCloser, bool, error) { return 0, nil, false, nil }

func (s hideSnapshots) History() ledger.History { return HistoryOf(s.Store) }

// HistoryOf returns the History of a store that keeps one, nil for any
// other: wrappers of a store in tests pass it on with it.
func HistoryOf(st ledger.Store) ledger.History {
	if hs, ok := st.(ledger.HistoryStore); ok {
		return hs.History()
	}
	return nil
}

// snapshotSwitch refuses snapshots once turned off, so that a test can
// stop a Service with a tail of entries after its last snapshot.
type snapshotSwitch struct {
	ledger.Store
	off atomic.Bool
}

var errSnapshotsOff = errors.New("storetest: snapshots turned off")

func (s *snapshotSwitch) History() ledger.History { return HistoryOf(s.Store) }

func (s *snapshotSwitch) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if s.off.Load() {
		return errSnapshotsOff
	}
	return s.Store.SaveSnapshot(seq, write)
}

func testSnapshotPlusTail(t *testing.T, h *Harness) {
	st := h.Store()
	sw := &snapshotSwitch{Store: st}
	svc := MustOpenService(t, sw, ledger.ServiceOptions{SnapshotEventsInterval: 7})
	MustCreateAccounts(t, svc, accountsFixture())
	r := rand.New(rand.NewPCG(3, 3))
	next := uint64(1000)
	randomBatch := func() []ledger.Transfer {
		batch := make([]ledger.Transfer, 1+r.IntN(4))
		for j := range batch {
			from := 1 + r.Uint64N(3)
			to := 1 + (from+r.Uint64N(2))%3
			batch[j] = transfer(next, from, to, 1+r.Uint64N(50))
			next++
		}
		return batch
	}
	for range 40 {
		MustCreateTransfers(t, svc, randomBatch())
	}
	sw.off.Store(true)
	// Answered after the applier finished any snapshot of the batches
	// before; from here on, entries are a tail.
	MustCreateTransfers(t, svc, randomBatch())
	MustCreateTransfers(t, svc, randomBatch())
	want := State(t, svc)
	svc.Close()
	seq, _, ok := MustLoadSnapshot(t, st)
	if !ok || seq <= 1 || seq >= st.LastSeq() {
		t.Fatalf("snapshot at %d (found %t), want one between entry 1 and the last entry %d", seq, ok, st.LastSeq())
	}
	fromSnapshot, seqSnap, err := ledger.Recover(st, ledger.Options{})
	if err != nil {
		t.Fatalf("Recover from snapshot and tail: %v", err)
	}
	fromStart, seqFull, err := ledger.Recover(hideSnapshots{st}, ledger.Options{})
	if err != nil {
		t.Fatalf("Recover from the first entry: %v", err)
	}
	if seqSnap != seqFull || seqSnap != st.LastSeq() {
		t.Errorf("recovered through %d from the snapshot and %d by full replay, want %d", seqSnap, seqFull, st.LastSeq())
	}
	if got := EngineState(t, fromSnapshot); !bytes.Equal(got, EngineState(t, fromStart)) || !bytes.Equal(got, want) {
		t.Errorf("state from snapshot+tail (%d bytes) differs from full replay or from the live engine (%d bytes)", len(got), len(want))
	}
}

// MemStore is a Store in memory: the reference the suite is checked
// against, and a stand-in for tests of code on top of a Store that need
// neither durability nor faults. It is safe for concurrent use.
type MemStore struct {
	mu       sync.Mutex
	entries  []ledger.Entry
	snapSeq  uint64
	snapshot []byte
	hasSnap  bool
}

var _ ledger.Store = (*MemStore)(nil)

// LastSeq implements ledger.Store.
func (m *MemStore) LastSeq() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.entries))
}

// Append implements ledger.Store.
func (m *MemStore) Append(entries []ledger.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := uint64(len(m.entries)) + 1
	for i, e := range entries {
		if e.Seq != next+uint64(i) {
			return fmt.Errorf("memstore: append entry %d after %d", e.Seq, next+uint64(i)-1)
		}
	}
	for _, e := range entries {
		e.Payload = bytes.Clone(e.Payload)
		m.entries = append(m.entries, e)
	}
	return nil
}

// Replay implements ledger.Store.
func (m *MemStore) Replay(after uint64, fn func(ledger.Entry) error) error {
	m.mu.Lock()
	if after > uint64(len(m.entries)) {
		m.mu.Unlock()
		return fmt.Errorf("memstore: replay after %d beyond %d", after, len(m.entries))
	}
	entries := m.entries[after:]
	m.mu.Unlock()
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// SaveSnapshot implements ledger.Store.
func (m *MemStore) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if seq == 0 || seq > m.LastSeq() {
		return fmt.Errorf("memstore: snapshot of entry %d, which does not exist", seq)
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return fmt.Errorf("memstore: snapshot %d: %w", seq, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snapSeq, m.snapshot, m.hasSnap = seq, b.Bytes(), true
	return nil
}

// LoadSnapshot implements ledger.Store.
func (m *MemStore) LoadSnapshot() (uint64, io.ReadCloser, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.hasSnap {
		return 0, nil, false, nil
	}
	return m.snapSeq, io.NopCloser(bytes.NewReader(m.snapshot)), true, nil
}
