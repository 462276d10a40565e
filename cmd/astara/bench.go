package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"astara/bench"
	"astara/bench/pgledger"
	"astara/internal/pgtest"
	"astara/ledger"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "payments" {
		return runBenchPayments(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "screening" {
		return runBenchScreening(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "soak" {
		return runBenchSoak(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "history" {
		return runBenchHistory(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "ledger" {
		return usageError{"usage: astara bench ledger|payments|screening|soak|history [flags]"}
	}
	fs := newFlagSet("bench ledger", stderr)
	accounts := fs.Int("accounts", 10_000, "accounts in the workload")
	transfers := fs.Int("transfers", 2_000_000, "transfers per run")
	batch := fs.Int("batch", 8190, "transfers per batch (at most 8190)")
	clients := fs.Int("clients", 4, "concurrent clients for the journal and HTTP runs")
	workloads := fs.String("workloads", "uniform,hot", "workloads: uniform, hot")
	modes := fs.String("modes", "engine,journal,http,http-single", "modes: engine, journal, postgres (the journal in PostgreSQL, with its query tables), postgres-journal (the same without them, as serve --query-tables=false), http, http-single (one transfer per request)")
	singleClients := fs.Int("single-clients", 64, "concurrent clients of the http-single mode")
	singleTransfers := fs.Int("single-transfers", 100_000, "transfers per http-single run, one per request")
	singleHistory := fs.String("single-history", "0", "run http-single once for each of these counts of transfers sent to the node first, in batches (comma-separated), to see it stay as fast as the history grows")
	singleClient := fs.String("single-client", bench.SingleClientLoad, "the http-single clients' HTTP client: load (a load generator's, one connection and one goroutine a client, as wrk's) or net/http (Go's)")
	postgres := fs.Bool("postgres", false, "also run the ledger on its PostgreSQL store beside the embedded journal, and the PostgreSQL ledger with row locks (pgbench), on a throwaway cluster")
	pgSeconds := fs.Int("postgres-seconds", 10, "seconds per PostgreSQL run")
	dir := fs.String("dir", "", "directory for the journal runs' stores (default: the system temp dir)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *singleClient != bench.SingleClientLoad && *singleClient != bench.SingleClientNetHTTP {
		return usageError{fmt.Sprintf("bench ledger: --single-client is %q: it must be %s or %s", *singleClient, bench.SingleClientLoad, bench.SingleClientNetHTTP)}
	}
	var histories []int
	for _, f := range strings.Split(*singleHistory, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return usageError{fmt.Sprintf("bench ledger: --single-history %q: a comma-separated list of transfer counts, 0 or more", *singleHistory)}
		}
		histories = append(histories, n)
	}
	if stop, err := startCPUProfile(*cpuProfile); err != nil {
		return err
	} else {
		defer stop()
	}
	cfg := bench.Config{
		Accounts: *accounts, Transfers: *transfers, BatchSize: *batch, Clients: *clients,
		Workloads: strings.Split(*workloads, ","), Modes: strings.Split(*modes, ","), Dir: *dir,
		SingleClients: *singleClients, SingleTransfers: *singleTransfers, SingleClient: *singleClient, SingleHistory: histories,
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	if *postgres {
		// The ledger's own PostgreSQL store, beside the embedded journal:
		// a throwaway cluster with fsync on, a fresh database per run.
		cluster, err := pgtest.Start(ctx, pgtest.Options{})
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		defer cluster.Stop()
		var n int
		cfg.NewPostgresDatabase = func(ctx context.Context) (string, error) {
			n++
			name := fmt.Sprintf("astara_bench_%d", n)
			if err := cluster.CreateDatabase(ctx, name); err != nil {
				return "", err
			}
			return cluster.DSN(name), nil
		}
		if i := slices.Index(cfg.Modes, "journal"); i >= 0 && !slices.Contains(cfg.Modes, "postgres") {
			cfg.Modes = slices.Insert(cfg.Modes, i+1, "postgres", "postgres-journal")
		}
	}
	fmt.Fprintf(stdout, "astara bench ledger: %d accounts, %d transfers per run, batches of %d, %d clients; started %s\n",
		cfg.Accounts, cfg.Transfers, cfg.BatchSize, cfg.Clients, time.Now().UTC().Format(time.RFC3339))
	if slices.Contains(cfg.Modes, "http-single") {
		fmt.Fprintf(stdout, "http-single: %d clients, one transfer a request, on the %s HTTP client\n", cfg.SingleClients, cfg.SingleClient)
	}
	results, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	bench.WriteTable(stdout, results)
	if *postgres {
		var progress io.Writer
		if !*quiet {
			progress = stderr
		}
		pg, err := pgledger.Run(ctx, pgledger.Config{Seconds: *pgSeconds, Accounts: *accounts, Progress: progress})
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		fmt.Fprintln(stdout, "\nPostgreSQL ledger with row locks (PL/pgSQL, pgbench, fsync on), same machine, same run:")
		for _, r := range pg {
			fmt.Fprintln(stdout, r.String())
		}
	}
	return nil
}

func runBenchPayments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench payments", stderr)
	n := fs.Int("payments", 20_000, "payments to send, each a quote, a payment and an acceptance")
	clients := fs.Int("clients", 32, "concurrent clients")
	dir := fs.String("dir", "", "directory for the store (default: the system temp dir)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	screeningEntries := fs.Int("screening-entries", 0, "also run with a watch list of this many entries loaded, every party screened, and print both rows")
	withPostgres := fs.Bool("postgres", false, "also run with the journal in PostgreSQL (its history and query tables too), and again without the query tables (store pg-journal), on a throwaway cluster, and print every row")
	client := fs.String("client", bench.SingleClientLoad, "the clients' HTTP client: load (a load generator's, one connection and one goroutine a client, as wrk's) or net/http (Go's)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if stop, err := startCPUProfile(*cpuProfile); err != nil {
		return err
	} else {
		defer stop()
	}
	if *client != bench.SingleClientLoad && *client != bench.SingleClientNetHTTP {
		return usageError{fmt.Sprintf("bench payments: --client is %q: it must be %s or %s", *client, bench.SingleClientLoad, bench.SingleClientNetHTTP)}
	}
	cfg := bench.PaymentsConfig{Payments: *n, Clients: *clients, Dir: *dir, Client: *client}
	if !*quiet {
		cfg.Progress = stderr
	}
	fmt.Fprintf(stdout, "astara bench payments: %d RUB->IRR payments from %d clients over HTTP, durable journal; started %s\n",
		cfg.Payments, cfg.Clients, time.Now().UTC().Format(time.RFC3339))
	type run struct {
		screening int
		postgres  bool
		queryOff  bool
	}
	runs := []run{{}}
	if *screeningEntries > 0 {
		runs = append(runs, run{screening: *screeningEntries})
	}
	var newDatabase func() (string, error)
	if *withPostgres {
		runs = append(runs, run{postgres: true}, run{postgres: true, queryOff: true})
		cluster, err := pgtest.Start(ctx, pgtest.Options{})
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		defer cluster.Stop()
		var n int
		newDatabase = func() (string, error) {
			n++
			name := fmt.Sprintf("astara_bench_payments_%d", n)
			if err := cluster.CreateDatabase(ctx, name); err != nil {
				return "", err
			}
			return cluster.DSN(name), nil
		}
	}
	var rows []bench.PaymentsResult
	for _, x := range runs {
		cfg.ScreeningEntries, cfg.Postgres, cfg.QueryTablesOff = x.screening, "", x.queryOff
		if x.postgres {
			url, err := newDatabase()
			if err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
			cfg.Postgres = url
		}
		r, err := bench.RunPayments(ctx, cfg)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	bench.WritePaymentsTable(stdout, rows...)
	return nil
}

func runBenchScreening(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench screening", stderr)
	entries := fs.Int("entries", 20_000, "entries in the index: the list samples and a synthetic list")
	queries := fs.Int("queries", 2_000, "names searched per script (Latin, Cyrillic, Persian)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic list and the queries")
	testdata := fs.String("testdata", "screening/testdata", "directory of the list samples (lists/) and the labelled set (pairs.tsv)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := bench.ScreeningConfig{Testdata: *testdata, Entries: *entries, Queries: *queries, Seed: *seed}
	if !*quiet {
		cfg.Progress = stderr
	}
	fmt.Fprintf(stdout, "astara bench screening: %d entries, %d names per script, one search at a time; started %s\n",
		cfg.Entries, cfg.Queries, time.Now().UTC().Format(time.RFC3339))
	r, err := bench.RunScreening(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	bench.WriteScreeningTable(stdout, r)
	return nil
}

func runBenchSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench soak", stderr)
	duration := fs.Duration("duration", time.Hour, "how long the load runs")
	interval := fs.Duration("interval", time.Minute, "one row per interval")
	rate := fs.Int("rate", 200, "payments per second, paced (each payment is six requests: quote, pay, answer, read, screening search, positions)")
	clients := fs.Int("clients", 16, "concurrent clients")
	dir := fs.String("dir", "", "directory for the store (default: the system temp dir)")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end of the load, while the node holds its state")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := bench.SoakConfig{Duration: *duration, Interval: *interval, PaymentsPerSecond: *rate, Clients: *clients, Dir: *dir, Out: stdout}
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.HeapProfile = f
	}
	fmt.Fprintf(stdout, "astara bench soak: %s of mixed load at %d payments/s from %d clients, a row every %s; started %s\n",
		cfg.Duration, cfg.PaymentsPerSecond, cfg.Clients, cfg.Interval, time.Now().UTC().Format(time.RFC3339))
	res, err := bench.RunSoak(ctx, cfg)
	if err != nil {
		return err
	}
	bench.WriteSoakSummary(stdout, res)
	return nil
}

func runBenchHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench history", stderr)
	checkpoints := fs.String("checkpoints", "1000000,10000000,50000000", "transfer counts at which memory is measured, increasing")
	inMemory := fs.Int("in-memory-up-to", 10_000_000, "also run with the whole history in memory, up to this many transfers (0: not)")
	accounts := fs.Int("accounts", 10_000, "accounts, one in a hundred with its balance history")
	clients := fs.Int("clients", 4, "concurrent clients, each sending batches of 8190")
	snapshotEvents := fs.Int("snapshot-events", ledger.SnapshotEventsIntervalDefault, "events between periodic snapshots (each checkpoint's restart replays almost this many)")
	failingEvery := fs.Int("failing-every", 0, "one transfer in this many fails for a reason of the moment (its id is remembered as failed); 0: none")
	dir := fs.String("dir", "", "directory for the store (default: the system temp dir)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *failingEvery < 0 {
		return usageError{fmt.Sprintf("--failing-every: %d is negative; 0 makes none fail", *failingEvery)}
	}
	if stop, err := startCPUProfile(*cpuProfile); err != nil {
		return err
	} else {
		defer stop()
	}
	cfg := bench.HistoryConfig{InMemoryUpTo: *inMemory, Accounts: *accounts, Clients: *clients, Dir: *dir, SnapshotEvents: *snapshotEvents, FailingEvery: *failingEvery}
	for _, c := range strings.Split(*checkpoints, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 || (len(cfg.Checkpoints) > 0 && n <= cfg.Checkpoints[len(cfg.Checkpoints)-1]) {
			return usageError{fmt.Sprintf("--checkpoints: %q is not a list of increasing positive counts", *checkpoints)}
		}
		cfg.Checkpoints = append(cfg.Checkpoints, n)
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	failing := ""
	if cfg.FailingEvery > 0 {
		failing = fmt.Sprintf(", one transfer in %d failing", cfg.FailingEvery)
	}
	fmt.Fprintf(stdout, "astara bench history: transfers in batches of 8190 from %d clients through the embedded journal, %d accounts%s; started %s\n",
		cfg.Clients, *accounts, failing, time.Now().UTC().Format(time.RFC3339))
	points, err := bench.RunHistory(ctx, cfg)
	fmt.Fprintln(stdout)
	bench.WriteHistoryTable(stdout, points)
	return err
}

// startCPUProfile starts a CPU profile into file, if one is named, and
// returns what stops it.
func startCPUProfile(file string) (func(), error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
