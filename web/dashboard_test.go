package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
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

// EnvScreenshotDir, when set, names a directory that receives a copy of
// every screenshot the tests take (one per page), for a human or CI's
// artifacts to look at.
const EnvScreenshotDir = "ASTARA_SCREENSHOT_DIR"

// Limits of the browser tests.
const (
	// pageWaitMax is how long the page may take to show what the test
	// waits for; the page reads the API every few seconds.
	pageWaitMax = 10 * time.Second
	// viewportWidthPixels is the width the dashboard is laid out for.
	viewportWidthPixels  = 1280
	viewportHeightPixels = 900
	// dashboardBytesMax is the most the page and its files may weigh
	// together: "fast on a slow laptop, no page over a few hundred
	// kilobytes".
	dashboardBytesMax = 300 << 10
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
	token        string            // a bearer token; "" sends none
	body         any               // sent as JSON unless nil; a []byte is sent as it is
	header       map[string]string // extra headers
	want         int               // expected status; zero means 200
}

// do sends c to the node and returns the status and the body.
func do(tb testing.TB, n *node, c call) (int, []byte) {
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
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
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
	return resp.StatusCode, data
}

// mustCall sends c to the node and decodes the reply; a status other than
// c.want fails the test.
func mustCall[T any](tb testing.TB, n *node, c call) T {
	tb.Helper()
	status, data := do(tb, n, c)
	want := c.want
	if want == 0 {
		want = http.StatusOK
	}
	if status != want {
		tb.Fatalf("%s %s: got %d: %s, want %d", c.method, c.path, status, data, want)
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
	Rate      string `json:"rate"`
	ValueDate string `json:"value_date"`
	Deadline  string `json:"deadline"`
	CreatedAt string `json:"created_at"`
	Purpose   string `json:"purpose"`
	Creditor  struct {
		Name string `json:"name"`
	} `json:"creditor"`
	Events []struct {
		At     string `json:"at"`
		Event  string `json:"event"`
		By     string `json:"by"`
		Reason string `json:"reason"`
	} `json:"events"`
}

// The test network: two Russian banks send roubles; two Iranian banks
// receive rials; an American bank receives dollars (the United States
// have no business calendar in Astara, so its payments have no value
// date); one FX provider converts.
const (
	senderID   = "VOLGRUMM" // a net debit cap of 350,000.00 RUB
	neva       = "NEVARUMM" // a net debit cap of 100,000.00 RUB
	receiverID = "CASPIRTH"
	zagros     = "ZAGRIRTH"
	hudson     = "HUDSUS33"
	fxID       = "FXPRRUMM"
)

// bankNames are the banks' names as the test creates them.
var bankNames = map[string]string{senderID: "Volga Commercial Bank", neva: "Neva Savings Bank", receiverID: "Caspian Bank of Tehran",
	zagros: "Zagros Bank", hudson: "Hudson Trade Bank", fxID: "Astara FX Liquidity"}

// mustSetUpNetwork creates the participants, funds the FX provider, sets
// the rates and opens the corridors, over the API as an operator would,
// and returns each bank's key.
func mustSetUpNetwork(tb testing.TB, n *node) map[string]string {
	tb.Helper()
	keys := map[string]string{}
	create := func(id, country string, currencies []string, cap map[string]string, roles ...string) participant {
		body := map[string]any{"id": id, "name": bankNames[id], "country": country, "currencies": currencies}
		if cap != nil {
			body["net_debit_cap"] = cap
		}
		if roles != nil {
			body["roles"] = roles
		}
		p := mustCall[participant](tb, n, call{method: "POST", path: "/v1/participants", token: operatorToken, body: body, want: http.StatusCreated})
		keys[id] = p.APIKey
		return p
	}
	create(senderID, "RU", []string{"RUB"}, map[string]string{"RUB": "350000.00"})
	create(neva, "RU", []string{"RUB"}, map[string]string{"RUB": "100000.00"})
	create(receiverID, "IR", []string{"IRR"}, nil)
	create(zagros, "IR", []string{"IRR"}, nil)
	create(hudson, "US", []string{"USD"}, nil)
	fx := create(fxID, "RU", []string{"RUB", "IRR", "USD"}, nil, "fx_provider")
	var transfers []map[string]any
	for cur, amount := range map[string]string{"IRR": "900000000000000", "USD": "10000000.00"} {
		a := fx.Accounts[cur]
		transfers = append(transfers, map[string]any{"id": ledger.NewRandomID().String(), "debit_account_id": a.Settlement,
			"credit_account_id": a.Position, "amount": amount, "currency": cur, "code": 10})
	}
	funded := mustCall[struct {
		Results []struct {
			Result string `json:"result"`
		} `json:"results"`
	}](tb, n, call{method: "POST", path: "/v1/ledger/transfers", token: operatorToken, body: map[string]any{"transfers": transfers}})
	for _, r := range funded.Results {
		if r.Result != "ok" {
			tb.Fatalf("fund the FX provider: got %+v, want every transfer ok", funded.Results)
		}
	}
	for quote, rate := range map[string]string{"IRR": "7286.05", "USD": "0.01085"} {
		mustCall[json.RawMessage](tb, n, call{method: "POST", path: "/v1/rates", token: operatorToken,
			body: map[string]string{"base": "RUB", "quote": quote, "rate": rate, "source": "manual"}, want: http.StatusCreated})
		mustCall[json.RawMessage](tb, n, call{method: "PUT", path: "/v1/corridors/RUB-" + quote, token: operatorToken, body: map[string]any{"fx_provider": fxID}})
	}
	return keys
}

// mustFund moves amount from a bank's settlement account to its position
// in a currency, as an operator funds a bank.
func mustFund(tb testing.TB, n *node, id, currency, amount string) {
	tb.Helper()
	list := mustCall[struct {
		Participants []struct {
			ID       string `json:"id"`
			Accounts map[string]struct {
				Position   string `json:"position"`
				Settlement string `json:"settlement"`
			} `json:"accounts"`
		} `json:"participants"`
	}](tb, n, call{method: "GET", path: "/v1/participants", token: operatorToken})
	for _, p := range list.Participants {
		if a, ok := p.Accounts[currency]; ok && p.ID == id {
			res := mustCall[struct {
				Results []struct {
					Result string `json:"result"`
				} `json:"results"`
			}](tb, n, call{method: "POST", path: "/v1/ledger/transfers", token: operatorToken, body: map[string]any{"transfers": []map[string]any{{
				"id": ledger.NewRandomID().String(), "debit_account_id": a.Settlement, "credit_account_id": a.Position,
				"amount": amount, "currency": currency, "code": 10}}}})
			if len(res.Results) != 1 || res.Results[0].Result != "ok" {
				tb.Fatalf("fund %s with %s %s: got %+v", id, amount, currency, res.Results)
			}
			return
		}
	}
	tb.Fatalf("fund %s: no %s account", id, currency)
}

// creditorAccounts are an account at a bank of each receiving country.
var creditorAccounts = map[string]string{"IRR": "IR440960000000100324200001", "USD": "000123456789"}

// mustPay quotes and sends amount roubles from a bank's key to the
// creditor named creditor at receiver, in its currency, and returns the
// payment, which must have the status want.
func mustPay(tb testing.TB, n *node, key, receiver, currency, amount, creditor, want string) payment {
	tb.Helper()
	q := mustCall[struct {
		ID string `json:"id"`
	}](tb, n, call{method: "POST", path: "/v1/quotes", token: key, want: http.StatusCreated,
		body: map[string]string{"receiving_participant": receiver, "source_currency": "RUB", "target_currency": currency, "source_amount": amount}})
	p := mustCall[payment](tb, n, call{method: "POST", path: "/v1/payments", token: key, want: http.StatusCreated,
		header: map[string]string{"Idempotency-Key": q.ID},
		body: map[string]any{"quote_id": q.ID, "purpose": "TRAD", "remittance_information": "Invoice 1042",
			"debtor":   map[string]string{"name": "Ivan Petrov", "account": "40817810899910004312", "bank_code": "044525225"},
			"creditor": map[string]string{"name": creditor, "account": creditorAccounts[currency]}}})
	if p.Status != want {
		tb.Fatalf("payment of %s RUB to %s at %s: status %q, want %s", amount, creditor, receiver, p.Status, want)
	}
	return p
}

// mustSendPaymentTo sends amount roubles from the sender's key to the
// creditor named creditor at the Iranian receiver; the payment must have
// the status want.
func mustSendPaymentTo(tb testing.TB, n *node, senderKey, amount, creditor, want string) payment {
	tb.Helper()
	return mustPay(tb, n, senderKey, receiverID, "IRR", amount, creditor, want)
}

// mustPayment reads a payment with a token.
func mustPayment(tb testing.TB, n *node, token, uetr string) payment {
	tb.Helper()
	return mustCall[payment](tb, n, call{method: "GET", path: "/v1/payments/" + uetr, token: token})
}

// groupDigits writes an exact decimal with a comma between each group of
// three digits of its whole part, as the dashboard shows amounts.
func groupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
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
	return sign + b.String()
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

// eval evaluates a JavaScript expression in the page and returns its value.
func eval[T any](tb testing.TB, ctx context.Context, expression string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// pageSummary is what a failed wait prints of the page.
const pageSummaryJS = `(() => {
	const shown = Array.from(document.querySelectorAll(".page")).filter((p) => !p.hidden).map((p) => p.id);
	const messages = Array.from(document.querySelectorAll(".message")).map((m) => m.id + ": " + m.textContent).filter((t) => !t.endsWith(": "));
	return "hash " + location.hash + "; status " + document.getElementById("status").textContent + "; pages " + shown.join(",") + "; messages " + messages.join(" | ");
})()`

// mustWaitFor waits until the JavaScript expression is true in the page,
// and fails the test with what the page shows if it does not become true
// within pageWaitMax.
func mustWaitFor(tb testing.TB, ctx context.Context, what, expression string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(pageWaitMax))); err != nil {
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageSummaryJS))
		tb.Fatalf("wait until %s: %v; the page shows %s", what, err, summary)
	}
}

// mustDo runs browser actions, failing the test with what for a name.
func mustDo(tb testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageSummaryJS))
		tb.Fatalf("%s: %v; the page shows %s", what, err, summary)
	}
}

// goTo shows a page of the dashboard by its address and waits until it has
// read the API.
func goTo(tb testing.TB, ctx context.Context, hash, ready string) {
	tb.Helper()
	mustDo(tb, ctx, "go to "+hash, chromedp.Evaluate[chromedp.Void](`location.hash = `+strconv.Quote(hash)))
	mustWaitFor(tb, ctx, hash+" is shown", ready)
}

// mustScreenshot takes a PNG of the whole page, checks it is one, writes
// it to the test's temp directory and, when EnvScreenshotDir is set,
// copies it there.
func mustScreenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	mustDo(tb, ctx, "scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		tb.Fatalf("the screenshot (%d bytes) is not a PNG: %v", len(img), err)
	}
	if cfg.Width < viewportWidthPixels/2 || cfg.Height < viewportHeightPixels/2 {
		tb.Errorf("the screenshot is %dx%d, want the whole page", cfg.Width, cfg.Height)
	}
	mustKeepScreenshot(tb, name, img)
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

// mustNewBrowser starts a browser (skipping the test without one) with the
// dashboard's viewport, and watches its console.
func mustNewBrowser(t *testing.T) (context.Context, func() []chromedp.ConsoleMessage) {
	t.Helper()
	ctx := browsertest.New(t)
	console := watchConsole(ctx)
	mustDo(t, ctx, "set the viewport", chromedp.EmulateViewport(viewportWidthPixels, viewportHeightPixels))
	return ctx, console
}

// mustCleanConsole fails the test for each error the page logged, but
// those the test provoked: expected says, of a message, whether it is one.
func mustCleanConsole(t *testing.T, console func() []chromedp.ConsoleMessage, expected func(m chromedp.ConsoleMessage) bool) {
	t.Helper()
	for _, m := range console() {
		if expected != nil && expected(m) {
			continue
		}
		t.Errorf("the page logged an error: %s (%s:%d)", m, m.URL, m.Line)
	}
}

// sessionCookie returns the browser's cookie for the node.
func sessionCookie(tb testing.TB, ctx context.Context, n *node) *network.Cookie {
	tb.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{n.URL + "/"}})
	if err != nil {
		tb.Fatalf("read the cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == astarahttp.SessionCookieName {
			return c
		}
	}
	return nil
}

// withCookie is a request header carrying a session cookie.
func withCookie(value string, more ...string) map[string]string {
	h := map[string]string{"Cookie": astarahttp.SessionCookieName + "=" + value}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return h
}

// rows reads a table's body, cell by cell, as text.
func rows(tb testing.TB, ctx context.Context, selector string) [][]string {
	tb.Helper()
	return eval[[][]string](tb, ctx, `Array.from(document.querySelectorAll(`+strconv.Quote(selector)+`), (tr) => Array.from(tr.cells, (td) => td.textContent))`)
}

// texts reads the text of every element a selector finds.
func texts(tb testing.TB, ctx context.Context, selector string) []string {
	tb.Helper()
	return eval[[]string](tb, ctx, `Array.from(document.querySelectorAll(`+strconv.Quote(selector)+`), (e) => e.textContent)`)
}

// attrs reads an attribute of every element a selector finds.
func attrs(tb testing.TB, ctx context.Context, selector, attr string) []string {
	tb.Helper()
	return eval[[]string](tb, ctx, `Array.from(document.querySelectorAll(`+strconv.Quote(selector)+`), (e) => e.getAttribute(`+strconv.Quote(attr)+`) || "")`)
}

// text reads the text of the first element a selector finds ("" if none).
func text(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	return eval[string](tb, ctx, `(document.querySelector(`+strconv.Quote(selector)+`) || {textContent: ""}).textContent`)
}

// confirm clicks a button that asks for a confirmation, checks the
// question, and answers yes.
func confirm(tb testing.TB, ctx context.Context, button, scope, question string) {
	tb.Helper()
	mustDo(tb, ctx, "click "+button, chromedp.Click(chromedp.CSS(button)))
	asked := text(tb, ctx, scope+" .confirm:not([hidden]) .question")
	if !strings.Contains(asked, question) {
		tb.Fatalf("after %s the page asks %q, want %q", button, asked, question)
	}
	mustDo(tb, ctx, "confirm "+button, chromedp.Click(chromedp.CSS(scope+" .confirm:not([hidden]) .confirmYes")))
}

// traffic is the part of GET /v1/traffic the overview shows.
type traffic struct {
	Payments    int            `json:"payments"`
	SLABreached int            `json:"sla_breached"`
	Statuses    map[string]int `json:"statuses"`
	Corridors   []struct {
		Corridor string `json:"corridor"`
		Currency string `json:"currency"`
		Payments int    `json:"payments"`
		Value    string `json:"value"`
	} `json:"corridors"`
}

// window is the part of a settlement window the page shows.
type window struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Payments  int    `json:"payments"`
	Gross     string `json:"gross"`
	Net       string `json:"net"`
	Currency  string `json:"currency"`
	Positions []struct {
		Participant string `json:"participant"`
		Net         string `json:"net"`
	} `json:"positions"`
	Instructions []struct {
		Payer  string `json:"payer"`
		Payee  string `json:"payee"`
		Amount string `json:"amount"`
	} `json:"instructions"`
}

// wantMatrix is the matrix of who owes whom the page draws from
// instructions: a row per payer, a column per payee, both by id.
func wantMatrix(instructions []struct {
	Payer  string `json:"payer"`
	Payee  string `json:"payee"`
	Amount string `json:"amount"`
}) [][]string {
	var payers, payees []string
	owed := map[[2]string]string{}
	for _, in := range instructions {
		if !slices.Contains(payers, in.Payer) {
			payers = append(payers, in.Payer)
		}
		if !slices.Contains(payees, in.Payee) {
			payees = append(payees, in.Payee)
		}
		owed[[2]string{in.Payer, in.Payee}] = in.Amount
	}
	sort.Strings(payers)
	sort.Strings(payees)
	var out [][]string
	for _, payer := range payers {
		row := []string{payer}
		for _, payee := range payees {
			if a, ok := owed[[2]string{payer, payee}]; ok {
				row = append(row, groupDigits(a))
			} else {
				row = append(row, "·")
			}
		}
		out = append(out, row)
	}
	return out
}

// permille is used/cap in tenths of a percent, exactly, as the page
// computes it from a position: used is the cap less what is available.
func permille(tb testing.TB, capText, available string) int {
	tb.Helper()
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			tb.Fatalf("not a decimal: %q", s)
		}
		return r
	}
	c := rat(capText)
	used := new(big.Rat).Sub(c, rat(available))
	if used.Sign() < 0 {
		used.SetInt64(0)
	}
	q := new(big.Rat).Quo(new(big.Rat).Mul(used, big.NewRat(1000, 1)), c)
	return int(new(big.Int).Quo(q.Num(), q.Denom()).Int64())
}

// TestDashboard drives the dashboard in a headless Chromium against a real
// node, as the switch's operator would: sign in with the token the demo
// puts in the URL, see the overview fill with traffic, find a payment by
// its UETR and open it, search by bank, status and amount, see each bank
// against its cap and give one a key and revoke it, close and settle a
// settlement window, edit a corridor, read the calendars, and sign out.
// Each page is photographed.
func TestDashboard(t *testing.T) {
	ctx, console := mustNewBrowser(t) // first: without a browser, skip before starting a node
	n := startNode(t)
	keys := mustSetUpNetwork(t, n)
	completed := mustSendPaymentTo(t, n, keys[senderID], "150000.00", "Ali Rezaei", "reserved")
	rejected := mustSendPaymentTo(t, n, keys[senderID], "25000.00", "Reza Karimi", "reserved")
	reserved := mustSendPaymentTo(t, n, keys[senderID], "100000.00", "Ali Rezaei", "reserved")
	nevas := mustSendPaymentTo(t, n, keys[neva], "80000.00", "Zahra Ahmadi", "reserved")
	dollars := mustPay(t, n, keys[senderID], hudson, "USD", "10000.00", "Hudson Imports LLC", "reserved")
	mustCall[payment](t, n, call{method: "POST", path: "/v1/payments/" + completed.UETR + "/accept", token: keys[receiverID]})
	mustCall[payment](t, n, call{method: "POST", path: "/v1/payments/" + rejected.UETR + "/reject", token: keys[receiverID], body: map[string]string{"reason": "AC01"}})
	completed = mustPayment(t, n, operatorToken, completed.UETR)
	if dollars.ValueDate != "" || reserved.ValueDate == "" {
		t.Fatalf("value dates: %q to the United States and %q to Iran, want none (no calendar) and one", dollars.ValueDate, reserved.ValueDate)
	}
	all := []payment{dollars, nevas, reserved, rejected, completed} // newest first
	var cookie string                                               // the session cookie's value, once signed in

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"SignsInWithTheTokenInTheURL", func(t *testing.T) {
			mustDo(t, ctx, "open the dashboard", chromedp.Navigate(n.URL+"/#token="+operatorToken))
			mustWaitFor(t, ctx, "the operator is signed in", `document.getElementById("who").textContent === "operator" && document.getElementById("status").textContent.startsWith("live")`)
			if href := eval[string](t, ctx, `location.href`); strings.Contains(href, operatorToken) || !strings.HasSuffix(href, "#/overview") {
				t.Errorf("location is %s, want the token gone and the overview shown", href)
			}
			if stored := eval[string](t, ctx, `JSON.stringify([sessionStorage, localStorage]) + document.cookie`); strings.Contains(stored, operatorToken) || strings.Contains(stored, astarahttp.SessionCookieName) {
				t.Errorf("the page's script can read %s, want neither the token nor the session cookie", stored)
			}
			c := sessionCookie(t, ctx, n)
			if c == nil || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Secure || c.Path != "/" {
				t.Fatalf("the session cookie: got %+v, want astara_session, HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", c)
			}
			cookie = c.Value
			for _, uri := range n.RequestURIs() {
				if strings.Contains(uri, operatorToken) {
					t.Errorf("the token reached the server in a URL: %s", uri)
				}
			}
		}},
		{"OverviewFillsWithTraffic", func(t *testing.T) {
			tr := mustCall[traffic](t, n, call{method: "GET", path: "/v1/traffic", token: operatorToken})
			if tr.Payments != 5 {
				t.Fatalf("the API counts %d payments in the last hour, want 5", tr.Payments)
			}
			mustWaitFor(t, ctx, "the overview shows the payments", `document.getElementById("ovPayments").textContent === "5" && document.querySelectorAll("#paymentsTable tbody tr").length === 5`)
			st := tr.Statuses
			tiles := texts(t, ctx, ".tiles b")
			want := []string{"5", strconv.Itoa(st["completed"]), strconv.Itoa(st["received"] + st["held"] + st["reserved"]),
				strconv.Itoa(st["rejected"] + st["returned"] + st["expired"]), "0", "balanced"}
			if !slices.Equal(tiles[:6], want) {
				t.Errorf("tiles: got %q, want %q", tiles[:6], want)
			}
			// The chart's bars add up to the traffic, and each corridor's
			// value is the API's exact sum, grouped.
			bars := eval[int](t, ctx, `Array.from(document.querySelectorAll("#ovPerMinute g.minute"), (g) => Number(g.dataset.payments)).reduce((a, b) => a + b, 0)`)
			rects := eval[int](t, ctx, `document.querySelectorAll("#ovPerMinute rect.bar").length`)
			if bars != 5 || rects < 1 {
				t.Errorf("payments per minute: the chart counts %d payments in %d bars, want 5", bars, rects)
			}
			for _, c := range tr.Corridors {
				got := text(t, ctx, `#ovValue .multiple[data-corridor="`+c.Corridor+`"] .value`)
				if want := groupDigits(c.Value) + " " + c.Currency; got != want {
					t.Errorf("value of %s: got %q, want %q", c.Corridor, got, want)
				}
			}
			if got := text(t, ctx, `#ovStatusLegend [data-status="completed"]`); got != "completed "+strconv.Itoa(st["completed"]) {
				t.Errorf("status legend: got %q", got)
			}
			// The last payments, newest first, with the API's amounts
			// grouped and "no calendar" where there is no value date.
			if got := attrs(t, ctx, "#paymentsTable tbody tr", "data-uetr"); !slices.Equal(got, uetrsOf(all)) {
				t.Errorf("last payments: got %v, want %v", got, uetrsOf(all))
			}
			for i, cells := range rows(t, ctx, "#paymentsTable tbody tr") {
				p := all[i]
				valueDate := p.ValueDate
				if valueDate == "" {
					valueDate = "no calendar (US)"
				}
				want := []string{groupDigits(p.SourceAmount) + " " + p.SourceCurrency, groupDigits(p.Fee.Amount) + " " + p.Fee.Currency,
					groupDigits(p.TargetAmount) + " " + p.TargetCurrency, valueDate}
				if got := []string{cells[3], cells[4], cells[5], cells[7]}; !slices.Equal(got, want) {
					t.Errorf("payment %d: sent, fee, received, value date: got %q, want %q", i, got, want)
				}
				if !strings.HasPrefix(cells[0], utcSeconds(t, p.CreatedAt)) || !strings.Contains(cells[0], "Moscow") {
					t.Errorf("payment %d: created %q, want %s and the sending bank's time in Moscow", i, cells[0], utcSeconds(t, p.CreatedAt))
				}
				if wantParties := bankNames[p.SendingParticipant] + " → " + bankNames[p.ReceivingParticipant]; !strings.HasPrefix(cells[2], wantParties) {
					t.Errorf("payment %d: parties %q, want the banks' names, %s", i, cells[2], wantParties)
				}
			}
			if got := texts(t, ctx, "#paymentsTable tbody tr .status"); got[3] != "rejected (AC01)" {
				t.Errorf("statuses: got %q, want the rejection with its reason", got)
			}
			// Each bank against its cap: Neva Bank is red, Volga amber.
			positions := mustCall[struct {
				Participants []struct {
					Participant string `json:"participant"`
					Positions   []struct {
						Currency    string `json:"currency"`
						Available   string `json:"available"`
						NetDebitCap string `json:"net_debit_cap"`
					} `json:"positions"`
				} `json:"participants"`
			}](t, n, call{method: "GET", path: "/v1/participants/positions", token: operatorToken})
			levels := map[string]string{}
			for _, p := range positions.Participants {
				for _, pos := range p.Positions {
					if pos.NetDebitCap == "0.00" || pos.NetDebitCap == "0" {
						continue
					}
					pm := permille(t, pos.NetDebitCap, pos.Available)
					got := eval[[]string](t, ctx, `(() => { const e = document.querySelector('#ovCaps .cap[data-bank="`+p.Participant+`"]'); return e ? [e.className, e.dataset.permille] : []; })()`)
					if len(got) != 2 || got[1] != strconv.Itoa(pm) {
						t.Errorf("%s's cap: the page shows %q, want %d‰ used", p.Participant, got, pm)
						continue
					}
					levels[p.Participant] = got[0]
				}
			}
			if levels[neva] != "cap red" || levels[senderID] != "cap amber" {
				t.Errorf("cap bars: got %q, want Neva Bank red (95%%) and Volga Commercial Bank amber", levels)
			}
			if got := attrs(t, ctx, "#ovWindows tbody tr", "data-window"); len(got) != 3 || !slices.Contains(got, "RUB-000001") || !slices.Contains(got, "IRR-000001") || !slices.Contains(got, "USD-000001") {
				t.Errorf("open windows: got %q, want one per currency: IRR, RUB and USD", got)
			}
			// Live: a payment made while the page is open shows up by itself.
			live := mustSendPaymentTo(t, n, keys[senderID], "1000.00", "Ali Rezaei", "reserved")
			all = append([]payment{live}, all...)
			mustWaitFor(t, ctx, "the new payment shows", `document.getElementById("ovPayments").textContent === "6" && document.querySelector("#paymentsTable tbody tr").dataset.uetr === "`+live.UETR+`"`)
			mustScreenshot(t, ctx, "dashboard-overview.png")
		}},
		{"FindsAPaymentByUETRAndOpensIt", func(t *testing.T) {
			goTo(t, ctx, "#/payments", `document.querySelectorAll("#psTable tbody tr").length === `+strconv.Itoa(len(all)))
			mustDo(t, ctx, "search for the UETR",
				chromedp.SendKeys(chromedp.ID("psUETR"), strings.ToUpper(completed.UETR)),
				chromedp.Click(chromedp.ID("psSubmit")))
			mustWaitFor(t, ctx, "the payment's page shows", `location.hash === "#/payments/`+completed.UETR+`" && document.getElementById("payUETR").textContent === "`+completed.UETR+`" && document.querySelectorAll("#payTransfers tbody tr").length > 0 && document.querySelectorAll("#payMessages details").length > 0`)
			// The timeline: each event, who, when.
			timeline := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("#payTimeline li"), (li) => [li.dataset.event, li.querySelector(".by").textContent, li.querySelector(".at .utc").textContent])`)
			if len(timeline) != len(completed.Events) {
				t.Fatalf("timeline: got %d events, want %d: %q", len(timeline), len(completed.Events), timeline)
			}
			for i, e := range completed.Events {
				who := e.By
				if name, ok := bankNames[e.By]; ok {
					who = name + " (" + e.By + ")"
				}
				if want := []string{e.Event, "by " + who, utcSeconds(t, e.At)}; !slices.Equal(timeline[i], want) {
					t.Errorf("event %d: got %q, want %q", i, timeline[i], want)
				}
			}
			// The quote, value date and deadline.
			quote := map[string]string{}
			for _, kv := range eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("#payQuote dd"), (dd) => [dd.dataset.key, dd.textContent])`) {
				quote[kv[0]] = kv[1]
			}
			if !strings.HasPrefix(quote["rate"], "7,286.05 IRR per RUB") || quote["value date"] != completed.ValueDate ||
				!strings.HasPrefix(quote["deadline"], utcSeconds(t, completed.Deadline)) || !strings.Contains(quote["deadline"], "Tehran") ||
				quote["sent"] != "150,000.00 RUB" || quote["fee"] != groupDigits(completed.Fee.Amount)+" RUB" || quote["debited in all"] != "165,000.00 RUB" {
				t.Errorf("quote: got %q, want the rate, the value date %s and the deadline %s in UTC and Tehran, the amounts", quote, completed.ValueDate, completed.Deadline)
			}
			// The ledger transfers, as the API has them.
			transfers := mustCall[struct {
				Transfers []struct {
					ID     string `json:"id"`
					Leg    string `json:"leg"`
					State  string `json:"state"`
					Amount string `json:"amount"`
				} `json:"transfers"`
			}](t, n, call{method: "GET", path: "/v1/payments/" + completed.UETR + "/transfers", token: operatorToken})
			var want [][]string
			for _, x := range transfers.Transfers {
				state := x.State
				if state == "" {
					state = "–"
				}
				want = append(want, []string{x.ID, x.Leg, state})
			}
			got := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("#payTransfers tbody tr"), (tr) => [tr.dataset.transfer, tr.querySelector(".leg").textContent, tr.querySelector(".state").textContent])`)
			if len(want) != 6 || !reflect.DeepEqual(got, want) {
				t.Errorf("ledger transfers:\n got %q\nwant %q (three legs posted, three posts)", got, want)
			}
			if debit := text(t, ctx, "#payTransfers tbody tr td:nth-child(3)"); !strings.HasPrefix(debit, bankNames[senderID]+" · position") {
				t.Errorf("the first leg's debit: got %q, want the sending bank's position by name", debit)
			}
			// The ISO 20022 messages, as the banks get them.
			messages := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("#payMessages details"), (d) => [d.dataset.message, d.dataset.participant, d.querySelector("pre").textContent])`)
			if len(messages) != 5 {
				t.Fatalf("messages: got %d, want 5 (pacs.008, two pacs.002, two camt.054)", len(messages))
			}
			_, pacs008 := do(t, n, call{method: "GET", path: "/iso20022/pacs.008/" + completed.UETR, token: keys[receiverID]})
			if messages[0][0] != "pacs.008" || messages[0][1] != receiverID || messages[0][2] != string(pacs008) {
				t.Errorf("the first message: got %s to %s, want the pacs.008 the receiving bank reads", messages[0][0], messages[0][1])
			}
			mustScreenshot(t, ctx, "dashboard-payment.png")
		}},
		{"SearchesByBankStatusAndAmount", func(t *testing.T) {
			goTo(t, ctx, "#/payments", `document.querySelectorAll("#psTable tbody tr").length === `+strconv.Itoa(len(all)))
			search := func(t *testing.T, query string, fill ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				mustDo(t, ctx, "clear the search", chromedp.Click(chromedp.ID("psClear")))
				// Clearing loads the page again, which fills the form from
				// the address when its data has come: after that, not
				// before, or what is typed now is overwritten.
				mustWaitFor(t, ctx, "the form shows no search", `document.getElementById("paymentSearch").dataset.shown === ""`)
				mustDo(t, ctx, "fill the search", fill...)
				mustDo(t, ctx, "search", chromedp.Click(chromedp.ID("psSubmit")))
				page := mustCall[struct {
					Payments []payment `json:"payments"`
				}](t, n, call{method: "GET", path: "/v1/payments/search?" + query, token: operatorToken})
				want := uetrsOf(page.Payments)
				mustWaitFor(t, ctx, "the search shows "+query, `JSON.stringify(Array.from(document.querySelectorAll("#psTable tbody tr"), (tr) => tr.dataset.uetr)) === `+strconv.Quote(mustJSON(t, want)))
				if len(want) == 0 {
					t.Fatalf("the API finds nothing for %s", query)
				}
			}
			search(t, "participant="+neva+"&status=reserved", chromedp.SetValue(chromedp.ID("psBank"), neva), chromedp.SetValue(chromedp.ID("psStatus"), "reserved"))
			search(t, "currency=RUB&amount_min=90000&amount_max=160000.00", chromedp.SetValue(chromedp.ID("psCurrency"), "RUB"),
				chromedp.SendKeys(chromedp.ID("psMin"), "90000"), chromedp.SendKeys(chromedp.ID("psMax"), "160000.00"))
			if h := eval[string](t, ctx, `location.hash`); h != "#/payments?currency=RUB&amount_min=90000&amount_max=160000.00" {
				t.Errorf("the search's address: got %s, want one that can be linked to", h)
			}
			mustScreenshot(t, ctx, "dashboard-payments.png")
			// A person who types right after Clear, before the reload it
			// starts has come back, keeps what they typed: the click and
			// the typing run in one go, ahead of the reload.
			const fields = `[document.getElementById("psCurrency").value, document.getElementById("psMin").value, document.getElementById("psMax").value]`
			mustDo(t, ctx, "clear and type at once", chromedp.Evaluate[chromedp.Void](`document.getElementById("psClear").click();
				document.getElementById("psCurrency").value = "RUB";
				document.getElementById("psMin").value = "90000";
				document.getElementById("psMax").value = "160000.00";`))
			mustWaitFor(t, ctx, "the reload after Clear", `document.getElementById("paymentSearch").dataset.shown === ""`)
			if got := eval[[]string](t, ctx, fields); !reflect.DeepEqual(got, []string{"RUB", "90000", "160000.00"}) {
				t.Errorf("typed right after Clear: the form holds %q after the reload, want what was typed", got)
			}
			mustDo(t, ctx, "search what was typed", chromedp.Click(chromedp.ID("psSubmit")))
			mustWaitFor(t, ctx, "the typed search's address", `location.hash === "#/payments?currency=RUB&amount_min=90000&amount_max=160000.00"`)
			mustDo(t, ctx, "search with a grouped amount", chromedp.SetValue(chromedp.ID("psMin"), "1,000"), chromedp.Click(chromedp.ID("psSubmit")))
			if msg := text(t, ctx, "#psMessage"); !strings.HasPrefix(msg, "amount from: digits with an optional decimal part") {
				t.Errorf("a grouped amount: the page says %q, want the field and the rule", msg)
			}
			if cls := eval[string](t, ctx, `document.getElementById("psMin").className`); !strings.Contains(cls, "invalid") {
				t.Errorf("the amount field's class is %q, want it marked invalid", cls)
			}
		}},
		{"ShowsEachBankAgainstItsCapAndManagesItsKeys", func(t *testing.T) {
			goTo(t, ctx, "#/banks", `document.querySelectorAll("#banks section.bank").length === 6`)
			classes := eval[map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll("#banks section.bank"), (s) => [s.dataset.bank, (s.querySelector(".caps .cap") || {className: ""}).className]))`)
			if classes[neva] != "cap red" || classes[senderID] != "cap amber" || classes[receiverID] != "" {
				t.Errorf("cap bars: got %q, want Neva red, Volga amber, no bar for Caspian, which has no cap", classes)
			}
			card := `#banks section.bank[data-bank="` + receiverID + `"]`
			mustDo(t, ctx, "create a key", chromedp.Click(chromedp.CSS(card+" .createKey")))
			mustWaitFor(t, ctx, "the new key shows", `!!document.querySelector('`+card+` .apiKey')`)
			key := text(t, ctx, card+" .apiKey")
			if status, body := do(t, n, call{method: "GET", path: "/v1/positions", token: key}); status != http.StatusOK {
				t.Fatalf("the key the page shows: got %d %s, want it to work", status, body)
			}
			mustScreenshot(t, ctx, "dashboard-banks.png")
			keyID := strings.Split(key, "_")[1]
			confirm(t, ctx, card+` tr[data-key="`+keyID+`"] button`, card, "Revoke key "+keyID+" of "+bankNames[receiverID]+"?")
			mustWaitFor(t, ctx, "the key is revoked", `document.querySelector('`+card+` .keyMessage').textContent.startsWith("Revoked key `+keyID+`")`)
			if status, _ := do(t, n, call{method: "GET", path: "/v1/positions", token: key}); status != http.StatusUnauthorized {
				t.Errorf("the revoked key: got %d, want 401", status)
			}
		}},
		{"ClosesAndSettlesAWindowWithConfirmation", func(t *testing.T) {
			card := `#windowsOpen section.window[data-window="RUB-000001"]`
			goTo(t, ctx, "#/settlement", `!!document.querySelector('`+card+`')`)
			open := mustCall[window](t, n, call{method: "GET", path: "/v1/settlement/windows/RUB-000001", token: operatorToken})
			if got := texts(t, ctx, card+" .stats b"); got[0] != strconv.Itoa(open.Payments) || got[1] != groupDigits(open.Gross)+" RUB" || got[2] != groupDigits(open.Net)+" RUB" {
				t.Errorf("the open window: got %q, want %d payments, gross %s, net %s", got, open.Payments, open.Gross, open.Net)
			}
			projected := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll('`+card+` table.matrix tbody tr'), (tr) => Array.from(tr.cells, (c) => c.textContent))`)
			confirm(t, ctx, card+" .closeWindow", card, "Close RUB-000001? Its "+strconv.Itoa(open.Payments)+" payment")
			closedCard := `#windowsClosed section.window[data-window="RUB-000001"][data-status="closed"]`
			mustWaitFor(t, ctx, "the window is closed", `!!document.querySelector('`+closedCard+`') && document.getElementById("setMessage").textContent.startsWith("Closed RUB-000001")`)
			closed := mustCall[window](t, n, call{method: "GET", path: "/v1/settlement/windows/RUB-000001", token: operatorToken})
			if closed.Status != "closed" || len(closed.Instructions) == 0 {
				t.Fatalf("the API reports RUB-000001 %s with %d instructions, want closed with some", closed.Status, len(closed.Instructions))
			}
			matrix := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll('`+closedCard+` table.matrix tbody tr'), (tr) => Array.from(tr.cells, (c) => c.textContent))`)
			if want := wantMatrix(closed.Instructions); !reflect.DeepEqual(matrix, want) || !reflect.DeepEqual(projected, want) {
				t.Errorf("who owes whom:\n got %q (projected while open: %q)\nwant %q", matrix, projected, want)
			}
			mustDo(t, ctx, "download the CSV", chromedp.Click(chromedp.CSS(closedCard+" .csv")))
			deadline := time.Now().Add(pageWaitMax)
			for !slices.Contains(n.RequestURIs(), "/v1/settlement/windows/RUB-000001/instructions") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if !slices.Contains(n.RequestURIs(), "/v1/settlement/windows/RUB-000001/instructions") {
				t.Errorf("the CSV button asked nothing of the node")
			}
			mustScreenshot(t, ctx, "dashboard-settlement.png")
			confirm(t, ctx, closedCard+" .settleWindow", closedCard, "Settle RUB-000001? Confirm only once the settlement bank has executed its "+strconv.Itoa(len(closed.Instructions))+" instruction")
			mustWaitFor(t, ctx, "the window is settled", `!!document.querySelector('#windowsSettled tr[data-window="RUB-000001"]') && document.getElementById("setMessage").textContent.startsWith("Settled RUB-000001")`)
			if w := mustCall[window](t, n, call{method: "GET", path: "/v1/settlement/windows/RUB-000001", token: operatorToken}); w.Status != "settled" {
				t.Errorf("the API reports RUB-000001 %s, want settled", w.Status)
			}
		}},
		{"EditsACorridorWithValidation", func(t *testing.T) {
			goTo(t, ctx, "#/rates", `document.querySelectorAll("#ratesTable tbody tr").length === 2 && document.getElementById("cfCorridor").value === "RUB-IRR"`)
			if got := rows(t, ctx, `#ratesTable tbody tr[data-pair="RUB/IRR"]`); len(got) != 1 || got[0][1] != "7,286.05" || got[0][2] != "manual" || !strings.HasSuffix(got[0][4], " s") {
				t.Errorf("the RUB/IRR rate: got %q, want 7,286.05, manual, its age in seconds", got)
			}
			save := func(t *testing.T, id, value string) string {
				t.Helper()
				mustDo(t, ctx, "set "+id, chromedp.SetValue(chromedp.ID(id), value), chromedp.Evaluate[chromedp.Void](`document.getElementById("corridorMessage").textContent = ""`),
					chromedp.Click(chromedp.ID("cfSave")))
				mustWaitFor(t, ctx, "the corridor form answers", `document.getElementById("corridorMessage").textContent !== ""`)
				return text(t, ctx, "#corridorMessage")
			}
			if msg := save(t, "cfLimit", "20,000,000.00"); msg != "not saved: limit_per_payment must be an amount: digits with an optional decimal part, such as 20000000.00; no separators or signs." {
				t.Errorf("a grouped limit: the page says %q", msg)
			}
			if msg := save(t, "cfLimit", "20000000.00"); msg != "nothing changed" {
				t.Errorf("the limit as it was: the page says %q, want nothing changed", msg)
			}
			if msg := save(t, "cfSettlementDays", "99"); !strings.HasPrefix(msg, "not saved: settlement_days must be 0 to ") || !strings.HasSuffix(msg, "(settlement_days)") {
				t.Errorf("too many settlement days: the page says %q, want the server's rule naming the field", msg)
			}
			if cls := eval[string](t, ctx, `document.getElementById("cfSettlementDays").className`); !strings.Contains(cls, "invalid") {
				t.Errorf("the settlement days field's class is %q, want it marked invalid", cls)
			}
			mustDo(t, ctx, "set the settlement days back", chromedp.SetValue(chromedp.ID("cfSettlementDays"), "1"))
			if msg := save(t, "cfFeeMin", "20000.00"); msg != "saved RUB-IRR: fee changed." {
				t.Errorf("a new minimum fee: the page says %q", msg)
			}
			corridors := mustCall[struct {
				Corridors []struct {
					Corridor string `json:"corridor"`
					Fee      struct {
						Percent string `json:"percent"`
						Min     string `json:"min"`
					} `json:"fee"`
					SettlementDays int `json:"settlement_days"`
				} `json:"corridors"`
			}](t, n, call{method: "GET", path: "/v1/corridors", token: operatorToken})
			for _, c := range corridors.Corridors {
				if c.Corridor == "RUB-IRR" && (c.Fee.Min != "20000.00" || c.Fee.Percent != "1" || c.SettlementDays != 1) {
					t.Errorf("RUB-IRR after the edit: got %+v, want a minimum fee of 20000.00, the rest as it was", c)
				}
			}
			mustScreenshot(t, ctx, "dashboard-rates.png")
		}},
		{"ShowsTheCalendarsAndTheNextValueDates", func(t *testing.T) {
			goTo(t, ctx, "#/calendars", `document.querySelectorAll("#calendars section.calendar").length >= 2 && document.querySelectorAll("#valueDates tbody tr").length === 2`)
			overview := mustCall[struct {
				Corridors []struct {
					Corridor  string `json:"corridor"`
					ValueDate string `json:"value_date"`
				} `json:"corridors"`
			}](t, n, call{method: "GET", path: "/v1/calendars", token: operatorToken})
			got := map[string]string{}
			for _, r := range rows(t, ctx, "#valueDates tbody tr") {
				got[r[0]] = r[1]
			}
			for _, c := range overview.Corridors {
				want := c.ValueDate
				if c.Corridor == "RUB-USD" {
					want = "no calendar (US)"
				}
				if got[c.Corridor] != want {
					t.Errorf("value date of %s: got %q, want %q", c.Corridor, got[c.Corridor], want)
				}
			}
			now := time.Now().UTC()
			from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			to := from.AddDate(0, 2, -1)
			for _, country := range []string{"RU", "IR"} {
				listing := mustCall[struct {
					Days []struct {
						Date        string `json:"date"`
						BusinessDay bool   `json:"business_day"`
						Reason      string `json:"reason"`
						Name        string `json:"name"`
					} `json:"days"`
				}](t, n, call{method: "GET", path: "/v1/calendars/" + country + "?from=" + from.Format(time.DateOnly) + "&to=" + to.Format(time.DateOnly), token: operatorToken})
				var want []string
				for _, d := range listing.Days {
					if d.Name != "" || (!d.BusinessDay && d.Reason != "" && d.Reason != "weekend") {
						want = append(want, d.Date)
					}
				}
				if got := attrs(t, ctx, `#calendars section[data-country="`+country+`"] ul.holidays li`, "data-date"); !slices.Equal(got, want) {
					t.Errorf("%s's named days of this month and the next: got %v, want %v", country, got, want)
				}
				if days := eval[int](t, ctx, `document.querySelectorAll('#calendars section[data-country="`+country+`"] td[data-date]').length`); days != len(listing.Days) {
					t.Errorf("%s: the page shows %d days, want %d", country, days, len(listing.Days))
				}
			}
			if msg := text(t, ctx, "#noCalendars"); !strings.HasPrefix(msg, "US ("+bankNames[hudson]+")") {
				t.Errorf("countries without a calendar: the page says %q, want the United States and its bank", msg)
			}
			mustScreenshot(t, ctx, "dashboard-calendars.png")
		}},
		{"RefusesAChangeWithTheCookieButWithoutTheCSRFToken", func(t *testing.T) {
			status, body := do(t, n, call{method: "POST", path: "/v1/rates", header: withCookie(cookie),
				body: map[string]string{"base": "RUB", "quote": "IRR", "rate": "1.00"}})
			if status != http.StatusForbidden || !bytes.Contains(body, []byte(`"code":"csrf_token_invalid"`)) {
				t.Fatalf("a change with the cookie and no CSRF token: got %d %s, want 403 csrf_token_invalid", status, body)
			}
			rates := mustCall[struct {
				Rates []struct {
					Quote string `json:"quote"`
					Rate  string `json:"rate"`
				} `json:"rates"`
			}](t, n, call{method: "GET", path: "/v1/rates", header: withCookie(cookie)})
			for _, r := range rates.Rates {
				if r.Quote == "IRR" && r.Rate != "7286.05" {
					t.Errorf("after the refused change the RUB/IRR rate is %s, want 7286.05", r.Rate)
				}
			}
		}},
		{"SignsOut", func(t *testing.T) {
			mustDo(t, ctx, "sign out", chromedp.Click(chromedp.ID("signOut")))
			mustWaitFor(t, ctx, "the sign-in form shows", `!document.getElementById("login").hidden && document.getElementById("status").textContent === "signed out"`)
			if c := sessionCookie(t, ctx, n); c != nil {
				t.Errorf("after sign-out the browser keeps %+v, want the cookie gone", c)
			}
			if status, body := do(t, n, call{method: "GET", path: "/v1/ledger/totals", header: withCookie(cookie)}); status != http.StatusUnauthorized || !bytes.Contains(body, []byte("session_expired")) {
				t.Errorf("the old cookie after sign-out: got %d %s, want 401 session_expired", status, body)
			}
			if shown := eval[int](t, ctx, `Array.from(document.querySelectorAll(".page")).filter((p) => !p.hidden).length`); shown != 0 {
				t.Errorf("after sign-out %d pages are shown, want none", shown)
			}
			mustScreenshot(t, ctx, "dashboard-signed-out.png")
		}},
		{"SaysAWrongTokenWasRefused", func(t *testing.T) {
			mustDo(t, ctx, "type a wrong token", chromedp.SendKeys(chromedp.ID("token"), "not-the-operator-token"), chromedp.Click(chromedp.CSS("#tokenForm button")))
			mustWaitFor(t, ctx, "the refusal shows", `document.getElementById("status").textContent === "the token was refused" && document.getElementById("loginMessage").textContent === "the token was refused"`)
			if c := sessionCookie(t, ctx, n); c != nil {
				t.Errorf("a refused sign-in left a cookie: %+v", c)
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	// The test provokes two errors: the server's refusal of a corridor
	// setting, and the refused sign-in.
	mustCleanConsole(t, console, func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && (strings.HasSuffix(m.URL, "/v1/corridors/RUB-IRR") && strings.Contains(m.Text, "status of 400") ||
			strings.HasSuffix(m.URL, "/ui/session") && strings.Contains(m.Text, "status of 401"))
	})
}

// uetrsOf returns the payments' UETRs, in order.
func uetrsOf(ps []payment) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.UETR)
	}
	return out
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestDashboardParticipant drives the dashboard as a receiving bank signed
// in with its API key: it sees its own bank only, accepts one incoming
// payment and rejects another, and cannot see another bank's payment.
func TestDashboardParticipant(t *testing.T) {
	ctx, console := mustNewBrowser(t)
	n := startNode(t)
	keys := mustSetUpNetwork(t, n)
	toAccept := mustSendPaymentTo(t, n, keys[senderID], "120000.00", "Ali Rezaei", "reserved")
	toReject := mustSendPaymentTo(t, n, keys[neva], "30000.00", "Reza Karimi", "reserved")
	others := mustPay(t, n, keys[senderID], zagros, "IRR", "40000.00", "Zahra Ahmadi", "reserved")
	mine := []string{toReject.UETR, toAccept.UETR} // newest first
	caspianName := bankNames[receiverID]

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"SignsInWithItsKey", func(t *testing.T) {
			mustDo(t, ctx, "open the dashboard", chromedp.Navigate(n.URL+"/"))
			mustWaitFor(t, ctx, "the sign-in form shows", `!document.getElementById("login").hidden`)
			mustDo(t, ctx, "sign in with the key", chromedp.SendKeys(chromedp.ID("token"), keys[receiverID]), chromedp.Click(chromedp.CSS("#tokenForm button")))
			mustWaitFor(t, ctx, "the bank is signed in", `document.getElementById("who").textContent === "`+caspianName+` · `+receiverID+`" && document.getElementById("ovPayments").textContent === "2"`)
			nav := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#nav a"), (a) => a.hidden ? "" : a.textContent).filter(Boolean)`)
			if want := []string{"Overview", "Payments", "My bank", "Settlement", "Rates & corridors", "Calendars", "Trade"}; !slices.Equal(nav, want) {
				t.Errorf("navigation: got %q, want %q", nav, want)
			}
			if got := attrs(t, ctx, "#paymentsTable tbody tr", "data-uetr"); !slices.Equal(got, mine) {
				t.Errorf("last payments: got %v, want its own two, %v", got, mine)
			}
			if c := sessionCookie(t, ctx, n); c == nil || !c.HTTPOnly {
				t.Errorf("session cookie: got %+v, want an HttpOnly one", c)
			}
			mustScreenshot(t, ctx, "dashboard-bank-overview.png")
		}},
		{"AcceptsAndRejectsIncomingPayments", func(t *testing.T) {
			goTo(t, ctx, "#/payments", `document.querySelectorAll("#incoming article").length === 2 && document.querySelectorAll("#psTable tbody tr").length === 2`)
			if got := attrs(t, ctx, "#incoming article", "data-uetr"); !slices.Equal(got, []string{toAccept.UETR, toReject.UETR}) {
				t.Errorf("waiting for an answer: got %v, want the two to it, oldest first", got)
			}
			mustScreenshot(t, ctx, "dashboard-bank-payments.png")
			card := `#incoming article[data-uetr="` + toAccept.UETR + `"]`
			confirm(t, ctx, card+" button.accept", card, "Credit Ali Rezaei with "+groupDigits(toAccept.TargetAmount)+" IRR and complete the payment?")
			mustWaitFor(t, ctx, "the payment is accepted", `!document.querySelector('`+card+`') && document.getElementById("incomingMessage").textContent === "Accepted payment `+toAccept.UETR+`: now completed."`)
			card = `#incoming article[data-uetr="` + toReject.UETR + `"]`
			mustDo(t, ctx, "choose the reason", chromedp.SetValue(chromedp.CSS(card+" select.reason"), "AC04"))
			confirm(t, ctx, card+" button.reject", card, "Reject this payment (AC04) and release its reservation of 30,000.00 RUB?")
			mustWaitFor(t, ctx, "the payment is rejected", `!document.querySelector('`+card+`') && document.getElementById("incomingMessage").textContent === "Rejected payment `+toReject.UETR+`: now rejected (AC04)."`)
			if p := mustPayment(t, n, operatorToken, toAccept.UETR); p.Status != "completed" || p.Events[len(p.Events)-1].By != receiverID {
				t.Errorf("after Accept the API reports %s by %s, want completed by %s", p.Status, p.Events[len(p.Events)-1].By, receiverID)
			}
			if p := mustPayment(t, n, operatorToken, toReject.UETR); p.Status != "rejected" || p.Reason != "AC04" {
				t.Errorf("after Reject the API reports %s (%s), want rejected (AC04)", p.Status, p.Reason)
			}
			mustWaitFor(t, ctx, "nothing waits", `!document.getElementById("incomingEmpty").hidden`)
		}},
		{"DoesNotSeeAnotherBanksPayment", func(t *testing.T) {
			goTo(t, ctx, "#/payments/"+others.UETR, `document.getElementById("payMessage").textContent !== ""`)
			if msg := text(t, ctx, "#payMessage"); msg != "No payment "+others.UETR+" that "+caspianName+" sent or received." {
				t.Errorf("another bank's payment: the page says %q", msg)
			}
			if shown := eval[bool](t, ctx, `!document.getElementById("payCard").hidden || !document.getElementById("payDetails").hidden`); shown {
				t.Errorf("another bank's payment: its details are shown")
			}
			goTo(t, ctx, "#/payments?participant="+zagros, `document.querySelectorAll("#psTable tbody tr").length === 0 && document.getElementById("psMessage").textContent !== ""`)
			if body := eval[string](t, ctx, `document.body.innerText`); strings.Contains(body, others.UETR[:8]) {
				t.Errorf("the payments page shows another bank's payment")
			}
		}},
		{"SeesItsOwnBankOnly", func(t *testing.T) {
			goTo(t, ctx, "#/banks", `document.querySelectorAll("#banks section.bank").length === 1`)
			if got := attrs(t, ctx, "#banks section.bank", "data-bank"); !slices.Equal(got, []string{receiverID}) {
				t.Errorf("banks: got %v, want its own only", got)
			}
			mustScreenshot(t, ctx, "dashboard-bank.png")
			goTo(t, ctx, "#/settlement", `document.querySelectorAll("#windowsOpen section.window").length === 1`)
			if got := attrs(t, ctx, "#page-settlement tr[data-participant]", "data-participant"); len(got) == 0 || slices.ContainsFunc(got, func(p string) bool { return p != receiverID }) {
				t.Errorf("settlement positions: got %v, want its own only", got)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("#page-settlement .closeWindow, #page-settlement .settleWindow").length`); n != 0 {
				t.Errorf("a bank is offered %d close or settle buttons, want none", n)
			}
			mustScreenshot(t, ctx, "dashboard-bank-settlement.png")
			goTo(t, ctx, "#/screening", `!document.getElementById("page-overview").hidden`)
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	// Another bank's payment answers 404, once: the test asked for it.
	mustCleanConsole(t, console, func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.HasSuffix(m.URL, "/v1/payments/"+others.UETR) && strings.Contains(m.Text, "status of 404")
	})
}

// carrierID is the test's carrier: it reports the milestones of the
// shipments it carries and holds no currency.
const carrierID = "NSTCRUMM"

// corridorJSON is the part of GET /v1/trade/corridor the map draws.
type corridorJSON struct {
	Nodes []struct {
		ID      string  `json:"id"`
		Name    string  `json:"name"`
		Country string  `json:"country"`
		Kind    string  `json:"kind"`
		Lat     float64 `json:"lat"`
		Lon     float64 `json:"lon"`
		Source  string  `json:"source"`
	} `json:"nodes"`
	Legs []struct {
		ID          string `json:"id"`
		From        string `json:"from"`
		To          string `json:"to"`
		Mode        string `json:"mode"`
		DistanceKM  int    `json:"distance_km"`
		GaugeChange bool   `json:"gauge_change"`
		Planned     bool   `json:"planned"`
		Source      string `json:"source"`
	} `json:"legs"`
	Routes []struct {
		ID   string   `json:"id"`
		Name string   `json:"name"`
		Legs []string `json:"legs"`
	} `json:"routes"`
}

// planJSON is a route's plan, as a shipment and the comparison carry it.
type planJSON struct {
	Route        string `json:"route"`
	DistanceKM   int    `json:"distance_km"`
	TransitHours int    `json:"transit_hours"`
	TransitDays  int    `json:"transit_days"`
	ETA          string `json:"eta"`
	Milestones   []struct {
		Milestone  string `json:"milestone"`
		Node       string `json:"node"`
		ExpectedAt string `json:"expected_at"`
		ReportedAt string `json:"reported_at"`
	} `json:"milestones"`
}

// shipmentJSON is the part of a shipment the page shows.
type shipmentJSON struct {
	Ref      string `json:"ref"`
	Carrier  string `json:"carrier"`
	Route    string `json:"route"`
	Reported []struct {
		Milestone string `json:"milestone"`
		Node      string `json:"node"`
		At        string `json:"at"`
	} `json:"reported"`
	Plan     *planJSON `json:"plan"`
	Payments []struct {
		UETR         string `json:"uetr"`
		Status       string `json:"status"`
		SourceAmount *struct {
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
		} `json:"source_amount"`
		Released *struct {
			SourceAmount string `json:"source_amount"`
			TargetAmount string `json:"target_amount"`
		} `json:"released"`
	} `json:"payments"`
}

// mustShipment reads a shipment with a token.
func mustShipment(tb testing.TB, n *node, token, ref string) shipmentJSON {
	tb.Helper()
	return mustCall[shipmentJSON](tb, n, call{method: "GET", path: "/v1/shipments/" + ref, token: token})
}

// TestDashboardTrade drives the console's trade page in a headless
// Chromium: a carrier, a trade payment that releases 30% on loading and
// the rest on arrival, and the carrier's report that the goods are
// loaded. The map has an element per node and per leg of the corridor,
// each named, with the sea route through Suez behind a checkbox; the
// shipment is placed where it was loaded, with its milestones, its ETA
// and the payment's released amount as the API has them; the comparison
// gives the API's figures; the loop reads the shipments alone; the
// carrier sees its shipment without the payment's amounts.
func TestDashboardTrade(t *testing.T) {
	ctx, console := mustNewBrowser(t)
	n := startNode(t)
	keys := mustSetUpNetwork(t, n)
	mustFund(t, n, senderID, "RUB", "5000000.00")
	carrierKey := mustCall[participant](t, n, call{method: "POST", path: "/v1/participants", token: operatorToken, want: http.StatusCreated,
		body: map[string]any{"id": carrierID, "name": "North–South Container Rail", "country": "RU", "currencies": []string{}, "roles": []string{"carrier"}}}).APIKey
	const ref = "NSTC-TEST-001"
	q := mustCall[struct {
		ID string `json:"id"`
	}](t, n, call{method: "POST", path: "/v1/quotes", token: keys[senderID], want: http.StatusCreated,
		body: map[string]string{"receiving_participant": receiverID, "source_currency": "RUB", "target_currency": "IRR", "source_amount": "1234567.80"}})
	paid := mustCall[payment](t, n, call{method: "POST", path: "/v1/payments", token: keys[senderID], want: http.StatusCreated,
		header: map[string]string{"Idempotency-Key": q.ID},
		body: map[string]any{"quote_id": q.ID, "purpose": "GDDS", "remittance_information": "Contract RU-IN/2041",
			"debtor":   map[string]string{"name": "Volga Import LLC", "account": "40817810899910004312", "bank_code": "044525225"},
			"creditor": map[string]string{"name": "Caspian Textiles", "account": creditorAccounts["IRR"]},
			"trade": map[string]any{"contract_reference": "RU-IN/2041", "incoterms": "CPT", "incoterms_place": "Moscow", "shipment_reference": ref,
				"carrier": carrierID, "route": "instc-west", "deadline": time.Now().UTC().Add(60 * 24 * time.Hour).Format(time.RFC3339),
				"release": []map[string]string{{"milestone": "loaded", "percent": "30"}, {"milestone": "arrived", "percent": "70"}}}}})
	report := func(t *testing.T, milestone, node string) {
		t.Helper()
		mustCall[json.RawMessage](t, n, call{method: "POST", path: "/v1/shipments/" + ref + "/milestones", token: carrierKey,
			body: map[string]string{"milestone": milestone, "node": node}})
	}
	report(t, "loaded", "nhava_sheva")
	corridor := mustCall[corridorJSON](t, n, call{method: "GET", path: "/v1/trade/corridor", token: operatorToken})
	sh := mustShipment(t, n, operatorToken, ref)
	if sh.Plan == nil || len(sh.Payments) != 1 || sh.Payments[0].UETR != paid.UETR || sh.Payments[0].Released == nil || sh.Payments[0].Released.SourceAmount != "370370.34" {
		t.Fatalf("the API's shipment: got %+v, want a plan and the payment with 30%% of 1,234,567.80 RUB released", sh)
	}
	// Until asked, the map leaves out the legs that only the sea route it
	// is compared with (through Suez) takes.
	routeNames, corridorLegs, seaOnly := map[string]string{}, map[string]bool{}, map[string]bool{}
	for _, r := range corridor.Routes {
		routeNames[r.ID] = r.Name
		for _, l := range r.Legs {
			corridorLegs[l] = corridorLegs[l] || r.ID != "suez"
		}
	}
	hidden := 0
	for l, onCorridor := range corridorLegs {
		seaOnly[l] = !onCorridor
		if !onCorridor {
			hidden++
		}
	}
	if hidden == 0 {
		t.Fatalf("the API's corridor has no leg that only the sea route through Suez takes: %+v", corridor.Routes)
	}
	card := `#shipments article[data-ref="` + ref + `"]`

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"DrawsTheCorridorFromItsCoordinates", func(t *testing.T) {
			mustDo(t, ctx, "open the dashboard", chromedp.Navigate(n.URL+"/#token="+operatorToken))
			mustWaitFor(t, ctx, "the operator is signed in", `document.getElementById("status").textContent.startsWith("live")`)
			goTo(t, ctx, "#/trade", `document.querySelectorAll("#tradeMap [data-node]").length > 0 && !!document.querySelector('`+card+`') && !!document.querySelector("#compare .distanceSaved")`)
			var wantNodes, wantLegs []string
			for _, x := range corridor.Nodes {
				wantNodes = append(wantNodes, x.ID)
			}
			for _, l := range corridor.Legs {
				wantLegs = append(wantLegs, l.ID)
			}
			if got := attrs(t, ctx, "#tradeMap [data-node]", "data-node"); !slices.Equal(got, wantNodes) {
				t.Errorf("the map's nodes: got %q, want one per node of the API's corridor, %q", got, wantNodes)
			}
			if got := attrs(t, ctx, "#tradeMap [data-leg]", "data-leg"); !slices.Equal(got, wantLegs) {
				t.Errorf("the map's legs: got %q, want one per leg of the API's corridor, %q", got, wantLegs)
			}
			// Each is named, and its tooltip gives its figures and source.
			type shown struct {
				Label, Title, Class string
				Hidden              bool
			}
			read := func(selector string) map[string]shown {
				return eval[map[string]shown](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll(`+strconv.Quote(selector)+`), (g) =>
					[g.dataset.node || g.dataset.leg, {Label: g.getAttribute("aria-label"), Title: g.querySelector("title").textContent, Class: g.getAttribute("class"), Hidden: g.getAttribute("display") === "none"}]))`)
			}
			nodes, legs := read("#tradeMap [data-node]"), read("#tradeMap [data-leg]")
			for _, x := range corridor.Nodes {
				if g := nodes[x.ID]; g.Label != x.Name || !strings.HasPrefix(g.Title, x.Name+"\n") || !strings.Contains(g.Title, x.Source) || !strings.Contains(g.Class, x.Kind) {
					t.Errorf("node %s: got %+v, want it named %q, its kind %s and its source in its tooltip", x.ID, g, x.Name, x.Kind)
				}
			}
			for _, l := range corridor.Legs {
				g := legs[l.ID]
				if !strings.Contains(g.Title, groupDigits(strconv.Itoa(l.DistanceKM))+" km") || !strings.Contains(g.Title, l.Source) || g.Label == "" {
					t.Errorf("leg %s: tooltip %q, want its distance, %d km, and its source", l.ID, g.Title, l.DistanceKM)
				}
				if wantClass := "leg " + l.Mode; !strings.HasPrefix(g.Class, wantClass) || strings.Contains(g.Class, "planned") != l.Planned || strings.Contains(g.Class, "gauge") != l.GaugeChange {
					t.Errorf("leg %s: class %q, want %s, planned %v, gauge change %v", l.ID, g.Class, wantClass, l.Planned, l.GaugeChange)
				}
				if g.Hidden != seaOnly[l.ID] {
					t.Errorf("leg %s: hidden %v, want only the sea route's own legs left out until asked for", l.ID, g.Hidden)
				}
			}
			if got := attrs(t, ctx, "#tradeMap [data-gauge-leg]", "data-gauge-leg"); !slices.Equal(got, []string{"astara_ir-astara_az"}) {
				t.Errorf("gauge change marks: got %q, want the one at Astara", got)
			}
			// Every node drawn has its name on the map.
			labelled := strings.Fields(strings.Join(attrs(t, ctx, "#tradeMap text[data-label-for]", "data-label-for"), " "))
			for _, x := range corridor.Nodes {
				if !nodes[x.ID].Hidden && !slices.Contains(labelled, x.ID) {
					t.Errorf("node %s has no name on the map (labels: %q)", x.ID, labelled)
				}
			}
			// Focusing a leg shows its figures beside the map. A headless
			// page has no focus of its own, and fires no focus event, unless
			// the browser pretends it has.
			if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
				t.Fatalf("emulate a focused page: %v", err)
			}
			mustDo(t, ctx, "focus the gauge change", chromedp.Evaluate[chromedp.Void](`document.querySelector('#tradeMap [data-leg="astara_ir-astara_az"]').focus()`))
			if info := text(t, ctx, "#mapInfo"); !strings.HasPrefix(info, "Astara (IR) → Astara (AZ) by rail") || !strings.Contains(info, "the gauge changes here") {
				t.Errorf("the focused leg's figures: got %q", info)
			}
		}},
		{"ListsTheShipmentWithItsMilestonesAndETA", func(t *testing.T) {
			if got := text(t, ctx, card+" .routeName"); got != routeNames["instc-west"] {
				t.Errorf("route: got %q, want %q", got, routeNames["instc-west"])
			}
			if got := text(t, ctx, card+" .where"); got != "loaded at Nhava Sheva" {
				t.Errorf("where: got %q, want loaded at Nhava Sheva", got)
			}
			if got := text(t, ctx, card+" .carrier"); got != "North–South Container Rail ("+carrierID+")" {
				t.Errorf("carrier: got %q", got)
			}
			if got := attrs(t, ctx, `#tradeMap [data-shipment="`+ref+`"]`, "data-at"); !slices.Equal(got, []string{"nhava_sheva"}) {
				t.Errorf("the shipment on the map: at %q, want at nhava_sheva, where it was loaded", got)
			}
			var want [][]string
			for _, m := range sh.Plan.Milestones {
				reported := "–"
				if m.Milestone == "loaded" {
					reported = strings.TrimSuffix(utcSeconds(t, m.ReportedAt), " UTC")
				}
				want = append(want, []string{m.Milestone, m.Node, strings.TrimSuffix(utcSeconds(t, m.ExpectedAt), " UTC"), reported})
			}
			got := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll('`+card+` table.milestones tbody tr'), (tr) => [tr.dataset.milestone, tr.dataset.node, tr.cells[2].textContent, tr.cells[3].textContent])`)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("milestones, expected and reported:\n got %q\nwant %q", got, want)
			}
			if eta := text(t, ctx, card+" .eta .utc"); eta != utcSeconds(t, sh.Plan.ETA) {
				t.Errorf("ETA: got %q, want %s", eta, utcSeconds(t, sh.Plan.ETA))
			}
			if local := text(t, ctx, card+" .eta .local"); !strings.HasSuffix(local, " Moscow") {
				t.Errorf("ETA in Moscow: got %q", local)
			}
		}},
		{"ShowsThePaymentWaitingOnItAndItsReleasedShare", func(t *testing.T) {
			p := card + ` .shipPayment[data-uetr="` + paid.UETR + `"]`
			if got := text(t, ctx, p+" .releasedSource"); got != groupDigits(sh.Payments[0].Released.SourceAmount)+" RUB" {
				t.Errorf("released: got %q, want the API's %s RUB, grouped", got, sh.Payments[0].Released.SourceAmount)
			}
			if got := text(t, ctx, p+" .sourceTotal"); got != "1,234,567.80 RUB" {
				t.Errorf("of: got %q, want 1,234,567.80 RUB", got)
			}
			if got := text(t, ctx, p+" .releasedTarget"); got != groupDigits(sh.Payments[0].Released.TargetAmount)+" IRR" {
				t.Errorf("released to the receiving bank: got %q, want the API's %s IRR, grouped", got, sh.Payments[0].Released.TargetAmount)
			}
			if got := text(t, ctx, p+" .share"); got != "30.0 %" {
				t.Errorf("share released: got %q, want 30.0 %%", got)
			}
			mustScreenshot(t, ctx, "dashboard-trade.png")
			mustDo(t, ctx, "open the payment", chromedp.Click(chromedp.CSS(p+` a[href="#/payments/`+paid.UETR+`"]`)))
			mustWaitFor(t, ctx, "the payment's page shows", `document.getElementById("payUETR").textContent === "`+paid.UETR+`"`)
			goTo(t, ctx, "#/trade", `!!document.querySelector('`+card+`')`)
		}},
		{"ComparesTheCorridorWithTheSeaRoute", func(t *testing.T) {
			cmp := mustCall[struct {
				A                    planJSON `json:"a"`
				B                    planJSON `json:"b"`
				DistanceSavedKM      int      `json:"distance_saved_km"`
				HoursSaved           int      `json:"hours_saved"`
				DistanceSavedPercent string   `json:"distance_saved_percent"`
				TimeSavedPercent     string   `json:"time_saved_percent"`
			}](t, n, call{method: "GET", path: "/v1/trade/compare", token: operatorToken})
			got := texts(t, ctx, "#compare .distanceSaved, #compare .distanceSavedPercent, #compare .hoursSaved, #compare .timeSavedPercent")
			want := []string{groupDigits(strconv.Itoa(cmp.DistanceSavedKM)) + " km", cmp.DistanceSavedPercent + " %", groupDigits(strconv.Itoa(cmp.HoursSaved)) + " h", cmp.TimeSavedPercent + " %"}
			if !slices.Equal(got, want) {
				t.Errorf("savings: got %q, want %q", got, want)
			}
			rows := eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("#compare tbody tr"), (tr) => [tr.dataset.route, tr.querySelector(".distance").textContent, tr.querySelector(".transit").textContent])`)
			wantRows := [][]string{}
			for _, p := range []planJSON{cmp.A, cmp.B} {
				wantRows = append(wantRows, []string{p.Route, groupDigits(strconv.Itoa(p.DistanceKM)) + " km", strconv.Itoa(p.TransitDays) + " days" + groupDigits(strconv.Itoa(p.TransitHours)) + " h"})
			}
			if !reflect.DeepEqual(rows, wantRows) {
				t.Errorf("the routes compared:\n got %q\nwant %q", rows, wantRows)
			}
			mustDo(t, ctx, "show the sea route", chromedp.Click(chromedp.ID("showSeaRoute")))
			mustWaitFor(t, ctx, "every leg is drawn", `document.querySelectorAll('#tradeMap [data-leg][display="none"]').length === 0 && !!document.querySelector('#tradeMap [data-leg="port_said-st_petersburg"] path.line')`)
			mustScreenshot(t, ctx, "dashboard-trade-suez.png")
			mustDo(t, ctx, "hide the sea route", chromedp.Click(chromedp.ID("showSeaRoute")))
			mustWaitFor(t, ctx, "the corridor is drawn alone", `document.querySelectorAll('#tradeMap [data-leg][display="none"]').length === `+strconv.Itoa(hidden))
		}},
		{"PicksOutAShipmentsRoute", func(t *testing.T) {
			mustDo(t, ctx, "choose the shipment on the map", chromedp.Click(chromedp.CSS(`#tradeMap [data-shipment="`+ref+`"]`)))
			mustWaitFor(t, ctx, "the shipment is chosen", `document.querySelector('`+card+`').classList.contains("selected")`)
			chosen := attrs(t, ctx, "#tradeMap [data-leg].chosen", "data-leg")
			for _, r := range corridor.Routes {
				if r.ID == "instc-west" && !slices.Equal(chosen, r.Legs) {
					t.Errorf("legs picked out: got %q, want the western route's, %q", chosen, r.Legs)
				}
			}
			mustDo(t, ctx, "show every route", chromedp.Click(chromedp.ID("mapClear")))
			if n := eval[int](t, ctx, `document.querySelectorAll("#tradeMap .chosen, #tradeMap .dim").length`); n != 0 {
				t.Errorf("after Show every route, %d elements are still picked out or dimmed", n)
			}
		}},
		{"FollowsTheShipmentWithOneRequestALoop", func(t *testing.T) {
			before := len(n.RequestURIs())
			report(t, "departed", "nhava_sheva")
			mustWaitFor(t, ctx, "the departure shows", `document.querySelector('`+card+` .where').textContent === "departed at Nhava Sheva"`)
			for _, uri := range n.RequestURIs()[before:] {
				if uri != "/v1/shipments" && !strings.HasSuffix(uri, "/milestones") {
					t.Errorf("the trade page's loop asked for %s, want the shipments only", uri)
				}
			}
		}},
		{"ShowsTheCarrierItsShipmentWithoutAmounts", func(t *testing.T) {
			mustDo(t, ctx, "sign out", chromedp.Click(chromedp.ID("signOut")))
			mustWaitFor(t, ctx, "the sign-in form shows", `!document.getElementById("login").hidden`)
			mustDo(t, ctx, "sign in as the carrier", chromedp.SendKeys(chromedp.ID("token"), carrierKey), chromedp.Click(chromedp.CSS("#tokenForm button")))
			mustWaitFor(t, ctx, "the carrier is signed in", `document.getElementById("who").textContent.endsWith("`+carrierID+`")`)
			goTo(t, ctx, "#/trade", `!!document.querySelector('`+card+` .shipPayment')`)
			p := card + ` .shipPayment[data-uetr="` + paid.UETR + `"]`
			if n := eval[int](t, ctx, `document.querySelectorAll('`+p+` a, `+p+` .releasedSource').length`); n != 0 {
				t.Errorf("the carrier is shown %d links or amounts of the payment, want none", n)
			}
			if got := text(t, ctx, p); !strings.Contains(got, "amounts are the banks'") {
				t.Errorf("the carrier's view of the payment: got %q", got)
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			break
		}
	}
	mustCleanConsole(t, console, nil)
}

// TestDashboardFiles checks how the page and its files are served: from
// the binary, with a policy that lets the page load nothing but them and
// the API, revalidated rather than cached blindly.
func TestDashboardFiles(t *testing.T) {
	h := web.Handler()
	get := func(path string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	page := get("/", nil)
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy: got %q, want scripts from the node only, nothing inline, no frame", csp)
	}
	if body := page.Body.String(); strings.Contains(body, "<script>") || strings.Contains(body, "<style>") || strings.Contains(body, " style=") {
		t.Errorf("the page holds inline script or style, which its policy refuses")
	}
	total := page.Body.Len()
	for name, contentType := range map[string]string{"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"} {
		rec := get(web.AssetPrefix+name, nil)
		etag := rec.Header().Get("ETag")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentType || etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: got %d %q, ETag %q, Cache-Control %q", name, rec.Code, rec.Header().Get("Content-Type"), etag, rec.Header().Get("Cache-Control"))
		}
		total += rec.Body.Len()
		if again := get(web.AssetPrefix+name, map[string]string{"If-None-Match": etag}); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%s revalidated: got %d with %d bytes, want 304 and no body", name, again.Code, again.Body.Len())
		}
	}
	if total > dashboardBytesMax {
		t.Errorf("the page and its files weigh %d bytes, want at most %d", total, dashboardBytesMax)
	}
	if rec := get(web.AssetPrefix+"nothing.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown file: got %d, want 404", rec.Code)
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
	senderKey := mustSetUpNetwork(t, n)[senderID]
	mustFund(t, n, senderID, "RUB", "5000000.00")
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
			goTo(t, ctx, "#/screening", `!document.getElementById("page-screening").hidden`)
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
