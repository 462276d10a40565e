package xsd

import "fmt"

// Rule is the stable, machine-readable name of the schema rule a message
// breaks. Callers switch on it (for example to pick an ISO 20022 rejection
// reason code); its values never change once released.
type Rule string

// The rules Validate reports. Each Error carries exactly one.
const (
	// RuleMalformed: the input is not well-formed XML, or it carries a DTD or
	// entity declaration (refused outright, see Validate).
	RuleMalformed Rule = "malformed"
	// RuleUnknownMessage: no schema of the Set covers the root's namespace
	// and name, or an envelope holds no known Document.
	RuleUnknownMessage Rule = "unknown_message"
	// RuleUnexpectedElement: an element that is not allowed where it stands:
	// unknown, in the wrong namespace, or out of order.
	RuleUnexpectedElement Rule = "unexpected_element"
	// RuleMissingElement: a required element is absent; the Path names it.
	RuleMissingElement Rule = "missing_element"
	// RuleTooMany: an element occurs more often than its maxOccurs.
	RuleTooMany Rule = "too_many"
	// RuleMissingAttribute: a required attribute (such as Ccy) is absent.
	RuleMissingAttribute Rule = "missing_attribute"
	// RuleUnexpectedAttribute: an attribute the type does not declare.
	RuleUnexpectedAttribute Rule = "unexpected_attribute"
	// RuleLength: a value breaks a length, minLength or maxLength facet.
	RuleLength Rule = "length"
	// RulePattern: a value does not match the type's pattern facet.
	RulePattern Rule = "pattern"
	// RuleEnumeration: a value is not one of the type's enumerated codes.
	RuleEnumeration Rule = "enumeration"
	// RuleTotalDigits: a decimal has more significant digits than allowed.
	RuleTotalDigits Rule = "total_digits"
	// RuleFractionDigits: a decimal has more digits after the point than allowed.
	RuleFractionDigits Rule = "fraction_digits"
	// RuleRange: a value is outside minInclusive/maxInclusive (or the
	// exclusive bounds).
	RuleRange Rule = "range"
	// RuleSyntax: a value is not a lexically valid decimal, date, dateTime,
	// boolean, ... of the type's base type.
	RuleSyntax Rule = "syntax"
	// RuleTooDeep: elements are nested deeper than DepthMax.
	RuleTooDeep Rule = "too_deep"
	// RuleTooLarge: the input exceeds DocumentBytesMax or ElementsMax.
	RuleTooLarge Rule = "too_large"
	// RuleMixedContent: non-whitespace text inside an element whose type
	// allows only child elements.
	RuleMixedContent Rule = "mixed_content"
)

// Error describes the first rule a message breaks, in document order.
type Error struct {
	// Path is the element path from the Document or AppHdr element, e.g.
	// "/Document/FIToFICstmrCdtTrf/GrpHdr/MsgId". An element whose
	// declaration allows it to repeat carries its 1-based position among
	// same-named siblings ("CdtTrfTxInf[2]"); an attribute ends in "/@Ccy".
	// Path is empty for errors that concern the input as a whole
	// (malformed, too large).
	Path string
	// Line is the 1-based line of the offending element in the input.
	Line int
	// Rule is the stable machine word for the broken rule.
	Rule Rule
	// Detail is a sentence for people: it names the value (truncated), the
	// type and the limit that was broken.
	Detail string
}

// Error formats the error as "xsd: <path>: <rule>: <detail> (line <n>)".
func (e *Error) Error() string {
	where := e.Path
	if where == "" {
		where = "(document)"
	}
	return fmt.Sprintf("xsd: %s: %s: %s (line %d)", where, e.Rule, e.Detail, e.Line)
}

// quote renders a value for an error Detail: quoted, and cut to about 40
// characters so that a hostile megabyte-long value does not end up in logs.
func quote(s string) string {
	const keep = 40
	n := 0
	for i := range s {
		if n == keep {
			return fmt.Sprintf("%q…", s[:i])
		}
		n++
	}
	return fmt.Sprintf("%q", s)
}
