package ledger

import (
	"bytes"
	"cmp"
	"container/heap"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"

	"astara/money"
)

// Limits of the engine. Each is a named constant with its unit last, and a
// test goes one past it.
const (
	// BatchEventsMax is the most accounts or transfers in one batch, as in
	// TigerBeetle (8190 fit one 1 MiB message there).
	BatchEventsMax = 8190
	// OpenPendingTransfersMaxDefault is the default cap on pending transfers
	// that are neither posted, voided nor expired.
	OpenPendingTransfersMaxDefault = 1 << 20
	// TimeoutSecondsMax is the longest timeout of a pending transfer: 180
	// days, as long as a trade payment's money may wait for its goods.
	TimeoutSecondsMax = 180 * 24 * 3600

	transferChunkRecords = 1 << 15
	nanosPerSecond       = 1_000_000_000
)

// Options configure an Engine.
type Options struct {
	// OpenPendingTransfersMax caps the open pending transfers; zero means
	// OpenPendingTransfersMaxDefault.
	OpenPendingTransfersMax int
	// CurrencyKnown reports whether a currency may be used; nil means any
	// currency of the money package's table.
	CurrencyKnown func(money.Code) bool
	// HotTransfers is how many recent transfers an engine with a History
	// keeps in memory; zero means HotTransfersDefault. The oldest closed
	// ones beyond it go to the History when MoveHistory is called.
	HotTransfers int
	// HotRecords is for the machine built on the engine: how many of its
	// recent records (payments) it keeps in memory when the engine has a
	// History; zero means that machine's default. The machine moves the
	// rest at points the journal alone decides, so every node, replay and
	// verification of one journal must use the same value: it is not an
	// operator's setting, only tests and benchmarks change it.
	HotRecords int
}

// Engine is the ledger's deterministic state machine. It applies batches of
// commands in order, does no I/O, reads no clock (every batch carries its
// timestamp) and keeps its whole state in memory: the same sequence of
// batches always yields the same state and the same results.
//
// An Engine is not safe for concurrent use: one goroutine applies batches;
// readers must be excluded while a batch is applied (Service does this).
type Engine struct {
	opts Options

	accounts     []Account
	accountIndex map[ID]uint32
	histories    map[uint32][]Balance

	transfers     [][]transferRecord // chunks of 1<<chunkShift; nil once moved out
	spareChunks   [][]transferRecord // chunks moved out, for appendTransfer to reuse
	transferCount uint32
	// transferIndex holds the ids of the transfers in memory: the recent
	// ones and the parked ones.
	transferIndex idIndex
	chunkShift    uint32

	// The history kept outside memory (see History). Transfers below
	// hotFrom are in History, or parked while they are open pending.
	history      History
	external     bool // the state's history is in a History (set or to be set)
	hotMax       uint32
	hotFrom      uint32
	parked       map[uint32]*transferRecord
	parkedClosed []uint32 // parked transfers closed since the last move
	filter       idFilter // every transfer id, while history is external
	// failed holds the ids of client transfers that failed transiently,
	// with their result and moment: they answer ResultIDAlreadyFailed
	// from then on. While history is external, every move takes them to
	// History (failedKey) and failedFilter holds every one of them, in
	// memory or moved.
	failed       map[ID]failedID
	failedFilter idFilter

	expiries    expiryHeap
	openPending int

	totals        map[money.Code]*Totals
	lastTimestamp uint64

	chainOpen bool
	undo      []undoEntry

	changes *changes // what changed since the last TakeChanges; nil unless tracked
}

type transferRecord struct {
	Transfer
	expiresAt uint64
	state     PendingState
}

// New returns an empty Engine.
func New(opts Options) *Engine {
	if opts.OpenPendingTransfersMax <= 0 {
		opts.OpenPendingTransfersMax = OpenPendingTransfersMaxDefault
	}
	if opts.CurrencyKnown == nil {
		opts.CurrencyKnown = func(c money.Code) bool {
			_, ok := money.LookupCurrency(c)
			return ok
		}
	}
	if opts.HotTransfers <= 0 {
		opts.HotTransfers = HotTransfersDefault
	}
	// Four chunks or more make the hot window, so that moving one out
	// leaves most of it; tests use tiny windows to move often.
	shift := uint32(0)
	for shift < 15 && 4<<(shift+1) <= opts.HotTransfers {
		shift++
	}
	return &Engine{
		opts:         opts,
		accountIndex: make(map[ID]uint32),
		histories:    make(map[uint32][]Balance),
		chunkShift:   shift,
		hotMax:       uint32(min(opts.HotTransfers, 1<<31)),
		parked:       make(map[uint32]*transferRecord),
		failed:       make(map[ID]failedID),
		failedFilter: idFilter{scheme: idFilterSchemeFailed},
		totals:       make(map[money.Code]*Totals),
	}
}

// LastTimestamp returns the timestamp of the last event applied; a batch
// must carry a later one.
func (e *Engine) LastTimestamp() uint64 { return e.lastTimestamp }

// AccountsCount returns the number of accounts.
func (e *Engine) AccountsCount() int { return len(e.accounts) }

// TransfersCount returns the number of transfers.
func (e *Engine) TransfersCount() int { return int(e.transferCount) }

// MemoryTransfersCount returns the number of transfers kept in memory:
// all of them, or with a History the recent and the open pending ones.
func (e *Engine) MemoryTransfersCount() int { return e.transferIndex.len() }

// FailedIDsCount returns how many ids of client transfers that failed
// transiently (ResultIDAlreadyFailed) the engine holds in memory: all of
// them, or with a History those that failed since the last move.
func (e *Engine) FailedIDsCount() int { return len(e.failed) }

// FailedFilterBytes returns the memory of the filter of failed ids, which
// grows with them while the history is in a History (none without one,
// or before the first).
func (e *Engine) FailedFilterBytes() int { return e.failedFilter.bytes() }

// IDFilterBytes returns the memory of the id filter, which grows with the
// transfers while the history is in a History (none without one).
func (e *Engine) IDFilterBytes() int { return e.filter.bytes() }

// IDIndexBytes returns the memory of the index of the transfers in memory.
func (e *Engine) IDIndexBytes() int { return e.transferIndex.bytes() }

// OpenPendingCount returns the number of pending transfers not yet posted,
// voided or expired.
func (e *Engine) OpenPendingCount() int { return e.openPending }

// transfer returns the record of the transfer at index i while it is in
// memory, nil once it was moved to History.
func (e *Engine) transfer(i uint32) *transferRecord {
	if i < e.hotFrom {
		return e.parked[i]
	}
	return &e.transfers[i>>e.chunkShift][i&(1<<e.chunkShift-1)]
}

// checkTimestamp panics if a batch's timestamp does not follow the last
// one: the caller (Service, replay) assigns timestamps, so a violation is a
// programming error, not an input error.
func (e *Engine) checkTimestamp(ts uint64, events int) {
	if e.external && e.history == nil {
		panic("ledger: the engine's history is in a store that is not attached (SetHistory)")
	}
	if ts <= e.lastTimestamp {
		panic(fmt.Sprintf("ledger: batch timestamp %d does not follow %d", ts, e.lastTimestamp))
	}
	if ts+uint64(events) < ts {
		panic("ledger: batch timestamp overflows")
	}
}

func (e *Engine) endBatch(ts uint64, events int) {
	if len(e.expiries) > 2*e.openPending+expiriesSlack {
		e.compactExpiries()
	}
	if events > 0 {
		e.lastTimestamp = ts + uint64(events) - 1
	} else {
		e.lastTimestamp = ts
	}
	for c, t := range e.totals {
		if !t.Balanced() {
			panic(fmt.Sprintf("ledger: double entry broken for %s: %+v", c, *t))
		}
	}
}

// Pulse expires the pending transfers whose timeout has passed at ts. It is
// a batch of no events: the Service journals it so that replay expires the
// same transfers at the same moment.
func (e *Engine) Pulse(ts uint64) {
	e.checkTimestamp(ts, 0)
	e.expire(ts)
	e.endBatch(ts, 0)
}

// NextExpiry returns the earliest moment at which an open pending transfer
// expires, if there is one.
func (e *Engine) NextExpiry() (uint64, bool) {
	for len(e.expiries) > 0 {
		top := e.expiries[0]
		if e.expiryLive(top) {
			return top.at, true
		}
		heap.Pop(&e.expiries)
	}
	return 0, false
}

func (e *Engine) expiryLive(x expiry) bool {
	if x.index >= e.transferCount {
		return false
	}
	r := e.transfer(x.index)
	return r != nil && r.state == PendingOpen && r.expiresAt == x.at
}

func (e *Engine) expire(ts uint64) {
	for len(e.expiries) > 0 && e.expiries[0].at <= ts {
		x := heap.Pop(&e.expiries).(expiry)
		if !e.expiryLive(x) {
			continue
		}
		r := e.transfer(x.index)
		dri, cri := e.accountIndex[r.DebitAccountID], e.accountIndex[r.CreditAccountID]
		dr, cr := e.accounts[dri], e.accounts[cri]
		dr.DebitsPending = dr.DebitsPending.MustSub(r.Amount)
		cr.CreditsPending = cr.CreditsPending.MustSub(r.Amount)
		e.setAccount(dri, dr, r.ID, ts)
		e.setAccount(cri, cr, r.ID, ts)
		r.state = PendingExpired
		if e.changes != nil {
			e.changes.states = append(e.changes.states, x.index)
		}
		e.closed(x.index)
		e.openPending--
	}
}

// CreateAccounts applies a batch of new accounts at timestamp ts (event i
// gets ts+i) and writes one Result per account into results, which must be
// as long as accounts.
func (e *Engine) CreateAccounts(ts uint64, accounts []Account, results []Result) {
	e.checkTimestamp(ts, len(accounts))
	e.expire(ts)
	e.applyChains(len(accounts), results,
		func(i int) bool { return accounts[i].Flags&AccountLinked != 0 },
		func(i int) Result { return e.createAccount(&accounts[i], ts+uint64(i)) })
	e.endBatch(ts, len(accounts))
}

// CreateTransfers applies a batch of transfers at timestamp ts (event i
// gets ts+i) and writes one Result per transfer into results, which must be
// as long as transfers. It is for the transfers of a layer over the ledger
// (payments), whose ids are its own to retry; clients' batches go through
// CreateClientTransfers.
func (e *Engine) CreateTransfers(ts uint64, transfers []Transfer, results []Result) {
	e.createTransfers(ts, transfers, results, false)
}

// CreateClientTransfers applies a client's batch as CreateTransfers does,
// and remembers each transfer that fails transiently (Result.Transient):
// sent again with the same id, it answers ResultIDAlreadyFailed, even once
// the state would let it through, so that a client that retries never
// sees an id's outcome change. An event that failed only with its chain
// (ResultLinkedEventFailed) is not remembered.
func (e *Engine) CreateClientTransfers(ts uint64, transfers []Transfer, results []Result) {
	e.createTransfers(ts, transfers, results, true)
}

func (e *Engine) createTransfers(ts uint64, transfers []Transfer, results []Result, remember bool) {
	e.checkTimestamp(ts, len(transfers))
	e.expire(ts)
	e.applyChains(len(transfers), results,
		func(i int) bool { return transfers[i].Flags&TransferLinked != 0 },
		func(i int) Result {
			if i+touchAhead < len(transfers) {
				e.touch(&transfers[i+touchAhead])
			}
			t := &transfers[i]
			if remember && e.failedBefore(t.ID, ts+uint64(i)) {
				return ResultIDAlreadyFailed
			}
			r := e.createTransfer(t, ts+uint64(i))
			if remember && r.Transient() {
				e.fail(t.ID, r, ts+uint64(i))
			}
			return r
		})
	e.endBatch(ts, len(transfers))
}

// FailedCount returns how many ids of client transfers that failed
// transiently are held in memory (FailedIDsCount).
func (e *Engine) FailedCount() int { return len(e.failed) }

// failedID is a failed id's result and the moment of the event that
// failed.
type failedID struct {
	result Result
	at     uint64
}

// failedBefore reports whether id failed transiently before the event at
// ts: in memory, or in History when the filter of failed ids may hold it
// (a record stamped at or after ts is one a replay is about to write
// again, and is not seen).
func (e *Engine) failedBefore(id ID, ts uint64) bool {
	if _, ok := e.failed[id]; ok {
		return true
	}
	if e.history == nil || len(e.failedFilter.segments) == 0 || !e.failedFilter.mayHave(id) {
		return false
	}
	_, ok, err := e.history.Record(failedKey(id), ts)
	if err != nil {
		// As for a transfer: the answer cannot be decided without it.
		panic(fmt.Sprintf("ledger: read failed id %s from history: %v", id, err))
	}
	return ok
}

// fail remembers that id failed transiently with r at ts.
func (e *Engine) fail(id ID, r Result, ts uint64) {
	e.failed[id] = failedID{result: r, at: ts}
	if e.external {
		e.failedFilter.add(id)
	}
}

// adoptFailed adds the failed ids in memory to the filter of failed ids,
// in the order of their ids: when the history becomes external, or is
// restored from a snapshot written before failed ids moved (version 4
// or older), whose filter holds none. A filter is the same whatever the
// order its ids were added in but for where its segments end, after the
// first 2^20 ids.
func (e *Engine) adoptFailed() {
	e.failedFilter = idFilter{scheme: idFilterSchemeFailed}
	for _, id := range sortedFailed(e.failed) {
		e.failedFilter.add(id)
	}
}

// sortedFailed returns the failed ids in the order of their bytes.
func sortedFailed(failed map[ID]failedID) []ID {
	return slices.SortedFunc(maps.Keys(failed), func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
}

// applyChains applies n events in order. A chain of linked events
// succeeds or fails as one: on the first failure the events already
// applied are undone and every other event of the chain answers
// ResultLinkedEventFailed. ResultExists is not a failure: it changes
// nothing, and a chain sent again answers it for every event. A chain still open at the end of the batch fails
// with ResultLinkedEventChainOpen on its last event.
func (e *Engine) applyChains(n int, results []Result, linked func(int) bool, apply func(int) Result) {
	chainStart := -1
	for i := 0; i < n; i++ {
		isLinked := linked(i)
		if chainStart < 0 && isLinked {
			chainStart = i
			e.chainOpen = true
			e.undo = e.undo[:0]
		}
		var r Result
		if isLinked && i == n-1 {
			r = ResultLinkedEventChainOpen
		} else {
			r = apply(i)
		}
		results[i] = r
		if chainStart < 0 {
			continue
		}
		// An event that exists as given is not a failure of its chain: a
		// chain retried after it landed answers exists for every event,
		// so that the client knows all of it landed.
		if r != ResultOK && r != ResultExists {
			e.rollback()
			for j := chainStart; j < i; j++ {
				results[j] = ResultLinkedEventFailed
			}
			for isLinked && i+1 < n {
				i++
				isLinked = linked(i)
				results[i] = ResultLinkedEventFailed
				if isLinked && i == n-1 {
					results[i] = ResultLinkedEventChainOpen
				}
			}
			chainStart = -1
		} else if !isLinked {
			chainStart = -1
			e.commitChain()
		}
	}
}

func (e *Engine) createAccount(a *Account, ts uint64) Result {
	switch {
	case a.Timestamp != 0:
		return ResultTimestampMustBeZero
	case a.Flags&^(accountFlagsKnown|AccountLinked) != 0:
		return ResultFlagsUnknown
	case a.ID.IsZero():
		return ResultIDMustNotBeZero
	case a.ID.isMax():
		return ResultIDMustNotBeMax
	case a.Flags&AccountDebitsMustNotExceedCredits != 0 && a.Flags&AccountCreditsMustNotExceedDebits != 0:
		return ResultFlagsAreMutuallyExclusive
	case !e.opts.CurrencyKnown(a.Currency):
		return ResultCurrencyUnknown
	case a.Code == 0:
		return ResultCodeMustNotBeZero
	case !a.DebitsPending.IsZero() || !a.DebitsPosted.IsZero() || !a.CreditsPending.IsZero() || !a.CreditsPosted.IsZero():
		return ResultBalancesMustBeZero
	}
	flags := a.Flags &^ AccountLinked
	if i, ok := e.accountIndex[a.ID]; ok {
		x := &e.accounts[i]
		switch {
		case x.Flags != flags:
			return ResultExistsWithDifferentFlags
		case x.Currency != a.Currency:
			return ResultExistsWithDifferentCurrency
		case x.Code != a.Code:
			return ResultExistsWithDifferentCode
		}
		return ResultExists
	}
	stored := *a
	stored.Flags = flags
	stored.Timestamp = ts
	idx := uint32(len(e.accounts))
	e.accounts = append(e.accounts, stored)
	e.accountIndex[a.ID] = idx
	// The first account of a currency creates its totals; a rollback
	// removes them again, so that the totals list the same currencies as
	// after a restore (which makes them from the accounts).
	totalsCreated := e.totals[a.Currency] == nil
	if totalsCreated {
		e.totals[a.Currency] = &Totals{}
	}
	if e.chainOpen {
		e.undo = append(e.undo, undoEntry{kind: undoAccountCreated, index: idx, totalsCreated: totalsCreated})
	}
	return ResultOK
}

func (e *Engine) createTransfer(t *Transfer, ts uint64) Result {
	switch {
	case t.Timestamp != 0:
		return ResultTimestampMustBeZero
	case t.Flags&^transferFlagsKnown != 0:
		return ResultFlagsUnknown
	case t.ID.IsZero():
		return ResultIDMustNotBeZero
	case t.ID.isMax():
		return ResultIDMustNotBeMax
	}
	kinds := 0
	for _, f := range [...]TransferFlags{TransferPending, TransferPostPending, TransferVoidPending} {
		if t.Flags&f != 0 {
			kinds++
		}
	}
	if kinds > 1 {
		return ResultFlagsAreMutuallyExclusive
	}
	if t.Flags&(TransferPostPending|TransferVoidPending) != 0 {
		return e.postOrVoid(t, ts)
	}
	switch {
	case t.DebitAccountID.IsZero():
		return ResultDebitAccountIDMustNotBeZero
	case t.DebitAccountID.isMax():
		return ResultDebitAccountIDMustNotBeMax
	case t.CreditAccountID.IsZero():
		return ResultCreditAccountIDMustNotBeZero
	case t.CreditAccountID.isMax():
		return ResultCreditAccountIDMustNotBeMax
	case t.DebitAccountID == t.CreditAccountID:
		return ResultAccountsMustBeDifferent
	case !t.PendingID.IsZero():
		return ResultPendingIDMustBeZero
	case t.TimeoutSeconds != 0 && t.Flags&TransferPending == 0:
		return ResultTimeoutReservedForPendingTransfer
	case t.Amount.IsZero():
		return ResultAmountMustNotBeZero
	case !e.opts.CurrencyKnown(t.Currency):
		return ResultCurrencyUnknown
	case t.Code == 0:
		return ResultCodeMustNotBeZero
	}
	dri, ok := e.accountIndex[t.DebitAccountID]
	if !ok {
		return ResultDebitAccountNotFound
	}
	cri, ok := e.accountIndex[t.CreditAccountID]
	if !ok {
		return ResultCreditAccountNotFound
	}
	dr, cr := e.accounts[dri], e.accounts[cri]
	if dr.Currency != cr.Currency {
		return ResultAccountsMustHaveTheSameCurrency
	}
	if t.Currency != dr.Currency {
		return ResultTransferMustHaveTheSameCurrencyAsAccounts
	}
	if x := e.find(t.ID, ts); x != nil {
		return transferExists(t, &x.Transfer)
	}
	pending := t.Flags&TransferPending != 0
	var expiresAt uint64
	if pending {
		var ok bool
		if dr.DebitsPending, ok = dr.DebitsPending.Add(t.Amount); !ok {
			return ResultOverflowsDebitsPending
		}
		if cr.CreditsPending, ok = cr.CreditsPending.Add(t.Amount); !ok {
			return ResultOverflowsCreditsPending
		}
	} else {
		var ok bool
		if dr.DebitsPosted, ok = dr.DebitsPosted.Add(t.Amount); !ok {
			return ResultOverflowsDebitsPosted
		}
		if cr.CreditsPosted, ok = cr.CreditsPosted.Add(t.Amount); !ok {
			return ResultOverflowsCreditsPosted
		}
	}
	if _, ok := dr.DebitsPending.Add(dr.DebitsPosted); !ok {
		return ResultOverflowsDebits
	}
	if _, ok := cr.CreditsPending.Add(cr.CreditsPosted); !ok {
		return ResultOverflowsCredits
	}
	if tot := e.totals[t.Currency]; !totalsCanAdd(tot, t.Amount) {
		return ResultOverflowsDebits
	}
	if pending && t.TimeoutSeconds != 0 {
		if t.TimeoutSeconds > TimeoutSecondsMax {
			return ResultOverflowsTimeout
		}
		expiresAt = ts + uint64(t.TimeoutSeconds)*nanosPerSecond
		if expiresAt < ts {
			return ResultOverflowsTimeout
		}
	}
	if dr.Flags&AccountDebitsMustNotExceedCredits != 0 {
		debits := dr.DebitsPending.MustAdd(dr.DebitsPosted)
		if dr.CreditsPosted.Less(debits) {
			return ResultExceedsCredits
		}
	}
	if cr.Flags&AccountCreditsMustNotExceedDebits != 0 {
		credits := cr.CreditsPending.MustAdd(cr.CreditsPosted)
		if cr.DebitsPosted.Less(credits) {
			return ResultExceedsDebits
		}
	}
	if pending && e.openPending >= e.opts.OpenPendingTransfersMax {
		return ResultOpenPendingTransfersMax
	}
	e.setAccount(dri, dr, t.ID, ts)
	e.setAccount(cri, cr, t.ID, ts)
	rec := transferRecord{Transfer: *t, expiresAt: expiresAt}
	rec.Timestamp = ts
	if pending {
		rec.state = PendingOpen
		e.openPending++
	}
	idx := e.appendTransfer(rec)
	if pending && expiresAt != 0 {
		heap.Push(&e.expiries, expiry{at: expiresAt, index: idx})
	}
	return ResultOK
}

func (e *Engine) postOrVoid(t *Transfer, ts uint64) Result {
	post := t.Flags&TransferPostPending != 0
	switch {
	case t.PendingID.IsZero():
		return ResultPendingIDMustNotBeZero
	case t.PendingID.isMax():
		return ResultPendingIDMustNotBeMax
	case t.PendingID == t.ID:
		return ResultPendingIDMustBeDifferent
	case t.TimeoutSeconds != 0:
		return ResultTimeoutReservedForPendingTransfer
	}
	p := e.find(t.PendingID, ts)
	if p == nil {
		return ResultPendingTransferNotFound
	}
	if p.Flags&TransferPending == 0 {
		return ResultPendingTransferNotPending
	}
	switch {
	case !t.DebitAccountID.IsZero() && t.DebitAccountID != p.DebitAccountID:
		return ResultPendingTransferHasDifferentDebitAccountID
	case !t.CreditAccountID.IsZero() && t.CreditAccountID != p.CreditAccountID:
		return ResultPendingTransferHasDifferentCreditAccountID
	case t.Currency != (money.Code{}) && t.Currency != p.Currency:
		return ResultPendingTransferHasDifferentCurrency
	case t.Code != 0 && t.Code != p.Code:
		return ResultPendingTransferHasDifferentCode
	}
	amount := p.Amount
	if !t.Amount.IsZero() {
		if post {
			if p.Amount.Less(t.Amount) {
				return ResultExceedsPendingTransferAmount
			}
			amount = t.Amount
		} else if t.Amount != p.Amount {
			return ResultPendingTransferHasDifferentAmount
		}
	}
	resolved := *t
	resolved.DebitAccountID = p.DebitAccountID
	resolved.CreditAccountID = p.CreditAccountID
	resolved.Currency = p.Currency
	resolved.Code = p.Code
	resolved.Amount = amount
	if x := e.find(t.ID, ts); x != nil {
		return transferExists(&resolved, &x.Transfer)
	}
	switch p.state {
	case PendingPosted:
		return ResultPendingTransferAlreadyPosted
	case PendingVoided:
		return ResultPendingTransferAlreadyVoided
	case PendingExpired:
		return ResultPendingTransferExpired
	}
	dri, cri := e.accountIndex[p.DebitAccountID], e.accountIndex[p.CreditAccountID]
	dr, cr := e.accounts[dri], e.accounts[cri]
	dr.DebitsPending = dr.DebitsPending.MustSub(p.Amount)
	cr.CreditsPending = cr.CreditsPending.MustSub(p.Amount)
	if post {
		var ok bool
		if dr.DebitsPosted, ok = dr.DebitsPosted.Add(amount); !ok {
			return ResultOverflowsDebitsPosted
		}
		if cr.CreditsPosted, ok = cr.CreditsPosted.Add(amount); !ok {
			return ResultOverflowsCreditsPosted
		}
	}
	e.setAccount(dri, dr, t.ID, ts)
	e.setAccount(cri, cr, t.ID, ts)
	// An open pending transfer is always in memory: p is its record.
	pi, _ := e.transferIndex.get(t.PendingID)
	if e.chainOpen {
		e.undo = append(e.undo, undoEntry{kind: undoPendingState, index: pi, state: p.state})
	}
	if post {
		p.state = PendingPosted
	} else {
		p.state = PendingVoided
	}
	if e.changes != nil {
		e.changes.states = append(e.changes.states, pi)
	}
	e.closed(pi)
	e.openPending--
	rec := transferRecord{Transfer: resolved}
	rec.Timestamp = ts
	e.appendTransfer(rec)
	return ResultOK
}

// transferExists compares a retried transfer with the stored one.
func transferExists(t, x *Transfer) Result {
	switch {
	case t.Flags != x.Flags:
		return ResultExistsWithDifferentFlags
	case t.DebitAccountID != x.DebitAccountID:
		return ResultExistsWithDifferentDebitAccountID
	case t.CreditAccountID != x.CreditAccountID:
		return ResultExistsWithDifferentCreditAccountID
	case t.Amount != x.Amount:
		return ResultExistsWithDifferentAmount
	case t.PendingID != x.PendingID:
		return ResultExistsWithDifferentPendingID
	case t.TimeoutSeconds != x.TimeoutSeconds:
		return ResultExistsWithDifferentTimeout
	case t.Currency != x.Currency:
		return ResultExistsWithDifferentCurrency
	case t.Code != x.Code:
		return ResultExistsWithDifferentCode
	}
	return ResultExists
}

func totalsCanAdd(t *Totals, amount money.Amount) bool {
	if t == nil {
		return true
	}
	d := t.DebitsPending.MustAdd(t.DebitsPosted)
	if _, ok := d.Add(amount); !ok {
		return false
	}
	return true
}

// setAccount stores a changed account, keeps the per-currency totals by
// the difference between the old and new balances (so a change that moves
// one side only breaks the totals, which endBatch checks), appends to the
// account's history where it has one, and records the undo step inside a
// chain.
func (e *Engine) setAccount(i uint32, a Account, transferID ID, ts uint64) {
	old := e.accounts[i]
	tot := e.totals[a.Currency]
	// Subtract first: the total holds the old balance, and total plus new
	// balance may not fit 128 bits even when the new total does.
	tot.DebitsPending = tot.DebitsPending.MustSub(old.DebitsPending).MustAdd(a.DebitsPending)
	tot.DebitsPosted = tot.DebitsPosted.MustSub(old.DebitsPosted).MustAdd(a.DebitsPosted)
	tot.CreditsPending = tot.CreditsPending.MustSub(old.CreditsPending).MustAdd(a.CreditsPending)
	tot.CreditsPosted = tot.CreditsPosted.MustSub(old.CreditsPosted).MustAdd(a.CreditsPosted)
	e.accounts[i] = a
	if e.changes != nil {
		e.changes.accounts[i] = true
	}
	history := a.Flags&AccountHistory != 0
	if history {
		e.histories[i] = append(e.histories[i], Balance{
			TransferID:     transferID,
			Timestamp:      ts,
			DebitsPending:  a.DebitsPending,
			DebitsPosted:   a.DebitsPosted,
			CreditsPending: a.CreditsPending,
			CreditsPosted:  a.CreditsPosted,
		})
	}
	if e.chainOpen {
		e.undo = append(e.undo, undoEntry{kind: undoAccountChanged, index: i, account: old, history: history})
	}
}

// spareChunksMax is how many chunks moved out the engine keeps to reuse.
const spareChunksMax = 4

// spareChunk takes chunk c out of the engine and keeps it to reuse, up to
// spareChunksMax: the history moves a chunk out as often as transfers
// fill one, and a new chunk is megabytes of memory that the runtime
// clears, or that the kernel faults in page by page.
func (e *Engine) spareChunk(c uint32) {
	if ch := e.transfers[c]; ch != nil && len(e.spareChunks) < spareChunksMax {
		e.spareChunks = append(e.spareChunks, ch)
	}
	e.transfers[c] = nil
}

// newChunk returns an empty chunk: a spare one, cleared, or a new one.
func (e *Engine) newChunk() []transferRecord {
	n := len(e.spareChunks)
	if n == 0 {
		return make([]transferRecord, 1<<e.chunkShift)
	}
	ch := e.spareChunks[n-1]
	e.spareChunks[n-1] = nil
	e.spareChunks = e.spareChunks[:n-1]
	clear(ch)
	return ch
}

func (e *Engine) appendTransfer(rec transferRecord) uint32 {
	idx := e.transferCount
	c := int(idx >> e.chunkShift)
	for len(e.transfers) <= c {
		e.transfers = append(e.transfers, nil)
	}
	if e.transfers[c] == nil {
		e.transfers[c] = e.newChunk()
	}
	*e.transfer(idx) = rec
	e.transferCount++
	e.transferIndex.put(rec.ID, idx)
	if e.chainOpen {
		e.undo = append(e.undo, undoEntry{kind: undoTransferCreated, index: idx})
	} else if e.external {
		e.filter.add(rec.ID)
	}
	return idx
}

// touch asks for the cache lines that creating t will read and write, a
// few transfers before it is created: its id's in the filter and in the
// index, and its pending transfer's in the index.
func (e *Engine) touch(t *Transfer) {
	h := idHash(t.ID)
	if e.external {
		e.filter.touch(h)
		e.failedFilter.touch(h)
	}
	e.transferIndex.touch(h)
	if t.PendingID != (ID{}) {
		e.transferIndex.touch(idHash(t.PendingID))
	}
}

// commitChain ends a chain that succeeded: its transfers join the id
// filter (those of a chain that failed never do, so the filter is the
// same on every node that applied the same journal).
func (e *Engine) commitChain() {
	if e.external {
		for i := range e.undo {
			if u := &e.undo[i]; u.kind == undoTransferCreated {
				e.filter.add(e.transfer(u.index).ID)
			}
		}
	}
	e.chainOpen = false
	e.undo = e.undo[:0]
}

// closed notes that the pending transfer at index i was posted, voided or
// expired: once parked, it is now ready to move to History.
func (e *Engine) closed(i uint32) {
	if i < e.hotFrom {
		e.parkedClosed = append(e.parkedClosed, i)
	}
}

// find returns the transfer with id as the event at ts sees it: from
// memory, or else from History when the id filter may have seen the id
// and the stored record is older than ts (after a restart History may
// hold records of entries that replay is about to apply). A record read
// from History is a copy; only open pending transfers are changed in
// place, and they are always in memory.
func (e *Engine) find(id ID, ts uint64) *transferRecord {
	// The filter holds every id, the recent ones too (but those of the
	// chain being applied): a new id, the common case, costs a filter
	// probe and no map lookup.
	if e.external && !e.chainOpen && !e.filter.mayHave(id) {
		return nil
	}
	if i, ok := e.transferIndex.get(id); ok {
		return e.transfer(i)
	}
	if e.history == nil || (e.chainOpen && !e.filter.mayHave(id)) {
		return nil
	}
	h, ok, err := e.history.Transfer(id)
	if err != nil {
		// The state cannot be decided without it: stop rather than
		// answer differently from replay (a restart recovers).
		panic(fmt.Sprintf("ledger: read transfer %s from history: %v", id, err))
	}
	if !ok || h.Timestamp >= ts {
		return nil
	}
	return &transferRecord{Transfer: h.Transfer, state: h.State}
}

type undoKind uint8

const (
	undoAccountCreated undoKind = iota
	undoAccountChanged
	undoTransferCreated
	undoPendingState
)

type undoEntry struct {
	kind          undoKind
	history       bool
	totalsCreated bool
	state         PendingState
	index         uint32
	account       Account
}

// rollback undoes a failed chain's steps in reverse order.
func (e *Engine) rollback() {
	for k := len(e.undo) - 1; k >= 0; k-- {
		u := &e.undo[k]
		switch u.kind {
		case undoAccountCreated:
			a := e.accounts[u.index]
			delete(e.accountIndex, a.ID)
			e.accounts = e.accounts[:u.index]
			delete(e.histories, u.index)
			if u.totalsCreated {
				delete(e.totals, a.Currency)
			}
		case undoAccountChanged:
			cur := e.accounts[u.index]
			tot := e.totals[cur.Currency]
			tot.DebitsPending = tot.DebitsPending.MustSub(cur.DebitsPending).MustAdd(u.account.DebitsPending)
			tot.DebitsPosted = tot.DebitsPosted.MustSub(cur.DebitsPosted).MustAdd(u.account.DebitsPosted)
			tot.CreditsPending = tot.CreditsPending.MustSub(cur.CreditsPending).MustAdd(u.account.CreditsPending)
			tot.CreditsPosted = tot.CreditsPosted.MustSub(cur.CreditsPosted).MustAdd(u.account.CreditsPosted)
			e.accounts[u.index] = u.account
			if u.history {
				h := e.histories[u.index]
				e.histories[u.index] = h[:len(h)-1]
			}
		case undoTransferCreated:
			r := e.transfer(u.index)
			e.transferIndex.del(r.ID)
			if r.state == PendingOpen {
				e.openPending--
			}
			*r = transferRecord{}
			e.transferCount--
		case undoPendingState:
			e.transfer(u.index).state = u.state
			e.openPending++
		}
	}
	e.undo = e.undo[:0]
	e.chainOpen = false
}

// LookupAccount returns the account with the given id.
func (e *Engine) LookupAccount(id ID) (Account, bool) {
	i, ok := e.accountIndex[id]
	if !ok {
		return Account{}, false
	}
	return e.accounts[i], true
}

// LookupTransfer returns the transfer with the given id and, for a pending
// transfer, where it stands.
//
// A transfer moved to History is read from it; a History that fails to
// read makes it panic, as a batch would.
func (e *Engine) LookupTransfer(id ID) (Transfer, PendingState, bool) {
	r := e.find(id, math.MaxUint64)
	if r == nil {
		return Transfer{}, PendingNone, false
	}
	return r.Transfer, r.state, true
}

// AccountBalances returns up to limit balances of an account with
// AccountHistory, oldest first, starting after the given timestamp.
func (e *Engine) AccountBalances(id ID, afterTimestamp uint64, limit int) ([]Balance, bool) {
	i, ok := e.accountIndex[id]
	if !ok {
		return nil, false
	}
	limit = max(limit, 0)
	h := e.histories[i]
	var out []Balance
	if e.history != nil && e.accounts[i].Flags&AccountHistory != 0 {
		// The older part is in History, the newer in memory; while a
		// move is under way both hold the moved part, so History is read
		// only up to the first balance in memory.
		before := uint64(math.MaxUint64)
		if len(h) > 0 {
			before = h[0].Timestamp
		}
		var err error
		if out, err = e.history.Balances(id, afterTimestamp, before, limit); err != nil {
			panic(fmt.Sprintf("ledger: read the balances of %s from history: %v", id, err))
		}
		limit -= len(out)
	}
	// Binary search: timestamps in a history only grow.
	lo, hi := 0, len(h)
	for lo < hi {
		m := (lo + hi) / 2
		if h[m].Timestamp <= afterTimestamp {
			lo = m + 1
		} else {
			hi = m
		}
	}
	h = h[lo:]
	h = h[:min(len(h), limit)]
	return append(out, h...), true
}

// AccountBalanceBefore returns the account's latest balance with a
// timestamp before before, from memory or from History: one search
// whatever the account's history (found is false when it has none then).
// ok is false for an unknown account.
func (e *Engine) AccountBalanceBefore(id ID, before uint64) (b Balance, found, ok bool) {
	i, ok := e.accountIndex[id]
	if !ok {
		return Balance{}, false, false
	}
	h := e.histories[i]
	// Binary search: timestamps in a history only grow.
	j, _ := slices.BinarySearchFunc(h, before, func(b Balance, t uint64) int { return cmp.Compare(b.Timestamp, t) })
	if j > 0 {
		return h[j-1], true, true
	}
	if e.history == nil || e.accounts[i].Flags&AccountHistory == 0 {
		return Balance{}, false, true
	}
	// Nothing in memory is older: what is, is in History (while a move is
	// under way both hold the moved part, which is the same).
	b, found, err := e.history.BalanceBefore(id, before)
	if err != nil {
		panic(fmt.Sprintf("ledger: read the balances of %s from history: %v", id, err))
	}
	return b, found, true
}

// Accounts calls fn for each account in order of creation, from the index
// start, until fn returns false. It is for listings and verification.
func (e *Engine) Accounts(start int, fn func(int, *Account) bool) {
	for i := start; i < len(e.accounts); i++ {
		if !fn(i, &e.accounts[i]) {
			return
		}
	}
}

// Totals returns the per-currency sums of all balances as the engine keeps
// them incrementally.
func (e *Engine) Totals() map[money.Code]Totals {
	out := make(map[money.Code]Totals, len(e.totals))
	for c, t := range e.totals {
		out[c] = *t
	}
	return out
}

// Verify recomputes the per-currency totals from every account and checks
// double entry and that they agree with the incremental totals; it also
// checks that the open pending amounts add up to the pending balances.
// It costs a pass over the whole state: for tests, start-up and `astara
// verify`, not for every batch.
func (e *Engine) Verify() error {
	sums := make(map[money.Code]*Totals)
	var ok bool
	for i := range e.accounts {
		a := &e.accounts[i]
		t := sums[a.Currency]
		if t == nil {
			t = &Totals{}
			sums[a.Currency] = t
		}
		if t.DebitsPending, ok = t.DebitsPending.Add(a.DebitsPending); !ok {
			return fmt.Errorf("ledger: %s debits pending overflow", a.Currency)
		}
		if t.DebitsPosted, ok = t.DebitsPosted.Add(a.DebitsPosted); !ok {
			return fmt.Errorf("ledger: %s debits posted overflow", a.Currency)
		}
		if t.CreditsPending, ok = t.CreditsPending.Add(a.CreditsPending); !ok {
			return fmt.Errorf("ledger: %s credits pending overflow", a.Currency)
		}
		if t.CreditsPosted, ok = t.CreditsPosted.Add(a.CreditsPosted); !ok {
			return fmt.Errorf("ledger: %s credits posted overflow", a.Currency)
		}
	}
	for c, t := range sums {
		if !t.Balanced() {
			return fmt.Errorf("ledger: double entry broken for %s: debits pending %s, credits pending %s, debits posted %s, credits posted %s",
				c, t.DebitsPending, t.CreditsPending, t.DebitsPosted, t.CreditsPosted)
		}
		if inc := e.totals[c]; inc == nil || *inc != *t {
			return fmt.Errorf("ledger: incremental totals for %s disagree with the accounts", c)
		}
	}
	// Debits and credits pending are checked apart: summed together, an
	// account's reservations could be on the wrong side and still add up.
	// Add, not MustAdd: Verify runs on restored state that may be corrupt.
	debitsPending := make(map[ID]money.Amount)
	creditsPending := make(map[ID]money.Amount)
	open := 0
	for i := range e.hotTransfers() {
		r := e.transfer(i)
		if r.state != PendingOpen {
			continue
		}
		open++
		var ok1, ok2 bool
		debitsPending[r.DebitAccountID], ok1 = debitsPending[r.DebitAccountID].Add(r.Amount)
		creditsPending[r.CreditAccountID], ok2 = creditsPending[r.CreditAccountID].Add(r.Amount)
		if !ok1 || !ok2 {
			return fmt.Errorf("ledger: open pending transfers of %s or %s overflow", r.DebitAccountID, r.CreditAccountID)
		}
	}
	if open != e.openPending {
		return fmt.Errorf("ledger: %d open pending transfers, counted %d", open, e.openPending)
	}
	for i := range e.accounts {
		a := &e.accounts[i]
		if a.DebitsPending != debitsPending[a.ID] || a.CreditsPending != creditsPending[a.ID] {
			return fmt.Errorf("ledger: account %s pending balances (debits %s, credits %s) disagree with its open pending transfers (debits %s, credits %s)",
				a.ID, a.DebitsPending, a.CreditsPending, debitsPending[a.ID], creditsPending[a.ID])
		}
	}
	return nil
}

type expiry struct {
	at    uint64
	index uint32
}

// expiryHeap orders pending transfers by expiry time, then by index so
// that the order is deterministic.
type expiryHeap []expiry

func (h expiryHeap) Len() int { return len(h) }
func (h expiryHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].index < h[j].index)
}
func (h expiryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)   { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// expiriesSlack is how many entries of transfers no longer open the
// expiry queue may hold beyond as many as are open before they are
// dropped.
const expiriesSlack = 4096

// compactExpiries drops the entries of pending transfers posted or voided
// since they were queued: otherwise they stay until their timeout, and
// the queue grows with the traffic of a whole timeout. Only between
// batches (an undone chain may reopen a transfer). The order the queue
// gives is that of its live entries alone (at, then index), whatever its
// shape, so dropping the others changes no answer.
func (e *Engine) compactExpiries() {
	live := e.expiries[:0]
	for _, x := range e.expiries {
		if e.expiryLive(x) {
			live = append(live, x)
		}
	}
	clear(e.expiries[len(live):])
	e.expiries = slices.Clip(live)
	if cap(e.expiries) > 2*len(live)+expiriesSlack {
		e.expiries = slices.Clone(e.expiries)
	}
	heap.Init(&e.expiries)
}

// ExpiriesQueued returns the length of the expiry queue, stale entries
// included: for tests and metrics.
func (e *Engine) ExpiriesQueued() int { return len(e.expiries) }

// PeekExpiry returns the earliest expiry in the queue without removing
// stale entries: it may name a transfer that was posted or voided since,
// in which case the pulse it causes expires nothing. Unlike NextExpiry it
// does not change the engine, so readers may call it.
func (e *Engine) PeekExpiry() (uint64, bool) {
	if len(e.expiries) == 0 {
		return 0, false
	}
	return e.expiries[0].at, true
}

// hotTransfers yields the indexes of the transfers in memory, in order:
// the parked ones, then the recent ones.
func (e *Engine) hotTransfers() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		parked := make([]uint32, 0, len(e.parked))
		for i := range e.parked {
			parked = append(parked, i)
		}
		slices.Sort(parked)
		for _, i := range parked {
			if !yield(i) {
				return
			}
		}
		for i := e.hotFrom; i < e.transferCount; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// SetHistory attaches the History that keeps what the engine moves out of
// memory (see History). It is called once, before the engine applies
// anything more: on a new engine, or on one restored from a snapshot,
// whose history may already be in h. From then on snapshots leave the
// moved history out, and the caller moves it with MoveHistory.
//
// An engine whose history was in memory starts its id filter here, with
// the scheme h keeps (StartIDFilterScheme); a restored one goes on with
// its snapshot's. It fails only when h cannot be read.
func (e *Engine) SetHistory(h History) error {
	if e.history != nil {
		panic("ledger: SetHistory called twice")
	}
	if !e.external {
		scheme, _, err := idFilterSchemeOf(h)
		if err != nil {
			return err
		}
		// Everything is still in memory: every id joins the filter, in
		// the order it would have had if the history had been external
		// from the start.
		e.filter = idFilter{scheme: scheme}
		e.external = true
		for i := range e.hotTransfers() {
			e.filter.add(e.transfer(i).ID)
		}
		e.adoptFailed()
	}
	e.history = h
	return nil
}

// HistoryExternal reports whether the engine's history is kept in a
// History: set with SetHistory, or restored from a snapshot that left it
// out (which needs SetHistory before anything is applied).
func (e *Engine) HistoryExternal() bool { return e.external }

// HistoryAttached reports whether SetHistory was called.
func (e *Engine) HistoryAttached() bool { return e.history != nil }

// HistoryDue reports whether MoveHistory would move something out of
// memory: more than Options.HotTransfers recent transfers, or as many
// parked ones closed, or as many failed ids.
func (e *Engine) HistoryDue() bool {
	return e.history != nil && (e.transferCount-e.hotFrom >= e.hotMax+1<<e.chunkShift || len(e.parkedClosed) >= int(e.hotMax) || len(e.failed) >= int(e.hotMax))
}

// HistoryMove is what PrepareHistory copied out of memory for History:
// Write stores it, from any goroutine, and DropHistory then drops it from
// memory. Batches may be applied between PrepareHistory and DropHistory.
type HistoryMove struct {
	from, upto    uint32   // the recent transfers moved: [from, upto)
	openAtPrepare []uint32 // open pending among them, which stay, parked
	parkedClosed  int      // how many of parkedClosed were looked at
	parkedMoved   []uint32 // the parked ones moved
	balanceCounts []accountCount
	transfers     []HistoryTransfer
	balances      []AccountBalance
	failed        []ID     // the failed ids moved, every one in memory when prepared
	failedRecords []Record // and their records, when copied
	at            uint64   // the engine's last timestamp when prepared
	prepared      bool
	written       bool
}

type accountCount struct {
	index uint32
	n     int
}

// Transfers returns how many transfers the move holds.
func (m *HistoryMove) Transfers() int { return len(m.transfers) }

// Balances returns how many balances the move holds.
func (m *HistoryMove) Balances() int { return len(m.balances) }

// PrepareHistory copies what can leave memory: all of it when all is set
// (before a snapshot, which leaves it out), or else the closed transfers
// of the oldest chunks beyond Options.HotTransfers, with every balance
// history entry and every parked transfer closed since the last move. It
// changes nothing; it must not run while a batch is applied, nor while
// another move is prepared and not dropped.
func (e *Engine) PrepareHistory(all bool) *HistoryMove { return e.prepareHistory(all, true) }

// prepareHistory is PrepareHistory; without copy the move holds what to
// drop and nothing to write, for a History that holds it already.
func (e *Engine) prepareHistory(all, copy bool) *HistoryMove {
	m := &HistoryMove{from: e.hotFrom, upto: e.hotFrom, at: e.lastTimestamp}
	if e.history == nil || e.chainOpen {
		return m
	}
	m.prepared = true
	m.upto = e.transferCount
	if !all {
		m.upto = 0
		if e.transferCount > e.hotMax {
			m.upto = (e.transferCount - e.hotMax) >> e.chunkShift << e.chunkShift
		}
		m.upto = max(m.upto, e.hotFrom)
	}
	m.parkedClosed = len(e.parkedClosed)
	if copy {
		// Sized once: a move is tens of thousands of transfers.
		m.transfers = make([]HistoryTransfer, 0, len(e.parkedClosed)+int(m.upto-m.from))
		n := 0
		for _, h := range e.histories {
			n += len(h)
		}
		m.balances = make([]AccountBalance, 0, n)
	}
	m.balanceCounts = make([]accountCount, 0, len(e.histories))
	seen := make(map[uint32]bool, len(e.parkedClosed))
	for _, i := range e.parkedClosed {
		if r := e.parked[i]; r != nil && r.state != PendingOpen && !seen[i] {
			seen[i] = true
			m.parkedMoved = append(m.parkedMoved, i)
			if copy {
				m.transfers = append(m.transfers, HistoryTransfer{Transfer: r.Transfer, State: r.state})
			}
		}
	}
	for i := m.from; i < m.upto; i++ {
		r := e.transfer(i)
		if r.state == PendingOpen {
			m.openAtPrepare = append(m.openAtPrepare, i)
			continue
		}
		if copy {
			m.transfers = append(m.transfers, HistoryTransfer{Transfer: r.Transfer, State: r.state})
		}
	}
	// Every failed id goes, in the order of their ids; each record is
	// versioned by the moment it failed, so that a replay of that moment
	// does not see it.
	m.failed = sortedFailed(e.failed)
	if copy {
		m.failedRecords = make([]Record, len(m.failed))
		for i, id := range m.failed {
			f := e.failed[id]
			m.failedRecords[i] = Record{Key: failedKey(id), Version: f.at, Value: []byte{byte(f.result)}}
		}
	}
	for i, h := range e.histories {
		for j := 0; copy && j < len(h); j++ {
			b := h[j]
			var index uint32
			if j > 0 && h[j-1].Timestamp == b.Timestamp {
				index = m.balances[len(m.balances)-1].Index + 1
			}
			m.balances = append(m.balances, AccountBalance{Account: e.accounts[i].ID, Index: index, Balance: b})
		}
		m.balanceCounts = append(m.balanceCounts, accountCount{index: i, n: len(h)})
	}
	return m
}

// Write stores the move in h. It reads only the move's own copies.
func (m *HistoryMove) Write(h History) error {
	if !m.prepared {
		return nil
	}
	if len(m.transfers) > 0 || len(m.balances) > 0 {
		if err := h.Write(m.transfers, m.balances); err != nil {
			return err
		}
	}
	if len(m.failedRecords) > 0 {
		if err := h.WriteRecords(m.failedRecords); err != nil {
			return err
		}
	}
	m.written = true
	return nil
}

// WriteMarked stores the move in h as Write does and then marks h as
// holding everything due to move as of the move's entry (see
// HistoryMovedThrough): a live node's moves, which a recovery need not
// write again.
func (m *HistoryMove) WriteMarked(h History) error {
	if err := m.Write(h); err != nil || !m.prepared {
		return err
	}
	return h.WriteRecords([]Record{{Key: []byte(historyMovedKey), Version: m.at}})
}

// prepareStored prepares a move of what the History holds already (a
// recovery's, up to HistoryMovedThrough): nothing is copied, and the move
// is ready for DropHistory.
func (e *Engine) prepareStored() *HistoryMove {
	m := e.prepareHistory(false, false)
	m.written = m.prepared
	return m
}

// DropHistory drops from memory what the move wrote. Open pending
// transfers stay in memory, parked, until they close, and so do those
// that closed after PrepareHistory (the next move takes them).
func (e *Engine) DropHistory(m *HistoryMove) {
	if e.history == nil || !m.written {
		return
	}
	for _, i := range m.parkedMoved {
		// Closed when prepared, so closed for good: a closed transfer
		// reopens only when its own chain fails, inside one batch.
		if r := e.parked[i]; r != nil {
			e.transferIndex.del(r.ID)
			delete(e.parked, i)
		}
	}
	e.parkedClosed = slices.Delete(e.parkedClosed, 0, m.parkedClosed)
	for _, id := range m.failed {
		delete(e.failed, id)
	}
	open := m.openAtPrepare
	for i := m.from; i < m.upto; i++ {
		if i+touchAhead < m.upto {
			if r := e.transfer(i + touchAhead); r != nil {
				e.transferIndex.touch(idHash(r.ID))
			}
		}
		r := e.transfer(i)
		wasOpen := len(open) > 0 && open[0] == i
		if wasOpen {
			open = open[1:]
		}
		if !wasOpen && r.state != PendingOpen {
			e.transferIndex.del(r.ID)
			continue
		}
		p := new(transferRecord)
		*p = *r
		e.parked[i] = p
		if p.state != PendingOpen {
			// Closed since it was prepared: not written yet.
			e.parkedClosed = append(e.parkedClosed, i)
		}
	}
	first := m.from >> e.chunkShift
	e.hotFrom = m.upto
	for c := first; c < uint32(len(e.transfers)) && (c+1)<<e.chunkShift <= m.upto; c++ {
		e.spareChunk(c)
	}
	if m.upto == e.transferCount && int(m.upto>>e.chunkShift) < len(e.transfers) {
		// The chunk being filled, all of it moved or parked:
		// appendTransfer makes a new one.
		e.spareChunk(m.upto >> e.chunkShift)
	}
	for _, c := range m.balanceCounts {
		h := e.histories[c.index]
		if len(h) <= c.n {
			delete(e.histories, c.index)
		} else {
			e.histories[c.index] = slices.Clone(h[c.n:])
		}
	}
}

// MoveHistory prepares, writes and drops in one step, for a caller that
// holds the engine alone (replay, tests).
func (e *Engine) MoveHistory(all bool) (*HistoryMove, error) {
	m := e.PrepareHistory(all)
	if err := m.Write(e.history); err != nil {
		return m, err
	}
	e.DropHistory(m)
	return m, nil
}

// History returns the History attached with SetHistory, nil if none.
func (e *Engine) History() History { return e.history }
