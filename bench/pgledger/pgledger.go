// Package pgledger is the honest baseline for Astara's ledger figures: a
// double-entry ledger in PostgreSQL with row locks, written the way
// published Postgres ledgers (pgledger and its kind) are, and driven by
// pgbench.
//
// A throughput figure means little on its own: it depends on the machine,
// its disk and its fsync latency. So Astara's benchmarks report it next to
// this one, measured in the same run on the same machine, with fsync on and
// synchronous commits, as production would run. The comparison is what the
// design claims: a deterministic engine that applies batches in one
// goroutine does not queue on row locks the way a transaction per transfer
// does, above all on hot accounts (a bank's settlement account touched by
// every payment).
//
// The ledger is schema.sql: accounts whose balances are columns of their
// rows, immutable transfers keyed by a client-chosen id, and two PL/pgSQL
// functions, create_transfer (one transfer: lock both account rows in id
// order, check, insert, update both balances) and create_transfers (a batch
// in one transaction). Result codes and flag bits are those of Astara's
// ledger package.
//
// Run starts a throwaway cluster with internal/pgtest (or uses a given
// database), loads the schema, creates the accounts and runs pgbench for each
// workload (uniform, hot) and mode (single, batch); after each run it checks
// that the books balance and that every transfer pgbench made is there.
package pgledger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "embed"

	"github.com/jackc/pgx/v5"

	"astara/internal/pgtest"
)

// Schema is the ledger's SQL: it drops and recreates the schema pgledger
// with its tables and functions. See the comments in schema.sql.
//
//go:embed schema.sql
var Schema string

// Account flags, the bits of accounts.flags; the same values as Astara's
// ledger.AccountFlags.
const (
	// FlagDebitsMustNotExceedCredits makes create_transfer answer
	// "exceeds_credits" rather than let the account's debits pass its
	// credits.
	FlagDebitsMustNotExceedCredits = 1
	// FlagCreditsMustNotExceedDebits makes create_transfer answer
	// "exceeds_debits" rather than let the account's credits pass its
	// debits.
	FlagCreditsMustNotExceedDebits = 2
)

// Workloads: which accounts the transfers touch.
const (
	// WorkloadUniform picks both accounts of a transfer uniformly among
	// all accounts, so transfers rarely wait on each other's locks.
	WorkloadUniform = "uniform"
	// WorkloadHot makes most transfers (Config.HotPercent) debit or credit
	// one of a few hot accounts, as a bank's settlement account is in a
	// payment switch; they queue on its row lock.
	WorkloadHot = "hot"
)

// Modes: how many transfers each database transaction carries.
const (
	// ModeSingle is one create_transfer call per transaction.
	ModeSingle = "single"
	// ModeBatch is one create_transfers call of Config.BatchSize
	// transfers per transaction.
	ModeBatch = "batch"
)

// Currency is the currency of the accounts Run creates.
const Currency = "RUB"

// Limits on a Config.
const (
	// ClientsMax leaves room under the max_connections of 100 that pgtest
	// sets, for Run's own connection and the superuser reserve.
	ClientsMax = 90
	// BatchTransfersMax bounds Config.BatchSize.
	BatchTransfersMax = 10_000
	// amountMax is the largest amount a benchmark transfer moves, in minor
	// units; account balances stay far from overflowing.
	amountMax = 1_000_000
)

// Config sets up a Run. Zero fields take the defaults given, chosen for a
// 2-core machine.
type Config struct {
	// DSN is the database to use, whose schema pgledger Run drops and
	// recreates. Empty: Run starts a throwaway cluster with pgtest and
	// stops it at the end.
	DSN string
	// NoFsync starts the throwaway cluster with fsync off. Figures
	// measured so are not comparable with a durable ledger's.
	NoFsync bool
	// Seconds is the length of each pgbench run; 10.
	Seconds int
	// Clients is the number of concurrent pgbench connections; 8.
	Clients int
	// Threads is the number of pgbench threads; min(Clients, NumCPU).
	Threads int
	// Accounts is the number of accounts; 10,000.
	Accounts int
	// BatchSize is the number of transfers per create_transfers call in
	// batch mode; 100.
	BatchSize int
	// HotAccounts is the number of hot accounts (ids 1..HotAccounts) in
	// the hot workload; 1.
	HotAccounts int
	// HotPercent is the share of transfers that touch a hot account in the
	// hot workload; 90.
	HotPercent int
	// Progress, when not nil, receives a line per step and per result.
	Progress io.Writer
}

// Result is what one pgbench run measured.
type Result struct {
	// Workload is WorkloadUniform or WorkloadHot.
	Workload string
	// Mode is ModeSingle or ModeBatch.
	Mode string
	// BatchSize is the number of transfers per transaction: 1 in single
	// mode.
	BatchSize int
	// Clients is the number of concurrent connections.
	Clients int
	// Duration is how long pgbench ran.
	Duration time.Duration
	// Transactions is the number of transactions pgbench completed.
	Transactions uint64
	// Transfers is the number of transfers created: Transactions times
	// BatchSize, checked against the transfers table.
	Transfers uint64
	// TransfersPerSecond is pgbench's transactions per second (excluding
	// connection set-up) times BatchSize, rounded.
	TransfersPerSecond uint64
	// LatencyAvg is the average latency of a transaction (of BatchSize
	// transfers), as pgbench reports it.
	LatencyAvg time.Duration
	// LatencyP99 is the 99th percentile of transaction latency, from
	// pgbench's per-transaction log.
	LatencyP99 time.Duration
}

// String formats r as one line of a report.
func (r Result) String() string {
	return fmt.Sprintf("%-7s %-6s batch=%-4d clients=%-3d %9d transfers/s  latency avg %-9v p99 %v",
		r.Workload, r.Mode, r.BatchSize, r.Clients, r.TransfersPerSecond,
		r.LatencyAvg.Round(time.Microsecond), r.LatencyP99.Round(time.Microsecond))
}

// Run measures the ledger under every workload and mode, in the order
// uniform single, uniform batch, hot single, hot batch, each for
// cfg.Seconds. It returns an error if pgbench fails, a transaction fails, or
// the books do not balance after a run.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pgbench, err := pgtest.Binary("pgbench")
	if err != nil {
		return nil, err
	}
	dsn := cfg.DSN
	if dsn == "" {
		cfg.progressf("pgledger: starting PostgreSQL (fsync %s)", onOff(!cfg.NoFsync))
		cluster, err := pgtest.Start(ctx, pgtest.Options{NoFsync: cfg.NoFsync})
		if err != nil {
			return nil, err
		}
		defer cluster.Stop()
		if err := cluster.CreateDatabase(ctx, "pgledger"); err != nil {
			return nil, err
		}
		dsn = cluster.DSN("pgledger")
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	cfg.progressf("pgledger: PostgreSQL %s, %d accounts, %s", version, cfg.Accounts, pgbench)

	if err := Load(ctx, conn); err != nil {
		return nil, err
	}
	if err := CreateAccounts(ctx, conn, 1, int64(cfg.Accounts), Currency, 0); err != nil {
		return nil, err
	}

	dir, err := os.MkdirTemp("", "astara-pgledger-")
	if err != nil {
		return nil, fmt.Errorf("create script directory: %w", err)
	}
	defer os.RemoveAll(dir)
	scripts := map[string]string{
		ModeSingle: filepath.Join(dir, "single.sql"),
		ModeBatch:  filepath.Join(dir, "batch.sql"),
	}
	if err := os.WriteFile(scripts[ModeSingle], []byte(scriptSingle), 0o644); err != nil {
		return nil, fmt.Errorf("write pgbench script: %w", err)
	}
	if err := os.WriteFile(scripts[ModeBatch], []byte(scriptBatch), 0o644); err != nil {
		return nil, fmt.Errorf("write pgbench script: %w", err)
	}

	var results []Result
	for _, workload := range []string{WorkloadUniform, WorkloadHot} {
		for _, mode := range []string{ModeSingle, ModeBatch} {
			if err := reset(ctx, conn); err != nil {
				return results, err
			}
			r, err := runOne(ctx, cfg, pgbench, dsn, dir, scripts[mode], workload, mode)
			if err != nil {
				return results, fmt.Errorf("%s %s: %w", workload, mode, err)
			}
			transfers, err := CheckBooks(ctx, conn)
			if err != nil {
				return results, fmt.Errorf("%s %s: %w", workload, mode, err)
			}
			if uint64(transfers) != r.Transfers {
				return results, fmt.Errorf("%s %s: pgbench completed %d transactions of %d transfers, the ledger holds %d transfers",
					workload, mode, r.Transactions, r.BatchSize, transfers)
			}
			cfg.progressf("pgledger: %v", r)
			results = append(results, r)
		}
	}
	return results, nil
}

// Load creates the ledger's schema, pgledger, dropping any earlier one.
func Load(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, Schema); err != nil {
		return fmt.Errorf("load ledger schema: %w", err)
	}
	return nil
}

// CreateAccounts creates count accounts, with ids AccountID(first) onwards,
// in currency with flags (a combination of the Flag constants).
func CreateAccounts(ctx context.Context, conn *pgx.Conn, first, count int64, currency string, flags int) error {
	if _, err := conn.Exec(ctx, "SELECT pgledger.create_accounts($1, $2, $3, $4)", first, count, currency, flags); err != nil {
		return fmt.Errorf("create %d accounts: %w", count, err)
	}
	return nil
}

// AccountID returns the id of account n in the text form of a uuid, as the
// SQL function pgledger.account_id makes it: n in hexadecimal, zero-padded
// to 32 digits.
func AccountID(n int64) string {
	h := fmt.Sprintf("%032x", uint64(n))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// CheckBooks verifies double entry: for each currency, the accounts' debits
// posted, their credits posted and the transfers' amounts add up to the same
// sum. It returns the number of transfers.
func CheckBooks(ctx context.Context, conn *pgx.Conn) (int64, error) {
	rows, err := conn.Query(ctx, `
		WITH a AS (
			SELECT currency, sum(debits_posted) AS debits, sum(credits_posted) AS credits
			FROM pgledger.accounts GROUP BY currency
		), t AS (
			SELECT currency, sum(amount) AS amounts, count(*) AS n
			FROM pgledger.transfers GROUP BY currency
		)
		SELECT coalesce(a.currency, t.currency), coalesce(a.debits, 0)::text, coalesce(a.credits, 0)::text,
			coalesce(t.amounts, 0)::text, coalesce(t.n, 0),
			coalesce(a.debits, 0) = coalesce(a.credits, 0) AND coalesce(a.credits, 0) = coalesce(t.amounts, 0)
		FROM a FULL JOIN t ON a.currency = t.currency
		ORDER BY 1`)
	if err != nil {
		return 0, fmt.Errorf("check books: %w", err)
	}
	var total int64
	var errs []error
	for rows.Next() {
		var currency, debits, credits, amounts string
		var n int64
		var balanced bool
		if err := rows.Scan(&currency, &debits, &credits, &amounts, &n, &balanced); err != nil {
			return 0, fmt.Errorf("check books: %w", err)
		}
		total += n
		if !balanced {
			errs = append(errs, fmt.Errorf("books do not balance in %s: debits posted %s, credits posted %s, %d transfers of %s in all",
				currency, debits, credits, n, amounts))
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("check books: %w", err)
	}
	return total, errors.Join(errs...)
}

func (cfg Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Seconds, 10)
	def(&cfg.Clients, 8)
	def(&cfg.Threads, min(cfg.Clients, runtime.NumCPU()))
	def(&cfg.Accounts, 10_000)
	def(&cfg.BatchSize, 100)
	def(&cfg.HotAccounts, 1)
	def(&cfg.HotPercent, 90)
	switch {
	case cfg.Seconds < 0:
		return cfg, fmt.Errorf("pgledger: Seconds %d is negative", cfg.Seconds)
	case cfg.Clients < 0 || cfg.Clients > ClientsMax:
		return cfg, fmt.Errorf("pgledger: Clients %d is outside 1..%d", cfg.Clients, ClientsMax)
	case cfg.Threads < 0 || cfg.Threads > cfg.Clients:
		return cfg, fmt.Errorf("pgledger: Threads %d is outside 1..Clients (%d)", cfg.Threads, cfg.Clients)
	case cfg.BatchSize < 0 || cfg.BatchSize > BatchTransfersMax:
		return cfg, fmt.Errorf("pgledger: BatchSize %d is outside 1..%d", cfg.BatchSize, BatchTransfersMax)
	case cfg.HotAccounts < 0 || cfg.Accounts <= cfg.HotAccounts || cfg.Accounts < 2:
		return cfg, fmt.Errorf("pgledger: Accounts %d must be at least 2 and more than HotAccounts %d", cfg.Accounts, cfg.HotAccounts)
	case cfg.HotPercent < 0 || cfg.HotPercent > 100:
		return cfg, fmt.Errorf("pgledger: HotPercent %d is outside 0..100", cfg.HotPercent)
	}
	return cfg, nil
}

func (cfg Config) progressf(format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, format+"\n", args...)
	}
}

// reset empties the ledger between runs so that each starts from the same
// state: no transfers, zero balances, fresh statistics on the accounts,
// nothing left for a checkpoint to write during the next run.
//
// The empty transfers table is not analyzed: with statistics saying "no
// rows", the plans the functions cache at the start of a run would look
// transfers up by sequential scan, and each run would slow down as the table
// grew. Never analyzed, the planner assumes a table of some size and uses
// the primary key, as it would on a production ledger.
func reset(ctx context.Context, conn *pgx.Conn) error {
	for _, sql := range []string{
		"TRUNCATE pgledger.transfers",
		"UPDATE pgledger.accounts SET debits_posted = 0, credits_posted = 0",
		"VACUUM (ANALYZE) pgledger.accounts",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("reset ledger: %s: %w", sql, err)
		}
	}
	// CHECKPOINT needs a superuser or pg_checkpoint; on a database given
	// by DSN the runs may share checkpoints.
	conn.Exec(ctx, "CHECKPOINT")
	return nil
}

// runOne runs pgbench once and parses what it measured.
func runOne(ctx context.Context, cfg Config, pgbench, dsn, dir, script, workload, mode string) (Result, error) {
	batch := 1
	if mode == ModeBatch {
		batch = cfg.BatchSize
	}
	hotPercent := 0
	if workload == WorkloadHot {
		hotPercent = cfg.HotPercent
	}
	logPrefix := filepath.Join(dir, workload+"-"+mode)
	args := []string{
		"-n", // no pgbench tables to vacuum
		"-M", "prepared",
		"-c", strconv.Itoa(cfg.Clients),
		"-j", strconv.Itoa(cfg.Threads),
		"-T", strconv.Itoa(cfg.Seconds),
		"-f", script,
		"-l", "--log-prefix=" + logPrefix,
		"-D", "naccounts=" + strconv.Itoa(cfg.Accounts),
		"-D", "hotaccounts=" + strconv.Itoa(cfg.HotAccounts),
		"-D", "hotpercent=" + strconv.Itoa(hotPercent),
		"-D", "batchsize=" + strconv.Itoa(batch),
		"-D", "amountmax=" + strconv.Itoa(amountMax),
		dsn,
	}
	cfg.progressf("pgledger: %s %s: pgbench %s", workload, mode, strings.Join(args[:len(args)-1], " "))
	cmd := exec.CommandContext(ctx, pgbench, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	s, err := parseSummary(string(out))
	if err != nil {
		return Result{}, fmt.Errorf("%w\n%s", err, out)
	}
	if s.failed != 0 {
		return Result{}, fmt.Errorf("pgbench: %d transactions failed\n%s", s.failed, out)
	}
	p99, err := logPercentile(logPrefix, 0.99)
	if err != nil {
		return Result{}, err
	}
	return Result{
		Workload:           workload,
		Mode:               mode,
		BatchSize:          batch,
		Clients:            cfg.Clients,
		Duration:           time.Duration(cfg.Seconds) * time.Second,
		Transactions:       s.transactions,
		Transfers:          s.transactions * uint64(batch),
		TransfersPerSecond: uint64(math.Round(s.tps * float64(batch))),
		LatencyAvg:         s.latencyAvg,
		LatencyP99:         p99,
	}, nil
}

// summary is what pgbench prints at the end of a run.
type summary struct {
	transactions uint64
	failed       uint64
	tps          float64
	latencyAvg   time.Duration
}

var (
	reProcessed  = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	reFailed     = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
	reLatencyAvg = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	// pgbench 14 and later print one tps line, older ones two; the figure
	// that leaves out connection set-up is the one to keep.
	reTPS = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \((without initial connection time|excluding connections establishing)\)`)
)

func parseSummary(out string) (summary, error) {
	var s summary
	m := reProcessed.FindStringSubmatch(out)
	if m == nil {
		return s, errors.New("pgbench printed no transaction count")
	}
	s.transactions, _ = strconv.ParseUint(m[1], 10, 64)
	if m := reFailed.FindStringSubmatch(out); m != nil {
		s.failed, _ = strconv.ParseUint(m[1], 10, 64)
	}
	m = reTPS.FindStringSubmatch(out)
	if m == nil {
		return s, errors.New("pgbench printed no tps")
	}
	s.tps, _ = strconv.ParseFloat(m[1], 64)
	m = reLatencyAvg.FindStringSubmatch(out)
	if m == nil {
		return s, errors.New("pgbench printed no average latency")
	}
	ms, _ := strconv.ParseFloat(m[1], 64)
	s.latencyAvg = time.Duration(ms * float64(time.Millisecond))
	return s, nil
}

// logPercentile reads pgbench's per-transaction logs (prefix.<pid> and
// prefix.<pid>.<thread>) and returns the latency at quantile q. A log line
// is "client transaction latency_us script epoch_s epoch_us"; failed or
// skipped transactions have a word instead of a latency and are left out.
func logPercentile(prefix string, q float64) (time.Duration, error) {
	files, err := filepath.Glob(prefix + ".*")
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no pgbench transaction log %s.*", prefix)
	}
	var latencies []int64
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return 0, fmt.Errorf("read pgbench log: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				continue
			}
			latencies = append(latencies, us)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("read pgbench log %s: %w", name, err)
		}
	}
	if len(latencies) == 0 {
		return 0, fmt.Errorf("pgbench logs %s.* hold no transactions", prefix)
	}
	slices.Sort(latencies)
	i := int(math.Ceil(q*float64(len(latencies)))) - 1
	i = max(0, min(i, len(latencies)-1))
	return time.Duration(latencies[i]) * time.Microsecond, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
