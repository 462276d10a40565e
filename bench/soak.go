package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"astara/http"
	"astara/internal/apiclient"
	"astara/journal"
	"astara/ledger"
	"astara/payments"
)

// SoakConfig is what `astara bench soak` runs: a steady mixed load for a
// while, measured interval by interval.
type SoakConfig struct {
	Duration time.Duration // how long the load runs
	Interval time.Duration // one row of the report per interval
	// PaymentsPerSecond paces the payments: the load is steady, below what
	// the node can take, so that latency measures the node and not a queue.
	PaymentsPerSecond int
	Clients           int       // concurrent clients
	Dir               string    // where the store lives; "" is the system temp dir
	Out               io.Writer // the rows, as they are measured
	// HeapProfile, when set, gets a heap profile at the end of the load,
	// after a collection, while the node still holds its state.
	HeapProfile io.Writer
}

// SoakRow is one interval of a soak.
type SoakRow struct {
	At          time.Duration // since the start, at the end of the interval
	Interval    time.Duration // how long the interval was
	Operations  int           // requests answered in the interval
	Failed      int
	P50, P99    time.Duration // of the interval's requests
	Max         time.Duration
	RSSBytes    int64 // resident memory at the end of the interval (0 where unknown)
	HeapBytes   uint64
	Goroutines  int
	PaymentsAll int // payments the node holds
}

// SoakResult is every interval of a soak.
type SoakResult struct {
	Config SoakConfig
	Rows   []SoakRow
}

// The mix of a soak, per payment: the quote, the payment and its answer
// (accepted, or now and then rejected), a read of the payment by the
// sending bank, a screening search by the operator, and the sender's
// positions.
const soakRejectOneIn = 10

// RunSoak starts a node in-process, as RunPayments does, with a
// screening list loaded, and runs the mixed load for cfg.Duration,
// writing a row per interval.
func RunSoak(ctx context.Context, cfg SoakConfig) (SoakResult, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = time.Hour
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.PaymentsPerSecond <= 0 {
		cfg.PaymentsPerSecond = 200
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 16
	}
	res := SoakResult{Config: cfg}
	dir, err := os.MkdirTemp(cfg.Dir, "astara-bench-soak-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	st, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return res, err
	}
	defer st.Close()
	metrics := http.NewMetrics()
	svc, err := ledger.Open(st, ledger.ServiceOptions{Observer: metrics,
		NewMachine: func() ledger.Machine { return payments.NewMachine(ledger.Options{}) },
		RestoreMachine: func(r io.Reader) (ledger.Machine, error) {
			return payments.RestoreMachine(r, ledger.Options{})
		}})
	if err != nil {
		return res, err
	}
	defer svc.Close()
	const admin = "bench-operator"
	// The soak measures the node, not its rate limits, whatever the pace.
	off := http.RateLimit{Off: true}
	handler := http.NewServer(http.Config{Ledger: svc, Metrics: metrics, AdminTokenHash: http.HashToken(admin),
		Limits: http.Limits{Participant: off, Operator: off, Anonymous: off}})
	srv := &nethttp.Server{Handler: handler}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	go srv.Serve(ln)
	defer srv.Close()
	c := &apiclient.Client{Base: "http://" + ln.Addr().String(),
		HTTP: &nethttp.Client{Transport: &nethttp.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}, Timeout: 30 * time.Second}}
	sender, receiver, err := setUpPaymentsNetwork(ctx, c, admin)
	if err != nil {
		return res, fmt.Errorf("set up: %w", err)
	}
	list := "id,name,type,aliases\nS-1,\"SOLEIMANI, Qasem\",individual,قاسم سلیمانی\nS-2,Kish Tanker Trading LLC,entity,\n"
	if _, err := c.DoRaw(ctx, "POST", "/v1/lists/import?format=csv&list=SOAK", admin, []byte(list), "application/octet-stream", nil); err != nil {
		return res, fmt.Errorf("load a list: %w", err)
	}

	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	record := func(d time.Duration, err error) {
		mu.Lock()
		lat = append(lat, d)
		if err != nil {
			failed++
		}
		mu.Unlock()
	}
	timed := func(f func() error) {
		t0 := time.Now()
		err := f()
		record(time.Since(t0), err)
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	work := make(chan int64, cfg.Clients)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				soakPayment(runCtx, c, admin, sender, receiver, n, timed)
			}
		}()
	}
	// The pacer hands out one payment per tick.
	var sent atomic.Int64
	go func() {
		defer close(work)
		tick := time.NewTicker(time.Second / time.Duration(cfg.PaymentsPerSecond))
		defer tick.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-tick.C:
				select {
				case work <- sent.Add(1):
				default:
					// Every client is busy: the node is behind; the tick is
					// dropped rather than queued, and the rows show it.
				}
			}
		}
	}()

	start := time.Now()
	last := start
	every := time.NewTicker(cfg.Interval)
	defer every.Stop()
	if cfg.Out != nil {
		WriteSoakHeader(cfg.Out, cfg)
	}
	for done := false; !done; {
		select {
		case <-runCtx.Done():
			done = true
		case <-every.C:
		}
		mu.Lock()
		batch, f := lat, failed
		lat, failed = nil, 0
		mu.Unlock()
		now := time.Now()
		if done && len(batch) == 0 {
			// The run ended on an interval's edge: nothing to report.
			break
		}
		row := soakRow(now.Sub(start), now.Sub(last), batch, f)
		last = now
		handlerPayments := 0
		svc.ViewMachine(func(m ledger.Machine) {
			if pm, ok := m.(*payments.Machine); ok {
				handlerPayments = pm.PaymentsCount()
			}
		})
		row.PaymentsAll = handlerPayments
		res.Rows = append(res.Rows, row)
		if cfg.Out != nil {
			WriteSoakRow(cfg.Out, row)
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if cfg.HeapProfile != nil {
		runtime.GC()
		if err := pprof.WriteHeapProfile(cfg.HeapProfile); err != nil {
			return res, err
		}
	}
	var totals struct {
		Totals []struct {
			Currency string `json:"currency"`
			Balanced bool   `json:"balanced"`
		} `json:"totals"`
	}
	if _, err := c.Do(ctx, "GET", "/v1/ledger/totals", admin, nil, nil, &totals); err != nil {
		return res, err
	}
	for _, t := range totals.Totals {
		if !t.Balanced {
			return res, fmt.Errorf("%s does not balance after the soak", t.Currency)
		}
	}
	return res, nil
}

// soakPayment runs one payment of the mix, timing each request.
func soakPayment(ctx context.Context, c *apiclient.Client, admin string, sender, receiver benchBank, n int64, timed func(func() error)) {
	var q struct {
		ID string `json:"id"`
	}
	amount := strconv.FormatInt(10_000+n%1_000_000, 10) + ".00"
	var quoteErr error
	timed(func() error {
		_, quoteErr = c.Do(ctx, "POST", "/v1/quotes", sender.key, map[string]string{"receiving_participant": receiver.id,
			"source_currency": "RUB", "target_currency": "IRR", "source_amount": amount}, nil, &q)
		return ignoreEnd(ctx, quoteErr)
	})
	if quoteErr != nil {
		return
	}
	var p struct {
		UETR string `json:"uetr"`
	}
	var payErr error
	timed(func() error {
		body := map[string]any{"quote_id": q.ID, "purpose": "TRAD",
			"debtor":   map[string]string{"name": "Ivan Petrov", "account": "40817810899910004312", "bank_code": "044525225"},
			"creditor": map[string]string{"name": "Ali Rezaei", "account": "IR440960000000100324200001"}}
		_, payErr = c.Do(ctx, "POST", "/v1/payments", sender.key, body, map[string]string{"Idempotency-Key": q.ID}, &p)
		return ignoreEnd(ctx, payErr)
	})
	if payErr != nil {
		return
	}
	timed(func() error {
		var err error
		if n%soakRejectOneIn == 0 {
			_, err = c.Do(ctx, "POST", "/v1/payments/"+p.UETR+"/reject", receiver.key, map[string]string{"reason": "AC04"}, nil, nil)
		} else {
			_, err = c.Do(ctx, "POST", "/v1/payments/"+p.UETR+"/accept", receiver.key, nil, nil, nil)
		}
		return ignoreEnd(ctx, err)
	})
	timed(func() error {
		_, err := c.Do(ctx, "GET", "/v1/payments/"+p.UETR, sender.key, nil, nil, nil)
		return ignoreEnd(ctx, err)
	})
	timed(func() error {
		_, err := c.Do(ctx, "POST", "/v1/screening/search", admin, map[string]string{"name": "Ghasem Soleymani"}, nil, nil)
		return ignoreEnd(ctx, err)
	})
	timed(func() error {
		_, err := c.Do(ctx, "GET", "/v1/positions", sender.key, nil, nil, nil)
		return ignoreEnd(ctx, err)
	})
}

// ignoreEnd does not count a request cut by the end of the soak as a
// failure.
func ignoreEnd(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func soakRow(at, interval time.Duration, lat []time.Duration, failed int) SoakRow {
	row := SoakRow{At: at, Interval: interval, Operations: len(lat), Failed: failed, Goroutines: runtime.NumGoroutine(), RSSBytes: residentBytes()}
	if len(lat) > 0 {
		slices.Sort(lat)
		row.P50 = lat[len(lat)/2]
		row.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		row.Max = lat[len(lat)-1]
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	row.HeapBytes = ms.HeapInuse
	return row
}

// residentBytes reads the process's resident memory from /proc on Linux;
// 0 elsewhere.
func residentBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 2 && fields[1] == "kB" {
				kb, _ := strconv.ParseInt(fields[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// WriteSoakHeader prints the columns of the rows.
func WriteSoakHeader(w io.Writer, cfg SoakConfig) {
	fmt.Fprintf(w, "%9s %9s %7s %7s %9s %9s %9s %9s %9s %6s %9s\n", "minute", "requests", "req/s", "failed", "p50", "p99", "max",
		"RSS MiB", "heap MiB", "gorout", "payments")
}

// WriteSoakRow prints one interval.
func WriteSoakRow(w io.Writer, r SoakRow) {
	fmt.Fprintf(w, "%9.1f %9d %7.0f %7d %9s %9s %9s %9.1f %9.1f %6d %9d\n", r.At.Minutes(), r.Operations,
		float64(r.Operations)/max(r.Interval.Seconds(), 1e-9), r.Failed, roundDur(r.P50), roundDur(r.P99), roundDur(r.Max),
		float64(r.RSSBytes)/(1<<20), float64(r.HeapBytes)/(1<<20), r.Goroutines, r.PaymentsAll)
}

// WriteSoakSummary sets the first intervals against the last: how memory
// grew and how latency held.
func WriteSoakSummary(w io.Writer, res SoakResult) {
	rows := res.Rows
	if len(rows) < 2 {
		return
	}
	first, last := rows[0], rows[len(rows)-1]
	var p99s []time.Duration
	ops, failed := 0, 0
	for _, r := range rows {
		p99s = append(p99s, r.P99)
		ops += r.Operations
		failed += r.Failed
	}
	slices.Sort(p99s)
	hours := (last.At - first.At).Hours()
	fmt.Fprintf(w, "\n%d requests, %d failed, over %s\n", ops, failed, last.At.Round(time.Second))
	fmt.Fprintf(w, "p99 per interval: median %s, worst %s; last/first %.2f\n", roundDur(p99s[len(p99s)/2]), roundDur(p99s[len(p99s)-1]),
		float64(last.P99)/float64(max(first.P99, 1)))
	if hours > 0 {
		fmt.Fprintf(w, "resident memory %.1f -> %.1f MiB (%+.1f MiB per hour), heap %.1f -> %.1f MiB, for %d -> %d payments held\n",
			float64(first.RSSBytes)/(1<<20), float64(last.RSSBytes)/(1<<20), float64(last.RSSBytes-first.RSSBytes)/(1<<20)/hours,
			float64(first.HeapBytes)/(1<<20), float64(last.HeapBytes)/(1<<20), first.PaymentsAll, last.PaymentsAll)
	}
}
