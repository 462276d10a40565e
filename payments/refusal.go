package payments

import "fmt"

// Kind is the class of a refusal, which the HTTP layer maps to a status.
type Kind uint8

// The kinds of refusal.
const (
	KindInvalid  Kind = iota + 1 // the request is malformed (400)
	KindNotFound                 // no such thing visible to the caller (404)
	KindConflict                 // clashes with what exists (409)
	KindRefused                  // well formed, but the rules refuse it (422)
)

// Refusal is a command the switch refused: a stable code, the ISO 20022
// reason code where one applies, and the field at fault. A refused command
// changes nothing.
type Refusal struct {
	Kind   Kind
	Code   string
	Reason string
	Field  string
	Detail string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Detail }

func refuse(kind Kind, code, reason, field, format string, args ...any) *Refusal {
	return &Refusal{Kind: kind, Code: code, Reason: reason, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// Refusal codes that callers may test for.
const (
	CodeParticipantExists      = "participant_exists"
	CodeParticipantNotFound    = "participant_not_found"
	CodeCorridorNotFound       = "corridor_not_found"
	CodeNoRate                 = "rate_unavailable"
	CodeQuoteNotFound          = "quote_not_found"
	CodeQuoteExpired           = "quote_expired"
	CodeQuoteUsed              = "quote_used"
	CodePaymentNotFound        = "payment_not_found"
	CodeUETRExists             = "uetr_exists"
	CodeIdempotencyKeyReused   = "idempotency_key_reused"
	CodeIllegalTransition      = "illegal_transition"
	CodeAmountExceedsLimit     = "amount_exceeds_limit"
	CodeDailyLimitExceeded     = "daily_limit_exceeded"
	CodeNetDebitCapExceeded    = "net_debit_cap_exceeded"
	CodeLiquidityInsufficient  = "fx_liquidity_insufficient"
	CodeReceiverLacksLiquidity = "receiver_position_insufficient"
	CodeSenderNotAllowed       = "sender_not_allowed"
	CodeReservationExpired     = "reservation_expired"
	CodeWindowNotFound         = "window_not_found"
	CodeWindowNotOpen          = "window_not_open"
	CodeWindowNotClosed        = "window_not_closed"
	CodeWindowSettled          = "window_already_settled"
	CodeSettlementRefused      = "settlement_refused"
	// CodeTradeReleasedByMilestones: a trade payment is not accepted by
	// its receiving bank, and not rejected once a tranche is released.
	CodeTradeReleasedByMilestones = "trade_released_by_milestones"
)
