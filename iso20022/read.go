package iso20022

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// TransactionsMax is the most transactions a message may carry, read or
// written. The switch's messages carry one; a bank's batch of more is
// refused with RuleTransactionsTooMany rather than decoded without bound.
const TransactionsMax = 100

// The message definitions this package reads and writes.
const (
	KindPacs008 = "pacs.008.001.08"
	KindPacs002 = "pacs.002.001.10"
	KindPacs004 = "pacs.004.001.09"
	KindPacs009 = "pacs.009.001.08"
	KindCamt053 = "camt.053.001.08"
	KindCamt054 = "camt.054.001.08"
	KindHead    = headerKind
)

// kindPacs004Next is the next version of pacs.004, which banks (and ISO's
// own samples) send; the fields ReadPacs004 reads are the same in both.
const kindPacs004Next = "pacs.004.001.10"

// CurrencyAmount is an amount with its currency, as an ISO 20022 amount
// element carries it (its Ccy attribute).
type CurrencyAmount struct {
	Value    money.Amount
	Currency money.Currency
}

// Agent is a financial institution as a message names it: its BIC
// (FinInstnId/BICFI) and its clearing system member id (ClrSysMmbId/MmbId:
// for a Russian bank its BIK), either of which may be empty.
type Agent struct {
	BIC      string
	MemberID string
}

// CreditTransfer is a pacs.008 FIToFICustomerCreditTransfer as read.
type CreditTransfer struct {
	// Header is the AppHdr sent with it, or nil.
	Header *Header
	// MsgID, CreatedAt and SettlementMethod are GrpHdr's MsgId, CreDtTm
	// and SttlmInf/SttlmMtd.
	MsgID            string
	CreatedAt        time.Time
	SettlementMethod string
	// Transactions are the CdtTrfTxInf, NbOfTxs of them.
	Transactions []Transaction
}

// Transaction is one CdtTrfTxInf of a pacs.008. Text is as sent,
// unaltered; codes are trimmed of surrounding white space.
type Transaction struct {
	InstrID    string    // PmtId/InstrId
	EndToEndID string    // PmtId/EndToEndId
	TxID       string    // PmtId/TxId
	UETR       ledger.ID // PmtId/UETR; zero when absent
	// SettlementAmount is IntrBkSttlmAmt, what the creditor's agent is
	// paid.
	SettlementAmount CurrencyAmount
	// SettlementDate is IntrBkSttlmDt, YYYY-MM-DD, or "".
	SettlementDate string
	// InstructedAmount is InstdAmt, or nil.
	InstructedAmount *CurrencyAmount
	// ExchangeRate is XchgRate as written, or "".
	ExchangeRate string
	// ChargeBearer is ChrgBr: DEBT, CRED, SHAR or SLEV.
	ChargeBearer string
	// The agents.
	InstructingAgent, InstructedAgent, DebtorAgent, CreditorAgent Agent
	// Debtor and Creditor are Dbtr and Cdtr with their accounts and the
	// bank code of their agents (the ClrSysMmbId, else the BIC).
	Debtor, Creditor payments.Party
	// Purpose is Purp/Cd, or "".
	Purpose string
	// Remittance holds each RmtInf/Ustrd, unaltered. Astara carries one;
	// the caller refuses more.
	Remittance []string
}

// ReadPacs008 reads a pacs.008.001.08, bare or in an envelope with an AppHdr
// (see Split). It interprets what it must and checks that: amounts (by
// ParseAmount's rule), UETRs (a UUID), NbOfTxs (the number of transactions,
// at most TransactionsMax). It does not validate against the schema: the
// xsd package does that before. Errors are *Error values whose Path names
// the element.
func ReadPacs008(data []byte) (*CreditTransfer, error) {
	var doc xmlPacs008
	m, err := scan(data, &doc)
	if err != nil {
		return nil, err
	}
	if err := checkKind(m, KindPacs008); err != nil {
		return nil, err
	}
	const root = "/Document/FIToFICstmrCdtTrf"
	body := doc.FIToFICstmrCdtTrf
	if body == nil {
		return nil, &Error{Path: root, Rule: RuleMessageStructure, Detail: "missing FIToFICstmrCdtTrf"}
	}
	ct := &CreditTransfer{Header: m.Header, MsgID: body.GrpHdr.MsgID,
		SettlementMethod: strings.TrimSpace(body.GrpHdr.SttlmInf.SttlmMtd)}
	if ct.CreatedAt, err = optionalDateTime(root+"/GrpHdr/CreDtTm", body.GrpHdr.CreDtTm); err != nil {
		return nil, err
	}
	if err := checkCount(root, body.GrpHdr.NbOfTxs, len(body.CdtTrfTxInf)); err != nil {
		return nil, err
	}
	for i, x := range body.CdtTrfTxInf {
		tx, err := x.transaction(root + "/CdtTrfTxInf[" + strconv.Itoa(i+1) + "]")
		if err != nil {
			return nil, err
		}
		ct.Transactions = append(ct.Transactions, tx)
	}
	return ct, nil
}

func checkKind(m *Message, kinds ...string) error {
	if !slices.Contains(kinds, m.Kind) {
		return &Error{Path: "/Document", Rule: RuleMessageKind,
			Detail: "the Document is " + quoteShort(m.Kind) + ", not " + strings.Join(kinds, " or ")}
	}
	return nil
}

// checkCount checks NbOfTxs (at root/GrpHdr/NbOfTxs) against n, the
// transactions present.
func checkCount(root, text string, n int) error {
	path := root + "/GrpHdr/NbOfTxs"
	if n > TransactionsMax {
		return &Error{Path: path, Rule: RuleTransactionsTooMany,
			Detail: strconv.Itoa(n) + " transactions; at most " + strconv.Itoa(TransactionsMax) + " are accepted"}
	}
	want, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || want != n {
		return &Error{Path: path, Rule: RuleTransactionsCount,
			Detail: "NbOfTxs is " + quoteShort(text) + " but the message has " + strconv.Itoa(n)}
	}
	return nil
}

func optionalDateTime(path, s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := parseDateTime(s)
	return t, errorAt(path, err)
}

// readUETR reads a UETR: a UUID in its canonical 8-4-4-4-12 form.
func readUETR(path, s string) (ledger.ID, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ledger.ID{}, nil
	}
	id, err := ledger.ParseID(s)
	if err != nil {
		return ledger.ID{}, &Error{Path: path, Rule: RuleUETRSyntax, Detail: quoteShort(s) + " is not a UUID"}
	}
	return id, nil
}

// readAmount reads an amount element at path.
func readAmount(path string, x *xmlAmount) (CurrencyAmount, error) {
	if x == nil {
		return CurrencyAmount{}, &Error{Path: path, Rule: RuleMessageStructure, Detail: "the amount is missing"}
	}
	a, c, err := ParseAmount(x.Value, strings.TrimSpace(x.Ccy))
	if err != nil {
		return CurrencyAmount{}, errorAt(path, err)
	}
	return CurrencyAmount{Value: a, Currency: c}, nil
}

// The XML shapes the readers decode. Tags carry no namespace: the Document's
// namespace is checked once (checkKind), and encoding/xml matches an
// unqualified tag in any namespace, so one struct reads the bare and the
// prefixed forms alike.
type (
	xmlAmount struct {
		Ccy   string `xml:"Ccy,attr"`
		Value string `xml:",chardata"`
	}
	xmlAgent struct {
		FinInstnId struct {
			BICFI       string `xml:"BICFI"`
			ClrSysMmbId struct {
				MmbId string `xml:"MmbId"`
			} `xml:"ClrSysMmbId"`
		} `xml:"FinInstnId"`
	}
	xmlAddress struct {
		StrtNm      string   `xml:"StrtNm"`
		BldgNb      string   `xml:"BldgNb"`
		PstCd       string   `xml:"PstCd"`
		TwnNm       string   `xml:"TwnNm"`
		CtrySubDvsn string   `xml:"CtrySubDvsn"`
		Ctry        string   `xml:"Ctry"`
		AdrLine     []string `xml:"AdrLine"`
	}
	xmlParty struct {
		Nm      string      `xml:"Nm"`
		PstlAdr *xmlAddress `xml:"PstlAdr"`
	}
	xmlAccount struct {
		Id struct {
			IBAN string `xml:"IBAN"`
			Othr struct {
				Id string `xml:"Id"`
			} `xml:"Othr"`
		} `xml:"Id"`
	}
	xmlPacs008 struct {
		FIToFICstmrCdtTrf *struct {
			GrpHdr struct {
				MsgID    string `xml:"MsgId"`
				CreDtTm  string `xml:"CreDtTm"`
				NbOfTxs  string `xml:"NbOfTxs"`
				SttlmInf struct {
					SttlmMtd string `xml:"SttlmMtd"`
				} `xml:"SttlmInf"`
			} `xml:"GrpHdr"`
			CdtTrfTxInf []xmlCdtTrfTxInf `xml:"CdtTrfTxInf"`
		} `xml:"FIToFICstmrCdtTrf"`
	}
	xmlCdtTrfTxInf struct {
		PmtId struct {
			InstrId    string `xml:"InstrId"`
			EndToEndId string `xml:"EndToEndId"`
			TxId       string `xml:"TxId"`
			UETR       string `xml:"UETR"`
		} `xml:"PmtId"`
		IntrBkSttlmAmt *xmlAmount `xml:"IntrBkSttlmAmt"`
		IntrBkSttlmDt  string     `xml:"IntrBkSttlmDt"`
		InstdAmt       *xmlAmount `xml:"InstdAmt"`
		XchgRate       string     `xml:"XchgRate"`
		ChrgBr         string     `xml:"ChrgBr"`
		InstgAgt       xmlAgent   `xml:"InstgAgt"`
		InstdAgt       xmlAgent   `xml:"InstdAgt"`
		Dbtr           xmlParty   `xml:"Dbtr"`
		DbtrAcct       xmlAccount `xml:"DbtrAcct"`
		DbtrAgt        xmlAgent   `xml:"DbtrAgt"`
		CdtrAgt        xmlAgent   `xml:"CdtrAgt"`
		Cdtr           xmlParty   `xml:"Cdtr"`
		CdtrAcct       xmlAccount `xml:"CdtrAcct"`
		Purp           struct {
			Cd string `xml:"Cd"`
		} `xml:"Purp"`
		RmtInf struct {
			Ustrd []string `xml:"Ustrd"`
		} `xml:"RmtInf"`
	}
)

func (x *xmlCdtTrfTxInf) transaction(path string) (Transaction, error) {
	tx := Transaction{
		InstrID:          x.PmtId.InstrId,
		EndToEndID:       x.PmtId.EndToEndId,
		TxID:             x.PmtId.TxId,
		SettlementDate:   strings.TrimSpace(x.IntrBkSttlmDt),
		ExchangeRate:     strings.TrimSpace(x.XchgRate),
		ChargeBearer:     strings.TrimSpace(x.ChrgBr),
		InstructingAgent: x.InstgAgt.agent(),
		InstructedAgent:  x.InstdAgt.agent(),
		DebtorAgent:      x.DbtrAgt.agent(),
		CreditorAgent:    x.CdtrAgt.agent(),
		Debtor:           x.Dbtr.party(x.DbtrAcct, x.DbtrAgt.agent()),
		Creditor:         x.Cdtr.party(x.CdtrAcct, x.CdtrAgt.agent()),
		Purpose:          strings.TrimSpace(x.Purp.Cd),
		Remittance:       x.RmtInf.Ustrd,
	}
	var err error
	if tx.UETR, err = readUETR(path+"/PmtId/UETR", x.PmtId.UETR); err != nil {
		return Transaction{}, err
	}
	if tx.SettlementAmount, err = readAmount(path+"/IntrBkSttlmAmt", x.IntrBkSttlmAmt); err != nil {
		return Transaction{}, err
	}
	if x.InstdAmt != nil {
		a, err := readAmount(path+"/InstdAmt", x.InstdAmt)
		if err != nil {
			return Transaction{}, err
		}
		tx.InstructedAmount = &a
	}
	return tx, nil
}

func (x xmlAgent) agent() Agent {
	return Agent{BIC: strings.TrimSpace(x.FinInstnId.BICFI), MemberID: strings.TrimSpace(x.FinInstnId.ClrSysMmbId.MmbId)}
}

// party maps a Dbtr or Cdtr, its account and its agent to a Party.
func (x xmlParty) party(account xmlAccount, agent Agent) payments.Party {
	p := payments.Party{Name: x.Nm, Account: strings.TrimSpace(account.Id.IBAN), BankCode: agent.MemberID}
	if p.Account == "" {
		p.Account = strings.TrimSpace(account.Id.Othr.Id)
	}
	if p.BankCode == "" {
		p.BankCode = agent.BIC
	}
	if a := x.PstlAdr; a != nil {
		p.Country = strings.TrimSpace(a.Ctry)
		lines := a.AdrLine
		if len(lines) == 0 {
			for _, s := range []string{a.StrtNm, a.BldgNb, a.PstCd, a.TwnNm, a.CtrySubDvsn} {
				if s != "" {
					lines = append(lines, s)
				}
			}
		}
		p.Address = strings.Join(lines, addressLineSeparator)
	}
	return p
}

// addressLineSeparator joins the lines of a postal address into
// payments.Party's one Address.
const addressLineSeparator = ", "

// StatusReport is a pacs.002 FIToFIPaymentStatusReport: read from a
// receiving bank answering a payment the switch forwarded, or written by the
// switch answering a message it received.
type StatusReport struct {
	// Header is the AppHdr sent with it, or nil; writers ignore it.
	Header *Header
	// MsgID and CreatedAt are GrpHdr's MsgId and CreDtTm; writers take
	// them from their arguments and ignore these.
	MsgID     string
	CreatedAt time.Time
	// OriginalMsgID and OriginalMsgNameID identify the message answered
	// (OrgnlGrpInfAndSts, or the first transaction's OrgnlGrpInf when a
	// bank sends no group part): "pacs.008.001.08".
	OriginalMsgID, OriginalMsgNameID string
	// GroupStatus is OrgnlGrpInfAndSts/GrpSts, or "".
	GroupStatus string
	// Transactions are the TxInfAndSts.
	Transactions []TransactionStatus
}

// TransactionStatus is one TxInfAndSts of a pacs.002.
type TransactionStatus struct {
	OriginalInstrID    string    // OrgnlInstrId
	OriginalEndToEndID string    // OrgnlEndToEndId
	OriginalTxID       string    // OrgnlTxId
	OriginalUETR       ledger.ID // OrgnlUETR; zero when absent
	// Status is TxSts: ACSC, ACCC, ACCP, ACSP, ACWC, RJCT, PDNG...
	Status string
	// Reason is the first StsRsnInf/Rsn/Cd (or Prtry), an ISO
	// ExternalStatusReason1Code such as AC01; "" if none.
	Reason string
	// AdditionalInfo is StsRsnInf/AddtlInf. Writers split it into as many
	// Max105Text elements as it needs; readers concatenate them again.
	AdditionalInfo string
	// AcceptedAt is AccptncDtTm; writers write it for an accepting status,
	// the header's CreDt when it is zero.
	AcceptedAt time.Time
}

// ReadPacs002 reads a pacs.002.001.10, bare or in an envelope (see Split).
// Errors are *Error values.
func ReadPacs002(data []byte) (*StatusReport, error) {
	var doc xmlPacs002
	m, err := scan(data, &doc)
	if err != nil {
		return nil, err
	}
	if err := checkKind(m, KindPacs002); err != nil {
		return nil, err
	}
	const root = "/Document/FIToFIPmtStsRpt"
	body := doc.FIToFIPmtStsRpt
	if body == nil {
		return nil, &Error{Path: root, Rule: RuleMessageStructure, Detail: "missing FIToFIPmtStsRpt"}
	}
	if n := len(body.TxInfAndSts); n > TransactionsMax {
		return nil, &Error{Path: root, Rule: RuleTransactionsTooMany,
			Detail: strconv.Itoa(n) + " transactions; at most " + strconv.Itoa(TransactionsMax) + " are accepted"}
	}
	r := &StatusReport{Header: m.Header, MsgID: body.GrpHdr.MsgID}
	if r.CreatedAt, err = optionalDateTime(root+"/GrpHdr/CreDtTm", body.GrpHdr.CreDtTm); err != nil {
		return nil, err
	}
	if g := body.OrgnlGrpInfAndSts; len(g) > 0 {
		r.OriginalMsgID, r.OriginalMsgNameID = g[0].OrgnlMsgId, strings.TrimSpace(g[0].OrgnlMsgNmId)
		r.GroupStatus = strings.TrimSpace(g[0].GrpSts)
	}
	for i, x := range body.TxInfAndSts {
		path := root + "/TxInfAndSts[" + strconv.Itoa(i+1) + "]"
		if r.OriginalMsgID == "" && x.OrgnlGrpInf != nil {
			r.OriginalMsgID, r.OriginalMsgNameID = x.OrgnlGrpInf.OrgnlMsgId, strings.TrimSpace(x.OrgnlGrpInf.OrgnlMsgNmId)
		}
		s := TransactionStatus{
			OriginalInstrID:    x.OrgnlInstrId,
			OriginalEndToEndID: x.OrgnlEndToEndId,
			OriginalTxID:       x.OrgnlTxId,
			Status:             strings.TrimSpace(x.TxSts),
		}
		s.Reason, s.AdditionalInfo = reasonOf(x.StsRsnInf)
		if s.OriginalUETR, err = readUETR(path+"/OrgnlUETR", x.OrgnlUETR); err != nil {
			return nil, err
		}
		if s.AcceptedAt, err = optionalDateTime(path+"/AccptncDtTm", x.AccptncDtTm); err != nil {
			return nil, err
		}
		r.Transactions = append(r.Transactions, s)
	}
	return r, nil
}

// reasonOf returns the first reason code of infos and all their AddtlInf,
// concatenated.
func reasonOf(infos []xmlReasonInfo) (reason, info string) {
	var b strings.Builder
	for _, x := range infos {
		if reason == "" {
			reason = strings.TrimSpace(x.Rsn.Cd)
			if reason == "" {
				reason = strings.TrimSpace(x.Rsn.Prtry)
			}
		}
		for _, s := range x.AddtlInf {
			b.WriteString(s)
		}
	}
	return reason, b.String()
}

type (
	xmlOriginalGroup struct {
		OrgnlMsgId   string `xml:"OrgnlMsgId"`
		OrgnlMsgNmId string `xml:"OrgnlMsgNmId"`
		GrpSts       string `xml:"GrpSts"`
	}
	xmlReasonInfo struct {
		Rsn struct {
			Cd    string `xml:"Cd"`
			Prtry string `xml:"Prtry"`
		} `xml:"Rsn"`
		AddtlInf []string `xml:"AddtlInf"`
	}
	xmlGroupHeader struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
		NbOfTxs string `xml:"NbOfTxs"`
	}
	xmlPacs002 struct {
		FIToFIPmtStsRpt *struct {
			GrpHdr            xmlGroupHeader     `xml:"GrpHdr"`
			OrgnlGrpInfAndSts []xmlOriginalGroup `xml:"OrgnlGrpInfAndSts"`
			TxInfAndSts       []struct {
				OrgnlGrpInf     *xmlOriginalGroup `xml:"OrgnlGrpInf"`
				OrgnlInstrId    string            `xml:"OrgnlInstrId"`
				OrgnlEndToEndId string            `xml:"OrgnlEndToEndId"`
				OrgnlTxId       string            `xml:"OrgnlTxId"`
				OrgnlUETR       string            `xml:"OrgnlUETR"`
				TxSts           string            `xml:"TxSts"`
				StsRsnInf       []xmlReasonInfo   `xml:"StsRsnInf"`
				AccptncDtTm     string            `xml:"AccptncDtTm"`
			} `xml:"TxInfAndSts"`
		} `xml:"FIToFIPmtStsRpt"`
	}
	xmlPacs004 struct {
		PmtRtr *struct {
			GrpHdr      xmlGroupHeader    `xml:"GrpHdr"`
			OrgnlGrpInf *xmlOriginalGroup `xml:"OrgnlGrpInf"`
			TxInf       []struct {
				RtrId              string            `xml:"RtrId"`
				OrgnlGrpInf        *xmlOriginalGroup `xml:"OrgnlGrpInf"`
				OrgnlInstrId       string            `xml:"OrgnlInstrId"`
				OrgnlEndToEndId    string            `xml:"OrgnlEndToEndId"`
				OrgnlTxId          string            `xml:"OrgnlTxId"`
				OrgnlUETR          string            `xml:"OrgnlUETR"`
				RtrdIntrBkSttlmAmt *xmlAmount        `xml:"RtrdIntrBkSttlmAmt"`
				IntrBkSttlmDt      string            `xml:"IntrBkSttlmDt"`
				RtrRsnInf          []xmlReasonInfo   `xml:"RtrRsnInf"`
			} `xml:"TxInf"`
		} `xml:"PmtRtr"`
	}
)

// Return is a pacs.004 PaymentReturn as read.
type Return struct {
	// Header is the AppHdr sent with it, or nil.
	Header *Header
	// MsgID and CreatedAt are GrpHdr's MsgId and CreDtTm.
	MsgID     string
	CreatedAt time.Time
	// OriginalMsgID and OriginalMsgNameID identify the returned message
	// (OrgnlGrpInf, or the first transaction's).
	OriginalMsgID, OriginalMsgNameID string
	// Transactions are the TxInf, NbOfTxs of them.
	Transactions []ReturnedTransaction
}

// ReturnedTransaction is one TxInf of a pacs.004.
type ReturnedTransaction struct {
	ReturnID           string    // RtrId
	OriginalInstrID    string    // OrgnlInstrId
	OriginalEndToEndID string    // OrgnlEndToEndId
	OriginalTxID       string    // OrgnlTxId
	OriginalUETR       ledger.ID // OrgnlUETR; zero when absent
	// Amount is RtrdIntrBkSttlmAmt, what is paid back.
	Amount CurrencyAmount
	// SettlementDate is IntrBkSttlmDt, YYYY-MM-DD, or "".
	SettlementDate string
	// Reason is the first RtrRsnInf/Rsn/Cd (or Prtry), an ISO
	// ExternalReturnReason1Code such as AC04; AdditionalInfo its AddtlInf.
	Reason, AdditionalInfo string
}

// ReadPacs004 reads a pacs.004.001.09 (or .10, whose fields read here are
// the same), bare or in an envelope (see Split). Errors are *Error values.
func ReadPacs004(data []byte) (*Return, error) {
	var doc xmlPacs004
	m, err := scan(data, &doc)
	if err != nil {
		return nil, err
	}
	if err := checkKind(m, KindPacs004, kindPacs004Next); err != nil {
		return nil, err
	}
	const root = "/Document/PmtRtr"
	body := doc.PmtRtr
	if body == nil {
		return nil, &Error{Path: root, Rule: RuleMessageStructure, Detail: "missing PmtRtr"}
	}
	if err := checkCount(root, body.GrpHdr.NbOfTxs, len(body.TxInf)); err != nil {
		return nil, err
	}
	r := &Return{Header: m.Header, MsgID: body.GrpHdr.MsgID}
	if r.CreatedAt, err = optionalDateTime(root+"/GrpHdr/CreDtTm", body.GrpHdr.CreDtTm); err != nil {
		return nil, err
	}
	if g := body.OrgnlGrpInf; g != nil {
		r.OriginalMsgID, r.OriginalMsgNameID = g.OrgnlMsgId, strings.TrimSpace(g.OrgnlMsgNmId)
	}
	for i, x := range body.TxInf {
		path := root + "/TxInf[" + strconv.Itoa(i+1) + "]"
		if r.OriginalMsgID == "" && x.OrgnlGrpInf != nil {
			r.OriginalMsgID, r.OriginalMsgNameID = x.OrgnlGrpInf.OrgnlMsgId, strings.TrimSpace(x.OrgnlGrpInf.OrgnlMsgNmId)
		}
		t := ReturnedTransaction{
			ReturnID:           x.RtrId,
			OriginalInstrID:    x.OrgnlInstrId,
			OriginalEndToEndID: x.OrgnlEndToEndId,
			OriginalTxID:       x.OrgnlTxId,
			SettlementDate:     strings.TrimSpace(x.IntrBkSttlmDt),
		}
		t.Reason, t.AdditionalInfo = reasonOf(x.RtrRsnInf)
		if t.OriginalUETR, err = readUETR(path+"/OrgnlUETR", x.OrgnlUETR); err != nil {
			return nil, err
		}
		if t.Amount, err = readAmount(path+"/RtrdIntrBkSttlmAmt", x.RtrdIntrBkSttlmAmt); err != nil {
			return nil, err
		}
		r.Transactions = append(r.Transactions, t)
	}
	return r, nil
}
