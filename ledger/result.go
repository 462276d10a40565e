package ledger

// Result is the outcome of one item of a batch. The zero value is ResultOK.
// Names are stable: they are the API's "result" strings.
type Result uint8

// The results, in the order in which the engine checks for them. Errors
// that name a field are about the request; the rest are about the state of
// the ledger.
const (
	ResultOK Result = iota
	ResultLinkedEventFailed
	ResultLinkedEventChainOpen
	ResultTimestampMustBeZero
	ResultFlagsUnknown
	ResultIDMustNotBeZero
	ResultIDMustNotBeMax
	ResultFlagsAreMutuallyExclusive
	ResultCurrencyUnknown
	ResultCodeMustNotBeZero
	ResultBalancesMustBeZero
	ResultExistsWithDifferentFlags
	ResultExistsWithDifferentCurrency
	ResultExistsWithDifferentCode
	ResultExists

	ResultDebitAccountIDMustNotBeZero
	ResultDebitAccountIDMustNotBeMax
	ResultCreditAccountIDMustNotBeZero
	ResultCreditAccountIDMustNotBeMax
	ResultAccountsMustBeDifferent
	ResultPendingIDMustBeZero
	ResultPendingIDMustNotBeZero
	ResultPendingIDMustNotBeMax
	ResultPendingIDMustBeDifferent
	ResultTimeoutReservedForPendingTransfer
	ResultAmountMustNotBeZero
	ResultDebitAccountNotFound
	ResultCreditAccountNotFound
	ResultAccountsMustHaveTheSameCurrency
	ResultTransferMustHaveTheSameCurrencyAsAccounts
	ResultPendingTransferNotFound
	ResultPendingTransferNotPending
	ResultPendingTransferHasDifferentDebitAccountID
	ResultPendingTransferHasDifferentCreditAccountID
	ResultPendingTransferHasDifferentCurrency
	ResultPendingTransferHasDifferentCode
	ResultExceedsPendingTransferAmount
	ResultPendingTransferHasDifferentAmount
	ResultPendingTransferAlreadyPosted
	ResultPendingTransferAlreadyVoided
	ResultPendingTransferExpired
	ResultExistsWithDifferentDebitAccountID
	ResultExistsWithDifferentCreditAccountID
	ResultExistsWithDifferentAmount
	ResultExistsWithDifferentPendingID
	ResultExistsWithDifferentTimeout
	ResultOverflowsDebitsPending
	ResultOverflowsCreditsPending
	ResultOverflowsDebitsPosted
	ResultOverflowsCreditsPosted
	ResultOverflowsDebits
	ResultOverflowsCredits
	ResultOverflowsTimeout
	ResultExceedsCredits
	ResultExceedsDebits
	ResultOpenPendingTransfersMax
	ResultIDAlreadyFailed
	resultCount
)

var resultNames = [resultCount]string{
	ResultOK:                                         "ok",
	ResultLinkedEventFailed:                          "linked_event_failed",
	ResultLinkedEventChainOpen:                       "linked_event_chain_open",
	ResultTimestampMustBeZero:                        "timestamp_must_be_zero",
	ResultFlagsUnknown:                               "flags_unknown",
	ResultIDMustNotBeZero:                            "id_must_not_be_zero",
	ResultIDMustNotBeMax:                             "id_must_not_be_int_max",
	ResultFlagsAreMutuallyExclusive:                  "flags_are_mutually_exclusive",
	ResultCurrencyUnknown:                            "currency_unknown",
	ResultCodeMustNotBeZero:                          "code_must_not_be_zero",
	ResultBalancesMustBeZero:                         "balances_must_be_zero",
	ResultExistsWithDifferentFlags:                   "exists_with_different_flags",
	ResultExistsWithDifferentCurrency:                "exists_with_different_currency",
	ResultExistsWithDifferentCode:                    "exists_with_different_code",
	ResultExists:                                     "exists",
	ResultDebitAccountIDMustNotBeZero:                "debit_account_id_must_not_be_zero",
	ResultDebitAccountIDMustNotBeMax:                 "debit_account_id_must_not_be_int_max",
	ResultCreditAccountIDMustNotBeZero:               "credit_account_id_must_not_be_zero",
	ResultCreditAccountIDMustNotBeMax:                "credit_account_id_must_not_be_int_max",
	ResultAccountsMustBeDifferent:                    "accounts_must_be_different",
	ResultPendingIDMustBeZero:                        "pending_id_must_be_zero",
	ResultPendingIDMustNotBeZero:                     "pending_id_must_not_be_zero",
	ResultPendingIDMustNotBeMax:                      "pending_id_must_not_be_int_max",
	ResultPendingIDMustBeDifferent:                   "pending_id_must_be_different",
	ResultTimeoutReservedForPendingTransfer:          "timeout_reserved_for_pending_transfer",
	ResultAmountMustNotBeZero:                        "amount_must_not_be_zero",
	ResultDebitAccountNotFound:                       "debit_account_not_found",
	ResultCreditAccountNotFound:                      "credit_account_not_found",
	ResultAccountsMustHaveTheSameCurrency:            "accounts_must_have_the_same_currency",
	ResultTransferMustHaveTheSameCurrencyAsAccounts:  "transfer_must_have_the_same_currency_as_accounts",
	ResultPendingTransferNotFound:                    "pending_transfer_not_found",
	ResultPendingTransferNotPending:                  "pending_transfer_not_pending",
	ResultPendingTransferHasDifferentDebitAccountID:  "pending_transfer_has_different_debit_account_id",
	ResultPendingTransferHasDifferentCreditAccountID: "pending_transfer_has_different_credit_account_id",
	ResultPendingTransferHasDifferentCurrency:        "pending_transfer_has_different_currency",
	ResultPendingTransferHasDifferentCode:            "pending_transfer_has_different_code",
	ResultExceedsPendingTransferAmount:               "exceeds_pending_transfer_amount",
	ResultPendingTransferHasDifferentAmount:          "pending_transfer_has_different_amount",
	ResultPendingTransferAlreadyPosted:               "pending_transfer_already_posted",
	ResultPendingTransferAlreadyVoided:               "pending_transfer_already_voided",
	ResultPendingTransferExpired:                     "pending_transfer_expired",
	ResultExistsWithDifferentDebitAccountID:          "exists_with_different_debit_account_id",
	ResultExistsWithDifferentCreditAccountID:         "exists_with_different_credit_account_id",
	ResultExistsWithDifferentAmount:                  "exists_with_different_amount",
	ResultExistsWithDifferentPendingID:               "exists_with_different_pending_id",
	ResultExistsWithDifferentTimeout:                 "exists_with_different_timeout",
	ResultOverflowsDebitsPending:                     "overflows_debits_pending",
	ResultOverflowsCreditsPending:                    "overflows_credits_pending",
	ResultOverflowsDebitsPosted:                      "overflows_debits_posted",
	ResultOverflowsCreditsPosted:                     "overflows_credits_posted",
	ResultOverflowsDebits:                            "overflows_debits",
	ResultOverflowsCredits:                           "overflows_credits",
	ResultOverflowsTimeout:                           "overflows_timeout",
	ResultExceedsCredits:                             "exceeds_credits",
	ResultExceedsDebits:                              "exceeds_debits",
	ResultOpenPendingTransfersMax:                    "open_pending_transfers_max",
	ResultIDAlreadyFailed:                            "id_already_failed",
}

// Transient reports whether a result depends on the state of the ledger
// when the transfer was applied, so that the same transfer might succeed
// later: an account or a pending transfer not found yet, a limit or an
// overflow of balances. A client transfer that fails so is remembered, and
// its id answers ResultIDAlreadyFailed from then on: an id's outcome never
// changes.
func (r Result) Transient() bool {
	switch r {
	case ResultDebitAccountNotFound, ResultCreditAccountNotFound, ResultPendingTransferNotFound,
		ResultExceedsCredits, ResultExceedsDebits, ResultOpenPendingTransfersMax,
		ResultOverflowsDebitsPending, ResultOverflowsCreditsPending, ResultOverflowsDebitsPosted,
		ResultOverflowsCreditsPosted, ResultOverflowsDebits, ResultOverflowsCredits:
		return true
	}
	return false
}

// String returns the result's stable API name.
func (r Result) String() string {
	if r < resultCount {
		return resultNames[r]
	}
	return "unknown"
}

// ResultByName returns the Result with the given API name.
func ResultByName(name string) (Result, bool) {
	for i, n := range resultNames {
		if n == name {
			return Result(i), true
		}
	}
	return 0, false
}
