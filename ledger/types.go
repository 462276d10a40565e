package ledger

import (
	"astara/money"
)

// AccountFlags are an account's options, fixed at creation.
type AccountFlags uint16

const (
	// AccountDebitsMustNotExceedCredits refuses any transfer after which the
	// account's debits (pending and posted) would exceed its posted credits:
	// the flag of an account that must never go negative, such as a bank's
	// position funded by prepayment.
	AccountDebitsMustNotExceedCredits AccountFlags = 1 << iota
	// AccountCreditsMustNotExceedDebits is the mirror image, for accounts
	// that hold a liability side.
	AccountCreditsMustNotExceedDebits
	// AccountHistory keeps the account's balances after every transfer that
	// touches it, readable with Engine.AccountBalances.
	AccountHistory

	accountFlagsKnown = AccountDebitsMustNotExceedCredits | AccountCreditsMustNotExceedDebits | AccountHistory
)

// TransferFlags are a transfer's options.
type TransferFlags uint16

const (
	// TransferLinked links the transfer to the next one in the batch: a chain
	// of linked transfers (ending with the first one without the flag)
	// succeeds or fails as one.
	TransferLinked TransferFlags = 1 << iota
	// TransferPending reserves the amount (two-phase): it moves to
	// DebitsPending and CreditsPending until posted, voided or expired.
	TransferPending
	// TransferPostPending posts the pending transfer named by PendingID, in
	// full (Amount zero) or in part (the rest is released).
	TransferPostPending
	// TransferVoidPending voids the pending transfer named by PendingID.
	TransferVoidPending

	transferFlagsKnown = TransferLinked | TransferPending | TransferPostPending | TransferVoidPending
)

// AccountLinked links an account to the next one in a CreateAccounts batch,
// exactly like TransferLinked. It is a request flag: it is not stored.
const AccountLinked AccountFlags = 1 << 15

// Account is a ledger account. Its four balances are kept apart, as in
// TigerBeetle, so that reservations (pending) never mix with money that has
// moved (posted).
type Account struct {
	ID             ID
	Currency       money.Code
	Code           uint16 // the operator's chart-of-accounts code, non-zero
	Flags          AccountFlags
	DebitsPending  money.Amount
	DebitsPosted   money.Amount
	CreditsPending money.Amount
	CreditsPosted  money.Amount
	Timestamp      uint64 // nanoseconds since the Unix epoch, set by the engine
}

// Transfer moves Amount from the debit account to the credit account. It is
// immutable once created; a pending transfer's outcome (posted, voided,
// expired) is recorded by later transfers and readable as its State.
type Transfer struct {
	ID              ID
	DebitAccountID  ID
	CreditAccountID ID
	Amount          money.Amount
	PendingID       ID // for TransferPostPending and TransferVoidPending
	Currency        money.Code
	TimeoutSeconds  uint32 // for TransferPending; 0 means no timeout
	Code            uint16 // the operator's reason code, non-zero
	Flags           TransferFlags
	Timestamp       uint64 // nanoseconds since the Unix epoch, set by the engine
}

// PendingState is where a pending transfer stands.
type PendingState uint8

const (
	// PendingNone is the state of a transfer that was never pending.
	PendingNone PendingState = iota
	// PendingOpen: reserved, waiting to be posted or voided.
	PendingOpen
	// PendingPosted: posted by a TransferPostPending.
	PendingPosted
	// PendingVoided: released by a TransferVoidPending.
	PendingVoided
	// PendingExpired: released because its timeout passed.
	PendingExpired
)

var pendingStateNames = [...]string{"", "pending", "posted", "voided", "expired"}

// String returns the state's API name ("pending", "posted", ...), or "" for
// PendingNone.
func (s PendingState) String() string {
	if int(s) < len(pendingStateNames) {
		return pendingStateNames[s]
	}
	return "unknown"
}

// Balance is an account's balances just after one transfer, kept for
// accounts with AccountHistory.
type Balance struct {
	TransferID     ID
	Timestamp      uint64
	DebitsPending  money.Amount
	DebitsPosted   money.Amount
	CreditsPending money.Amount
	CreditsPosted  money.Amount
}

// Totals are the sums of one currency's balances over all accounts. Double
// entry means DebitsPending == CreditsPending and DebitsPosted ==
// CreditsPosted, always.
type Totals struct {
	DebitsPending  money.Amount
	DebitsPosted   money.Amount
	CreditsPending money.Amount
	CreditsPosted  money.Amount
}

// Balanced reports whether t satisfies double entry.
func (t Totals) Balanced() bool {
	return t.DebitsPending == t.CreditsPending && t.DebitsPosted == t.CreditsPosted
}
