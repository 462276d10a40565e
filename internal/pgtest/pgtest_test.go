package pgtest_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
)

// mustQueryInt connects to dsn and returns the integer the query answers.
func mustQueryInt(tb testing.TB, dsn, query string) int {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestStartAcceptsConnections(t *testing.T) {
	t.Parallel()
	c := pgtest.MustStart(t)
	if got := mustQueryInt(t, c.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Fatalf("SELECT 1 = %d, want 1", got)
	}
	if c.Host != "127.0.0.1" || c.Port == 0 {
		t.Fatalf("listening on %s:%d, want 127.0.0.1 and a port", c.Host, c.Port)
	}
}

func TestDefaultsAreDurable(t *testing.T) {
	t.Parallel()
	c := pgtest.MustStart(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for name, want := range map[string]string{
		"fsync":              "on",
		"synchronous_commit": "on",
		"shared_buffers":     "256MB",
		"max_connections":    "100",
		"listen_addresses":   "127.0.0.1",
	} {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestNoFsyncTurnsFsyncOff(t *testing.T) {
	t.Parallel()
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "32MB"})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var got string
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "off" {
		t.Fatalf("fsync = %q, want off", got)
	}
}

func TestTwoClustersGetDifferentPorts(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	// Started concurrently, so that both look for a free port at once.
	var clusters [2]*pgtest.Cluster
	var errs [2]error
	var wg sync.WaitGroup
	for i := range clusters {
		wg.Go(func() {
			clusters[i], errs[i] = pgtest.Start(t.Context(), pgtest.Options{NoFsync: true, SharedBuffers: "32MB"})
		})
	}
	wg.Wait()
	for i, c := range clusters {
		if errs[i] != nil {
			t.Fatalf("start cluster %d: %v", i, errs[i])
		}
		t.Cleanup(func() {
			if err := c.Stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
	a, b := clusters[0], clusters[1]
	if a.Port == b.Port {
		t.Fatalf("both clusters on port %d", a.Port)
	}
	if a.Dir == b.Dir {
		t.Fatalf("both clusters in %s", a.Dir)
	}
	for _, c := range clusters {
		if got := mustQueryInt(t, c.DSN("postgres"), "SELECT 1"); got != 1 {
			t.Fatalf("port %d: SELECT 1 = %d", c.Port, got)
		}
	}
}

func TestCreateDatabase(t *testing.T) {
	t.Parallel()
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "32MB"})
	if err := c.CreateDatabase(context.Background(), "ledger-test"); err != nil {
		t.Fatal(err)
	}
	if got := mustQueryInt(t, c.DSN("ledger-test"), "SELECT 2"); got != 2 {
		t.Fatalf("SELECT 2 = %d", got)
	}
}

func TestStopRemovesDirectory(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	c, err := pgtest.Start(context.Background(), pgtest.Options{NoFsync: true, SharedBuffers: "32MB"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.DataDir); err != nil {
		t.Fatalf("data directory before Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Fatalf("after Stop, stat %s: %v, want not exist", c.Dir, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, c.DSN("postgres")); err == nil {
		conn.Close(ctx)
		t.Fatal("connected after Stop")
	}
}
