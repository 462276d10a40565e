package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMigrateStoreCopiesAStoppedNode runs a node on the embedded store,
// stops it, copies its journal into PostgreSQL, and starts it again on
// PostgreSQL: the same participants and totals, and a second copy into the
// same database refused.
func TestMigrateStoreCopiesAStoppedNode(t *testing.T) {
	dsn := astaraDatabase(t)
	dir := t.TempDir()

	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	for _, p := range []map[string]any{
		{"id": "VOLGRUMM", "name": "Volga Bank", "country": "RU", "currencies": []string{"RUB"}},
		{"id": "CASPIRTH", "name": "Caspian Bank", "country": "IR", "currencies": []string{"IRR"}},
	} {
		if code, err := c.post("/v1/participants", p, &struct{}{}); code != 201 || err != nil {
			t.Fatalf("participant: %d %v\n%s", code, err, c.output())
		}
	}
	if code, err := c.post("/v1/calendars/IR/closures", map[string]string{"date": "2026-03-25", "name": "Heavy snow"}, nil); code != 201 || err != nil {
		t.Fatalf("closure: %d %v", code, err)
	}
	state := func(c *child) (any, any) {
		var parts, totals any
		if code := c.get(t, "/v1/participants", &parts); code != 200 {
			t.Fatalf("participants: status %d", code)
		}
		if code := c.get(t, "/v1/ledger/totals", &totals); code != 200 {
			t.Fatalf("totals: status %d", code)
		}
		return parts, totals
	}
	parts, totals := state(c)
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done

	migrate := func() (string, int) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), []string{"migrate-store", "--data", dir, "--store", dsn}, &out, &errOut)
		return out.String() + errOut.String(), code
	}
	out, code := migrate()
	if code != 0 || !strings.Contains(out, "the same as the embedded journal's") || !strings.Contains(out, "double entry ok") {
		t.Fatalf("migrate-store: exit %d\n%s", code, out)
	}
	if out, code := migrate(); code != 1 || !strings.Contains(out, "already holds a journal") {
		t.Fatalf("migrate-store again: exit %d, want 1 refusing a database that holds a journal\n%s", code, out)
	}

	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--store", dsn)
	if !strings.Contains(c.output(), "filling them by replaying the whole journal") {
		t.Errorf("the first start on the copy does not say it fills the query tables:\n%s", c.output())
	}
	gotParts, gotTotals := state(c)
	if !reflect.DeepEqual(gotParts, parts) || !reflect.DeepEqual(gotTotals, totals) {
		t.Errorf("on PostgreSQL: participants %v, totals %v\nwant %v, %v", gotParts, gotTotals, parts, totals)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	var vout, verr bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir, "--store", dsn}, &vout, &verr); code != 0 {
		t.Fatalf("verify on PostgreSQL: exit %d\n%s%s", code, vout.String(), verr.String())
	}
	// A snapshot that is not the state its entry reaches is a fault.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// The database was new: migrate-store started its id filters with
	// the current scheme (docs/STORAGE.md), and verify agreed above.
	var scheme []byte
	if err := conn.QueryRow(context.Background(), "SELECT value FROM machine_records WHERE key = $1", []byte("\x00idfilter")).Scan(&scheme); err != nil || !bytes.Equal(scheme, []byte{1}) {
		t.Fatalf("the copy's id filter scheme: %x, %v; want 01", scheme, err)
	}
	if _, err := conn.Exec(context.Background(), "UPDATE snapshots SET sha256 = sha256(data || '\\x00'::bytea)"); err != nil {
		t.Fatal(err)
	}
	vout.Reset()
	verr.Reset()
	if code := Run(context.Background(), []string{"verify", "--data", dir, "--store", dsn}, &vout, &verr); code != 1 || !strings.Contains(verr.String(), "snapshot differs") {
		t.Fatalf("verify of an altered snapshot: exit %d, want 1 naming the snapshot\n%s%s", code, vout.String(), verr.String())
	}
}
