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
	"reflect"
	"slices"
	"strconv"
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
	body         any               // sent as JSON unless nil; a []byte is sent as it is
	header       map[string]string // extra headers
	want         int               // expected status; zero means 200
}

// mustCall sends c to the node and decodes the reply; a status other than
// c.want fails the test.
func mustCall[T any](tb testing.TB, n *node, c call) T {
	tb.Helper()
	var body io.Reader
	if raw, ok := c.body.([]byte); ok {
		body = bytes.NewReader(raw)
	} else if c.body != nil {
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
	return mustSendPaymentTo(tb, n, senderKey, amount, "Ali Rezaei", "reserved")
}

// mustSendPaymentTo quotes and sends amount roubles from the sender to the
// creditor named creditor at the receiver, and returns the payment, which
// must have the status want.
func mustSendPaymentTo(tb testing.TB, n *node, senderKey, amount, creditor, want string) payment {
	tb.Helper()
	q := mustCall[struct {
		ID string `json:"id"`
	}](tb, n, call{method: "POST", path: "/v1/quotes", token: senderKey, want: http.StatusCreated,
		body: map[string]string{"receiving_participant": receiverID, "source_currency": "RUB", "target_currency": "IRR", "source_amount": amount}})
	p := mustCall[payment](tb, n, call{method: "POST", path: "/v1/payments", token: senderKey, want: http.StatusCreated,
		header: map[string]string{"Idempotency-Key": q.ID},
		body: map[string]any{"quote_id": q.ID, "purpose": "TRAD", "remittance_information": "Invoice 1042",
			"debtor":   map[string]string{"name": "Ivan Petrov", "account": "40817810899910004312", "bank_code": "044525225"},
			"creditor": map[string]string{"name": creditor, "account": "IR440960000000100324200001"}}})
	if p.Status != want {
		tb.Fatalf("payment of %s RUB to %s: status %q, want %s", amount, creditor, p.Status, want)
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
	mustKeepScreenshot(tb, name, img)
	return img
}

// mustKeepScreenshot writes a screenshot to the test's temp directory and,
// when EnvScreenshotDir is set, copies it there.
func mustKeepScreenshot(tb testing.TB, name string, img []byte) {
	tb.Helper()
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

// watchConsole collects what the page writes to the console at the level
// of an error — calls of console.error, uncaught exceptions, and the
// browser's own log (a resource refused, a policy violated) — until ctx
// ends.
func watchConsole(ctx context.Context) func() []chromedp.ConsoleMessage {
	var mu sync.Mutex
	var seen []chromedp.ConsoleMessage
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			mu.Lock()
			seen = append(seen, m)
			mu.Unlock()
		}
	}()
	return func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// screeningList is the test's own list in Astara's CSV format (see
// screening.ParseCSV): one individual, listed in Latin only, and one
// company. Both are made up.
const screeningList = `# published: 2026-03-01
id,name,type,aliases,countries,dates_of_birth,programs,remarks
TEST-0001,"KARIMZADEH, Behrouz",individual,Behruz Karimzade,IR,1968-04-11,TEST,A made-up entry for the dashboard's test.
TEST-0002,Zagros Maritime Services LLC,entity,,IR;AE,,TEST,
`

// The list's name and thresholds as the test imports it through the
// page's form.
const (
	screeningListName = "DASHBOARD-TEST"
	screeningReview   = 0.8
	screeningBlock    = 0.9
)

// heldCreditor scores between the test list's thresholds against
// TEST-0001 (a middle name the list does not have), so that a payment to
// him is held for review.
const heldCreditor = "Behrouz Ahmad Karimzadeh"

// apiList is the part of the API's list that the dashboard shows.
type apiList struct {
	Name       string  `json:"name"`
	Version    int     `json:"version"`
	Format     string  `json:"format"`
	Published  string  `json:"published"`
	Records    int     `json:"records"`
	SHA256     string  `json:"sha256"`
	Review     float64 `json:"review"`
	Block      float64 `json:"block"`
	ImportedAt string  `json:"imported_at"`
	ImportedBy string  `json:"imported_by"`
}

// apiHit is a hit of a search or of a held payment's screening; Field and
// Queried are a payment's only.
type apiHit struct {
	Field       string  `json:"field"`
	Queried     string  `json:"queried"`
	List        string  `json:"list"`
	ListVersion int     `json:"list_version"`
	EntryID     string  `json:"entry_id"`
	Name        string  `json:"name"`
	Matched     string  `json:"matched"`
	Alias       bool    `json:"alias"`
	Score       float64 `json:"score"`
	Action      string  `json:"action"`
}

// apiReview is a held payment in the API's review queue.
type apiReview struct {
	UETR                 string `json:"uetr"`
	SendingParticipant   string `json:"sending_participant"`
	ReceivingParticipant string `json:"receiving_participant"`
	SourceAmount         struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	} `json:"source_amount"`
	TargetAmount struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	} `json:"target_amount"`
	Debtor               string   `json:"debtor"`
	Creditor             string   `json:"creditor"`
	HeldAt               string   `json:"held_at"`
	ReservationExpiresAt string   `json:"reservation_expires_at"`
	ExpiringSoon         bool     `json:"expiring_soon"`
	Hits                 []apiHit `json:"hits"`
}

// problemJSON is the API's problem document.
type problemJSON struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

// groupDigits writes an exact decimal with a comma between each group of
// three digits of its whole part, as the dashboard shows amounts.
func groupDigits(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// utcSeconds is how the dashboard shows an RFC 3339 time: in UTC, to the
// second.
func utcSeconds(tb testing.TB, s string) string {
	tb.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatalf("the API's time %q: %v", s, err)
	}
	return at.UTC().Format(time.DateTime) + " UTC"
}

// screeningState is what the test reads of the page's screening part in
// one evaluation.
type screeningState struct {
	Status             string        `json:"status"`
	Held               string        `json:"held"`
	ScreeningError     string        `json:"screeningError"` // empty when hidden
	Lists              [][]string    `json:"lists"`
	ImportMessage      string        `json:"importMessage"`
	ImportMessageClass string        `json:"importMessageClass"`
	SearchMessage      string        `json:"searchMessage"`
	Hits               [][]string    `json:"hits"` // empty when the table is hidden
	HitClasses         []string      `json:"hitClasses"`
	ReviewMessage      string        `json:"reviewMessage"`
	ReviewsEmpty       bool          `json:"reviewsEmpty"`
	Reviews            []reviewState `json:"reviews"`
}

// reviewState is one held payment's card.
type reviewState struct {
	UETR          string     `json:"uetr"`
	Facts         string     `json:"facts"`
	Sent          string     `json:"sent"`
	Received      string     `json:"received"`
	Debtor        string     `json:"debtor"`
	Creditor      string     `json:"creditor"`
	HeldAt        string     `json:"heldAt"`
	ExpiresAt     string     `json:"expiresAt"`
	ExpiringFlag  bool       `json:"expiringFlag"`
	ExpiringClass bool       `json:"expiringClass"`
	Hits          [][]string `json:"hits"`
	HitFields     []string   `json:"hitFields"`
	Confirm       string     `json:"confirm"` // the confirmation's question; empty when hidden
	Comment       string     `json:"comment"` // what the comment box holds
}

const readScreeningJS = `(() => {
	const $ = (id) => document.getElementById(id);
	const cells = (tr) => Array.from(tr.cells, (td) => td.textContent);
	const shown = (e) => !e.hidden && e.offsetHeight > 0;
	return {
		status: $("status").textContent,
		held: $("held").textContent,
		screeningError: $("screeningError").hidden ? "" : $("screeningError").textContent,
		lists: Array.from(document.querySelectorAll("#listsTable tbody tr"), cells),
		importMessage: $("importMessage").textContent,
		importMessageClass: $("importMessage").className,
		searchMessage: $("searchMessage").textContent,
		hits: $("hitsTable").hidden ? [] : Array.from(document.querySelectorAll("#hitsTable tbody tr"), cells),
		hitClasses: $("hitsTable").hidden ? [] : Array.from(document.querySelectorAll("#hitsTable tbody tr"), (tr) => tr.cells[5].className),
		reviewMessage: $("reviewMessage").textContent,
		reviewsEmpty: shown($("reviewsEmpty")),
		reviews: Array.from(document.querySelectorAll("#reviews article"), (a) => {
			const q = (sel) => a.querySelector(sel);
			return {
				uetr: a.dataset.uetr,
				facts: q(".facts").textContent,
				sent: q(".sent").textContent,
				received: q(".received").textContent,
				debtor: q(".debtor").textContent,
				creditor: q(".creditor").textContent,
				heldAt: q(".heldAt").textContent,
				expiresAt: q(".expiresAt").textContent,
				expiringFlag: shown(q(".badge")),
				expiringClass: a.classList.contains("expiring"),
				hits: Array.from(a.querySelectorAll("table.hits tbody tr"), cells),
				hitFields: Array.from(a.querySelectorAll("table.hits tbody tr"), (tr) => tr.cells[0].title),
				confirm: shown(q(".confirm")) ? q(".confirm span").textContent : "",
				comment: q("textarea.comment").value,
			};
		}),
	};
})()`

// mustReadScreening returns the state of the page's screening part.
func mustReadScreening(tb testing.TB, ctx context.Context) screeningState {
	tb.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[screeningState](readScreeningJS))
	if err != nil {
		tb.Fatalf("read the screening part: %v", err)
	}
	return s
}

// mustWaitForScreening is mustWaitFor for the screening part: on a
// timeout it prints what that part shows.
func mustWaitForScreening(tb testing.TB, ctx context.Context, what, expression string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(pageWaitMax))); err != nil {
		tb.Fatalf("wait until %s: %v; the screening part shows %+v", what, err, mustReadScreening(tb, ctx))
	}
}

// reviewsPath is the review queue's path in the API.
const reviewsPath = "/v1/screening/reviews"

// mustWaitForRequests waits until the node has had count more requests
// for path than it had when called.
func mustWaitForRequests(tb testing.TB, n *node, path string, count int) {
	tb.Helper()
	had := func() int {
		c := 0
		for _, uri := range n.RequestURIs() {
			if uri == path {
				c++
			}
		}
		return c
	}
	want := had() + count
	for deadline := time.Now().Add(pageWaitMax); had() < want; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("wait for %d more requests for %s: only %d in %v", count, path, had()-want+count, pageWaitMax)
		}
	}
}

// cardSelector selects the review queue's card of a held payment.
func cardSelector(uetr string) string { return `#reviews article[data-uetr="` + uetr + `"]` }

// TestDashboardScreening drives the dashboard's screening part in a
// headless Chromium against a real node, as a compliance officer would:
// import a list through the form and see it in the lists table, search it
// in Cyrillic and Persian for a name it lists in Latin, see the payments
// screening held in the review queue with what they matched, and approve
// one and reject another, which the API must then report.
func TestDashboardScreening(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before starting a node
	console := watchConsole(ctx)
	n := startNode(t)
	senderKey, _ := mustSetUpNetwork(t, n)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportWidthPixels, viewportHeightPixels)); err != nil {
		t.Fatalf("set the viewport: %v", err)
	}

	dir := t.TempDir()
	listPath := filepath.Join(dir, "dashboard-test.csv")
	// A file without the required type column: the API refuses it, and the
	// page must say why.
	badList := []byte("id,name\nTEST-0001,Behrouz Karimzadeh\n")
	badListPath := filepath.Join(dir, "no-type-column.csv")
	for path, data := range map[string][]byte{listPath: []byte(screeningList), badListPath: badList} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// importThroughTheForm fills the import form and submits it by
	// clicking its button, as the operator would.
	importThroughTheForm := func(t *testing.T, path, format, list, review, block string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("importForm").reset()`),
			chromedp.SetUploadFiles(chromedp.ID("importFile"), []string{path}),
			chromedp.SetValue(chromedp.ID("importFormat"), format), // fires change, as a choice would
			chromedp.SendKeys(chromedp.ID("importList"), list),
		); err != nil {
			t.Fatalf("fill the import form: %v", err)
		}
		if review != "" {
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("importReview"), review), chromedp.SendKeys(chromedp.ID("importBlock"), block)); err != nil {
				t.Fatalf("fill the thresholds: %v", err)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("importButton"))); err != nil {
			t.Fatalf("click Import: %v", err)
		}
	}
	// search fills the search form with a name and submits it.
	search := func(t *testing.T, name string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("searchMessage").textContent = ""; document.getElementById("searchForm").reset()`),
			chromedp.SendKeys(chromedp.ID("searchName"), name),
			chromedp.Click(chromedp.CSS("#searchForm button")),
		); err != nil {
			t.Fatalf("search for %s: %v", name, err)
		}
		mustWaitForScreening(t, ctx, "the search for "+name+" is answered",
			`(() => { const m = document.getElementById("searchMessage"); return m.textContent !== "" && m.textContent !== "searching…"; })()`)
	}
	// decide decides a held payment in the browser: comment, the decision's
	// button, then the confirmation's.
	decide := func(t *testing.T, uetr, decision, comment string) {
		t.Helper()
		card := cardSelector(uetr)
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(card+" textarea.comment"), comment),
			chromedp.Click(chromedp.CSS(card+" .decide ."+decision)),
		); err != nil {
			t.Fatalf("%s %s: %v", decision, uetr, err)
		}
		s := mustReadScreening(t, ctx)
		i := slices.IndexFunc(s.Reviews, func(r reviewState) bool { return r.UETR == uetr })
		if i < 0 || s.Reviews[i].Confirm == "" {
			t.Fatalf("after clicking %s, no confirmation is asked for %s: %+v", decision, uetr, s.Reviews)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(card+" .confirmYes"))); err != nil {
			t.Fatalf("confirm %s of %s: %v", decision, uetr, err)
		}
		mustWaitForScreening(t, ctx, uetr+" leaves the review queue", `!document.querySelector('`+card+`')`)
	}
	// auditRecord returns the audit log's record of a decision on uetr.
	auditRecord := func(t *testing.T, uetr string) (action, detail string) {
		t.Helper()
		log := mustCall[struct {
			Records []struct {
				Action  string `json:"action"`
				Subject string `json:"subject"`
				Detail  string `json:"detail"`
			} `json:"records"`
		}](t, n, call{method: "GET", path: "/v1/screening/audit", token: operatorToken})
		for _, r := range log.Records {
			if r.Subject == uetr {
				return r.Action, r.Detail
			}
		}
		t.Fatalf("the audit log has no record of %s: %+v", uetr, log.Records)
		return "", ""
	}

	var held []payment // the payments screening holds, oldest first
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"SignsIn", func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(n.URL+"/")); err != nil {
				t.Fatalf("open the dashboard: %v", err)
			}
			mustWaitFor(t, ctx, "the login form shows", `!document.getElementById("login").hidden`)
			if err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("token"), operatorToken),
				chromedp.Click(chromedp.CSS("#tokenForm button")),
			); err != nil {
				t.Fatalf("type the token and submit: %v", err)
			}
			mustWaitFor(t, ctx, "the page is live", `document.getElementById("status").textContent.startsWith("live")`)
			mustWaitForScreening(t, ctx, "the review queue is read", `document.getElementById("held").textContent === "0"`)
			s := mustReadScreening(t, ctx)
			if len(s.Lists) != 0 || s.ScreeningError != "" || !s.ReviewsEmpty {
				t.Errorf("before any import: lists %q, screening error %q, review queue empty %v; want no lists, no error, an empty queue",
					s.Lists, s.ScreeningError, s.ReviewsEmpty)
			}
		}},
		{"ShowsWhyAnImportIsRefused", func(t *testing.T) {
			want := mustCall[problemJSON](t, n, call{method: "POST", path: "/v1/lists/import?format=csv&list=" + screeningListName,
				token: operatorToken, body: badList, want: http.StatusUnprocessableEntity})
			if want.Detail == "" {
				t.Fatalf("the API's problem has no detail: %+v", want)
			}
			importThroughTheForm(t, badListPath, "csv", screeningListName, "", "")
			mustWaitForScreening(t, ctx, "the import is refused", `document.getElementById("importMessage").textContent.startsWith("not imported")`)
			s := mustReadScreening(t, ctx)
			wantText := "not imported: " + want.Detail
			if want.Field != "" {
				wantText += " (" + want.Field + ")"
			}
			if s.ImportMessage != wantText || !strings.Contains(s.ImportMessageClass, "bad") {
				t.Errorf("the import form says %q (class %q), want %q in red", s.ImportMessage, s.ImportMessageClass, wantText)
			}
			if len(s.Lists) != 0 {
				t.Errorf("after a refused import the lists table shows %q, want none", s.Lists)
			}
		}},
		{"ImportsAListThroughTheForm", func(t *testing.T) {
			importThroughTheForm(t, listPath, "csv", screeningListName, "0.8", "0.9")
			mustWaitForScreening(t, ctx, "the list is in the lists table", `document.querySelectorAll("#listsTable tbody tr").length === 1`)
			lists := mustCall[struct {
				Lists          []apiList `json:"lists"`
				ScreeningError string    `json:"screening_error"`
			}](t, n, call{method: "GET", path: "/v1/lists", token: operatorToken})
			if len(lists.Lists) != 1 || lists.ScreeningError != "" {
				t.Fatalf("the API lists %+v (screening error %q), want the one list imported", lists.Lists, lists.ScreeningError)
			}
			l := lists.Lists[0]
			if l.Name != screeningListName || l.Version != 1 || l.Format != "csv" || l.Records != 2 || l.Published != "2026-03-01" ||
				l.Review != screeningReview || l.Block != screeningBlock {
				t.Fatalf("the API reports the list as %+v, want %s version 1, csv, 2 records, published 2026-03-01, review %v, block %v",
					l, screeningListName, screeningReview, screeningBlock)
			}
			s := mustReadScreening(t, ctx)
			wantRow := []string{screeningListName, "1", "csv", "2026-03-01", "2", "0.8", "0.9", utcSeconds(t, l.ImportedAt), "operator", l.SHA256[:12] + "…"}
			if !slices.Equal(s.Lists[0], wantRow) {
				t.Errorf("lists table:\n got %q\nwant %q", s.Lists[0], wantRow)
			}
			wantMessage := "imported " + screeningListName + " version 1: 2 records, review at 0.8, block at 0.9."
			if s.ImportMessage != wantMessage || !strings.Contains(s.ImportMessageClass, "ok") {
				t.Errorf("the import form says %q (class %q), want %q", s.ImportMessage, s.ImportMessageClass, wantMessage)
			}
		}},
		{"SaysWhenNothingMatches", func(t *testing.T) {
			search(t, "Ali Rezaei")
			s := mustReadScreening(t, ctx)
			want := "no hits at or above the review threshold of the loaded lists (" + screeningListName + "@1)"
			if s.SearchMessage != want || len(s.Hits) != 0 {
				t.Errorf("search for Ali Rezaei says %q with hits %q, want %q and no hits", s.SearchMessage, s.Hits, want)
			}
		}},
		{"FindsALatinNameSpeltInCyrillicAndPersian", func(t *testing.T) {
			for _, name := range []string{"Бехруз Каримзаде", "بهروز کریمزاده"} {
				search(t, name)
				want := mustCall[struct {
					Hits  []apiHit `json:"hits"`
					Lists []string `json:"lists"`
				}](t, n, call{method: "POST", path: "/v1/screening/search", token: operatorToken, body: map[string]string{"name": name}})
				if len(want.Hits) == 0 || want.Hits[0].EntryID != "TEST-0001" {
					t.Fatalf("the API finds %+v for %s, want TEST-0001 first", want.Hits, name)
				}
				var wantHits [][]string
				var wantClasses []string
				for _, h := range want.Hits {
					matched := h.Matched
					if h.Alias {
						matched += " (alias)"
					}
					wantHits = append(wantHits, []string{h.List + "@" + strconv.Itoa(h.ListVersion), h.EntryID, h.Name, matched,
						strconv.FormatFloat(h.Score, 'f', 4, 64), h.Action})
					wantClasses = append(wantClasses, map[string]string{"block": "l bad", "review": "l warn"}[h.Action])
				}
				s := mustReadScreening(t, ctx)
				if !slices.EqualFunc(s.Hits, wantHits, slices.Equal) || !slices.Equal(s.HitClasses, wantClasses) {
					t.Errorf("search for %s: hits\n got %q (classes %q)\nwant %q (classes %q)", name, s.Hits, s.HitClasses, wantHits, wantClasses)
				}
				if wantMessage := "against " + screeningListName + "@1, best first"; !strings.Contains(s.SearchMessage, wantMessage) {
					t.Errorf("search for %s says %q, want it to name the lists searched (%q)", name, s.SearchMessage, wantMessage)
				}
			}
		}},
		{"ShowsThePaymentsHeldForReview", func(t *testing.T) {
			held = []payment{
				mustSendPaymentTo(t, n, senderKey, "1234567.50", heldCreditor, "held"),
				mustSendPaymentTo(t, n, senderKey, "350000.00", heldCreditor, "held"),
			}
			mustWaitForScreening(t, ctx, "the review queue shows both", `document.querySelectorAll("#reviews article").length === 2`)
			queue := mustCall[struct {
				Reviews []apiReview `json:"reviews"`
			}](t, n, call{method: "GET", path: reviewsPath, token: operatorToken})
			s := mustReadScreening(t, ctx)
			if len(queue.Reviews) != 2 || len(s.Reviews) != 2 {
				t.Fatalf("the API's queue holds %d payments and the page's %d, want 2", len(queue.Reviews), len(s.Reviews))
			}
			if s.Held != "2" || s.ReviewsEmpty {
				t.Errorf("the held tile shows %q (queue empty shown: %v), want 2", s.Held, s.ReviewsEmpty)
			}
			for i, r := range queue.Reviews {
				got := s.Reviews[i]
				if r.UETR != held[i].UETR || got.UETR != r.UETR {
					t.Fatalf("queue position %d: the API has %s and the page %s, want %s (oldest first)", i, r.UETR, got.UETR, held[i].UETR)
				}
				wantCard := reviewState{UETR: r.UETR,
					Sent:     groupDigits(r.SourceAmount.Amount) + " " + r.SourceAmount.Currency,
					Received: groupDigits(r.TargetAmount.Amount) + " " + r.TargetAmount.Currency,
					Debtor:   "Ivan Petrov", Creditor: heldCreditor, HeldAt: utcSeconds(t, r.HeldAt), ExpiresAt: "–",
					ExpiringFlag: r.ExpiringSoon, ExpiringClass: r.ExpiringSoon}
				if r.ReservationExpiresAt != "" {
					wantCard.ExpiresAt = utcSeconds(t, r.ReservationExpiresAt)
				}
				if r.ReservationExpiresAt == "" {
					t.Errorf("the API gives held payment %s no reservation end", r.UETR)
				}
				if len(r.Hits) == 0 {
					t.Fatalf("the API's held payment %s has no hits", r.UETR)
				}
				for _, h := range r.Hits {
					if h.Field == "creditor.name" && h.EntryID == "TEST-0001" && !(h.Score >= screeningReview && h.Score < screeningBlock && h.Action == "review") {
						t.Errorf("%s scores %v (%s) against TEST-0001, want between the thresholds %v and %v, review", heldCreditor, h.Score, h.Action, screeningReview, screeningBlock)
					}
					matched := h.Matched
					if h.Alias {
						matched += " (alias of " + h.Name + ")"
					}
					wantCard.Hits = append(wantCard.Hits, []string{map[string]string{"debtor.name": "debtor", "creditor.name": "creditor",
						"debtor_agent.name": "sending bank", "creditor_agent.name": "receiving bank"}[h.Field], h.Queried, matched,
						h.List + "@" + strconv.Itoa(h.ListVersion) + " · " + h.EntryID, strconv.FormatFloat(h.Score, 'f', 4, 64), h.Action})
					wantCard.HitFields = append(wantCard.HitFields, h.Field)
				}
				wantCard.Facts = got.Facts // checked by its parts
				if !reflect.DeepEqual(got, wantCard) {
					t.Errorf("review card %d:\n got %+v\nwant %+v", i, got, wantCard)
				}
				if want := held[i].SendingParticipant + " → " + held[i].ReceivingParticipant; !strings.HasPrefix(got.Facts, want) {
					t.Errorf("review card %d reads %q, want it to start with the parties, %s", i, got.Facts, want)
				}
			}
			// Amounts are grouped from the API's exact decimal strings.
			if got := s.Reviews[0].Sent; got != "1,234,567.50 RUB" {
				t.Errorf("the first card's sent amount reads %q, want 1,234,567.50 RUB", got)
			}
			img, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("screening")))
			if err != nil {
				t.Fatalf("screenshot the screening part: %v", err)
			}
			if _, err := png.DecodeConfig(bytes.NewReader(img)); err != nil {
				t.Fatalf("the screenshot (%d bytes) is not a PNG: %v", len(img), err)
			}
			mustKeepScreenshot(t, "dashboard-screening.png", img)
		}},
		{"CancellingTheConfirmationDecidesNothing", func(t *testing.T) {
			const draft = "checking the date of birth"
			card := cardSelector(held[0].UETR)
			if err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(card+" textarea.comment"), draft),
				chromedp.Click(chromedp.CSS(card+" .decide .reject")),
			); err != nil {
				t.Fatalf("comment and click Reject: %v", err)
			}
			s := mustReadScreening(t, ctx)
			if want := "Reject this payment (RR04) and release its reservation of 1,234,567.50 RUB?"; s.Reviews[0].Confirm != want {
				t.Errorf("the confirmation asks %q, want %q", s.Reviews[0].Confirm, want)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(card+" .confirmNo"))); err != nil {
				t.Fatalf("click Cancel: %v", err)
			}
			// The page's loop reads the queue again; the comment being typed
			// must survive it.
			mustWaitForRequests(t, n, reviewsPath, 2)
			s = mustReadScreening(t, ctx)
			if len(s.Reviews) != 2 || s.Reviews[0].Confirm != "" || s.Reviews[0].Comment != draft {
				t.Errorf("after Cancel and a refresh the queue shows %d payments, confirmation %q, comment %q; want both, none asked, the comment kept",
					len(s.Reviews), s.Reviews[0].Confirm, s.Reviews[0].Comment)
			}
			if p := mustCall[payment](t, n, call{method: "GET", path: "/v1/payments/" + held[0].UETR, token: operatorToken}); p.Status != "held" {
				t.Errorf("after Cancel the payment is %q, want held", p.Status)
			}
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('`+card+` textarea.comment').value = ""`)); err != nil {
				t.Fatalf("clear the comment: %v", err)
			}
		}},
		{"ApprovesAHeldPayment", func(t *testing.T) {
			const comment = "a namesake: TEST-0001 was born in 1968; the creditor's bank confirms a different person"
			decide(t, held[0].UETR, "approve", comment)
			p := mustCall[payment](t, n, call{method: "GET", path: "/v1/payments/" + held[0].UETR, token: operatorToken})
			if p.Status != "reserved" {
				t.Errorf("after approval the API reports %q, want reserved", p.Status)
			}
			if action, detail := auditRecord(t, held[0].UETR); action != "approved" || detail != comment {
				t.Errorf("the audit log records %q with %q, want approved with the comment %q", action, detail, comment)
			}
			s := mustReadScreening(t, ctx)
			if !strings.Contains(s.ReviewMessage, "Approved payment "+held[0].UETR) || !strings.Contains(s.ReviewMessage, "now reserved") {
				t.Errorf("the queue says %q, want the approval and the status, reserved", s.ReviewMessage)
			}
			if len(s.Reviews) != 1 || s.Reviews[0].UETR != held[1].UETR {
				t.Errorf("the queue shows %+v, want only %s", s.Reviews, held[1].UETR)
			}
		}},
		{"RejectsAHeldPayment", func(t *testing.T) {
			const comment = "the listed person: same date of birth in the creditor bank's KYC file"
			decide(t, held[1].UETR, "reject", comment)
			p := mustCall[payment](t, n, call{method: "GET", path: "/v1/payments/" + held[1].UETR, token: operatorToken})
			if p.Status != "rejected" || p.Reason != "RR04" {
				t.Errorf("after rejection the API reports %q (%q), want rejected (RR04)", p.Status, p.Reason)
			}
			if action, detail := auditRecord(t, held[1].UETR); action != "rejected" || detail != comment {
				t.Errorf("the audit log records %q with %q, want rejected with the comment %q", action, detail, comment)
			}
			mustWaitForScreening(t, ctx, "the held tile shows 0", `document.getElementById("held").textContent === "0"`)
			s := mustReadScreening(t, ctx)
			if !strings.Contains(s.ReviewMessage, "Rejected payment "+held[1].UETR) || !strings.Contains(s.ReviewMessage, "now rejected (RR04)") {
				t.Errorf("the queue says %q, want the rejection and the status, rejected (RR04)", s.ReviewMessage)
			}
			if len(s.Reviews) != 0 || !s.ReviewsEmpty {
				t.Errorf("the queue shows %d payments (empty note shown: %v), want none and the note", len(s.Reviews), s.ReviewsEmpty)
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	// The browser notes every answer of 400 or more as an error. Two are
	// expected: the refused import's 422, which the test provoked, and the
	// 404 of the favicon the browser asks for on its own (the node serves
	// none, and the page cannot name one: its policy allows no data: image).
	for _, m := range console() {
		if m.Source == "network" && (strings.Contains(m.Text, "status of 422") || strings.HasSuffix(m.URL, "/favicon.ico") && strings.Contains(m.Text, "status of 404")) {
			continue
		}
		t.Errorf("the page logged an error: %s (%s:%d)", m, m.URL, m.Line)
	}
}
