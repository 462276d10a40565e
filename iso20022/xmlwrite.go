package iso20022

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
	"unicode/utf8"

	"astara/ledger"
	"astara/money"
)

// The writers build a tree of nodes, then serialize it. Checks on values
// (lengths, patterns) are attached to the leaves and run while serializing,
// where the full path of each element is known, so an error names it:
// "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Dbtr/Nm".

// node is one element: either a leaf with text or a parent of kids.
type node struct {
	name  string
	attrs [][2]string
	text  string
	leaf  bool
	check valueCheck
	err   *Error // a value that could not even be turned into text
	kids  []*node
}

// valueCheck says what a leaf's text must be.
type valueCheck struct {
	kind valueKind
	max  int // for checkText and checkCode, the most characters
}

type valueKind uint8

const (
	checkNone valueKind = iota // text we produced ourselves: amounts, dates, counts
	checkText                  // MaxNText: 1 to max characters XML can carry
	checkCode                  // an ISO code: 1 to max ASCII upper-case letters and digits
	checkBIC                   // BICFIDec2014Identifier / AnyBICDec2014Identifier
	checkUETR                  // UUIDv4Identifier
)

// el returns an element of the non-nil kids (possibly none).
func el(name string, kids ...*node) *node {
	n := &node{name: name}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// group is el, but nil when no kid is there: for optional containers.
func group(name string, kids ...*node) *node {
	n := el(name, kids...)
	if len(n.kids) == 0 {
		return nil
	}
	return n
}

func leaf(name, text string, c valueCheck) *node {
	return &node{name: name, text: text, leaf: true, check: c}
}

// text is a mandatory MaxNText.
func text(name, s string, max int) *node { return leaf(name, s, valueCheck{checkText, max}) }

// optText is an optional MaxNText, left out when empty.
func optText(name, s string, max int) *node {
	if s == "" {
		return nil
	}
	return text(name, s, max)
}

// code is a mandatory code of up to max characters.
func code(name, s string, max int) *node { return leaf(name, s, valueCheck{checkCode, max}) }

// optCode is an optional code, left out when empty.
func optCode(name, s string, max int) *node {
	if s == "" {
		return nil
	}
	return code(name, s, max)
}

// literal is text this package made and knows to be valid.
func literal(name, s string) *node { return leaf(name, s, valueCheck{}) }

func failed(name string, err error) *node {
	n := &node{name: name, leaf: true}
	if e, ok := err.(*Error); ok {
		n.err = e
	} else {
		n.err = &Error{Rule: RuleMessageStructure, Detail: err.Error()}
	}
	return n
}

// The ISO text types' lengths.
const (
	max34  = 34
	max35  = 35
	max70  = 70
	max105 = 105
	max140 = 140
	code4  = 4
)

// agent is a BranchAndFinancialInstitutionIdentification6 with a BIC and,
// when memberID is set, a ClrSysMmbId.
func agent(name, bic, memberID string) *node {
	return el(name, el("FinInstnId",
		leaf("BICFI", bic, valueCheck{kind: checkBIC}),
		group("ClrSysMmbId", optText("MmbId", memberID, max35))))
}

// amount is an amount element with its Ccy attribute.
func amount(name string, a money.Amount, c money.Currency) *node {
	s, err := FormatAmount(a, c)
	if err != nil {
		return failed(name, err)
	}
	n := literal(name, s)
	n.attrs = [][2]string{{"Ccy", c.Code.String()}}
	return n
}

// decimal is a DecimalNumber in major units of c (TxsSummry sums).
func decimal(name string, a money.Amount, c money.Currency) *node {
	s, err := FormatAmount(a, c)
	if err != nil {
		return failed(name, err)
	}
	return literal(name, s)
}

// dateTimeLayout writes ISODateTime in UTC with Z and at most millisecond
// precision, trailing zeros dropped: "2026-03-10T09:00:00Z",
// "2026-03-10T09:00:00.25Z".
const dateTimeLayout = "2006-01-02T15:04:05.999Z07:00"

func dateTime(name string, t time.Time) *node {
	if t.IsZero() {
		return failed(name, &Error{Rule: RuleDateTimeSyntax, Detail: "the time is not set"})
	}
	return literal(name, t.UTC().Format(dateTimeLayout))
}

// date is an ISODate, given as YYYY-MM-DD.
func date(name, s string) *node {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return failed(name, &Error{Rule: RuleDateTimeSyntax, Detail: quoteShort(s) + " is not a date YYYY-MM-DD"})
	}
	return literal(name, s)
}

func optDate(name, s string) *node {
	if s == "" {
		return nil
	}
	return date(name, s)
}

func uetr(name string, id ledger.ID) *node {
	return leaf(name, id.String(), valueCheck{kind: checkUETR})
}

func optUETR(name string, id ledger.ID) *node {
	if id.IsZero() {
		return nil
	}
	return uetr(name, id)
}

// write serializes the tree under root with the XML declaration first,
// indented by two spaces, the same bytes for the same tree. The paths of
// errors start below root: "/Document/...".
func write(root *node) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xmlDeclaration)
	if err := root.write(&b, 0, ""); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func (n *node) write(b *bytes.Buffer, depth int, path string) error {
	for range depth {
		b.WriteString("  ")
	}
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + a[0] + `="`)
		xml.EscapeText(b, []byte(a[1]))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if n.leaf {
		if n.err != nil {
			e := *n.err
			e.Path = path
			return &e
		}
		if err := n.check.apply(n.text); err != nil {
			return errorAt(path, err)
		}
		xml.EscapeText(b, []byte(n.text))
	} else {
		seen := map[string]int{}
		counts := map[string]int{}
		for _, k := range n.kids {
			counts[k.name]++
		}
		for _, k := range n.kids {
			b.WriteByte('\n')
			kidPath := path + "/" + k.name
			if counts[k.name] > 1 {
				seen[k.name]++
				kidPath += "[" + strconv.Itoa(seen[k.name]) + "]"
			}
			if err := k.write(b, depth+1, kidPath); err != nil {
				return err
			}
		}
		if len(n.kids) > 0 {
			b.WriteByte('\n')
			for range depth {
				b.WriteString("  ")
			}
		}
	}
	b.WriteString("</" + n.name + ">")
	return nil
}

// apply checks s against c and returns an *Error without a Path.
func (c valueCheck) apply(s string) error {
	switch c.kind {
	case checkText:
		return checkTextValue(s, c.max)
	case checkCode:
		if s == "" || len(s) > c.max || !isUpperAlnum(s) {
			return &Error{Rule: RuleCodeSyntax, Detail: quoteShort(s) + " is not a code of 1 to " +
				strconv.Itoa(c.max) + " upper-case letters and digits"}
		}
	case checkBIC:
		if !IsBIC(s) {
			return &Error{Rule: RuleBICSyntax, Detail: quoteShort(s) + " is not a BIC (8 or 11 characters)"}
		}
	case checkUETR:
		if !isUUIDv4(s) {
			return &Error{Rule: RuleUETRSyntax, Detail: s + " is not a UUID version 4 (RFC 4122 variant)"}
		}
	}
	return nil
}

func checkTextValue(s string, max int) error {
	switch {
	case s == "":
		return &Error{Rule: RuleTextRequired, Detail: "the text is empty"}
	case !utf8.ValidString(s):
		return &Error{Rule: RuleTextInvalid, Detail: "the text is not UTF-8"}
	}
	n := 0
	for _, r := range s {
		n++
		if !isXMLChar(r) {
			return &Error{Rule: RuleTextInvalid, Detail: "the text holds the character " +
				strconv.QuoteRune(r) + ", which XML cannot carry"}
		}
	}
	if n > max {
		return &Error{Rule: RuleTextTooLong, Detail: "the text has " + strconv.Itoa(n) +
			" characters; at most " + strconv.Itoa(max) + " are allowed"}
	}
	return nil
}

// isXMLChar reports whether r is a Char of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func isUpperAlnum(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// IsBIC reports whether s is a BIC as ISO 20022 writes it
// (BICFIDec2014Identifier): four letters or digits for the institution, two
// letters for the country, two letters or digits for the location and
// optionally three for the branch, all upper case.
func IsBIC(s string) bool {
	if (len(s) != 8 && len(s) != 11) || !isUpperAlnum(s) {
		return false
	}
	for i := 4; i < 6; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isUUIDv4 reports whether s matches UUIDv4Identifier: lower-case
// 8-4-4-4-12 hexadecimal digits, version 4, variant 8, 9, a or b.
func isUUIDv4(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b')
}

// isIBAN reports whether s has the form IBAN2007Identifier requires: two
// upper-case letters, two digits, 1 to 30 letters and digits. The check
// digits are not verified here; payments.ValidateIBAN does that at the API.
func isIBAN(s string) bool {
	if len(s) < 5 || len(s) > 34 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case i < 2:
			if c < 'A' || c > 'Z' {
				return false
			}
		case i < 4:
			if c < '0' || c > '9' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}
