package money

// ParseCurrencyTable exposes the currency table reader to the external
// tests, so they can feed it broken tables.
var ParseCurrencyTable = parseCurrencyTable
