package payments

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"

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
	recordPayment = 'p'
	recordOrder   = 'o'
)

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
	h := m.history()
	if h == nil {
		return ledger.Record{}, false
	}
	rec, ok, err := h.Record(paymentKey(uetr), before)
	if err != nil {
		panic(fmt.Sprintf("payments: read payment %s from history: %v", uetr, err))
	}
	return rec, ok
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
// (index -1) or a place in the order of creation.
type pendingRecord struct {
	version uint64
	uetr    ledger.ID
	index   int
	p       *Payment // no longer in memory's payments: nothing changes it
}

func (r *pendingRecord) record() ledger.Record {
	if r.index >= 0 {
		return ledger.Record{Key: orderKey(r.index), Version: r.version, Value: append([]byte(nil), r.uetr[:]...)}
	}
	return ledger.Record{Key: paymentKey(r.uetr), Version: r.version, Value: encodePayment(r.p)}
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
		records := make([]ledger.Record, len(q))
		for i := range q {
			records[i] = q[i].record()
		}
		return h.WriteRecords(records)
	}
	written = func() {
		for i := range q {
			r := &q[i]
			if r.index >= 0 {
				delete(m.pendOrder, r.index)
			} else if m.pendPay[r.uetr] == r.p {
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
		m.touched = m.touched[:0]
		return
	}
	if m.sweep {
		// Restored: the snapshot may come from a machine that kept
		// everything; look at every older payment once.
		m.sweep = false
		for id := range m.strays {
			m.touched = append(m.touched, id)
		}
	}
	var records []ledger.Record
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
			records = append(records, ledger.Record{Key: paymentKey(id), Version: m.seq, Value: v})
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

// movedSnapshot returns what a snapshot keeps of the moved payments.
func (m *Machine) movedSnapshot() *movedState {
	if m.orderBase == 0 && len(m.strays) == 0 {
		return nil
	}
	filter, err := m.movedIDs.MarshalBinary()
	if err != nil {
		panic(fmt.Sprintf("payments: encode the filter of moved payments: %v", err))
	}
	st := &movedState{Base: m.orderBase, Counts: map[Status]int{}, Breached: m.movedBreached, Filter: filter}
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
