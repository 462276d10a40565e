package ledger

// Query tables: the current state, as rows a SQL user reads, kept by a
// store that writes them in the journal's own transactions (PostgreSQL).
//
// A group is made durable before it is applied, so its results do not
// exist when its transaction commits. The Service therefore writes the
// rows an applied group changed in the transaction of a later group (or,
// idle, in one of their own, QueryFlushDelay after): the tables always
// hold the state after one journal entry, QueryThrough, a consistent
// prefix of the journal one group or so behind it. Every row carries the
// entry it is as of, and a write never replaces a row with an older one,
// so a replay (a restart, a standby's catch-up) may write its rows again
// without ever taking the tables back.

import (
	"time"
)

// QueryDelta is what changed in the state over entries up to Through: the
// rows to write, each as of Through. Later rows of one key replace earlier
// ones.
type QueryDelta struct {
	Through   uint64
	Accounts  []Account
	Transfers []HistoryTransfer
	Balances  []AccountBalance
	// Records are the machine's own rows (the payments layer's payments),
	// by key; their Version is ignored.
	Records []Record
}

// QueryStore is a Store that keeps query tables.
type QueryStore interface {
	Store
	// AppendQuery appends entries (there may be none) as Append does and
	// writes the deltas, in order, in the same transaction, moving
	// QueryThrough to the last delta's Through unless it is further on.
	AppendQuery(entries []Entry, deltas []*QueryDelta) error
	// QueryThrough returns the entry the query tables hold the state after.
	QueryThrough() (uint64, error)
}

// QueryClearer is a QueryStore whose tables can be emptied, for a node
// that does not keep them (ServiceOptions.QueryTablesOff): rows left as
// of an old entry would read as the switch's state.
type QueryClearer interface {
	QueryStore
	// ClearQuery empties the query tables and sets QueryThrough to 0, as
	// the store's writer.
	ClearQuery() error
}

// QueryMachine is a Machine with rows of its own in the query tables.
type QueryMachine interface {
	Machine
	// TrackQuery starts noting what the entries applied change.
	TrackQuery()
	// TakeQuery adds to d the rows changed since TrackQuery or the last
	// TakeQuery.
	TakeQuery(d *QueryDelta)
	// QueryAll adds to d every row of its own as it stands now.
	QueryAll(d *QueryDelta)
}

// QueryFlushDelay is how long an idle Service waits for another group to
// carry the rows of the groups applied before it writes them alone.
const QueryFlushDelay = 5 * time.Millisecond

// changes is what the engine notes for the query tables between two
// TakeChanges.
type changes struct {
	accountsFrom  int             // accounts created since: [accountsFrom, len(accounts))
	transfersFrom uint32          // transfers created since
	accounts      map[uint32]bool // accounts changed
	states        []uint32        // pending transfers whose state changed
	after         uint64          // the last timestamp at the last take
}

// TrackChanges starts noting what batches change, for TakeChanges.
func (e *Engine) TrackChanges() {
	e.changes = &changes{
		accountsFrom:  len(e.accounts),
		transfersFrom: e.transferCount,
		accounts:      make(map[uint32]bool),
		after:         e.lastTimestamp,
	}
}

// TakeChanges adds to d the accounts, transfers and balance history
// entries changed since TrackChanges or the last TakeChanges, as they
// stand now. It must be called between batches, before the history they
// made moves out of memory (PrepareHistory).
func (e *Engine) TakeChanges(d *QueryDelta) {
	c := e.changes
	if c == nil {
		return
	}
	for i := c.accountsFrom; i < len(e.accounts); i++ {
		c.accounts[uint32(i)] = true
	}
	for i := range c.accounts {
		if int(i) >= len(e.accounts) {
			continue // created, then rolled back with its chain
		}
		d.Accounts = append(d.Accounts, e.accounts[i])
		h := e.histories[i]
		k := len(h)
		for k > 0 && h[k-1].Timestamp > c.after {
			k--
		}
		id := e.accounts[i].ID
		for j := k; j < len(h); j++ {
			var index uint32
			if j > k && h[j-1].Timestamp == h[j].Timestamp {
				index = d.Balances[len(d.Balances)-1].Index + 1
			}
			d.Balances = append(d.Balances, AccountBalance{Account: id, Index: index, Balance: h[j]})
		}
	}
	for i := c.transfersFrom; i < e.transferCount; i++ {
		r := e.transfer(i)
		d.Transfers = append(d.Transfers, HistoryTransfer{Transfer: r.Transfer, State: r.state})
	}
	for _, i := range c.states {
		if i >= c.transfersFrom || i >= e.transferCount {
			continue // among the new ones above
		}
		if r := e.transfer(i); r != nil {
			d.Transfers = append(d.Transfers, HistoryTransfer{Transfer: r.Transfer, State: r.state})
		}
	}
	clear(c.accounts)
	c.states = c.states[:0]
	c.accountsFrom = len(e.accounts)
	c.transfersFrom = e.transferCount
	c.after = e.lastTimestamp
}

// queryTrack takes the query rows of a replay (recovery, a standby's
// catch-up) entry by entry, in chunks, and writes the chunks the tables
// lack: a chunk they already hold (QueryThrough at or past it: the node
// that wrote the journal wrote its rows) is dropped. Recovery writes the
// rest as it goes and at its end; a standby holds them while the leader
// is expected to write them, and writes what is left when it takes over.
type queryTrack struct {
	qs      QueryStore
	machine Machine
	qm      QueryMachine
	delta   *QueryDelta // the chunk being taken
	n       int         // entries in it
	held    []*QueryDelta
	// heldRows counts the rows of held, the chunks taken and not written.
	heldRows int
	through  uint64 // QueryThrough as last read, or as last written
}

// newQueryTrack starts tracking machine's changes if store keeps query
// tables; nil otherwise.
func newQueryTrack(store Store, machine Machine) (*queryTrack, error) {
	qs, ok := store.(QueryStore)
	if !ok {
		return nil, nil
	}
	through, err := qs.QueryThrough()
	if err != nil {
		return nil, err
	}
	machine.LedgerEngine().TrackChanges()
	t := &queryTrack{qs: qs, machine: machine, delta: &QueryDelta{}, through: through}
	if t.qm, ok = machine.(QueryMachine); ok {
		t.qm.TrackQuery()
	}
	return t, nil
}

// take adds the changes of the entry seq just applied.
func (t *queryTrack) take(seq uint64) {
	t.machine.LedgerEngine().TakeChanges(t.delta)
	if t.qm != nil {
		t.qm.TakeQuery(t.delta)
	}
	t.delta.Through = seq
}

// QueryChunkRows is the most rows a replay keeps before writing them:
// entries of thousands of transfers each fill a chunk long before
// ReplayRecordsEntries of them.
const QueryChunkRows = 64 << 10

// rows counts the rows taken.
func (d *QueryDelta) rows() int {
	return len(d.Accounts) + len(d.Transfers) + len(d.Balances) + len(d.Records)
}

// step counts an entry applied and takes its changes; every
// ReplayRecordsEntries entries or QueryChunkRows rows it seals them as a
// chunk and settles (settle).
func (t *queryTrack) step(seq uint64) error {
	if t == nil {
		return nil
	}
	t.take(seq)
	if t.n++; t.n < ReplayRecordsEntries && t.delta.rows() < QueryChunkRows {
		return nil
	}
	t.seal()
	return t.settle(false)
}

// seal ends the chunk being taken.
func (t *queryTrack) seal() {
	if t.n == 0 {
		return
	}
	t.held = append(t.held, t.delta)
	t.heldRows += t.delta.rows()
	t.delta, t.n = &QueryDelta{}, 0
}

// settle drops the chunks the tables already hold (the node that wrote
// the journal wrote them) and writes the rest once they reach
// QueryChunkRows rows, or with force. A standby following a live leader
// holds its chunks rather than write what the leader is about to; it
// writes them when it takes over (or when they grow past a chunk: a
// leader that far behind is not keeping up).
func (t *queryTrack) settle(force bool) error {
	if len(t.held) == 0 {
		return nil
	}
	if t.held[len(t.held)-1].Through > t.through {
		through, err := t.qs.QueryThrough()
		if err != nil {
			return err
		}
		t.through = max(t.through, through)
	}
	k := 0
	for k < len(t.held) && t.held[k].Through <= t.through {
		t.heldRows -= t.held[k].rows()
		k++
	}
	t.held = t.held[k:]
	if len(t.held) == 0 || (!force && t.heldRows < QueryChunkRows) {
		return nil
	}
	if err := t.qs.AppendQuery(nil, t.held); err != nil {
		return err
	}
	t.through = t.held[len(t.held)-1].Through
	t.held, t.heldRows = nil, 0
	return nil
}

// flush seals the chunk being taken and writes every chunk the tables
// lack: at the end of a recovery, and when a standby takes over.
func (t *queryTrack) flush() error {
	if t == nil {
		return nil
	}
	t.seal()
	return t.settle(true)
}

// hold seals the chunk being taken and settles without forcing a write:
// at the end of a standby's catch-up.
func (t *queryTrack) hold() error {
	if t == nil {
		return nil
	}
	t.seal()
	return t.settle(false)
}

// QueryReader is a QueryStore whose tables can be read back whole.
type QueryReader interface {
	// ReadQuery reads every row of the query tables in one consistent
	// read, as a delta whose Through is their position.
	ReadQuery() (*QueryDelta, error)
}

// QueryState returns the whole state of a machine as query rows: every
// account, every transfer in memory and every balance history entry in
// memory (all of them for an engine without a History), and the
// machine's own rows. For tests and verification: it replays nothing.
func QueryState(m Machine, through uint64) *QueryDelta {
	e := m.LedgerEngine()
	d := &QueryDelta{Through: through}
	saved := e.changes
	e.changes = &changes{accounts: make(map[uint32]bool), transfersFrom: e.hotFrom}
	e.TakeChanges(d)
	for _, r := range e.parked {
		d.Transfers = append(d.Transfers, HistoryTransfer{Transfer: r.Transfer, State: r.state})
	}
	e.changes = saved
	if qm, ok := m.(QueryMachine); ok {
		qm.QueryAll(d)
	}
	return d
}
