package ledger

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"astara/money"
)

// History is where the engine keeps what it no longer needs to decide:
// transfers that can never change again (posted at once, or pending and
// since posted, voided or expired) and the balance history of accounts
// with AccountHistory. The engine keeps in memory only its hot state
// (accounts, open pending transfers, the recent transfers, an id filter)
// and reads the rest back through History with the same answers.
//
// A History is written by Engine.MoveHistory, between batches, and read
// while batches are applied: a retried transfer id that the id filter may
// have seen is looked up in it. It holds only what the journal before the
// batch produced, or more: after a restart it may hold records of entries
// that replay is about to apply again, which the engine tells apart by
// their timestamps (a record stamped at or after the event being applied
// is not there yet). So the same journal always yields the same answers.
//
// Writes need not be durable until Sync returns; the Service syncs before
// it saves a snapshot, which leaves the moved records out. A History is
// safe for use from several goroutines: recovery writes a move on one
// while it reads, and writes a machine's records, on another.
type History interface {
	// Transfer returns the stored transfer with id, and its final state.
	Transfer(id ID) (HistoryTransfer, bool, error)
	// Balances returns up to limit balances of the account, oldest first,
	// with timestamps after after and before before.
	Balances(account ID, after, before uint64, limit int) ([]Balance, error)
	// BalanceBefore returns the account's latest balance with a timestamp
	// before before; ok is false when it has none. A statement's opening
	// balance is one read, however long the account's history.
	BalanceBefore(account ID, before uint64) (b Balance, ok bool, err error)
	// Write stores transfers and balances. Writing a record again with the
	// same content changes nothing.
	Write(transfers []HistoryTransfer, balances []AccountBalance) error
	// Sync makes every write before it durable.
	Sync() error
	// ScanTransfers calls fn with every stored transfer in id order until
	// fn returns false: for exports and for comparing states.
	ScanTransfers(fn func(HistoryTransfer) bool) error

	// Record returns the latest version of the record under key whose
	// Version is below before; ok is false when there is none.
	Record(key []byte, before uint64) (rec Record, ok bool, err error)
	// ScanRecords calls fn with the latest version below before of every
	// record whose key begins with prefix, in no particular order, until
	// fn returns false: for comparing states (the engine's failed ids).
	ScanRecords(prefix []byte, before uint64, fn func(Record) bool) error
	// WriteRecords stores records. Writing a record again (same key and
	// version) with the same content changes nothing; with other content
	// it is the writer's fault, which a store refuses where it can tell
	// without a read on the write's path (MemoryHistory and PostgreSQL
	// do; the embedded journal leaves it to Verify).
	WriteRecords(records []Record) error
}

// Record is one version of a record that the machine built on the engine
// (the payments layer) keeps out of memory beside the engine's history:
// a payment as it stood after an entry, say. Key names the record, up to
// RecordKeyMax bytes, and no key is a prefix of another (give each kind
// of record a prefix byte and a fixed length); Version is the journal
// entry after which Value is the record's state (keys that begin with a
// zero byte are the engine's own, versioned otherwise; see
// HistoryMovedThrough). A record is written only
// for a journaled entry, and the same journal always writes the same
// records, so a replay after a restart writes them again unchanged; a
// reader at entry n asks for the latest version before n.
type Record struct {
	Key     []byte
	Version uint64
	Value   []byte
}

// RecordKeyMax is the longest Record key.
const RecordKeyMax = 64

// The engine's own records, the keys that begin with a zero byte:
// historyMovedKey has a version for each move a live node wrote (the
// engine's last timestamp when the move was prepared), recordsWrittenKey
// one for each write of its machine's records (the last entry whose
// records it held), idFilterSchemeKey one version, written when the
// History was new, and failedKeyPrefix followed by an id one for each
// id of a client transfer that failed transiently (the moment it failed;
// its value the result, one byte).
const (
	historyMovedKey   = "\x00moved"
	recordsWrittenKey = "\x00records"
	idFilterSchemeKey = "\x00idfilter" // version 0; see StartIDFilterScheme
	failedKeyPrefix   = "\x00failed:"
)

// failedKey is the key of the record of a failed id.
func failedKey(id ID) []byte { return append([]byte(failedKeyPrefix), id[:]...) }

// StartIDFilterScheme records on a new History, before anything else is
// written to it, the scheme with which the id filters of engines on it
// start: the current one (idFilterScheme). Recovery calls it on a store
// with neither entries nor a snapshot; it syncs the record, and does
// nothing on a History that has one. A History without it is older than
// schemes: every snapshot on it holds a filter of the zero scheme, so
// engines on it, and a verify that replays it from its first entry,
// start their filters with that one.
func StartIDFilterScheme(h History) error {
	if _, ok, err := idFilterSchemeOf(h); err != nil || ok {
		return err
	}
	rec := Record{Key: []byte(idFilterSchemeKey), Value: []byte{byte(idFilterSchemeCurrent)}}
	if err := h.WriteRecords([]Record{rec}); err != nil {
		return fmt.Errorf("ledger: write the id filter's scheme: %w", err)
	}
	if err := h.Sync(); err != nil {
		return fmt.Errorf("ledger: sync the id filter's scheme: %w", err)
	}
	return nil
}

// idFilterSchemeOf returns the scheme h keeps; ok is false when it keeps
// none, and the scheme is then the zero one.
func idFilterSchemeOf(h History) (s idFilterScheme, ok bool, err error) {
	rec, ok, err := h.Record([]byte(idFilterSchemeKey), math.MaxUint64)
	if err != nil {
		return 0, false, fmt.Errorf("ledger: read the id filter's scheme: %w", err)
	}
	if !ok {
		return idFilterScheme12, false, nil
	}
	if len(rec.Value) != 1 || !idFilterScheme(rec.Value[0]).known() {
		return 0, true, fmt.Errorf("ledger: the id filter's scheme is %x, not one this build knows", rec.Value)
	}
	return idFilterScheme(rec.Value[0]), true, nil
}

// RecordsWrittenThrough returns the last entry whose machine records h
// holds, all of them and those of every entry before (0 if none): a
// live node writes them, then marks them, so a replay need not write
// them again.
func RecordsWrittenThrough(h History) (uint64, error) { return markedThrough(h, recordsWrittenKey) }

// HistoryMovedThrough returns the timestamp of the latest entry as of
// which h holds everything a node had to move out of memory (0 if
// none): a live node writes each move, then marks it. What is due to
// move as of an entry stays due or moved as later entries are applied
// (a closed transfer stays closed; a balance never changes), so a replay
// needs to write none of the moves it prepares up to that entry: they
// are stored. The mark is written after the move it marks, so a store
// that lost the end of its writes in a crash loses the mark with them.
func HistoryMovedThrough(h History) (uint64, error) { return markedThrough(h, historyMovedKey) }

// markedThrough returns the latest version of the engine's mark key, 0
// if none.
func markedThrough(h History, key string) (uint64, error) {
	rec, ok, err := h.Record([]byte(key), math.MaxUint64)
	if err != nil || !ok {
		return 0, err
	}
	return rec.Version, nil
}

// HistoryTransfer is a transfer as History keeps it: with its final
// state, PendingNone for a transfer that was never pending.
type HistoryTransfer struct {
	Transfer
	State PendingState
}

// AccountBalance is one entry of an account's balance history. Several
// entries of an account may share a timestamp (pending transfers that
// expire together); Index is the entry's place among them, so that
// (Account, Timestamp, Index) names it. A batch's entries are always
// moved together, so the entries of one timestamp are never split.
type AccountBalance struct {
	Account ID
	Index   uint32
	Balance
}

// HotTransfersDefault is how many transfers an engine with a History keeps
// in memory before it moves the oldest closed ones out: 128 Ki transfers,
// about 13 MiB.
const HotTransfersDefault = 4 * transferChunkRecords

// Sizes of History's records in their binary form.
const (
	// BalanceBytes is the size of an encoded Balance.
	BalanceBytes = IDBytes + 8 + 4*money.AmountBytes
)

// AppendHistoryTransfer appends the binary form of a stored transfer: the
// journal's transfer encoding, then the state.
func AppendHistoryTransfer(b []byte, t *HistoryTransfer) []byte {
	b = appendTransfer(b, &t.Transfer)
	return append(b, byte(t.State))
}

// DecodeHistoryTransfer reads what AppendHistoryTransfer wrote, all of it.
func DecodeHistoryTransfer(t *HistoryTransfer, b []byte) error {
	rest, err := decodeTransfer(&t.Transfer, b)
	if err != nil {
		return err
	}
	if len(rest) != 1 || PendingState(rest[0]) > PendingExpired || PendingState(rest[0]) == PendingOpen {
		return fmt.Errorf("%w: a stored transfer's state", ErrCorruptPayload)
	}
	t.State = PendingState(rest[0])
	return nil
}

// AppendBalance appends the binary form of a balance (BalanceBytes).
func AppendBalance(b []byte, v *Balance) []byte { return appendBalance(b, v) }

// DecodeBalance reads what AppendBalance wrote.
func DecodeBalance(v *Balance, b []byte) error {
	if len(b) != BalanceBytes {
		return fmt.Errorf("%w: a balance of %d bytes, want %d", ErrCorruptPayload, len(b), BalanceBytes)
	}
	copy(v.TransferID[:], b[0:16])
	v.Timestamp = binary.BigEndian.Uint64(b[16:24])
	v.DebitsPending = money.AmountFromBytes(b[24:40])
	v.DebitsPosted = money.AmountFromBytes(b[40:56])
	v.CreditsPending = money.AmountFromBytes(b[56:72])
	v.CreditsPosted = money.AmountFromBytes(b[72:88])
	return nil
}

// MemoryHistory is a History in memory: for tests, simulations and
// tools that want the engine's hot/cold split without a store. It is safe
// for concurrent use.
type MemoryHistory struct {
	mu        sync.RWMutex
	transfers map[ID][]byte
	balances  map[ID][]indexedBalance // by account, in (timestamp, index) order
	records   map[string][]Record     // by key, oldest version first
	writes    int
	syncs     int
	reads     int
	// recordReads counts Record's calls, which take the read lock only.
	recordReads atomic.Int64
}

// NewMemoryHistory returns an empty MemoryHistory.
func NewMemoryHistory() *MemoryHistory {
	return &MemoryHistory{transfers: make(map[ID][]byte), balances: make(map[ID][]indexedBalance), records: make(map[string][]Record)}
}

type indexedBalance struct {
	index uint32
	Balance
}

func cmpIndexedBalance(b indexedBalance, key indexedBalance) int {
	if c := cmp.Compare(b.Timestamp, key.Timestamp); c != 0 {
		return c
	}
	return cmp.Compare(b.index, key.index)
}

// Transfer implements History.
func (h *MemoryHistory) Transfer(id ID) (HistoryTransfer, bool, error) {
	h.mu.Lock()
	h.reads++
	b, ok := h.transfers[id]
	h.mu.Unlock()
	if !ok {
		return HistoryTransfer{}, false, nil
	}
	var t HistoryTransfer
	return t, true, DecodeHistoryTransfer(&t, b)
}

// Balances implements History.
func (h *MemoryHistory) Balances(account ID, after, before uint64, limit int) ([]Balance, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	all := h.balances[account]
	i, _ := slices.BinarySearchFunc(all, indexedBalance{Balance: Balance{Timestamp: after + 1}}, cmpIndexedBalance)
	var out []Balance
	for ; i < len(all) && len(out) < limit && all[i].Timestamp < before; i++ {
		out = append(out, all[i].Balance)
	}
	return out, nil
}

// BalanceBefore implements History.
func (h *MemoryHistory) BalanceBefore(account ID, before uint64) (Balance, bool, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	all := h.balances[account]
	i, _ := slices.BinarySearchFunc(all, indexedBalance{Balance: Balance{Timestamp: before}}, cmpIndexedBalance)
	if i == 0 {
		return Balance{}, false, nil
	}
	return all[i-1].Balance, true, nil
}

// Write implements History.
func (h *MemoryHistory) Write(transfers []HistoryTransfer, balances []AccountBalance) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.writes++
	for i := range transfers {
		b := AppendHistoryTransfer(nil, &transfers[i])
		if old, ok := h.transfers[transfers[i].ID]; ok && !bytes.Equal(old, b) {
			// A transfer never changes once it is moved: a different
			// record under its id is an engine fault.
			return fmt.Errorf("ledger: history: transfer %s written again with other content", transfers[i].ID)
		}
		h.transfers[transfers[i].ID] = b
	}
	for _, ab := range balances {
		all := h.balances[ab.Account]
		key := indexedBalance{index: ab.Index, Balance: ab.Balance}
		i, found := slices.BinarySearchFunc(all, key, cmpIndexedBalance)
		if found {
			if all[i] != key {
				return fmt.Errorf("ledger: history: balance %d of %s at %d written again with other content", ab.Index, ab.Account, ab.Timestamp)
			}
			continue
		}
		h.balances[ab.Account] = slices.Insert(all, i, key)
	}
	return nil
}

// Sync implements History; memory is as durable as it gets.
func (h *MemoryHistory) Sync() error {
	h.mu.Lock()
	h.syncs++
	h.mu.Unlock()
	return nil
}

// ScanTransfers implements History.
func (h *MemoryHistory) ScanTransfers(fn func(HistoryTransfer) bool) error {
	h.mu.RLock()
	ids := make([]ID, 0, len(h.transfers))
	for id := range h.transfers {
		ids = append(ids, id)
	}
	h.mu.RUnlock()
	slices.SortFunc(ids, func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
	for _, id := range ids {
		t, _, err := h.Transfer(id)
		if err != nil {
			return err
		}
		if !fn(t) {
			return nil
		}
	}
	return nil
}

// Record implements History.
func (h *MemoryHistory) Record(key []byte, before uint64) (Record, bool, error) {
	h.recordReads.Add(1)
	h.mu.RLock()
	defer h.mu.RUnlock()
	all := h.records[string(key)]
	i, _ := slices.BinarySearchFunc(all, before, func(r Record, v uint64) int { return cmp.Compare(r.Version, v) })
	if i == 0 {
		return Record{}, false, nil
	}
	r := all[i-1]
	return Record{Key: bytes.Clone(r.Key), Version: r.Version, Value: bytes.Clone(r.Value)}, true, nil
}

// ScanRecords implements History.
func (h *MemoryHistory) ScanRecords(prefix []byte, before uint64, fn func(Record) bool) error {
	h.mu.RLock()
	var found []Record
	for key, all := range h.records {
		if !strings.HasPrefix(key, string(prefix)) {
			continue
		}
		i, _ := slices.BinarySearchFunc(all, before, func(r Record, v uint64) int { return cmp.Compare(r.Version, v) })
		if i > 0 {
			r := all[i-1]
			found = append(found, Record{Key: bytes.Clone(r.Key), Version: r.Version, Value: bytes.Clone(r.Value)})
		}
	}
	h.mu.RUnlock()
	for _, r := range found {
		if !fn(r) {
			return nil
		}
	}
	return nil
}

// WriteRecords implements History.
func (h *MemoryHistory) WriteRecords(records []Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range records {
		if err := CheckRecordKey(r.Key); err != nil {
			return err
		}
		all := h.records[string(r.Key)]
		i, found := slices.BinarySearchFunc(all, r.Version, func(r Record, v uint64) int { return cmp.Compare(r.Version, v) })
		if found {
			if !bytes.Equal(all[i].Value, r.Value) {
				return fmt.Errorf("ledger: history: record %x version %d written again with other content", r.Key, r.Version)
			}
			continue
		}
		r = Record{Key: bytes.Clone(r.Key), Version: r.Version, Value: bytes.Clone(r.Value)}
		h.records[string(r.Key)] = slices.Insert(all, i, r)
	}
	return nil
}

// Records returns every record version held, by key and version.
func (h *MemoryHistory) Records() []Record {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []Record
	for _, all := range h.records {
		out = append(out, all...)
	}
	slices.SortFunc(out, func(a, b Record) int {
		if c := bytes.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return cmp.Compare(a.Version, b.Version)
	})
	return out
}

// RecordsLen returns how many record versions are held.
func (h *MemoryHistory) RecordsLen() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, all := range h.records {
		n += len(all)
	}
	return n
}

// CheckRecordKey reports a key that Record does not allow.
func CheckRecordKey(key []byte) error {
	if len(key) == 0 || len(key) > RecordKeyMax {
		return fmt.Errorf("ledger: history: record key of %d bytes; 1 to %d allowed", len(key), RecordKeyMax)
	}
	return nil
}

// Writes returns how many times Write was called.
func (h *MemoryHistory) Writes() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.writes
}

// RecordReads returns how many times Record was called.
func (h *MemoryHistory) RecordReads() int { return int(h.recordReads.Load()) }

// Reads returns how many times Transfer was called.
func (h *MemoryHistory) Reads() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.reads
}

// Len returns the number of transfers and balances held.
func (h *MemoryHistory) Len() (transfers, balances int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, b := range h.balances {
		balances += len(b)
	}
	return len(h.transfers), balances
}

// idFilter is a Bloom filter over the ids of every transfer the engine
// created: a new id, the common case, is known new without reading
// History. It grows in segments, each four times the capacity of the one
// before (from a million ids; the snapshot stores runs of empty blocks in
// a few bytes, so small states keep small snapshots) and each sized for
// its capacity, so that it needs no rehashing; an id is looked for in
// every segment, one cache line each, 8 probes in a 512-bit block. How
// many bits an id a segment has is the filter's scheme (idFilterScheme):
// a full segment of the current scheme, 16 bits an id, answers "maybe"
// for about 0.2% of new ids (those cost one History read), and the four
// segments of 50 million ids for about 0.6%. It takes 2 bytes an id, up
// to four times that just after a new segment starts, and 2 MiB at least.
//
// The filter is part of the engine's state: it is in the snapshot and is
// the same, bit for bit, on every node that applied the same journal (ids
// of a chain that failed are not added) and started its filter with the
// same scheme, which the History keeps (idFilterSchemeKey).
type idFilter struct {
	scheme   idFilterScheme
	segments []filterSegment
}

type filterSegment struct {
	capacity uint64
	count    uint64
	blocks   [][8]uint64 // 512-bit blocks
}

const (
	idFilterFirstCapacity = 1 << 20
	idFilterGrowthShift   = 2
	idFilterProbes        = 8  // bits set an id in a transfer id filter
	idFilterProbesFailed  = 16 // and in the filter of failed ids
)

// idFilterScheme is how many bits an id the id filter's segments have.
// The zero scheme, 12 bits an id (0.57% of new ids answered "maybe" by a
// full segment), is that of every filter started before the History kept
// a scheme, and of IDFilter; a new History starts filters with
// idFilterSchemeCurrent, 16 bits an id (0.19%).
type idFilterScheme uint8

const (
	idFilterScheme12      idFilterScheme = 0
	idFilterScheme16      idFilterScheme = 1
	idFilterSchemeCurrent                = idFilterScheme16
	// idFilterSchemeFailed, 32 bits and 16 probes an id, is the filter of
	// failed ids' alone, never a History's scheme: a full segment answers
	// "maybe" for about 1 in 100,000 new ids (TestFailedIDFilterScheme),
	// each of
	// which is a read of a record that no filter of the store spares (a
	// read among the records, whose neighbours in the embedded journal
	// are the snapshot's chunks: a millisecond, where a transfer's read
	// skips the tables its Bloom filters rule out). Failed ids are few
	// beside transfers, and every client transfer probes their filter.
	idFilterSchemeFailed idFilterScheme = 2
)

func (s idFilterScheme) bitsPerID() uint64 {
	if s == idFilterSchemeFailed {
		return 32
	}
	if s == idFilterScheme16 {
		return 16
	}
	return 12
}

func (s idFilterScheme) known() bool { return s <= idFilterScheme16 }

func newFilterSegment(capacity uint64, scheme idFilterScheme) filterSegment {
	s := filterSegment{capacity: capacity, blocks: make([][8]uint64, (capacity*scheme.bitsPerID()+511)/512)}
	adviseHugePages(s.blocks)
	return s
}

// idHashes mixes an id (often sequential) into two independent 64-bit
// hashes: the block (idHash, which the id index uses too) and the probes.
func idHashes(id ID) (uint64, uint64) {
	hi := binary.BigEndian.Uint64(id[0:8])
	lo := binary.BigEndian.Uint64(id[8:16])
	return idHash(id), mix64(hi ^ mix64(lo^0x9e3779b97f4a7c15))
}

// idHash is idHashes's first hash alone.
func idHash(id ID) uint64 {
	return mix64(binary.BigEndian.Uint64(id[8:16]) ^ mix64(binary.BigEndian.Uint64(id[0:8])))
}

// mix64 is SplitMix64's finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// add sets id's bits: with wide, idFilterProbesFailed of them drawn by
// wideProbe (the filter of failed ids), or else idFilterProbes.
func (s *filterSegment) add(h1, h2 uint64, wide bool) {
	b := &s.blocks[(h1>>32)*uint64(len(s.blocks))>>32]
	if wide {
		var x uint64
		for i := uint64(0); i < idFilterProbesFailed; i++ {
			x = wideProbe(x, h2, i)
			bit := x & 511
			b[bit>>6] |= 1 << (bit & 63)
		}
		s.count++
		return
	}
	for i := uint64(0); i < idFilterProbes; i++ {
		bit := (h2 + i*(h2>>32|1)) & 511
		b[bit>>6] |= 1 << (bit & 63)
	}
	s.count++
}

func (s *filterSegment) has(h1, h2 uint64, wide bool) bool {
	b := &s.blocks[(h1>>32)*uint64(len(s.blocks))>>32]
	if wide {
		var x uint64
		for i := uint64(0); i < idFilterProbesFailed; i++ {
			x = wideProbe(x, h2, i)
			if bit := x & 511; b[bit>>6]&(1<<(bit&63)) == 0 {
				return false
			}
		}
		return true
	}
	for i := uint64(0); i < idFilterProbes; i++ {
		bit := (h2 + i*(h2>>32|1)) & 511
		if b[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
	}
	return true
}

// wideProbe returns the bits that give the ith probe of the filter of
// failed ids in their low 9, from x, the bits that gave the one before,
// and h2, the id's second hash: nine fresh bits each, from a new 64-bit
// mix of h2 every seventh. The transfer id filter's probes step through
// the block from 18 bits of one hash, so that at most 2^17 patterns
// exist, a floor of about 1 in 10,000 under any number of bits an id;
// its layout is its snapshots' and stays as it is.
func wideProbe(x, h2, i uint64) uint64 {
	if i%7 == 0 {
		return mix64(h2 + (i/7+1)*0x9e3779b97f4a7c15)
	}
	return x >> 9
}

// wide reports whether the filter's ids set wideProbe's bits: the
// filter of failed ids.
func (f *idFilter) wide() bool { return f.scheme == idFilterSchemeFailed }

func (f *idFilter) add(id ID) {
	n := len(f.segments)
	if n == 0 || f.segments[n-1].count >= f.segments[n-1].capacity {
		capacity := uint64(idFilterFirstCapacity)
		if n > 0 {
			capacity = f.segments[n-1].capacity << idFilterGrowthShift
		}
		f.segments = append(f.segments, newFilterSegment(capacity, f.scheme))
		n++
	}
	h1, h2 := idHashes(id)
	f.segments[n-1].add(h1, h2, f.wide())
}

// touchAhead is how many transfers ahead of the one it applies a
// batch touches the cache lines it will need (Engine.touch), and a drop
// the id index's lines of the transfers it deletes.
const touchAhead = 4

// touch asks for the block that the id of idHash h1 falls in, in every
// segment. Called a few ids ahead of mayHave, it has the processor fetch
// those cache lines, one a segment, all at once and while it works on the
// ids before, instead of one after another when mayHave needs them: in a
// large filter each is a miss to memory.
func (f *idFilter) touch(h1 uint64) {
	for i := range f.segments {
		s := &f.segments[i]
		prefetch(unsafe.Pointer(&s.blocks[(h1>>32)*uint64(len(s.blocks))>>32]))
	}
}

func (f *idFilter) mayHave(id ID) bool {
	h1, h2 := idHashes(id)
	wide := f.wide()
	for i := range f.segments {
		if f.segments[i].has(h1, h2, wide) {
			return true
		}
	}
	return false
}

// IDFilter is the engine's id filter for the layers above it: a Bloom
// filter of ids that answers "not there" for most ids never added, in
// 1.5 bytes an id (1.5 MiB at least). It is deterministic: the same ids
// added in the same order give the same bits, so it can be part of a
// state machine's snapshot. Its zero value is empty.
type IDFilter struct {
	f idFilter
}

// Add adds an id.
func (x *IDFilter) Add(id ID) { x.f.add(id) }

// MayHave reports whether id may have been added; false is certain.
func (x *IDFilter) MayHave(id ID) bool { return x.f.mayHave(id) }

// Len returns how many ids were added.
func (x *IDFilter) Len() uint64 {
	var n uint64
	for i := range x.f.segments {
		n += x.f.segments[i].count
	}
	return n
}

// MarshalBinary encodes the filter as the ledger's snapshot does: its
// length, then its segments, with runs of empty blocks in a few bytes.
func (x *IDFilter) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], x.Len())
	bw.Write(n[:])
	x.f.write(bw, make([]byte, 0, 64))
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalBinary decodes what MarshalBinary encoded.
func (x *IDFilter) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return errors.New("ledger: id filter: too short")
	}
	var f idFilter
	br := bufio.NewReader(bytes.NewReader(b[8:]))
	if err := f.read(br, make([]byte, 64), binary.BigEndian.Uint64(b)); err != nil {
		return fmt.Errorf("ledger: id filter: %w", err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return errors.New("ledger: id filter: bytes after the end")
	}
	x.f = f
	return nil
}

// bytes returns the filter's memory.
func (f *idFilter) bytes() int {
	n := 0
	for i := range f.segments {
		n += len(f.segments[i].blocks) * 64
	}
	return n
}

// WriteState writes the engine's whole logical state in a form that does
// not depend on where its history is: the last timestamp, the accounts,
// every transfer in id order with its state, every balance history, the
// failed ids (in memory and in History) and the counts. Two engines that applied the same journal
// write the same bytes, whether their history is in memory or in a
// History and whatever they moved when. It reads all of History: it is
// for tests and verification, not for a live node's every batch.
func (e *Engine) WriteState(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := binary.BigEndian.AppendUint64(nil, e.lastTimestamp)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.transferCount))
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.openPending))
	bw.Write(buf)
	for i := range e.accounts {
		bw.Write(appendAccount(buf[:0], &e.accounts[i]))
	}
	hot := make([]*transferRecord, 0, e.transferIndex.len())
	for i := range e.hotTransfers() {
		hot = append(hot, e.transfer(i))
	}
	slices.SortFunc(hot, func(a, b *transferRecord) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	put := func(t *Transfer, state PendingState) {
		bw.Write(AppendHistoryTransfer(buf[:0], &HistoryTransfer{Transfer: *t, State: state}))
	}
	if e.history != nil {
		err := e.history.ScanTransfers(func(h HistoryTransfer) bool {
			for len(hot) > 0 && bytes.Compare(hot[0].ID[:], h.ID[:]) < 0 {
				put(&hot[0].Transfer, hot[0].state)
				hot = hot[1:]
			}
			if _, inMemory := e.transferIndex.get(h.ID); !inMemory && h.Timestamp <= e.lastTimestamp {
				put(&h.Transfer, h.State)
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	for _, r := range hot {
		put(&r.Transfer, r.state)
	}
	for i := range e.accounts {
		if e.accounts[i].Flags&AccountHistory == 0 {
			continue
		}
		h, _ := e.AccountBalances(e.accounts[i].ID, 0, math.MaxInt)
		buf = binary.BigEndian.AppendUint32(buf[:0], uint32(i))
		bw.Write(binary.BigEndian.AppendUint64(buf, uint64(len(h))))
		for j := range h {
			bw.Write(appendBalance(buf[:0], &h[j]))
		}
	}
	failed := maps.Clone(e.failed)
	if e.history != nil {
		var bad error
		err := e.history.ScanRecords([]byte(failedKeyPrefix), e.lastTimestamp+1, func(r Record) bool {
			var id ID
			if len(r.Key) != len(failedKeyPrefix)+len(id) || len(r.Value) != 1 || !Result(r.Value[0]).Transient() {
				bad = fmt.Errorf("%w: a failed id's record %x holds %x", ErrCorruptPayload, r.Key, r.Value)
				return false
			}
			copy(id[:], r.Key[len(failedKeyPrefix):])
			if _, ok := failed[id]; !ok {
				failed[id] = failedID{result: Result(r.Value[0]), at: r.Version}
			}
			return true
		})
		if err == nil {
			err = bad
		}
		if err != nil {
			return err
		}
	}
	writeFailed(bw, buf, failed)
	return bw.Flush()
}
