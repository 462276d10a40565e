package fx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	_ "time/tzdata" // The feeds' zones must resolve on hosts without zoneinfo.

	"golang.org/x/text/encoding/charmap"
)

// FeedBytesMax is the largest feed ParseCBR and ParseECB read, in bytes. A
// Bank of Russia daily file is about 10 KiB and the ECB's 90-day history
// about 60 KiB; the ECB's full history since 1999 is larger and must be
// split by the caller.
const FeedBytesMax = 4 << 20

// FeedQuotesMax is the most entries (Valute elements, rate Cubes) a feed may
// hold, counting those skipped for an unknown currency. The ECB's 90-day
// history has about 2,000.
const FeedQuotesMax = 16384

// The feeds' zones. The embedded tzdata makes the loads infallible.
var (
	zoneMoscow = mustLoadLocation("Europe/Moscow")
	zoneBerlin = mustLoadLocation("Europe/Berlin")
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("fx: load zone %s: %v", name, err)) // time/tzdata is linked in.
	}
	return loc
}

// feedReader reads one feed's XML as a stream of tokens, so that every error
// can name its element and line, repeated or misplaced elements are caught
// (encoding/xml's Unmarshal would keep the last of two silently), and the
// entry limit applies before the entries are built.
type feedReader struct {
	feed string
	d    *xml.Decoder
}

func newFeedReader(feed string, data []byte) (*feedReader, error) {
	if len(data) > FeedBytesMax {
		return nil, &FeedError{Feed: feed, Rule: RuleFeedTooLarge,
			Detail: fmt.Sprintf("the feed is %d bytes, more than FeedBytesMax (%d)", len(data), FeedBytesMax)}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) // A UTF-8 byte order mark.
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return &feedReader{feed: feed, d: d}, nil
}

// charsetReader decodes the encodings a prolog may declare other than UTF-8,
// which encoding/xml reads itself: windows-1251, the Bank of Russia's.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "windows-1251", "cp1251", "x-cp1251":
		return charmap.Windows1251.NewDecoder().Reader(input), nil
	case "us-ascii", "ascii":
		return input, nil // ASCII is UTF-8; encoding/xml rejects non-UTF-8 bytes.
	}
	return nil, errors.New("encoding " + label + " is not supported (want windows-1251 or UTF-8)")
}

// fail returns a *FeedError at the reader's current line.
func (r *feedReader) fail(element string, rule Rule, input, detail string) *FeedError {
	line, _ := r.d.InputPos()
	return &FeedError{Feed: r.feed, Line: line, Element: element, Input: input, Rule: rule, Detail: detail}
}

// line returns the current line of the input.
func (r *feedReader) line() int {
	line, _ := r.d.InputPos()
	return line
}

// token returns the next token that matters: start and end elements, and
// character data that is not white space (returned as an error, since
// neither feed has mixed content). Comments, processing instructions and
// directives are skipped. At the end of input it returns nil, nil.
func (r *feedReader) token(path string) (xml.Token, error) {
	for {
		tok, err := r.d.Token()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, r.fail(path, RuleFeedSyntax, "", "is not well-formed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement, xml.EndElement:
			return t, nil
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" {
				return nil, r.fail(path, RuleFeedSyntax, s, "is text where only elements belong")
			}
		}
	}
}

// root reads up to the root element and checks its local name.
func (r *feedReader) root(want string) (xml.StartElement, error) {
	tok, err := r.token("")
	if err != nil {
		return xml.StartElement{}, err
	}
	start, ok := tok.(xml.StartElement)
	if !ok {
		return xml.StartElement{}, r.fail("", RuleFeedSyntax, "", "has no root element "+want)
	}
	if start.Name.Local != want {
		return xml.StartElement{}, r.fail(start.Name.Local, RuleFeedSyntax, "", "is the root element, want "+want)
	}
	return start, nil
}

// end checks that nothing but white space, comments and processing
// instructions follows the root element.
func (r *feedReader) end() error {
	tok, err := r.token("")
	if err != nil {
		return err
	}
	if start, ok := tok.(xml.StartElement); ok {
		return r.fail(start.Name.Local, RuleFeedSyntax, "", "follows the root element")
	}
	return nil
}

// text reads the character data of a leaf element whose start was just
// read, up to its end, trimmed of white space.
func (r *feedReader) text(path string) (string, error) {
	var b strings.Builder
	for {
		tok, err := r.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", r.fail(path, RuleFeedSyntax, "", "is not well-formed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", r.fail(path+"/"+t.Name.Local, RuleFeedSyntax, "", "is an element where only text belongs")
		case xml.EndElement:
			return strings.TrimSpace(b.String()), nil
		}
	}
}

// attr returns the value of the attribute with the local name, and whether
// it is there.
func attr(start xml.StartElement, local string) (string, bool) {
	for _, a := range start.Attr {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}

// indexed returns "name[i]" for an element path.
func indexed(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }
