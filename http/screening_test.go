package http_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	astarahttp "astara/http"
	"astara/ledger"
	"astara/payments"
	"astara/screening"
)

type (
	listOut struct {
		Name       string   `json:"name"`
		Version    int      `json:"version"`
		Format     string   `json:"format"`
		Published  string   `json:"published"`
		Records    int      `json:"records"`
		SHA256     string   `json:"sha256"`
		Review     float64  `json:"review"`
		Block      float64  `json:"block"`
		ImportedAt string   `json:"imported_at"`
		ImportedBy string   `json:"imported_by"`
		Unchanged  bool     `json:"unchanged"`
		Warnings   []string `json:"warnings"`
	}
	listsOut struct {
		Lists          []listOut `json:"lists"`
		ScreeningError string    `json:"screening_error"`
	}
	searchIn struct {
		Name        string `json:"name"`
		Country     string `json:"country,omitempty"`
		DateOfBirth string `json:"date_of_birth,omitempty"`
		Type        string `json:"type,omitempty"`
	}
	hitOut struct {
		List        string  `json:"list"`
		ListVersion int     `json:"list_version"`
		EntryID     string  `json:"entry_id"`
		Name        string  `json:"name"`
		Matched     string  `json:"matched"`
		Alias       bool    `json:"alias"`
		Score       float64 `json:"score"`
		Action      string  `json:"action"`
	}
	searchOut struct {
		Hits  []hitOut `json:"hits"`
		Lists []string `json:"lists"`
	}
	paymentHitOut struct {
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
	reviewOut struct {
		UETR                 string          `json:"uetr"`
		SendingParticipant   string          `json:"sending_participant"`
		ReceivingParticipant string          `json:"receiving_participant"`
		SourceAmount         moneyOut        `json:"source_amount"`
		TargetAmount         moneyOut        `json:"target_amount"`
		Debtor               string          `json:"debtor"`
		Creditor             string          `json:"creditor"`
		HeldAt               string          `json:"held_at"`
		ReservationExpiresAt string          `json:"reservation_expires_at"`
		ExpiringSoon         bool            `json:"expiring_soon"`
		Hits                 []paymentHitOut `json:"hits"`
	}
	reviewsOut struct {
		Reviews               []reviewOut `json:"reviews"`
		Total                 int         `json:"total"`
		ExpiringWithinSeconds int         `json:"expiring_within_seconds"`
	}
	screeningOut struct {
		Action string          `json:"action"`
		Hits   []paymentHitOut `json:"hits"`
		Lists  []string        `json:"lists"`
	}
	// operatorPaymentOut is a payment as the operator reads it: with its
	// screening.
	operatorPaymentOut struct {
		paymentOut
		Screening *screeningOut `json:"screening"`
	}
	auditOut struct {
		Records []payments.AuditRecord `json:"records"`
		Next    string                 `json:"next"`
	}
)

// watchList is an internal list in Astara's CSV format: a person listed in
// Latin with her name in Persian as an alias, and a company.
const watchList = `# published: 2026-11-30
id,name,type,aliases,countries,dates_of_birth,programs,remarks
W-1,"SOLEIMANI, Qasem",individual,قاسم سلیمانی,IR,1957-03-11,IRGC,
W-2,"NAQDI, Mohammad Reza",individual,,IR,1952,IRGC,
W-3,Kish Tanker Trading LLC,entity,,IR;AE,,SHIPPING,
`

// MustImport imports a list file and returns the list as answered.
func (n *network) MustImport(tb testing.TB, query string, data string, status int) listOut {
	tb.Helper()
	var l listOut
	MustJSON(tb, n.DoToken(tb, "POST", "/v1/lists/import?"+query, data, adminToken), status, &l)
	return l
}

// MustSearch searches the lists as the operator.
func (n *network) MustSearch(tb testing.TB, in searchIn) searchOut {
	tb.Helper()
	var out searchOut
	MustJSON(tb, n.DoToken(tb, "POST", "/v1/screening/search", in, adminToken), http.StatusOK, &out)
	return out
}

// MustOperatorPayment reads a payment as the operator.
func (n *network) MustOperatorPayment(tb testing.TB, uetr string) operatorPaymentOut {
	tb.Helper()
	var p operatorPaymentOut
	MustJSON(tb, n.DoToken(tb, "GET", "/v1/payments/"+uetr, nil, adminToken), http.StatusOK, &p)
	return p
}

// MustReviews reads the review queue.
func (n *network) MustReviews(tb testing.TB) reviewsOut {
	tb.Helper()
	var out reviewsOut
	MustJSON(tb, n.DoToken(tb, "GET", "/v1/screening/reviews", nil, adminToken), http.StatusOK, &out)
	return out
}

// PayTo pays roubles from VOLGRUMM to a creditor of the given name.
func (n *network) PayTo(tb testing.TB, creditor, amount string) paymentOut {
	tb.Helper()
	q := n.MustQuote(tb, volga, rubQuote(amount))
	in := rubPayment(q.ID)
	in.Creditor.Name = creditor
	return n.MustPay(tb, volga, in)
}

// holdScore sets the list's thresholds so that a score of s is held:
// review just below it, block above it.
func (n *network) holdScore(tb testing.TB, list string, s float64) {
	tb.Helper()
	if s <= 0.1 || s >= 1 {
		tb.Fatalf("a score of %v cannot be held", s)
	}
	body := map[string]float64{"review": s - 0.05, "block": (s + 1) / 2}
	MustJSON(tb, n.DoToken(tb, "PUT", "/v1/lists/"+list+"/thresholds", body, adminToken), http.StatusOK, &listOut{})
}

func TestScreeningPayments(t *testing.T) {
	n := newNetwork(t)
	l := n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	if l.Version != 1 || l.Records != 3 || l.Published != "2026-11-30" || l.Review != screening.DefaultThresholds.Review ||
		l.Block != screening.DefaultThresholds.Block || l.ImportedBy != "operator" {
		t.Fatalf("got %+v, want WATCH@1 with 3 records, published 2026-11-30, at the default thresholds", l)
	}

	t.Run("a name in another script finds its listed form", func(t *testing.T) {
		for _, name := range []string{"Касем Сулеймани", "قاسم سليماني", "Ghasem Soleymani"} {
			out := n.MustSearch(t, searchIn{Name: name})
			if len(out.Hits) == 0 || out.Hits[0].EntryID != "W-1" || out.Hits[0].List != "WATCH" || out.Hits[0].ListVersion != 1 {
				t.Errorf("%s: got %+v, want W-1 first", name, out.Hits)
			}
			if !slices.Equal(out.Lists, []string{"WATCH@1"}) {
				t.Errorf("%s: got lists %v, want WATCH@1", name, out.Lists)
			}
		}
		if out := n.MustSearch(t, searchIn{Name: "Cyrus Ahmadi"}); len(out.Hits) != 0 {
			t.Errorf("an unlisted name: got %+v, want no hits", out.Hits)
		}
	})

	t.Run("a certain match is rejected with RR04 and reserves nothing", func(t *testing.T) {
		before := n.NetState(t)
		p := n.PayTo(t, "Qasem Soleimani", "150000.00")
		if p.Status != "rejected" || p.Reason != payments.ReasonRegulatory {
			t.Fatalf("got %s %q, want rejected RR04", p.Status, p.Reason)
		}
		// Recorded, with nothing moved on the ledger.
		before.Payments++
		n.MustUnchanged(t, before)
		op := n.MustOperatorPayment(t, p.UETR)
		if op.Screening == nil || op.Screening.Action != "block" || len(op.Screening.Hits) == 0 {
			t.Fatalf("got screening %+v, want a block with its hits", op.Screening)
		}
		h := op.Screening.Hits[0]
		if h.Field != "creditor.name" || h.Queried != "Qasem Soleimani" || h.EntryID != "W-1" || h.Matched != "SOLEIMANI, Qasem" || h.Score < l.Block {
			t.Errorf("got the hit %+v, want creditor.name against W-1 at or above %v", h, l.Block)
		}
		// The bank sees the rejection, not the list entry.
		raw := n.As(t, volga, "GET", "/v1/payments/"+p.UETR, nil)
		if bytes.Contains(raw.Body, []byte("W-1")) || bytes.Contains(raw.Body, []byte(`"screening"`)) {
			t.Errorf("the sending bank's view names the list entry: %s", raw.Body)
		}
	})

	t.Run("a near miss passes and its timeline says what it was screened against", func(t *testing.T) {
		p := n.PayTo(t, "Cyrus Ahmadi", "150000.00")
		if p.Status != "reserved" {
			t.Fatalf("got %s, want reserved", p.Status)
		}
		i := slices.IndexFunc(p.Events, func(e eventOut) bool { return e.Event == "screened" })
		if i < 0 || !strings.Contains(p.Events[i].Detail, "WATCH@1") {
			t.Errorf("got events %+v, want one screened against WATCH@1", p.Events)
		}
	})

	// A partial name scores below a certain match; the thresholds are set
	// around its score, so that it is held.
	partial := "Mohammad Naqdi"
	hits := n.MustSearch(t, searchIn{Name: partial}).Hits
	if len(hits) == 0 || hits[0].EntryID != "W-2" {
		t.Fatalf("search %q: got %+v, want W-2", partial, hits)
	}
	n.holdScore(t, "WATCH", hits[0].Score)

	t.Run("a likely match is held, then approved and completed", func(t *testing.T) {
		p := n.PayTo(t, partial, "200000.00")
		if p.Status != "held" {
			t.Fatalf("got %s, want held", p.Status)
		}
		// Held, it is not yet the receiving bank's to know of.
		MustProblem(t, n.As(t, caspian, "GET", "/v1/payments/"+p.UETR, nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		MustProblem(t, n.As(t, caspian, "POST", "/v1/payments/"+p.UETR+"/accept", nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		MustProblem(t, n.As(t, caspian, "GET", "/iso20022/pacs.008/"+p.UETR, nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		if got := n.MustPayment(t, volga, p.UETR); got.Status != "held" {
			t.Errorf("the sending bank sees %s, want held", got.Status)
		}
		q := n.MustReviews(t)
		i := slices.IndexFunc(q.Reviews, func(r reviewOut) bool { return r.UETR == p.UETR })
		if i < 0 {
			t.Fatalf("got the queue %+v, want %s in it", q.Reviews, p.UETR)
		}
		r := q.Reviews[i]
		if r.Creditor != partial || r.SourceAmount != (moneyOut{"200000.00", "RUB"}) || r.ReservationExpiresAt == "" || len(r.Hits) == 0 || r.Hits[0].EntryID != "W-2" {
			t.Errorf("got the review %+v", r)
		}
		var got operatorPaymentOut
		MustJSON(t, n.DoToken(t, "POST", "/v1/screening/reviews/"+p.UETR, map[string]string{"decision": "approve", "comment": "namesake: born 1990"}, adminToken), http.StatusOK, &got)
		if got.Status != "reserved" || got.Screening == nil {
			t.Fatalf("got %s %+v, want reserved with its screening", got.Status, got.Screening)
		}
		last := got.Events[len(got.Events)-1]
		if last.Event != "approved" || last.By != "operator" || last.Detail != "namesake: born 1990" {
			t.Errorf("got the last event %+v", last)
		}
		n.MustAnswer(t, caspian, p.UETR, "accept", "")
		if got := n.MustPayment(t, volga, p.UETR); got.Status != "completed" {
			t.Errorf("got %s, want completed", got.Status)
		}
	})

	t.Run("a likely match rejected on review releases its money", func(t *testing.T) {
		before := n.NetState(t)
		p := n.PayTo(t, partial, "300000.00")
		// The payment, and its three legs reserved then voided, are on
		// record; the balances are as before.
		before.Payments++
		before.Transfers += 6
		var got operatorPaymentOut
		MustJSON(t, n.DoToken(t, "POST", "/v1/screening/reviews/"+p.UETR, map[string]string{"decision": "reject", "comment": "the listed person"}, adminToken), http.StatusOK, &got)
		if got.Status != "rejected" || got.Reason != payments.ReasonRegulatory {
			t.Fatalf("got %s %q, want rejected RR04", got.Status, got.Reason)
		}
		n.MustUnchanged(t, before)
		MustProblem(t, n.DoToken(t, "POST", "/v1/screening/reviews/"+p.UETR, map[string]string{"decision": "approve"}, adminToken),
			http.StatusConflict, payments.CodeReviewNotHeld, "uetr")
	})

	t.Run("a new version of the list keeps the queue", func(t *testing.T) {
		p := n.PayTo(t, partial, "400000.00")
		l2 := n.MustImport(t, "format=csv&list=WATCH", watchList+"W-4,Someone Else,individual,,,,,\n", http.StatusCreated)
		if l2.Version != 2 || l2.Records != 4 || l2.Review != hits[0].Score-0.05 {
			t.Errorf("got %+v, want version 2 of 4 records, keeping the thresholds in force", l2)
		}
		q := n.MustReviews(t)
		if !slices.ContainsFunc(q.Reviews, func(r reviewOut) bool { return r.UETR == p.UETR }) || q.Total != len(q.Reviews) {
			t.Errorf("got the queue %+v (total %d), want %s still in it", q.Reviews, q.Total, p.UETR)
		}
		var page reviewsOut
		MustJSON(t, n.DoToken(t, "GET", "/v1/screening/reviews?limit=1", nil, adminToken), http.StatusOK, &page)
		if len(page.Reviews) != 1 || page.Total != q.Total || page.Reviews[0].UETR != q.Reviews[0].UETR {
			t.Errorf("limit=1: got %d reviews of %d, want the oldest of %d", len(page.Reviews), page.Total, q.Total)
		}
		if got := n.MustSearch(t, searchIn{Name: "Someone Else"}); len(got.Hits) == 0 || got.Hits[0].ListVersion != 2 {
			t.Errorf("got %+v, want a hit in WATCH@2", got.Hits)
		}
	})

	t.Run("the audit log holds every change and decision", func(t *testing.T) {
		var a auditOut
		MustJSON(t, n.DoToken(t, "GET", "/v1/screening/audit", nil, adminToken), http.StatusOK, &a)
		var actions []string
		for _, r := range a.Records {
			actions = append(actions, r.Action)
		}
		want := []string{"list_imported", "thresholds_changed", "approved", "rejected", "list_imported"}
		if !slices.Equal(actions, want) {
			t.Errorf("got %v, want %v", actions, want)
		}
	})

	t.Run("a pacs.008 to a listed name is answered RJCT RR04, a likely one PDNG", func(t *testing.T) {
		for _, tc := range []struct {
			name, status, reason string
		}{{"Qasem Soleimani", "RJCT", "RR04"}, {partial, "PDNG", ""}} {
			uetr := ledger.NewRandomID()
			p := inboundPayment(uetr, 50_000_000)
			p.Creditor.Name = tc.name
			msg := pacs008From(t, "VOLG-SCREEN-"+tc.status, p)
			rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", msg))
			if tx := rep.Transactions[0]; tx.Status != tc.status || tx.Reason != tc.reason {
				t.Errorf("%s: got %s %q, want %s %q", tc.name, tx.Status, tx.Reason, tc.status, tc.reason)
			}
			again := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", msg))
			if tx := again.Transactions[0]; tx.Status != tc.status {
				t.Errorf("%s, sent again: got %s, want %s", tc.name, tx.Status, tc.status)
			}
		}
	})
}

func TestListImportRefusals(t *testing.T) {
	n := newNetwork(t)
	n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	listsNow := func() listsOut {
		var l listsOut
		MustJSON(t, n.DoToken(t, "GET", "/v1/lists", nil, adminToken), http.StatusOK, &l)
		return l
	}
	before := listsNow()
	for _, tc := range []struct {
		rule, query, body string
		status            int
		code, field       string
	}{
		{"the format is one of three", "format=xlsx&list=WATCH", watchList, 400, "list_format_unknown", "format"},
		{"a csv list is named", "format=csv", watchList, 400, "list_name_invalid", "list"},
		{"a list's name has no spaces", "format=csv&list=" + url.QueryEscape("MY LIST"), watchList, 400, "list_name_invalid", "list"},
		{"a list's name is at most ListNameLenMax bytes", "format=csv&list=" + strings.Repeat("L", payments.ListNameLenMax+1), watchList, 400, "list_name_invalid", "list"},
		{"a threshold is a number in (0, 1]", "format=csv&list=WATCH&review=1.5", watchList, 400, "threshold_invalid", "review"},
		{"review is at most block", "format=csv&list=WATCH&review=0.9&block=0.85", watchList, 400, "threshold_invalid", "review"},
		{"the publication date is a date", "format=csv&list=WATCH&published=yesterday", watchList, 400, "date_syntax", "published"},
		{"a file cut short is refused whole", "format=csv&list=WATCH", watchList[:len(watchList)-20], 422, "list_invalid", ""},
		{"a row with a field too few is refused whole", "format=csv&list=WATCH", watchList + "W-9,Somebody\n", 422, "list_invalid", ""},
		{"a file of no entries is refused", "format=csv&list=WATCH", "id,name,type\n", 422, "list_empty", ""},
		{"a UN file that is not XML is refused", "format=un-xml", "hello", 422, "list_invalid", ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p := MustProblem(t, n.DoToken(t, "POST", "/v1/lists/import?"+tc.query, tc.body, adminToken), tc.status, tc.code, tc.field)
			if tc.status == 422 && !strings.Contains(p.Detail, "in force is kept") {
				t.Errorf("got %q, want it to say the version in force is kept", p.Detail)
			}
			if got := listsNow(); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("got lists %+v, want them unchanged %+v", got, before)
			}
		})
	}
	t.Run("a file cut short names its line", func(t *testing.T) {
		p := MustProblem(t, n.DoToken(t, "POST", "/v1/lists/import?format=csv&list=WATCH", watchList+"W-9,\"Somebody\n", adminToken), 422, "list_invalid", "")
		if !strings.Contains(p.Detail, "line 6") {
			t.Errorf("got %q, want line 6 named", p.Detail)
		}
	})
	t.Run("a file over ListFileBytesMax is refused", func(t *testing.T) {
		big := watchList + strings.Repeat("#", screening.ListFileBytesMax)
		MustProblem(t, n.DoToken(t, "POST", "/v1/lists/import?format=csv&list=WATCH", big, adminToken), 413, "list_too_large", "")
		if got := listsNow(); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Errorf("got lists %+v, want them unchanged", got)
		}
	})
	t.Run("the same file again records nothing", func(t *testing.T) {
		l := n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusOK)
		if !l.Unchanged || l.Version != 1 {
			t.Errorf("got %+v, want version 1, unchanged", l)
		}
		l = n.MustImport(t, "format=csv&list=WATCH&review=0.8&block=0.95", watchList, http.StatusOK)
		if !l.Unchanged || l.Version != 1 {
			t.Errorf("with the thresholds in force: got %+v, want version 1, unchanged", l)
		}
	})
	t.Run("the same file with new thresholds changes the version in force", func(t *testing.T) {
		l := n.MustImport(t, "format=csv&list=WATCH&review=0.7", watchList, http.StatusOK)
		if l.Unchanged || l.Version != 1 || l.Review != 0.7 || l.Block != 0.95 {
			t.Errorf("got %+v, want version 1 with review 0.7", l)
		}
		before = listsNow()
	})
	t.Run("the real samples import with their published counts", func(t *testing.T) {
		un := n.MustImport(t, "format=un-xml", string(mustReadSample(t, "UN_consolidated.xml")), http.StatusCreated)
		if un.Name != "UN" || un.Records == 0 || un.Published == "" {
			t.Errorf("got %+v, want the UN list with its records and publication date", un)
		}
		ofac := n.MustImport(t, "format=ofac-csv&published=2026-12-01", string(mustReadSample(t, "sdn.csv")), http.StatusCreated)
		if ofac.Name != "OFAC-SDN" || ofac.Published != "2026-12-01" || ofac.Records == 0 {
			t.Errorf("got %+v, want OFAC-SDN published 2026-12-01", ofac)
		}
	})
	t.Run("a participant may not touch the lists", func(t *testing.T) {
		MustProblem(t, n.As(t, volga, "POST", "/v1/lists/import?format=csv&list=WATCH", watchList), 401, "invalid_token", "")
		MustProblem(t, n.As(t, volga, "POST", "/v1/screening/search", searchIn{Name: "x"}), 401, "invalid_token", "")
		MustProblem(t, n.As(t, volga, "GET", "/v1/screening/reviews", nil), 401, "invalid_token", "")
	})
}

// mustReadSample reads a list sample from the screening package's test
// data.
func mustReadSample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../screening/testdata/lists/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestScreeningRequestRules(t *testing.T) {
	n := newNetwork(t)
	n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	held := n.PayTo(t, "Qasem Soleimani", "150000.00") // blocked
	for _, tc := range []struct {
		rule, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"a search has a name", "POST", "/v1/screening/search", searchIn{}, 400, "field_required", "name"},
		{"a searched name is at most NameLenMax bytes", "POST", "/v1/screening/search", searchIn{Name: strings.Repeat("a", screening.NameLenMax+1)}, 400, "name_too_long", "name"},
		{"a country is ISO 3166 alpha-2", "POST", "/v1/screening/search", searchIn{Name: "x", Country: "Iran"}, 400, "country_invalid", "country"},
		{"a review page holds at most ListLimitMax", "GET", "/v1/screening/reviews?limit=1001", nil, 400, "limit_out_of_range", "limit"},
		{"a date of birth is YYYY[-MM[-DD]]", "POST", "/v1/screening/search", searchIn{Name: "x", DateOfBirth: "11.03.1957"}, 400, "date_syntax", "date_of_birth"},
		{"a type is individual or entity", "POST", "/v1/screening/search", searchIn{Name: "x", Type: "vessel"}, 400, "type_unknown", "type"},
		{"a search takes no unknown field", "POST", "/v1/screening/search", `{"name": "x", "nationality": "IR"}`, 400, "json_invalid", ""},
		{"a decision is approve or reject", "POST", "/v1/screening/reviews/" + held.UETR, map[string]string{"decision": "hold"}, 400, payments.CodeDecisionUnknown, "decision"},
		{"an approval takes no reason", "POST", "/v1/screening/reviews/" + held.UETR, map[string]string{"decision": "approve", "reason": "RR04"}, 400, "reason_not_allowed", "reason"},
		{"a rejection's reason is an ISO code", "POST", "/v1/screening/reviews/" + held.UETR, map[string]string{"decision": "reject", "reason": "sanctioned"}, 400, "reason_invalid", "reason"},
		{"only a held payment is decided", "POST", "/v1/screening/reviews/" + held.UETR, map[string]string{"decision": "reject"}, 409, payments.CodeReviewNotHeld, "uetr"},
		{"a review names a payment that exists", "POST", "/v1/screening/reviews/" + ledger.NewRandomID().String(), map[string]string{"decision": "reject"}, 404, payments.CodePaymentNotFound, "uetr"},
		{"a review's UETR is a UUID", "POST", "/v1/screening/reviews/nope", map[string]string{"decision": "reject"}, 400, "id_syntax", "uetr"},
		{"thresholds name both", "PUT", "/v1/lists/WATCH/thresholds", map[string]float64{"review": 0.8}, 400, "field_required", "block"},
		{"thresholds are in (0, 1]", "PUT", "/v1/lists/WATCH/thresholds", map[string]float64{"review": 0, "block": 0.9}, 400, "threshold_invalid", "review"},
		{"thresholds belong to a list", "PUT", "/v1/lists/NOPE/thresholds", map[string]float64{"review": 0.8, "block": 0.9}, 404, "list_not_found", "name"},
		{"a list read is one that exists", "GET", "/v1/lists/NOPE", nil, 404, "list_not_found", "name"},
		{"the audit's position is a whole number", "GET", "/v1/screening/audit?from=-1", nil, 400, "cursor_invalid", "from"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			before := n.NetState(t)
			MustProblem(t, n.DoToken(t, tc.method, tc.path, tc.body, adminToken), tc.status, tc.code, tc.field)
			n.MustUnchanged(t, before)
		})
	}
}

func TestSearchTakesACountryInAnyCase(t *testing.T) {
	n := newNetwork(t)
	n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	upper, lower := n.MustSearch(t, searchIn{Name: "Qasem Soleimani", Country: "IR"}), n.MustSearch(t, searchIn{Name: "Qasem Soleimani", Country: "ir"})
	if fmt.Sprint(upper) != fmt.Sprint(lower) || len(upper.Hits) == 0 {
		t.Errorf("got %+v for IR and %+v for ir, want the same hits", upper, lower)
	}
}

func TestScreeningUnavailableRefusesPayments(t *testing.T) {
	// A node whose list file is gone cannot screen: it takes no payment
	// rather than let one through unscreened.
	n := newNetwork(t)
	n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	restarted := astarahttp.NewServer(astarahttp.Config{Ledger: n.Service, Metrics: astarahttp.NewMetrics(),
		AdminTokenHash: astarahttp.HashToken(adminToken), Clock: n.Clock.Now, Lists: &astarahttp.MemoryListStore{}})
	if err := restarted.ScreeningErr(); err == nil || !strings.Contains(err.Error(), "WATCH@1") {
		t.Fatalf("got ScreeningErr %v, want it to name WATCH@1", err)
	}
	q := n.MustQuote(t, volga, rubQuote("150000.00"))
	body := rubPayment(q.ID)
	req := newRequest(t, "POST", "/v1/payments", body, n.keys[volga])
	req.Header.Set("Idempotency-Key", "unscreened")
	rec := httptest.NewRecorder()
	restarted.ServeHTTP(rec, req)
	resp := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	MustProblem(t, resp, http.StatusServiceUnavailable, "screening_unavailable", "")

	// A pacs.008 is not rejected for it: the bank is told to send it
	// again, and nothing is made.
	before := n.NetState(t)
	msg := pacs008From(t, "VOLG-UNSCREENED", inboundPayment(ledger.NewRandomID(), 50_000_000))
	req = newRequest(t, "POST", "/iso20022/pacs.008", msg, n.keys[volga])
	req.Header.Set("Content-Type", "application/xml")
	rec = httptest.NewRecorder()
	restarted.ServeHTTP(rec, req)
	MustProblem(t, response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, http.StatusServiceUnavailable, "screening_unavailable", "")
	n.MustUnchanged(t, before)
}

func TestOperatorAuditLog(t *testing.T) {
	n := newNetwork(t)
	n.MustImport(t, "format=csv&list=WATCH", watchList, http.StatusCreated)
	MustJSON(t, n.DoToken(t, "POST", "/v1/calendars/IR/closures", map[string]string{"date": "2026-03-05", "name": "Snow"}, adminToken), http.StatusCreated, &map[string]any{})
	resp := n.DoHeader(t, "POST", "/ui/session", map[string]string{"token": adminToken}, "", nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("sign-in: got %d %s", resp.Status, resp.Body)
	}
	var page auditOut
	MustJSON(t, n.DoToken(t, "GET", "/v1/audit", nil, adminToken), http.StatusOK, &page)
	var actions []string
	prev := ""
	for i, r := range page.Records {
		actions = append(actions, r.Action)
		if r.Prev != prev || len(r.Hash) != 64 || r.Seq == 0 {
			t.Errorf("record %d %+v: want it chained to %q", i, r, prev)
		}
		prev = r.Hash
	}
	for _, want := range []string{"participant_created", "rates_set", "corridor_changed", "list_imported", "calendar_changed", "console_signed_in"} {
		if !slices.Contains(actions, want) {
			t.Errorf("got actions %v, want %s among them", actions, want)
		}
	}
	var screeningOnly auditOut
	MustJSON(t, n.DoToken(t, "GET", "/v1/screening/audit", nil, adminToken), http.StatusOK, &screeningOnly)
	if len(screeningOnly.Records) != 1 || screeningOnly.Records[0].Action != "list_imported" {
		t.Errorf("the screening audit: got %+v, want the list's import alone", screeningOnly.Records)
	}
}
