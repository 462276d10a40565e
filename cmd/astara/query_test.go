package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
	"astara/ledger"
	"astara/ledger/storetest"
	"astara/payments"
	"astara/postgres"
)

// astaraDatabase starts a throwaway PostgreSQL cluster for the test
// (skipping, or failing with ASTARA_REQUIRE_ALL=1, where there is none)
// and returns the URL of its empty database "astara".
func astaraDatabase(t *testing.T) string {
	t.Helper()
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	if err := c.CreateDatabase(context.Background(), "astara"); err != nil {
		t.Fatal(err)
	}
	return c.DSN("astara")
}

// verifyStore runs astara verify on the database at dsn and returns its
// exit code and output.
func verifyStore(t *testing.T, dsn string) (int, string) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"verify", "--data", t.TempDir(), "--store", dsn}, &out, &errOut)
	return code, out.String() + errOut.String()
}

// checkQueryTables checks the query tables of a stopped node's database:
// they hold the state after the journal's last entry, row for row what a
// replay of the journal makes, and the payments view names each
// acknowledged payment with the status want gives it ("" for any).
func checkQueryTables(t *testing.T, dsn string, want map[string]string) {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.ReadQuery()
	if err != nil {
		t.Fatal(err)
	}
	if got.Through != st.LastSeq() {
		t.Errorf("the query tables hold the state after entry %d, want the journal's last, %d", got.Through, st.LastSeq())
	}
	storetest.CheckQueryReads(t, storetest.MustReplay(t, st, 0), func() ledger.Machine { return payments.NewMachine(ledger.Options{}) },
		[]*ledger.QueryDelta{got})
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT uetr_hex, status, payment FROM query_payments")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for rows.Next() {
		var uetr, status string
		var p map[string]any
		if err := rows.Scan(&uetr, &status, &p); err != nil {
			t.Fatal(err)
		}
		var id ledger.ID
		if b, err := hex.DecodeString(uetr); err != nil || len(b) != len(id) {
			t.Fatalf("query_payments: uetr_hex %q", uetr)
		} else {
			copy(id[:], b)
			uetr = id.String()
		}
		if p["Status"] != status {
			t.Errorf("query_payments: payment %s has status %q, its JSON %v", uetr, status, p["Status"])
		}
		seen[uetr] = status
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for uetr, status := range want {
		got, ok := seen[uetr]
		if !ok || (status != "" && got != status) {
			t.Errorf("query_payments: acknowledged payment %s is %q (present %v), want %q", uetr, got, ok, status)
		}
	}
}

// astara verify compares the query tables with the replayed state: an
// edited balance, a transfer or a payment's status changed behind the
// node's back, is a fault naming the table.
func TestVerifyChecksTheQueryTables(t *testing.T) {
	dsn := astaraDatabase(t)
	node := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn)
	var accs []map[string]any
	for i := 1; i <= 3; i++ {
		accs = append(accs, map[string]any{"id": ledger.IDFromUint64(uint64(i)).String(), "currency": "RUB", "code": 1})
	}
	if code, err := node.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &results{}); code != 200 || err != nil {
		t.Fatalf("create accounts: %d %v\n%s", code, err, node.output())
	}
	transfers := []map[string]any{
		{"id": ledger.IDFromUint64(100).String(), "debit_account_id": accs[0]["id"], "credit_account_id": accs[1]["id"], "amount": "500", "currency": "RUB", "code": 1},
		{"id": ledger.IDFromUint64(101).String(), "debit_account_id": accs[1]["id"], "credit_account_id": accs[2]["id"], "amount": "70", "currency": "RUB", "code": 1, "flags": []string{"pending"}},
	}
	if code, err := node.post("/v1/ledger/transfers", map[string]any{"transfers": transfers}, &results{}); code != 200 || err != nil {
		t.Fatalf("create transfers: %d %v\n%s", code, err, node.output())
	}
	node.cmd.Process.Signal(syscall.SIGTERM)
	<-node.done
	if code, out := verifyStore(t, dsn); code != 0 || !strings.Contains(out, "query tables ok: at entry 2, 3 accounts as replayed, 2 transfers (1 pending)") {
		t.Fatalf("astara verify of a node's database: exit %d\n%s", code, out)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, edit := range []struct{ sql, undo, fault string }{
		{"UPDATE query_accounts SET credits_posted = credits_posted + 1 WHERE code = 1 AND credits_posted > 0",
			"UPDATE query_accounts SET credits_posted = credits_posted - 1 WHERE code = 1 AND credits_posted > 0", "query_accounts: account"},
		{"UPDATE query_transfers SET state = 'voided' WHERE state = 'pending'",
			"UPDATE query_transfers SET state = 'pending' WHERE state = 'voided'", "query_transfers holds 2 transfers, 0 pending"},
		{"UPDATE query_position SET seq = 3", "UPDATE query_position SET seq = 2", "past the journal's last"},
	} {
		if _, err := conn.Exec(context.Background(), edit.sql); err != nil {
			t.Fatal(err)
		}
		if code, out := verifyStore(t, dsn); code != 1 || !strings.Contains(out, "FAULT") || !strings.Contains(out, edit.fault) {
			t.Errorf("after %q: astara verify exit %d, want 1 naming %q\n%s", edit.sql, code, edit.fault, out)
		}
		if _, err := conn.Exec(context.Background(), edit.undo); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(context.Background(), "UPDATE query_position SET seq = 1"); err != nil {
		t.Fatal(err)
	}
	if code, out := verifyStore(t, dsn); code != 0 || !strings.Contains(out, "query tables: at entry 1, behind the journal's last, 2") {
		t.Errorf("tables behind the journal: astara verify exit %d\n%s", code, out)
	}
}

// serve --query-tables=false writes the journal alone: a node with the
// tables off empties them when it leads, writes none, and verify says
// so; a node that keeps them, started after it, fills them from the whole
// journal.
func TestServeWithoutQueryTables(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"serve", "--data", t.TempDir(), "--query-tables=false"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--query-tables=false is for a PostgreSQL store") {
		t.Errorf("--query-tables=false on the embedded store: exit %d\n%s", code, errOut.String())
	}
	dsn := astaraDatabase(t)
	transfer := func(node *child, id uint64) {
		t.Helper()
		body := map[string]any{"transfers": []map[string]any{{"id": ledger.IDFromUint64(id).String(), "debit_account_id": ledger.IDFromUint64(1).String(),
			"credit_account_id": ledger.IDFromUint64(2).String(), "amount": "5", "currency": "RUB", "code": 1}}}
		if code, err := node.post("/v1/ledger/transfers", body, &results{}); code != 200 || err != nil {
			t.Fatalf("transfer %d: %d %v\n%s", id, code, err, node.output())
		}
	}
	stop := func(node *child) {
		node.cmd.Process.Signal(syscall.SIGTERM)
		<-node.done
	}
	count := func(conn *pgx.Conn) (position, transfers int64) {
		t.Helper()
		if err := conn.QueryRow(context.Background(), "SELECT (SELECT seq FROM query_position), (SELECT count(*) FROM query_transfers)").Scan(&position, &transfers); err != nil {
			t.Fatal(err)
		}
		return position, transfers
	}

	node := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn)
	accs := []map[string]any{{"id": ledger.IDFromUint64(1).String(), "currency": "RUB", "code": 1}, {"id": ledger.IDFromUint64(2).String(), "currency": "RUB", "code": 1}}
	if code, err := node.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &results{}); code != 200 || err != nil {
		t.Fatalf("create accounts: %d %v\n%s", code, err, node.output())
	}
	transfer(node, 100)
	stop(node)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if pos, n := count(conn); pos != 2 || n != 1 {
		t.Fatalf("with the tables on: position %d, %d transfers; want 2 and 1", pos, n)
	}

	node = startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--query-tables=false")
	transfer(node, 101)
	transfer(node, 102)
	stop(node)
	if !strings.Contains(node.output(), "the query tables are off (--query-tables=false)") {
		t.Errorf("serve --query-tables=false did not say so:\n%s", node.output())
	}
	if pos, n := count(conn); pos != 0 || n != 0 {
		t.Errorf("with the tables off: position %d, %d transfers; want them empty at 0", pos, n)
	}
	if code, out := verifyStore(t, dsn); code != 0 || !strings.Contains(out, "query tables: empty (position 0)") {
		t.Errorf("verify with the tables off: exit %d\n%s", code, out)
	}

	node = startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn)
	transfer(node, 103)
	stop(node)
	if !strings.Contains(node.output(), "every node of a database must say the same") {
		t.Errorf("a node that keeps the tables, after one that did not, did not say they must agree:\n%s", node.output())
	}
	checkQueryTables(t, dsn, nil)
	if pos, n := count(conn); pos != 5 || n != 4 {
		t.Errorf("with the tables on again: position %d, %d transfers; want 5 and 4", pos, n)
	}
	// Rows at position 0 are not what any node leaves.
	if _, err := conn.Exec(context.Background(), "UPDATE query_position SET seq = 0"); err != nil {
		t.Fatal(err)
	}
	if code, out := verifyStore(t, dsn); code != 1 || !strings.Contains(out, "at position 0") {
		t.Errorf("rows at position 0: verify exit %d, want 1\n%s", code, out)
	}
}

// Every node of a database must keep the query tables or none: the
// leader says which with its lease, and a node started with the other
// setting stops, before its recovery writes a row, instead of following
// it. With every node stopped the setting changes: the first node to
// lead says the new one.
func TestServeRefusesMixedQueryTables(t *testing.T) {
	dsn := astaraDatabase(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	stop := func(node *child) {
		node.cmd.Process.Signal(syscall.SIGTERM)
		<-node.done
	}
	// A lease long enough for a killed leader to come back before its
	// standby could take over, even on a loaded machine.
	serve := func(name string, off bool) []string {
		return []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--node-name", name,
			"--lease-ttl", "15s", "--query-tables=" + strconv.FormatBool(!off)}
	}
	leaseSays := func() *bool {
		t.Helper()
		var off *bool
		if err := conn.QueryRow(context.Background(), "SELECT query_tables_off FROM leader_lease").Scan(&off); err != nil {
			t.Fatal(err)
		}
		return off
	}
	// refused starts a node that must stop with the other setting named.
	refused := func(name string, off bool, leader string) {
		t.Helper()
		var rows int64
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM query_accounts").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		node, _ := spawnChild(t, serve(name, off)...)
		select {
		case <-node.done:
		case <-time.After(60 * time.Second):
			node.cmd.Process.Kill()
			t.Fatalf("%s, with --query-tables=%t beside a leader with the other setting, still runs after 60 s:\n%s", name, !off, node.output())
		}
		want := fmt.Sprintf("%s leads this database with --query-tables=%t, and this node was started with --query-tables=%t: every node of a database must say the same", leader, off, !off)
		if node.cmd.ProcessState.ExitCode() == 0 || !strings.Contains(node.output(), want) {
			t.Errorf("%s: exit %d, want an error saying %q:\n%s", name, node.cmd.ProcessState.ExitCode(), want, node.output())
		}
		var after int64
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM query_accounts").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != rows {
			t.Errorf("%s changed the query tables before it stopped: %d accounts, then %d", name, rows, after)
		}
	}

	a := startChild(t, serve("node-a", false)...)
	accs := []map[string]any{{"id": ledger.IDFromUint64(1).String(), "currency": "RUB", "code": 1}}
	if code, err := a.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &results{}); code != 200 || err != nil {
		t.Fatalf("create an account: %d %v\n%s", code, err, a.output())
	}
	if off := leaseSays(); off == nil || *off {
		t.Fatalf("node-a's lease says query_tables_off %v, want false", off)
	}
	// accountRows waits for the leader's query tables to hold want
	// accounts: it writes a row within a group or so.
	accountRows := func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			var n int64
			if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM query_accounts").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the query tables hold %d accounts after 30 s, want %d", n, want)
			}
		}
	}
	accountRows(1)
	refused("node-b", true, "node-a")

	// The same setting follows (a standby says whose).
	c, _ := spawnChild(t, serve("node-c", false)...)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.output(), "standby: node-a"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("node-c, with the leader's setting, is not its standby after 30 s:\n%s", c.output())
		}
	}
	// The leader killed and restarted at once with the other setting
	// takes its own lease again, saying so: its standby stops.
	a.cmd.Process.Kill()
	<-a.done
	a = startChild(t, serve("node-a", true)...)
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("node-c still follows node-a, restarted with --query-tables=false, after 60 s:\n%s", c.output())
	}
	if want := "node-a leads this database with --query-tables=false, and this node was started with --query-tables=true"; c.cmd.ProcessState.ExitCode() == 0 || !strings.Contains(c.output(), want) {
		t.Errorf("node-c: exit %d, want an error saying %q:\n%s", c.cmd.ProcessState.ExitCode(), want, c.output())
	}
	// A node that keeps the tables stops before its recovery fills them
	// behind a leader that emptied them.
	accountRows(0)
	refused("node-f", false, "node-a")
	a.cmd.Process.Kill()
	<-a.done

	// Every node stopped, the last by a kill -9, its lease not yet
	// lapsed: the next node waits for it to lapse, then leads with its
	// own setting.
	d := startChild(t, serve("node-d", false)...)
	if code, err := d.post("/v1/ledger/accounts", map[string]any{"accounts": []map[string]any{{"id": ledger.IDFromUint64(2).String(), "currency": "RUB", "code": 1}}}, &results{}); code != 200 || err != nil {
		t.Fatalf("node-d leads: %d %v\n%s", code, err, d.output())
	}
	if !strings.Contains(d.output(), "node-a holds the writer's lease with --query-tables=false, this node's is true: waiting") {
		t.Errorf("node-d did not say it waits for node-a's lease:\n%s", d.output())
	}
	if off := leaseSays(); off == nil || *off {
		t.Fatalf("node-d's lease says query_tables_off %v, want false", off)
	}
	accountRows(2)
	refused("node-e", true, "node-d")
	// A node stopped gracefully releases its lease, for a standby to
	// take over at once.
	stop(d)
	var live bool
	if err := conn.QueryRow(context.Background(), "SELECT expires_at > now() FROM leader_lease").Scan(&live); err != nil || live {
		t.Fatalf("node-d stopped: its lease live %v (%v), want it released", live, err)
	}
}
