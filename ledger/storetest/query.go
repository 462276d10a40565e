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

// MemQueryStore is MemStore with query tables in memory: the reference
// for ledger.QueryStore, with the same rules as PostgreSQL's (a row never
// replaced by one of an earlier entry, the position only forward), and a
// count of the writes.
type MemQueryStore struct {
	MemStore
	qmu       sync.Mutex // held by a write and a read of the tables, so reads see whole writes
	through   uint64
	accounts  map[ledger.ID]queryRow[ledger.Account]
	transfers map[ledger.ID]queryRow[ledger.HistoryTransfer]
	balances  map[balanceKey]ledger.AccountBalance
	records   map[string]queryRow[[]byte]
	// Writes counts AppendQuery calls with rows, and RowWrites the rows
	// of each.
	Writes    int
	RowWrites []int
	Clears    int // ClearQuery calls
}

type queryRow[T any] struct {
	row  T
	asOf uint64
}

type balanceKey struct {
	account ledger.ID
	ts      uint64
	index   uint32
}

var (
	_ ledger.QueryStore  = (*MemQueryStore)(nil)
	_ ledger.QueryReader = (*MemQueryStore)(nil)
)

// AppendQuery implements ledger.QueryStore.
func (m *MemQueryStore) AppendQuery(entries []ledger.Entry, deltas []*ledger.QueryDelta) error {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	if len(entries) > 0 {
		if err := m.MemStore.Append(entries); err != nil {
			return err
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	if m.accounts == nil {
		m.accounts = map[ledger.ID]queryRow[ledger.Account]{}
		m.transfers = map[ledger.ID]queryRow[ledger.HistoryTransfer]{}
		m.balances = map[balanceKey]ledger.AccountBalance{}
		m.records = map[string]queryRow[[]byte]{}
	}
	// The later of two rows of a key in one write wins, as of its
	// delta's entry; then a row replaces a stored one of an earlier entry
	// only.
	accounts := map[ledger.ID]queryRow[ledger.Account]{}
	transfers := map[ledger.ID]queryRow[ledger.HistoryTransfer]{}
	records := map[string]queryRow[[]byte]{}
	rows := 0
	for _, d := range deltas {
		for _, a := range d.Accounts {
			accounts[a.ID] = queryRow[ledger.Account]{a, d.Through}
		}
		for _, t := range d.Transfers {
			transfers[t.ID] = queryRow[ledger.HistoryTransfer]{t, d.Through}
		}
		for _, r := range d.Records {
			records[string(r.Key)] = queryRow[[]byte]{bytes.Clone(r.Value), d.Through}
		}
		for _, b := range d.Balances {
			k := balanceKey{b.Account, b.Timestamp, b.Index}
			if _, ok := m.balances[k]; !ok {
				m.balances[k] = b
			}
		}
		m.through = max(m.through, d.Through)
		rows += len(d.Accounts) + len(d.Transfers) + len(d.Balances) + len(d.Records)
	}
	for id, r := range accounts {
		if old, ok := m.accounts[id]; !ok || old.asOf < r.asOf {
			m.accounts[id] = r
		}
	}
	for id, r := range transfers {
		if old, ok := m.transfers[id]; !ok || old.asOf < r.asOf {
			m.transfers[id] = r
		}
	}
	for k, r := range records {
		if old, ok := m.records[k]; !ok || old.asOf < r.asOf {
			m.records[k] = r
		}
	}
	m.Writes++
	m.RowWrites = append(m.RowWrites, rows)
	return nil
}

// Append implements ledger.Store, ordered with AppendQuery.
func (m *MemQueryStore) Append(entries []ledger.Entry) error { return m.AppendQuery(entries, nil) }

// QueryThrough implements ledger.QueryStore.
func (m *MemQueryStore) QueryThrough() (uint64, error) {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	return m.through, nil
}

// ReadQuery implements ledger.QueryReader.
func (m *MemQueryStore) ReadQuery() (*ledger.QueryDelta, error) {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	d := &ledger.QueryDelta{Through: m.through}
	for _, r := range m.accounts {
		d.Accounts = append(d.Accounts, r.row)
	}
	for _, r := range m.transfers {
		d.Transfers = append(d.Transfers, r.row)
	}
	for _, b := range m.balances {
		d.Balances = append(d.Balances, b)
	}
	for k, r := range m.records {
		d.Records = append(d.Records, ledger.Record{Key: []byte(k), Value: r.row})
	}
	return d, nil
}

// ClearQuery implements ledger.QueryClearer.
func (m *MemQueryStore) ClearQuery() error {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	m.through, m.accounts, m.transfers, m.balances, m.records = 0, nil, nil, nil, nil
	m.Clears++
	return nil
}

// ResetQuery empties the tables, as a database from before they existed.
func (m *MemQueryStore) ResetQuery() {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	m.through, m.accounts, m.transfers, m.balances, m.records = 0, nil, nil, nil, nil
	m.Writes, m.RowWrites = 0, nil
}
