package storetest

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"astara/ledger"
)

// testQueryTables runs a Service with pending transfers posted, voided and
// expiring, snapshots, history moving out of memory, while a reader reads
// the query tables over and over; every read must be the state after the
// entry it names (replayed from the journal), never a mix. Then the node
// restarts and goes on; and a standby follows it and takes over. A store
// without query tables skips it.
func testQueryTables(t *testing.T, h *Harness) {
	st := h.Store()
	if _, ok := st.(ledger.QueryReader); !ok {
		t.Skip("the store keeps no query tables")
	}
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	opts := ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: 64}, SnapshotEventsInterval: 900, Clock: clock}
	w := &historyWorkload{r: rand.New(rand.NewPCG(3, 3)), next: 1000}
	var reads []*ledger.QueryDelta
	run := func(svc *ledger.Service, batches int) {
		t.Helper()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := st.(ledger.QueryReader).ReadQuery()
				if err != nil {
					t.Errorf("ReadQuery: %v", err)
					return
				}
				reads = append(reads, d)
			}
		})
		for range batches {
			MustCreateTransfers(t, svc, w.batch())
			clock.advance(300 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
	}
	svc := MustOpenService(t, st, opts)
	MustCreateAccounts(t, svc, []ledger.Account{
		{ID: id(1), Currency: rub, Code: 1},
		{ID: id(2), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
		{ID: id(3), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
	})
	run(svc, 40)
	svc.Close()
	final := mustReadQuery(t, st)
	if final.Through != st.LastSeq() {
		t.Errorf("after Close the query tables hold entry %d, want the last, %d", final.Through, st.LastSeq())
	}

	// A restart: recovery replays from the last snapshot, which the
	// tables are past; they must not go back, and go on from there.
	st = h.Reopen()
	if got := mustReadQuery(t, st); got.Through != final.Through {
		t.Errorf("after a restart the query tables hold entry %d, want %d", got.Through, final.Through)
	}
	svc = MustOpenService(t, st, opts)
	run(svc, 20)

	// A standby follows and takes over.
	f, err := ledger.Follow(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	run(svc, 10)
	if _, err := f.CatchUp(); err != nil {
		t.Fatal(err)
	}
	run(svc, 10)
	svc.Close()
	svc, _, err = f.Open()
	if err != nil {
		t.Fatal(err)
	}
	run(svc, 10)
	svc.Close()
	final = mustReadQuery(t, st)
	if final.Through != st.LastSeq() {
		t.Errorf("after the takeover the query tables hold entry %d, want the last, %d", final.Through, st.LastSeq())
	}
	reads = append(reads, final)
	CheckQueryReads(t, MustReplay(t, st, 0), func() ledger.Machine { return ledger.NewEngineMachine(ledger.Options{}) }, reads)
	if len(reads) < 10 {
		t.Errorf("only %d reads of the query tables while the load ran", len(reads))
	}
}

func mustReadQuery(tb testing.TB, st ledger.Store) *ledger.QueryDelta {
	tb.Helper()
	d, err := st.(ledger.QueryReader).ReadQuery()
	if err != nil {
		tb.Fatalf("ReadQuery: %v", err)
	}
	return d
}

// CheckQueryReads replays entries into a machine newMachine makes and
// checks that each read of query tables is exactly the state after the
// entry it names.
func CheckQueryReads(tb testing.TB, entries []ledger.Entry, newMachine func() ledger.Machine, reads []*ledger.QueryDelta) {
	tb.Helper()
	reads = slices.Clone(reads)
	slices.SortStableFunc(reads, func(a, b *ledger.QueryDelta) int { return cmp.Compare(a.Through, b.Through) })
	m := newMachine()
	next := 0
	for k, r := range reads {
		for next < len(entries) && entries[next].Seq <= r.Through {
			if _, err := m.Apply(entries[next], nil); err != nil {
				tb.Fatalf("replay entry %d: %v", entries[next].Seq, err)
			}
			next++
		}
		if next > 0 && entries[next-1].Seq != r.Through && r.Through != 0 {
			tb.Fatalf("read %d names entry %d, past the journal", k, r.Through)
		}
		if diff := diffQuery(ledger.QueryState(m, r.Through), r); diff != "" {
			tb.Fatalf("read %d of %d, at entry %d, is not the state after it: %s", k+1, len(reads), r.Through, diff)
		}
	}
}

// diffQuery describes the first difference between two sets of rows.
func diffQuery(want, got *ledger.QueryDelta) string {
	slices.SortFunc(want.Accounts, func(a, b ledger.Account) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	slices.SortFunc(got.Accounts, func(a, b ledger.Account) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	slices.SortFunc(want.Transfers, func(a, b ledger.HistoryTransfer) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	slices.SortFunc(got.Transfers, func(a, b ledger.HistoryTransfer) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	byBalance := func(a, b ledger.AccountBalance) int {
		return cmp.Or(bytes.Compare(a.Account[:], b.Account[:]), cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.Index, b.Index))
	}
	slices.SortFunc(want.Balances, byBalance)
	slices.SortFunc(got.Balances, byBalance)
	slices.SortFunc(want.Records, func(a, b ledger.Record) int { return bytes.Compare(a.Key, b.Key) })
	slices.SortFunc(got.Records, func(a, b ledger.Record) int { return bytes.Compare(a.Key, b.Key) })
	if d := diffRows("account", want.Accounts, got.Accounts, func(a, b ledger.Account) bool { return a == b }); d != "" {
		return d
	}
	if d := diffRows("transfer", want.Transfers, got.Transfers, func(a, b ledger.HistoryTransfer) bool { return a == b }); d != "" {
		return d
	}
	if d := diffRows("balance", want.Balances, got.Balances, func(a, b ledger.AccountBalance) bool { return a == b }); d != "" {
		return d
	}
	return diffRows("record", want.Records, got.Records, func(a, b ledger.Record) bool {
		return bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Value, b.Value)
	})
}

func diffRows[T any](what string, want, got []T, equal func(a, b T) bool) string {
	for i := range min(len(want), len(got)) {
		if !equal(want[i], got[i]) {
			return fmt.Sprintf("%s %d of %d: got %+v, want %+v", what, i+1, len(want), got[i], want[i])
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d %ss, want %d", len(got), what, len(want))
	}
	return ""
}
