package iso20022

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// NotProvided is the EndToEndId of a payment whose debtor gave no
// reference, as ISO 20022 spells it.
const NotProvided = "NOTPROVIDED"

// The limits of the writers.
const (
	// AddressLinesMax is the most AdrLine a PostalAddress24 has.
	AddressLinesMax = 7
	// AdditionalInfoLinesMax is the most Max105Text AddtlInf elements a
	// status reason is split into; longer text is RuleTextTooLong.
	AdditionalInfoLinesMax = 10
	// EntriesMax is the most entries a camt.053 or camt.054 carries.
	EntriesMax = 10000
)

// envelope wraps doc, the Document's content for kind, with the AppHdr of h
// in an Envelope, and writes it.
func envelope(h Header, kind, msgID string, body *node) ([]byte, error) {
	hdr := el("AppHdr",
		el("Fr", el("FIId", el("FinInstnId", leaf("BICFI", h.From, valueCheck{kind: checkBIC})))),
		el("To", el("FIId", el("FinInstnId", leaf("BICFI", h.To, valueCheck{kind: checkBIC})))),
		text("BizMsgIdr", msgID, max35),
		literal("MsgDefIdr", kind),
		optText("BizSvc", h.BizSvc, max35),
		dateTime("CreDt", h.CreDt),
	)
	hdr.attrs = [][2]string{{"xmlns", namespacePrefix + headerKind}}
	doc := el("Document", body)
	doc.attrs = [][2]string{{"xmlns", namespacePrefix + kind}}
	env := el("Envelope", hdr, doc)
	env.attrs = [][2]string{{"xmlns", EnvelopeNamespace}}
	return write(env)
}

// currencyOf returns the table's row for code.
func currencyOf(path string, c money.Code) (money.Currency, error) {
	cur, ok := money.LookupCurrency(c)
	if !ok {
		return money.Currency{}, &Error{Path: path, Rule: RuleCurrencyUnknown,
			Detail: "currency " + strconv.Quote(c.String()) + " is not in the currency table"}
	}
	return cur, nil
}

// uetrText is a UETR as a Max35Text (TxId, OrgnlMsgId): its 32 hexadecimal
// digits without hyphens, since the 36 characters of the UUID form do not
// fit.
func uetrText(id ledger.ID) string { return hex.EncodeToString(id[:]) }

// account is a CashAccount38 (or 39's Id): IBAN when s has an IBAN's form,
// otherwise Othr/Id. It is nil for an empty account.
func account(name, s string, more ...*node) *node {
	if s == "" {
		return nil
	}
	var id *node
	if isIBAN(s) {
		id = el("Id", literal("IBAN", s))
	} else {
		id = el("Id", el("Othr", text("Id", s, max34)))
	}
	return el(name, append([]*node{id}, more...)...)
}

// party is a PartyIdentification135: Nm, and PstlAdr with Ctry and the
// address as AdrLine.
func party(name string, p payments.Party) *node {
	var adr []*node
	if p.Country != "" {
		adr = append(adr, code("Ctry", p.Country, 2))
	}
	lines, err := addressLines(p.Address)
	if err != nil {
		adr = append(adr, failed("AdrLine", err))
	}
	for _, l := range lines {
		adr = append(adr, text("AdrLine", l, max70))
	}
	return el(name, optText("Nm", p.Name, max140), group("PstlAdr", adr...))
}

// addressLines splits an address into Max70Text lines, at its ", "
// separators where it can, so that ReadPacs008, which joins the lines with
// ", ", gives it back; a part longer than a line is cut (and then does not
// come back the same).
func addressLines(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var lines []string
	line := ""
	for _, part := range strings.Split(s, addressLineSeparator) {
		for utf8.RuneCountInString(part) > max70 {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			cut := runeIndex(part, max70)
			lines, part = append(lines, part[:cut]), part[cut:]
		}
		switch {
		case line == "":
			line = part
		case utf8.RuneCountInString(line)+len(addressLineSeparator)+utf8.RuneCountInString(part) <= max70:
			line += addressLineSeparator + part
		default:
			lines, line = append(lines, line), part
		}
	}
	lines = append(lines, line)
	if len(lines) > AddressLinesMax {
		return nil, &Error{Rule: RuleTextTooLong, Detail: "the address needs more than " +
			strconv.Itoa(AddressLinesMax) + " lines of 70 characters"}
	}
	return lines, nil
}

// runeIndex returns the byte index of the n-th rune of s.
func runeIndex(s string, n int) int {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// WritePacs008 writes the payment p as the pacs.008.001.08 the switch
// forwards to the receiving bank, in an envelope with h's AppHdr (h.From is
// the switch's BIC, h.To the receiving bank's; MsgDefIdr is set here).
// GrpHdr/CreDtTm is h.CreDt.
//
// The receiving bank is paid IntrBkSttlmAmt, the target amount in the target
// currency, on settlementDate (IntrBkSttlmDt, YYYY-MM-DD); InstdAmt is the
// source amount, XchgRate the quoted rate and ChrgsInf the switch's fee,
// borne by the debtor (ChrgBr DEBT). The rate is written as BaseOneRate (at
// most 11 digits, 10 after the point) and rounded down when it has more: it
// informs, the amounts are what is paid. PmtId carries the sending bank's
// InstrId, the debtor's EndToEndId (NotProvided when none) and the UETR
// unaltered, as SWIFT gpi requires; TxId is the UETR's 32 hexadecimal digits
// (a UUID's 36 characters do not fit a Max35Text). Errors are *Error values
// naming the element; text is never truncated.
func WritePacs008(h Header, msgID string, p *payments.Payment, settlementDate string) ([]byte, error) {
	const root = "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf"
	source, err := currencyOf(root+"/InstdAmt", p.Source)
	if err != nil {
		return nil, err
	}
	target, err := currencyOf(root+"/IntrBkSttlmAmt", p.Target)
	if err != nil {
		return nil, err
	}
	var rate *node
	if !p.Rate.IsZero() {
		s, err := formatRate(p.Rate)
		if err != nil {
			return nil, errorAt(root+"/XchgRate", err)
		}
		rate = literal("XchgRate", s)
	}
	endToEnd := p.EndToEndID
	if endToEnd == "" {
		endToEnd = NotProvided
	}
	var remittance *node
	if p.Remittance != "" {
		remittance = el("RmtInf", text("Ustrd", p.Remittance, max140))
	}
	var purpose *node
	if p.Purpose != "" {
		purpose = el("Purp", code("Cd", p.Purpose, code4))
	}
	tx := el("CdtTrfTxInf",
		el("PmtId",
			optText("InstrId", p.InstructionID, max35),
			text("EndToEndId", endToEnd, max35),
			literal("TxId", uetrText(p.UETR)),
			uetr("UETR", p.UETR)),
		amount("IntrBkSttlmAmt", p.TargetAmount, target),
		optDate("IntrBkSttlmDt", settlementDate),
		amount("InstdAmt", p.SourceAmount, source),
		rate,
		literal("ChrgBr", "DEBT"),
		el("ChrgsInf", amount("Amt", p.Fee, source), agent("Agt", h.From, "")),
		agent("InstgAgt", h.From, ""),
		agent("InstdAgt", p.Receiver, ""),
		party("Dbtr", p.Debtor),
		account("DbtrAcct", p.Debtor.Account),
		agent("DbtrAgt", p.Sender, p.Debtor.BankCode),
		agent("CdtrAgt", p.Receiver, p.Creditor.BankCode),
		party("Cdtr", p.Creditor),
		account("CdtrAcct", p.Creditor.Account),
		purpose,
		remittance,
	)
	body := el("FIToFICstmrCdtTrf",
		el("GrpHdr",
			text("MsgId", msgID, max35),
			dateTime("CreDtTm", h.CreDt),
			literal("NbOfTxs", "1"),
			el("SttlmInf", literal("SttlmMtd", "CLRG"))),
		tx)
	return envelope(h, KindPacs008, msgID, body)
}

// acceptingStatuses are the TxSts after which a pacs.002 carries
// AccptncDtTm.
var acceptingStatuses = map[string]bool{
	"ACCC": true, "ACCP": true, "ACSC": true, "ACSP": true, "ACWC": true, "ACWP": true,
}

// WritePacs002 writes s as a pacs.002.001.10, the switch's answer to a
// message it received, in an envelope with h's AppHdr. GrpHdr/MsgId is msgID
// and CreDtTm h.CreDt (s.MsgID, s.CreatedAt and s.Header are ignored).
// OrgnlGrpInfAndSts carries s.OriginalMsgID, s.OriginalMsgNameID and
// GrpSts when set; each transaction becomes a TxInfAndSts with its original
// ids, TxSts, StsRsnInf when it has a reason or additional information (the
// information split into Max105Text elements, at most
// AdditionalInfoLinesMax), and AccptncDtTm for an accepting status. A
// report with neither a group status nor a transaction is
// RuleTransactionsNone.
func WritePacs002(h Header, msgID string, s StatusReport) ([]byte, error) {
	const root = "/Document/FIToFIPmtStsRpt"
	switch {
	case s.GroupStatus == "" && len(s.Transactions) == 0:
		return nil, &Error{Path: root, Rule: RuleTransactionsNone, Detail: "the report has no group status and no transaction"}
	case len(s.Transactions) > TransactionsMax:
		return nil, &Error{Path: root, Rule: RuleTransactionsTooMany,
			Detail: strconv.Itoa(len(s.Transactions)) + " transactions; at most " + strconv.Itoa(TransactionsMax)}
	}
	body := el("FIToFIPmtStsRpt",
		el("GrpHdr", text("MsgId", msgID, max35), dateTime("CreDtTm", h.CreDt)),
		el("OrgnlGrpInfAndSts",
			text("OrgnlMsgId", s.OriginalMsgID, max35),
			text("OrgnlMsgNmId", s.OriginalMsgNameID, max35),
			optCode("GrpSts", s.GroupStatus, code4)))
	for _, t := range s.Transactions {
		var accepted *node
		if acceptingStatuses[t.Status] {
			at := t.AcceptedAt
			if at.IsZero() {
				at = h.CreDt
			}
			accepted = dateTime("AccptncDtTm", at)
		}
		body.kids = append(body.kids, el("TxInfAndSts",
			optText("OrgnlInstrId", t.OriginalInstrID, max35),
			optText("OrgnlEndToEndId", t.OriginalEndToEndID, max35),
			optText("OrgnlTxId", t.OriginalTxID, max35),
			optUETR("OrgnlUETR", t.OriginalUETR),
			optCode("TxSts", t.Status, code4),
			reasonInfo("StsRsnInf", t.Reason, t.AdditionalInfo),
			accepted))
	}
	return envelope(h, KindPacs002, msgID, body)
}

// reasonInfo is a StatusReasonInformation12 or PaymentReturnReason6: Rsn/Cd
// and the information cut into Max105Text elements. It is nil when both
// are empty.
func reasonInfo(name, reason, info string) *node {
	var rsn *node
	if reason != "" {
		rsn = el("Rsn", code("Cd", reason, code4))
	}
	n := group(name, rsn)
	if info == "" {
		return n
	}
	if n == nil {
		n = el(name)
	}
	for i := 0; info != ""; i++ {
		if i == AdditionalInfoLinesMax {
			n.kids = append(n.kids, failed("AddtlInf", &Error{Rule: RuleTextTooLong,
				Detail: "the additional information needs more than " + strconv.Itoa(AdditionalInfoLinesMax) + " lines of 105 characters"}))
			break
		}
		cut := len(info)
		if utf8.RuneCountInString(info) > max105 {
			cut = runeIndex(info, max105)
		}
		n.kids = append(n.kids, text("AddtlInf", info[:cut], max105))
		info = info[cut:]
	}
	return n
}

// WritePacs004 writes the return of the completed payment p to its sending
// bank as a pacs.004.001.09, in an envelope with h's AppHdr (h.To is the
// sending bank). The sending bank gets its source amount back, in the source
// currency (RtrdIntrBkSttlmAmt), settled on at's date in at's location
// (IntrBkSttlmDt); reason is the ExternalReturnReason1Code (AC04, say).
// The payment keeps no message id of the pacs.008 it came in, so
// OrgnlGrpInf/OrgnlMsgId is its UETR's 32 hexadecimal digits, and
// OrgnlMsgNmId pacs.008.001.08; the transaction is identified by OrgnlUETR,
// OrgnlEndToEndId and OrgnlInstrId. RtrId is msgID.
func WritePacs004(h Header, msgID string, p *payments.Payment, reason string, at time.Time) ([]byte, error) {
	const root = "/Document/PmtRtr/TxInf"
	source, err := currencyOf(root+"/RtrdIntrBkSttlmAmt", p.Source)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, &Error{Path: root + "/IntrBkSttlmDt", Rule: RuleDateTimeSyntax, Detail: "the time of the return is not set"}
	}
	endToEnd := p.EndToEndID
	if endToEnd == "" {
		endToEnd = NotProvided
	}
	body := el("PmtRtr",
		el("GrpHdr",
			text("MsgId", msgID, max35),
			dateTime("CreDtTm", h.CreDt),
			literal("NbOfTxs", "1"),
			el("SttlmInf", literal("SttlmMtd", "CLRG"))),
		el("OrgnlGrpInf",
			literal("OrgnlMsgId", uetrText(p.UETR)),
			literal("OrgnlMsgNmId", KindPacs008)),
		el("TxInf",
			text("RtrId", msgID, max35),
			optText("OrgnlInstrId", p.InstructionID, max35),
			text("OrgnlEndToEndId", endToEnd, max35),
			uetr("OrgnlUETR", p.UETR),
			amount("RtrdIntrBkSttlmAmt", p.SourceAmount, source),
			literal("IntrBkSttlmDt", at.Format(time.DateOnly)),
			agent("InstgAgt", h.From, ""),
			agent("InstdAgt", p.Sender, ""),
			el("RtrRsnInf", el("Rsn", code("Cd", reason, code4)))))
	return envelope(h, KindPacs004, msgID, body)
}

// Notification is a camt.054 debit or credit notification to a participant
// of movements on its position account at the switch.
type Notification struct {
	// Account is the participant's position account id (Acct/Id/Othr/Id).
	Account string
	// Owner is the participant's BIC (Acct/Ownr/Id/OrgId/AnyBIC).
	Owner string
	// Currency is the account's currency.
	Currency money.Currency
	// Entries are the movements, at least one.
	Entries []Entry
}

// Entry is one movement on an account, a camt.053 or camt.054 Ntry.
type Entry struct {
	Amount money.Amount
	// Credit is true for a credit (CdtDbtInd CRDT), false for a debit.
	Credit bool
	// Status is BOOK (posted) or PDNG (pending); "" means BOOK.
	Status string
	// BookingDate and ValueDate are YYYY-MM-DD, each optional.
	BookingDate, ValueDate string
	// Ref is the switch's reference for the entry (AcctSvcrRef).
	Ref string
	// The payment's references.
	UETR       ledger.ID
	EndToEndID string
	InstrID    string
	// Debtor and Creditor of the payment, written when they have a name
	// or an account.
	Debtor, Creditor payments.Party
	// Purpose is the purpose code, Remittance the unstructured remittance
	// information; each optional.
	Purpose, Remittance string
	// Time is when the movement happened (TxDtls/RltdDts/TxDtTm), or zero.
	Time time.Time
}

// WriteCamt054 writes n as a camt.054.001.08, in an envelope with h's
// AppHdr (h.From the switch, servicer of the account; h.To the
// participant). Ntfctn/Id is msgID; GrpHdr/CreDtTm h.CreDt. Errors are
// *Error values.
func WriteCamt054(h Header, msgID string, n Notification) ([]byte, error) {
	const root = "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn"
	if err := checkEntries(root, len(n.Entries)); err != nil {
		return nil, err
	}
	ntfctn := el("Ntfctn",
		text("Id", msgID, max35),
		dateTime("CreDtTm", h.CreDt),
		statementAccount(n.Account, n.Owner, n.Currency, h.From))
	for _, e := range n.Entries {
		ntfctn.kids = append(ntfctn.kids, entry(e, n.Currency))
	}
	body := el("BkToCstmrDbtCdtNtfctn",
		el("GrpHdr", text("MsgId", msgID, max35), dateTime("CreDtTm", h.CreDt)),
		ntfctn)
	return envelope(h, KindCamt054, msgID, body)
}

func checkEntries(root string, n int) error {
	switch {
	case n == 0:
		return &Error{Path: root, Rule: RuleTransactionsNone, Detail: "there is no entry to write"}
	case n > EntriesMax:
		return &Error{Path: root, Rule: RuleTransactionsTooMany,
			Detail: strconv.Itoa(n) + " entries; at most " + strconv.Itoa(EntriesMax)}
	}
	return nil
}

// statementAccount is a CashAccount39: the account's id, currency, owner
// (by BIC) and servicer (the switch).
func statementAccount(id, owner string, c money.Currency, servicer string) *node {
	var ownr *node
	if owner != "" {
		ownr = el("Ownr", el("Id", el("OrgId", leaf("AnyBIC", owner, valueCheck{kind: checkBIC}))))
	}
	acct := account("Acct", id,
		literal("Ccy", c.Code.String()),
		ownr,
		agent("Svcr", servicer, ""))
	if acct == nil {
		return failed("Acct", &Error{Rule: RuleTextRequired, Detail: "the account is empty"})
	}
	return acct
}

func creditDebit(credit bool) string {
	if credit {
		return "CRDT"
	}
	return "DBIT"
}

// entry is a ReportEntry10.
func entry(e Entry, c money.Currency) *node {
	status := e.Status
	if status == "" {
		status = "BOOK"
	}
	family := "ICDT" // issued credit transfers
	if e.Credit {
		family = "RCDT" // received credit transfers
	}
	var booking, value *node
	if e.BookingDate != "" {
		booking = el("BookgDt", date("Dt", e.BookingDate))
	}
	if e.ValueDate != "" {
		value = el("ValDt", date("Dt", e.ValueDate))
	}
	var purpose, remittance, dates *node
	if e.Purpose != "" {
		purpose = el("Purp", code("Cd", e.Purpose, code4))
	}
	if e.Remittance != "" {
		remittance = el("RmtInf", text("Ustrd", e.Remittance, max140))
	}
	if !e.Time.IsZero() {
		dates = el("RltdDts", dateTime("TxDtTm", e.Time))
	}
	tx := el("TxDtls",
		group("Refs",
			optText("AcctSvcrRef", e.Ref, max35),
			optText("InstrId", e.InstrID, max35),
			optText("EndToEndId", e.EndToEndID, max35),
			optUETR("UETR", e.UETR)),
		amount("Amt", e.Amount, c),
		literal("CdtDbtInd", creditDebit(e.Credit)),
		group("RltdPties",
			relatedParty("Dbtr", e.Debtor),
			account("DbtrAcct", e.Debtor.Account),
			relatedParty("Cdtr", e.Creditor),
			account("CdtrAcct", e.Creditor.Account)),
		purpose,
		remittance,
		dates)
	return el("Ntry",
		amount("Amt", e.Amount, c),
		literal("CdtDbtInd", creditDebit(e.Credit)),
		code("Sts", status, code4).wrapIn("Sts", "Cd"),
		booking,
		value,
		optText("AcctSvcrRef", e.Ref, max35),
		el("BkTxCd", el("Domn", literal("Cd", "PMNT"),
			el("Fmly", literal("Cd", family), literal("SubFmlyCd", "XBCT")))),
		el("NtryDtls", tx))
}

// wrapIn renames the leaf n to inner and returns it inside an element
// outer: Sts/Cd.
func (n *node) wrapIn(outer, inner string) *node {
	n.name = inner
	return el(outer, n)
}

// relatedParty is a Party40Choice with a party (Pty), or nil for a party
// with no name and no address.
func relatedParty(name string, p payments.Party) *node {
	if p.Name == "" && p.Country == "" && p.Address == "" {
		return nil
	}
	return el(name, party("Pty", p))
}

// Balance is a balance of a statement: an amount and whether it is a debit
// balance (CdtDbtInd DBIT), as a participant's position can be.
type Balance struct {
	Amount   money.Amount
	Negative bool
}

// Statement is a camt.053 statement of a participant's account for one
// business day and currency.
type Statement struct {
	// ID identifies the statement (Stmt/Id).
	ID string
	// Account is the account id (Othr/Id), Owner the participant's BIC.
	Account, Owner string
	Currency       money.Currency
	// Date is the business day, YYYY-MM-DD: the date of both balances.
	Date string
	// Opening (OPBD) and Closing (CLBD) are the booked balances at the
	// start and the end of the day. Closing must be Opening plus the
	// booked credits minus the booked debits.
	Opening, Closing Balance
	// Entries are the day's movements; pending ones (Status PDNG) do not
	// move the booked balances.
	Entries []Entry
	// CreatedAt is Stmt/CreDtTm; the header's CreDt when zero.
	CreatedAt time.Time
}

// WriteCamt053 writes st as a camt.053.001.08, in an envelope with h's
// AppHdr: the balances OPBD and CLBD, TxsSummry with the number and the
// exact sums of all, credit and debit entries and the net, and one Ntry per
// entry. A statement whose closing balance is not its opening balance plus
// its booked entries is refused (RuleStatementBalance): a statement that
// does not add up is never sent. An empty statement is written with its
// balances and no entries.
func WriteCamt053(h Header, msgID string, st Statement) ([]byte, error) {
	const root = "/Document/BkToCstmrStmt/Stmt"
	if len(st.Entries) > EntriesMax {
		return nil, checkEntries(root, len(st.Entries))
	}
	created := st.CreatedAt
	if created.IsZero() {
		created = h.CreDt
	}
	// Sums in big.Int: exact and free of overflow whatever the entries.
	var credits, debits, booked big.Int
	var nCredits, nDebits int
	for _, e := range st.Entries {
		v := amountToBig(e.Amount)
		if e.Credit {
			credits.Add(&credits, v)
			nCredits++
		} else {
			debits.Add(&debits, v)
			nDebits++
		}
		if e.Status == "" || e.Status == "BOOK" {
			if e.Credit {
				booked.Add(&booked, v)
			} else {
				booked.Sub(&booked, v)
			}
		}
	}
	want := new(big.Int).Add(signed(st.Opening), &booked)
	if want.Cmp(signed(st.Closing)) != 0 {
		return nil, &Error{Path: root + "/Bal", Rule: RuleStatementBalance,
			Detail: "the closing balance is not the opening balance plus the booked entries"}
	}
	stmt := el("Stmt",
		text("Id", st.ID, max35),
		dateTime("CreDtTm", created),
		statementAccount(st.Account, st.Owner, st.Currency, h.From),
		balance("OPBD", st.Opening, st.Currency, st.Date),
		balance("CLBD", st.Closing, st.Currency, st.Date))
	if len(st.Entries) > 0 {
		net := new(big.Int).Sub(&credits, &debits)
		all := new(big.Int).Add(&credits, &debits)
		stmt.kids = append(stmt.kids, el("TxsSummry",
			el("TtlNtries",
				literal("NbOfNtries", strconv.Itoa(len(st.Entries))),
				bigDecimal("Sum", all, st.Currency),
				el("TtlNetNtry",
					bigDecimal("Amt", new(big.Int).Abs(net), st.Currency),
					literal("CdtDbtInd", creditDebit(net.Sign() >= 0)))),
			el("TtlCdtNtries", literal("NbOfNtries", strconv.Itoa(nCredits)), bigDecimal("Sum", &credits, st.Currency)),
			el("TtlDbtNtries", literal("NbOfNtries", strconv.Itoa(nDebits)), bigDecimal("Sum", &debits, st.Currency))))
	}
	for _, e := range st.Entries {
		stmt.kids = append(stmt.kids, entry(e, st.Currency))
	}
	body := el("BkToCstmrStmt",
		el("GrpHdr", text("MsgId", msgID, max35), dateTime("CreDtTm", h.CreDt)),
		stmt)
	return envelope(h, KindCamt053, msgID, body)
}

// balance is a CashBalance8 of type code on date.
func balance(code string, b Balance, c money.Currency, day string) *node {
	return el("Bal",
		el("Tp", el("CdOrPrtry", literal("Cd", code))),
		amount("Amt", b.Amount, c),
		literal("CdtDbtInd", creditDebit(!b.Negative)),
		el("Dt", date("Dt", day)))
}

func signed(b Balance) *big.Int {
	v := amountToBig(b.Amount)
	if b.Negative {
		v.Neg(v)
	}
	return v
}

func amountToBig(a money.Amount) *big.Int {
	hi, lo := a.Parts()
	v := new(big.Int).SetUint64(hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(lo))
}

// bigDecimal is decimal for a sum that may exceed 128 bits.
func bigDecimal(name string, v *big.Int, c money.Currency) *node {
	if v.BitLen() > 128 {
		return failed(name, &Error{Rule: RuleAmountOverflow, Detail: "the sum is beyond 2^128-1 minor units"})
	}
	lo := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(v, 64).Uint64()
	return decimal(name, money.AmountFromParts(hi, lo), c)
}

// SettlementBatch is the settlement of one window: the instructions that
// move the participants' net positions between their settlement accounts.
type SettlementBatch struct {
	// WindowID identifies the settlement window; it is every
	// instruction's EndToEndId.
	WindowID string
	Currency money.Currency
	// SettlementDate is IntrBkSttlmDt, YYYY-MM-DD.
	SettlementDate string
	Instructions   []Instruction
	// CreatedAt is GrpHdr/CreDtTm; the header's CreDt when zero.
	CreatedAt time.Time
}

// Instruction is one settlement movement from a debtor bank to a creditor
// bank.
type Instruction struct {
	// ID identifies the instruction (InstrId and TxId).
	ID string
	// Debtor and Creditor are BICs.
	Debtor, Creditor string
	// DebtorAccount and CreditorAccount are ledger settlement-account ids
	// (Othr/Id).
	DebtorAccount, CreditorAccount string
	Amount                         money.Amount
}

// WritePacs009 writes s as a pacs.009.001.08 FinancialInstitutionCreditTransfer,
// in an envelope with h's AppHdr (h.To is the settlement bank): one
// CdtTrfTxInf per instruction with its id as InstrId and TxId, the window id
// as EndToEndId and a UETR derived from both (SettlementUETR), so the same
// batch always gives the same bytes. An empty batch is RuleTransactionsNone,
// one of more than TransactionsMax instructions RuleTransactionsTooMany.
func WritePacs009(h Header, msgID string, s SettlementBatch) ([]byte, error) {
	const root = "/Document/FICdtTrf"
	switch n := len(s.Instructions); {
	case n == 0:
		return nil, &Error{Path: root, Rule: RuleTransactionsNone, Detail: "the batch has no instructions to write"}
	case n > TransactionsMax:
		return nil, &Error{Path: root, Rule: RuleTransactionsTooMany,
			Detail: strconv.Itoa(n) + " instructions; at most " + strconv.Itoa(TransactionsMax)}
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = h.CreDt
	}
	var total big.Int
	for _, in := range s.Instructions {
		total.Add(&total, amountToBig(in.Amount))
	}
	totalNode := bigDecimal("TtlIntrBkSttlmAmt", &total, s.Currency)
	if totalNode.err == nil {
		totalNode.attrs = [][2]string{{"Ccy", s.Currency.Code.String()}}
	}
	body := el("FICdtTrf",
		el("GrpHdr",
			text("MsgId", msgID, max35),
			dateTime("CreDtTm", created),
			literal("NbOfTxs", strconv.Itoa(len(s.Instructions))),
			totalNode,
			date("IntrBkSttlmDt", s.SettlementDate),
			el("SttlmInf", literal("SttlmMtd", "CLRG")),
			agent("InstgAgt", h.From, ""),
			agent("InstdAgt", h.To, "")))
	for i, in := range s.Instructions {
		body.kids = append(body.kids, el("CdtTrfTxInf",
			el("PmtId",
				text("InstrId", in.ID, max35),
				text("EndToEndId", s.WindowID, max35),
				text("TxId", in.ID, max35),
				uetr("UETR", SettlementUETR(s.WindowID, i))),
			amount("IntrBkSttlmAmt", in.Amount, s.Currency),
			agent("Dbtr", in.Debtor, ""),
			account("DbtrAcct", in.DebtorAccount),
			agent("Cdtr", in.Creditor, ""),
			account("CdtrAcct", in.CreditorAccount)))
	}
	return envelope(h, KindPacs009, msgID, body)
}

// SettlementUETR derives the UETR of the index-th instruction of a
// settlement window: a UUID version 4 made of the first 16 bytes of a
// SHA-256 of the window id and the index, so that writing a window's
// instructions again gives them the same UETRs.
func SettlementUETR(windowID string, index int) ledger.ID {
	h := sha256.New()
	h.Write([]byte("astara/iso20022/pacs.009/v1\x00"))
	h.Write([]byte(windowID))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(index)))
	var id ledger.ID
	copy(id[:], h.Sum(nil))
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}
