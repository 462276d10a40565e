package storetest_test

import (
	"slices"
	"sync"
	"testing"

	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

// The suite holds for the reference store in memory, so that a backend
// that fails it has a bug of its own, not the suite.
func TestMemStore(t *testing.T) {
	var mu sync.Mutex
	stores := make(map[*testing.T]*storetest.MemStore)
	storetest.Run(t, func(t *testing.T) ledger.Store {
		mu.Lock()
		defer mu.Unlock()
		st, ok := stores[t]
		if !ok {
			st = &storetest.MemStore{}
			stores[t] = st
		}
		return st
	})
}

// The suite holds for the query tables' reference in memory too (the
// query tables' test runs on it).
func TestMemQueryStore(t *testing.T) {
	var mu sync.Mutex
	stores := make(map[*testing.T]*storetest.MemQueryStore)
	storetest.Run(t, func(t *testing.T) ledger.Store {
		mu.Lock()
		defer mu.Unlock()
		st, ok := stores[t]
		if !ok {
			st = &storetest.MemQueryStore{}
			stores[t] = st
		}
		return st
	})
}

// A replay writes the query tables' rows in chunks of about
// QueryChunkRows, not all of its entries' rows at once: entries of
// thousands of transfers would otherwise hold millions of rows.
func TestQueryReplayWritesInChunks(t *testing.T) {
	st := &storetest.MemQueryStore{}
	opts := ledger.ServiceOptions{SnapshotEventsInterval: -1}
	svc := storetest.MustOpenService(t, st, opts)
	rub := money.MustCode("RUB")
	storetest.MustCreateAccounts(t, svc, []ledger.Account{
		{ID: ledger.IDFromUint64(1), Currency: rub, Code: 1},
		{ID: ledger.IDFromUint64(2), Currency: rub, Code: 1},
	})
	const batches, size = 12, ledger.BatchEventsMax
	next := uint64(1000)
	for range batches {
		batch := make([]ledger.Transfer, size)
		for i := range batch {
			batch[i] = ledger.Transfer{ID: ledger.IDFromUint64(next), DebitAccountID: ledger.IDFromUint64(1),
				CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(1), Currency: rub, Code: 1}
			next++
		}
		storetest.MustCreateTransfers(t, svc, batch)
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
