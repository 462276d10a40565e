package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	astarahttp "astara/http"
	"astara/journal"
	"astara/ledger"
	"astara/payments"
)

// adminToken is the operator's bearer token in every test server.
const adminToken = "test-admin-token"

// t0 is the fake clock's start: 2026-03-02T09:00:00Z.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeClock is a ledger.Clock that moves only when the test moves it. It is
// read by the Service's goroutines, hence the atomic.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// testServer is the whole HTTP API in-process: a Service over a journal on
// an in-memory file system, a fake clock, and the handler, served by
// httptest on a local port (URL) and usable directly (Handler).
type testServer struct {
	URL     string
	Handler *astarahttp.Server
	Service *ledger.Service
	Store   *journal.Store
	Clock   *fakeClock
	client  *http.Client
}

// serverOptions tune NewTestServer.
type serverOptions struct {
	// noNetwork leaves out the httptest server: benchmarks and fuzz targets
	// call Handler directly.
	noNetwork bool
	// noDoubleEntryCheck leaves out the check at cleanup (benchmarks).
	noDoubleEntryCheck bool
	// payments runs the payments machine over the ledger, as astara serve
	// does.
	payments bool
	// limits are the server's limits; the zero value is the defaults.
	limits astarahttp.Limits
	// fs is the journal's file system; nil means a new in-memory one.
	fs vfs.FS
	// snapshotEvents is the Service's SnapshotEventsInterval; zero means
	// no snapshots.
	snapshotEvents int
}

// testMachineOptions are the payments machine's options in every test
// server: payments out of memory as soon as they are older than the last
// two and at an end, so that every payments test reads them back from the
// store and its answers must be those from memory.
var testMachineOptions = ledger.Options{HotRecords: 2}

// NewTestServer starts a server on a fresh journal; the fake clock is both
// the ledger's and the HTTP layer's. At cleanup it checks
// double entry (every currency balanced, over HTTP and by the engine's
// own full Verify) and then stops the Service and the journal.
func NewTestServer(tb testing.TB, opts ...serverOptions) *testServer {
	tb.Helper()
	var o serverOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	fs := o.fs
	if fs == nil {
		fs = vfs.NewMem()
	}
	st, err := journal.Open("journal", journal.Options{FS: fs, MemTableBytes: 4 << 20})
	if err != nil {
		tb.Fatalf("open journal: %v", err)
	}
	clock := newFakeClock(t0)
	metrics := astarahttp.NewMetrics()
	svcOpts := ledger.ServiceOptions{
		Clock:                  clock,
		Observer:               metrics,
		PulseInterval:          time.Millisecond,
		SnapshotEventsInterval: -1,
	}
	if o.snapshotEvents > 0 {
		svcOpts.SnapshotEventsInterval = o.snapshotEvents
	}
	cfg := astarahttp.Config{Metrics: metrics, AdminTokenHash: astarahttp.HashToken(adminToken), Clock: clock.Now, Limits: o.limits}
	if o.payments {
		svcOpts.NewMachine = func() ledger.Machine { return payments.NewMachine(testMachineOptions) }
		svcOpts.RestoreMachine = func(r io.Reader) (ledger.Machine, error) { return payments.RestoreMachine(r, testMachineOptions) }
	}
	svc, err := ledger.Open(st, svcOpts)
	if err != nil {
		st.Close()
		tb.Fatalf("open ledger: %v", err)
	}
	cfg.Ledger = svc
	s := &testServer{
		Handler: astarahttp.NewServer(cfg),
		Service: svc,
		Store:   st,
		Clock:   clock,
	}
	var hs *httptest.Server
	if !o.noNetwork {
		hs = httptest.NewServer(s.Handler)
		s.URL = hs.URL
		s.client = hs.Client()
	}
	tb.Cleanup(func() {
		if !o.noDoubleEntryCheck && !tb.Failed() {
			s.checkDoubleEntry(tb)
		}
		if hs != nil {
			hs.Close()
		}
		svc.Close()
		st.Close()
	})
	return s
}

// checkDoubleEntry asserts, over the API, that every currency's debits
// equal its credits, and, in the engine, that the incremental totals agree
// with a full recount.
func (s *testServer) checkDoubleEntry(tb testing.TB) {
	tb.Helper()
	var totals totalsPage
	s.MustGetJSON(tb, "/v1/ledger/totals", &totals)
	for _, tot := range totals.Totals {
		if !tot.Balanced || tot.DebitsPending != tot.CreditsPending || tot.DebitsPosted != tot.CreditsPosted {
			tb.Errorf("double entry: %s: got %+v, want debits equal to credits", tot.Currency, tot)
		}
	}
	var err error
	s.Service.View(func(e *ledger.Engine) { err = e.Verify() })
	if err != nil {
		tb.Errorf("engine Verify: got %v, want nil", err)
	}
}

// response is one answer of the server.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// problem is the problem+json body of an error answer.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Field  string `json:"field"`
}

// Do sends a request with the operator's token. A body of type string or
// []byte is sent as it is; any other non-nil body is marshalled to JSON.
func (s *testServer) Do(tb testing.TB, method, path string, body any) response {
	tb.Helper()
	return s.DoToken(tb, method, path, body, adminToken)
}

// DoToken is Do with a given bearer token; "" sends no Authorization.
func (s *testServer) DoToken(tb testing.TB, method, path string, body any, token string) response {
	tb.Helper()
	return s.DoHeader(tb, method, path, body, token, nil)
}

// DoHeader is DoToken with further request headers.
func (s *testServer) DoHeader(tb testing.TB, method, path string, body any, token string, header http.Header) response {
	tb.Helper()
	if s.client == nil {
		rec := httptest.NewRecorder()
		req := newRequest(tb, method, path, body, token)
		addHeader(req, header)
		s.Handler.ServeHTTP(rec, req)
		return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	}
	req := newRequest(tb, method, s.URL+path, body, token)
	addHeader(req, header)
	req.RequestURI = "" // a client request, not a server one
	resp, err := s.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func addHeader(req *http.Request, header http.Header) {
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
}

func newRequest(tb testing.TB, method, path string, body any, token string) *http.Request {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("marshal body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// MustGetJSON GETs path, requires 200 and application/json, and decodes
// the body into v, rejecting fields v does not know.
func (s *testServer) MustGetJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	resp := s.Do(tb, "GET", path, nil)
	MustJSON(tb, resp, http.StatusOK, v)
}

// MustJSON requires a JSON answer with the given status and decodes it.
func MustJSON(tb testing.TB, resp response, status int, v any) {
	tb.Helper()
	if resp.Status != status {
		tb.Fatalf("status: got %d, want %d; body %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type: got %q, want application/json", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decode %s: %v", resp.Body, err)
	}
}

// MustProblem requires a problem+json answer with the given status, code
// and field, and returns it.
func MustProblem(tb testing.TB, resp response, status int, code, field string) problem {
	tb.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Errorf("Content-Type: got %q, want application/problem+json; body %s", ct, resp.Body)
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		tb.Fatalf("decode problem %s: %v", resp.Body, err)
	}
	if resp.Status != status || p.Status != status || p.Code != code || p.Field != field {
		tb.Fatalf("problem: got status %d (body %d) code %q field %q, want %d %q %q; detail %q",
			resp.Status, p.Status, p.Code, p.Field, status, code, field, p.Detail)
	}
	if p.Type != "https://astara.dev/problems/"+code || p.Title != http.StatusText(status) || p.Detail == "" {
		tb.Errorf("problem: got type %q title %q detail %q, want the code's type, the status text and a detail", p.Type, p.Title, p.Detail)
	}
	return p
}

// The JSON the API writes, as the tests read it.
type (
	result struct {
		ID     string `json:"id"`
		Result string `json:"result"`
	}
	resultsPage struct {
		Results []result `json:"results"`
	}
	account struct {
		ID             string   `json:"id"`
		Currency       string   `json:"currency"`
		Code           int      `json:"code"`
		Flags          []string `json:"flags"`
		DebitsPending  string   `json:"debits_pending"`
		DebitsPosted   string   `json:"debits_posted"`
		CreditsPending string   `json:"credits_pending"`
		CreditsPosted  string   `json:"credits_posted"`
		Timestamp      string   `json:"timestamp"`
	}
	accountsPage struct {
		Accounts   []account `json:"accounts"`
		NextCursor string    `json:"next_cursor"`
	}
	transfer struct {
		ID              string   `json:"id"`
		DebitAccountID  string   `json:"debit_account_id"`
		CreditAccountID string   `json:"credit_account_id"`
		Amount          string   `json:"amount"`
		Currency        string   `json:"currency"`
		Code            int      `json:"code"`
		Flags           []string `json:"flags"`
		PendingID       string   `json:"pending_id"`
		TimeoutSeconds  int      `json:"timeout_seconds"`
		State           string   `json:"state"`
		Timestamp       string   `json:"timestamp"`
	}
	balance struct {
		TransferID     string `json:"transfer_id"`
		Timestamp      string `json:"timestamp"`
		DebitsPending  string `json:"debits_pending"`
		DebitsPosted   string `json:"debits_posted"`
		CreditsPending string `json:"credits_pending"`
		CreditsPosted  string `json:"credits_posted"`
	}
	balancesPage struct {
		Balances   []balance `json:"balances"`
		NextCursor string    `json:"next_cursor"`
	}
	total struct {
		Currency       string `json:"currency"`
		DebitsPending  string `json:"debits_pending"`
		DebitsPosted   string `json:"debits_posted"`
		CreditsPending string `json:"credits_pending"`
		CreditsPosted  string `json:"credits_posted"`
		Balanced       bool   `json:"balanced"`
	}
	totalsPage struct {
		Totals []total `json:"totals"`
	}
)

// The JSON the API reads, as the tests write it. Fields are omitted when
// empty so that each case sends only what it means to.
type (
	accountIn struct {
		ID       string   `json:"id,omitempty"`
		Currency string   `json:"currency,omitempty"`
		Code     int      `json:"code,omitempty"`
		Flags    []string `json:"flags,omitempty"`
	}
	transferIn struct {
		ID              string   `json:"id,omitempty"`
		DebitAccountID  string   `json:"debit_account_id,omitempty"`
		CreditAccountID string   `json:"credit_account_id,omitempty"`
		Amount          string   `json:"amount,omitempty"`
		Currency        string   `json:"currency,omitempty"`
		Code            int      `json:"code,omitempty"`
		Flags           []string `json:"flags,omitempty"`
		PendingID       string   `json:"pending_id,omitempty"`
		TimeoutSeconds  int      `json:"timeout_seconds,omitempty"`
	}
	accountsIn struct {
		Accounts []accountIn `json:"accounts"`
	}
	transfersIn struct {
		Transfers []transferIn `json:"transfers"`
	}
)

// uuid returns the id whose value is n, in the API's UUID form.
func uuid(n uint64) string { return ledger.IDFromUint64(n).String() }

// CreateAccounts posts a batch of accounts and returns the result names.
func (s *testServer) CreateAccounts(tb testing.TB, accounts ...accountIn) []string {
	tb.Helper()
	var page resultsPage
	MustJSON(tb, s.Do(tb, "POST", "/v1/ledger/accounts", accountsIn{accounts}), http.StatusOK, &page)
	return resultNames(tb, page, len(accounts))
}

// CreateTransfers posts a batch of transfers and returns the result names.
func (s *testServer) CreateTransfers(tb testing.TB, transfers ...transferIn) []string {
	tb.Helper()
	var page resultsPage
	MustJSON(tb, s.Do(tb, "POST", "/v1/ledger/transfers", transfersIn{transfers}), http.StatusOK, &page)
	return resultNames(tb, page, len(transfers))
}

func resultNames(tb testing.TB, page resultsPage, n int) []string {
	tb.Helper()
	if len(page.Results) != n {
		tb.Fatalf("results: got %d, want %d", len(page.Results), n)
	}
	out := make([]string, n)
	for i, r := range page.Results {
		out[i] = r.Result
	}
	return out
}

// MustAccounts creates accounts that must all answer "ok".
func (s *testServer) MustAccounts(tb testing.TB, accounts ...accountIn) {
	tb.Helper()
	mustAllOK(tb, "account", s.CreateAccounts(tb, accounts...))
}

// MustTransfers creates transfers that must all answer "ok".
func (s *testServer) MustTransfers(tb testing.TB, transfers ...transferIn) {
	tb.Helper()
	mustAllOK(tb, "transfer", s.CreateTransfers(tb, transfers...))
}

func mustAllOK(tb testing.TB, what string, results []string) {
	tb.Helper()
	for i, r := range results {
		if r != "ok" {
			tb.Fatalf("%s %d: got %q, want ok", what, i, r)
		}
	}
}

// Account GETs one account.
func (s *testServer) Account(tb testing.TB, id string) account {
	tb.Helper()
	var a account
	s.MustGetJSON(tb, "/v1/ledger/accounts/"+id, &a)
	return a
}

// Transfer GETs one transfer.
func (s *testServer) Transfer(tb testing.TB, id string) transfer {
	tb.Helper()
	var t transfer
	s.MustGetJSON(tb, "/v1/ledger/transfers/"+id, &t)
	return t
}

// Totals GETs the totals, keyed by currency.
func (s *testServer) Totals(tb testing.TB) map[string]total {
	tb.Helper()
	var page totalsPage
	s.MustGetJSON(tb, "/v1/ledger/totals", &page)
	out := make(map[string]total, len(page.Totals))
	for _, t := range page.Totals {
		out[t.Currency] = t
	}
	return out
}

// balances is an account's four balances, in the order debits pending,
// debits posted, credits pending, credits posted.
type balances [4]string

func (a account) balances() balances {
	return balances{a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted}
}

func (b balance) balances() balances {
	return balances{b.DebitsPending, b.DebitsPosted, b.CreditsPending, b.CreditsPosted}
}

// MustBalances requires an account's balances.
func (s *testServer) MustBalances(tb testing.TB, id string, want balances) {
	tb.Helper()
	if got := s.Account(tb, id).balances(); got != want {
		tb.Fatalf("account %s balances (dp, dpo, cp, cpo): got %v, want %v", id, got, want)
	}
}

// state is what a request must not change when it is refused.
type state struct {
	Totals    string
	Accounts  int
	Transfers int
	LastSeq   uint64
}

// State reads the totals over the API, the engine's counts, and the
// journal's last entry.
func (s *testServer) State(tb testing.TB) state {
	tb.Helper()
	resp := s.Do(tb, "GET", "/v1/ledger/totals", nil)
	if resp.Status != http.StatusOK {
		tb.Fatalf("totals: got %d, want 200", resp.Status)
	}
	st := state{Totals: string(resp.Body), LastSeq: s.Store.LastSeq()}
	s.Service.View(func(e *ledger.Engine) {
		st.Accounts, st.Transfers = e.AccountsCount(), e.TransfersCount()
	})
	return st
}

// eventually polls cond until it holds or d passes.
func eventually(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
}

// transfersBody is a JSON batch of n transfers of 1.00 RUB between
// accounts 1..accounts, with ids from firstID on, built by hand so that
// large batches are cheap to make.
func transfersBody(firstID uint64, n, accounts int) []byte {
	b := make([]byte, 0, 32+n*230)
	b = append(b, `{"transfers":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		d := uint64(1 + i%accounts)
		c := uint64(1 + (i+1)%accounts)
		b = fmt.Appendf(b, `{"id":%q,"debit_account_id":%q,"credit_account_id":%q,"amount":"1.00","currency":"RUB","code":1}`,
			uuid(firstID+uint64(i)), uuid(d), uuid(c))
	}
	return append(b, "]}"...)
}
