package payments_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// History is a scenario's switch and the payments it names.
type History struct {
	*Switch
	UETR map[string]ledger.ID
	// Reserved is the number of entries after which the payment "due"
	// is reserved, and before it expires.
	Reserved int
}

// NewHistory plays a history that leaves something in every part of the
// state: keys added and revoked, a daily limit in use, payments completed,
// rejected, returned and expired, refusals under idempotency keys, a
// deadline written in Moscow time, rates that moved, a payment
// reserved that then expires, and credentials registered and revoked with
// a signed payment.
func NewHistory(tb testing.TB) *History {
	tb.Helper()
	s := NewNetwork(tb)
	h := &History{Switch: s, UETR: map[string]ledger.ID{}}
	s.Do(&payments.AddKey{Participant: bankRU, KeyID: "key-2-" + bankRU, KeyHash: sha256.Sum256([]byte("two"))})
	s.Do(&payments.RevokeKey{Participant: bankRU, KeyID: "key-" + bankRU})
	c := CorridorRUBIRR()
	c.DailyLimitPerDebtor = money.NewAmount(50_000_000_00)
	s.PutCorridor(c)

	p := s.Pay(150_000_00)
	h.UETR["completed"] = p.UETR
	MustReply[*payments.Payment](tb, s.Accept(p.UETR, bankIR))

	s.Advance(time.Minute)
	p = s.Pay(250_000_00)
	h.UETR["rejected"] = p.UETR
	MustReply[*payments.Payment](tb, s.Reject(p.UETR, bankIR, "AC01"))

	p = s.Pay(1_000_000_00)
	h.UETR["returned"] = p.UETR
	MustReply[*payments.Payment](tb, s.Accept(p.UETR, bankIR))
	s.Advance(time.Hour)
	MustReply[*payments.Payment](tb, s.Return(p.UETR, bankIR, "AC04"))

	// Refusals, remembered under their keys.
	q := s.Quote(300_000_00)
	s.Advance(10 * time.Minute)
	MustRefusal(tb, s.Do(s.PayCmd(q)), payments.CodeQuoteExpired)
	s.AddParticipant("OKABRUMM", []money.Code{codeRUB}, map[money.Code]money.Amount{codeRUB: money.NewAmount(100_000_00)})
	q = MustReply[*payments.Quote](tb, s.Do(s.QuoteCmd("OKABRUMM", bankIR, codeRUB, codeIRR, 90_000_00, 0)))
	MustRefusal(tb, s.Do(s.PayCmd(q)), payments.CodeNetDebitCapExceeded)

	// The way back, IRR->RUB.
	q = MustReply[*payments.Quote](tb, s.Do(s.QuoteCmd(bankIR, bankRU, codeIRR, codeRUB, 0, 500_000_00)))
	p = MustReply[*payments.Payment](tb, s.Do(s.PayCmd(q)))
	h.UETR["back"] = p.UETR
	MustReply[*payments.Payment](tb, s.Accept(p.UETR, bankRU))

	// A deadline in Moscow time, as the calendars give it.
	qc := s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 420_000_00, 0)
	qc.Deadline = qc.Deadline.Add(24 * time.Hour).In(time.FixedZone("MSK", 3*60*60))
	p = MustReply[*payments.Payment](tb, s.Do(s.PayCmd(MustReply[*payments.Quote](tb, s.Do(qc)))))
	h.UETR["moscow"] = p.UETR

	p = s.Pay(700_000_00)
	h.UETR["expired"] = p.UETR
	s.At(time.Unix(0, int64(ReservationExpiry(tb, s.M, p))))
	s.Pulse()

	s.SetRate(codeRUB, codeIRR, "530.10", "manual", s.Now())
	s.Fund(bankRU, codeRUB, 5_000_000_00)

	// Due in a minute: reserved now, expired after the next entries.
	qc = s.QuoteCmd(bankRU, bankIR, codeRUB, codeIRR, 80_000_00, 0)
	qc.Deadline = s.Now().Add(time.Minute)
	p = MustReply[*payments.Payment](tb, s.Do(s.PayCmd(MustReply[*payments.Quote](tb, s.Do(qc)))))
	h.UETR["due"] = p.UETR
	h.Reserved = len(s.Entries)

	s.Advance(30 * time.Second)
	MustReply[*payments.Payment](tb, s.Accept(h.UETR["moscow"], bankIR))
	s.Advance(time.Minute)
	s.Pulse()
	if got := MustPayment(tb, s.M, h.UETR["due"]); got.Status != payments.StatusExpired {
		tb.Fatalf("history: got the due payment %s, want expired", got.Status)
	}
	// Screening: a list and a change of its thresholds, a blocked
	// payment, held payments approved, rejected, and still held.
	s.Do(&payments.PutList{List: SampleList("UN", 1, "a")})
	s.Do(&payments.PutList{List: SampleList("OFAC-SDN", 1, "b")})
	th := SampleList("UN", 1, "a")
	th.Review, th.Block = 0.75, 0.9
	MustReply[*payments.ScreeningList](tb, s.Do(&payments.PutList{List: th}))
	h.UETR["blocked"] = s.PayScreened(95_000_00, payments.ScreeningBlock).UETR
	h.UETR["approved"] = s.PayScreened(96_000_00, payments.ScreeningReview).UETR
	MustReply[*payments.Payment](tb, s.Do(&payments.DecideReview{UETR: h.UETR["approved"], Decision: payments.DecisionApprove, By: "operator"}))
	h.UETR["declined"] = s.PayScreened(97_000_00, payments.ScreeningReview).UETR
	MustReply[*payments.Payment](tb, s.Do(&payments.DecideReview{UETR: h.UETR["declined"], Decision: payments.DecisionReject, By: "operator", Comment: "a listed party"}))
	h.UETR["held"] = s.PayScreened(98_000_00, payments.ScreeningReview).UETR
	h.UETR["clear"] = s.PayScreened(99_000_00, payments.ScreeningPass).UETR

	// Trade: a payment released in part, another wholly.
	s.AddParticipant(carrier, nil, nil, payments.RoleCarrier)
	h.UETR["trade-part"] = MustReply[*payments.Payment](tb, s.PayTrade(120_000_00, s.TradeTerms("SHIP-H1"))).UETR
	h.UETR["trade-whole"] = MustReply[*payments.Payment](tb, s.PayTrade(130_000_00, s.TradeTerms("SHIP-H2"))).UETR
	MustReply[*payments.MilestoneResult](tb, s.Report("SHIP-H1", "loaded"))
	MustReply[*payments.MilestoneResult](tb, s.Report("SHIP-H2", "arrived"))

	// Credentials: certificates registered and revoked, signing keys
	// registered and revoked, signatures required, and a signed payment.
	notAfter := s.Now().AddDate(1, 0, 0)
	MustReply[*payments.Certificate](tb, s.Do(CertCmd(bankRU, "history-1", notAfter)))
	MustReply[*payments.Certificate](tb, s.Do(CertCmd(bankIR, "history-2", notAfter)))
	MustReply[*payments.Certificate](tb, s.Do(&payments.RevokeCertificate{Participant: bankRU, Fingerprint: CertCmd(bankRU, "history-1", notAfter).Fingerprint}))
	MustReply[*payments.SigningKey](tb, s.Do(KeyCmd(bankRU, "ed-1", payments.AlgEdDSA, "history-ed")))
	MustReply[*payments.SigningKey](tb, s.Do(KeyCmd(bankRU, "p256-1", payments.AlgES256, "history-p256")))
	MustReply[*payments.SigningKey](tb, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "p256-1"}))
	MustReply[*payments.Participant](tb, s.Do(&payments.SetSignaturePolicy{Participant: bankRU, RequireSignatures: true}))
	signed := s.PayCmd(s.Quote(91_000_00))
	signed.Signature = &payments.Signature{KeyID: "ed-1", Alg: payments.AlgEdDSA, JWS: "eyJhbGciOiJFZERTQSJ9.e30.c2ln"}
	h.UETR["signed"] = MustReply[*payments.Payment](tb, s.Do(signed)).UETR

	p = s.Pay(90_000_00)
	h.UETR["open"] = p.UETR
	return h
}

// MustSnapshot returns a machine's snapshot.
func MustSnapshot(tb testing.TB, m *payments.Machine) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := m.WriteSnapshot(&b); err != nil {
		tb.Fatalf("WriteSnapshot: %v", err)
	}
	return b.Bytes()
}

// MustRestore restores a machine from a snapshot.
func MustRestore(tb testing.TB, snap []byte) *payments.Machine {
	tb.Helper()
	m, err := payments.RestoreMachine(bytes.NewReader(snap), ledger.Options{})
	if err != nil {
		tb.Fatalf("RestoreMachine: %v", err)
	}
	return m
}

// MustApply applies entries to m, decoded as given (nil to decode the
// payloads), and returns the replies.
func MustApply(tb testing.TB, m *payments.Machine, entries []ledger.Entry, decoded []any) []any {
	tb.Helper()
	replies := make([]any, len(entries))
	for i, e := range entries {
		var d any
		if decoded != nil {
			d = decoded[i]
		}
		reply, err := m.Apply(e, d)
		if err != nil {
			tb.Fatalf("entry %d: %v", e.Seq, err)
		}
		replies[i] = reply
	}
	return replies
}

// MustSameReplies fails unless two lists of replies say the same.
func MustSameReplies(tb testing.TB, got, want []any, entries []ledger.Entry) {
	tb.Helper()
	for i := range want {
		g, err1 := json.Marshal(got[i])
		w, err2 := json.Marshal(want[i])
		if err1 != nil || err2 != nil {
			tb.Fatalf("entry %d: marshal replies: %v, %v", entries[i].Seq, err1, err2)
		}
		if !bytes.Equal(g, w) {
			tb.Errorf("entry %d (op %d): got reply %s, want %s", entries[i].Seq, entries[i].Op, g, w)
		}
	}
}

// firstDifference describes where two snapshots part.
func firstDifference(got, want []byte) string {
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	from := max(i-40, 0)
	return fmt.Sprintf("at byte %d: got ...%q..., want ...%q...", i, got[from:min(i+80, len(got))], want[from:min(i+80, len(want))])
}

// MustSameSnapshot fails unless two snapshots are byte-identical.
func MustSameSnapshot(tb testing.TB, got, want []byte) {
	tb.Helper()
	if !bytes.Equal(got, want) {
		tb.Fatalf("snapshots differ (%d and %d bytes) %s", len(got), len(want), firstDifference(got, want))
	}
}

func TestSnapshotIsDeterministic(t *testing.T) {
	h := NewHistory(t)
	want := MustSnapshot(t, h.M)
	for _, tc := range []struct {
		name    string
		decoded bool
	}{
		{"the same entries applied again", true},
		{"the same entries decoded from their payloads", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := payments.NewMachine(ledger.Options{})
			var decoded []any
			if tc.decoded {
				decoded = h.Decoded
			}
			MustApply(t, m, h.Entries, decoded)
			MustSameSnapshot(t, MustSnapshot(t, m), want)
		})
	}
	t.Run("writing twice writes the same", func(t *testing.T) {
		MustSameSnapshot(t, MustSnapshot(t, h.M), want)
	})
}

func TestRestoreContinuesIdentically(t *testing.T) {
	h := NewHistory(t)
	final := MustSnapshot(t, h.M)
	for cut := 1; cut <= len(h.Entries); cut++ {
		m := payments.NewMachine(ledger.Options{})
		MustApply(t, m, h.Entries[:cut], nil)
		snap := MustSnapshot(t, m)
		restored := MustRestore(t, snap)
		// A restored machine writes the snapshot it was restored from.
		MustSameSnapshot(t, MustSnapshot(t, restored), snap)
		if got, want := restored.LastTimestamp(), m.LastTimestamp(); got != want {
			t.Fatalf("cut %d: got last timestamp %d, want %d", cut, got, want)
		}
		// And continues as the original does, reply for reply.
		rest := h.Entries[cut:]
		want := MustApply(t, m, rest, nil)
		got := MustApply(t, restored, rest, nil)
		MustSameReplies(t, got, want, rest)
		MustBalance(t, restored)
		MustSameSnapshot(t, MustSnapshot(t, restored), final)
		if t.Failed() {
			t.Fatalf("cut %d of %d", cut, len(h.Entries))
		}
	}

	t.Run("a reserved payment expires after a restore", func(t *testing.T) {
		m := payments.NewMachine(ledger.Options{})
		MustApply(t, m, h.Entries[:h.Reserved], nil)
		restored := MustRestore(t, MustSnapshot(t, m))
		due := MustPayment(t, restored, h.UETR["due"])
		if due.Status != payments.StatusReserved {
			t.Fatalf("got the due payment %s after the restore, want reserved", due.Status)
		}
		at := ReservationExpiry(t, restored, &due)
		if next, ok := restored.NextExpiry(); !ok || next > at {
			t.Errorf("got NextExpiry %d %v, want at most the reservation's end %d", next, ok, at)
		}
		MustApply(t, restored, h.Entries[h.Reserved:], nil)
		if got := MustPayment(t, restored, h.UETR["due"]); got.Status != payments.StatusExpired {
			t.Errorf("got the due payment %s, want expired", got.Status)
		}
		if got := LegStates(restored, &due); got != [3]ledger.PendingState{ledger.PendingExpired, ledger.PendingExpired, ledger.PendingExpired} {
			t.Errorf("got legs %v, want all expired", got)
		}
	})

	t.Run("a snapshot that is not one is refused", func(t *testing.T) {
		snap := MustSnapshot(t, h.M)
		for _, tc := range []struct {
			name string
			b    []byte
		}{
			{"empty", nil},
			{"another magic", append([]byte("ASTARA-LEDGER-SNAPSHOT"), snap[10:]...)},
			{"cut in the ledger", snap[:len(snap)/2]},
			{"cut in the payments state", snap[:len(snap)-10]},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := payments.RestoreMachine(bytes.NewReader(tc.b), ledger.Options{}); err == nil {
					t.Errorf("RestoreMachine: got no error")
				}
			})
		}
	})
}
