package journal_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"astara/journal"
	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

var (
	faultSeeds = flag.Int("journal.seeds", 40, "how many seeds the fault simulation runs")
	faultSeed  = flag.Uint64("journal.seed", 0, "run only this seed of the fault simulation (a failing one, to reproduce it)")
)

// seeds returns the seeds to run: the one asked for, or 1..n.
func seeds(n int) []uint64 {
	if *faultSeed != 0 {
		return []uint64{*faultSeed}
	}
	if testing.Short() {
		n = max(n/4, 1)
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

// walFaults injects errors into the write-ahead log's writes, syncs or
// both once armed and once its budget of good operations is spent; every
// operation fails from then on, as a disk that went bad does.
//
// Two faults of Pebble's own are out of reach of any caller, so the tests
// stay clear of them: a failed flush or compaction is fatal in a goroutine
// of Pebble's (faults are kept to the WAL), and a WAL rotation (when a
// memtable is full) that fails to close the old WAL panics with Pebble's
// mutex already unlocked, which kills the process (the data written once
// faults are armed stays within Pebble's first memtable, 256 KiB). Both
// stop the process: nothing acknowledged is lost, but the stop is a crash.
type walFaults struct {
	armed          atomic.Bool
	budget         atomic.Int64
	writes, syncs  bool
	injected       atomic.Int64
	firstInjection atomic.Value // errorfs.Op
}

func (f *walFaults) MaybeError(op errorfs.Op) error {
	if !f.armed.Load() || !strings.HasSuffix(op.Path, ".log") {
		return nil
	}
	switch op.Kind {
	case errorfs.OpFileWrite, errorfs.OpFileWriteAt:
		if !f.writes {
			return nil
		}
	case errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		if !f.syncs {
			return nil
		}
	default:
		return nil
	}
	if f.budget.Add(-1) >= 0 {
		return nil
	}
	if f.injected.Add(1) == 1 {
		f.firstInjection.Store(op)
	}
	return errorfs.ErrInjected
}

func (f *walFaults) String() string {
	return fmt.Sprintf("wal faults (writes %t, syncs %t)", f.writes, f.syncs)
}

// batchRecord is one CreateTransfers call of the simulation and its answer.
type batchRecord struct {
	transfers []ledger.Transfer
	results   []ledger.Result
	err       error
	// durable: acknowledged before the crash was taken, so it must
	// survive it.
	durable bool
}

// TestServiceSurvivesFaultsAndCrashes runs a Service under concurrent
// clients on a file system that starts failing the WAL's writes or syncs
// at a random moment, takes the file system as a crash at a random moment
// would leave it (only what was synced, or that plus a random part of what
// was not), recovers from it and checks it against what the clients were
// told: every acknowledged batch is there with its answers, nothing is
// applied twice, the books balance, and a model built from the journal
// agrees with the engine.
func TestServiceSurvivesFaultsAndCrashes(t *testing.T) {
	for _, seed := range seeds(*faultSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runFaultSeed(t, seed)
		})
	}
}

const simAccounts = 6

func runFaultSeed(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	mem := vfs.NewCrashableMem()
	faults := &walFaults{}
	switch r.IntN(4) {
	case 0: // a healthy disk: the crash alone
	case 1:
		faults.writes = true
	case 2:
		faults.syncs = true
	case 3:
		faults.writes, faults.syncs = true, true
	}
	faults.budget.Store(int64(r.IntN(60)))
	opts := ledger.ServiceOptions{
		GroupEntriesMax:        1 + r.IntN(32),
		SnapshotEventsInterval: []int{-1, 60, 150}[r.IntN(3)],
		// Small hot windows move history out of memory between batches,
		// so that crashes land while it is being moved.
		Engine: ledger.Options{HotTransfers: []int{0, 8, 32}[r.IntN(3)]},
	}
	const clients, batchesPerClient = 4, 10
	crashAfterAcks := int64(r.IntN(clients*batchesPerClient + 1))
	unsyncedPercent := []int{0, 0, 50, 100}[r.IntN(4)]
	t.Logf("seed %d: %s, budget %d, GroupEntriesMax %d, SnapshotEventsInterval %d, HotTransfers %d, crash after %d acks, %d%% of unsynced data kept",
		seed, faults, faults.budget.Load(), opts.GroupEntriesMax, opts.SnapshotEventsInterval, opts.Engine.HotTransfers, crashAfterAcks, unsyncedPercent)

	st := MustOpen(t, errorfs.Wrap(mem, faults), "j")
	svc, err := ledger.Open(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(simAccounts))
	funding := make([]ledger.Transfer, simAccounts-1)
	for i := range funding {
		funding[i] = ledger.Transfer{ID: id(uint64(500 + i)), DebitAccountID: id(1), CreditAccountID: id(uint64(i + 2)),
			Amount: money.NewAmount(200), Currency: rub, Code: 1}
	}
	storetest.MustCreateTransfers(t, svc, funding)
	faults.armed.Store(true)

	var (
		crashing atomic.Bool
		acks     atomic.Int64
		crashed  *vfs.MemFS
		crash    sync.Once
	)
	takeCrash := func() {
		crash.Do(func() {
			crashing.Store(true)
			cfg := vfs.CrashCloneCfg{UnsyncedDataPercent: unsyncedPercent}
			if unsyncedPercent > 0 {
				cfg.RNG = rand.New(rand.NewPCG(seed, 7))
			}
			crashed = mem.CrashClone(cfg)
		})
	}
	records := make([][]batchRecord, clients)
	var wg sync.WaitGroup
	for c := range clients {
		rc := rand.New(rand.NewPCG(seed, uint64(c)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed := false
			for b := range batchesPerClient {
				next := uint64(1_000_000*(c+1) + 1000*b)
				rec := batchRecord{transfers: randomTransfers(rc, next, 1+rc.IntN(20), simAccounts)}
				rec.results, rec.err = svc.CreateTransfers(context.Background(), rec.transfers)
				switch {
				case rec.err == nil && failed:
					t.Errorf("client %d batch %d acknowledged after an earlier batch failed: the Service must stop at its first journal failure", c, b)
				case rec.err == nil:
					rec.durable = !crashing.Load()
					if acks.Add(1) == crashAfterAcks {
						takeCrash()
					}
				case !errors.Is(rec.err, ledger.ErrJournalFailed):
					t.Errorf("client %d batch %d: error %v, want ledger.ErrJournalFailed", c, b, rec.err)
				default:
					failed = true
				}
				records[c] = append(records[c], rec)
			}
		}()
	}
	wg.Wait()
	takeCrash()
	if faults.injected.Load() > 0 && svc.Err() == nil {
		// An injected fault the Service never saw can only be one that
		// came after the last batch.
		t.Logf("faults injected (first %v) without a failed batch", faults.firstInjection.Load())
	}
	svc.Close()
	// After a failure Close reports it (and leaves a wedged Pebble open).
	if err := st.Close(); err != nil && faults.injected.Load() == 0 {
		t.Errorf("close journal: %v", err)
	}

	byFirstID := make(map[ledger.ID]*batchRecord)
	acked, durable := 0, 0
	for c := range records {
		for i := range records[c] {
			rec := &records[c][i]
			byFirstID[rec.transfers[0].ID] = rec
			if rec.err == nil {
				acked++
			}
			if rec.durable {
				durable++
			}
		}
	}
	t.Logf("%d batches acknowledged, %d of them before the crash; service error: %v", acked, durable, svc.Err())
	checkRecovery(t, crashed, byFirstID, funding)
}

// checkRecovery recovers the journal in fs and checks it against the
// answers the clients got.
func checkRecovery(t *testing.T, fs vfs.FS, byFirstID map[ledger.ID]*batchRecord, funding []ledger.Transfer) {
	t.Helper()
	st := MustOpen(t, fs, "j")
	defer MustClose(t, st)
	rep := MustVerify(t, st)

	// Replay by hand, keeping each entry's results.
	engine := ledger.New(ledger.Options{})
	rp := &ledger.Replayer{Engine: engine}
	found := make(map[ledger.ID]bool)
	results := make(map[ledger.ID]ledger.Result)
	model := make(map[ledger.ID]ledger.Account)
	created := 0
	err := st.Replay(0, func(e ledger.Entry) error {
		if _, err := rp.Apply(e); err != nil {
			return err
		}
		if e.Op != ledger.OpCreateTransfers {
			return nil
		}
		transfers, _, err := ledger.DecodeTransfers(nil, e.Payload)
		if err != nil {
			return err
		}
		res := rp.Results()
		for i, tr := range transfers {
			results[tr.ID] = res[i]
			if res[i] != ledger.ResultOK {
				continue
			}
			created++
			d, c := model[tr.DebitAccountID], model[tr.CreditAccountID]
			if tr.Flags&ledger.TransferPending != 0 {
				d.DebitsPending = d.DebitsPending.MustAdd(tr.Amount)
				c.CreditsPending = c.CreditsPending.MustAdd(tr.Amount)
			} else {
				d.DebitsPosted = d.DebitsPosted.MustAdd(tr.Amount)
				c.CreditsPosted = c.CreditsPosted.MustAdd(tr.Amount)
			}
			model[tr.DebitAccountID], model[tr.CreditAccountID] = d, c
		}
		if transfers[0].ID == funding[0].ID {
			return nil
		}
		rec, ok := byFirstID[transfers[0].ID]
		if !ok {
			return fmt.Errorf("entry %d holds a batch no client sent (first transfer %s)", e.Seq, transfers[0].ID)
		}
		if found[transfers[0].ID] {
			return fmt.Errorf("entry %d applies the batch of transfer %s a second time", e.Seq, transfers[0].ID)
		}
		found[transfers[0].ID] = true
		if len(transfers) != len(rec.transfers) {
			return fmt.Errorf("entry %d holds %d transfers of a batch of %d", e.Seq, len(transfers), len(rec.transfers))
		}
		for i := range transfers {
			if transfers[i] != rec.transfers[i] {
				return fmt.Errorf("entry %d transfer %d = %+v, sent %+v", e.Seq, i, transfers[i], rec.transfers[i])
			}
			if rec.err == nil && res[i] != rec.results[i] {
				return fmt.Errorf("entry %d transfer %d replays as %s, the client was answered %s", e.Seq, i, res[i], rec.results[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	for first, rec := range byFirstID {
		if rec.durable && !found[first] {
			t.Errorf("batch of transfer %s was acknowledged before the crash but is not in the journal", first)
		}
	}
	if err := engine.Verify(); err != nil {
		t.Errorf("engine after replay: %v", err)
	}
	if got := engine.TransfersCount(); got != created {
		t.Errorf("engine holds %d transfers, the journal's entries created %d", got, created)
	}
	for i := 1; i <= simAccounts; i++ {
		a, ok := engine.LookupAccount(id(uint64(i)))
		m := model[id(uint64(i))]
		if !ok || a.DebitsPending != m.DebitsPending || a.DebitsPosted != m.DebitsPosted || a.CreditsPending != m.CreditsPending || a.CreditsPosted != m.CreditsPosted {
			t.Errorf("account %d = %+v, the model has %+v", i, a, m)
		}
	}
	if rep.Transfers != created {
		t.Errorf("Verify() counted %d transfers, want %d", rep.Transfers, created)
	}

	// Recovery (snapshot and tail) reaches the same state, and answers a
	// retry of every batch it holds with exists.
	svc, err := ledger.Open(st, ledger.ServiceOptions{})
	if err != nil {
		t.Fatalf("ledger.Open after the crash: %v", err)
	}
	defer svc.Close()
	if got, want := storetest.State(t, svc), engineState(t, engine); !bytes.Equal(got, want) {
		t.Errorf("state recovered by ledger.Open (%d bytes) differs from the full replay (%d bytes)", len(got), len(want))
	}
	for first, rec := range byFirstID {
		if !found[first] {
			continue
		}
		res, err := svc.CreateTransfers(context.Background(), rec.transfers)
		if err != nil {
			t.Fatalf("retry after recovery: %v", err)
		}
		for i, tr := range rec.transfers {
			if results[tr.ID] == ledger.ResultOK && res[i] != ledger.ResultExists {
				t.Errorf("retry of transfer %s after recovery = %s, want exists", tr.ID, res[i])
			}
		}
	}
}

// TestTornTailIsWhollyPresentOrAbsent appends a group whose sync fails and
// crashes with a random part of the unsynced data kept: the group is found
// whole or not at all, and the journal verifies.
func TestTornTailIsWhollyPresentOrAbsent(t *testing.T) {
	for _, seed := range seeds(*faultSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 0x7042))
			mem := vfs.NewCrashableMem()
			faults := &walFaults{syncs: true}
			st := MustOpen(t, errorfs.Wrap(mem, faults), "j")
			entries := ledgerEntries(40, seed)
			synced := 1 + r.IntN(30)
			group := 1 + r.IntN(len(entries)-synced)
			for i := 0; i < synced; {
				n := min(1+r.IntN(5), synced-i)
				storetest.MustAppend(t, st, entries[i:i+n])
				i += n
			}
			faults.armed.Store(true)
			if err := st.Append(entries[synced : synced+group]); err == nil {
				t.Fatalf("Append of entries %d..%d with failing syncs = nil, want an error", synced+1, synced+group)
			}
			percent := r.IntN(101)
			crashed := mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: percent, RNG: r})
			st2 := MustOpen(t, crashed, "j")
			defer MustClose(t, st2)
			last := st2.LastSeq()
			if last != uint64(synced) && last != uint64(synced+group) {
				t.Errorf("LastSeq() after the crash = %d, want %d (group absent) or %d (group whole); %d%% unsynced kept",
					last, synced, synced+group, percent)
			}
			MustVerify(t, st2)
			got := storetest.MustReplay(t, st2, 0)
			for i, e := range got {
				if w := entries[i]; e.Seq != w.Seq || e.Timestamp != w.Timestamp || !bytes.Equal(e.Payload, w.Payload) {
					t.Fatalf("entry %d after the crash differs from the one appended", e.Seq)
				}
			}
		})
	}
}

// TestFailedCommitStopsTheJournal: once Pebble failed to write or sync, its
// commit pipeline is not to be trusted; the journal refuses every later
// append and snapshot with an error instead of panicking or hanging, and a
// restart on what was synced recovers.
func TestFailedCommitStopsTheJournal(t *testing.T) {
	tests := []struct {
		name          string
		writes, syncs bool
		// first fails first: an append, or a snapshot whose chunks are
		// written without a sync.
		first string
	}{
		{"SyncFailsOnAppend", false, true, "append"},
		{"WriteFailsOnAppend", true, false, "append"},
		{"WriteFailsOnSnapshot", true, false, "snapshot"},
		{"SyncFailsOnSnapshot", false, true, "snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := vfs.NewCrashableMem()
			faults := &walFaults{writes: tt.writes, syncs: tt.syncs}
			st := MustOpen(t, errorfs.Wrap(mem, faults), "j")
			entries := ledgerEntries(30, 3)
			storetest.MustAppend(t, st, entries[:10])
			faults.armed.Store(true)
			// Small: a WAL rotation on a failing disk is out of reach (see
			// walFaults).
			small := bytes.Repeat([]byte{7}, 1000)
			var err error
			switch tt.first {
			case "append":
				err = st.Append(entries[10:12])
			case "snapshot":
				err = st.SaveSnapshot(10, func(w io.Writer) error { _, err := w.Write(small); return err })
			}
			if err == nil {
				t.Fatalf("first %s with a failing WAL = nil, want an error", tt.first)
			}
			// Later appends, small and large (past a memtable), fail too:
			// refused before they reach Pebble.
			big := bytes.Repeat([]byte{7}, 9<<20)
			next := entries[10:11]
			if tt.first == "append" {
				next = entries[12:13]
			}
			for i := 0; i < 3; i++ {
				if err := st.Append(next); err == nil {
					t.Fatalf("append %d after a failed commit = nil, want an error", i)
				}
			}
			large := []ledger.Entry{{Seq: next[0].Seq, Timestamp: next[0].Timestamp, Op: ledger.OpPulse, Payload: big}}
			if err := st.Append(large); err == nil {
				t.Fatalf("large append after a failed commit = nil, want an error")
			}
			if err := st.SaveSnapshot(5, func(w io.Writer) error { _, err := w.Write(big); return err }); err == nil {
				t.Fatalf("snapshot after a failed commit = nil, want an error")
			}
			crashed := mem.CrashClone(vfs.CrashCloneCfg{})
			// Close returns (with or without an error) rather than hang.
			closed := make(chan error, 1)
			go func() { closed <- st.Close() }()
			select {
			case err := <-closed:
				t.Logf("Close after the failure: %v", err)
			case <-time.After(10 * time.Second):
				t.Errorf("Close after a failed commit hangs")
			}
			st2 := MustOpen(t, crashed, "j")
			defer MustClose(t, st2)
			if got := st2.LastSeq(); got < 10 {
				t.Errorf("LastSeq() after restart = %d, want at least the 10 synced entries", got)
			}
			MustVerify(t, st2)
		})
	}
}

// An edited record of the history that moved out of memory is found by
// Verify, which replays the journal and compares every record it moves.
func TestVerifyFindsAnEditedHistoryRecord(t *testing.T) {
	fs := vfs.NewMem()
	st := MustOpen(t, fs, "j")
	svc := storetest.MustOpenService(t, st, ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: 16}})
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(3))
	r := rand.New(rand.NewPCG(5, 5))
	for b := range 20 {
		storetest.MustCreateTransfers(t, svc, randomTransfers(r, uint64(1000+b*10), 10, 3))
	}
	svc.Close()
	MustVerify(t, st)
	MustClose(t, st)
	var key []byte
	WithRawDB(t, fs, "j", func(db *pebble.DB) {
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{'h'}, UpperBound: []byte{'h' + 1}})
		if err != nil {
			t.Fatal(err)
		}
		if !it.First() {
			t.Fatal("no history record in the store")
		}
		key = slices.Clone(it.Key())
		it.Close()
		v := MustGet(t, db, key)
		v[40] ^= 1 // a byte of the transfer
		MustSet(t, db, key, v)
	})
	st = MustOpen(t, fs, "j")
	defer MustClose(t, st)
	if _, err := st.Verify(ledger.Options{}); !errors.Is(err, journal.ErrCorrupt) {
		t.Fatalf("Verify() after editing history record %x = %v, want journal.ErrCorrupt", key, err)
	}
}
