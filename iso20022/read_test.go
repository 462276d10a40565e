package iso20022_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"astara/iso20022"
	"astara/ledger"
	"astara/payments"
)

// prefixed rewrites a bare sample so that its namespace has the prefix
// "pacs" and every element carries it.
func prefixed(doc []byte) []byte {
	doc = regexp.MustCompile(`<([A-Za-z])`).ReplaceAll(doc, []byte("<pacs:$1"))
	doc = regexp.MustCompile(`</([A-Za-z])`).ReplaceAll(doc, []byte("</pacs:$1"))
	return bytes.Replace(doc, []byte(`xmlns="`), []byte(`xmlns:pacs="`), 1)
}

// enveloped puts a sample beside an AppHdr in a BusMsg envelope.
func enveloped(doc []byte, kind string) []byte {
	doc = bytes.TrimPrefix(doc, []byte(`<?xml version="1.0" encoding="UTF-8"?>`))
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<BusMsg xmlns="urn:example:busmsg">
  <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
    <Fr><FIId><FinInstnId><BICFI>BANKUS33XXX</BICFI></FinInstnId></FIId></Fr>
    <To><FIId><FinInstnId><BICFI>ASTRRUMMXXX</BICFI></FinInstnId></FIId></To>
    <BizMsgIdr>MSG-1</BizMsgIdr>
    <MsgDefIdr>` + kind + `</MsgDefIdr>
    <CreDt>2025-03-10T13:00:00Z</CreDt>
  </AppHdr>
` + string(doc) + `
</BusMsg>
`)
}

// forms returns a sample as it is, prefixed, enveloped and both.
func forms(t *testing.T, name, kind string) map[string][]byte {
	t.Helper()
	bare := MustRead(t, filepath.Join("samples", name))
	return map[string][]byte{
		"Bare":              bare,
		"Prefixed":          prefixed(bare),
		"Enveloped":         enveloped(bare, kind),
		"PrefixedEnveloped": enveloped(prefixed(bare), kind),
	}
}

func usd(t *testing.T, s string) iso20022.CurrencyAmount {
	t.Helper()
	a, c, err := iso20022.ParseAmount(s, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return iso20022.CurrencyAmount{Value: a, Currency: c}
}

func TestReadPacs008Samples(t *testing.T) {
	tests := []struct {
		file              string
		msgID, endToEnd   string
		instrID           string
		uetr              string
		amount, instdAmt  string
		debtor, creditor  payments.Party
		debtorAgentMember string
	}{
		{
			file: "CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml", msgID: "20250310B1QDRCQR000001",
			endToEnd: "Scenario01EtoEId001", instrID: "Scenario01InstrId001", uetr: "8a562c67-ca16-48ba-b074-65581be6f011",
			amount: "510000.74", instdAmt: "510000.74",
			debtor: payments.Party{Name: "Corporation A", Account: "5647772655", BankCode: "011104238", Country: "US",
				Address: "Avenue of the Fountains, 167565, 85268, Fountain Hills, AZ"},
			creditor: payments.Party{Name: "Corporation B", Account: "567876543", BankCode: "021040078", Country: "US",
				Address: "Desert View Street, 1, 19067, Palm Springs, CA"},
			debtorAgentMember: "011104238",
		},
		{
			file: "CustomerCreditTransfer_Scenario2_Step1_pacs.008.xml", msgID: "20250310B1QDRCQR000002",
			endToEnd: "Scenario02EtoEId001", uetr: "8a562c67-ca16-48ba-b074-65581be6f011",
			amount: "510000.74", instdAmt: "510000.74",
		},
		{
			file: "PaymentReturn_Scenario1_Step1_pacs.008.xml", msgID: "20250310B1QDRCQR000400",
			endToEnd: "Scenario01EtoEId001", uetr: "8a562c67-ca16-48ba-b074-65581be6f011",
			amount: "1510000.74", instdAmt: "1510000.74",
		},
	}
	for _, tt := range tests {
		for form, data := range forms(t, tt.file, iso20022.KindPacs008) {
			t.Run(strings.TrimSuffix(tt.file, ".xml")+"/"+form, func(t *testing.T) {
				ct, err := iso20022.ReadPacs008(data)
				if err != nil {
					t.Fatal(err)
				}
				if (ct.Header != nil) != strings.Contains(form, "Enveloped") {
					t.Errorf("Header = %+v in form %s", ct.Header, form)
				}
				if len(ct.Transactions) != 1 {
					t.Fatalf("got %d transactions, want 1", len(ct.Transactions))
				}
				tx := ct.Transactions[0]
				if ct.MsgID != tt.msgID || ct.SettlementMethod != "CLRG" {
					t.Errorf("MsgID, SttlmMtd = %q, %q; want %q, CLRG", ct.MsgID, ct.SettlementMethod, tt.msgID)
				}
				if tx.EndToEndID != tt.endToEnd || tx.UETR != ledger.MustParseID(tt.uetr) {
					t.Errorf("EndToEndID, UETR = %q, %v; want %q, %s", tx.EndToEndID, tx.UETR, tt.endToEnd, tt.uetr)
				}
				if tt.instrID != "" && tx.InstrID != tt.instrID {
					t.Errorf("InstrID = %q, want %q", tx.InstrID, tt.instrID)
				}
				if got, want := tx.SettlementAmount, usd(t, tt.amount); got != want {
					t.Errorf("SettlementAmount = %v %s, want %v %s", got.Value, got.Currency, want.Value, want.Currency)
				}
				if tx.InstructedAmount == nil || *tx.InstructedAmount != usd(t, tt.instdAmt) {
					t.Errorf("InstructedAmount = %+v, want %s USD", tx.InstructedAmount, tt.instdAmt)
				}
				if tx.SettlementDate != "2025-03-10" || tx.ChargeBearer != "SLEV" {
					t.Errorf("SettlementDate, ChargeBearer = %q, %q; want 2025-03-10, SLEV", tx.SettlementDate, tx.ChargeBearer)
				}
				if tt.debtor.Name != "" {
					if tx.Debtor != tt.debtor {
						t.Errorf("Debtor = %+v, want %+v", tx.Debtor, tt.debtor)
					}
					if tx.Creditor != tt.creditor {
						t.Errorf("Creditor = %+v, want %+v", tx.Creditor, tt.creditor)
					}
					if tx.DebtorAgent.MemberID != tt.debtorAgentMember {
						t.Errorf("DebtorAgent = %+v, want MemberID %s", tx.DebtorAgent, tt.debtorAgentMember)
					}
					if tx.Remittance != nil {
						t.Errorf("Remittance = %q, want none (the sample's is structured)", tx.Remittance)
					}
				}
			})
		}
	}
}

func TestReadPacs008EnvelopeHeader(t *testing.T) {
	data := MustRead(t, "variants/pacs008_busmsg_prefixed.xml")
	ct, err := iso20022.ReadPacs008(data)
	if err != nil {
		t.Fatal(err)
	}
	h := ct.Header
	if h == nil {
		t.Fatal("Header = nil")
	}
	if h.From != "BANKUS33XXX" || h.To != "ASTRRUMMXXX" || h.BizMsgIdr != "20250310B1QDRCQR000001" ||
		h.MsgDefIdr != "pacs.008.001.08" || h.BizSvc != "swift.cbprplus.02" || !h.CreDt.Equal(time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("Header = %+v", h)
	}
	if got := ct.Transactions[0].EndToEndID; got != "Scenario01EtoEId001" {
		t.Errorf("EndToEndID = %q, want Scenario01EtoEId001", got)
	}
}

// TestSplitStandalone checks that the Document and AppHdr taken out of an
// envelope that declares their prefixes still validate on their own.
func TestSplitStandalone(t *testing.T) {
	lint := xmllint(t)
	data := MustRead(t, "variants/pacs008_busmsg_prefixed.xml")
	m, err := iso20022.Split(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != iso20022.KindPacs008 {
		t.Errorf("Kind = %q, want %q", m.Kind, iso20022.KindPacs008)
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{iso20022.KindPacs008: m.Document, iso20022.KindHead: m.HeaderBytes} {
		file := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lint, "--noout", "--schema", filepath.Join("testdata", "xsd", name+".xsd"), file).CombinedOutput()
		if err != nil {
			t.Errorf("%s taken out of the envelope does not validate: %v\n%s\n%s", name, err, out, b)
		}
	}
}

func TestReadPacs002Samples(t *testing.T) {
	tests := []struct {
		file, msgID, orgnlMsgID, orgnlNmID, uetr string
	}{
		{"CustomerCreditTransfer_Scenario1_Step2_pacs.002.xml", "20250310QMGFNP31000001", "20250310B1QDRCQR000001",
			"pacs.008.001.08", "8a562c67-ca16-48ba-b074-65581be6f011"},
		{"FICreditTransfer_Scenario1_Step2_pacs.002.xml", "20250310QMGFNP62000501", "20250310B1QDRCQR000501",
			"pacs.009.001.08", "8a562c67-ca16-48ba-b074-65581be6f055"},
	}
	for _, tt := range tests {
		for form, data := range forms(t, tt.file, iso20022.KindPacs002) {
			t.Run(strings.TrimSuffix(tt.file, ".xml")+"/"+form, func(t *testing.T) {
				r, err := iso20022.ReadPacs002(data)
				if err != nil {
					t.Fatal(err)
				}
				if r.MsgID != tt.msgID || r.OriginalMsgID != tt.orgnlMsgID || r.OriginalMsgNameID != tt.orgnlNmID {
					t.Errorf("MsgID, OriginalMsgID, OriginalMsgNameID = %q, %q, %q; want %q, %q, %q",
						r.MsgID, r.OriginalMsgID, r.OriginalMsgNameID, tt.msgID, tt.orgnlMsgID, tt.orgnlNmID)
				}
				if len(r.Transactions) != 1 {
					t.Fatalf("got %d transactions, want 1", len(r.Transactions))
				}
				s := r.Transactions[0]
				if s.Status != "ACSC" || s.OriginalUETR != ledger.MustParseID(tt.uetr) || s.AcceptedAt.IsZero() {
					t.Errorf("transaction = %+v, want ACSC, %s, an acceptance time", s, tt.uetr)
				}
			})
		}
	}
}

func TestReadPacs004Samples(t *testing.T) {
	tests := []struct {
		file, msgID, orgnlMsgID, endToEnd, amount, reason string
	}{
		{"PaymentReturn_Scenario1_Step4_pacs.004.xml", "20250310ISOTEST1000912", "20250310B1QDRCQR000902",
			"Scenario01EtoEId001", "151000.74", "DUPL"},
		{"PaymentReturn_Scenario3_Step4_pacs.004.xml", "20250310B1QDRCQR000433", "20250310B1QDRCQR000400",
			"Scenario03EtoEId001", "446915.78", ""},
	}
	for _, tt := range tests {
		for form, data := range forms(t, tt.file, "pacs.004.001.10") {
			t.Run(strings.TrimSuffix(tt.file, ".xml")+"/"+form, func(t *testing.T) {
				r, err := iso20022.ReadPacs004(data)
				if err != nil {
					t.Fatal(err)
				}
				if r.MsgID != tt.msgID || r.OriginalMsgID != tt.orgnlMsgID || r.OriginalMsgNameID != "pacs.008.001.08" {
					t.Errorf("MsgID, OriginalMsgID, OriginalMsgNameID = %q, %q, %q; want %q, %q, pacs.008.001.08",
						r.MsgID, r.OriginalMsgID, r.OriginalMsgNameID, tt.msgID, tt.orgnlMsgID)
				}
				if len(r.Transactions) != 1 {
					t.Fatalf("got %d transactions, want 1", len(r.Transactions))
				}
				x := r.Transactions[0]
				if x.OriginalEndToEndID != tt.endToEnd || x.OriginalUETR != ledger.MustParseID("8a562c67-ca16-48ba-b074-65581be6f011") {
					t.Errorf("OriginalEndToEndID, OriginalUETR = %q, %v; want %q, 8a562c67-...", x.OriginalEndToEndID, x.OriginalUETR, tt.endToEnd)
				}
				if x.Amount != usd(t, tt.amount) {
					t.Errorf("Amount = %v %s, want %s USD", x.Amount.Value, x.Amount.Currency, tt.amount)
				}
				if tt.reason != "" && x.Reason != tt.reason {
					t.Errorf("Reason = %q, want %q", x.Reason, tt.reason)
				}
			})
		}
	}
}

// sample008 returns the first pacs.008 sample with old replaced by new.
func sample008(t *testing.T, old, new string) []byte {
	t.Helper()
	data := MustRead(t, "samples/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml")
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("the sample has no %q", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

func TestReadPacs008Refuses(t *testing.T) {
	amount := `<IntrBkSttlmAmt Ccy="USD">510000.74</IntrBkSttlmAmt>`
	tests := []struct {
		rule string
		data []byte
		want iso20022.Rule
		path string
	}{
		{"Doctype", append([]byte(`<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "y">]>`), MustRead(t, "samples/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml")...),
			iso20022.RuleMessageDoctype, ""},
		{"EntityReference", sample008(t, "Corporation A", "&x;"), iso20022.RuleMessageSyntax, ""},
		{"Oversized", append(sample008(t, "</Document>", "</Document><!--"), bytes.Repeat([]byte("x"), iso20022.MessageBytesMax)...),
			iso20022.RuleMessageTooLarge, ""},
		{"NotXML", []byte("not xml at all <"), iso20022.RuleMessageSyntax, ""},
		{"Truncated", MustRead(t, "samples/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml")[:1000], iso20022.RuleMessageSyntax, ""},
		{"NoDocument", []byte(`<Envelope xmlns="urn:swift:xsd:envelope"><Other/></Envelope>`), iso20022.RuleMessageNoDocument, ""},
		{"OtherKind", MustRead(t, "samples/CustomerCreditTransfer_Scenario1_Step2_pacs.002.xml"), iso20022.RuleMessageKind, "/Document"},
		{"NbOfTxsMismatch", sample008(t, "<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>"), iso20022.RuleTransactionsCount,
			"/Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs"},
		{"UETRSyntax", sample008(t, "8a562c67-ca16-48ba-b074-65581be6f011", "8a562c67ca1648bab07465581be6f011"),
			iso20022.RuleUETRSyntax, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/PmtId/UETR"},
		{"IRRFraction", sample008(t, amount, `<IntrBkSttlmAmt Ccy="IRR">1092907500.50</IntrBkSttlmAmt>`),
			iso20022.RuleAmountFraction, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt"},
		{"UnknownCurrency", sample008(t, amount, `<IntrBkSttlmAmt Ccy="XXY">1.00</IntrBkSttlmAmt>`),
			iso20022.RuleCurrencyUnknown, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt"},
		{"InstructedAmountSyntax", sample008(t, `<InstdAmt Ccy="USD">510000.74</InstdAmt>`, `<InstdAmt Ccy="USD">5.1e5</InstdAmt>`),
			iso20022.RuleAmountSyntax, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/InstdAmt"},
		{"AmountMissing", sample008(t, amount, ""), iso20022.RuleMessageStructure,
			"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt"},
		{"CreDtTmSyntax", sample008(t, "2025-03-10T09:00:00-04:00", "yesterday"), iso20022.RuleDateTimeSyntax,
			"/Document/FIToFICstmrCdtTrf/GrpHdr/CreDtTm"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			_, err := iso20022.ReadPacs008(tt.data)
			if got := ruleOf(err); got != tt.want {
				t.Fatalf("rule %q (%v), want %q", got, err, tt.want)
			}
			if e := err.(*iso20022.Error); e.Path != tt.path {
				t.Errorf("path %q, want %q", e.Path, tt.path)
			}
		})
	}
}

func TestReadPacs008TooManyTransactions(t *testing.T) {
	data := MustRead(t, "samples/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml")
	start := bytes.Index(data, []byte("<CdtTrfTxInf>"))
	end := bytes.Index(data, []byte("</CdtTrfTxInf>")) + len("</CdtTrfTxInf>")
	for _, n := range []int{iso20022.TransactionsMax, iso20022.TransactionsMax + 1} {
		var b bytes.Buffer
		b.Write(data[:start])
		for range n {
			b.Write(data[start:end])
		}
		b.Write(data[end:])
		msg := bytes.Replace(b.Bytes(), []byte("<NbOfTxs>1</NbOfTxs>"), []byte("<NbOfTxs>"+strconv.Itoa(n)+"</NbOfTxs>"), 1)
		ct, err := iso20022.ReadPacs008(msg)
		if n <= iso20022.TransactionsMax {
			if err != nil || len(ct.Transactions) != n {
				t.Errorf("%d transactions: %v", n, err)
			}
			continue
		}
		if got := ruleOf(err); got != iso20022.RuleTransactionsTooMany {
			t.Errorf("%d transactions: rule %q, want %q", n, got, iso20022.RuleTransactionsTooMany)
		}
	}
}

func TestReadPacs008KeepsTextUnaltered(t *testing.T) {
	data := sample008(t, "<Strd>", "<Ustrd>  Счёт №1 &amp; «оплата»  </Ustrd><Ustrd>второй</Ustrd><Strd>")
	ct, err := iso20022.ReadPacs008(data)
	if err != nil {
		t.Fatal(err)
	}
	got := ct.Transactions[0].Remittance
	want := []string{"  Счёт №1 & «оплата»  ", "второй"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Remittance = %q, want %q", got, want)
	}
}

// BenchmarkReadPacs008 reads a customer credit transfer as the switch
// receives it, in an envelope with its header.
func BenchmarkReadPacs008(b *testing.B) {
	msg, err := os.ReadFile("testdata/golden/pacs008.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := iso20022.ReadPacs008(msg); err != nil {
			b.Fatal(err)
		}
	}
}
