package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
	"astara/ledger"
	"astara/postgres"
)

// TestLeaseFencesTheOldWriter: while A holds a live lease B cannot take it;
// once it has expired B takes it, finds A's last entry, and from then on
// A can neither append nor renew, while B appends after A's entries.
func TestLeaseFencesTheOldWriter(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	dsn := mustDatabase(t, c)
	ctx := context.Background()
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	entry := func(seq uint64) []ledger.Entry {
		return []ledger.Entry{{Seq: seq, Timestamp: seq * 10, Op: ledger.OpCreateAccounts, Payload: []byte{0, 0, 0, 0}}}
	}

	const ttl = 400 * time.Millisecond
	if err := a.Acquire(ctx, "node-a", "10.0.0.1:8080", ttl); err != nil {
		t.Fatal(err)
	}
	var held *postgres.LeaseHeldError
	if err := b.Acquire(ctx, "node-b", "10.0.0.2:8080", ttl); !errors.As(err, &held) || held.Holder != "node-a" || held.Address != "10.0.0.1:8080" {
		t.Fatalf("B acquiring a live lease: %v, want a LeaseHeldError naming node-a", err)
	}
	for seq := uint64(1); seq <= 3; seq++ {
		if err := a.Append(entry(seq)); err != nil {
			t.Fatalf("A append %d: %v", seq, err)
		}
	}
	if err := a.Renew(ctx, ttl); err != nil {
		t.Fatalf("A renew: %v", err)
	}
	lease, live, ok, err := b.Leader(ctx)
	if err != nil || !ok || !live || lease.Holder != "node-a" {
		t.Fatalf("Leader: %+v live %v ok %v err %v, want node-a live", lease, live, ok, err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		err := b.Acquire(ctx, "node-b", "10.0.0.2:8080", ttl)
		if err == nil {
			break
		}
		if !errors.As(err, &held) || time.Now().After(deadline) {
			t.Fatalf("B acquiring after A stopped renewing: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := b.LastSeq(); got != 3 {
		t.Fatalf("B after taking the lease: LastSeq %d, want 3 (A's entries)", got)
	}
	if err := a.Append(entry(4)); !errors.Is(err, postgres.ErrFenced) {
		t.Fatalf("A append after the takeover: %v, want ErrFenced", err)
	}
	if err := a.Renew(ctx, ttl); !errors.Is(err, postgres.ErrFenced) {
		t.Fatalf("A renew after the takeover: %v, want ErrFenced", err)
	}
	if err := a.ClearQuery(); !errors.Is(err, postgres.ErrFenced) {
		t.Fatalf("A empties the query tables after the takeover: %v, want ErrFenced", err)
	}
	if err := b.Append(entry(4)); err != nil {
		t.Fatalf("B append 4: %v", err)
	}
	var seqs []uint64
	if err := b.Replay(0, func(e ledger.Entry) error { seqs = append(seqs, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 4 || seqs[3] != 4 {
		t.Fatalf("journal after the takeover: %v, want 1..4 once each", seqs)
	}
}

// TestLeaseRelease: a lease released by its holder is free at once, and
// says what its holder said of the query tables while it was held; a
// release after another process took the lease changes nothing.
func TestLeaseRelease(t *testing.T) {
	dsn := mustDatabase(t, pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"}))
	ctx := context.Background()
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	const ttl = time.Minute
	a.SetQueryTablesOff(true)
	if err := a.Acquire(ctx, "node-a", "10.0.0.1:8080", ttl); err != nil {
		t.Fatal(err)
	}
	var held *postgres.LeaseHeldError
	if err := b.Acquire(ctx, "node-b", "10.0.0.2:8080", ttl); !errors.As(err, &held) || held.QueryTablesOff == nil || !*held.QueryTablesOff {
		t.Fatalf("B acquiring A's lease: %v (query tables off %v), want a LeaseHeldError saying A keeps none", err, held)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, live, ok, err := b.Leader(ctx); err != nil || !ok || live {
		t.Fatalf("after A released it: live %v ok %v err %v, want a lease not live", live, ok, err)
	}
	if err := b.Acquire(ctx, "node-b", "10.0.0.2:8080", ttl); err != nil {
		t.Fatalf("B acquiring a released lease of a minute: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	lease, live, _, err := b.Leader(ctx)
	if err != nil || !live || lease.Holder != "node-b" || lease.QueryTablesOff != nil {
		t.Fatalf("after A released again: %+v live %v err %v, want node-b's lease live, saying nothing of the query tables", lease, live, err)
	}

	// A node from before the column takes the lease as its Acquire did,
	// leaving the column as the last holding wrote it: that is not taken
	// for what the new holder says.
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Acquire(ctx, "node-a", "10.0.0.1:8080", ttl); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE leader_lease SET holder = 'node-old', address = '10.0.0.3:8080', token = token + 1, expires_at = now() + interval '1 minute'"); err != nil {
		t.Fatal(err)
	}
	if lease, live, _, err := b.Leader(ctx); err != nil || !live || lease.Holder != "node-old" || lease.QueryTablesOff != nil {
		t.Fatalf("an older node's lease: %+v live %v err %v, want node-old's, saying nothing of the query tables", lease, live, err)
	}
}
