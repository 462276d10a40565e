package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	nethttp "net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"astara/http"
	"astara/journal"
	"astara/ledger"
	"astara/money"
	"astara/postgres"
)

// Workload names.
const (
	WorkloadUniform = "uniform" // debit and credit accounts drawn uniformly
	WorkloadHot     = "hot"     // 90% of transfers debit or credit one account
)

// The "http-single" mode's clients.
const (
	// SingleClientLoad is a load generator's HTTP/1.1 client, as wrk's:
	// one connection and one goroutine a client.
	SingleClientLoad = "load"
	// SingleClientNetHTTP is Go's net/http client.
	SingleClientNetHTTP = "net/http"
)

// Config is what to run.
type Config struct {
	Accounts  int      // accounts in the workload
	Transfers int      // transfers per run
	BatchSize int      // transfers per batch (at most ledger.BatchEventsMax)
	Clients   int      // concurrent clients for the journal and HTTP runs
	Workloads []string // WorkloadUniform, WorkloadHot
	Modes     []string // "engine", "journal", "postgres", "postgres-journal", "http", "http-single"
	// SingleClients and SingleTransfers shape the "http-single" mode: that
	// many clients each send one transfer per request, that many in all.
	SingleClients   int
	SingleTransfers int
	// SingleClient is the "http-single" mode's HTTP client:
	// SingleClientLoad (the default, "") or SingleClientNetHTTP.
	SingleClient string
	// SingleHistory runs the "http-single" mode once for each of these
	// counts of transfers sent to the node first (none: once, on a fresh
	// node), to see whether one transfer a request stays as fast as the
	// history grows.
	SingleHistory []int
	history       int // transfers sent before a run, in batches
	Seed          uint64
	Dir           string // where the journal runs keep their stores; "" is a temp dir
	// NewPostgresDatabase, for the "postgres" mode, makes an empty
	// database and returns its URL; each run gets its own.
	NewPostgresDatabase func(context.Context) (string, error)
	Progress            io.Writer // a progress bar is drawn here; nil for none
}

// Result is one row of the table.
type Result struct {
	Mode       string
	Workload   string
	BatchSize  int
	Clients    int
	Transfers  int
	Failed     int
	Elapsed    time.Duration
	LatencyP50 time.Duration // per batch, submit to answer
	LatencyP99 time.Duration
}

// PerSecond returns transfers per second.
func (r Result) PerSecond() float64 { return float64(r.Transfers) / r.Elapsed.Seconds() }

func (c *Config) defaults() {
	if c.Accounts <= 0 {
		c.Accounts = 10_000
	}
	if c.Transfers <= 0 {
		c.Transfers = 2_000_000
	}
	if c.BatchSize <= 0 || c.BatchSize > ledger.BatchEventsMax {
		c.BatchSize = ledger.BatchEventsMax
	}
	if c.Clients <= 0 {
		c.Clients = 4
	}
	if len(c.Workloads) == 0 {
		c.Workloads = []string{WorkloadUniform, WorkloadHot}
	}
	if len(c.Modes) == 0 {
		c.Modes = []string{"engine", "journal", "http"}
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.SingleClients <= 0 {
		c.SingleClients = 64
	}
	if c.SingleTransfers <= 0 {
		c.SingleTransfers = 100_000
	}
}

var benchCurrency = money.MustCode("RUB")

// accountID and transferID keep the two id spaces apart.
func accountID(i int) ledger.ID { return ledger.IDFromUint64(1<<40 | uint64(i+1)) }

// Generate returns the accounts and the batches of a workload. Every
// transfer succeeds: the accounts have no balance limits, so that the
// figures measure applying transfers, not refusing them.
func Generate(workload string, accounts, transfers, batchSize int, seed uint64) ([]ledger.Account, [][]ledger.Transfer, error) {
	if workload != WorkloadUniform && workload != WorkloadHot {
		return nil, nil, fmt.Errorf("unknown workload %q (uniform, hot)", workload)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	accs := make([]ledger.Account, accounts)
	for i := range accs {
		accs[i] = ledger.Account{ID: accountID(i), Currency: benchCurrency, Code: 1}
	}
	var batches [][]ledger.Transfer
	for n := 0; n < transfers; {
		size := min(batchSize, transfers-n)
		b := make([]ledger.Transfer, size)
		for i := range b {
			dr := rng.IntN(accounts)
			cr := rng.IntN(accounts - 1)
			if cr >= dr {
				cr++
			}
			if workload == WorkloadHot && rng.IntN(10) < 9 {
				if rng.IntN(2) == 0 {
					dr = 0
				} else {
					cr = 0
				}
				if dr == cr {
					cr = 1 + rng.IntN(accounts-1)
				}
			}
			b[i] = ledger.Transfer{
				ID:              ledger.IDFromUint64(1<<41 | uint64(n+i+1) | seed<<48),
				DebitAccountID:  accountID(dr),
				CreditAccountID: accountID(cr),
				Amount:          money.NewAmount(uint64(1 + rng.IntN(1_000_000))),
				Currency:        benchCurrency,
				Code:            1,
			}
		}
		batches = append(batches, b)
		n += size
	}
	return accs, batches, nil
}

// Run runs every mode over every workload and returns the rows.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	cfg.defaults()
	var out []Result
	for _, w := range cfg.Workloads {
		accs, batches, err := Generate(w, cfg.Accounts, cfg.Transfers, cfg.BatchSize, cfg.Seed)
		if err != nil {
			return out, err
		}
		for _, mode := range cfg.Modes {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			bar := newProgress(cfg.Progress, fmt.Sprintf("%-8s %-8s", mode, w), len(batches))
			var r Result
			switch mode {
			case "engine":
				r, err = runEngine(accs, batches, bar)
			case "journal":
				r, err = runJournal(ctx, cfg, accs, batches, bar)
			case "postgres":
				r, err = runPostgres(ctx, cfg, accs, batches, bar, false)
			case "postgres-journal":
				r, err = runPostgres(ctx, cfg, accs, batches, bar, true)
			case "http":
				r, err = runHTTP(ctx, cfg, accs, batches, bar, false)
			case "http-single":
				single := singles(batches, cfg.SingleTransfers)
				bar.done()
				one := cfg
				one.Clients = cfg.SingleClients
				histories := cfg.SingleHistory
				if len(histories) == 0 {
					histories = []int{0}
				}
				for i, h := range histories {
					bar = newProgress(cfg.Progress, fmt.Sprintf("%-8s %-8s", mode, w), len(single))
					one.history = h
					if r, err = runHTTP(ctx, one, accs, single, bar, cfg.SingleClient != SingleClientNetHTTP); err != nil {
						break
					}
					if i < len(histories)-1 {
						bar.done()
						r.Mode, r.Workload, r.BatchSize = singleMode(h), w, 1
						out = append(out, r)
					}
				}
				mode = singleMode(histories[len(histories)-1])
			default:
				err = fmt.Errorf("unknown mode %q (engine, journal, postgres, postgres-journal, http, http-single)", mode)
			}
			bar.done()
			if err != nil {
				return out, fmt.Errorf("%s %s: %w", mode, w, err)
			}
			r.Mode, r.Workload, r.BatchSize = mode, w, cfg.BatchSize
			if strings.HasPrefix(mode, "http-single") {
				r.BatchSize = 1
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func runEngine(accs []ledger.Account, batches [][]ledger.Transfer, bar *progress) (Result, error) {
	e := ledger.New(ledger.Options{})
	ts := uint64(time.Now().UnixNano())
	res := make([]ledger.Result, ledger.BatchEventsMax)
	for i := 0; i < len(accs); i += ledger.BatchEventsMax {
		chunk := accs[i:min(i+ledger.BatchEventsMax, len(accs))]
		e.CreateAccounts(ts, chunk, res[:len(chunk)])
		ts += uint64(len(chunk))
	}
	lat := make([]time.Duration, 0, len(batches))
	failed, total := 0, 0
	start := time.Now()
	for _, b := range batches {
		t0 := time.Now()
		e.CreateTransfers(ts, b, res[:len(b)])
		lat = append(lat, time.Since(t0))
		ts += uint64(len(b))
		total += len(b)
		for _, r := range res[:len(b)] {
			if r != ledger.ResultOK {
				failed++
			}
		}
		bar.step()
	}
	elapsed := time.Since(start)
	if err := e.Verify(); err != nil {
		return Result{}, err
	}
	return summarize(total, failed, 1, elapsed, lat), nil
}

func tempDir(cfg Config) (string, func(), error) {
	dir, err := os.MkdirTemp(cfg.Dir, "astara-bench-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

func openService(dir string, obs ledger.Observer) (*journal.Store, *ledger.Service, error) {
	st, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return nil, nil, err
	}
	svc, err := ledger.Open(st, ledger.ServiceOptions{Observer: obs, SnapshotEventsInterval: -1})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, svc, nil
}

// A sender sends one batch and returns how many of its transfers failed.
type sender func(context.Context, []ledger.Transfer) (int, error)

// clients sends batches from n concurrent clients, each taking the next
// batch as it is free, and returns each batch's latency, the failed
// transfers and the elapsed time. newSender, when not nil, gives each
// client its own sender (its own connection) and a function that closes
// it; otherwise every client calls fn.
func clients(ctx context.Context, n int, batches [][]ledger.Transfer, bar *progress, fn sender) ([]time.Duration, int, time.Duration, error) {
	return clientsEach(ctx, n, batches, bar, func() (sender, func(), error) { return fn, func() {}, nil })
}

func clientsEach(ctx context.Context, n int, batches [][]ledger.Transfer, bar *progress, newSender func() (sender, func(), error)) ([]time.Duration, int, time.Duration, error) {
	senders := make([]sender, n)
	for i := range senders {
		fn, closeFn, err := newSender()
		if err != nil {
			return nil, 0, 0, err
		}
		defer closeFn()
		senders[i] = fn
	}
	// Each client takes the next batch by an atomic counter, not from a
	// channel fed by another goroutine: with one transfer a request, a
	// hand-off per request would be a load the server never sees.
	var next atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, len(batches))
	failed := 0
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for _, fn := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, len(batches)/n+1)
			mineFailed := 0
			var err error
			for {
				i := next.Add(1) - 1
				if i >= int64(len(batches)) || err != nil {
					break
				}
				t0 := time.Now()
				var f int
				f, err = fn(ctx, batches[i])
				mine = append(mine, time.Since(t0))
				mineFailed += f
				bar.step()
			}
			mu.Lock()
			lat = append(lat, mine...)
			failed += mineFailed
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat, failed, time.Since(start), firstErr
}

func runJournal(ctx context.Context, cfg Config, accs []ledger.Account, batches [][]ledger.Transfer, bar *progress) (Result, error) {
	dir, cleanup, err := tempDir(cfg)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	st, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	return runStore(ctx, cfg, st, accs, batches, bar, false)
}

// runPostgres is runJournal with the journal in PostgreSQL; with
// queryOff, without its query tables (serve --query-tables=false).
func runPostgres(ctx context.Context, cfg Config, accs []ledger.Account, batches [][]ledger.Transfer, bar *progress, queryOff bool) (Result, error) {
	if cfg.NewPostgresDatabase == nil {
		return Result{}, fmt.Errorf("the postgres mode needs a database (astara bench ledger --postgres)")
	}
	url, err := cfg.NewPostgresDatabase(ctx)
	if err != nil {
		return Result{}, err
	}
	st, err := postgres.Open(ctx, url)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	return runStore(ctx, cfg, st, accs, batches, bar, queryOff)
}

// runStore sends the batches from cfg.Clients clients to a Service on st.
func runStore(ctx context.Context, cfg Config, st ledger.Store, accs []ledger.Account, batches [][]ledger.Transfer, bar *progress, queryOff bool) (Result, error) {
	svc, err := ledger.Open(st, ledger.ServiceOptions{SnapshotEventsInterval: -1, QueryTablesOff: queryOff})
	if err != nil {
		return Result{}, err
	}
	defer svc.Close()
	for i := 0; i < len(accs); i += ledger.BatchEventsMax {
		if _, err := svc.CreateAccounts(ctx, accs[i:min(i+ledger.BatchEventsMax, len(accs))]); err != nil {
			return Result{}, err
		}
	}
	lat, failed, elapsed, err := clients(ctx, cfg.Clients, batches, bar, func(ctx context.Context, b []ledger.Transfer) (int, error) {
		res, err := svc.CreateTransfers(ctx, b)
		return countFailed(res), err
	})
	if err != nil {
		return Result{}, err
	}
	return summarize(total(batches), failed, cfg.Clients, elapsed, lat), nil
}

func countFailed(res []ledger.Result) int {
	n := 0
	for _, r := range res {
		if r != ledger.ResultOK {
			n++
		}
	}
	return n
}

func total(batches [][]ledger.Transfer) int {
	n := 0
	for _, b := range batches {
		n += len(b)
	}
	return n
}

// runHTTP starts the real HTTP server in-process on a loopback port and
// posts pre-encoded JSON batches to it from cfg.Clients connections.
// runHTTP sends the batches to a server over HTTP; with loadClients each
// client is a loadClient, otherwise Go's net/http client.
func runHTTP(ctx context.Context, cfg Config, accs []ledger.Account, batches [][]ledger.Transfer, bar *progress, loadClients bool) (Result, error) {
	dir, cleanup, err := tempDir(cfg)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	metrics := http.NewMetrics()
	st, svc, err := openService(dir, metrics)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	defer svc.Close()
	const token = "bench-token"
	srv := &nethttp.Server{Handler: http.NewServer(http.Config{Ledger: svc, Metrics: metrics, AdminTokenHash: http.HashToken(token)})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &nethttp.Client{Transport: &nethttp.Transport{MaxIdleConnsPerHost: cfg.Clients, DisableCompression: true}}
	post := func(ctx context.Context, path string, body []byte) (int, error) {
		req, err := nethttp.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("%s: %s: %s", path, resp.Status, b)
		}
		return countFailedJSON(b)
	}
	for i := 0; i < len(accs); i += ledger.BatchEventsMax {
		if _, err := post(ctx, "/v1/ledger/accounts", AccountsJSON(accs[i:min(i+ledger.BatchEventsMax, len(accs))])); err != nil {
			return Result{}, err
		}
	}
	if err := preload(ctx, svc, accs, cfg.history); err != nil {
		return Result{}, err
	}
	// The clients encode their requests and decode the answers on the
	// clock, on the same two cores as the server: what a bank's system
	// beside the switch would spend.
	var (
		lat     []time.Duration
		failed  int
		elapsed time.Duration
	)
	if loadClients {
		lat, failed, elapsed, err = clientsEach(ctx, cfg.Clients, batches, bar, func() (sender, func(), error) {
			c, err := dialLoadClient(ln.Addr().String())
			if err != nil {
				return nil, nil, err
			}
			return func(_ context.Context, b []ledger.Transfer) (int, error) {
				status, body, err := c.post("/v1/ledger/transfers", token, "", TransfersJSON(b))
				if err != nil {
					return 0, err
				}
				if status != 200 {
					return 0, fmt.Errorf("/v1/ledger/transfers: %d: %s", status, body)
				}
				return countFailedJSON(body)
			}, func() { c.Close() }, nil
		})
	} else {
		lat, failed, elapsed, err = clients(ctx, cfg.Clients, batches, bar, func(ctx context.Context, b []ledger.Transfer) (int, error) {
			return post(ctx, "/v1/ledger/transfers", TransfersJSON(b))
		})
	}
	if err != nil {
		return Result{}, err
	}
	return summarize(total(batches), failed, cfg.Clients, elapsed, lat), nil
}

// countFailedJSON counts the results of a POST /v1/ledger/transfers
// answer that are not "ok".
func countFailedJSON(body []byte) (int, error) {
	var out struct {
		Results []struct{ Result string } `json:"results"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return 0, err
	}
	failed := 0
	for _, r := range out.Results {
		if r.Result != "ok" {
			failed++
		}
	}
	return failed, nil
}

// singleMode names an http-single run over a history of n transfers.
func singleMode(n int) string {
	switch {
	case n == 0:
		return "http-single"
	case n%1_000_000 == 0:
		return fmt.Sprintf("http-single+%dM", n/1_000_000)
	}
	return fmt.Sprintf("http-single+%d", n)
}

// preload sends n transfers between accs to svc in process, in batches of
// ledger.BatchEventsMax from four goroutines: a history, moving out of
// memory as on a serving node, for a run to go on from. Their ids are of
// a range of their own.
func preload(ctx context.Context, svc *ledger.Service, accs []ledger.Account, n int) error {
	if n <= 0 {
		return nil
	}
	var sent atomic.Int64
	err := sendTransfers(ctx, svc, accs, &sent, n, 4, ledger.BatchEventsMax, func(n uint64) ledger.ID {
		id := ledger.IDFromUint64(n)
		id[0] = 0xb1 // Generate's ids begin with a zero byte
		return id
	}, failingTransfers{}, nil)
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	runtime.GC()
	return nil
}

// singles returns the first n transfers of batches, one to a batch.
func singles(batches [][]ledger.Transfer, n int) [][]ledger.Transfer {
	var out [][]ledger.Transfer
	for _, b := range batches {
		for i := range b {
			if len(out) == n {
				return out
			}
			out = append(out, b[i:i+1])
		}
	}
	return out
}

// AccountsJSON encodes accounts as a POST /v1/ledger/accounts body.
func AccountsJSON(accs []ledger.Account) []byte {
	var sb strings.Builder
	sb.WriteString(`{"accounts":[`)
	for i, a := range accs {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%s","currency":"%s","code":%d}`, a.ID, a.Currency, a.Code)
	}
	sb.WriteString("]}")
	return []byte(sb.String())
}

// TransfersJSON encodes plain transfers as a POST /v1/ledger/transfers body.
func TransfersJSON(b []ledger.Transfer) []byte {
	out := make([]byte, 0, 16+len(b)*190)
	out = append(out, `{"transfers":[`...)
	for i := range b {
		t := &b[i]
		if i > 0 {
			out = append(out, ',')
		}
		c, _ := money.LookupCurrency(t.Currency)
		out = append(out, `{"id":"`...)
		out = append(out, t.ID.String()...)
		out = append(out, `","debit_account_id":"`...)
		out = append(out, t.DebitAccountID.String()...)
		out = append(out, `","credit_account_id":"`...)
		out = append(out, t.CreditAccountID.String()...)
		out = append(out, `","amount":"`...)
		out = append(out, money.FormatAmount(t.Amount, c)...)
		out = append(out, `","currency":"`...)
		out = append(out, t.Currency.String()...)
		out = append(out, `","code":`...)
		out = strconv.AppendUint(out, uint64(t.Code), 10)
		out = append(out, '}')
	}
	return append(out, "]}"...)
}

func summarize(transfers, failed, clients int, elapsed time.Duration, lat []time.Duration) Result {
	slices.Sort(lat)
	pct := func(q float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		i := int(q * float64(len(lat)-1))
		return lat[i]
	}
	return Result{Clients: clients, Transfers: transfers, Failed: failed, Elapsed: elapsed, LatencyP50: pct(0.50), LatencyP99: pct(0.99)}
}

// WriteTable prints results as an aligned table.
func WriteTable(w io.Writer, results []Result) {
	fmt.Fprintf(w, "%-16s %-9s %6s %7s %10s %8s %14s %10s %10s\n", "mode", "workload", "batch", "clients", "transfers", "seconds", "transfers/s", "p50", "p99")
	for _, r := range results {
		fmt.Fprintf(w, "%-16s %-9s %6d %7d %10d %8.2f %14.0f %10s %10s\n", r.Mode, r.Workload, r.BatchSize, r.Clients, r.Transfers,
			r.Elapsed.Seconds(), r.PerSecond(), roundDur(r.LatencyP50), roundDur(r.LatencyP99))
	}
}

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// progress draws a one-line progress bar.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	n, of int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, label string, of int) *progress {
	return &progress{w: w, label: label, of: of, start: time.Now()}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if now := time.Now(); now.Sub(p.last) > 100*time.Millisecond || p.n == p.of {
		p.last = now
		p.draw()
	}
}

func (p *progress) draw() {
	const width = 30
	filled := width * p.n / max(p.of, 1)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %s", p.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		100*p.n/max(p.of, 1), time.Since(p.start).Round(100*time.Millisecond))
}

func (p *progress) done() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
	fmt.Fprintln(p.w)
}
