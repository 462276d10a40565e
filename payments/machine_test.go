package payments_test

import (
	"crypto/sha256"
	"reflect"
	"testing"
	"time"

	"astara/fx"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// The network most tests run on: a Russian bank that sends roubles, an
// Iranian bank that receives rials, and an FX provider that holds both.
const (
	bankRU    = "VOLGRUMM"
	bankRU2   = "TVERRUMM" // a second Russian sender
	bankIR    = "CASPIRTH"
	bankFX    = "FXPRRUMM"
	rateRUBIR = "523.40" // IRR per RUB, source "manual"
	rateIRRUB = "0.002"  // RUB per IRR, source "manual"
)

var (
	codeRUB = money.MustCode("RUB")
	codeIRR = money.MustCode("IRR")
	codeUSD = money.MustCode("USD")
	curRUB  = money.MustCurrency("RUB")
	curIRR  = money.MustCurrency("IRR")
)

// The funding of the network, in minor units.
const (
	fundingRU    = 100_000_000_00     // 100,000,000.00 RUB on bankRU's position
	fundingFXIRR = 1_000_000_000_000  // 1,000,000,000,000 IRR of the FX provider's liquidity
	fundingFXRUB = 100_000_000_00     // 100,000,000.00 RUB of the FX provider's liquidity
	fundingIR    = 10_000_000_000_000 // 10,000,000,000,000 IRR on bankIR's position
)

// t0 is when the tests' networks open: Monday 2 March 2026, 09:00 UTC.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Switch drives a payments.Machine entry by entry as the journal would:
// each entry gets a timestamp after everything the machine has used, the
// decoded command is handed over as the pipeline does, and every entry is
// kept so that it can be replayed. After every entry the ledger must verify
// and every currency must balance.
type Switch struct {
	tb      testing.TB
	M       *payments.Machine
	Entries []ledger.Entry
	Decoded []any // the command of each entry as submitted
	Replies []any // the reply to each entry
	clock   time.Time
	ids     uint64
}

// NewSwitch returns an empty machine whose first entry is at t0.
func NewSwitch(tb testing.TB) *Switch {
	tb.Helper()
	return &Switch{tb: tb, M: payments.NewMachine(ledger.Options{}), clock: t0}
}

// Now returns the time of the next entry: the clock, or just after the
// last timestamp the machine used if that is later.
func (s *Switch) Now() time.Time {
	if last := s.M.LastTimestamp(); uint64(s.clock.UnixNano()) <= last {
		return time.Unix(0, int64(last+1)).UTC()
	}
	return s.clock
}

// Advance moves the clock forward.
func (s *Switch) Advance(d time.Duration) { s.clock = s.Now().Add(d) }

// At sets the time of the next entry exactly; it must be after the last
// timestamp the machine used.
func (s *Switch) At(t time.Time) {
	s.tb.Helper()
	if last := s.M.LastTimestamp(); uint64(t.UnixNano()) <= last {
		s.tb.Fatalf("At(%s): the machine has used timestamps up to %d", t.Format(time.RFC3339Nano), last)
	}
	s.clock = t
}

// NewID returns a fresh id, never zero.
func (s *Switch) NewID() ledger.ID {
	s.ids++
	return ledger.IDFromUint64(1<<48 | s.ids)
}

// Apply applies one entry with its decoded form and returns the reply.
func (s *Switch) Apply(op ledger.Op, payload []byte, decoded any) any {
	s.tb.Helper()
	ts := uint64(s.Now().UnixNano())
	e := ledger.Entry{Seq: uint64(len(s.Entries)) + 1, Timestamp: ts, Op: op, Payload: payload}
	reply, err := s.M.Apply(e, decoded)
	if err != nil {
		s.tb.Fatalf("entry %d (op %d): %v", e.Seq, op, err)
	}
	s.Entries = append(s.Entries, e)
	s.Decoded = append(s.Decoded, decoded)
	s.Replies = append(s.Replies, reply)
	s.clock = time.Unix(0, int64(ts)).UTC()
	MustBalance(s.tb, s.M)
	return reply
}

// Do applies a payments command.
func (s *Switch) Do(cmd any) any {
	s.tb.Helper()
	return s.Apply(payments.Op(cmd), payments.EncodeCommand(cmd), cmd)
}

// Transfers applies a ledger batch and returns its results.
func (s *Switch) Transfers(ts ...ledger.Transfer) []ledger.Result {
	s.tb.Helper()
	reply := s.Apply(ledger.OpCreateTransfers, ledger.AppendTransfers(nil, ts), ts)
	return reply.([]ledger.Result)
}

// Pulse applies a ledger pulse.
func (s *Switch) Pulse() {
	s.tb.Helper()
	s.Apply(ledger.OpPulse, nil, nil)
}

// Fund moves amount from a participant's settlement account to its
// position, as the settlement bank confirms a deposit.
func (s *Switch) Fund(owner string, c money.Code, amount uint64) {
	s.tb.Helper()
	res := s.Transfers(ledger.Transfer{ID: s.NewID(), DebitAccountID: payments.AccountID(owner, c, payments.AccountSettlement),
		CreditAccountID: payments.AccountID(owner, c, payments.AccountPosition), Amount: money.NewAmount(amount), Currency: c, Code: 1})
	if res[0] != ledger.ResultOK {
		s.tb.Fatalf("fund %s %s %d: %s", owner, c, amount, res[0])
	}
}

// AddParticipant creates a participant with a key of its own.
func (s *Switch) AddParticipant(id string, currencies []money.Code, caps map[money.Code]money.Amount, roles ...payments.Role) *payments.Participant {
	s.tb.Helper()
	return MustReply[*payments.Participant](s.tb, s.Do(&payments.CreateParticipant{ID: id, Name: id + " Bank", Country: id[4:6],
		Currencies: currencies, NetDebitCap: caps, Roles: roles, KeyID: "key-" + id, KeyHash: sha256.Sum256([]byte(id))}))
}

// SetRate records one direct rate as of asOf.
func (s *Switch) SetRate(base, quote money.Code, rate, source string, asOf time.Time) {
	s.tb.Helper()
	q := fx.Quote{Base: base, Quote: quote, Rate: money.MustRate(rate), Source: source, AsOf: asOf, Received: asOf}
	if _, ok := s.Do(&payments.SetRates{Quotes: []fx.Quote{q}}).(int); !ok {
		s.tb.Fatalf("SetRate %s", q)
	}
}

// PutCorridor sets a corridor.
func (s *Switch) PutCorridor(c payments.Corridor) {
	s.tb.Helper()
	MustReply[*payments.Corridor](s.tb, s.Do(&payments.PutCorridor{Corridor: c, By: "operator", Fields: []string{"fx_provider"}}))
}

// QuoteCmd returns a quote request on the network's defaults: a deadline
// a day after now.
func (s *Switch) QuoteCmd(sender, receiver string, source, target money.Code, sourceAmount, targetAmount uint64) *payments.CreateQuote {
	now := s.Now()
	return &payments.CreateQuote{ID: s.NewID(), Sender: sender, Receiver: receiver, Source: source, Target: target,
		SourceAmount: money.NewAmount(sourceAmount), TargetAmount: money.NewAmount(targetAmount),
		ValueDate: now.AddDate(0, 0, 1).Format(time.DateOnly), Deadline: now.Add(24 * time.Hour)}
}

// Quote prices sourceAmount minor units from bankRU to bankIR and fails
// the test on a refusal.
func (s *Switch) Quote(sourceAmount uint64) *payments.Quote {
	s.tb.Helper()
	return MustReply[*payments.Quote](s.tb, s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, sourceAmount, 0)))
}

// PayCmd returns a payment on q with a fresh UETR and idempotency key,
// from a fixed debtor to a fixed creditor.
func (s *Switch) PayCmd(q *payments.Quote) *payments.CreatePayment {
	uetr := s.NewID()
	c := &payments.CreatePayment{UETR: uetr, Sender: q.Sender, QuoteID: q.ID,
		Debtor:   payments.Party{Name: "Ivan Petrov", Account: "40817810099910004312", BankCode: "044525225"},
		Creditor: payments.Party{Name: "Reza Ahmadi", Account: "IR820540102680020817909002"},
		Purpose:  "TRAD", IdempotencyKey: "key-" + uetr.String(), DebtorDay: s.Now().Format(time.DateOnly)}
	c.BodyHash = BodyHash(c)
	return c
}

// BodyHash stands for the hash of the request body: what the client
// chose (the quote, the parties, the purpose, its UETR), not what the
// switch adds.
func BodyHash(c *payments.CreatePayment) [32]byte {
	h := sha256.New()
	h.Write(c.QuoteID[:])
	h.Write([]byte(c.Debtor.Account + "\x00" + c.Creditor.Account + "\x00" + c.Purpose + "\x00" + c.Remittance))
	return [32]byte(h.Sum(nil))
}

// Pay sends a payment on a fresh quote of sourceAmount and fails the test
// on a refusal.
func (s *Switch) Pay(sourceAmount uint64) *payments.Payment {
	s.tb.Helper()
	return MustReply[*payments.Payment](s.tb, s.Do(s.PayCmd(s.Quote(sourceAmount))))
}

// Accept answers a payment as the receiving bank.
func (s *Switch) Accept(uetr ledger.ID, by string) any {
	s.tb.Helper()
	return s.Do(&payments.AcceptPayment{UETR: uetr, By: by})
}

// Reject refuses a payment as the receiving bank.
func (s *Switch) Reject(uetr ledger.ID, by, reason string) any {
	s.tb.Helper()
	return s.Do(&payments.RejectPayment{UETR: uetr, By: by, Reason: reason})
}

// Return sends a completed payment back as the receiving bank.
func (s *Switch) Return(uetr ledger.ID, by, reason string) any {
	s.tb.Helper()
	return s.Do(&payments.ReturnPayment{UETR: uetr, By: by, Reason: reason})
}

// CorridorRUBIRR is the published service: 1% at least 15,000.00 RUB,
// 20,000,000.00 RUB per payment, quotes good for five minutes.
func CorridorRUBIRR() payments.Corridor {
	return payments.Corridor{Source: codeRUB, Target: codeIRR, FXProvider: bankFX, RateSource: "manual", RateMaxAge: 24 * time.Hour,
		Fee:             payments.FeeSchedule{Percent: money.MustRate("1"), Min: money.NewAmount(15_000_00)},
		LimitPerPayment: payments.Limit{Amount: money.NewAmount(20_000_000_00), Currency: codeRUB},
		QuoteTTL:        5 * time.Minute, SettlementDays: 1}
}

// CorridorIRRRUB is the way back: 1% of the rials, at most
// 20,000,000.00 RUB received per payment.
func CorridorIRRRUB() payments.Corridor {
	return payments.Corridor{Source: codeIRR, Target: codeRUB, FXProvider: bankFX, RateSource: "manual", RateMaxAge: 24 * time.Hour,
		Fee:             payments.FeeSchedule{Percent: money.MustRate("1")},
		LimitPerPayment: payments.Limit{Amount: money.NewAmount(20_000_000_00), Currency: codeRUB},
		QuoteTTL:        5 * time.Minute, SettlementDays: 1}
}

// NewNetwork returns a switch with bankRU, bankRU2, bankIR and bankFX,
// both corridors, their rates as of t0, and the positions funded.
func NewNetwork(tb testing.TB) *Switch {
	tb.Helper()
	s := NewSwitch(tb)
	s.AddParticipant(bankRU, []money.Code{codeRUB}, nil)
	s.AddParticipant(bankRU2, []money.Code{codeRUB}, nil)
	s.AddParticipant(bankIR, []money.Code{codeIRR}, nil)
	s.AddParticipant(bankFX, []money.Code{codeRUB, codeIRR}, nil, payments.RoleFXProvider)
	s.SetRate(codeRUB, codeIRR, rateRUBIR, "manual", t0)
	s.SetRate(codeIRR, codeRUB, rateIRRUB, "manual", t0)
	s.PutCorridor(CorridorRUBIRR())
	s.PutCorridor(CorridorIRRRUB())
	s.Fund(bankRU, codeRUB, fundingRU)
	s.Fund(bankRU2, codeRUB, fundingRU)
	s.Fund(bankIR, codeIRR, fundingIR)
	s.Fund(bankFX, codeIRR, fundingFXIRR)
	s.Fund(bankFX, codeRUB, fundingFXRUB)
	return s
}

// MustBalance fails unless the ledger verifies and every currency's debits
// equal its credits, pending and posted.
func MustBalance(tb testing.TB, m *payments.Machine) {
	tb.Helper()
	if err := m.Ledger.Verify(); err != nil {
		tb.Fatalf("ledger Verify: %v", err)
	}
	for c, t := range m.Ledger.Totals() {
		if !t.Balanced() {
			tb.Fatalf("%s does not balance: %+v", c, t)
		}
	}
}

// MustReply returns the reply as a T, or fails with the refusal or the
// reply that came instead.
func MustReply[T any](tb testing.TB, reply any) T {
	tb.Helper()
	v, ok := reply.(T)
	if !ok {
		var want T
		tb.Fatalf("got reply %T %+v, want %T", reply, reply, want)
	}
	return v
}

// MustRefusal returns the reply as a refusal with the code, or fails.
func MustRefusal(tb testing.TB, reply any, code string) *payments.Refusal {
	tb.Helper()
	r, ok := reply.(*payments.Refusal)
	if !ok {
		tb.Fatalf("got reply %T %+v, want refusal %s", reply, reply, code)
	}
	if r.Code != code {
		tb.Fatalf("got refusal %s (%s), want %s", r.Code, r.Detail, code)
	}
	return r
}

// MustPayment returns the payment as the machine holds it.
func MustPayment(tb testing.TB, m *payments.Machine, uetr ledger.ID) payments.Payment {
	tb.Helper()
	p, ok := m.Payment(uetr)
	if !ok {
		tb.Fatalf("no payment %s", uetr)
	}
	return p
}

// Bal is an account's four balances in minor units.
type Bal struct{ DebitsPending, DebitsPosted, CreditsPending, CreditsPosted uint64 }

// MustBal returns the balances of an account.
func MustBal(tb testing.TB, m *payments.Machine, id ledger.ID) Bal {
	tb.Helper()
	a, ok := m.Ledger.LookupAccount(id)
	if !ok {
		tb.Fatalf("no account %s", id)
	}
	var b Bal
	for _, f := range []struct {
		dst *uint64
		a   money.Amount
	}{{&b.DebitsPending, a.DebitsPending}, {&b.DebitsPosted, a.DebitsPosted}, {&b.CreditsPending, a.CreditsPending}, {&b.CreditsPosted, a.CreditsPosted}} {
		v, ok := f.a.Uint64()
		if !ok {
			tb.Fatalf("account %s: balance beyond 64 bits", id)
		}
		*f.dst = v
	}
	return b
}

// Minor returns an amount's minor units, for amounts the tests keep small.
func Minor(tb testing.TB, a money.Amount) uint64 {
	tb.Helper()
	v, ok := a.Uint64()
	if !ok {
		tb.Fatalf("amount %s beyond 64 bits", a)
	}
	return v
}

// The accounts a RUB->IRR payment from bankRU to bankIR touches.
var (
	accSenderRUB   = payments.AccountID(bankRU, codeRUB, payments.AccountPosition)
	accFXRUB       = payments.AccountID(bankFX, codeRUB, payments.AccountPosition)
	accFXIRR       = payments.AccountID(bankFX, codeIRR, payments.AccountPosition)
	accReceiverIRR = payments.AccountID(bankIR, codeIRR, payments.AccountPosition)
	accFeeRUB      = payments.AccountID(payments.SwitchID, codeRUB, payments.AccountFeeIncome)
)

// ReservationExpiry returns the moment the last of a payment's reserved
// ledger transfers expires, read from the ledger.
func ReservationExpiry(tb testing.TB, m *payments.Machine, p *payments.Payment) uint64 {
	tb.Helper()
	var at uint64
	src, tgt, fee := p.Legs()
	for _, leg := range []ledger.ID{src, tgt, fee} {
		t, _, ok := m.Ledger.LookupTransfer(leg)
		if !ok {
			continue // no fee leg on a payment without a fee
		}
		if t.TimeoutSeconds == 0 {
			tb.Fatalf("leg %s has no timeout", leg)
		}
		at = max(at, t.Timestamp+uint64(t.TimeoutSeconds)*uint64(time.Second))
	}
	if at == 0 {
		tb.Fatalf("payment %s has no legs on the ledger", p.UETR)
	}
	return at
}

// LegStates returns the pending states of a payment's three legs (none for
// a leg that does not exist).
func LegStates(m *payments.Machine, p *payments.Payment) [3]ledger.PendingState {
	var out [3]ledger.PendingState
	src, tgt, fee := p.Legs()
	for i, leg := range []ledger.ID{src, tgt, fee} {
		if _, st, ok := m.Ledger.LookupTransfer(leg); ok {
			out[i] = st
		}
	}
	return out
}

func TestQuotes(t *testing.T) {
	t.Run("SourceGiven", func(t *testing.T) {
		for _, tc := range []struct {
			name                string
			source, target, fee uint64
		}{
			{"the minimum fee applies below 1,500,000.00 RUB", 150_000_00, 78_510_000, 15_000_00},
			{"the minimum fee applies at 1,499,999.99 RUB", 1_499_999_99, 785_099_994, 15_000_00},
			{"1% equals the minimum at 1,500,000.00 RUB", 1_500_000_00, 785_100_000, 15_000_00},
			{"1% rounds up to the kopeck above it", 1_500_000_01, 785_100_005, 15_000_01},
			{"1% of 20,000,000.00 RUB", 20_000_000_00, 10_468_000_000, 200_000_00},
			{"one kopeck buys 5 rials", 1, 5, 15_000_00},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := NewNetwork(t)
				q := s.Quote(tc.source)
				got := [3]uint64{Minor(t, q.SourceAmount), Minor(t, q.TargetAmount), Minor(t, q.Fee)}
				want := [3]uint64{tc.source, tc.target, tc.fee}
				if got != want {
					t.Errorf("got source, target, fee %v, want %v", got, want)
				}
				if q.Rate.Cmp(money.MustRate(rateRUBIR)) != 0 || q.RateSource != "manual" || q.Derived {
					t.Errorf("got rate %s from %q derived %v, want %s from manual, direct", q.Rate, q.RateSource, q.Derived, rateRUBIR)
				}
				if want := q.CreatedAt.Add(5 * time.Minute); !q.ExpiresAt.Equal(want) {
					t.Errorf("got expires_at %s, want %s", q.ExpiresAt, want)
				}
			})
		}
	})

	t.Run("TargetGivenIsTheSmallestSourceThatBuysIt", func(t *testing.T) {
		for _, tc := range []struct {
			name           string
			target, source uint64
		}{
			{"an exact conversion", 78_510_000, 150_000_00},
			{"one rial more costs a kopeck more", 78_510_001, 150_000_01},
			{"one rial", 1, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := NewNetwork(t)
				q := MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 0, tc.target)))
				if got := Minor(t, q.SourceAmount); got != tc.source {
					t.Errorf("got source %d, want %d", got, tc.source)
				}
				if got := Minor(t, q.TargetAmount); got != tc.target {
					t.Errorf("got target %d, want the requested %d", got, tc.target)
				}
				rate := money.MustRate(rateRUBIR)
				if got, _ := payments.TargetFromSource(q.SourceAmount, curRUB, rate, curIRR); got.Less(q.TargetAmount) {
					t.Errorf("source %s buys %s, less than the target %s", q.SourceAmount, got, q.TargetAmount)
				}
				less := q.SourceAmount.MustSub(money.NewAmount(1))
				if got, _ := payments.TargetFromSource(less, curRUB, rate, curIRR); !got.Less(q.TargetAmount) {
					t.Errorf("source %s less a kopeck still buys %s, want less than %s", q.SourceAmount, got, q.TargetAmount)
				}
			})
		}
	})

	t.Run("AQuoteExpiresAtExactlyExpiresAt", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			after time.Duration // after ExpiresAt
			code  string
		}{
			{"a nanosecond before", -1, ""},
			{"exactly at", 0, payments.CodeQuoteExpired},
			{"after", time.Second, payments.CodeQuoteExpired},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := NewNetwork(t)
				q := s.Quote(150_000_00)
				s.At(q.ExpiresAt.Add(tc.after))
				reply := s.Do(s.PayCmd(q))
				if tc.code == "" {
					MustReply[*payments.Payment](t, reply)
					return
				}
				r := MustRefusal(t, reply, tc.code)
				if r.Reason != "AB05" || r.Field != "quote_id" {
					t.Errorf("got reason %q field %q, want AB05 at quote_id", r.Reason, r.Field)
				}
				if got := s.M.PaymentsCount(); got != 0 {
					t.Errorf("got %d payments, want none", got)
				}
			})
		}
	})

	t.Run("AQuoteIsUsedOnce", func(t *testing.T) {
		s := NewNetwork(t)
		q := s.Quote(150_000_00)
		first := MustReply[*payments.Payment](t, s.Do(s.PayCmd(q)))
		transfers := s.M.Ledger.TransfersCount()
		r := MustRefusal(t, s.Do(s.PayCmd(q)), payments.CodeQuoteUsed)
		if r.Kind != payments.KindConflict {
			t.Errorf("got kind %d, want conflict", r.Kind)
		}
		if got := s.M.Ledger.TransfersCount(); got != transfers {
			t.Errorf("got %d transfers, want %d", got, transfers)
		}
		if got, _ := s.M.Quote(q.ID); got.UsedBy != first.UETR {
			t.Errorf("got quote used by %s, want %s", got.UsedBy, first.UETR)
		}
	})

	t.Run("AnotherSendersQuoteIsNotFound", func(t *testing.T) {
		s := NewNetwork(t)
		q := s.Quote(150_000_00)
		cmd := s.PayCmd(q)
		cmd.Sender = bankRU2
		MustRefusal(t, s.Do(cmd), payments.CodeQuoteNotFound)
		MustReply[*payments.Payment](t, s.Do(s.PayCmd(q))) // still usable by its sender
	})

	t.Run("ARateOlderThanRateMaxAgeIsRefused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			age  time.Duration
			code string
		}{
			{"exactly RateMaxAge old is fresh", 24 * time.Hour, ""},
			{"a nanosecond older is stale", 24*time.Hour + 1, payments.CodeNoRate},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := NewNetwork(t)
				c := CorridorRUBIRR()
				c.RateSource = "cbi"
				s.PutCorridor(c)
				at := s.Now().Add(time.Hour)
				s.SetRate(codeRUB, codeIRR, "600", "cbi", at.Add(-tc.age))
				s.At(at)
				reply := s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 100_00, 0))
				if tc.code == "" {
					if q := MustReply[*payments.Quote](t, reply); q.Rate.String() != "600" {
						t.Errorf("got rate %s, want 600", q.Rate)
					}
					return
				}
				MustRefusal(t, reply, tc.code)
			})
		}
	})

	t.Run("TheInverseIsUsedWhenOnlyTheOppositeRateIsSet", func(t *testing.T) {
		s := NewNetwork(t)
		c := CorridorRUBIRR()
		c.RateSource = "cbi"
		s.PutCorridor(c)
		s.SetRate(codeIRR, codeRUB, "0.002", "cbi", s.Now())
		q := MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 100_00, 0)))
		if q.Rate.Cmp(money.MustRate("500")) != 0 || q.Derived {
			t.Errorf("got rate %s derived %v, want 500 direct (inverted)", q.Rate, q.Derived)
		}
		if got := Minor(t, q.TargetAmount); got != 50_000 {
			t.Errorf("got target %d IRR, want 50000", got)
		}
	})

	t.Run("ARateThroughAThirdCurrencyOnlyWhenAllowed", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			allow bool
			code  string
		}{
			{"refused when the corridor does not allow it", false, payments.CodeNoRate},
			{"derived and marked when it does", true, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := NewNetwork(t)
				c := CorridorRUBIRR()
				c.RateSource, c.AllowDerived, c.Via = "xr", tc.allow, []money.Code{codeUSD}
				s.PutCorridor(c)
				s.SetRate(codeRUB, codeUSD, "0.0125", "xr", s.Now())
				s.SetRate(codeUSD, codeIRR, "42000", "xr", s.Now())
				reply := s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 100_00, 0))
				if tc.code != "" {
					MustRefusal(t, reply, tc.code)
					return
				}
				q := MustReply[*payments.Quote](t, reply)
				if q.Rate.Cmp(money.MustRate("525")) != 0 || !q.Derived || q.Via != codeUSD {
					t.Errorf("got rate %s derived %v via %s, want 525 derived via USD", q.Rate, q.Derived, q.Via)
				}
				p := MustReply[*payments.Payment](t, s.Do(s.PayCmd(q)))
				if !p.Derived {
					t.Errorf("got a payment on a derived rate not marked derived")
				}
			})
		}
	})
}

func TestLimitPerPayment(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		source, target         money.Code
		sourceAmount, targetAm uint64
		field                  string // where the refusal points; "" for none
	}{
		{"RUB->IRR: exactly 20,000,000.00 RUB sent passes", codeRUB, codeIRR, 20_000_000_00, 0, ""},
		{"RUB->IRR: a kopeck more is refused", codeRUB, codeIRR, 20_000_000_01, 0, "source_amount"},
		{"RUB->IRR: a target that costs a kopeck more is refused", codeRUB, codeIRR, 0, 10_468_000_001, "source_amount"},
		{"IRR->RUB: exactly 20,000,000.00 RUB received passes", codeIRR, codeRUB, 0, 20_000_000_00, ""},
		{"IRR->RUB: a kopeck more received is refused", codeIRR, codeRUB, 0, 20_000_000_01, "target_amount"},
		{"IRR->RUB: rials that buy exactly the limit pass", codeIRR, codeRUB, 10_000_000_000, 0, ""},
		{"IRR->RUB: rials that buy a kopeck more are refused", codeIRR, codeRUB, 10_000_000_005, 0, "target_amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewNetwork(t)
			sender, receiver := bankRU, bankIR
			if tc.source == codeIRR {
				sender, receiver = bankIR, bankRU
			}
			reply := s.Do(s.QuoteCmd(sender, receiver, tc.source, tc.target, tc.sourceAmount, tc.targetAm))
			if tc.field == "" {
				q := MustReply[*payments.Quote](t, reply)
				MustReply[*payments.Payment](t, s.Do(s.PayCmd(q)))
				return
			}
			r := MustRefusal(t, reply, payments.CodeAmountExceedsLimit)
			if r.Reason != "AM02" || r.Field != tc.field {
				t.Errorf("got reason %q field %q, want AM02 at %s", r.Reason, r.Field, tc.field)
			}
		})
	}
}

func TestDailyLimitPerDebtor(t *testing.T) {
	const limit = 1_000_000_00
	newSwitch := func(t *testing.T) *Switch {
		s := NewNetwork(t)
		c := CorridorRUBIRR()
		c.DailyLimitPerDebtor = money.NewAmount(limit)
		s.PutCorridor(c)
		return s
	}
	type payment struct {
		amount  uint64
		account string // debtor account; "" for the usual one
		day     string // debtor day; "" for today
		code    string // the refusal expected; "" for none
	}
	for _, tc := range []struct {
		name     string
		payments []payment
	}{
		{"two payments on a day pass until their sum reaches the limit", []payment{
			{amount: 600_000_00}, {amount: 400_000_00}}},
		{"a kopeck past the limit is refused", []payment{
			{amount: 600_000_00}, {amount: 400_000_01, code: payments.CodeDailyLimitExceeded}, {amount: 400_000_00}}},
		{"once reached nothing more passes that day", []payment{
			{amount: limit}, {amount: 1, code: payments.CodeDailyLimitExceeded}}},
		{"a new day resets the sum", []payment{
			{amount: limit}, {amount: limit, day: "2026-03-03"}, {amount: 1, day: "2026-03-03", code: payments.CodeDailyLimitExceeded}}},
		{"another debtor account has its own sum", []payment{
			{amount: limit}, {amount: limit, account: "40817810000000000001"}}},
		{"a single payment over the limit is refused", []payment{
			{amount: limit + 1, code: payments.CodeDailyLimitExceeded}, {amount: limit}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSwitch(t)
			for i, p := range tc.payments {
				cmd := s.PayCmd(s.Quote(p.amount))
				if p.account != "" {
					cmd.Debtor.Account = p.account
				}
				if p.day != "" {
					cmd.DebtorDay = p.day
				}
				cmd.BodyHash = BodyHash(cmd)
				reply := s.Do(cmd)
				if p.code == "" {
					if _, ok := reply.(*payments.Payment); !ok {
						t.Fatalf("payment %d: got %+v, want a payment", i, reply)
					}
					continue
				}
				if r := MustRefusal(t, reply, p.code); r.Reason != "AM14" {
					t.Errorf("payment %d: got reason %q, want AM14", i, r.Reason)
				}
			}
		})
	}

	t.Run("a payment refused for another reason uses none of the limit", func(t *testing.T) {
		s := newSwitch(t)
		c := CorridorRUBIRR()
		c.DailyLimitPerDebtor = money.NewAmount(limit)
		c.FXProvider = "NOSUCHFX"
		s.PutCorridor(c)
		q := s.Quote(limit)
		reply := s.Do(s.PayCmd(q))
		if _, ok := reply.(*payments.Refusal); !ok {
			t.Fatalf("got %+v, want a refusal (the FX provider has no accounts)", reply)
		}
		c.FXProvider = bankFX
		s.PutCorridor(c)
		MustReply[*payments.Payment](t, s.Do(s.PayCmd(s.Quote(limit))))
	})

	t.Run("a rejected payment gives its share back; a completed one keeps it", func(t *testing.T) {
		s := newSwitch(t)
		first := MustReply[*payments.Payment](t, s.Do(s.PayCmd(s.Quote(limit))))
		MustReply[*payments.Payment](t, s.Reject(first.UETR, first.Receiver, "AC01"))
		second := MustReply[*payments.Payment](t, s.Do(s.PayCmd(s.Quote(limit))))
		MustReply[*payments.Payment](t, s.Accept(second.UETR, second.Receiver))
		MustRefusal(t, s.Do(s.PayCmd(s.Quote(1))), payments.CodeDailyLimitExceeded)
	})
}

func TestNetDebitCap(t *testing.T) {
	// bankCap may owe up to 1,000,000.00 RUB and has no funds of its own;
	// with the 15,000.00 RUB minimum fee it can send 985,000.00 RUB.
	const bankCap, capRUB = "OKABRUMM", 1_000_000_00
	for _, tc := range []struct {
		name    string
		funding uint64
		source  uint64
		refused bool
	}{
		{"source and fee exactly at the cap pass", 0, 985_000_00, false},
		{"a kopeck more, refused on the fee", 0, 985_000_01, true},
		{"the source alone over the cap is refused", 0, capRUB + 1, true},
		{"funding adds to the cap", 1, 985_000_01, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewNetwork(t)
			s.AddParticipant(bankCap, []money.Code{codeRUB}, map[money.Code]money.Amount{codeRUB: money.NewAmount(capRUB)})
			if tc.funding > 0 {
				s.Fund(bankCap, codeRUB, tc.funding)
			}
			pos := payments.AccountID(bankCap, codeRUB, payments.AccountPosition)
			before := MustBal(t, s.M, pos)
			q := MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(bankCap, bankIR, codeRUB, codeIRR, tc.source, 0)))
			transfers := s.M.Ledger.TransfersCount()
			reply := s.Do(s.PayCmd(q))
			if !tc.refused {
				MustReply[*payments.Payment](t, reply)
				return
			}
			r := MustRefusal(t, reply, payments.CodeNetDebitCapExceeded)
			if r.Reason != "AM04" || r.Kind != payments.KindRefused {
				t.Errorf("got reason %q kind %d, want AM04, refused", r.Reason, r.Kind)
			}
			if got := MustBal(t, s.M, pos); got != before {
				t.Errorf("got position %+v, want it unchanged %+v", got, before)
			}
			if got := s.M.Ledger.TransfersCount(); got != transfers {
				t.Errorf("got %d transfers, want %d", got, transfers)
			}
			if got := s.M.PaymentsCount(); got != 0 {
				t.Errorf("got %d payments, want none", got)
			}
			if got, _ := s.M.Quote(q.ID); !got.UsedBy.IsZero() {
				t.Errorf("got the quote used by %s, want it unused", got.UsedBy)
			}
		})
	}
}

func TestFXLiquidity(t *testing.T) {
	// bankFX2 holds exactly 78,510,000 IRR: what 150,000.00 RUB buys.
	const bankFX2, liquidity = "FXTWRUMM", 78_510_000
	for _, tc := range []struct {
		name    string
		target  uint64
		refused bool
	}{
		{"exactly the liquidity passes", liquidity, false},
		{"a rial more is refused", liquidity + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewNetwork(t)
			s.AddParticipant(bankFX2, []money.Code{codeRUB, codeIRR}, nil, payments.RoleFXProvider)
			s.Fund(bankFX2, codeIRR, liquidity)
			c := CorridorRUBIRR()
			c.FXProvider = bankFX2
			s.PutCorridor(c)
			q := MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 0, tc.target)))
			sender := MustBal(t, s.M, accSenderRUB)
			transfers := s.M.Ledger.TransfersCount()
			reply := s.Do(s.PayCmd(q))
			if !tc.refused {
				MustReply[*payments.Payment](t, reply)
				return
			}
			if r := MustRefusal(t, reply, payments.CodeLiquidityInsufficient); r.Reason != "AM04" {
				t.Errorf("got reason %q, want AM04", r.Reason)
			}
			if got := MustBal(t, s.M, accSenderRUB); got != sender {
				t.Errorf("got sender position %+v, want it unchanged %+v", got, sender)
			}
			if got := s.M.Ledger.TransfersCount(); got != transfers {
				t.Errorf("got %d transfers, want %d", got, transfers)
			}
			if got := s.M.PaymentsCount(); got != 0 {
				t.Errorf("got %d payments, want none", got)
			}
		})
	}
}

func TestIdempotency(t *testing.T) {
	t.Run("the same key and body return the first payment and reserve once", func(t *testing.T) {
		s := NewNetwork(t)
		cmd := s.PayCmd(s.Quote(150_000_00))
		first := MustReply[*payments.Payment](t, s.Do(cmd))
		transfers, sender := s.M.Ledger.TransfersCount(), MustBal(t, s.M, accSenderRUB)
		retry := *cmd
		retry.UETR = s.NewID() // the switch assigns a new one to a request without its own
		again := MustReply[*payments.Payment](t, s.Do(&retry))
		if !reflect.DeepEqual(again, first) {
			t.Errorf("got %+v, want the first payment %+v", again, first)
		}
		if got := s.M.Ledger.TransfersCount(); got != transfers {
			t.Errorf("got %d transfers, want %d", got, transfers)
		}
		if got := MustBal(t, s.M, accSenderRUB); got != sender {
			t.Errorf("got sender position %+v, want %+v", got, sender)
		}
		if got := s.M.PaymentsCount(); got != 1 {
			t.Errorf("got %d payments, want 1", got)
		}
		if uetr, r, same, found := s.M.Idempotent(bankRU, cmd.IdempotencyKey, cmd.BodyHash); !found || !same || r != nil || uetr != first.UETR {
			t.Errorf("got Idempotent %s %v %v %v, want %s, same body", uetr, r, same, found, first.UETR)
		}
	})

	t.Run("the same key with another body is refused", func(t *testing.T) {
		s := NewNetwork(t)
		cmd := s.PayCmd(s.Quote(150_000_00))
		MustReply[*payments.Payment](t, s.Do(cmd))
		other := s.PayCmd(s.Quote(150_000_00))
		other.IdempotencyKey = cmd.IdempotencyKey
		r := MustRefusal(t, s.Do(other), payments.CodeIdempotencyKeyReused)
		if r.Kind != payments.KindConflict {
			t.Errorf("got kind %d, want conflict", r.Kind)
		}
		if got := s.M.PaymentsCount(); got != 1 {
			t.Errorf("got %d payments, want 1", got)
		}
	})

	t.Run("keys are per sender", func(t *testing.T) {
		s := NewNetwork(t)
		cmd := s.PayCmd(s.Quote(150_000_00))
		MustReply[*payments.Payment](t, s.Do(cmd))
		other := s.PayCmd(MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(bankRU2, bankIR, codeRUB, codeIRR, 150_000_00, 0))))
		other.IdempotencyKey = cmd.IdempotencyKey
		MustReply[*payments.Payment](t, s.Do(other))
	})

	t.Run("a refusal is remembered under its key", func(t *testing.T) {
		s := NewNetwork(t)
		c := CorridorRUBIRR()
		c.LimitPerPayment = payments.Limit{}
		s.PutCorridor(c)
		cmd := s.PayCmd(s.Quote(fundingRU)) // the fee takes it past the position
		first := MustRefusal(t, s.Do(cmd), payments.CodeNetDebitCapExceeded)
		s.Fund(bankRU, codeRUB, fundingRU)
		again := MustRefusal(t, s.Do(cmd), payments.CodeNetDebitCapExceeded)
		if !reflect.DeepEqual(again, first) {
			t.Errorf("got %+v, want the first refusal %+v", again, first)
		}
		if _, r, same, found := s.M.Idempotent(bankRU, cmd.IdempotencyKey, cmd.BodyHash); !found || !same || r == nil {
			t.Errorf("got Idempotent refusal %v same %v found %v, want the refusal", r, same, found)
		}
		fresh := *cmd
		fresh.IdempotencyKey = "another key"
		MustReply[*payments.Payment](t, s.Do(&fresh)) // the quote was not used
	})

	t.Run("the same UETR under another key is refused", func(t *testing.T) {
		s := NewNetwork(t)
		first := s.PayCmd(s.Quote(150_000_00))
		MustReply[*payments.Payment](t, s.Do(first))
		second := s.PayCmd(s.Quote(150_000_00))
		second.UETR = first.UETR
		if r := MustRefusal(t, s.Do(second), payments.CodeUETRExists); r.Field != "uetr" {
			t.Errorf("got field %q, want uetr", r.Field)
		}
		if got := s.M.PaymentsCount(); got != 1 {
			t.Errorf("got %d payments, want 1", got)
		}
	})
}

func TestSetRatesIsAllOrNothing(t *testing.T) {
	s := NewNetwork(t)
	before := s.M.Rates()
	now := s.Now()
	good := fx.Quote{Base: codeRUB, Quote: codeIRR, Rate: money.MustRate("600"), Source: "manual", AsOf: now, Received: now}
	bad := good
	bad.Source = "Not A Source" // upper case and spaces
	r := MustRefusal(t, s.Do(&payments.SetRates{Quotes: []fx.Quote{good, bad}}), "rate_invalid")
	if r.Field != "rates[1]" {
		t.Errorf("got field %q, want rates[1]", r.Field)
	}
	if got := s.M.Rates(); !reflect.DeepEqual(got, before) {
		t.Errorf("got rates %v, want them unchanged %v", got, before)
	}
	if q := s.Quote(100_00); q.Rate.Cmp(money.MustRate(rateRUBIR)) != 0 {
		t.Errorf("got a quote at %s, want the old rate %s", q.Rate, rateRUBIR)
	}
}
