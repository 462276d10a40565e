package http_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"astara/iso20022"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// mustSchemaValid checks a business message the switch wrote against the
// official schemas with xmllint: its Document and its AppHdr.
func mustSchemaValid(tb testing.TB, msg []byte, kind string) {
	tb.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("ASTARA_REQUIRE_ALL") == "1" {
			tb.Fatal("xmllint is not installed (Debian: libxml2-utils) and ASTARA_REQUIRE_ALL=1")
		}
		tb.Log("xmllint is not installed (Debian: libxml2-utils): the schema check of written messages is skipped")
		return
	}
	doc, err := iso20022.DocumentOf(msg)
	if err != nil {
		tb.Fatalf("DocumentOf: %v\n%s", err, msg)
	}
	hdr, err := iso20022.HeaderOf(msg)
	if err != nil {
		tb.Fatalf("HeaderOf: %v\n%s", err, msg)
	}
	dir := tb.TempDir()
	for _, x := range []struct {
		kind string
		data []byte
	}{{kind, doc}, {"head.001.001.02", hdr}} {
		path := filepath.Join(dir, x.kind+".xml")
		if err := os.WriteFile(path, x.data, 0o600); err != nil {
			tb.Fatal(err)
		}
		out, err := exec.Command(lint, "--noout", "--schema", filepath.Join("..", "iso20022", "xsd", "schemas", x.kind+".xsd"), path).CombinedOutput()
		if err != nil {
			tb.Fatalf("xmllint %s: %v\n%s\n%s", x.kind, err, out, x.data)
		}
	}
}

// inboundPayment is what a sending bank puts in a pacs.008.
func inboundPayment(uetr ledger.ID, target uint64) *payments.Payment {
	return &payments.Payment{UETR: uetr, Sender: volga, Receiver: caspian, Source: money.MustCode("RUB"), Target: money.MustCode("IRR"),
		SourceAmount: money.NewAmount(1), TargetAmount: money.NewAmount(target), Purpose: "TRAD", Remittance: "Invoice 2026/117, carpets",
		EndToEndID: "E2E-4711", InstructionID: "VOLG-INSTR-1",
		Debtor:   payments.Party{Name: "Иван Петров", Account: "40817810899910004312", BankCode: "044525225"},
		Creditor: payments.Party{Name: "علی رضایی", Account: "IR440960000000100324200001", Country: "IR"}}
}

// pacs008From writes a pacs.008 as VOLGRUMM's payment hub would send it.
func pacs008From(tb testing.TB, msgID string, p *payments.Payment) []byte {
	tb.Helper()
	return pacs008Header(tb, volga, msgID, p)
}

// pacs008Header writes a pacs.008 whose AppHdr says it is from bank.
func pacs008Header(tb testing.TB, bank, msgID string, p *payments.Payment) []byte {
	tb.Helper()
	b, err := iso20022.WritePacs008(iso20022.Header{From: bank, To: "ASTARUMM", CreDt: t0}, msgID, p, "")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (n *network) postXML(tb testing.TB, bank, path string, body []byte) response {
	tb.Helper()
	return n.DoHeader(tb, "POST", path, body, n.keys[bank], http.Header{"Content-Type": {"application/xml"}})
}

func mustStatusReport(tb testing.TB, resp response) *iso20022.StatusReport {
	tb.Helper()
	if resp.Status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		tb.Fatalf("got %d %s: %s", resp.Status, resp.Header.Get("Content-Type"), resp.Body)
	}
	mustSchemaValid(tb, resp.Body, iso20022.KindPacs002)
	rep, err := iso20022.ReadPacs002(resp.Body)
	if err != nil {
		tb.Fatalf("ReadPacs002: %v\n%s", err, resp.Body)
	}
	return rep
}

func TestPacs008RoundTrip(t *testing.T) {
	n := newNetwork(t)
	uetr := ledger.MustParseID("3f1f8a3c-7b2e-4d5a-9c1b-2a6e8f0d4c11")
	msg := pacs008From(t, "VOLG20261205-0001", inboundPayment(uetr, 500_000_000))
	rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", msg))
	if len(rep.Transactions) != 1 || rep.Transactions[0].Status != "ACCP" || rep.Transactions[0].OriginalUETR != uetr {
		t.Fatalf("pacs.002 %+v, want one ACCP for %s", rep.Transactions, uetr)
	}
	if rep.OriginalMsgID != "VOLG20261205-0001" {
		t.Errorf("OrgnlMsgId %q", rep.OriginalMsgID)
	}
	got := n.MustPayment(t, volga, uetr.String())
	if got.Status != "reserved" || got.TargetAmount != "500000000" || got.Debtor.Name != "Иван Петров" || got.Creditor.Name != "علی رضایی" {
		t.Fatalf("payment %+v", got)
	}

	t.Run("the receiving bank gets it as a pacs.008, unaltered", func(t *testing.T) {
		resp := n.As(t, caspian, "GET", "/iso20022/pacs.008/"+uetr.String(), nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("got %d %s", resp.Status, resp.Body)
		}
		mustSchemaValid(t, resp.Body, iso20022.KindPacs008)
		ct, err := iso20022.ReadPacs008(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		tx := ct.Transactions[0]
		if tx.UETR != uetr || tx.EndToEndID != "E2E-4711" || tx.InstrID != "VOLG-INSTR-1" || tx.Purpose != "TRAD" ||
			len(tx.Remittance) != 1 || tx.Remittance[0] != "Invoice 2026/117, carpets" ||
			tx.Debtor.Name != "Иван Петров" || tx.Creditor.Name != "علی رضایی" || tx.SettlementAmount.Value != money.NewAmount(500_000_000) {
			t.Errorf("forwarded transaction %+v", tx)
		}
		if resp := n.As(t, volga, "GET", "/iso20022/pacs.008/"+uetr.String(), nil); resp.Status != http.StatusNotFound {
			t.Errorf("the sending bank reads the forwarded pacs.008: %d", resp.Status)
		}
	})
	t.Run("the same message again answers the same report and makes no second payment", func(t *testing.T) {
		first := n.postXML(t, volga, "/iso20022/pacs.008", msg)
		again := n.postXML(t, volga, "/iso20022/pacs.008", msg)
		if !bytes.Equal(first.Body, again.Body) {
			t.Errorf("a retry answered\n%s\nthen\n%s", first.Body, again.Body)
		}
		var page paymentsPage
		MustJSON(t, n.As(t, volga, "GET", "/v1/payments", nil), http.StatusOK, &page)
		if len(page.Payments) != 1 {
			t.Errorf("%d payments after three sends of one message, want 1", len(page.Payments))
		}
	})
	t.Run("another message with the same MsgId is a duplicate", func(t *testing.T) {
		other := pacs008From(t, "VOLG20261205-0001", inboundPayment(ledger.MustParseID("5a2b8c3d-1e4f-4a6b-8c7d-9e0f1a2b3c4d"), 1000))
		rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", other))
		if tx := rep.Transactions[0]; tx.Status != "RJCT" || tx.Reason != "DUPL" {
			t.Errorf("got %+v, want RJCT DUPL", tx)
		}
	})
	t.Run("another message with the same UETR is a duplicate", func(t *testing.T) {
		other := pacs008From(t, "VOLG20261205-0002", inboundPayment(uetr, 1000))
		rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", other))
		if tx := rep.Transactions[0]; tx.Status != "RJCT" || tx.Reason != "DUPL" {
			t.Errorf("got %+v, want RJCT DUPL", tx)
		}
	})
	t.Run("the receiving bank accepts with a pacs.002", func(t *testing.T) {
		answer, err := iso20022.WritePacs002(iso20022.Header{From: caspian, To: "ASTARUMM", CreDt: t0}, "CASP-ANS-1",
			iso20022.StatusReport{OriginalMsgID: "AST-FORWARD", OriginalMsgNameID: iso20022.KindPacs008,
				Transactions: []iso20022.TransactionStatus{{OriginalUETR: uetr, OriginalEndToEndID: "E2E-4711", Status: "ACSC"}}})
		if err != nil {
			t.Fatal(err)
		}
		rep := mustStatusReport(t, n.postXML(t, caspian, "/iso20022/pacs.002", answer))
		if rep.Transactions[0].Status != "ACSC" {
			t.Fatalf("got %+v, want ACSC", rep.Transactions[0])
		}
		if got := n.MustPayment(t, volga, uetr.String()); got.Status != "completed" {
			t.Fatalf("payment %s after the pacs.002", got.Status)
		}
		rep = mustStatusReport(t, n.As(t, volga, "GET", "/iso20022/pacs.002/"+uetr.String(), nil))
		if tx := rep.Transactions[0]; tx.Status != "ACSC" || tx.OriginalUETR != uetr || tx.OriginalEndToEndID != "E2E-4711" {
			t.Errorf("the sending bank's status report %+v", tx)
		}
	})
	t.Run("notifications and the statement", func(t *testing.T) {
		for _, bank := range []string{volga, caspian} {
			resp := n.As(t, bank, "GET", "/iso20022/camt.054/"+uetr.String(), nil)
			if resp.Status != http.StatusOK {
				t.Fatalf("%s camt.054: %d %s", bank, resp.Status, resp.Body)
			}
			mustSchemaValid(t, resp.Body, "camt.054.001.08")
			resp = n.As(t, bank, "GET", "/iso20022/camt.053?date="+t0.Format(time.DateOnly), nil)
			if resp.Status != http.StatusOK {
				t.Fatalf("%s camt.053: %d %s", bank, resp.Status, resp.Body)
			}
			mustSchemaValid(t, resp.Body, "camt.053.001.08")
			if !bytes.Contains(resp.Body, []byte(uetr.String())) {
				t.Errorf("%s's statement does not name the payment's UETR:\n%s", bank, resp.Body)
			}
		}
		MustProblem(t, n.As(t, volga, "GET", "/iso20022/camt.053?date=5+March", nil), http.StatusBadRequest, "date_syntax", "date")
	})
	t.Run("the receiving bank returns it with a pacs.004", func(t *testing.T) {
		p := n.MustPayment(t, caspian, uetr.String())
		pay := inboundPayment(uetr, 500_000_000)
		pay.SourceAmount = mustAmount(t, p.SourceAmount, "RUB")
		ret, err := iso20022.WritePacs004(iso20022.Header{From: caspian, To: "ASTARUMM", CreDt: t0}, "CASP-RET-1", pay, "AC04", t0)
		if err != nil {
			t.Fatal(err)
		}
		rep := mustStatusReport(t, n.postXML(t, caspian, "/iso20022/pacs.004", ret))
		if rep.Transactions[0].Status != "ACSC" {
			t.Fatalf("got %+v", rep.Transactions[0])
		}
		if got := n.MustPayment(t, volga, uetr.String()); got.Status != "returned" || got.Reason != "AC04" {
			t.Fatalf("payment %s %s after the pacs.004", got.Status, got.Reason)
		}
		resp := n.As(t, volga, "GET", "/iso20022/pacs.004/"+uetr.String(), nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("pacs.004 to the sender: %d %s", resp.Status, resp.Body)
		}
		mustSchemaValid(t, resp.Body, iso20022.KindPacs004)
	})
	n.checkDoubleEntry(t)
}

func mustAmount(tb testing.TB, s, currency string) money.Amount {
	tb.Helper()
	a, err := money.ParseAmount(s, money.MustCurrency(currency))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestPacs008Faults sends a pacs.008 with each kind of fault and checks the
// pacs.002 it is answered with, and that nothing was made of it.
func TestPacs008Faults(t *testing.T) {
	n := newNetwork(t)
	uetr := ledger.MustParseID("0b9c2d4e-6f8a-4b1c-9d2e-3f4a5b6c7d8e")
	good := pacs008From(t, "VOLG-FAULT-0", inboundPayment(uetr, 1_000_000))
	for _, tc := range []struct {
		name   string
		msg    []byte
		reason string
	}{
		{"a MsgId over 35 characters breaks the schema", bytes.Replace(good, []byte("VOLG-FAULT-0"), []byte(strings.Repeat("M", 36)), 1), ""},
		{"a charge bearer outside its code list breaks the schema (FF01)", bytes.Replace(good, []byte("<ChrgBr>DEBT</ChrgBr>"), []byte("<ChrgBr>XXXX</ChrgBr>"), 1), "FF01"},
		{"an unknown creditor agent is RC01", bytes.ReplaceAll(good, []byte("<BICFI>"+caspian+"</BICFI>"), []byte("<BICFI>NOBKIRTH</BICFI>")), "RC01"},
		{"an amount over the corridor's limit is AM02", pacs008From(t, "VOLG-FAULT-2", inboundPayment(ledger.MustParseID("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"), 900_000_000_000_000)), "AM02"},
		{"an unknown currency is AM03", bytes.Replace(good, []byte(`Ccy="IRR"`), []byte(`Ccy="QQQ"`), 1), "AM03"},
		{"a fraction of a rial is AM12", bytes.Replace(good, []byte(`Ccy="IRR">1000000<`), []byte(`Ccy="IRR">1000000.50<`), 1), "AM12"},
		{"an AppHdr from another bank is RC01", pacs008Header(t, kama, "VOLG-FAULT-3", inboundPayment(ledger.MustParseID("2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"), 1000)), "RC01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Equal(tc.msg, good) {
				t.Fatal("the fault did not change the message")
			}
			resp := n.postXML(t, volga, "/iso20022/pacs.008", tc.msg)
			if tc.reason == "" {
				if resp.Status != http.StatusBadRequest && resp.Status != http.StatusOK {
					t.Fatalf("got %d %s", resp.Status, resp.Body)
				}
				if resp.Status == http.StatusBadRequest {
					return
				}
				tc.reason = "FF01"
			}
			rep := mustStatusReport(t, resp)
			if len(rep.Transactions) == 0 || rep.Transactions[0].Status != "RJCT" || rep.Transactions[0].Reason != tc.reason {
				t.Fatalf("got %+v, want RJCT %s", rep.Transactions, tc.reason)
			}
		})
	}
	var page paymentsPage
	MustJSON(t, n.As(t, volga, "GET", "/v1/payments", nil), http.StatusOK, &page)
	if len(page.Payments) != 0 {
		t.Errorf("%d payments were made of faulty messages", len(page.Payments))
	}
	t.Run("a control character in the remittance is RR10 and leaves nothing behind", func(t *testing.T) {
		// XML carries a tab as a character reference; the pacs.008 the
		// receiving bank reads would carry it on.
		msg := bytes.Replace(good, []byte("Invoice 2026/117, carpets"), []byte("Invoice 2026/117,&#9;carpets"), 1)
		if bytes.Equal(msg, good) {
			t.Fatal("the fault did not change the message")
		}
		seq := n.Store.LastSeq()
		rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", msg))
		if len(rep.Transactions) != 1 || rep.Transactions[0].Status != "RJCT" || rep.Transactions[0].Reason != "RR10" {
			t.Fatalf("got %+v, want RJCT RR10", rep.Transactions)
		}
		if got := n.Store.LastSeq(); got != seq {
			t.Fatalf("the journal went from entry %d to %d: the refused message left a command (its quote) behind", seq, got)
		}
	})
	t.Run("a prefixed namespace and a bare document are read alike", func(t *testing.T) {
		doc, err := iso20022.DocumentOf(good)
		if err != nil {
			t.Fatal(err)
		}
		rep := mustStatusReport(t, n.postXML(t, volga, "/iso20022/pacs.008", doc))
		if rep.Transactions[0].Status != "ACCP" {
			t.Fatalf("bare document: %+v", rep.Transactions[0])
		}
	})
	t.Run("a DOCTYPE is refused", func(t *testing.T) {
		bomb := []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">&lol2;</Document>`)
		resp := n.postXML(t, volga, "/iso20022/pacs.008", bomb)
		if resp.Status != http.StatusBadRequest {
			t.Fatalf("got %d %s", resp.Status, resp.Body)
		}
	})
}

// BenchmarkPaymentJSON and BenchmarkPaymentPacs008 make one payment a
// request on the same network, through the JSON API (a quote, then the
// payment) and as a pacs.008 (schema check, read, quote, payment, the
// pacs.002 written): their ratio is what ISO 20022 costs.
func BenchmarkPaymentJSON(b *testing.B) {
	n := benchNetwork(b)
	b.ResetTimer()
	for i := range b.N {
		q := n.MustQuote(b, volga, rubQuote("1000.00"))
		resp := n.Pay(b, volga, fmt.Sprintf("bench-%d", i), rubPayment(q.ID))
		if resp.Status != http.StatusCreated {
			b.Fatalf("%d %s", resp.Status, resp.Body)
		}
	}
}

func BenchmarkPaymentPacs008(b *testing.B) {
	n := benchNetwork(b)
	msgs := make([][]byte, b.N)
	for i := range msgs {
		msgs[i] = pacs008From(b, fmt.Sprintf("BENCH-%d", i), inboundPayment(ledger.NewRandomID(), 1_000_000))
	}
	b.ResetTimer()
	for i := range b.N {
		resp := n.postXML(b, volga, "/iso20022/pacs.008", msgs[i])
		if resp.Status != http.StatusOK || !bytes.Contains(resp.Body, []byte("ACCP")) {
			b.Fatalf("%d %s", resp.Status, resp.Body)
		}
	}
}

// benchNetwork is the test network with liquidity for a long run.
func benchNetwork(b *testing.B) *network {
	n := newNetwork(b)
	n.Fund(b, volga, "RUB", "100000000000000.00")
	n.Fund(b, fxp, "IRR", "100000000000000000")
	return n
}

// camt053 is what TestStatementDays reads of a camt.053: the booked
// balances and each entry's direction, amount, reference and UETR.
type camt053 struct {
	Balances []struct {
		Code   string `xml:"Tp>CdOrPrtry>Cd"`
		Amount string `xml:"Amt"`
		Sign   string `xml:"CdtDbtInd"`
	} `xml:"BkToCstmrStmt>Stmt>Bal"`
	Entries []struct {
		Amount string `xml:"Amt"`
		Sign   string `xml:"CdtDbtInd"`
		Ref    string `xml:"AcctSvcrRef"`
		UETR   string `xml:"NtryDtls>TxDtls>Refs>UETR"`
	} `xml:"BkToCstmrStmt>Stmt>Ntry"`
}

// balance returns the balance of type code ("OPBD", "CLBD") as the
// positions API writes it: a debit balance with a minus sign.
func (c camt053) balance(tb testing.TB, code string) string {
	tb.Helper()
	for _, b := range c.Balances {
		if b.Code == code {
			if b.Sign == "DBIT" {
				return "-" + b.Amount
			}
			return b.Amount
		}
	}
	tb.Fatalf("no %s balance in %+v", code, c.Balances)
	return ""
}

// uetrs returns the entries' UETRs, each with its directions in order
// ("+" a credit, "-" a debit); entries of no payment are left out.
func (c camt053) uetrs() map[string]string {
	out := map[string]string{}
	for _, e := range c.Entries {
		if e.UETR == "" {
			continue // the funding of a position: no payment's
		}
		if e.Sign == "CRDT" {
			out[e.UETR] += "+"
		} else {
			out[e.UETR] += "-"
		}
	}
	return out
}

// TestStatementDays runs payments over three business days, with a
// return on the second of a payment completed on the first, and reads
// each bank's camt.053 of each day, long after the payments left memory:
// every day names exactly the payments booked that day, in the direction
// they moved its money, and each day opens where the day before closed.
func TestStatementDays(t *testing.T) {
	n := newNetwork(t)
	a := n.SendRUB(t, "100000.00")
	n.MustAnswer(t, caspian, a.UETR, "accept", "")
	b := n.SendRUB(t, "200000.00")
	n.MustAnswer(t, caspian, b.UETR, "accept", "")
	day1 := t0.Format(time.DateOnly)

	n.Clock.Advance(24 * time.Hour)
	n.SetRate(t, rateRUBIRR)
	c := n.SendRUB(t, "300000.00")
	n.MustAnswer(t, caspian, c.UETR, "accept", "")
	d := n.SendRUB(t, "400000.00") // reserved all day: no booked money moves
	n.MustAnswer(t, caspian, a.UETR, "return", "AC04")
	day2 := t0.AddDate(0, 0, 1).Format(time.DateOnly)

	n.Clock.Advance(24 * time.Hour)
	n.SetRate(t, rateRUBIRR)
	e := n.SendRUB(t, "500000.00")
	n.MustAnswer(t, caspian, e.UETR, "accept", "")
	n.MustAnswer(t, caspian, d.UETR, "reject", "AC04")
	day3 := t0.AddDate(0, 0, 2).Format(time.DateOnly)
	// Older payments at an end are out of memory by now (the test
	// servers keep two): the statements read them back, and find f's in
	// memory.
	f := n.SendRUB(t, "1000.00")
	n.MustAnswer(t, caspian, f.UETR, "accept", "")
	n.SendRUB(t, "1000.00")

	statement := func(bank, currency, day string) camt053 {
		t.Helper()
		resp := n.As(t, bank, "GET", "/iso20022/camt.053?date="+day+"&currency="+currency, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("%s camt.053 %s of %s: %d %s", bank, currency, day, resp.Status, resp.Body)
		}
		doc, err := iso20022.DocumentOf(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var st camt053
		if err := xml.Unmarshal(doc, &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for _, tc := range []struct {
		bank, currency string
		// want names each day's payments and their entries' directions.
		want [3]map[string]string
	}{
		// The sender's position is debited the source amount and the fee
		// apart; a return credits back what its receiver sends back.
		{volga, "RUB", [3]map[string]string{
			{a.UETR: "--", b.UETR: "--"},
			{c.UETR: "--", a.UETR: "+"},
			{e.UETR: "--", f.UETR: "--"}}},
		{caspian, "IRR", [3]map[string]string{
			{a.UETR: "+", b.UETR: "+"},
			{c.UETR: "+", a.UETR: "-"},
			{e.UETR: "+", f.UETR: "+"}}},
		// The FX provider buys the source amount; the fee is the switch's.
		{fxp, "RUB", [3]map[string]string{
			{a.UETR: "+", b.UETR: "+"},
			{c.UETR: "+", a.UETR: "-"},
			{e.UETR: "+", f.UETR: "+"}}},
		{fxp, "IRR", [3]map[string]string{
			{a.UETR: "-", b.UETR: "-"},
			{c.UETR: "-", a.UETR: "+"},
			{e.UETR: "-", f.UETR: "-"}}},
	} {
		t.Run(tc.bank+" "+tc.currency, func(t *testing.T) {
			day0 := statement(tc.bank, tc.currency, t0.AddDate(0, 0, -1).Format(time.DateOnly))
			if len(day0.Entries) != 0 || strings.Trim(day0.balance(t, "OPBD")+day0.balance(t, "CLBD"), "0.") != "" {
				t.Errorf("the day before the positions were funded: %+v", day0)
			}
			closed := day0.balance(t, "CLBD")
			for i, day := range []string{day1, day2, day3} {
				st := statement(tc.bank, tc.currency, day)
				if got := st.uetrs(); fmt.Sprint(got) != fmt.Sprint(tc.want[i]) {
					t.Errorf("%s: entries by UETR %v, want %v", day, got, tc.want[i])
				}
				for _, e := range st.Entries {
					if e.Ref == "" {
						t.Errorf("%s: an entry without the switch's reference: %+v", day, e)
					}
				}
				opening := st.balance(t, "OPBD")
				if opening != closed {
					t.Errorf("%s opens at %s, the day before closed at %s", day, opening, closed)
				}
				closed = st.balance(t, "CLBD")
			}
			var booked string
			n.Service.View(func(e *ledger.Engine) {
				acc, _ := e.LookupAccount(ledger.MustParseID(n.participants[tc.bank].Accounts[tc.currency].Position))
				cur := money.MustCurrency(tc.currency)
				if d, ok := acc.CreditsPosted.Sub(acc.DebitsPosted); ok {
					booked = money.FormatAmount(d, cur)
				} else {
					booked = "-" + money.FormatAmount(acc.DebitsPosted.MustSub(acc.CreditsPosted), cur)
				}
			})
			if closed != booked {
				t.Errorf("the last day closes at %s; the position account's booked balance is %s", closed, booked)
			}
		})
	}
}
