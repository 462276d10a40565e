// Package payments is the business layer on the ledger: the banks
// (participants) and their keys, the rates, the corridors with their
// terms, the quotes, and the payment lifecycle.
//
// # One state machine, one journal
//
// Machine keeps the payments state beside the ledger engine and applies
// the same journal: a command (create a participant, quote, pay, accept,
// ...) is journaled, then applied in order, deterministically, with no
// I/O. Whatever a command needs that is not in the state — a new id, an API
// key's hash, the value date the calendars gave, the debtor's local day —
// is decided before it is journaled and travels in the command, so that a
// replay reaches the same state. A payment's record and its ledger
// transfers are applied in one entry: there is no moment at which one
// exists without the other.
//
// # The money
//
// Each participant has, per currency, a position account at the switch
// (debits may not exceed credits: its net debit cap is credited to it at
// creation, so the cap is the most it may owe), a settlement account from
// which the operator funds the position, and the account the cap comes
// from. The switch has a fee income account per currency. A payment of
// source amount S with fee F, converted at rate R into target amount T,
// reserves three linked pending transfers:
//
//	sender position   -> FX provider position   S  (source currency)
//	FX provider position -> receiver position   T  (target currency)
//	sender position   -> switch fee income      F  (source currency)
//
// The receiving bank accepts (the three are posted) or rejects (voided);
// unanswered, they expire at the payment's deadline and the payment is
// expired. A completed payment can be returned: a new movement of T and S
// the other way; the original transfers stay as they are, and the fee is
// not refunded.
//
// # Screening
//
// The lists are not in the machine: the edge parses and indexes them,
// screens each payment's parties before its command is journaled, and
// sends the outcome (a *Screening: pass, review or block, with its hits)
// in the CreatePayment command. The machine keeps the record of each list
// version (PutList: name, version, the file's SHA-256, thresholds) and
// acts on the outcome: a block rejects the payment with RR04 before
// anything is reserved; a review reserves as usual but holds the payment
// (status held) until an operator's DecideReview approves it (reserved,
// and on to the receiving bank) or rejects it (voided). A held payment's
// reservation expires like any other. Every list change and decision is
// in the screening audit log.
//
// # Rounding
//
// Every rounding is explicit: the target amount is rounded down to the
// target currency's minor unit (the beneficiary never receives more than
// the rate gives); the source amount for a requested target is the
// smallest that buys at least it; the fee — percent plus fixed part, then
// the schedule's minimum and maximum — is rounded up and charged on top of
// the source amount; an FX margin lowers the rate, rounded down.
//
// # Words
//
// A payment is received, held (by screening) or reserved, then completed,
// rejected, expired or returned (CanMove lists the legal moves). A refused command (a *Refusal,
// with a stable code and the ISO 20022 reason where one applies) changes
// nothing.
package payments
