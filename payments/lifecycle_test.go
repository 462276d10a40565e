package payments_test

import (
	"reflect"
	"testing"
	"time"

	"astara/fx"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

var allStatuses = []payments.Status{
	payments.StatusReceived, payments.StatusReserved, payments.StatusCompleted,
	payments.StatusRejected, payments.StatusReturned, payments.StatusExpired, payments.StatusHeld,
	"screened", "", // not statuses of the machine
}

func TestCanMove(t *testing.T) {
	legal := map[[2]payments.Status]string{
		{payments.StatusReceived, payments.StatusReserved}:  "a received payment is reserved",
		{payments.StatusReceived, payments.StatusHeld}:      "a received payment with a likely screening hit is held",
		{payments.StatusReceived, payments.StatusRejected}:  "a received payment with a certain screening hit is rejected",
		{payments.StatusHeld, payments.StatusReserved}:      "an operator approves a held payment",
		{payments.StatusHeld, payments.StatusRejected}:      "an operator rejects a held payment",
		{payments.StatusHeld, payments.StatusExpired}:       "a held payment not decided in time expires",
		{payments.StatusReserved, payments.StatusCompleted}: "the receiving bank accepts a reserved payment",
		{payments.StatusReserved, payments.StatusRejected}:  "the receiving bank rejects a reserved payment",
		{payments.StatusReserved, payments.StatusExpired}:   "an unanswered reservation expires",
		{payments.StatusCompleted, payments.StatusReturned}: "a completed payment is returned",
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			rule, want := legal[[2]payments.Status{from, to}]
			if !want {
				rule = "no move from " + string(from) + " to " + string(to)
			}
			t.Run(rule, func(t *testing.T) {
				if got := payments.CanMove(from, to); got != want {
					t.Errorf("CanMove(%q, %q) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

// moneyPhase is where a payment's money stands on the ledger.
type moneyPhase int

const (
	phaseNone     moneyPhase = iota // nothing reserved, or the reservation released
	phaseReserved                   // the three legs pending
	phasePosted                     // the three legs posted
	phaseReturned                   // posted, then source and target moved back
)

// ledgerAccounts names the accounts a payment from bankRU to bankIR moves.
var ledgerAccounts = []struct {
	name string
	id   ledger.ID
}{
	{"sender RUB position", accSenderRUB},
	{"FX provider RUB position", accFXRUB},
	{"FX provider IRR position", accFXIRR},
	{"receiver IRR position", accReceiverIRR},
	{"switch RUB fee income", accFeeRUB},
}

// LedgerView returns the balances of the payment's accounts.
func LedgerView(tb testing.TB, m *payments.Machine) map[string]Bal {
	tb.Helper()
	out := map[string]Bal{}
	for _, a := range ledgerAccounts {
		out[a.name] = MustBal(tb, m, a.id)
	}
	return out
}

// WantLedger returns the balances expected from before after one payment
// of source S, target T and fee F reached phase.
func WantLedger(before map[string]Bal, phase moneyPhase, S, T, F uint64) map[string]Bal {
	want := map[string]Bal{}
	for k, v := range before {
		want[k] = v
	}
	add := func(name string, f func(b *Bal)) {
		b := want[name]
		f(&b)
		want[name] = b
	}
	switch phase {
	case phaseReserved:
		add("sender RUB position", func(b *Bal) { b.DebitsPending += S + F })
		add("FX provider RUB position", func(b *Bal) { b.CreditsPending += S })
		add("FX provider IRR position", func(b *Bal) { b.DebitsPending += T })
		add("receiver IRR position", func(b *Bal) { b.CreditsPending += T })
		add("switch RUB fee income", func(b *Bal) { b.CreditsPending += F })
	case phasePosted, phaseReturned:
		add("sender RUB position", func(b *Bal) { b.DebitsPosted += S + F })
		add("FX provider RUB position", func(b *Bal) { b.CreditsPosted += S })
		add("FX provider IRR position", func(b *Bal) { b.DebitsPosted += T })
		add("receiver IRR position", func(b *Bal) { b.CreditsPosted += T })
		add("switch RUB fee income", func(b *Bal) { b.CreditsPosted += F })
	}
	if phase == phaseReturned {
		add("receiver IRR position", func(b *Bal) { b.DebitsPosted += T })
		add("FX provider IRR position", func(b *Bal) { b.CreditsPosted += T })
		add("FX provider RUB position", func(b *Bal) { b.DebitsPosted += S })
		add("sender RUB position", func(b *Bal) { b.CreditsPosted += S })
	}
	return want
}

// MustLedger fails unless the accounts hold what phase implies.
func MustLedger(tb testing.TB, m *payments.Machine, before map[string]Bal, phase moneyPhase, p *payments.Payment) {
	tb.Helper()
	got := LedgerView(tb, m)
	want := WantLedger(before, phase, Minor(tb, p.SourceAmount), Minor(tb, p.TargetAmount), Minor(tb, p.Fee))
	for _, a := range ledgerAccounts {
		if got[a.name] != want[a.name] {
			tb.Errorf("%s: got %+v, want %+v", a.name, got[a.name], want[a.name])
		}
	}
}

func eventNames(p payments.Payment) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.Event)
	}
	return out
}

func TestLifecycle(t *testing.T) {
	type step struct {
		do     func(s *Switch, uetr ledger.ID) any
		status payments.Status
		phase  moneyPhase
		legs   ledger.PendingState // the state of the three legs
	}
	accept := func(s *Switch, uetr ledger.ID) any { return s.Accept(uetr, bankIR) }
	reject := func(s *Switch, uetr ledger.ID) any { return s.Reject(uetr, bankIR, "AC01") }
	ret := func(s *Switch, uetr ledger.ID) any { return s.Return(uetr, bankIR, "AC04") }
	for _, tc := range []struct {
		name   string
		steps  []step
		events []string
		reason string
	}{
		{"accepting posts the reservation", []step{
			{accept, payments.StatusCompleted, phasePosted, ledger.PendingPosted},
		}, []string{"received", "reserved", "completed"}, ""},
		{"rejecting voids the reservation and records the reason", []step{
			{reject, payments.StatusRejected, phaseNone, ledger.PendingVoided},
		}, []string{"received", "reserved", "rejected"}, "AC01"},
		{"a return moves source and target back and the fee stays", []step{
			{accept, payments.StatusCompleted, phasePosted, ledger.PendingPosted},
			{ret, payments.StatusReturned, phaseReturned, ledger.PendingPosted},
		}, []string{"received", "reserved", "completed", "returned"}, "AC04"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewNetwork(t)
			before := LedgerView(t, s.M)
			p := s.Pay(150_000_00)
			if p.Status != payments.StatusReserved {
				t.Fatalf("got status %s, want reserved", p.Status)
			}
			MustLedger(t, s.M, before, phaseReserved, p)
			if got, want := LegStates(s.M, p), [3]ledger.PendingState{ledger.PendingOpen, ledger.PendingOpen, ledger.PendingOpen}; got != want {
				t.Errorf("got legs %v, want %v", got, want)
			}
			for i, st := range tc.steps {
				got := MustReply[*payments.Payment](t, st.do(s, p.UETR))
				if got.Status != st.status {
					t.Fatalf("step %d: got status %s, want %s", i, got.Status, st.status)
				}
				MustLedger(t, s.M, before, st.phase, p)
				if got, want := LegStates(s.M, p), [3]ledger.PendingState{st.legs, st.legs, st.legs}; got != want {
					t.Errorf("step %d: got legs %v, want %v", i, got, want)
				}
			}
			final := MustPayment(t, s.M, p.UETR)
			if got := eventNames(final); !reflect.DeepEqual(got, tc.events) {
				t.Errorf("got events %v, want %v", got, tc.events)
			}
			if final.Reason != tc.reason {
				t.Errorf("got reason %q, want %q", final.Reason, tc.reason)
			}
			if last := final.Events[len(final.Events)-1]; last.Reason != tc.reason || last.Status != final.Status {
				t.Errorf("got last event %+v, want status %s reason %q", last, final.Status, tc.reason)
			}
			if final.SLABreached {
				t.Errorf("got SLA breached for a payment answered within its deadline")
			}
		})
	}

	t.Run("a payment without a fee has no fee leg", func(t *testing.T) {
		s := NewNetwork(t)
		c := CorridorRUBIRR()
		c.Fee = payments.FeeSchedule{}
		s.PutCorridor(c)
		before := LedgerView(t, s.M)
		p := s.Pay(150_000_00)
		MustLedger(t, s.M, before, phaseReserved, p)
		if got := LegStates(s.M, p); got[2] != ledger.PendingNone {
			t.Errorf("got a fee leg %v, want none", got[2])
		}
		MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
		MustLedger(t, s.M, before, phasePosted, p)
	})
}

// reachStatus moves a fresh payment to status and returns it.
func reachStatus(t *testing.T, s *Switch, status payments.Status) payments.Payment {
	t.Helper()
	p := s.Pay(150_000_00)
	switch status {
	case payments.StatusReserved:
	case payments.StatusCompleted:
		MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
	case payments.StatusRejected:
		MustReply[*payments.Payment](t, s.Reject(p.UETR, bankIR, "AC01"))
	case payments.StatusReturned:
		MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
		MustReply[*payments.Payment](t, s.Return(p.UETR, bankIR, "AC04"))
	case payments.StatusExpired:
		s.At(time.Unix(0, int64(ReservationExpiry(t, s.M, p))))
		s.Pulse()
	}
	got := MustPayment(t, s.M, p.UETR)
	if got.Status != status {
		t.Fatalf("got status %s, want %s", got.Status, status)
	}
	return got
}

func TestIllegalTransitionsChangeNothing(t *testing.T) {
	type answer struct {
		name string
		do   func(s *Switch, uetr ledger.ID) any
	}
	accept := answer{"accept", func(s *Switch, uetr ledger.ID) any { return s.Accept(uetr, bankIR) }}
	reject := answer{"reject", func(s *Switch, uetr ledger.ID) any { return s.Reject(uetr, bankIR, "AC01") }}
	ret := answer{"return", func(s *Switch, uetr ledger.ID) any { return s.Return(uetr, bankIR, "AC04") }}
	for _, tc := range []struct {
		from   payments.Status
		answer answer
	}{
		{payments.StatusCompleted, accept},
		{payments.StatusCompleted, reject},
		{payments.StatusReserved, ret},
		{payments.StatusRejected, accept},
		{payments.StatusRejected, reject},
		{payments.StatusRejected, ret},
		{payments.StatusReturned, accept},
		{payments.StatusReturned, reject},
		{payments.StatusReturned, ret},
		{payments.StatusExpired, accept},
		{payments.StatusExpired, reject},
		{payments.StatusExpired, ret},
	} {
		t.Run("no "+tc.answer.name+" of a "+string(tc.from)+" payment", func(t *testing.T) {
			s := NewNetwork(t)
			p := reachStatus(t, s, tc.from)
			before, transfers := LedgerView(t, s.M), s.M.Ledger.TransfersCount()
			r := MustRefusal(t, tc.answer.do(s, p.UETR), payments.CodeIllegalTransition)
			if r.Kind != payments.KindConflict {
				t.Errorf("got kind %d, want conflict", r.Kind)
			}
			if got := MustPayment(t, s.M, p.UETR); !reflect.DeepEqual(got, p) {
				t.Errorf("got payment %+v, want it unchanged %+v", got, p)
			}
			if got := LedgerView(t, s.M); !reflect.DeepEqual(got, before) {
				t.Errorf("got ledger %+v, want it unchanged %+v", got, before)
			}
			if got := s.M.Ledger.TransfersCount(); got != transfers {
				t.Errorf("got %d transfers, want %d", got, transfers)
			}
		})
	}

	t.Run("an accept a nanosecond before the expiry finds the reservation expired", func(t *testing.T) {
		// The accept's own ledger batch comes after the entry's moment,
		// when the reservation has expired: the payment expires, and the
		// accept says why.
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		at := ReservationExpiry(t, s.M, p)
		s.At(time.Unix(0, int64(at-1)))
		if r := MustRefusal(t, s.Accept(p.UETR, bankIR), payments.CodeReservationExpired); r.Reason != "AB05" {
			t.Errorf("got reason %q, want AB05", r.Reason)
		}
		if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusExpired {
			t.Errorf("got status %s, want expired", got.Status)
		}
		want := [3]ledger.PendingState{ledger.PendingExpired, ledger.PendingExpired, ledger.PendingExpired}
		if got := LegStates(s.M, p); got != want {
			t.Errorf("got legs %v, want %v", got, want)
		}
	})
}

func TestOnlyTheReceivingBankAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status payments.Status
		do     func(s *Switch, uetr ledger.ID, by string) any
	}{
		{"accept", payments.StatusReserved, func(s *Switch, uetr ledger.ID, by string) any { return s.Accept(uetr, by) }},
		{"reject", payments.StatusReserved, func(s *Switch, uetr ledger.ID, by string) any { return s.Reject(uetr, by, "AC01") }},
		{"return", payments.StatusCompleted, func(s *Switch, uetr ledger.ID, by string) any { return s.Return(uetr, by, "AC04") }},
	} {
		for _, by := range []string{bankRU, bankFX, bankRU2, "NOSUCHBK", payments.SwitchID} {
			t.Run("no "+tc.name+" by "+by, func(t *testing.T) {
				s := NewNetwork(t)
				p := reachStatus(t, s, tc.status)
				r := MustRefusal(t, tc.do(s, p.UETR, by), payments.CodePaymentNotFound)
				if r.Kind != payments.KindNotFound {
					t.Errorf("got kind %d, want not found", r.Kind)
				}
				if got := MustPayment(t, s.M, p.UETR); !reflect.DeepEqual(got, p) {
					t.Errorf("got payment %+v, want it unchanged", got)
				}
			})
		}
		t.Run("no "+tc.name+" of an unknown payment", func(t *testing.T) {
			s := NewNetwork(t)
			MustRefusal(t, tc.do(s, s.NewID(), bankIR), payments.CodePaymentNotFound)
		})
	}
}

func TestExpiry(t *testing.T) {
	// Each kind of entry expires a reservation due at its moment.
	for _, tc := range []struct {
		name  string
		entry func(s *Switch)
	}{
		{"a ledger pulse", func(s *Switch) { s.Pulse() }},
		{"a ledger batch", func(s *Switch) { s.Fund(bankRU2, codeRUB, 1) }},
		{"an empty ledger batch", func(s *Switch) { s.Transfers() }},
		{"a payments command", func(s *Switch) {
			now := s.Now()
			s.Do(&payments.SetRates{Quotes: []fx.Quote{{Base: codeRUB, Quote: codeIRR, Rate: money.MustRate("524"), Source: "manual", AsOf: now, Received: now}}})
		}},
	} {
		t.Run(tc.name+" at the expiry expires the reservation", func(t *testing.T) {
			s := NewNetwork(t)
			before := LedgerView(t, s.M)
			p := s.Pay(150_000_00)
			at := ReservationExpiry(t, s.M, p)

			s.At(time.Unix(0, int64(at-1)))
			tc.entry(s)
			if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusReserved {
				t.Fatalf("a nanosecond before the expiry: got status %s, want reserved", got.Status)
			}
			// The legs are created a nanosecond apart and expire so: the
			// reservation ends when the last (the fee) has expired.
			if got := LegStates(s.M, p); got[2] != ledger.PendingOpen {
				t.Fatalf("a nanosecond before the expiry: got legs %v, want the fee leg still pending", got)
			}

			s.At(time.Unix(0, int64(at)))
			tc.entry(s)
			got := MustPayment(t, s.M, p.UETR)
			if got.Status != payments.StatusExpired || got.Reason != "AB05" {
				t.Errorf("got status %s reason %q, want expired AB05", got.Status, got.Reason)
			}
			// The reservation ran until the deadline: expired, and late.
			if got, want := eventNames(got), []string{"received", "reserved", "expired", "sla_breached"}; !reflect.DeepEqual(got, want) {
				t.Errorf("got events %v, want %v", got, want)
			}
			if e := got.Events[2]; e.Status != payments.StatusExpired || !e.At.Equal(time.Unix(0, int64(at))) {
				t.Errorf("got event %+v, want expired at %d", e, at)
			}
			expired := [3]ledger.PendingState{ledger.PendingExpired, ledger.PendingExpired, ledger.PendingExpired}
			if got := LegStates(s.M, p); got != expired {
				t.Errorf("got legs %v, want %v", got, expired)
			}
			MustLedger(t, s.M, before, phaseNone, p)
		})
	}

	t.Run("pulses at NextExpiry expire the payment at its expiry", func(t *testing.T) {
		// The service pulses when NextExpiry is due; that alone must
		// expire the payment, at the moment its reservation ends.
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		at := ReservationExpiry(t, s.M, p)
		for range 10 {
			next, ok := s.M.NextExpiry()
			if !ok {
				t.Fatalf("NextExpiry: none, with a payment reserved")
			}
			if next > at {
				t.Fatalf("NextExpiry = %d, after the reservation's expiry %d", next, at)
			}
			s.At(time.Unix(0, int64(next)))
			s.Pulse()
			if got := MustPayment(t, s.M, p.UETR); got.Status == payments.StatusExpired {
				if next != at {
					t.Errorf("expired at %d, want %d", next, at)
				}
				return
			}
		}
		t.Fatalf("ten pulses at NextExpiry did not expire the payment")
	})

	t.Run("a payments command whose own ledger batch passes the expiry expires it", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		at := ReservationExpiry(t, s.M, p)
		s.At(time.Unix(0, int64(at)).Add(-time.Minute))
		q := s.Quote(100_000_00)
		s.At(time.Unix(0, int64(at-1)))
		MustReply[*payments.Payment](t, s.Do(s.PayCmd(q))) // its legs are created from at on
		if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusExpired {
			t.Errorf("got status %s, want expired", got.Status)
		}
		if got := LegStates(s.M, p); got != [3]ledger.PendingState{ledger.PendingExpired, ledger.PendingExpired, ledger.PendingExpired} {
			t.Errorf("got legs %v, want all expired", got)
		}
	})
}

func TestSLA(t *testing.T) {
	// The quote's deadline is 10.5 s after the payment: reservations last
	// at least until it.
	const deadlineAfter = 10*time.Second + 500*time.Millisecond
	for _, tc := range []struct {
		name     string
		answerAt time.Duration // after the deadline; 0 for no answer
		accept   bool
		cap      time.Duration // the corridor's ReservationTimeout
		status   payments.Status
		breached bool
	}{
		{"accepted before the deadline", -300 * time.Millisecond, true, 0, payments.StatusCompleted, false},
		{"accepted exactly at the deadline", 0, true, 0, payments.StatusCompleted, false},
		{"accepted after the deadline is breached", 200 * time.Millisecond, true, 0, payments.StatusCompleted, true},
		{"expired after the deadline is breached", 0, false, 0, payments.StatusExpired, true},
		{"expired before the deadline by the corridor's cap is not", 0, false, 5 * time.Second, payments.StatusExpired, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewNetwork(t)
			if tc.cap != 0 {
				c := CorridorRUBIRR()
				c.ReservationTimeout = tc.cap
				s.PutCorridor(c)
			}
			qc := s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 150_000_00, 0)
			created := s.Now().Add(time.Millisecond)
			qc.Deadline = created.Add(deadlineAfter)
			q := MustReply[*payments.Quote](t, s.Do(qc))
			s.At(created)
			p := MustReply[*payments.Payment](t, s.Do(s.PayCmd(q)))
			if tc.accept {
				s.At(q.Deadline.Add(tc.answerAt))
				MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
			} else {
				at := ReservationExpiry(t, s.M, p)
				if tc.cap == 0 && at <= uint64(q.Deadline.UnixNano()) {
					t.Errorf("the reservation ends at %s, before the deadline %s", time.Unix(0, int64(at)).UTC(), q.Deadline)
				}
				s.At(time.Unix(0, int64(at)))
				s.Pulse()
			}
			got := MustPayment(t, s.M, p.UETR)
			if got.Status != tc.status || got.SLABreached != tc.breached {
				t.Errorf("got %s breached %v, want %s breached %v", got.Status, got.SLABreached, tc.status, tc.breached)
			}
			var events int
			for _, e := range got.Events {
				if e.Event == "sla_breached" {
					events++
				}
			}
			if want := map[bool]int{false: 0, true: 1}[tc.breached]; events != want {
				t.Errorf("got %d sla_breached events, want %d: %v", events, want, eventNames(got))
			}
		})
	}
}
