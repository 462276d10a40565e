package iso20022

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// MessageBytesMax is the largest message the readers accept, in bytes: far
// above any real pacs or camt message of TransactionsMax transactions, low
// enough that a hostile input cannot make the decoder hold much memory.
const MessageBytesMax = 4 << 20

// envelopeDepthMax bounds the nesting of elements around the Document and
// the AppHdr; inside them encoding/xml has its own bound.
const envelopeDepthMax = 32

// The namespaces of ISO 20022 documents and headers, the message
// definition identifier ("pacs.008.001.08") following namespacePrefix.
const (
	namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"
	headerKind      = "head.001.001.02"
	// EnvelopeNamespace is the namespace of the Envelope element that the
	// writers put around the AppHdr and the Document.
	EnvelopeNamespace = "urn:swift:xsd:envelope"
)

// Message is an inbound business message taken apart: the kind of its
// Document, its business application header if it came with one, and the
// Document itself.
type Message struct {
	// Kind is the message definition of the Document, from its namespace:
	// "pacs.008.001.08".
	Kind string
	// Header is the head.001 AppHdr sent beside the Document, or nil.
	Header *Header
	// Document is the Document element as it came, made standalone: the
	// namespace declarations it inherited from an envelope are copied onto
	// it, so it can be validated against its schema on its own.
	Document []byte
	// HeaderBytes is the AppHdr element made standalone in the same way,
	// or nil.
	HeaderBytes []byte
}

// Header is a business application header (head.001.001.02 AppHdr): who
// sends the message to whom, its identifier, its definition and when it was
// created.
type Header struct {
	// From and To are the BICs (Fr/FIId/FinInstnId/BICFI and To/...): on
	// written messages the switch and the participant.
	From, To string
	// BizMsgIdr identifies the business message; writers set it to the
	// message id.
	BizMsgIdr string
	// MsgDefIdr is the message definition, "pacs.008.001.08"; writers set
	// it themselves.
	MsgDefIdr string
	// BizSvc is the business service (optional), such as a scheme name.
	BizSvc string
	// CreDt is when the message was created; writers write it in UTC and
	// also use it as the Document's creation time (GrpHdr/CreDtTm), so a
	// fixed header gives fixed bytes.
	CreDt time.Time
}

// Split takes apart an inbound message: a bare Document (with its namespace
// as the default or with a prefix on every element), or a Document beside a
// head.001.001.02 AppHdr inside an envelope element of any name and
// namespace. It refuses inputs over MessageBytesMax, any DOCTYPE, entity
// declaration or other directive, XML that is not well formed, and inputs
// with no ISO 20022 Document or with two. Errors are *Error values.
func Split(data []byte) (*Message, error) {
	return scan(data, nil)
}

// DocumentOf returns the Document of a written (or any) business message as
// a standalone XML file, for validation against the Document's schema and
// for banks that want no header.
func DocumentOf(env []byte) ([]byte, error) {
	m, err := Split(env)
	if err != nil {
		return nil, err
	}
	return standalone(m.Document), nil
}

// HeaderOf returns the AppHdr of a business message as a standalone XML
// file, for validation against head.001.001.02. A message with no AppHdr is
// an *Error with RuleMessageStructure.
func HeaderOf(env []byte) ([]byte, error) {
	m, err := Split(env)
	if err != nil {
		return nil, err
	}
	if m.HeaderBytes == nil {
		return nil, &Error{Rule: RuleMessageStructure, Detail: "the message has no AppHdr"}
	}
	return standalone(m.HeaderBytes), nil
}

// xmlDeclaration starts every file this package writes.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func standalone(element []byte) []byte {
	out := make([]byte, 0, len(xmlDeclaration)+len(element)+1)
	out = append(out, xmlDeclaration...)
	out = append(out, element...)
	return append(out, '\n')
}

// scan walks data once. When doc is not nil, the Document element is decoded
// into it. Kinds are not checked here; the readers do it.
func scan(data []byte, doc any) (*Message, error) {
	if len(data) > MessageBytesMax {
		return nil, &Error{Rule: RuleMessageTooLarge,
			Detail: "the message has " + strconv.Itoa(len(data)) + " bytes; at most " + strconv.Itoa(MessageBytesMax) + " are accepted"}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		m         Message
		found     bool
		namespace [][]xml.Attr // the xmlns declarations of each open element
	)
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &Error{Rule: RuleMessageDoctype, Detail: "DOCTYPE, entity declarations and other directives are refused"}
		case xml.StartElement:
			kind, isISO := strings.CutPrefix(t.Name.Space, namespacePrefix)
			switch {
			case isISO && t.Name.Local == "Document":
				if found {
					return nil, &Error{Rule: RuleMessageStructure, Detail: "the message has two Documents"}
				}
				found = true
				m.Kind = kind
				if doc != nil {
					err = d.DecodeElement(doc, &t)
				} else {
					err = d.Skip()
				}
				if err != nil {
					return nil, syntaxError(err)
				}
				m.Document = inherit(data[start:d.InputOffset()], namespace, t.Attr)
			case isISO && t.Name.Local == "AppHdr" && strings.HasPrefix(kind, "head.001.001."):
				if m.Header != nil {
					return nil, &Error{Rule: RuleMessageStructure, Detail: "the message has two AppHdrs"}
				}
				var h xmlAppHdr
				if err := d.DecodeElement(&h, &t); err != nil {
					return nil, syntaxError(err)
				}
				header, err := h.header()
				if err != nil {
					return nil, err
				}
				m.Header = header
				m.HeaderBytes = inherit(data[start:d.InputOffset()], namespace, t.Attr)
			default:
				if len(namespace) >= envelopeDepthMax {
					return nil, &Error{Rule: RuleMessageStructure, Detail: "the envelope is nested too deeply"}
				}
				namespace = append(namespace, namespaceDecls(t.Attr))
			}
		case xml.EndElement:
			namespace = namespace[:len(namespace)-1]
		}
	}
	if !found {
		return nil, &Error{Rule: RuleMessageNoDocument, Detail: "no ISO 20022 Document (namespace " + namespacePrefix + "...) was found"}
	}
	return &m, nil
}

func syntaxError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Rule: RuleMessageSyntax, Detail: err.Error()}
}

// namespaceDecls returns the xmlns and xmlns:prefix attributes of attrs.
func namespaceDecls(attrs []xml.Attr) []xml.Attr {
	var decls []xml.Attr
	for _, a := range attrs {
		if isNamespaceDecl(a.Name) {
			decls = append(decls, a)
		}
	}
	return decls
}

func isNamespaceDecl(n xml.Name) bool {
	return (n.Space == "" && n.Local == "xmlns") || n.Space == "xmlns"
}

// inherit returns element (the raw bytes of one element) with the namespace
// declarations of its ancestors that it does not make itself added to its
// start tag, so it stands alone.
func inherit(element []byte, ancestors [][]xml.Attr, own []xml.Attr) []byte {
	declared := map[xml.Name]bool{}
	for _, a := range own {
		if isNamespaceDecl(a.Name) {
			declared[a.Name] = true
		}
	}
	var extra []byte
	for i := len(ancestors) - 1; i >= 0; i-- {
		for _, a := range ancestors[i] {
			if declared[a.Name] {
				continue
			}
			declared[a.Name] = true
			extra = append(extra, ' ')
			if a.Name.Space == "xmlns" {
				extra = append(extra, "xmlns:"+a.Name.Local...)
			} else {
				extra = append(extra, "xmlns"...)
			}
			extra = append(extra, `="`...)
			var b bytes.Buffer
			xml.EscapeText(&b, []byte(a.Value))
			extra = append(extra, b.Bytes()...)
			extra = append(extra, '"')
		}
	}
	out := bytes.Clone(element)
	if len(extra) == 0 {
		return out
	}
	// The start tag's name runs from after '<' to the first space, '/' or
	// '>'.
	end := 1 + bytes.IndexAny(out[1:], " \t\r\n/>")
	if end == 0 {
		return out
	}
	return append(out[:end], append(extra, element[end:]...)...)
}

// xmlAppHdr is the part of head.001.001.02 the switch reads.
type xmlAppHdr struct {
	Fr        xmlParty44 `xml:"Fr"`
	To        xmlParty44 `xml:"To"`
	BizMsgIdr string     `xml:"BizMsgIdr"`
	MsgDefIdr string     `xml:"MsgDefIdr"`
	BizSvc    string     `xml:"BizSvc"`
	CreDt     string     `xml:"CreDt"`
}

type xmlParty44 struct {
	FIId struct {
		FinInstnId struct {
			BICFI string `xml:"BICFI"`
		} `xml:"FinInstnId"`
	} `xml:"FIId"`
}

func (h *xmlAppHdr) header() (*Header, error) {
	var t time.Time
	if h.CreDt != "" {
		var err error
		if t, err = parseDateTime(h.CreDt); err != nil {
			return nil, errorAt("/AppHdr/CreDt", err)
		}
	}
	return &Header{
		From:      strings.TrimSpace(h.Fr.FIId.FinInstnId.BICFI),
		To:        strings.TrimSpace(h.To.FIId.FinInstnId.BICFI),
		BizMsgIdr: h.BizMsgIdr,
		MsgDefIdr: strings.TrimSpace(h.MsgDefIdr),
		BizSvc:    h.BizSvc,
		CreDt:     t,
	}, nil
}

// parseDateTime reads an ISODateTime (xs:dateTime): with a zone offset or Z,
// with or without fractional seconds. One without a zone is read as UTC.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &Error{Rule: RuleDateTimeSyntax, Detail: quoteShort(s) + " is not an ISODateTime"}
}
