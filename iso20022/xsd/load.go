package xsd

import (
	"embed"
	"encoding/xml"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed schemas/*.xsd
var embedded embed.FS

const xsNamespace = "http://www.w3.org/2001/XMLSchema"

// Set is a compiled set of schemas, one per target namespace. It is safe
// for concurrent use.
type Set struct {
	schemas map[string]*schema
}

// schema is one compiled XSD: its root element (Document or AppHdr) and
// its named types.
type schema struct {
	namespace string
	rootName  string
	root      *elementType
	simple    map[string]*simpleType
	complex   map[string]*complexType
}

// elementType is what an element may hold: simple content (simple set), or
// a complex type with attributes and a content model.
type elementType struct {
	name    string
	simple  *simpleType
	complex *complexType
}

// complexType is a compiled xs:complexType. Exactly one of model and text
// describes its content: child elements, or simple content with
// attributes.
type complexType struct {
	name  string
	model *particle   // element-only content; nil for simple content
	text  *simpleType // simple content
	attrs []attribute
}

type attribute struct {
	name     string
	typ      *simpleType
	required bool
}

type particleKind int

const (
	pElement particleKind = iota
	pSequence
	pChoice
	pAny
)

// particle is one node of a content model: an element, a sequence, a
// choice or a wildcard, with its occurrence bounds (max -1: unbounded).
type particle struct {
	kind      particleKind
	min, max  int
	name      string // element
	typeName  string // element, resolved into typ after loading
	typ       *elementType
	namespace string // any: "##any" or one namespace
	children  []*particle
}

// node is a parsed XSD element.
type node struct {
	local    string
	attrs    map[string]string
	children []*node
}

var (
	defaultOnce sync.Once
	defaultSet  *Set
)

// Default returns the set of the schemas Astara speaks, embedded in the
// binary: pacs.002.001.10, pacs.004.001.09, pacs.008.001.08,
// pacs.009.001.08, camt.053.001.08, camt.054.001.08 and head.001.001.02.
// It is compiled once; a failure is a broken build, and panics.
func Default() *Set {
	defaultOnce.Do(func() {
		sub, err := fs.Sub(embedded, "schemas")
		if err == nil {
			defaultSet, err = Load(sub)
		}
		if err != nil {
			panic("xsd: the embedded schemas: " + err.Error())
		}
	})
	return defaultSet
}

// Load compiles every *.xsd file in fsys. A construct outside the subset
// ISO 20022 schemas use is an error, so that no schema is half checked.
func Load(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.xsd")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("xsd: no *.xsd file")
	}
	set := &Set{schemas: map[string]*schema{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		sc, err := compile(data)
		if err != nil {
			return nil, fmt.Errorf("xsd: %s: %w", path.Base(name), err)
		}
		if _, dup := set.schemas[sc.namespace]; dup {
			return nil, fmt.Errorf("xsd: %s: a second schema for %s", name, sc.namespace)
		}
		set.schemas[sc.namespace] = sc
	}
	return set, nil
}

// Namespaces returns the target namespaces of the set, sorted.
func (s *Set) Namespaces() []string {
	out := make([]string, 0, len(s.schemas))
	for ns := range s.schemas {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func parseXSD(data []byte) (*node, error) {
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != xsNamespace {
				// Annotations' contents and foreign elements are not schema
				// components; ISO schemas have none.
				return nil, fmt.Errorf("element %s:%s outside XML Schema", t.Name.Space, t.Name.Local)
			}
			n := &node{local: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "" {
					n.attrs[a.Name.Local] = a.Value
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func compile(data []byte) (*schema, error) {
	root, err := parseXSD(data)
	if err != nil {
		return nil, err
	}
	if root.local != "schema" {
		return nil, fmt.Errorf("the root is %s, not xs:schema", root.local)
	}
	if root.attrs["elementFormDefault"] != "qualified" {
		return nil, fmt.Errorf("elementFormDefault is not qualified")
	}
	sc := &schema{namespace: root.attrs["targetNamespace"], simple: map[string]*simpleType{}, complex: map[string]*complexType{}}
	if sc.namespace == "" {
		return nil, fmt.Errorf("no targetNamespace")
	}
	simpleNodes := map[string]*node{}
	var rootElem *node
	for _, c := range root.children {
		switch c.local {
		case "simpleType":
			simpleNodes[c.attrs["name"]] = c
		case "complexType":
			sc.complex[c.attrs["name"]] = &complexType{name: c.attrs["name"]}
		case "element":
			if rootElem != nil {
				return nil, fmt.Errorf("more than one global element")
			}
			rootElem = c
		case "annotation":
		default:
			return nil, fmt.Errorf("unsupported top-level xs:%s", c.local)
		}
	}
	if rootElem == nil {
		return nil, fmt.Errorf("no global element")
	}
	// Simple types derive from built-ins or from one another: resolve them
	// depth first.
	var resolve func(name string, seen map[string]bool) (*simpleType, error)
	resolve = func(name string, seen map[string]bool) (*simpleType, error) {
		if t, ok := sc.simple[name]; ok {
			return t, nil
		}
		if local, ok := strings.CutPrefix(name, "xs:"); ok {
			k, ok := builtins[local]
			if !ok {
				return nil, fmt.Errorf("unsupported built-in type %s", name)
			}
			return builtinType(local, k), nil
		}
		n, ok := simpleNodes[name]
		if !ok {
			return nil, fmt.Errorf("unknown simple type %q", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("simple type %q derives from itself", name)
		}
		seen[name] = true
		t, err := compileSimple(name, n, func(base string) (*simpleType, error) { return resolve(base, seen) })
		if err != nil {
			return nil, err
		}
		sc.simple[name] = t
		return t, nil
	}
	for name := range simpleNodes {
		if _, err := resolve(name, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	lookupSimple := func(name string) (*simpleType, error) { return resolve(name, map[string]bool{}) }
	for _, c := range root.children {
		if c.local != "complexType" {
			continue
		}
		if err := compileComplex(sc.complex[c.attrs["name"]], c, lookupSimple); err != nil {
			return nil, fmt.Errorf("complex type %s: %w", c.attrs["name"], err)
		}
	}
	// Element types resolve to a complex type or a simple one.
	types := map[string]*elementType{}
	typeOf := func(name string) (*elementType, error) {
		if t, ok := types[name]; ok {
			return t, nil
		}
		if ct, ok := sc.complex[name]; ok {
			t := &elementType{name: name, complex: ct}
			types[name] = t
			return t, nil
		}
		st, err := lookupSimple(name)
		if err != nil {
			return nil, err
		}
		t := &elementType{name: name, simple: st}
		types[name] = t
		return t, nil
	}
	var link func(p *particle) error
	link = func(p *particle) error {
		if p.kind == pElement {
			t, err := typeOf(p.typeName)
			if err != nil {
				return fmt.Errorf("element %s: %w", p.name, err)
			}
			p.typ = t
		}
		for _, c := range p.children {
			if err := link(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, ct := range sc.complex {
		if ct.model != nil {
			if err := link(ct.model); err != nil {
				return nil, fmt.Errorf("complex type %s: %w", ct.name, err)
			}
		}
	}
	sc.rootName = rootElem.attrs["name"]
	if sc.root, err = typeOf(rootElem.attrs["type"]); err != nil {
		return nil, err
	}
	return sc, nil
}

func builtinType(local string, k builtin) *simpleType {
	ws := wsCollapse
	switch k {
	case bString:
		ws = wsPreserve
	case bNormalizedString:
		ws = wsReplace
	}
	return &simpleType{name: "xs:" + local, base: k, ws: ws}
}

// compileSimple compiles a named xs:simpleType: one xs:restriction of a
// built-in or of another simple type, with its facets.
func compileSimple(name string, n *node, base func(string) (*simpleType, error)) (*simpleType, error) {
	var r *node
	for _, c := range n.children {
		switch c.local {
		case "restriction":
			r = c
		case "annotation":
		default:
			return nil, fmt.Errorf("simple type %s: unsupported xs:%s", name, c.local)
		}
	}
	if r == nil {
		return nil, fmt.Errorf("simple type %s: no xs:restriction", name)
	}
	b, err := base(r.attrs["base"])
	if err != nil {
		return nil, fmt.Errorf("simple type %s: %w", name, err)
	}
	t := &simpleType{name: name, base: b.base, ws: b.ws, steps: append([]*facets(nil), b.steps...)}
	f := newFacets()
	var patterns []string
	integer := func(c *node) (int, error) {
		v, err := strconv.Atoi(c.attrs["value"])
		if err != nil || v < 0 {
			return 0, fmt.Errorf("simple type %s: xs:%s value %q", name, c.local, c.attrs["value"])
		}
		return v, nil
	}
	bound := func(c *node) (*decimal, error) {
		d, ok := parseDecimal(c.attrs["value"])
		if !ok {
			return nil, fmt.Errorf("simple type %s: xs:%s value %q", name, c.local, c.attrs["value"])
		}
		return &d, nil
	}
	for _, c := range r.children {
		var err error
		switch c.local {
		case "length":
			f.length, err = integer(c)
		case "minLength":
			f.minLength, err = integer(c)
		case "maxLength":
			f.maxLength, err = integer(c)
		case "totalDigits":
			f.totalDigits, err = integer(c)
		case "fractionDigits":
			f.fractionDigits, err = integer(c)
		case "pattern":
			patterns = append(patterns, c.attrs["value"])
		case "enumeration":
			if f.enum == nil {
				f.enum = map[string]struct{}{}
			}
			v := c.attrs["value"]
			if t.base.isDecimal() {
				d, ok := parseDecimal(v)
				if !ok {
					return nil, fmt.Errorf("simple type %s: enumeration %q", name, v)
				}
				v = d.String()
			}
			f.enum[v] = struct{}{}
		case "minInclusive":
			f.minIncl, err = bound(c)
		case "maxInclusive":
			f.maxIncl, err = bound(c)
		case "minExclusive":
			f.minExcl, err = bound(c)
		case "maxExclusive":
			f.maxExcl, err = bound(c)
		case "whiteSpace":
			switch c.attrs["value"] {
			case "preserve":
				t.ws = wsPreserve
			case "replace":
				t.ws = wsReplace
			case "collapse":
				t.ws = wsCollapse
			default:
				return nil, fmt.Errorf("simple type %s: whiteSpace %q", name, c.attrs["value"])
			}
		case "annotation":
		default:
			return nil, fmt.Errorf("simple type %s: unsupported facet xs:%s", name, c.local)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(patterns) > 0 {
		re, err := compilePatterns(patterns)
		if err != nil {
			return nil, fmt.Errorf("simple type %s: %w", name, err)
		}
		f.pattern, f.patternText = re, strings.Join(patterns, " | ")
	}
	t.steps = append(t.steps, f)
	return t, nil
}

func occurs(n *node) (int, int, error) {
	lo, hi := 1, 1
	if v, ok := n.attrs["minOccurs"]; ok {
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return 0, 0, fmt.Errorf("minOccurs %q", v)
		}
		lo = x
	}
	if v, ok := n.attrs["maxOccurs"]; ok {
		if v == "unbounded" {
			hi = -1
		} else {
			x, err := strconv.Atoi(v)
			if err != nil || x < 1 {
				return 0, 0, fmt.Errorf("maxOccurs %q", v)
			}
			hi = x
		}
	}
	return lo, hi, nil
}

func compileParticle(n *node) (*particle, error) {
	lo, hi, err := occurs(n)
	if err != nil {
		return nil, err
	}
	p := &particle{min: lo, max: hi}
	switch n.local {
	case "element":
		p.kind, p.name, p.typeName = pElement, n.attrs["name"], n.attrs["type"]
		if p.name == "" || p.typeName == "" || len(n.children) > 0 {
			return nil, fmt.Errorf("an element needs a name and a named type, and no inline type")
		}
		return p, nil
	case "any":
		p.kind, p.namespace = pAny, n.attrs["namespace"]
		if p.namespace == "" {
			p.namespace = "##any"
		}
		if strings.HasPrefix(p.namespace, "##") && p.namespace != "##any" {
			return nil, fmt.Errorf("xs:any namespace %q", p.namespace)
		}
		return p, nil
	case "sequence":
		p.kind = pSequence
	case "choice":
		p.kind = pChoice
	default:
		return nil, fmt.Errorf("unsupported xs:%s in a content model", n.local)
	}
	for _, c := range n.children {
		if c.local == "annotation" {
			continue
		}
		cp, err := compileParticle(c)
		if err != nil {
			return nil, err
		}
		p.children = append(p.children, cp)
	}
	return p, nil
}

func compileComplex(ct *complexType, n *node, simple func(string) (*simpleType, error)) error {
	for _, c := range n.children {
		switch c.local {
		case "sequence", "choice":
			p, err := compileParticle(c)
			if err != nil {
				return err
			}
			ct.model = p
		case "simpleContent":
			if len(c.children) != 1 || c.children[0].local != "extension" {
				return fmt.Errorf("simpleContent without one xs:extension")
			}
			ext := c.children[0]
			t, err := simple(ext.attrs["base"])
			if err != nil {
				return err
			}
			ct.text = t
			for _, a := range ext.children {
				if a.local != "attribute" {
					return fmt.Errorf("unsupported xs:%s in an extension", a.local)
				}
				at, err := simple(a.attrs["type"])
				if err != nil {
					return err
				}
				ct.attrs = append(ct.attrs, attribute{name: a.attrs["name"], typ: at, required: a.attrs["use"] == "required"})
			}
		case "annotation":
		default:
			return fmt.Errorf("unsupported xs:%s", c.local)
		}
	}
	if ct.model == nil && ct.text == nil {
		// An empty complex type: no content at all.
		ct.model = &particle{kind: pSequence, min: 1, max: 1}
	}
	return nil
}
