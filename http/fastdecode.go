package http

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// One transfer a request is the common case: many banks' systems each
// sending their own. encoding/json's Decoder spent a tenth of the CPU of
// such a request (scanning every value twice, reflection, a token at a
// time for the batch's envelope). decodeTransfersFast reads the plain
// form most clients send in one pass; anything else goes to decodeBatch,
// which decides and names every error. The fuzz test holds the two to the
// same answer on every body the fast path accepts.

// fastBodyBytesMax is the largest body read whole for the fast path: a
// few hundred single transfers. Larger batches are decoded as a stream,
// where the scanner's cost is a small part of a batch's.
const fastBodyBytesMax = 64 << 10

var fastBodies = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// decodeTransfers decodes a POST /v1/ledger/transfers body into batch,
// by the fast path when the body is small and plain.
func decodeTransfers(w http.ResponseWriter, r *http.Request, batch *[]transferRequest) *Problem {
	n := r.ContentLength
	if n <= 0 || n > fastBodyBytesMax {
		return decodeBatch(w, r, "transfers", batch)
	}
	bp := fastBodies.Get().(*[]byte)
	defer fastBodies.Put(bp)
	if int64(cap(*bp)) < n {
		*bp = make([]byte, n)
	}
	body := (*bp)[:n]
	read, err := io.ReadFull(r.Body, body)
	if err == nil && decodeTransfersFast(body, batch) {
		return nil
	}
	// The slow path reads what was read, then the rest of the body, or
	// the same error the read met. encoding/json decodes into a slice's
	// elements as it finds them, without zeroing them first: what the fast
	// path left must go.
	clear(*batch)
	*batch = (*batch)[:0]
	rest := io.Reader(r.Body)
	if err != nil {
		rest = errReader{err}
	}
	return decodeBatchFrom(http.MaxBytesReader(w, readCloser{io.MultiReader(bytes.NewReader(body[:read]), rest), r.Body}, RequestBodyBytesMax), "transfers", batch)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type readCloser struct {
	io.Reader
	io.Closer
}

// decodeTransfersFast decodes body into batch if body is
// {"transfers":[...]} of transfer objects whose members are each named
// exactly as the API names them, at most once, and whose values are
// strings of printable ASCII without escapes, integers of at most 18
// digits, and (flags) arrays of such strings; with JSON whitespace
// anywhere between tokens. It returns false on anything else, batch then
// holding any part of it: the caller decodes the body again the strict
// way. On what it accepts, encoding/json gives the same values.
func decodeTransfersFast(body []byte, batch *[]transferRequest) bool {
	s := scanner{b: body}
	if !s.next('{') || !s.key("transfers") || !s.next('[') {
		return false
	}
	if *batch == nil {
		*batch = []transferRequest{} // as encoding/json makes an empty array
	}
	if !s.next(']') {
		for {
			*batch = append(*batch, transferRequest{})
			if !s.transfer(&(*batch)[len(*batch)-1]) {
				return false
			}
			if s.next(',') {
				continue
			}
			if !s.next(']') {
				return false
			}
			break
		}
	}
	if !s.next('}') {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// scanner reads the fast path's subset of JSON.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes c after any whitespace.
func (s *scanner) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// raw returns a string's bytes without its quotes: printable ASCII, no
// escapes.
func (s *scanner) raw() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		if c == '"' {
			out := s.b[start:s.i]
			s.i++
			return out, true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return nil, false
		}
	}
	return nil, false
}

func (s *scanner) str(dst *string) bool {
	b, ok := s.raw()
	if ok {
		*dst = string(b)
	}
	return ok
}

// key consumes a member's name, which must be name, and its colon.
func (s *scanner) key(name string) bool {
	b, ok := s.raw()
	return ok && string(b) == name && s.next(':')
}

// int reads -?(0|[1-9][0-9]*) of at most 18 digits, so that it cannot
// overflow; what follows is for the caller to check (a fraction or an
// exponent then fails as no comma or brace).
func (s *scanner) int(dst *int64) bool {
	s.space()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start := s.i
	var v int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 18 || (digits > 1 && s.b[start] == '0') {
		return false
	}
	if neg {
		v = -v
	}
	*dst = v
	return true
}

func (s *scanner) strings(dst *[]string) bool {
	if !s.next('[') {
		return false
	}
	out := make([]string, 0, 1)
	if !s.next(']') {
		for {
			var v string
			if !s.str(&v) {
				return false
			}
			out = append(out, v)
			if s.next(',') {
				continue
			}
			if !s.next(']') {
				return false
			}
			break
		}
	}
	*dst = out
	return true
}

// transfer reads one transfer object into t, zero on entry.
func (s *scanner) transfer(t *transferRequest) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	var seen uint16
	for {
		name, ok := s.raw()
		if !ok || !s.next(':') {
			return false
		}
		var bit uint16
		switch string(name) {
		case "id":
			bit, ok = 1<<0, s.str(&t.ID)
		case "debit_account_id":
			bit, ok = 1<<1, s.str(&t.DebitAccountID)
		case "credit_account_id":
			bit, ok = 1<<2, s.str(&t.CreditAccountID)
		case "amount":
			bit, ok = 1<<3, s.str(&t.Amount)
		case "currency":
			bit, ok = 1<<4, s.str(&t.Currency)
		case "code":
			bit, ok = 1<<5, s.int(&t.Code)
		case "flags":
			bit, ok = 1<<6, s.strings(&t.Flags)
		case "pending_id":
			bit, ok = 1<<7, s.str(&t.PendingID)
		case "timeout_seconds":
			bit, ok = 1<<8, s.int(&t.TimeoutSeconds)
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}
