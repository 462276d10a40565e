package http_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	astarahttp "astara/http"
)

type (
	windowPositionOut struct {
		Participant string `json:"participant"`
		Sent        string `json:"sent"`
		Received    string `json:"received"`
		Net         string `json:"net"`
	}
	instructionOut struct {
		ID       string `json:"id"`
		Payer    string `json:"payer"`
		Payee    string `json:"payee"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}
	windowOut struct {
		ID           string              `json:"id"`
		Currency     string              `json:"currency"`
		Status       string              `json:"status"`
		OpenedAt     string              `json:"opened_at"`
		ClosedAt     string              `json:"closed_at"`
		SettledAt    string              `json:"settled_at"`
		ClosedBy     string              `json:"closed_by"`
		SettledBy    string              `json:"settled_by"`
		Payments     int                 `json:"payments"`
		Gross        string              `json:"gross"`
		Net          string              `json:"net"`
		NettingRatio string              `json:"netting_ratio"`
		Positions    []windowPositionOut `json:"positions"`
		Instructions []instructionOut    `json:"instructions"`
	}
	windowsOut struct {
		Windows []windowOut `json:"windows"`
	}
)

// decimal reads an amount or a signed net as an exact rational.
func decimal(tb testing.TB, s string) *big.Rat {
	tb.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		tb.Fatalf("not a decimal: %q", s)
	}
	return r
}

func (n *network) MustWindows(tb testing.TB, token, query string) []windowOut {
	tb.Helper()
	var out windowsOut
	MustJSON(tb, n.DoToken(tb, "GET", "/v1/settlement/windows"+query, nil, token), http.StatusOK, &out)
	return out.Windows
}

func (n *network) OpenWindow(tb testing.TB, currency string) windowOut {
	tb.Helper()
	ws := n.MustWindows(tb, adminToken, "?status=open&currency="+currency)
	if len(ws) != 1 {
		tb.Fatalf("got %d open %s windows, want 1", len(ws), currency)
	}
	return ws[0]
}

func TestSettlementWindowsOverHTTP(t *testing.T) {
	n := newNetwork(t)
	var sent []paymentOut
	for _, amount := range []string{"150000.00", "250000.00"} {
		p := n.SendRUB(t, amount)
		var done paymentOut
		MustJSON(t, n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/accept", nil), http.StatusOK, &done)
		sent = append(sent, done)
	}
	open := n.OpenWindow(t, "RUB")
	if open.ID != "RUB-000001" || open.Payments != 2 || len(open.Instructions) != 0 {
		t.Fatalf("open window %+v, want RUB-000001 with 2 payments and no instructions yet", open)
	}
	MustProblem(t, n.Do(t, "POST", "/v1/settlement/windows/RUB-000001/settle", nil), http.StatusConflict, "window_not_closed", "id")
	MustProblem(t, n.Do(t, "GET", "/v1/settlement/windows/RUB-000001/instructions", nil), http.StatusConflict, "window_not_closed", "id")
	MustProblem(t, n.As(t, volga, "POST", "/v1/settlement/windows/RUB-000001/close", nil), http.StatusUnauthorized, "invalid_token", "")

	var closed windowOut
	MustJSON(t, n.Do(t, "POST", "/v1/settlement/windows/RUB-000001/close", nil), http.StatusOK, &closed)
	if closed.Status != "closed" || closed.ClosedAt == "" {
		t.Fatalf("closed window %+v", closed)
	}
	t.Run("the nets sum to zero and the gross is what was sent", func(t *testing.T) {
		sum, gross := new(big.Rat), new(big.Rat)
		for _, p := range closed.Positions {
			sum.Add(sum, decimal(t, p.Net))
			gross.Add(gross, decimal(t, p.Sent))
		}
		want := new(big.Rat)
		for _, p := range sent {
			want.Add(want, decimal(t, p.SourceAmount))
			want.Add(want, decimal(t, p.Fee.Amount))
		}
		if sum.Sign() != 0 || gross.Cmp(want) != 0 || decimal(t, closed.Gross).Cmp(want) != 0 {
			t.Errorf("nets sum to %s, gross %s (%s), want 0 and %s", sum.FloatString(2), gross.FloatString(2), closed.Gross, want.FloatString(2))
		}
		if len(closed.Positions) != 3 {
			t.Errorf("positions %+v, want the sender, the FX provider and the switch", closed.Positions)
		}
		if closed.NettingRatio != "1.0000" {
			t.Errorf("netting ratio %s, want 1.0000 for one-way traffic", closed.NettingRatio)
		}
	})
	next := n.OpenWindow(t, "RUB")
	if next.ID != "RUB-000002" {
		t.Errorf("the next open window is %s, want RUB-000002", next.ID)
	}
	t.Run("a participant sees its own position only", func(t *testing.T) {
		var w windowOut
		MustJSON(t, n.As(t, volga, "GET", "/v1/settlement/windows/RUB-000001", nil), http.StatusOK, &w)
		if len(w.Positions) != 1 || w.Positions[0].Participant != volga {
			t.Errorf("VOLGRUMM sees positions %+v, want its own only", w.Positions)
		}
		for _, in := range w.Instructions {
			if in.Payer != volga && in.Payee != volga {
				t.Errorf("VOLGRUMM sees another bank's instruction %+v", in)
			}
		}
		MustProblem(t, n.As(t, caspian, "GET", "/v1/settlement/windows/RUB-000001", nil), http.StatusNotFound, "window_not_found", "id")
		for _, w := range n.MustWindows(t, n.keys[caspian], "") {
			if w.Currency != "IRR" {
				t.Errorf("CASPIRTH lists window %s of %s", w.ID, w.Currency)
			}
		}
	})
	t.Run("instructions as CSV", func(t *testing.T) {
		resp := n.DoHeader(t, "GET", "/v1/settlement/windows/RUB-000001/instructions", nil, adminToken, http.Header{"Accept": {"text/csv"}})
		if resp.Status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("got %d %s: %s", resp.Status, resp.Header.Get("Content-Type"), resp.Body)
		}
		rows, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(closed.Instructions) || len(closed.Instructions) != 2 {
			t.Fatalf("CSV rows %v, want a header and one row per instruction %+v", rows, closed.Instructions)
		}
		for i, in := range closed.Instructions {
			if r := rows[i+1]; r[0] != in.ID || r[3] != in.Payer || r[5] != in.Payee || r[7] != in.Amount {
				t.Errorf("CSV row %v, want %+v", r, in)
			}
		}
	})
	var settled windowOut
	MustJSON(t, n.Do(t, "POST", "/v1/settlement/windows/RUB-000001/settle", nil), http.StatusOK, &settled)
	if settled.Status != "settled" || settled.SettledAt == "" {
		t.Fatalf("settled window %+v", settled)
	}
	MustProblem(t, n.Do(t, "POST", "/v1/settlement/windows/RUB-000001/settle", nil), http.StatusConflict, "window_already_settled", "id")
	MustProblem(t, n.Do(t, "POST", "/v1/settlement/windows/RUB-000001/close", nil), http.StatusConflict, "window_not_open", "id")
	MustProblem(t, n.Do(t, "GET", "/v1/settlement/windows?status=pending", nil), http.StatusBadRequest, "status_unknown", "status")
	// VOLGRUMM's position is back to what it was funded with.
	var pos positionsOut
	MustJSON(t, n.As(t, volga, "GET", "/v1/positions", nil), http.StatusOK, &pos)
	if pos.Positions[0].Position != volgaFundedRUB {
		t.Errorf("VOLGRUMM position %s after settlement, want %s", pos.Positions[0].Position, volgaFundedRUB)
	}
	n.checkDoubleEntry(t)
}

// TestSettlementBesidePaymentLoad closes and settles windows while
// payments flow: every completed payment is counted in exactly one window,
// nothing is refused for it, and the books balance.
func TestSettlementBesidePaymentLoad(t *testing.T) {
	n := newNetwork(t)
	const senders, perSender = 4, 8
	var wg sync.WaitGroup
	errs := make(chan error, senders*perSender+64)
	var mu sync.Mutex
	want := new(big.Rat)
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				amount := fmt.Sprintf("%d.00", 20000+g*1000+i)
				resp := n.As(t, volga, "POST", "/v1/quotes", rubQuote(amount))
				var q quoteOut
				if resp.Status != http.StatusCreated {
					errs <- fmt.Errorf("quote: %d %s", resp.Status, resp.Body)
					continue
				}
				mustDecode(resp.Body, &q)
				resp = n.Pay(t, volga, fmt.Sprintf("load-%d-%d", g, i), rubPayment(q.ID))
				var p paymentOut
				if resp.Status != http.StatusCreated {
					errs <- fmt.Errorf("pay: %d %s", resp.Status, resp.Body)
					continue
				}
				mustDecode(resp.Body, &p)
				if resp = n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/accept", nil); resp.Status != http.StatusOK {
					errs <- fmt.Errorf("accept: %d %s", resp.Status, resp.Body)
					continue
				}
				mu.Lock()
				want.Add(want, decimal(t, p.SourceAmount))
				want.Add(want, decimal(t, p.Fee.Amount))
				mu.Unlock()
			}
		}()
	}
	stop := make(chan struct{})
	var closer sync.WaitGroup
	closer.Add(1)
	go func() {
		defer closer.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var ws windowsOut
			resp := n.Do(t, "GET", "/v1/settlement/windows?status=open&currency=RUB", nil)
			mustDecode(resp.Body, &ws)
			if len(ws.Windows) != 1 {
				errs <- fmt.Errorf("%d open RUB windows", len(ws.Windows))
				return
			}
			id := ws.Windows[0].ID
			if resp := n.Do(t, "POST", "/v1/settlement/windows/"+id+"/close", nil); resp.Status != http.StatusOK {
				errs <- fmt.Errorf("close %s: %d %s", id, resp.Status, resp.Body)
			}
			if resp := n.Do(t, "POST", "/v1/settlement/windows/"+id+"/settle", nil); resp.Status != http.StatusOK {
				errs <- fmt.Errorf("settle %s: %d %s", id, resp.Status, resp.Body)
			}
		}
	}()
	wg.Wait()
	close(stop)
	closer.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := new(big.Rat)
	windows := n.MustWindows(t, adminToken, "?currency=RUB")
	for _, w := range windows {
		for _, p := range w.Positions {
			if p.Participant == volga {
				got.Add(got, decimal(t, p.Sent))
			}
		}
	}
	if got.Cmp(want) != 0 {
		t.Errorf("VOLGRUMM sent %s over %d windows, want %s: every completed payment once", got.FloatString(2), len(windows), want.FloatString(2))
	}
	if len(windows) < 2 {
		t.Errorf("only %d windows: settlement did not run beside the load", len(windows))
	}
	n.checkDoubleEntry(t)
}

// mustDecode decodes a JSON body, for goroutines that cannot fail the test
// themselves (a body that does not decode leaves v zero, which the checks
// after it catch).
func mustDecode(body []byte, v any) { _ = json.Unmarshal(body, v) }

// TestSettlementSchedule closes windows at the cut-off of the business day
// and, when told to, settles them; an empty window stays open.
func TestSettlementSchedule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sch    astarahttp.SettlementSchedule
		status string
	}{
		{"at the end of the business day", astarahttp.SettlementSchedule{AtBusinessDayEnd: true, Tick: time.Millisecond}, "closed"},
		{"every hour, settled at once", astarahttp.SettlementSchedule{Every: time.Hour, Settle: true, Tick: time.Millisecond}, "settled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetwork(t)
			p := n.SendRUB(t, "150000.00")
			MustJSON(t, n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/accept", nil), http.StatusOK, &paymentOut{})
			var lines []string
			var mu sync.Mutex
			tc.sch.Logf = func(f string, a ...any) { mu.Lock(); lines = append(lines, fmt.Sprintf(f, a...)); mu.Unlock() }
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); n.Handler.RunSettlementSchedule(ctx, tc.sch) }()
			defer func() { cancel(); <-done }()
			time.Sleep(20 * time.Millisecond)
			if w := n.OpenWindow(t, "RUB"); w.ID != "RUB-000001" {
				t.Fatalf("the schedule closed %s before its time", w.ID)
			}
			// Monday 2 March 2026, 09:00 UTC is noon in Moscow; ten hours on,
			// Moscow's business day is over. Iran's banks were closed 1-7 March
			// (national mourning): the rial window closes after Sunday 8 March.
			n.Clock.Advance(10 * time.Hour)
			eventually(t, 10*time.Second, "the RUB window is "+tc.status, func() bool {
				var w windowOut
				MustJSON(t, n.Do(t, "GET", "/v1/settlement/windows/RUB-000001", nil), http.StatusOK, &w)
				return w.Status == tc.status
			})
			if tc.sch.AtBusinessDayEnd {
				if w := n.OpenWindow(t, "IRR"); w.ID != "IRR-000001" {
					t.Errorf("the rial window closed on %s, a day Iran's banks were closed", n.Clock.Now().Format(time.DateOnly))
				}
				n.Clock.Advance(6 * 24 * time.Hour)
			}
			if w := n.MustWindows(t, adminToken, "?currency=RUB")[0]; w.ClosedBy != "schedule" {
				t.Errorf("RUB-000001 closed by %q, want schedule", w.ClosedBy)
			}
			eventually(t, 10*time.Second, "the IRR window, which had the payment too, is "+tc.status, func() bool {
				var w windowOut
				MustJSON(t, n.Do(t, "GET", "/v1/settlement/windows/IRR-000001", nil), http.StatusOK, &w)
				return w.Status == tc.status
			})
			// The next windows are empty: they stay open.
			n.Clock.Advance(48 * time.Hour)
			time.Sleep(20 * time.Millisecond)
			if ws := n.MustWindows(t, adminToken, "?currency=RUB"); len(ws) != 2 {
				t.Errorf("RUB windows %d, want 2: an empty window is left open", len(ws))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "closed RUB-000001") {
				t.Errorf("the schedule reported %q", lines)
			}
		})
	}
}
