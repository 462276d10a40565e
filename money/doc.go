// Package money holds Astara's vocabulary for value: currencies, amounts,
// exchange rates and rounding. Every other package that touches money speaks
// in these types, and none of them uses floating point.
//
// # No floats
//
// A float64 cannot hold 0.10 exactly, and a payment switch that loses a
// kopeck per transfer loses it millions of times. Amounts here are integers
// and rates are exact decimals; where a result needs more precision than 128
// bits the package computes it exactly with math/big and then rounds once, in
// the mode the caller names.
//
// # Minor units
//
// An [Amount] is an unsigned 128-bit count of a currency's minor units:
// kopecks for RUB, cents for USD, whole rials for IRR. Amounts are never
// negative; direction lives in the ledger (debits and credits), not in a
// sign. 128 bits holds any realistic balance in any currency, including the
// large nominal values of the rial, with room for sums of many balances.
// Arithmetic is checked: an operation that would overflow or go below zero
// reports it instead of wrapping.
//
// An Amount carries no currency. The text form that users see, in major units
// ("20000000.00"), needs one: [ParseAmount] and [FormatAmount] take the
// [Currency] whose exponent they apply. [Amount.String] writes the bare count
// of minor units, for journals and logs.
//
// # The currency table and the rial
//
// The table of currencies ([LookupCurrency], [Currencies]) is data, shipped in
// the binary from currencies.csv and versioned by [TableVersion]. Each
// currency has two exponents: [Currency.MinorUnits], the one Astara counts
// amounts in, and [Currency.ISOMinorUnits], the one ISO 4217 publishes and
// ISO 20022 messages are written with. They differ for the Iranian rial: ISO
// gives it 2 digits (the dinar), but the dinar has not been used for decades
// and banks, prices and CLDR all count whole rials, so Astara's exponent is
// 0. Iran's redenomination (10,000 old rials to one new rial, with a 3-year
// transition) will be a new table version, not a code change.
//
// # Rounding is always explicit
//
// Any operation that can produce a fraction of a minor unit ([Convert],
// [Percent], [DivUint64], [Rate.Invert], [Rate.Mul]) takes a [RoundingMode],
// and the zero RoundingMode is invalid, so a forgotten mode is caught rather
// than silently rounding down. Which way to round is a business decision (the
// payments layer rounds fees up, for example) and is made where the business
// rule lives, not here.
//
// # Errors
//
// Bad input gets a typed error ([*AmountError], [*RateError],
// [*CurrencyError]) carrying a stable [Rule] code such as
// "amount_too_many_decimals", which the HTTP layer passes on to clients.
// Callers match on the Rule (see [RuleOf]), never on the message.
package money
