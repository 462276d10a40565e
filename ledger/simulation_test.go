package ledger_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"astara/ledger"
	"astara/money"
)

var (
	seedFlag    = flag.Uint64("seed", 0, "seed of the ledger simulation (0: a new one each run)")
	batchesFlag = flag.Int("batches", 0, "batches per simulation run (0: the default for -short or not)")
)

// simulationSeed returns the seed to run: -seed, or one from the clock.
func simulationSeed() uint64 {
	if *seedFlag != 0 {
		return *seedFlag
	}
	return uint64(time.Now().UnixNano())
}

// simulationRun is one engine driven alongside the model.
type simulationRun struct {
	e      *ledger.Engine
	m      *model
	w      *workload
	opts   ledger.Options
	shadow *ledger.Engine // restored from a snapshot of e; must follow it exactly
	// history, when set, keeps what e and shadow move out of memory; both
	// write to it, and it refuses a record written twice with other
	// content, so a shadow that diverges in what it moves is caught too.
	history *ledger.MemoryHistory
	// inflight is a move of e's prepared some batches ago and not yet
	// written, as the Service's writer leaves it while batches go on.
	inflight *ledger.HistoryMove

	batches int
}

// snapshotEveryBatches is how often the simulation restores a shadow
// engine from a snapshot and checks that it followed the engine exactly.
const snapshotEveryBatches = 40

func newSimulationRun(r source, openPendingMax int) *simulationRun {
	m := newModel(openPendingMax)
	opts := ledger.Options{OpenPendingTransfersMax: openPendingMax}
	return &simulationRun{e: ledger.New(opts), m: m, w: newWorkload(r, m), opts: opts}
}

// newHistorySimulationRun is a run whose engines keep only hotTransfers
// recent transfers in memory and move the rest to a History after every
// batch: the answers must be the same as with everything in memory.
func newHistorySimulationRun(r source, openPendingMax, hotTransfers int) *simulationRun {
	s := newSimulationRun(r, openPendingMax)
	s.opts.HotTransfers = hotTransfers
	s.e = ledger.New(s.opts)
	s.history = ledger.NewMemoryHistory()
	// Half the runs start with the filter scheme of a new store, half
	// with that of a store older than schemes.
	if r.IntN(2) == 0 {
		if err := ledger.StartIDFilterScheme(s.history); err != nil {
			panic(err)
		}
	}
	if err := s.e.SetHistory(s.history); err != nil {
		panic(err)
	}
	return s
}

func (s *simulationRun) moveHistory(tb testing.TB, e *ledger.Engine, all bool) {
	tb.Helper()
	if e == nil || s.history == nil || !(all || e.HistoryDue()) {
		return
	}
	if _, err := e.MoveHistory(all); err != nil {
		tb.Fatalf("batch %d: move history: %v", s.batches, err)
	}
}

// stepHistory moves e's history the way the Service does: prepared
// between batches, written and dropped one or more batches later, or at
// once when finish is set.
func (s *simulationRun) stepHistory(tb testing.TB, r source, finish bool) {
	tb.Helper()
	if s.history == nil {
		return
	}
	if s.inflight != nil && (finish || r.IntN(3) == 0) {
		if err := s.inflight.Write(s.history); err != nil {
			tb.Fatalf("batch %d: write history: %v", s.batches, err)
		}
		s.e.DropHistory(s.inflight)
		s.inflight = nil
	}
	if s.inflight == nil && !finish && s.e.HistoryDue() {
		s.inflight = s.e.PrepareHistory(false)
	}
}

// step makes one batch, applies it to the engine, the model and the
// shadow, and compares them.
func (s *simulationRun) step(tb testing.TB) {
	tb.Helper()
	b := s.w.next()
	s.batches++
	got := b.apply(s.e)
	want := b.applyModel(s.m)
	if err := compareResults(&b, got, want); err != nil {
		tb.Fatalf("batch %d: %v", s.batches, err)
	}
	full := s.batches%snapshotEveryBatches == 0
	if err := compareEngine(s.e, s.m, &b, full); err != nil {
		tb.Fatalf("batch %d: %v", s.batches, err)
	}
	if s.shadow != nil {
		if shadow := b.apply(s.shadow); !slices.Equal(shadow, got) {
			tb.Fatalf("batch %d: restored engine answered %v, the engine %v", s.batches, shadow, got)
		}
	}
	s.stepHistory(tb, s.w.r, full)
	s.moveHistory(tb, s.shadow, false)
	if full {
		// A snapshot leaves out what is in the History: all of it goes
		// there first, as the Service does.
		s.moveHistory(tb, s.e, true)
		snap := MustSnapshot(tb, s.e)
		if s.shadow != nil {
			if shadow := MustSnapshot(tb, s.shadow); !bytes.Equal(shadow, snap) {
				tb.Fatalf("batch %d: the engine restored %d batches ago diverged: snapshot of %d bytes, the engine's %d", s.batches, snapshotEveryBatches, len(shadow), len(snap))
			}
		}
		s.shadow = MustRestore(tb, snap, s.opts)
		if s.history != nil {
			if err := s.shadow.SetHistory(s.history); err != nil {
				tb.Fatal(err)
			}
		}
		if again := MustSnapshot(tb, s.shadow); !bytes.Equal(again, snap) {
			tb.Fatalf("batch %d: snapshot of the restored engine differs from the snapshot it was restored from", s.batches)
		}
		if err := compareEngine(s.shadow, s.m, &b, true); err != nil {
			tb.Fatalf("batch %d: restored engine: %v", s.batches, err)
		}
	}
}

func compareResults(b *batch, got, want []ledger.Result) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d results, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			var ev any
			if b.kind == batchAccounts {
				ev = b.accounts[i]
			} else {
				ev = b.transfers[i]
			}
			return fmt.Errorf("event %d of %d: got %s, want %s\nevent: %+v\nall got:  %v\nall want: %v", i, b.len(), got[i], want[i], ev, got, want)
		}
	}
	return nil
}

// compareEngine checks the engine's state against the model's: every
// account, every pending transfer and its state, the transfers the batch
// named (every transfer when full), the histories (their last entries
// unless full), the totals, the next expiry, and Verify.
func compareEngine(e *ledger.Engine, m *model, b *batch, full bool) error {
	if got, want := e.LastTimestamp(), m.lastTimestamp; got != want {
		return fmt.Errorf("last timestamp: got %d, want %d", got, want)
	}
	if got, want := e.AccountsCount(), len(m.accountOrder); got != want {
		return fmt.Errorf("accounts: got %d, want %d", got, want)
	}
	var err error
	e.Accounts(0, func(i int, a *ledger.Account) bool {
		if want := m.accounts[m.accountOrder[i]].Account; *a != want {
			err = fmt.Errorf("account %d:\ngot  %+v\nwant %+v", i, *a, want)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if got, want := e.TransfersCount(), len(m.transferOrder); got != want {
		return fmt.Errorf("transfers: got %d, want %d", got, want)
	}
	if got, want := e.OpenPendingCount(), m.openPending(); got != want {
		return fmt.Errorf("open pending transfers: got %d, want %d", got, want)
	}
	check := func(id ledger.ID) error {
		t, state, ok := e.LookupTransfer(id)
		x, wantOK := m.transfers[id]
		switch {
		case ok != wantOK:
			return fmt.Errorf("transfer %s: got found=%t, want %t", id, ok, wantOK)
		case !ok:
			return nil
		case t != x.Transfer || state != x.state:
			return fmt.Errorf("transfer %s:\ngot  %+v %s\nwant %+v %s", id, t, state, x.Transfer, x.state)
		}
		return nil
	}
	if full {
		for _, id := range m.transferOrder {
			if err := check(id); err != nil {
				return err
			}
		}
	} else {
		for i := range b.transfers {
			if err := check(b.transfers[i].ID); err != nil {
				return err
			}
			if err := check(b.transfers[i].PendingID); err != nil {
				return err
			}
		}
		// Every pending state: open, posted, voided or expired.
		for _, id := range m.transferOrder {
			if m.transfers[id].Flags&ledger.TransferPending == 0 {
				continue
			}
			if err := check(id); err != nil {
				return err
			}
		}
	}
	for _, id := range m.accountOrder {
		a := m.accounts[id]
		if a.Flags&ledger.AccountHistory == 0 {
			continue
		}
		want := a.history
		after := uint64(0)
		if !full && len(want) > 4 {
			after = want[len(want)-5].Timestamp
			for len(want) > 0 && want[0].Timestamp <= after {
				want = want[1:]
			}
		}
		got, _ := e.AccountBalances(id, after, 1<<30)
		if !slices.Equal(got, want) {
			return fmt.Errorf("history of %s after %d:\ngot  %+v\nwant %+v", id, after, got, want)
		}
	}
	gotTotals := e.Totals()
	if want := m.totals(); !mapsEqual(gotTotals, want) {
		return fmt.Errorf("totals:\ngot  %v\nwant %v", gotTotals, want)
	}
	gotAt, gotOK := e.NextExpiry()
	wantAt, wantOK := m.nextExpiry()
	if gotAt != wantAt || gotOK != wantOK {
		return fmt.Errorf("next expiry: got %d %t, want %d %t", gotAt, gotOK, wantAt, wantOK)
	}
	if err := e.Verify(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

func mapsEqual(a, b map[money.Code]ledger.Totals) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestSimulation drives the engine and the model with seeded random
// batches and compares them after every batch (STYLE rule 10). A failure
// prints its seed; `go test -run TestSimulation -seed N` replays it.
func TestSimulation(t *testing.T) {
	runs, batches := 12, 1500
	if testing.Short() {
		runs, batches = 4, 300
	}
	if *batchesFlag > 0 {
		batches = *batchesFlag
	}
	base := simulationSeed()
	if *seedFlag != 0 {
		runs = 1
	}
	for run := range runs {
		seed := base + uint64(run)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 0x5eed))
			openMax := 0
			if r.IntN(4) == 0 {
				openMax = 1 + r.IntN(40) // small: the limit is hit often
			}
			s := newSimulationRun(r, openMax)
			if run%2 == 1 {
				s = newHistorySimulationRun(r, openMax, 1+r.IntN(64))
			}
			defer func() {
				if t.Failed() {
					t.Logf("replay with: go test ./ledger -run 'TestSimulation' -seed %d", seed)
				}
			}()
			for range batches {
				s.step(t)
				if t.Failed() {
					return
				}
			}
			if s.history != nil {
				// The run is only worth its name if history did move.
				if moved, _ := s.history.Len(); moved == 0 && s.e.TransfersCount() > 200 {
					t.Fatalf("%d transfers and none moved to history", s.e.TransfersCount())
				}
			}
		})
	}
}

// TestDeterminism applies the same batches to two engines and checks
// that their results and snapshots are byte for byte the same.
func TestDeterminism(t *testing.T) {
	seed := simulationSeed()
	batches := 400
	if testing.Short() {
		batches = 150
	}
	r := rand.New(rand.NewPCG(seed, 0xd37))
	m := newModel(0)
	w := newWorkload(r, m)
	a, b := ledger.New(ledger.Options{}), ledger.New(ledger.Options{})
	for i := range batches {
		x := w.next()
		x.applyModel(m)
		ra, rb := x.apply(a), x.apply(b)
		if !slices.Equal(ra, rb) {
			t.Fatalf("seed %d batch %d: got %v, want %v", seed, i, rb, ra)
		}
		if i%50 == 49 || i == batches-1 {
			sa, sb := MustSnapshot(t, a), MustSnapshot(t, b)
			if !bytes.Equal(sb, sa) {
				t.Fatalf("seed %d batch %d: snapshots differ: got %d bytes, want %d", seed, i, len(sb), len(sa))
			}
		}
	}
}

// FuzzEngine reads a sequence of batches from the fuzzer's bytes, applies
// them to the engine and the model and compares them after each batch.
// The engine may panic only on a broken invariant, which is a failure.
//
// An input runs for a millisecond or more, so minimizing each new
// interesting input takes the fuzzer's default minute; fuzz with
//
//	go test ./ledger -run '^$' -fuzz '^FuzzEngine$' -fuzzminimizetime 1s
func FuzzEngine(f *testing.F) {
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 0xf022))
		b := make([]byte, 512+r.IntN(4096))
		for i := range b {
			b[i] = byte(r.Uint64())
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &byteSource{b: data}
		openMax := int(src.byte() % 65) // 0: the default limit
		s := newSimulationRun(src, openMax)
		if hot := int(src.byte()); hot%2 == 1 {
			s = newHistorySimulationRun(src, openMax, hot/2)
		}
		s.w.eventsMax = 24
		for batches := 0; batches < 200 && !src.exhausted(); batches++ {
			s.step(t)
		}
	})
}
