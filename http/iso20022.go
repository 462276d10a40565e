package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"astara/calendar"
	"astara/iso20022"
	"astara/iso20022/xsd"
	"astara/ledger"
	"astara/money"
	"astara/payments"
	"astara/settlement"
)

// SwitchBICDefault is the BIC the switch writes as itself in the messages
// it sends (AppHdr Fr, the instructing agent of a forwarded pacs.008),
// unless the configuration names another.
const SwitchBICDefault = "ASTARUMM"

// The ISO 20022 transaction statuses the switch writes.
const (
	statusAccepted  = "ACCP" // accepted for processing: the funds are reserved
	statusSettled   = "ACSC" // the receiving bank credited the beneficiary
	statusRejected  = "RJCT"
	statusPending   = "PDNG"
	reasonInvalid   = "FF01" // InvalidFileFormat: the message breaks its schema
	reasonDuplicate = "DUPL" // DuplicatePayment: the MsgId was used with another message
	reasonNarrative = "NARR" // Narrative: the reason is in the additional information
	reasonCurrency  = "AM03" // NotAllowedCurrency
	reasonAgent     = "RC01" // BankIdentifierIncorrect
)

func (s *Server) registerISO20022() {
	s.route("POST /iso20022/pacs.008", s.participant(s.inboundPacs008))
	s.route("POST /iso20022/pacs.002", s.participant(s.inboundPacs002))
	s.route("POST /iso20022/pacs.004", s.participant(s.inboundPacs004))
	s.route("GET /iso20022/pacs.008/{uetr}", s.participant(s.outboundPacs008))
	s.route("GET /iso20022/pacs.002/{uetr}", s.participant(s.outboundPacs002))
	s.route("GET /iso20022/pacs.004/{uetr}", s.participant(s.outboundPacs004))
	s.route("GET /iso20022/camt.054/{uetr}", s.participant(s.outboundCamt054))
	s.route("GET /iso20022/camt.053", s.participant(s.outboundCamt053))
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// header is the AppHdr of a message from the switch to a participant.
func (s *Server) header(to string, at time.Time) iso20022.Header {
	return iso20022.Header{From: s.switchBIC, To: to, CreDt: at.UTC()}
}

// messageID derives the id of a message the switch writes from what it
// answers, so that the same question always gets the same answer.
func messageID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "AST" + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:29])
}

// readXML reads a message body of at most iso20022.MessageBytesMax bytes
// and checks it against the official schemas: a message that breaks one is
// answered before anything is acted on.
func readXML(w http.ResponseWriter, r *http.Request) ([]byte, *xsd.Error, *Problem) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, iso20022.MessageBytesMax))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "a message holds at most %d bytes", iso20022.MessageBytesMax)
		}
		return nil, nil, problem(http.StatusBadRequest, "body_unreadable", "", "read the body: %v", err)
	}
	if _, err := xsd.Default().Validate(body); err != nil {
		var xe *xsd.Error
		if errors.As(err, &xe) {
			return body, xe, nil
		}
		return nil, nil, problem(http.StatusBadRequest, "xml_invalid", "", "%v", err)
	}
	return body, nil, nil
}

// xmlProblem answers a message that could not be read far enough to
// answer it with a status report.
func xmlProblem(err error) *Problem {
	var xe *xsd.Error
	var ie *iso20022.Error
	switch {
	case errors.As(err, &xe):
		p := problem(http.StatusBadRequest, "xml_"+string(xe.Rule), xe.Path, "line %d: %s", xe.Line, xe.Detail)
		p.Reason = reasonInvalid
		return p
	case errors.As(err, &ie):
		p := problem(http.StatusBadRequest, "iso20022_"+string(ie.Rule), ie.Path, "%s", ie.Detail)
		p.Reason = reasonInvalid
		if ie.Rule == iso20022.RuleMessageTooLarge {
			p.Status, p.Title = http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge)
		}
		return p
	}
	return problem(http.StatusBadRequest, "xml_invalid", "", "%v", err)
}

// checkSender refuses a message whose AppHdr says it is from another bank
// than the key that sent it.
func checkSender(h *iso20022.Header, who *payments.Participant) string {
	if h != nil && h.From != "" && h.From != who.ID {
		return fmt.Sprintf("the AppHdr is from %s but the message was sent with a key of %s", h.From, who.ID)
	}
	return ""
}

// --- pacs.008 in: a participant sends a payment ------------------------------

// inboundPacs008 turns each transaction of a pacs.008 into a payment and
// answers a pacs.002: ACCP for a payment reserved, RJCT with the ISO reason
// for one refused. A message that breaks its schema is rejected whole
// (FF01) before any transaction is acted on. The message is idempotent on
// its MsgId: sent again, it answers the same report and makes no second
// payment; another message with the same MsgId is rejected (DUPL).
func (s *Server) inboundPacs008(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	if !s.requirePayments(w) {
		return
	}
	body, invalid, p := readXML(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	now := s.now()
	ct, err := iso20022.ReadPacs008(body)
	if err != nil {
		// A message that cannot be read as a payment is still answered
		// with a status report when its MsgId can be found; otherwise with
		// a problem saying what and where.
		msgID := pacs008MsgID(body)
		if msgID == "" {
			if invalid != nil {
				err = invalid
			}
			writeProblem(w, xmlProblem(err))
			return
		}
		reason, info := reasonInvalid, err.Error()
		var ie *iso20022.Error
		if errors.As(err, &ie) {
			info = ie.Path + ": " + string(ie.Rule) + ": " + ie.Detail
			switch ie.Rule {
			case iso20022.RuleCurrencyUnknown:
				reason = reasonCurrency
			case iso20022.RuleAmountFraction, iso20022.RuleAmountDecimals, iso20022.RuleAmountOverflow, iso20022.RuleAmountTooLarge:
				reason = "AM12" // InvalidAmount
			}
		}
		if invalid != nil {
			reason, info = reasonInvalid, fmt.Sprintf("%s: %s: %s", invalid.Path, invalid.Rule, invalid.Detail)
		}
		report := iso20022.StatusReport{OriginalMsgID: msgID, OriginalMsgNameID: iso20022.KindPacs008, GroupStatus: statusRejected,
			Transactions: []iso20022.TransactionStatus{{Status: statusRejected, Reason: reason, AdditionalInfo: info}}}
		s.writeMessage(w, func() ([]byte, error) {
			return iso20022.WritePacs002(s.header(who.ID, now), messageID("pacs.002", who.ID, msgID), report)
		})
		return
	}
	report := iso20022.StatusReport{OriginalMsgID: ct.MsgID, OriginalMsgNameID: iso20022.KindPacs008}
	reject := func(reason, info string) {
		report.GroupStatus = statusRejected
		report.Transactions = nil
		for _, tx := range ct.Transactions {
			report.Transactions = append(report.Transactions, txStatus(&tx, statusRejected, reason, info))
		}
	}
	bodyHash := sha256.Sum256(body)
	var answeredAt time.Time
	switch {
	case invalid != nil:
		reject(reasonInvalid, fmt.Sprintf("%s: %s: %s", invalid.Path, invalid.Rule, invalid.Detail))
	case checkSender(ct.Header, who) != "":
		reject(reasonAgent, checkSender(ct.Header, who))
	default:
		for i := range ct.Transactions {
			tx := &ct.Transactions[i]
			key := fmt.Sprintf("pacs.008/%s/%d", ct.MsgID, i+1)
			status, reason, info, at, retry := s.pacs008Transaction(r.Context(), who, tx, key, bodyHash, now)
			if retry != nil {
				// The payments already made answer the same when the
				// message comes again: their keys remember them.
				writeProblem(w, retry)
				return
			}
			if !at.IsZero() && answeredAt.IsZero() {
				answeredAt = at
			}
			report.Transactions = append(report.Transactions, txStatus(tx, status, reason, info))
		}
	}
	// A report on payments made (or refused and remembered) is dated when
	// they were first answered, so that the same message sent again gets
	// the same report, byte for byte.
	if !answeredAt.IsZero() {
		now = answeredAt
	}
	out, err := iso20022.WritePacs002(s.header(who.ID, now), messageID("pacs.002", who.ID, ct.MsgID), report)
	if err != nil {
		writeProblem(w, problem(http.StatusInternalServerError, "iso20022_write", "", "write pacs.002: %v", err))
		return
	}
	writeXML(w, http.StatusOK, out)
}

func txStatus(tx *iso20022.Transaction, status, reason, info string) iso20022.TransactionStatus {
	return iso20022.TransactionStatus{OriginalInstrID: tx.InstrID, OriginalEndToEndID: tx.EndToEndID, OriginalTxID: tx.TxID,
		OriginalUETR: tx.UETR, Status: status, Reason: reason, AdditionalInfo: info}
}

// reasonOf is the ISO reason of a refusal, NARR when it has none.
func reasonOf(code, reason string) string {
	if reason != "" {
		return reason
	}
	if code == payments.CodeIdempotencyKeyReused || code == payments.CodeUETRExists {
		return reasonDuplicate
	}
	return reasonNarrative
}

// pacs008Transaction makes one payment of a pacs.008 and returns its
// status: the quote is taken at the corridor's current rate for the amount
// the message instructs (see pacs008Amounts), then paid. at is when an
// earlier identical message was answered, for a retry.
func (s *Server) pacs008Transaction(ctx context.Context, who *payments.Participant, tx *iso20022.Transaction, key string, bodyHash [32]byte, now time.Time) (status, reason, info string, at time.Time, retry *Problem) {
	// A retry of a message already answered answers as it did.
	var prevRefusal *payments.Refusal
	var same, found bool
	var uetr ledger.ID
	s.paymentsView(func(m *payments.Machine) {
		uetr, prevRefusal, same, found = m.Idempotent(who.ID, key, bodyHash)
		at, _ = m.IdempotentAt(who.ID, key)
	})
	if found {
		switch {
		case !same:
			return statusRejected, reasonDuplicate, "the MsgId was used by another message", time.Time{}, nil
		case prevRefusal != nil:
			return statusRejected, reasonOf(prevRefusal.Code, prevRefusal.Reason), prevRefusal.Detail, at, nil
		}
		var pay payments.Payment
		s.paymentsView(func(m *payments.Machine) { pay, _ = m.Payment(uetr) })
		status, reason = screenedStatus(&pay)
		return status, reason, "", at, nil
	}
	// What the message carries is checked before the quote is taken, so
	// that a message refused for it leaves nothing behind.
	var remittance string
	switch len(tx.Remittance) {
	case 0:
	case 1:
		remittance = tx.Remittance[0]
	default:
		return statusRejected, reasonNarrative, fmt.Sprintf("%d RmtInf/Ustrd elements; the switch carries one", len(tx.Remittance)), time.Time{}, nil
	}
	if fe := payments.ValidateRemittance(remittance); fe != nil {
		return statusRejected, reasonOf(fe.Code, fe.Reason), "RmtInf/Ustrd: " + fe.Detail, time.Time{}, nil
	}
	quote, prob := s.pacs008Quote(ctx, who, tx, now)
	if prob != nil && prob.Status >= http.StatusInternalServerError {
		return "", "", "", time.Time{}, prob
	}
	if prob != nil {
		return statusRejected, reasonOf(prob.Code, prob.Reason), prob.Detail, time.Time{}, nil
	}
	cmd := &payments.CreatePayment{UETR: tx.UETR, Sender: who.ID, QuoteID: quote.ID, Purpose: tx.Purpose, Remittance: remittance,
		EndToEndID: tx.EndToEndID, InstructionID: tx.InstrID, IdempotencyKey: key, BodyHash: bodyHash}
	if cmd.UETR.IsZero() {
		cmd.UETR = ledger.NewRandomID()
	}
	if cmd.Purpose == "" {
		cmd.Purpose = "OTHR"
	}
	var receiver payments.Participant
	s.paymentsView(func(m *payments.Machine) {
		if rp, ok := m.Participant(quote.Receiver); ok {
			receiver = *rp
		}
	})
	receiverCountry := receiver.Country
	if fe := payments.ValidateParty(tx.Debtor, "debtor", who.Country); fe != nil {
		return statusRejected, reasonOf(fe.Code, fe.Reason), fe.Field + ": " + fe.Detail, time.Time{}, nil
	}
	if fe := payments.ValidateParty(tx.Creditor, "creditor", receiverCountry); fe != nil {
		return statusRejected, reasonOf(fe.Code, fe.Reason), fe.Field + ": " + fe.Detail, time.Time{}, nil
	}
	if _, ok := payments.LookupPurpose(cmd.Purpose); !ok {
		return statusRejected, "FF07", fmt.Sprintf("purpose %q is not one this switch accepts", cmd.Purpose), time.Time{}, nil
	}
	cmd.Debtor, cmd.Creditor = payments.NormalizeParty(tx.Debtor), payments.NormalizeParty(tx.Creditor)
	if cmd.Screening, prob = s.screenParties(cmd.Debtor, cmd.Creditor, who, &receiver, nil); prob != nil && prob.Status >= http.StatusInternalServerError {
		return "", "", "", time.Time{}, prob
	} else if prob != nil {
		return statusRejected, reasonOf(prob.Code, prob.Reason), prob.Detail, time.Time{}, nil
	}
	cmd.DebtorDay = now.Format(time.DateOnly)
	if c, err := s.calendars.Country(who.Country); err == nil {
		cmd.DebtorDay = now.In(c.Location()).Format(time.DateOnly)
	}
	reply, prob := s.submit(ctx, cmd)
	if prob != nil && prob.Status >= http.StatusInternalServerError {
		// The switch could not decide (its journal, a queue, its lists):
		// nothing was made, and the bank is told to send the message
		// again, not that the payment was rejected.
		return "", "", "", time.Time{}, prob
	}
	if prob != nil {
		// The refusal is remembered with the key: a retry answers it as of
		// now.
		s.paymentsView(func(m *payments.Machine) { at, _ = m.IdempotentAt(who.ID, key) })
		return statusRejected, reasonOf(prob.Code, prob.Reason), prob.Detail, at, nil
	}
	pay := reply.(*payments.Payment)
	status, reason = screenedStatus(pay)
	return status, reason, "", pay.CreatedAt, nil
}

// screenedStatus is a new payment's status report as screening left it:
// accepted, pending while held for review, or rejected (RR04) when
// blocked. It depends on the screening alone, which never changes, so a
// retried message is answered as the first was.
func screenedStatus(p *payments.Payment) (status, reason string) {
	if p.Screening != nil {
		switch p.Screening.Action {
		case payments.ScreeningBlock:
			return statusRejected, payments.ReasonRegulatory
		case payments.ScreeningReview:
			return statusPending, ""
		}
	}
	return statusAccepted, ""
}

// pacs008Quote prices a pacs.008 transaction. The receiving bank is the
// creditor's agent. The interbank settlement amount is what the creditor's
// agent is paid: in the receiving bank's currency, the beneficiary gets
// exactly it (a quote for the target amount); in the sending bank's
// currency, it is what the debtor sends (a quote for the source amount).
// The corridor is the one from the sender's currency (the instructed
// amount's, when the message gives one) to the receiver's.
func (s *Server) pacs008Quote(ctx context.Context, who *payments.Participant, tx *iso20022.Transaction, now time.Time) (*payments.Quote, *Problem) {
	receiverID := tx.CreditorAgent.BIC
	var receiver *payments.Participant
	var corridors []payments.Corridor
	s.paymentsView(func(m *payments.Machine) {
		if p, ok := m.Participant(receiverID); ok {
			cp := *p
			receiver = &cp
		}
		corridors = m.Corridors()
	})
	if receiver == nil {
		p := problem(http.StatusUnprocessableEntity, payments.CodeParticipantNotFound, "CdtrAgt", "the creditor agent %q is not a participant of the switch", receiverID)
		p.Reason = reasonAgent
		return nil, p
	}
	amount := tx.SettlementAmount
	var cor *payments.Corridor
	targetMode := receiver.HasCurrency(amount.Currency.Code) && !who.HasCurrency(amount.Currency.Code)
	for i := range corridors {
		c := &corridors[i]
		if !who.HasCurrency(c.Source) || !receiver.HasCurrency(c.Target) {
			continue
		}
		if targetMode && c.Target == amount.Currency.Code && (tx.InstructedAmount == nil || tx.InstructedAmount.Currency.Code == c.Source) {
			cor = c
			break
		}
		if !targetMode && c.Source == amount.Currency.Code {
			cor = c
			break
		}
	}
	if cor == nil {
		p := problem(http.StatusUnprocessableEntity, payments.CodeCorridorNotFound, "IntrBkSttlmAmt", "no corridor from %s to %s carries %s", who.ID, receiver.ID, amount.Currency.Code)
		p.Reason = reasonCurrency
		return nil, p
	}
	cmd := &payments.CreateQuote{ID: ledger.NewRandomID(), Sender: who.ID, Receiver: receiver.ID, Source: cor.Source, Target: cor.Target}
	if targetMode {
		cmd.TargetAmount = amount.Value
	} else {
		cmd.SourceAmount = amount.Value
	}
	if amount.Value.IsZero() {
		p := problem(http.StatusBadRequest, "amount_must_not_be_zero", "IntrBkSttlmAmt", "the amount must be more than zero")
		p.Reason = "AM01"
		return nil, p
	}
	var p *Problem
	if cmd.ValueDate, cmd.Deadline, p = s.valueDate(cor, who.Country, receiver.Country, now); p != nil {
		return nil, p
	}
	reply, p := s.submit(ctx, cmd)
	if p != nil {
		return nil, p
	}
	return reply.(*payments.Quote), nil
}

// --- pacs.002 and pacs.004 in: the receiving bank answers ----------------------

// readAnswer reads a receiving bank's message: schema first, then read,
// then its AppHdr checked against the key that sent it. Any fault is
// answered with a problem naming the element, and reports false: unlike a
// pacs.008, an answer that cannot be read changes nothing to report on.
func (s *Server) readAnswer(w http.ResponseWriter, r *http.Request, who *payments.Participant, read func([]byte) (*iso20022.Header, error)) bool {
	if !s.requirePayments(w) {
		return false
	}
	body, invalid, p := readXML(w, r)
	switch {
	case p != nil:
		writeProblem(w, p)
		return false
	case invalid != nil:
		writeProblem(w, xmlProblem(invalid))
		return false
	}
	h, err := read(body)
	if err != nil {
		writeProblem(w, xmlProblem(err))
		return false
	}
	if msg := checkSender(h, who); msg != "" {
		writeProblem(w, problem(http.StatusForbidden, "sender_mismatch", "AppHdr/Fr", "%s", msg))
		return false
	}
	return true
}

// inboundPacs002 takes a receiving bank's status report on payments it was
// sent: an accepting status (ACSC, ACCC, ACSP, ACCP, ACWC) completes the
// payment, RJCT rejects it with its reason. The answer is the switch's own
// pacs.002 with where each payment now stands.
func (s *Server) inboundPacs002(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	var rep *iso20022.StatusReport
	if !s.readAnswer(w, r, who, func(body []byte) (h *iso20022.Header, err error) {
		if rep, err = iso20022.ReadPacs002(body); err == nil {
			h = rep.Header
		}
		return h, err
	}) {
		return
	}
	out := iso20022.StatusReport{OriginalMsgID: rep.MsgID, OriginalMsgNameID: iso20022.KindPacs002}
	for _, tx := range rep.Transactions {
		var cmd any
		switch tx.Status {
		case "ACSC", "ACCC", "ACSP", "ACCP", "ACWC":
			cmd = &payments.AcceptPayment{UETR: tx.OriginalUETR, By: who.ID}
		case statusRejected:
			reason := tx.Reason
			if !isReasonCode(reason) {
				reason = reasonNarrative
			}
			cmd = &payments.RejectPayment{UETR: tx.OriginalUETR, By: who.ID, Reason: reason}
		default:
			out.Transactions = append(out.Transactions, answeredStatus(tx, statusRejected, reasonNarrative,
				fmt.Sprintf("TxSts %q neither accepts nor rejects", tx.Status)))
			continue
		}
		reply, p := s.submit(r.Context(), cmd)
		if p != nil {
			out.Transactions = append(out.Transactions, answeredStatus(tx, statusRejected, reasonOf(p.Code, p.Reason), p.Detail))
			continue
		}
		pay := reply.(*payments.Payment)
		st, reason := paymentStatus(pay)
		out.Transactions = append(out.Transactions, answeredStatus(tx, st, reason, ""))
	}
	msg, err := iso20022.WritePacs002(s.header(who.ID, s.now()), messageID("pacs.002", who.ID, rep.MsgID), out)
	if err != nil {
		writeProblem(w, problem(http.StatusInternalServerError, "iso20022_write", "", "write pacs.002: %v", err))
		return
	}
	writeXML(w, http.StatusOK, msg)
}

func answeredStatus(tx iso20022.TransactionStatus, status, reason, info string) iso20022.TransactionStatus {
	return iso20022.TransactionStatus{OriginalInstrID: tx.OriginalInstrID, OriginalEndToEndID: tx.OriginalEndToEndID,
		OriginalTxID: tx.OriginalTxID, OriginalUETR: tx.OriginalUETR, Status: status, Reason: reason, AdditionalInfo: info}
}

// paymentStatus maps a payment's status onto ISO 20022's.
func paymentStatus(p *payments.Payment) (status, reason string) {
	switch p.Status {
	case payments.StatusReserved:
		return statusAccepted, ""
	case payments.StatusCompleted, payments.StatusReturned:
		return statusSettled, ""
	case payments.StatusRejected, payments.StatusExpired:
		return statusRejected, p.Reason
	}
	return statusPending, ""
}

// inboundPacs004 takes a receiving bank's return of completed payments.
func (s *Server) inboundPacs004(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	var ret *iso20022.Return
	if !s.readAnswer(w, r, who, func(body []byte) (h *iso20022.Header, err error) {
		if ret, err = iso20022.ReadPacs004(body); err == nil {
			h = ret.Header
		}
		return h, err
	}) {
		return
	}
	out := iso20022.StatusReport{OriginalMsgID: ret.MsgID, OriginalMsgNameID: iso20022.KindPacs004}
	for _, tx := range ret.Transactions {
		st := iso20022.TransactionStatus{OriginalInstrID: tx.OriginalInstrID, OriginalEndToEndID: tx.OriginalEndToEndID,
			OriginalTxID: tx.OriginalTxID, OriginalUETR: tx.OriginalUETR}
		reason := tx.Reason
		if !isReasonCode(reason) {
			reason = reasonNarrative
		}
		if _, p := s.submit(r.Context(), &payments.ReturnPayment{UETR: tx.OriginalUETR, By: who.ID, Reason: reason}); p != nil {
			st.Status, st.Reason, st.AdditionalInfo = statusRejected, reasonOf(p.Code, p.Reason), p.Detail
		} else {
			st.Status = statusSettled
		}
		out.Transactions = append(out.Transactions, st)
	}
	msg, err := iso20022.WritePacs002(s.header(who.ID, s.now()), messageID("pacs.002", who.ID, ret.MsgID), out)
	if err != nil {
		writeProblem(w, problem(http.StatusInternalServerError, "iso20022_write", "", "write pacs.002: %v", err))
		return
	}
	writeXML(w, http.StatusOK, msg)
}

// --- messages out ---------------------------------------------------------------

// outboundPacs008 is a payment as the receiving bank gets it.
func (s *Server) outboundPacs008(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	p, ok := s.visiblePayment(w, r, who)
	if !ok {
		return
	}
	if p.Receiver != who.ID {
		writeProblem(w, problem(http.StatusNotFound, payments.CodePaymentNotFound, "uetr", "no payment %s sent to %s", p.UETR, who.ID))
		return
	}
	s.writeMessage(w, func() ([]byte, error) {
		return iso20022.WritePacs008(s.header(who.ID, p.CreatedAt), messageID("pacs.008", p.UETR.String()), &p, p.ValueDate)
	})
}

// outboundPacs002 is where a payment stands, as a status report to its
// sending bank (or to its receiving bank).
func (s *Server) outboundPacs002(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	p, ok := s.visiblePayment(w, r, who)
	if !ok {
		return
	}
	status, reason := paymentStatus(&p)
	at := p.CreatedAt
	if n := len(p.Events); n > 0 {
		at = p.Events[n-1].At
	}
	orig := p.InstructionID
	if orig == "" {
		orig = accountRef(p.UETR)
	}
	rep := iso20022.StatusReport{OriginalMsgID: orig, OriginalMsgNameID: iso20022.KindPacs008,
		Transactions: []iso20022.TransactionStatus{{OriginalInstrID: p.InstructionID, OriginalEndToEndID: p.EndToEndID,
			OriginalUETR: p.UETR, Status: status, Reason: reason, AcceptedAt: at}}}
	s.writeMessage(w, func() ([]byte, error) {
		return iso20022.WritePacs002(s.header(who.ID, at), messageID("pacs.002", p.UETR.String(), string(p.Status)), rep)
	})
}

// outboundPacs004 is a returned payment as its sending bank gets it back.
func (s *Server) outboundPacs004(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	p, ok := s.visiblePayment(w, r, who)
	if !ok {
		return
	}
	if p.Status != payments.StatusReturned {
		writeProblem(w, problem(http.StatusConflict, "payment_not_returned", "uetr", "payment %s is %s, not returned", p.UETR, p.Status))
		return
	}
	at := p.Events[len(p.Events)-1].At
	s.writeMessage(w, func() ([]byte, error) {
		return iso20022.WritePacs004(s.header(p.Sender, at), messageID("pacs.004", p.UETR.String()), &p, p.Reason, at)
	})
}

// outboundCamt054 notifies the calling bank of a payment's movement on its
// position: a debit for the sending bank, a credit for the receiving bank,
// pending while reserved and booked once completed.
func (s *Server) outboundCamt054(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	p, ok := s.visiblePayment(w, r, who)
	if !ok {
		return
	}
	e := iso20022.Entry{UETR: p.UETR, EndToEndID: p.EndToEndID, InstrID: p.InstructionID, Debtor: p.Debtor, Creditor: p.Creditor,
		Purpose: p.Purpose, Remittance: p.Remittance, Time: p.CreatedAt, Ref: accountRef(p.UETR), ValueDate: p.ValueDate}
	var cur money.Currency
	if who.ID == p.Sender {
		cur, _ = money.LookupCurrency(p.Source)
		e.Amount = p.SourceAmount.MustAdd(p.Fee)
	} else {
		cur, _ = money.LookupCurrency(p.Target)
		e.Amount, e.Credit = p.TargetAmount, true
	}
	switch p.Status {
	case payments.StatusReserved:
		e.Status = "PDNG"
	case payments.StatusCompleted, payments.StatusReturned:
		e.Status = "BOOK"
	default:
		writeProblem(w, problem(http.StatusConflict, "payment_not_moved", "uetr", "payment %s is %s: no money moved", p.UETR, p.Status))
		return
	}
	at := p.Events[len(p.Events)-1].At
	e.BookingDate = at.Format(time.DateOnly)
	n := iso20022.Notification{Account: accountRef(payments.AccountID(who.ID, cur.Code, payments.AccountPosition)), Owner: who.ID, Currency: cur,
		Entries: []iso20022.Entry{e}}
	s.writeMessage(w, func() ([]byte, error) {
		return iso20022.WriteCamt054(s.header(who.ID, at), messageID("camt.054", who.ID, p.UETR.String(), string(p.Status)), n)
	})
}

// outboundCamt053 is the calling bank's statement of its position in one
// currency for one business day, the day as the bank's country counts it:
// its booked balance at the day's start and end and every movement between,
// each payment's with its UETR.
func (s *Server) outboundCamt053(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	q := r.URL.Query()
	day, err := calendar.ParseDate(q.Get("date"))
	if err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "date_syntax", "date", "date must be YYYY-MM-DD"))
		return
	}
	if len(who.Currencies) == 0 {
		// A carrier holds no account at the switch: it has no statement.
		writeProblem(w, problem(http.StatusNotFound, "account_not_found", "", "%s holds no currency at the switch, so it has no statement", who.ID))
		return
	}
	cur, _ := money.LookupCurrency(who.Currencies[0])
	if v := q.Get("currency"); v != "" {
		c, p := parseCurrency(v, fp("currency"))
		if p != nil {
			writeProblem(w, p)
			return
		}
		if !who.HasCurrency(c.Code) {
			writeProblem(w, problem(http.StatusBadRequest, "currency_not_held", "currency", "%s does not hold %s", who.ID, c.Code))
			return
		}
		cur = c
	}
	loc := time.UTC
	if c, err := s.calendars.Country(who.Country); err == nil {
		loc = c.Location()
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1)
	if !end.Before(s.now().Add(24 * time.Hour)) {
		writeProblem(w, problem(http.StatusBadRequest, "date_in_future", "date", "%s has not begun", day))
		return
	}
	st := iso20022.Statement{ID: messageID("camt.053", who.ID, cur.Code.String(), day.String()), Owner: who.ID, Currency: cur, Date: day.String()}
	account := payments.AccountID(who.ID, cur.Code, payments.AccountPosition)
	st.Account = accountRef(account)
	var failure *Problem
	// Reads bounded by the day, not by the account's history: the
	// opening balance is one search, the day's balances a range, and
	// their payments are found by their postings.
	s.paymentsView(func(m *payments.Machine) {
		var opening, closing [2]money.Amount // credits, debits posted
		from := uint64(0)                    // the day's first nanosecond
		if ns := start.UnixNano(); ns > 0 {
			from = uint64(ns)
		}
		before, found, ok := m.Ledger.AccountBalanceBefore(account, from)
		if !ok {
			failure = problem(http.StatusNotFound, "account_not_found", "currency", "no %s position of %s", cur.Code, who.ID)
			return
		}
		if found {
			opening = [2]money.Amount{before.CreditsPosted, before.DebitsPosted}
		}
		closing = opening
		var ids []ledger.ID
		after := max(from, 1) - 1
	pages:
		for {
			page, _ := m.Ledger.AccountBalances(account, after, ListLimitMax)
			for _, b := range page {
				at := time.Unix(0, int64(b.Timestamp))
				if !at.Before(end) {
					break pages
				}
				t, _, _ := m.Ledger.LookupTransfer(b.TransferID)
				moved := money.Amount{}
				credit := false
				if d, ok := b.CreditsPosted.Sub(closing[0]); ok && !d.IsZero() {
					moved, credit = d, true
				} else if d, ok := b.DebitsPosted.Sub(closing[1]); ok && !d.IsZero() {
					moved = d
				}
				closing = [2]money.Amount{b.CreditsPosted, b.DebitsPosted}
				if moved.IsZero() {
					continue // a reservation: no booked money moved
				}
				st.Entries = append(st.Entries, iso20022.Entry{Amount: moved, Credit: credit, Status: "BOOK", BookingDate: day.String(), ValueDate: day.String(),
					Ref: accountRef(t.ID), Time: at.UTC()})
				ids = append(ids, t.ID)
			}
			if len(page) < ListLimitMax {
				break
			}
			after = page[len(page)-1].Timestamp
		}
		// The bank's payments, made before the day ended.
		owners := m.PaymentsOfPostings(ids, func(p *payments.Payment) bool {
			return (p.Sender == who.ID || p.Receiver == who.ID || p.FXProvider == who.ID) && p.CreatedAt.Before(end)
		})
		for i := range st.Entries {
			e := &st.Entries[i]
			p := owners[ids[i]]
			if p == nil {
				continue
			}
			e.UETR, e.Purpose = p.UETR, p.Purpose
			// The banks' customers and what they wrote to each other are
			// the sending and receiving banks' to read; the FX provider,
			// whose position the payment moved too, reconciles by UETR
			// alone.
			if p.Sender == who.ID || p.Receiver == who.ID {
				e.EndToEndID, e.InstrID, e.Debtor, e.Creditor, e.Remittance =
					p.EndToEndID, p.InstructionID, p.Debtor, p.Creditor, p.Remittance
			}
		}
		st.Opening = balanceOf(opening)
		st.Closing = balanceOf(closing)
	})
	if failure != nil {
		writeProblem(w, failure)
		return
	}
	s.writeMessage(w, func() ([]byte, error) {
		return iso20022.WriteCamt053(s.header(who.ID, end), messageID("camt.053", who.ID, cur.Code.String(), day.String()), st)
	})
}

func balanceOf(b [2]money.Amount) iso20022.Balance {
	if b[0].Less(b[1]) {
		return iso20022.Balance{Amount: b[1].MustSub(b[0]), Negative: true}
	}
	return iso20022.Balance{Amount: b[0].MustSub(b[1])}
}

func (s *Server) writeMessage(w http.ResponseWriter, write func() ([]byte, error)) {
	out, err := write()
	if err != nil {
		var ie *iso20022.Error
		if errors.As(err, &ie) {
			writeProblem(w, problem(http.StatusUnprocessableEntity, "iso20022_"+string(ie.Rule), ie.Path, "%s", ie.Detail))
			return
		}
		writeProblem(w, problem(http.StatusInternalServerError, "iso20022_write", "", "%v", err))
		return
	}
	writeXML(w, http.StatusOK, out)
}

// pacs009 writes a closed window's instructions as a pacs.009 to the
// settlement bank.
func (s *Server) pacs009(win *payments.Window, rows []settlement.CSVRow) ([]byte, *Problem) {
	cur, _ := money.LookupCurrency(win.Currency)
	batch := iso20022.SettlementBatch{WindowID: win.ID, Currency: cur, CreatedAt: win.ClosedAt}
	for _, r := range rows {
		batch.SettlementDate = r.SettlementDate
		batch.Instructions = append(batch.Instructions, iso20022.Instruction{ID: r.ID, Debtor: bicOf(r.Payer, s.switchBIC), Creditor: bicOf(r.Payee, s.switchBIC),
			DebtorAccount: accountRef(ledger.MustParseID(r.PayerAccount)), CreditorAccount: accountRef(ledger.MustParseID(r.PayeeAccount)), Amount: r.Amount})
	}
	out, err := iso20022.WritePacs009(s.header(s.settlementBankBIC, win.ClosedAt), messageID("pacs.009", win.ID), batch)
	if err != nil {
		var ie *iso20022.Error
		if errors.As(err, &ie) && ie.Rule == iso20022.RuleTransactionsNone {
			return nil, problem(http.StatusConflict, "window_without_instructions", "id", "window %s nets to nothing: there is nothing to instruct", win.ID)
		}
		return nil, problem(http.StatusInternalServerError, "iso20022_write", "", "write pacs.009: %v", err)
	}
	return out, nil
}

// bicOf names a position's owner in a message: the switch's fee income is
// the switch's.
func bicOf(participant, switchBIC string) string {
	if participant == payments.SwitchID {
		return switchBIC
	}
	return participant
}

// pacs008MsgID finds the GrpHdr/MsgId of a pacs.008 that could not be read
// whole, so that it can still be answered; "" when there is none.
func pacs008MsgID(body []byte) string {
	m, err := iso20022.Split(body)
	if err != nil || m.Kind != iso20022.KindPacs008 {
		return ""
	}
	var doc struct {
		MsgID string `xml:"FIToFICstmrCdtTrf>GrpHdr>MsgId"`
	}
	if xml.Unmarshal(m.Document, &doc) != nil {
		return ""
	}
	id := strings.TrimSpace(doc.MsgID)
	if id == "" || len([]rune(id)) > 35 {
		return ""
	}
	return id
}

// accountRef writes a 128-bit id (an account's, a transfer's, a UETR where
// it stands for a reference) in an ISO 20022 text of at most 34 or 35
// characters (Othr/Id, AcctSvcrRef, OrgnlMsgId): its 32 hexadecimal
// digits, since a UUID's 36 characters do not fit.
func accountRef(id ledger.ID) string { return strings.ReplaceAll(id.String(), "-", "") }
