package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrFenced is returned by Append and Renew once another process has taken
// the lease: this one must stop writing.
var ErrFenced = errors.New("postgres: fenced: another process holds the writer's lease")

// LeaseHeldError is Acquire's answer while another process holds a live
// lease.
type LeaseHeldError struct {
	Holder, Address string
	Expires         time.Time
	// QueryTablesOff is whether the holder keeps the query tables, as it
	// said when it took the lease (SetQueryTablesOff); nil when it did
	// not say.
	QueryTablesOff *bool
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("postgres: the writer's lease is held by %s (%s) until %s", e.Holder, e.Address, e.Expires.UTC().Format(time.RFC3339))
}

// leaseQueryTablesOff reads what the lease's holder said of the query
// tables: nothing when it is what an earlier holding said (a node from
// before the column took the lease since, and left it).
const leaseQueryTablesOff = "CASE WHEN query_tables_token = token THEN query_tables_off END"

// SetQueryTablesOff has every lease this Store takes say whether its node
// keeps the query tables (ledger.ServiceOptions.QueryTablesOff), for the
// other nodes of the database to read in LeaseHeldError and Leader: every
// node of one database must say the same.
func (s *Store) SetQueryTablesOff(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queryTablesOff = &off
}

// Acquire takes the writer's lease for holder, who serves at address, for
// ttl, if it is free, expired or already holder's. Each new holding gets a
// larger fencing token; from then on Append writes only while the lease row
// still carries it, so a process that lost the lease cannot write even if it
// does not know yet. Expiry is judged by the database's clock, so the nodes'
// clocks need not agree. A live lease of another holder is a
// *LeaseHeldError.
func (s *Store) Acquire(ctx context.Context, holder, address string, ttl time.Duration) error {
	return s.query(func(conn *pgx.Conn) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fmt.Errorf("postgres: acquire the lease: %w", err)
		}
		defer tx.Rollback(context.Background())
		var cur LeaseHeldError
		var live bool
		err = tx.QueryRow(ctx, "SELECT holder, address, expires_at, expires_at > now(), "+leaseQueryTablesOff+" FROM leader_lease WHERE id = 1 FOR UPDATE").
			Scan(&cur.Holder, &cur.Address, &cur.Expires, &live, &cur.QueryTablesOff)
		var token int64
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			token = 1
			_, err = tx.Exec(ctx, "INSERT INTO leader_lease (id, holder, address, token, expires_at, query_tables_off, query_tables_token) VALUES (1, $1, $2, 1, now() + $3 * interval '1 millisecond', $4, 1)",
				holder, address, ttl.Milliseconds(), s.queryTablesOff)
		case err != nil:
		case live && cur.Holder != holder:
			return &cur
		default:
			err = tx.QueryRow(ctx, "UPDATE leader_lease SET holder = $1, address = $2, token = token + 1, expires_at = now() + $3 * interval '1 millisecond', query_tables_off = $4, query_tables_token = token + 1 WHERE id = 1 RETURNING token",
				holder, address, ttl.Milliseconds(), s.queryTablesOff).Scan(&token)
		}
		if err != nil {
			return fmt.Errorf("postgres: acquire the lease: %w", err)
		}
		// Every append of an earlier holder has committed or rolled back
		// (they hold the lease row FOR SHARE): the journal's end read now
		// is final until this holder writes.
		var last int64
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM journal").Scan(&last); err != nil {
			return fmt.Errorf("postgres: acquire the lease: read the last entry: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: acquire the lease: %w", err)
		}
		s.token = token
		s.lastSeq.Store(uint64(last))
		return nil
	})
}

// Renew extends the lease this Store holds by ttl from now. It returns
// ErrFenced when another process has taken it since.
func (s *Store) Renew(ctx context.Context, ttl time.Duration) error {
	return s.query(func(conn *pgx.Conn) error {
		if s.token == 0 {
			return errors.New("postgres: renew: no lease held")
		}
		tag, err := conn.Exec(ctx, "UPDATE leader_lease SET expires_at = now() + $2 * interval '1 millisecond' WHERE id = 1 AND token = $1",
			s.token, ttl.Milliseconds())
		if err != nil {
			return fmt.Errorf("postgres: renew the lease: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrFenced
		}
		return nil
	})
}

// Release ends the lease this Store holds now, for a node that stops
// writing: a standby takes it over at its next look, not a lease's life
// later. It changes nothing if another process took the lease since. The
// token stays: a write after Release is fenced as soon as a standby has
// taken the lease, as any stale write is.
func (s *Store) Release(ctx context.Context) error {
	return s.query(func(conn *pgx.Conn) error {
		if s.token == 0 {
			return nil
		}
		if _, err := conn.Exec(ctx, "UPDATE leader_lease SET expires_at = now() WHERE id = 1 AND token = $1 AND expires_at > now()", s.token); err != nil {
			return fmt.Errorf("postgres: release the lease: %w", err)
		}
		return nil
	})
}

// Leader returns the holder and address of the lease as the database has
// it, and whether it is live; ok is false when no process ever held it.
func (s *Store) Leader(ctx context.Context) (lease LeaseHeldError, live, ok bool, err error) {
	err = s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, "SELECT holder, address, expires_at, expires_at > now(), "+leaseQueryTablesOff+" FROM leader_lease WHERE id = 1").
			Scan(&lease.Holder, &lease.Address, &lease.Expires, &live, &lease.QueryTablesOff)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return lease, false, false, nil
	}
	return lease, live, err == nil, err
}

// checkFence is run inside Append's transaction when a lease is held: the
// lease row must still carry this Store's token. FOR SHARE keeps a new
// holder from taking the lease until the append has committed or rolled
// back, so no write lands after a takeover.
func (s *Store) checkFence(ctx context.Context, tx pgx.Tx) error {
	if s.token == 0 {
		return nil
	}
	var token int64
	err := tx.QueryRow(ctx, "SELECT token FROM leader_lease WHERE id = 1 FOR SHARE").Scan(&token)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && token != s.token) {
		return ErrFenced
	}
	if err != nil {
		return fmt.Errorf("postgres: append: check the lease: %w", err)
	}
	return nil
}
