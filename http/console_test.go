package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"astara/ledger"
)

// The JSON of the console's routes, as the tests read it.
type (
	trafficCorridorOut struct {
		Corridor string `json:"corridor"`
		Currency string `json:"currency"`
		Payments int    `json:"payments"`
		Value    string `json:"value"`
	}
	trafficOut struct {
		From        string               `json:"from"`
		To          string               `json:"to"`
		Payments    int                  `json:"payments"`
		SLABreached int                  `json:"sla_breached"`
		Statuses    map[string]int       `json:"statuses"`
		Corridors   []trafficCorridorOut `json:"corridors"`
		Minutes     []struct {
			At        string               `json:"at"`
			Payments  int                  `json:"payments"`
			Corridors []trafficCorridorOut `json:"corridors"`
		} `json:"minutes"`
	}
	legTransferOut struct {
		transfer
		Leg         string `json:"leg"`
		DebitOwner  string `json:"debit_owner"`
		DebitKind   string `json:"debit_kind"`
		CreditOwner string `json:"credit_owner"`
		CreditKind  string `json:"credit_kind"`
	}
	paymentTransfersOut struct {
		UETR      string           `json:"uetr"`
		Transfers []legTransferOut `json:"transfers"`
	}
	messageOut struct {
		Message     string `json:"message"`
		Participant string `json:"participant"`
		XML         string `json:"xml"`
		Code        string `json:"code"`
		Detail      string `json:"detail"`
	}
	paymentMessagesOut struct {
		UETR     string       `json:"uetr"`
		Messages []messageOut `json:"messages"`
	}
	calendarsOut struct {
		Countries []struct {
			Country  string `json:"country"`
			TimeZone string `json:"time_zone"`
			Coverage []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"coverage"`
		} `json:"countries"`
		Corridors []struct {
			Corridor      string `json:"corridor"`
			SourceCountry string `json:"source_country"`
			TargetCountry string `json:"target_country"`
			ValueDate     string `json:"value_date"`
			Deadline      string `json:"deadline"`
			Code          string `json:"code"`
			Detail        string `json:"detail"`
		} `json:"corridors"`
	}
)

// MustFindPayments searches payments with a token and returns the UETRs found
// and the next cursor. The page is read leniently: the operator's answers
// carry each payment's screening, which paymentOut does not hold.
func (n *network) MustFindPayments(tb testing.TB, token, query string) (uetrs []string, next string) {
	tb.Helper()
	var page struct {
		Payments []struct {
			UETR string `json:"uetr"`
		} `json:"payments"`
		NextCursor string `json:"next_cursor"`
	}
	resp := n.DoToken(tb, "GET", "/v1/payments/search"+query, nil, token)
	if resp.Status != http.StatusOK {
		tb.Fatalf("search %s: got %d %s, want 200", query, resp.Status, resp.Body)
	}
	if err := jsonDecode(resp.Body, &page); err != nil {
		tb.Fatalf("search %s: %v", query, err)
	}
	for _, p := range page.Payments {
		uetrs = append(uetrs, p.UETR)
	}
	return uetrs, page.NextCursor
}

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestTraffic(t *testing.T) {
	n := newNetwork(t)
	first := n.SendRUB(t, "1000.00")
	n.SendRUB(t, "2500.50")
	n.MustAnswer(t, caspian, first.UETR, "accept", "")
	n.Clock.Advance(2 * time.Minute)
	third := n.SendRUB(t, "100.25")
	n.MustAnswer(t, caspian, third.UETR, "reject", "AC01")
	q := n.MustQuote(t, caspian, quoteIn{ReceivingParticipant: kama, SourceCurrency: "IRR", TargetCurrency: "RUB", TargetAmount: "10.00"})
	fromCaspian := n.MustPay(t, caspian, paymentIn{QuoteID: q.ID, Debtor: irDebtor, Creditor: rubCreditor, Purpose: "OTHR"})

	t.Run("CountsEachMinutePerCorridorWithItsExactValue", func(t *testing.T) {
		var out trafficOut
		MustJSON(t, n.Do(t, "GET", "/v1/traffic?minutes=5", nil), http.StatusOK, &out)
		now := t0.Add(2 * time.Minute)
		if out.From != now.Add(-4*time.Minute).Format(time.RFC3339) || out.To != now.Add(time.Minute).Format(time.RFC3339) || len(out.Minutes) != 5 {
			t.Fatalf("span: got %s to %s in %d minutes, want the 5 minutes up to the current one", out.From, out.To, len(out.Minutes))
		}
		if out.Payments != 4 {
			t.Errorf("payments: got %d, want 4", out.Payments)
		}
		wantAll := []trafficCorridorOut{{"IRR-RUB", "IRR", 1, fromCaspian.SourceAmount}, {"RUB-IRR", "RUB", 3, "3600.75"}}
		if !slices.Equal(out.Corridors, wantAll) {
			t.Errorf("corridors: got %+v, want %+v", out.Corridors, wantAll)
		}
		// 09:00 is the third minute of the span, 09:02 the fifth.
		if m := out.Minutes[2]; m.At != t0.Format(time.RFC3339) || m.Payments != 2 || !slices.Equal(m.Corridors, []trafficCorridorOut{{"RUB-IRR", "RUB", 2, "3500.50"}}) {
			t.Errorf("minute 09:00: got %+v, want the first two payments, 3500.50 RUB", m)
		}
		if m := out.Minutes[4]; m.Payments != 2 || len(m.Corridors) != 2 || m.Corridors[1].Value != "100.25" {
			t.Errorf("minute 09:02: got %+v, want the rejected payment and the one from Caspian Bank", m)
		}
		for _, k := range []int{0, 1, 3} {
			if m := out.Minutes[k]; m.Payments != 0 || len(m.Corridors) != 0 {
				t.Errorf("minute %d: got %+v, want none", k, m)
			}
		}
		want := map[string]int{"received": 0, "held": 0, "reserved": 2, "completed": 1, "rejected": 1, "returned": 0, "expired": 0}
		for s, c := range want {
			if out.Statuses[s] != c {
				t.Errorf("statuses: got %v, want %v", out.Statuses, want)
				break
			}
		}
	})
	t.Run("LeavesOutWhatIsOlderThanTheSpan", func(t *testing.T) {
		var out trafficOut
		MustJSON(t, n.Do(t, "GET", "/v1/traffic?minutes=1", nil), http.StatusOK, &out)
		if out.Payments != 2 || len(out.Minutes) != 1 {
			t.Errorf("the last minute: got %d payments in %d minutes, want 2 in 1", out.Payments, len(out.Minutes))
		}
	})
	t.Run("AParticipantCountsItsOwn", func(t *testing.T) {
		var out trafficOut
		MustJSON(t, n.As(t, kama, "GET", "/v1/traffic", nil), http.StatusOK, &out)
		if out.Payments != 1 || len(out.Corridors) != 1 || out.Corridors[0].Corridor != "IRR-RUB" || len(out.Minutes) != 60 {
			t.Errorf("Kama Bank's traffic: got %d payments, corridors %+v, %d minutes; want its one payment in 60 minutes", out.Payments, out.Corridors, len(out.Minutes))
		}
	})
	t.Run("MinutesOutOfRange", func(t *testing.T) {
		for _, v := range []string{"0", "181", "x", "-1"} {
			MustProblem(t, n.Do(t, "GET", "/v1/traffic?minutes="+v, nil), http.StatusBadRequest, "minutes_out_of_range", "minutes")
		}
	})
}

func TestSearchPayments(t *testing.T) {
	n := newNetwork(t)
	small := n.SendRUB(t, "1000.00")
	big := n.SendRUB(t, "250000.00")
	n.MustAnswer(t, caspian, big.UETR, "accept", "")
	n.Clock.Advance(time.Hour)
	later := n.SendRUB(t, "5000.00")
	q := n.MustQuote(t, caspian, quoteIn{ReceivingParticipant: kama, SourceCurrency: "IRR", TargetCurrency: "RUB", TargetAmount: "10.00"})
	toKama := n.MustPay(t, caspian, paymentIn{QuoteID: q.ID, Debtor: irDebtor, Creditor: rubCreditor, Purpose: "OTHR"})

	for _, c := range []struct {
		name  string
		token string
		query string
		want  []string
	}{
		{"NewestFirst", adminToken, "", []string{toKama.UETR, later.UETR, big.UETR, small.UETR}},
		{"ByTheStartOfTheUETRInAnyCase", adminToken, "?uetr=" + strings.ToUpper(big.UETR[:13]), []string{big.UETR}},
		{"ByTheWholeUETRWithoutHyphens", adminToken, "?uetr=" + strings.ReplaceAll(small.UETR, "-", "")[:32], []string{small.UETR}},
		{"ByBank", adminToken, "?participant=" + kama, []string{toKama.UETR}},
		{"ByStatus", adminToken, "?status=completed", []string{big.UETR}},
		{"ByTimeOfCreation", adminToken, "?from=" + t0.Add(time.Minute).Format(time.RFC3339), []string{toKama.UETR, later.UETR}},
		{"BeforeATime", adminToken, "?to=" + t0.Add(time.Minute).Format(time.RFC3339), []string{big.UETR, small.UETR}},
		{"BySentAmount", adminToken, "?currency=RUB&amount_min=1000.00&amount_max=5000", []string{later.UETR, small.UETR}},
		{"ByReceivedAmount", adminToken, "?currency=RUB&amount_min=10&amount_max=10", []string{toKama.UETR}},
		{"ByCurrency", adminToken, "?currency=IRR&amount_min=" + big.TargetAmount, []string{big.UETR}},
		{"EveryFilterMustHold", adminToken, "?status=reserved&currency=RUB&amount_max=2000.00", []string{toKama.UETR, small.UETR}},
		{"AParticipantsOwn", n.keys[kama], "", []string{toKama.UETR}},
		{"AParticipantByTheOtherBank", n.keys[caspian], "?participant=" + kama, []string{toKama.UETR}},
		{"NothingMatches", adminToken, "?participant=NOBANKXX", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, next := n.MustFindPayments(t, c.token, c.query)
			if !slices.Equal(got, c.want) || next != "" {
				t.Errorf("search %q: got %v (next %q), want %v", c.query, got, next, c.want)
			}
		})
	}
	t.Run("PagesWithoutRepeats", func(t *testing.T) {
		var all []string
		query := "?limit=1"
		for i := 0; i < 10; i++ {
			page, next := n.MustFindPayments(t, adminToken, query)
			all = append(all, page...)
			if next == "" {
				break
			}
			query = "?limit=1&cursor=" + next
		}
		if want := []string{toKama.UETR, later.UETR, big.UETR, small.UETR}; !slices.Equal(all, want) {
			t.Errorf("pages of one: got %v, want %v", all, want)
		}
	})
	for _, c := range []struct {
		name, query, code, field string
	}{
		{"AnAmountWithoutItsCurrency", "?amount_min=10.00", "field_required", "currency"},
		{"ABadAmount", "?currency=RUB&amount_max=1,000.00", "amount_syntax", "amount_max"},
		{"TooManyDecimals", "?currency=RUB&amount_min=1.001", "amount_too_many_decimals", "amount_min"},
		{"AMaximumBelowTheMinimum", "?currency=RUB&amount_min=10&amount_max=9.99", "amount_range_invalid", "amount_max"},
		{"AnUnknownCurrency", "?currency=XYZ", "currency_unknown", "currency"},
		{"ABadBank", "?participant=volga", "participant_id_invalid", "participant"},
		{"ABadUETR", "?uetr=xyz", "uetr_prefix_invalid", "uetr"},
		{"AUETRTooLong", "?uetr=" + strings.Repeat("a", 37), "uetr_prefix_invalid", "uetr"},
		{"AnUnknownStatus", "?status=stuck", "status_unknown", "status"},
		{"ABadTime", "?from=yesterday", "time_syntax", "from"},
		{"ABadCursor", "?cursor=-1", "cursor_invalid", "cursor"},
		{"ALimitOverTheMax", "?limit=1001", "limit_out_of_range", "limit"},
	} {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			MustProblem(t, n.Do(t, "GET", "/v1/payments/search"+c.query, nil), http.StatusBadRequest, c.code, c.field)
		})
	}
}

func TestPaymentTransfers(t *testing.T) {
	n := newNetwork(t)
	completed := n.SendRUB(t, "1000.00")
	n.MustAnswer(t, caspian, completed.UETR, "accept", "")
	rejected := n.SendRUB(t, "2000.00")
	n.MustAnswer(t, caspian, rejected.UETR, "reject", "AC01")
	returned := n.SendRUB(t, "3000.00")
	n.MustAnswer(t, caspian, returned.UETR, "accept", "")
	n.MustAnswer(t, caspian, returned.UETR, "return", "AC04")
	transfers := func(t *testing.T, uetr string) []legTransferOut {
		t.Helper()
		var out paymentTransfersOut
		MustJSON(t, n.Do(t, "GET", "/v1/payments/"+uetr+"/transfers", nil), http.StatusOK, &out)
		if out.UETR != uetr {
			t.Fatalf("uetr: got %s, want %s", out.UETR, uetr)
		}
		return out.Transfers
	}
	type leg struct{ leg, state, amount, debit, credit string }
	legs := func(ts []legTransferOut) []leg {
		var out []leg
		for _, x := range ts {
			out = append(out, leg{x.Leg, x.State, x.Amount + " " + x.Currency, x.DebitOwner + " " + x.DebitKind, x.CreditOwner + " " + x.CreditKind})
		}
		return out
	}
	fee := completed.Fee.Amount + " RUB"
	for _, c := range []struct {
		name string
		p    paymentOut
		want []leg
	}{
		{"CompletedTheLegsAndTheirPosts", completed, []leg{
			{"source", "posted", "1000.00 RUB", volga + " position", fxp + " position"},
			{"target", "posted", completed.TargetAmount + " IRR", fxp + " position", caspian + " position"},
			{"fee", "posted", fee, volga + " position", "SWITCH fee_income"},
			{"post source", "", "1000.00 RUB", volga + " position", fxp + " position"},
			{"post target", "", completed.TargetAmount + " IRR", fxp + " position", caspian + " position"},
			{"post fee", "", fee, volga + " position", "SWITCH fee_income"}}},
		{"RejectedTheLegsVoided", rejected, []leg{
			{"source", "voided", "2000.00 RUB", volga + " position", fxp + " position"},
			{"target", "voided", rejected.TargetAmount + " IRR", fxp + " position", caspian + " position"},
			{"fee", "voided", fee, volga + " position", "SWITCH fee_income"}}},
		{"ReturnedTheReturnLegsToo", returned, []leg{
			{"source", "posted", "3000.00 RUB", volga + " position", fxp + " position"},
			{"target", "posted", returned.TargetAmount + " IRR", fxp + " position", caspian + " position"},
			{"fee", "posted", fee, volga + " position", "SWITCH fee_income"},
			{"post source", "", "3000.00 RUB", volga + " position", fxp + " position"},
			{"post target", "", returned.TargetAmount + " IRR", fxp + " position", caspian + " position"},
			{"post fee", "", fee, volga + " position", "SWITCH fee_income"},
			{"return", "", returned.TargetAmount + " IRR", caspian + " position", fxp + " position"},
			{"return", "", "3000.00 RUB", fxp + " position", volga + " position"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := transfers(t, c.p.UETR)
			if got := legs(ts); !slices.Equal(got, c.want) {
				t.Fatalf("legs:\n got %+v\nwant %+v", got, c.want)
			}
			for _, x := range ts {
				if want := n.Transfer(t, x.ID); !reflect.DeepEqual(want, x.transfer) {
					t.Errorf("transfer %s: got %+v, want it as GET /v1/ledger/transfers/{id} answers, %+v", x.ID, x.transfer, want)
				}
			}
		})
	}
	t.Run("NotFound", func(t *testing.T) {
		MustProblem(t, n.Do(t, "GET", "/v1/payments/"+ledger.IDFromUint64(77).String()+"/transfers", nil), http.StatusNotFound, "payment_not_found", "uetr")
	})
	t.Run("TheOperatorsOnly", func(t *testing.T) {
		MustProblem(t, n.As(t, caspian, "GET", "/v1/payments/"+completed.UETR+"/transfers", nil), http.StatusUnauthorized, "invalid_token", "")
	})
}

func TestPaymentMessages(t *testing.T) {
	n := newNetwork(t)
	returned := n.SendRUB(t, "3000.00")
	n.MustAnswer(t, caspian, returned.UETR, "accept", "")
	n.MustAnswer(t, caspian, returned.UETR, "return", "AC04")
	rejected := n.SendRUB(t, "2000.00")
	n.MustAnswer(t, caspian, rejected.UETR, "reject", "AC01")
	messages := func(t *testing.T, token, uetr string) []messageOut {
		t.Helper()
		var out paymentMessagesOut
		MustJSON(t, n.DoToken(t, "GET", "/v1/payments/"+uetr+"/messages", nil, token), http.StatusOK, &out)
		return out.Messages
	}
	t.Run("EachAsItsBankGetsIt", func(t *testing.T) {
		got := messages(t, adminToken, returned.UETR)
		want := []struct{ message, to, path string }{
			{"pacs.008", caspian, "/iso20022/pacs.008/"}, {"pacs.002", volga, "/iso20022/pacs.002/"}, {"pacs.002", caspian, "/iso20022/pacs.002/"},
			{"camt.054", volga, "/iso20022/camt.054/"}, {"camt.054", caspian, "/iso20022/camt.054/"}, {"pacs.004", volga, "/iso20022/pacs.004/"}}
		if len(got) != len(want) {
			t.Fatalf("messages: got %d, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			m := got[i]
			own := n.As(t, w.to, "GET", w.path+returned.UETR, nil)
			if m.Message != w.message || m.Participant != w.to || own.Status != http.StatusOK || !bytes.Equal([]byte(m.XML), own.Body) || m.Code != "" {
				t.Errorf("message %d: got %s to %s (code %q, %d bytes), want %s to %s as %s%s answers it (%d)",
					i, m.Message, m.Participant, m.Code, len(m.XML), w.message, w.to, w.path, returned.UETR, own.Status)
			}
		}
	})
	t.Run("ThoseNotWrittenSayWhy", func(t *testing.T) {
		got := messages(t, adminToken, rejected.UETR)
		var codes []string
		for _, m := range got {
			if m.XML == "" {
				codes = append(codes, m.Message+" "+m.Participant+" "+m.Code)
				if m.Detail == "" {
					t.Errorf("%s to %s: no XML and no detail", m.Message, m.Participant)
				}
			}
		}
		if want := []string{"camt.054 " + volga + " payment_not_moved", "camt.054 " + caspian + " payment_not_moved"}; !slices.Equal(codes, want) {
			t.Errorf("unwritten messages: got %v, want %v", codes, want)
		}
	})
	t.Run("ABankGetsThoseToItOnly", func(t *testing.T) {
		for _, bank := range []string{volga, caspian} {
			for _, m := range messages(t, n.keys[bank], returned.UETR) {
				if m.Participant != bank {
					t.Errorf("%s gets the %s to %s", bank, m.Message, m.Participant)
				}
			}
		}
		MustProblem(t, n.As(t, kama, "GET", "/v1/payments/"+returned.UETR+"/messages", nil), http.StatusNotFound, "payment_not_found", "uetr")
	})
}

func TestAllPositions(t *testing.T) {
	n := newNetwork(t)
	p := n.SendRUB(t, "1000.00")
	n.MustAnswer(t, caspian, p.UETR, "accept", "")
	n.SendRUB(t, "2000.00")
	var out struct {
		Participants []positionsOut `json:"participants"`
	}
	MustJSON(t, n.Do(t, "GET", "/v1/participants/positions", nil), http.StatusOK, &out)
	var ids []string
	for _, pp := range out.Participants {
		ids = append(ids, pp.Participant)
		var own positionsOut
		MustJSON(t, n.As(t, pp.Participant, "GET", "/v1/positions", nil), http.StatusOK, &own)
		if !slices.Equal(pp.Positions, own.Positions) {
			t.Errorf("%s: got %+v, want what GET /v1/positions answers it, %+v", pp.Participant, pp.Positions, own.Positions)
		}
	}
	if want := []string{caspian, fxp, kama, volga}; !slices.Equal(ids, want) {
		t.Errorf("participants: got %v, want %v, by id", ids, want)
	}
}

func TestCalendarsOverview(t *testing.T) {
	n := newNetwork(t)
	// A corridor to a currency whose country has no calendar.
	n.MustParticipant(t, participantIn{ID: "DOLLRUMM", Name: "Dollar Desk", Country: "RU", Currencies: []string{"RUB", "USD"}, Roles: []string{"fx_provider"}})
	n.PutCorridor(t, "RUB-USD", map[string]any{"fx_provider": "DOLLRUMM"})
	var out calendarsOut
	MustJSON(t, n.As(t, volga, "GET", "/v1/calendars", nil), http.StatusOK, &out)
	zones := map[string]string{}
	for _, c := range out.Countries {
		zones[c.Country] = c.TimeZone
		if len(c.Coverage) == 0 {
			t.Errorf("%s: no coverage", c.Country)
		}
	}
	if zones["RU"] != "Europe/Moscow" || zones["IR"] != "Asia/Tehran" || zones["US"] != "" {
		t.Errorf("countries: got %v, want RU and IR with their zones, and no US", zones)
	}
	byName := map[string]int{}
	for i, c := range out.Corridors {
		byName[c.Corridor] = i
	}
	rubIRR := out.Corridors[byName["RUB-IRR"]]
	var want struct {
		ValueDate string `json:"value_date"`
		Deadline  string `json:"deadline"`
	}
	resp := n.Do(t, "GET", "/v1/calendars/value-date?corridor=RUB-IRR", nil)
	if err := jsonDecode(resp.Body, &want); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("value-date: %d %s", resp.Status, resp.Body)
	}
	if rubIRR.ValueDate != want.ValueDate || rubIRR.Deadline != want.Deadline || rubIRR.SourceCountry != "RU" || rubIRR.TargetCountry != "IR" {
		t.Errorf("RUB-IRR: got %+v, want the value date and deadline of GET /v1/calendars/value-date, %+v", rubIRR, want)
	}
	rubUSD := out.Corridors[byName["RUB-USD"]]
	if rubUSD.ValueDate != "" || rubUSD.Code != "calendar_country_unknown" || rubUSD.TargetCountry != "US" || rubUSD.Detail == "" {
		t.Errorf("RUB-USD: got %+v, want no date and calendar_country_unknown", rubUSD)
	}
}

// TestMetricsNameThePaymentsOperations requires every journal operation in
// /metrics to be named, none counted as op(N).
func TestMetricsNameThePaymentsOperations(t *testing.T) {
	n := newNetwork(t)
	p := n.SendRUB(t, "1000.00")
	n.MustAnswer(t, caspian, p.UETR, "accept", "")
	resp := n.DoToken(t, "GET", "/metrics", nil, "")
	body := string(resp.Body)
	for _, name := range []string{"create_participant", "set_rates", "put_corridor", "create_quote", "create_payment", "accept_payment", "create_transfers"} {
		if !strings.Contains(body, `astara_ledger_batches_total{op="`+name+`"}`) {
			t.Errorf("/metrics has no astara_ledger_batches_total{op=%q}", name)
		}
	}
	if strings.Contains(body, `op="op(`) {
		i := strings.Index(body, `op="op(`)
		t.Errorf("/metrics counts an operation by its number: %s", body[max(0, i-40):min(len(body), i+20)])
	}
}
