package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"astara/journal"
	"astara/ledger"
	"astara/money"
)

// History is the store's ledger.History: the tables ledger_transfers,
// ledger_balances and machine_records. It has two connections of its own, so that a move being
// written (a transaction of up to a few hundred thousand rows) holds up
// neither the journal's commits nor the reads of history, which the
// applier makes for a retried transfer id.
type History struct {
	s     *Store
	check bool // compare instead of write (verification)

	writeMu sync.Mutex
	write   *pgx.Conn
	readMu  sync.Mutex
	read    *pgx.Conn
}

var _ ledger.History = (*History)(nil)

// History implements ledger.HistoryStore.
func (s *Store) History() ledger.History {
	s.historyOnce.Do(func() { s.history = &History{s: s} })
	return s.history
}

// connect returns the connection *c, opening it on first use.
func (h *History) connect(c **pgx.Conn) (*pgx.Conn, error) {
	if *c != nil {
		return *c, nil
	}
	conn, err := pgx.ConnectConfig(context.Background(), h.s.config.Copy())
	if err != nil {
		return nil, fmt.Errorf("postgres: history: connect: %w", err)
	}
	*c = conn
	return conn, nil
}

func (h *History) reading(fn func(*pgx.Conn) error) error {
	h.readMu.Lock()
	defer h.readMu.Unlock()
	conn, err := h.connect(&h.read)
	if err != nil {
		return err
	}
	return fn(conn)
}

func (h *History) close() {
	for _, c := range []struct {
		mu   *sync.Mutex
		conn **pgx.Conn
	}{{&h.writeMu, &h.write}, {&h.readMu, &h.read}} {
		c.mu.Lock()
		if *c.conn != nil {
			(*c.conn).Close(context.Background())
			*c.conn = nil
		}
		c.mu.Unlock()
	}
}

// Transfer implements ledger.History.
func (h *History) Transfer(id ledger.ID) (ledger.HistoryTransfer, bool, error) {
	var t ledger.HistoryTransfer
	var record []byte
	err := h.reading(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT record FROM ledger_transfers WHERE id = $1", id[:]).Scan(&record)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("postgres: read transfer %s: %w", id, err)
	}
	if err := ledger.DecodeHistoryTransfer(&t, record); err != nil || t.ID != id {
		return t, false, &journal.CorruptError{Reason: fmt.Sprintf("ledger_transfers row %s does not decode to it (%v)", id, err)}
	}
	return t, true, nil
}

// Balances implements ledger.History.
func (h *History) Balances(account ledger.ID, after, before uint64, limit int) ([]ledger.Balance, error) {
	if limit <= 0 || after >= math.MaxInt64 || after+1 >= before {
		return nil, nil
	}
	upper := int64(min(before, math.MaxInt64)) // ts is a bigint
	var out []ledger.Balance
	err := h.reading(func(conn *pgx.Conn) error {
		rows, err := conn.Query(context.Background(),
			`SELECT record FROM ledger_balances WHERE account_id = $1 AND ts > $2 AND ts < $3 ORDER BY ts, idx LIMIT $4`,
			account[:], int64(after), upper, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.Balance, error) {
			var record []byte
			var b ledger.Balance
			if err := r.Scan(&record); err != nil {
				return b, err
			}
			if err := ledger.DecodeBalance(&b, record); err != nil {
				return b, &journal.CorruptError{Reason: fmt.Sprintf("ledger_balances of %s: %v", account, err)}
			}
			return b, nil
		})
		return err
	})
	return out, err
}

// BalanceBefore implements ledger.History: one probe of the primary key,
// backwards.
func (h *History) BalanceBefore(account ledger.ID, before uint64) (ledger.Balance, bool, error) {
	var b ledger.Balance
	if before == 0 {
		return b, false, nil
	}
	upper := int64(min(before, math.MaxInt64)) // ts is a bigint
	var record []byte
	found := false
	err := h.reading(func(conn *pgx.Conn) error {
		found = false
		err := conn.QueryRow(context.Background(),
			`SELECT record FROM ledger_balances WHERE account_id = $1 AND ts < $2 ORDER BY ts DESC, idx DESC LIMIT 1`,
			account[:], upper).Scan(&record)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil || !found {
		return b, false, err
	}
	if err := ledger.DecodeBalance(&b, record); err != nil {
		return b, false, &journal.CorruptError{Reason: fmt.Sprintf("ledger_balances of %s: %v", account, err)}
	}
	return b, true, nil
}

func numeric(a money.Amount) pgtype.Numeric {
	n, _ := new(big.Int).SetString(a.String(), 10)
	return pgtype.Numeric{Int: n, Valid: true}
}

var (
	transferColumns = []string{"id", "debit_account_id", "credit_account_id", "amount", "pending_id", "currency",
		"timeout_seconds", "code", "flags", "ts", "state", "record"}
	balanceColumns = []string{"account_id", "ts", "idx", "transfer_id", "debits_pending", "debits_posted",
		"credits_pending", "credits_posted", "record"}
)

func transferRow(t *ledger.HistoryTransfer) []any {
	var pending []byte
	if !t.PendingID.IsZero() {
		pending = t.PendingID[:]
	}
	return []any{t.ID[:], t.DebitAccountID[:], t.CreditAccountID[:], numeric(t.Amount), pending, t.Currency.String(),
		int64(t.TimeoutSeconds), int32(t.Code), int32(t.Flags), int64(t.Timestamp), transferState(t),
		ledger.AppendHistoryTransfer(nil, t)}
}

func balanceRow(b *ledger.AccountBalance) []any {
	return []any{b.Account[:], int64(b.Timestamp), int32(b.Index), b.TransferID[:], numeric(b.DebitsPending),
		numeric(b.DebitsPosted), numeric(b.CreditsPending), numeric(b.CreditsPosted), ledger.AppendBalance(nil, &b.Balance)}
}

// Write implements ledger.History: one transaction, the rows copied into
// temporary tables and inserted from there, leaving the rows already
// stored as they are (a replay after a restart writes some again). Under
// verification it compares instead.
func (h *History) Write(transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	if h.check {
		return h.compare(transfers, balances)
	}
	return h.inWriteTx(func(ctx context.Context, tx pgx.Tx) error {
		return writeHistory(ctx, tx, transfers, balances)
	})
}

// inWriteTx runs fn in one transaction on the history's own writing
// connection, and commits it.
func (h *History) inWriteTx(fn func(context.Context, pgx.Tx) error) error {
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	conn, err := h.connect(&h.write)
	if err != nil {
		return err
	}
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: history: begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: history: commit: %w", err)
	}
	return nil
}

func writeHistory(ctx context.Context, tx pgx.Tx, transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	if len(transfers) > 0 {
		rows := make([][]any, len(transfers))
		for i := range transfers {
			rows[i] = transferRow(&transfers[i])
		}
		if err := copyInsert(ctx, tx, "ledger_transfers", transferColumns, rows); err != nil {
			return err
		}
	}
	if len(balances) > 0 {
		rows := make([][]any, len(balances))
		for i := range balances {
			rows[i] = balanceRow(&balances[i])
		}
		if err := copyInsert(ctx, tx, "ledger_balances", balanceColumns, rows); err != nil {
			return err
		}
	}
	return nil
}

// copyInsert copies rows into a temporary table shaped like table and
// inserts them into it, but for the keys already there.
func copyInsert(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any) error {
	stage := "stage_" + table
	if _, err := tx.Exec(ctx, fmt.Sprintf("CREATE TEMPORARY TABLE %s (LIKE %s) ON COMMIT DROP", stage, table)); err != nil {
		return fmt.Errorf("postgres: history: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, columns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgres: history: copy into %s: %w", table, err)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s ON CONFLICT DO NOTHING", table, stage)); err != nil {
		return fmt.Errorf("postgres: history: insert into %s: %w", table, err)
	}
	return nil
}

// compare checks the records against the stored ones: a record stored
// with other content is corrupt; one not stored yet is not a fault (the
// node may have died before it moved it).
func (h *History) compare(transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	for i := range transfers {
		t := &transfers[i]
		var record []byte
		err := h.reading(func(conn *pgx.Conn) error {
			return conn.QueryRow(context.Background(), "SELECT record FROM ledger_transfers WHERE id = $1", t.ID[:]).Scan(&record)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(record, ledger.AppendHistoryTransfer(nil, t)) {
			return &journal.CorruptError{Reason: fmt.Sprintf("transfer %s in ledger_transfers differs from what replay writes", t.ID)}
		}
	}
	for i := range balances {
		b := &balances[i]
		var record []byte
		err := h.reading(func(conn *pgx.Conn) error {
			return conn.QueryRow(context.Background(), "SELECT record FROM ledger_balances WHERE account_id = $1 AND ts = $2 AND idx = $3",
				b.Account[:], int64(b.Timestamp), int32(b.Index)).Scan(&record)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(record, ledger.AppendBalance(nil, &b.Balance)) {
			return &journal.CorruptError{Reason: fmt.Sprintf("balance of %s at %d in ledger_balances differs from what replay writes", b.Account, b.Timestamp)}
		}
	}
	return nil
}

// Sync implements ledger.History. Every Write and WriteRecords committed
// synchronously; Sync records that the snapshots now leave the history
// out.
func (h *History) Sync() error {
	if h.check {
		return nil
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	conn, err := h.connect(&h.write)
	if err != nil {
		return err
	}
	_, err = conn.Exec(context.Background(), "INSERT INTO history_external (id) VALUES (1) ON CONFLICT (id) DO NOTHING")
	return err
}

// ScanTransfers implements ledger.History.
func (h *History) ScanTransfers(fn func(ledger.HistoryTransfer) bool) error {
	after := []byte{}
	for {
		var batch []ledger.HistoryTransfer
		err := h.reading(func(conn *pgx.Conn) error {
			rows, err := conn.Query(context.Background(), "SELECT record FROM ledger_transfers WHERE id > $1 ORDER BY id LIMIT 1000", after)
			if err != nil {
				return err
			}
			batch, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.HistoryTransfer, error) {
				var record []byte
				var t ledger.HistoryTransfer
				if err := r.Scan(&record); err != nil {
					return t, err
				}
				if err := ledger.DecodeHistoryTransfer(&t, record); err != nil {
					return t, &journal.CorruptError{Reason: fmt.Sprintf("ledger_transfers: %v", err)}
				}
				return t, nil
			})
			return err
		})
		if err != nil {
			return err
		}
		for _, t := range batch {
			if !fn(t) {
				return nil
			}
		}
		if len(batch) < 1000 {
			return nil
		}
		after = batch[len(batch)-1].ID[:]
	}
}

// HistoryExternal reports whether the store's snapshots leave the history
// out.
func (s *Store) HistoryExternal() (bool, error) {
	var n int
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT count(*) FROM history_external").Scan(&n)
	})
	return n > 0, err
}

// Record implements ledger.History. Versions are journal sequence
// numbers, stored as bigint: before above the largest bigint asks for the
// latest version, as any version below it is.
func (h *History) Record(key []byte, before uint64) (ledger.Record, bool, error) {
	if before == 0 || ledger.CheckRecordKey(key) != nil {
		return ledger.Record{}, false, nil // none below 0; a key never written
	}
	last := int64(min(before-1, math.MaxInt64)) // the latest version allowed
	var version int64
	var value []byte
	err := h.reading(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(),
			"SELECT version, value FROM machine_records WHERE key = $1 AND version <= $2 ORDER BY version DESC LIMIT 1",
			key, last).Scan(&version, &value)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return ledger.Record{}, false, nil
	}
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("postgres: read record %x before %d: %w", key, before, err)
	}
	if version < 0 {
		return ledger.Record{}, false, &journal.CorruptError{Reason: fmt.Sprintf("machine_records row %x has version %d", key, version)}
	}
	return ledger.Record{Key: bytes.Clone(key), Version: uint64(version), Value: value}, true, nil
}

// ScanRecords implements ledger.History: one query, the latest version
// of each key below before.
func (h *History) ScanRecords(prefix []byte, before uint64, fn func(ledger.Record) bool) error {
	if before == 0 {
		return nil
	}
	last := int64(min(before-1, math.MaxInt64))
	query := "SELECT DISTINCT ON (key) key, version, value FROM machine_records WHERE key >= $1 AND version <= $2"
	args := []any{prefix, last}
	if upper, ok := prefixEnd(prefix); ok {
		query += " AND key < $3"
		args = append(args, upper)
	}
	query += " ORDER BY key, version DESC"
	var found []ledger.Record
	err := h.reading(func(conn *pgx.Conn) error {
		found = found[:0]
		rows, err := conn.Query(context.Background(), query, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r ledger.Record
			var version int64
			if err := rows.Scan(&r.Key, &version, &r.Value); err != nil {
				rows.Close()
				return err
			}
			if version < 0 {
				rows.Close()
				return &journal.CorruptError{Reason: fmt.Sprintf("machine_records row %x has version %d", r.Key, version)}
			}
			r.Version = uint64(version)
			found = append(found, r)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("postgres: scan records %x: %w", prefix, err)
	}
	for _, r := range found {
		if !fn(r) {
			return nil
		}
	}
	return nil
}

// prefixEnd returns the least key above every key that begins with
// prefix; ok is false when there is none (a prefix of 0xff bytes alone).
func prefixEnd(prefix []byte) ([]byte, bool) {
	end := bytes.Clone(prefix)
	for len(end) > 0 && end[len(end)-1] == 0xff {
		end = end[:len(end)-1]
	}
	if len(end) == 0 {
		return nil, false
	}
	end[len(end)-1]++
	return end, true
}

var recordColumns = []string{"key", "version", "value"}

// checkRecords refuses records that machine_records cannot hold.
func checkRecords(records []ledger.Record) error {
	for i := range records {
		r := &records[i]
		if err := ledger.CheckRecordKey(r.Key); err != nil {
			return fmt.Errorf("postgres: write record %x version %d: %w", r.Key, r.Version, err)
		}
		if r.Version > math.MaxInt64 {
			return fmt.Errorf("postgres: write record %x version %d: versions above %d do not fit a bigint", r.Key, r.Version, int64(math.MaxInt64))
		}
	}
	return nil
}

// WriteRecords implements ledger.History: one transaction, like Write.
// The rows are copied into a temporary table and inserted from there but
// for those already stored; then every record is compared with the row
// stored under its key and version, so that a record written again with
// other content (before, or twice in records) fails the transaction.
// Under verification it compares instead.
func (h *History) WriteRecords(records []ledger.Record) error {
	if err := checkRecords(records); err != nil {
		return err
	}
	if h.check {
		return h.compareRecords(records)
	}
	if len(records) == 0 {
		return nil
	}
	rows := make([][]any, len(records))
	for i := range records {
		r := &records[i]
		value := r.Value
		if value == nil {
			value = []byte{} // nil is NULL to pgx; the column is not null
		}
		rows[i] = []any{r.Key, int64(r.Version), value}
	}
	return h.inWriteTx(func(ctx context.Context, tx pgx.Tx) error {
		if err := copyInsert(ctx, tx, "machine_records", recordColumns, rows); err != nil {
			return err
		}
		var key []byte
		var version int64
		err := tx.QueryRow(ctx, `SELECT s.key, s.version FROM stage_machine_records s
			JOIN machine_records m ON m.key = s.key AND m.version = s.version
			WHERE m.value <> s.value LIMIT 1`).Scan(&key, &version)
		switch {
		case err == nil:
			return fmt.Errorf("postgres: record %x version %d written again with other content", key, version)
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: history: compare the records written: %w", err)
		}
		return nil
	})
}

// compareRecords is WriteRecords under verification: a record stored
// under the same key and version with other content is corrupt; one not
// stored passes, as a transfer does (the node may have died before
// writing it).
func (h *History) compareRecords(records []ledger.Record) error {
	for i := range records {
		r := &records[i]
		var value []byte
		err := h.reading(func(conn *pgx.Conn) error {
			return conn.QueryRow(context.Background(), "SELECT value FROM machine_records WHERE key = $1 AND version = $2",
				r.Key, int64(r.Version)).Scan(&value)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			// The node may have died before writing it; its replay
			// after a restart writes it, as the transfers'.
			continue
		}
		if err != nil {
			return fmt.Errorf("postgres: compare record %x version %d: %w", r.Key, r.Version, err)
		}
		if !bytes.Equal(value, r.Value) {
			return &journal.CorruptError{Reason: fmt.Sprintf("record %x version %d in machine_records differs from what replay writes", r.Key, r.Version)}
		}
	}
	return nil
}
