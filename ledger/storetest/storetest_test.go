package storetest_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

// runInMemory runs the suite on in-memory stores newStore makes, one a
// subtest, kept across the subtest's reopens as a store on disk is.
func runInMemory[S ledger.Store](t *testing.T, newStore func() S) {
	var mu sync.Mutex
	stores := make(map[*testing.T]S)
	storetest.Run(t, func(t *testing.T) ledger.Store {
		mu.Lock()
		defer mu.Unlock()
		st, ok := stores[t]
		if !ok {
			st = newStore()
			stores[t] = st
		}
		return st
	})
}

// The suite holds for the reference store in memory, so that a backend
// that fails it has a bug of its own, not the suite.
func TestMemStore(t *testing.T) {
	runInMemory(t, func() *storetest.MemStore { return &storetest.MemStore{} })
}

// The suite holds for the query tables' reference in memory too (the
// query tables' test runs on it).
func TestMemQueryStore(t *testing.T) {
	runInMemory(t, func() *storetest.MemQueryStore { return &storetest.MemQueryStore{} })
}

// pair opens two RUB accounts on svc, for the tests below to move money
// between; with history, the second keeps its balance history.
func pair(t *testing.T, svc *ledger.Service, history bool) {
	t.Helper()
	second := ledger.Account{ID: ledger.IDFromUint64(2), Currency: rub, Code: 1}
	if history {
		second.Flags = ledger.AccountHistory
	}
	storetest.MustCreateAccounts(t, svc, []ledger.Account{{ID: ledger.IDFromUint64(1), Currency: rub, Code: 1}, second})
}

var rub = money.MustCode("RUB")

// sender sends batches of transfers of 1 from the pair's first account to
// its second, each with an id of its own.
type sender struct {
	t    *testing.T
	next uint64
}

// send sends one batch of n transfers to svc.
func (s *sender) send(svc *ledger.Service, n int) {
	s.t.Helper()
	batch := make([]ledger.Transfer, n)
	for i := range batch {
		s.next++
		batch[i] = ledger.Transfer{ID: ledger.IDFromUint64(1000 + s.next), DebitAccountID: ledger.IDFromUint64(1),
			CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(1), Currency: rub, Code: 1}
	}
	storetest.MustCreateTransfers(s.t, svc, batch)
}

// sendAllMoved sends batches of ten transfers, then one at a time until
// the node has moved all that is due: every move is then written and
// marked.
func (s *sender) sendAllMoved(svc *ledger.Service, batches int) {
	for range batches {
		s.send(svc, 10)
	}
	for due := true; due; {
		s.send(svc, 1)
		time.Sleep(time.Millisecond)
		svc.View(func(e *ledger.Engine) { due = e.HistoryDue() })
	}
}

// A replay writes the query tables' rows in chunks of about
// QueryChunkRows, not all of its entries' rows at once: entries of
// thousands of transfers would otherwise hold millions of rows.
func TestQueryReplayWritesInChunks(t *testing.T) {
	st := &storetest.MemQueryStore{}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: -1}
	svc := storetest.MustOpenService(t, st, opts)
	pair(t, svc, false)
	const batches, size = 12, ledger.BatchEventsMax
	s := &sender{t: t}
	for range batches {
		s.send(svc, size)
	}
	svc.Close()
	st.ResetQuery()
	svc = storetest.MustOpenService(t, st, opts) // replays every entry into the empty tables
	svc.Close()
	if st.Writes < 2 || slices.Max(st.RowWrites) > ledger.QueryChunkRows+size+2 {
		t.Errorf("the replay wrote %d times, rows %v; want chunks of about %d rows", st.Writes, st.RowWrites, ledger.QueryChunkRows)
	}
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Transfers) != batches*size || got.Through != st.LastSeq() {
		t.Errorf("%d transfers through entry %d, want %d through %d", len(got.Transfers), got.Through, batches*size, st.LastSeq())
	}
}

// noSnapshots refuses snapshots while set: a Close then leaves the store
// as a kill -9 would.
type noSnapshots struct {
	*storetest.MemStore
	refuse atomic.Bool
}

func (n *noSnapshots) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if n.refuse.Load() {
		return errors.New("killed")
	}
	return n.MemStore.SaveSnapshot(seq, write)
}

// A restart that replayed events since the last snapshot counts them
// towards the next one: a node that crashes again soon after replays one
// interval, not two.
func TestRecoveryCountsTowardsTheNextSnapshot(t *testing.T) {
	st := &noSnapshots{MemStore: &storetest.MemStore{}}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: 100}
	svc := storetest.MustOpenService(t, st, opts)
	pair(t, svc, false)
	send := (&sender{t: t}).send
	// The applier writes a snapshot after it answers: wait for it.
	snapshotAt := func(want uint64) uint64 {
		var seq uint64
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if seq, _, _ = storetest.MustLoadSnapshot(t, st); seq == want {
				break
			}
		}
		return seq
	}
	send(svc, 120) // 122 events with the accounts': a snapshot at entry 2
	if seq := snapshotAt(2); seq != 2 {
		t.Fatalf("snapshot at entry %d, want 2", seq)
	}
	send(svc, 70)
	st.refuse.Store(true)
	svc.Close()
	st.refuse.Store(false)
	svc = storetest.MustOpenService(t, st, opts) // replays entry 3, 70 events
	defer svc.Close()
	send(svc, 40) // 110 since the snapshot
	if seq := snapshotAt(4); seq != 4 {
		t.Errorf("the snapshot is at entry %d; want one at 4, 110 events after the one at 2", seq)
	}
}

// journalOnly hides a store's query tables: a leader on it writes the
// journal alone, as a leader whose rows have not landed yet.
type journalOnly struct{ ledger.Store }

// A standby following the journal holds the rows the tables lack rather
// than write what the leader is about to, and writes them when it takes
// over: the tables are then the state after the last entry.
func TestStandbyHoldsRowsUntilItTakesOver(t *testing.T) {
	st := &storetest.MemQueryStore{}
	leader := storetest.MustOpenService(t, journalOnly{st}, ledger.ServiceOptions{SnapshotEventsInterval: -1})
	pair(t, leader, true)
	s := &sender{t: t}
	send := func(n int) {
		for range n {
			s.send(leader, 1)
		}
	}
	send(5)
	f, err := ledger.Follow(st, ledger.ServiceOptions{}) // recovery writes what it replays
	if err != nil {
		t.Fatal(err)
	}
	if through, _ := st.QueryThrough(); through != st.LastSeq() {
		t.Fatalf("after recovery the tables hold entry %d, want %d", through, st.LastSeq())
	}
	writes := st.Writes
	send(5)
	if n, err := f.CatchUp(); err != nil || n != 5 {
		t.Fatalf("CatchUp() = %d, %v", n, err)
	}
	if st.Writes != writes {
		t.Errorf("a standby's catch-up wrote the tables (%d writes), while the leader lives", st.Writes-writes)
	}
	leader.Close()
	svc, _, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got.Through != st.LastSeq() {
		t.Fatalf("after the takeover the tables hold entry %d, want %d", got.Through, st.LastSeq())
	}
	storetest.CheckQueryReads(t, storetest.MustReplay(t, st, 0), func() ledger.Machine { return ledger.NewEngineMachine(ledger.Options{}) },
		[]*ledger.QueryDelta{got})
}

// Recovery moves the history out of memory while it replays, a move
// written on another goroutine as the replay goes on, as the live node
// does: the recovered engine holds the same state, byte for byte, as the
// one that was killed, keeps only its hot window in memory, and finds
// the ids it moved when they come back. What the killed node had moved
// and marked (HistoryMovedThrough) the replay drops without writing it
// again; over a History without the marks it writes every move.
func TestRecoveryMovesHistoryWhileItReplays(t *testing.T) {
	for _, marked := range []bool{true, false} {
		t.Run(fmt.Sprintf("marked=%t", marked), func(t *testing.T) {
			history := ledger.NewMemoryHistory()
			st := &withHistory{noSnapshots: &noSnapshots{MemStore: &storetest.MemStore{}}, h: history}
			if !marked {
				st.hide = true
			}
			opts := ledger.ServiceOptions{SnapshotEventsInterval: -1, Engine: ledger.Options{HotTransfers: 64}}
			svc := storetest.MustOpenService(t, st, opts)
			pair(t, svc, true)
			// Every move marked: a replay has nothing to write.
			(&sender{t: t}).sendAllMoved(svc, 300)
			state := func(svc *ledger.Service) (string, int) {
				var b strings.Builder
				var inMemory int
				svc.View(func(e *ledger.Engine) {
					if err := e.WriteState(&b); err != nil {
						t.Fatal(err)
					}
					inMemory = e.MemoryTransfersCount()
				})
				return b.String(), inMemory
			}
			want, _ := state(svc)
			st.refuse.Store(true)
			svc.Close()
			st.refuse.Store(false)
			through, err := ledger.HistoryMovedThrough(history)
			if err != nil || through == 0 {
				t.Fatalf("the live node marked no move: %d, %v", through, err)
			}
			writes := history.Writes()
			stored, _ := history.Len()
			svc = storetest.MustOpenService(t, st, opts) // replays all 3,000 transfers
			defer svc.Close()
			got, inMemory := state(svc)
			if got != want {
				t.Fatal("the recovered engine's state differs from the killed one's")
			}
			// Without the marks, how many moves the replay made depends on
			// how fast each was written; what it leaves in memory does not.
			moved := history.Writes() - writes
			if marked && moved != 0 {
				t.Errorf("the replay wrote %d moves of history the killed node had moved", moved)
			}
			if !marked && moved < 2 {
				t.Errorf("the replay wrote %d moves, with %d transfers stored before it", moved, stored)
			}
			if inMemory > 128 {
				t.Errorf("%d transfers in memory after the replay, of 3,000, with a hot window of 64", inMemory)
			}
			// The first transfers, moved twice over, are found: sent again, each
			// answers that it exists.
			res, err := svc.CreateTransfers(t.Context(), []ledger.Transfer{{ID: ledger.IDFromUint64(1001), DebitAccountID: ledger.IDFromUint64(1),
				CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(1), Currency: rub, Code: 1}})
			if err != nil || res[0] != ledger.ResultExists {
				t.Errorf("the first transfer sent again: %v, %v; want exists", res, err)
			}
		})
	}
}

// withHistory is a store with a History in memory that outlives a restart,
// as a store on disk keeps its history.
type withHistory struct {
	*noSnapshots
	h    *ledger.MemoryHistory
	hide bool           // the marks of moves written (HistoryMovedThrough)
	live ledger.History // if set, what the next node opened writes to
}

func (w *withHistory) History() ledger.History {
	if w.live != nil {
		return w.live
	}
	if w.hide {
		return unmarked{w.h}
	}
	return w.h
}

// unmarked is a History that keeps no marks of the moves written, as a
// store written by an older version has none.
type unmarked struct{ ledger.History }

func (u unmarked) Record(key []byte, before uint64) (ledger.Record, bool, error) {
	if len(key) > 0 && key[0] == 0 {
		return ledger.Record{}, false, nil
	}
	return u.History.Record(key, before)
}

// A node that keeps no query tables (QueryTablesOff) empties them when it
// starts to write, writes no row, and leaves the journal whole: a node
// that keeps them, started after it, fills them from the whole journal.
func TestQueryTablesOff(t *testing.T) {
	st := &storetest.MemQueryStore{}
	on := ledger.ServiceOptions{SnapshotEventsInterval: 100}
	off := on
	off.QueryTablesOff = true
	svc := storetest.MustOpenService(t, st, on)
	pair(t, svc, true)
	s := &sender{t: t}
	for range 5 {
		s.send(svc, 30)
	}
	svc.Close()
	if through, _ := st.QueryThrough(); through != st.LastSeq() {
		t.Fatalf("with the tables on they hold entry %d, want %d", through, st.LastSeq())
	}

	svc = storetest.MustOpenService(t, st, off)
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got.Through != 0 || len(got.Accounts) != 0 || len(got.Transfers) != 0 {
		t.Fatalf("with the tables off they hold entry %d, %d accounts, %d transfers; want them empty", got.Through, len(got.Accounts), len(got.Transfers))
	}
	writes := st.Writes
	for range 5 { // past a snapshot, which waits for no rows
		s.send(svc, 30)
	}
	svc.Close()
	if st.Writes != writes {
		t.Errorf("with the tables off the node wrote rows %d times", st.Writes-writes)
	}
	if got, _ := st.ReadQuery(); got.Through != 0 || len(got.Transfers) != 0 {
		t.Errorf("with the tables off they came to hold entry %d, %d transfers", got.Through, len(got.Transfers))
	}

	svc = storetest.MustOpenService(t, st, on) // fills them from the whole journal
	defer svc.Close()
	if got, _ := st.ReadQuery(); got.Through != st.LastSeq() || len(got.Transfers) != 300 {
		t.Errorf("with the tables on again they hold entry %d and %d transfers; want %d and 300", got.Through, len(got.Transfers), st.LastSeq())
	}
	if st.Clears != 1 {
		t.Errorf("%d clears; want 1, by the node with the tables off", st.Clears)
	}
}

// A crash can lose the end of the History's writes (the embedded
// store's unsynced tail): the last moves the killed node wrote, and their
// marks with them. The replay writes what the marks left uncovered, so
// that the recovered state is a full replay's, pending transfers posted
// and expired on the way included.
func TestRecoveryWritesTheMovesACrashLost(t *testing.T) {
	history := ledger.NewMemoryHistory()
	lossy := &lossyHistory{History: history}
	st := &withHistory{noSnapshots: &noSnapshots{MemStore: &storetest.MemStore{}}, h: history, live: lossy}
	clock := &stepClock{ns: time.Unix(1_700_000_000, 0).UnixNano()}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: -1, Clock: clock, Engine: ledger.Options{HotTransfers: 64}}
	svc := storetest.MustOpenService(t, st, opts)
	pair(t, svc, true)
	next := uint64(1000)
	var pending []ledger.ID
	// 300 steps, and on until a write was lost (moves run beside the
	// applier, when a group finds the last one done).
	for step := 0; step < 300 || lossy.lost.Load() == 0 && step < 3000; step++ {
		if step == 150 {
			// Once the node has written and marked a move (they run
			// beside the applier), the writes start to be lost.
			waitUntil(t, "a move marked", func() bool {
				through, _ := ledger.HistoryMovedThrough(history)
				return through > 0
			})
			lossy.lose.Store(true)
		}
		// Ten transfers: four pending for a second, two posts of those
		// made a step before (the others expire three steps on), four
		// plain ones.
		var batch []ledger.Transfer
		for i := range 10 {
			next++
			x := ledger.Transfer{ID: ledger.IDFromUint64(next), DebitAccountID: ledger.IDFromUint64(1),
				CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(uint64(1 + i)), Currency: rub, Code: 1}
			switch {
			case i < 4:
				x.Flags, x.TimeoutSeconds = ledger.TransferPending, 1
			case i < 6 && len(pending) >= 4:
				x.Flags, x.PendingID, x.Amount = ledger.TransferPostPending, pending[i-4], money.Amount{}
			}
			batch = append(batch, x)
		}
		if _, err := svc.CreateTransfers(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		pending = pending[:0]
		for _, x := range batch[:4] {
			pending = append(pending, x.ID)
		}
		atomic.AddInt64(&clock.ns, int64(300*time.Millisecond))
	}
	st.refuse.Store(true)
	svc.Close()
	st.refuse.Store(false)
	st.live = nil
	through, err := ledger.HistoryMovedThrough(history)
	if err != nil || through == 0 || lossy.lost.Load() == 0 {
		t.Fatalf("marked through %d (%v), %d writes lost: the test lost nothing", through, err, lossy.lost.Load())
	}

	full := ledger.New(ledger.Options{})
	rp := &ledger.Replayer{Engine: full}
	for _, e := range storetest.MustReplay(t, st, 0) {
		if _, err := rp.Apply(e); err != nil {
			t.Fatalf("replay entry %d: %v", e.Seq, err)
		}
	}
	writes := history.Writes()
	svc = storetest.MustOpenService(t, st, opts)
	defer svc.Close()
	if got, want := storetest.State(t, svc), storetest.EngineState(t, full); !bytes.Equal(got, want) {
		t.Fatalf("the recovered state (%d bytes) is not a full replay's (%d bytes)", len(got), len(want))
	}
	if history.Writes() == writes {
		t.Error("the replay wrote none of the moves the crash lost")
	}
}

// lossyHistory drops every write once lose is set, as a crash loses the
// unsynced end of a store's writes.
type lossyHistory struct {
	ledger.History
	lose atomic.Bool
	lost atomic.Int64
}

func (l *lossyHistory) Write(transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	if l.lose.Load() {
		l.lost.Add(1)
		return nil
	}
	return l.History.Write(transfers, balances)
}

func (l *lossyHistory) WriteRecords(records []ledger.Record) error {
	if l.lose.Load() {
		l.lost.Add(1)
		return nil
	}
	return l.History.WriteRecords(records)
}

// stepClock is a clock a test moves.
type stepClock struct{ ns int64 }

func (c *stepClock) Now() time.Time { return time.Unix(0, atomic.LoadInt64(&c.ns)) }

// A standby that shares the leader's History writes none of the moves
// the leader wrote and marked: it drops its own up to the mark, and
// holds no more in memory for it. Without the marks it writes them all
// again.
func TestStandbyDropsWhatTheLeaderMoved(t *testing.T) {
	for _, marked := range []bool{true, false} {
		t.Run(fmt.Sprintf("marked=%t", marked), func(t *testing.T) {
			history := ledger.NewMemoryHistory()
			st := &withHistory{noSnapshots: &noSnapshots{MemStore: &storetest.MemStore{}}, h: history}
			opts := ledger.ServiceOptions{SnapshotEventsInterval: -1, Engine: ledger.Options{HotTransfers: 64}}
			leader := storetest.MustOpenService(t, st, opts)
			pair(t, leader, true)
			st.hide = !marked // for the standby
			f, err := ledger.Follow(st, opts)
			if err != nil {
				t.Fatal(err)
			}
			(&sender{t: t}).sendAllMoved(leader, 300)
			writes := history.Writes()
			if n, err := f.CatchUp(); err != nil || n < 300 {
				t.Fatalf("CatchUp() = %d, %v", n, err)
			}
			moved := history.Writes() - writes
			if marked && moved != 0 || !marked && moved == 0 {
				t.Errorf("the standby wrote %d moves (the leader's marked: %t)", moved, marked)
			}
			leader.Close()
			svc, _, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			full := ledger.New(ledger.Options{})
			rp := &ledger.Replayer{Engine: full}
			for _, e := range storetest.MustReplay(t, st, 0) {
				if _, err := rp.Apply(e); err != nil {
					t.Fatalf("replay entry %d: %v", e.Seq, err)
				}
			}
			if got, want := storetest.State(t, svc), storetest.EngineState(t, full); !bytes.Equal(got, want) {
				t.Fatalf("the standby's state (%d bytes) is not a full replay's (%d bytes)", len(got), len(want))
			}
			svc.View(func(e *ledger.Engine) {
				if n := e.MemoryTransfersCount(); n > 128 {
					t.Errorf("%d transfers in the standby's memory, with a hot window of 64", n)
				}
			})
		})
	}
}

// A machine's records a live node wrote and marked are not written again
// by a replay (a restart, or a standby's catch-up); those it had kept
// and not written when it was killed, or whose writes a crash lost, are.
func TestReplayWritesOnlyUnmarkedRecords(t *testing.T) {
	history := ledger.NewMemoryHistory()
	lossy := &lossyHistory{History: history}
	counted := &countingHistory{History: lossy}
	st := &withHistory{noSnapshots: &noSnapshots{MemStore: &storetest.MemStore{}}, h: history, live: counted}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: -1, Engine: ledger.Options{HotTransfers: 64},
		NewMachine: func() ledger.Machine {
			return &recordingMachine{Machine: ledger.NewEngineMachine(ledger.Options{HotTransfers: 64})}
		}}
	svc := storetest.MustOpenService(t, st, opts)
	pair(t, svc, true)
	s := &sender{t: t}
	for i := range 300 {
		if i == 150 {
			waitUntil(t, "records marked", func() bool {
				through, _ := ledger.RecordsWrittenThrough(history)
				return through > 0
			})
			lossy.lose.Store(true)
		}
		s.send(svc, 10)
	}
	st.refuse.Store(true)
	svc.Close()
	st.refuse.Store(false)
	lossy.lose.Store(false)
	through, err := ledger.RecordsWrittenThrough(history)
	last := st.LastSeq()
	if err != nil || through == 0 || through >= last-100 {
		t.Fatalf("the live node marked its records through entry %d of %d (%v): the test lost none", through, last, err)
	}
	t.Logf("%d entries, records marked through %d", last, through)
	live := counted.records.Load()
	svc = storetest.MustOpenService(t, st, opts)
	defer svc.Close()
	replayed := counted.records.Load() - live
	if want := int64(last - through); replayed != want {
		t.Errorf("the replay wrote %d records; want the %d of the entries after %d, the last marked", replayed, want, through)
	}
	for seq := uint64(1); seq <= last; seq++ {
		if _, ok, err := history.Record(recordKey(seq), math.MaxUint64); !ok || err != nil {
			t.Fatalf("the record of entry %d of %d is not stored (%v)", seq, last, err)
		}
	}
}

// recordingMachine is the engine with a record of each entry it applies,
// written as payments' are: at once, or kept for TakeRecords.
type recordingMachine struct {
	ledger.Machine
	deferred bool
	pending  []ledger.Record
}

func recordKey(seq uint64) []byte { return binary.BigEndian.AppendUint64([]byte{'r'}, seq) }

func (m *recordingMachine) Apply(e ledger.Entry, decoded any) (any, error) {
	reply, err := m.Machine.Apply(e, decoded)
	if err != nil {
		return nil, err
	}
	rec := ledger.Record{Key: recordKey(e.Seq), Version: e.Seq, Value: []byte("applied")}
	if m.deferred {
		m.pending = append(m.pending, rec)
	} else if h := m.LedgerEngine().History(); h != nil {
		if err := h.WriteRecords([]ledger.Record{rec}); err != nil {
			panic(err)
		}
	}
	return reply, nil
}

func (m *recordingMachine) DeferRecords() { m.deferred = true }

func (m *recordingMachine) TakeRecords() (func(ledger.History) error, func()) {
	q := m.pending
	if len(q) == 0 {
		return nil, nil
	}
	m.pending = nil
	return func(h ledger.History) error { return h.WriteRecords(q) }, func() {}
}

// countingHistory counts the machine records written (the engine's own
// marks left out).
type countingHistory struct {
	ledger.History
	records atomic.Int64
}

func (c *countingHistory) WriteRecords(records []ledger.Record) error {
	for _, r := range records {
		if r.Key[0] != 0 {
			c.records.Add(1)
		}
	}
	return c.History.WriteRecords(records)
}

// waitUntil polls cond every millisecond, for 5 s at most.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}
