package payments_test

import (
	"testing"
	"time"

	"astara/payments"
)

func TestRetention(t *testing.T) {
	t.Run("a quote is forgotten a day after it expires", func(t *testing.T) {
		s := NewNetwork(t)
		q := s.Quote(150_000_00)
		s.At(q.ExpiresAt.Add(payments.QuoteRetention))
		MustRefusal(t, s.Do(s.PayCmd(q)), payments.CodeQuoteExpired)
		s.At(q.ExpiresAt.Add(payments.QuoteRetention + time.Nanosecond))
		MustRefusal(t, s.Do(s.PayCmd(q)), payments.CodeQuoteNotFound)
		if _, ok := s.M.Quote(q.ID); ok {
			t.Fatal("the quote is still kept past its retention")
		}
	})
	t.Run("an idempotency key is remembered for its retention, then forgotten", func(t *testing.T) {
		s := NewNetwork(t)
		cmd := s.PayCmd(s.Quote(150_000_00))
		first := MustReply[*payments.Payment](t, s.Do(cmd))
		s.At(first.CreatedAt.Add(payments.IdempotencyRetention))
		if again := MustReply[*payments.Payment](t, s.Do(cmd)); again.UETR != first.UETR {
			t.Fatalf("retry within the retention: got %s, want the first payment %s", again.UETR, first.UETR)
		}
		s.At(first.CreatedAt.Add(payments.IdempotencyRetention + time.Nanosecond))
		// Forgotten: the retry is a new request, whose quote is long gone.
		MustRefusal(t, s.Do(cmd), payments.CodeQuoteNotFound)
	})
	t.Run("a restored machine prunes exactly as the original", func(t *testing.T) {
		s := NewNetwork(t)
		for i := 0; i < 5; i++ {
			s.SetRate(codeRUB, codeIRR, rateRUBIR, "manual", s.Now())
			s.Pay(uint64(100_000_00 + i))
			s.Advance(7 * time.Hour)
		}
		restored := MustRestore(t, MustSnapshot(t, s.M))
		from := len(s.Entries)
		s.Advance(2 * 24 * time.Hour)
		// The next quote prunes the expired quotes and the old daily sums,
		// in both machines alike.
		s.SetRate(codeRUB, codeIRR, rateRUBIR, "manual", s.Now())
		s.Pay(150_000_00)
		for _, e := range s.Entries[from:] {
			if _, err := restored.Apply(e, nil); err != nil {
				t.Fatal(err)
			}
		}
		if string(MustSnapshot(t, s.M)) != string(MustSnapshot(t, restored)) {
			t.Fatal("the original and the restored machine differ after pruning")
		}
	})
}
