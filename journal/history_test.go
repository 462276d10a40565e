package journal_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

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
	out := randomTransfers(w.r, w.next, 20+w.r.IntN(40), 4)
	w.next += uint64(len(out))
	for i := range out {
		if out[i].Flags&ledger.TransferPending != 0 {
			out[i].TimeoutSeconds = uint32(w.r.IntN(2)) // 0 or 1 s
			w.pending = append(w.pending, out[i].ID)
		}
	}
	for range w.r.IntN(4) {
		if len(w.pending) == 0 {
			break
		}
		p := w.pending[0]
		w.pending = w.pending[1:]
		flag := ledger.TransferPostPending
		if w.r.IntN(2) == 0 {
			flag = ledger.TransferVoidPending
		}
		out = append(out, ledger.Transfer{ID: id(w.next), PendingID: p, Flags: flag})
		w.next++
	}
	if len(w.sent) > 0 {
		// A retry of a transfer sent long ago: by now it is in History.
		out = append(out, w.sent[w.r.IntN(len(w.sent))])
	}
	w.sent = append(w.sent, out...)
	return out
}

// TestHistoryReadsBackAfterRestartAndSnapshot runs a Service with a tiny
// hot window, so that history moves out of memory between batches, and
// checks every transfer and every balance, read back through the engine
// after a snapshot and a restart, against an engine that kept everything
// in memory and replayed the same journal.
func TestHistoryReadsBackAfterRestartAndSnapshot(t *testing.T) {
	fs := vfs.NewMem()
	st := MustOpen(t, fs, "j")
	const hot = 64
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	opts := ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: hot}, SnapshotEventsInterval: 900, Clock: clock}
	svc := storetest.MustOpenService(t, st, opts)
	storetest.MustCreateAccounts(t, svc, ledgerAccounts(4))
	storetest.MustCreateTransfers(t, svc, []ledger.Transfer{{ID: id(1), DebitAccountID: id(1), CreditAccountID: id(2),
		Amount: money.NewAmount(1_000_000_000), Currency: rub, Code: 1}})
	w := &historyWorkload{r: rand.New(rand.NewPCG(9, 9)), next: 1000}
	peak := 0
	for range 120 {
		storetest.MustCreateTransfers(t, svc, w.batch())
		clock.Advance(300 * time.Millisecond) // pending transfers expire on the way
		svc.View(func(e *ledger.Engine) { peak = max(peak, e.MemoryTransfersCount()-e.OpenPendingCount()) })
	}
	var total int
	svc.View(func(e *ledger.Engine) { total = e.TransfersCount() })
	// The window, the chunk being filled and what is applied while a
	// move is written: far fewer than all.
	if limit := total / 4; peak > limit {
		t.Errorf("up to %d closed transfers in memory of %d, want at most %d", peak, total, limit)
	}
	t.Logf("%d transfers, at most %d closed ones in memory", total, peak)
	live := storetest.State(t, svc)
	svc.Close()
	moved := 0
	if err := st.History().ScanTransfers(func(ledger.HistoryTransfer) bool { moved++; return true }); err != nil {
		t.Fatal(err)
	}
	if moved < total-hot-200 {
		t.Errorf("%d transfers in History of %d", moved, total)
	}

	// The reference: everything in memory, replayed from the first entry.
	full := engineAfter(t, storetest.MustReplay(t, st, 0))
	MustClose(t, st)
	st = MustOpen(t, fs, "j")
	defer MustClose(t, st)
	svc = storetest.MustOpenService(t, st, ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: hot}})
	defer svc.Close()
	if got := storetest.State(t, svc); !bytes.Equal(got, live) || !bytes.Equal(got, engineState(t, full)) {
		t.Fatalf("state after the restart differs from the state before it or from a full replay")
	}
	svc.View(func(e *ledger.Engine) {
		if n := e.MemoryTransfersCount(); n != e.OpenPendingCount() {
			t.Errorf("%d transfers in memory after a restart from a snapshot, want only the %d open pending", n, e.OpenPendingCount())
		}
		for _, x := range append(w.sent, ledger.Transfer{ID: id(1)}) {
			gt, gs, gok := e.LookupTransfer(x.ID)
			wt, ws, wok := full.LookupTransfer(x.ID)
			if gt != wt || gs != ws || gok != wok {
				t.Fatalf("transfer %s: got %+v %s %t, want %+v %s %t", x.ID, gt, gs, gok, wt, ws, wok)
			}
		}
		for i := range 4 {
			a := id(uint64(i + 1))
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
	// A retry of every batch sent answers exists (or what it answered
	// the first time) from History, as from memory.
	res := storetest.MustCreateTransfers(t, svc, w.sent[:50])
	for i, r := range res {
		if r != ledger.ResultExists && r != ledger.ResultPendingTransferAlreadyPosted && r != ledger.ResultPendingTransferAlreadyVoided && r != ledger.ResultPendingTransferExpired && !r.Transient() && r != ledger.ResultIDAlreadyFailed {
			t.Errorf("retry of %s answered %s", w.sent[i].ID, r)
		}
	}
	if rep := MustVerify(t, st); !rep.SnapshotOK {
		t.Errorf("Verify() = %+v, want its snapshot to match replay", rep)
	}
}
