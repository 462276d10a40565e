package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"astara/ledger"
)

// TestMain lets the tests run this test binary as the astara command: with
// ASTARA_TEST_AS_MAIN=1 it runs main() on its arguments instead of the
// tests. The crash tests start it as a child process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("ASTARA_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const testToken = "test-operator-token"

// child is a running `astara serve` in its own process.
type child struct {
	cmd  *exec.Cmd
	url  string
	out  *bytes.Buffer
	mu   sync.Mutex
	done chan struct{}
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c, urls := spawnChild(t, args...)
	select {
	case c.url = <-urls:
	case <-c.done:
		t.Fatalf("astara exited before listening:\n%s", c.output())
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		t.Fatalf("astara did not start listening in 30 s:\n%s", c.output())
	}
	return c
}

// spawnChild starts `astara` with args and returns at once, with the
// channel on which the address it listens on arrives.
func spawnChild(t *testing.T, args ...string) (*child, <-chan string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "ASTARA_TEST_AS_MAIN=1", "ASTARA_ADMIN_TOKEN="+testToken)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{c: c}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			c.out.WriteString(line + "\n")
			c.mu.Unlock()
			if rest, ok := strings.CutPrefix(line, "astara: listening on "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	go func() { cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.kill()
		}
	})
	return c, urls
}

type lockedWriter struct{ c *child }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.out.Write(p)
}

func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

func (c *child) post(path string, body any, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, _ := http.NewRequest("POST", c.url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 && out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

func (c *child) get(t *testing.T, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 200 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// call sends a request with a token and decodes a 2xx answer.
func (c *child) call(method, path, token, key, body string, out any) int {
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type transferJSON struct {
	ID              string   `json:"id"`
	DebitAccountID  string   `json:"debit_account_id"`
	CreditAccountID string   `json:"credit_account_id"`
	Amount          string   `json:"amount"`
	Currency        string   `json:"currency"`
	Code            int      `json:"code"`
	Flags           []string `json:"flags,omitempty"`
}

type results struct {
	Results []struct {
		ID     string `json:"id"`
		Result string `json:"result"`
	} `json:"results"`
}

// TestCrashKillNineKeepsAcknowledgedTransfers runs `astara serve` as a
// child under concurrent load, kills it with SIGKILL at a random moment,
// restarts it, and checks that every acknowledged transfer is there with
// the same fields, that nothing was applied twice, and that the books
// balance; several times over the same data directory, then `astara
// verify` on the result.
func TestCrashKillNineKeepsAcknowledgedTransfers(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	rounds := 4
	if testing.Short() {
		rounds = 2
	}
	const accounts = 50
	l := &transferLoad{seed: seed, accounts: accounts, acked: map[string]transferJSON{}}
	for round := 0; round < rounds; round++ {
		// Every other round keeps 64 transfers in memory: the history
		// moves out between groups, and the kill lands while it does.
		hot := []string{"64", "131072"}[round%2]
		c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--hot-transfers", hot)
		if round == 0 {
			var accs []map[string]any
			for i := 1; i <= accounts; i++ {
				accs = append(accs, map[string]any{"id": ledger.IDFromUint64(uint64(i)).String(), "currency": "RUB", "code": 1})
			}
			var res results
			if code, err := c.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &res); code != 200 || err != nil {
				t.Fatalf("create accounts: %d %v\n%s", code, err, c.output())
			}
		}
		// Before the load: everything acknowledged so far is there.
		if round > 0 {
			checkAcked(t, c, l.acked)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				l.run(c, uint64(round*10+w), stop)
			}(w)
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		c.kill()
		close(stop)
		wg.Wait()
	}
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	checkAcked(t, c, l.acked)
	// Retrying acknowledged transfers applies nothing twice.
	retryAcked(t, c, l.acked)
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatal("astara did not stop on SIGTERM")
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code after SIGTERM: got %d, want 0\n%s", code, c.output())
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("astara verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	t.Logf("%d acknowledged transfers survived %d kills\n%s", len(l.acked), rounds, out.String())
}

// transferLoad sends random batches of transfers between its accounts and
// keeps those acknowledged ("ok" or "exists").
type transferLoad struct {
	seed     uint64
	accounts int
	mu       sync.Mutex
	nextID   uint64
	acked    map[string]transferJSON
}

// run sends batches to c until stop is closed; a batch that gets no answer
// (the server killed) is not acknowledged.
func (l *transferLoad) run(c *child, stream uint64, stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(l.seed, stream))
	for {
		select {
		case <-stop:
			return
		default:
		}
		batch := make([]transferJSON, 1+r.IntN(40))
		l.mu.Lock()
		for i := range batch {
			dr := 1 + r.IntN(l.accounts)
			cr := 1 + (dr+r.IntN(l.accounts-1))%l.accounts
			l.nextID++
			batch[i] = transferJSON{ID: ledger.IDFromUint64(1<<32 + l.nextID).String(),
				DebitAccountID: ledger.IDFromUint64(uint64(dr)).String(), CreditAccountID: ledger.IDFromUint64(uint64(cr)).String(),
				Amount: fmt.Sprintf("%d.%02d", 1+r.IntN(100000), r.IntN(100)), Currency: "RUB", Code: 1}
		}
		l.mu.Unlock()
		var res results
		if code, err := c.post("/v1/ledger/transfers", map[string]any{"transfers": batch}, &res); err != nil || code != 200 {
			continue
		}
		l.mu.Lock()
		for i, x := range res.Results {
			if x.Result == "ok" || x.Result == "exists" {
				l.acked[batch[i].ID] = batch[i]
			}
		}
		l.mu.Unlock()
	}
}

// retryAcked sends up to 100 acknowledged transfers again: each must
// answer "exists", applying nothing twice.
func retryAcked(t *testing.T, c *child, acked map[string]transferJSON) {
	t.Helper()
	var sample []transferJSON
	for _, tr := range acked {
		if sample = append(sample, tr); len(sample) == 100 {
			break
		}
	}
	var res results
	if code, err := c.post("/v1/ledger/transfers", map[string]any{"transfers": sample}, &res); code != 200 || err != nil {
		t.Fatalf("retry: %d %v", code, err)
	}
	for i, x := range res.Results {
		if x.Result != "exists" {
			t.Fatalf("retry of acknowledged transfer %s: got %s, want exists", sample[i].ID, x.Result)
		}
	}
}

func checkAcked(t *testing.T, c *child, acked map[string]transferJSON) {
	t.Helper()
	var totals struct {
		Totals []struct {
			Currency string `json:"currency"`
			Balanced bool   `json:"balanced"`
		} `json:"totals"`
	}
	if code := c.get(t, "/v1/ledger/totals", &totals); code != 200 {
		t.Fatalf("totals: %d", code)
	}
	for _, x := range totals.Totals {
		if !x.Balanced {
			t.Fatalf("%s does not balance after restart", x.Currency)
		}
	}
	for id, want := range acked {
		var got transferJSON
		if code := c.get(t, "/v1/ledger/transfers/"+id, &got); code != 200 {
			t.Fatalf("acknowledged transfer %s: got status %d after restart, want 200", id, code)
		}
		if got.ID != want.ID || got.DebitAccountID != want.DebitAccountID || got.CreditAccountID != want.CreditAccountID ||
			got.Amount != want.Amount || got.Currency != want.Currency || got.Code != want.Code {
			t.Fatalf("acknowledged transfer %s: got %+v, want %+v", id, got, want)
		}
	}
}

func TestVerifyDetectsAnEditedJournal(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	var res results
	accs := []map[string]any{
		{"id": ledger.IDFromUint64(1).String(), "currency": "RUB", "code": 1},
		{"id": ledger.IDFromUint64(2).String(), "currency": "RUB", "code": 1},
	}
	if code, err := c.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &res); code != 200 || err != nil {
		t.Fatal(code, err)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("verify of a good journal: exit %d: %s", code, errOut.String())
	}
	if code := Run(context.Background(), []string{"verify", "--data", filepath.Join(dir, "missing")}, &out, &errOut); code == 0 {
		t.Fatal("verify of a missing journal exited 0")
	}
	if code := Run(context.Background(), []string{"verify"}, &out, &errOut); code != 2 {
		t.Fatalf("verify without --data: got exit %d, want 2", code)
	}
}

// TestCalendarChangesOutliveARestart declares a closure and confirms an
// estimate, restarts the node, and finds both still in effect.
func TestCalendarChangesOutliveARestart(t *testing.T) {
	dir := t.TempDir()
	const at = "2026-03-19T15:00:00%2B03:30" // a Thursday afternoon in Tehran
	valueDate := func(c *child) string {
		var v struct {
			ValueDate string `json:"value_date"`
		}
		if code := c.get(t, "/v1/calendars/value-date?corridor=RUB-IRR&at="+at, &v); code != 200 {
			t.Fatalf("value-date: status %d", code)
		}
		return v.ValueDate
	}
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	if got := valueDate(c); got != "2026-03-25" {
		t.Fatalf("before: got %s, want 2026-03-25", got)
	}
	if code, err := c.post("/v1/calendars/IR/closures", map[string]string{"date": "2026-03-25", "name": "Heavy snow"}, nil); code != 201 || err != nil {
		t.Fatalf("closure: %d %v", code, err)
	}
	if code, err := c.post("/v1/calendars/IR/confirmations", map[string]string{"date": "2026-08-03", "source": "official calendar"}, nil); code != 201 || err != nil {
		t.Fatalf("confirmation: %d %v", code, err)
	}
	if got := valueDate(c); got != "2026-03-26" {
		t.Fatalf("after the closure: got %s, want 2026-03-26 (Thursday, a short day that counts)", got)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	defer func() { c.cmd.Process.Signal(syscall.SIGTERM); <-c.done }()
	if got := valueDate(c); got != "2026-03-26" {
		t.Fatalf("after a restart: got %s, want 2026-03-26 (the closure kept)\n%s", got, c.output())
	}
	var listing struct {
		Days []struct {
			Date string `json:"date"`
			Name string `json:"name"`
		} `json:"days"`
	}
	if code := c.get(t, "/v1/calendars/IR?from=2026-03-25&to=2026-03-25", &listing); code != 200 || len(listing.Days) != 1 || listing.Days[0].Name != "Heavy snow" {
		t.Fatalf("the closed day after a restart: status %d, %+v", code, listing)
	}
}

// TestCrashKillNineKeepsAcknowledgedPayments sends payments from several
// clients to a child `astara serve`, kills it with SIGKILL at a random
// moment, restarts it, and checks that every acknowledged payment is there
// with its amounts and at least the status it was acknowledged in, that a
// retry with the same Idempotency-Key answers the same payment, and that
// the journal verifies.
func TestCrashKillNineKeepsAcknowledgedPayments(t *testing.T) {
	crashKillNinePayments(t, nil)
}

// TestCrashKillNineKeepsAcknowledgedPaymentsOnPostgres is the same with
// the journal and snapshots in a throwaway PostgreSQL cluster.
func TestCrashKillNineKeepsAcknowledgedPaymentsOnPostgres(t *testing.T) {
	crashKillNinePayments(t, []string{"--store", astaraDatabase(t)})
}

func crashKillNinePayments(t *testing.T, store []string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()
	c := startChild(t, append([]string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, store...)...)
	type created struct {
		APIKey   string `json:"api_key"`
		Accounts map[string]struct {
			Position   string `json:"position"`
			Settlement string `json:"settlement"`
		} `json:"accounts"`
	}
	var ru, ir, fx created
	for _, p := range []struct {
		body map[string]any
		out  *created
	}{
		{map[string]any{"id": "VOLGRUMM", "name": "Volga Bank", "country": "RU", "currencies": []string{"RUB"},
			"net_debit_cap": map[string]string{"RUB": "100000000000.00"}}, &ru},
		{map[string]any{"id": "CASPIRTH", "name": "Caspian Bank", "country": "IR", "currencies": []string{"IRR"}}, &ir},
		{map[string]any{"id": "FXPRRUMM", "name": "FX", "country": "RU", "currencies": []string{"RUB", "IRR"}, "roles": []string{"fx_provider"}}, &fx},
	} {
		if code, err := c.post("/v1/participants", p.body, p.out); code != 201 || err != nil {
			t.Fatalf("participant: %d %v\n%s", code, err, c.output())
		}
	}
	a := fx.Accounts["IRR"]
	setup := []struct {
		path string
		body any
	}{
		{"/v1/ledger/transfers", map[string]any{"transfers": []map[string]any{{"id": ledger.IDFromUint64(9).String(),
			"debit_account_id": a.Settlement, "credit_account_id": a.Position, "amount": "900000000000000000", "currency": "IRR", "code": 1}}}},
		{"/v1/rates", map[string]string{"base": "RUB", "quote": "IRR", "rate": "7286.05"}},
	}
	for _, s := range setup {
		if code, err := c.post(s.path, s.body, &struct{}{}); code >= 300 || err != nil {
			t.Fatalf("%s: %d %v", s.path, code, err)
		}
	}
	req, _ := http.NewRequest("PUT", c.url+"/v1/corridors/RUB-IRR", strings.NewReader(`{"fx_provider":"FXPRRUMM"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("corridor: %v %v", resp, err)
	}

	type ack struct {
		uetr, status, key, body string
		source                  string
	}
	var mu sync.Mutex
	var acks []ack
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var q struct {
					ID string `json:"id"`
				}
				amount := fmt.Sprintf("%d.00", 20_000+w*1000+i)
				if c.call("POST", "/v1/quotes", ru.APIKey, "", `{"receiving_participant":"CASPIRTH","source_currency":"RUB","target_currency":"IRR","source_amount":"`+amount+`"}`, &q) != 201 {
					continue
				}
				key := fmt.Sprintf("w%d-%d", w, i)
				body := `{"quote_id":"` + q.ID + `","purpose":"TRAD","debtor":{"name":"Ivan Petrov","account":"40817810899910004312","bank_code":"044525225"},"creditor":{"name":"Ali Rezaei","account":"IR440960000000100324200001"}}`
				var p struct {
					UETR         string `json:"uetr"`
					Status       string `json:"status"`
					SourceAmount string `json:"source_amount"`
				}
				if c.call("POST", "/v1/payments", ru.APIKey, key, body, &p) != 201 {
					continue
				}
				mu.Lock()
				acks = append(acks, ack{uetr: p.UETR, status: p.Status, key: key, body: body, source: p.SourceAmount})
				mu.Unlock()
				if i%2 == 0 && c.call("POST", "/v1/payments/"+p.UETR+"/accept", ir.APIKey, "", "", nil) == 200 {
					mu.Lock()
					for j := len(acks) - 1; j >= 0; j-- {
						if acks[j].uetr == p.UETR {
							acks[j].status = "completed"
						}
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
	c.kill()
	close(stop)
	wg.Wait()
	if len(acks) == 0 {
		t.Fatal("no payment was acknowledged before the kill")
	}

	c = startChild(t, append([]string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, store...)...)
	for _, a := range acks {
		var got struct {
			UETR         string `json:"uetr"`
			Status       string `json:"status"`
			SourceAmount string `json:"source_amount"`
		}
		if code := c.call("GET", "/v1/payments/"+a.uetr, ru.APIKey, "", "", &got); code != 200 {
			t.Fatalf("acknowledged payment %s: status %d after the restart", a.uetr, code)
		}
		if got.SourceAmount != a.source || (a.status == "completed" && got.Status != "completed") || (got.Status != "reserved" && got.Status != "completed") {
			t.Fatalf("acknowledged payment %s (%s, %s): got %s, %s after the restart", a.uetr, a.status, a.source, got.Status, got.SourceAmount)
		}
		var again struct {
			UETR string `json:"uetr"`
		}
		if code := c.call("POST", "/v1/payments", ru.APIKey, a.key, a.body, &again); code != 201 || again.UETR != a.uetr {
			t.Fatalf("retry of %s with its key: status %d, uetr %s", a.uetr, code, again.UETR)
		}
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	if len(store) == 2 {
		// On PostgreSQL: the query tables, after a kill and a restart.
		want := map[string]string{}
		for _, a := range acks {
			if a.status != "completed" {
				want[a.uetr] = "" // reserved, or completed if an accept was answered after the kill
			} else {
				want[a.uetr] = a.status
			}
		}
		checkQueryTables(t, store[1], want)
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), append([]string{"verify", "--data", dir}, store...), &out, &errOut); code != 0 {
		t.Fatalf("astara verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if len(store) == 2 && !strings.Contains(out.String(), "query tables ok") {
		t.Errorf("astara verify does not check the query tables:\n%s", out.String())
	}
	t.Logf("%d acknowledged payments survived a kill\n%s", len(acks), out.String())
}
