package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
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
	Rate float64
	// Restart is how long recovery took from the files as a kill -9 at the
	// checkpoint leaves them (the last periodic snapshot and the entries
	// after it).
	Restart time.Duration
}

// noHistory hides a store's History, so that the engine keeps its whole
// history in memory, as it did before History.
type noHistory struct{ ledger.Store }

// killSwitch refuses snapshots once set: Close then leaves the files as a
// kill -9 would.
type killSwitch struct {
	ledger.Store
	history ledger.History
	killed  atomic.Bool
}

func (k *killSwitch) History() ledger.History { return k.history }

func (k *killSwitch) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if k.killed.Load() {
		return fmt.Errorf("bench: killed")
	}
	return k.Store.SaveSnapshot(seq, write)
}

// RunHistory runs the history benchmark and returns its points.
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
	svc, err := ledger.Open(store, ledger.ServiceOptions{})
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
		var wg sync.WaitGroup
		errs := make(chan error, cfg.Clients)
		for c := 0; c < cfg.Clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				r := uint64(c+1) * 0x9e3779b97f4a7c15
				batch := make([]ledger.Transfer, cfg.BatchSize)
				for {
					first := sent.Add(int64(cfg.BatchSize)) - int64(cfg.BatchSize)
					if first >= int64(target) {
						return
					}
					n := min(cfg.BatchSize, target-int(first))
					for i := range batch[:n] {
						r = r*6364136223846793005 + 1442695040888963407
						d := int(r>>33) % len(accs)
						cr := (d + 1 + int(r>>13)%(len(accs)-1)) % len(accs)
						batch[i] = ledger.Transfer{ID: ledger.IDFromUint64(1<<50 | uint64(first) + uint64(i) + 1),
							DebitAccountID: accs[d].ID, CreditAccountID: accs[cr].ID,
							Amount: money.NewAmount(1 + r>>54), Currency: rub, Code: 1}
					}
					res, err := svc.CreateTransfers(ctx, batch[:n])
					if err == nil && countFailed(res) > 0 {
						err = fmt.Errorf("%d transfers failed", countFailed(res))
					}
					if err != nil {
						errs <- err
						return
					}
					bar.step()
				}
			}(c)
		}
		wg.Wait()
		sent.Store(int64(target))
		select {
		case err := <-errs:
			svc.Close()
			st.Close()
			return points, err
		default:
		}
		now := time.Now()
		p := HistoryPoint{Mode: mode, Transfers: target, Rate: float64(target-last) / now.Sub(lastTime).Seconds()}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.HeapInuse = ms.HeapInuse
		p.Resident = uint64(residentBytes())
		svc.View(func(e *ledger.Engine) { p.InMemory = e.MemoryTransfersCount() })
		points = append(points, p)
		last, lastTime = target, time.Now()
	}
	bar.done()
	// A kill -9 now: no snapshot at the end; recovery reads the last
	// periodic one and replays the entries after it.
	ks := store.(*killSwitch)
	ks.killed.Store(true)
	svc.Close()
	ks.killed.Store(false)
	start := time.Now()
	svc, err = ledger.Open(store, ledger.ServiceOptions{SnapshotEventsInterval: -1})
	if err != nil {
		st.Close()
		return points, fmt.Errorf("recover: %w", err)
	}
	points[len(points)-1].Restart = time.Since(start)
	var count int
	svc.View(func(e *ledger.Engine) { count = e.TransfersCount() })
	svc.Close()
	st.Close()
	if count != checkpoints[len(checkpoints)-1] {
		return points, fmt.Errorf("recovered %d transfers, sent %d", count, checkpoints[len(checkpoints)-1])
	}
	return points, nil
}

// WriteHistoryTable prints the points as a table.
func WriteHistoryTable(w io.Writer, points []HistoryPoint) {
	fmt.Fprintf(w, "%-10s %12s %10s %10s %14s %12s %12s %10s\n", "mode", "transfers", "resident", "heap", "heap/M transf", "in memory", "transfers/s", "restart")
	for _, p := range points {
		restart := ""
		if p.Restart > 0 {
			restart = p.Restart.Round(10 * time.Millisecond).String()
		}
		fmt.Fprintf(w, "%-10s %12d %9.0fM %9.0fM %13.1fM %12d %12.0f %10s\n", p.Mode, p.Transfers,
			float64(p.Resident)/(1<<20), float64(p.HeapInuse)/(1<<20), float64(p.HeapInuse)/(1<<20)/(float64(p.Transfers)/1e6),
			p.InMemory, p.Rate, restart)
	}
}
