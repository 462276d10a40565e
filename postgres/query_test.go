package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
	"astara/ledger"
	"astara/ledger/storetest"
	"astara/money"
)

// A row of the query tables is never replaced by one of an earlier entry
// (a standby's catch-up writing what the leader wrote since), and the
// position never moves back.
func TestQueryRowsNeverGoBack(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	st := mustOpen(t, mustDatabase(t, c))
	rub := money.MustCode("RUB")
	acc := ledger.Account{ID: ledger.IDFromUint64(1), Currency: rub, Code: 1}
	tr := ledger.HistoryTransfer{Transfer: ledger.Transfer{ID: ledger.IDFromUint64(9), DebitAccountID: acc.ID,
		CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(5), Currency: rub, Code: 1,
		Flags: ledger.TransferPending}, State: ledger.PendingPosted}
	newer := acc
	newer.CreditsPosted = money.NewAmount(5)
	rec := ledger.Record{Key: []byte("p1"), Value: []byte(`{"v":2}`)}
	if err := st.AppendQuery(nil, []*ledger.QueryDelta{{Through: 10, Accounts: []ledger.Account{newer},
		Transfers: []ledger.HistoryTransfer{tr}, Records: []ledger.Record{rec}}}); err != nil {
		t.Fatal(err)
	}
	older := tr
	older.State = ledger.PendingOpen
	if err := st.AppendQuery(nil, []*ledger.QueryDelta{{Through: 5, Accounts: []ledger.Account{acc},
		Transfers: []ledger.HistoryTransfer{older}, Records: []ledger.Record{{Key: rec.Key, Value: []byte(`{"v":1}`)}}}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got.Through != 10 || len(got.Accounts) != 1 || got.Accounts[0] != newer || len(got.Transfers) != 1 || got.Transfers[0] != tr ||
		len(got.Records) != 1 || string(got.Records[0].Value) != `{"v":2}` {
		t.Errorf("after a write of entry 5 over one of entry 10: %+v", got)
	}
	// In one write, the later of two rows of a key wins.
	if err := st.AppendQuery(nil, []*ledger.QueryDelta{
		{Through: 11, Transfers: []ledger.HistoryTransfer{older}},
		{Through: 12, Transfers: []ledger.HistoryTransfer{tr}},
	}); err != nil {
		t.Fatal(err)
	}
	if got, err = st.ReadQuery(); err != nil || got.Through != 12 || got.Transfers[0] != tr {
		t.Errorf("two rows of a key in one write: %+v, %v", got, err)
	}
}

// Query tables behind the latest snapshot (a database from before they
// existed, or filled by migrate-store) are filled at start by replaying
// the whole journal, and the node goes on from there.
func TestQueryTablesFilledAtStart(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	rub := money.MustCode("RUB")
	opts := ledger.ServiceOptions{Engine: ledger.Options{HotTransfers: 16}, SnapshotEventsInterval: 50}
	svc := storetest.MustOpenService(t, st, opts)
	storetest.MustCreateAccounts(t, svc, []ledger.Account{
		{ID: ledger.IDFromUint64(1), Currency: rub, Code: 1},
		{ID: ledger.IDFromUint64(2), Currency: rub, Code: 1, Flags: ledger.AccountHistory},
	})
	next := uint64(100)
	send := func(svc *ledger.Service, n int) {
		for range n {
			var batch []ledger.Transfer
			for range 7 {
				batch = append(batch, ledger.Transfer{ID: ledger.IDFromUint64(next), DebitAccountID: ledger.IDFromUint64(1),
					CreditAccountID: ledger.IDFromUint64(2), Amount: money.NewAmount(next), Currency: rub, Code: 1})
				next++
			}
			storetest.MustCreateTransfers(t, svc, batch)
		}
	}
	send(svc, 30)
	svc.Close()
	if seq, _, ok := storetest.MustLoadSnapshot(t, st); !ok || seq < 10 {
		t.Fatalf("no snapshot to start from (%d, %v)", seq, ok)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `TRUNCATE query_accounts, query_transfers, query_balances, query_records;
		UPDATE query_position SET seq = 0`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st = mustOpen(t, dsn)
	svc = storetest.MustOpenService(t, st, opts)
	send(svc, 5)
	svc.Close()
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got.Through != st.LastSeq() || len(got.Transfers) != 35*7 {
		t.Fatalf("query tables at entry %d with %d transfers, want %d with %d", got.Through, len(got.Transfers), st.LastSeq(), 35*7)
	}
	storetest.CheckQueryReads(t, storetest.MustReplay(t, st, 0), func() ledger.Machine { return ledger.NewEngineMachine(ledger.Options{}) },
		[]*ledger.QueryDelta{got})
}
