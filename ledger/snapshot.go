package ledger

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"astara/money"
)

// snapshotMagic starts every snapshot; the byte after it is the version.
const (
	snapshotMagic = "ASTARA-LEDGER-SNAPSHOT"
	// snapshotVersion 2 adds the ids of client transfers that failed
	// transiently after the histories. A state with none is written as
	// version 1, byte for byte as before version 2 existed, so that the
	// snapshots of a node that upgrades still verify.
	//
	// snapshotVersion 3 is the state of an engine whose history is in a
	// History: after the accounts, the count of transfers ever created,
	// then the open pending transfers alone, the failed ids and the id
	// filter; no balance history. Everything else is in the History,
	// synced before the snapshot is saved.
	//
	// snapshotVersion 4 is version 3 with the id filter's scheme, one
	// byte, before the filter. A filter of the zero scheme is written as
	// version 3, byte for byte as before version 4 existed.
	//
	// snapshotVersion 5 is version 4 with the failed ids in History, as
	// the transfers are: no failed ids, and after the id filter the
	// filter of failed ids (the count of its ids, then the filter as the
	// id filter is written; its scheme is its own, 32 bits and 16 probes
	// an id). Versions 3 and 4 hold the failed ids
	// themselves. An engine that has never had a failed id writes
	// version 4 (or 3), byte for byte as before version 5 existed. The
	// scheme byte of version 5 may be the zero scheme.
	snapshotVersion = 5
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
	version := byte(2)
	switch {
	case e.external && len(e.failedFilter.segments) > 0:
		version = 5
	case e.external && e.filter.scheme != idFilterScheme12:
		version = 4
	case e.external:
		version = 3
	case len(e.failed) == 0:
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
	if version >= 3 {
		buf = binary.BigEndian.AppendUint64(buf[:0], uint64(e.openPending))
		bw.Write(buf)
		for i := range e.hotTransfers() {
			if r := e.transfer(i); r.state == PendingOpen {
				buf = appendTransferRecord(buf[:0], r)
				bw.Write(buf)
			}
		}
		if version < 5 {
			writeFailed(bw, buf, e.failed)
		}
		if version >= 4 {
			bw.WriteByte(byte(e.filter.scheme))
		}
		e.filter.write(bw, buf)
		if version == 5 {
			n := uint64(0)
			for i := range e.failedFilter.segments {
				n += e.failedFilter.segments[i].count
			}
			bw.Write(binary.BigEndian.AppendUint64(buf[:0], n))
			e.failedFilter.write(bw, buf)
		}
		return bw.Flush()
	}
	for i := uint32(0); i < e.transferCount; i++ {
		buf = appendTransferRecord(buf[:0], e.transfer(i))
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
	writeFailed(bw, buf, e.failed)
	return bw.Flush()
}

func appendTransferRecord(b []byte, r *transferRecord) []byte {
	b = appendTransfer(b, &r.Transfer)
	b = append(b, byte(r.state))
	return binary.BigEndian.AppendUint64(b, r.expiresAt)
}

// writeFailed writes the failed ids, sorted, so that the bytes are the
// state's alone.
func writeFailed(bw *bufio.Writer, buf []byte, failed map[ID]failedID) {
	ids := sortedFailed(failed)
	buf = binary.BigEndian.AppendUint64(buf[:0], uint64(len(ids)))
	bw.Write(buf)
	for _, id := range ids {
		buf = append(buf[:0], id[:]...)
		buf = append(buf, byte(failed[id].result))
		bw.Write(buf)
	}
}

// writeFilter writes the id filter: the segments' capacities and counts,
// then their bits.
func (f *idFilter) write(bw *bufio.Writer, buf []byte) {
	buf = binary.BigEndian.AppendUint32(buf[:0], uint32(len(f.segments)))
	for i := range f.segments {
		buf = binary.BigEndian.AppendUint64(buf, f.segments[i].capacity)
		buf = binary.BigEndian.AppendUint64(buf, f.segments[i].count)
	}
	bw.Write(buf)
	// The blocks as runs: how many empty blocks, how many blocks follow
	// that are not, then those; a young filter is mostly empty.
	for i := range f.segments {
		blocks := f.segments[i].blocks
		for j := 0; j < len(blocks); {
			zeros := j
			for j < len(blocks) && blocks[j] == ([8]uint64{}) {
				j++
			}
			zeros = j - zeros
			set := j
			for j < len(blocks) && blocks[j] != ([8]uint64{}) {
				j++
			}
			buf = binary.BigEndian.AppendUint32(buf[:0], uint32(zeros))
			buf = binary.BigEndian.AppendUint32(buf, uint32(j-set))
			bw.Write(buf)
			for _, b := range blocks[set:j] {
				buf = buf[:0]
				for _, w := range b {
					buf = binary.BigEndian.AppendUint64(buf, w)
				}
				bw.Write(buf)
			}
		}
	}
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

// SnapshotVersion returns the format version of the ledger snapshot b
// starts (the byte after its magic), and false when b does not start like
// one.
func SnapshotVersion(b []byte) (byte, bool) {
	if len(b) <= len(snapshotMagic) || string(b[:len(snapshotMagic)]) != snapshotMagic {
		return 0, false
	}
	return b[len(snapshotMagic)], true
}

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
	version, ok := SnapshotVersion(head)
	if !ok || version < 1 || version > snapshotVersion {
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
	if version >= 3 {
		if err := e.restoreExternal(br, buf, transfers, version); err != nil {
			return fail("history kept outside", err)
		}
		return e, nil
	}
	for i := uint64(0); i < transfers; i++ {
		rec, err := readTransferRecord(br, buf)
		if err != nil {
			return fail("transfer", err)
		}
		if _, dup := e.transferIndex.get(rec.ID); dup {
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
		if err := e.readFailed(br, buf); err != nil {
			return fail("failed", err)
		}
	}
	if err := e.finishRestore(br); err != nil {
		return fail("trailer", err)
	}
	if err := e.Verify(); err != nil {
		return fail("verify", err)
	}
	return e, nil
}

// readTransferRecord reads what appendTransferRecord wrote.
func readTransferRecord(br *bufio.Reader, buf []byte) (transferRecord, error) {
	var rec transferRecord
	if _, err := io.ReadFull(br, buf[:transferBytesMin]); err != nil {
		return rec, err
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
		return rec, err
	}
	if _, err := decodeTransfer(&rec.Transfer, buf[:n-9]); err != nil {
		return rec, err
	}
	rec.state = PendingState(buf[n-9])
	rec.expiresAt = binary.BigEndian.Uint64(buf[n-8 : n])
	if rec.state > PendingExpired {
		return rec, errors.New("bad state")
	}
	return rec, nil
}

// readFailed reads what writeFailed wrote.
func (e *Engine) readFailed(br *bufio.Reader, buf []byte) error {
	if _, err := io.ReadFull(br, buf[:8]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint64(buf[:8])
	var prev ID
	for i := uint64(0); i < n; i++ {
		if _, err := io.ReadFull(br, buf[:17]); err != nil {
			return err
		}
		var id ID
		copy(id[:], buf[:16])
		r := Result(buf[16])
		if !r.Transient() || (i > 0 && bytes.Compare(prev[:], id[:]) >= 0) {
			return errors.New("a result that is not transient, or ids out of order")
		}
		// A snapshot does not keep the moment an id failed: its own
		// stands for it, the version of the record when the id moves.
		e.failed[id], prev = failedID{result: r, at: e.lastTimestamp}, id
	}
	return nil
}

// finishRestore checks that the snapshot ends where its state does.
func (e *Engine) finishRestore(br *bufio.Reader) error {
	if _, err := br.ReadByte(); err == nil {
		return errors.New("bytes after the end")
	} else if err != io.EOF {
		// The reader's own check at the end (the journal's checksum of
		// the whole snapshot) failed: report it as it is.
		return err
	}
	return nil
}

// restoreExternal reads the rest of a version 3, 4 or 5 snapshot: the
// open pending transfers, parked under indexes in their order, the
// failed ids (3 and 4), the id filter and the filter of failed ids (5).
// The engine then needs SetHistory.
func (e *Engine) restoreExternal(br *bufio.Reader, buf []byte, transfers uint64, version byte) error {
	if _, err := io.ReadFull(br, buf[:8]); err != nil {
		return err
	}
	open := binary.BigEndian.Uint64(buf[:8])
	if open > transfers {
		return errors.New("more open pending transfers than transfers")
	}
	for i := uint32(0); uint64(i) < open; i++ {
		rec, err := readTransferRecord(br, buf)
		if err != nil {
			return err
		}
		if rec.state != PendingOpen {
			return fmt.Errorf("transfer %s is not open", rec.ID)
		}
		if _, dup := e.transferIndex.get(rec.ID); dup {
			return fmt.Errorf("duplicate id %s", rec.ID)
		}
		p := new(transferRecord)
		*p = rec
		e.parked[i] = p
		e.transferIndex.put(rec.ID, i)
		e.openPending++
		if rec.expiresAt != 0 {
			e.expiries = append(e.expiries, expiry{at: rec.expiresAt, index: i})
		}
	}
	heap.Init(&e.expiries)
	e.transferCount = uint32(transfers)
	e.hotFrom = e.transferCount
	if version < 5 {
		if err := e.readFailed(br, buf); err != nil {
			return fmt.Errorf("failed ids: %w", err)
		}
	}
	if version >= 4 {
		scheme, err := br.ReadByte()
		if err != nil {
			return fmt.Errorf("id filter: %w", err)
		}
		e.filter.scheme = idFilterScheme(scheme)
		if (version == 4 && e.filter.scheme == idFilterScheme12) || !e.filter.scheme.known() {
			return fmt.Errorf("id filter: scheme %d in a version %d snapshot", scheme, version)
		}
	}
	if err := e.filter.read(br, buf, transfers); err != nil {
		return fmt.Errorf("id filter: %w", err)
	}
	if version == 5 {
		if _, err := io.ReadFull(br, buf[:8]); err != nil {
			return fmt.Errorf("failed ids' filter: %w", err)
		}
		n := binary.BigEndian.Uint64(buf[:8])
		e.failedFilter = idFilter{scheme: idFilterSchemeFailed}
		if err := e.failedFilter.read(br, buf, n); err != nil {
			return fmt.Errorf("failed ids' filter: %w", err)
		}
		if n == 0 {
			return errors.New("failed ids' filter: empty in a version 5 snapshot")
		}
	} else {
		e.adoptFailed()
	}
	e.external = true
	if err := e.finishRestore(br); err != nil {
		return err
	}
	return e.Verify()
}

// readFilter reads what writeFilter wrote; the filter must hold as many
// ids as there are transfers.
func (f *idFilter) read(br *bufio.Reader, buf []byte, transfers uint64) error {
	if _, err := io.ReadFull(br, buf[:4]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(buf[:4])
	if n > 20 {
		return errors.New("too many segments")
	}
	var total uint64
	for i := uint32(0); i < n; i++ {
		if _, err := io.ReadFull(br, buf[:16]); err != nil {
			return err
		}
		capacity := binary.BigEndian.Uint64(buf[0:8])
		count := binary.BigEndian.Uint64(buf[8:16])
		want := uint64(idFilterFirstCapacity) << (i * idFilterGrowthShift)
		if capacity != want || count > capacity || (i+1 < n && count != capacity) {
			return fmt.Errorf("segment %d: capacity %d, count %d", i, capacity, count)
		}
		f.segments = append(f.segments, filterSegment{capacity: capacity, count: count})
		total += count
	}
	if total != transfers {
		return fmt.Errorf("holds %d ids, not the %d transfers", total, transfers)
	}
	chunk := make([]byte, 64<<10)
	for i := range f.segments {
		s := newFilterSegment(f.segments[i].capacity, f.scheme)
		s.count = f.segments[i].count
		for j := 0; j < len(s.blocks); {
			if _, err := io.ReadFull(br, buf[:8]); err != nil {
				return err
			}
			zeros, set := int(binary.BigEndian.Uint32(buf[0:4])), int(binary.BigEndian.Uint32(buf[4:8]))
			if zeros > len(s.blocks)-j || set > len(s.blocks)-j-zeros || zeros+set == 0 || (set == 0 && j+zeros != len(s.blocks)) {
				return fmt.Errorf("segment %d: a bad run of blocks at %d", i, j)
			}
			j += zeros
			// A run is read a chunk at a time, not a block at a time:
			// a large filter is millions of blocks.
			for end := j + set; j < end; {
				n := min(end-j, len(chunk)/64)
				if _, err := io.ReadFull(br, chunk[:n*64]); err != nil {
					return err
				}
				for b := range n {
					block := &s.blocks[j]
					for k := range block {
						block[k] = binary.BigEndian.Uint64(chunk[b*64+k*8:])
					}
					if *block == ([8]uint64{}) {
						return fmt.Errorf("segment %d: an empty block %d in a run of set ones", i, j)
					}
					j++
				}
			}
		}
		f.segments[i] = s
	}
	return nil
}
