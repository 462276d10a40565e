package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"astara/ledger"
)

// hideHistory is a store seen without its History, as a node that kept
// its whole history in memory saw it.
type hideHistory struct{ ledger.Store }

// testFilterScheme checks that the id filter's scheme is the store's: a
// new store starts the current one, and its snapshots, before and after a
// restart, are of the version that carries it (4); a store that an older
// node filled, keeping its history in memory, keeps the zero scheme when
// it moves its history out, and its snapshots stay version 3, as that
// node's would have been. Verify, which replays from the first entry,
// rebuilds the same filter bit for bit in both.
func testFilterScheme(t *testing.T, h *Harness, upgraded bool) {
	if HistoryOf(h.Store()) == nil {
		t.Skip("the store keeps no history: no id filter")
	}
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	opts := ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: 32}, SnapshotEventsInterval: 400, Clock: clock}
	w := &historyWorkload{r: rand.New(rand.NewPCG(4, 4)), next: 1000}
	run := func(st ledger.Store, batches int) {
		svc := MustOpenService(t, st, opts)
		if w.next == 1000 {
			MustCreateAccounts(t, svc, []ledger.Account{
				{ID: id(1), Currency: rub, Code: 1},
				{ID: id(2), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
				{ID: id(3), Currency: rub, Code: 1},
			})
		}
		for range batches {
			MustCreateTransfers(t, svc, w.batch())
			clock.advance(300 * time.Millisecond)
		}
		svc.Close()
	}
	version := func() byte {
		_, snap, ok := MustLoadSnapshot(t, h.Store())
		v, isLedger := ledger.SnapshotVersion(snap)
		if !ok || !isLedger {
			t.Fatalf("no ledger snapshot in the store (%d bytes)", len(snap))
		}
		return v
	}
	want := byte(4)
	if upgraded {
		run(hideHistory{h.Store()}, 20)
		if v := version(); v > 2 {
			t.Fatalf("a node without history wrote a snapshot of version %d", v)
		}
		want = 3
	}
	run(h.Store(), 20)
	if v := version(); v != want {
		t.Fatalf("snapshot of version %d, want %d", v, want)
	}
	run(h.Reopen(), 20)
	if v := version(); v != want {
		t.Fatalf("after a restart: snapshot of version %d, want %d", v, want)
	}
	if v, ok := h.Store().(verifier); ok {
		rep, err := v.VerifyMachine(ledger.NewEngineMachine(ledger.Options{HotTransfers: 32}))
		if err != nil || !rep.SnapshotOK || !rep.TotalsBalanced {
			t.Errorf("VerifyMachine() = %+v, %v; want a clean report", rep, err)
		}
	}
}
