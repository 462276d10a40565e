package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	astarahttp "astara/http"
	"astara/internal/browsertest"
	"astara/journal"
	"astara/ledger"
	"astara/payments"
	"astara/web"
)

// operatorToken is the operator's bearer token in the test node.
const operatorToken = "dashboard-test-operator-token"

// EnvScreenshotDir, when set, names a directory that receives a copy of the
// dashboard's screenshot, for a human (or CI's artifacts) to look at.
const EnvScreenshotDir = "ASTARA_SCREENSHOT_DIR"

// Limits of the browser test.
const (
	// pageWaitMax is how long the page may take to show what the test
	// waits for; the dashboard refreshes once a second.
	pageWaitMax = 10 * time.Second
	// viewportWidthPixels is the width the dashboard is laid out for (its
	// main column is at most 1200 pixels wide).
	viewportWidthPixels  = 1280
	viewportHeightPixels = 900
)

// node is a whole Astara node in-process: the payments machine over a
// journal in a temp directory, the API and the dashboard on a loopback
// port.
type node struct {
	URL string

	mu          sync.Mutex
	requestURIs []string // every request's URI, in order of arrival
}

// startNode starts a node; it stops when the test ends.
func startNode(tb testing.TB) *node {
	tb.Helper()
	st, err := journal.Open(tb.TempDir(), journal.Options{})
	if err != nil {
		tb.Fatalf("open journal: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("close journal: %v", err)
		}
	})
	metrics := astarahttp.NewMetrics()
	svc, err := ledger.Open(st, ledger.ServiceOptions{Observer: metrics,
		NewMachine: func() ledger.Machine { return payments.NewMachine(ledger.Options{}) },
		RestoreMachine: func(r io.Reader) (ledger.Machine, error) {
			return payments.RestoreMachine(r, ledger.Options{})
		}})
	if err != nil {
		tb.Fatalf("open ledger: %v", err)
	}
	tb.Cleanup(func() {
		if err := svc.Close(); err != nil {
			tb.Errorf("close ledger: %v", err)
		}
	})
	api := astarahttp.NewServer(astarahttp.Config{Ledger: svc, Metrics: metrics,
		AdminTokenHash: astarahttp.HashToken(operatorToken), Dashboard: web.Handler()})
	n := &node{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		n.requestURIs = append(n.requestURIs, r.RequestURI)
		n.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	n.URL = srv.URL
	return n
}

// RequestURIs returns the URI of every request the node has had.
func (n *node) RequestURIs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.requestURIs)
}

// call is one request to the API.
type call struct {
	method, path string
	token        string
	body         any               // sent as JSON unless nil
	header       map[string]string // extra headers
	want         int               // expected status; zero means 200
}

// mustCall sends c to the node and decodes the reply; a status other than
// c.want fails the test.
func mustCall[T any](tb testing.TB, n *node, c call) T {
	tb.Helper()
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			tb.Fatalf("%s %s: encode the body: %v", c.method, c.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(c.method, n.URL+c.path, body)
	if err != nil {
		tb.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read the reply: %v", c.method, c.path, err)
	}
	want := c.want
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: got %s: %s, want %d", c.method, c.path, resp.Status, data, want)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatalf("%s %s: decode %s: %v", c.method, c.path, data, err)
	}
	return out
}

// participant is the part of the API's participant that the test uses.
type participant struct {
	APIKey   string `json:"api_key"`
	Accounts map[string]struct {
		Position   string `json:"position"`
		Settlement string `json:"settlement"`
	} `json:"accounts"`
}

// payment is the part of the API's payment that the dashboard shows.
type payment struct {
	UETR                 string `json:"uetr"`
	Status               string `json:"status"`
	Reason               string `json:"reason"`
	SendingParticipant   string `json:"sending_participant"`
	ReceivingParticipant string `json:"receiving_participant"`
	SourceAmount         string `json:"source_amount"`
	SourceCurrency       string `json:"source_currency"`
	TargetAmount         string `json:"target_amount"`
	TargetCurrency       string `json:"target_currency"`
	Fee                  struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	} `json:"fee"`
	ValueDate string `json:"value_date"`
	Purpose   string `json:"purpose"`
}

// The test network: one Russian bank sends roubles, one Iranian bank
// receives rials, one FX provider converts.
const (
	senderID   = "VOLGRUMM"
	receiverID = "CASPIRTH"
	fxID       = "FXPRRUMM"
)

// mustSetUpNetwork creates the participants, funds the FX provider's
// rials, sets the RUB/IRR rate and opens the corridor, over the API as an
// operator would. It returns the sender's and the receiver's keys.
func mustSetUpNetwork(tb testing.TB, n *node) (senderKey, receiverKey string) {
	tb.Helper()
	create := func(body map[string]any) participant {
		return mustCall[participant](tb, n, call{method: "POST", path: "/v1/participants", token: operatorToken, body: body, want: http.StatusCreated})
	}
	sender := create(map[string]any{"id": senderID, "name": "Volga Commercial Bank", "country": "RU",
		"currencies": []string{"RUB"}, "net_debit_cap": map[string]string{"RUB": "500000000.00"}})
	receiver := create(map[string]any{"id": receiverID, "name": "Caspian Bank of Tehran", "country": "IR",
		"currencies": []string{"IRR"}})
	fx := create(map[string]any{"id": fxID, "name": "Astara FX Liquidity", "country": "RU",
		"currencies": []string{"RUB", "IRR"}, "roles": []string{"fx_provider"}})
	irr := fx.Accounts["IRR"]
	funded := mustCall[struct {
		Results []struct {
			Result string `json:"result"`
		} `json:"results"`
	}](tb, n, call{method: "POST", path: "/v1/ledger/transfers", token: operatorToken,
		body: map[string]any{"transfers": []map[string]any{{"id": ledger.NewRandomID().String(),
			"debit_account_id": irr.Settlement, "credit_account_id": irr.Position,
			"amount": "900000000000000", "currency": "IRR", "code": 10}}}})
	if len(funded.Results) != 1 || funded.Results[0].Result != "ok" {
		tb.Fatalf("fund the FX provider's rials: got %+v, want one ok", funded.Results)
	}
	mustCall[json.RawMessage](tb, n, call{method: "POST", path: "/v1/rates", token: operatorToken,
		body: map[string]string{"base": "RUB", "quote": "IRR", "rate": "7286.05", "source": "manual"}, want: http.StatusCreated})
	mustCall[json.RawMessage](tb, n, call{method: "PUT", path: "/v1/corridors/RUB-IRR", token: operatorToken,
		body: map[string]any{"fx_provider": fxID}})
	return sender.APIKey, receiver.APIKey
}

// mustSendPayment quotes and sends amount roubles from the sender to the
// receiver, and returns the payment, reserved.
func mustSendPayment(tb testing.TB, n *node, senderKey, amount string) payment {
	tb.Helper()
	q := mustCall[struct {
		ID string `json:"id"`
	}](tb, n, call{method: "POST", path: "/v1/quotes", token: senderKey, want: http.StatusCreated,
		body: map[string]string{"receiving_participant": receiverID, "source_currency": "RUB", "target_currency": "IRR", "source_amount": amount}})
	p := mustCall[payment](tb, n, call{method: "POST", path: "/v1/payments", token: senderKey, want: http.StatusCreated,
		header: map[string]string{"Idempotency-Key": q.ID},
		body: map[string]any{"quote_id": q.ID, "purpose": "TRAD", "remittance_information": "Invoice 1042",
			"debtor":   map[string]string{"name": "Ivan Petrov", "account": "40817810899910004312", "bank_code": "044525225"},
			"creditor": map[string]string{"name": "Ali Rezaei", "account": "IR440960000000100324200001"}}})
	if p.Status != "reserved" {
		tb.Fatalf("payment of %s RUB: status %q, want reserved", amount, p.Status)
	}
	return p
}

// row is what the dashboard's payments table shows of one payment, less
// the time it was created (formatted in the browser's locale).
type row struct {
	Parties, Sent, Fee, Received, Status, ValueDate, Purpose string
}

// wantRow is the row the dashboard should show for p, as the API formats
// its amounts.
func wantRow(p payment) row {
	status := p.Status
	if p.Reason != "" {
		status += " (" + p.Reason + ")"
	}
	return row{Parties: p.SendingParticipant + " → " + p.ReceivingParticipant,
		Sent: p.SourceAmount + " " + p.SourceCurrency, Fee: p.Fee.Amount + " " + p.Fee.Currency, Received: p.TargetAmount + " " + p.TargetCurrency,
		Status: status, ValueDate: p.ValueDate, Purpose: p.Purpose}
}

// pageState is what the test reads of the page in one evaluation.
type pageState struct {
	Hash         string     `json:"hash"`
	Href         string     `json:"href"`
	StoredToken  *string    `json:"storedToken"` // null when sessionStorage has none
	Status       string     `json:"status"`
	LoginVisible bool       `json:"loginVisible"`
	Books        string     `json:"books"`
	Tiles        [3]string  `json:"tiles"` // recent payments, completed, rejected/expired/returned
	Rows         [][]string `json:"rows"`  // the payments table, cell by cell
}

const readPageJS = `(() => {
	const $ = (id) => document.getElementById(id);
	return {
		hash: location.hash,
		href: location.href,
		storedToken: sessionStorage.getItem("astaraToken"),
		status: $("status").textContent,
		loginVisible: !$("login").hidden && $("login").offsetHeight > 0,
		books: $("books").textContent,
		tiles: [$("payments").textContent, $("completed").textContent, $("refusedish").textContent],
		rows: Array.from(document.querySelectorAll("#paymentsTable tbody tr"), (tr) => Array.from(tr.cells, (td) => td.textContent)),
	};
})()`

// mustReadPage returns the page's state.
func mustReadPage(tb testing.TB, ctx context.Context) pageState {
	tb.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readPageJS))
	if err != nil {
		tb.Fatalf("read the page: %v", err)
	}
	return s
}

// mustWaitFor waits until the JavaScript expression is true in the page,
// and fails the test with what the page shows if it does not become true
// within pageWaitMax.
func mustWaitFor(tb testing.TB, ctx context.Context, what, expression string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(pageWaitMax))); err != nil {
		tb.Fatalf("wait until %s: %v; the page shows %+v", what, err, mustReadPage(tb, ctx))
	}
}

// mustScreenshot takes a PNG of the whole page, writes it to the test's
// temp directory and, when EnvScreenshotDir is set, copies it there.
func mustScreenshot(tb testing.TB, ctx context.Context, name string) []byte {
	tb.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	dirs := []string{tb.TempDir()}
	if dir := os.Getenv(EnvScreenshotDir); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatalf("screenshot: %v", err)
		}
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, img, 0o644); err != nil {
			tb.Fatalf("screenshot: %v", err)
		}
		tb.Logf("screenshot: %s", path)
	}
	return img
}

// watchExceptions collects the page's uncaught exceptions (unhandled
// promise rejections included) until ctx ends.
func watchExceptions(ctx context.Context) func() []string {
	var mu sync.Mutex
	var seen []string
	events := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += ": " + d.Exception.Description
			}
			mu.Lock()
			seen = append(seen, text)
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// TestDashboard drives the operator's dashboard in a headless Chromium
// against a real node: the page must show the payments and the books as
// the API reports them, take the operator's token out of the URL, keep it
// for the tab's session, and ask for it again when it is missing or wrong.
func TestDashboard(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before starting a node
	exceptions := watchExceptions(ctx)
	n := startNode(t)
	senderKey, receiverKey := mustSetUpNetwork(t, n)

	completed := mustSendPayment(t, n, senderKey, "150000.00")
	rejected := mustSendPayment(t, n, senderKey, "250000.00")
	reserved := mustSendPayment(t, n, senderKey, "350000.00")
	completed = mustCall[payment](t, n, call{method: "POST", path: "/v1/payments/" + completed.UETR + "/accept", token: receiverKey})
	rejected = mustCall[payment](t, n, call{method: "POST", path: "/v1/payments/" + rejected.UETR + "/reject", token: receiverKey,
		body: map[string]string{"reason": "AC01"}})
	if completed.Status != "completed" || rejected.Status != "rejected" || rejected.Reason != "AC01" {
		t.Fatalf("after the answers: statuses %q and %q (%q), want completed and rejected (AC01)", completed.Status, rejected.Status, rejected.Reason)
	}
	// Newest first, as the dashboard lists them.
	wantRows := []row{wantRow(reserved), wantRow(rejected), wantRow(completed)}
	for i, want := range []struct{ sent, status string }{
		{"350000.00 RUB", "reserved"}, {"250000.00 RUB", "rejected (AC01)"}, {"150000.00 RUB", "completed"},
	} {
		if wantRows[i].Sent != want.sent || wantRows[i].Status != want.status {
			t.Fatalf("the API reports payment %d as %q, %q; want %q, %q", i, wantRows[i].Sent, wantRows[i].Status, want.sent, want.status)
		}
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportWidthPixels, viewportHeightPixels)); err != nil {
		t.Fatalf("set the viewport: %v", err)
	}
	const threeRows = `document.querySelectorAll("#paymentsTable tbody tr").length === 3`
	checkShowsPayments := func(t *testing.T) {
		t.Helper()
		mustWaitFor(t, ctx, "the payments table has 3 rows", threeRows+` && document.getElementById("books").textContent !== "–"`)
		s := mustReadPage(t, ctx)
		var got []row
		for _, cells := range s.Rows {
			if len(cells) != 8 {
				t.Fatalf("a payments row has %d cells: %q, want 8", len(cells), cells)
			}
			if cells[0] == "" {
				t.Errorf("a payments row has no creation time: %q", cells)
			}
			got = append(got, row{cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]})
		}
		if !slices.Equal(got, wantRows) {
			t.Errorf("payments table:\n got %+v\nwant %+v", got, wantRows)
		}
		if s.Books != "balanced" {
			t.Errorf("#books shows %q, want balanced", s.Books)
		}
		if want := [3]string{"3", "1", "1"}; s.Tiles != want {
			t.Errorf("tiles (payments, completed, refused) show %q, want %q", s.Tiles, want)
		}
		if !strings.HasPrefix(s.Status, "live") {
			t.Errorf("status says %q, want live · updated ...", s.Status)
		}
		if s.LoginVisible {
			t.Errorf("the login form is visible with a good token")
		}
	}

	// Subtests run in order, on the same tab: each starts where the last
	// one left the page, so the first failure stops the rest.
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"ShowsPaymentsAndBooksFromTheAPI", func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(n.URL+"/#token="+operatorToken)); err != nil {
				t.Fatalf("open the dashboard: %v", err)
			}
			checkShowsPayments(t)
		}},
		{"TakesTheTokenOutOfTheURLIntoSessionStorage", func(t *testing.T) {
			s := mustReadPage(t, ctx)
			if s.Hash != "" || strings.Contains(s.Href, operatorToken) {
				t.Errorf("location is %q (hash %q), want the token gone", s.Href, s.Hash)
			}
			if s.StoredToken == nil || *s.StoredToken != operatorToken {
				t.Errorf("sessionStorage holds %v, want the token", s.StoredToken)
			}
			for _, uri := range n.RequestURIs() {
				if strings.Contains(uri, operatorToken) {
					t.Errorf("the token reached the server in a URL: %s", uri)
				}
			}
		}},
		{"KeepsTheTokenAcrossAReload", func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(n.URL+"/")); err != nil {
				t.Fatalf("reload: %v", err)
			}
			checkShowsPayments(t)
			img := mustScreenshot(t, ctx, "dashboard.png")
			cfg, err := png.DecodeConfig(bytes.NewReader(img))
			if err != nil {
				t.Fatalf("the screenshot (%d bytes) is not a PNG: %v", len(img), err)
			}
			if cfg.Width == 0 || cfg.Height < viewportHeightPixels {
				t.Errorf("the screenshot is %dx%d, want the whole page, at least %d high", cfg.Width, cfg.Height, viewportHeightPixels)
			}
		}},
		{"AsksForTheTokenWhenNoneIsStored", func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`sessionStorage.clear()`), chromedp.Reload()); err != nil {
				t.Fatalf("clear sessionStorage and reload: %v", err)
			}
			mustWaitFor(t, ctx, "the login form shows", `!document.getElementById("login").hidden`)
			s := mustReadPage(t, ctx)
			if !s.LoginVisible {
				t.Errorf("#login is not visible")
			}
			if s.Status != "waiting for the operator token" {
				t.Errorf("status says %q, want waiting for the operator token", s.Status)
			}
			if len(s.Rows) != 0 || s.Books != "–" {
				t.Errorf("without a token the page shows %d payments and books %q, want none", len(s.Rows), s.Books)
			}
		}},
		{"SaysAWrongTokenWasRefused", func(t *testing.T) {
			// Click the button, as the operator would: chromedp's Submit calls
			// form.submit(), which skips the page's submit handler.
			if err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("token"), "not-the-operator-token"),
				chromedp.Click(chromedp.CSS("#tokenForm button")),
			); err != nil {
				t.Fatalf("type a token and submit: %v", err)
			}
			mustWaitFor(t, ctx, "the status reports the refusal", `document.getElementById("status").textContent === "the token was refused"`)
			s := mustReadPage(t, ctx)
			if !s.LoginVisible {
				t.Errorf("#login is hidden after a refused token, want it shown")
			}
			if len(s.Rows) != 0 || s.Books != "–" {
				t.Errorf("with a wrong token the page shows %d payments and books %q, want none", len(s.Rows), s.Books)
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	if got := exceptions(); len(got) > 0 {
		t.Errorf("the page threw %d uncaught exceptions: %q", len(got), got)
	}
}
