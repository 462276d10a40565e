package payments

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"astara/fx"
	"astara/ledger"
	"astara/money"
)

// The journal operations of the payments layer. Ledger operations keep
// their own numbers (1-15); these are part of the journal format: never
// renumber them.
const (
	OpCreateParticipant   ledger.Op = 16
	OpAddKey              ledger.Op = 17
	OpRevokeKey           ledger.Op = 18
	OpSetRates            ledger.Op = 19
	OpPutCorridor         ledger.Op = 20
	OpCreateQuote         ledger.Op = 21
	OpCreatePayment       ledger.Op = 22
	OpAcceptPayment       ledger.Op = 23
	OpRejectPayment       ledger.Op = 24
	OpReturnPayment       ledger.Op = 25
	OpRescheduleDeadlines ledger.Op = 26
	OpCloseWindow         ledger.Op = 27
	OpSettleWindow        ledger.Op = 28
	OpPutList             ledger.Op = 29
	OpDecideReview        ledger.Op = 30
	OpReportMilestone     ledger.Op = 31
	// Credentials (credentials.go): client certificates, signing keys and
	// whether a participant must sign.
	OpAddCertificate     ledger.Op = 32
	OpRevokeCertificate  ledger.Op = 33
	OpAddSigningKey      ledger.Op = 34
	OpRevokeSigningKey   ledger.Op = 35
	OpSetSignaturePolicy ledger.Op = 36
	OpRecordAction       ledger.Op = 37
)

// OpSpan is how many engine timestamps a payments operation may use (its
// ledger accounts and transfers): the pipeline spaces entries by it.
const OpSpan = 4096

// Machine is the payments state machine: participants, keys, rates,
// corridors, quotes and payments, over the ledger engine whose accounts and
// transfers carry the money. Like the engine it applies journal entries in
// order, deterministically, with no I/O: everything a command needs that
// is not in the state (ids, key hashes, value dates) is decided before it
// is journaled and travels in the command.
type Machine struct {
	Ledger *ledger.Engine
	rp     *ledger.Replayer

	participants map[string]*Participant
	keys         map[string]*APIKey
	book         *fx.Book
	corridors    map[string]*Corridor
	quotes       map[ledger.ID]*Quote
	payments     map[ledger.ID]*Payment
	order        []ledger.ID // payments in order of creation
	idem         map[string]idemEntry
	daily        map[string]money.Amount
	expiries     paymentHeap
	expiriesNext int // the queue's length that makes compactExpiries drop stale entries

	// Settlement windows: every window by id, in the order opened, the open
	// one per currency, and the last sequence number per currency.
	windows     map[string]*Window
	windowOrder []string
	openWindows map[money.Code]string
	windowSeq   map[money.Code]int

	// Screening: every version of every list by name (oldest first), the
	// audit log of screening decisions, and the held payments in the
	// order they were held.
	lists map[string][]*ScreeningList
	audit []AuditRecord
	held  []ledger.ID
	// entrySeq is the journal sequence of the entry being applied, for
	// the audit log.
	entrySeq uint64

	// Trade: the shipments trade payments wait on, by reference.
	shipments map[string]*Shipment

	// Credentials: client certificates by fingerprint, and signing keys by
	// participant and key id.
	certificates map[string]*Certificate
	signingKeys  map[string]map[string]*SigningKey

	// quoteOrder and idemOrder hold the quotes and the idempotency keys in
	// the order they were made, for pruning; dailyPrunedDay is the last day
	// old daily sums were dropped.
	quoteOrder     []ledger.ID
	idemOrder      []string
	dailyPrunedDay string

	// Payments out of memory (history.go): how many payments to keep
	// recent, how many of the oldest have their place in the History, the
	// older ones still in memory, and the counts of the moved ones.
	hot           int
	orderBase     int
	strays        map[ledger.ID]struct{}
	moved         map[Status]int
	movedBreached int
	// unindexed is how many of the oldest payments moved without an
	// index of their postings, known from a snapshot of a version without
	// it (movedState.PostingIndex); writeUnindexed, until the History has
	// it (the u record).
	unindexed      int
	writeUnindexed bool
	// touched are the older payments the entry being applied looked at,
	// faulted the records of those it brought back, and sweep is set by
	// a restore (history.go).
	touched []ledger.ID
	faulted map[ledger.ID][]byte
	sweep   bool
	// movedIDs filters the UETRs of the moved payments. Deferred (on a
	// Service), the records settle makes wait in pending for TakeRecords,
	// and the latest of each stays readable in pendPay and pendOrder
	// until written.
	movedIDs  ledger.IDFilter
	quotesOut []ledger.ID // quotes used or expired in the entry: they leave at its end
	idemOut   []idemMove  // idempotency keys answered in the entry
	pendQuote map[ledger.ID]*Quote
	pendIdem  map[string]*idemEntry
	deferred  bool
	pending   []pendingRecord
	pendPay   map[ledger.ID]*Payment
	pendOrder map[int]ledger.ID
	// seq is the journal sequence of the entry being applied.
	seq uint64
	// queryChanged are the payments changed since the last TakeQuery;
	// nil unless TrackQuery was called (query.go).
	queryChanged map[ledger.ID]struct{}

	ts      uint64 // the last engine timestamp used
	batchTS uint64 // the timestamp of the last ledger batch the machine applied: the engine has expired what was due by it
}

// APIKey is a participant's key: its id is public, its secret is kept only
// as a SHA-256 hash.
type APIKey struct {
	ID          string    `json:"id"`
	Participant string    `json:"participant"`
	Hash        [32]byte  `json:"hash"`
	CreatedAt   time.Time `json:"created_at"`
	Revoked     bool      `json:"revoked"`
}

type idemEntry struct {
	BodyHash [32]byte  `json:"body_hash"`
	UETR     ledger.ID `json:"uetr"`
	Refusal  *Refusal  `json:"refusal,omitempty"`
	At       time.Time `json:"at"`
}

// How long the machine keeps what it no longer needs, so that its state
// stays bounded by the traffic of the last days rather than growing
// without end.
const (
	// QuoteRetention is how long a quote is kept after it expires; a
	// payment on a quote older than that answers quote_not_found rather
	// than quote_expired.
	QuoteRetention = 24 * time.Hour
	// IdempotencyRetention is how long a CreatePayment's Idempotency-Key is
	// remembered. A retry after that would need its quote, which expired
	// long before (a quote lives at most a day).
	IdempotencyRetention = 7 * 24 * time.Hour
	// DailyRetentionDays is how many days of per-debtor daily sums are
	// kept besides today's (time zones put debtors' days up to a day apart).
	DailyRetentionDays = 2
)

// prune drops the quotes and idempotency keys past their retention and
// the daily sums of days gone. It runs at the start of the commands that
// add to them, at the command's moment, so that replay prunes exactly as
// the first run did.
func (m *Machine) prune(now time.Time) {
	moving := m.history() != nil
	for len(m.quoteOrder) > 0 {
		id := m.quoteOrder[0]
		q, ok := m.quotes[id]
		if moving {
			// On a History an expired quote leaves memory at the end of
			// the entry (settle), and its retention is checked where it
			// is read back.
			if ok && now.Before(q.ExpiresAt) {
				break
			}
			if ok {
				m.quotesOut = append(m.quotesOut, id)
			}
			m.quoteOrder = m.quoteOrder[1:]
			continue
		}
		if ok && now.Sub(q.ExpiresAt) <= QuoteRetention {
			break
		}
		delete(m.quotes, id)
		m.quoteOrder = m.quoteOrder[1:]
	}
	for len(m.idemOrder) > 0 {
		e, ok := m.idem[m.idemOrder[0]]
		if ok && now.Sub(e.At) <= IdempotencyRetention {
			break
		}
		delete(m.idem, m.idemOrder[0])
		m.idemOrder = m.idemOrder[1:]
	}
	today := now.Format(time.DateOnly)
	if today == m.dailyPrunedDay {
		return
	}
	oldest := now.AddDate(0, 0, -DailyRetentionDays).Format(time.DateOnly)
	for k := range m.daily {
		// The key is sender, account, day, currency, separated by NULs.
		parts := strings.Split(k, "\x00")
		if len(parts) == 4 && parts[2] < oldest {
			delete(m.daily, k)
		}
	}
	m.dailyPrunedDay = today
}

// NewMachine returns an empty machine.
func NewMachine(opts ledger.Options) *Machine {
	e := ledger.New(opts)
	hot := opts.HotRecords
	if hot <= 0 {
		hot = HotPaymentsDefault
	}
	return &Machine{
		hot:          hot,
		moved:        map[Status]int{},
		strays:       map[ledger.ID]struct{}{},
		faulted:      map[ledger.ID][]byte{},
		pendPay:      map[ledger.ID]*Payment{},
		pendOrder:    map[int]ledger.ID{},
		pendQuote:    map[ledger.ID]*Quote{},
		pendIdem:     map[string]*idemEntry{},
		Ledger:       e,
		rp:           &ledger.Replayer{Engine: e},
		participants: map[string]*Participant{},
		keys:         map[string]*APIKey{},
		book:         fx.NewBook(),
		corridors:    map[string]*Corridor{},
		quotes:       map[ledger.ID]*Quote{},
		payments:     map[ledger.ID]*Payment{},
		idem:         map[string]idemEntry{},
		daily:        map[string]money.Amount{},
		windows:      map[string]*Window{},
		openWindows:  map[money.Code]string{},
		windowSeq:    map[money.Code]int{},
		lists:        map[string][]*ScreeningList{},
		shipments:    map[string]*Shipment{},
		certificates: map[string]*Certificate{},
		signingKeys:  map[string]map[string]*SigningKey{},
	}
}

// LastTimestamp implements ledger.Machine.
func (m *Machine) LastTimestamp() uint64 { return m.Ledger.LastTimestamp() }

// NextExpiry implements ledger.Machine.
func (m *Machine) NextExpiry() (uint64, bool) { return m.Ledger.PeekExpiry() }

// Span implements ledger.Machine: the timestamps an operation may use.
func (m *Machine) Span(op ledger.Op, events int) int {
	if op >= OpCreateParticipant {
		return OpSpan
	}
	return max(events, 1)
}

// Apply implements ledger.Machine. Ledger operations go to the engine;
// payments operations decode their command and run it. The reply of a
// payments operation is the command's result or a *Refusal.
func (m *Machine) Apply(e ledger.Entry, decoded any) (any, error) {
	m.seq = e.Seq
	if e.Op < OpCreateParticipant {
		results, err := m.rp.ApplyDecoded(e, decoded)
		if err != nil {
			return nil, err
		}
		// The engine expired pending transfers at the entry's timestamp,
		// before its batch: exactly those are due here.
		m.expirePayments(e.Timestamp)
		m.settle()
		m.compactExpiries()
		return results, nil
	}
	if e.Timestamp <= m.Ledger.LastTimestamp() {
		return nil, fmt.Errorf("%w: entry %d timestamp %d does not follow %d", ledger.ErrCorruptPayload, e.Seq, e.Timestamp, m.Ledger.LastTimestamp())
	}
	// Expire first, at the entry's moment, exactly as a ledger batch does.
	m.Ledger.Pulse(e.Timestamp)
	m.ts = e.Timestamp
	m.expirePayments(e.Timestamp)
	cmd := decoded
	if cmd == nil {
		var err error
		if cmd, err = decodeCommand(e.Op, e.Payload); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ledger.ErrCorruptPayload, e.Seq, err)
		}
	}
	now := time.Unix(0, int64(e.Timestamp)).UTC()
	m.entrySeq = e.Seq
	var reply any
	switch c := cmd.(type) {
	case *CreateParticipant:
		reply = m.createParticipant(c, now)
	case *AddKey:
		reply = m.addKey(c, now)
	case *RevokeKey:
		reply = m.revokeKey(c)
	case *SetRates:
		reply = m.setRates(c)
	case *PutCorridor:
		reply = m.putCorridor(c, now)
	case *CreateQuote:
		reply = m.createQuote(c, now)
	case *CreatePayment:
		reply = m.createPayment(c, now)
	case *AcceptPayment:
		reply = m.acceptPayment(c, now)
	case *RejectPayment:
		reply = m.rejectPayment(c, now)
	case *ReturnPayment:
		reply = m.returnPayment(c, now)
	case *CloseWindow:
		reply = m.closeWindow(c, now)
	case *SettleWindow:
		reply = m.settleWindow(c, now)
	case *PutList:
		reply = m.putList(c, now)
	case *DecideReview:
		reply = m.decideReview(c, now)
	case *ReportMilestone:
		reply = m.reportMilestone(c, now)
	case *RecordAction:
		reply = m.recordAction(c, now)
	case *AddCertificate:
		reply = m.addCertificate(c, now)
	case *RevokeCertificate:
		reply = m.revokeCertificate(c, now)
	case *AddSigningKey:
		reply = m.addSigningKey(c, now)
	case *RevokeSigningKey:
		reply = m.revokeSigningKey(c, now)
	case *SetSignaturePolicy:
		reply = m.setSignaturePolicy(c)
	case *RescheduleDeadlines:
		if len(c.Payments) > ReschedulePaymentsMax {
			reply = refuse(KindInvalid, "reschedule_too_large", "", "payments", "%d payments; at most %d a command", len(c.Payments), ReschedulePaymentsMax)
		} else {
			reply = m.reschedule(c, now)
		}
	default:
		return nil, fmt.Errorf("%w: entry %d: command %T for op %d", ledger.ErrCorruptPayload, e.Seq, cmd, e.Op)
	}
	m.auditCommand(e.Op, cmd, reply, now)
	// The command's own ledger batches come after the entry's moment and
	// may have expired reservations that were due by then.
	m.expirePayments(max(m.batchTS, e.Timestamp))
	reply = detach(reply)
	m.settle()
	m.compactExpiries()
	return reply, nil
}

// detach copies a reply that points into the state, so that the caller
// can read it after the next entry changes the state.
func detach(reply any) any {
	switch v := reply.(type) {
	case *Payment:
		cp := v.clone()
		return &cp
	case *Participant:
		cp := *v
		return &cp
	case *Quote:
		cp := *v
		return &cp
	case *APIKey:
		cp := *v
		return &cp
	case *Corridor:
		cp := *v
		cp.Changes = append([]CorridorChange(nil), v.Changes...)
		return &cp
	case *Window:
		cp := copyWindow(v)
		return &cp
	case *ScreeningList:
		cp := *v
		return &cp
	case *Certificate:
		cp := *v
		return &cp
	case *SigningKey:
		cp := *v
		return &cp
	}
	return reply
}

// LedgerEngine implements ledger.Machine.
func (m *Machine) LedgerEngine() *ledger.Engine { return m.Ledger }

// next returns the next free engine timestamp within the entry's span.
func (m *Machine) next(n int) uint64 {
	m.ts++
	t := m.ts
	m.ts += uint64(n)
	m.batchTS = t
	return t
}

func (m *Machine) createAccounts(accs []ledger.Account) []ledger.Result {
	res := make([]ledger.Result, len(accs))
	m.Ledger.CreateAccounts(m.next(len(accs)), accs, res)
	return res
}

func (m *Machine) createTransfers(ts []ledger.Transfer) []ledger.Result {
	res := make([]ledger.Result, len(ts))
	m.Ledger.CreateTransfers(m.next(len(ts)), ts, res)
	return res
}

// firstFailure returns the index and result of the first item of a failed
// chain that failed for its own reason.
func firstFailure(res []ledger.Result) (int, ledger.Result) {
	for i, r := range res {
		if r != ledger.ResultOK && r != ledger.ResultLinkedEventFailed {
			return i, r
		}
	}
	return -1, ledger.ResultOK
}

func (m *Machine) createParticipant(c *CreateParticipant, now time.Time) any {
	if _, ok := m.participants[c.ID]; ok || c.ID == SwitchID {
		return refuse(KindConflict, CodeParticipantExists, "", "id", "participant %s exists", c.ID)
	}
	if _, ok := m.keys[c.KeyID]; ok {
		return refuse(KindConflict, "key_exists", "", "key_id", "a key %s exists", c.KeyID)
	}
	p := &Participant{ID: c.ID, Name: c.Name, Country: c.Country, Currencies: c.Currencies,
		NetDebitCap: c.NetDebitCap, Roles: c.Roles, CreatedAt: now}
	var accs []ledger.Account
	var caps []ledger.Transfer
	for _, cur := range c.Currencies {
		accs = append(accs,
			ledger.Account{ID: AccountID(c.ID, cur, AccountPosition), Currency: cur, Code: AccountPosition,
				Flags: ledger.AccountDebitsMustNotExceedCredits | ledger.AccountHistory},
			ledger.Account{ID: AccountID(c.ID, cur, AccountSettlement), Currency: cur, Code: AccountSettlement},
			ledger.Account{ID: AccountID(c.ID, cur, AccountCap), Currency: cur, Code: AccountCap})
		if cap := c.NetDebitCap[cur]; !cap.IsZero() {
			caps = append(caps, ledger.Transfer{ID: derive("cap", c.ID, cur.String()),
				DebitAccountID: AccountID(c.ID, cur, AccountCap), CreditAccountID: AccountID(c.ID, cur, AccountPosition),
				Amount: cap, Currency: cur, Code: TransferCodeCap})
		}
	}
	for i, r := range m.createAccounts(accs) {
		if r != ledger.ResultOK {
			// Account ids derive from the participant's id, which is new:
			// the engine refusing them is a broken invariant.
			panic(fmt.Sprintf("payments: participant %s account %d: %s", c.ID, i, r))
		}
	}
	if len(caps) > 0 {
		for i, r := range m.createTransfers(caps) {
			if r != ledger.ResultOK {
				panic(fmt.Sprintf("payments: participant %s cap %d: %s", c.ID, i, r))
			}
		}
	}
	m.participants[c.ID] = p
	for _, cur := range c.Currencies {
		m.openWindow(cur, now)
	}
	m.keys[c.KeyID] = &APIKey{ID: c.KeyID, Participant: c.ID, Hash: c.KeyHash, CreatedAt: now}
	return p
}

func (m *Machine) addKey(c *AddKey, now time.Time) any {
	if _, ok := m.keys[c.KeyID]; ok {
		return refuse(KindConflict, "key_exists", "", "key_id", "a key %s exists", c.KeyID)
	}
	if _, ok := m.participants[c.Participant]; !ok {
		return refuse(KindNotFound, CodeParticipantNotFound, "", "id", "no participant %s", c.Participant)
	}
	k := &APIKey{ID: c.KeyID, Participant: c.Participant, Hash: c.KeyHash, CreatedAt: now}
	m.keys[c.KeyID] = k
	return k
}

func (m *Machine) revokeKey(c *RevokeKey) any {
	k, ok := m.keys[c.KeyID]
	if !ok || k.Participant != c.Participant {
		return refuse(KindNotFound, "key_not_found", "", "key_id", "participant %s has no key %s", c.Participant, c.KeyID)
	}
	k.Revoked = true
	return k
}

func (m *Machine) setRates(c *SetRates) any {
	// Validated before journaling; the book refusing one now is a
	// programming error, but it must not leave half the rates set: try
	// them on a scratch book first.
	scratch := fx.NewBook()
	for i, q := range c.Quotes {
		if err := scratch.Set(q); err != nil {
			return refuse(KindInvalid, "rate_invalid", "", fmt.Sprintf("rates[%d]", i), "%v", err)
		}
	}
	for i, q := range c.Quotes {
		if err := m.book.Set(q); err != nil {
			return refuse(KindInvalid, "rate_invalid", "", fmt.Sprintf("rates[%d]", i), "%v", err)
		}
	}
	return len(c.Quotes)
}

func (m *Machine) putCorridor(c *PutCorridor, now time.Time) any {
	cor := c.Corridor
	name := cor.Name()
	if old, ok := m.corridors[name]; ok {
		cor.Changes = append(append([]CorridorChange(nil), old.Changes...), CorridorChange{At: now, By: c.By, Fields: c.Fields})
	} else {
		cor.Changes = []CorridorChange{{At: now, By: c.By, Fields: c.Fields}}
	}
	// The switch's fee income account in the source currency.
	fee := ledger.Account{ID: AccountID(SwitchID, cor.Source, AccountFeeIncome), Currency: cor.Source, Code: AccountFeeIncome}
	if _, ok := m.Ledger.LookupAccount(fee.ID); !ok {
		m.createAccounts([]ledger.Account{fee})
	}
	m.corridors[name] = &cor
	return &cor
}

// Corridor returns a copy of the named corridor ("RUB-IRR").
func (m *Machine) Corridor(name string) (Corridor, bool) {
	c, ok := m.corridors[name]
	if !ok {
		return Corridor{}, false
	}
	return *c, true
}

// Corridors returns every corridor, by name.
func (m *Machine) Corridors() []Corridor {
	out := make([]Corridor, 0, len(m.corridors))
	for _, c := range m.corridors {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Participant returns a participant by id.
func (m *Machine) Participant(id string) (*Participant, bool) {
	p, ok := m.participants[id]
	return p, ok
}

// Participants returns every participant, by id.
func (m *Machine) Participants() []*Participant {
	out := make([]*Participant, 0, len(m.participants))
	for _, p := range m.participants {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Key returns an API key by id.
func (m *Machine) Key(id string) (APIKey, bool) {
	k, ok := m.keys[id]
	if !ok {
		return APIKey{}, false
	}
	return *k, true
}

// Rates returns the latest rates.
func (m *Machine) Rates() []fx.Quote { return m.book.List() }

// Quote returns a quote by id.
func (m *Machine) Quote(id ledger.ID) (Quote, bool) {
	q, ok := m.quotes[id]
	if !ok {
		if q, ok = m.movedQuote(id, math.MaxUint64, m.clock()); !ok {
			return Quote{}, false
		}
	}
	return *q, true
}

// clock is the moment of the last entry applied.
func (m *Machine) clock() time.Time { return time.Unix(0, int64(m.ts)).UTC() }

// Payment returns a copy of a payment by UETR.
func (m *Machine) Payment(uetr ledger.ID) (Payment, bool) {
	p, ok := m.payments[uetr]
	if !ok {
		if p, ok = m.movedPayment(uetr); !ok {
			return Payment{}, false
		}
	}
	return p.clone(), true
}

// Payments calls fn with the payments in order of creation from index
// start, until fn returns false.
func (m *Machine) Payments(start int, fn func(int, *Payment) bool) {
	for i := max(start, 0); i < m.PaymentsCount(); i++ {
		if !fn(i, m.paymentAt(i)) {
			return
		}
	}
}

// PaymentsCount returns the number of payments.
func (m *Machine) PaymentsCount() int { return m.orderBase + len(m.order) }

// Idempotent returns what an earlier CreatePayment with the same sender
// and key answered: the payment's UETR or its refusal, and whether the
// body was the same.
func (m *Machine) Idempotent(sender, key string, bodyHash [32]byte) (uetr ledger.ID, refusal *Refusal, sameBody, found bool) {
	e, ok := m.idempotency(sender+"\x00"+key, math.MaxUint64, m.clock())
	if !ok {
		return ledger.ID{}, nil, false, false
	}
	return e.UETR, e.Refusal, e.BodyHash == bodyHash, true
}

// IdempotentAt returns when the first CreatePayment with the sender's key
// was answered, so that a retry can be answered as of then.
func (m *Machine) IdempotentAt(sender, key string) (time.Time, bool) {
	e, ok := m.idempotency(sender+"\x00"+key, math.MaxUint64, m.clock())
	return e.At, ok
}

// Lookup finds the rate a corridor quotes at now.
func (m *Machine) lookupRate(c *Corridor, now time.Time) (fx.Quote, *Refusal) {
	q, err := m.book.Lookup(c.Source, c.Target, c.RateSource, now, c.RateMaxAge, c.AllowDerived, c.Via, money.RateScaleMax)
	if err != nil {
		return fx.Quote{}, refuse(KindRefused, CodeNoRate, "", "", "corridor %s has no usable %s rate: %v", c.Name(), c.RateSource, err)
	}
	return q, nil
}

func (m *Machine) createQuote(c *CreateQuote, now time.Time) any {
	m.prune(now)
	if _, ok := m.quote(c.ID, now); ok {
		return refuse(KindConflict, "quote_exists", "", "id", "a quote %s exists", c.ID)
	}
	name := c.Source.String() + "-" + c.Target.String()
	cor, ok := m.corridors[name]
	if !ok {
		return refuse(KindRefused, CodeCorridorNotFound, "", "target_currency", "no corridor %s", name)
	}
	sender, ok := m.participants[c.Sender]
	if !ok || !sender.HasCurrency(c.Source) {
		return refuse(KindRefused, CodeSenderNotAllowed, "", "source_currency", "%s does not hold %s", c.Sender, c.Source)
	}
	if len(cor.Senders) > 0 && !contains(cor.Senders, c.Sender) {
		return refuse(KindRefused, CodeSenderNotAllowed, "", "", "%s may not send on corridor %s", c.Sender, name)
	}
	receiver, ok := m.participants[c.Receiver]
	if !ok || !receiver.HasCurrency(c.Target) {
		return refuse(KindRefused, CodeParticipantNotFound, "", "receiving_participant", "no participant %s that receives %s", c.Receiver, c.Target)
	}
	rq, r := m.lookupRate(cor, now)
	if r != nil {
		return r
	}
	rate := rq.Rate
	if !cor.Margin.IsZero() {
		var err error
		if rate, err = ApplyMargin(rate, cor.Margin); err != nil {
			return refuse(KindRefused, CodeNoRate, "", "", "margin: %v", err)
		}
	}
	sc, _ := money.LookupCurrency(c.Source)
	tc, _ := money.LookupCurrency(c.Target)
	source, target := c.SourceAmount, c.TargetAmount
	var err error
	if !source.IsZero() {
		target, err = TargetFromSource(source, sc, rate, tc)
	} else {
		source, err = SourceFromTarget(target, tc, rate, sc)
	}
	if err != nil {
		return refuse(KindRefused, "amount_overflow", "AM02", "", "%v", err)
	}
	if target.IsZero() {
		return refuse(KindRefused, "amount_too_small", "AM12", "source_amount", "%s %s buys less than one minor unit of %s", money.FormatAmount(source, sc), sc, tc)
	}
	if r := checkLimit(cor, source, target, sc, tc); r != nil {
		return r
	}
	fee, err := cor.Fee.Fee(source)
	if err != nil {
		return refuse(KindRefused, "amount_overflow", "AM02", "", "fee: %v", err)
	}
	q := &Quote{ID: c.ID, Sender: c.Sender, Receiver: c.Receiver, Source: c.Source, Target: c.Target,
		SourceAmount: source, TargetAmount: target, Fee: fee, Rate: rate, RateSource: rq.Source,
		Derived: rq.Derived, Via: rq.Via, CreatedAt: now, ExpiresAt: now.Add(cor.QuoteTTL),
		ValueDate: c.ValueDate, Deadline: c.Deadline, FXProvider: cor.FXProvider}
	m.quotes[q.ID] = q
	m.quoteOrder = append(m.quoteOrder, q.ID)
	return q
}

func checkLimit(cor *Corridor, source, target money.Amount, sc, tc money.Currency) *Refusal {
	l := cor.LimitPerPayment
	if l.Amount.IsZero() {
		return nil
	}
	amount, cur, field := source, sc, "source_amount"
	if l.Currency == tc.Code {
		amount, cur, field = target, tc, "target_amount"
	}
	if l.Amount.Less(amount) {
		return refuse(KindRefused, CodeAmountExceedsLimit, "AM02", field,
			"%s %s exceeds the corridor's limit of %s %s per payment", money.FormatAmount(amount, cur), cur.Code, money.FormatAmount(l.Amount, cur), cur.Code)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *Machine) createPayment(c *CreatePayment, now time.Time) any {
	m.prune(now)
	idemKey := c.Sender + "\x00" + c.IdempotencyKey
	if prev, ok := m.idempotency(idemKey, m.seq, now); ok {
		if prev.BodyHash != c.BodyHash {
			return refuse(KindConflict, CodeIdempotencyKeyReused, "", "Idempotency-Key", "the Idempotency-Key was used with another body")
		}
		if prev.Refusal != nil {
			return prev.Refusal
		}
		p, _ := m.payment(prev.UETR)
		return p
	}
	reply := m.createPaymentOnce(c, now)
	entry := idemEntry{BodyHash: c.BodyHash, At: now}
	switch v := reply.(type) {
	case *Payment:
		entry.UETR = v.UETR
	case *Refusal:
		entry.Refusal = v
	}
	if m.history() != nil {
		// Kept in the History only, from the end of the entry on.
		m.idemOut = append(m.idemOut, idemMove{key: idemKey, entry: entry})
		return reply
	}
	m.idem[idemKey] = entry
	m.idemOrder = append(m.idemOrder, idemKey)
	return reply
}

func (m *Machine) createPaymentOnce(c *CreatePayment, now time.Time) any {
	q, ok := m.quote(c.QuoteID, now)
	if !ok || q.Sender != c.Sender {
		return refuse(KindRefused, CodeQuoteNotFound, "", "quote_id", "no quote %s", c.QuoteID)
	}
	if !now.Before(q.ExpiresAt) {
		return refuse(KindRefused, CodeQuoteExpired, "AB05", "quote_id", "quote %s expired at %s", q.ID, q.ExpiresAt.Format(time.RFC3339))
	}
	if !q.UsedBy.IsZero() {
		return refuse(KindConflict, CodeQuoteUsed, "", "quote_id", "quote %s was used by payment %s", q.ID, q.UsedBy)
	}
	if _, ok := m.payment(c.UETR); ok {
		return refuse(KindConflict, CodeUETRExists, "", "uetr", "a payment with UETR %s exists", c.UETR)
	}
	cor, ok := m.corridors[q.Source.String()+"-"+q.Target.String()]
	if !ok {
		return refuse(KindRefused, CodeCorridorNotFound, "", "", "no corridor %s-%s", q.Source, q.Target)
	}
	if r := validScreening(c.Screening); r != nil {
		return r
	}
	if r := m.checkSignature(c.Sender, c.Signature); r != nil {
		return r
	}
	sc, _ := money.LookupCurrency(q.Source)
	tc, _ := money.LookupCurrency(q.Target)
	p := &Payment{UETR: c.UETR, Status: StatusReceived, Sender: q.Sender, Receiver: q.Receiver, FXProvider: q.FXProvider,
		QuoteID: q.ID, Source: q.Source, Target: q.Target, SourceAmount: q.SourceAmount, TargetAmount: q.TargetAmount,
		Fee: q.Fee, Rate: q.Rate, RateSource: q.RateSource, Derived: q.Derived, Purpose: c.Purpose, Remittance: c.Remittance,
		EndToEndID: c.EndToEndID, InstructionID: c.InstructionID,
		Debtor: c.Debtor, Creditor: c.Creditor, ValueDate: q.ValueDate, Deadline: q.Deadline, CreatedAt: now, DebtorDay: c.DebtorDay,
		Signature: c.Signature}
	p.Events = append(p.Events, Event{At: now, Status: StatusReceived, Event: "received", By: c.Sender})
	if !screened(p, c.Screening, now) {
		// Blocked: recorded, with its quote spent, and nothing reserved. A
		// block is kept even when a limit would also have refused the
		// payment, so that every attempt to pay a listed party is on record.
		q.UsedBy = p.UETR
		m.quotesOut = append(m.quotesOut, q.ID)
		m.payments[p.UETR] = p
		m.changed(p.UETR)
		m.order = append(m.order, p.UETR)
		return p
	}
	dayKey := dailyKey(c.Sender, c.Debtor.Account, c.DebtorDay, q.Source)
	if !cor.DailyLimitPerDebtor.IsZero() {
		sum, ok := m.daily[dayKey].Add(q.SourceAmount)
		if !ok || cor.DailyLimitPerDebtor.Less(sum) {
			return refuse(KindRefused, CodeDailyLimitExceeded, "AM14", "debtor.account",
				"the debtor's payments on %s would reach %s %s, over the daily limit of %s %s", c.DebtorDay,
				money.FormatAmount(sum, sc), sc.Code, money.FormatAmount(cor.DailyLimitPerDebtor, sc), sc.Code)
		}
	}
	timeout := reservationTimeout(cor, q.Deadline, now)
	var legs []ledger.Transfer
	if c.Trade != nil {
		if r := m.checkTradeTerms(c.Trade, p.SourceAmount, p.TargetAmount, now); r != nil {
			return r
		}
		p.Trade = &Trade{TradeTerms: *c.Trade, Tranches: tranches(c.Trade.Release, p.SourceAmount, p.TargetAmount)}
		p.Deadline = c.Trade.Deadline
		timeout = tradeTimeout(c.Trade.Deadline, now)
		legs = tradeReservationLegs(p, timeout)
	} else {
		legs = reservationLegs(p, timeout)
	}
	start := m.ts + 1
	res := m.createTransfers(legs)
	if i, r := firstFailure(res); i >= 0 {
		return legRefusal(legRole(legs, i), r, p, sc, tc)
	}
	reserved := fmt.Sprintf("%s %s reserved until %s", money.FormatAmount(p.SourceAmount, sc), sc.Code, now.Add(time.Duration(timeout)*time.Second).Format(time.RFC3339))
	if c.Screening != nil && c.Screening.Action == ScreeningReview {
		// Held: the money is reserved, so the sending bank cannot spend it
		// twice, but the receiving bank may not act on it until an
		// operator approves it.
		p.Status = StatusHeld
		p.Events = append(p.Events, Event{At: now, Status: StatusHeld, Event: "held", By: SwitchID,
			Detail: reserved + "; held for an operator's review of the screening hits"})
		m.held = append(m.held, p.UETR)
	} else {
		p.Status = StatusReserved
		p.Events = append(p.Events, Event{At: now, Status: StatusReserved, Event: "reserved", By: SwitchID, Detail: reserved})
	}
	q.UsedBy = p.UETR
	m.quotesOut = append(m.quotesOut, q.ID)
	if sum, ok := m.daily[dayKey].Add(q.SourceAmount); ok {
		m.daily[dayKey] = sum
	}
	m.payments[p.UETR] = p
	m.changed(p.UETR)
	m.order = append(m.order, p.UETR)
	if p.Trade != nil {
		m.addShipment(p, now)
	}
	// Leg i is created at start+i and expires timeout seconds later: the
	// reservation has ended when the last leg has expired.
	m.pushExpiry(p, start+uint64(len(legs)-1), timeout)
	return p
}

// reservationLegs returns a payment's reservation as a chain of pending
// ledger transfers: sender -> FX provider (source currency), FX provider ->
// receiver (target currency), and sender -> fee income when there is a
// fee.
func reservationLegs(p *Payment, timeout uint32) []ledger.Transfer {
	srcLeg, tgtLeg, feeLeg := p.Legs()
	legs := []ledger.Transfer{
		{ID: srcLeg, DebitAccountID: AccountID(p.Sender, p.Source, AccountPosition), CreditAccountID: AccountID(p.FXProvider, p.Source, AccountPosition),
			Amount: p.SourceAmount, Currency: p.Source, Code: TransferCodePayment, Flags: ledger.TransferPending | ledger.TransferLinked, TimeoutSeconds: timeout},
		{ID: tgtLeg, DebitAccountID: AccountID(p.FXProvider, p.Target, AccountPosition), CreditAccountID: AccountID(p.Receiver, p.Target, AccountPosition),
			Amount: p.TargetAmount, Currency: p.Target, Code: TransferCodePayment, Flags: ledger.TransferPending, TimeoutSeconds: timeout},
	}
	if !p.Fee.IsZero() {
		legs[1].Flags |= ledger.TransferLinked
		legs = append(legs, ledger.Transfer{ID: feeLeg, DebitAccountID: AccountID(p.Sender, p.Source, AccountPosition),
			CreditAccountID: AccountID(SwitchID, p.Source, AccountFeeIncome), Amount: p.Fee, Currency: p.Source,
			Code: TransferCodeFee, Flags: ledger.TransferPending, TimeoutSeconds: timeout})
	}
	return legs
}

// ReschedulePaymentsMax is the most payments one RescheduleDeadlines
// moves; each takes six ledger transfers of the command's OpSpan.
const ReschedulePaymentsMax = 500

// reschedule moves reserved payments to the value dates and deadlines a
// calendar change gave them. A reservation's timeout is fixed on the
// ledger, so it is made anew: in one chain, the old legs are voided and new
// ones reserved until the new deadline. A payment no longer reserved, or
// whose dates did not change, is left alone.
func (m *Machine) reschedule(c *RescheduleDeadlines, now time.Time) any {
	var out RescheduleResult
	for _, x := range c.Payments {
		p := m.payments[x.UETR]
		m.changed(x.UETR)
		// A trade payment's deadline is its contract's, not the calendars'.
		if p == nil || p.Trade != nil || !p.Status.reserving() || (p.ValueDate == x.ValueDate && p.Deadline.Equal(x.Deadline)) {
			out.Unchanged = append(out.Unchanged, x.UETR)
			continue
		}
		cor, ok := m.corridors[p.Source.String()+"-"+p.Target.String()]
		if !ok {
			out.Unchanged = append(out.Unchanged, x.UETR)
			continue
		}
		var chain []ledger.Transfer
		src, tgt, fee := p.Legs()
		for _, leg := range []ledger.ID{src, tgt, fee} {
			if leg == fee && p.Fee.IsZero() {
				continue
			}
			chain = append(chain, ledger.Transfer{ID: derive("reschedule", leg.String()), PendingID: leg,
				Flags: ledger.TransferVoidPending | ledger.TransferLinked})
		}
		next := *p
		next.Reservation++
		timeout := reservationTimeout(cor, x.Deadline, now)
		chain = append(chain, reservationLegs(&next, timeout)...)
		start := m.ts + 1
		if i, r := firstFailure(m.createTransfers(chain)); i >= 0 {
			p.Events = append(p.Events, Event{At: now, Event: "deadline_unchanged", By: SwitchID,
				Detail: fmt.Sprintf("%s moved the deadline to %s, but the ledger refused the new reservation: %s", c.By, x.Deadline.Format(time.RFC3339), r)})
			out.Unchanged = append(out.Unchanged, x.UETR)
			continue
		}
		p.Events = append(p.Events, Event{At: now, Event: "deadline_changed", By: c.By, Detail: fmt.Sprintf(
			"value date %s -> %s, deadline %s -> %s (%s)", orNone(p.ValueDate), orNone(x.ValueDate),
			timeOrNone(p.Deadline), timeOrNone(x.Deadline), c.Reason)})
		p.Reservation, p.ValueDate, p.Deadline = next.Reservation, x.ValueDate, x.Deadline
		heap.Push(&m.expiries, paymentExpiry{at: start + uint64(len(chain)-1) + uint64(timeout)*1_000_000_000, uetr: p.UETR})
		out.Moved = append(out.Moved, x.UETR)
	}
	return &out
}

// RescheduleResult lists what a RescheduleDeadlines did.
type RescheduleResult struct {
	Moved     []ledger.ID
	Unchanged []ledger.ID
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func timeOrNone(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.Format(time.RFC3339)
}

// reservationTimeout is how long a payment's reservation waits: until the
// deadline, or the corridor's cap if sooner, or ReservationTimeoutDefault
// where there is no deadline; at least a second.
func reservationTimeout(cor *Corridor, deadline, now time.Time) uint32 {
	wait := ReservationTimeoutDefault
	if !deadline.IsZero() {
		wait = deadline.Sub(now)
	}
	if cor.ReservationTimeout > 0 && cor.ReservationTimeout < wait {
		wait = cor.ReservationTimeout
	}
	// Round up: a reservation that ended in the last fraction of a second
	// before the deadline would refuse an answer that is on time.
	secs := (wait + time.Second - 1) / time.Second
	return uint32(min(max(secs, 1), ledger.TimeoutSecondsMax))
}

// ReservationTimeoutDefault is how long a reservation waits on a corridor
// whose countries have no calendar, and so no deadline.
const ReservationTimeoutDefault = 24 * time.Hour

// legRole maps leg i of a reservation to its role in legRefusal: 0 a
// source leg, 1 a target leg, 2 the fee.
func legRole(legs []ledger.Transfer, i int) int {
	switch {
	case legs[i].Code == TransferCodeFee:
		return 2
	case legs[i].DebitAccountID == legs[0].DebitAccountID:
		return 0
	}
	return 1
}

// legRefusal explains why the ledger refused a payment's reservation.
func legRefusal(i int, r ledger.Result, p *Payment, sc, tc money.Currency) *Refusal {
	if r == ledger.ResultExceedsCredits {
		switch i {
		case 0, 2:
			return refuse(KindRefused, CodeNetDebitCapExceeded, "AM04", "",
				"%s's %s position cannot cover %s %s and the fee of %s: it would pass its net debit cap",
				p.Sender, sc.Code, money.FormatAmount(p.SourceAmount, sc), sc.Code, money.FormatAmount(p.Fee, sc))
		case 1:
			return refuse(KindRefused, CodeLiquidityInsufficient, "AM04", "",
				"the FX provider %s lacks %s %s of %s liquidity", p.FXProvider, money.FormatAmount(p.TargetAmount, tc), tc.Code, tc.Code)
		}
	}
	return refuse(KindRefused, "ledger_refused", "", "", "the ledger refused leg %d: %s", i, r)
}

func (m *Machine) receiverPayment(uetr ledger.ID, by string) (*Payment, *Refusal) {
	p, ok := m.payment(uetr)
	if !ok || p.Receiver != by {
		return nil, refuse(KindNotFound, CodePaymentNotFound, "", "uetr", "no payment %s", uetr)
	}
	return p, nil
}

func (m *Machine) settleReservation(p *Payment, flag ledger.TransferFlags) *Refusal {
	var legs []ledger.Transfer
	for _, leg := range p.pendingLegs() {
		legs = append(legs, ledger.Transfer{ID: derive(string(rune('0'+flag)), leg.String()), PendingID: leg, Flags: flag | ledger.TransferLinked})
	}
	legs[len(legs)-1].Flags &^= ledger.TransferLinked
	res := m.createTransfers(legs)
	if _, r := firstFailure(res); r != ledger.ResultOK {
		if r == ledger.ResultPendingTransferExpired {
			// The legs expire a nanosecond apart: the payment is marked
			// expired (by Apply, after the command) once the last has.
			return refuse(KindConflict, CodeReservationExpired, "AB05", "", "payment %s expired before it was answered", p.UETR)
		}
		return refuse(KindConflict, "ledger_refused", "", "", "the ledger refused: %s", r)
	}
	return nil
}

func (m *Machine) acceptPayment(c *AcceptPayment, now time.Time) any {
	p, r := m.receiverPayment(c.UETR, c.By)
	if r != nil {
		return r
	}
	if !CanMove(p.Status, StatusCompleted) {
		return refuse(KindConflict, CodeIllegalTransition, "", "", "payment %s is %s; only a reserved payment can be accepted", p.UETR, p.Status)
	}
	if p.Trade != nil {
		return refuse(KindConflict, CodeTradeReleasedByMilestones, "", "", "payment %s is a trade payment: its carrier's milestones release it, not an acceptance", p.UETR)
	}
	if r := m.settleReservation(p, ledger.TransferPostPending); r != nil {
		return r
	}
	p.Status = StatusCompleted
	p.Events = append(p.Events, Event{At: now, Status: StatusCompleted, Event: "completed", By: c.By})
	m.countCompleted(p, now)
	m.checkSLA(p, now)
	return p
}

func (m *Machine) rejectPayment(c *RejectPayment, now time.Time) any {
	p, r := m.receiverPayment(c.UETR, c.By)
	if r != nil {
		return r
	}
	// A held payment may also move to rejected, but by an operator's
	// decision on review, not by the receiving bank.
	if p.Status != StatusReserved {
		return refuse(KindConflict, CodeIllegalTransition, "", "", "payment %s is %s; only a reserved payment can be rejected", p.UETR, p.Status)
	}
	if p.Trade != nil {
		if src, _ := p.Trade.Released(); !src.IsZero() {
			return refuse(KindConflict, CodeTradeReleasedByMilestones, "", "", "payment %s is a trade payment with tranches released: it can no longer be rejected", p.UETR)
		}
	}
	if r := m.settleReservation(p, ledger.TransferVoidPending); r != nil {
		return r
	}
	p.Status = StatusRejected
	p.Reason = c.Reason
	m.releaseDaily(p)
	p.Events = append(p.Events, Event{At: now, Status: StatusRejected, Event: "rejected", By: c.By, Reason: c.Reason})
	return p
}

func (m *Machine) returnPayment(c *ReturnPayment, now time.Time) any {
	p, r := m.receiverPayment(c.UETR, c.By)
	if r != nil {
		return r
	}
	if !CanMove(p.Status, StatusReturned) {
		return refuse(KindConflict, CodeIllegalTransition, "", "", "payment %s is %s; only a completed payment can be returned", p.UETR, p.Status)
	}
	// A return is a new movement the other way, at the original amounts;
	// the original transfers stay as they are. The fee is not refunded.
	legs := []ledger.Transfer{
		{ID: legID(p.UETR, "return-target"), DebitAccountID: AccountID(p.Receiver, p.Target, AccountPosition), CreditAccountID: AccountID(p.FXProvider, p.Target, AccountPosition),
			Amount: p.TargetAmount, Currency: p.Target, Code: TransferCodeReturn, Flags: ledger.TransferLinked},
		{ID: legID(p.UETR, "return-source"), DebitAccountID: AccountID(p.FXProvider, p.Source, AccountPosition), CreditAccountID: AccountID(p.Sender, p.Source, AccountPosition),
			Amount: p.SourceAmount, Currency: p.Source, Code: TransferCodeReturn},
	}
	res := m.createTransfers(legs)
	if i, r := firstFailure(res); i >= 0 {
		tc, _ := money.LookupCurrency(p.Target)
		if r == ledger.ResultExceedsCredits && i == 0 {
			return refuse(KindRefused, CodeReceiverLacksLiquidity, "AM04", "",
				"%s's %s position cannot cover the return of %s %s", p.Receiver, tc.Code, money.FormatAmount(p.TargetAmount, tc), tc.Code)
		}
		return refuse(KindRefused, "ledger_refused", "", "", "the ledger refused return leg %d: %s", i, r)
	}
	p.Status = StatusReturned
	p.Reason = c.Reason
	m.countReturned(p, now)
	p.Events = append(p.Events, Event{At: now, Status: StatusReturned, Event: "returned", By: c.By, Reason: c.Reason})
	return p
}

func (m *Machine) markExpired(p *Payment, now time.Time) {
	if !p.Status.reserving() {
		return
	}
	if p.Trade != nil && p.Status == StatusReserved {
		m.expireTrade(p, now)
		return
	}
	detail := "not answered by the receiving bank before the reservation's timeout; the reservation was released"
	if p.Status == StatusHeld {
		detail = "not decided on review before the reservation's timeout; the reservation was released"
		m.unhold(p.UETR)
	}
	m.touch(p.UETR)
	p.Status = StatusExpired
	p.Reason = "AB05"
	m.releaseDaily(p)
	p.Events = append(p.Events, Event{At: now, Status: StatusExpired, Event: "expired", By: SwitchID, Reason: "AB05", Detail: detail})
	// The reservation lasts at least until the deadline (its timeout is
	// rounded up), so an expiry is past the deadline unless the corridor
	// caps the reservation sooner.
	m.checkSLA(p, now)
}

// dailyKey names one debtor account's day at one sending bank.
func dailyKey(sender, account, day string, c money.Code) string {
	return sender + "\x00" + account + "\x00" + day + "\x00" + c.String()
}

// releaseDaily gives back a payment's share of its debtor's daily limit
// when no money moved: it was rejected or expired.
func (m *Machine) releaseDaily(p *Payment) {
	k := dailyKey(p.Sender, p.Debtor.Account, p.DebtorDay, p.Source)
	used, ok := m.daily[k]
	if !ok {
		return
	}
	if rest, ok := used.Sub(p.SourceAmount); ok && !rest.IsZero() {
		m.daily[k] = rest
	} else {
		delete(m.daily, k)
	}
}

func (m *Machine) checkSLA(p *Payment, now time.Time) {
	if !p.Deadline.IsZero() && now.After(p.Deadline) && !p.SLABreached {
		p.SLABreached = true
		p.Events = append(p.Events, Event{At: now, Event: "sla_breached", By: SwitchID,
			Detail: "not completed by the deadline " + p.Deadline.Format(time.RFC3339)})
	}
}

// expirePayments marks the payments whose reservation the ledger has
// expired by ts.
func (m *Machine) expirePayments(ts uint64) {
	for len(m.expiries) > 0 && m.expiries[0].at <= ts {
		x := heap.Pop(&m.expiries).(paymentExpiry)
		p := m.payments[x.uetr]
		if p == nil || !p.Status.reserving() {
			continue
		}
		m.changed(x.uetr)
		legs := p.pendingLegs()
		if len(legs) == 0 {
			continue
		}
		if _, state, ok := m.Ledger.LookupTransfer(legs[0]); ok && state == ledger.PendingExpired {
			m.markExpired(p, time.Unix(0, int64(ts)).UTC())
		}
	}
}

// compactExpiries drops the queued expiries of payments no longer
// reserving once the queue has doubled since it was last compacted:
// otherwise they stay until their reservation's end, and the queue grows
// with a day's traffic. The queue gives its live entries in (at, UETR)
// order whatever its shape, so this changes no answer.
func (m *Machine) compactExpiries() {
	if len(m.expiries) <= m.expiriesNext {
		return
	}
	live := m.expiries[:0]
	for _, x := range m.expiries {
		if p := m.payments[x.uetr]; p != nil && p.Status.reserving() {
			live = append(live, x)
		}
	}
	clear(m.expiries[len(live):])
	m.expiries = slices.Clone(live)
	heap.Init(&m.expiries)
	m.expiriesNext = 2*len(m.expiries) + 4096
}

// reservationEnd returns when the last of a payment's reserved legs
// expires.
func reservationEnd(e *ledger.Engine, p *Payment) (uint64, bool) {
	var at uint64
	for _, leg := range p.pendingLegs() {
		if t, _, ok := e.LookupTransfer(leg); ok {
			at = max(at, t.Timestamp+uint64(t.TimeoutSeconds)*1_000_000_000)
		}
	}
	return at, at != 0
}

type paymentExpiry struct {
	at   uint64
	uetr ledger.ID
}

type paymentHeap []paymentExpiry

func (h paymentHeap) Len() int { return len(h) }
func (h paymentHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return string(h[i].uetr[:]) < string(h[j].uetr[:])
}
func (h paymentHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *paymentHeap) Push(x any)   { *h = append(*h, x.(paymentExpiry)) }
func (h *paymentHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// snapshotState is the payments state as a snapshot keeps it. JSON writes
// map keys sorted, so the bytes are deterministic, which journal
// verification needs.
type snapshotState struct {
	Participants map[string]*Participant     `json:"participants"`
	Keys         map[string]*APIKey          `json:"keys"`
	Rates        []fx.Quote                  `json:"rates"`
	Corridors    map[string]*Corridor        `json:"corridors"`
	Quotes       map[ledger.ID]*Quote        `json:"quotes"`
	Payments     []*Payment                  `json:"payments"`
	Idempotency  map[string]idemEntry        `json:"idempotency"`
	Daily        map[string]money.Amount     `json:"daily"`
	DailyPruned  string                      `json:"daily_pruned"`
	Windows      []*Window                   `json:"windows"`
	WindowSeq    map[money.Code]int          `json:"window_seq"`
	Lists        map[string][]*ScreeningList `json:"lists,omitempty"`
	Shipments    map[string]*Shipment        `json:"shipments,omitempty"`
	Audit        []AuditRecord               `json:"audit,omitempty"`
	// Moved is where the payments out of memory end, and the older ones
	// still in memory; Payments are then the recent ones.
	Moved *movedState `json:"moved,omitempty"`

	// Credentials, omitted while there are none.
	Certificates map[string]*Certificate           `json:"certificates,omitempty"`
	SigningKeys  map[string]map[string]*SigningKey `json:"signing_keys,omitempty"`
}

const machineSnapshotMagic = "ASTARA-PAYMENTS-SNAPSHOT-1\n"

// WriteSnapshot implements ledger.Machine: the ledger's snapshot, then the
// payments state.
func (m *Machine) WriteSnapshot(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(machineSnapshotMagic)
	var lw countingBuffer
	if err := m.Ledger.WriteSnapshot(&lw); err != nil {
		return err
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(lw.b)))
	bw.Write(n[:])
	bw.Write(lw.b)
	st := snapshotState{Participants: m.participants, Keys: m.keys, Rates: m.book.List(), Corridors: m.corridors,
		Quotes: m.quotes, Idempotency: m.idem, Daily: m.daily, DailyPruned: m.dailyPrunedDay}
	for _, id := range m.order {
		st.Payments = append(st.Payments, m.payments[id])
	}
	st.Moved = m.movedSnapshot()
	for _, id := range m.windowOrder {
		st.Windows = append(st.Windows, m.windows[id])
	}
	st.WindowSeq = m.windowSeq
	st.Lists, st.Audit, st.Shipments = m.lists, m.audit, m.shipments
	st.Certificates, st.SigningKeys = m.certificates, m.signingKeys
	if err := json.NewEncoder(bw).Encode(&st); err != nil {
		return err
	}
	return bw.Flush()
}

type countingBuffer struct{ b []byte }

func (c *countingBuffer) Write(p []byte) (int, error) { c.b = append(c.b, p...); return len(p), nil }

// RestoreMachine reads a snapshot written by WriteSnapshot.
func RestoreMachine(r io.Reader, opts ledger.Options) (*Machine, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(machineSnapshotMagic)+8)
	if _, err := io.ReadFull(br, head); err != nil || string(head[:len(machineSnapshotMagic)]) != machineSnapshotMagic {
		return nil, errors.New("payments: not a payments snapshot")
	}
	n := binary.BigEndian.Uint64(head[len(machineSnapshotMagic):])
	engine, err := ledger.RestoreSnapshot(io.LimitReader(br, int64(n)), opts)
	if err != nil {
		return nil, err
	}
	m := NewMachine(opts)
	m.Ledger = engine
	m.rp = &ledger.Replayer{Engine: engine}
	var st snapshotState
	if err := json.NewDecoder(br).Decode(&st); err != nil {
		return nil, fmt.Errorf("payments: snapshot state: %w", err)
	}
	for id, p := range st.Participants {
		m.participants[id] = p
	}
	m.keys = st.Keys
	for _, q := range st.Rates {
		if err := m.book.Set(q); err != nil {
			return nil, fmt.Errorf("payments: snapshot rate: %w", err)
		}
	}
	m.corridors = st.Corridors
	for id, q := range st.Quotes {
		m.quotes[id] = q
		m.quoteOrder = append(m.quoteOrder, id)
	}
	// Each quote and each idempotency key was made by its own entry, at
	// its own moment: their times give back the order they were made in.
	sort.Slice(m.quoteOrder, func(i, j int) bool {
		a, b := m.quotes[m.quoteOrder[i]], m.quotes[m.quoteOrder[j]]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return string(a.ID[:]) < string(b.ID[:])
	})
	var strays []*Payment
	if st.Moved != nil {
		m.orderBase, m.movedBreached = st.Moved.Base, st.Moved.Breached
		if !st.Moved.PostingIndex && st.Moved.Base > 0 {
			m.unindexed, m.writeUnindexed = st.Moved.Base, true
		}
		for s, n := range st.Moved.Counts {
			m.moved[s] = n
		}
		strays = st.Moved.Strays
		for _, p := range strays {
			m.strays[p.UETR] = struct{}{}
		}
		if err := m.movedIDs.UnmarshalBinary(st.Moved.Filter); err != nil {
			return nil, fmt.Errorf("payments: snapshot: moved payments: %w", err)
		}
	}
	m.sweep = true
	for i, p := range slices.Concat(strays, st.Payments) {
		m.payments[p.UETR] = p
		if i >= len(strays) {
			m.order = append(m.order, p.UETR)
		}
		if p.Status.reserving() {
			if at, ok := reservationEnd(engine, p); ok {
				m.expiries = append(m.expiries, paymentExpiry{at: at, uetr: p.UETR})
			}
		}
		if p.Status == StatusHeld {
			m.held = append(m.held, p.UETR)
		}
	}
	heap.Init(&m.expiries)
	for _, w := range st.Windows {
		m.windows[w.ID] = w
		m.windowOrder = append(m.windowOrder, w.ID)
		if w.Status == WindowOpen {
			m.openWindows[w.Currency] = w.ID
		}
	}
	if st.WindowSeq != nil {
		m.windowSeq = st.WindowSeq
	}
	if st.Lists != nil {
		m.lists = st.Lists
	}
	if st.Shipments != nil {
		m.shipments = st.Shipments
	}
	m.audit = st.Audit
	if st.Certificates != nil {
		m.certificates = st.Certificates
	}
	if st.SigningKeys != nil {
		m.signingKeys = st.SigningKeys
	}
	m.idem = st.Idempotency
	m.daily = st.Daily
	m.dailyPrunedDay = st.DailyPruned
	for k := range m.idem {
		m.idemOrder = append(m.idemOrder, k)
	}
	sort.Slice(m.idemOrder, func(i, j int) bool {
		a, b := m.idem[m.idemOrder[i]], m.idem[m.idemOrder[j]]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return m.idemOrder[i] < m.idemOrder[j]
	})
	if m.keys == nil {
		m.keys = map[string]*APIKey{}
	}
	if m.corridors == nil {
		m.corridors = map[string]*Corridor{}
	}
	if m.idem == nil {
		m.idem = map[string]idemEntry{}
	}
	if m.daily == nil {
		m.daily = map[string]money.Amount{}
	}
	return m, nil
}

// PaymentAt returns the i-th payment in order of creation. The caller
// must not change it.
func (m *Machine) PaymentAt(i int) *Payment { return m.paymentAt(i) }

// StatusCounts returns how many payments stand in each status, and how
// many missed their deadline. It counts by walking every payment: for
// metrics scrapes, not for hot paths.
func (m *Machine) StatusCounts() (map[Status]int, int) {
	counts := map[Status]int{}
	for s, n := range m.moved {
		if n != 0 {
			counts[s] = n
		}
	}
	breached := m.movedBreached
	for _, p := range m.payments {
		counts[p.Status]++
		if p.SLABreached {
			breached++
		}
	}
	return counts, breached
}
