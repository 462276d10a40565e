package payments_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"astara/fx"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// memStore is a journal in memory, enough for ledger.RecoverMachine.
type memStore struct {
	entries []ledger.Entry
	snapSeq uint64
	snap    []byte
	hasSnap bool
}

func (s *memStore) LastSeq() uint64 {
	if len(s.entries) == 0 {
		return 0
	}
	return s.entries[len(s.entries)-1].Seq
}

func (s *memStore) Append(entries []ledger.Entry) error {
	s.entries = append(s.entries, entries...)
	return nil
}

func (s *memStore) Replay(after uint64, fn func(ledger.Entry) error) error {
	for _, e := range s.entries {
		if e.Seq <= after {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) LoadSnapshot() (uint64, io.ReadCloser, bool, error) {
	if !s.hasSnap {
		return 0, nil, false, nil
	}
	return s.snapSeq, io.NopCloser(bytes.NewReader(s.snap)), true, nil
}

func (s *memStore) SaveSnapshot(seq uint64, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	s.snapSeq, s.snap, s.hasSnap = seq, b.Bytes(), true
	return nil
}

var _ ledger.Store = (*memStore)(nil)

func TestReplayFromPayloads(t *testing.T) {
	h := NewHistory(t)
	t.Run("payloads alone give the replies the decoded commands gave", func(t *testing.T) {
		m := payments.NewMachine(ledger.Options{})
		got := MustApply(t, m, h.Entries, nil)
		MustSameReplies(t, got, h.Replies, h.Entries)
		MustSameSnapshot(t, MustSnapshot(t, m), MustSnapshot(t, h.M))
	})

	final := MustSnapshot(t, h.M)
	for _, tc := range []struct {
		name string
		snap int // the entries the snapshot holds; -1 for no snapshot
	}{
		{"recovery from the journal alone", -1},
		{"recovery from a snapshot after the first entry", 1},
		{"recovery from a snapshot with a payment reserved", h.Reserved},
		{"recovery from a snapshot of everything", len(h.Entries)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &memStore{}
			if err := st.Append(h.Entries); err != nil {
				t.Fatal(err)
			}
			if tc.snap >= 0 {
				m := payments.NewMachine(ledger.Options{})
				MustApply(t, m, h.Entries[:tc.snap], nil)
				if err := st.SaveSnapshot(uint64(tc.snap), m.WriteSnapshot); err != nil {
					t.Fatal(err)
				}
			}
			m, seq, err := ledger.RecoverMachine(st,
				func() ledger.Machine { return payments.NewMachine(ledger.Options{}) },
				func(r io.Reader) (ledger.Machine, error) { return payments.RestoreMachine(r, ledger.Options{}) })
			if err != nil {
				t.Fatalf("RecoverMachine: %v", err)
			}
			if want := uint64(len(h.Entries)); seq != want {
				t.Errorf("got seq %d, want %d", seq, want)
			}
			MustSameSnapshot(t, MustSnapshot(t, m.(*payments.Machine)), final)
		})
	}

	t.Run("a payload that does not decode is corruption", func(t *testing.T) {
		m := payments.NewMachine(ledger.Options{})
		_, err := m.Apply(ledger.Entry{Seq: 1, Timestamp: uint64(t0.UnixNano()), Op: payments.OpCreatePayment, Payload: []byte("{")}, nil)
		if err == nil {
			t.Fatalf("got no error")
		}
		if _, err := m.Apply(ledger.Entry{Seq: 2, Timestamp: uint64(t0.UnixNano()) + 1, Op: 99, Payload: []byte("{}")}, nil); err == nil {
			t.Fatalf("unknown op: got no error")
		}
	})
}

// The simulation: random participants, funding, quotes, payments,
// answers and returns over advancing time, against a model that predicts
// every reply and every balance.

// simPayment is the model's payment.
type simPayment struct {
	uetr                   ledger.ID
	status                 payments.Status
	sender, receiver       string
	source, target         money.Code
	sourceAmount, targetAm uint64
	fee                    uint64
	deadline               time.Time
	expiry                 uint64 // when the last leg expires
	slaBreached            bool
	debtorKey              string
}

// simIdem is what the model remembers under an idempotency key.
type simIdem struct {
	body [32]byte
	uetr ledger.ID
	code string // the refusal's code; "" for a payment
	at   time.Time
}

// simQuote is the model's quote.
type simQuote struct {
	q    *payments.Quote
	used bool
}

// sim is the simulation: the switch, the model and the random source.
type sim struct {
	tb  testing.TB
	s   *Switch
	rng *rand.Rand

	bal     map[ledger.ID]*Bal
	funded  map[ledger.ID]uint64 // funding and caps credited to each position
	pays    map[ledger.ID]*simPayment
	order   []ledger.ID
	quotes  []*simQuote
	idem    map[string]simIdem
	daily   map[string]uint64
	rates   map[[2]money.Code]fx.Quote
	lastPay *payments.CreatePayment

	counts map[string]int // what happened, for the log
}

var (
	simSendersRUB = []string{"SIMARUMM", "SIMBRUMM", "SIMCRUMM"} // SIMC has a cap and no funds at first
	simBanksIRR   = []string{"SIMDIRTH", "SIMEIRTH"}
	simCapRUB     = uint64(5_000_000_00)
	simDailyRUB   = uint64(30_000_000_00)
	simDebtors    = []string{"40817810000000000001", "40817810000000000002", "40817810000000000003"}
)

// newSim starts a simulation on m, a new machine.
func newSim(tb testing.TB, seed uint64, m *payments.Machine) *sim {
	tb.Helper()
	s := NewSwitch(tb)
	s.M = m
	x := &sim{tb: tb, s: s, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		bal: map[ledger.ID]*Bal{}, funded: map[ledger.ID]uint64{}, pays: map[ledger.ID]*simPayment{}, idem: map[string]simIdem{},
		daily: map[string]uint64{}, rates: map[[2]money.Code]fx.Quote{}, counts: map[string]int{}}
	for _, id := range simSendersRUB {
		var caps map[money.Code]money.Amount
		if id == "SIMCRUMM" {
			caps = map[money.Code]money.Amount{codeRUB: money.NewAmount(simCapRUB)}
		}
		x.step()
		s.AddParticipant(id, []money.Code{codeRUB}, caps)
		x.track(id, codeRUB)
		if caps != nil {
			x.account(id, codeRUB).CreditsPosted += simCapRUB
			x.funded[payments.AccountID(id, codeRUB, payments.AccountPosition)] += simCapRUB
		}
	}
	for _, id := range simBanksIRR {
		x.step()
		s.AddParticipant(id, []money.Code{codeIRR}, nil)
		x.track(id, codeIRR)
	}
	x.step()
	s.AddParticipant(bankFX, []money.Code{codeRUB, codeIRR}, nil, payments.RoleFXProvider)
	x.track(bankFX, codeRUB)
	x.track(bankFX, codeIRR)
	c := CorridorRUBIRR()
	c.DailyLimitPerDebtor = money.NewAmount(simDailyRUB)
	x.step()
	s.PutCorridor(c)
	x.step()
	s.PutCorridor(CorridorIRRRUB())
	x.bal[accFeeRUB] = &Bal{}
	x.bal[payments.AccountID(payments.SwitchID, codeIRR, payments.AccountFeeIncome)] = &Bal{}
	x.setRates()
	for _, id := range simSendersRUB[:2] {
		x.fund(id, codeRUB, 50_000_000_00)
	}
	for _, id := range simBanksIRR {
		x.fund(id, codeIRR, 20_000_000_000_000)
	}
	x.fund(bankFX, codeIRR, 50_000_000_000_000)
	x.fund(bankFX, codeRUB, 30_000_000_00)
	x.check()
	return x
}

func (x *sim) track(owner string, c money.Code) {
	x.bal[payments.AccountID(owner, c, payments.AccountPosition)] = &Bal{}
}

func (x *sim) account(owner string, c money.Code) *Bal {
	return x.bal[payments.AccountID(owner, c, payments.AccountPosition)]
}

func available(b *Bal) int64 {
	return int64(b.CreditsPosted) - int64(b.DebitsPosted) - int64(b.DebitsPending)
}

// step moves the clock by at least a millisecond: every entry then sits
// on a whole millisecond, never inside the nanoseconds a payments command
// uses after its own moment, so the model can say what expires when.
func (x *sim) step() {
	d := time.Millisecond * time.Duration(1+x.rng.IntN(3000))
	switch x.rng.IntN(40) {
	case 0:
		d = time.Duration(1+x.rng.IntN(30)) * time.Hour
	case 1, 2:
		d = time.Duration(1+x.rng.IntN(10)) * time.Minute
	}
	x.s.clock = x.s.clock.Add(d).Truncate(time.Millisecond)
	now := uint64(x.s.clock.UnixNano())
	if now <= x.s.M.LastTimestamp() {
		x.tb.Fatalf("the simulation's clock %d is not after the machine's %d", now, x.s.M.LastTimestamp())
	}
	// What the machine expires at the entry's moment.
	for _, uetr := range x.order {
		p := x.pays[uetr]
		if p.status == payments.StatusReserved && p.expiry <= now {
			x.unreserve(p)
			p.status = payments.StatusExpired
			p.slaBreached = p.slaBreached || (!p.deadline.IsZero() && x.s.clock.After(p.deadline))
			x.counts["expired"]++
		}
	}
}

func (x *sim) fund(owner string, c money.Code, amount uint64) {
	x.step()
	x.s.Fund(owner, c, amount)
	x.account(owner, c).CreditsPosted += amount
	x.funded[payments.AccountID(owner, c, payments.AccountPosition)] += amount
	x.counts["funded"]++
}

func (x *sim) setRates() {
	x.step()
	now := x.s.clock
	rub := fmt.Sprintf("%d.%02d", 500+x.rng.IntN(50), x.rng.IntN(100))
	irr := fmt.Sprintf("0.00%d", 180+x.rng.IntN(20))
	qs := []fx.Quote{
		{Base: codeRUB, Quote: codeIRR, Rate: money.MustRate(rub), Source: "manual", AsOf: now, Received: now},
		{Base: codeIRR, Quote: codeRUB, Rate: money.MustRate(irr), Source: "manual", AsOf: now, Received: now},
	}
	MustReply[int](x.tb, x.s.Do(&payments.SetRates{Quotes: qs}))
	for _, q := range qs {
		x.rates[[2]money.Code{q.Base, q.Quote}] = q
	}
	x.counts["rates"]++
}

// legs applies f to each of a payment's movements: account, amount, and
// whether the account is debited.
func (x *sim) legs(p *simPayment, f func(b *Bal, amount uint64, debit bool)) {
	fxID := bankFX
	f(x.account(p.sender, p.source), p.sourceAmount+p.fee, true)
	f(x.account(fxID, p.source), p.sourceAmount, false)
	f(x.account(fxID, p.target), p.targetAm, true)
	f(x.account(p.receiver, p.target), p.targetAm, false)
	if p.fee > 0 {
		f(x.bal[payments.AccountID(payments.SwitchID, p.source, payments.AccountFeeIncome)], p.fee, false)
	}
}

func (x *sim) reserve(p *simPayment) {
	x.legs(p, func(b *Bal, a uint64, debit bool) {
		if debit {
			b.DebitsPending += a
		} else {
			b.CreditsPending += a
		}
	})
}

func (x *sim) release(p *simPayment) {
	x.legs(p, func(b *Bal, a uint64, debit bool) {
		if debit {
			b.DebitsPending -= a
		} else {
			b.CreditsPending -= a
		}
	})
}

// unreserve is a reservation that ended with no money moved (rejected or
// expired): it also gives back its share of the debtor's daily limit.
func (x *sim) unreserve(p *simPayment) {
	x.release(p)
	x.daily[p.debtorKey] -= p.sourceAmount
}

func (x *sim) post(p *simPayment) {
	x.release(p)
	x.legs(p, func(b *Bal, a uint64, debit bool) {
		if debit {
			b.DebitsPosted += a
		} else {
			b.CreditsPosted += a
		}
	})
}

// expect fails unless the reply is what the model predicts: a refusal
// with code, or (code "") a reply of another kind.
func (x *sim) expect(what string, reply any, code string) {
	x.tb.Helper()
	r, refused := reply.(*payments.Refusal)
	switch {
	case code == "" && refused:
		x.tb.Fatalf("%s at %s: got refusal %s (%s), want success", what, x.s.clock.Format(time.RFC3339Nano), r.Code, r.Detail)
	case code != "" && !refused:
		x.tb.Fatalf("%s at %s: got %T %+v, want refusal %s", what, x.s.clock.Format(time.RFC3339Nano), reply, reply, code)
	case code != "" && r.Code != code:
		x.tb.Fatalf("%s at %s: got refusal %s (%s), want %s", what, x.s.clock.Format(time.RFC3339Nano), r.Code, r.Detail, code)
	}
	if code == "" {
		x.counts[what+" ok"]++
	} else {
		x.counts[what+" "+code]++
	}
}

// quote asks for a random quote and checks it against the model.
func (x *sim) quote() *payments.Quote {
	var sender, receiver string
	var source, target money.Code
	if x.rng.IntN(4) == 0 {
		sender, receiver = simBanksIRR[x.rng.IntN(len(simBanksIRR))], simSendersRUB[x.rng.IntN(len(simSendersRUB))]
		source, target = codeIRR, codeRUB
	} else {
		sender, receiver = simSendersRUB[x.rng.IntN(len(simSendersRUB))], simBanksIRR[x.rng.IntN(len(simBanksIRR))]
		source, target = codeRUB, codeIRR
	}
	var amount uint64
	switch x.rng.IntN(10) {
	case 0: // near the limit
		amount = 20_000_000_00 - 2 + uint64(x.rng.IntN(5))
		if source == codeIRR {
			amount = 10_000_000_000 + uint64(x.rng.IntN(11)) - 5
		}
	case 1, 2: // large
		amount = 1_000_000_00 + x.rng.Uint64N(15_000_000_00)
		if source == codeIRR {
			amount = 1_000_000_000 + x.rng.Uint64N(9_000_000_000)
		}
	default:
		amount = 1 + x.rng.Uint64N(500_000_00)
		if source == codeIRR {
			amount = 1 + x.rng.Uint64N(500_000_000)
		}
	}
	x.step()
	cmd := x.s.QuoteCmd(sender, receiver, source, target, amount, 0)
	targetGiven := x.rng.IntN(3) == 0
	switch x.rng.IntN(5) {
	case 0:
		cmd.Deadline = time.Time{} // no calendar: the default reservation
	case 1:
		cmd.Deadline = x.s.clock.Add(time.Duration(1+x.rng.IntN(120_000)) * time.Millisecond)
	default:
		cmd.Deadline = x.s.clock.Add(time.Duration(1+x.rng.IntN(48*60)) * time.Minute)
	}
	sc, _ := money.LookupCurrency(source)
	tc, _ := money.LookupCurrency(target)
	cor := CorridorRUBIRR()
	if source == codeIRR {
		cor = CorridorIRRRUB()
	}
	rq := x.rates[[2]money.Code{source, target}]
	var S, T money.Amount
	var err error
	if targetGiven {
		// Ask for what the amount buys, so both ways are exercised.
		T, err = payments.TargetFromSource(money.NewAmount(amount), sc, rq.Rate, tc)
		if err != nil {
			x.tb.Fatal(err)
		}
		cmd.SourceAmount, cmd.TargetAmount = money.Amount{}, T
		if !T.IsZero() {
			if S, err = payments.SourceFromTarget(T, tc, rq.Rate, sc); err != nil {
				x.tb.Fatal(err)
			}
		}
	} else {
		S = money.NewAmount(amount)
		if T, err = payments.TargetFromSource(S, sc, rq.Rate, tc); err != nil {
			x.tb.Fatal(err)
		}
	}
	code := ""
	limited := S
	if cor.LimitPerPayment.Currency == target {
		limited = T
	}
	switch {
	case x.s.clock.Sub(rq.AsOf) > cor.RateMaxAge:
		code = payments.CodeNoRate
	case T.IsZero():
		code = "amount_too_small"
	case cor.LimitPerPayment.Amount.Less(limited):
		code = payments.CodeAmountExceedsLimit
	}
	reply := x.s.Do(cmd)
	x.expect("quote", reply, code)
	if code != "" {
		return nil
	}
	q := reply.(*payments.Quote)
	fee, _ := cor.Fee.Fee(S)
	if q.SourceAmount != S || q.TargetAmount != T || q.Fee != fee || q.Rate.Cmp(rq.Rate) != 0 {
		x.tb.Fatalf("quote: got %s %s fee %s at %s, want %s %s fee %s at %s", q.SourceAmount, q.TargetAmount, q.Fee, q.Rate, S, T, fee, rq.Rate)
	}
	x.quotes = append(x.quotes, &simQuote{q: q})
	return q
}

// pay sends a payment, sometimes a retry or a misuse, and checks it.
func (x *sim) pay() {
	var cmd *payments.CreatePayment
	var sq *simQuote
	switch k := x.rng.IntN(20); {
	case k == 0 && x.lastPay != nil: // a retry: same key, same body
		c := *x.lastPay
		c.UETR = x.s.NewID()
		cmd = &c
	case k == 1 && x.lastPay != nil: // the same key with another body
		q := x.quote()
		if q == nil {
			return
		}
		cmd = x.s.PayCmd(q)
		cmd.IdempotencyKey = x.lastPay.IdempotencyKey
	case k == 2 && len(x.quotes) > 0: // an old quote, maybe used or expired
		sq = x.quotes[x.rng.IntN(len(x.quotes))]
		cmd = x.s.PayCmd(sq.q)
	case k == 3 && x.lastPay != nil: // the same UETR under another key
		q := x.quote()
		if q == nil {
			return
		}
		cmd = x.s.PayCmd(q)
		cmd.UETR = x.lastPay.UETR
	default:
		q := x.quote()
		if q == nil {
			return
		}
		cmd = x.s.PayCmd(q)
		if x.rng.IntN(15) == 0 { // maybe past the quote's five minutes
			x.s.clock = x.s.clock.Add(time.Duration(x.rng.IntN(8)) * time.Minute)
		}
	}
	cmd.Debtor.Account = simDebtors[x.rng.IntN(len(simDebtors))]
	if cmd.IdempotencyKey == x.lastPayKey() && cmd.QuoteID == x.lastPay.QuoteID {
		cmd.Debtor.Account = x.lastPay.Debtor.Account // a retry sends the same body
	}
	cmd.BodyHash = BodyHash(cmd)
	if sq == nil {
		for _, q := range x.quotes {
			if q.q.ID == cmd.QuoteID {
				sq = q
			}
		}
	}
	x.step()
	cmd.DebtorDay = x.s.clock.Format(time.DateOnly)
	code, p := x.predictPayment(cmd, sq)
	reply := x.s.Do(cmd)
	x.expect("payment", reply, code)
	x.lastPay = cmd
	key := cmd.Sender + "\x00" + cmd.IdempotencyKey
	if _, seen := x.idem[key]; seen {
		if code == "" {
			if got := reply.(*payments.Payment).UETR; got != x.idem[key].uetr {
				x.tb.Fatalf("retry: got payment %s, want the first %s", got, x.idem[key].uetr)
			}
		}
		return
	}
	x.idem[key] = simIdem{body: cmd.BodyHash, code: code, at: x.s.clock}
	if code != "" {
		return
	}
	got := reply.(*payments.Payment)
	if got.SourceAmount != money.NewAmount(p.sourceAmount) || got.TargetAmount != money.NewAmount(p.targetAm) || got.Fee != money.NewAmount(p.fee) {
		x.tb.Fatalf("payment: got %s %s fee %s, want the quote's %d %d fee %d", got.SourceAmount, got.TargetAmount, got.Fee, p.sourceAmount, p.targetAm, p.fee)
	}
	x.idem[key] = simIdem{body: cmd.BodyHash, uetr: cmd.UETR, at: x.s.clock}
	sq.used = true
	x.daily[p.debtorKey] += p.sourceAmount
	x.reserve(p)
	x.pays[p.uetr] = p
	x.order = append(x.order, p.uetr)
	if at := ReservationExpiry(x.tb, x.s.M, got); at != p.expiry {
		x.tb.Fatalf("payment: the ledger's reservation ends at %d, the model's at %d", at, p.expiry)
	}
}

func (x *sim) lastPayKey() string {
	if x.lastPay == nil {
		return "\x00none"
	}
	return x.lastPay.IdempotencyKey
}

// predictPayment returns the refusal code the model expects ("" for a
// payment) and, for a new payment, the model's payment.
func (x *sim) predictPayment(cmd *payments.CreatePayment, sq *simQuote) (string, *simPayment) {
	now := x.s.clock
	// Keys and quotes past their retention are forgotten.
	if prev, ok := x.idem[cmd.Sender+"\x00"+cmd.IdempotencyKey]; ok && now.Sub(prev.at) <= payments.IdempotencyRetention {
		if prev.body != cmd.BodyHash {
			return payments.CodeIdempotencyKeyReused, nil
		}
		return prev.code, nil
	}
	if sq == nil || sq.q.Sender != cmd.Sender || now.Sub(sq.q.ExpiresAt) > payments.QuoteRetention {
		return payments.CodeQuoteNotFound, nil
	}
	q := sq.q
	if !now.Before(q.ExpiresAt) {
		return payments.CodeQuoteExpired, nil
	}
	if sq.used {
		return payments.CodeQuoteUsed, nil
	}
	if _, ok := x.pays[cmd.UETR]; ok {
		return payments.CodeUETRExists, nil
	}
	p := &simPayment{uetr: cmd.UETR, status: payments.StatusReserved, sender: q.Sender, receiver: q.Receiver,
		source: q.Source, target: q.Target, sourceAmount: Minor(x.tb, q.SourceAmount), targetAm: Minor(x.tb, q.TargetAmount),
		fee: Minor(x.tb, q.Fee), deadline: q.Deadline,
		debtorKey: cmd.Sender + "|" + cmd.Debtor.Account + "|" + cmd.DebtorDay + "|" + q.Source.String()}
	if q.Source == codeRUB && x.daily[p.debtorKey]+p.sourceAmount > simDailyRUB {
		return payments.CodeDailyLimitExceeded, nil
	}
	sender, fxTarget := x.account(p.sender, p.source), x.account(bankFX, p.target)
	switch {
	case available(sender) < int64(p.sourceAmount):
		return payments.CodeNetDebitCapExceeded, nil
	case available(fxTarget) < int64(p.targetAm):
		return payments.CodeLiquidityInsufficient, nil
	case available(sender) < int64(p.sourceAmount+p.fee):
		return payments.CodeNetDebitCapExceeded, nil
	}
	// The legs are created from the nanosecond after the entry, one a
	// nanosecond; each waits until the deadline rounded up to a second.
	wait := 24 * time.Hour
	if !p.deadline.IsZero() {
		wait = p.deadline.Sub(now)
	}
	secs := max((wait+time.Second-1)/time.Second, 1)
	legs := uint64(2)
	if p.fee > 0 {
		legs = 3
	}
	p.expiry = uint64(now.UnixNano()) + legs + uint64(secs)*uint64(time.Second)
	return "", p
}

// answer accepts, rejects or returns a random payment, usually as its
// receiving bank.
func (x *sim) answer() {
	if len(x.order) == 0 {
		return
	}
	// Mostly the recent ones, which are still open.
	pick := func() *simPayment {
		if x.rng.IntN(4) == 0 {
			return x.pays[x.order[x.rng.IntN(len(x.order))]]
		}
		return x.pays[x.order[max(len(x.order)-1-x.rng.IntN(8), 0)]]
	}
	p := pick()
	for range 3 {
		if p.status == payments.StatusReserved || p.status == payments.StatusCompleted {
			break
		}
		p = pick()
	}
	by := p.receiver
	if x.rng.IntN(12) == 0 {
		by = p.sender
	}
	kind := []string{"accept", "accept", "accept", "reject", "return"}[x.rng.IntN(5)]
	x.step()
	var want payments.Status
	code := ""
	switch {
	case by != p.receiver:
		code = payments.CodePaymentNotFound
	case kind == "accept" || kind == "reject":
		if p.status != payments.StatusReserved {
			code = payments.CodeIllegalTransition
		}
		want = map[string]payments.Status{"accept": payments.StatusCompleted, "reject": payments.StatusRejected}[kind]
	case kind == "return":
		switch {
		case p.status != payments.StatusCompleted:
			code = payments.CodeIllegalTransition
		case available(x.account(p.receiver, p.target)) < int64(p.targetAm):
			code = payments.CodeReceiverLacksLiquidity
		case available(x.account(bankFX, p.source)) < int64(p.sourceAmount):
			code = "ledger_refused"
		}
		want = payments.StatusReturned
	}
	var reply any
	switch kind {
	case "accept":
		reply = x.s.Accept(p.uetr, by)
	case "reject":
		reply = x.s.Reject(p.uetr, by, "AC01")
	case "return":
		reply = x.s.Return(p.uetr, by, "AC04")
	}
	x.expect(kind, reply, code)
	if code != "" {
		return
	}
	switch want {
	case payments.StatusCompleted:
		x.post(p)
		p.slaBreached = !p.deadline.IsZero() && x.s.clock.After(p.deadline)
	case payments.StatusRejected:
		x.unreserve(p)
	case payments.StatusReturned:
		// Back at the original amounts; the fee stays.
		x.account(p.receiver, p.target).DebitsPosted += p.targetAm
		x.account(bankFX, p.target).CreditsPosted += p.targetAm
		x.account(bankFX, p.source).DebitsPosted += p.sourceAmount
		x.account(p.sender, p.source).CreditsPosted += p.sourceAmount
	}
	p.status = want
}

// check compares the machine with the model: every tracked account's
// balances, and every payment's status and SLA flag.
func (x *sim) check() {
	x.tb.Helper()
	for id, want := range x.bal {
		if got := MustBal(x.tb, x.s.M, id); got != *want {
			x.tb.Fatalf("at %s: account %s: got %+v, want %+v", x.s.clock.Format(time.RFC3339Nano), id, got, *want)
		}
	}
	for _, uetr := range x.order {
		want := x.pays[uetr]
		got := MustPayment(x.tb, x.s.M, uetr)
		if got.Status != want.status || got.SLABreached != want.slaBreached {
			x.tb.Fatalf("at %s: payment %s: got %s breached %v, want %s breached %v",
				x.s.clock.Format(time.RFC3339Nano), uetr, got.Status, got.SLABreached, want.status, want.slaBreached)
		}
	}
	if got := x.s.M.PaymentsCount(); got != len(x.order) {
		x.tb.Fatalf("got %d payments, want %d", got, len(x.order))
	}
	// The order of creation and the counts by status, which read moved
	// payments back when they are out of memory.
	wantCounts, wantBreached := map[payments.Status]int{}, 0
	for i, uetr := range x.order {
		if got := x.s.M.PaymentAt(i).UETR; got != uetr {
			x.tb.Fatalf("payment %d: got %s, want %s", i, got, uetr)
		}
		wantCounts[x.pays[uetr].status]++
		if x.pays[uetr].slaBreached {
			wantBreached++
		}
	}
	gotCounts, gotBreached := x.s.M.StatusCounts()
	if !maps.Equal(gotCounts, wantCounts) || gotBreached != wantBreached {
		x.tb.Fatalf("status counts: got %v and %d breached, want %v and %d", gotCounts, gotBreached, wantCounts, wantBreached)
	}
	// The coarse view, from the payments' outcomes alone: each position
	// holds (posted) its funding, less what it sent and paid in fees,
	// plus what it received, on completed payments, with returned ones
	// moving source and target back; the switch keeps every fee.
	net := map[ledger.ID]int64{}
	for id, f := range x.funded {
		net[id] = int64(f)
	}
	for _, uetr := range x.order {
		p := x.pays[uetr]
		if p.status != payments.StatusCompleted && p.status != payments.StatusReturned {
			continue
		}
		S, T, F := int64(p.sourceAmount), int64(p.targetAm), int64(p.fee)
		if p.status == payments.StatusReturned {
			S, T = 0, 0
		}
		net[payments.AccountID(p.sender, p.source, payments.AccountPosition)] -= S + F
		net[payments.AccountID(bankFX, p.source, payments.AccountPosition)] += S
		net[payments.AccountID(bankFX, p.target, payments.AccountPosition)] -= T
		net[payments.AccountID(p.receiver, p.target, payments.AccountPosition)] += T
		net[payments.AccountID(payments.SwitchID, p.source, payments.AccountFeeIncome)] += F
	}
	for id := range x.bal {
		b := MustBal(x.tb, x.s.M, id)
		if got := int64(b.CreditsPosted) - int64(b.DebitsPosted); got != net[id] {
			x.tb.Fatalf("at %s: account %s: got posted %d net, want %d from the payments' outcomes", x.s.clock.Format(time.RFC3339Nano), id, got, net[id])
		}
	}
}

func TestSimulation(t *testing.T) {
	type variant struct {
		seed uint64
		hot  int // recent payments kept in memory on a History; 0: no History
	}
	variants := []variant{{1, 0}, {2, 0}, {3, 0}, {4, 1}, {5, 3}, {6, 16}, {7, 2}}
	steps := 1500
	if testing.Short() {
		variants, steps = []variant{{1, 0}, {4, 2}, {7, 2}}, 400
	}
	for _, v := range variants {
		t.Run(fmt.Sprintf("seed %d hot %d", v.seed, v.hot), func(t *testing.T) {
			t.Parallel()
			opts := ledger.Options{HotRecords: v.hot}
			var hist *ledger.MemoryHistory
			machine := payments.NewMachine(opts)
			if v.hot > 0 {
				// Payments out of memory: the model's checks read every
				// payment, the order of creation and the counts back.
				hist = ledger.NewMemoryHistory()
				if err := machine.Ledger.SetHistory(hist); err != nil {
					t.Fatal(err)
				}
			}
			// Odd seeds on a History defer their records as a Service
			// does: written some entries later, and dropped from memory
			// later still, so that reads go through what is kept.
			deferred := v.hot > 0 && v.seed%2 == 1
			var outstanding func()
			flush := func(all bool) {
				if outstanding != nil {
					outstanding()
					outstanding = nil
				}
				if write, written := machine.TakeRecords(); write != nil {
					if err := write(hist); err != nil {
						t.Fatal(err)
					}
					outstanding = written
				}
				if all && outstanding != nil {
					outstanding()
					outstanding = nil
				}
			}
			if deferred {
				machine.DeferRecords()
			}
			defer2 := rand.New(rand.NewPCG(v.seed, 7))
			x := newSim(t, v.seed, machine)
			snapshot := func(m *payments.Machine) []byte {
				if m == machine && deferred {
					flush(true)
				}
				if m.Ledger.HistoryAttached() {
					// As the Service does before it saves a snapshot.
					if _, err := m.Ledger.MoveHistory(true); err != nil {
						t.Fatal(err)
					}
				}
				return MustSnapshot(t, m)
			}
			var mid []byte
			var midEntries int
			for i := range steps {
				switch k := x.rng.IntN(100); {
				case k < 35:
					x.pay()
				case k < 65:
					x.answer()
				case k < 72:
					id := append(append([]string{}, simSendersRUB...), simBanksIRR...)[x.rng.IntN(5)]
					c := codeRUB
					if id[4:6] == "IR" {
						c = codeIRR
					}
					x.fund(id, c, 1+x.rng.Uint64N(5_000_000_00))
				case k < 75:
					x.fund(bankFX, []money.Code{codeRUB, codeIRR}[x.rng.IntN(2)], 1+x.rng.Uint64N(5_000_000_000))
				case k < 82:
					x.setRates()
				case k < 95:
					x.step()
					x.s.Pulse()
				default:
					x.quote()
				}
				if deferred && defer2.IntN(4) == 0 {
					flush(false)
				}
				x.check()
				if i == steps/2 {
					mid, midEntries = snapshot(x.s.M), len(x.s.Entries)
				}
			}
			t.Logf("%d entries, %d payments: %v", len(x.s.Entries), len(x.order), x.counts)
			final := snapshot(x.s.M)

			// The journal's payloads alone give the same state (and, on a
			// History, the same records).
			m := payments.NewMachine(opts)
			var hist2 *ledger.MemoryHistory
			if hist != nil {
				hist2 = ledger.NewMemoryHistory()
				if err := m.Ledger.SetHistory(hist2); err != nil {
					t.Fatal(err)
				}
			}
			MustApply(t, m, x.s.Entries, nil)
			MustSameSnapshot(t, snapshot(m), final)

			// So does a restore halfway and the rest of the journal. On a
			// History, the restored machine reads the History the first
			// run wrote to the end, as after a crash: records of entries
			// it has yet to apply are there.
			restored, err := payments.RestoreMachine(bytes.NewReader(mid), opts)
			if err != nil {
				t.Fatal(err)
			}
			if hist != nil {
				if err := restored.Ledger.SetHistory(hist); err != nil {
					t.Fatal(err)
				}
			}
			rest := x.s.Entries[midEntries:]
			MustSameReplies(t, MustApply(t, restored, rest, nil), x.s.Replies[midEntries:], rest)
			MustSameSnapshot(t, snapshot(restored), final)
			if hist == nil {
				return
			}
			if got, want := hist.Records(), hist2.Records(); !reflect.DeepEqual(got, want) {
				t.Fatalf("a replay wrote %d records, the run %d, or other ones", len(want), len(got))
			}
			moved := len(x.order) - x.s.M.PaymentsInMemory()
			if moved <= 0 {
				t.Fatalf("%d payments, %d in memory: none moved", len(x.order), x.s.M.PaymentsInMemory())
			}
			t.Logf("%d of %d payments out of memory, %d records", moved, len(x.order), hist.RecordsLen())
			// Every payment's postings lead back to it, from memory or
			// through the index; and, on a snapshot of a version that
			// wrote no index, over a History without one, by reading
			// the oldest payments.
			mustFindPostings(t, x.s.M)
			legacy, err := payments.RestoreMachine(bytes.NewReader(withoutPostingIndex(t, final)), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := legacy.Ledger.SetHistory(noPostingIndex{History: hist, through: math.MaxUint64}); err != nil {
				t.Fatal(err)
			}
			mustFindPostings(t, legacy)
			// An upgrade halfway: a version without the index wrote the
			// first half (its x records hidden), the snapshot of a
			// machine restored from its snapshot and run to the end is
			// the run's own (the count it needs is in the History), and
			// a machine restored from that finds every payment too.
			upgraded, err := payments.RestoreMachine(bytes.NewReader(withoutPostingIndex(t, mid)), opts)
			if err != nil {
				t.Fatal(err)
			}
			old := noPostingIndex{History: hist, through: rest[0].Seq - 1}
			if err := upgraded.Ledger.SetHistory(old); err != nil {
				t.Fatal(err)
			}
			MustSameReplies(t, MustApply(t, upgraded, rest, nil), x.s.Replies[midEntries:], rest)
			after := snapshot(upgraded)
			MustSameSnapshot(t, after, final)
			again, err := payments.RestoreMachine(bytes.NewReader(after), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := again.Ledger.SetHistory(old); err != nil {
				t.Fatal(err)
			}
			mustFindPostings(t, again)

			// A snapshot of a machine that kept everything in memory (a
			// node before an upgrade), restored on a History, answers the
			// same and comes to the same state, but for the filter of
			// what moved: the quotes and idempotency keys that machine
			// dropped at the end of their retention never moved, and
			// are not in it.
			whole := payments.NewMachine(ledger.Options{})
			MustApply(t, whole, x.s.Entries[:midEntries], nil)
			moving, err := payments.RestoreMachine(bytes.NewReader(MustSnapshot(t, whole)), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := moving.Ledger.SetHistory(ledger.NewMemoryHistory()); err != nil {
				t.Fatal(err)
			}
			MustSameReplies(t, MustApply(t, moving, rest, nil), x.s.Replies[midEntries:], rest)
			MustSameSnapshot(t, withoutMovedFilter(t, snapshot(moving)), withoutMovedFilter(t, final))
		})
	}
}

// withoutMovedFilter returns a payments snapshot with the filter of moved
// ids left out of its state: the ledger's part as it is, the state
// re-encoded without "moved"."filter".
func withoutMovedFilter(tb testing.TB, snap []byte) []byte {
	return editMoved(tb, snap, func(moved map[string]any) { delete(moved, "filter") })
}

// editMoved returns a payments snapshot whose state's "moved" part edit
// changed (when it has one): the ledger's part as it is, the state
// re-encoded.
func editMoved(tb testing.TB, snap []byte, edit func(moved map[string]any)) []byte {
	tb.Helper()
	const magic = "ASTARA-PAYMENTS-SNAPSHOT-1\n"
	n := len(magic) + 8 + int(binary.BigEndian.Uint64(snap[len(magic):]))
	var st map[string]any
	if err := json.Unmarshal(snap[n:], &st); err != nil {
		tb.Fatal(err)
	}
	if moved, ok := st["moved"].(map[string]any); ok {
		edit(moved)
	}
	rest, err := json.Marshal(st)
	if err != nil {
		tb.Fatal(err)
	}
	return append(slices.Clone(snap[:n]), rest...)
}

// mustFindPostings checks that PaymentsOfPostings finds every payment
// by each of its postings.
func mustFindPostings(tb testing.TB, m *payments.Machine) {
	tb.Helper()
	var ids []ledger.ID
	owner := map[ledger.ID]ledger.ID{}
	m.Payments(0, func(_ int, p *payments.Payment) bool {
		for _, id := range p.PostingIDs() {
			ids = append(ids, id)
			owner[id] = p.UETR
		}
		return true
	})
	ids = append(ids, ledger.IDFromUint64(1)) // a transfer of no payment
	got := m.PaymentsOfPostings(ids, nil)
	if len(got) != len(owner) {
		tb.Errorf("PaymentsOfPostings found %d of %d postings", len(got), len(owner))
	}
	for id, p := range got {
		if p.UETR != owner[id] {
			tb.Fatalf("posting %s: found payment %s, want %s", id, p.UETR, owner[id])
		}
	}
}

// noPostingIndex is a History as a version without the index of
// postings left it up to entry through: no x record of an entry up to
// there.
type noPostingIndex struct {
	ledger.History
	through uint64
}

func (h noPostingIndex) Record(key []byte, before uint64) (ledger.Record, bool, error) {
	rec, ok, err := h.History.Record(key, before)
	if ok && key[0] == 'x' && rec.Version <= h.through {
		return ledger.Record{}, false, nil
	}
	return rec, ok, err
}

// withoutPostingIndex returns a payments snapshot as a version without
// the index of postings wrote it.
func withoutPostingIndex(tb testing.TB, snap []byte) []byte {
	tb.Helper()
	edited := false
	out := editMoved(tb, snap, func(moved map[string]any) {
		edited = moved["posting_index"] == true
		delete(moved, "posting_index")
	})
	if !edited {
		tb.Fatal("the snapshot has no moved payments with an index of postings")
	}
	return out
}
