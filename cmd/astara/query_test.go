package main

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"

	"astara/ledger"
	"astara/ledger/storetest"
	"astara/payments"
	"astara/postgres"
)

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
