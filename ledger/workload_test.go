package ledger_test

import (
	"astara/ledger"
	"astara/money"
)

// source is where a workload takes its decisions: a seeded math/rand/v2
// generator in the simulation, the fuzzer's bytes in FuzzEngine.
type source interface {
	IntN(n int) int
	Uint64() uint64
}

// byteSource reads decisions from a fuzz input; once it runs out it
// answers zeros, so every input is a finite program.
type byteSource struct{ b []byte }

func (s *byteSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	x := s.b[0]
	s.b = s.b[1:]
	return x
}

func (s *byteSource) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	v := uint64(0)
	for span := uint64(n - 1); span > 0; span >>= 8 {
		v = v<<8 | uint64(s.byte())
	}
	return int(v % uint64(n))
}

func (s *byteSource) Uint64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return v
}

func (s *byteSource) exhausted() bool { return len(s.b) == 0 }

// batchKind says which engine call a batch is.
type batchKind uint8

const (
	batchAccounts batchKind = iota
	batchTransfers
	batchPulse
)

// batch is one call on the engine, with its timestamp.
type batch struct {
	kind      batchKind
	ts        uint64
	accounts  []ledger.Account
	transfers []ledger.Transfer
}

func (b *batch) len() int { return max(len(b.accounts), len(b.transfers)) }

// apply applies the batch to an engine and returns its results.
func (b *batch) apply(e *ledger.Engine) []ledger.Result {
	switch b.kind {
	case batchAccounts:
		res := make([]ledger.Result, len(b.accounts))
		e.CreateAccounts(b.ts, b.accounts, res)
		return res
	case batchTransfers:
		res := make([]ledger.Result, len(b.transfers))
		e.CreateClientTransfers(b.ts, b.transfers, res)
		return res
	}
	e.Pulse(b.ts)
	return nil
}

// applyModel applies the batch to the model and returns its results.
func (b *batch) applyModel(m *model) []ledger.Result {
	switch b.kind {
	case batchAccounts:
		return m.createAccounts(b.ts, b.accounts)
	case batchTransfers:
		return m.createTransfers(b.ts, b.transfers)
	}
	m.pulse(b.ts)
	return nil
}

// workload makes random batches: mostly valid transfers between accounts
// of one currency, with chains, pending transfers and their posts, voids
// and partial posts, timeouts that expire as the clock jumps, retries with
// the same and with different fields, invalid fields, unknown accounts,
// limit-flagged accounts and a few amounts near 2^128. It reads the model
// (never the engine) to aim posts at pending transfers and transfers at
// existing accounts; it iterates slices only, so that a seed always gives
// the same batches.
type workload struct {
	r   source
	m   *model
	now uint64

	nextID     uint64
	accountIDs []ledger.ID
	submitted  []ledger.Transfer // a ring of proposed transfers, for retries
	pendingIDs []ledger.ID       // the ids of proposed pending transfers

	eventsMax int
}

const workloadSubmittedMax = 512

func newWorkload(r source, m *model) *workload {
	return &workload{r: r, m: m, now: t0, eventsMax: 40}
}

func (w *workload) chance(percent int) bool { return w.r.IntN(100) < percent }

func pick[T any](w *workload, xs []T) T { return xs[w.r.IntN(len(xs))] }

// newID returns an id never proposed before; some have high bits set.
func (w *workload) newID() ledger.ID {
	w.nextID++
	id := ledger.IDFromUint64(w.nextID)
	if w.chance(10) {
		hi := ledger.IDFromUint64(w.r.Uint64() | 1)
		copy(id[:8], hi[8:])
	}
	return id
}

// next returns the next batch.
func (w *workload) next() batch {
	w.now = max(w.now, w.m.lastTimestamp+1)
	switch roll := w.r.IntN(100); {
	case roll < 80:
		w.now += 1 + uint64(w.r.IntN(1000))
	case roll < 95:
		w.now += uint64(w.r.IntN(3_000_000_000))
	default:
		w.now += uint64(w.r.IntN(6_000_000_000))
	}
	b := batch{ts: w.now}
	switch {
	case len(w.m.accountOrder) < 6 || w.chance(8):
		b.kind = batchAccounts
		b.accounts = w.accounts(1 + w.r.IntN(6))
	case w.chance(4):
		b.kind = batchPulse
	default:
		b.kind = batchTransfers
		n := 1 + w.r.IntN(w.eventsMax)
		for len(b.transfers) < n {
			b.transfers = append(b.transfers, w.transfers(b.transfers)...)
		}
	}
	w.now += uint64(b.len())
	return b
}

var workloadCurrencies = []money.Code{rub, irr, usd}

func (w *workload) accounts(n int) []ledger.Account {
	out := make([]ledger.Account, 0, n)
	for range n {
		var a ledger.Account
		if len(w.m.accountOrder) > 0 && w.chance(15) {
			x := w.m.accounts[pick(w, w.m.accountOrder)]
			a = ledger.Account{ID: x.ID, Currency: x.Currency, Code: x.Code, Flags: x.Flags}
			switch w.r.IntN(6) {
			case 0:
				a.Flags ^= ledger.AccountHistory
			case 1:
				a.Currency = pick(w, workloadCurrencies)
			case 2:
				a.Code++
			}
		} else {
			a = ledger.Account{ID: w.newID(), Currency: pick(w, workloadCurrencies), Code: uint16(1 + w.r.IntN(3))}
			switch roll := w.r.IntN(100); {
			case roll < 50:
			case roll < 65:
				a.Flags = ledger.AccountDebitsMustNotExceedCredits
			case roll < 77:
				a.Flags = ledger.AccountCreditsMustNotExceedDebits
			case roll < 90:
				a.Flags = ledger.AccountHistory
			case roll < 95:
				a.Flags = ledger.AccountHistory | ledger.AccountDebitsMustNotExceedCredits
			case roll < 98:
				a.Flags = ledger.AccountDebitsMustNotExceedCredits | ledger.AccountCreditsMustNotExceedDebits
			default:
				a.Flags = 1 << 9
			}
		}
		switch w.r.IntN(100) {
		case 0:
			a.Timestamp = 1
		case 1:
			a.CreditsPosted = amt(1)
		case 2:
			a.ID = ledger.ID{}
		case 3:
			a.ID = idMax
		case 4:
			a.Currency = qqq
		case 5:
			a.Code = 0
		}
		if w.chance(15) {
			a.Flags |= ledger.AccountLinked
		}
		w.accountIDs = append(w.accountIDs, a.ID)
		out = append(out, a)
	}
	return out
}

// pair returns two existing accounts of the same currency when it can.
func (w *workload) pair() (dr, cr *modelAccount) {
	dr = w.m.accounts[pick(w, w.m.accountOrder)]
	for range 8 {
		cr = w.m.accounts[pick(w, w.m.accountOrder)]
		if cr.ID != dr.ID && cr.Currency == dr.Currency {
			return dr, cr
		}
	}
	return dr, cr
}

// amount is mostly small; in USD a few are near 2^128.
func (w *workload) amount(c money.Code) money.Amount {
	if c == usd && w.chance(5) {
		switch w.r.IntN(5) {
		case 0:
			return amountMax
		case 1:
			return amountSub(amountMax, amt(uint64(w.r.IntN(1000))))
		case 2:
			return amountHalf.MustAdd(amt(uint64(w.r.IntN(1000))))
		case 3:
			return amountSub(amountHalf, amt(uint64(1+w.r.IntN(1000))))
		default:
			return money.AmountFromParts(w.r.Uint64(), w.r.Uint64()|1)
		}
	}
	return amt(1 + uint64(w.r.IntN(1000)))
}

func (w *workload) regular() ledger.Transfer {
	dr, cr := w.pair()
	return ledger.Transfer{
		ID:              w.newID(),
		DebitAccountID:  dr.ID,
		CreditAccountID: cr.ID,
		Amount:          w.amount(dr.Currency),
		Currency:        dr.Currency,
		Code:            uint16(1 + w.r.IntN(2)),
	}
}

func (w *workload) pending() ledger.Transfer {
	t := w.regular()
	t.Flags = ledger.TransferPending
	switch roll := w.r.IntN(100); {
	case roll < 50:
	case roll < 95:
		t.TimeoutSeconds = uint32(1 + w.r.IntN(4))
	case roll < 98:
		t.TimeoutSeconds = ledger.TimeoutSecondsMax
	default:
		t.TimeoutSeconds = ledger.TimeoutSecondsMax + 1
	}
	w.pendingIDs = append(w.pendingIDs, t.ID)
	return t
}

// pendingTarget picks a pending transfer to post or void, preferring open
// ones; it may be nil (not created).
func (w *workload) pendingTarget() (ledger.ID, *modelTransfer) {
	if len(w.pendingIDs) == 0 {
		return w.newID(), nil
	}
	var id ledger.ID
	for range 4 {
		id = pick(w, w.pendingIDs)
		if p, ok := w.m.transfers[id]; ok && p.state == ledger.PendingOpen {
			return id, p
		}
	}
	return id, w.m.transfers[id]
}

func (w *workload) postOrVoid(post bool) ledger.Transfer {
	pid, p := w.pendingTarget()
	t := ledger.Transfer{ID: w.newID(), PendingID: pid, Flags: ledger.TransferVoidPending}
	if post {
		t.Flags = ledger.TransferPostPending
	}
	if p != nil {
		roll := w.r.IntN(100)
		switch {
		case roll < 40:
		case roll < 65 && post:
			hi, lo := p.Amount.Parts()
			if hi == 0 {
				t.Amount = amt(1 + w.r.Uint64()%lo)
			} else {
				t.Amount = money.AmountFromParts(w.r.Uint64()%hi, w.r.Uint64())
			}
		case roll < 80:
			t.Amount = p.Amount
		case roll < 90:
			t.Amount, _ = p.Amount.Add(amt(1))
		default:
			t.Amount = amt(1 + uint64(w.r.IntN(100)))
		}
		if w.chance(30) {
			t.DebitAccountID, t.CreditAccountID, t.Currency, t.Code = p.DebitAccountID, p.CreditAccountID, p.Currency, p.Code
		}
		switch w.r.IntN(40) {
		case 0:
			t.DebitAccountID = p.CreditAccountID
		case 1:
			t.CreditAccountID = p.DebitAccountID
		case 2:
			t.Currency = pick(w, workloadCurrencies)
		case 3:
			t.Code = p.Code + 1
		}
	}
	switch w.r.IntN(60) {
	case 0:
		t.PendingID = ledger.ID{}
	case 1:
		t.PendingID = idMax
	case 2:
		t.PendingID = t.ID
	case 3:
		t.TimeoutSeconds = 1
	case 4:
		if len(w.submitted) > 0 {
			t.PendingID = pick(w, w.submitted).ID // often not pending
		}
	case 5:
		t.Flags |= ledger.TransferPending
	}
	return t
}

// retry proposes a transfer again, as it was or with one field changed.
func (w *workload) retry() ledger.Transfer {
	if len(w.submitted) == 0 {
		return w.regular()
	}
	t := pick(w, w.submitted)
	if w.chance(60) {
		return t
	}
	switch w.r.IntN(9) {
	case 0:
		t.Flags ^= ledger.TransferLinked
	case 1:
		t.Flags ^= ledger.TransferPending
	case 2:
		t.DebitAccountID = pick(w, w.m.accountOrder)
	case 3:
		t.CreditAccountID = pick(w, w.m.accountOrder)
	case 4:
		t.Amount, _ = t.Amount.Add(amt(1))
	case 5:
		if len(w.pendingIDs) > 0 {
			t.PendingID = pick(w, w.pendingIDs)
		}
	case 6:
		t.TimeoutSeconds++
	case 7:
		t.Currency = pick(w, workloadCurrencies)
	case 8:
		t.Code++
	}
	return t
}

// invalid is a regular transfer with one field that breaks a rule.
func (w *workload) invalid() ledger.Transfer {
	t := w.regular()
	switch w.r.IntN(19) {
	case 0:
		t.Timestamp = 1
	case 1:
		t.Flags = 1 << 7
	case 2:
		t.ID = ledger.ID{}
	case 3:
		t.ID = idMax
	case 4:
		t.Flags = ledger.TransferPending | ledger.TransferPostPending
	case 5:
		t.DebitAccountID = ledger.ID{}
	case 6:
		t.DebitAccountID = idMax
	case 7:
		t.CreditAccountID = ledger.ID{}
	case 8:
		t.CreditAccountID = idMax
	case 9:
		t.CreditAccountID = t.DebitAccountID
	case 10:
		t.PendingID = w.newID()
	case 11:
		t.TimeoutSeconds = 1
	case 12:
		t.Amount = money.Amount{}
	case 13:
		t.Code = 0
	case 14:
		t.Currency = qqq
	case 15:
		t.DebitAccountID = w.newID()
	case 16:
		t.CreditAccountID = w.newID()
	case 17:
		t.CreditAccountID = pick(w, w.m.accountOrder) // maybe another currency
	case 18:
		t.Currency = pick(w, workloadCurrencies)
	}
	return t
}

// transfers returns one or a few events to append to a batch so far.
func (w *workload) transfers(soFar []ledger.Transfer) []ledger.Transfer {
	var out []ledger.Transfer
	switch roll := w.r.IntN(100); {
	case roll < 32:
		out = append(out, w.regular())
	case roll < 47:
		out = append(out, w.pending())
	case roll < 59:
		out = append(out, w.postOrVoid(true))
	case roll < 67:
		out = append(out, w.postOrVoid(false))
	case roll < 77:
		out = append(out, w.retry())
	case roll < 88:
		out = append(out, w.invalid())
	case roll < 93 && len(soFar) > 0:
		// The same id again inside the batch.
		t := pick(w, soFar)
		if w.chance(50) {
			t.Amount, _ = t.Amount.Add(amt(1))
		}
		out = append(out, t)
	default:
		// A chain that reserves, then posts or voids inside itself, then
		// does something that may fail.
		p := w.pending()
		p.Flags |= ledger.TransferLinked
		pv := ledger.Transfer{ID: w.newID(), PendingID: p.ID, Flags: ledger.TransferPostPending | ledger.TransferLinked}
		if w.chance(30) {
			pv.Flags = ledger.TransferVoidPending | ledger.TransferLinked
		} else if w.chance(40) {
			pv.Amount = amt(1)
		}
		last := w.regular()
		if w.chance(50) {
			last = w.invalid()
		}
		out = append(out, p, pv, last)
	}
	for i := range out {
		if w.chance(15) {
			out[i].Flags |= ledger.TransferLinked
		}
		w.submitted = append(w.submitted, out[i])
	}
	if len(w.submitted) > workloadSubmittedMax {
		w.submitted = append(w.submitted[:0], w.submitted[len(w.submitted)-workloadSubmittedMax/2:]...)
	}
	return out
}
