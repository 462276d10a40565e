// Package journal is Astara's durable, append-only record of every batch
// the ledger engine applied, kept in Pebble.
//
// Each entry is stored once, under its sequence number, with a CRC-32C
// checksum of the whole record and a SHA-256 hash that covers the entry and
// the hash of the entry before it, so that the entries form a chain: a torn,
// edited, removed or reordered entry breaks the chain at a position that is
// reported, and an entry that does not verify is never served. A group of
// entries is written in one Pebble batch with one fsync (group commit).
// Snapshots of the engine's state are stored in chunks beside the entries,
// with the hash of the entry they follow, so that recovery reads the latest
// snapshot and replays only the entries after it.
//
// Why Pebble rather than plain files: Pebble's write-ahead log already
// solves torn writes, recycling and directory syncs, and its VFS lets the
// tests fault the file system (failed writes and syncs) without a real disk
// going bad; the journal adds the chain and the checksums that make edits
// detectable and that Pebble alone does not give.
package journal

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/ledger"
)

// Key prefixes. The journal's keys sort by kind, then by sequence number.
const (
	prefixEntry            = 'e' // e | seq(8)                -> entry record
	prefixSnapshotManifest = 'm' // m | seq(8)                -> snapshot manifest
	prefixSnapshotChunk    = 's' // s | seq(8) | chunk(4)     -> snapshot bytes
)

// Limits of the journal format.
const (
	// EntryPayloadBytesMax is the largest payload of one entry.
	EntryPayloadBytesMax = 16 << 20
	// SnapshotChunkBytes is the size of one stored piece of a snapshot.
	SnapshotChunkBytes = 4 << 20

	recordVersion     = 1
	recordHeaderBytes = 1 + 1 + 8 + 32 + 32 + 4 // version, op, timestamp, prev hash, hash, crc
)

// Hash is a SHA-256 hash in the chain.
type Hash [32]byte

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is returned (wrapped, with the position) for any entry or
// snapshot that does not verify. It is never an input error: start-up stops
// rather than serve balances computed from it.
var ErrCorrupt = errors.New("journal: corrupt")

// CorruptError says where the journal is corrupt.
type CorruptError struct {
	Seq    uint64 // the entry's sequence number (0 for a snapshot problem)
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("journal: corrupt at entry %d: %s", e.Seq, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Options configure a Store.
type Options struct {
	// FS is the file system; nil means the operating system's. Tests pass
	// vfs.NewMem() or an errorfs wrapper.
	FS vfs.FS
	// MemTableBytes is Pebble's memtable size.
	MemTableBytes uint64
}

// Store is the journal on Pebble. It implements ledger.Store.
type Store struct {
	db *pebble.DB

	mu       sync.Mutex // guards lastSeq and lastHash
	lastSeq  uint64
	lastHash Hash
	record   []byte
}

var _ ledger.Store = (*Store)(nil)

// fatalLogger turns Pebble's fatal errors (a WAL write or sync that failed)
// into panics that Append recovers from and reports, so that the process
// stops accepting work instead of exiting without a word.
type fatalLogger struct{}

type fatalError struct{ msg string }

func (fatalLogger) Infof(format string, args ...any)  {}
func (fatalLogger) Errorf(format string, args ...any) {}
func (fatalLogger) Fatalf(format string, args ...any) {
	panic(fatalError{msg: fmt.Sprintf(format, args...)})
}

// Open opens or creates the journal in dir, and reads the position of its
// last entry. It does not verify the chain: Replay and Verify do.
func Open(dir string, opts Options) (*Store, error) {
	po := &pebble.Options{
		FS:           opts.FS,
		Logger:       fatalLogger{},
		MemTableSize: opts.MemTableBytes,
	}
	if po.MemTableSize == 0 {
		po.MemTableSize = 64 << 20
	}
	po.MemTableStopWritesThreshold = 4
	po.L0CompactionThreshold = 4
	po.L0StopWritesThreshold = 64
	// Entries are mostly random identifiers: compression costs CPU and
	// saves little.
	po.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return pebble.DBCompressionNone })
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", dir, err)
	}
	s := &Store{db: db}
	if err := s.loadTail(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func entryKey(seq uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefixEntry
	binary.BigEndian.PutUint64(k[1:], seq)
	return k
}

func (s *Store) loadTail() error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixEntry}, UpperBound: []byte{prefixEntry + 1}})
	if err != nil {
		return err
	}
	defer it.Close()
	if !it.Last() {
		return it.Error()
	}
	seq, rec, err := decodeKeyValue(it)
	if err != nil {
		return err
	}
	s.lastSeq = seq
	copy(s.lastHash[:], rec[42:74])
	return nil
}

func decodeKeyValue(it *pebble.Iterator) (uint64, []byte, error) {
	k := it.Key()
	if len(k) != 9 {
		return 0, nil, &CorruptError{Reason: fmt.Sprintf("bad key %x", k)}
	}
	seq := binary.BigEndian.Uint64(k[1:])
	v, err := it.ValueAndErr()
	if err != nil {
		return seq, nil, fmt.Errorf("read entry %d: %w", seq, err)
	}
	if len(v) < recordHeaderBytes {
		return seq, nil, &CorruptError{Seq: seq, Reason: "record shorter than its header"}
	}
	return seq, v, nil
}

// LastSeq returns the sequence number of the last entry.
func (s *Store) LastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSeq
}

// LastHash returns the hash of the last entry.
func (s *Store) LastHash() Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastHash
}

// entryHash is the chain: SHA-256 over the previous hash and the entry.
func entryHash(prev Hash, seq, ts uint64, op ledger.Op, payload []byte) Hash {
	h := sha256.New()
	var head [8 + 8 + 1]byte
	binary.BigEndian.PutUint64(head[0:8], seq)
	binary.BigEndian.PutUint64(head[8:16], ts)
	head[16] = byte(op)
	h.Write(prev[:])
	h.Write(head[:])
	h.Write(payload)
	var out Hash
	h.Sum(out[:0])
	return out
}

// appendRecord encodes an entry:
//
//	version 1 | op 1 | timestamp 8 | prev hash 32 | hash 32 | crc32c 4 | payload
//
// The CRC covers every byte of the record but itself.
func appendRecord(b []byte, e ledger.Entry, prev, hash Hash) []byte {
	start := len(b)
	b = append(b, recordVersion, byte(e.Op))
	b = binary.BigEndian.AppendUint64(b, e.Timestamp)
	b = append(b, prev[:]...)
	b = append(b, hash[:]...)
	crcAt := len(b)
	b = append(b, 0, 0, 0, 0)
	b = append(b, e.Payload...)
	rec := b[start:]
	c := crc32.Update(0, castagnoli, rec[:crcAt-start])
	c = crc32.Update(c, castagnoli, rec[crcAt-start+4:])
	binary.BigEndian.PutUint32(b[crcAt:], c)
	return b
}

// decodeRecord checks a record's CRC and hash against the previous hash
// and returns the entry (its payload aliases rec).
func decodeRecord(seq uint64, rec []byte, prev Hash) (ledger.Entry, Hash, error) {
	var e ledger.Entry
	if len(rec) < recordHeaderBytes {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: "record shorter than its header"}
	}
	want := binary.BigEndian.Uint32(rec[74:78])
	c := crc32.Update(0, castagnoli, rec[:74])
	c = crc32.Update(c, castagnoli, rec[78:])
	if c != want {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: "checksum mismatch (torn or edited entry)"}
	}
	if rec[0] != recordVersion {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: fmt.Sprintf("unknown record version %d", rec[0])}
	}
	e = ledger.Entry{Seq: seq, Op: ledger.Op(rec[1]), Timestamp: binary.BigEndian.Uint64(rec[2:10]), Payload: rec[78:]}
	var gotPrev, hash Hash
	copy(gotPrev[:], rec[10:42])
	copy(hash[:], rec[42:74])
	if gotPrev != prev {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: "previous-hash mismatch (an entry before it was removed, reordered or edited)"}
	}
	if entryHash(prev, seq, e.Timestamp, e.Op, e.Payload) != hash {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: "hash mismatch (entry edited)"}
	}
	return e, hash, nil
}

// Append writes entries in one batch with one fsync. Their sequence numbers
// must follow LastSeq without a gap.
func (s *Store) Append(entries []ledger.Entry) (err error) {
	if len(entries) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	seq, prev := s.lastSeq, s.lastHash
	for _, e := range entries {
		if e.Seq != seq+1 {
			return fmt.Errorf("journal: append entry %d after %d", e.Seq, seq)
		}
		if len(e.Payload) > EntryPayloadBytesMax {
			return fmt.Errorf("journal: entry %d payload of %d bytes exceeds %d", e.Seq, len(e.Payload), EntryPayloadBytesMax)
		}
		hash := entryHash(prev, e.Seq, e.Timestamp, e.Op, e.Payload)
		s.record = appendRecord(s.record[:0], e, prev, hash)
		if err := b.Set(entryKey(e.Seq), s.record, nil); err != nil {
			return fmt.Errorf("journal: batch entry %d: %w", e.Seq, err)
		}
		seq, prev = e.Seq, hash
	}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatalError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("journal: commit entries %d..%d: %s", entries[0].Seq, seq, f.msg)
		}
	}()
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("journal: commit entries %d..%d: %w", entries[0].Seq, seq, err)
	}
	s.lastSeq, s.lastHash = seq, prev
	return nil
}

// Replay calls fn with each entry after seq, in order, after verifying it.
// The payload passed to fn is valid only during the call.
func (s *Store) Replay(after uint64, fn func(ledger.Entry) error) error {
	prev := Hash{}
	if after > 0 {
		rec, closer, err := s.db.Get(entryKey(after))
		if err != nil {
			return fmt.Errorf("journal: read entry %d: %w", after, err)
		}
		h, err := verifyAlone(after, rec)
		closer.Close()
		if err != nil {
			return err
		}
		prev = h
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: entryKey(after + 1), UpperBound: []byte{prefixEntry + 1}})
	if err != nil {
		return err
	}
	defer it.Close()
	want := after + 1
	for ok := it.First(); ok; ok = it.Next() {
		seq, rec, err := decodeKeyValue(it)
		if err != nil {
			return err
		}
		if seq != want {
			return &CorruptError{Seq: want, Reason: fmt.Sprintf("entry missing (next present is %d)", seq)}
		}
		e, hash, err := decodeRecord(seq, rec, prev)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		prev = hash
		want++
	}
	return it.Error()
}

// verifyAlone checks one record's checksum and own hash (not its link to
// the one before) and returns its hash.
func verifyAlone(seq uint64, rec []byte) (Hash, error) {
	if len(rec) < recordHeaderBytes {
		return Hash{}, &CorruptError{Seq: seq, Reason: "record shorter than its header"}
	}
	var prev Hash
	copy(prev[:], rec[10:42])
	_, h, err := decodeRecord(seq, rec, prev)
	return h, err
}

// snapshot manifests: seq(8) of the last entry included | hash of that
// entry 32 | total bytes 8 | chunks 4 | sha256 of the bytes 32.
const manifestBytes = 8 + 32 + 8 + 4 + 32

func manifestKey(seq uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefixSnapshotManifest
	binary.BigEndian.PutUint64(k[1:], seq)
	return k
}

func chunkKey(seq uint64, chunk uint32) []byte {
	k := make([]byte, 13)
	k[0] = prefixSnapshotChunk
	binary.BigEndian.PutUint64(k[1:9], seq)
	binary.BigEndian.PutUint32(k[9:], chunk)
	return k
}

// chunkWriter stores a snapshot in chunks as it is written.
type chunkWriter struct {
	db     *pebble.DB
	seq    uint64
	buf    []byte
	chunks uint32
	total  uint64
	sum    hashWriter
	err    error
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	w.sum.Write(p)
	w.total += uint64(n)
	for len(p) > 0 {
		room := SnapshotChunkBytes - len(w.buf)
		take := min(room, len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == SnapshotChunkBytes {
			w.flush()
		}
	}
	return n, w.err
}

func (w *chunkWriter) flush() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	if err := w.db.Set(chunkKey(w.seq, w.chunks), w.buf, pebble.NoSync); err != nil {
		w.err = err
	}
	w.chunks++
	w.buf = w.buf[:0]
}

// SaveSnapshot stores a snapshot of the state after entry seq, then removes
// older snapshots. The manifest is written last and synced, so a snapshot
// either exists whole or not at all.
func (s *Store) SaveSnapshot(seq uint64, write func(io.Writer) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatalError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("journal: snapshot %d: %s", seq, f.msg)
		}
	}()
	rec, closer, err := s.db.Get(entryKey(seq))
	if err != nil {
		return fmt.Errorf("journal: snapshot %d: read entry: %w", seq, err)
	}
	hash, err := verifyAlone(seq, rec)
	closer.Close()
	if err != nil {
		return err
	}
	w := &chunkWriter{db: s.db, seq: seq, buf: make([]byte, 0, SnapshotChunkBytes), sum: sha256.New()}
	if err := write(w); err != nil {
		return fmt.Errorf("journal: snapshot %d: %w", seq, err)
	}
	w.flush()
	if w.err != nil {
		return fmt.Errorf("journal: snapshot %d: %w", seq, w.err)
	}
	m := make([]byte, 0, manifestBytes)
	m = binary.BigEndian.AppendUint64(m, seq)
	m = append(m, hash[:]...)
	m = binary.BigEndian.AppendUint64(m, w.total)
	m = binary.BigEndian.AppendUint32(m, w.chunks)
	m = w.sum.Sum(m)
	b := s.db.NewBatch()
	defer b.Close()
	b.Set(manifestKey(seq), m, nil)
	// Older snapshots are removed in the same batch: there is always
	// exactly one whole snapshot once this commits.
	b.DeleteRange([]byte{prefixSnapshotManifest}, manifestKey(seq), nil)
	b.DeleteRange([]byte{prefixSnapshotChunk}, chunkKey(seq, 0), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("journal: snapshot %d: commit: %w", seq, err)
	}
	return nil
}

type manifest struct {
	seq    uint64
	hash   Hash
	total  uint64
	chunks uint32
	sum    Hash
}

func (s *Store) latestManifest() (manifest, bool, error) {
	var m manifest
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixSnapshotManifest}, UpperBound: []byte{prefixSnapshotManifest + 1}})
	if err != nil {
		return m, false, err
	}
	defer it.Close()
	if !it.Last() {
		return m, false, it.Error()
	}
	v, err := it.ValueAndErr()
	if err != nil {
		return m, false, err
	}
	if len(v) != manifestBytes {
		return m, false, &CorruptError{Reason: "snapshot manifest of the wrong size"}
	}
	m.seq = binary.BigEndian.Uint64(v[0:8])
	copy(m.hash[:], v[8:40])
	m.total = binary.BigEndian.Uint64(v[40:48])
	m.chunks = binary.BigEndian.Uint32(v[48:52])
	copy(m.sum[:], v[52:84])
	return m, true, nil
}

// LoadSnapshot opens the latest snapshot. The reader checks the snapshot's
// SHA-256 at its end and fails with ErrCorrupt on a mismatch; the snapshot
// is also checked against the hash of the entry it follows.
func (s *Store) LoadSnapshot() (uint64, io.ReadCloser, bool, error) {
	m, ok, err := s.latestManifest()
	if err != nil || !ok {
		return 0, nil, false, err
	}
	rec, closer, err := s.db.Get(entryKey(m.seq))
	if err != nil {
		return 0, nil, false, fmt.Errorf("journal: snapshot %d: read entry: %w", m.seq, err)
	}
	hash, err := verifyAlone(m.seq, rec)
	closer.Close()
	if err != nil {
		return 0, nil, false, err
	}
	if hash != m.hash {
		return 0, nil, false, &CorruptError{Seq: m.seq, Reason: "snapshot does not follow the entry it names"}
	}
	return m.seq, &chunkReader{s: s, m: m, sum: sha256.New()}, true, nil
}

type chunkReader struct {
	s     *Store
	m     manifest
	next  uint32
	buf   []byte
	read  uint64
	sum   hashWriter
	err   error
	ended bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	for len(r.buf) == 0 {
		if r.next == r.m.chunks {
			if !r.ended {
				r.ended = true
				var got Hash
				r.sum.Sum(got[:0])
				if r.read != r.m.total || got != r.m.sum {
					r.err = &CorruptError{Seq: r.m.seq, Reason: "snapshot checksum mismatch"}
					return 0, r.err
				}
			}
			return 0, io.EOF
		}
		v, closer, err := r.s.db.Get(chunkKey(r.m.seq, r.next))
		if err != nil {
			r.err = &CorruptError{Seq: r.m.seq, Reason: fmt.Sprintf("snapshot chunk %d: %v", r.next, err)}
			return 0, r.err
		}
		r.buf = append(r.buf[:0], v...)
		closer.Close()
		r.sum.Write(r.buf)
		r.next++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += uint64(n)
	return n, nil
}

func (r *chunkReader) Close() error { return nil }

// Report is what Verify found.
type Report struct {
	Entries        uint64
	LastSeq        uint64
	LastHash       Hash
	Events         uint64
	Accounts       int
	Transfers      int
	SnapshotSeq    uint64 // 0 if none
	SnapshotOK     bool   // the snapshot equals the replayed state at its entry
	OpenPending    int
	TotalsBalanced bool
}

// Verify reads the whole journal from its first entry, checks every
// checksum and the hash chain, replays every entry into a fresh engine and
// checks double entry, and checks that the latest snapshot is exactly the
// state replay reaches at its entry. It returns the first fault.
func (s *Store) Verify(opts ledger.Options) (Report, error) {
	var rep Report
	m, hasSnap, err := s.latestManifest()
	if err != nil {
		return rep, err
	}
	engine := ledger.New(opts)
	rp := &ledger.Replayer{Engine: engine}
	err = s.Replay(0, func(e ledger.Entry) error {
		n, err := rp.Apply(e)
		if err != nil {
			return &CorruptError{Seq: e.Seq, Reason: err.Error()}
		}
		rep.Entries++
		rep.Events += uint64(n)
		rep.LastSeq = e.Seq
		if hasSnap && e.Seq == m.seq {
			rep.SnapshotSeq = m.seq
			h := sha256.New()
			if err := engine.WriteSnapshot(h); err != nil {
				return err
			}
			var got Hash
			h.Sum(got[:0])
			if got != m.sum {
				return &CorruptError{Seq: m.seq, Reason: "snapshot differs from the state replay reaches at its entry"}
			}
			rep.SnapshotOK = true
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if hasSnap && !rep.SnapshotOK {
		return rep, &CorruptError{Seq: m.seq, Reason: "snapshot names an entry the journal does not have"}
	}
	if rep.LastSeq != s.LastSeq() {
		return rep, &CorruptError{Seq: rep.LastSeq + 1, Reason: "entries end before the last one"}
	}
	rep.LastHash = s.LastHash()
	rep.Accounts = engine.AccountsCount()
	rep.Transfers = engine.TransfersCount()
	rep.OpenPending = engine.OpenPendingCount()
	if err := engine.Verify(); err != nil {
		return rep, err
	}
	rep.TotalsBalanced = true
	return rep, nil
}
