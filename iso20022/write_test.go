package iso20022_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"astara/iso20022"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

func testNotification() iso20022.Notification {
	p := testPayment()
	return iso20022.Notification{
		Account: "POS-BMJIIRTH-IRR", Owner: receiverBC, Currency: money.MustCurrency("IRR"),
		Entries: []iso20022.Entry{{
			Amount: p.TargetAmount, Credit: true, Status: "BOOK", BookingDate: "2026-03-10", ValueDate: "2026-03-11",
			Ref: "ASTR-E-000001", UETR: p.UETR, EndToEndID: p.EndToEndID, InstrID: p.InstructionID,
			Debtor: p.Debtor, Creditor: p.Creditor, Purpose: p.Purpose, Remittance: p.Remittance, Time: clock,
		}},
	}
}

func testStatement() iso20022.Statement {
	rub := money.MustCurrency("RUB")
	return iso20022.Statement{
		ID: "STMT-SABR-RUB-20260310", Account: "POS-SABRRUMM-RUB", Owner: senderBIC, Currency: rub, Date: "2026-03-10",
		Opening: iso20022.Balance{Amount: money.NewAmount(10000000)},                // 100000.00 credit
		Closing: iso20022.Balance{Amount: money.NewAmount(6500000), Negative: true}, // -65000.00
		Entries: []iso20022.Entry{
			{Amount: money.NewAmount(16500000), Credit: false, BookingDate: "2026-03-10", ValueDate: "2026-03-10",
				Ref: "ASTR-E-000001", UETR: testUETR, EndToEndID: "E2E-2026-0001",
				Debtor: payments.Party{Name: "Иван Петров", Account: "40817810099910004312"}, Creditor: payments.Party{Name: "علی رضایی"}},
			{Amount: money.NewAmount(2500000), Credit: true, Status: "PDNG", Ref: "ASTR-E-000002"},
		},
		CreatedAt: clock,
	}
}

func testBatch() iso20022.SettlementBatch {
	return iso20022.SettlementBatch{
		WindowID: "W-RUB-20260310-1", Currency: money.MustCurrency("RUB"), SettlementDate: "2026-03-10",
		Instructions: []iso20022.Instruction{
			{ID: "W-RUB-20260310-1-1", Debtor: senderBIC, Creditor: "VTBRRUMMXXX",
				DebtorAccount: "SETTLE-SABRRUMM-RUB", CreditorAccount: "SETTLE-VTBRRUMM-RUB", Amount: money.NewAmount(123456789)},
			{ID: "W-RUB-20260310-1-2", Debtor: "TICSRUMMXXX", Creditor: senderBIC,
				DebtorAccount: "SETTLE-TICSRUMM-RUB", CreditorAccount: "SETTLE-SABRRUMM-RUB", Amount: money.NewAmount(1)},
		},
		CreatedAt: clock,
	}
}

func testStatusReport() iso20022.StatusReport {
	return iso20022.StatusReport{
		OriginalMsgID: "SBR20260310000042", OriginalMsgNameID: iso20022.KindPacs008,
		Transactions: []iso20022.TransactionStatus{
			{OriginalInstrID: "SBR-INSTR-77", OriginalEndToEndID: "E2E-2026-0001", OriginalTxID: "SBR-TX-77",
				OriginalUETR: testUETR, Status: "ACSP"},
			{OriginalEndToEndID: "E2E-2026-0002", OriginalUETR: ledger.MustParseID("0b8e4c1e-93f1-4d2a-b2c8-6a1f0e7d9c33"),
				Status: "RJCT", Reason: "AC01",
				AdditionalInfo: strings.Repeat("Номер счёта получателя неверен. ", 5)},
		},
	}
}

// writers are every writer with fixed inputs.
var writers = []struct {
	name, kind string
	write      func() ([]byte, error)
}{
	{"pacs008", iso20022.KindPacs008, func() ([]byte, error) {
		return iso20022.WritePacs008(header(receiverBC), "ASTR20260310000001", testPayment(), "2026-03-11")
	}},
	{"pacs002", iso20022.KindPacs002, func() ([]byte, error) {
		return iso20022.WritePacs002(header(senderBIC), "ASTR20260310000002", testStatusReport())
	}},
	{"pacs004", iso20022.KindPacs004, func() ([]byte, error) {
		return iso20022.WritePacs004(header(senderBIC), "ASTR20260310000003", testPayment(), "AC04", clock.Add(2*time.Hour))
	}},
	{"pacs009", iso20022.KindPacs009, func() ([]byte, error) {
		return iso20022.WritePacs009(header("CBRFRUMMXXX"), "ASTR20260310000004", testBatch())
	}},
	{"camt053", iso20022.KindCamt053, func() ([]byte, error) {
		return iso20022.WriteCamt053(header(senderBIC), "ASTR20260310000005", testStatement())
	}},
	{"camt054", iso20022.KindCamt054, func() ([]byte, error) {
		return iso20022.WriteCamt054(header(receiverBC), "ASTR20260310000006", testNotification())
	}},
}

func TestWriters(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			out, err := w.write()
			if err != nil {
				t.Fatal(err)
			}
			again, err := w.write()
			if err != nil || !bytes.Equal(out, again) {
				t.Errorf("a second write gives other bytes (err %v)", err)
			}
			if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n")) {
				t.Errorf("output starts %q, want the XML declaration", out[:40])
			}
			m, err := iso20022.Split(out)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != w.kind || m.Header == nil || m.Header.MsgDefIdr != w.kind || m.Header.From != switchBIC || !m.Header.CreDt.Equal(clock) {
				t.Errorf("Split: kind %q, header %+v; want %s from %s at %v", m.Kind, m.Header, w.kind, switchBIC, clock)
			}
			checkGolden(t, w.name+".xml", out)
			validate(t, out, w.kind)
		})
	}
}

func TestWritePacs008RoundTrip(t *testing.T) {
	tests := []struct {
		rule   string
		change func(p *payments.Payment)
	}{
		{"CyrillicAndPersian", func(p *payments.Payment) {}},
		{"NoEndToEndIDIsNotProvided", func(p *payments.Payment) { p.EndToEndID = "" }},
		{"NoInstructionIDNoRemittanceNoPurpose", func(p *payments.Payment) { p.InstructionID, p.Remittance, p.Purpose = "", "", "" }},
		{"IRRToRUB", func(p *payments.Payment) {
			p.Source, p.Target = p.Target, p.Source
			p.SourceAmount, p.TargetAmount = money.NewAmount(1092907500), money.NewAmount(15000000)
			p.Fee = money.NewAmount(10929075)
			p.Rate = money.MustRate("0.000137249")
			p.Sender, p.Receiver = p.Receiver, p.Sender
			p.Debtor, p.Creditor = p.Creditor, p.Debtor
		}},
		{"RemittanceOf140Characters", func(p *payments.Payment) { p.Remittance = strings.Repeat("ж", 140) }},
		{"MarkupInText", func(p *payments.Payment) { p.Debtor.Name = `A&B <"Ltd"> 'x'` }},
		{"LongAddressInLines", func(p *payments.Payment) {
			p.Creditor.Address = strings.Repeat("خیابان ولیعصر", 4) + ", " + strings.Repeat("کوچه ۱۲", 6) + ", تهران"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := testPayment()
			tt.change(p)
			out, err := iso20022.WritePacs008(header(p.Receiver), "ASTR20260310000001", p, "2026-03-11")
			if err != nil {
				t.Fatal(err)
			}
			validate(t, out, iso20022.KindPacs008)
			ct, err := iso20022.ReadPacs008(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct.Transactions) != 1 {
				t.Fatalf("got %d transactions, want 1", len(ct.Transactions))
			}
			tx := ct.Transactions[0]
			wantE2E := p.EndToEndID
			if wantE2E == "" {
				wantE2E = iso20022.NotProvided
			}
			var wantRemittance []string
			if p.Remittance != "" {
				wantRemittance = []string{p.Remittance}
			}
			checks := []struct{ field, got, want string }{
				{"UETR", tx.UETR.String(), p.UETR.String()},
				{"EndToEndID", tx.EndToEndID, wantE2E},
				{"InstrID", tx.InstrID, p.InstructionID},
				{"Purpose", tx.Purpose, p.Purpose},
				{"Remittance", strings.Join(tx.Remittance, "|"), strings.Join(wantRemittance, "|")},
				{"Debtor.Name", tx.Debtor.Name, p.Debtor.Name},
				{"Creditor.Name", tx.Creditor.Name, p.Creditor.Name},
				{"Debtor.Account", tx.Debtor.Account, p.Debtor.Account},
				{"Creditor.Account", tx.Creditor.Account, p.Creditor.Account},
				{"Debtor.Country", tx.Debtor.Country, p.Debtor.Country},
				{"Creditor.Address", tx.Creditor.Address, p.Creditor.Address},
				{"Debtor.Address", tx.Debtor.Address, p.Debtor.Address},
				{"SettlementAmount", tx.SettlementAmount.Value.String() + " " + tx.SettlementAmount.Currency.String(),
					p.TargetAmount.String() + " " + p.Target.String()},
				{"InstructedAmount", tx.InstructedAmount.Value.String() + " " + tx.InstructedAmount.Currency.String(),
					p.SourceAmount.String() + " " + p.Source.String()},
				{"ExchangeRate", tx.ExchangeRate, p.Rate.String()},
				{"SettlementDate", tx.SettlementDate, "2026-03-11"},
				{"DebtorAgent.BIC", tx.DebtorAgent.BIC, p.Sender},
				{"CreditorAgent.BIC", tx.CreditorAgent.BIC, p.Receiver},
			}
			if p.Debtor.BankCode != "" {
				checks = append(checks, struct{ field, got, want string }{"Debtor.BankCode", tx.Debtor.BankCode, p.Debtor.BankCode})
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
		})
	}
}

func TestWritePacs008RoundsRateDown(t *testing.T) {
	tests := []struct{ rate, want string }{
		{"7286.05", "7286.05"},
		{"7286.123456789012", "7286.1234567"},    // 11 digits in all
		{"0.000137249123456789", "0.0001372491"}, // 10 after the point
		{"12345678901.9", "12345678901"},         // 11 integer digits, no room for a fraction
		{"1.00000000009", "1"},                   // rounded down to a whole number
	}
	for _, tt := range tests {
		t.Run(tt.rate, func(t *testing.T) {
			p := testPayment()
			p.Rate = money.MustRate(tt.rate)
			out, err := iso20022.WritePacs008(header(receiverBC), "M1", p, "2026-03-11")
			if err != nil {
				t.Fatal(err)
			}
			ct, err := iso20022.ReadPacs008(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := ct.Transactions[0].ExchangeRate; got != tt.want {
				t.Errorf("XchgRate %q, want %q", got, tt.want)
			}
			validate(t, out, iso20022.KindPacs008)
		})
	}
}

func TestWritersRefuse(t *testing.T) {
	pacs008 := func(change func(p *payments.Payment, h *iso20022.Header)) func() ([]byte, error) {
		return func() ([]byte, error) {
			p, h := testPayment(), header(receiverBC)
			change(p, &h)
			return iso20022.WritePacs008(h, "ASTR20260310000001", p, "2026-03-11")
		}
	}
	const tx = "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf"
	tests := []struct {
		rule  string
		write func() ([]byte, error)
		want  iso20022.Rule
		path  string
	}{
		{"NameOf141Characters", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Debtor.Name = strings.Repeat("И", 141) }),
			iso20022.RuleTextTooLong, tx + "/Dbtr/Nm"},
		{"RemittanceOf141Characters", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Remittance = strings.Repeat("a", 141) }),
			iso20022.RuleTextTooLong, tx + "/RmtInf/Ustrd"},
		{"EndToEndIDOf36Characters", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.EndToEndID = strings.Repeat("1", 36) }),
			iso20022.RuleTextTooLong, tx + "/PmtId/EndToEndId"},
		{"ControlCharacter", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Creditor.Name = "a\x07b" }),
			iso20022.RuleTextInvalid, tx + "/Cdtr/Nm"},
		{"NotUTF8", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Creditor.Name = "a\xffb" }),
			iso20022.RuleTextInvalid, tx + "/Cdtr/Nm"},
		{"ReceiverNotABIC", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Receiver = "bank-melli" }),
			iso20022.RuleBICSyntax, tx + "/InstdAgt/FinInstnId/BICFI"},
		{"HeaderNotABIC", pacs008(func(_ *payments.Payment, h *iso20022.Header) { h.To = "" }),
			iso20022.RuleBICSyntax, "/AppHdr/To/FIId/FinInstnId/BICFI"},
		{"NoCreationTime", pacs008(func(_ *payments.Payment, h *iso20022.Header) { h.CreDt = time.Time{} }),
			iso20022.RuleDateTimeSyntax, "/AppHdr/CreDt"},
		{"UETRNotVersion4", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.UETR = ledger.IDFromUint64(1) }),
			iso20022.RuleUETRSyntax, tx + "/PmtId/UETR"},
		{"AmountOf19Digits", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.TargetAmount = money.NewAmount(1e18) }),
			iso20022.RuleAmountTooLarge, tx + "/IntrBkSttlmAmt"},
		{"PurposeNotACode", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Purpose = "education" }),
			iso20022.RuleCodeSyntax, tx + "/Purp/Cd"},
		{"SettlementDate", func() ([]byte, error) {
			return iso20022.WritePacs008(header(receiverBC), "M1", testPayment(), "11.03.2026")
		}, iso20022.RuleDateTimeSyntax, tx + "/IntrBkSttlmDt"},
		{"RateTooLarge", pacs008(func(p *payments.Payment, _ *iso20022.Header) { p.Rate = money.MustRate("123456789012") }),
			iso20022.RuleRateRange, tx + "/XchgRate"},
		{"MsgIDOf36Characters", func() ([]byte, error) {
			return iso20022.WritePacs008(header(receiverBC), strings.Repeat("M", 36), testPayment(), "2026-03-11")
		}, iso20022.RuleTextTooLong, "/AppHdr/BizMsgIdr"},
		{"EmptyBatch", func() ([]byte, error) {
			b := testBatch()
			b.Instructions = nil
			return iso20022.WritePacs009(header("CBRFRUMMXXX"), "M1", b)
		}, iso20022.RuleTransactionsNone, "/Document/FICdtTrf"},
		{"BatchOverLimit", func() ([]byte, error) {
			b := testBatch()
			for len(b.Instructions) <= iso20022.TransactionsMax {
				b.Instructions = append(b.Instructions, b.Instructions[0])
			}
			return iso20022.WritePacs009(header("CBRFRUMMXXX"), "M1", b)
		}, iso20022.RuleTransactionsTooMany, "/Document/FICdtTrf"},
		{"StatementDoesNotAddUp", func() ([]byte, error) {
			s := testStatement()
			s.Closing.Negative = false
			return iso20022.WriteCamt053(header(senderBIC), "M1", s)
		}, iso20022.RuleStatementBalance, "/Document/BkToCstmrStmt/Stmt/Bal"},
		{"NotificationWithoutEntries", func() ([]byte, error) {
			n := testNotification()
			n.Entries = nil
			return iso20022.WriteCamt054(header(receiverBC), "M1", n)
		}, iso20022.RuleTransactionsNone, "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn"},
		{"StatusReportEmpty", func() ([]byte, error) {
			return iso20022.WritePacs002(header(senderBIC), "M1", iso20022.StatusReport{OriginalMsgID: "X", OriginalMsgNameID: "pacs.008.001.08"})
		}, iso20022.RuleTransactionsNone, "/Document/FIToFIPmtStsRpt"},
		{"StatusInfoTooLong", func() ([]byte, error) {
			s := testStatusReport()
			s.Transactions[1].AdditionalInfo = strings.Repeat("x", 105*iso20022.AdditionalInfoLinesMax+1)
			return iso20022.WritePacs002(header(senderBIC), "M1", s)
		}, iso20022.RuleTextTooLong, "/Document/FIToFIPmtStsRpt/TxInfAndSts[2]/StsRsnInf/AddtlInf[11]"},
		{"ReturnReasonMissing", func() ([]byte, error) {
			return iso20022.WritePacs004(header(senderBIC), "M1", testPayment(), "", clock)
		}, iso20022.RuleCodeSyntax, "/Document/PmtRtr/TxInf/RtrRsnInf/Rsn/Cd"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			out, err := tt.write()
			if got := ruleOf(err); got != tt.want {
				t.Fatalf("rule %q (%v), want %q", got, err, tt.want)
			}
			if out != nil {
				t.Errorf("output %d bytes with the error, want none", len(out))
			}
			if e := err.(*iso20022.Error); e.Path != tt.path {
				t.Errorf("path %q, want %q", e.Path, tt.path)
			}
		})
	}
}

func TestWritePacs002RoundTrip(t *testing.T) {
	s := testStatusReport()
	out, err := iso20022.WritePacs002(header(senderBIC), "ASTR20260310000002", s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := iso20022.ReadPacs002(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.MsgID != "ASTR20260310000002" || r.OriginalMsgID != s.OriginalMsgID || r.OriginalMsgNameID != s.OriginalMsgNameID {
		t.Errorf("report = %+v, want the original ids of %+v", r, s)
	}
	if len(r.Transactions) != len(s.Transactions) {
		t.Fatalf("got %d transactions, want %d", len(r.Transactions), len(s.Transactions))
	}
	for i, got := range r.Transactions {
		want := s.Transactions[i]
		if want.Status == "ACSP" {
			want.AcceptedAt = clock // the header's time when none is given
		}
		if !got.AcceptedAt.Equal(want.AcceptedAt) {
			t.Errorf("transaction %d: AcceptedAt %v, want %v", i, got.AcceptedAt, want.AcceptedAt)
		}
		got.AcceptedAt, want.AcceptedAt = time.Time{}, time.Time{}
		if got != want {
			t.Errorf("transaction %d:\ngot  %+v\nwant %+v", i, got, want)
		}
	}
}

func TestWritePacs004RoundTrip(t *testing.T) {
	p := testPayment()
	out, err := iso20022.WritePacs004(header(senderBIC), "ASTR20260310000003", p, "AC04", clock)
	if err != nil {
		t.Fatal(err)
	}
	r, err := iso20022.ReadPacs004(out)
	if err != nil {
		t.Fatal(err)
	}
	x := r.Transactions[0]
	if x.OriginalUETR != p.UETR || x.OriginalEndToEndID != p.EndToEndID || x.OriginalInstrID != p.InstructionID ||
		x.Reason != "AC04" || x.Amount.Value != p.SourceAmount || x.Amount.Currency.Code != p.Source || x.ReturnID != "ASTR20260310000003" {
		t.Errorf("returned transaction = %+v", x)
	}
}

func TestSettlementUETR(t *testing.T) {
	a, b := iso20022.SettlementUETR("W1", 0), iso20022.SettlementUETR("W1", 1)
	if a == b || a != iso20022.SettlementUETR("W1", 0) || a == iso20022.SettlementUETR("W2", 0) {
		t.Errorf("SettlementUETR is not a deterministic function of window and index: %v %v", a, b)
	}
	if s := a.String(); s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		t.Errorf("SettlementUETR = %s, want a UUID version 4", s)
	}
}
