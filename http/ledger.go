package http

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
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

// writeResults answers a batch with {"results": [RESULT, ...]}, one
// {"id", "result"} per item, in order. It writes the JSON itself, into one
// buffer of the right size, rather than through reflection: ids are hex
// digits and hyphens, result names lower case and underscores, so nothing
// needs escaping, and a full batch is 8190 results.
func writeResults(w http.ResponseWriter, results []ledger.Result, id func(int) ledger.ID) {
	const item = len(`{"id":"","result":""},`) + 36
	b := make([]byte, 0, len(`{"results":[]}`)+1+len(results)*(item+resultNameLenMax))
	b = append(b, `{"results":[`...)
	for i, r := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = appendID(b, id(i))
		b = append(b, `","result":"`...)
		b = append(b, r.String()...)
		b = append(b, `"}`...)
	}
	b = append(b, "]}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// resultNameLenMax is the length of the longest result name; a guess that
// is short only costs writeResults one more allocation.
const resultNameLenMax = len("transfer_must_have_the_same_currency_as_accounts")

// appendID appends id in the canonical form of ledger.ID.String without
// making a string of it.
func appendID(b []byte, id ledger.ID) []byte {
	b = hex.AppendEncode(b, id[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, id[10:16])
}

// The typical size of one item of a batch in JSON, to size the slice a
// batch is decoded into: growing it one doubling at a time cost a full
// batch of transfers a few percent of its decoding time in copies.
const (
	transferRequestBytesTypical = 160
	accountRequestBytesTypical  = 80
)

// batchCapacity guesses the items of a batch from the length of the body,
// when the client sent one within the limit, up to one past the most a
// batch holds (enough to refuse it).
func batchCapacity(r *http.Request, itemBytes int) int {
	if r.ContentLength <= 0 || r.ContentLength > RequestBodyBytesMax {
		return 0
	}
	return min(int(r.ContentLength)/itemBytes+1, ledger.BatchEventsMax+1)
}

// decodeBatch reads a request body strictly: a size limit, one JSON object
// whose only member is key (the batch), decoded into v, no unknown fields,
// nothing after the object. The object is read member by member because
// encoding/json would accept key twice and decode the second array over
// the items of the first: an item could then keep fields that the client
// sent only for the item it replaced.
func decodeBatch(w http.ResponseWriter, r *http.Request, key string, v any) *Problem {
	return decodeBatchFrom(http.MaxBytesReader(w, r.Body, RequestBodyBytesMax), key, v)
}

// decodeBatchFrom is decodeBatch on a body already limited in size.
func decodeBatchFrom(body io.Reader, key string, v any) *Problem {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	switch {
	case err != nil:
		return jsonProblem(err, key)
	case tok == nil: // null: no batch, answered as an empty one
	case tok != json.Delim('{'):
		return problem(http.StatusBadRequest, "json_type", "", "the body must be a JSON object, not %s", jsonKind(tok))
	default:
		seen := false
		for dec.More() {
			if tok, err = dec.Token(); err != nil {
				return jsonProblem(err, key)
			}
			name, _ := tok.(string)
			if name != key {
				return problem(http.StatusBadRequest, "json_invalid", name, "the body has an unknown field %q: it holds %q only", name, key)
			}
			if seen {
				return problem(http.StatusBadRequest, "json_duplicate_field", key, "the body holds %q twice", key)
			}
			seen = true
			if err := dec.Decode(v); err != nil {
				return jsonProblem(err, key)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing brace
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return jsonProblem(err, key)
		}
	}
	// Anything but the end after the value is trailing data, whether it
	// scans as JSON or not; only a body that goes on past the size limit is
	// reported as too large.
	if _, err := dec.Token(); err != io.EOF {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return jsonProblem(err, key)
		}
		return problem(http.StatusBadRequest, "json_trailing_data", "", "the body holds more than one JSON value")
	}
	return nil
}

// jsonKind names the kind of JSON value a token starts.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// jsonProblem maps an error of encoding/json while it decoded the member
// key of the body.
func jsonProblem(err error, key string) *Problem {
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "the body exceeds %d bytes", RequestBodyBytesMax)
	case errors.As(err, &syntaxErr):
		return problem(http.StatusBadRequest, "json_syntax", "", "the body is not valid JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.As(err, &typeErr):
		field := key
		if typeErr.Field != "" {
			field += "." + typeErr.Field
		}
		return problem(http.StatusBadRequest, "json_type", field, "%s must be a JSON %s, not a JSON %s", field, jsonTypeName(typeErr.Type), typeErr.Value)
	case errors.Is(err, io.EOF):
		return problem(http.StatusBadRequest, "json_empty", "", "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem(http.StatusBadRequest, "json_syntax", "", "the body ends inside its JSON value")
	}
	// encoding/json reports unknown fields only as text.
	return problem(http.StatusBadRequest, "json_invalid", "", "%v", err)
}

// jsonTypeName names the JSON type that a Go type is decoded from.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	}
	return "integer"
}

// fieldPath names the field a problem is about: "transfers[3].amount" for
// a field of a batch item, or a bare name for a parameter. It is formatted
// only when there is a problem, so that parsing a batch of 8190 valid items
// builds no field names.
type fieldPath struct {
	batch string // "accounts" or "transfers"; empty for a parameter
	index int
	name  string
}

func (f fieldPath) String() string {
	if f.batch == "" {
		return f.name
	}
	return f.batch + "[" + strconv.Itoa(f.index) + "]." + f.name
}

func parseID(s string, field fieldPath, required bool) (ledger.ID, *Problem) {
	if s == "" {
		if required {
			name := field.String()
			return ledger.ID{}, problem(http.StatusBadRequest, "field_required", name, "%s is required", name)
		}
		return ledger.ID{}, nil
	}
	id, err := ledger.ParseID(s)
	if err != nil {
		name := field.String()
		return id, problem(http.StatusBadRequest, "id_syntax", name, "%s: %v", name, err)
	}
	return id, nil
}

func parseCurrency(s string, field fieldPath) (money.Currency, *Problem) {
	c, err := money.CurrencyByString(s)
	if err != nil {
		var ce *money.CurrencyError
		code := "currency_unknown"
		if errors.As(err, &ce) {
			code = string(ce.Rule)
		}
		name := field.String()
		return c, problem(http.StatusBadRequest, code, name, "%s: %q is not a currency of the ISO 4217 table (%s)", name, s, money.TableVersion)
	}
	return c, nil
}

func parseAmount(s string, c money.Currency, field fieldPath) (money.Amount, *Problem) {
	a, err := money.ParseAmount(s, c)
	if err != nil {
		var ae *money.AmountError
		code := "amount_syntax"
		if errors.As(err, &ae) {
			code = string(ae.Rule)
		}
		name := field.String()
		return a, problem(http.StatusBadRequest, code, name, "%s: %v", name, err)
	}
	return a, nil
}

// parseCode takes 0 too: the engine refuses it per item (an account or a
// new transfer needs a code), and a post or void with 0 takes the pending
// transfer's.
func parseCode(v int64, field fieldPath) (uint16, *Problem) {
	if v < 0 || v > 65535 {
		name := field.String()
		return 0, problem(http.StatusBadRequest, "code_out_of_range", name, "%s must be an integer from 0 to 65535", name)
	}
	return uint16(v), nil
}

func (s *Server) createAccounts(w http.ResponseWriter, r *http.Request) {
	batch := make([]accountRequest, 0, batchCapacity(r, accountRequestBytesTypical))
	if p := decodeBatch(w, r, "accounts", &batch); p != nil {
		writeProblem(w, p)
		return
	}
	if len(batch) == 0 {
		writeProblem(w, problem(http.StatusBadRequest, "batch_empty", "accounts", "accounts must hold at least one account"))
		return
	}
	if len(batch) > ledger.BatchEventsMax {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "batch_too_large", "accounts", "accounts holds %d items; a batch holds at most %d", len(batch), ledger.BatchEventsMax))
		return
	}
	accounts := make([]ledger.Account, len(batch))
	for i, a := range batch {
		f := func(name string) fieldPath { return fieldPath{"accounts", i, name} }
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
	writeResults(w, results, func(i int) ledger.ID { return accounts[i].ID })
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
	batch := make([]transferRequest, 0, batchCapacity(r, transferRequestBytesTypical))
	if p := decodeTransfers(w, r, &batch); p != nil {
		writeProblem(w, p)
		return
	}
	if len(batch) == 0 {
		writeProblem(w, problem(http.StatusBadRequest, "batch_empty", "transfers", "transfers must hold at least one transfer"))
		return
	}
	if len(batch) > ledger.BatchEventsMax {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "batch_too_large", "transfers", "transfers holds %d items; a batch holds at most %d", len(batch), ledger.BatchEventsMax))
		return
	}
	transfers := make([]ledger.Transfer, len(batch))
	for i := range batch {
		if p := parseTransfer(&batch[i], &transfers[i], i); p != nil {
			writeProblem(w, p)
			return
		}
	}
	if p := s.guardPaymentTransfers(transfers); p != nil {
		writeProblem(w, p)
		return
	}
	results, err := s.ledger.CreateTransfers(r.Context(), transfers)
	if err != nil {
		writeProblem(w, serviceProblem(err))
		return
	}
	writeResults(w, results, func(i int) ledger.ID { return transfers[i].ID })
}

func parseTransfer(t *transferRequest, out *ledger.Transfer, i int) *Problem {
	f := func(name string) fieldPath { return fieldPath{"transfers", i, name} }
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
		name := f("timeout_seconds").String()
		return problem(http.StatusBadRequest, "timeout_out_of_range", name, "%s must be from 0 to %d seconds", name, ledger.TimeoutSecondsMax)
	}
	out.TimeoutSeconds = uint32(t.TimeoutSeconds)
	if t.Currency == "" && (!resolving || t.Amount != "") {
		name := f("currency").String()
		return problem(http.StatusBadRequest, "field_required", name, "%s is required (it sets the amount's decimals)", name)
	}
	if t.Currency != "" {
		c, p := parseCurrency(t.Currency, f("currency"))
		if p != nil {
			return p
		}
		out.Currency = c.Code
		if t.Amount == "" && !resolving {
			name := f("amount").String()
			return problem(http.StatusBadRequest, "field_required", name, "%s is required", name)
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
		c, p := parseCurrency(v, fieldPath{name: "currency"})
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
			if !currency.IsZero() && a.Currency != currency {
				return true
			}
			// A cursor only when another account follows, so that the
			// last page is never an empty one.
			if len(out) == limit {
				next = strconv.Itoa(i)
				return false
			}
			out = append(out, accountJSON(a))
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
	// A cursor is "<timestamp>.<n>": every entry before the timestamp and
	// the first n entries at it were listed. A timestamp alone cannot say
	// where a page ended, because entries of one history can share one: the
	// expiries of one pulse, or an expiry and the first transfer of the
	// batch that caught it.
	var at uint64
	skip := 0
	if v := r.URL.Query().Get("cursor"); v != "" {
		tsText, skipText, found := strings.Cut(v, ".")
		ts, err := strconv.ParseUint(tsText, 10, 64)
		n, err2 := strconv.ParseUint(skipText, 10, 31)
		if !found || err != nil || err2 != nil || ts == 0 || n == 0 {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "cursor", "cursor is not one this API returned"))
			return
		}
		at, skip = ts, int(n)
	}
	var a ledger.Account
	var balances []ledger.Balance
	s.ledger.View(func(e *ledger.Engine) {
		if a, ok = e.LookupAccount(id); ok {
			// Entries at or after at (timestamps start above zero), one
			// more than the page to know whether another page follows.
			balances, _ = e.AccountBalances(id, max(at, 1)-1, skip+limit+1)
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
	skip = min(skip, len(balances))
	page := balances[skip:]
	next := ""
	if len(page) > limit {
		page = page[:limit]
		// The entries skipped were all at the cursor's timestamp, and those
		// before them earlier still: counting back from the last entry of
		// the page counts every entry at its timestamp listed so far.
		last, n := page[len(page)-1].Timestamp, 0
		for i := skip + len(page) - 1; i >= 0 && balances[i].Timestamp == last; i-- {
			n++
		}
		next = strconv.FormatUint(last, 10) + "." + strconv.Itoa(n)
	}
	out := make([]balanceJSON, len(page))
	for i, b := range page {
		out[i] = balanceJSON{b.TransferID.String(), formatTimestamp(b.Timestamp),
			money.FormatAmount(b.DebitsPending, c), money.FormatAmount(b.DebitsPosted, c),
			money.FormatAmount(b.CreditsPending, c), money.FormatAmount(b.CreditsPosted, c)}
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

// guardPaymentTransfers keeps the operator's ledger batches off the
// payments layer's transfers: their codes are reserved, and a payment's
// pending transfers are posted or voided only by its lifecycle (accept,
// reject, expiry), never directly, which would leave the payment waiting
// on money that has already moved.
func (s *Server) guardPaymentTransfers(transfers []ledger.Transfer) *Problem {
	settles := false
	for i := range transfers {
		t := &transfers[i]
		if payments.CodeReserved(t.Code) {
			return problem(http.StatusBadRequest, "code_reserved", fieldPath{"transfers", i, "code"}.String(),
				"codes %d to %d are the payments layer's", payments.TransferCodeMin, payments.TransferCodeMax)
		}
		settles = settles || t.Flags&(ledger.TransferPostPending|ledger.TransferVoidPending) != 0
	}
	if !settles {
		// Nothing to look up: no read lock for the common batch.
		return nil
	}
	var p *Problem
	s.ledger.View(func(e *ledger.Engine) {
		for i := range transfers {
			t := &transfers[i]
			if t.Flags&(ledger.TransferPostPending|ledger.TransferVoidPending) == 0 {
				continue
			}
			if pending, _, ok := e.LookupTransfer(t.PendingID); ok && payments.CodeReserved(pending.Code) {
				p = problem(http.StatusConflict, "pending_transfer_owned_by_payment", fieldPath{"transfers", i, "pending_id"}.String(),
					"transfer %s belongs to a payment: the receiving bank accepts or rejects the payment instead", t.PendingID)
				return
			}
		}
	})
	return p
}
