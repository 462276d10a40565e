package main

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"astara/ledger"
)

type windowJSON struct {
	ID        string `json:"id"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	Payments  int    `json:"payments"`
	Positions []struct {
		Participant string `json:"participant"`
		Sent        string `json:"sent"`
	} `json:"positions"`
}

// TestCrashKillNineDuringSettlement kills `astara serve` while windows are
// closed and settled under payment traffic: after the restart every
// acknowledged close and settlement is there, a retry of either is refused
// rather than applied twice, every completed payment is counted in exactly
// one window, and `astara verify` passes.
func TestCrashKillNineDuringSettlement(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	dir := t.TempDir()
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--settlement-close-at-day-end=false")
	keys := map[string]string{}
	for _, p := range []map[string]any{
		{"id": "VOLGRUMM", "name": "Volga Bank", "country": "RU", "currencies": []string{"RUB"}, "net_debit_cap": map[string]string{"RUB": "100000000000.00"}},
		{"id": "CASPIRTH", "name": "Caspian Bank", "country": "IR", "currencies": []string{"IRR"}},
		{"id": "FXPRRUMM", "name": "FX", "country": "RU", "currencies": []string{"RUB", "IRR"}, "roles": []string{"fx_provider"}},
	} {
		var out struct {
			APIKey   string `json:"api_key"`
			Accounts map[string]struct{ Position, Settlement string }
		}
		if code, err := c.post("/v1/participants", p, &out); code != 201 || err != nil {
			t.Fatalf("participant: %d %v\n%s", code, err, c.output())
		}
		keys[p["id"].(string)] = out.APIKey
		if p["id"] == "FXPRRUMM" {
			a := out.Accounts["IRR"]
			if code, err := c.post("/v1/ledger/transfers", map[string]any{"transfers": []map[string]any{{"id": ledger.IDFromUint64(9).String(),
				"debit_account_id": a.Settlement, "credit_account_id": a.Position, "amount": "900000000000000000", "currency": "IRR", "code": 1}}}, &struct{}{}); code != 200 || err != nil {
				t.Fatalf("fund: %d %v", code, err)
			}
		}
	}
	if code, err := c.post("/v1/rates", map[string]string{"base": "RUB", "quote": "IRR", "rate": "7286.05"}, &struct{}{}); code != 201 || err != nil {
		t.Fatalf("rate: %d %v", code, err)
	}
	if code := c.call("PUT", "/v1/corridors/RUB-IRR", testToken, "", `{"fx_provider":"FXPRRUMM"}`, nil); code != 200 {
		t.Fatalf("corridor: %d", code)
	}

	var mu sync.Mutex
	closed, settled := map[string]bool{}, map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var q struct{ ID string }
				amount := fmt.Sprintf("%d.00", 20_000+w*1000+i)
				if c.call("POST", "/v1/quotes", keys["VOLGRUMM"], "", `{"receiving_participant":"CASPIRTH","source_currency":"RUB","target_currency":"IRR","source_amount":"`+amount+`"}`, &q) != 201 {
					continue
				}
				body := `{"quote_id":"` + q.ID + `","purpose":"TRAD","debtor":{"name":"Ivan Petrov","account":"40817810899910004312","bank_code":"044525225"},"creditor":{"name":"Ali Rezaei","account":"IR440960000000100324200001"}}`
				var p struct{ UETR string }
				if c.call("POST", "/v1/payments", keys["VOLGRUMM"], fmt.Sprintf("s%d-%d", w, i), body, &p) != 201 {
					continue
				}
				c.call("POST", "/v1/payments/"+p.UETR+"/accept", keys["CASPIRTH"], "", "", nil)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, cur := range []string{"RUB", "IRR"} {
				var ws struct{ Windows []windowJSON }
				if c.call("GET", "/v1/settlement/windows?status=open&currency="+cur, testToken, "", "", &ws) != 200 || len(ws.Windows) != 1 {
					continue
				}
				id := ws.Windows[0].ID
				if c.call("POST", "/v1/settlement/windows/"+id+"/close", testToken, "", "", nil) == 200 {
					mu.Lock()
					closed[id] = true
					mu.Unlock()
				}
				if c.call("POST", "/v1/settlement/windows/"+id+"/settle", testToken, "", "", nil) == 200 {
					mu.Lock()
					settled[id] = true
					mu.Unlock()
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	time.Sleep(time.Duration(400+rng.IntN(800)) * time.Millisecond)
	c.kill()
	close(stop)
	wg.Wait()
	if len(closed) == 0 {
		t.Fatal("no window was closed before the kill")
	}

	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--settlement-close-at-day-end=false")
	var all struct{ Windows []windowJSON }
	if code := c.call("GET", "/v1/settlement/windows", testToken, "", "", &all); code != 200 {
		t.Fatalf("windows: %d", code)
	}
	status := map[string]string{}
	open := map[string]int{}
	sent := new(big.Rat)
	for _, w := range all.Windows {
		status[w.ID] = w.Status
		if w.Status == "open" {
			open[w.Currency]++
		}
		for _, p := range w.Positions {
			if p.Participant == "VOLGRUMM" {
				x, _ := new(big.Rat).SetString(p.Sent)
				sent.Add(sent, x)
			}
		}
	}
	if open["RUB"] != 1 || open["IRR"] != 1 {
		t.Fatalf("open windows after the restart: %v, want one per currency", open)
	}
	for id := range closed {
		if s := status[id]; s != "closed" && s != "settled" {
			t.Fatalf("window %s was closed before the kill; after the restart it is %q", id, s)
		}
		if code := c.call("POST", "/v1/settlement/windows/"+id+"/close", testToken, "", "", nil); code != 409 {
			t.Fatalf("closing %s again: %d, want 409", id, code)
		}
	}
	for id := range settled {
		if status[id] != "settled" {
			t.Fatalf("window %s was settled before the kill; after the restart it is %q", id, status[id])
		}
		if code := c.call("POST", "/v1/settlement/windows/"+id+"/settle", testToken, "", "", nil); code != 409 {
			t.Fatalf("settling %s again: %d, want 409", id, code)
		}
	}
	// Every completed payment is in exactly one window.
	want := new(big.Rat)
	for cursor := ""; ; {
		var page struct {
			Payments []struct {
				SourceAmount string `json:"source_amount"`
				Fee          struct{ Amount string }
			} `json:"payments"`
			NextCursor string `json:"next_cursor"`
		}
		if code := c.call("GET", "/v1/payments?status=completed&limit=1000&cursor="+cursor, testToken, "", "", &page); code != 200 {
			t.Fatalf("payments: %d", code)
		}
		for _, p := range page.Payments {
			x, _ := new(big.Rat).SetString(p.SourceAmount)
			f, _ := new(big.Rat).SetString(p.Fee.Amount)
			want.Add(want, x).Add(want, f)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if sent.Cmp(want) != 0 {
		t.Fatalf("VOLGRUMM sent %s over the windows, want %s: the completed payments once each", sent.FloatString(2), want.FloatString(2))
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("astara verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	t.Logf("%d windows closed and %d settled before the kill; after it %d windows", len(closed), len(settled), len(all.Windows))
}

// TestSettlementCommand drives `astara settlement` against a running node.
func TestSettlementCommand(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	if code, err := c.post("/v1/participants", map[string]any{"id": "VOLGRUMM", "name": "Volga Bank", "country": "RU", "currencies": []string{"RUB"}}, &struct{}{}); code != 201 || err != nil {
		t.Fatalf("participant: %d %v", code, err)
	}
	run := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"settlement", "--server", c.url, "--token", testToken}, args...), &out, &errOut)
		return out.String() + errOut.String(), code
	}
	if out, code := run("list"); code != 0 || !strings.Contains(out, "RUB-000001") || !strings.Contains(out, "open") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if out, code := run("close", "RUB-000001"); code != 0 || !strings.Contains(out, "RUB-000001  RUB  closed") {
		t.Fatalf("close: exit %d\n%s", code, out)
	}
	if out, code := run("close", "RUB-000001"); code != 1 || !strings.Contains(out, "window_not_open") {
		t.Fatalf("close again: exit %d, want 1 with window_not_open\n%s", code, out)
	}
	if out, code := run("instructions", "RUB-000001"); code != 0 || !strings.HasPrefix(out, "instruction_id,window_id") {
		t.Fatalf("instructions: exit %d\n%s", code, out)
	}
	if out, code := run("settle", "RUB-000001"); code != 0 || !strings.Contains(out, "settled") {
		t.Fatalf("settle: exit %d\n%s", code, out)
	}
	if out, code := run("frobnicate"); code != 2 {
		t.Fatalf("unknown subcommand: exit %d, want 2\n%s", code, out)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
}

func TestServeRefusesABadBIC(t *testing.T) {
	for _, args := range [][]string{{"serve", "--bic", "nope"}, {"serve", "--settlement-bank-bic", "CBRF-RUMM"}} {
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), append(args, "--data", t.TempDir()), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "is not a BIC") {
			t.Errorf("%v: exit %d, %q; want 2 naming the flag", args, code, errOut.String())
		}
	}
}

func TestStoreFlagWantsAPostgreSQLURL(t *testing.T) {
	for _, cmd := range []string{"serve", "verify"} {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), []string{cmd, "--data", t.TempDir(), "--store", "mysql://bank:s3cret@db/astara"}, &out, &errOut)
		msg := errOut.String()
		if code != 2 || !strings.Contains(msg, "--store") || !strings.Contains(msg, "PostgreSQL URL") {
			t.Errorf("%s --store mysql://...: exit %d, %q; want 2 naming --store and what it wants", cmd, code, msg)
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("%s: the error shows the password: %q", cmd, msg)
		}
	}
}
