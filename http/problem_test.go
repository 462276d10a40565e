package http_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	astarahttp "astara/http"
	"astara/ledger"
)

// validTransfers returns n transfers that would all succeed on newLedger's
// accounts; a case spoils one of them.
func validTransfers(n int) []transferIn {
	out := make([]transferIn, n)
	for i := range out {
		out[i] = transferIn{ID: uuid(uint64(500 + i)), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "1.00", Currency: "RUB", Code: 2}
	}
	return out
}

// spoil returns a batch of five valid transfers, the fourth (index 3)
// changed by fn: a bad item late in a batch must leave the good ones before
// it unapplied too.
func spoil(fn func(t *transferIn)) transfersIn {
	in := validTransfers(5)
	fn(&in[3])
	return transfersIn{in}
}

func spoilAccount(fn func(a *accountIn)) accountsIn {
	in := []accountIn{
		{ID: uuid(600), Currency: "RUB", Code: 1},
		{ID: uuid(601), Currency: "RUB", Code: 1},
	}
	fn(&in[1])
	return accountsIn{in}
}

// TestBadRequests sends each kind of bad request and requires a
// problem+json with the status, code and field of the rule it breaks, and
// then that nothing was applied: no account, no transfer, no journal entry,
// the same totals.
func TestBadRequests(t *testing.T) {
	const (
		transfers = "/v1/ledger/transfers"
		accounts  = "/v1/ledger/accounts"
	)
	over := make([]transferIn, ledger.BatchEventsMax+1)
	for i := range over {
		over[i] = validTransfers(1)[0]
		over[i].ID = uuid(uint64(10_000 + i))
	}
	overAccounts := make([]accountIn, ledger.BatchEventsMax+1)
	for i := range overAccounts {
		overAccounts[i] = accountIn{ID: uuid(uint64(10_000 + i)), Currency: "RUB", Code: 1}
	}
	valid, _ := jsonString(transfersIn{validTransfers(2)})
	tests := []struct {
		rule   string
		method string
		path   string
		body   any
		token  string // "-" sends none
		status int
		code   string
		field  string
	}{
		// Authentication.
		{"NoTokenIs401", "POST", transfers, transfersIn{validTransfers(1)}, "-", 401, "unauthenticated", ""},
		{"WrongTokenIs401", "POST", transfers, transfersIn{validTransfers(1)}, "not-the-token", 401, "invalid_token", ""},
		{"TokenIsCaseSensitive", "POST", transfers, transfersIn{validTransfers(1)}, strings.ToUpper(adminToken), 401, "invalid_token", ""},
		{"NoTokenOnAReadIs401", "GET", "/v1/ledger/totals", nil, "-", 401, "unauthenticated", ""},
		{"NoTokenOnAccountsIs401", "POST", accounts, accountsIn{[]accountIn{{ID: uuid(600), Currency: "RUB", Code: 1}}}, "-", 401, "unauthenticated", ""},

		// The body as JSON.
		{"UnknownFieldIs400", "POST", transfers, `{"transfers":[{"id":"` + uuid(500) + `","memo":"x"}]}`, "", 400, "json_invalid", ""},
		{"UnknownTopLevelFieldIs400", "POST", accounts, `{"accounts":[],"dry_run":true}`, "", 400, "json_invalid", "dry_run"},
		{"TopLevelFieldNameIsExact", "POST", transfers, `{"Transfers":[]}`, "", 400, "json_invalid", "Transfers"},
		{"BatchTwiceIs400", "POST", transfers, `{"transfers":[{"id":"` + uuid(500) + `","debit_account_id":"` + rubAlice + `","credit_account_id":"` + rubBob + `","amount":"7.00","currency":"RUB","code":2}],"transfers":[{"id":"` + uuid(501) + `"}]}`, "", 400, "json_duplicate_field", "transfers"},
		{"BodyNotAnObjectIs400", "POST", transfers, `[{"id":"` + uuid(500) + `"}]`, "", 400, "json_type", ""},
		{"BodyAStringIs400", "POST", accounts, `"accounts"`, "", 400, "json_type", ""},
		{"BatchNotAnArrayIs400", "POST", transfers, `{"transfers":{"id":"` + uuid(500) + `"}}`, "", 400, "json_type", "transfers"},
		{"UnclosedBodyIs400", "POST", transfers, valid[:len(valid)-1], "", 400, "json_syntax", ""},
		{"TrailingCommaIs400", "POST", transfers, valid[:len(valid)-1] + `,}`, "", 400, "json_syntax", ""},
		{"TrailingValueIs400", "POST", transfers, valid + ` {}`, "", 400, "json_trailing_data", ""},
		{"TrailingGarbageIs400", "POST", transfers, valid + ` x`, "", 400, "json_trailing_data", ""},
		{"TrailingBraceIs400", "POST", transfers, valid + `}`, "", 400, "json_trailing_data", ""},
		{"EmptyBodyIs400", "POST", transfers, "", "", 400, "json_empty", ""},
		{"SyntaxErrorIs400", "POST", transfers, `{"transfers":[{"id":}]}`, "", 400, "json_syntax", ""},
		{"TruncatedBodyIs400", "POST", transfers, valid[:len(valid)-3], "", 400, "json_syntax", ""},
		{"WrongJSONTypeIs400", "POST", transfers, `{"transfers":[{"code":"1"}]}`, "", 400, "json_type", "transfers.code"},
		{"BodyOverRequestBodyBytesMaxIs413", "POST", transfers, `{"transfers":[` + strings.Repeat(" ", astarahttp.RequestBodyBytesMax) + `]}`, "", 413, "body_too_large", ""},
		{"BodyOverRequestBodyBytesMaxAfterAValueIs413", "POST", transfers, valid + strings.Repeat(" ", astarahttp.RequestBodyBytesMax), "", 413, "body_too_large", ""},

		// The batch.
		{"EmptyBatchIs400", "POST", transfers, `{"transfers":[]}`, "", 400, "batch_empty", "transfers"},
		{"MissingBatchIs400", "POST", transfers, `{}`, "", 400, "batch_empty", "transfers"},
		{"NullBodyIs400", "POST", accounts, `null`, "", 400, "batch_empty", "accounts"},
		{"EmptyAccountsBatchIs400", "POST", accounts, `{"accounts":[]}`, "", 400, "batch_empty", "accounts"},
		{"OnePastBatchEventsMaxIs413", "POST", transfers, transfersIn{over}, "", 413, "batch_too_large", "transfers"},
		{"OnePastBatchEventsMaxAccountsIs413", "POST", accounts, accountsIn{overAccounts}, "", 413, "batch_too_large", "accounts"},

		// Ids.
		{"BadUUIDNamesTheField", "POST", transfers, spoil(func(t *transferIn) { t.DebitAccountID = "not-a-uuid" }), "", 400, "id_syntax", "transfers[3].debit_account_id"},
		{"UUIDWithoutHyphensIs400", "POST", transfers, spoil(func(t *transferIn) { t.ID = strings.ReplaceAll(uuid(7), "-", "") }), "", 400, "id_syntax", "transfers[3].id"},
		{"UUIDWithBadDigitIs400", "POST", transfers, spoil(func(t *transferIn) { t.CreditAccountID = "0000000g-0000-0000-0000-000000000001" }), "", 400, "id_syntax", "transfers[3].credit_account_id"},
		{"BadPendingIDIs400", "POST", transfers, spoil(func(t *transferIn) { t.PendingID = "x"; t.Flags = []string{"post_pending"} }), "", 400, "id_syntax", "transfers[3].pending_id"},
		{"MissingDebitAccountIs400", "POST", transfers, spoil(func(t *transferIn) { t.DebitAccountID = "" }), "", 400, "field_required", "transfers[3].debit_account_id"},
		{"MissingCreditAccountIs400", "POST", transfers, spoil(func(t *transferIn) { t.CreditAccountID = "" }), "", 400, "field_required", "transfers[3].credit_account_id"},
		{"BadAccountIDIs400", "POST", accounts, spoilAccount(func(a *accountIn) { a.ID = "{" + uuid(601) + "}" }), "", 400, "id_syntax", "accounts[1].id"},

		// Amounts.
		{"AmountWithTooManyDecimalsNamesTheFieldAndRule", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "1.001" }), "", 400, "amount_too_many_decimals", "transfers[3].amount"},
		{"AmountWithAFractionOfARialIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount, t.Currency = "1.5", "IRR" }), "", 400, "amount_below_minor_unit", "transfers[3].amount"},
		{"AmountWithMoreThanISOsDigitsInRialsIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount, t.Currency = "1.000", "IRR" }), "", 400, "amount_too_many_decimals", "transfers[3].amount"},
		{"NegativeAmountIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "-1.00" }), "", 400, "amount_syntax", "transfers[3].amount"},
		{"AmountWithExponentIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "1e3" }), "", 400, "amount_syntax", "transfers[3].amount"},
		{"AmountWithPlusSignIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "+1.00" }), "", 400, "amount_syntax", "transfers[3].amount"},
		{"AmountWithGroupingIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "1,000.00" }), "", 400, "amount_syntax", "transfers[3].amount"},
		{"AmountWithTrailingDotIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "1." }), "", 400, "amount_syntax", "transfers[3].amount"},
		{"AmountAsJSONNumberIs400", "POST", transfers, `{"transfers":[{"amount":1.5}]}`, "", 400, "json_type", "transfers.amount"},
		{"AmountBeyond128BitsIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "3402823669209384634633746074317682114.56" }), "", 400, "amount_overflow", "transfers[3].amount"},
		{"AmountTooLongIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = strings.Repeat("0", 65) }), "", 400, "amount_too_long", "transfers[3].amount"},
		{"MissingAmountIs400", "POST", transfers, spoil(func(t *transferIn) { t.Amount = "" }), "", 400, "field_required", "transfers[3].amount"},

		// Currencies.
		{"UnknownCurrencyIs400", "POST", transfers, spoil(func(t *transferIn) { t.Currency = "QQQ" }), "", 400, "currency_unknown", "transfers[3].currency"},
		{"LowerCaseCurrencyIs400", "POST", transfers, spoil(func(t *transferIn) { t.Currency = "rub" }), "", 400, "currency_code_syntax", "transfers[3].currency"},
		{"MissingCurrencyIs400", "POST", transfers, spoil(func(t *transferIn) { t.Currency = "" }), "", 400, "field_required", "transfers[3].currency"},
		{"UnknownAccountCurrencyIs400", "POST", accounts, spoilAccount(func(a *accountIn) { a.Currency = "XYZ" }), "", 400, "currency_unknown", "accounts[1].currency"},
		{"UnknownListCurrencyIs400", "GET", accounts + "?currency=QQQ", nil, "", 400, "currency_unknown", "currency"},

		// Codes, flags, timeouts.
		{"CodeOutOfRangeIs400", "POST", transfers, spoil(func(t *transferIn) { t.Code = 70000 }), "", 400, "code_out_of_range", "transfers[3].code"},
		{"NegativeCodeIs400", "POST", transfers, spoil(func(t *transferIn) { t.Code = -1 }), "", 400, "code_out_of_range", "transfers[3].code"},
		{"AccountCodeOutOfRangeIs400", "POST", accounts, spoilAccount(func(a *accountIn) { a.Code = 65536 }), "", 400, "code_out_of_range", "accounts[1].code"},
		{"UnknownFlagIs400", "POST", transfers, spoil(func(t *transferIn) { t.Flags = []string{"pending", "instant"} }), "", 400, "flag_unknown", "transfers[3].flags[1]"},
		{"AccountFlagOnATransferIs400", "POST", transfers, spoil(func(t *transferIn) { t.Flags = []string{"history"} }), "", 400, "flag_unknown", "transfers[3].flags[0]"},
		{"UnknownAccountFlagIs400", "POST", accounts, spoilAccount(func(a *accountIn) { a.Flags = []string{"overdraft"} }), "", 400, "flag_unknown", "accounts[1].flags[0]"},
		{"TimeoutOverTimeoutSecondsMaxIs400", "POST", transfers, spoil(func(t *transferIn) { t.Flags, t.TimeoutSeconds = []string{"pending"}, ledger.TimeoutSecondsMax+1 }), "", 400, "timeout_out_of_range", "transfers[3].timeout_seconds"},
		{"NegativeTimeoutIs400", "POST", transfers, spoil(func(t *transferIn) { t.Flags, t.TimeoutSeconds = []string{"pending"}, -1 }), "", 400, "timeout_out_of_range", "transfers[3].timeout_seconds"},

		// Listings.
		{"LimitZeroIs400", "GET", accounts + "?limit=0", nil, "", 400, "limit_out_of_range", "limit"},
		{"LimitOnePastListLimitMaxIs400", "GET", accounts + "?limit=" + strconv.Itoa(astarahttp.ListLimitMax+1), nil, "", 400, "limit_out_of_range", "limit"},
		{"LimitNotANumberIs400", "GET", accounts + "?limit=ten", nil, "", 400, "limit_out_of_range", "limit"},
		{"BadCursorIs400", "GET", accounts + "?cursor=abc", nil, "", 400, "cursor_invalid", "cursor"},
		{"NegativeCursorIs400", "GET", accounts + "?cursor=-1", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesLimitZeroIs400", "GET", accounts + "/" + rubAlice + "/balances?limit=0", nil, "", 400, "limit_out_of_range", "limit"},
		{"BalancesLimitOnePastListLimitMaxIs400", "GET", accounts + "/" + rubAlice + "/balances?limit=" + strconv.Itoa(astarahttp.ListLimitMax+1), nil, "", 400, "limit_out_of_range", "limit"},
		{"BalancesBadCursorIs400", "GET", accounts + "/" + rubAlice + "/balances?cursor=abc", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesCursorWithoutCountIs400", "GET", accounts + "/" + rubAlice + "/balances?cursor=1772442000000000000", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesCursorAtZeroIs400", "GET", accounts + "/" + rubAlice + "/balances?cursor=0.1", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesCursorCountingNoneIs400", "GET", accounts + "/" + rubAlice + "/balances?cursor=1772442000000000000.0", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesCursorWithHugeCountIs400", "GET", accounts + "/" + rubAlice + "/balances?cursor=1772442000000000000.9999999999", nil, "", 400, "cursor_invalid", "cursor"},
		{"BalancesBadIDIs400", "GET", accounts + "/xyz/balances", nil, "", 400, "id_syntax", "id"},

		// Routes.
		{"UnknownRouteIs404", "POST", "/v1/ledger/accounts/" + rubAlice, `{}`, "", 404, "not_found", ""},
	}
	s := newLedger(t)
	s.MustTransfers(t, transferIn{ID: uuid(101), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "3.00", Currency: "RUB", Code: 2, Flags: []string{"pending"}})
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			before := s.State(t)
			token := tt.token
			switch token {
			case "":
				token = adminToken
			case "-":
				token = ""
			}
			MustProblem(t, s.DoToken(t, tt.method, tt.path, tt.body, token), tt.status, tt.code, tt.field)
			if after := s.State(t); after != before {
				t.Fatalf("leaves nothing half done: got %+v after, want %+v as before", after, before)
			}
		})
	}
	t.Run("TheValidBatchIsAccepted", func(t *testing.T) {
		// The spoilt batches are all one change from this one.
		before := s.State(t)
		s.MustTransfers(t, validTransfers(5)...)
		if after := s.State(t); after.Transfers != before.Transfers+5 || after.LastSeq != before.LastSeq+1 {
			t.Fatalf("state: got %+v after, want five transfers and one entry more than %+v", after, before)
		}
	})
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// TestProblemHeaders checks what every problem answer carries besides its
// body.
func TestProblemHeaders(t *testing.T) {
	s := newLedger(t)
	t.Run("UnauthenticatedAsksForABearerToken", func(t *testing.T) {
		resp := s.DoToken(t, "GET", "/v1/ledger/totals", nil, "")
		if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
			t.Fatalf("WWW-Authenticate: got %q, want a Bearer challenge", got)
		}
	})
	t.Run("ProblemsAreNotSniffed", func(t *testing.T) {
		resp := s.Do(t, "GET", "/v1/ledger/accounts/"+uuid(999), nil)
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Fatalf("X-Content-Type-Options: got %q, want nosniff", got)
		}
	})
	t.Run("AuthorizationSchemeIsCaseInsensitive", func(t *testing.T) {
		req := newRequest(t, "GET", s.URL+"/v1/ledger/totals", nil, "")
		req.RequestURI = ""
		req.Header.Set("Authorization", "bearer "+adminToken)
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status: got %d, want 200", resp.StatusCode)
		}
	})
}
