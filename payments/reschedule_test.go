package payments_test

import (
	"testing"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

func TestRescheduleDeadlines(t *testing.T) {
	t.Run("a later deadline renews the reservation until it", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		oldEnd := ReservationExpiry(t, s.M, p)
		later := p.Deadline.Add(48 * time.Hour)
		res := MustReply[*payments.RescheduleResult](t, s.Do(&payments.RescheduleDeadlines{
			Payments: []payments.Reschedule{{UETR: p.UETR, ValueDate: "2026-03-12", Deadline: later}}, By: "operator", Reason: "closure"}))
		if len(res.Moved) != 1 || res.Moved[0] != p.UETR {
			t.Fatalf("moved: got %v, want [%s]", res.Moved, p.UETR)
		}
		got, _ := s.M.Payment(p.UETR)
		if got.ValueDate != "2026-03-12" || !got.Deadline.Equal(later) || got.Status != payments.StatusReserved {
			t.Fatalf("after: got %s %s %s, want 2026-03-12 %s reserved", got.ValueDate, got.Deadline, got.Status, later)
		}
		if last := got.Events[len(got.Events)-1]; last.Event != "deadline_changed" {
			t.Fatalf("last event: got %q, want deadline_changed", last.Event)
		}
		// The old legs are voided; the new ones are pending past the new
		// deadline.
		oldSrc, _, _ := p.Legs()
		if _, state, _ := s.M.Ledger.LookupTransfer(oldSrc); state != ledger.PendingVoided {
			t.Fatalf("old source leg: got %s, want voided", state)
		}
		newEnd := ReservationExpiry(t, s.M, &got)
		if newEnd <= oldEnd || time.Unix(0, int64(newEnd)).Before(later) {
			t.Fatalf("reservation ends at %d, want after the old end %d and the new deadline %s", newEnd, oldEnd, later)
		}
		MustBalance(t, s.M)
		// Past the old end the payment is still reserved, and the receiving
		// bank can still accept it.
		s.At(time.Unix(0, int64(oldEnd)).Add(time.Second))
		s.Pulse()
		if got, _ := s.M.Payment(p.UETR); got.Status != payments.StatusReserved {
			t.Fatalf("past the old end: got %s, want reserved", got.Status)
		}
		done := MustReply[*payments.Payment](t, s.Accept(p.UETR, p.Receiver))
		if done.Status != payments.StatusCompleted || done.SLABreached {
			t.Fatalf("accept: got %s breached=%v, want completed on time", done.Status, done.SLABreached)
		}
		MustBalance(t, s.M)
	})
	t.Run("the renewed reservation expires at the new deadline", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		later := p.Deadline.Add(24 * time.Hour)
		MustReply[*payments.RescheduleResult](t, s.Do(&payments.RescheduleDeadlines{
			Payments: []payments.Reschedule{{UETR: p.UETR, ValueDate: "2026-03-12", Deadline: later}}, By: "operator"}))
		got, _ := s.M.Payment(p.UETR)
		s.At(time.Unix(0, int64(ReservationExpiry(t, s.M, &got))))
		s.Pulse()
		if got, _ := s.M.Payment(p.UETR); got.Status != payments.StatusExpired || !got.SLABreached {
			t.Fatalf("at the new end: got %s breached=%v, want expired and breached", got.Status, got.SLABreached)
		}
		MustBalance(t, s.M)
	})
	t.Run("a restored machine expires the renewed reservation at the same moment", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		MustReply[*payments.RescheduleResult](t, s.Do(&payments.RescheduleDeadlines{
			Payments: []payments.Reschedule{{UETR: p.UETR, ValueDate: "2026-03-12", Deadline: p.Deadline.Add(24 * time.Hour)}}, By: "operator"}))
		snap := MustSnapshot(t, s.M)
		restored := MustRestore(t, snap)
		if again := MustSnapshot(t, restored); string(again) != string(snap) {
			t.Fatal("the restored machine's snapshot differs from the original's")
		}
		moved, _ := s.M.Payment(p.UETR)
		end := ReservationExpiry(t, s.M, &moved)
		if got := ReservationExpiry(t, restored, &moved); got != end {
			t.Fatalf("restored reservation end: got %d, want %d", got, end)
		}
		pulse := ledger.Entry{Seq: 1 << 40, Timestamp: end, Op: ledger.OpPulse}
		for _, m := range []*payments.Machine{s.M, restored} {
			if _, err := m.Apply(pulse, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := m.Payment(p.UETR); got.Status != payments.StatusExpired {
				t.Fatalf("at the new end: got %s, want expired", got.Status)
			}
		}
		if string(MustSnapshot(t, s.M)) != string(MustSnapshot(t, restored)) {
			t.Fatal("the original and the restored machine differ after the same pulse")
		}
	})
	t.Run("payments no longer reserved, or not moved, are left alone", func(t *testing.T) {
		s := NewNetwork(t)
		done := s.Pay(150_000_00)
		MustReply[*payments.Payment](t, s.Accept(done.UETR, done.Receiver))
		same := s.Pay(160_000_00)
		res := MustReply[*payments.RescheduleResult](t, s.Do(&payments.RescheduleDeadlines{Payments: []payments.Reschedule{
			{UETR: done.UETR, ValueDate: "2026-03-12", Deadline: done.Deadline.Add(time.Hour)},
			{UETR: same.UETR, ValueDate: same.ValueDate, Deadline: same.Deadline},
			{UETR: s.NewID(), ValueDate: "2026-03-12", Deadline: done.Deadline},
		}, By: "operator"}))
		if len(res.Moved) != 0 || len(res.Unchanged) != 3 {
			t.Fatalf("got moved %v unchanged %v, want none moved and 3 unchanged", res.Moved, res.Unchanged)
		}
		if got, _ := s.M.Payment(same.UETR); got.Reservation != 0 || len(got.Events) != len(same.Events) {
			t.Fatalf("unmoved payment changed: %+v", got)
		}
	})
	t.Run("one past the most a command moves is refused whole", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		many := make([]payments.Reschedule, payments.ReschedulePaymentsMax+1)
		for i := range many {
			many[i] = payments.Reschedule{UETR: p.UETR, ValueDate: "2026-03-12", Deadline: p.Deadline.Add(time.Hour)}
		}
		MustRefusal(t, s.Do(&payments.RescheduleDeadlines{Payments: many, By: "operator"}), "reschedule_too_large")
		if got, _ := s.M.Payment(p.UETR); got.Reservation != 0 {
			t.Fatalf("refused command moved the payment: reservation %d", got.Reservation)
		}
	})
}

func TestPaymentGoesThroughTheQuotesFXProvider(t *testing.T) {
	s := NewNetwork(t)
	const otherFX = "FXTWRUMM"
	s.AddParticipant(otherFX, []money.Code{codeRUB, codeIRR}, nil, payments.RoleFXProvider)
	s.Fund(otherFX, codeIRR, fundingFXIRR)
	q := s.Quote(150_000_00)
	c := CorridorRUBIRR()
	c.FXProvider = otherFX
	s.PutCorridor(c)
	p := MustReply[*payments.Payment](t, s.Do(s.PayCmd(q)))
	if p.FXProvider != bankFX {
		t.Fatalf("FX provider: got %s, want the quote's %s", p.FXProvider, bankFX)
	}
	if next := MustReply[*payments.Payment](t, s.Do(s.PayCmd(s.Quote(150_000_00)))); next.FXProvider != otherFX {
		t.Fatalf("a new quote's FX provider: got %s, want %s", next.FXProvider, otherFX)
	}
	MustBalance(t, s.M)
}
