package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	astarahttp "astara/http"
	"astara/ledger"
)

// Accounts of the scenarios: a funding account that may go negative, and
// two customer accounts that may not, in roubles and in rials.
var (
	rubFunding = uuid(1)
	rubAlice   = uuid(2)
	rubBob     = uuid(3)
	irrFunding = uuid(11)
	irrCyrus   = uuid(12)
)

// newLedger returns a server holding the scenario's accounts, with 1000.00
// RUB moved from the funding account to Alice.
func newLedger(t *testing.T) *testServer {
	t.Helper()
	s := NewTestServer(t)
	s.MustAccounts(t,
		accountIn{ID: rubFunding, Currency: "RUB", Code: 10},
		accountIn{ID: rubAlice, Currency: "RUB", Code: 20, Flags: []string{"debits_must_not_exceed_credits", "history"}},
		accountIn{ID: rubBob, Currency: "RUB", Code: 20, Flags: []string{"debits_must_not_exceed_credits"}},
		accountIn{ID: irrFunding, Currency: "IRR", Code: 10},
		accountIn{ID: irrCyrus, Currency: "IRR", Code: 20, Flags: []string{"history"}},
	)
	s.MustTransfers(t, transferIn{ID: uuid(100), DebitAccountID: rubFunding, CreditAccountID: rubAlice, Amount: "1000.00", Currency: "RUB", Code: 1})
	return s
}

func TestAccounts(t *testing.T) {
	t.Run("CreateAnswersOKPerItem", func(t *testing.T) {
		s := NewTestServer(t)
		var page resultsPage
		MustJSON(t, s.Do(t, "POST", "/v1/ledger/accounts", accountsIn{[]accountIn{
			{ID: uuid(1), Currency: "RUB", Code: 1},
			{ID: uuid(2), Currency: "IRR", Code: 1, Flags: []string{"history"}},
			{ID: uuid(3), Currency: "RUB"}, // no code
		}}), http.StatusOK, &page)
		want := []result{{uuid(1), "ok"}, {uuid(2), "ok"}, {uuid(3), "code_must_not_be_zero"}}
		if !slices.Equal(page.Results, want) {
			t.Fatalf("results: got %v, want %v", page.Results, want)
		}
		a := s.Account(t, uuid(2))
		if a.Currency != "IRR" || a.Code != 1 || !slices.Equal(a.Flags, []string{"history"}) || a.balances() != (balances{"0", "0", "0", "0"}) {
			t.Fatalf("account: got %+v, want IRR, code 1, history, zero balances", a)
		}
		if ts, err := time.Parse(time.RFC3339Nano, a.Timestamp); err != nil || ts.Before(t0) {
			t.Fatalf("timestamp: got %q (%v), want RFC 3339 at or after %v", a.Timestamp, err, t0)
		}
		if got := s.Account(t, uuid(1)); got.balances() != (balances{"0.00", "0.00", "0.00", "0.00"}) {
			t.Fatalf("RUB balances: got %v, want four 0.00", got.balances())
		}
	})
	t.Run("RetryAnswersExists", func(t *testing.T) {
		s := NewTestServer(t)
		a := accountIn{ID: uuid(1), Currency: "RUB", Code: 7, Flags: []string{"history"}}
		s.MustAccounts(t, a)
		if got := s.CreateAccounts(t, a); !slices.Equal(got, []string{"exists"}) {
			t.Fatalf("retry: got %v, want [exists]", got)
		}
	})
	t.Run("RetryWithAnotherCodeAnswersExistsWithDifferentCode", func(t *testing.T) {
		s := NewTestServer(t)
		s.MustAccounts(t, accountIn{ID: uuid(1), Currency: "RUB", Code: 7})
		if got := s.CreateAccounts(t, accountIn{ID: uuid(1), Currency: "RUB", Code: 8}); !slices.Equal(got, []string{"exists_with_different_code"}) {
			t.Fatalf("retry: got %v, want [exists_with_different_code]", got)
		}
		if got := s.Account(t, uuid(1)).Code; got != 7 {
			t.Fatalf("code after the refused retry: got %d, want 7", got)
		}
	})
	t.Run("LinkedAccountsFailAsOne", func(t *testing.T) {
		s := NewTestServer(t)
		got := s.CreateAccounts(t,
			accountIn{ID: uuid(1), Currency: "RUB", Code: 1, Flags: []string{"linked"}},
			accountIn{ID: uuid(2), Currency: "RUB", Code: 1, Flags: []string{"debits_must_not_exceed_credits", "credits_must_not_exceed_debits"}},
		)
		if want := []string{"linked_event_failed", "flags_are_mutually_exclusive"}; !slices.Equal(got, want) {
			t.Fatalf("results: got %v, want %v", got, want)
		}
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/accounts/"+uuid(1), nil), http.StatusNotFound, "account_not_found", "id")
	})
	t.Run("GetUnknownIs404Problem", func(t *testing.T) {
		s := NewTestServer(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/accounts/"+uuid(99), nil), http.StatusNotFound, "account_not_found", "id")
	})
	t.Run("GetWithBadIDIs400Problem", func(t *testing.T) {
		s := NewTestServer(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/accounts/not-a-uuid", nil), http.StatusBadRequest, "id_syntax", "id")
	})
}

func TestAccountsList(t *testing.T) {
	// 25 accounts: ids 1..25, every third one in IRR, the rest in RUB, in
	// three batches so that paging crosses batches.
	s := NewTestServer(t)
	var all, rub []string
	for batch := range 3 {
		var in []accountIn
		for i := batch*9 + 1; i <= min(batch*9+9, 25); i++ {
			a := accountIn{ID: uuid(uint64(i)), Currency: "RUB", Code: 1}
			if i%3 == 0 {
				a.Currency = "IRR"
			} else {
				rub = append(rub, a.ID)
			}
			all = append(all, a.ID)
			in = append(in, a)
		}
		s.MustAccounts(t, in...)
	}
	pageThrough := func(t *testing.T, query url.Values) (ids []string, pages int) {
		t.Helper()
		for {
			var page accountsPage
			s.MustGetJSON(t, "/v1/ledger/accounts?"+query.Encode(), &page)
			pages++
			for _, a := range page.Accounts {
				if c := query.Get("currency"); c != "" && a.Currency != c {
					t.Fatalf("account %s: got currency %s, want only %s", a.ID, a.Currency, c)
				}
				ids = append(ids, a.ID)
			}
			if limit, _ := strconv.Atoi(query.Get("limit")); limit > 0 && len(page.Accounts) > limit {
				t.Fatalf("page %d: got %d accounts, want at most %d", pages, len(page.Accounts), limit)
			}
			if page.NextCursor == "" {
				return ids, pages
			}
			if pages > 100 {
				t.Fatalf("paging does not end: cursor %q", page.NextCursor)
			}
			query.Set("cursor", page.NextCursor)
		}
	}
	tests := []struct {
		rule      string
		query     url.Values
		want      []string
		wantPages int
	}{
		{"NoLimitListsAllInOrderOfCreation", url.Values{}, all, 1},
		{"LimitBoundsAPage", url.Values{"limit": {"10"}}, all, 3},
		{"CursorPagesThroughAll", url.Values{"limit": {"4"}}, all, 7},
		{"LimitOfOneStillEnds", url.Values{"limit": {"1"}}, all, 25},
		{"CurrencyFilters", url.Values{"currency": {"IRR"}}, []string{uuid(3), uuid(6), uuid(9), uuid(12), uuid(15), uuid(18), uuid(21), uuid(24)}, 1},
		{"CurrencyFilterPagesThroughAll", url.Values{"currency": {"RUB"}, "limit": {"5"}}, rub, 4},
		{"CurrencyFilterEndsWithoutAnEmptyPage", url.Values{"currency": {"IRR"}, "limit": {"4"}}, []string{uuid(3), uuid(6), uuid(9), uuid(12), uuid(15), uuid(18), uuid(21), uuid(24)}, 2},
		{"CurrencyWithoutAccountsListsNone", url.Values{"currency": {"USD"}}, nil, 1},
		{"LimitMaxIsAccepted", url.Values{"limit": {strconv.Itoa(astarahttp.ListLimitMax)}}, all, 1},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, pages := pageThrough(t, tt.query)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ids: got %v, want %v", got, tt.want)
			}
			if pages > tt.wantPages {
				t.Fatalf("pages: got %d, want at most %d", pages, tt.wantPages)
			}
		})
	}
	t.Run("FirstPageIsTheLimit", func(t *testing.T) {
		var page accountsPage
		s.MustGetJSON(t, "/v1/ledger/accounts?limit=2", &page)
		if len(page.Accounts) != 2 || page.Accounts[0].ID != uuid(1) || page.Accounts[1].ID != uuid(2) || page.NextCursor == "" {
			t.Fatalf("page: got %+v, want accounts 1 and 2 and a cursor", page)
		}
	})
	t.Run("EmptyLedgerListsAnEmptyArray", func(t *testing.T) {
		resp := NewTestServer(t).Do(t, "GET", "/v1/ledger/accounts", nil)
		if got := strings.TrimSpace(string(resp.Body)); got != `{"accounts":[],"next_cursor":""}` {
			t.Fatalf("body: got %s, want an empty array and no cursor", got)
		}
	})
}

func TestTransfers(t *testing.T) {
	t.Run("CreateMovesTheAmount", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "250.5", Currency: "RUB", Code: 2})
		s.MustBalances(t, rubAlice, balances{"0.00", "250.50", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "250.50"})
		got := s.Transfer(t, uuid(200))
		want := transfer{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "250.50", Currency: "RUB", Code: 2, Flags: []string{}, Timestamp: got.Timestamp}
		if !transferEqual(got, want) {
			t.Fatalf("transfer: got %+v, want %+v", got, want)
		}
		if _, err := time.Parse(time.RFC3339Nano, got.Timestamp); err != nil {
			t.Fatalf("timestamp: got %q, want RFC 3339: %v", got.Timestamp, err)
		}
	})
	t.Run("RetryAnswersExists", func(t *testing.T) {
		s := newLedger(t)
		tr := transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "10.00", Currency: "RUB", Code: 2}
		s.MustTransfers(t, tr)
		tr.Amount = "10" // the same amount, written otherwise
		if got := s.CreateTransfers(t, tr); !slices.Equal(got, []string{"exists"}) {
			t.Fatalf("retry: got %v, want [exists]", got)
		}
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "10.00"})
	})
	t.Run("RetryWithAnotherAmountAnswersExistsWithDifferentAmount", func(t *testing.T) {
		s := newLedger(t)
		tr := transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "10.00", Currency: "RUB", Code: 2}
		s.MustTransfers(t, tr)
		tr.Amount = "10.01"
		if got := s.CreateTransfers(t, tr); !slices.Equal(got, []string{"exists_with_different_amount"}) {
			t.Fatalf("retry: got %v, want [exists_with_different_amount]", got)
		}
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "10.00"})
	})
	t.Run("DebitsMustNotExceedCreditsAnswersExceedsCredits", func(t *testing.T) {
		s := newLedger(t)
		got := s.CreateTransfers(t,
			transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1000.01", Currency: "RUB", Code: 2},
			transferIn{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1000.00", Currency: "RUB", Code: 2},
			transferIn{ID: uuid(202), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "0.01", Currency: "RUB", Code: 2},
		)
		if want := []string{"exceeds_credits", "ok", "exceeds_credits"}; !slices.Equal(got, want) {
			t.Fatalf("results: got %v, want %v", got, want)
		}
		s.MustBalances(t, rubAlice, balances{"0.00", "1000.00", "0.00", "1000.00"})
	})
	t.Run("LinkedChainFailsAsOne", func(t *testing.T) {
		s := newLedger(t)
		got := s.CreateTransfers(t,
			transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "600.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
			transferIn{ID: uuid(201), DebitAccountID: rubBob, CreditAccountID: rubFunding, Amount: "100.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
			transferIn{ID: uuid(202), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "600.00", Currency: "RUB", Code: 2},
			transferIn{ID: uuid(203), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2},
		)
		if want := []string{"linked_event_failed", "linked_event_failed", "exceeds_credits", "ok"}; !slices.Equal(got, want) {
			t.Fatalf("results: got %v, want %v", got, want)
		}
		for _, id := range []string{uuid(200), uuid(201), uuid(202)} {
			MustProblem(t, s.Do(t, "GET", "/v1/ledger/transfers/"+id, nil), http.StatusNotFound, "transfer_not_found", "id")
		}
		s.MustBalances(t, rubAlice, balances{"0.00", "1.00", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "1.00"})
	})
	t.Run("RetriedChainAnswersExistsForEveryItem", func(t *testing.T) {
		s := newLedger(t)
		chain := []transferIn{
			{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "100.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
			{ID: uuid(201), DebitAccountID: rubBob, CreditAccountID: rubFunding, Amount: "50.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
			{ID: uuid(202), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2},
		}
		s.MustTransfers(t, chain...)
		if got, want := s.CreateTransfers(t, chain...), []string{"exists", "exists", "exists"}; !slices.Equal(got, want) {
			t.Fatalf("retry: got %v, want %v", got, want)
		}
		s.MustBalances(t, rubAlice, balances{"0.00", "101.00", "0.00", "1000.00"})
	})
	t.Run("AnIDThatFailedForAReasonOfTheMomentKeepsItsOutcome", func(t *testing.T) {
		s := newLedger(t)
		tr := transferIn{ID: uuid(200), DebitAccountID: rubBob, CreditAccountID: rubAlice, Amount: "5.00", Currency: "RUB", Code: 2}
		if got := s.CreateTransfers(t, tr); !slices.Equal(got, []string{"exceeds_credits"}) {
			t.Fatalf("first: got %v, want [exceeds_credits]", got)
		}
		s.MustTransfers(t, transferIn{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "10.00", Currency: "RUB", Code: 2})
		if got := s.CreateTransfers(t, tr); !slices.Equal(got, []string{"id_already_failed"}) {
			t.Fatalf("retry once funded: got %v, want [id_already_failed]", got)
		}
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "10.00"})
	})
	t.Run("ChainOpenAtTheEndFails", func(t *testing.T) {
		s := newLedger(t)
		got := s.CreateTransfers(t,
			transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
			transferIn{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2, Flags: []string{"linked"}},
		)
		if want := []string{"linked_event_failed", "linked_event_chain_open"}; !slices.Equal(got, want) {
			t.Fatalf("results: got %v, want %v", got, want)
		}
	})
	t.Run("AccountsMustHaveTheSameCurrency", func(t *testing.T) {
		s := newLedger(t)
		got := s.CreateTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: irrCyrus, Amount: "1", Currency: "RUB", Code: 2})
		if want := []string{"accounts_must_have_the_same_currency"}; !slices.Equal(got, want) {
			t.Fatalf("results: got %v, want %v", got, want)
		}
	})
	t.Run("PendingThenPartialPost", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "100.00", Currency: "RUB", Code: 3, Flags: []string{"pending"}, TimeoutSeconds: 3600})
		s.MustBalances(t, rubAlice, balances{"100.00", "0.00", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "100.00", "0.00"})
		if got := s.Transfer(t, uuid(200)); got.State != "pending" || got.TimeoutSeconds != 3600 {
			t.Fatalf("pending transfer: got state %q timeout %d, want pending 3600", got.State, got.TimeoutSeconds)
		}
		// A post may leave out what the pending transfer already says.
		s.MustTransfers(t, transferIn{ID: uuid(201), PendingID: uuid(200), Amount: "60.00", Currency: "RUB", Flags: []string{"post_pending"}})
		s.MustBalances(t, rubAlice, balances{"0.00", "60.00", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "60.00"})
		if got := s.Transfer(t, uuid(200)).State; got != "posted" {
			t.Fatalf("pending transfer state: got %q, want posted", got)
		}
		got := s.Transfer(t, uuid(201))
		want := transfer{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "60.00", Currency: "RUB", Code: 3,
			Flags: []string{"post_pending"}, PendingID: uuid(200), Timestamp: got.Timestamp}
		if !transferEqual(got, want) {
			t.Fatalf("post: got %+v, want %+v", got, want)
		}
		if got := s.CreateTransfers(t, transferIn{ID: uuid(202), PendingID: uuid(200), Flags: []string{"void_pending"}}); !slices.Equal(got, []string{"pending_transfer_already_posted"}) {
			t.Fatalf("void after post: got %v, want [pending_transfer_already_posted]", got)
		}
	})
	t.Run("PostMoreThanPendingAnswersExceedsPendingTransferAmount", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "100.00", Currency: "RUB", Code: 3, Flags: []string{"pending"}})
		if got := s.CreateTransfers(t, transferIn{ID: uuid(201), PendingID: uuid(200), Amount: "100.01", Currency: "RUB", Flags: []string{"post_pending"}}); !slices.Equal(got, []string{"exceeds_pending_transfer_amount"}) {
			t.Fatalf("post: got %v, want [exceeds_pending_transfer_amount]", got)
		}
	})
	t.Run("VoidPending", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "100.00", Currency: "RUB", Code: 3, Flags: []string{"pending"}})
		s.MustTransfers(t, transferIn{ID: uuid(201), PendingID: uuid(200), Flags: []string{"void_pending"}})
		s.MustBalances(t, rubAlice, balances{"0.00", "0.00", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "0.00"})
		if got := s.Transfer(t, uuid(200)).State; got != "voided" {
			t.Fatalf("pending transfer state: got %q, want voided", got)
		}
		if got := s.Transfer(t, uuid(201)); got.Amount != "100.00" || got.DebitAccountID != rubAlice || got.State != "" {
			t.Fatalf("void: got %+v, want the pending transfer's amount and accounts, no state", got)
		}
	})
	t.Run("PendingExpiresAfterItsTimeout", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t, transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "100.00", Currency: "RUB", Code: 3, Flags: []string{"pending"}, TimeoutSeconds: 60})
		s.Clock.Advance(59 * time.Second)
		time.Sleep(20 * time.Millisecond) // twenty pulse intervals: nothing is due
		if got := s.Transfer(t, uuid(200)).State; got != "pending" {
			t.Fatalf("state before the timeout: got %q, want pending", got)
		}
		s.Clock.Advance(2 * time.Second)
		// No batch is sent: the Service's pulse expires it.
		eventually(t, 5*time.Second, "the pulse expires the transfer", func() bool { return s.Transfer(t, uuid(200)).State == "expired" })
		s.MustBalances(t, rubAlice, balances{"0.00", "0.00", "0.00", "1000.00"})
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "0.00"})
		if got := s.CreateTransfers(t, transferIn{ID: uuid(201), PendingID: uuid(200), Flags: []string{"post_pending"}}); !slices.Equal(got, []string{"pending_transfer_expired"}) {
			t.Fatalf("post after expiry: got %v, want [pending_transfer_expired]", got)
		}
		s.MustBalances(t, rubBob, balances{"0.00", "0.00", "0.00", "0.00"})
	})
	t.Run("GetUnknownIs404Problem", func(t *testing.T) {
		s := newLedger(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/transfers/"+uuid(999), nil), http.StatusNotFound, "transfer_not_found", "id")
	})
	t.Run("GetWithBadIDIs400Problem", func(t *testing.T) {
		s := newLedger(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/transfers/0000", nil), http.StatusBadRequest, "id_syntax", "id")
	})
}

func transferEqual(a, b transfer) bool {
	return a.ID == b.ID && a.DebitAccountID == b.DebitAccountID && a.CreditAccountID == b.CreditAccountID &&
		a.Amount == b.Amount && a.Currency == b.Currency && a.Code == b.Code && slices.Equal(a.Flags, b.Flags) &&
		a.PendingID == b.PendingID && a.TimeoutSeconds == b.TimeoutSeconds && a.State == b.State && a.Timestamp == b.Timestamp
}

func TestBalances(t *testing.T) {
	t.Run("HistoryAccountListsBalancesAfterEachTransfer", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t,
			transferIn{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2},
			transferIn{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "2.00", Currency: "RUB", Code: 2, Flags: []string{"pending"}},
		)
		var page balancesPage
		s.MustGetJSON(t, "/v1/ledger/accounts/"+rubAlice+"/balances", &page)
		want := []struct {
			transfer string
			balances balances
		}{
			{uuid(100), balances{"0.00", "0.00", "0.00", "1000.00"}},
			{uuid(200), balances{"0.00", "1.00", "0.00", "1000.00"}},
			{uuid(201), balances{"2.00", "1.00", "0.00", "1000.00"}},
		}
		if len(page.Balances) != len(want) || page.NextCursor != "" {
			t.Fatalf("balances: got %+v, want %d entries and no cursor", page, len(want))
		}
		for i, b := range page.Balances {
			if b.TransferID != want[i].transfer || b.balances() != want[i].balances {
				t.Errorf("balance %d: got %s %v, want %s %v", i, b.TransferID, b.balances(), want[i].transfer, want[i].balances)
			}
			if _, err := time.Parse(time.RFC3339Nano, b.Timestamp); err != nil {
				t.Errorf("balance %d timestamp: got %q: %v", i, b.Timestamp, err)
			}
		}
	})
	t.Run("AccountWithoutHistoryIs409", func(t *testing.T) {
		s := newLedger(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/accounts/"+rubBob+"/balances", nil), http.StatusConflict, "account_without_history", "id")
	})
	t.Run("UnknownAccountIs404", func(t *testing.T) {
		s := newLedger(t)
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/accounts/"+uuid(999)+"/balances", nil), http.StatusNotFound, "account_not_found", "id")
	})
	t.Run("CursorPagesThroughAll", func(t *testing.T) {
		s := newLedger(t)
		// 1 from the set-up, then 9 in three batches, then two pending
		// transfers that expire together: their two entries share a
		// timestamp, and a page may end between them.
		for b := range 3 {
			var in []transferIn
			for i := range 3 {
				in = append(in, transferIn{ID: uuid(uint64(200 + b*3 + i)), DebitAccountID: irrFunding, CreditAccountID: irrCyrus, Amount: "1", Currency: "IRR", Code: 2})
			}
			s.MustTransfers(t, in...)
		}
		s.MustTransfers(t,
			transferIn{ID: uuid(300), DebitAccountID: irrFunding, CreditAccountID: irrCyrus, Amount: "5", Currency: "IRR", Code: 3, Flags: []string{"pending"}, TimeoutSeconds: 1},
			transferIn{ID: uuid(301), DebitAccountID: irrFunding, CreditAccountID: irrCyrus, Amount: "7", Currency: "IRR", Code: 3, Flags: []string{"pending"}, TimeoutSeconds: 1},
		)
		s.Clock.Advance(2 * time.Second)
		eventually(t, 5*time.Second, "both pending transfers expire", func() bool {
			return s.Transfer(t, uuid(300)).State == "expired" && s.Transfer(t, uuid(301)).State == "expired"
		})
		var whole balancesPage
		s.MustGetJSON(t, "/v1/ledger/accounts/"+irrCyrus+"/balances?limit=1000", &whole)
		if len(whole.Balances) != 13 {
			t.Fatalf("history: got %d entries, want 13 (9 transfers, 2 pending, 2 expiries)", len(whole.Balances))
		}
		if last := whole.Balances[12].balances(); last != (balances{"0", "0", "0", "9"}) {
			t.Fatalf("last balances: got %v, want 9 credits posted and nothing pending", last)
		}
		for limit := 1; limit <= 13; limit++ {
			t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
				var got []balance
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > 13 {
						t.Fatalf("paging does not end: cursor %q", cursor)
					}
					var page balancesPage
					s.MustGetJSON(t, "/v1/ledger/accounts/"+irrCyrus+"/balances?limit="+strconv.Itoa(limit)+"&cursor="+url.QueryEscape(cursor), &page)
					if len(page.Balances) > limit {
						t.Fatalf("page: got %d entries, want at most %d", len(page.Balances), limit)
					}
					got = append(got, page.Balances...)
					if page.NextCursor == "" {
						break
					}
					cursor = page.NextCursor
				}
				if !slices.Equal(got, whole.Balances) {
					t.Fatalf("pages: got %d entries %v, want %d entries %v", len(got), entryKeys(got), len(whole.Balances), entryKeys(whole.Balances))
				}
			})
		}
	})
}

// entryKeys shortens balances to "transfer@timestamp" for messages.
func entryKeys(bs []balance) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.TransferID[len(b.TransferID)-4:] + "@" + b.Timestamp
	}
	return out
}

func TestTotals(t *testing.T) {
	t.Run("EmptyLedgerHasNoTotals", func(t *testing.T) {
		if got := NewTestServer(t).Totals(t); len(got) != 0 {
			t.Fatalf("totals: got %v, want none", got)
		}
	})
	t.Run("BalancedPerCurrency", func(t *testing.T) {
		s := newLedger(t)
		s.MustTransfers(t,
			transferIn{ID: uuid(200), DebitAccountID: irrFunding, CreditAccountID: irrCyrus, Amount: "5234000", Currency: "IRR", Code: 2},
			transferIn{ID: uuid(201), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "0.07", Currency: "RUB", Code: 2, Flags: []string{"pending"}},
		)
		got := s.Totals(t)
		want := map[string]total{
			"IRR": {"IRR", "0", "5234000", "0", "5234000", true},
			"RUB": {"RUB", "0.07", "1000.00", "0.07", "1000.00", true},
		}
		if len(got) != len(want) || got["IRR"] != want["IRR"] || got["RUB"] != want["RUB"] {
			t.Fatalf("totals: got %+v, want %+v", got, want)
		}
		var page totalsPage
		s.MustGetJSON(t, "/v1/ledger/totals", &page)
		if page.Totals[0].Currency != "IRR" || page.Totals[1].Currency != "RUB" {
			t.Fatalf("order: got %s, %s, want IRR, RUB (by code)", page.Totals[0].Currency, page.Totals[1].Currency)
		}
	})
}

func TestService(t *testing.T) {
	s := newLedger(t)
	t.Run("HealthzAnswersOKWithoutAToken", func(t *testing.T) {
		var got map[string]string
		MustJSON(t, s.DoToken(t, "GET", "/healthz", nil, ""), http.StatusOK, &got)
		if got["status"] != "ok" || len(got) != 1 {
			t.Fatalf("healthz: got %v, want {status: ok}", got)
		}
	})
	t.Run("MetricsExposeThePipeline", func(t *testing.T) {
		resp := s.DoToken(t, "GET", "/metrics", nil, "")
		if resp.Status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics: got %d %q, want 200 text/plain", resp.Status, resp.Header.Get("Content-Type"))
		}
		body := string(resp.Body)
		for _, want := range []string{
			`astara_ledger_batches_total{op="create_accounts"} 1`,
			`astara_ledger_batches_total{op="create_transfers"} 1`,
			`astara_ledger_events_total{op="create_transfers",outcome="ok"} 1`,
			"astara_ledger_batch_events_bucket",
			"astara_ledger_batch_events_count 2",
			"astara_journal_fsync_seconds_bucket",
			"astara_journal_commits_total",
			`astara_http_requests_total{code="200",route="POST /v1/ledger/transfers"} 1`,
			"go_goroutines",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: got no %q in\n%s", want, body)
			}
		}
	})
	t.Run("MetricsShowWhatTheEngineKeepsInMemory", func(t *testing.T) {
		// Bob holds nothing: a transfer from him fails for a reason of
		// the moment, and its id is remembered.
		if got := s.CreateTransfers(t, transferIn{ID: uuid(101), DebitAccountID: rubBob, CreditAccountID: rubAlice, Amount: "1.00", Currency: "RUB", Code: 1}); !slices.Equal(got, []string{"exceeds_credits"}) {
			t.Fatalf("a transfer from an empty account: got %v, want [exceeds_credits]", got)
		}
		body := string(s.DoToken(t, "GET", "/metrics", nil, "").Body)
		for _, want := range []string{
			"astara_ledger_transfers 1\n",
			"astara_ledger_transfers_in_memory 1\n",
			"astara_ledger_pending_open 0\n",
			"astara_ledger_failed_ids 1\n",
			// The filter's first segment, a million ids at 16 bits (2
			// MiB); the index at its smallest, 16 buckets of 64 bytes.
			`astara_ledger_memory_bytes{part="id_filter"} 2.097152e+06` + "\n",
			`astara_ledger_memory_bytes{part="id_index"} 1024` + "\n",
			// The failed id joined a filter of its own, at 32 bits an id.
			`astara_ledger_memory_bytes{part="failed_id_filter"} 4.194304e+06` + "\n",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: got no %q in\n%s", want, body)
			}
		}
	})
	t.Run("IndexAnswersWithoutAToken", func(t *testing.T) {
		resp := s.DoToken(t, "GET", "/", nil, "")
		if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "/openapi.json") {
			t.Fatalf("index: got %d %s, want 200 naming /openapi.json", resp.Status, resp.Body)
		}
	})
	t.Run("UnknownRouteIs404Problem", func(t *testing.T) {
		MustProblem(t, s.Do(t, "GET", "/v1/ledger/nothing", nil), http.StatusNotFound, "not_found", "")
	})
}

// TestBatchEventsMax goes to the limit and one past it.
func TestBatchEventsMax(t *testing.T) {
	s := newLedger(t)
	t.Run("TransfersAtTheLimitAreAccepted", func(t *testing.T) {
		var page resultsPage
		MustJSON(t, s.Do(t, "POST", "/v1/ledger/transfers", transfersBody(1_000_000, ledger.BatchEventsMax, 3)), http.StatusOK, &page)
		if len(page.Results) != ledger.BatchEventsMax {
			t.Fatalf("results: got %d, want %d", len(page.Results), ledger.BatchEventsMax)
		}
		for i, r := range page.Results {
			if r.Result != "ok" || r.ID != uuid(1_000_000+uint64(i)) {
				t.Fatalf("result %d: got %+v, want ok for %s", i, r, uuid(1_000_000+uint64(i)))
			}
		}
	})
	t.Run("AccountsAtTheLimitAreAccepted", func(t *testing.T) {
		in := make([]accountIn, ledger.BatchEventsMax)
		for i := range in {
			in[i] = accountIn{ID: uuid(2_000_000 + uint64(i)), Currency: "USD", Code: 1}
		}
		s.MustAccounts(t, in...)
	})
}

// TestConcurrentClients sends batches from many clients at once: group
// commit shares fsyncs between them, and every batch must be applied once
// and answered with its own results.
func TestConcurrentClients(t *testing.T) {
	const (
		clients   = 8
		batches   = 10
		transfers = 25
	)
	s := newLedger(t)
	var wg sync.WaitGroup
	errs := make(chan error, clients*batches)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				first := uint64(1_000_000 + (c*batches+b)*transfers)
				resp := s.Do(t, "POST", "/v1/ledger/transfers", transfersBody(first, transfers, 3))
				var page resultsPage
				if err := json.Unmarshal(resp.Body, &page); err != nil || resp.Status != http.StatusOK || len(page.Results) != transfers {
					errs <- fmt.Errorf("client %d batch %d: got %d %s, want 200 with %d results", c, b, resp.Status, resp.Body, transfers)
					return
				}
				for i, r := range page.Results {
					if r.ID != uuid(first+uint64(i)) || r.Result != "ok" {
						errs <- fmt.Errorf("client %d batch %d result %d: got %+v, want ok for %s", c, b, i, r, uuid(first+uint64(i)))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	s.Service.View(func(e *ledger.Engine) { n = e.TransfersCount() })
	if want := 1 + clients*batches*transfers; n != want {
		t.Fatalf("transfers: got %d, want %d", n, want)
	}
}
