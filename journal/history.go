package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"

	"astara/ledger"
)

// The engine's history (see ledger.History) is kept beside the entries,
// under keys of its own:
//
//	h | transfer id(16)                         -> ledger.AppendHistoryTransfer
//	b | account id(16) | timestamp(8) | index(4) -> ledger.AppendBalance
//	r | len(key)(1) | key | version(8)           -> ledger.Record's Value
//
// A record's key (ledger.Record, 1 to ledger.RecordKeyMax bytes) is
// variable in length, so its length goes first: the keys of one length
// sort together and are the same length up to the version, so that two
// keys never collide (a short key's bytes and version never read as a
// longer key) and the versions of one key sort in order, which lets
// Record find the latest one below a version with one reverse seek.
//
// (Records keyed by timestamp, which would append, behind an index by id
// were measured too: no faster, since flushes cost by the byte, and twice
// the writes on a restart's replay.)
//
// It is derived from the entries: every record in it is what replaying
// them writes, so a lost write (unsynced when the process died) is written
// again by the replay after a restart, and `astara verify` checks every
// record replay reaches against the one stored.
//
// A key of its own, x, marks a store whose snapshots leave the history out
// (ledger snapshot version 3): History.Sync, which runs before every such
// snapshot, writes it, and Verify replays in the same way when it is
// there. A journal whose snapshots were all written with the history in
// memory (before history moved out, or by tools) has none.
const (
	prefixHistoryTransfer = 'h'
	prefixHistoryBalance  = 'b'
	prefixRecord          = 'r'
	keyHistoryExternal    = "x"
)

// History is the journal's ledger.History.
type History struct {
	s *Store
	// check, when set, compares what is written with what is stored
	// instead of writing it (Verify).
	check bool
}

var _ ledger.History = (*History)(nil)

// History returns the store's history, for the engine; it implements
// ledger.HistoryStore.
func (s *Store) History() ledger.History { return &History{s: s} }

func historyTransferKey(b []byte, id ledger.ID) []byte {
	b = append(b, prefixHistoryTransfer)
	return append(b, id[:]...)
}

// get returns a copy of key's value, ok false when there is none.
func (h *History) get(key []byte) ([]byte, bool, error) {
	v, closer, err := h.s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer closer.Close()
	return append([]byte(nil), v...), true, nil
}

func historyBalanceKey(b []byte, account ledger.ID, ts uint64, index uint32) []byte {
	b = append(b, prefixHistoryBalance)
	b = append(b, account[:]...)
	b = binary.BigEndian.AppendUint64(b, ts)
	return binary.BigEndian.AppendUint32(b, index)
}

// Transfer implements ledger.History.
func (h *History) Transfer(id ledger.ID) (ledger.HistoryTransfer, bool, error) {
	var t ledger.HistoryTransfer
	v, ok, err := h.get(historyTransferKey(nil, id))
	if err != nil || !ok {
		return t, false, err
	}
	if err := ledger.DecodeHistoryTransfer(&t, v); err != nil {
		return t, false, &CorruptError{Reason: fmt.Sprintf("history of transfer %s: %v", id, err)}
	}
	if t.ID != id {
		return t, false, &CorruptError{Reason: fmt.Sprintf("history of transfer %s holds transfer %s", id, t.ID)}
	}
	return t, true, nil
}

// Balances implements ledger.History.
func (h *History) Balances(account ledger.ID, after, before uint64, limit int) ([]ledger.Balance, error) {
	if limit <= 0 || after == math.MaxUint64 || after+1 >= before {
		return nil, nil
	}
	lower := historyBalanceKey(nil, account, after+1, 0)
	upper := historyBalanceKey(nil, account, before, 0)
	it, err := h.s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []ledger.Balance
	for ok := it.First(); ok && len(out) < limit; ok = it.Next() {
		b, err := balanceAt(it, account)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, it.Error()
}

// balanceAt decodes the balance of account under the iterator, and
// checks it against its key.
func balanceAt(it *pebble.Iterator, account ledger.ID) (ledger.Balance, error) {
	var b ledger.Balance
	v, err := it.ValueAndErr()
	if err != nil {
		return b, err
	}
	if err := ledger.DecodeBalance(&b, v); err != nil {
		return b, &CorruptError{Reason: fmt.Sprintf("history of account %s: %v", account, err)}
	}
	if b.Timestamp != binary.BigEndian.Uint64(it.Key()[17:25]) {
		return b, &CorruptError{Reason: fmt.Sprintf("history of account %s: a balance under another timestamp", account)}
	}
	return b, nil
}

// BalanceBefore implements ledger.History: one seek back from before.
func (h *History) BalanceBefore(account ledger.ID, before uint64) (ledger.Balance, bool, error) {
	if before == 0 {
		return ledger.Balance{}, false, nil
	}
	it, err := h.s.db.NewIter(&pebble.IterOptions{
		LowerBound: historyBalanceKey(nil, account, 0, 0),
		UpperBound: historyBalanceKey(nil, account, before, 0),
	})
	if err != nil {
		return ledger.Balance{}, false, err
	}
	defer it.Close()
	if !it.Last() {
		return ledger.Balance{}, false, it.Error()
	}
	b, err := balanceAt(it, account)
	return b, err == nil, err
}

// Write implements ledger.History: one Pebble batch, not synced (Sync
// is). Under Verify it compares instead, and reports the first record
// stored with other content as corrupt; a record not stored yet is not a
// fault, since the node may have died before it moved it.
func (h *History) Write(transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	if h.check {
		return h.compare(transfers, balances)
	}
	// One allocation for the whole batch: a move is tens of thousands of
	// records, which a batch grown by doubling would copy again and again.
	b := h.s.db.NewBatchWithSize(batchHeaderBytes + len(transfers)*historyTransferRecordMax + len(balances)*historyBalanceRecord)
	defer b.Close()
	var key, val []byte
	for i := range transfers {
		key = historyTransferKey(key[:0], transfers[i].ID)
		val = ledger.AppendHistoryTransfer(val[:0], &transfers[i])
		if err := b.Set(key, val, nil); err != nil {
			return err
		}
	}
	for i := range balances {
		ab := &balances[i]
		key = historyBalanceKey(key[:0], ab.Account, ab.Timestamp, ab.Index)
		val = ledger.AppendBalance(val[:0], &ab.Balance)
		if err := b.Set(key, val, nil); err != nil {
			return err
		}
	}
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.commitLocked("write history", func() error { return b.Commit(pebble.NoSync) })
}

func (h *History) compare(transfers []ledger.HistoryTransfer, balances []ledger.AccountBalance) error {
	var key, val []byte
	check := func(what string) error {
		stored, closer, err := h.s.db.Get(key)
		if errors.Is(err, pebble.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		defer closer.Close()
		if !bytes.Equal(stored, val) {
			return &CorruptError{Reason: what + " in the history differs from what replay writes"}
		}
		return nil
	}
	for i := range transfers {
		key = historyTransferKey(key[:0], transfers[i].ID)
		val = ledger.AppendHistoryTransfer(val[:0], &transfers[i])
		if err := check(fmt.Sprintf("transfer %s", transfers[i].ID)); err != nil {
			return err
		}
	}
	for i := range balances {
		ab := &balances[i]
		key = historyBalanceKey(key[:0], ab.Account, ab.Timestamp, ab.Index)
		val = ledger.AppendBalance(val[:0], &ab.Balance)
		if err := check(fmt.Sprintf("balance of %s at %d", ab.Account, ab.Timestamp)); err != nil {
			return err
		}
	}
	return nil
}

// Sync implements ledger.History: it syncs Pebble's write-ahead log,
// which holds every write before it.
func (h *History) Sync() error {
	if h.check {
		return nil
	}
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.commitLocked("sync history", func() error { return h.s.db.Set([]byte(keyHistoryExternal), nil, pebble.Sync) })
}

// HistoryExternal reports whether the store's snapshots leave the history
// out (see keyHistoryExternal).
func (s *Store) HistoryExternal() (bool, error) {
	_, closer, err := s.db.Get([]byte(keyHistoryExternal))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	closer.Close()
	return true, nil
}

// ScanTransfers implements ledger.History.
func (h *History) ScanTransfers(fn func(ledger.HistoryTransfer) bool) error {
	it, err := h.s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixHistoryTransfer}, UpperBound: []byte{prefixHistoryTransfer + 1}})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		var t ledger.HistoryTransfer
		if err := ledger.DecodeHistoryTransfer(&t, v); err != nil {
			return &CorruptError{Reason: fmt.Sprintf("history key %x: %v", it.Key(), err)}
		}
		if !fn(t) {
			return nil
		}
	}
	return it.Error()
}

// recordKey appends the key of version of the record under key (see the
// layout at the top of the file). key must pass ledger.CheckRecordKey, so
// that its length fits the byte.
func recordKey(b []byte, key []byte, version uint64) []byte {
	b = recordKeyPrefix(b, key)
	return binary.BigEndian.AppendUint64(b, version)
}

// recordKeyBytes is the length of recordKey's key for a record's key.
func recordKeyBytes(key []byte) int { return 2 + len(key) + 8 }

// The sizes of Pebble batches of the history, to make each in one
// allocation: a batch's header, and a record's kind and two lengths
// (varints, two bytes up to 16 KiB) around its key and value. A
// transfer's value is at most 100 bytes (the journal's encoding with
// every optional field) and its state. A size too small only costs the
// batch a copy as it grows.
const (
	batchHeaderBytes         = 12
	batchRecordOverhead      = 1 + 2 + 2
	historyTransferRecordMax = batchRecordOverhead + 1 + len(ledger.ID{}) + 100 + 1
	historyBalanceRecord     = batchRecordOverhead + 1 + len(ledger.ID{}) + 8 + 4 + ledger.BalanceBytes
)

// recordKeyPrefix appends what every version of the record under key
// starts with.
func recordKeyPrefix(b []byte, key []byte) []byte {
	b = append(b, prefixRecord, byte(len(key)))
	return append(b, key...)
}

// ScanRecords implements ledger.History. A record's stored key holds its
// key's length before the key, so the records of a prefix are read in
// one range a length.
func (h *History) ScanRecords(prefix []byte, before uint64, fn func(ledger.Record) bool) error {
	for n := max(len(prefix), 1); n <= ledger.RecordKeyMax; n++ {
		lower := append([]byte{prefixRecord, byte(n)}, prefix...)
		upper := append([]byte{prefixRecord, byte(n)}, prefix...)
		for len(upper) > 2 && upper[len(upper)-1] == 0xff {
			upper = upper[:len(upper)-1]
		}
		if len(upper) == 2 {
			upper = []byte{prefixRecord, byte(n + 1)}
		} else {
			upper[len(upper)-1]++
		}
		more, err := h.scanRecords(lower, upper, n, before, fn)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// scanRecords calls fn with the latest version below before of each
// record, of key length n, stored in [lower, upper); more is false once
// fn returned false.
func (h *History) scanRecords(lower, upper []byte, n int, before uint64, fn func(ledger.Record) bool) (more bool, err error) {
	it, err := h.s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return false, fmt.Errorf("journal: scan records: %w", err)
	}
	defer it.Close()
	var last ledger.Record // the latest version below before of the key being read
	flush := func() bool {
		if last.Key == nil {
			return true
		}
		r := last
		last = ledger.Record{}
		return fn(r)
	}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != 2+n+8 {
			return false, &CorruptError{Reason: fmt.Sprintf("a record stored under a key of %d bytes, not %d", len(k), 2+n+8)}
		}
		key, version := k[2:2+n], binary.BigEndian.Uint64(k[2+n:])
		if last.Key != nil && !bytes.Equal(last.Key, key) && !flush() {
			return false, nil
		}
		if version >= before {
			continue
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return false, fmt.Errorf("journal: scan records: %w", err)
		}
		last = ledger.Record{Key: bytes.Clone(key), Version: version, Value: bytes.Clone(v)}
	}
	if err := it.Error(); err != nil {
		return false, fmt.Errorf("journal: scan records: %w", err)
	}
	return flush(), nil
}

// Record implements ledger.History: one reverse seek among the versions
// of key below before. A key that ledger.CheckRecordKey refuses was never
// written, and has none.
func (h *History) Record(key []byte, before uint64) (ledger.Record, bool, error) {
	if ledger.CheckRecordKey(key) != nil {
		return ledger.Record{}, false, nil
	}
	lower := recordKeyPrefix(nil, key)
	upper := recordKey(nil, key, before) // versions below before
	it, err := h.s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("journal: read record %x: %w", key, err)
	}
	defer it.Close()
	if !it.Last() {
		if err := it.Error(); err != nil {
			return ledger.Record{}, false, fmt.Errorf("journal: read record %x: %w", key, err)
		}
		return ledger.Record{}, false, nil
	}
	k := it.Key()
	if len(k) != len(lower)+8 {
		return ledger.Record{}, false, &CorruptError{Reason: fmt.Sprintf("record %x stored under a key of %d bytes", key, len(k))}
	}
	v, err := it.ValueAndErr()
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("journal: read record %x: %w", key, err)
	}
	rec := ledger.Record{
		Key:     bytes.Clone(key),
		Version: binary.BigEndian.Uint64(k[len(lower):]),
		Value:   bytes.Clone(v),
	}
	return rec, true, nil
}

// WriteRecords implements ledger.History: one Pebble batch, not synced
// (Sync is), like Write, and like Write without reading what is stored: a
// record written again replaces itself. That a record is never written
// again with other content is checked where it costs nothing on the
// applier's path: by ledger.MemoryHistory in the simulations, by
// PostgreSQL, and by Verify here.
//
// Under Verify it compares instead: a record stored under the same key
// and version with other content is corrupt; one not stored passes, as a
// transfer does (the node may have died before writing it).
func (h *History) WriteRecords(records []ledger.Record) error {
	for i := range records {
		if err := ledger.CheckRecordKey(records[i].Key); err != nil {
			return fmt.Errorf("journal: write record %x version %d: %w", records[i].Key, records[i].Version, err)
		}
	}
	if h.check {
		return h.compareRecords(records)
	}
	if len(records) == 0 {
		return nil
	}
	size := batchHeaderBytes
	for i := range records {
		size += batchRecordOverhead + recordKeyBytes(records[i].Key) + len(records[i].Value)
	}
	b := h.s.db.NewBatchWithSize(size)
	defer b.Close()
	var key []byte
	for i := range records {
		r := &records[i]
		key = recordKey(key[:0], r.Key, r.Version)
		if err := b.Set(key, r.Value, nil); err != nil {
			return fmt.Errorf("journal: write record %x version %d: %w", r.Key, r.Version, err)
		}
	}
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.commitLocked("write records", func() error { return b.Commit(pebble.NoSync) })
}

// BlindWrites reports that WriteRecords does not read what is stored
// (the store acceptance suite asks).
func (h *History) BlindWrites() bool { return true }

// compareRecords is WriteRecords under Verify.
func (h *History) compareRecords(records []ledger.Record) error {
	var key []byte
	for i := range records {
		r := &records[i]
		key = recordKey(key[:0], r.Key, r.Version)
		stored, ok, err := h.get(key)
		if err != nil {
			return fmt.Errorf("journal: compare record %x version %d: %w", r.Key, r.Version, err)
		}
		if !ok {
			// The node may have died before writing it; its replay
			// after a restart writes it, as the transfers'.
			continue
		}
		if !bytes.Equal(stored, r.Value) {
			return &CorruptError{Reason: fmt.Sprintf("record %x version %d in the history differs from what replay writes", r.Key, r.Version)}
		}
	}
	return nil
}
