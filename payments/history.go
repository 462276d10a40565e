package payments

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"astara/ledger"
)

// Payments out of memory.
//
// When its engine has a History (a node on a store), the machine keeps in
// memory the last Options.HotRecords payments made (HotPaymentsDefault)
// and every older one that has not reached an end (held, reserved). An
// older payment at an end (completed, rejected, returned, expired) lives
// in the History as a ledger.Record, and so does every older payment's
// place in the order of creation:
//
//	p | UETR(16)   version n -> the payment as it stood after entry n (JSON)
//	o | index(8)   version n -> the UETR of the index-th payment made
//	x | posting(16) version n -> the UETR of the payment that made the
//	                             ledger transfer posting (written with each
//	                             version of the payment, for statements)
//	u               version n -> how many of the oldest payments moved
//	                             without x records (by a version without
//	                             them), written once, by the first entry
//	                             applied after such a snapshot
//
// That is the rule after every entry, whatever came before: what is in
// memory is a function of the journal alone, so every node, every replay
// and `astara verify` of one journal hold the same payments in memory and
// write the same records under the same versions (settle, at the end of
// each entry). A record is written only for an entry already journaled
// (the Service applies after the journal's fsync), and a replay after a
// restart writes the same records again.
//
// A command that touches a moved payment (a return of a completed one, a
// retried creation, an answer to a finished one) brings it back into
// memory: the latest version before the entry being applied, which is
// exactly its state then, since any later change would have brought it
// back first. The end of the entry sends it out again, as a new version
// if the command changed it. Readers get the answers they got when
// everything was in memory: Payment, PaymentAt and Payments read moved
// payments back, and StatusCounts adds the counts of the moved ones.
//
// Snapshots keep what is in memory and where the moved part ends; the
// Service syncs the History before it saves one. A snapshot written by a
// machine without a History (every payment in memory) is brought to the
// rule by the first entry after it is restored on a store.

// HotPaymentsDefault is how many recent payments a machine on a store
// keeps in memory: 8 Ki, about 20 MiB.
const HotPaymentsDefault = 8192

const (
	recordPayment     = 'p'
	recordOrder       = 'o'
	recordQuote       = 'q'
	recordIdempotency = 'i'
	recordPosting     = 'x'
	recordUnindexed   = 'u'
)

func postingKey(id ledger.ID) []byte {
	k := make([]byte, 0, 17)
	k = append(k, recordPosting)
	return append(k, id[:]...)
}

// appendPaymentRecords appends a payment's version and its postings'
// index records.
func appendPaymentRecords(out []ledger.Record, p *Payment, version uint64, value []byte) []ledger.Record {
	out = append(out, ledger.Record{Key: paymentKey(p.UETR), Version: version, Value: value})
	for _, id := range p.PostingIDs() {
		out = append(out, ledger.Record{Key: postingKey(id), Version: version, Value: append([]byte(nil), p.UETR[:]...)})
	}
	return out
}

func quoteKey(id ledger.ID) []byte {
	k := make([]byte, 0, 17)
	k = append(k, recordQuote)
	return append(k, id[:]...)
}

// idemHash names an idempotency key (sender, NUL, key) in the History and
// in the filter of moved ones.
func idemHash(key string) [32]byte { return sha256.Sum256([]byte(key)) }

func idemKey(h [32]byte) []byte {
	k := make([]byte, 0, 33)
	k = append(k, recordIdempotency)
	return append(k, h[:]...)
}

func idemID(h [32]byte) ledger.ID { return ledger.ID(h[:16]) }

// idemMove is an idempotency key answered in the entry being applied,
// which settle sends to the History.
type idemMove struct {
	key   string
	entry idemEntry
}

func paymentKey(uetr ledger.ID) []byte {
	k := make([]byte, 0, 17)
	k = append(k, recordPayment)
	return append(k, uetr[:]...)
}

func orderKey(i int) []byte {
	k := make([]byte, 0, 9)
	k = append(k, recordOrder)
	return binary.BigEndian.AppendUint64(k, uint64(i))
}

// final reports a status a payment leaves only by a command that names
// it (a return): such payments may move out of memory.
func (s Status) final() bool {
	switch s {
	case StatusCompleted, StatusRejected, StatusReturned, StatusExpired:
		return true
	}
	return false
}

// movedState is what a snapshot keeps of the payments out of memory; nil
// while none moved, so that snapshots of a machine without a store stay
// as they were.
type movedState struct {
	// Base is how many of the oldest payments have their place in the
	// order of creation in the History.
	Base int `json:"base"`
	// Strays are the payments in memory older than the recent ones,
	// in the order they were made.
	Strays []*Payment `json:"strays"`
	// Counts and Breached count the moved payments by status, and those
	// that missed their deadline.
	Counts   map[Status]int `json:"counts"`
	Breached int            `json:"breached"`
	// Filter is the filter of the moved payments' UETRs
	// (ledger.IDFilter's encoding).
	Filter []byte `json:"filter"`
	// PostingIndex is set by machines that write the index of postings
	// (x records). A snapshot without it is older: its Base payments
	// moved without an index, and the machine restored from it says so
	// in the History (the u record), not in its snapshots, which stay
	// those of a replay of the journal from its start.
	PostingIndex bool `json:"posting_index"`
}

// history returns the engine's History when payments move out of memory.
func (m *Machine) history() ledger.History {
	if !m.Ledger.HistoryAttached() {
		return nil
	}
	return m.Ledger.History()
}

// payment returns the payment with uetr for the command being applied:
// from memory, or brought back from the History. A History that fails to
// read panics, as the engine's does in a batch.
func (m *Machine) payment(uetr ledger.ID) (*Payment, bool) {
	if p, ok := m.payments[uetr]; ok {
		m.touch(uetr)
		m.changed(uetr)
		return p, true
	}
	// Most UETRs asked for are new ones: the filter of the moved ones
	// answers without a read.
	if m.orderBase == 0 || !m.movedIDs.MayHave(uetr) {
		return nil, false
	}
	var raw []byte
	if pp, ok := m.pendPay[uetr]; ok {
		// Kept for writing: encode it, so that the copy to change shares
		// nothing with the one being written.
		raw = encodePayment(pp)
	} else {
		rec, ok := m.readRecord(uetr, m.seq)
		if !ok {
			return nil, false
		}
		raw = rec.Value
	}
	p := decodePayment(uetr, raw)
	m.payments[uetr] = p
	m.strays[uetr] = struct{}{}
	m.faulted[uetr] = raw
	m.moved[p.Status]--
	if p.SLABreached {
		m.movedBreached--
	}
	m.touch(uetr)
	m.changed(uetr)
	return p, true
}

// touch notes that the entry being applied looked at or changed a
// payment, which settle then sends out if it is older than the recent
// ones and at an end.
func (m *Machine) touch(uetr ledger.ID) {
	if _, ok := m.strays[uetr]; ok {
		m.touched = append(m.touched, uetr)
	}
}

func (m *Machine) readRecord(uetr ledger.ID, before uint64) (ledger.Record, bool) {
	return m.read(paymentKey(uetr), before, "payment "+uetr.String())
}

// read reads the latest version of a record before before.
func (m *Machine) read(key []byte, before uint64, what string) (ledger.Record, bool) {
	h := m.history()
	if h == nil {
		return ledger.Record{}, false
	}
	rec, ok, err := h.Record(key, before)
	if err != nil {
		panic(fmt.Sprintf("payments: read %s from history: %v", what, err))
	}
	return rec, ok
}

// quote returns a quote for the command being applied at now: from memory,
// or, used or expired, from the History while its retention lasts. A
// moved quote never changes again, so it is only read.
func (m *Machine) quote(id ledger.ID, now time.Time) (*Quote, bool) {
	if q, ok := m.quotes[id]; ok {
		// One the prune of this entry sends out may be past its
		// retention already.
		if now.Sub(q.ExpiresAt) > QuoteRetention {
			return nil, false
		}
		return q, true
	}
	return m.movedQuote(id, m.seq, now)
}

// movedQuote reads a quote out of memory as it stood before entry before,
// if now is within its retention.
func (m *Machine) movedQuote(id ledger.ID, before uint64, now time.Time) (*Quote, bool) {
	if !m.movedIDs.MayHave(id) {
		return nil, false
	}
	q, ok := m.pendQuote[id]
	if !ok {
		rec, found := m.read(quoteKey(id), before, "quote "+id.String())
		if !found {
			return nil, false
		}
		q = new(Quote)
		if err := json.Unmarshal(rec.Value, q); err != nil || q.ID != id {
			panic(fmt.Sprintf("payments: history holds a damaged record of quote %s: %v", id, err))
		}
	}
	if now.Sub(q.ExpiresAt) > QuoteRetention {
		return nil, false
	}
	return q, true
}

// idempotency returns what an idempotency key answered, if now is within
// its retention: from memory (a machine without a History), or from the
// History as it stood before entry before.
func (m *Machine) idempotency(key string, before uint64, now time.Time) (idemEntry, bool) {
	if e, ok := m.idem[key]; ok {
		return e, true
	}
	h := idemHash(key)
	if !m.movedIDs.MayHave(idemID(h)) {
		return idemEntry{}, false
	}
	var e idemEntry
	if pe, ok := m.pendIdem[key]; ok {
		e = *pe
	} else {
		rec, found := m.read(idemKey(h), before, "an idempotency key")
		if !found {
			return idemEntry{}, false
		}
		if err := json.Unmarshal(rec.Value, &e); err != nil {
			panic(fmt.Sprintf("payments: history holds a damaged idempotency record %x: %v", h, err))
		}
	}
	if now.Sub(e.At) > IdempotencyRetention {
		return idemEntry{}, false
	}
	return e, true
}

func encodePayment(p *Payment) []byte {
	v, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("payments: encode payment %s: %v", p.UETR, err))
	}
	return v
}

func decodePayment(uetr ledger.ID, raw []byte) *Payment {
	p := new(Payment)
	if err := json.Unmarshal(raw, p); err != nil || p.UETR != uetr {
		panic(fmt.Sprintf("payments: history holds a damaged record of payment %s: %v", uetr, err))
	}
	return p
}

// movedPayment reads a moved payment for a reader (not a command): the
// latest version, kept or stored. The caller must not change it.
func (m *Machine) movedPayment(uetr ledger.ID) (*Payment, bool) {
	if m.orderBase == 0 || !m.movedIDs.MayHave(uetr) {
		return nil, false
	}
	if pp, ok := m.pendPay[uetr]; ok {
		return pp, true
	}
	rec, ok := m.readRecord(uetr, math.MaxUint64)
	if !ok {
		return nil, false
	}
	return decodePayment(uetr, rec.Value), true
}

// paymentAt returns the i-th payment made, reading a moved one back.
func (m *Machine) paymentAt(i int) *Payment {
	if i >= m.orderBase {
		return m.payments[m.order[i-m.orderBase]]
	}
	uetr, ok := m.pendOrder[i]
	if !ok {
		rec, ok, err := m.history().Record(orderKey(i), math.MaxUint64)
		if err != nil || !ok || len(rec.Value) != len(ledger.ID{}) {
			panic(fmt.Sprintf("payments: history lacks the place of payment %d of %d moved (found %t): %v", i, m.orderBase, ok, err))
		}
		uetr = ledger.ID(rec.Value)
	}
	if p, ok := m.payments[uetr]; ok {
		return p
	}
	p, ok := m.movedPayment(uetr)
	if !ok {
		panic(fmt.Sprintf("payments: history lacks payment %s, moved at place %d", uetr, i))
	}
	return p
}

// pendingRecord is a record kept for TakeRecords: a payment's version
// (p), a quote (q), an idempotency key (e, under idem), or a place in the
// order of creation (index 0 or more). What it points to is no longer in
// the state's maps: nothing changes it.
type pendingRecord struct {
	version uint64
	uetr    ledger.ID // the payment's or the quote's id
	index   int
	p       *Payment
	q       *Quote
	idem    string
	e       *idemEntry
}

// appendRecords appends the record, and a payment's postings' index.
func (r *pendingRecord) appendRecords(out []ledger.Record) []ledger.Record {
	switch {
	case r.index >= 0:
		return append(out, ledger.Record{Key: orderKey(r.index), Version: r.version, Value: append([]byte(nil), r.uetr[:]...)})
	case r.q != nil:
		return append(out, ledger.Record{Key: quoteKey(r.uetr), Version: r.version, Value: mustJSON(r.q)})
	case r.e != nil:
		return append(out, ledger.Record{Key: idemKey(idemHash(r.idem)), Version: r.version, Value: mustJSON(r.e)})
	}
	return appendPaymentRecords(out, r.p, r.version, encodePayment(r.p))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("payments: encode %T: %v", v, err))
	}
	return b
}

// DeferRecords implements ledger.RecordMachine: from now on settle keeps
// its records, readable, until TakeRecords hands them to the Service.
func (m *Machine) DeferRecords() { m.deferred = true }

// TakeRecords implements ledger.RecordMachine. The write function only
// reads the kept payments, which nothing changes any more (a command that
// brings one back works on a copy), so it may run while entries are
// applied.
func (m *Machine) TakeRecords() (write func(ledger.History) error, written func()) {
	q := m.pending
	if len(q) == 0 {
		return nil, nil
	}
	m.pending = nil
	write = func(h ledger.History) error {
		records := make([]ledger.Record, 0, len(q)*2)
		for i := range q {
			records = q[i].appendRecords(records)
		}
		return h.WriteRecords(records)
	}
	written = func() {
		for i := range q {
			r := &q[i]
			switch {
			case r.index >= 0:
				delete(m.pendOrder, r.index)
			case r.q != nil:
				if m.pendQuote[r.uetr] == r.q {
					delete(m.pendQuote, r.uetr)
				}
			case r.e != nil:
				if m.pendIdem[r.idem] == r.e {
					delete(m.pendIdem, r.idem)
				}
			case m.pendPay[r.uetr] == r.p:
				delete(m.pendPay, r.uetr)
			}
		}
	}
	return write, written
}

// settle brings the machine back to the rule at the end of an entry:
// the payments made beyond the recent ones leave the window (their place
// goes to the History), and those of them, and of the older ones the
// entry touched, that are at an end go to the History: written at once
// in one WriteRecords under the entry's sequence, or, deferred, kept for
// the Service to write.
func (m *Machine) settle() {
	h := m.history()
	if h == nil {
		m.touched, m.quotesOut, m.idemOut = m.touched[:0], m.quotesOut[:0], m.idemOut[:0]
		return
	}
	if m.sweep {
		m.sweepRestored()
	}
	var records []ledger.Record
	if m.writeUnindexed {
		// Once, in line: what a snapshot of an older version knew of the
		// payments it moved without an index of their postings.
		m.writeUnindexed = false
		if err := h.WriteRecords([]ledger.Record{{Key: []byte{recordUnindexed}, Version: m.seq,
			Value: binary.BigEndian.AppendUint64(nil, uint64(m.unindexed))}}); err != nil {
			panic(fmt.Sprintf("payments: write the count of payments moved without an index at entry %d: %v", m.seq, err))
		}
	}
	for _, id := range m.quotesOut {
		q, ok := m.quotes[id]
		if !ok {
			continue
		}
		delete(m.quotes, id)
		m.movedIDs.Add(id)
		if m.deferred {
			m.pendQuote[id] = q
			m.pending = append(m.pending, pendingRecord{version: m.seq, uetr: id, index: -1, q: q})
		} else {
			records = append(records, ledger.Record{Key: quoteKey(id), Version: m.seq, Value: mustJSON(q)})
		}
	}
	m.quotesOut = m.quotesOut[:0]
	for i := range m.idemOut {
		x := &m.idemOut[i]
		h := idemHash(x.key)
		m.movedIDs.Add(idemID(h))
		if m.deferred {
			e := x.entry
			m.pendIdem[x.key] = &e
			m.pending = append(m.pending, pendingRecord{version: m.seq, index: -1, idem: x.key, e: &e})
		} else {
			records = append(records, ledger.Record{Key: idemKey(h), Version: m.seq, Value: mustJSON(&x.entry)})
		}
	}
	clear(m.idemOut)
	m.idemOut = m.idemOut[:0]
	for len(m.order) > m.hot {
		id := m.order[0]
		m.order = m.order[1:]
		if m.deferred {
			m.pendOrder[m.orderBase] = id
			m.pending = append(m.pending, pendingRecord{version: m.seq, uetr: id, index: m.orderBase})
		} else {
			records = append(records, ledger.Record{Key: orderKey(m.orderBase), Version: m.seq, Value: append([]byte(nil), id[:]...)})
		}
		m.orderBase++
		m.strays[id] = struct{}{}
		m.touched = append(m.touched, id)
	}
	for _, id := range m.touched {
		p, ok := m.payments[id]
		if _, stray := m.strays[id]; !ok || !stray || !p.Status.final() {
			continue
		}
		old, faulted := m.faulted[id]
		var v []byte
		if faulted || !m.deferred {
			v = encodePayment(p)
		}
		switch {
		case faulted && bytes.Equal(old, v):
			// Brought back and left as it was: stored as it is.
		case m.deferred:
			m.pendPay[id] = p
			m.pending = append(m.pending, pendingRecord{version: m.seq, uetr: id, index: -1, p: p})
		default:
			records = appendPaymentRecords(records, p, m.seq, v)
		}
		if !faulted {
			m.movedIDs.Add(id)
		}
		delete(m.payments, id)
		delete(m.strays, id)
		m.moved[p.Status]++
		if p.SLABreached {
			m.movedBreached++
		}
	}
	m.touched = m.touched[:0]
	clear(m.faulted)
	if len(records) == 0 {
		return
	}
	if err := h.WriteRecords(records); err != nil {
		panic(fmt.Sprintf("payments: write %d records to history at entry %d: %v", len(records), m.seq, err))
	}
}

// sweepRestored brings a restored machine to the rule: its snapshot may
// come from a machine that kept everything in memory. Every older payment
// is looked at, and every used quote and idempotency key goes, in an order
// of their ids, so that the filter is the same on every node.
func (m *Machine) sweepRestored() {
	m.sweep = false
	older := slices.Collect(maps.Keys(m.strays))
	slices.SortFunc(older, func(a, b ledger.ID) int { return bytes.Compare(a[:], b[:]) })
	m.touched = append(m.touched, older...)
	for id, q := range m.quotes {
		if !q.UsedBy.IsZero() {
			m.quotesOut = append(m.quotesOut, id)
		}
	}
	slices.SortFunc(m.quotesOut, func(a, b ledger.ID) int { return bytes.Compare(a[:], b[:]) })
	for _, k := range slices.Sorted(maps.Keys(m.idem)) {
		m.idemOut = append(m.idemOut, idemMove{key: k, entry: m.idem[k]})
	}
	clear(m.idem)
	m.idemOrder = nil
}

// movedSnapshot returns what a snapshot keeps of the moved payments.
func (m *Machine) movedSnapshot() *movedState {
	if m.orderBase == 0 && len(m.strays) == 0 && m.movedIDs.Len() == 0 {
		return nil
	}
	filter, err := m.movedIDs.MarshalBinary()
	if err != nil {
		panic(fmt.Sprintf("payments: encode the filter of moved payments: %v", err))
	}
	st := &movedState{Base: m.orderBase, Counts: map[Status]int{}, Breached: m.movedBreached, Filter: filter,
		PostingIndex: true}
	for s, n := range m.moved {
		if n != 0 {
			st.Counts[s] = n
		}
	}
	for id := range m.strays {
		st.Strays = append(st.Strays, m.payments[id])
	}
	slices.SortFunc(st.Strays, func(a, b *Payment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.UETR[:], b.UETR[:])
	})
	return st
}

// Unfinished calls fn with every payment not at an end (received, held,
// reserved), oldest first, until fn returns false; they are all in
// memory, so it reads nothing from the store.
func (m *Machine) Unfinished(fn func(*Payment) bool) {
	var older []*Payment
	for id := range m.strays {
		if p := m.payments[id]; !p.Status.final() {
			older = append(older, p)
		}
	}
	slices.SortFunc(older, func(a, b *Payment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.UETR[:], b.UETR[:])
	})
	for _, p := range older {
		if !fn(p) {
			return
		}
	}
	for _, id := range m.order {
		if p := m.payments[id]; !p.Status.final() && !fn(p) {
			return
		}
	}
}

// PaymentsInMemory returns how many payments the machine holds in memory.
func (m *Machine) PaymentsInMemory() int { return len(m.payments) }

// PaymentsOfPostings returns the payments that made the given ledger
// transfers (postings), by transfer id, as a statement needs them; a
// transfer of no payment is left out. Payments in memory are looked
// through (the recent ones, a bounded number; about 3 µs each), then the
// History's index of postings is read, one read an id. Only for payments
// moved by a machine that wrote no index (an older version) are the
// oldest moved payments read one by one. Only payments consider accepts
// (nil: all) are returned, and only those in memory that it accepts are
// looked through: a statement's, say, those of its bank made before its
// day ended. Payments returned must not be changed.
func (m *Machine) PaymentsOfPostings(ids []ledger.ID, consider func(*Payment) bool) map[ledger.ID]*Payment {
	out := make(map[ledger.ID]*Payment, len(ids))
	want := make(map[ledger.ID]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	claim := func(p *Payment) {
		if consider != nil && !consider(p) {
			return
		}
		for _, id := range p.PostingIDs() {
			if want[id] {
				out[id] = p
				delete(want, id)
			}
		}
	}
	for _, p := range m.payments {
		claim(p)
	}
	for _, p := range m.pendPay {
		claim(p)
	}
	if len(want) == 0 || m.history() == nil {
		return out
	}
	for id := range want {
		rec, ok := m.read(postingKey(id), math.MaxUint64, "the index of posting "+id.String())
		if !ok {
			continue
		}
		if len(rec.Value) != len(ledger.ID{}) {
			panic(fmt.Sprintf("payments: history holds a damaged index record of posting %s", id))
		}
		if p, ok := m.movedPayment(ledger.ID(rec.Value)); ok && (consider == nil || consider(p)) {
			out[id] = p
			delete(want, id)
		}
	}
	unindexed := m.unindexed
	if unindexed == 0 && len(want) > 0 {
		if rec, ok := m.read([]byte{recordUnindexed}, math.MaxUint64, "the count of payments moved without an index"); ok {
			if len(rec.Value) != 8 {
				panic("payments: history holds a damaged count of payments moved without an index")
			}
			unindexed = int(min(binary.BigEndian.Uint64(rec.Value), uint64(m.orderBase)))
		}
	}
	for i := 0; i < unindexed && len(want) > 0; i++ {
		claim(m.paymentAt(i))
	}
	return out
}
