package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"astara/ledger"
	"astara/money"
)

var accountFlagNames = []struct {
	flag ledger.AccountFlags
	name string
}{
	{ledger.AccountDebitsMustNotExceedCredits, "debits_must_not_exceed_credits"},
	{ledger.AccountCreditsMustNotExceedDebits, "credits_must_not_exceed_debits"},
	{ledger.AccountHistory, "history"},
	{ledger.AccountLinked, "linked"},
}

var transferFlagNames = []struct {
	flag ledger.TransferFlags
	name string
}{
	{ledger.TransferLinked, "linked"},
	{ledger.TransferPending, "pending"},
	{ledger.TransferPostPending, "post_pending"},
	{ledger.TransferVoidPending, "void_pending"},
}

// accountRequest is an ACCOUNT as a client sends it.
type accountRequest struct {
	ID       string   `json:"id"`
	Currency string   `json:"currency"`
	Code     int64    `json:"code"`
	Flags    []string `json:"flags"`
}

// transferRequest is a TRANSFER as a client sends it.
type transferRequest struct {
	ID              string   `json:"id"`
	DebitAccountID  string   `json:"debit_account_id"`
	CreditAccountID string   `json:"credit_account_id"`
	Amount          string   `json:"amount"`
	Currency        string   `json:"currency"`
	Code            int64    `json:"code"`
	Flags           []string `json:"flags"`
	PendingID       string   `json:"pending_id"`
	TimeoutSeconds  int64    `json:"timeout_seconds"`
}

// accountResponse is an ACCOUNT as the API writes it.
type accountResponse struct {
	ID             string   `json:"id"`
	Currency       string   `json:"currency"`
	Code           uint16   `json:"code"`
	Flags          []string `json:"flags"`
	DebitsPending  string   `json:"debits_pending"`
	DebitsPosted   string   `json:"debits_posted"`
	CreditsPending string   `json:"credits_pending"`
	CreditsPosted  string   `json:"credits_posted"`
	Timestamp      string   `json:"timestamp"`
}

type transferResponse struct {
	ID              string   `json:"id"`
	DebitAccountID  string   `json:"debit_account_id"`
	CreditAccountID string   `json:"credit_account_id"`
	Amount          string   `json:"amount"`
	Currency        string   `json:"currency"`
	Code            uint16   `json:"code"`
	Flags           []string `json:"flags"`
	PendingID       string   `json:"pending_id,omitempty"`
	TimeoutSeconds  uint32   `json:"timeout_seconds,omitempty"`
	State           string   `json:"state,omitempty"`
	Timestamp       string   `json:"timestamp"`
}

type resultResponse struct {
	ID     string `json:"id"`
	Result string `json:"result"`
}

// decodeBody reads a JSON body strictly: a size limit, no unknown fields,
// nothing after the value.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) *Problem {
	body := http.MaxBytesReader(w, r.Body, RequestBodyBytesMax)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return jsonProblem(err)
		}
		return problem(http.StatusBadRequest, "json_trailing_data", "", "the body holds more than one JSON value")
	}
	return nil
}

func jsonProblem(err error) *Problem {
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "the body exceeds %d bytes", RequestBodyBytesMax)
	case errors.As(err, &syntaxErr):
		return problem(http.StatusBadRequest, "json_syntax", "", "the body is not valid JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.As(err, &typeErr):
		return problem(http.StatusBadRequest, "json_type", typeErr.Field, "field %q must be a JSON %s", typeErr.Field, typeErr.Type)
	case errors.Is(err, io.EOF):
		return problem(http.StatusBadRequest, "json_empty", "", "the body is empty")
	}
	// encoding/json reports unknown fields only as text.
	return problem(http.StatusBadRequest, "json_invalid", "", "%v", err)
}

func parseID(s, field string, required bool) (ledger.ID, *Problem) {
	if s == "" {
		if required {
			return ledger.ID{}, problem(http.StatusBadRequest, "field_required", field, "%s is required", field)
		}
		return ledger.ID{}, nil
	}
	id, err := ledger.ParseID(s)
	if err != nil {
		return id, problem(http.StatusBadRequest, "id_syntax", field, "%s: %v", field, err)
	}
	return id, nil
}

func parseCurrency(s, field string) (money.Currency, *Problem) {
	c, err := money.CurrencyByString(s)
	if err != nil {
		var ce *money.CurrencyError
		code := "currency_unknown"
		if errors.As(err, &ce) {
			code = string(ce.Rule)
		}
		return c, problem(http.StatusBadRequest, code, field, "%s: %q is not a currency of the ISO 4217 table (%s)", field, s, money.TableVersion)
	}
	return c, nil
}

func parseAmount(s string, c money.Currency, field string) (money.Amount, *Problem) {
	a, err := money.ParseAmount(s, c)
	if err != nil {
		var ae *money.AmountError
		code := "amount_syntax"
		if errors.As(err, &ae) {
			code = string(ae.Rule)
		}
		return a, problem(http.StatusBadRequest, code, field, "%s: %v", field, err)
	}
	return a, nil
}

func parseCode(v int64, field string) (uint16, *Problem) {
	if v < 0 || v > 65535 {
		return 0, problem(http.StatusBadRequest, "code_out_of_range", field, "%s must be an integer from 1 to 65535", field)
	}
	return uint16(v), nil
}

func (s *Server) createAccounts(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Accounts []accountRequest `json:"accounts"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if len(req.Accounts) == 0 {
		writeProblem(w, problem(http.StatusBadRequest, "batch_empty", "accounts", "accounts must hold at least one account"))
		return
	}
	if len(req.Accounts) > ledger.BatchEventsMax {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "batch_too_large", "accounts", "accounts holds %d items; a batch holds at most %d", len(req.Accounts), ledger.BatchEventsMax))
		return
	}
	accounts := make([]ledger.Account, len(req.Accounts))
	for i, a := range req.Accounts {
		f := func(name string) string { return fmt.Sprintf("accounts[%d].%s", i, name) }
		var p *Problem
		if accounts[i].ID, p = parseID(a.ID, f("id"), false); p != nil {
			writeProblem(w, p)
			return
		}
		c, p := parseCurrency(a.Currency, f("currency"))
		if p != nil {
			writeProblem(w, p)
			return
		}
		accounts[i].Currency = c.Code
		if accounts[i].Code, p = parseCode(a.Code, f("code")); p != nil {
			writeProblem(w, p)
			return
		}
		for j, name := range a.Flags {
			flag, ok := lookupFlag(accountFlagNames, name)
			if !ok {
				writeProblem(w, problem(http.StatusBadRequest, "flag_unknown", fmt.Sprintf("accounts[%d].flags[%d]", i, j), "%q is not an account flag", name))
				return
			}
			accounts[i].Flags |= flag
		}
	}
	results, err := s.ledger.CreateAccounts(r.Context(), accounts)
	if err != nil {
		writeProblem(w, serviceProblem(err))
		return
	}
	out := make([]resultResponse, len(results))
	for i, res := range results {
		out[i] = resultResponse{ID: accounts[i].ID.String(), Result: res.String()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func lookupFlag[F ~uint16](names []struct {
	flag F
	name string
}, name string) (F, bool) {
	for _, n := range names {
		if n.name == name {
			return n.flag, true
		}
	}
	return 0, false
}

func flagNames[F ~uint16](names []struct {
	flag F
	name string
}, flags F) []string {
	out := []string{}
	for _, n := range names {
		if flags&n.flag != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func (s *Server) createTransfers(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Transfers []transferRequest `json:"transfers"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if len(req.Transfers) == 0 {
		writeProblem(w, problem(http.StatusBadRequest, "batch_empty", "transfers", "transfers must hold at least one transfer"))
		return
	}
	if len(req.Transfers) > ledger.BatchEventsMax {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "batch_too_large", "transfers", "transfers holds %d items; a batch holds at most %d", len(req.Transfers), ledger.BatchEventsMax))
		return
	}
	transfers := make([]ledger.Transfer, len(req.Transfers))
	for i := range req.Transfers {
		if p := parseTransfer(&req.Transfers[i], &transfers[i], i); p != nil {
			writeProblem(w, p)
			return
		}
	}
	results, err := s.ledger.CreateTransfers(r.Context(), transfers)
	if err != nil {
		writeProblem(w, serviceProblem(err))
		return
	}
	out := make([]resultResponse, len(results))
	for i, res := range results {
		out[i] = resultResponse{ID: transfers[i].ID.String(), Result: res.String()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func parseTransfer(t *transferRequest, out *ledger.Transfer, i int) *Problem {
	f := func(name string) string { return fmt.Sprintf("transfers[%d].%s", i, name) }
	var p *Problem
	for j, name := range t.Flags {
		flag, ok := lookupFlag(transferFlagNames, name)
		if !ok {
			return problem(http.StatusBadRequest, "flag_unknown", fmt.Sprintf("transfers[%d].flags[%d]", i, j), "%q is not a transfer flag", name)
		}
		out.Flags |= flag
	}
	// A post or void may leave the accounts, currency, code and amount out:
	// they are taken from the pending transfer.
	resolving := out.Flags&(ledger.TransferPostPending|ledger.TransferVoidPending) != 0
	if out.ID, p = parseID(t.ID, f("id"), false); p != nil {
		return p
	}
	if out.DebitAccountID, p = parseID(t.DebitAccountID, f("debit_account_id"), !resolving); p != nil {
		return p
	}
	if out.CreditAccountID, p = parseID(t.CreditAccountID, f("credit_account_id"), !resolving); p != nil {
		return p
	}
	if out.PendingID, p = parseID(t.PendingID, f("pending_id"), false); p != nil {
		return p
	}
	if out.Code, p = parseCode(t.Code, f("code")); p != nil {
		return p
	}
	if t.TimeoutSeconds < 0 || t.TimeoutSeconds > ledger.TimeoutSecondsMax {
		return problem(http.StatusBadRequest, "timeout_out_of_range", f("timeout_seconds"), "%s must be from 0 to %d seconds", f("timeout_seconds"), ledger.TimeoutSecondsMax)
	}
	out.TimeoutSeconds = uint32(t.TimeoutSeconds)
	if t.Currency == "" && (!resolving || t.Amount != "") {
		return problem(http.StatusBadRequest, "field_required", f("currency"), "%s is required (it sets the amount's decimals)", f("currency"))
	}
	if t.Currency != "" {
		c, p := parseCurrency(t.Currency, f("currency"))
		if p != nil {
			return p
		}
		out.Currency = c.Code
		if t.Amount == "" && !resolving {
			return problem(http.StatusBadRequest, "field_required", f("amount"), "%s is required", f("amount"))
		}
		if t.Amount != "" {
			if out.Amount, p = parseAmount(t.Amount, c, f("amount")); p != nil {
				return p
			}
		}
	}
	return nil
}

func formatTimestamp(ns uint64) string {
	return time.Unix(0, int64(ns)).UTC().Format(time.RFC3339Nano)
}

func accountJSON(a *ledger.Account) accountResponse {
	c, _ := money.LookupCurrency(a.Currency)
	return accountResponse{
		ID:             a.ID.String(),
		Currency:       a.Currency.String(),
		Code:           a.Code,
		Flags:          flagNames(accountFlagNames, a.Flags),
		DebitsPending:  money.FormatAmount(a.DebitsPending, c),
		DebitsPosted:   money.FormatAmount(a.DebitsPosted, c),
		CreditsPending: money.FormatAmount(a.CreditsPending, c),
		CreditsPosted:  money.FormatAmount(a.CreditsPosted, c),
		Timestamp:      formatTimestamp(a.Timestamp),
	}
}

func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (ledger.ID, bool) {
	id, err := ledger.ParseID(r.PathValue("id"))
	if err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "id_syntax", "id", "the id in the path: %v", err))
		return id, false
	}
	return id, true
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var a ledger.Account
	s.ledger.View(func(e *ledger.Engine) { a, ok = e.LookupAccount(id) })
	if !ok {
		writeProblem(w, problem(http.StatusNotFound, "account_not_found", "id", "no account %s", id))
		return
	}
	writeJSON(w, http.StatusOK, accountJSON(&a))
}

func parseLimit(r *http.Request) (int, *Problem) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return ListLimitDefault, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > ListLimitMax {
		return 0, problem(http.StatusBadRequest, "limit_out_of_range", "limit", "limit must be an integer from 1 to %d", ListLimitMax)
	}
	return n, nil
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	limit, p := parseLimit(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	q := r.URL.Query()
	var currency money.Code
	if v := q.Get("currency"); v != "" {
		c, p := parseCurrency(v, "currency")
		if p != nil {
			writeProblem(w, p)
			return
		}
		currency = c.Code
	}
	start := 0
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "cursor", "cursor is not one this API returned"))
			return
		}
		start = n
	}
	out := make([]accountResponse, 0, min(limit, 64))
	next := ""
	s.ledger.View(func(e *ledger.Engine) {
		e.Accounts(start, func(i int, a *ledger.Account) bool {
			if len(out) == limit {
				next = strconv.Itoa(i)
				return false
			}
			if currency.IsZero() || a.Currency == currency {
				out = append(out, accountJSON(a))
			}
			return true
		})
	})
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out, "next_cursor": next})
}

func (s *Server) getAccountBalances(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	limit, p := parseLimit(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	var after uint64
	if v := r.URL.Query().Get("cursor"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "cursor", "cursor is not one this API returned"))
			return
		}
		after = n
	}
	var a ledger.Account
	var balances []ledger.Balance
	s.ledger.View(func(e *ledger.Engine) {
		if a, ok = e.LookupAccount(id); ok {
			balances, _ = e.AccountBalances(id, after, limit)
		}
	})
	if !ok {
		writeProblem(w, problem(http.StatusNotFound, "account_not_found", "id", "no account %s", id))
		return
	}
	if a.Flags&ledger.AccountHistory == 0 {
		writeProblem(w, problem(http.StatusConflict, "account_without_history", "id", "account %s was created without the history flag", id))
		return
	}
	c, _ := money.LookupCurrency(a.Currency)
	type balanceJSON struct {
		TransferID     string `json:"transfer_id"`
		Timestamp      string `json:"timestamp"`
		DebitsPending  string `json:"debits_pending"`
		DebitsPosted   string `json:"debits_posted"`
		CreditsPending string `json:"credits_pending"`
		CreditsPosted  string `json:"credits_posted"`
	}
	out := make([]balanceJSON, len(balances))
	for i, b := range balances {
		out[i] = balanceJSON{b.TransferID.String(), formatTimestamp(b.Timestamp),
			money.FormatAmount(b.DebitsPending, c), money.FormatAmount(b.DebitsPosted, c),
			money.FormatAmount(b.CreditsPending, c), money.FormatAmount(b.CreditsPosted, c)}
	}
	next := ""
	if len(balances) == limit {
		next = strconv.FormatUint(balances[len(balances)-1].Timestamp, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"balances": out, "next_cursor": next})
}

func (s *Server) getTransfer(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var t ledger.Transfer
	var state ledger.PendingState
	s.ledger.View(func(e *ledger.Engine) { t, state, ok = e.LookupTransfer(id) })
	if !ok {
		writeProblem(w, problem(http.StatusNotFound, "transfer_not_found", "id", "no transfer %s", id))
		return
	}
	c, _ := money.LookupCurrency(t.Currency)
	out := transferResponse{
		ID:              t.ID.String(),
		DebitAccountID:  t.DebitAccountID.String(),
		CreditAccountID: t.CreditAccountID.String(),
		Amount:          money.FormatAmount(t.Amount, c),
		Currency:        t.Currency.String(),
		Code:            t.Code,
		Flags:           flagNames(transferFlagNames, t.Flags),
		TimeoutSeconds:  t.TimeoutSeconds,
		State:           state.String(),
		Timestamp:       formatTimestamp(t.Timestamp),
	}
	if !t.PendingID.IsZero() {
		out.PendingID = t.PendingID.String()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTotals(w http.ResponseWriter, r *http.Request) {
	var totals map[money.Code]ledger.Totals
	s.ledger.View(func(e *ledger.Engine) { totals = e.Totals() })
	type totalJSON struct {
		Currency       string `json:"currency"`
		DebitsPending  string `json:"debits_pending"`
		DebitsPosted   string `json:"debits_posted"`
		CreditsPending string `json:"credits_pending"`
		CreditsPosted  string `json:"credits_posted"`
		Balanced       bool   `json:"balanced"`
	}
	out := make([]totalJSON, 0, len(totals))
	for code, t := range totals {
		c, _ := money.LookupCurrency(code)
		out = append(out, totalJSON{code.String(), money.FormatAmount(t.DebitsPending, c), money.FormatAmount(t.DebitsPosted, c),
			money.FormatAmount(t.CreditsPending, c), money.FormatAmount(t.CreditsPosted, c), t.Balanced()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	writeJSON(w, http.StatusOK, map[string]any{"totals": out})
}
