package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"sync"
	"time"
)

// Op is the kind of a journal entry.
type Op uint8

// The journal's operations. Their numbers are part of the journal format:
// never renumber them.
const (
	OpCreateAccounts  Op = 1
	OpCreateTransfers Op = 2
	OpPulse           Op = 3 // expire pending transfers when no batch does
)

func (o Op) String() string {
	switch o {
	case OpCreateAccounts:
		return "create_accounts"
	case OpCreateTransfers:
		return "create_transfers"
	case OpPulse:
		return "pulse"
	}
	return opNameOrNumber(o)
}

// Entry is one applied batch as the journal keeps it: its place in the
// sequence, the timestamp it was applied at, and its encoded commands.
type Entry struct {
	Seq       uint64
	Timestamp uint64
	Op        Op
	Payload   []byte
}

// Store is the durable journal the Service writes to and recovers from.
// journal.Store implements it on Pebble.
type Store interface {
	// LastSeq returns the sequence number of the last entry, 0 if none.
	LastSeq() uint64
	// Append writes entries, whose sequence numbers follow LastSeq without
	// a gap, and returns only once they are durable (synced). On error
	// nothing may be assumed about which entries are durable; the Service
	// stops accepting work.
	Append(entries []Entry) error
	// Replay calls fn with every entry after seq, in order, after checking
	// its checksum and its place in the hash chain. It returns
	// journal.ErrCorrupt (wrapped, with the position) on a bad entry, or the
	// error of fn.
	Replay(after uint64, fn func(Entry) error) error
	// LoadSnapshot opens the latest snapshot and returns the sequence number
	// of the last entry it includes; ok is false when there is none.
	LoadSnapshot() (seq uint64, r io.ReadCloser, ok bool, err error)
	// SaveSnapshot durably stores a snapshot of the state after entry seq,
	// written by write.
	SaveSnapshot(seq uint64, write func(io.Writer) error) error
}

// HistoryStore is a Store that also keeps the engine's history (see
// History). Recovery attaches it to the engine, and the Service moves
// history out of memory as it grows and before every snapshot.
type HistoryStore interface {
	Store
	// History returns the store's History; nil means none.
	History() History
}

// Clock tells the time. Tests use a fake one; a batch reads it once.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Observer is told how the pipeline performs, for metrics. Its methods are
// called from the pipeline's goroutines and must be quick.
type Observer interface {
	// Committed is called after a group of entries was made durable.
	Committed(entries, events int, bytes int, sync time.Duration)
	// Applied is called after one entry was applied.
	Applied(op Op, events int, failed int)
}

type nopObserver struct{}

func (nopObserver) Committed(int, int, int, time.Duration) {}
func (nopObserver) Applied(Op, int, int)                   {}

// Machine is the deterministic state the Service drives: the ledger
// engine alone, or a layer over it (payments) that keeps its own state and
// moves money through the engine. It applies durable entries in order, in
// one goroutine, with no I/O.
type Machine interface {
	// Apply applies one durable entry. decoded is the command in the form
	// the caller submitted it (nil on replay, when the payload must be
	// decoded). It returns the reply for the caller, or an error wrapping
	// ErrCorruptPayload for an entry that does not decode.
	Apply(e Entry, decoded any) (reply any, err error)
	// LastTimestamp returns the timestamp of the last event applied.
	LastTimestamp() uint64
	// NextExpiry returns the earliest moment something pending may expire.
	NextExpiry() (uint64, bool)
	// Span returns how many timestamps an entry of op with events events
	// may use; the pipeline spaces entries' timestamps by it. It must not
	// depend on state: the committer calls it concurrently with Apply.
	Span(op Op, events int) int
	// WriteSnapshot writes the whole state.
	WriteSnapshot(w io.Writer) error
	// LedgerEngine returns the ledger engine inside.
	LedgerEngine() *Engine
}

// RecordMachine is a Machine that keeps records of its own in the
// engine's History (Record), the payments layer's payments. Replay,
// standbys and verification have it write them as it applies entries;
// a Service has it defer them (keep them in memory, readable) and writes
// them off the applier between groups, as it moves the engine's history.
type RecordMachine interface {
	Machine
	// DeferRecords makes the machine keep the records it would write
	// until TakeRecords.
	DeferRecords()
	// TakeRecords returns a function that writes the records kept so far
	// (it may run on another goroutine while entries are applied) and one
	// to call under the write lock once they are written, which drops
	// them from memory; nils when none are kept.
	TakeRecords() (write func(History) error, written func())
}

// engineMachine is the ledger engine as a Machine.
type engineMachine struct{ rp *Replayer }

// NewEngineMachine returns a Machine of a new, empty engine.
func NewEngineMachine(opts Options) Machine { return engineMachine{rp: &Replayer{Engine: New(opts)}} }

func (m engineMachine) Apply(e Entry, decoded any) (any, error) { return m.rp.ApplyDecoded(e, decoded) }
func (m engineMachine) LastTimestamp() uint64                   { return m.rp.Engine.LastTimestamp() }
func (m engineMachine) NextExpiry() (uint64, bool)              { return m.rp.Engine.PeekExpiry() }
func (m engineMachine) Span(op Op, events int) int              { return max(events, 1) }
func (m engineMachine) WriteSnapshot(w io.Writer) error         { return m.rp.Engine.WriteSnapshot(w) }
func (m engineMachine) LedgerEngine() *Engine                   { return m.rp.Engine }

// ServiceOptions configure a Service.
type ServiceOptions struct {
	Engine Options
	// NewMachine returns an empty machine; nil means the ledger engine
	// alone, with Engine as its options.
	NewMachine func() Machine
	// RestoreMachine reads a snapshot written by the machine's
	// WriteSnapshot; nil means the ledger engine's RestoreSnapshot.
	RestoreMachine func(io.Reader) (Machine, error)
	Clock          Clock    // nil means SystemClock
	Observer       Observer // nil means none
	// GroupEntriesMax is the most entries that share one fsync.
	GroupEntriesMax int
	// GroupBytesMax is the most payload bytes that share one fsync.
	GroupBytesMax int
	// SnapshotEventsInterval is how many events are applied between
	// snapshots; zero means SnapshotEventsIntervalDefault, negative never.
	SnapshotEventsInterval int
	// PulseInterval is how often idle pending expiries are checked.
	PulseInterval time.Duration
	// QueryTablesOff keeps a QueryStore's query tables unwritten: the
	// journal alone, at its full rate. When the node starts to write the
	// journal it empties them (QueryClearer), so that no reader takes rows
	// of an old entry for the current state. Every node of one store must
	// say the same: a node that keeps them, started after one that did
	// not, fills them by replaying the whole journal.
	QueryTablesOff bool
}

// Defaults of ServiceOptions.
const (
	GroupEntriesMaxDefault        = 256
	GroupBytesMaxDefault          = 16 << 20
	SnapshotEventsIntervalDefault = 4 << 20
	PulseIntervalDefault          = 250 * time.Millisecond
)

// Errors of the Service.
var (
	// ErrStopped is returned once the Service is closed.
	ErrStopped = errors.New("ledger: service stopped")
	// ErrBatchTooLarge is returned for a batch of more than BatchEventsMax.
	ErrBatchTooLarge = fmt.Errorf("ledger: batch holds more than %d events", BatchEventsMax)
	// ErrJournalFailed is returned after the journal failed to make a group
	// durable: the Service stops accepting work (fail-stop); a restart
	// recovers from what is on disk.
	ErrJournalFailed = errors.New("ledger: journal failed; restart to recover")
)

// Service runs an Engine behind a durable journal. Batches from many
// goroutines queue up; one goroutine gives each a sequence number and a
// timestamp and writes a group of them with one fsync (group commit);
// another applies the durable entries to the engine in order and answers.
// An answer therefore always describes durable state, and a restart
// (snapshot plus replay) reproduces exactly the state that was answered.
type Service struct {
	store    Store
	clock    Clock
	observer Observer
	opts     ServiceOptions

	mu      sync.RWMutex // excludes readers while a batch is applied
	machine Machine

	requests chan *request
	applies  chan []*request
	stop     chan struct{}
	done     sync.WaitGroup

	closeOnce sync.Once
	submitMu  sync.RWMutex // held to send on requests; Close takes it to stop sends
	closed    bool
	failMu    sync.Mutex
	failErr   error

	// Owned by the committer goroutine.
	nextSeq       uint64
	nextTimestamp uint64

	// The query tables' rows of applied groups, waiting for a transaction
	// to carry them (nil query: the store keeps none). queryMu guards
	// queryRows; queryWrite orders their writes, so that the tables only
	// ever move forward by whole groups.
	query      QueryStore
	queryMu    sync.Mutex
	queryRows  []*QueryDelta
	queryWrite sync.Mutex
	queryReady chan struct{}

	// Owned by the applier goroutine.
	moving          bool         // a goroutine of its own writes move and the machine's records
	move            *HistoryMove // the engine's part, nil if none
	recordsWritten  func()       // the machine's part, nil if none
	moveDone        chan error
	lastSeq         uint64
	eventsSinceSnap int
	lastSnapshotSeq uint64
}

type request struct {
	op      Op
	events  int
	span    int
	payload []byte
	decoded any // the command as the caller has it
	entry   Entry
	reply   any
	err     error
	done    chan struct{}
}

// Open recovers the engine from the store (the latest snapshot, then the
// entries after it) and starts the pipeline.
func Open(store Store, opts ServiceOptions) (*Service, error) {
	f, err := Follow(store, opts)
	if err != nil {
		return nil, err
	}
	if err := f.clearQuery(); err != nil {
		return nil, err
	}
	return f.start(), nil
}

// clearQuery empties the store's query tables if the node keeps none, as
// it becomes the store's writer.
func (f *Follower) clearQuery() error {
	if !f.opts.QueryTablesOff {
		return nil
	}
	if qc, ok := f.store.(QueryClearer); ok {
		if err := qc.ClearQuery(); err != nil {
			return fmt.Errorf("empty the query tables: %w", err)
		}
	}
	return nil
}

func (opts *ServiceOptions) defaults() {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	if opts.GroupEntriesMax <= 0 {
		opts.GroupEntriesMax = GroupEntriesMaxDefault
	}
	if opts.GroupBytesMax <= 0 {
		opts.GroupBytesMax = GroupBytesMaxDefault
	}
	if opts.SnapshotEventsInterval == 0 {
		opts.SnapshotEventsInterval = SnapshotEventsIntervalDefault
	}
	if opts.PulseInterval <= 0 {
		opts.PulseInterval = PulseIntervalDefault
	}
	if opts.NewMachine == nil {
		engineOpts := opts.Engine
		opts.NewMachine = func() Machine { return NewEngineMachine(engineOpts) }
		opts.RestoreMachine = func(r io.Reader) (Machine, error) {
			e, err := RestoreSnapshot(r, engineOpts)
			if err != nil {
				return nil, err
			}
			return engineMachine{rp: &Replayer{Engine: e}}, nil
		}
	}
}

// Follower is a machine recovered from a store that follows the journal
// another node writes: a standby's state, kept current so that taking over
// replays only the entries since its last catch-up. One goroutine uses it.
type Follower struct {
	store   Store
	opts    ServiceOptions
	machine Machine
	seq     uint64
	started bool
	query   *queryTrack // nil unless the store keeps query tables
	// events counts the events applied since the snapshot the follower
	// was restored from: the Service it starts snapshots that much sooner.
	events int
}

// Refresher is a Store written by another process, which must look again
// for the entries appended since it last did (PostgreSQL).
type Refresher interface {
	Refresh() error
}

// Follow recovers the machine from the store (the latest snapshot, then
// the entries after it) and returns it as a Follower.
func Follow(store Store, opts ServiceOptions) (*Follower, error) {
	opts.defaults()
	r, err := recoverMachine(store, opts.NewMachine, opts.RestoreMachine, !opts.QueryTablesOff)
	if err != nil {
		return nil, err
	}
	return &Follower{store: store, opts: opts, machine: r.machine, seq: r.seq, query: r.query, events: r.events}, nil
}

// Seq returns the last entry the follower applied.
func (f *Follower) Seq() uint64 { return f.seq }

// CatchUp applies the entries appended since the last catch-up and returns
// how many it applied.
func (f *Follower) CatchUp() (int, error) {
	if r, ok := f.store.(Refresher); ok {
		if err := r.Refresh(); err != nil {
			return 0, err
		}
	}
	if f.store.LastSeq() <= f.seq {
		return 0, nil
	}
	engine := f.machine.LedgerEngine()
	// The leader marks the moves it wrote to the History they share: a
	// standby drops its own moves up to the mark without writing them.
	var stored uint64
	if engine.HistoryAttached() {
		var err error
		if stored, err = HistoryMovedThrough(engine.History()); err != nil {
			return 0, fmt.Errorf("follow: read how far the history was moved: %w", err)
		}
	}
	records := NewReplayRecords(f.machine)
	if err := records.SkipStored(); err != nil {
		return 0, fmt.Errorf("follow: read how far the records were written: %w", err)
	}
	n := 0
	err := f.store.Replay(f.seq, func(e Entry) error {
		if e.Seq != f.seq+1 {
			return fmt.Errorf("follow: entry %d follows %d", e.Seq, f.seq)
		}
		if _, err := f.machine.Apply(e, nil); err != nil {
			return fmt.Errorf("follow entry %d: %w", e.Seq, err)
		}
		f.seq = e.Seq
		f.events += entryEvents(e)
		n++
		if err := f.query.step(e.Seq); err != nil {
			return fmt.Errorf("follow entry %d: write query tables: %w", e.Seq, err)
		}
		if engine.HistoryDue() {
			if err := moveOrDrop(engine, stored); err != nil {
				return fmt.Errorf("follow entry %d: move history: %w", e.Seq, err)
			}
		}
		if err := records.Step(); err != nil {
			return fmt.Errorf("follow entry %d: write records: %w", e.Seq, err)
		}
		return nil
	})
	if err == nil {
		err = records.Flush()
	}
	if err == nil {
		// A standby leaves the rows to the leader, which writes them
		// within a group or so; it writes what is left when it takes over.
		err = f.query.hold()
	}
	return n, err
}

// ReplayRecordsEntries is how many entries a replay applies between two
// writes of a RecordMachine's records.
const ReplayRecordsEntries = 4096

// ReplayRecords has a RecordMachine keep its records while a loop
// replays entries (recovery, a standby's catch-up, verification, a copy
// between stores) and writes them every ReplayRecordsEntries entries and
// at the end: one write of many records rather than one an entry, which
// on PostgreSQL is a transaction each. For any other machine, or one
// without a History, it does nothing.
type ReplayRecords struct {
	rm RecordMachine
	h  History
	n  int
	// stored, if set (SkipStored), is the last entry whose records the
	// History holds.
	stored uint64
}

// NewReplayRecords starts batching machine's records; its engine's
// History must be attached already.
func NewReplayRecords(machine Machine) *ReplayRecords {
	rm, ok := machine.(RecordMachine)
	if !ok || !machine.LedgerEngine().HistoryAttached() {
		return &ReplayRecords{}
	}
	rm.DeferRecords()
	return &ReplayRecords{rm: rm, h: machine.LedgerEngine().History()}
}

// SkipStored reads how far a live node wrote and marked its records
// (RecordsWrittenThrough): from then on, records of entries up to there
// (versions up to it) are dropped, not written again. Recovery and a standby's
// catch-up call it; a verification, which compares what it writes,
// does not.
func (r *ReplayRecords) SkipStored() error {
	if r.rm == nil {
		return nil
	}
	var err error
	r.stored, err = RecordsWrittenThrough(r.h)
	return err
}

// Step counts an entry applied, writing the records kept every
// ReplayRecordsEntries entries.
func (r *ReplayRecords) Step() error {
	if r.rm == nil {
		return nil
	}
	if r.n++; r.n < ReplayRecordsEntries {
		return nil
	}
	return r.Flush()
}

// Flush writes the records kept, but for those the History holds
// already (SkipStored).
func (r *ReplayRecords) Flush() error {
	if r.rm == nil {
		return nil
	}
	r.n = 0
	write, written := r.rm.TakeRecords()
	if write == nil {
		return nil
	}
	h := r.h
	if r.stored > 0 {
		h = unstoredRecords{History: h, stored: r.stored}
	}
	if err := write(h); err != nil {
		return err
	}
	written()
	return nil
}

// unstoredRecords writes only the records of entries after stored: a
// live node wrote and marked the others (RecordsWrittenThrough).
type unstoredRecords struct {
	History
	stored uint64
}

func (u unstoredRecords) WriteRecords(records []Record) error {
	keep := records[:0:0]
	for _, r := range records {
		if r.Version > u.stored {
			keep = append(keep, r)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return u.History.WriteRecords(keep)
}

// Open catches up a last time and starts a Service on the followed
// machine: the node takes over. It returns how many entries the last
// catch-up applied. The Follower is spent.
func (f *Follower) Open() (*Service, int, error) {
	if f.started {
		return nil, 0, errors.New("ledger: follower already opened")
	}
	n, err := f.CatchUp()
	if err == nil {
		err = f.query.flush()
	}
	if err == nil {
		err = f.clearQuery()
	}
	if err != nil {
		return nil, n, err
	}
	return f.start(), n, nil
}

func (f *Follower) start() *Service {
	f.started = true
	opts := f.opts
	s := &Service{
		store:    f.store,
		clock:    opts.Clock,
		observer: opts.Observer,
		opts:     opts,
		requests: make(chan *request, opts.GroupEntriesMax),
		applies:  make(chan []*request, 2),
		moveDone: make(chan error, 1),
		stop:     make(chan struct{}),
	}
	s.machine = f.machine
	if rm, ok := f.machine.(RecordMachine); ok && f.machine.LedgerEngine().HistoryAttached() {
		rm.DeferRecords()
	}
	if f.query != nil {
		s.query = f.query.qs
		s.queryReady = make(chan struct{}, 1)
	}
	s.lastSeq = f.seq
	s.lastSnapshotSeq = f.seq
	// A restart that replayed most of an interval would otherwise wait a
	// whole interval more for its first snapshot, and a second crash
	// would replay both.
	s.eventsSinceSnap = f.events
	s.nextSeq = f.seq + 1
	s.nextTimestamp = f.machine.LastTimestamp() + 1
	s.done.Add(3)
	go labelled("commit", s.commitLoop)
	go labelled("apply", s.applyLoop)
	go labelled("pulse", s.pulseLoop)
	return s
}

// labelled runs fn with the profiler label ledger=role, and no other: a
// CPU profile of a node tells its goroutines apart, and they do not
// carry the labels of the code that opened the Service (a benchmark's
// phase=recovery, say).
func labelled(role string, fn func()) {
	pprof.Do(context.Background(), pprof.Labels("ledger", role), func(context.Context) { fn() })
}

// Recover rebuilds an engine from a store: the latest snapshot, then every
// entry after it. It returns the engine and the last sequence number.
func Recover(store Store, opts Options) (*Engine, uint64, error) {
	m, seq, err := RecoverMachine(store, func() Machine { return NewEngineMachine(opts) }, func(r io.Reader) (Machine, error) {
		e, err := RestoreSnapshot(r, opts)
		if err != nil {
			return nil, err
		}
		return engineMachine{rp: &Replayer{Engine: e}}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return m.LedgerEngine(), seq, nil
}

// RecoverMachine rebuilds a machine from a store: the latest snapshot, then
// every entry after it. It returns the machine and the last sequence number.
func RecoverMachine(store Store, newMachine func() Machine, restore func(io.Reader) (Machine, error)) (Machine, uint64, error) {
	r, err := recoverMachine(store, newMachine, restore, false)
	return r.machine, r.seq, err
}

// recovered is what recoverMachine rebuilt.
type recovered struct {
	machine Machine
	seq     uint64
	query   *queryTrack // nil unless asked for on a QueryStore
	events  int         // replayed after the snapshot (entryEvents)
}

// entryEvents is how many events an entry holds as the Service counts
// them towards the next snapshot: a ledger batch's items, or one.
func entryEvents(e Entry) int {
	if (e.Op == OpCreateAccounts || e.Op == OpCreateTransfers) && len(e.Payload) >= 4 {
		return max(int(binary.BigEndian.Uint32(e.Payload)), 1)
	}
	return 1
}

// recoverMachine is RecoverMachine; with query, on a QueryStore, it also
// writes the query tables' rows of the entries it replays (those the
// tables lack) and returns the tracking to go on with. Query tables
// behind the snapshot (a database from before they existed, or one
// migrate-store filled) are filled by replaying the whole journal instead.
func recoverMachine(store Store, newMachine func() Machine, restore func(io.Reader) (Machine, error), query bool) (recovered, error) {
	var machine Machine
	var seq uint64
	events := 0
	snapSeq, r, ok, err := store.LoadSnapshot()
	if err != nil {
		return recovered{}, fmt.Errorf("load snapshot: %w", err)
	}
	if qs, isQS := store.(QueryStore); ok && query && isQS {
		through, err := qs.QueryThrough()
		if err != nil {
			r.Close()
			return recovered{}, fmt.Errorf("read the query tables' position: %w", err)
		}
		if through < snapSeq {
			r.Close()
			ok = false
		}
	}
	if ok {
		machine, err = restore(r)
		r.Close()
		if err != nil {
			return recovered{}, fmt.Errorf("restore snapshot %d: %w", snapSeq, err)
		}
		seq = snapSeq
	} else {
		machine = newMachine()
	}
	engine := machine.LedgerEngine()
	if hs, isHS := store.(HistoryStore); isHS && hs.History() != nil {
		if !ok && store.LastSeq() == 0 {
			// A new store: its filters start with the current scheme.
			if err := StartIDFilterScheme(hs.History()); err != nil {
				return recovered{}, err
			}
		}
		if err := engine.SetHistory(hs.History()); err != nil {
			return recovered{}, err
		}
	} else if engine.HistoryExternal() {
		return recovered{}, fmt.Errorf("%w: snapshot %d keeps its history in a store that %T does not have", ErrCorruptSnapshot, snapSeq, store)
	}
	var track *queryTrack
	if query {
		if track, err = newQueryTrack(store, machine); err != nil {
			return recovered{}, fmt.Errorf("read the query tables' position: %w", err)
		}
	}
	records := NewReplayRecords(machine)
	move := historyMover{engine: engine}
	if engine.HistoryAttached() {
		if move.stored, err = HistoryMovedThrough(engine.History()); err != nil {
			return recovered{}, fmt.Errorf("read how far the history was moved: %w", err)
		}
		if err := records.SkipStored(); err != nil {
			return recovered{}, fmt.Errorf("read how far the records were written: %w", err)
		}
	}
	after := seq
	if ok && seq > 0 {
		// Read the snapshot's own entry too: a snapshot holds the state
		// after its entry, so its last timestamp is not before the entry's.
		// An older state under a newer entry's name would otherwise pass
		// unnoticed and lose the entries in between.
		after = seq - 1
	}
	err = replayAhead(store, after, func(e Entry, decoded any, n int) error {
		if ok && e.Seq == snapSeq {
			if machine.LastTimestamp() < e.Timestamp {
				return fmt.Errorf("%w: snapshot %d holds the state at %d, before its entry's timestamp %d",
					ErrCorruptSnapshot, snapSeq, machine.LastTimestamp(), e.Timestamp)
			}
			return nil
		}
		if e.Seq != seq+1 {
			return fmt.Errorf("replay: entry %d follows %d", e.Seq, seq)
		}
		if _, err := machine.Apply(e, decoded); err != nil {
			return fmt.Errorf("replay entry %d: %w", e.Seq, err)
		}
		seq = e.Seq
		events += n
		if err := track.step(e.Seq); err != nil {
			return fmt.Errorf("replay entry %d: write query tables: %w", e.Seq, err)
		}
		if err := move.step(false); err != nil {
			return fmt.Errorf("replay entry %d: move history: %w", e.Seq, err)
		}
		if err := records.Step(); err != nil {
			return fmt.Errorf("replay entry %d: write records: %w", e.Seq, err)
		}
		return nil
	})
	if moveErr := move.finish(err == nil); err == nil && moveErr != nil {
		err = fmt.Errorf("replay: move history: %w", moveErr)
	}
	if err == nil {
		err = records.Flush()
	}
	if err == nil {
		err = track.flush()
	}
	if err != nil {
		return recovered{}, err
	}
	return recovered{machine: machine, seq: seq, query: track, events: events}, nil
}

// historyMover moves a replay's history out of memory as the live
// service does: the History is written on another goroutine while the
// replay goes on, one move at a time, and the move is dropped from memory
// once written. Written in line, the moves were a quarter of a restart's
// time at 10 million transfers (`astara bench history`). A move of what
// the killed node had moved already (prepared at or before stored, see
// HistoryMovedThrough) is dropped without a write.
type historyMover struct {
	engine *Engine
	move   *HistoryMove
	done   chan error
	stored uint64
}

// step drops a move that is written (with wait, waits for it) and, unless
// wait, starts the next one if one is due.
func (h *historyMover) step(wait bool) error {
	if h.move != nil {
		var err error
		if wait {
			err = <-h.done
		} else {
			select {
			case err = <-h.done:
			default:
				return nil
			}
		}
		m := h.move
		h.move = nil
		if err != nil {
			return err
		}
		h.engine.DropHistory(m)
	}
	if wait || !h.engine.HistoryDue() {
		return nil
	}
	if h.done == nil {
		h.done = make(chan error, 1)
	}
	if dropIfStored(h.engine, h.stored) {
		return nil
	}
	m := h.engine.PrepareHistory(false)
	h.move = m
	history := h.engine.History()
	go func() { h.done <- m.Write(history) }()
	return nil
}

// finish waits for the move in flight and, if more is due (with more),
// moves it in line: the recovered node starts with its hot window, as a
// node that moved every batch's history in line would.
func (h *historyMover) finish(more bool) error {
	if err := h.step(true); err != nil || !more || !h.engine.HistoryDue() {
		return err
	}
	return moveOrDrop(h.engine, h.stored)
}

// writeRecordsMarked writes a machine's records, every one it kept up
// to entry seq, and then marks them written (RecordsWrittenThrough).
func writeRecordsMarked(h History, write func(History) error, seq uint64) error {
	if err := write(h); err != nil {
		return err
	}
	return h.WriteRecords([]Record{{Key: []byte(recordsWrittenKey), Version: seq}})
}

// moveOrDrop moves what is due in line, or, if the History holds it
// already (as of stored, see HistoryMovedThrough), drops it from memory.
func moveOrDrop(e *Engine, stored uint64) error {
	if dropIfStored(e, stored) {
		return nil
	}
	_, err := e.MoveHistory(false)
	return err
}

// dropIfStored drops what is due from memory, without a write, if the
// History holds it already (as of stored, see HistoryMovedThrough).
func dropIfStored(e *Engine, stored uint64) bool {
	if e.LastTimestamp() > stored {
		return false
	}
	e.DropHistory(e.prepareStored())
	return true
}

// Replayer applies journal entries to an engine, reusing its buffers
// across entries. Recovery and verification use it.
type Replayer struct {
	Engine    *Engine
	accounts  []Account
	transfers []Transfer
	results   []Result
}

// Apply checks that the entry's timestamp follows the engine's, decodes
// the entry and applies it. It returns the number of events and
// ErrCorruptPayload (wrapped) for an entry that does not decode.
func (r *Replayer) Apply(e Entry) (int, error) {
	if e.Timestamp <= r.Engine.LastTimestamp() {
		return 0, fmt.Errorf("%w: entry %d timestamp %d does not follow %d", ErrCorruptPayload, e.Seq, e.Timestamp, r.Engine.LastTimestamp())
	}
	var err error
	var rest []byte
	switch e.Op {
	case OpCreateAccounts:
		if r.accounts, rest, err = DecodeAccounts(r.accounts, e.Payload); err != nil {
			return 0, err
		}
		if len(rest) != 0 {
			return 0, fmt.Errorf("%w: %d bytes after the accounts", ErrCorruptPayload, len(rest))
		}
		r.results = growResults(r.results, len(r.accounts))
		r.Engine.CreateAccounts(e.Timestamp, r.accounts, r.results)
		return len(r.accounts), nil
	case OpCreateTransfers:
		if r.transfers, rest, err = DecodeTransfers(r.transfers, e.Payload); err != nil {
			return 0, err
		}
		if len(rest) != 0 {
			return 0, fmt.Errorf("%w: %d bytes after the transfers", ErrCorruptPayload, len(rest))
		}
		r.results = growResults(r.results, len(r.transfers))
		r.Engine.CreateClientTransfers(e.Timestamp, r.transfers, r.results)
		return len(r.transfers), nil
	case OpPulse:
		if len(e.Payload) != 0 {
			return 0, fmt.Errorf("%w: pulse with a payload", ErrCorruptPayload)
		}
		r.Engine.Pulse(e.Timestamp)
		return 0, nil
	}
	return 0, fmt.Errorf("%w: unknown op %d", ErrCorruptPayload, e.Op)
}

// Results returns the results of the last entry applied; valid until the
// next Apply.
func (r *Replayer) Results() []Result { return r.results }

// ApplyDecoded applies an entry as Apply does, but takes the batch already
// decoded when the caller has it ([]Account or []Transfer; nil to decode
// the payload), and returns a results slice of its own (nil for a pulse).
func (r *Replayer) ApplyDecoded(e Entry, decoded any) ([]Result, error) {
	switch d := decoded.(type) {
	case []Account:
		if e.Op != OpCreateAccounts {
			break
		}
		if e.Timestamp <= r.Engine.LastTimestamp() {
			return nil, fmt.Errorf("%w: entry %d timestamp %d does not follow %d", ErrCorruptPayload, e.Seq, e.Timestamp, r.Engine.LastTimestamp())
		}
		res := make([]Result, len(d))
		r.Engine.CreateAccounts(e.Timestamp, d, res)
		return res, nil
	case []Transfer:
		if e.Op != OpCreateTransfers {
			break
		}
		if e.Timestamp <= r.Engine.LastTimestamp() {
			return nil, fmt.Errorf("%w: entry %d timestamp %d does not follow %d", ErrCorruptPayload, e.Seq, e.Timestamp, r.Engine.LastTimestamp())
		}
		res := make([]Result, len(d))
		r.Engine.CreateClientTransfers(e.Timestamp, d, res)
		return res, nil
	}
	if _, err := r.Apply(e); err != nil {
		return nil, err
	}
	if e.Op == OpPulse {
		return nil, nil
	}
	return append([]Result(nil), r.results...), nil
}

func growResults(r []Result, n int) []Result {
	if cap(r) < n {
		return make([]Result, n)
	}
	return r[:n]
}

// CreateAccounts applies a batch of accounts and returns one result per
// account, once the batch is durable.
func (s *Service) CreateAccounts(ctx context.Context, accounts []Account) ([]Result, error) {
	if len(accounts) > BatchEventsMax {
		return nil, ErrBatchTooLarge
	}
	reply, err := s.Submit(ctx, OpCreateAccounts, AppendAccounts(make([]byte, 0, 4+len(accounts)*accountBytesMin), accounts), accounts, len(accounts))
	if err != nil {
		return nil, err
	}
	return reply.([]Result), nil
}

// CreateTransfers applies a batch of transfers and returns one result per
// transfer, once the batch is durable.
func (s *Service) CreateTransfers(ctx context.Context, transfers []Transfer) ([]Result, error) {
	if len(transfers) > BatchEventsMax {
		return nil, ErrBatchTooLarge
	}
	reply, err := s.Submit(ctx, OpCreateTransfers, AppendTransfers(make([]byte, 0, 4+len(transfers)*transferBytesMin), transfers), transfers, len(transfers))
	if err != nil {
		return nil, err
	}
	return reply.([]Result), nil
}

// Submit journals one command and applies it, and returns the machine's
// reply once the entry is durable. payload is the command's journal
// encoding; decoded is the command as the machine's Apply takes it, so
// that it is not decoded again; events counts the items it holds.
func (s *Service) Submit(ctx context.Context, op Op, payload []byte, decoded any, events int) (any, error) {
	return s.submit(ctx, &request{op: op, payload: payload, decoded: decoded, events: events})
}

func (s *Service) submit(ctx context.Context, r *request) (any, error) {
	if err := s.failure(); err != nil {
		return nil, err
	}
	r.span = s.machine.Span(r.op, r.events)
	r.done = make(chan struct{})
	s.submitMu.RLock()
	if s.closed {
		s.submitMu.RUnlock()
		return nil, ErrStopped
	}
	select {
	case s.requests <- r:
	case <-ctx.Done():
		s.submitMu.RUnlock()
		return nil, ctx.Err()
	}
	s.submitMu.RUnlock()
	// Once queued, a batch is applied or fails as a whole: the answer is
	// awaited even if ctx ends, so that no caller takes an applied batch
	// for a dropped one.
	<-r.done
	return r.reply, r.err
}

// ViewMachine calls fn with the machine while no entry is being applied.
// fn must only read, and must not keep references into the state.
func (s *Service) ViewMachine(fn func(Machine)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(s.machine)
}

// View calls fn with the engine while no batch is being applied. fn must
// only read, and must not keep references into the engine's state.
func (s *Service) View(fn func(*Engine)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(s.machine.LedgerEngine())
}

// Err returns the error that stopped the Service, if one did.
func (s *Service) Err() error { return s.failure() }

func (s *Service) failure() error {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return s.failErr
}

func (s *Service) fail(err error) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	if s.failErr == nil {
		s.failErr = err
	}
}

func (s *Service) commitLoop() {
	defer s.done.Done()
	defer close(s.applies)
	group := make([]*request, 0, s.opts.GroupEntriesMax)
	entries := make([]Entry, 0, s.opts.GroupEntriesMax)
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	for {
		var first *request
		select {
		case first = <-s.requests:
		case <-s.queryReady:
			// Rows wait QueryFlushDelay for a group to carry them.
			flush.Reset(QueryFlushDelay)
			continue
		case <-flush.C:
			if err := s.flushQuery(); err != nil {
				s.fail(err)
			}
			continue
		case <-s.stop:
			// Close stopped the intake before it closed stop (no send
			// follows it), so the queue only shrinks: finish what was
			// accepted, as Close promises, then return. (Answering
			// ErrStopped here would also refuse a request that the select
			// above could as well have taken.)
			select {
			case first = <-s.requests:
			default:
				return
			}
		}
		group = append(group[:0], first)
		bytes := len(first.payload)
	drain:
		for len(group) < s.opts.GroupEntriesMax && bytes < s.opts.GroupBytesMax {
			select {
			case r := <-s.requests:
				group = append(group, r)
				bytes += len(r.payload)
			default:
				break drain
			}
		}
		if err := s.failure(); err != nil {
			for _, r := range group {
				r.err = err
				close(r.done)
			}
			continue
		}
		now := uint64(s.clock.Now().UnixNano())
		entries = entries[:0]
		events := 0
		for _, r := range group {
			ts := max(now, s.nextTimestamp)
			r.entry = Entry{Seq: s.nextSeq, Timestamp: ts, Op: r.op, Payload: r.payload}
			s.nextSeq++
			s.nextTimestamp = ts + uint64(max(r.span, 1))
			entries = append(entries, r.entry)
			events += r.events
		}
		start := time.Now()
		err := s.append(entries)
		s.observer.Committed(len(entries), events, bytes, time.Since(start))
		if err != nil {
			err = fmt.Errorf("%w: %v", ErrJournalFailed, err)
			s.fail(err)
			for _, r := range group {
				r.err = err
				close(r.done)
			}
			continue
		}
		batch := make([]*request, len(group))
		copy(batch, group)
		s.applies <- batch
	}
}

func (s *Service) applyLoop() {
	defer s.done.Done()
	for group := range s.applies {
		s.mu.Lock()
		for _, r := range group {
			s.apply(r)
		}
		s.mu.Unlock()
		for _, r := range group {
			close(r.done)
		}
		s.takeQuery()
		s.stepHistory(false)
		if s.opts.SnapshotEventsInterval > 0 && s.eventsSinceSnap >= s.opts.SnapshotEventsInterval {
			s.snapshot()
		}
	}
	s.stepHistory(true)
	if s.failure() == nil {
		if err := s.flushQuery(); err != nil {
			s.fail(err)
		}
	}
}

// append makes entries durable, with the query rows waiting when the
// store keeps query tables.
func (s *Service) append(entries []Entry) error {
	if s.query == nil {
		return s.store.Append(entries)
	}
	s.queryWrite.Lock()
	defer s.queryWrite.Unlock()
	return s.query.AppendQuery(entries, s.takeQueryRows())
}

// takeQuery takes the query rows the group just applied changed, for
// the next transaction to carry; on the applier goroutine.
func (s *Service) takeQuery() {
	if s.query == nil {
		return
	}
	d := &QueryDelta{Through: s.lastSeq}
	s.machine.LedgerEngine().TakeChanges(d)
	if qm, ok := s.machine.(QueryMachine); ok {
		qm.TakeQuery(d)
	}
	s.queryMu.Lock()
	s.queryRows = append(s.queryRows, d)
	s.queryMu.Unlock()
	select {
	case s.queryReady <- struct{}{}:
	default:
	}
}

func (s *Service) takeQueryRows() []*QueryDelta {
	s.queryMu.Lock()
	defer s.queryMu.Unlock()
	rows := s.queryRows
	s.queryRows = nil
	return rows
}

// flushQuery writes the query rows waiting in a transaction of their own.
func (s *Service) flushQuery() error {
	if s.query == nil {
		return nil
	}
	s.queryWrite.Lock()
	defer s.queryWrite.Unlock()
	rows := s.takeQueryRows()
	if len(rows) == 0 {
		return nil
	}
	if err := s.query.AppendQuery(nil, rows); err != nil {
		return fmt.Errorf("%w: query tables: %v", ErrJournalFailed, err)
	}
	return nil
}

// stepHistory moves the engine's history out of memory as it grows, on
// the applier goroutine between groups: it copies what can go (no lock:
// this goroutine is the only writer of the state), a goroutine of its own
// writes it to the History while groups go on being applied, and once the
// write is done the copy is dropped from memory under the write lock. The
// records of a RecordMachine go the same way, after the engine's. With
// wait, it waits for a write under way and starts none.
//
// A History that fails to write stops the Service, as a journal that
// fails does: the state is intact, but memory would only grow.
func (s *Service) stepHistory(wait bool) {
	engine := s.machine.LedgerEngine()
	if s.moving {
		var err error
		if wait {
			err = <-s.moveDone
		} else {
			select {
			case err = <-s.moveDone:
			default:
				return
			}
		}
		m, written := s.move, s.recordsWritten
		s.moving, s.move, s.recordsWritten = false, nil, nil
		if err != nil {
			s.fail(fmt.Errorf("%w: history: %v", ErrJournalFailed, err))
			return
		}
		s.mu.Lock()
		if m != nil {
			engine.DropHistory(m)
		}
		if written != nil {
			written()
		}
		s.mu.Unlock()
	}
	if wait || !engine.HistoryAttached() || s.failure() != nil {
		return
	}
	var m *HistoryMove
	if engine.HistoryDue() {
		m = engine.PrepareHistory(false)
	}
	var write func(History) error
	var written func()
	if rm, ok := s.machine.(RecordMachine); ok {
		write, written = rm.TakeRecords()
	}
	if m == nil && write == nil {
		return
	}
	s.moving, s.move, s.recordsWritten = true, m, written
	h, seq := engine.History(), s.lastSeq
	go labelled("history", func() {
		var err error
		if m != nil {
			err = m.WriteMarked(h)
		}
		if err == nil && write != nil {
			err = writeRecordsMarked(h, write, seq)
		}
		s.moveDone <- err
	})
}

// moveAllHistory moves all of the engine's history that can go, writes
// the machine's records, and syncs the History: before a snapshot, which
// leaves them out.
func (s *Service) moveAllHistory() bool {
	s.stepHistory(true)
	if s.failure() != nil {
		return false
	}
	engine := s.machine.LedgerEngine()
	m := engine.PrepareHistory(true)
	err := m.WriteMarked(engine.History())
	var written func()
	if rm, ok := s.machine.(RecordMachine); ok && err == nil {
		var write func(History) error
		if write, written = rm.TakeRecords(); write != nil {
			err = writeRecordsMarked(engine.History(), write, s.lastSeq)
		}
	}
	if err == nil {
		err = engine.History().Sync()
	}
	if err != nil {
		s.fail(fmt.Errorf("%w: history: %v", ErrJournalFailed, err))
		return false
	}
	s.mu.Lock()
	engine.DropHistory(m)
	if written != nil {
		written()
	}
	s.mu.Unlock()
	return true
}

func (s *Service) apply(r *request) {
	e := r.entry
	reply, err := s.machine.Apply(e, r.decoded)
	if err != nil {
		// The payload was encoded by this process a moment ago: failing to
		// decode it is a programming error.
		panic(fmt.Sprintf("ledger: apply entry %d: %v", e.Seq, err))
	}
	r.reply = reply
	s.lastSeq = e.Seq
	s.eventsSinceSnap += max(r.events, 1)
	failed := 0
	if results, ok := reply.([]Result); ok {
		for _, x := range results {
			if x != ResultOK {
				failed++
			}
		}
	}
	s.observer.Applied(r.op, r.events, failed)
}

// snapshot writes the engine's state; it runs on the applier goroutine, so
// the state cannot change under it, while readers go on.
func (s *Service) snapshot() {
	if s.lastSeq == s.lastSnapshotSeq {
		return
	}
	// The snapshot of an engine with a History leaves out what is in it:
	// all of that must be there, durably, first.
	if s.machine.LedgerEngine().HistoryAttached() && !s.moveAllHistory() {
		return
	}
	// Recovery replays from the snapshot on: the query tables must hold
	// the state it holds, or newer.
	if err := s.flushQuery(); err != nil {
		s.fail(err)
		return
	}
	err := s.store.SaveSnapshot(s.lastSeq, s.machine.WriteSnapshot)
	if err != nil {
		// A failed snapshot loses nothing (the journal has every entry); it
		// is retried after the next interval.
		s.eventsSinceSnap = 0
		return
	}
	s.lastSnapshotSeq = s.lastSeq
	s.eventsSinceSnap = 0
}

func (s *Service) pulseLoop() {
	defer s.done.Done()
	t := time.NewTicker(s.opts.PulseInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		var due bool
		s.mu.RLock()
		if at, ok := s.machine.NextExpiry(); ok && at <= uint64(s.clock.Now().UnixNano()) {
			due = true
		}
		s.mu.RUnlock()
		if due {
			s.submit(context.Background(), &request{op: OpPulse})
		}
	}
}

// Close stops accepting batches, lets the queued ones finish, writes a
// snapshot and stops the pipeline. It does not close the store.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.submitMu.Lock()
		s.closed = true
		s.submitMu.Unlock()
		close(s.stop)
		s.done.Wait()
		if s.failure() == nil && s.opts.SnapshotEventsInterval >= 0 {
			s.snapshot()
		}
	})
	return nil
}
