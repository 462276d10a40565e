package payments

import "astara/ledger"

// The payments as rows of the query tables (ledger.QueryMachine): each
// payment a command changed, with its events, as the JSON of its record
// in the History, under the same key.

var _ ledger.QueryMachine = (*Machine)(nil)

// TrackQuery implements ledger.QueryMachine.
func (m *Machine) TrackQuery() {
	if m.queryChanged == nil {
		m.queryChanged = make(map[ledger.ID]struct{})
	}
}

// changed notes that the entry being applied changed a payment (or may
// have: one only looked at is written again unchanged).
func (m *Machine) changed(uetr ledger.ID) {
	if m.queryChanged != nil {
		m.queryChanged[uetr] = struct{}{}
	}
}

// TakeQuery implements ledger.QueryMachine: the payments changed, as they
// stand now, from memory, from the records waiting to be written, or from
// the History.
func (m *Machine) TakeQuery(d *ledger.QueryDelta) {
	for id := range m.queryChanged {
		var v []byte
		if p, ok := m.payments[id]; ok {
			v = encodePayment(p)
		} else if p, ok := m.pendPay[id]; ok {
			v = encodePayment(p)
		} else if rec, ok := m.readRecord(id, m.seq+1); ok {
			v = rec.Value
		} else {
			continue
		}
		d.Records = append(d.Records, ledger.Record{Key: paymentKey(id), Value: v})
	}
	clear(m.queryChanged)
}

// QueryAll implements ledger.QueryMachine: every payment made.
func (m *Machine) QueryAll(d *ledger.QueryDelta) {
	m.Payments(0, func(_ int, p *Payment) bool {
		d.Records = append(d.Records, ledger.Record{Key: paymentKey(p.UETR), Value: encodePayment(p)})
		return true
	})
}
