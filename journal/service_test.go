package journal_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

// commitCounter is an Observer that counts group commits.
type commitCounter struct {
	commits, entries, largest atomic.Int64
}

func (c *commitCounter) Committed(entries, events, bytes int, sync time.Duration) {
	c.commits.Add(1)
	c.entries.Add(int64(entries))
	for {
		l := c.largest.Load()
		if int64(entries) <= l || c.largest.CompareAndSwap(l, int64(entries)) {
			return
		}
	}
}

func (c *commitCounter) Applied(ledger.Op, int, int) {}

// slowSyncs makes every sync of the WAL take a millisecond, as a disk's
// fsync does, on the file system in memory.
var slowSyncs = errorfs.InjectorFunc(func(op errorfs.Op) error {
	switch op.Kind {
	case errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		time.Sleep(time.Millisecond)
	}
	return nil
})

func transferOf(tid, debit, credit, amount uint64) ledger.Transfer {
	return ledger.Transfer{ID: id(tid), DebitAccountID: id(debit), CreditAccountID: id(credit),
		Amount: money.NewAmount(amount), Currency: rub, Code: 1}
}

// Concurrent batches share fsyncs: while one group is synced, the batches
// that arrive queue up and go together in the next one, never more than
// GroupEntriesMax.
func TestGroupCommitSharesFsyncs(t *testing.T) {
	st := MustOpen(t, errorfs.Wrap(vfs.NewMem(), slowSyncs), "j")
	defer MustClose(t, st)
	counter := &commitCounter{}
	const groupMax = 8
	svc := storetest.MustOpenService(t, st, ledger.ServiceOptions{Observer: counter, GroupEntriesMax: groupMax, SnapshotEventsInterval: -1})
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(2))
	start := counter.commits.Load()
	const clients, batches = 32, 10
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				tid := uint64(1_000_000 + c*1000 + b)
				res, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(tid, 1, 2, 1)})
				if err != nil || res[0] != ledger.ResultOK {
					t.Errorf("transfer %d: %v %v", tid, res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	commits := counter.commits.Load() - start
	entries := counter.entries.Load() - 1
	t.Logf("%d batches in %d commits: %.1f entries per fsync", entries, commits, float64(entries)/float64(commits))
	if entries != clients*batches {
		t.Errorf("observer counted %d entries, want %d", entries, clients*batches)
	}
	if float64(entries)/float64(commits) <= 1 {
		t.Errorf("%d entries in %d commits: want more than one entry per fsync under %d concurrent clients", entries, commits, clients)
	}
	if got := counter.largest.Load(); got > groupMax {
		t.Errorf("a commit held %d entries, want at most GroupEntriesMax %d", got, groupMax)
	}
}

// gateStore holds the first Append until released.
type gateStore struct {
	ledger.Store
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gateStore) Append(entries []ledger.Entry) error {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.entered)
		<-g.release
	}
	return g.Store.Append(entries)
}

func TestServiceClose(t *testing.T) {
	t.Run("QueuedRequestsFinish", func(t *testing.T) {
		// Close lets the batches already queued finish. Several rounds:
		// a committer that chose at random between the queue and the stop
		// would fail one of them.
		for round := range 8 {
			synctest.Test(t, func(t *testing.T) { closeWithQueuedRequests(t, round) })
		}
	})
	t.Run("EveryAnswerMatchesTheJournal", func(t *testing.T) {
		// Clients submit while Close runs: each is answered, an ok is
		// durable, ErrStopped left nothing behind.
		fs := vfs.NewMem()
		st := MustOpen(t, fs, "j")
		svc := storetest.MustOpenService(t, st, ledger.ServiceOptions{})
		storetest.MustCreateAccounts(t, svc, ledgerAccounts(2))
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			answered = make(map[uint64]error)
			acks     atomic.Int64
		)
		for c := range 16 {
			wg.Go(func() {
				for b := 0; ; b++ {
					tid := uint64(1_000_000 + c*10_000 + b)
					_, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(tid, 1, 2, 1)})
					mu.Lock()
					answered[tid] = err
					mu.Unlock()
					if err != nil {
						return
					}
					acks.Add(1)
				}
			})
		}
		for acks.Load() < 200 {
			time.Sleep(100 * time.Microsecond)
		}
		svc.Close()
		wg.Wait()
		MustClose(t, st)
		st = MustOpen(t, fs, "j")
		defer MustClose(t, st)
		svc = storetest.MustOpenService(t, st, ledger.ServiceOptions{})
		svc.View(func(e *ledger.Engine) {
			for tid, err := range answered {
				_, _, found := e.LookupTransfer(id(tid))
				switch {
				case err == nil && !found:
					t.Errorf("transfer %d acknowledged but not found after restart", tid)
				case errors.Is(err, ledger.ErrStopped) && found:
					t.Errorf("transfer %d answered ErrStopped but applied", tid)
				case err != nil && !errors.Is(err, ledger.ErrStopped):
					t.Errorf("transfer %d: %v, want nil or ledger.ErrStopped", tid, err)
				}
			}
		})
	})
}

func TestServiceStopsAtJournalFailure(t *testing.T) {
	mem := vfs.NewMem()
	faults := &walFaults{syncs: true}
	st := MustOpen(t, errorfs.Wrap(mem, faults), "j")
	svc := storetest.MustOpenService(t, st, ledger.ServiceOptions{})
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(2))
	faults.armed.Store(true)
	_, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(10, 1, 2, 1)})
	if !errors.Is(err, ledger.ErrJournalFailed) {
		t.Fatalf("CreateTransfers on a failing disk = %v, want ledger.ErrJournalFailed", err)
	}
	faults.armed.Store(false) // the disk is back: the Service stays stopped
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(uint64(20+i), 1, 2, 1)}); !errors.Is(err, ledger.ErrJournalFailed) {
				t.Errorf("CreateTransfers after the failure = %v, want ledger.ErrJournalFailed", err)
			}
		})
	}
	wg.Wait()
	if _, err := svc.CreateAccounts(context.Background(), []ledger.Account{{ID: id(77), Currency: rub, Code: 1}}); !errors.Is(err, ledger.ErrJournalFailed) {
		t.Errorf("CreateAccounts after the failure = %v, want ledger.ErrJournalFailed", err)
	}
	if err := svc.Err(); !errors.Is(err, ledger.ErrJournalFailed) {
		t.Errorf("Err() = %v, want ledger.ErrJournalFailed", err)
	}
	svc.Close()
	if _, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(30, 1, 2, 1)}); !errors.Is(err, ledger.ErrJournalFailed) {
		t.Errorf("CreateTransfers after Close = %v, want ledger.ErrJournalFailed", err)
	}
}

func closeWithQueuedRequests(t *testing.T, round int) {
	mem := &storetest.MemStore{}
	gate := &gateStore{Store: mem, entered: make(chan struct{}), release: make(chan struct{})}
	const queued = 12
	svc, err := ledger.Open(gate, ledger.ServiceOptions{GroupEntriesMax: 1 + round%4, SnapshotEventsInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		res, err := svc.CreateAccounts(context.Background(), ledgerAccounts(2))
		if err != nil || res[0] != ledger.ResultOK {
			t.Errorf("accounts held at the gate: %v %v, want ok", res, err)
		}
	})
	<-gate.entered
	errs := make([]error, queued)
	for i := range queued {
		wg.Go(func() {
			_, errs[i] = svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(uint64(100+i), 1, 2, 1)})
		})
	}
	// Every request is in the queue or blocked on a full queue: either
	// way the Service accepted it before Close.
	synctest.Wait()
	closed := make(chan struct{})
	go func() { svc.Close(); close(closed) }()
	close(gate.release)
	wg.Wait()
	<-closed
	for i, err := range errs {
		if err != nil {
			t.Errorf("round %d: request %d accepted before Close: %v, want it applied", round, i, err)
		}
	}
	if got, want := mem.LastSeq(), uint64(1+queued); got != want {
		t.Errorf("round %d: journal holds %d entries, want %d (the accounts and every queued batch)", round, got, want)
	}
	if _, err := svc.CreateTransfers(context.Background(), []ledger.Transfer{transferOf(1000, 1, 2, 1)}); !errors.Is(err, ledger.ErrStopped) {
		t.Errorf("submit after Close = %v, want ledger.ErrStopped", err)
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestPendingExpirySurvivesRestart(t *testing.T) {
	tests := []struct {
		name string
		// snapshots: restart from the snapshot Close writes, or replay
		// every entry (the pulse included).
		snapshots int
	}{
		{"FromReplay", -1},
		{"FromSnapshot", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := vfs.NewMem()
			clock := &fakeClock{now: time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)}
			opts := ledger.ServiceOptions{Clock: clock, PulseInterval: time.Millisecond, SnapshotEventsInterval: tt.snapshots}
			st := MustOpen(t, fs, "j")
			svc := storetest.MustOpenService(t, st, opts)
			storetest.MustCreateAccounts(t, svc, ledgerAccounts(3))
			pending := transferOf(10, 1, 2, 70)
			pending.Flags, pending.TimeoutSeconds = ledger.TransferPending, 10
			kept := transferOf(11, 1, 3, 5)
			kept.Flags, kept.TimeoutSeconds = ledger.TransferPending, 3600
			if res := storetest.MustCreateTransfers(t, svc, []ledger.Transfer{pending, kept}); res[0] != ledger.ResultOK || res[1] != ledger.ResultOK {
				t.Fatalf("pending transfers: %v", res)
			}
			clock.Advance(11 * time.Second)
			// Only a pulse can expire it: no batch comes.
			deadline := time.Now().Add(10 * time.Second)
			for stateOf(t, svc, 10) != ledger.PendingExpired {
				if time.Now().After(deadline) {
					t.Fatalf("transfer 10 is %s 11 s after its 10 s timeout, want expired by a pulse", stateOf(t, svc, 10))
				}
				time.Sleep(time.Millisecond)
			}
			if got := stateOf(t, svc, 11); got != ledger.PendingOpen {
				t.Errorf("transfer 11 (timeout 1 h) is %s, want pending", got)
			}
			want := storetest.State(t, svc)
			svc.Close()
			pulses := 0
			for _, e := range storetest.MustReplay(t, st, 0) {
				if e.Op == ledger.OpPulse {
					pulses++
				}
			}
			if pulses == 0 {
				t.Errorf("the journal holds no pulse: the expiry would not replay")
			}
			MustClose(t, st)

			st = MustOpen(t, fs, "j")
			defer MustClose(t, st)
			clock.Advance(-time.Hour) // the clock after restart does not matter
			svc = storetest.MustOpenService(t, st, opts)
			if got := storetest.State(t, svc); !bytes.Equal(got, want) {
				t.Errorf("state after restart (%d bytes) differs from before (%d bytes)", len(got), len(want))
			}
			if got := stateOf(t, svc, 10); got != ledger.PendingExpired {
				t.Errorf("transfer 10 after restart is %s, want expired", got)
			}
			svc.View(func(e *ledger.Engine) {
				a, _ := e.LookupAccount(id(1))
				if a.DebitsPending != money.NewAmount(5) {
					t.Errorf("account 1 debits pending after restart = %s, want 5 (only transfer 11 left)", a.DebitsPending)
				}
				if err := e.Verify(); err != nil {
					t.Errorf("engine after restart: %v", err)
				}
			})
		})
	}
}

func stateOf(t *testing.T, svc *ledger.Service, tid uint64) ledger.PendingState {
	t.Helper()
	var st ledger.PendingState
	var ok bool
	svc.View(func(e *ledger.Engine) { _, st, ok = e.LookupTransfer(id(tid)) })
	if !ok {
		t.Fatalf("transfer %d not found", tid)
	}
	return st
}

// snapshotCounter counts snapshots.
type snapshotCounter struct {
	ledger.Store
	saved atomic.Int64
}

func (s *snapshotCounter) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	err := s.Store.SaveSnapshot(seq, write)
	if err == nil {
		s.saved.Add(1)
	}
	return err
}

func TestSnapshotEveryNEvents(t *testing.T) {
	fs := vfs.NewMem()
	st := MustOpen(t, fs, "j")
	counter := &snapshotCounter{Store: st}
	svc := storetest.MustOpenService(t, counter, ledger.ServiceOptions{SnapshotEventsInterval: 10})
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(4))
	for b := range 30 {
		batch := make([]ledger.Transfer, 3)
		for i := range batch {
			batch[i] = transferOf(uint64(100+b*10+i), 1, uint64(2+i), 1)
		}
		storetest.MustCreateTransfers(t, svc, batch)
	}
	want := storetest.State(t, svc)
	svc.Close()
	if got := counter.saved.Load(); got < 5 {
		t.Errorf("%d snapshots of 90 events with SnapshotEventsInterval 10, want at least 5", got)
	}
	rep := MustVerify(t, st)
	if !rep.SnapshotOK || rep.SnapshotSeq != st.LastSeq() {
		t.Errorf("Verify() = %+v, want the snapshot Close wrote at %d, matching replay", rep, st.LastSeq())
	}
	fromSnapshot, _, err := ledger.Recover(st, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := engineState(t, fromSnapshot); !bytes.Equal(got, want) {
		t.Errorf("state from the snapshot (%d bytes) differs from the live one (%d bytes)", len(got), len(want))
	}
	MustClose(t, st)
}
