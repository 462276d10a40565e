package ledger_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"astara/ledger"
	"astara/money"
)

// The fixture's accounts.
const (
	accA, accB, accC = 1, 2, 3 // RUB
	accDebitLimited  = 5       // RUB, debits must not exceed credits
	accCreditLimited = 6       // RUB, credits must not exceed debits
	accHistory       = 7       // RUB, with history
	accIRR           = 8       // IRR
	accUSD1, accUSD2 = 9, 10   // USD, for amounts near 2^128
	accUSD3, accUSD4 = 11, 12  // USD
	accUnknown       = 99      // never created
)

const second = 1_000_000_000

// NewFixture returns a ledger with the fixture's accounts.
func NewFixture(tb testing.TB, opts ledger.Options) *testLedger {
	tb.Helper()
	l := NewTestLedger(tb, opts)
	acc := func(v uint64, c money.Code, flags ledger.AccountFlags) ledger.Account {
		return ledger.Account{ID: id(v), Currency: c, Code: 1, Flags: flags}
	}
	MustAccounts(tb, l,
		acc(accA, rub, 0), acc(accB, rub, 0), acc(accC, rub, 0),
		acc(accDebitLimited, rub, ledger.AccountDebitsMustNotExceedCredits),
		acc(accCreditLimited, rub, ledger.AccountCreditsMustNotExceedDebits),
		acc(accHistory, rub, ledger.AccountHistory),
		acc(accIRR, irr, 0),
		acc(accUSD1, usd, 0), acc(accUSD2, usd, 0), acc(accUSD3, usd, 0), acc(accUSD4, usd, 0),
	)
	return l
}

// tr is a posted transfer in the currency of its accounts.
func tr(idv, dr, cr uint64, amount money.Amount) ledger.Transfer {
	c := rub
	switch {
	case dr == accIRR:
		c = irr
	case dr >= accUSD1 && dr <= accUSD4:
		c = usd
	}
	return ledger.Transfer{ID: id(idv), DebitAccountID: id(dr), CreditAccountID: id(cr), Amount: amount, Currency: c, Code: 1}
}

// pend is a pending transfer.
func pend(idv, dr, cr uint64, amount money.Amount, timeoutSeconds uint32) ledger.Transfer {
	t := tr(idv, dr, cr, amount)
	t.Flags = ledger.TransferPending
	t.TimeoutSeconds = timeoutSeconds
	return t
}

// post posts a pending transfer; amount zero posts all of it.
func post(idv, pendingID uint64, amount money.Amount) ledger.Transfer {
	return ledger.Transfer{ID: id(idv), PendingID: id(pendingID), Amount: amount, Flags: ledger.TransferPostPending}
}

// void voids a pending transfer.
func void(idv, pendingID uint64) ledger.Transfer {
	return ledger.Transfer{ID: id(idv), PendingID: id(pendingID), Flags: ledger.TransferVoidPending}
}

// with returns t changed by f.
func with(t ledger.Transfer, f func(*ledger.Transfer)) ledger.Transfer {
	f(&t)
	return t
}

func linked(t ledger.Transfer) ledger.Transfer {
	t.Flags |= ledger.TransferLinked
	return t
}

// stateBytes is the engine's snapshot without its last timestamp: two
// engines with equal stateBytes hold the same accounts, transfers,
// pending states and histories.
func stateBytes(tb testing.TB, e *ledger.Engine) []byte {
	tb.Helper()
	b := MustSnapshot(tb, e)
	ts := binary.BigEndian.AppendUint64(nil, e.LastTimestamp())
	i := bytes.Index(b, ts)
	if i < 0 {
		tb.Fatalf("last timestamp %d not in the snapshot", e.LastTimestamp())
	}
	copy(b[i:], make([]byte, 8))
	return b
}

// MustUnchanged checks that the engine's state is before's.
func MustUnchanged(tb testing.TB, e *ledger.Engine, before []byte) {
	tb.Helper()
	if after := stateBytes(tb, e); !bytes.Equal(after, before) {
		tb.Fatalf("state changed: got a snapshot of %d bytes, want the %d bytes from before", len(after), len(before))
	}
	MustVerify(tb, e)
}

type transferCase struct {
	name     string // the rule
	setup    []ledger.Transfer
	advance  uint64 // nanoseconds between the setup and the transfer
	transfer ledger.Transfer
	want     ledger.Result
}

func transferCases() []transferCase {
	half := amountHalf
	return []transferCase{
		{name: "Posted", transfer: tr(100, accA, accB, amt(10)), want: ledger.ResultOK},
		{name: "Pending", transfer: pend(100, accA, accB, amt(10), 0), want: ledger.ResultOK},

		{name: "TimestampMustBeZero", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Timestamp = 1 }), want: ledger.ResultTimestampMustBeZero},
		{name: "FlagsUnknown", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Flags = 1 << 4 }), want: ledger.ResultFlagsUnknown},
		{name: "IDMustNotBeZero", transfer: tr(0, accA, accB, amt(10)), want: ledger.ResultIDMustNotBeZero},
		{name: "IDMustNotBeMax", transfer: with(tr(0, accA, accB, amt(10)), func(t *ledger.Transfer) { t.ID = idMax }), want: ledger.ResultIDMustNotBeMax},
		{name: "FlagsAreMutuallyExclusive/PendingPost", transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.Flags |= ledger.TransferPending }), want: ledger.ResultFlagsAreMutuallyExclusive},
		{name: "FlagsAreMutuallyExclusive/PostVoid", transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.Flags |= ledger.TransferVoidPending }), want: ledger.ResultFlagsAreMutuallyExclusive},
		{name: "FlagsAreMutuallyExclusive/PendingVoid", transfer: with(void(101, 100), func(t *ledger.Transfer) { t.Flags |= ledger.TransferPending }), want: ledger.ResultFlagsAreMutuallyExclusive},

		{name: "DebitAccountIDMustNotBeZero", transfer: tr(100, 0, accB, amt(10)), want: ledger.ResultDebitAccountIDMustNotBeZero},
		{name: "DebitAccountIDMustNotBeMax", transfer: with(tr(100, 0, accB, amt(10)), func(t *ledger.Transfer) { t.DebitAccountID = idMax }), want: ledger.ResultDebitAccountIDMustNotBeMax},
		{name: "CreditAccountIDMustNotBeZero", transfer: tr(100, accA, 0, amt(10)), want: ledger.ResultCreditAccountIDMustNotBeZero},
		{name: "CreditAccountIDMustNotBeMax", transfer: with(tr(100, accA, 0, amt(10)), func(t *ledger.Transfer) { t.CreditAccountID = idMax }), want: ledger.ResultCreditAccountIDMustNotBeMax},
		{name: "AccountsMustBeDifferent", transfer: tr(100, accA, accA, amt(10)), want: ledger.ResultAccountsMustBeDifferent},
		{name: "PendingIDMustBeZero", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.PendingID = id(5) }), want: ledger.ResultPendingIDMustBeZero},
		{name: "TimeoutReservedForPendingTransfer", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.TimeoutSeconds = 1 }), want: ledger.ResultTimeoutReservedForPendingTransfer},
		{name: "TimeoutReservedForPendingTransfer/Post", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.TimeoutSeconds = 1 }), want: ledger.ResultTimeoutReservedForPendingTransfer},
		{name: "AmountMustNotBeZero", transfer: tr(100, accA, accB, amt(0)), want: ledger.ResultAmountMustNotBeZero},
		{name: "CurrencyUnknown", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Currency = qqq }), want: ledger.ResultCurrencyUnknown},
		{name: "CodeMustNotBeZero", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Code = 0 }), want: ledger.ResultCodeMustNotBeZero},
		{name: "CurrencyUnknown/BeforeCode", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Currency, t.Code = qqq, 0 }), want: ledger.ResultCurrencyUnknown},
		{name: "DebitAccountNotFound", transfer: tr(100, accUnknown, accB, amt(10)), want: ledger.ResultDebitAccountNotFound},
		{name: "CreditAccountNotFound", transfer: tr(100, accA, accUnknown, amt(10)), want: ledger.ResultCreditAccountNotFound},
		{name: "AccountsMustHaveTheSameCurrency", transfer: tr(100, accA, accIRR, amt(10)), want: ledger.ResultAccountsMustHaveTheSameCurrency},
		{name: "TransferMustHaveTheSameCurrencyAsAccounts", transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Currency = usd }), want: ledger.ResultTransferMustHaveTheSameCurrencyAsAccounts},

		// A retry with the same id answers exists when every field is the
		// same, and names the first field that differs otherwise.
		{name: "Exists", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: tr(100, accA, accB, amt(10)), want: ledger.ResultExists},
		{name: "Exists/Pending", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 5)}, transfer: pend(100, accA, accB, amt(10), 5), want: ledger.ResultExists},
		{name: "Exists/AfterPost", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 5), post(101, 100, amt(0))}, transfer: pend(100, accA, accB, amt(10), 5), want: ledger.ResultExists},
		{name: "ExistsWithDifferentFlags", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: pend(100, accA, accB, amt(10), 0), want: ledger.ResultExistsWithDifferentFlags},
		{name: "ExistsWithDifferentDebitAccountID", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: tr(100, accC, accB, amt(10)), want: ledger.ResultExistsWithDifferentDebitAccountID},
		{name: "ExistsWithDifferentCreditAccountID", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: tr(100, accA, accC, amt(10)), want: ledger.ResultExistsWithDifferentCreditAccountID},
		{name: "ExistsWithDifferentAmount", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: tr(100, accA, accB, amt(11)), want: ledger.ResultExistsWithDifferentAmount},
		{name: "ExistsWithDifferentTimeout", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 5)}, transfer: pend(100, accA, accB, amt(10), 6), want: ledger.ResultExistsWithDifferentTimeout},
		{name: "ExistsWithDifferentCode", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: with(tr(100, accA, accB, amt(10)), func(t *ledger.Transfer) { t.Code = 2 }), want: ledger.ResultExistsWithDifferentCode},
		{name: "ExistsWithDifferentAccounts/BeforeCurrency", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: tr(100, accUSD1, accUSD2, amt(10)), want: ledger.ResultExistsWithDifferentDebitAccountID},

		// Retries of posts and voids compare the transfer as stored, with
		// the pending transfer's fields filled in.
		{name: "Exists/Post", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(0))}, transfer: post(101, 100, amt(0)), want: ledger.ResultExists},
		{name: "Exists/PostNamingTheAmount", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(0))}, transfer: post(101, 100, amt(10)), want: ledger.ResultExists},
		{name: "Exists/PartialPost", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(4))}, transfer: post(101, 100, amt(4)), want: ledger.ResultExists},
		{name: "Exists/Void", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), void(101, 100)}, transfer: void(101, 100), want: ledger.ResultExists},
		{name: "ExistsWithDifferentAmount/PartialPost", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(4))}, transfer: post(101, 100, amt(5)), want: ledger.ResultExistsWithDifferentAmount},
		{name: "ExistsWithDifferentAmount/PartialPostRetriedInFull", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(4))}, transfer: post(101, 100, amt(0)), want: ledger.ResultExistsWithDifferentAmount},
		{name: "ExistsWithDifferentFlags/PostRetriedAsVoid", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(0))}, transfer: void(101, 100), want: ledger.ResultExistsWithDifferentFlags},
		{name: "ExistsWithDifferentPendingID", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), pend(102, accA, accB, amt(10), 0), post(101, 100, amt(0))},
			transfer: post(101, 102, amt(0)), want: ledger.ResultExistsWithDifferentPendingID},

		{name: "PendingIDMustNotBeZero", transfer: post(101, 0, amt(0)), want: ledger.ResultPendingIDMustNotBeZero},
		{name: "PendingIDMustNotBeMax", transfer: with(post(101, 0, amt(0)), func(t *ledger.Transfer) { t.PendingID = idMax }), want: ledger.ResultPendingIDMustNotBeMax},
		{name: "PendingIDMustBeDifferent", transfer: post(101, 101, amt(0)), want: ledger.ResultPendingIDMustBeDifferent},
		{name: "PendingTransferNotFound", transfer: post(101, 100, amt(0)), want: ledger.ResultPendingTransferNotFound},
		{name: "PendingTransferNotPending", setup: []ledger.Transfer{tr(100, accA, accB, amt(10))}, transfer: post(101, 100, amt(0)), want: ledger.ResultPendingTransferNotPending},
		{name: "PendingTransferHasDifferentDebitAccountID", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.DebitAccountID = id(accC) }), want: ledger.ResultPendingTransferHasDifferentDebitAccountID},
		{name: "PendingTransferHasDifferentCreditAccountID", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.CreditAccountID = id(accC) }), want: ledger.ResultPendingTransferHasDifferentCreditAccountID},
		{name: "PendingTransferHasDifferentCurrency", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.Currency = usd }), want: ledger.ResultPendingTransferHasDifferentCurrency},
		{name: "PendingTransferHasDifferentCode", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) { t.Code = 2 }), want: ledger.ResultPendingTransferHasDifferentCode},
		{name: "Post/NamingThePendingTransfersFields", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(post(101, 100, amt(0)), func(t *ledger.Transfer) {
				t.DebitAccountID, t.CreditAccountID, t.Currency, t.Code = id(accA), id(accB), rub, 1
			}), want: ledger.ResultOK},
		{name: "ExceedsPendingTransferAmount", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)}, transfer: post(101, 100, amt(11)), want: ledger.ResultExceedsPendingTransferAmount},
		{name: "Post/ExactlyThePendingAmount", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)}, transfer: post(101, 100, amt(10)), want: ledger.ResultOK},
		{name: "PendingTransferHasDifferentAmount", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(void(101, 100), func(t *ledger.Transfer) { t.Amount = amt(9) }), want: ledger.ResultPendingTransferHasDifferentAmount},
		{name: "Void/NamingThePendingAmount", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0)},
			transfer: with(void(101, 100), func(t *ledger.Transfer) { t.Amount = amt(10) }), want: ledger.ResultOK},
		{name: "PendingTransferAlreadyPosted/Post", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(0))}, transfer: post(102, 100, amt(0)), want: ledger.ResultPendingTransferAlreadyPosted},
		{name: "PendingTransferAlreadyPosted/VoidAfterPost", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), post(101, 100, amt(3))}, transfer: void(102, 100), want: ledger.ResultPendingTransferAlreadyPosted},
		{name: "PendingTransferAlreadyVoided/PostAfterVoid", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), void(101, 100)}, transfer: post(102, 100, amt(0)), want: ledger.ResultPendingTransferAlreadyVoided},
		{name: "PendingTransferAlreadyVoided/Void", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 0), void(101, 100)}, transfer: void(102, 100), want: ledger.ResultPendingTransferAlreadyVoided},
		{name: "PendingTransferExpired", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 1)}, advance: second, transfer: post(101, 100, amt(0)), want: ledger.ResultPendingTransferExpired},
		{name: "PendingTransferExpired/Void", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 1)}, advance: 2 * second, transfer: void(101, 100), want: ledger.ResultPendingTransferExpired},
		{name: "Post/OneNanosecondBeforeExpiry", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 1)}, advance: second - 3, transfer: post(101, 100, amt(0)), want: ledger.ResultOK},
		{name: "PendingTransferExpired/PulseAtTheTimeout", setup: []ledger.Transfer{pend(100, accA, accB, amt(10), 1)}, advance: second - 1, transfer: post(101, 100, amt(0)), want: ledger.ResultPendingTransferExpired},

		// Balances are 128 bits; the currency's total of debits is too.
		{name: "OverflowsDebitsPending", setup: []ledger.Transfer{pend(100, accUSD1, accUSD2, amountMax, 0)}, transfer: pend(101, accUSD1, accUSD3, amt(1), 0), want: ledger.ResultOverflowsDebitsPending},
		{name: "OverflowsCreditsPending", setup: []ledger.Transfer{pend(100, accUSD1, accUSD2, amountMax, 0)}, transfer: pend(101, accUSD3, accUSD2, amt(1), 0), want: ledger.ResultOverflowsCreditsPending},
		{name: "OverflowsDebitsPosted", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, amountMax)}, transfer: tr(101, accUSD1, accUSD3, amt(1)), want: ledger.ResultOverflowsDebitsPosted},
		{name: "OverflowsCreditsPosted", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, amountMax)}, transfer: tr(101, accUSD3, accUSD2, amt(1)), want: ledger.ResultOverflowsCreditsPosted},
		{name: "OverflowsDebits", setup: []ledger.Transfer{pend(100, accUSD1, accUSD2, half, 0)}, transfer: tr(101, accUSD1, accUSD3, half), want: ledger.ResultOverflowsDebits},
		{name: "OverflowsCredits", setup: []ledger.Transfer{pend(100, accUSD1, accUSD2, half, 0)}, transfer: tr(101, accUSD3, accUSD2, half), want: ledger.ResultOverflowsCredits},
		{name: "OverflowsDebits/CurrencyTotal", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, half)}, transfer: tr(101, accUSD3, accUSD4, half), want: ledger.ResultOverflowsDebits},
		{name: "CurrencyTotalExactlyMax", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, half)}, transfer: tr(101, accUSD3, accUSD4, amountSub(half, amt(1))), want: ledger.ResultOK},
		{name: "BalanceMoreThanHalfOfMaxGrows", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, half)}, transfer: tr(101, accUSD1, accUSD2, amt(1)), want: ledger.ResultOK},
		{name: "BalanceGrowsToMax", setup: []ledger.Transfer{tr(100, accUSD1, accUSD2, amountSub(amountMax, amt(1)))}, transfer: tr(101, accUSD1, accUSD2, amt(1)), want: ledger.ResultOK},
		{name: "PendingGrowsToMaxThenPosts", setup: []ledger.Transfer{pend(100, accUSD1, accUSD2, half, 0), pend(101, accUSD1, accUSD2, amountSub(half, amt(1)), 0)}, transfer: post(102, 101, amt(0)), want: ledger.ResultOK},
		{name: "OverflowsTimeout", transfer: pend(100, accA, accB, amt(10), ledger.TimeoutSecondsMax+1), want: ledger.ResultOverflowsTimeout},
		{name: "TimeoutSecondsMax", transfer: pend(100, accA, accB, amt(10), ledger.TimeoutSecondsMax), want: ledger.ResultOK},

		// Limits count pending debits (or credits) against posted credits
		// (or debits): exactly at the limit passes, one unit past fails.
		{name: "ExceedsCredits/Unfunded", transfer: tr(100, accDebitLimited, accB, amt(1)), want: ledger.ResultExceedsCredits},
		{name: "ExceedsCredits/OnePastWithPending", setup: []ledger.Transfer{tr(100, accA, accDebitLimited, amt(100)), pend(101, accDebitLimited, accB, amt(60), 0)},
			transfer: tr(102, accDebitLimited, accB, amt(41)), want: ledger.ResultExceedsCredits},
		{name: "ExceedsCredits/AtLimitWithPending", setup: []ledger.Transfer{tr(100, accA, accDebitLimited, amt(100)), pend(101, accDebitLimited, accB, amt(60), 0)},
			transfer: tr(102, accDebitLimited, accB, amt(40)), want: ledger.ResultOK},
		{name: "ExceedsCredits/PendingOnePast", setup: []ledger.Transfer{tr(100, accA, accDebitLimited, amt(100)), pend(101, accDebitLimited, accB, amt(60), 0)},
			transfer: pend(102, accDebitLimited, accB, amt(41), 0), want: ledger.ResultExceedsCredits},
		{name: "ExceedsCredits/PendingCreditsDoNotCount", setup: []ledger.Transfer{pend(100, accA, accDebitLimited, amt(100), 0)},
			transfer: tr(101, accDebitLimited, accB, amt(1)), want: ledger.ResultExceedsCredits},
		{name: "ExceedsCredits/VoidReleasesTheLimit", setup: []ledger.Transfer{tr(100, accA, accDebitLimited, amt(100)), pend(101, accDebitLimited, accB, amt(60), 0), void(102, 101)},
			transfer: tr(103, accDebitLimited, accB, amt(100)), want: ledger.ResultOK},
		{name: "ExceedsCredits/PartialPostReleasesTheRest", setup: []ledger.Transfer{tr(100, accA, accDebitLimited, amt(100)), pend(101, accDebitLimited, accB, amt(60), 0), post(102, 101, amt(10))},
			transfer: tr(103, accDebitLimited, accB, amt(90)), want: ledger.ResultOK},
		{name: "ExceedsDebits/Unfunded", transfer: tr(100, accA, accCreditLimited, amt(1)), want: ledger.ResultExceedsDebits},
		{name: "ExceedsDebits/OnePastWithPending", setup: []ledger.Transfer{tr(100, accCreditLimited, accA, amt(100)), pend(101, accB, accCreditLimited, amt(60), 0)},
			transfer: tr(102, accB, accCreditLimited, amt(41)), want: ledger.ResultExceedsDebits},
		{name: "ExceedsDebits/AtLimitWithPending", setup: []ledger.Transfer{tr(100, accCreditLimited, accA, amt(100)), pend(101, accB, accCreditLimited, amt(60), 0)},
			transfer: tr(102, accB, accCreditLimited, amt(40)), want: ledger.ResultOK},
		{name: "ExceedsDebits/PendingOnePast", setup: []ledger.Transfer{tr(100, accCreditLimited, accA, amt(100)), pend(101, accB, accCreditLimited, amt(60), 0)},
			transfer: pend(102, accB, accCreditLimited, amt(41), 0), want: ledger.ResultExceedsDebits},
	}
}

// TestCreateTransfersResults has one case or more per result a transfer
// can get. A failed transfer leaves no trace in the state.
func TestCreateTransfersResults(t *testing.T) {
	for _, tt := range transferCases() {
		t.Run(tt.name, func(t *testing.T) {
			l := NewFixture(t, ledger.Options{})
			for _, s := range tt.setup {
				MustTransfers(t, l, s)
			}
			l.Advance(tt.advance)
			l.Pulse() // expire what is due, so that the state compared below is the one the transfer meets
			before := stateBytes(t, l.e)
			got := l.Transfers(tt.transfer)[0]
			if got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
			if got != ledger.ResultOK {
				MustUnchanged(t, l.e, before)
				return
			}
			stored, _, ok := l.e.LookupTransfer(tt.transfer.ID)
			if !ok || stored.Timestamp != l.e.LastTimestamp() {
				t.Fatalf("stored transfer: got %+v (found %t), want the timestamp %d", stored, ok, l.e.LastTimestamp())
			}
			MustVerify(t, l.e)
		})
	}
}

type accountCase struct {
	name    string // the rule
	setup   []ledger.Account
	account ledger.Account
	want    ledger.Result
}

func accountCases() []accountCase {
	a := ledger.Account{ID: id(50), Currency: rub, Code: 1}
	withA := func(f func(*ledger.Account)) ledger.Account {
		x := a
		f(&x)
		return x
	}
	return []accountCase{
		{name: "Created", account: a, want: ledger.ResultOK},
		{name: "Created/WithFlags", account: withA(func(x *ledger.Account) { x.Flags = ledger.AccountHistory | ledger.AccountDebitsMustNotExceedCredits }), want: ledger.ResultOK},
		{name: "TimestampMustBeZero", account: withA(func(x *ledger.Account) { x.Timestamp = 1 }), want: ledger.ResultTimestampMustBeZero},
		{name: "FlagsUnknown", account: withA(func(x *ledger.Account) { x.Flags = 1 << 3 }), want: ledger.ResultFlagsUnknown},
		{name: "IDMustNotBeZero", account: withA(func(x *ledger.Account) { x.ID = ledger.ID{} }), want: ledger.ResultIDMustNotBeZero},
		{name: "IDMustNotBeMax", account: withA(func(x *ledger.Account) { x.ID = idMax }), want: ledger.ResultIDMustNotBeMax},
		{name: "FlagsAreMutuallyExclusive", account: withA(func(x *ledger.Account) {
			x.Flags = ledger.AccountDebitsMustNotExceedCredits | ledger.AccountCreditsMustNotExceedDebits
		}), want: ledger.ResultFlagsAreMutuallyExclusive},
		{name: "CurrencyUnknown", account: withA(func(x *ledger.Account) { x.Currency = qqq }), want: ledger.ResultCurrencyUnknown},
		{name: "CurrencyUnknown/Zero", account: withA(func(x *ledger.Account) { x.Currency = money.Code{} }), want: ledger.ResultCurrencyUnknown},
		{name: "CodeMustNotBeZero", account: withA(func(x *ledger.Account) { x.Code = 0 }), want: ledger.ResultCodeMustNotBeZero},
		{name: "BalancesMustBeZero/DebitsPending", account: withA(func(x *ledger.Account) { x.DebitsPending = amt(1) }), want: ledger.ResultBalancesMustBeZero},
		{name: "BalancesMustBeZero/DebitsPosted", account: withA(func(x *ledger.Account) { x.DebitsPosted = amt(1) }), want: ledger.ResultBalancesMustBeZero},
		{name: "BalancesMustBeZero/CreditsPending", account: withA(func(x *ledger.Account) { x.CreditsPending = amt(1) }), want: ledger.ResultBalancesMustBeZero},
		{name: "BalancesMustBeZero/CreditsPosted", account: withA(func(x *ledger.Account) { x.CreditsPosted = amt(1) }), want: ledger.ResultBalancesMustBeZero},
		{name: "Exists", setup: []ledger.Account{a}, account: a, want: ledger.ResultExists},
		{name: "LinkedEventChainOpen/LastOfTheBatch", account: withA(func(x *ledger.Account) { x.Flags = ledger.AccountLinked }), want: ledger.ResultLinkedEventChainOpen},
		{name: "ExistsWithDifferentFlags", setup: []ledger.Account{a}, account: withA(func(x *ledger.Account) { x.Flags = ledger.AccountHistory }), want: ledger.ResultExistsWithDifferentFlags},
		{name: "ExistsWithDifferentCurrency", setup: []ledger.Account{a}, account: withA(func(x *ledger.Account) { x.Currency = irr }), want: ledger.ResultExistsWithDifferentCurrency},
		{name: "ExistsWithDifferentCode", setup: []ledger.Account{a}, account: withA(func(x *ledger.Account) { x.Code = 2 }), want: ledger.ResultExistsWithDifferentCode},
	}
}

// TestCreateAccountsResults has one case or more per result an account
// can get.
func TestCreateAccountsResults(t *testing.T) {
	for _, tt := range accountCases() {
		t.Run(tt.name, func(t *testing.T) {
			l := NewTestLedger(t, ledger.Options{})
			MustAccounts(t, l, tt.setup...)
			before := stateBytes(t, l.e)
			got := l.Accounts(tt.account)[0]
			if got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
			if got != ledger.ResultOK {
				MustUnchanged(t, l.e, before)
				return
			}
			a := MustAccount(t, l.e, tt.account.ID)
			want := tt.account
			want.Timestamp = l.e.LastTimestamp()
			if a != want {
				t.Fatalf("stored account:\ngot  %+v\nwant %+v", a, want)
			}
		})
	}
	t.Run("Exists/LinkedIsNotStored", func(t *testing.T) {
		l := NewTestLedger(t, ledger.Options{})
		a := ledger.Account{ID: id(50), Currency: rub, Code: 1}
		b := ledger.Account{ID: id(51), Currency: rub, Code: 1}
		la := a
		la.Flags = ledger.AccountLinked
		MustResults(t, l.Accounts(la, b), ledger.ResultOK, ledger.ResultOK)
		if got := MustAccount(t, l.e, a.ID).Flags; got != 0 {
			t.Fatalf("stored flags: got %d, want 0", got)
		}
		MustResults(t, l.Accounts(a), ledger.ResultExists)
	})
}

// TestResultsCovered checks that the tables above reach every result.
func TestResultsCovered(t *testing.T) {
	seen := map[ledger.Result]bool{
		// TestLinkedChains.
		ledger.ResultLinkedEventFailed:    true,
		ledger.ResultLinkedEventChainOpen: true,
		// TestOpenPendingTransfersMax.
		ledger.ResultOpenPendingTransfersMax: true,
		// TestIDAlreadyFailed.
		ledger.ResultIDAlreadyFailed: true,
	}
	for _, c := range transferCases() {
		seen[c.want] = true
	}
	for _, c := range accountCases() {
		seen[c.want] = true
	}
	for r := ledger.Result(0); r.String() != "unknown"; r++ {
		if !seen[r] {
			t.Errorf("no case for %s", r)
		}
		if got, ok := ledger.ResultByName(r.String()); !ok || got != r {
			t.Errorf("ResultByName(%q): got %d %t, want %d true", r.String(), got, ok, r)
		}
	}
}

// TestPostAndVoid checks the balances and states after posting in full,
// in part, and voiding: what is not posted is released.
func TestPostAndVoid(t *testing.T) {
	tests := []struct {
		name       string
		resolve    ledger.Transfer
		wantState  ledger.PendingState
		wantAmount uint64 // of the stored post or void
		wantDr     balances
		wantCr     balances
	}{
		{"PostFull", post(101, 100, amt(0)), ledger.PendingPosted, 10, balances{DebitsPosted: 10}, balances{CreditsPosted: 10}},
		{"PostNamingTheAmount", post(101, 100, amt(10)), ledger.PendingPosted, 10, balances{DebitsPosted: 10}, balances{CreditsPosted: 10}},
		{"PostPartialReleasesTheRest", post(101, 100, amt(4)), ledger.PendingPosted, 4, balances{DebitsPosted: 4}, balances{CreditsPosted: 4}},
		{"Void", void(101, 100), ledger.PendingVoided, 10, balances{}, balances{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewFixture(t, ledger.Options{})
			MustTransfers(t, l, pend(100, accA, accB, amt(10), 60))
			MustBalances(t, l.e, id(accA), balances{DebitsPending: 10})
			MustBalances(t, l.e, id(accB), balances{CreditsPending: 10})
			if got := l.e.OpenPendingCount(); got != 1 {
				t.Fatalf("open pending: got %d, want 1", got)
			}
			MustTransfers(t, l, tt.resolve)
			MustBalances(t, l.e, id(accA), tt.wantDr)
			MustBalances(t, l.e, id(accB), tt.wantCr)
			if got := MustState(t, l.e, id(100)); got != tt.wantState {
				t.Fatalf("pending state: got %s, want %s", got, tt.wantState)
			}
			if got := l.e.OpenPendingCount(); got != 0 {
				t.Fatalf("open pending: got %d, want 0", got)
			}
			stored, state, _ := l.e.LookupTransfer(tt.resolve.ID)
			want := ledger.Transfer{ID: tt.resolve.ID, DebitAccountID: id(accA), CreditAccountID: id(accB), Amount: amt(tt.wantAmount),
				PendingID: id(100), Currency: rub, Code: 1, Flags: tt.resolve.Flags, Timestamp: l.e.LastTimestamp()}
			if stored != want || state != ledger.PendingNone {
				t.Fatalf("stored:\ngot  %+v %s\nwant %+v", stored, state, want)
			}
			if at, ok := l.e.NextExpiry(); ok {
				t.Fatalf("next expiry: got %d, want none once resolved", at)
			}
			// The timeout of a resolved transfer passes without effect.
			l.Advance(120 * second)
			l.Pulse()
			MustBalances(t, l.e, id(accA), tt.wantDr)
			if got := MustState(t, l.e, id(100)); got != tt.wantState {
				t.Fatalf("pending state after its timeout: got %s, want %s", got, tt.wantState)
			}
			MustVerify(t, l.e)
		})
	}
}

// TestExpiry: a pending transfer expires at the start of the first batch
// (of any kind, or a pulse) whose timestamp is at or after its timeout.
func TestExpiry(t *testing.T) {
	batches := []struct {
		name  string
		apply func(l *testLedger)
	}{
		{"Pulse", func(l *testLedger) { l.Pulse() }},
		{"EmptyTransfers", func(l *testLedger) { l.Transfers() }},
		{"Accounts", func(l *testLedger) { l.Accounts(ledger.Account{ID: id(60), Currency: rub, Code: 1}) }},
		{"Transfers", func(l *testLedger) { l.Transfers(tr(200, accA, accC, amt(1))) }},
	}
	for _, b := range batches {
		t.Run("By"+b.name, func(t *testing.T) {
			l := NewFixture(t, ledger.Options{})
			created := l.now
			MustTransfers(t, l, pend(100, accA, accHistory, amt(10), 2))
			expiresAt := created + 2*second
			if at, ok := l.e.NextExpiry(); !ok || at != expiresAt {
				t.Fatalf("next expiry: got %d %t, want %d true", at, ok, expiresAt)
			}
			l.now = expiresAt - 1
			b.apply(l)
			if got := MustState(t, l.e, id(100)); got != ledger.PendingOpen {
				t.Fatalf("one nanosecond before: got %s, want pending", got)
			}
			l.now = expiresAt
			b.apply(l)
			if got := MustState(t, l.e, id(100)); got != ledger.PendingExpired {
				t.Fatalf("at the timeout: got %s, want expired", got)
			}
			MustBalances(t, l.e, id(accHistory), balances{})
			if got := l.e.OpenPendingCount(); got != 0 {
				t.Fatalf("open pending: got %d, want 0", got)
			}
			if at, ok := l.e.NextExpiry(); ok {
				t.Fatalf("next expiry: got %d, want none", at)
			}
			h := MustHistory(t, l.e, id(accHistory))
			last := h[len(h)-1]
			if want := (ledger.Balance{TransferID: id(100), Timestamp: expiresAt}); last != want {
				t.Fatalf("history entry of the expiry: got %+v, want %+v", last, want)
			}
			MustVerify(t, l.e)
		})
	}
	t.Run("PostInTheBatchAtTheTimeout", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		created := l.now
		MustTransfers(t, l, pend(100, accA, accB, amt(10), 1), pend(101, accA, accB, amt(10), 1))
		l.now = created + second - 1 // 101 was created 1ns after 100: still open
		MustResults(t, l.Transfers(post(102, 101, amt(0))), ledger.ResultOK)
		l.now = created + second
		MustResults(t, l.Transfers(post(103, 100, amt(0))), ledger.ResultPendingTransferExpired)
		MustBalances(t, l.e, id(accA), balances{DebitsPosted: 10})
	})
	t.Run("PostedOnesLeaveTheQueue", func(t *testing.T) {
		// Posted long before their timeout, pending transfers leave the
		// queue of expiries instead of waiting there for a day; the one
		// still open expires on time.
		l := NewFixture(t, ledger.Options{})
		created := l.now
		MustTransfers(t, l, pend(1, accA, accB, amt(1), 86400))
		for i := uint64(0); i < 5; i++ {
			var pends, posts []ledger.Transfer
			for j := uint64(0); j < 3000; j++ {
				n := 10 + i*3000 + j
				pends = append(pends, pend(n, accA, accB, amt(1), 86400))
				posts = append(posts, post(100000+n, n, amt(0)))
			}
			MustTransfers(t, l, pends...)
			MustTransfers(t, l, posts...)
		}
		if got := l.e.ExpiriesQueued(); got > 2*l.e.OpenPendingCount()+4096 {
			t.Fatalf("expiry queue: %d entries for %d open pending transfers", got, l.e.OpenPendingCount())
		}
		l.now = created + 86400*second
		l.Pulse()
		if got := MustState(t, l.e, id(1)); got != ledger.PendingExpired {
			t.Fatalf("the open one at its timeout: got %s, want expired", got)
		}
		MustVerify(t, l.e)
	})
	t.Run("InOrderOfTimeout", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustTransfers(t, l, pend(100, accHistory, accA, amt(1), 3), pend(101, accHistory, accB, amt(2), 1), pend(102, accHistory, accC, amt(4), 2))
		l.Advance(10 * second)
		l.Pulse()
		var got []ledger.ID
		for _, b := range MustHistory(t, l.e, id(accHistory))[3:] {
			got = append(got, b.TransferID)
		}
		if want := []ledger.ID{id(101), id(102), id(100)}; !equalIDs(got, want) {
			t.Fatalf("expiry order: got %v, want %v", got, want)
		}
	})
	t.Run("OverflowsTimeoutNearTheEndOfTime", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		l.now = ^uint64(0) - 2*second
		MustResults(t, l.Transfers(pend(100, accA, accB, amt(1), 1)), ledger.ResultOK)
		MustResults(t, l.Transfers(pend(101, accA, accB, amt(1), 2)), ledger.ResultOverflowsTimeout)
	})
}

func equalIDs(a, b []ledger.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOpenPendingTransfersMax: the limit on open pending transfers, one
// past it, and the slots that posting, voiding and expiry free.
func TestOpenPendingTransfersMax(t *testing.T) {
	const limit = 3
	t.Run("OnePast", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{OpenPendingTransfersMax: limit})
		MustResults(t, l.Transfers(pend(100, accA, accB, amt(1), 0), pend(101, accA, accB, amt(1), 0), pend(102, accA, accB, amt(1), 1), pend(103, accA, accB, amt(1), 0)),
			ledger.ResultOK, ledger.ResultOK, ledger.ResultOK, ledger.ResultOpenPendingTransfersMax)
		MustResults(t, l.Transfers(tr(104, accA, accB, amt(1))), ledger.ResultOK)
		MustResults(t, l.Transfers(post(105, 100, amt(0)), pend(106, accA, accB, amt(1), 0), pend(107, accA, accB, amt(1), 0)),
			ledger.ResultOK, ledger.ResultOK, ledger.ResultOpenPendingTransfersMax)
		MustResults(t, l.Transfers(void(108, 101), pend(109, accA, accB, amt(1), 0)), ledger.ResultOK, ledger.ResultOK)
		l.Advance(2 * second)
		MustResults(t, l.Transfers(pend(110, accA, accB, amt(1), 0), pend(111, accA, accB, amt(1), 0)), ledger.ResultOK, ledger.ResultOpenPendingTransfersMax)
		if got := l.e.OpenPendingCount(); got != limit {
			t.Fatalf("open pending: got %d, want %d", got, limit)
		}
		MustVerify(t, l.e)
	})
	t.Run("RolledBackChainFreesItsSlots", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{OpenPendingTransfersMax: limit})
		MustResults(t, l.Transfers(linked(pend(100, accA, accB, amt(1), 0)), linked(pend(101, accA, accB, amt(1), 0)), tr(102, accA, accA, amt(1))),
			ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent)
		MustResults(t, l.Transfers(pend(103, accA, accB, amt(1), 0), pend(104, accA, accB, amt(1), 0), pend(105, accA, accB, amt(1), 0)),
			ledger.ResultOK, ledger.ResultOK, ledger.ResultOK)
	})
}

// TestBatchEventsMax: a full batch applies.
func TestBatchEventsMax(t *testing.T) {
	l := NewFixture(t, ledger.Options{})
	transfers := make([]ledger.Transfer, ledger.BatchEventsMax)
	for i := range transfers {
		transfers[i] = tr(uint64(1000+i), accA, accB, amt(1))
	}
	MustTransfers(t, l, transfers...)
	MustBalances(t, l.e, id(accB), balances{CreditsPosted: ledger.BatchEventsMax})
	if got, want := l.e.LastTimestamp(), l.now-1; got != want {
		t.Fatalf("last timestamp: got %d, want %d (one per event)", got, want)
	}
}

// TestTimestamps: event i of a batch at ts is stamped ts+i, and a batch
// must follow the last event; a caller that breaks that is a programming
// error, and the engine panics.
func TestTimestamps(t *testing.T) {
	l := NewFixture(t, ledger.Options{})
	ts := l.now
	MustTransfers(t, l, tr(100, accA, accB, amt(1)), tr(101, accA, accB, amt(1)), tr(102, accA, accB, amt(1)))
	for i := range 3 {
		got, _, _ := l.e.LookupTransfer(id(100 + uint64(i)))
		if want := ts + uint64(i); got.Timestamp != want {
			t.Fatalf("transfer %d timestamp: got %d, want %d", i, got.Timestamp, want)
		}
	}
	if got, want := l.e.LastTimestamp(), ts+2; got != want {
		t.Fatalf("last timestamp: got %d, want %d", got, want)
	}
	for _, name := range []string{"Transfers", "Accounts", "Pulse"} {
		t.Run("PanicsOnTimestampThatDoesNotFollow/"+name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("got no panic, want one")
				}
			}()
			switch last := l.e.LastTimestamp(); name {
			case "Transfers":
				l.e.CreateTransfers(last, []ledger.Transfer{tr(200, accA, accB, amt(1))}, make([]ledger.Result, 1))
			case "Accounts":
				l.e.CreateAccounts(last, nil, nil)
			case "Pulse":
				l.e.Pulse(last)
			}
		})
	}
}

// TestLinkedChains: a chain succeeds or fails as one.
func TestLinkedChains(t *testing.T) {
	bad := tr(199, accA, accA, amt(1)) // accounts_must_be_different
	tests := []struct {
		name      string
		batch     []ledger.Transfer
		want      []ledger.Result
		unchanged bool
	}{
		{"AllSucceed", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(tr(101, accB, accC, amt(1))), tr(102, accC, accA, amt(1))},
			[]ledger.Result{ledger.ResultOK, ledger.ResultOK, ledger.ResultOK}, false},
		{"FirstFails", []ledger.Transfer{linked(bad), linked(tr(101, accB, accC, amt(1))), tr(102, accC, accA, amt(1))},
			[]ledger.Result{ledger.ResultAccountsMustBeDifferent, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed}, true},
		{"MiddleFails", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(bad), tr(102, accC, accA, amt(1))},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent, ledger.ResultLinkedEventFailed}, true},
		{"LastFails", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(tr(101, accB, accC, amt(1))), bad},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent}, true},
		{"OpenAtTheEndOfTheBatch", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(tr(101, accB, accC, amt(1)))},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventChainOpen}, true},
		{"OneLinkedEvent", []ledger.Transfer{linked(tr(100, accA, accB, amt(1)))},
			[]ledger.Result{ledger.ResultLinkedEventChainOpen}, true},
		{"FailedAndOpenAtTheEndOfTheBatch", []ledger.Transfer{linked(bad), linked(tr(101, accB, accC, amt(1))), linked(tr(102, accB, accC, amt(1)))},
			[]ledger.Result{ledger.ResultAccountsMustBeDifferent, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventChainOpen}, true},
		{"ExistsDoesNotFailTheChain", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(tr(100, accA, accB, amt(1))), tr(102, accC, accA, amt(1))},
			[]ledger.Result{ledger.ResultOK, ledger.ResultExists, ledger.ResultOK}, false},
		{"ExistsWithDifferentFieldsFailsTheChain", []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(tr(100, accA, accB, amt(2))), tr(102, accC, accA, amt(1))},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultExistsWithDifferentAmount, ledger.ResultLinkedEventFailed}, true},
		{"ChainsAreIndependent", []ledger.Transfer{tr(100, accA, accB, amt(1)), linked(tr(101, accA, accB, amt(1))), tr(102, accA, accB, amt(1)),
			linked(tr(103, accA, accB, amt(1))), bad, tr(104, accA, accB, amt(1))},
			[]ledger.Result{ledger.ResultOK, ledger.ResultOK, ledger.ResultOK, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent, ledger.ResultOK}, false},
		{"LimitSeesEarlierEventsOfTheChain", []ledger.Transfer{linked(tr(100, accA, accDebitLimited, amt(5))), linked(tr(101, accDebitLimited, accB, amt(5))), tr(102, accDebitLimited, accB, amt(1))},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultExceedsCredits}, true},
		{"PendingPostedInsideTheChainThenFails", []ledger.Transfer{
			linked(pend(100, accHistory, accA, amt(7), 5)), linked(post(101, 100, amt(3))), linked(tr(102, accA, accHistory, amt(2))), bad},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent}, true},
		{"PendingVoidedInsideTheChainThenFails", []ledger.Transfer{
			linked(pend(100, accHistory, accA, amt(7), 0)), linked(void(101, 100)), bad},
			[]ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewFixture(t, ledger.Options{})
			// History and an open pending transfer before the batch, which
			// a rollback must leave as they are.
			MustTransfers(t, l, tr(90, accB, accHistory, amt(50)), pend(91, accHistory, accC, amt(5), 0))
			before := stateBytes(t, l.e)
			history := MustHistory(t, l.e, id(accHistory))
			results := l.Transfers(tt.batch...)
			MustResults(t, results, tt.want...)
			MustVerify(t, l.e)
			if !tt.unchanged {
				return
			}
			MustUnchanged(t, l.e, before)
			if got := MustHistory(t, l.e, id(accHistory)); len(got) != len(history) {
				t.Fatalf("history after the rollback: got %d entries, want %d", len(got), len(history))
			}
			if got := l.e.OpenPendingCount(); got != 1 {
				t.Fatalf("open pending: got %d, want 1", got)
			}
			if got, _ := l.e.NextExpiry(); got != 0 {
				t.Fatalf("next expiry: got %d, want none", got)
			}
			// Nothing of the chain remains: the events that failed with it
			// apply alone, under the same ids.
			var again []ledger.Transfer
			for i, x := range tt.batch {
				if results[i] != ledger.ResultLinkedEventFailed {
					continue
				}
				if _, _, ok := l.e.LookupTransfer(x.ID); ok {
					t.Fatalf("transfer %s of the failed chain: found, want none", x.ID)
				}
				x.Flags &^= ledger.TransferLinked
				again = append(again, x)
			}
			for i, r := range l.Transfers(again...) {
				if r != ledger.ResultOK {
					t.Fatalf("the chain's event %s applied alone: got %s, want ok", again[i].ID, r)
				}
			}
			MustVerify(t, l.e)
		})
	}
	t.Run("RetriedUnlinkedIsDifferentFlags", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustTransfers(t, l, linked(tr(100, accA, accB, amt(1))), tr(101, accA, accB, amt(1)))
		MustResults(t, l.Transfers(tr(100, accA, accB, amt(1))), ledger.ResultExistsWithDifferentFlags)
	})
	t.Run("RetriedChainAnswersExistsForEveryEvent", func(t *testing.T) {
		// A client that lost the answer to a chain sends it again: every
		// event answers exists, so it knows the whole chain landed, and
		// nothing moves twice.
		l := NewFixture(t, ledger.Options{})
		chain := []ledger.Transfer{linked(tr(100, accA, accB, amt(1))), linked(pend(101, accA, accB, amt(2), 0)), tr(102, accB, accC, amt(1))}
		MustTransfers(t, l, chain...)
		before := stateBytes(t, l.e)
		MustResults(t, l.Transfers(chain...), ledger.ResultExists, ledger.ResultExists, ledger.ResultExists)
		MustUnchanged(t, l.e, before)
	})
	t.Run("Accounts", func(t *testing.T) {
		l := NewTestLedger(t, ledger.Options{})
		a := ledger.Account{ID: id(1), Currency: rub, Code: 1, Flags: ledger.AccountLinked | ledger.AccountHistory}
		b := ledger.Account{ID: id(2), Currency: rub, Code: 0}
		before := stateBytes(t, l.e)
		MustResults(t, l.Accounts(a, b), ledger.ResultLinkedEventFailed, ledger.ResultCodeMustNotBeZero)
		MustUnchanged(t, l.e, before)
		if got := l.e.Totals(); len(got) != 0 {
			t.Fatalf("totals after the rollback of the only account of its currency: got %v, want none", got)
		}
		MustResults(t, l.Accounts(a), ledger.ResultLinkedEventChainOpen)
		MustUnchanged(t, l.e, before)
		b.Code = 1
		MustResults(t, l.Accounts(a, b), ledger.ResultOK, ledger.ResultOK)
		if got := l.e.AccountsCount(); got != 2 {
			t.Fatalf("accounts: got %d, want 2", got)
		}
	})
}

// TestChainRollbackAcrossTransferChunks: the engine stores transfers in
// chunks; a chain that fails after crossing into a new chunk is undone,
// and the next transfers and a snapshot use the chunk as usual.
func TestChainRollbackAcrossTransferChunks(t *testing.T) {
	const chunk = 1 << 15 // the engine's records per chunk
	l := NewFixture(t, ledger.Options{})
	next := uint64(1000)
	batch := func(n int) []ledger.Transfer {
		out := make([]ledger.Transfer, n)
		for i := range out {
			out[i] = tr(next, accA, accB, amt(1))
			next++
		}
		return out
	}
	for l.e.TransfersCount() < chunk-2 {
		MustTransfers(t, l, batch(min(ledger.BatchEventsMax, chunk-2-l.e.TransfersCount()))...)
	}
	before := stateBytes(t, l.e)
	chain := batch(5)
	for i := range chain {
		chain[i].Flags |= ledger.TransferLinked
	}
	chain = append(chain, tr(next, accA, accA, amt(1)))
	want := []ledger.Result{ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultAccountsMustBeDifferent}
	MustResults(t, l.Transfers(chain...), want...)
	MustUnchanged(t, l.e, before)
	MustTransfers(t, l, batch(10)...)
	if got := l.e.TransfersCount(); got != chunk+8 {
		t.Fatalf("transfers: got %d, want %d", got, chunk+8)
	}
	MustBalances(t, l.e, id(accB), balances{CreditsPosted: chunk + 8})
	restored := MustRestore(t, MustSnapshot(t, l.e), ledger.Options{})
	if got, want := MustSnapshot(t, restored), MustSnapshot(t, l.e); !bytes.Equal(got, want) {
		t.Fatalf("snapshot of the restored engine: got %d bytes, want %d", len(got), len(want))
	}
}

// TestAccountBalances: an account with history keeps its balances after
// every change, with the transfer and its timestamp; a rollback removes
// the entries of its chain.
func TestAccountBalances(t *testing.T) {
	l := NewFixture(t, ledger.Options{})
	ts := l.now
	MustTransfers(t, l, tr(100, accA, accHistory, amt(50)), pend(101, accHistory, accB, amt(20), 1), post(102, 101, amt(15)),
		pend(103, accC, accHistory, amt(7), 0), void(104, 103), pend(105, accHistory, accB, amt(5), 1))
	l.now = ts + 5 + second // after the timeout of 105
	l.Pulse()
	want := []ledger.Balance{
		{TransferID: id(100), Timestamp: ts, CreditsPosted: amt(50)},
		{TransferID: id(101), Timestamp: ts + 1, DebitsPending: amt(20), CreditsPosted: amt(50)},
		{TransferID: id(102), Timestamp: ts + 2, DebitsPosted: amt(15), CreditsPosted: amt(50)},
		{TransferID: id(103), Timestamp: ts + 3, DebitsPosted: amt(15), CreditsPending: amt(7), CreditsPosted: amt(50)},
		{TransferID: id(104), Timestamp: ts + 4, DebitsPosted: amt(15), CreditsPosted: amt(50)},
		{TransferID: id(105), Timestamp: ts + 5, DebitsPending: amt(5), DebitsPosted: amt(15), CreditsPosted: amt(50)},
		{TransferID: id(105), Timestamp: ts + 5 + second, DebitsPosted: amt(15), CreditsPosted: amt(50)},
	}
	mustBalancesEqual(t, MustHistory(t, l.e, id(accHistory)), want)

	t.Run("AfterTimestampAndLimit", func(t *testing.T) {
		got, ok := l.e.AccountBalances(id(accHistory), ts+1, 2)
		if !ok {
			t.Fatalf("account not found")
		}
		mustBalancesEqual(t, got, want[2:4])
		got, _ = l.e.AccountBalances(id(accHistory), ts+5+second, 10)
		mustBalancesEqual(t, got, nil)
		got, _ = l.e.AccountBalances(id(accHistory), 0, 0)
		mustBalancesEqual(t, got, nil)
	})
	t.Run("NegativeLimit", func(t *testing.T) {
		got, _ := l.e.AccountBalances(id(accHistory), 0, -1)
		mustBalancesEqual(t, got, nil)
	})
	t.Run("AccountWithoutHistory", func(t *testing.T) {
		got, ok := l.e.AccountBalances(id(accA), 0, 10)
		if !ok || len(got) != 0 {
			t.Fatalf("got %v %t, want none, true", got, ok)
		}
	})
	t.Run("UnknownAccount", func(t *testing.T) {
		if got, ok := l.e.AccountBalances(id(accUnknown), 0, 10); ok {
			t.Fatalf("got %v %t, want not found", got, ok)
		}
	})
	t.Run("RolledBack", func(t *testing.T) {
		MustResults(t, l.Transfers(linked(tr(200, accA, accHistory, amt(1))), linked(pend(201, accHistory, accA, amt(1), 0)), tr(202, accA, accUnknown, amt(1))),
			ledger.ResultLinkedEventFailed, ledger.ResultLinkedEventFailed, ledger.ResultCreditAccountNotFound)
		mustBalancesEqual(t, MustHistory(t, l.e, id(accHistory)), want)
	})
	t.Run("OfAnAccountCreatedInARolledBackChain", func(t *testing.T) {
		a := ledger.Account{ID: id(70), Currency: rub, Code: 1, Flags: ledger.AccountHistory | ledger.AccountLinked}
		MustResults(t, l.Accounts(a, ledger.Account{ID: id(71)}), ledger.ResultLinkedEventFailed, ledger.ResultCurrencyUnknown)
		if _, ok := l.e.AccountBalances(a.ID, 0, 10); ok {
			t.Fatalf("history of an account that was rolled back: found")
		}
	})
}

func mustBalancesEqual(tb testing.TB, got, want []ledger.Balance) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d balances %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("balance %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestIDAlreadyFailed: a client's transfer that failed for a reason of the
// moment keeps its outcome when it is sent again, even once the moment has
// passed; a failure of the request itself, or of its chain, does not.
func TestIDAlreadyFailed(t *testing.T) {
	t.Run("a transient failure is remembered", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(tr(100, accDebitLimited, accB, amt(5))), ledger.ResultExceedsCredits)
		// Funded now, the same transfer would pass; its id answers as it
		// failed, and nothing moves.
		MustTransfers(t, l, tr(90, accA, accDebitLimited, amt(10)))
		before := MustAccount(t, l.e, id(accDebitLimited))
		MustResults(t, l.ClientTransfers(tr(100, accDebitLimited, accB, amt(5))), ledger.ResultIDAlreadyFailed)
		MustResults(t, l.ClientTransfers(tr(100, accA, accB, amt(1))), ledger.ResultIDAlreadyFailed)
		if got := MustAccount(t, l.e, id(accDebitLimited)); got != before {
			t.Errorf("got %+v, want the account unchanged %+v", got, before)
		}
		MustResults(t, l.ClientTransfers(tr(101, accDebitLimited, accB, amt(5))), ledger.ResultOK)
	})
	t.Run("an account not found yet is transient", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(tr(100, accA, 999, amt(1))), ledger.ResultCreditAccountNotFound)
		MustAccounts(t, l, ledger.Account{ID: id(999), Currency: rub, Code: 1})
		MustResults(t, l.ClientTransfers(tr(100, accA, 999, amt(1))), ledger.ResultIDAlreadyFailed)
	})
	t.Run("a fault of the request is not remembered", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(tr(100, accA, accA, amt(1))), ledger.ResultAccountsMustBeDifferent)
		MustResults(t, l.ClientTransfers(tr(100, accA, accB, amt(1))), ledger.ResultOK)
		if n := l.e.FailedCount(); n != 0 {
			t.Errorf("got %d failed ids, want none", n)
		}
	})
	t.Run("an event failed only with its chain is not remembered", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(linked(tr(100, accA, accB, amt(1))), tr(101, accDebitLimited, accB, amt(5))),
			ledger.ResultLinkedEventFailed, ledger.ResultExceedsCredits)
		MustResults(t, l.ClientTransfers(tr(100, accA, accB, amt(1))), ledger.ResultOK)
		MustResults(t, l.ClientTransfers(tr(101, accDebitLimited, accB, amt(5))), ledger.ResultIDAlreadyFailed)
	})
	t.Run("within one batch, the second use of a failed id answers already failed", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(tr(100, accDebitLimited, accB, amt(5)), tr(100, accDebitLimited, accB, amt(5))),
			ledger.ResultExceedsCredits, ledger.ResultIDAlreadyFailed)
	})
	t.Run("a snapshot without failed ids is written as version 1", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		snap := MustSnapshot(t, l.e)
		if v := snap[len("ASTARA-LEDGER-SNAPSHOT")]; v != 1 {
			t.Errorf("got version %d, want 1", v)
		}
		MustResults(t, l.ClientTransfers(tr(100, accDebitLimited, accB, amt(5))), ledger.ResultExceedsCredits)
		if v := MustSnapshot(t, l.e)[len("ASTARA-LEDGER-SNAPSHOT")]; v != 2 {
			t.Errorf("with a failed id: got version %d, want 2", v)
		}
	})
	t.Run("the failed ids survive a snapshot", func(t *testing.T) {
		l := NewFixture(t, ledger.Options{})
		MustResults(t, l.ClientTransfers(tr(100, accDebitLimited, accB, amt(5))), ledger.ResultExceedsCredits)
		restored := MustRestore(t, MustSnapshot(t, l.e), ledger.Options{})
		res := make([]ledger.Result, 1)
		restored.CreateClientTransfers(l.e.LastTimestamp()+1, []ledger.Transfer{tr(100, accDebitLimited, accB, amt(5))}, res)
		if res[0] != ledger.ResultIDAlreadyFailed {
			t.Errorf("after a restore: got %s, want id_already_failed", res[0])
		}
	})
}
