package ledger

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"astara/money"
)

// snapshotMagic starts every snapshot; the byte after it is the version.
const (
	snapshotMagic = "ASTARA-LEDGER-SNAPSHOT"
	// snapshotVersion 2 adds the ids of client transfers that failed
	// transiently after the histories. A state with none is written as
	// version 1, byte for byte as before version 2 existed, so that the
	// snapshots of a node that upgrades still verify.
	snapshotVersion = 2
)

// WriteSnapshot writes the engine's whole state to w. Derived state (the
// totals, the expiry queue, the counters) is not written: RestoreSnapshot
// rebuilds it, and Verify checks it.
func (e *Engine) WriteSnapshot(w io.Writer) error {
	if e.chainOpen {
		return errors.New("ledger: snapshot inside a chain")
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := make([]byte, 0, 256)
	buf = append(buf, snapshotMagic...)
	version := byte(snapshotVersion)
	if len(e.failed) == 0 {
		version = 1
	}
	buf = append(buf, version)
	buf = binary.BigEndian.AppendUint64(buf, e.lastTimestamp)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(e.accounts)))
	bw.Write(buf)
	for i := range e.accounts {
		buf = appendAccount(buf[:0], &e.accounts[i])
		bw.Write(buf)
	}
	buf = binary.BigEndian.AppendUint64(buf[:0], uint64(e.transferCount))
	bw.Write(buf)
	for i := uint32(0); i < e.transferCount; i++ {
		r := e.transfer(i)
		buf = appendTransfer(buf[:0], &r.Transfer)
		buf = append(buf, byte(r.state))
		buf = binary.BigEndian.AppendUint64(buf, r.expiresAt)
		bw.Write(buf)
	}
	buf = binary.BigEndian.AppendUint64(buf[:0], uint64(len(e.histories)))
	bw.Write(buf)
	for i := range e.accounts {
		h, ok := e.histories[uint32(i)]
		if !ok {
			continue
		}
		buf = binary.BigEndian.AppendUint32(buf[:0], uint32(i))
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(h)))
		bw.Write(buf)
		for j := range h {
			buf = appendBalance(buf[:0], &h[j])
			bw.Write(buf)
		}
	}
	if version < 2 {
		return bw.Flush()
	}
	// The failed ids, sorted, so that the bytes are the state's alone.
	failed := make([]ID, 0, len(e.failed))
	for id := range e.failed {
		failed = append(failed, id)
	}
	slices.SortFunc(failed, func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
	buf = binary.BigEndian.AppendUint64(buf[:0], uint64(len(failed)))
	bw.Write(buf)
	for _, id := range failed {
		buf = append(buf[:0], id[:]...)
		buf = append(buf, byte(e.failed[id]))
		bw.Write(buf)
	}
	return bw.Flush()
}

func appendBalance(b []byte, v *Balance) []byte {
	b = append(b, v.TransferID[:]...)
	b = binary.BigEndian.AppendUint64(b, v.Timestamp)
	for _, a := range [...]money.Amount{v.DebitsPending, v.DebitsPosted, v.CreditsPending, v.CreditsPosted} {
		var x [money.AmountBytes]byte
		a.PutBytes(x[:])
		b = append(b, x[:]...)
	}
	return b
}

// ErrCorruptSnapshot is returned by RestoreSnapshot for a snapshot that
// does not decode or does not verify.
var ErrCorruptSnapshot = errors.New("ledger: corrupt snapshot")

// RestoreSnapshot returns an engine with the state written by
// WriteSnapshot. It verifies the restored state (Verify) before returning.
func RestoreSnapshot(r io.Reader, opts Options) (*Engine, error) {
	e := New(opts)
	br := bufio.NewReaderSize(r, 1<<20)
	fail := func(what string, err error) (*Engine, error) {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptSnapshot, what, err)
	}
	head := make([]byte, len(snapshotMagic)+1+16)
	if _, err := io.ReadFull(br, head); err != nil {
		return fail("header", err)
	}
	version := head[len(snapshotMagic)]
	if string(head[:len(snapshotMagic)]) != snapshotMagic || version < 1 || version > snapshotVersion {
		return fail("header", errors.New("bad magic or version"))
	}
	rest := head[len(snapshotMagic)+1:]
	e.lastTimestamp = binary.BigEndian.Uint64(rest[0:8])
	accounts := binary.BigEndian.Uint64(rest[8:16])
	if accounts > 1<<32 {
		return fail("accounts", errors.New("count too large"))
	}
	// The count is not trusted yet: a corrupt one must fail on a short
	// read, not reserve memory for billions of accounts.
	e.accounts = make([]Account, 0, min(accounts, 1<<16))
	buf := make([]byte, 256)
	for i := uint64(0); i < accounts; i++ {
		if _, err := io.ReadFull(br, buf[:accountBytesMin]); err != nil {
			return fail("account", err)
		}
		extra := 0
		if buf[23]&presentBalances != 0 {
			extra += 4 * money.AmountBytes
		}
		if buf[23]&presentTimestamp != 0 {
			extra += 8
		}
		if _, err := io.ReadFull(br, buf[accountBytesMin:accountBytesMin+extra]); err != nil {
			return fail("account", err)
		}
		var a Account
		if _, err := decodeAccount(&a, buf[:accountBytesMin+extra]); err != nil {
			return fail("account", err)
		}
		if _, dup := e.accountIndex[a.ID]; dup {
			return fail("account", fmt.Errorf("duplicate id %s", a.ID))
		}
		e.accountIndex[a.ID] = uint32(len(e.accounts))
		e.accounts = append(e.accounts, a)
		t := e.totals[a.Currency]
		if t == nil {
			t = &Totals{}
			e.totals[a.Currency] = t
		}
		var ok1, ok2, ok3, ok4 bool
		t.DebitsPending, ok1 = t.DebitsPending.Add(a.DebitsPending)
		t.DebitsPosted, ok2 = t.DebitsPosted.Add(a.DebitsPosted)
		t.CreditsPending, ok3 = t.CreditsPending.Add(a.CreditsPending)
		t.CreditsPosted, ok4 = t.CreditsPosted.Add(a.CreditsPosted)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return fail("totals", errors.New("overflow"))
		}
	}
	if _, err := io.ReadFull(br, buf[:8]); err != nil {
		return fail("transfers", err)
	}
	transfers := binary.BigEndian.Uint64(buf[:8])
	if transfers >= 1<<32 {
		return fail("transfers", errors.New("count too large"))
	}
	for i := uint64(0); i < transfers; i++ {
		if _, err := io.ReadFull(br, buf[:transferBytesMin]); err != nil {
			return fail("transfer", err)
		}
		p := buf[63]
		extra := 0
		if p&presentAmountHigh != 0 {
			extra += 8
		}
		if p&presentPendingID != 0 {
			extra += 16
		}
		if p&presentTimeout != 0 {
			extra += 4
		}
		if p&presentTimestamp != 0 {
			extra += 8
		}
		n := transferBytesMin + extra + 9
		if _, err := io.ReadFull(br, buf[transferBytesMin:n]); err != nil {
			return fail("transfer", err)
		}
		var rec transferRecord
		if _, err := decodeTransfer(&rec.Transfer, buf[:n-9]); err != nil {
			return fail("transfer", err)
		}
		rec.state = PendingState(buf[n-9])
		rec.expiresAt = binary.BigEndian.Uint64(buf[n-8 : n])
		if rec.state > PendingExpired {
			return fail("transfer", errors.New("bad state"))
		}
		if _, dup := e.transferIndex[rec.ID]; dup {
			return fail("transfer", fmt.Errorf("duplicate id %s", rec.ID))
		}
		idx := e.appendTransfer(rec)
		if rec.state == PendingOpen {
			e.openPending++
			if rec.expiresAt != 0 {
				e.expiries = append(e.expiries, expiry{at: rec.expiresAt, index: idx})
			}
		}
	}
	heap.Init(&e.expiries)
	if _, err := io.ReadFull(br, buf[:8]); err != nil {
		return fail("histories", err)
	}
	histories := binary.BigEndian.Uint64(buf[:8])
	if histories > accounts {
		return fail("histories", errors.New("more histories than accounts"))
	}
	const balanceBytes = 16 + 8 + 4*money.AmountBytes
	for i := uint64(0); i < histories; i++ {
		if _, err := io.ReadFull(br, buf[:12]); err != nil {
			return fail("history", err)
		}
		idx := binary.BigEndian.Uint32(buf[0:4])
		n := binary.BigEndian.Uint64(buf[4:12])
		if uint64(idx) >= accounts || n > transfers*2+uint64(e.openPending)+1 {
			return fail("history", errors.New("bad header"))
		}
		h := make([]Balance, n)
		for j := range h {
			if _, err := io.ReadFull(br, buf[:balanceBytes]); err != nil {
				return fail("history", err)
			}
			copy(h[j].TransferID[:], buf[0:16])
			h[j].Timestamp = binary.BigEndian.Uint64(buf[16:24])
			h[j].DebitsPending = money.AmountFromBytes(buf[24:40])
			h[j].DebitsPosted = money.AmountFromBytes(buf[40:56])
			h[j].CreditsPending = money.AmountFromBytes(buf[56:72])
			h[j].CreditsPosted = money.AmountFromBytes(buf[72:88])
		}
		e.histories[idx] = h
	}
	if version >= 2 {
		if _, err := io.ReadFull(br, buf[:8]); err != nil {
			return fail("failed", err)
		}
		n := binary.BigEndian.Uint64(buf[:8])
		var prev ID
		for i := uint64(0); i < n; i++ {
			if _, err := io.ReadFull(br, buf[:17]); err != nil {
				return fail("failed", err)
			}
			var id ID
			copy(id[:], buf[:16])
			r := Result(buf[16])
			if !r.Transient() || (i > 0 && bytes.Compare(prev[:], id[:]) >= 0) {
				return fail("failed", errors.New("a result that is not transient, or ids out of order"))
			}
			e.failed[id], prev = r, id
		}
	}
	if _, err := br.ReadByte(); err == nil {
		return fail("trailer", errors.New("bytes after the end"))
	} else if err != io.EOF {
		// The reader's own check at the end (the journal's checksum of
		// the whole snapshot) failed: report it as it is.
		return fail("trailer", err)
	}
	if err := e.Verify(); err != nil {
		return fail("verify", err)
	}
	return e, nil
}
