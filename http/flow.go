package http

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"astara/calendar"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// --- quotes ---------------------------------------------------------------

type amountJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type quoteResponse struct {
	ID                   string     `json:"id"`
	SendingParticipant   string     `json:"sending_participant"`
	ReceivingParticipant string     `json:"receiving_participant"`
	SourceCurrency       string     `json:"source_currency"`
	TargetCurrency       string     `json:"target_currency"`
	SourceAmount         string     `json:"source_amount"`
	TargetAmount         string     `json:"target_amount"`
	Fee                  amountJSON `json:"fee"`
	Total                amountJSON `json:"total"`
	Rate                 string     `json:"rate"`
	RateSource           string     `json:"rate_source"`
	Derived              bool       `json:"derived"`
	Via                  string     `json:"via,omitempty"`
	CreatedAt            string     `json:"created_at"`
	ExpiresAt            string     `json:"expires_at"`
	ValueDate            string     `json:"value_date,omitempty"`
	Deadline             string     `json:"deadline,omitempty"`
}

func quoteJSON(q *payments.Quote) quoteResponse {
	sc, _ := money.LookupCurrency(q.Source)
	tc, _ := money.LookupCurrency(q.Target)
	total, _ := q.SourceAmount.Add(q.Fee)
	out := quoteResponse{ID: q.ID.String(), SendingParticipant: q.Sender, ReceivingParticipant: q.Receiver,
		SourceCurrency: sc.Code.String(), TargetCurrency: tc.Code.String(),
		SourceAmount: money.FormatAmount(q.SourceAmount, sc), TargetAmount: money.FormatAmount(q.TargetAmount, tc),
		Fee:   amountJSON{money.FormatAmount(q.Fee, sc), sc.Code.String()},
		Total: amountJSON{money.FormatAmount(total, sc), sc.Code.String()},
		Rate:  q.Rate.String(), RateSource: q.RateSource, Derived: q.Derived,
		CreatedAt: q.CreatedAt.Format(time.RFC3339Nano), ExpiresAt: q.ExpiresAt.Format(time.RFC3339Nano), ValueDate: q.ValueDate}
	if !q.Via.IsZero() {
		out.Via = q.Via.String()
	}
	if !q.Deadline.IsZero() {
		out.Deadline = q.Deadline.Format(time.RFC3339)
	}
	return out
}

// valueDate asks the calendars for a corridor's value date and deadline.
// A corridor between countries of which one has no calendar gets neither
// (an empty value date), and its reservations wait
// payments.ReservationTimeoutDefault.
func (s *Server) valueDate(cor *payments.Corridor, sourceCountry, targetCountry string, at time.Time) (string, time.Time, *Problem) {
	if s.calendars == nil {
		return "", time.Time{}, nil
	}
	c := calendar.NewCorridor(sourceCountry, targetCountry)
	c.SettlementDays = cor.SettlementDays
	c.CountShortWeekday = cor.ThursdayIsBusinessDay
	d, deadline, err := s.calendars.ValueDate(c, at)
	if errors.Is(err, calendar.ErrUnknownCountry) {
		return "", time.Time{}, nil
	}
	if err != nil {
		p := calendarProblem(err, "")
		p.Status, p.Title = http.StatusUnprocessableEntity, http.StatusText(http.StatusUnprocessableEntity)
		p.Detail = fmt.Sprintf("no value date for %s->%s: %v", sourceCountry, targetCountry, err)
		return "", time.Time{}, p
	}
	return d.String(), deadline, nil
}

func (s *Server) createQuote(w http.ResponseWriter, r *http.Request, sender *payments.Participant) {
	var req struct {
		ReceivingParticipant string `json:"receiving_participant"`
		SourceCurrency       string `json:"source_currency"`
		TargetCurrency       string `json:"target_currency"`
		SourceAmount         string `json:"source_amount"`
		TargetAmount         string `json:"target_amount"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	sc, p := parseCurrency(req.SourceCurrency, fp("source_currency"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	tc, p := parseCurrency(req.TargetCurrency, fp("target_currency"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	cmd := &payments.CreateQuote{ID: ledger.NewRandomID(), Sender: sender.ID, Receiver: req.ReceivingParticipant, Source: sc.Code, Target: tc.Code}
	switch {
	case req.SourceAmount != "" && req.TargetAmount != "":
		writeProblem(w, problem(http.StatusBadRequest, "amount_ambiguous", "target_amount", "give source_amount or target_amount, not both"))
		return
	case req.SourceAmount != "":
		if cmd.SourceAmount, p = parseAmount(req.SourceAmount, sc, fp("source_amount")); p != nil {
			writeProblem(w, p)
			return
		}
	case req.TargetAmount != "":
		if cmd.TargetAmount, p = parseAmount(req.TargetAmount, tc, fp("target_amount")); p != nil {
			writeProblem(w, p)
			return
		}
	default:
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "source_amount", "give source_amount or target_amount"))
		return
	}
	if cmd.SourceAmount.IsZero() && cmd.TargetAmount.IsZero() {
		writeProblem(w, problem(http.StatusBadRequest, "amount_must_not_be_zero", "source_amount", "the amount must be more than zero"))
		return
	}
	var cor payments.Corridor
	var receiverCountry string
	found, receiverFound := false, false
	s.paymentsView(func(m *payments.Machine) {
		cor, found = m.Corridor(sc.Code.String() + "-" + tc.Code.String())
		if rp, ok := m.Participant(req.ReceivingParticipant); ok {
			receiverFound, receiverCountry = true, rp.Country
		}
	})
	if !found {
		writeProblem(w, problem(http.StatusUnprocessableEntity, payments.CodeCorridorNotFound, "target_currency", "no corridor %s-%s", sc.Code, tc.Code))
		return
	}
	if !receiverFound {
		writeProblem(w, problem(http.StatusUnprocessableEntity, payments.CodeParticipantNotFound, "receiving_participant", "no participant %q", req.ReceivingParticipant))
		return
	}
	if cmd.ValueDate, cmd.Deadline, p = s.valueDate(&cor, sender.Country, receiverCountry, s.now()); p != nil {
		writeProblem(w, p)
		return
	}
	reply, p := s.submit(r.Context(), cmd)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, quoteJSON(reply.(*payments.Quote)))
}

// --- payments -------------------------------------------------------------

type paymentResponse struct {
	UETR                 string           `json:"uetr"`
	Status               payments.Status  `json:"status"`
	SendingParticipant   string           `json:"sending_participant"`
	ReceivingParticipant string           `json:"receiving_participant"`
	FXProvider           string           `json:"fx_provider"`
	QuoteID              string           `json:"quote_id"`
	SourceCurrency       string           `json:"source_currency"`
	TargetCurrency       string           `json:"target_currency"`
	SourceAmount         string           `json:"source_amount"`
	TargetAmount         string           `json:"target_amount"`
	Fee                  amountJSON       `json:"fee"`
	Rate                 string           `json:"rate"`
	RateSource           string           `json:"rate_source"`
	Derived              bool             `json:"derived"`
	Purpose              string           `json:"purpose"`
	RemittanceInfo       string           `json:"remittance_information,omitempty"`
	Debtor               payments.Party   `json:"debtor"`
	Creditor             payments.Party   `json:"creditor"`
	ValueDate            string           `json:"value_date,omitempty"`
	Deadline             string           `json:"deadline,omitempty"`
	SLABreached          bool             `json:"sla_breached"`
	Reason               string           `json:"reason,omitempty"`
	CreatedAt            string           `json:"created_at"`
	Events               []payments.Event `json:"events"`
	// Screening is shown to the operator only: which list entries the
	// parties matched is for compliance, not for the banks.
	Screening *payments.Screening `json:"screening,omitempty"`
	Trade     *tradeResponse      `json:"trade,omitempty"`
	// Signature is the signature of the request that made the payment,
	// shown to its banks and the operator (jws.go).
	Signature *payments.Signature `json:"signature,omitempty"`
}

func paymentJSON(p *payments.Payment) paymentResponse {
	sc, _ := money.LookupCurrency(p.Source)
	tc, _ := money.LookupCurrency(p.Target)
	out := paymentResponse{UETR: p.UETR.String(), Status: p.Status, SendingParticipant: p.Sender, ReceivingParticipant: p.Receiver,
		FXProvider: p.FXProvider, QuoteID: p.QuoteID.String(), SourceCurrency: sc.Code.String(), TargetCurrency: tc.Code.String(),
		SourceAmount: money.FormatAmount(p.SourceAmount, sc), TargetAmount: money.FormatAmount(p.TargetAmount, tc),
		Fee: amountJSON{money.FormatAmount(p.Fee, sc), sc.Code.String()}, Rate: p.Rate.String(), RateSource: p.RateSource,
		Derived: p.Derived, Purpose: p.Purpose, RemittanceInfo: p.Remittance, Debtor: p.Debtor, Creditor: p.Creditor,
		ValueDate: p.ValueDate, SLABreached: p.SLABreached, Reason: p.Reason, CreatedAt: p.CreatedAt.Format(time.RFC3339Nano),
		Events: append([]payments.Event{}, p.Events...), Trade: tradeJSON(p), Signature: p.Signature}
	if !p.Deadline.IsZero() {
		out.Deadline = p.Deadline.Format(time.RFC3339)
	}
	return out
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request, sender *payments.Participant) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > IdempotencyKeyLenMax {
		writeProblem(w, problem(http.StatusBadRequest, "idempotency_key_required", "Idempotency-Key", "an Idempotency-Key header of 1 to %d characters is required", IdempotencyKeyLenMax))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, RequestBodyBytesMax))
	if err != nil {
		writeProblem(w, jsonProblem(err, ""))
		return
	}
	var req struct {
		QuoteID        string         `json:"quote_id"`
		UETR           string         `json:"uetr"`
		Debtor         payments.Party `json:"debtor"`
		Creditor       payments.Party `json:"creditor"`
		Purpose        string         `json:"purpose"`
		RemittanceInfo string         `json:"remittance_information"`
		Trade          *tradeRequest  `json:"trade"`
	}
	if p := decodeBytes(body, &req); p != nil {
		writeProblem(w, p)
		return
	}
	// A signed payment keeps its body, in the signature's JWS.
	sig := requestSignature(r)
	if sig != nil && len(body) > SignedPaymentBodyBytesMax {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "a signed payment's body is kept with it: at most %d bytes", SignedPaymentBodyBytesMax))
		return
	}
	cmd := &payments.CreatePayment{Sender: sender.ID, IdempotencyKey: key, BodyHash: sha256.Sum256(body), Purpose: req.Purpose, Signature: sig}
	var p *Problem
	if cmd.QuoteID, p = parseID(req.QuoteID, fp("quote_id"), true); p != nil {
		writeProblem(w, p)
		return
	}
	if req.UETR != "" {
		if cmd.UETR, p = parseID(req.UETR, fp("uetr"), true); p != nil {
			writeProblem(w, p)
			return
		}
		if cmd.UETR[6]>>4 != 4 || cmd.UETR[8]&0xc0 != 0x80 {
			writeProblem(w, problem(http.StatusBadRequest, "uetr_not_v4", "uetr", "a UETR is a UUID version 4 (RFC 4122)"))
			return
		}
	} else {
		cmd.UETR = ledger.NewRandomID()
	}
	var receiver payments.Participant
	var quote payments.Quote
	var quoteFound bool
	s.paymentsView(func(m *payments.Machine) {
		if quote, quoteFound = m.Quote(cmd.QuoteID); quoteFound {
			if rp, ok := m.Participant(quote.Receiver); ok {
				receiver = *rp
			}
		}
	})
	receiverCountry := receiver.Country
	if !quoteFound || quote.Sender != sender.ID {
		writeProblem(w, problem(http.StatusUnprocessableEntity, payments.CodeQuoteNotFound, "quote_id", "no quote %s", cmd.QuoteID))
		return
	}
	if fe := payments.ValidateParty(req.Debtor, "debtor", sender.Country); fe != nil {
		writeProblem(w, fieldProblem(fe))
		return
	}
	if fe := payments.ValidateParty(req.Creditor, "creditor", receiverCountry); fe != nil {
		writeProblem(w, fieldProblem(fe))
		return
	}
	cmd.Debtor, cmd.Creditor = payments.NormalizeParty(req.Debtor), payments.NormalizeParty(req.Creditor)
	if _, ok := payments.LookupPurpose(req.Purpose); !ok {
		pr := problem(http.StatusBadRequest, "purpose_unknown", "purpose", "%q is not an ISO 20022 purpose code this switch accepts (TRAD, SUPP, SALA, ...)", req.Purpose)
		pr.Reason = "FF07"
		writeProblem(w, pr)
		return
	}
	if fe := payments.ValidateRemittance(req.RemittanceInfo); fe != nil {
		writeProblem(w, fieldProblem(fe))
		return
	}
	cmd.Remittance = req.RemittanceInfo
	if req.Trade != nil {
		if cmd.Trade, p = parseTrade(req.Trade, req.Purpose); p != nil {
			writeProblem(w, p)
			return
		}
	}
	var carrier *payments.Participant
	if cmd.Trade != nil {
		s.paymentsView(func(m *payments.Machine) {
			if c, ok := m.Participant(cmd.Trade.Carrier); ok {
				cp := *c
				carrier = &cp
			}
		})
	}
	if cmd.Screening, p = s.screenParties(cmd.Debtor, cmd.Creditor, sender, &receiver, carrier); p != nil {
		writeProblem(w, p)
		return
	}
	now := s.now()
	cmd.DebtorDay = now.Format("2006-01-02")
	if s.calendars != nil {
		if c, err := s.calendars.Country(sender.Country); err == nil {
			cmd.DebtorDay = now.In(c.Location()).Format("2006-01-02")
		}
	}
	reply, p := s.submit(r.Context(), cmd)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, paymentJSON(reply.(*payments.Payment)))
}

// decodeBytes decodes a JSON body already read, strictly.
func decodeBytes(body []byte, v any) *Problem {
	r, _ := http.NewRequest("POST", "/", strings.NewReader(string(body)))
	return decodeBody(discardWriter{}, r, v)
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

// paymentVisible reports whether a participant (nil for the operator) may
// see a payment: the one that sent it, and the one that receives it once
// screening released it — a payment held for review is not the receiving
// bank's to know of yet.
func paymentVisible(p *payments.Payment, who *payments.Participant) bool {
	switch {
	case who == nil, p.Sender == who.ID:
		return true
	case p.Receiver == who.ID:
		return p.Status != payments.StatusHeld
	}
	return false
}

// visiblePayment returns a payment the participant sent or receives (any
// payment for the operator, who is nil); any other answers as if it did
// not exist.
func (s *Server) visiblePayment(w http.ResponseWriter, r *http.Request, who *payments.Participant) (payments.Payment, bool) {
	uetr, err := ledger.ParseID(r.PathValue("uetr"))
	if err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "id_syntax", "uetr", "the UETR in the path: %v", err))
		return payments.Payment{}, false
	}
	var p payments.Payment
	var ok bool
	s.paymentsView(func(m *payments.Machine) { p, ok = m.Payment(uetr) })
	if !ok || !paymentVisible(&p, who) {
		writeProblem(w, problem(http.StatusNotFound, payments.CodePaymentNotFound, "uetr", "no payment %s", uetr))
		return payments.Payment{}, false
	}
	return p, true
}

// getPayment answers a participant with its own payments and the operator
// with any.
func (s *Server) getPayment(w http.ResponseWriter, r *http.Request, c caller) {
	if p, ok := s.visiblePayment(w, r, c.participant); ok {
		out := paymentJSON(&p)
		if c.operator {
			out.Screening = p.Screening
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// listPayments lists a participant's payments (sent and received), newest
// last, or every payment for the operator.
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request, c caller) {
	who := c.participant
	limit, p := parseLimit(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	q := r.URL.Query()
	status := payments.Status(q.Get("status"))
	switch status {
	case "", payments.StatusReceived, payments.StatusHeld, payments.StatusReserved, payments.StatusCompleted, payments.StatusRejected, payments.StatusReturned, payments.StatusExpired:
	default:
		writeProblem(w, problem(http.StatusBadRequest, "status_unknown", "status", "%q is not a payment status", status))
		return
	}
	sla := q.Get("sla")
	if sla != "" && sla != "breached" {
		writeProblem(w, problem(http.StatusBadRequest, "sla_unknown", "sla", "sla takes one value: breached"))
		return
	}
	var from, to time.Time
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeProblem(w, problem(http.StatusBadRequest, "time_syntax", x.name, "%s must be an RFC 3339 time", x.name))
				return
			}
			*x.dst = t
		}
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
	newest := false
	switch q.Get("order") {
	case "", "oldest":
	case "newest":
		newest = true
	default:
		writeProblem(w, problem(http.StatusBadRequest, "order_unknown", "order", "order is oldest (the default) or newest"))
		return
	}
	out := []paymentResponse{}
	next := ""
	s.paymentsView(func(m *payments.Machine) {
		n := m.PaymentsCount()
		// Positions count from the oldest payment either way, so a cursor
		// stays valid while payments are added.
		i, step := start, 1
		if newest {
			i, step = n-1, -1
			if q.Get("cursor") != "" {
				i = start
			}
		}
		for ; i >= 0 && i < n; i += step {
			p := m.PaymentAt(i)
			if !paymentVisible(p, who) {
				continue
			}
			if (status != "" && p.Status != status) || (sla != "" && !p.SLABreached) ||
				(!from.IsZero() && p.CreatedAt.Before(from)) || (!to.IsZero() && !p.CreatedAt.Before(to)) {
				continue
			}
			if len(out) == limit {
				next = strconv.Itoa(i)
				break
			}
			pj := paymentJSON(p)
			if c.operator {
				pj.Screening = p.Screening
			}
			out = append(out, pj)
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"payments": out, "next_cursor": next})
}

func (s *Server) answerPayment(w http.ResponseWriter, r *http.Request, who *payments.Participant, action string) {
	p, ok := s.visiblePayment(w, r, who)
	if !ok {
		return
	}
	var cmd any
	switch action {
	case "accept":
		if r.ContentLength != 0 {
			var empty struct{}
			if pr := decodeBody(w, r, &empty); pr != nil {
				writeProblem(w, pr)
				return
			}
		}
		cmd = &payments.AcceptPayment{UETR: p.UETR, By: who.ID}
	default:
		var req struct {
			Reason string `json:"reason"`
		}
		if pr := decodeBody(w, r, &req); pr != nil {
			writeProblem(w, pr)
			return
		}
		if !isReasonCode(req.Reason) {
			writeProblem(w, problem(http.StatusBadRequest, "reason_invalid", "reason", "reason must be an ISO 20022 reason code: four upper-case letters and digits, such as AC01"))
			return
		}
		if action == "reject" {
			cmd = &payments.RejectPayment{UETR: p.UETR, By: who.ID, Reason: req.Reason}
		} else {
			cmd = &payments.ReturnPayment{UETR: p.UETR, By: who.ID, Reason: req.Reason}
		}
	}
	reply, pr := s.submit(r.Context(), cmd)
	if pr != nil {
		writeProblem(w, pr)
		return
	}
	writeJSON(w, http.StatusOK, paymentJSON(reply.(*payments.Payment)))
}

func isReasonCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (s *Server) acceptPayment(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	s.answerPayment(w, r, who, "accept")
}

func (s *Server) rejectPayment(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	s.answerPayment(w, r, who, "reject")
}

func (s *Server) returnPayment(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	s.answerPayment(w, r, who, "return")
}

// --- positions ------------------------------------------------------------

type positionJSON struct {
	Currency    string `json:"currency"`
	Position    string `json:"position"`
	Reserved    string `json:"reserved"`
	Incoming    string `json:"incoming"`
	Available   string `json:"available"`
	NetDebitCap string `json:"net_debit_cap"`
	Negative    bool   `json:"negative"`
}

// positions reports the participant's position per currency: its net
// position (received and funded, less sent; negative while it uses its net
// debit cap), what is reserved for its outgoing payments, what is reserved
// for it, and what it can still send.
func (s *Server) positions(w http.ResponseWriter, r *http.Request, who *payments.Participant) {
	var out []positionJSON
	s.ledger.View(func(e *ledger.Engine) { out = positionsOf(e, who) })
	writeJSON(w, http.StatusOK, map[string]any{"participant": who.ID, "positions": out})
}
