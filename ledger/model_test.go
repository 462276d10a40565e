package ledger_test

import (
	"cmp"
	"slices"

	"astara/ledger"
	"astara/money"
)

// model is a reference implementation of the ledger's documented
// semantics, written for obviousness rather than speed: maps keyed by id,
// every rule spelled out in the order result.go lists the results, and a
// chain rolled back by restoring saved copies. It shares no code with the
// engine; only the money package's checked arithmetic.
//
// Semantics it encodes (TigerBeetle's, as the package documents them):
//   - event i of a batch at ts gets timestamp ts+i; the next batch must be
//     later than the last event;
//   - before a batch's first event, every open pending transfer whose
//     timeout has passed (expiry <= the batch timestamp) is released, in
//     order of expiry, then of creation;
//   - linked events form a chain that succeeds or fails as one; the first
//     failure is reported on its event, the others of the chain answer
//     linked_event_failed; a linked last event answers
//     linked_event_chain_open (and so fails its chain); exists is not a
//     failure;
//   - a transfer's debit account's debits (pending and posted) must fit
//     128 bits, and so must the credit account's credits, and so must the
//     sum of the currency's debits over all accounts (the engine keeps that
//     total; exceeding it answers overflows_debits);
//   - limits count pending amounts against posted ones.
type model struct {
	openPendingMax int

	accounts     map[ledger.ID]*modelAccount
	accountOrder []ledger.ID

	transfers     map[ledger.ID]*modelTransfer
	transferOrder []ledger.ID
	open          map[ledger.ID]bool // the ids of the open pending transfers
	failed        map[ledger.ID]bool // the ids that failed transiently

	lastTimestamp uint64

	// save is non-nil inside a chain: the state of every account and
	// transfer before the chain first touched it (nil if it did not
	// exist).
	save *modelSavepoint
}

type modelAccount struct {
	ledger.Account
	history []ledger.Balance
}

type modelTransfer struct {
	ledger.Transfer
	state     ledger.PendingState
	expiresAt uint64 // 0: no timeout
	seq       int    // creation order
}

type modelSavepoint struct {
	accounts      map[ledger.ID]*modelAccount
	transfers     map[ledger.ID]*modelTransfer
	accountCount  int
	transferCount int
}

func newModel(openPendingMax int) *model {
	if openPendingMax <= 0 {
		openPendingMax = ledger.OpenPendingTransfersMaxDefault
	}
	return &model{
		openPendingMax: openPendingMax,
		accounts:       make(map[ledger.ID]*modelAccount),
		transfers:      make(map[ledger.ID]*modelTransfer),
		open:           make(map[ledger.ID]bool),
		failed:         make(map[ledger.ID]bool),
	}
}

func currencyKnown(c money.Code) bool {
	_, ok := money.LookupCurrency(c)
	return ok
}

// touchAccount saves an account before a chain changes it.
func (m *model) touchAccount(id ledger.ID) {
	if m.save == nil {
		return
	}
	if _, saved := m.save.accounts[id]; saved {
		return
	}
	a, ok := m.accounts[id]
	if !ok {
		m.save.accounts[id] = nil
		return
	}
	c := *a
	c.history = slices.Clone(a.history)
	m.save.accounts[id] = &c
}

// touchTransfer saves a transfer before a chain changes or creates it.
func (m *model) touchTransfer(id ledger.ID) {
	if m.save == nil {
		return
	}
	if _, saved := m.save.transfers[id]; saved {
		return
	}
	t, ok := m.transfers[id]
	if !ok {
		m.save.transfers[id] = nil
		return
	}
	c := *t
	m.save.transfers[id] = &c
}

func (m *model) beginChain() {
	m.save = &modelSavepoint{
		accounts:      make(map[ledger.ID]*modelAccount),
		transfers:     make(map[ledger.ID]*modelTransfer),
		accountCount:  len(m.accountOrder),
		transferCount: len(m.transferOrder),
	}
}

func (m *model) commitChain() { m.save = nil }

func (m *model) rollbackChain() {
	s := m.save
	m.save = nil
	for id, a := range s.accounts {
		if a == nil {
			delete(m.accounts, id)
		} else {
			m.accounts[id] = a
		}
	}
	for id, t := range s.transfers {
		if t == nil {
			delete(m.transfers, id)
		} else {
			m.transfers[id] = t
		}
		m.setOpen(id)
	}
	m.accountOrder = m.accountOrder[:s.accountCount]
	m.transferOrder = m.transferOrder[:s.transferCount]
}

// setOpen keeps the set of open pending transfers in step with a
// transfer's state.
func (m *model) setOpen(id ledger.ID) {
	if t, ok := m.transfers[id]; ok && t.state == ledger.PendingOpen {
		m.open[id] = true
	} else {
		delete(m.open, id)
	}
}

// openPending counts the open pending transfers.
func (m *model) openPending() int { return len(m.open) }

// nextExpiry is the earliest expiry of an open pending transfer.
func (m *model) nextExpiry() (uint64, bool) {
	var at uint64
	found := false
	for id := range m.open {
		t := m.transfers[id]
		if t.expiresAt != 0 && (!found || t.expiresAt < at) {
			at, found = t.expiresAt, true
		}
	}
	return at, found
}

func (m *model) record(a *modelAccount, transferID ledger.ID, ts uint64) {
	if a.Flags&ledger.AccountHistory == 0 {
		return
	}
	a.history = append(a.history, ledger.Balance{
		TransferID:     transferID,
		Timestamp:      ts,
		DebitsPending:  a.DebitsPending,
		DebitsPosted:   a.DebitsPosted,
		CreditsPending: a.CreditsPending,
		CreditsPosted:  a.CreditsPosted,
	})
}

func (m *model) expire(ts uint64) {
	var due []*modelTransfer
	for id := range m.open {
		if t := m.transfers[id]; t.expiresAt != 0 && t.expiresAt <= ts {
			due = append(due, t)
		}
	}
	slices.SortFunc(due, func(a, b *modelTransfer) int {
		return cmp.Or(cmp.Compare(a.expiresAt, b.expiresAt), cmp.Compare(a.seq, b.seq))
	})
	for _, t := range due {
		dr, cr := m.accounts[t.DebitAccountID], m.accounts[t.CreditAccountID]
		dr.DebitsPending = dr.DebitsPending.MustSub(t.Amount)
		cr.CreditsPending = cr.CreditsPending.MustSub(t.Amount)
		m.record(dr, t.ID, ts)
		m.record(cr, t.ID, ts)
		t.state = ledger.PendingExpired
		m.setOpen(t.ID)
	}
}

func (m *model) checkBatch(ts uint64) {
	if ts <= m.lastTimestamp {
		panic("model: batch timestamp does not follow")
	}
}

func (m *model) endBatch(ts uint64, n int) {
	m.lastTimestamp = ts + uint64(max(n, 1)) - 1
}

// pulse is a batch of no events.
func (m *model) pulse(ts uint64) {
	m.checkBatch(ts)
	m.expire(ts)
	m.endBatch(ts, 0)
}

func (m *model) createAccounts(ts uint64, accounts []ledger.Account) []ledger.Result {
	m.checkBatch(ts)
	m.expire(ts)
	res := m.chains(len(accounts),
		func(i int) bool { return accounts[i].Flags&ledger.AccountLinked != 0 },
		func(i int) ledger.Result { return m.createAccount(accounts[i], ts+uint64(i)) })
	m.endBatch(ts, len(accounts))
	return res
}

func (m *model) createTransfers(ts uint64, transfers []ledger.Transfer) []ledger.Result {
	m.checkBatch(ts)
	m.expire(ts)
	res := m.chains(len(transfers),
		func(i int) bool { return transfers[i].Flags&ledger.TransferLinked != 0 },
		func(i int) ledger.Result {
			// A client's id that failed for a reason of the moment keeps
			// its outcome: id_already_failed from then on.
			if m.failed[transfers[i].ID] {
				return ledger.ResultIDAlreadyFailed
			}
			r := m.createTransfer(transfers[i], ts+uint64(i))
			if r.Transient() {
				m.failed[transfers[i].ID] = true
			}
			return r
		})
	m.endBatch(ts, len(transfers))
	return res
}

// chains applies n events with the linked-chain rule.
func (m *model) chains(n int, linked func(int) bool, apply func(int) ledger.Result) []ledger.Result {
	res := make([]ledger.Result, n)
	inChain, broken := false, false
	chainStart := 0
	for i := 0; i < n; i++ {
		l := linked(i)
		if l && !inChain {
			inChain, broken, chainStart = true, false, i
			m.beginChain()
		}
		var r ledger.Result
		switch {
		case l && i == n-1:
			r = ledger.ResultLinkedEventChainOpen
		case inChain && broken:
			r = ledger.ResultLinkedEventFailed
		default:
			r = apply(i)
		}
		res[i] = r
		if inChain && r != ledger.ResultOK && r != ledger.ResultExists && !broken {
			broken = true
			m.rollbackChain()
			for j := chainStart; j < i; j++ {
				res[j] = ledger.ResultLinkedEventFailed
			}
		}
		if inChain && !l {
			if !broken {
				m.commitChain()
			}
			inChain = false
		}
	}
	return res
}

func (m *model) createAccount(a ledger.Account, ts uint64) ledger.Result {
	known := ledger.AccountDebitsMustNotExceedCredits | ledger.AccountCreditsMustNotExceedDebits | ledger.AccountHistory | ledger.AccountLinked
	both := ledger.AccountDebitsMustNotExceedCredits | ledger.AccountCreditsMustNotExceedDebits
	switch {
	case a.Timestamp != 0:
		return ledger.ResultTimestampMustBeZero
	case a.Flags&^known != 0:
		return ledger.ResultFlagsUnknown
	case a.ID == ledger.ID{}:
		return ledger.ResultIDMustNotBeZero
	case a.ID == idMax:
		return ledger.ResultIDMustNotBeMax
	case a.Flags&both == both:
		return ledger.ResultFlagsAreMutuallyExclusive
	case !currencyKnown(a.Currency):
		return ledger.ResultCurrencyUnknown
	case a.Code == 0:
		return ledger.ResultCodeMustNotBeZero
	case !a.DebitsPending.IsZero() || !a.DebitsPosted.IsZero() || !a.CreditsPending.IsZero() || !a.CreditsPosted.IsZero():
		return ledger.ResultBalancesMustBeZero
	}
	flags := a.Flags &^ ledger.AccountLinked
	if x, ok := m.accounts[a.ID]; ok {
		switch {
		case x.Flags != flags:
			return ledger.ResultExistsWithDifferentFlags
		case x.Currency != a.Currency:
			return ledger.ResultExistsWithDifferentCurrency
		case x.Code != a.Code:
			return ledger.ResultExistsWithDifferentCode
		}
		return ledger.ResultExists
	}
	m.touchAccount(a.ID)
	a.Flags = flags
	a.Timestamp = ts
	m.accounts[a.ID] = &modelAccount{Account: a}
	m.accountOrder = append(m.accountOrder, a.ID)
	return ledger.ResultOK
}

// currencyDebits is the sum of a currency's debits over all accounts; it
// reports false if the sum plus extra does not fit 128 bits.
func (m *model) currencyDebitsFit(c money.Code, extra money.Amount) bool {
	sum := extra
	var ok bool
	for _, a := range m.accounts {
		if a.Currency != c {
			continue
		}
		if sum, ok = money.Sum(sum, a.DebitsPending, a.DebitsPosted); !ok {
			return false
		}
	}
	return true
}

func fits(amounts ...money.Amount) bool {
	_, ok := money.Sum(amounts...)
	return ok
}

func (m *model) createTransfer(t ledger.Transfer, ts uint64) ledger.Result {
	known := ledger.TransferLinked | ledger.TransferPending | ledger.TransferPostPending | ledger.TransferVoidPending
	kinds := 0
	for _, f := range []ledger.TransferFlags{ledger.TransferPending, ledger.TransferPostPending, ledger.TransferVoidPending} {
		if t.Flags&f != 0 {
			kinds++
		}
	}
	switch {
	case t.Timestamp != 0:
		return ledger.ResultTimestampMustBeZero
	case t.Flags&^known != 0:
		return ledger.ResultFlagsUnknown
	case t.ID == ledger.ID{}:
		return ledger.ResultIDMustNotBeZero
	case t.ID == idMax:
		return ledger.ResultIDMustNotBeMax
	case kinds > 1:
		return ledger.ResultFlagsAreMutuallyExclusive
	}
	if t.Flags&(ledger.TransferPostPending|ledger.TransferVoidPending) != 0 {
		return m.postOrVoid(t, ts)
	}
	pending := t.Flags&ledger.TransferPending != 0
	switch {
	case t.DebitAccountID == ledger.ID{}:
		return ledger.ResultDebitAccountIDMustNotBeZero
	case t.DebitAccountID == idMax:
		return ledger.ResultDebitAccountIDMustNotBeMax
	case t.CreditAccountID == ledger.ID{}:
		return ledger.ResultCreditAccountIDMustNotBeZero
	case t.CreditAccountID == idMax:
		return ledger.ResultCreditAccountIDMustNotBeMax
	case t.DebitAccountID == t.CreditAccountID:
		return ledger.ResultAccountsMustBeDifferent
	case t.PendingID != ledger.ID{}:
		return ledger.ResultPendingIDMustBeZero
	case t.TimeoutSeconds != 0 && !pending:
		return ledger.ResultTimeoutReservedForPendingTransfer
	case t.Amount.IsZero():
		return ledger.ResultAmountMustNotBeZero
	case !currencyKnown(t.Currency):
		return ledger.ResultCurrencyUnknown
	case t.Code == 0:
		return ledger.ResultCodeMustNotBeZero
	}
	dr, ok := m.accounts[t.DebitAccountID]
	if !ok {
		return ledger.ResultDebitAccountNotFound
	}
	cr, ok := m.accounts[t.CreditAccountID]
	if !ok {
		return ledger.ResultCreditAccountNotFound
	}
	if dr.Currency != cr.Currency {
		return ledger.ResultAccountsMustHaveTheSameCurrency
	}
	if t.Currency != dr.Currency {
		return ledger.ResultTransferMustHaveTheSameCurrencyAsAccounts
	}
	if x, ok := m.transfers[t.ID]; ok {
		return existsResult(t, x.Transfer)
	}
	if pending {
		if !fits(dr.DebitsPending, t.Amount) {
			return ledger.ResultOverflowsDebitsPending
		}
		if !fits(cr.CreditsPending, t.Amount) {
			return ledger.ResultOverflowsCreditsPending
		}
	} else {
		if !fits(dr.DebitsPosted, t.Amount) {
			return ledger.ResultOverflowsDebitsPosted
		}
		if !fits(cr.CreditsPosted, t.Amount) {
			return ledger.ResultOverflowsCreditsPosted
		}
	}
	if !fits(dr.DebitsPending, dr.DebitsPosted, t.Amount) {
		return ledger.ResultOverflowsDebits
	}
	if !fits(cr.CreditsPending, cr.CreditsPosted, t.Amount) {
		return ledger.ResultOverflowsCredits
	}
	if !m.currencyDebitsFit(t.Currency, t.Amount) {
		return ledger.ResultOverflowsDebits
	}
	var expiresAt uint64
	if pending && t.TimeoutSeconds != 0 {
		if t.TimeoutSeconds > ledger.TimeoutSecondsMax {
			return ledger.ResultOverflowsTimeout
		}
		timeout := uint64(t.TimeoutSeconds) * 1_000_000_000
		if ts > ^uint64(0)-timeout {
			return ledger.ResultOverflowsTimeout
		}
		expiresAt = ts + timeout
	}
	if dr.Flags&ledger.AccountDebitsMustNotExceedCredits != 0 {
		debits, _ := money.Sum(dr.DebitsPending, dr.DebitsPosted, t.Amount)
		if dr.CreditsPosted.Less(debits) {
			return ledger.ResultExceedsCredits
		}
	}
	if cr.Flags&ledger.AccountCreditsMustNotExceedDebits != 0 {
		credits, _ := money.Sum(cr.CreditsPending, cr.CreditsPosted, t.Amount)
		if cr.DebitsPosted.Less(credits) {
			return ledger.ResultExceedsDebits
		}
	}
	if pending && m.openPending() >= m.openPendingMax {
		return ledger.ResultOpenPendingTransfersMax
	}

	m.touchAccount(dr.ID)
	m.touchAccount(cr.ID)
	m.touchTransfer(t.ID)
	if pending {
		dr.DebitsPending = dr.DebitsPending.MustAdd(t.Amount)
		cr.CreditsPending = cr.CreditsPending.MustAdd(t.Amount)
	} else {
		dr.DebitsPosted = dr.DebitsPosted.MustAdd(t.Amount)
		cr.CreditsPosted = cr.CreditsPosted.MustAdd(t.Amount)
	}
	m.record(dr, t.ID, ts)
	m.record(cr, t.ID, ts)
	t.Timestamp = ts
	x := &modelTransfer{Transfer: t, expiresAt: expiresAt, seq: len(m.transferOrder)}
	if pending {
		x.state = ledger.PendingOpen
	}
	m.transfers[t.ID] = x
	m.transferOrder = append(m.transferOrder, t.ID)
	m.setOpen(t.ID)
	return ledger.ResultOK
}

func (m *model) postOrVoid(t ledger.Transfer, ts uint64) ledger.Result {
	post := t.Flags&ledger.TransferPostPending != 0
	switch {
	case t.PendingID == ledger.ID{}:
		return ledger.ResultPendingIDMustNotBeZero
	case t.PendingID == idMax:
		return ledger.ResultPendingIDMustNotBeMax
	case t.PendingID == t.ID:
		return ledger.ResultPendingIDMustBeDifferent
	case t.TimeoutSeconds != 0:
		return ledger.ResultTimeoutReservedForPendingTransfer
	}
	p, ok := m.transfers[t.PendingID]
	if !ok {
		return ledger.ResultPendingTransferNotFound
	}
	if p.Flags&ledger.TransferPending == 0 {
		return ledger.ResultPendingTransferNotPending
	}
	switch {
	case t.DebitAccountID != ledger.ID{} && t.DebitAccountID != p.DebitAccountID:
		return ledger.ResultPendingTransferHasDifferentDebitAccountID
	case t.CreditAccountID != ledger.ID{} && t.CreditAccountID != p.CreditAccountID:
		return ledger.ResultPendingTransferHasDifferentCreditAccountID
	case t.Currency != money.Code{} && t.Currency != p.Currency:
		return ledger.ResultPendingTransferHasDifferentCurrency
	case t.Code != 0 && t.Code != p.Code:
		return ledger.ResultPendingTransferHasDifferentCode
	}
	amount := p.Amount
	if !t.Amount.IsZero() {
		amount = t.Amount
	}
	switch {
	case post && p.Amount.Less(amount):
		return ledger.ResultExceedsPendingTransferAmount
	case !post && amount != p.Amount:
		return ledger.ResultPendingTransferHasDifferentAmount
	}
	// The transfer as it is stored: the pending transfer's fields filled in.
	t.DebitAccountID, t.CreditAccountID = p.DebitAccountID, p.CreditAccountID
	t.Currency, t.Code, t.Amount = p.Currency, p.Code, amount
	if x, ok := m.transfers[t.ID]; ok {
		return existsResult(t, x.Transfer)
	}
	switch p.state {
	case ledger.PendingPosted:
		return ledger.ResultPendingTransferAlreadyPosted
	case ledger.PendingVoided:
		return ledger.ResultPendingTransferAlreadyVoided
	case ledger.PendingExpired:
		return ledger.ResultPendingTransferExpired
	}
	if p.state != ledger.PendingOpen {
		panic("model: pending transfer in state " + p.state.String())
	}
	dr, cr := m.accounts[p.DebitAccountID], m.accounts[p.CreditAccountID]
	m.touchAccount(dr.ID)
	m.touchAccount(cr.ID)
	m.touchTransfer(p.ID)
	m.touchTransfer(t.ID)
	dr.DebitsPending = dr.DebitsPending.MustSub(p.Amount)
	cr.CreditsPending = cr.CreditsPending.MustSub(p.Amount)
	if post {
		// Cannot overflow: the pending amount fitted next to the posted one.
		dr.DebitsPosted = dr.DebitsPosted.MustAdd(amount)
		cr.CreditsPosted = cr.CreditsPosted.MustAdd(amount)
		p.state = ledger.PendingPosted
	} else {
		p.state = ledger.PendingVoided
	}
	m.setOpen(p.ID)
	m.record(dr, t.ID, ts)
	m.record(cr, t.ID, ts)
	t.Timestamp = ts
	m.transfers[t.ID] = &modelTransfer{Transfer: t, seq: len(m.transferOrder)}
	m.transferOrder = append(m.transferOrder, t.ID)
	return ledger.ResultOK
}

// existsResult compares a retried transfer with the stored one, field by
// field in the order of the results.
func existsResult(t, x ledger.Transfer) ledger.Result {
	switch {
	case t.Flags != x.Flags:
		return ledger.ResultExistsWithDifferentFlags
	case t.DebitAccountID != x.DebitAccountID:
		return ledger.ResultExistsWithDifferentDebitAccountID
	case t.CreditAccountID != x.CreditAccountID:
		return ledger.ResultExistsWithDifferentCreditAccountID
	case t.Amount != x.Amount:
		return ledger.ResultExistsWithDifferentAmount
	case t.PendingID != x.PendingID:
		return ledger.ResultExistsWithDifferentPendingID
	case t.TimeoutSeconds != x.TimeoutSeconds:
		return ledger.ResultExistsWithDifferentTimeout
	case t.Currency != x.Currency:
		return ledger.ResultExistsWithDifferentCurrency
	case t.Code != x.Code:
		return ledger.ResultExistsWithDifferentCode
	}
	return ledger.ResultExists
}

// totals sums the model's balances per currency, for every currency that
// has an account.
func (m *model) totals() map[money.Code]ledger.Totals {
	out := make(map[money.Code]ledger.Totals)
	for _, a := range m.accounts {
		t := out[a.Currency]
		t.DebitsPending = t.DebitsPending.MustAdd(a.DebitsPending)
		t.DebitsPosted = t.DebitsPosted.MustAdd(a.DebitsPosted)
		t.CreditsPending = t.CreditsPending.MustAdd(a.CreditsPending)
		t.CreditsPosted = t.CreditsPosted.MustAdd(a.CreditsPosted)
		out[a.Currency] = t
	}
	return out
}
