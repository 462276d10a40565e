package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"astara/journal"
	"astara/ledger"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ReplayBatchRows is how many journal rows Replay reads per query.
const ReplayBatchRows = 1000

// Store is a ledger.Store on PostgreSQL. It is safe for concurrent use; its
// statements run one at a time on a single connection.
type Store struct {
	mu      sync.Mutex // guards conn
	conn    *pgx.Conn
	config  *pgx.ConnConfig
	lastSeq atomic.Uint64
	token   int64 // the writer's lease fencing token (lease.go); 0: none held
	// queryTablesOff is what the leases this Store takes say of the query
	// tables (SetQueryTablesOff); nil: nothing. Guarded by mu.
	queryTablesOff *bool

	historyOnce sync.Once
	history     *History
}

var (
	_ ledger.Store      = (*Store)(nil)
	_ ledger.QueryStore = (*Store)(nil)
	_ io.Closer         = (*Store)(nil)
)

// Open connects to the database of connString (a URL or a key=value string,
// as pgx.ParseConfig reads it), applies the migrations it lacks and returns
// the Store. ctx bounds the connection and the migrations only.
func Open(ctx context.Context, connString string) (*Store, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse connection string: %w", err)
	}
	// Append is durable on commit only with synchronous commits: make sure
	// no database or role default turns them off.
	cfg.RuntimeParams["synchronous_commit"] = "on"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, conn); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	var last int64
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM journal").Scan(&last); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("postgres: read the last entry: %w", err)
	}
	s := &Store{conn: conn, config: cfg}
	s.lastSeq.Store(uint64(last))
	return s, nil
}

// Close closes the connection.
func (s *Store) Close() error {
	if s.history != nil {
		s.history.close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close(context.Background())
	s.conn = nil
	return err
}

// migrationNames returns the embedded migrations' file names in order.
func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies the embedded migrations that schema_migrations does not
// record, in one transaction holding the row of schema_lock. It locks a row
// rather than taking an advisory lock or LOCK TABLE so that it runs as it
// is on PostgreSQL-compatible engines that have neither.
func migrate(ctx context.Context, conn *pgx.Conn) error {
	names, err := migrationNames()
	if err != nil {
		return fmt.Errorf("postgres: list migrations: %w", err)
	}
	for _, create := range []string{
		`CREATE TABLE IF NOT EXISTS schema_lock (id int PRIMARY KEY)`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    text PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`,
		`INSERT INTO schema_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING`,
	} {
		if _, err := conn.Exec(ctx, create); err != nil && !lostCatalogRace(err) {
			return fmt.Errorf("postgres: prepare migrations: %w", err)
		}
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin migrations: %w", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "SELECT id FROM schema_lock WHERE id = 1 FOR UPDATE"); err != nil {
		return fmt.Errorf("postgres: lock schema_lock: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("postgres: read schema_migrations: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("postgres: read schema_migrations: %w", err)
	}
	done := make(map[string]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if done[version] {
			continue
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("postgres: read migration %s: %w", version, err)
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("postgres: apply migration %s: %w", version, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", version); err != nil {
			return fmt.Errorf("postgres: record migration %s: %w", version, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit migrations: %w", err)
	}
	return nil
}

// errClosed is returned by the methods of a closed Store.
var errClosed = errors.New("postgres: store closed")

// LastSeq implements ledger.Store.
func (s *Store) LastSeq() uint64 { return s.lastSeq.Load() }

// Refresh reads the last entry's sequence number again: a standby's store
// sees the entries the leader appended since (ledger.Refresher).
func (s *Store) Refresh() error {
	var last int64
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT coalesce(max(seq), 0) FROM journal").Scan(&last)
	})
	if err != nil {
		return fmt.Errorf("postgres: read the last entry: %w", err)
	}
	s.lastSeq.Store(uint64(last))
	return nil
}

// Append implements ledger.Store: the entries are written in one
// transaction, which commits only if they follow the last entry without a
// gap or a repeat.
func (s *Store) Append(entries []ledger.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.AppendQuery(entries, nil)
}

// AppendQuery implements ledger.QueryStore: Append, and the query tables'
// rows (query.go) in the same transaction. With no entries, it writes the
// rows alone.
func (s *Store) AppendQuery(entries []ledger.Entry, deltas []*ledger.QueryDelta) error {
	if len(entries) == 0 && len(deltas) == 0 {
		return nil
	}
	var first, lastSeq uint64
	if len(entries) > 0 {
		first, lastSeq = entries[0].Seq, entries[len(entries)-1].Seq
		for i, e := range entries {
			if e.Seq != first+uint64(i) {
				return fmt.Errorf("postgres: append: entry %d follows %d in the group", e.Seq, first+uint64(i)-1)
			}
		}
		if first == 0 {
			return errors.New("postgres: append: entry 0 (sequence numbers start at 1)")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errClosed
	}
	ctx := context.Background()
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: append: begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	if len(entries) > 0 {
		if err := s.appendEntries(ctx, tx, entries); err != nil {
			return err
		}
	} else if err := s.checkFence(ctx, tx); err != nil {
		return err
	}
	if err := writeQuery(ctx, tx, deltas); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if len(entries) == 0 {
			return fmt.Errorf("postgres: write the query tables: commit: %w", err)
		}
		return fmt.Errorf("postgres: append %d..%d: commit: %w", first, lastSeq, err)
	}
	if len(entries) > 0 {
		s.lastSeq.Store(lastSeq)
	}
	return nil
}

// appendEntries writes entries in tx, after checking that they follow the
// last one and that this Store still holds the lease.
func (s *Store) appendEntries(ctx context.Context, tx pgx.Tx, entries []ledger.Entry) error {
	first := entries[0].Seq
	var last int64
	var prev journal.Hash
	var hash []byte
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1 FOR UPDATE").Scan(&last, &hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		last = 0
	case err != nil:
		return fmt.Errorf("postgres: append: read the last entry: %w", err)
	case len(hash) != len(prev):
		return &journal.CorruptError{Seq: uint64(last), Reason: fmt.Sprintf("hash of %d bytes", len(hash))}
	default:
		copy(prev[:], hash)
	}
	if err := s.checkFence(ctx, tx); err != nil {
		return err
	}
	if first != uint64(last)+1 {
		return fmt.Errorf("postgres: append: entry %d after %d", first, last)
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		h := journal.EntryHash(prev, e.Seq, e.Timestamp, e.Op, e.Payload)
		payload := e.Payload
		if payload == nil {
			payload = []byte{} // NOT NULL: an empty payload is not a missing one
		}
		rows[i] = []any{int64(e.Seq), int64(e.Timestamp), int16(e.Op), payload, h[:]}
		prev = h
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"journal"}, []string{"seq", "ts", "op", "payload", "hash"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgres: append %d..%d: %w", first, entries[len(entries)-1].Seq, err)
	}
	return nil
}

// row is a journal row as Replay reads it.
type row struct {
	seq, ts int64
	op      int16
	payload []byte
	hash    []byte
}

// Replay implements ledger.Store. It reads ReplayBatchRows rows at a time
// and calls fn without holding the connection.
func (s *Store) Replay(after uint64, fn func(ledger.Entry) error) error {
	return s.replay(after, func(e ledger.Entry, _ journal.Hash) error { return fn(e) })
}

// replay is Replay, handing fn each entry's hash too.
func (s *Store) replay(after uint64, fn func(ledger.Entry, journal.Hash) error) error {
	last := s.lastSeq.Load()
	if after > last {
		return fmt.Errorf("postgres: replay after %d beyond the last entry %d", after, last)
	}
	var prev journal.Hash
	if after > 0 {
		var hash []byte
		err := s.query(func(conn *pgx.Conn) error {
			return conn.QueryRow(context.Background(), "SELECT hash FROM journal WHERE seq = $1", int64(after)).Scan(&hash)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return &journal.CorruptError{Seq: after, Reason: "entry missing"}
		}
		if err != nil {
			return fmt.Errorf("postgres: replay: read entry %d: %w", after, err)
		}
		if len(hash) != len(prev) {
			return &journal.CorruptError{Seq: after, Reason: fmt.Sprintf("hash of %d bytes", len(hash))}
		}
		copy(prev[:], hash)
	}
	seq := after
	for {
		var batch []row
		err := s.query(func(conn *pgx.Conn) error {
			rows, err := conn.Query(context.Background(),
				"SELECT seq, ts, op, payload, hash FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2",
				int64(seq), ReplayBatchRows)
			if err != nil {
				return err
			}
			batch, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				err := r.Scan(&x.seq, &x.ts, &x.op, &x.payload, &x.hash)
				return x, err
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: replay after %d: %w", seq, err)
		}
		for _, r := range batch {
			if uint64(r.seq) != seq+1 {
				return &journal.CorruptError{Seq: seq + 1, Reason: fmt.Sprintf("entry missing (the next is %d)", r.seq)}
			}
			if r.op < 0 || r.op > 255 {
				return &journal.CorruptError{Seq: uint64(r.seq), Reason: fmt.Sprintf("op %d out of range", r.op)}
			}
			e := ledger.Entry{Seq: uint64(r.seq), Timestamp: uint64(r.ts), Op: ledger.Op(r.op), Payload: r.payload}
			h := journal.EntryHash(prev, e.Seq, e.Timestamp, e.Op, e.Payload)
			if !bytes.Equal(h[:], r.hash) {
				return &journal.CorruptError{Seq: e.Seq, Reason: "hash mismatch (edited entry or broken chain)"}
			}
			if err := fn(e, h); err != nil {
				return err
			}
			prev, seq = h, e.Seq
		}
		if len(batch) < ReplayBatchRows {
			break
		}
	}
	if seq < last {
		return &journal.CorruptError{Seq: seq + 1, Reason: fmt.Sprintf("entry missing (the journal ends at %d, the last appended was %d)", seq, last)}
	}
	return nil
}

// query runs fn on the connection, holding it.
func (s *Store) query(fn func(*pgx.Conn) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errClosed
	}
	return fn(s.conn)
}

// LoadSnapshot implements ledger.Store. It reads the latest snapshot whole
// and checks its SHA-256.
func (s *Store) LoadSnapshot() (uint64, io.ReadCloser, bool, error) {
	var seq int64
	var data, sum []byte
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(),
			"SELECT seq, data, sha256 FROM snapshots ORDER BY seq DESC LIMIT 1").Scan(&seq, &data, &sum)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("postgres: load snapshot: %w", err)
	}
	if got := sha256.Sum256(data); !bytes.Equal(got[:], sum) {
		return 0, nil, false, fmt.Errorf("snapshot after entry %d: %w", seq,
			&journal.CorruptError{Reason: "snapshot SHA-256 mismatch"})
	}
	return uint64(seq), io.NopCloser(bytes.NewReader(data)), true, nil
}

// SaveSnapshot implements ledger.Store. The snapshot is written in one
// transaction that also deletes the older ones; if write fails, nothing is
// written.
func (s *Store) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	if last := s.lastSeq.Load(); seq > last {
		return fmt.Errorf("postgres: snapshot after entry %d beyond the last entry %d", seq, last)
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("postgres: write snapshot %d: %w", seq, err)
	}
	data := buf.Bytes()
	if data == nil {
		data = []byte{} // NOT NULL: an empty snapshot is not a missing one
	}
	sum := sha256.Sum256(data)
	return s.query(func(conn *pgx.Conn) error {
		ctx := context.Background()
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fmt.Errorf("postgres: save snapshot %d: begin: %w", seq, err)
		}
		defer tx.Rollback(context.Background())
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM journal WHERE seq = $1)", int64(seq)).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: save snapshot %d: %w", seq, err)
		}
		if !exists && seq != 0 {
			return fmt.Errorf("postgres: save snapshot %d: no such entry", seq)
		}
		_, err = tx.Exec(ctx, `INSERT INTO snapshots (seq, data, sha256, created_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (seq) DO UPDATE SET data = excluded.data, sha256 = excluded.sha256, created_at = excluded.created_at`,
			int64(seq), data, sum[:])
		if err != nil {
			return fmt.Errorf("postgres: save snapshot %d: %w", seq, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM snapshots WHERE seq < $1", int64(seq)); err != nil {
			return fmt.Errorf("postgres: save snapshot %d: delete older: %w", seq, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: save snapshot %d: commit: %w", seq, err)
		}
		return nil
	})
}

// lostCatalogRace reports whether err is what CREATE TABLE IF NOT EXISTS
// returns to the loser of two processes creating the same table at once
// (the name is checked before the catalog rows are inserted): the table
// exists either way.
func lostCatalogRace(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "42P07", // duplicate_table
		"42710", // duplicate_object: the table's row type
		"23505": // unique_violation on pg_type or pg_class
		return true
	}
	return false
}

// Discard deletes every entry, snapshot and row of history, leaving the
// schema: for a copy into an empty database (astara migrate-store) that
// failed half way.
func (s *Store) Discard() error {
	return s.query(func(conn *pgx.Conn) error {
		if _, err := conn.Exec(context.Background(), "TRUNCATE journal, snapshots, ledger_transfers, ledger_balances, machine_records, history_external, query_accounts, query_transfers, query_balances, query_records, list_files"); err != nil {
			return fmt.Errorf("postgres: discard: %w", err)
		}
		if _, err := conn.Exec(context.Background(), "UPDATE query_position SET seq = 0"); err != nil {
			return fmt.Errorf("postgres: discard: %w", err)
		}
		s.lastSeq.Store(0)
		return nil
	})
}
