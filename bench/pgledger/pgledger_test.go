package pgledger_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"astara/bench/pgledger"
	"astara/internal/pgtest"
)

// databases numbers the databases the tests create in a shared cluster.
var databases atomic.Int64

// mustLedger creates a fresh database in c, loads the ledger into it and
// returns a connection that the test's cleanup closes.
func mustLedger(tb testing.TB, c *pgtest.Cluster) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("ledger%d", databases.Add(1))
	if err := c.CreateDatabase(ctx, name); err != nil {
		tb.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, c.DSN(name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	if err := pgledger.Load(ctx, conn); err != nil {
		tb.Fatal(err)
	}
	return conn
}

func mustCreateAccounts(tb testing.TB, conn *pgx.Conn, first, count int64, currency string, flags int) {
	tb.Helper()
	if err := pgledger.CreateAccounts(context.Background(), conn, first, count, currency, flags); err != nil {
		tb.Fatal(err)
	}
}

// id returns a transfer id: n in the last digits.
func id(n int) string { return fmt.Sprintf("7e000000-0000-0000-0000-%012d", n) }

// acct is the id of account n.
func acct(n int64) string { return pgledger.AccountID(n) }

type balance struct{ debits, credits string }

func mustBalance(tb testing.TB, conn *pgx.Conn, n int64) balance {
	tb.Helper()
	var b balance
	err := conn.QueryRow(context.Background(),
		"SELECT debits_posted::text, credits_posted::text FROM pgledger.accounts WHERE id = $1", acct(n)).
		Scan(&b.debits, &b.credits)
	if err != nil {
		tb.Fatalf("balance of account %d: %v", n, err)
	}
	return b
}

func mustCheckBooks(tb testing.TB, conn *pgx.Conn, wantTransfers int64) {
	tb.Helper()
	got, err := pgledger.CheckBooks(context.Background(), conn)
	if err != nil {
		tb.Fatal(err)
	}
	if got != wantTransfers {
		tb.Fatalf("CheckBooks counted %d transfers, want %d", got, wantTransfers)
	}
}

func TestLedger(t *testing.T) {
	c := pgtest.MustStartWith(t, pgtest.Options{NoFsync: true, SharedBuffers: "64MB"})
	ctx := context.Background()

	t.Run("AccountIDMatchesSQL", func(t *testing.T) {
		t.Parallel()
		conn := mustLedger(t, c)
		for _, n := range []int64{1, 2, 15, 16, 10_000, 1 << 40} {
			var got string
			if err := conn.QueryRow(ctx, "SELECT pgledger.account_id($1)::text", n).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := pgledger.AccountID(n); got != want {
				t.Errorf("account_id(%d) = %s, AccountID = %s", n, got, want)
			}
		}
	})

	t.Run("CreateTransfer", func(t *testing.T) {
		t.Parallel()
		conn := mustLedger(t, c)
		mustCreateAccounts(t, conn, 1, 3, "RUB", 0)                                       // 1, 2, 3
		mustCreateAccounts(t, conn, 4, 1, "RUB", pgledger.FlagDebitsMustNotExceedCredits) // 4
		mustCreateAccounts(t, conn, 5, 1, "RUB", pgledger.FlagCreditsMustNotExceedDebits) // 5
		mustCreateAccounts(t, conn, 6, 1, "IRR", 0)                                       // 6

		steps := []struct {
			rule          string
			id            int
			debit, credit int64
			amount        string
			want          string
		}{
			{"a transfer between two accounts is made", 1, 1, 2, "100", "ok"},
			{"a retry with the same fields answers exists", 1, 1, 2, "100", "exists"},
			{"a retry with another amount is refused", 1, 1, 2, "101", "exists_with_different_amount"},
			{"a retry with another debit account is refused", 1, 3, 2, "100", "exists_with_different_debit_account_id"},
			{"a retry with another credit account is refused", 1, 1, 3, "100", "exists_with_different_credit_account_id"},
			{"the amount must not be zero", 2, 1, 2, "0", "amount_must_not_be_zero"},
			{"the accounts must be different", 3, 1, 1, "5", "accounts_must_be_different"},
			{"the debit account must exist", 4, 99, 1, "5", "debit_account_not_found"},
			{"the credit account must exist", 5, 1, 99, "5", "credit_account_not_found"},
			{"the currencies must match", 6, 1, 6, "5", "accounts_must_have_the_same_currency"},
			{"a guarded account without credits cannot be debited", 7, 4, 1, "1", "exceeds_credits"},
			{"a guarded account is credited", 8, 2, 4, "50", "ok"},
			{"a guarded account is debited up to its credits", 9, 4, 3, "50", "ok"},
			{"a guarded account is not debited one past its credits", 10, 4, 3, "1", "exceeds_credits"},
			{"a credits-guarded account without debits cannot be credited", 11, 1, 5, "1", "exceeds_debits"},
			{"a credits-guarded account is debited", 12, 5, 1, "30", "ok"},
			{"a credits-guarded account is credited up to its debits", 13, 1, 5, "30", "ok"},
			{"a 128-bit amount is accepted", 14, 2, 3, "340282366920938463463374607431768211355", "ok"},
			{"debits posted do not overflow", 16, 2, 1, "101", "overflows_debits_posted"},
			{"credits posted do not overflow", 17, 1, 3, "51", "overflows_credits_posted"},
		}
		for _, s := range steps {
			var got string
			err := conn.QueryRow(ctx, "SELECT pgledger.create_transfer($1, $2, $3, $4::numeric)",
				id(s.id), acct(s.debit), acct(s.credit), s.amount).Scan(&got)
			if err != nil {
				t.Fatalf("%s: %v", s.rule, err)
			}
			if got != s.want {
				t.Errorf("%s: got %s, want %s", s.rule, got, s.want)
			}
		}

		// Transfers 1, 8, 9, 12, 13 and 14 were made.
		for n, want := range map[int64]balance{
			1: {debits: "130", credits: "30"},
			2: {debits: "340282366920938463463374607431768211405", credits: "100"},
			3: {debits: "0", credits: "340282366920938463463374607431768211405"},
			4: {debits: "50", credits: "50"},
			5: {debits: "30", credits: "30"},
			6: {debits: "0", credits: "0"},
		} {
			if got := mustBalance(t, conn, n); got != want {
				t.Errorf("account %d: got %+v, want %+v", n, got, want)
			}
		}
		mustCheckBooks(t, conn, 6)
	})

	t.Run("CreateTransfers", func(t *testing.T) {
		t.Parallel()
		conn := mustLedger(t, c)
		mustCreateAccounts(t, conn, 1, 3, "RUB", 0)
		mustCreateAccounts(t, conn, 4, 1, "RUB", pgledger.FlagDebitsMustNotExceedCredits)
		var got []string
		err := conn.QueryRow(ctx, "SELECT pgledger.create_transfers($1, $2, $3, $4)",
			[]string{id(1), id(2), id(1), id(3), id(4)},
			[]string{acct(1), acct(2), acct(1), acct(4), acct(3)},
			[]string{acct(2), acct(3), acct(2), acct(1), acct(4)},
			[]string{"10", "20", "10", "1", "5"},
		).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ok", "ok", "exists", "exceeds_credits", "ok"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("got %v, want %v", got, want)
		}
		mustCheckBooks(t, conn, 3)
		if got, want := mustBalance(t, conn, 2), (balance{debits: "20", credits: "10"}); got != want {
			t.Errorf("account 2: got %+v, want %+v", got, want)
		}

		var n int
		err = conn.QueryRow(ctx, "SELECT cardinality(pgledger.create_transfers('{}', '{}', '{}', '{}'))").Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("empty batch: got %d results, err %v; want 0, nil", n, err)
		}
		_, err = conn.Exec(ctx, "SELECT pgledger.create_transfers($1, $2, $3, $4)",
			[]string{id(9)}, []string{acct(1)}, []string{}, []string{"1"})
		if err == nil {
			t.Error("arrays of different lengths: got no error")
		}
	})

	// Batches hold their locks until they commit; opposite batches over the
	// same accounts must queue, not deadlock.
	t.Run("ConcurrentBatchesDoNotDeadlock", func(t *testing.T) {
		t.Parallel()
		conn := mustLedger(t, c)
		const accounts, workers, batches, size = 8, 4, 20, 16
		mustCreateAccounts(t, conn, 1, accounts, "RUB", 0)
		dsn := conn.Config().ConnString()
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				wc, err := pgx.Connect(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer wc.Close(context.Background())
				for b := range batches {
					var ids, debits, credits, amounts []string
					for i := range size {
						// Even workers walk the accounts up, odd ones down.
						k := int64(i % accounts)
						if w%2 == 1 {
							k = accounts - 1 - k
						}
						ids = append(ids, fmt.Sprintf("7e%06d-0000-0000-0000-%012d", w, b*size+i))
						debits = append(debits, acct(1+k))
						credits = append(credits, acct(1+(k+1)%accounts))
						amounts = append(amounts, "1")
					}
					var results []string
					if err := wc.QueryRow(ctx, "SELECT pgledger.create_transfers($1, $2, $3, $4)",
						ids, debits, credits, amounts).Scan(&results); err != nil {
						errs <- fmt.Errorf("worker %d batch %d: %w", w, b, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		mustCheckBooks(t, conn, workers*batches*size)
	})
}

func TestRun(t *testing.T) {
	pgtest.Require(t)
	var progress strings.Builder
	results, err := pgledger.Run(t.Context(), pgledger.Config{
		Seconds:  2,
		Clients:  2,
		Accounts: 1000,
		Progress: &progress,
	})
	t.Log("\n" + progress.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 4 {
		t.Fatalf("got %d results, want 4 (2 workloads x 2 modes)", len(results))
	}
	for _, r := range results {
		if r.TransfersPerSecond == 0 || r.Transfers == 0 || r.LatencyAvg <= 0 || r.LatencyP99 < r.LatencyAvg/10 {
			t.Errorf("implausible result: %+v", r)
		}
		if r.Mode == pgledger.ModeBatch && r.BatchSize != 100 {
			t.Errorf("%s batch: batch size %d, want the default 100", r.Workload, r.BatchSize)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	for _, cfg := range []pgledger.Config{
		{Clients: pgledger.ClientsMax + 1},
		{BatchSize: pgledger.BatchTransfersMax + 1},
		{Accounts: 1},
		{HotPercent: 101},
		{Clients: 2, Threads: 3},
	} {
		if _, err := pgledger.Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v): no error", cfg)
		}
	}
}
