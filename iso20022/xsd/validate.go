package xsd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what Validate reads.
const (
	// DocumentBytesMax is the largest message Validate reads.
	DocumentBytesMax = 4 << 20
	// DepthMax is the deepest nesting of elements Validate follows; ISO
	// 20022 documents nest about 15 deep.
	DepthMax = 64
	// ElementsMax is the most elements one message may hold.
	ElementsMax = 200_000
)

const (
	isoNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"
	xsiNamespace       = "http://www.w3.org/2001/XMLSchema-instance"
	xmlnsNamespace     = "xmlns"
)

// elem is a parsed element of the message.
type elem struct {
	name     xml.Name
	attrs    []xml.Attr
	text     strings.Builder
	children []*elem
	line     int
}

// Validate checks every ISO 20022 element of a message: the root itself
// when it is the Document (or AppHdr) of a namespace of the set, or else
// each child of the root (an envelope of any name and namespace) that is.
// It returns the namespaces it validated, in document order. A DTD or
// entity declaration is refused outright (RuleMalformed): that, and the
// limits DocumentBytesMax, DepthMax and ElementsMax, make it safe on any
// input. The first rule broken is returned as an *Error.
func (s *Set) Validate(data []byte) ([]string, error) {
	if len(data) > DocumentBytesMax {
		return nil, &Error{Rule: RuleTooLarge, Detail: fmt.Sprintf("the message has %d bytes; at most %d are read", len(data), DocumentBytesMax)}
	}
	root, err := parseMessage(data)
	if err != nil {
		return nil, err
	}
	candidates := []*elem{root}
	if _, ok := s.schemas[root.name.Space]; !ok {
		if strings.HasPrefix(root.name.Space, isoNamespacePrefix) {
			return nil, &Error{Path: "/" + root.name.Local, Line: root.line, Rule: RuleUnknownMessage,
				Detail: fmt.Sprintf("no schema for %s", strings.TrimPrefix(root.name.Space, isoNamespacePrefix))}
		}
		candidates = root.children
	}
	var done []string
	for _, e := range candidates {
		sc, ok := s.schemas[e.name.Space]
		if !ok || e.name.Local != sc.rootName {
			if strings.HasPrefix(e.name.Space, isoNamespacePrefix) {
				return done, &Error{Path: "/" + e.name.Local, Line: e.line, Rule: RuleUnknownMessage,
					Detail: fmt.Sprintf("no schema for %s in %s", e.name.Local, e.name.Space)}
			}
			continue
		}
		v := validator{sc: sc}
		if err := v.element(e, sc.root, "/"+e.name.Local); err != nil {
			return done, err
		}
		done = append(done, sc.namespace)
	}
	if len(done) == 0 || !hasDocument(s, done) {
		return done, &Error{Line: root.line, Rule: RuleUnknownMessage,
			Detail: fmt.Sprintf("no ISO 20022 Document of a known message in <%s> (%s)", root.name.Local, root.name.Space)}
	}
	return done, nil
}

func hasDocument(s *Set, namespaces []string) bool {
	for _, ns := range namespaces {
		if s.schemas[ns].rootName == "Document" {
			return true
		}
	}
	return false
}

func parseMessage(data []byte) (*elem, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*elem
	var root *elem
	count := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if root == nil || len(stack) > 0 {
				return nil, &Error{Rule: RuleMalformed, Detail: "the message ends before its root element does"}
			}
			return root, nil
		}
		line, _ := dec.InputPos()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return nil, &Error{Line: line, Rule: RuleMalformed, Detail: err.Error()}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &Error{Line: line, Rule: RuleMalformed, Detail: "a DOCTYPE or entity declaration is refused"}
		case xml.StartElement:
			count++
			if count > ElementsMax {
				return nil, &Error{Line: line, Rule: RuleTooLarge, Detail: fmt.Sprintf("more than %d elements", ElementsMax)}
			}
			if len(stack) >= DepthMax {
				return nil, &Error{Line: line, Rule: RuleTooDeep, Detail: fmt.Sprintf("elements nest deeper than %d", DepthMax)}
			}
			if root != nil && len(stack) == 0 {
				return nil, &Error{Line: line, Rule: RuleMalformed, Detail: "a second root element"}
			}
			e := &elem{name: t.Name, attrs: t.Attr, line: line}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, &Error{Line: line, Rule: RuleMalformed, Detail: "text outside the root element"}
			}
		}
	}
}

type validator struct {
	sc *schema
}

func (v *validator) element(e *elem, t *elementType, path string) error {
	ct := t.complex
	if err := v.attributes(e, ct, path); err != nil {
		return err
	}
	if t.simple != nil || ct.text != nil {
		st := t.simple
		if st == nil {
			st = ct.text
		}
		if len(e.children) > 0 {
			c := e.children[0]
			return &Error{Path: path + "/" + c.name.Local, Line: c.line, Rule: RuleUnexpectedElement,
				Detail: fmt.Sprintf("%s holds a value of type %s, not elements", e.name.Local, st.name)}
		}
		if r, d := st.check(e.text.String()); r != "" {
			return &Error{Path: path, Line: e.line, Rule: r, Detail: d}
		}
		return nil
	}
	if strings.TrimSpace(e.text.String()) != "" {
		return &Error{Path: path, Line: e.line, Rule: RuleMixedContent,
			Detail: fmt.Sprintf("text %s inside %s, whose type %s holds only elements", quote(strings.TrimSpace(e.text.String())), e.name.Local, ct.name)}
	}
	m := matcher{v: v, parent: e, path: path, model: ct.model}
	i, err := m.match(ct.model, 0)
	if err != nil {
		return err
	}
	if i < len(e.children) {
		c := e.children[i]
		rule, detail := RuleUnexpectedElement, fmt.Sprintf("%s is not allowed here in %s (type %s)", c.name.Local, e.name.Local, ct.name)
		if c.name.Space != v.sc.namespace {
			detail = fmt.Sprintf("%s is in namespace %q, not %s", c.name.Local, c.name.Space, v.sc.namespace)
		} else if m.full[c.name.Local] {
			rule, detail = RuleTooMany, fmt.Sprintf("%s occurs more often than type %s allows", c.name.Local, ct.name)
		}
		return &Error{Path: m.childPath(c, i), Line: c.line, Rule: rule, Detail: detail}
	}
	return nil
}

func (v *validator) attributes(e *elem, ct *complexType, path string) error {
	for _, a := range e.attrs {
		if a.Name.Space == xmlnsNamespace || (a.Name.Space == "" && a.Name.Local == "xmlns") || a.Name.Space == xsiNamespace {
			continue
		}
		var decl *attribute
		if ct != nil && a.Name.Space == "" {
			for i := range ct.attrs {
				if ct.attrs[i].name == a.Name.Local {
					decl = &ct.attrs[i]
				}
			}
		}
		if decl == nil {
			return &Error{Path: path + "/@" + a.Name.Local, Line: e.line, Rule: RuleUnexpectedAttribute,
				Detail: fmt.Sprintf("%s takes no attribute %s", e.name.Local, a.Name.Local)}
		}
		if r, d := decl.typ.check(a.Value); r != "" {
			return &Error{Path: path + "/@" + a.Name.Local, Line: e.line, Rule: r, Detail: d}
		}
	}
	if ct == nil {
		return nil
	}
	for _, decl := range ct.attrs {
		if !decl.required {
			continue
		}
		found := false
		for _, a := range e.attrs {
			found = found || (a.Name.Space == "" && a.Name.Local == decl.name)
		}
		if !found {
			return &Error{Path: path + "/@" + decl.name, Line: e.line, Rule: RuleMissingAttribute,
				Detail: fmt.Sprintf("%s requires the attribute %s", e.name.Local, decl.name)}
		}
	}
	return nil
}

// matcher matches a parent's children against a content model. ISO 20022
// models are deterministic (XML Schema's Unique Particle Attribution), so
// the next child's name decides every step: no backtracking is needed.
type matcher struct {
	v      *validator
	parent *elem
	path   string
	model  *particle       // the parent's content model
	full   map[string]bool // element names that reached their maxOccurs
}

func (m *matcher) childPath(c *elem, i int) string {
	n := 0
	total := 0
	for j, x := range m.parent.children {
		if x.name.Local == c.name.Local {
			total++
			if j <= i {
				n++
			}
		}
	}
	if total > 1 {
		return m.path + "/" + c.name.Local + "[" + strconv.Itoa(n) + "]"
	}
	return m.path + "/" + c.name.Local
}

// starts reports whether particle p can begin with child c.
func (m *matcher) starts(p *particle, c *elem) bool {
	switch p.kind {
	case pElement:
		return c.name.Space == m.v.sc.namespace && c.name.Local == p.name
	case pAny:
		return p.namespace == "##any" || p.namespace == c.name.Space
	case pChoice:
		for _, x := range p.children {
			if m.starts(x, c) {
				return true
			}
		}
		return false
	default:
		for _, x := range p.children {
			if m.starts(x, c) {
				return true
			}
			if !m.optional(x) {
				return false
			}
		}
		return false
	}
}

// optional reports whether p can match nothing.
func (m *matcher) optional(p *particle) bool {
	if p.min == 0 {
		return true
	}
	switch p.kind {
	case pSequence:
		for _, x := range p.children {
			if !m.optional(x) {
				return false
			}
		}
		return true
	case pChoice:
		for _, x := range p.children {
			if m.optional(x) {
				return true
			}
		}
		return false
	}
	return false
}

// match matches p from child i and returns the index after it.
func (m *matcher) match(p *particle, i int) (int, error) {
	kids := m.parent.children
	n := 0
	for p.max < 0 || n < p.max {
		if i >= len(kids) || !m.starts(p, kids[i]) {
			if n == 0 && p.min > 0 && m.optional(p) {
				// A group whose members are all optional matches nothing.
				return i, nil
			}
			break
		}
		j, err := m.once(p, i)
		if err != nil {
			return i, err
		}
		if j == i {
			break
		}
		i = j
		n++
	}
	if n < p.min && !(n == 0 && m.optional(p)) {
		return i, m.missing(p, i)
	}
	if p.kind == pElement && p.max >= 0 && n == p.max {
		if m.full == nil {
			m.full = map[string]bool{}
		}
		m.full[p.name] = true
	}
	return i, nil
}

// once matches one occurrence of p, which starts at child i.
func (m *matcher) once(p *particle, i int) (int, error) {
	kids := m.parent.children
	switch p.kind {
	case pElement:
		c := kids[i]
		if err := m.v.element(c, p.typ, m.childPath(c, i)); err != nil {
			return i, err
		}
		return i + 1, nil
	case pAny:
		// processContents lax: a wildcard's content is not checked.
		return i + 1, nil
	case pChoice:
		for _, x := range p.children {
			if m.starts(x, kids[i]) {
				return m.match(x, i)
			}
		}
		return i, nil
	default:
		for _, x := range p.children {
			j, err := m.match(x, i)
			if err != nil {
				return i, err
			}
			i = j
		}
		return i, nil
	}
}

// missing reports the first element p requires that is not at child i.
func (m *matcher) missing(p *particle, i int) error {
	line, at := m.parent.line, ""
	names := m.firstNames(p)
	if i < len(m.parent.children) {
		// Something else stands where the model needs names[0]: that
		// element is the fault, as a reader of the message sees it.
		c := m.parent.children[i]
		rule := RuleUnexpectedElement
		switch {
		case c.name.Space != m.v.sc.namespace:
		case m.full[c.name.Local]:
			rule = RuleTooMany
		case declares(m.model, c.name.Local) && len(names) == 1:
			// A known element, come too early: what is missing is the
			// one the model needs first.
			return &Error{Path: m.path + "/" + names[0], Line: c.line, Rule: RuleMissingElement,
				Detail: fmt.Sprintf("%s requires %s before %s", m.parent.name.Local, names[0], c.name.Local)}
		}
		return &Error{Path: m.childPath(c, i), Line: c.line, Rule: rule,
			Detail: fmt.Sprintf("%s is not allowed here in %s; expected %s", c.name.Local, m.parent.name.Local, strings.Join(names, " or "))}
	}
	if len(names) == 1 {
		return &Error{Path: m.path + "/" + names[0], Line: line, Rule: RuleMissingElement,
			Detail: fmt.Sprintf("%s requires %s here%s", m.parent.name.Local, names[0], at)}
	}
	return &Error{Path: m.path, Line: line, Rule: RuleMissingElement,
		Detail: fmt.Sprintf("%s requires one of %s here%s", m.parent.name.Local, strings.Join(names, ", "), at)}
}

func (m *matcher) firstNames(p *particle) []string {
	switch p.kind {
	case pElement:
		return []string{p.name}
	case pAny:
		return []string{"an element of " + p.namespace}
	case pChoice:
		var out []string
		for _, x := range p.children {
			out = append(out, m.firstNames(x)...)
		}
		return out
	default:
		for _, x := range p.children {
			if !m.optional(x) {
				return m.firstNames(x)
			}
		}
		return nil
	}
}

// declares reports whether the model names an element.
func declares(p *particle, name string) bool {
	if p.kind == pElement {
		return p.name == name
	}
	for _, c := range p.children {
		if declares(c, name) {
			return true
		}
	}
	return false
}
