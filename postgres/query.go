package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"astara/ledger"
	"astara/money"
)

// QueryThrough implements ledger.QueryStore.
func (s *Store) QueryThrough() (uint64, error) {
	var seq int64
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT seq FROM query_position WHERE id = 1").Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: read query_position: %w", err)
	}
	return uint64(seq), nil
}

// The statements that write the query tables, each from arrays of its
// columns (one round trip for every table; COPY would take two a table).
// A row replaces the stored one only if it is of a later entry.
const (
	upsertAccounts = `INSERT INTO query_accounts
SELECT * FROM unnest($1::bytea[], $2::text[], $3::int[], $4::int[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::bigint[], $10::bigint[])
ON CONFLICT (id) DO UPDATE SET debits_pending = EXCLUDED.debits_pending, debits_posted = EXCLUDED.debits_posted,
    credits_pending = EXCLUDED.credits_pending, credits_posted = EXCLUDED.credits_posted, as_of = EXCLUDED.as_of
WHERE query_accounts.as_of < EXCLUDED.as_of`
	upsertTransfers = `INSERT INTO query_transfers
SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::numeric[], $5::bytea[], $6::text[], $7::bigint[], $8::int[], $9::int[], $10::bigint[], $11::text[], $12::bigint[])
ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, as_of = EXCLUDED.as_of
WHERE query_transfers.as_of < EXCLUDED.as_of`
	insertBalances = `INSERT INTO query_balances
SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::int[], $4::bytea[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::bigint[])
ON CONFLICT DO NOTHING`
	upsertRecords = `INSERT INTO query_records
SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bigint[])
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, as_of = EXCLUDED.as_of
WHERE query_records.as_of < EXCLUDED.as_of`
	movePosition = `UPDATE query_position SET seq = $1 WHERE id = 1 AND seq < $1`
)

// writeQuery writes the deltas' rows in tx, the later of two rows of one
// key winning, and moves query_position to the last delta's entry.
func writeQuery(ctx context.Context, tx pgx.Tx, deltas []*ledger.QueryDelta) error {
	if len(deltas) == 0 {
		return nil
	}
	var accounts queryAccountColumns
	var transfers queryTransferColumns
	var balances queryBalanceColumns
	var records queryRecordColumns
	accountAt := map[ledger.ID]int{}
	transferAt := map[ledger.ID]int{}
	recordAt := map[string]int{}
	through := uint64(0)
	for _, d := range deltas {
		through = max(through, d.Through)
		asOf := int64(d.Through)
		for i := range d.Accounts {
			a := &d.Accounts[i]
			if k, ok := accountAt[a.ID]; ok {
				accounts.set(k, a, asOf)
			} else {
				accountAt[a.ID] = accounts.add(a, asOf)
			}
		}
		for i := range d.Transfers {
			t := &d.Transfers[i]
			if k, ok := transferAt[t.ID]; ok {
				transfers.state[k], transfers.asOf[k] = transferState(t), asOf
			} else {
				transferAt[t.ID] = transfers.add(t, asOf)
			}
		}
		for i := range d.Balances {
			balances.add(&d.Balances[i], asOf)
		}
		for i := range d.Records {
			r := &d.Records[i]
			if k, ok := recordAt[string(r.Key)]; ok {
				records.value[k], records.asOf[k] = r.Value, asOf
			} else {
				recordAt[string(r.Key)] = len(records.key)
				records.key = append(records.key, r.Key)
				records.value = append(records.value, r.Value)
				records.asOf = append(records.asOf, asOf)
			}
		}
	}
	var b pgx.Batch
	if len(accounts.id) > 0 {
		b.Queue(upsertAccounts, accounts.id, accounts.currency, accounts.code, accounts.flags, accounts.debitsPending,
			accounts.debitsPosted, accounts.creditsPending, accounts.creditsPosted, accounts.ts, accounts.asOf)
	}
	if len(transfers.id) > 0 {
		b.Queue(upsertTransfers, transfers.id, transfers.debit, transfers.credit, transfers.amount, transfers.pending,
			transfers.currency, transfers.timeout, transfers.code, transfers.flags, transfers.ts, transfers.state, transfers.asOf)
	}
	if len(balances.account) > 0 {
		b.Queue(insertBalances, balances.account, balances.ts, balances.idx, balances.transfer, balances.debitsPending,
			balances.debitsPosted, balances.creditsPending, balances.creditsPosted, balances.asOf)
	}
	if len(records.key) > 0 {
		b.Queue(upsertRecords, records.key, records.value, records.asOf)
	}
	b.Queue(movePosition, int64(through))
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("postgres: write the query tables through entry %d: %w", through, err)
	}
	return nil
}

// The columns of the rows to write, as arrays.
type queryAccountColumns struct {
	id                                                         [][]byte
	currency                                                   []string
	code, flags                                                []int32
	debitsPending, debitsPosted, creditsPending, creditsPosted []pgtype.Numeric
	ts, asOf                                                   []int64
}

func (c *queryAccountColumns) add(a *ledger.Account, asOf int64) int {
	c.id = append(c.id, a.ID[:])
	c.currency = append(c.currency, a.Currency.String())
	c.code = append(c.code, int32(a.Code))
	c.flags = append(c.flags, int32(a.Flags))
	c.debitsPending = append(c.debitsPending, pgtype.Numeric{})
	c.debitsPosted = append(c.debitsPosted, pgtype.Numeric{})
	c.creditsPending = append(c.creditsPending, pgtype.Numeric{})
	c.creditsPosted = append(c.creditsPosted, pgtype.Numeric{})
	c.ts = append(c.ts, int64(a.Timestamp))
	c.asOf = append(c.asOf, 0)
	k := len(c.id) - 1
	c.set(k, a, asOf)
	return k
}

// set makes row k the account's balances as of asOf.
func (c *queryAccountColumns) set(k int, a *ledger.Account, asOf int64) {
	c.debitsPending[k] = numeric(a.DebitsPending)
	c.debitsPosted[k] = numeric(a.DebitsPosted)
	c.creditsPending[k] = numeric(a.CreditsPending)
	c.creditsPosted[k] = numeric(a.CreditsPosted)
	c.asOf[k] = asOf
}

type queryTransferColumns struct {
	id, debit, credit, pending [][]byte
	amount                     []pgtype.Numeric
	currency, state            []string
	timeout, ts, asOf          []int64
	code, flags                []int32
}

func (c *queryTransferColumns) add(t *ledger.HistoryTransfer, asOf int64) int {
	var pending []byte
	if !t.PendingID.IsZero() {
		pending = t.PendingID[:]
	}
	c.id = append(c.id, t.ID[:])
	c.debit = append(c.debit, t.DebitAccountID[:])
	c.credit = append(c.credit, t.CreditAccountID[:])
	c.amount = append(c.amount, numeric(t.Amount))
	c.pending = append(c.pending, pending)
	c.currency = append(c.currency, t.Currency.String())
	c.timeout = append(c.timeout, int64(t.TimeoutSeconds))
	c.code = append(c.code, int32(t.Code))
	c.flags = append(c.flags, int32(t.Flags))
	c.ts = append(c.ts, int64(t.Timestamp))
	c.state = append(c.state, transferState(t))
	c.asOf = append(c.asOf, asOf)
	return len(c.id) - 1
}

// transferState names a transfer's state as the history tables do: a
// transfer that was never pending is posted.
func transferState(t *ledger.HistoryTransfer) string {
	if state := t.State.String(); state != "" {
		return state
	}
	return "posted"
}

// parseTransferState reads a state transferState wrote.
func parseTransferState(s string, flags ledger.TransferFlags) (ledger.PendingState, error) {
	if s == "posted" && flags&ledger.TransferPending == 0 {
		return ledger.PendingNone, nil
	}
	for st := ledger.PendingOpen; st <= ledger.PendingExpired; st++ {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("state %q", s)
}

type queryBalanceColumns struct {
	account, transfer                                          [][]byte
	ts, asOf                                                   []int64
	idx                                                        []int32
	debitsPending, debitsPosted, creditsPending, creditsPosted []pgtype.Numeric
}

func (c *queryBalanceColumns) add(b *ledger.AccountBalance, asOf int64) {
	c.account = append(c.account, b.Account[:])
	c.ts = append(c.ts, int64(b.Timestamp))
	c.idx = append(c.idx, int32(b.Index))
	c.transfer = append(c.transfer, b.TransferID[:])
	c.debitsPending = append(c.debitsPending, numeric(b.DebitsPending))
	c.debitsPosted = append(c.debitsPosted, numeric(b.DebitsPosted))
	c.creditsPending = append(c.creditsPending, numeric(b.CreditsPending))
	c.creditsPosted = append(c.creditsPosted, numeric(b.CreditsPosted))
	c.asOf = append(c.asOf, asOf)
}

type queryRecordColumns struct {
	key, value [][]byte
	asOf       []int64
}

var _ ledger.QueryReader = (*Store)(nil)

// readQueryTables runs fn in one repeatable-read transaction on a
// connection of its own, after reading the tables' position.
func (s *Store) readQueryTables(fn func(ctx context.Context, tx pgx.Tx, through uint64) error) error {
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, s.config)
	if err != nil {
		return fmt.Errorf("postgres: read the query tables: connect: %w", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: read the query tables: begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	var through int64
	if err := tx.QueryRow(ctx, "SELECT seq FROM query_position WHERE id = 1").Scan(&through); err != nil {
		return fmt.Errorf("postgres: read query_position: %w", err)
	}
	return fn(ctx, tx, uint64(through))
}

// readRows calls scan for every row sql returns.
func readRows(ctx context.Context, tx pgx.Tx, what, sql string, scan func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return fmt.Errorf("postgres: read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("postgres: read %s: %w", what, err)
		}
	}
	return rows.Err()
}

// amounts parses numeric columns read as text into to.
func amounts(raw [4]string, to ...*money.Amount) error {
	for i, p := range to {
		a, err := money.ParseMinorUnits(raw[i])
		if err != nil {
			return err
		}
		*p = a
	}
	return nil
}

const selectAccounts = `SELECT id, currency, code, flags, debits_pending::text, debits_posted::text,
    credits_pending::text, credits_posted::text, ts FROM query_accounts ORDER BY id`

func scanAccount(rows pgx.Rows) (ledger.Account, error) {
	var a ledger.Account
	var id []byte
	var cur string
	var code, flags int32
	var raw [4]string
	var ts int64
	if err := rows.Scan(&id, &cur, &code, &flags, &raw[0], &raw[1], &raw[2], &raw[3], &ts); err != nil {
		return a, err
	}
	c, err := money.ParseCode(cur)
	if err != nil {
		return a, err
	}
	copy(a.ID[:], id)
	a.Currency, a.Code, a.Flags, a.Timestamp = c, uint16(code), ledger.AccountFlags(flags), uint64(ts)
	err = amounts(raw, &a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted)
	return a, err
}

// QuerySummary is what `astara verify` compares of the query tables with
// the state it replays: every account, and the transfers and payments
// counted.
type QuerySummary struct {
	Through     uint64 // query_position
	Accounts    []ledger.Account
	Transfers   int64
	OpenPending int64
	Payments    map[string]int64 // by status
}

// QuerySummary reads the summary in one consistent read.
func (s *Store) QuerySummary() (QuerySummary, error) {
	var q QuerySummary
	err := s.readQueryTables(func(ctx context.Context, tx pgx.Tx, through uint64) error {
		q.Through = through
		err := readRows(ctx, tx, "query_accounts", selectAccounts, func(rows pgx.Rows) error {
			a, err := scanAccount(rows)
			q.Accounts = append(q.Accounts, a)
			return err
		})
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'pending') FROM query_transfers`).Scan(&q.Transfers, &q.OpenPending); err != nil {
			return fmt.Errorf("postgres: count query_transfers: %w", err)
		}
		q.Payments = map[string]int64{}
		return readRows(ctx, tx, "query_payments", `SELECT status, count(*) FROM query_payments GROUP BY status`, func(rows pgx.Rows) error {
			var status string
			var n int64
			err := rows.Scan(&status, &n)
			q.Payments[status] = n
			return err
		})
	})
	return q, err
}

// ReadQuery implements ledger.QueryReader, on a connection of its own in
// one repeatable-read transaction.
func (s *Store) ReadQuery() (*ledger.QueryDelta, error) {
	d := &ledger.QueryDelta{}
	err := s.readQueryTables(func(ctx context.Context, tx pgx.Tx, through uint64) error {
		d.Through = through
		read := func(what, sql string, scan func(pgx.Rows) error) error { return readRows(ctx, tx, what, sql, scan) }
		err := read("query_accounts", selectAccounts, func(rows pgx.Rows) error {
			a, err := scanAccount(rows)
			d.Accounts = append(d.Accounts, a)
			return err
		})
		if err != nil {
			return err
		}
		err = read("query_transfers", `SELECT id, debit_account_id, credit_account_id, amount::text, pending_id, currency,
	    timeout_seconds, code, flags, ts, state FROM query_transfers ORDER BY id`, func(rows pgx.Rows) error {
			var t ledger.HistoryTransfer
			var id, debit, credit, pending []byte
			var amount, cur, state string
			var timeout, ts int64
			var code, flags int32
			if err := rows.Scan(&id, &debit, &credit, &amount, &pending, &cur, &timeout, &code, &flags, &ts, &state); err != nil {
				return err
			}
			c, err := money.ParseCode(cur)
			if err != nil {
				return err
			}
			if t.Amount, err = money.ParseMinorUnits(amount); err != nil {
				return err
			}
			copy(t.ID[:], id)
			copy(t.DebitAccountID[:], debit)
			copy(t.CreditAccountID[:], credit)
			copy(t.PendingID[:], pending)
			t.Currency, t.TimeoutSeconds, t.Code, t.Flags, t.Timestamp = c, uint32(timeout), uint16(code), ledger.TransferFlags(flags), uint64(ts)
			if t.State, err = parseTransferState(state, t.Flags); err != nil {
				return err
			}
			d.Transfers = append(d.Transfers, t)
			return nil
		})
		if err != nil {
			return err
		}
		err = read("query_balances", `SELECT account_id, ts, idx, transfer_id, debits_pending::text, debits_posted::text,
	    credits_pending::text, credits_posted::text FROM query_balances ORDER BY account_id, ts, idx`, func(rows pgx.Rows) error {
			var b ledger.AccountBalance
			var account, transfer []byte
			var ts int64
			var idx int32
			var raw [4]string
			if err := rows.Scan(&account, &ts, &idx, &transfer, &raw[0], &raw[1], &raw[2], &raw[3]); err != nil {
				return err
			}
			copy(b.Account[:], account)
			copy(b.TransferID[:], transfer)
			b.Timestamp, b.Index = uint64(ts), uint32(idx)
			if err := amounts(raw, &b.DebitsPending, &b.DebitsPosted, &b.CreditsPending, &b.CreditsPosted); err != nil {
				return err
			}
			d.Balances = append(d.Balances, b)
			return nil
		})
		if err != nil {
			return err
		}
		return read("query_records", `SELECT key, value FROM query_records ORDER BY key`, func(rows pgx.Rows) error {
			var r ledger.Record
			if err := rows.Scan(&r.Key, &r.Value); err != nil {
				return err
			}
			d.Records = append(d.Records, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// QueryBehind reports whether the query tables are behind the latest
// snapshot, as in a database from before they existed or one that
// migrate-store filled: the next recovery fills them by replaying the
// whole journal. It returns their position and the snapshot's entry.
func (s *Store) QueryBehind() (behind bool, through, snapshot uint64, err error) {
	var t, snap int64
	err = s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(),
			"SELECT (SELECT seq FROM query_position WHERE id = 1), coalesce((SELECT max(seq) FROM snapshots), 0)").Scan(&t, &snap)
	})
	if err != nil {
		return false, 0, 0, fmt.Errorf("postgres: read the query tables' position: %w", err)
	}
	return t < snap, uint64(t), uint64(snap), nil
}

// ClearQuery implements ledger.QueryClearer: the tables emptied and the
// position at 0, in one transaction of the lease's holder. A reader then
// sees no rows rather than those of an old entry.
func (s *Store) ClearQuery() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errClosed
	}
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "TRUNCATE query_accounts, query_transfers, query_balances, query_records"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE query_position SET seq = 0 WHERE id = 1")
		return err
	})
	if err != nil && !errors.Is(err, ErrFenced) {
		return fmt.Errorf("postgres: empty the query tables: %w", err)
	}
	return err
}
