// Package postgres keeps the ledger's journal and snapshots in PostgreSQL:
// a ledger.Store that passes the same acceptance suite (ledger/storetest)
// as the embedded Pebble journal, so that a Service can run on either.
//
// Open connects, applies the embedded migrations (migrations/*.sql, each
// recorded in schema_migrations and applied in one transaction holding the
// single row of schema_lock FOR UPDATE, so that processes opening the same
// database at once apply each migration exactly once; a row lock rather
// than an advisory lock or LOCK TABLE, so that PostgreSQL-compatible engines
// without those can serve) and reads the last sequence number.
//
// The journal table holds one row per entry: seq, ts, op, payload and hash,
// where hash is SHA-256 over the previous entry's hash (32 zero bytes for
// the first entry), then seq and ts as 8 big-endian bytes each, op as one
// byte, then the payload — the same chain as the journal package, so a
// journal can be carried over with its hashes intact. Append writes a
// group of entries in one transaction (the group commit) with COPY, after
// locking the last row and checking that the group follows it without a
// gap or a repeat; a refused group writes nothing. It returns once the
// transaction has committed with synchronous_commit on, which Open sets for
// its connection. Replay reads entries in batches in seq order, recomputes
// the chain from the entry before the first one it returns and reports a
// broken chain or a missing entry as a *journal.CorruptError naming the
// entry, so errors.Is(err, journal.ErrCorrupt) holds as the ledger.Store
// contract requires.
//
// Snapshots are stored whole as bytea beside their SHA-256, which
// LoadSnapshot checks. SaveSnapshot writes the new snapshot and deletes the
// older ones in one transaction, so a failed save keeps the previous one.
//
// A Store uses one connection, serialised by a mutex: it expects a single
// process writing the ledger, as with the embedded journal.
//
// `astara migrate-store` copies an embedded journal in with Append, its
// snapshot with SaveSnapshot, and checks the copy with VerifyMachine; a
// failed copy is undone with Discard.
//
// The query tables (query.go; ledger.QueryStore) hold the current
// state for SQL users: accounts, transfers, balance history and the
// payments, written by AppendQuery in the journal's own transactions,
// each row as of an entry, never replaced by an older one, and
// query_position naming the entry the tables hold the state after.
// ReadQuery reads them back whole in one repeatable-read transaction.
//
// The writer's lease (lease.go) lets one process write at a time: a row
// with a fencing token that every append checks. History (history.go)
// holds what the engine and the payments layer moved out of memory.
package postgres
