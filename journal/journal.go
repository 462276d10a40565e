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
	"runtime"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
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

	// mu guards lastSeq and lastHash, and serializes commits: each commit
	// is synced and checked before the next one starts, so that a failed
	// write is seen before anything else is written.
	mu       sync.Mutex
	lastSeq  uint64
	lastHash Hash
	record   []byte
	// failed is the first failed commit. Pebble's commit pipeline cannot
	// be trusted after a failed WAL write or sync (a later commit may
	// panic, or crash the process outright in a WAL rotation), so the
	// store refuses every later write with it; a reopen recovers.
	failed error
	// wedged: the failure was a panic inside Pebble's commit pipeline,
	// which then still holds its locks; Close would block forever.
	wedged bool
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
	// The engine's history is written by transfer id, at random across
	// the key space: compacting L0 less often, into a larger base level,
	// rewrites each byte fewer times (`astara bench history`: 0.70 M
	// transfers/s at 10 M against 0.56 M with Pebble's defaults of 4 and
	// 64 MiB, in one session).
	po.L0CompactionThreshold = 8
	po.LBaseMaxBytes = 512 << 20
	po.L0StopWritesThreshold = 64
	// Entries are mostly random identifiers: compression costs CPU and
	// saves little.
	po.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return pebble.DBCompressionNone })
	// The engine's history is read by id: a Bloom filter per table spares
	// the reads of the tables that do not hold it.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
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

// Close closes the store. After a failure that left Pebble's commit
// pipeline locked, it returns that failure and leaves Pebble as it is (the
// process is expected to exit; a restart recovers).
func (s *Store) Close() error {
	s.mu.Lock()
	wedged, failed := s.wedged, s.failed
	s.mu.Unlock()
	if wedged {
		return fmt.Errorf("journal: not closed after a failure: %w", failed)
	}
	return s.db.Close()
}

// commitLocked runs one Pebble commit, which must be synced, with s.mu
// held. It turns Pebble's panics on a failed WAL write or sync into an
// error, and a failed commit into the store's failure.
func (s *Store) commitLocked(what string, commit func() error) (err error) {
	if s.failed != nil {
		return fmt.Errorf("journal: %s: refused after an earlier failure: %w", what, s.failed)
	}
	defer func() {
		if r := recover(); r != nil {
			perr, wedged := pebblePanic(r)
			err = fmt.Errorf("journal: %s: %w", what, perr)
			s.wedged = wedged
		}
		if err != nil {
			s.failed = err
		}
	}()
	if err := commit(); err != nil {
		return fmt.Errorf("journal: %s: %w", what, err)
	}
	return nil
}

// pebblePanic returns the error of a panic raised by Pebble on a failed
// commit: a fatalError from Logger.Fatalf (after the commit pipeline was
// released), or the WAL's error itself, raised while the pipeline was
// locked (wedged). Any other panic is a programming error and goes on.
func pebblePanic(r any) (err error, wedged bool) {
	switch v := r.(type) {
	case fatalError:
		return errors.New(v.msg), false
	case runtime.Error:
	case error:
		return v, true
	}
	panic(r)
}

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

// EntryHash is the chain: SHA-256 over the previous entry's hash (zero for
// the first entry), then seq and ts as 8 big-endian bytes each, op as one
// byte, then the payload. Every store that keeps a journal (the embedded one
// here, postgres) computes it with this function, so a journal can move
// between them with its hashes intact.
func EntryHash(prev Hash, seq, ts uint64, op ledger.Op, payload []byte) Hash {
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
	if EntryHash(prev, seq, e.Timestamp, e.Op, e.Payload) != hash {
		return e, Hash{}, &CorruptError{Seq: seq, Reason: "hash mismatch (entry edited)"}
	}
	return e, hash, nil
}

// Append writes entries in one batch with one fsync. Their sequence numbers
// must follow LastSeq without a gap. After a failed commit, it refuses
// every later append (see Store.failed).
func (s *Store) Append(entries []ledger.Entry) error {
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
		hash := EntryHash(prev, e.Seq, e.Timestamp, e.Op, e.Payload)
		s.record = appendRecord(s.record[:0], e, prev, hash)
		if err := b.Set(entryKey(e.Seq), s.record, nil); err != nil {
			return fmt.Errorf("journal: batch entry %d: %w", e.Seq, err)
		}
		seq, prev = e.Seq, hash
	}
	what := fmt.Sprintf("commit entries %d..%d", entries[0].Seq, seq)
	if err := s.commitLocked(what, func() error { return b.Commit(pebble.Sync) }); err != nil {
		return err
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
	s      *Store
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
	// Stop at a failed flush: the full buffer it leaves would never drain.
	for len(p) > 0 && w.err == nil {
		room := SnapshotChunkBytes - len(w.buf)
		take := min(room, len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == SnapshotChunkBytes {
			w.flush()
		}
	}
	if w.err != nil {
		return n - len(p), w.err
	}
	return n, nil
}

func (w *chunkWriter) flush() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	// Each chunk is synced: an unsynced write that fails is only seen by
	// a later commit, and Pebble may crash the process on the way there
	// (rotating the WAL of a full memtable).
	s := w.s
	s.mu.Lock()
	w.err = s.commitLocked(fmt.Sprintf("snapshot %d chunk %d", w.seq, w.chunks), func() error {
		return s.db.Set(chunkKey(w.seq, w.chunks), w.buf, pebble.Sync)
	})
	s.mu.Unlock()
	w.chunks++
	w.buf = w.buf[:0]
}

// SaveSnapshot stores a snapshot of the state after entry seq, then removes
// older snapshots. Each chunk is synced, and the manifest is written last,
// so a snapshot either exists whole or not at all. After a failed commit
// it is refused, as Append is.
func (s *Store) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	rec, closer, err := s.db.Get(entryKey(seq))
	if err != nil {
		return fmt.Errorf("journal: snapshot %d: read entry: %w", seq, err)
	}
	hash, err := verifyAlone(seq, rec)
	closer.Close()
	if err != nil {
		return err
	}
	w := &chunkWriter{s: s, seq: seq, buf: make([]byte, 0, SnapshotChunkBytes), sum: sha256.New()}
	if err := write(w); err != nil {
		return fmt.Errorf("journal: snapshot %d: %w", seq, err)
	}
	w.flush()
	if w.err != nil {
		return w.err
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commitLocked(fmt.Sprintf("snapshot %d manifest", seq), func() error { return b.Commit(pebble.Sync) })
}

type manifest struct {
	seq    uint64
	hash   Hash
	total  uint64
	chunks uint32
	sum    Hash
}

func latestManifest(r pebble.Reader) (manifest, bool, error) {
	var m manifest
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixSnapshotManifest}, UpperBound: []byte{prefixSnapshotManifest + 1}})
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
// is also checked against the hash of the entry it follows. The reader
// reads a consistent view of the store: a newer snapshot saved meanwhile
// (which deletes this one) does not disturb it; Close releases the view.
func (s *Store) LoadSnapshot() (uint64, io.ReadCloser, bool, error) {
	view := s.db.NewSnapshot()
	m, ok, err := latestManifest(view)
	if err != nil || !ok {
		view.Close()
		return 0, nil, false, err
	}
	rec, closer, err := view.Get(entryKey(m.seq))
	if errors.Is(err, pebble.ErrNotFound) {
		view.Close()
		return 0, nil, false, &CorruptError{Seq: m.seq, Reason: "snapshot follows an entry the journal does not have"}
	}
	if err != nil {
		view.Close()
		return 0, nil, false, fmt.Errorf("journal: snapshot %d: read entry: %w", m.seq, err)
	}
	hash, err := verifyAlone(m.seq, rec)
	closer.Close()
	if err != nil {
		view.Close()
		return 0, nil, false, err
	}
	if hash != m.hash {
		view.Close()
		return 0, nil, false, &CorruptError{Seq: m.seq, Reason: "snapshot does not follow the entry it names"}
	}
	return m.seq, &chunkReader{view: view, m: m, sum: sha256.New()}, true, nil
}

type chunkReader struct {
	view  *pebble.Snapshot
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
		if r.view == nil {
			return 0, errors.New("journal: read of a closed snapshot")
		}
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
		v, closer, err := r.view.Get(chunkKey(r.m.seq, r.next))
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

func (r *chunkReader) Close() error {
	if r.view == nil {
		return nil
	}
	err := r.view.Close()
	r.view = nil
	return err
}

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
// checks double entry, checks that the latest snapshot is exactly the
// state replay reaches at its entry, and reads the stored snapshot back
// (its entry's hash, its chunks, its checksum). It returns the first fault.
func (s *Store) Verify(opts ledger.Options) (Report, error) {
	return s.VerifyMachine(ledger.NewEngineMachine(opts))
}

// VerifyMachine is Verify for a journal written by a machine other than
// the ledger engine alone (the payments layer): machine must be new and
// empty; it replays every entry.
//
// When the store's snapshots leave the history out, the engine keeps its
// history in the store as a node does, reads it back from there and moves
// it out of memory as it grows; every record it would move is compared
// with the one stored.
func (s *Store) VerifyMachine(machine ledger.Machine) (Report, error) {
	external, err := s.HistoryExternal()
	if err != nil {
		return Report{}, err
	}
	if external {
		if err := machine.LedgerEngine().SetHistory(&History{s: s, check: true}); err != nil {
			return Report{}, err
		}
	}
	m, hasSnap, err := latestManifest(s.db)
	if err != nil {
		return Report{}, err
	}
	snap := SnapshotSum{Seq: m.seq, Sum: m.sum, OK: hasSnap}
	rep, err := VerifyReplay(machine, func(fn func(ledger.Entry) error) error { return s.Replay(0, fn) }, snap, s.LastSeq())
	if err != nil {
		return rep, err
	}
	if hasSnap {
		// The manifest matched the replayed state; the stored chunks
		// must also be the bytes it describes, since recovery reads them.
		if err := s.readSnapshotBack(m.seq); err != nil {
			rep.SnapshotOK = false
			return rep, err
		}
	}
	rep.LastHash = s.LastHash()
	return rep, nil
}

// SnapshotSum names a store's latest snapshot by its entry and the SHA-256
// of its bytes; OK is false when there is none.
type SnapshotSum struct {
	Seq uint64
	Sum Hash
	OK  bool
}

// VerifyReplay holds the checks every store's VerifyMachine makes of a
// journal: replay, which must check the chain, hands every entry from the
// first to fn; each is applied to machine (new and empty) after checking
// its timestamp; the state at snap's entry must hash to snap's sum; the
// entries must reach last, the store's last entry; and the replayed
// ledger must balance. The report's LastHash is left to the caller.
func VerifyReplay(machine ledger.Machine, replay func(fn func(ledger.Entry) error) error, snap SnapshotSum, last uint64) (Report, error) {
	var rep Report
	engine := machine.LedgerEngine()
	records := ledger.NewReplayRecords(machine)
	err := replay(func(e ledger.Entry) error {
		if e.Timestamp <= machine.LastTimestamp() {
			return &CorruptError{Seq: e.Seq, Reason: fmt.Sprintf("timestamp %d does not follow %d", e.Timestamp, machine.LastTimestamp())}
		}
		if _, err := machine.Apply(e, nil); err != nil {
			return &CorruptError{Seq: e.Seq, Reason: err.Error()}
		}
		if engine.HistoryDue() {
			if _, err := engine.MoveHistory(false); err != nil {
				return fmt.Errorf("entry %d: %w", e.Seq, err)
			}
		}
		if err := records.Step(); err != nil {
			return fmt.Errorf("entry %d: %w", e.Seq, err)
		}
		if e.Op == ledger.OpCreateAccounts || e.Op == ledger.OpCreateTransfers {
			if len(e.Payload) >= 4 {
				rep.Events += uint64(binary.BigEndian.Uint32(e.Payload))
			}
		}
		rep.Entries++
		rep.LastSeq = e.Seq
		if snap.OK && e.Seq == snap.Seq {
			rep.SnapshotSeq = snap.Seq
			h := sha256.New()
			if err := machine.WriteSnapshot(h); err != nil {
				return err
			}
			var got Hash
			h.Sum(got[:0])
			if got != snap.Sum {
				return &CorruptError{Seq: snap.Seq, Reason: "snapshot differs from the state replay reaches at its entry"}
			}
			rep.SnapshotOK = true
		}
		return nil
	})
	if err == nil {
		err = records.Flush()
	}
	if err != nil {
		return rep, err
	}
	if snap.OK && !rep.SnapshotOK {
		return rep, &CorruptError{Seq: snap.Seq, Reason: "snapshot names an entry the journal does not have"}
	}
	if rep.LastSeq != last {
		return rep, &CorruptError{Seq: rep.LastSeq + 1, Reason: "entries end before the last one"}
	}
	if engine.HistoryAttached() {
		// What the replay still holds goes through the comparison too.
		if _, err := engine.MoveHistory(true); err != nil {
			return rep, err
		}
	}
	rep.Accounts = engine.AccountsCount()
	rep.Transfers = engine.TransfersCount()
	rep.OpenPending = engine.OpenPendingCount()
	if err := engine.Verify(); err != nil {
		return rep, err
	}
	rep.TotalsBalanced = true
	return rep, nil
}

// readSnapshotBack reads the latest snapshot whole, as recovery would,
// which checks it against the entry it names and against its checksum.
func (s *Store) readSnapshotBack(seq uint64) error {
	got, r, ok, err := s.LoadSnapshot()
	if err != nil {
		return err
	}
	if !ok || got != seq {
		if ok {
			r.Close()
		}
		return fmt.Errorf("journal: snapshot %d replaced during Verify", seq)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	return nil
}
