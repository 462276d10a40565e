package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fuzzSeedsTransfers are valid and near-valid bodies: each valid one, then
// one change away from a rule.
var fuzzSeedsTransfers = []string{
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","debit_account_id":"00000000-0000-0000-0000-000000000002","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"1.00","currency":"RUB","code":2}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c9","debit_account_id":"00000000-0000-0000-0000-000000000001","credit_account_id":"00000000-0000-0000-0000-000000000002","amount":"5","currency":"RUB","code":1,"flags":["pending"],"timeout_seconds":60},` +
		`{"id":"00000000-0000-0000-0000-0000000000ca","pending_id":"00000000-0000-0000-0000-0000000000c9","amount":"2.5","currency":"RUB","flags":["post_pending"]},` +
		`{"id":"00000000-0000-0000-0000-0000000000cb","pending_id":"00000000-0000-0000-0000-0000000000c9","flags":["void_pending"]}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000cc","debit_account_id":"00000000-0000-0000-0000-00000000000b","credit_account_id":"00000000-0000-0000-0000-00000000000c","amount":"5234000","currency":"IRR","code":1,"flags":["linked"]},` +
		`{"id":"00000000-0000-0000-0000-0000000000cd","debit_account_id":"00000000-0000-0000-0000-00000000000c","credit_account_id":"00000000-0000-0000-0000-00000000000b","amount":"1","currency":"IRR","code":1}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","debit_account_id":"00000000-0000-0000-0000-000000000002","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"1.001","currency":"RUB","code":2}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","debit_account_id":"00000000-0000-0000-0000-000000000002","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"-1","currency":"RUB","code":2}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","debit_account_id":"0000000-0000-0000-0000-000000000002","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"1e3","currency":"rub","code":70000}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","flags":["linked","instant"],"timeout_seconds":-1}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-000000000000","debit_account_id":"ffffffff-ffff-ffff-ffff-ffffffffffff","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"340282366920938463463374607431768211455","currency":"JPY","code":65535}]}`,
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c8","memo":"x"}]}`,
	`{"transfers":[]}`,
	`{"transfers":null}`,
	`{"transfers":[{}]} {}`,
	`{"transfers":[{"code":"1"}]}`,
	`{"transfers":[{"amount":1.5}]}`,
	`{"TRANSFERS":[{"ID":"00000000-0000-0000-0000-0000000000c8"}]}`,
	`{"transfers":[`,
	`null`,
	``,
}

var fuzzSeedsAccounts = []string{
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000064","currency":"RUB","code":1}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000065","currency":"IRR","code":2,"flags":["history","debits_must_not_exceed_credits"]},{"id":"00000000-0000-0000-0000-000000000066","currency":"USD","code":3,"flags":["credits_must_not_exceed_debits"]}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000067","currency":"RUB","code":1,"flags":["linked"]},{"id":"00000000-0000-0000-0000-000000000068","currency":"RUB","code":0}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000064","currency":"RUB","code":2}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000069","currency":"QQQ","code":1}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000069","currency":"RUB","code":65536,"flags":["overdraft"]}]}`,
	`{"accounts":[{"id":"not-a-uuid","currency":"RUB","code":1}]}`,
	`{"accounts":[{"id":"00000000-0000-0000-0000-000000000069","currency":"RUB","code":1,"balance":"1.00"}]}`,
	`{"accounts":[]}`,
	`{"accounts":[{"code":1e2}]}`,
	`{"accounts":[{}]}]`,
	`[]`,
	`"accounts"`,
}

// fuzzServer is one server per fuzzing process, with newLedger's accounts,
// so that seeds that name them reach the engine.
func fuzzServer(f *testing.F) *testServer {
	f.Helper()
	s := NewTestServer(f, serverOptions{noNetwork: true})
	s.MustAccounts(f,
		accountIn{ID: rubFunding, Currency: "RUB", Code: 10},
		accountIn{ID: rubAlice, Currency: "RUB", Code: 20, Flags: []string{"debits_must_not_exceed_credits", "history"}},
		accountIn{ID: rubBob, Currency: "RUB", Code: 20, Flags: []string{"debits_must_not_exceed_credits"}},
		accountIn{ID: irrFunding, Currency: "IRR", Code: 10},
		accountIn{ID: irrCyrus, Currency: "IRR", Code: 20, Flags: []string{"history"}},
	)
	return s
}

// fuzzPost posts body to path through the handler and checks what every
// answer must be: never a panic, never a 5xx; a 200 is JSON with one
// result per item of the batch; anything else a problem+json with a
// 4xx status, a code and the status repeated in the body.
func fuzzPost(t *testing.T, s *testServer, path, items string, body []byte) {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("status: got %d %s, want no 5xx", rec.Code, rec.Body)
	}
	if rec.Code != http.StatusOK {
		var p problem
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type of %d: got %q, want application/problem+json", rec.Code, ct)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" || rec.Code < 400 {
			t.Fatalf("problem: got %d %s (%v), want a 4xx problem with a code", rec.Code, rec.Body, err)
		}
		return
	}
	// The server accepted the body, so it is one JSON object with one
	// member, the batch, whose items are counted here.
	batch, err := batchItems(body, items)
	if err != nil {
		t.Fatalf("200 for a body whose %s cannot be counted: %v", items, err)
	}
	var out resultsPage
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("200 body %s: %v", rec.Body, err)
	}
	if len(out.Results) != len(batch) || len(batch) == 0 {
		t.Fatalf("results: got %d, want one per item (%d)", len(out.Results), len(batch))
	}
	for i, r := range out.Results {
		if r.Result == "" || r.Result == "unknown" || len(r.ID) != 36 {
			t.Fatalf("result %d: got %+v, want an id and a result name", i, r)
		}
	}
}

// batchItems returns the items of the batch named key in a JSON object.
func batchItems(body []byte, key string) ([]json.RawMessage, error) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	var batch []json.RawMessage
	err := json.Unmarshal(in[key], &batch)
	return batch, err
}

func FuzzCreateTransfersBody(f *testing.F) {
	for _, seed := range fuzzSeedsTransfers {
		f.Add([]byte(seed))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzPost(t, s, "/v1/ledger/transfers", "transfers", body)
	})
}

func FuzzCreateAccountsBody(f *testing.F) {
	for _, seed := range fuzzSeedsAccounts {
		f.Add([]byte(seed))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzPost(t, s, "/v1/ledger/accounts", "accounts", body)
	})
}
