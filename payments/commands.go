package payments

import (
	"encoding/json"
	"fmt"
	"time"

	"astara/fx"
	"astara/ledger"
	"astara/money"
)

// The commands of the payments layer, as journaled. Each carries every
// value its outcome depends on that is not already in the state — ids, key
// hashes, value dates, the debtor's local day — so that replaying it gives
// the same outcome.

// CreateParticipant adds a bank, its ledger accounts and its first key.
type CreateParticipant struct {
	ID          string                      `json:"id"`
	Name        string                      `json:"name"`
	Country     string                      `json:"country"`
	Currencies  []money.Code                `json:"currencies"`
	NetDebitCap map[money.Code]money.Amount `json:"net_debit_cap"`
	Roles       []Role                      `json:"roles"`
	KeyID       string                      `json:"key_id"`
	KeyHash     [32]byte                    `json:"key_hash"`
}

// AddKey gives a participant a further API key.
type AddKey struct {
	Participant string   `json:"participant"`
	KeyID       string   `json:"key_id"`
	KeyHash     [32]byte `json:"key_hash"`
}

// RevokeKey revokes a participant's key.
type RevokeKey struct {
	Participant string `json:"participant"`
	KeyID       string `json:"key_id"`
}

// SetRates records rates, from an operator or a feed.
type SetRates struct {
	Quotes []fx.Quote `json:"quotes"`
}

// PutCorridor sets a corridor's terms whole; Fields names what the
// operator changed, for the record.
type PutCorridor struct {
	Corridor Corridor `json:"corridor"`
	By       string   `json:"by"`
	Fields   []string `json:"fields"`
}

// CreateQuote prices a transfer. One of SourceAmount and TargetAmount is
// set.
type CreateQuote struct {
	ID           ledger.ID    `json:"id"`
	Sender       string       `json:"sender"`
	Receiver     string       `json:"receiver"`
	Source       money.Code   `json:"source"`
	Target       money.Code   `json:"target"`
	SourceAmount money.Amount `json:"source_amount"`
	TargetAmount money.Amount `json:"target_amount"`
	ValueDate    string       `json:"value_date"`
	Deadline     time.Time    `json:"deadline"`
}

// CreatePayment sends money on a quote.
type CreatePayment struct {
	UETR           ledger.ID `json:"uetr"`
	Sender         string    `json:"sender"`
	QuoteID        ledger.ID `json:"quote_id"`
	Debtor         Party     `json:"debtor"`
	Creditor       Party     `json:"creditor"`
	Purpose        string    `json:"purpose"`
	Remittance     string    `json:"remittance"`
	EndToEndID     string    `json:"end_to_end_id,omitempty"`
	InstructionID  string    `json:"instruction_id,omitempty"`
	IdempotencyKey string    `json:"idempotency_key"`
	BodyHash       [32]byte  `json:"body_hash"`
	// DebtorDay is the sending side's date at acceptance, for the daily
	// limit.
	DebtorDay string `json:"debtor_day"`
	// Screening is the parties' check against the lists, made at the edge
	// before the command is journaled; nil when the edge screens nothing.
	Screening *Screening `json:"screening,omitempty"`
	// Trade makes it a trade payment, released by milestones.
	Trade *TradeTerms `json:"trade,omitempty"`
	// Signature is the request's signature, verified at the edge against
	// the sender's signing key, kept with the payment; nil for an
	// unsigned request.
	Signature *Signature `json:"signature,omitempty"`
}

// AcceptPayment: the receiving bank credited the beneficiary.
type AcceptPayment struct {
	UETR ledger.ID `json:"uetr"`
	By   string    `json:"by"`
}

// RejectPayment: the receiving bank refuses the payment, with an ISO
// reason.
type RejectPayment struct {
	UETR   ledger.ID `json:"uetr"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// ReturnPayment: the receiving bank sends a completed payment back.
type ReturnPayment struct {
	UETR   ledger.ID `json:"uetr"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// RescheduleDeadlines moves reserved payments to the value dates and
// deadlines the calendars now give (after an ad-hoc closure, say).
type RescheduleDeadlines struct {
	Payments []Reschedule `json:"payments"`
	By       string       `json:"by"`
	Reason   string       `json:"reason"`
}

// Reschedule is one payment's new value date and deadline.
type Reschedule struct {
	UETR      ledger.ID `json:"uetr"`
	ValueDate string    `json:"value_date"`
	Deadline  time.Time `json:"deadline"`
}

// Op returns the journal operation of a command.
func Op(cmd any) ledger.Op {
	switch cmd.(type) {
	case *CreateParticipant:
		return OpCreateParticipant
	case *AddKey:
		return OpAddKey
	case *RevokeKey:
		return OpRevokeKey
	case *SetRates:
		return OpSetRates
	case *PutCorridor:
		return OpPutCorridor
	case *CreateQuote:
		return OpCreateQuote
	case *CreatePayment:
		return OpCreatePayment
	case *AcceptPayment:
		return OpAcceptPayment
	case *RejectPayment:
		return OpRejectPayment
	case *ReturnPayment:
		return OpReturnPayment
	case *RescheduleDeadlines:
		return OpRescheduleDeadlines
	case *CloseWindow:
		return OpCloseWindow
	case *SettleWindow:
		return OpSettleWindow
	case *PutList:
		return OpPutList
	case *DecideReview:
		return OpDecideReview
	case *ReportMilestone:
		return OpReportMilestone
	case *AddCertificate:
		return OpAddCertificate
	case *RevokeCertificate:
		return OpRevokeCertificate
	case *AddSigningKey:
		return OpAddSigningKey
	case *RevokeSigningKey:
		return OpRevokeSigningKey
	case *SetSignaturePolicy:
		return OpSetSignaturePolicy
	case *RecordAction:
		return OpRecordAction
	}
	panic(fmt.Sprintf("payments: no op for %T", cmd))
}

// EncodeCommand returns a command's journal payload.
func EncodeCommand(cmd any) []byte {
	b, err := json.Marshal(cmd)
	if err != nil {
		panic(fmt.Sprintf("payments: encode %T: %v", cmd, err))
	}
	return b
}

func decodeCommand(op ledger.Op, payload []byte) (any, error) {
	var cmd any
	switch op {
	case OpCreateParticipant:
		cmd = &CreateParticipant{}
	case OpAddKey:
		cmd = &AddKey{}
	case OpRevokeKey:
		cmd = &RevokeKey{}
	case OpSetRates:
		cmd = &SetRates{}
	case OpPutCorridor:
		cmd = &PutCorridor{}
	case OpCreateQuote:
		cmd = &CreateQuote{}
	case OpCreatePayment:
		cmd = &CreatePayment{}
	case OpAcceptPayment:
		cmd = &AcceptPayment{}
	case OpRejectPayment:
		cmd = &RejectPayment{}
	case OpReturnPayment:
		cmd = &ReturnPayment{}
	case OpRescheduleDeadlines:
		cmd = &RescheduleDeadlines{}
	case OpCloseWindow:
		cmd = &CloseWindow{}
	case OpSettleWindow:
		cmd = &SettleWindow{}
	case OpPutList:
		cmd = &PutList{}
	case OpDecideReview:
		cmd = &DecideReview{}
	case OpReportMilestone:
		cmd = &ReportMilestone{}
	case OpAddCertificate:
		cmd = &AddCertificate{}
	case OpRevokeCertificate:
		cmd = &RevokeCertificate{}
	case OpAddSigningKey:
		cmd = &AddSigningKey{}
	case OpRevokeSigningKey:
		cmd = &RevokeSigningKey{}
	case OpSetSignaturePolicy:
		cmd = &SetSignaturePolicy{}
	case OpRecordAction:
		cmd = &RecordAction{}
	default:
		return nil, fmt.Errorf("unknown op %d", op)
	}
	if err := json.Unmarshal(payload, cmd); err != nil {
		return nil, err
	}
	return cmd, nil
}
