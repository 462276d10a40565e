package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
	"astara/journal"
	"astara/ledger"
	"astara/postgres"
)

// Under verification, a record that replay writes is compared with the
// row in machine_records: the same passes, and one edited is
// corrupt, named by its key and version; one missing passes. The
// comparison writes nothing.
func TestVerifyFindsAnEditedRecord(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	records := []ledger.Record{
		{Key: []byte("p|same"), Version: 3, Value: []byte("kept")},
		{Key: []byte("p|edit"), Version: 4, Value: []byte("edited later")},
		{Key: []byte("p|gone"), Version: 5, Value: []byte("deleted later")},
	}
	if err := st.History().WriteRecords(records); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range []string{
		"UPDATE machine_records SET value = 'x'::bytea WHERE key = 'p|edit'::bytea AND version = 4",
		"DELETE FROM machine_records WHERE key = 'p|gone'::bytea AND version = 5",
	} {
		if tag, err := conn.Exec(context.Background(), sql); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v, %d rows", sql, err, tag.RowsAffected())
		}
	}
	check, closeCheck := postgres.CheckingHistory(st)
	defer closeCheck()

	if err := check.WriteRecords(records[:1]); err != nil {
		t.Errorf("WriteRecords under verification of the record as stored = %v, want nil", err)
	}
	r := records[1]
	err = check.WriteRecords([]ledger.Record{r})
	var ce *journal.CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), fmt.Sprintf("record %x version %d", r.Key, r.Version)) {
		t.Errorf("WriteRecords under verification of %s = %v, want a CorruptError naming record %x version %d", r.Key, err, r.Key, r.Version)
	}
	// A record deleted, or never stored, passes: the node may have died
	// before writing it, and its replay writes it. Comparing writes
	// nothing.
	extra := ledger.Record{Key: []byte("p|new"), Version: 6, Value: []byte("x")}
	if err := check.WriteRecords([]ledger.Record{records[2], extra}); err != nil {
		t.Errorf("WriteRecords under verification of records not stored = %v, want nil", err)
	}
	if _, ok, err := st.History().Record(extra.Key, math.MaxUint64); ok || err != nil {
		t.Errorf("Record(%s) after comparing it = found %t, %v; want none", extra.Key, ok, err)
	}
}

// Discard leaves no record behind, as it leaves no entry.
func TestDiscardDeletesRecords(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	st := mustOpen(t, mustDatabase(t, c))
	r := ledger.Record{Key: []byte("p|x"), Version: 1, Value: []byte("v")}
	if err := st.History().WriteRecords([]ledger.Record{r}); err != nil {
		t.Fatal(err)
	}
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.History().Record(r.Key, math.MaxUint64); ok || err != nil {
		t.Errorf("Record(%s) after Discard = found %t, %v; want none", r.Key, ok, err)
	}
}

// The views SQL users read moved payments through: the latest version of
// each payment as jsonb, and the order of creation.
func TestPaymentsViews(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	st := mustOpen(t, dsn)
	uetr := ledger.IDFromUint64(0xabc)
	pkey := append([]byte{'p'}, uetr[:]...)
	okey := append([]byte{'o'}, 0, 0, 0, 0, 0, 0, 1, 2)
	err := st.History().WriteRecords([]ledger.Record{
		{Key: pkey, Version: 7, Value: []byte(`{"UETR":"old","Status":"completed"}`)},
		{Key: pkey, Version: 9, Value: []byte(`{"UETR":"new","Status":"returned"}`)},
		{Key: okey, Version: 7, Value: uetr[:]},
	})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var uetrHex, status string
	var asOf int64
	err = conn.QueryRow(context.Background(), "SELECT uetr_hex, as_of_entry, payment->>'Status' FROM payments_moved").Scan(&uetrHex, &asOf, &status)
	if err != nil || uetrHex != fmt.Sprintf("%x", uetr[:]) || asOf != 9 || status != "returned" {
		t.Fatalf("payments_moved: %s as of %d, %s, %v; want %x as of 9, returned", uetrHex, asOf, status, err, uetr[:])
	}
	var idx int64
	err = conn.QueryRow(context.Background(), "SELECT idx, uetr_hex FROM payments_order_moved").Scan(&idx, &uetrHex)
	if err != nil || idx != 258 || uetrHex != fmt.Sprintf("%x", uetr[:]) {
		t.Fatalf("payments_order_moved: %d %s, %v; want 258 %x", idx, uetrHex, err, uetr[:])
	}
}
