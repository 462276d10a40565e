package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
	"astara/journal"
	"astara/ledger"
	"astara/ledger/storetest"
	"astara/postgres"
)

// databases numbers the databases the tests create in a shared cluster.
var databases atomic.Int64

// mustDatabase creates a fresh database in c and returns its DSN.
func mustDatabase(tb testing.TB, c *pgtest.Cluster) string {
	tb.Helper()
	name := fmt.Sprintf("astara%d", databases.Add(1))
	if err := c.CreateDatabase(context.Background(), name); err != nil {
		tb.Fatal(err)
	}
	return c.DSN(name)
}

// mustOpen opens a Store on dsn and closes it at the end of the test.
func mustOpen(tb testing.TB, dsn string) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// The PostgreSQL store passes the acceptance suite of every ledger.Store,
// each subtest in a fresh database of one cluster.
func TestStoreAcceptance(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) ledger.Store {
		mu.Lock()
		dsn, ok := dsns[t]
		mu.Unlock()
		if !ok {
			dsn = mustDatabase(t, c)
			mu.Lock()
			dsns[t] = dsn
			mu.Unlock()
		}
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return st
	})
}

// An edited payload breaks the hash chain: replay stops at that entry with
// journal.ErrCorrupt, having delivered the entries before it.
func TestEditedPayloadDetected(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	storetest.MustAppend(t, st, storetest.Entries(1, 5))

	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE journal SET payload = $1 WHERE seq = 3", []byte("edited")); err != nil {
		t.Fatal(err)
	}

	for _, after := range []uint64{0, 2} {
		var seen []uint64
		err = st.Replay(after, func(e ledger.Entry) error {
			seen = append(seen, e.Seq)
			return nil
		})
		if !errors.Is(err, journal.ErrCorrupt) {
			t.Fatalf("Replay(%d) after an edit = %v, want journal.ErrCorrupt", after, err)
		}
		var ce *journal.CorruptError
		if !errors.As(err, &ce) || ce.Seq != 3 || !strings.Contains(err.Error(), "entry 3") {
			t.Errorf("Replay(%d) = %v, want a CorruptError naming entry 3", after, err)
		}
		if len(seen) != int(2-after) {
			t.Errorf("Replay(%d) delivered %v before the edited entry, want the entries up to 2", after, seen)
		}
	}
	// Replay after the edited entry starts from its stored hash and
	// verifies the rest.
	if got := storetest.MustReplay(t, st, 3); len(got) != 2 {
		t.Errorf("Replay(3) = %d entries, want 2", len(got))
	}

	// A deleted entry is a gap.
	if _, err := conn.Exec(context.Background(), "DELETE FROM journal WHERE seq = 4"); err != nil {
		t.Fatal(err)
	}
	err = st.Replay(3, func(ledger.Entry) error { return nil })
	var ce *journal.CorruptError
	if !errors.As(err, &ce) || ce.Seq != 4 {
		t.Errorf("Replay(3) with entry 4 deleted = %v, want a CorruptError naming entry 4", err)
	}
}

// An edited snapshot fails its SHA-256 check.
func TestEditedSnapshotDetected(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	storetest.MustAppend(t, st, storetest.Entries(1, 2))
	if err := st.SaveSnapshot(2, func(io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE snapshots SET data = 'x'::bytea"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := st.LoadSnapshot(); !errors.Is(err, journal.ErrCorrupt) {
		t.Errorf("LoadSnapshot() after an edit = %v, want journal.ErrCorrupt", err)
	}
}

// Opening a database again applies no migration twice; opening it from
// several processes at once applies each exactly once.
func TestMigrationsIdempotent(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	storetest.MustAppend(t, st, storetest.Entries(1, 3))
	st.Close()

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			st, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Open %d: %v", i, err)
		}
	}

	st = mustOpen(t, dsn)
	if got := st.LastSeq(); got != 3 {
		t.Errorf("LastSeq() after reopening = %d, want 3", got)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n, distinct int
	if err := conn.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != distinct {
		t.Errorf("schema_migrations has %d rows, %d distinct versions; want each migration once", n, distinct)
	}

	// A fresh database opened concurrently migrates once.
	fresh := mustDatabase(t, c)
	for i := range errs {
		wg.Go(func() {
			st, err := postgres.Open(context.Background(), fresh)
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Open %d of a fresh database: %v", i, err)
		}
	}
}

// Replay reads in batches: a journal longer than several of them comes
// back whole and in order, from the start and from inside a batch.
func TestReplayCrossesBatches(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	st := mustOpen(t, mustDatabase(t, c))
	n := 2*postgres.ReplayBatchRows + 17
	storetest.MustAppend(t, st, storetest.Entries(1, n))
	for _, after := range []uint64{0, postgres.ReplayBatchRows - 1, postgres.ReplayBatchRows + 5} {
		got := storetest.MustReplay(t, st, after)
		if len(got) != n-int(after) {
			t.Fatalf("Replay(%d) = %d entries, want %d", after, len(got), n-int(after))
		}
		for i, e := range got {
			if e.Seq != after+1+uint64(i) {
				t.Fatalf("Replay(%d): entry %d has seq %d, want %d", after, i, e.Seq, after+1+uint64(i))
			}
		}
	}
}
