package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
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
	"astara/postgres"
	"astara/screening"
	"astara/screening/screeningtest"
)

// PaymentsConfig is what `astara bench payments` runs.
type PaymentsConfig struct {
	Payments int       // payments to send
	Clients  int       // concurrent sending clients
	Dir      string    // where the store lives; "" is the system temp dir
	Progress io.Writer // progress bar; nil for none
	// ScreeningEntries, when above zero, loads a watch list of that many
	// synthetic entries (with their aliases, in Latin, Cyrillic and
	// Persian script) before the run, so that every payment's four
	// parties are screened against it.
	ScreeningEntries int
	// Postgres, when set, is the URL of an empty database for the journal
	// (postgres.Store, with its history and query tables) instead of the
	// embedded journal in Dir.
	Postgres string
	// Client is the clients' HTTP client: SingleClientLoad (the default,
	// "") or SingleClientNetHTTP.
	Client string
	// QueryTablesOff runs the PostgreSQL store without its query tables
	// (serve --query-tables=false).
	QueryTablesOff bool
}

// PaymentsResult is what a payments run measured. A payment is three
// requests: a quote, the payment, and the receiving bank's acceptance.
type PaymentsResult struct {
	Screening  int    // entries screened against; 0 for none
	Store      string // "journal" or "postgres"
	Payments   int
	Failed     int
	Clients    int
	Elapsed    time.Duration
	LatencyP50 time.Duration // quote to accepted, per payment
	LatencyP99 time.Duration
	OverOneSec int // payments that took longer than a second end to end
}

// PerSecond returns completed payments per second.
func (r PaymentsResult) PerSecond() float64 {
	return float64(r.Payments-r.Failed) / r.Elapsed.Seconds()
}

// RunPayments starts a node in-process (the payments machine behind the
// durable journal, the real HTTP server on a loopback port), sets up a
// RUB->IRR network, and sends payments end to end from concurrent clients.
func RunPayments(ctx context.Context, cfg PaymentsConfig) (PaymentsResult, error) {
	if cfg.Payments <= 0 {
		cfg.Payments = 20_000
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 32
	}
	dir, err := os.MkdirTemp(cfg.Dir, "astara-bench-payments-")
	if err != nil {
		return PaymentsResult{}, err
	}
	defer os.RemoveAll(dir)
	var st interface {
		ledger.Store
		Close() error
	}
	storeName := "journal"
	if cfg.Postgres != "" {
		storeName = "postgres"
		if cfg.QueryTablesOff {
			storeName = "pg-journal"
		}
		st, err = postgres.Open(ctx, cfg.Postgres)
	} else {
		st, err = journal.Open(dir, journal.Options{})
	}
	if err != nil {
		return PaymentsResult{}, err
	}
	defer st.Close()
	metrics := http.NewMetrics()
	svc, err := ledger.Open(st, ledger.ServiceOptions{Observer: metrics, SnapshotEventsInterval: -1, QueryTablesOff: cfg.QueryTablesOff,
		NewMachine: func() ledger.Machine { return payments.NewMachine(ledger.Options{}) },
		RestoreMachine: func(r io.Reader) (ledger.Machine, error) {
			return payments.RestoreMachine(r, ledger.Options{})
		}})
	if err != nil {
		return PaymentsResult{}, err
	}
	defer svc.Close()
	const admin = "bench-operator"
	// The run measures the node, not its rate limits: one sender sends
	// thousands of requests a second.
	off := http.RateLimit{Off: true}
	srv := &nethttp.Server{Handler: http.NewServer(http.Config{Ledger: svc, Metrics: metrics, AdminTokenHash: http.HashToken(admin),
		Limits: http.Limits{Participant: off, Operator: off, Anonymous: off}})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return PaymentsResult{}, err
	}
	go srv.Serve(ln)
	defer srv.Close()
	c := &apiclient.Client{Base: "http://" + ln.Addr().String(),
		HTTP: &nethttp.Client{Transport: &nethttp.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}}}
	sender, receiver, err := setUpPaymentsNetwork(ctx, c, admin)
	if err != nil {
		return PaymentsResult{}, fmt.Errorf("set up: %w", err)
	}
	if cfg.ScreeningEntries > 0 {
		data := listCSV(screeningtest.Synthetic("BENCH", cfg.ScreeningEntries, 1, nil))
		if _, err := c.DoRaw(ctx, "POST", "/v1/lists/import?format=csv&list=BENCH", admin, data, "application/octet-stream", nil); err != nil {
			return PaymentsResult{}, fmt.Errorf("load the watch list: %w", err)
		}
	}
	bar := newProgress(cfg.Progress, "payments RUB->IRR", cfg.Payments)
	var next atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, cfg.Payments)
	failed := 0
	var firstErr error
	var wg sync.WaitGroup
	pays := make([]func(n int64) error, cfg.Clients)
	for w := range pays {
		if cfg.Client == SingleClientNetHTTP {
			post := netHTTPPoster(ctx, c)
			pays[w] = func(n int64) error { return onePayment(post, sender, receiver, n) }
			continue
		}
		lc, err := dialLoadClient(ln.Addr().String())
		if err != nil {
			return PaymentsResult{}, err
		}
		defer lc.Close()
		post := loadPoster(lc)
		pays[w] = func(n int64) error { return onePayment(post, sender, receiver, n) }
	}
	start := time.Now()
	for _, pay := range pays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(cfg.Payments) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				err := pay(n)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
				bar.step()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	bar.done()
	if failed > 0 {
		return PaymentsResult{}, fmt.Errorf("%d payments failed; the first: %w", failed, firstErr)
	}
	var totals struct {
		Totals []struct {
			Currency string `json:"currency"`
			Balanced bool   `json:"balanced"`
		} `json:"totals"`
	}
	if _, err := c.Do(ctx, "GET", "/v1/ledger/totals", admin, nil, nil, &totals); err != nil {
		return PaymentsResult{}, err
	}
	for _, t := range totals.Totals {
		if !t.Balanced {
			return PaymentsResult{}, fmt.Errorf("%s does not balance after the run", t.Currency)
		}
	}
	s := summarize(cfg.Payments, failed, cfg.Clients, elapsed, lat)
	over := 0
	for _, d := range lat {
		if d > time.Second {
			over++
		}
	}
	return PaymentsResult{Screening: cfg.ScreeningEntries, Store: storeName, Payments: cfg.Payments, Failed: failed, Clients: cfg.Clients, Elapsed: elapsed,
		LatencyP50: s.LatencyP50, LatencyP99: s.LatencyP99, OverOneSec: over}, nil
}

type benchBank struct{ id, key string }

func setUpPaymentsNetwork(ctx context.Context, c *apiclient.Client, admin string) (benchBank, benchBank, error) {
	type created struct {
		APIKey   string `json:"api_key"`
		Accounts map[string]struct {
			Position   string `json:"position"`
			Settlement string `json:"settlement"`
		} `json:"accounts"`
	}
	var s, r, fx created
	steps := []struct {
		body any
		out  *created
	}{
		// The sender's cap is sized for an hour's soak (about 700,000
		// payments of up to a million roubles each): a completed payment
		// spends it for good.
		{map[string]any{"id": "BENCRUMM", "name": "Bench Sender", "country": "RU", "currencies": []string{"RUB"},
			"net_debit_cap": map[string]string{"RUB": "1000000000000000.00"}}, &s},
		{map[string]any{"id": "BENCIRTH", "name": "Bench Receiver", "country": "IR", "currencies": []string{"IRR"}}, &r},
		{map[string]any{"id": "BENCFXMM", "name": "Bench FX", "country": "RU", "currencies": []string{"RUB", "IRR"}, "roles": []string{"fx_provider"}}, &fx},
	}
	for _, st := range steps {
		if _, err := c.Do(ctx, "POST", "/v1/participants", admin, st.body, nil, st.out); err != nil {
			return benchBank{}, benchBank{}, err
		}
	}
	a := fx.Accounts["IRR"]
	if _, err := c.Do(ctx, "POST", "/v1/ledger/transfers", admin, map[string]any{"transfers": []map[string]any{{
		"id": ledger.NewRandomID().String(), "debit_account_id": a.Settlement, "credit_account_id": a.Position,
		"amount": "100000000000000000000", "currency": "IRR", "code": 10}}}, nil, nil); err != nil {
		return benchBank{}, benchBank{}, err
	}
	if _, err := c.Do(ctx, "POST", "/v1/rates", admin, map[string]string{"base": "RUB", "quote": "IRR", "rate": "7286.05"}, nil, nil); err != nil {
		return benchBank{}, benchBank{}, err
	}
	if _, err := c.Do(ctx, "PUT", "/v1/corridors/RUB-IRR", admin, map[string]any{"fx_provider": "BENCFXMM"}, nil, nil); err != nil {
		return benchBank{}, benchBank{}, err
	}
	return benchBank{"BENCRUMM", s.APIKey}, benchBank{"BENCIRTH", r.APIKey}, nil
}

// poster posts body (nil for none) to path as the bank whose key it is,
// with an Idempotency-Key if idem is not empty, and decodes the answer
// into out (nil to drop it); an answer other than 2xx is an error.
type poster func(path, key, idem string, body, out any) error

// netHTTPPoster posts through Go's net/http client.
func netHTTPPoster(ctx context.Context, c *apiclient.Client) poster {
	return func(path, key, idem string, body, out any) error {
		var header map[string]string
		if idem != "" {
			header = map[string]string{"Idempotency-Key": idem}
		}
		_, err := c.Do(ctx, "POST", path, key, body, header, out)
		return err
	}
}

// loadPoster posts through a load generator's client.
func loadPoster(c *loadClient) poster {
	return func(path, key, idem string, body, out any) error {
		var b []byte
		if body != nil {
			var err error
			if b, err = json.Marshal(body); err != nil {
				return err
			}
		}
		var extra string
		if idem != "" {
			extra = "Idempotency-Key: " + idem + "\r\n"
		}
		status, answer, err := c.post(path, key, extra, b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if status/100 != 2 {
			return fmt.Errorf("%s: %d: %s", path, status, answer)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(answer, out)
	}
}

// onePayment sends one payment end to end: the quote, the payment and
// the receiving bank's acceptance.
func onePayment(post poster, sender, receiver benchBank, n int64) error {
	type party struct {
		Name     string `json:"name"`
		Account  string `json:"account"`
		BankCode string `json:"bank_code,omitempty"`
	}
	var q struct {
		ID string `json:"id"`
	}
	amount := strconv.FormatInt(10_000+n%1_000_000, 10) + ".00"
	if err := post("/v1/quotes", sender.key, "", struct {
		Receiver string `json:"receiving_participant"`
		Source   string `json:"source_currency"`
		Target   string `json:"target_currency"`
		Amount   string `json:"source_amount"`
	}{receiver.id, "RUB", "IRR", amount}, &q); err != nil {
		return err
	}
	var p struct {
		UETR string `json:"uetr"`
	}
	// Names of no one, so that with a watch list loaded every party is
	// searched and the payment passes, as nearly all payments do.
	if err := post("/v1/payments", sender.key, q.ID, struct {
		QuoteID  string `json:"quote_id"`
		Purpose  string `json:"purpose"`
		Debtor   party  `json:"debtor"`
		Creditor party  `json:"creditor"`
	}{q.ID, "TRAD",
		party{fmt.Sprintf("Sender Customer %06d", n), "40817810899910004312", "044525225"},
		party{fmt.Sprintf("Receiver Customer %06d", n), "IR440960000000100324200001", ""}}, &p); err != nil {
		return err
	}
	return post("/v1/payments/"+p.UETR+"/accept", receiver.key, "", nil, nil)
}

// WritePaymentsTable prints payments results, one row each.
func WritePaymentsTable(w io.Writer, rs ...PaymentsResult) {
	fmt.Fprintf(w, "%-18s %-10s %10s %7s %9s %8s %12s %10s %10s %10s\n", "flow", "store", "screening", "clients", "payments", "seconds", "payments/s", "p50", "p99", ">1s")
	for _, r := range rs {
		screened := "none"
		if r.Screening > 0 {
			screened = fmt.Sprintf("%d", r.Screening)
		}
		fmt.Fprintf(w, "%-18s %-10s %10s %7d %9d %8.2f %12.0f %10s %10s %9.2f%%\n", "quote+pay+accept", r.Store, screened, r.Clients, r.Payments, r.Elapsed.Seconds(),
			r.PerSecond(), roundDur(r.LatencyP50), roundDur(r.LatencyP99), 100*float64(r.OverOneSec)/float64(max(r.Payments, 1)))
	}
}

// listCSV writes a list in Astara's CSV format: id, name, type, aliases
// and countries.
func listCSV(l *screening.List) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "name", "type", "aliases", "countries"})
	for _, e := range l.Entries {
		var aliases []string
		for _, n := range e.Names[1:] {
			aliases = append(aliases, n.Text)
		}
		w.Write([]string{e.ID, e.Names[0].Text, string(e.Type), strings.Join(aliases, ";"), strings.Join(e.Countries, ";")})
	}
	w.Flush()
	return b.Bytes()
}
