// Package xsd checks ISO 20022 messages against their official XML
// schemas, in pure Go, before Astara acts on them.
//
// ISO 20022 schemas use a small, regular part of XML Schema: named simple
// types restricting a built-in (string, decimal, date, dateTime, boolean,
// time, gYearMonth) with length, pattern, enumeration, digit and range
// facets; named complex types whose content is a sequence or a choice of
// elements (nested, with minOccurs and maxOccurs), or simple content with
// attributes (an amount and its Ccy); and lax wildcards. Load compiles
// exactly that subset and refuses anything else, so that a schema is never
// half checked. Default holds the seven schemas Astara speaks, embedded.
//
// Validate reads a message as banks send it (a bare Document, or an
// envelope holding an AppHdr and a Document, with a default or a prefixed
// namespace) and returns the first rule it breaks as an *Error: a stable
// Rule, the element's path, its line, and a sentence naming the value, the
// type and the limit. Content models are matched in one pass: ISO schemas
// are deterministic (Unique Particle Attribution), so the next element's
// name decides each step. Values are checked exactly, digits counted on the
// text, never through a float. A DOCTYPE or entity declaration is refused
// outright, and the input's size, depth and element count are bounded.
package xsd
