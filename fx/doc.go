// Package fx holds Astara's exchange rates: quotes per currency pair, each
// with its source and its time, the feeds they come from, and the rules for
// answering "what rate applies now".
//
// # Every rate names its source
//
// The first corridor is the rouble against the Iranian rial, and Iran has
// several official rates at once: the Central Bank of Iran's list, the rate
// of the exchange centre (ICE, formerly NIMA) for importers and exporters,
// the exchange offices' SANA rate, the old preferential rate, and a free
// market far from all of them. The Bank of Russia's own IRR rate is close to
// the CBI's list, not to the market. A rate without its source is therefore
// meaningless, and a corridor configures which source it uses. A [Quote]
// always carries its Source, and [Book.Lookup] answers a question about one
// source only: it never completes one source's rates with another's.
//
// # Direct first; derived only where the corridor says so
//
// Rates between the two national currencies are quoted directly (RUB/IRR),
// with no third currency in between; that is the point of the corridor. A
// [Book] therefore answers with, in order: the direct quote; the inverse of
// the quote of the opposite direction (IRR per RUB from RUB per IRR, marked
// Inverted); and only if the caller allows it, a cross through a third
// currency such as USD, computed from two quotes of the same source and
// marked Derived with its Via currency. Whether a cross is allowed, and
// through what, is the corridor's decision, passed to every Lookup.
//
// A quote has two times. AsOf is when the rate holds from: the Bank of
// Russia's effective date at 00:00 Moscow time, the ECB's publication at
// 16:00 Frankfurt time, the moment an operator's rate was set. Received is
// when Astara got it. Freshness is measured from AsOf, against a maximum age
// the caller gives, and a quote announced for tomorrow is not used today.
//
// # Exact, and rounded once
//
// Rates are money.Rate values, exact decimals; there is no floating point in
// this package. A feed's rate is taken exactly as published, or computed
// exactly (the Bank of Russia's Value / Nominal). A computed rate (an
// inverse, a cross) is computed exactly from the stored rates and rounded
// once, half-even, to the number of fraction digits the caller asks for.
//
// # Feeds
//
// [ParseCBR] reads the Bank of Russia's daily XML (windows-1251, decimal
// commas, a nominal per currency such as 100,000 IRR) and [ParseECB] the
// ECB's euro reference rates (one day, or a history). This package is the
// adapter for rate data, so the feed formats belong here, but it does no I/O:
// callers fetch the bytes and hand them over with the time they were
// received. Both parsers bound their input ([FeedBytesMax],
// [FeedQuotesMax]), take a feed whole or not at all, and report faults as a
// [*FeedError] naming the element, the line and a stable [Rule]. Operators'
// manual rates go straight to [Book.Set] under their own source name.
//
// # Errors
//
// Every error a caller may act on carries a stable Rule ([RuleOf]): feed
// faults ("feed_value", ...), a refused quote ("fx_quote_invalid"), no rate
// ("fx_no_rate", [ErrNoRate]) and a stale one ("fx_rate_stale",
// [ErrRateStale], with the quote's age and the limit). Match on the Rule or
// with errors.Is, never on the message.
package fx
