package storetest

import (
	"bytes"
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
	svc = MustOpenService(t, st, ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: hot}})
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
