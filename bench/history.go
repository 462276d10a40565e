package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"astara/journal"
	"astara/ledger"
	"astara/money"
)

// HistoryConfig configures the history benchmark: transfers through a
// Service on the embedded journal, with memory measured as they pile up.
type HistoryConfig struct {
	// Checkpoints are the transfer counts at which memory is measured, in
	// increasing order.
	Checkpoints []int
	// InMemoryUpTo also runs the engine with its whole history in memory
	// (as before History), for the checkpoints up to this count; 0: not.
	InMemoryUpTo int
	Accounts     int
	BatchSize    int
	Clients      int
	// SnapshotEvents is the events between periodic snapshots; zero means
	// ledger.SnapshotEventsIntervalDefault, as in astara serve.
	SnapshotEvents int
	// FailingEvery makes one transfer in FailingEvery (those whose number
	// it divides) debit an account that holds nothing and may not go
	// below zero: it fails for a reason of the moment, and its id is
	// remembered as failed. Zero: none fails.
	FailingEvery int
	Dir          string
	Progress     io.Writer
}

// HistoryPoint is one measurement.
type HistoryPoint struct {
	Mode      string // "history" or "in memory"
	Transfers int
	// Resident is the process's resident memory (VmRSS), HeapInuse the Go
	// heap in use after a collection.
	Resident, HeapInuse uint64
	// InMemory is the transfers the engine holds in memory.
	InMemory int
	// Rate is transfers a second since the checkpoint before.
	Rate int64
	// Restart is how long recovery took from the files as a kill -9 at the
	// checkpoint leaves them (the last periodic snapshot and the entries
	// after it), and Replayed how many transfers it replayed. The kill
	// comes just before the next periodic snapshot would have been taken
	// (see RunHistory), the worst case, so that every checkpoint replays
	// about a whole snapshot interval.
	Restart  time.Duration
	Replayed int
}

// noHistory hides a store's History, so that the engine keeps its whole
// history in memory, as it did before History.
type noHistory struct{ ledger.Store }

// killSwitch refuses snapshots once set: Close then leaves the files as a
// kill -9 would.
type killSwitch struct {
	ledger.Store
	history  ledger.History
	killed   atomic.Bool
	snapshot atomic.Uint64 // the last snapshot's entry
}

func (k *killSwitch) History() ledger.History { return k.history }

func (k *killSwitch) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if k.killed.Load() {
		return fmt.Errorf("bench: killed")
	}
	err := k.Store.SaveSnapshot(seq, write)
	if err == nil {
		k.snapshot.Store(seq)
	}
	return err
}

// RunHistory runs the history benchmark and returns its points. At each
// checkpoint, after measuring memory, it sends more transfers, one batch
// at a time, until the next periodic snapshot is a few batches away, then
// stops the node as a kill -9 would and measures its recovery, which
// replays almost a whole snapshot interval (SnapshotEvents events): the
// worst case, the same at every checkpoint. The recovered
// node goes on to the next checkpoint.
func RunHistory(ctx context.Context, cfg HistoryConfig) ([]HistoryPoint, error) {
	if cfg.Accounts <= 1 {
		cfg.Accounts = 10_000
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > ledger.BatchEventsMax {
		cfg.BatchSize = ledger.BatchEventsMax
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 4
	}
	if cfg.SnapshotEvents <= 0 {
		cfg.SnapshotEvents = ledger.SnapshotEventsIntervalDefault
	}
	var out []HistoryPoint
	for _, mode := range []string{"history", "in memory"} {
		points := cfg.Checkpoints
		if mode == "in memory" {
			points = nil
			for _, c := range cfg.Checkpoints {
				if c <= cfg.InMemoryUpTo {
					points = append(points, c)
				}
			}
		}
		if len(points) == 0 {
			continue
		}
		runtime.GC()
		p, err := runHistoryMode(ctx, cfg, mode, points)
		out = append(out, p...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func runHistoryMode(ctx context.Context, cfg HistoryConfig, mode string, checkpoints []int) ([]HistoryPoint, error) {
	dir, err := os.MkdirTemp(cfg.Dir, "astara-bench-history-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return nil, err
	}
	var store ledger.Store = &killSwitch{Store: st, history: st.History()}
	if mode == "in memory" {
		store = &killSwitch{Store: noHistory{st}}
	}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: cfg.SnapshotEvents}
	svc, err := ledger.Open(store, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	rub := money.MustCode("RUB")
	accs := make([]ledger.Account, cfg.Accounts)
	for i := range accs {
		accs[i] = ledger.Account{ID: accountID(i), Currency: rub, Code: 1}
		if i%100 == 0 {
			// One account in a hundred keeps its balance history.
			accs[i].Flags = ledger.AccountHistory
		}
	}
	var failing failingTransfers
	if cfg.FailingEvery > 0 {
		failing = failingTransfers{every: cfg.FailingEvery, from: accountID(len(accs))}
		empty := []ledger.Account{{ID: failing.from, Currency: rub, Code: 1, Flags: ledger.AccountDebitsMustNotExceedCredits}}
		if _, err := svc.CreateAccounts(ctx, empty); err != nil {
			svc.Close()
			st.Close()
			return nil, err
		}
	}
	for i := 0; i < len(accs); i += ledger.BatchEventsMax {
		if _, err := svc.CreateAccounts(ctx, accs[i:min(i+ledger.BatchEventsMax, len(accs))]); err != nil {
			svc.Close()
			st.Close()
			return nil, err
		}
	}
	bar := newProgress(cfg.Progress, "history ("+mode+")", checkpoints[len(checkpoints)-1]/cfg.BatchSize)
	var points []HistoryPoint
	var sent atomic.Int64
	last, lastTime := 0, time.Now()
	for _, target := range checkpoints {
		base := int(sent.Load()) // past the last checkpoint by what sendUntilSnapshotDue sent
		err := sendTransfers(ctx, svc, accs, &sent, target, cfg.Clients, cfg.BatchSize, historyID, failing, bar.step)
		sent.Store(int64(max(target, base)))
		if err != nil {
			svc.Close()
			st.Close()
			return points, err
		}
		now := time.Now()
		p := HistoryPoint{Mode: mode, Transfers: max(target, base), Rate: perSecond(max(target, base)-last, now.Sub(lastTime))}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.HeapInuse = ms.HeapInuse
		p.Resident = uint64(residentBytes())
		svc.View(func(e *ledger.Engine) { p.InMemory = e.MemoryTransfersCount() })
		points = append(points, p)
		ks := store.(*killSwitch)
		if err := sendUntilSnapshotDue(ctx, svc, ks, accs, cfg.BatchSize, cfg.SnapshotEvents, &sent, failing); err != nil {
			svc.Close()
			st.Close()
			return points, err
		}
		// A kill -9 now: no snapshot at the end; recovery reads the last
		// periodic one and replays the entries after it.
		ks.killed.Store(true)
		svc.Close()
		ks.killed.Store(false)
		replayed := int(ks.LastSeq()-ks.snapshot.Load()) * cfg.BatchSize
		start := time.Now()
		// Labelled, so that a CPU profile of the run can be cut to the
		// recoveries: go tool pprof -tagfocus phase=recovery (and
		// -tagfocus 'transfers=5.*' for one checkpoint's: pprof reads a
		// value of digits as a number). The Service's own goroutines run
		// under labels of their own, not these.
		pprof.Do(ctx, pprof.Labels("phase", "recovery", "transfers", strconv.Itoa(max(target, base))), func(context.Context) {
			svc, err = ledger.Open(store, opts)
		})
		if err != nil {
			st.Close()
			return points, fmt.Errorf("recover: %w", err)
		}
		points[len(points)-1].Restart = time.Since(start)
		points[len(points)-1].Replayed = replayed
		var count int
		svc.View(func(e *ledger.Engine) { count = e.TransfersCount() })
		if want := int(sent.Load()) - failing.count(uint64(sent.Load())); count != want {
			svc.Close()
			st.Close()
			return points, fmt.Errorf("recovered %d transfers, sent %d", count, want)
		}
		last, lastTime = int(sent.Load()), time.Now()
	}
	bar.done()
	svc.Close()
	st.Close()
	return points, nil
}

// sendUntilSnapshotDue sends batches one at a time until the next periodic
// snapshot is at most two batches away. A distance of a whole interval or
// more means one is being written (the applier writes it after answering):
// it goes on until that one is saved.
func sendUntilSnapshotDue(ctx context.Context, svc *ledger.Service, ks *killSwitch, accs []ledger.Account, size, interval int, sent *atomic.Int64, failing failingTransfers) error {
	rub := money.MustCode("RUB")
	batch := make([]ledger.Transfer, size)
	for {
		d := int(ks.LastSeq()-ks.snapshot.Load()) * size
		if d >= interval-2*size && d < interval {
			return nil
		}
		first := sent.Add(int64(size)) - int64(size)
		for i := range batch {
			d := (int(first) + i) % len(accs)
			batch[i] = ledger.Transfer{ID: ledger.IDFromUint64(1<<50 | uint64(first) + uint64(i) + 1),
				DebitAccountID: accs[d].ID, CreditAccountID: accs[(d+1)%len(accs)].ID,
				Amount: money.NewAmount(1), Currency: rub, Code: 1}
			failing.apply(&batch[i], uint64(first)+uint64(i)+1)
		}
		res, err := svc.CreateTransfers(ctx, batch)
		if want := failing.count(uint64(first)+uint64(size)) - failing.count(uint64(first)); err == nil && countFailed(res) != want {
			err = fmt.Errorf("%d transfers failed, not %d", countFailed(res), want)
		}
		if err != nil {
			return err
		}
	}
}

// failingTransfers makes the transfers whose number every divides fail:
// they debit from, an account that holds nothing and may not go below
// zero. Its zero value makes none fail.
type failingTransfers struct {
	every int
	from  ledger.ID
}

// apply makes t, the nth transfer, one that fails if n is one of those.
func (f failingTransfers) apply(t *ledger.Transfer, n uint64) {
	if f.every > 0 && n%uint64(f.every) == 0 {
		t.DebitAccountID = f.from
	}
}

// count returns how many of the transfers 1 to n fail.
func (f failingTransfers) count(n uint64) int {
	if f.every <= 0 {
		return 0
	}
	return int(n / uint64(f.every))
}

// historyID is the id of the history run's nth transfer.
func historyID(n uint64) ledger.ID { return ledger.IDFromUint64(1<<50 | n) }

// sendTransfers sends transfers to svc from clients goroutines, each
// taking the next batch of size by sent until sent reaches target: pairs
// of accs drawn at random, amounts of 1 to 1024 minor units, the nth
// transfer of the run with the id id(n). step, if not nil, is called
// after each batch. It returns the first error.
func sendTransfers(ctx context.Context, svc *ledger.Service, accs []ledger.Account, sent *atomic.Int64, target, clients, size int, id func(uint64) ledger.ID, failing failingTransfers, step func()) error {
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := uint64(c+1) * 0x9e3779b97f4a7c15
			batch := make([]ledger.Transfer, size)
			for {
				first := sent.Add(int64(size)) - int64(size)
				if first >= int64(target) {
					return
				}
				b := batch[:min(size, target-int(first))]
				for i := range b {
					r = r*6364136223846793005 + 1442695040888963407
					d := int(r>>33) % len(accs)
					cr := (d + 1 + int(r>>13)%(len(accs)-1)) % len(accs)
					b[i] = ledger.Transfer{ID: id(uint64(first) + uint64(i) + 1), DebitAccountID: accs[d].ID, CreditAccountID: accs[cr].ID,
						Amount: money.NewAmount(1 + r>>54), Currency: accs[d].Currency, Code: 1}
					failing.apply(&b[i], uint64(first)+uint64(i)+1)
				}
				res, err := svc.CreateTransfers(ctx, b)
				if want := failing.count(uint64(first)+uint64(len(b))) - failing.count(uint64(first)); err == nil && countFailed(res) != want {
					err = fmt.Errorf("%d transfers failed, not %d", countFailed(res), want)
				}
				if err != nil {
					errs <- err
					return
				}
				if step != nil {
					step()
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// perSecond returns n events over d as whole events a second.
func perSecond(n int, d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(n) * int64(time.Second) / int64(d)
}

// WriteHistoryTable prints the points as a table.
func WriteHistoryTable(w io.Writer, points []HistoryPoint) {
	fmt.Fprintf(w, "%-10s %12s %10s %10s %14s %12s %12s %10s %10s\n", "mode", "transfers", "resident", "heap", "heap/M transf", "in memory", "transfers/s", "restart", "replayed")
	for _, p := range points {
		restart := ""
		if p.Restart > 0 {
			restart = p.Restart.Round(10 * time.Millisecond).String()
		}
		fmt.Fprintf(w, "%-10s %12d %9.0fM %9.0fM %13.1fM %12d %12d %10s %10d\n", p.Mode, p.Transfers,
			float64(p.Resident)/(1<<20), float64(p.HeapInuse)/(1<<20), float64(p.HeapInuse)/(1<<20)/(float64(p.Transfers)/1e6),
			p.InMemory, p.Rate, restart, p.Replayed)
	}
}
