package iso20022

import "strings"

// Rule is a stable, machine-readable code naming the rule a message or a
// value broke. Its values never change meaning once released; callers match
// on them, never on error text.
type Rule string

// The rules for amounts (see ParseAmount and FormatAmount).
const (
	// RuleAmountSyntax: not a plain decimal (ASCII digits with an optional
	// '.' and at least one fraction digit; no sign, exponent or grouping).
	RuleAmountSyntax Rule = "amount_syntax"
	// RuleAmountDecimals: more fraction digits than ISO 4217 gives the
	// currency (three for RUB, say, or any for a currency with none).
	RuleAmountDecimals Rule = "amount_decimals"
	// RuleAmountFraction: a non-zero digit beyond the minor units Astara
	// counts the currency in, such as IRR 1092907500.50: a rial has no
	// fraction.
	RuleAmountFraction Rule = "amount_fraction"
	// RuleAmountOverflow: more than 2^128-1 minor units.
	RuleAmountOverflow Rule = "amount_overflow"
	// RuleAmountTooLarge: more than AmountDigitsMax digits, the most an ISO
	// 20022 amount (totalDigits 18) may have.
	RuleAmountTooLarge Rule = "amount_too_large"
	// RuleCurrencyUnknown: the Ccy is not a currency of the table (or not a
	// three-letter code at all).
	RuleCurrencyUnknown Rule = "currency_unknown"
)

// The rules for a message as a whole.
const (
	// RuleMessageTooLarge: the input is over MessageBytesMax bytes.
	RuleMessageTooLarge Rule = "message_too_large"
	// RuleMessageDoctype: the input has a DOCTYPE, an entity declaration
	// or another directive. They are refused outright.
	RuleMessageDoctype Rule = "message_doctype"
	// RuleMessageSyntax: the input is not well-formed XML (or not UTF-8).
	RuleMessageSyntax Rule = "message_syntax"
	// RuleMessageNoDocument: no ISO 20022 Document element was found.
	RuleMessageNoDocument Rule = "message_no_document"
	// RuleMessageKind: the Document is of another message definition than
	// the reader expects.
	RuleMessageKind Rule = "message_kind"
	// RuleMessageStructure: an element the reader needs is missing.
	RuleMessageStructure Rule = "message_structure"
	// RuleTransactionsCount: NbOfTxs does not match the transactions.
	RuleTransactionsCount Rule = "transactions_count"
	// RuleTransactionsTooMany: more than TransactionsMax transactions.
	RuleTransactionsTooMany Rule = "transactions_too_many"
	// RuleTransactionsNone: nothing to write (an empty batch or report).
	RuleTransactionsNone Rule = "transactions_none"
)

// The rules for values, read or written.
const (
	// RuleUETRSyntax: a UETR that is not a UUID version 4 in lower case,
	// as ISO 20022's UUIDv4Identifier requires.
	RuleUETRSyntax Rule = "uetr_syntax"
	// RuleDateTimeSyntax: an ISODateTime or ISODate that does not parse.
	RuleDateTimeSyntax Rule = "datetime_syntax"
	// RuleTextRequired: a mandatory text is empty.
	RuleTextRequired Rule = "text_required"
	// RuleTextTooLong: a text is longer than its ISO type allows
	// (Max35Text, Max140Text...). Writers never truncate.
	RuleTextTooLong Rule = "text_too_long"
	// RuleTextInvalid: a text that is not UTF-8 or holds a character XML
	// cannot carry (a control character other than tab and line breaks).
	RuleTextInvalid Rule = "text_invalid"
	// RuleCodeSyntax: a code (purpose, status, reason, charge bearer,
	// country) that does not fit its ISO type.
	RuleCodeSyntax Rule = "code_syntax"
	// RuleBICSyntax: a BIC that does not match BICFIDec2014Identifier.
	RuleBICSyntax Rule = "bic_syntax"
	// RuleRateRange: an exchange rate BaseOneRate cannot carry: more than
	// 11 integer digits, or below 10^-10.
	RuleRateRange Rule = "rate_range"
)

// Error is a rejected message or value: where (Path, an XPath-like location
// such as "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt"; empty
// when the error is not about one element), the Rule broken, and a sentence
// for people.
type Error struct {
	Path   string
	Rule   Rule
	Detail string
}

// Error writes "iso20022: path: rule: detail".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("iso20022: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Rule))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// errorAt returns err with path set when it is an *Error without one.
func errorAt(path string, err error) error {
	if e, ok := err.(*Error); ok && e.Path == "" {
		c := *e
		c.Path = path
		return &c
	}
	return err
}

// RuleStatementBalance: a statement whose closing balance is not its
// opening balance plus its booked entries.
const RuleStatementBalance Rule = "statement_balance"
