// Package iso20022 maps Astara's payments to and from the ISO 20022 messages
// banks exchange with the switch, and is the only package that knows XML.
//
// # Messages and versions
//
// The switch reads pacs.008.001.08 (a customer credit transfer a sending
// bank asks it to forward: ReadPacs008), pacs.002.001.10 (a receiving bank's
// status report on a payment the switch forwarded: ReadPacs002) and
// pacs.004.001.09 or .10 (a receiving bank's return: ReadPacs004). It writes
// pacs.008.001.08 (the payment forwarded to the receiving bank:
// WritePacs008), pacs.002.001.10 (its own answer to a message:
// WritePacs002), pacs.004.001.09 (a return to the sending bank:
// WritePacs004), pacs.009.001.08 (settlement instructions between banks at
// the close of a settlement window: WritePacs009), camt.053.001.08 (a
// participant's statement for a day: WriteCamt053) and camt.054.001.08 (a
// debit or credit notification: WriteCamt054). These are the versions of
// SWIFT's CBPR+ and of most market infrastructures today.
//
// # The envelope
//
// A message arrives as a bare Document, with its namespace as the default
// or behind a prefix, or beside a business application header
// (head.001.001.02 AppHdr) inside an envelope element of any name and
// namespace. Split takes any of these apart; the readers use it, so they read
// them all alike. The Document's namespace names its message definition
// ("pacs.008.001.08"), which each reader checks. Every message written is a
// business message: an Envelope (EnvelopeNamespace) holding the AppHdr (Fr
// and To by BIC, BizMsgIdr the message id, MsgDefIdr the definition, CreDt
// in UTC) and the Document. DocumentOf and HeaderOf cut out either part as a
// standalone file, for schema validation and for banks that want the
// Document bare. Output is indented and deterministic: the same inputs give
// the same bytes, so golden files pin every writer (testdata/golden, rewritten
// with go test ./iso20022/ -rewrite).
//
// # Amounts
//
// Money is never a float here: an amount's text is read as an exact decimal
// into money.Amount and written back from it. ISO 4217 still gives the
// Iranian rial two minor digits (the long-gone dinar) while Astara counts
// whole rials (money's MinorUnits 0, ISOMinorUnits 2). ParseAmount therefore
// accepts up to ISOMinorUnits fraction digits but refuses any non-zero digit
// beyond MinorUnits: IRR "1092907500.00" is 1092907500 rials, "1092907500.50"
// is refused, since a rial has no fraction. FormatAmount writes MinorUnits
// digits (whole rials for IRR), which the schemas allow, and refuses amounts
// of more than 18 digits, the schemas' totalDigits. Exchange rates are
// written as BaseOneRate (11 digits, 10 after the point), rounded down
// when they have more: the rate informs, the amounts are what is paid.
//
// # What is validated where
//
// Inbound messages are validated against their XSD by the xsd package before
// they reach the readers; the readers do not repeat it. They refuse what is
// dangerous or cannot be interpreted: inputs over MessageBytesMax, DOCTYPE
// and entity declarations (refused outright, though encoding/xml would not
// expand them), XML that is not well formed, another message definition,
// more than TransactionsMax transactions, an NbOfTxs that does not match,
// amounts that break the rule above, UETRs that are not UUIDs. They never
// panic (FuzzReadPacs008). Business rules (names present, accounts valid,
// one remittance line) belong to the payments package, which gets the
// values unaltered.
//
// Outbound messages are checked while they are written: every text against
// its ISO type (Max35Text, Max140Text... too long is an error, never a silent
// truncation), codes, BICs, IBAN form, UUIDv4 UETRs, dates and amounts. The
// tests validate every writer's output with xmllint against the official
// schemas in testdata/xsd. Errors, read or written, are *Error values with
// the element's path and a stable Rule.
package iso20022
