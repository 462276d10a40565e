package payments_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// SampleList returns version v of a list, with a file hash made of tag.
func SampleList(name string, v int, tag string) payments.ScreeningList {
	return payments.ScreeningList{Name: name, Version: v, Format: "un-xml", Records: 3,
		SHA256: strings.Repeat(tag, 64/len(tag)), Review: 0.8, Block: 0.95, ImportedBy: "operator"}
}

// ScreeningOf returns a screening whose one hit asks for action, on the
// creditor's name.
func ScreeningOf(action string) *payments.Screening {
	s := &payments.Screening{Action: action, Lists: []string{"UN@1"}}
	if action == payments.ScreeningPass {
		return s
	}
	score := 0.85
	if action == payments.ScreeningBlock {
		score = 0.97
	}
	s.Hits = []payments.ScreeningHit{{Field: "creditor.name", Queried: "Reza Ahmadi", List: "UN", ListVersion: 1,
		EntryID: "IRi.001", EntryName: "Reza AHMADI", Matched: "Reza AHMADI", Score: score, Action: action}}
	return s
}

// PayScreened sends a payment on a fresh quote of sourceAmount whose
// screening asked for action.
func (s *Switch) PayScreened(sourceAmount uint64, action string) *payments.Payment {
	s.tb.Helper()
	c := s.PayCmd(s.Quote(sourceAmount))
	c.Screening = ScreeningOf(action)
	return MustReply[*payments.Payment](s.tb, s.Do(c))
}

func TestScreeningOutcomes(t *testing.T) {
	t.Run("a clear screening reserves as usual and says what was screened", func(t *testing.T) {
		s := NewNetwork(t)
		before := LedgerView(t, s.M)
		p := s.PayScreened(150_000_00, payments.ScreeningPass)
		if p.Status != payments.StatusReserved {
			t.Fatalf("got status %s, want reserved", p.Status)
		}
		MustLedger(t, s.M, before, phaseReserved, p)
		if got, want := eventNames(*p), []string{"received", "screened", "reserved"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got events %v, want %v", got, want)
		}
		if d := p.Events[1].Detail; !strings.Contains(d, "UN@1") {
			t.Errorf("got the screened event %q, want it to name the list UN@1", d)
		}
	})

	t.Run("a block rejects with RR04, reserves nothing and spends the quote", func(t *testing.T) {
		s := NewNetwork(t)
		before, transfers := LedgerView(t, s.M), s.M.Ledger.TransfersCount()
		q := s.Quote(150_000_00)
		c := s.PayCmd(q)
		c.Screening = ScreeningOf(payments.ScreeningBlock)
		p := MustReply[*payments.Payment](t, s.Do(c))
		if p.Status != payments.StatusRejected || p.Reason != payments.ReasonRegulatory {
			t.Fatalf("got %s %q, want rejected RR04", p.Status, p.Reason)
		}
		if got := LedgerView(t, s.M); !reflect.DeepEqual(got, before) {
			t.Errorf("got ledger %+v, want it unchanged %+v", got, before)
		}
		if got := s.M.Ledger.TransfersCount(); got != transfers {
			t.Errorf("got %d transfers, want %d", got, transfers)
		}
		if got, want := eventNames(*p), []string{"received", "screened", "rejected"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got events %v, want %v", got, want)
		}
		if p.Screening == nil || len(p.Screening.Hits) != 1 || p.Screening.Hits[0].EntryID != "IRi.001" {
			t.Errorf("got screening %+v, want the hit on IRi.001 kept", p.Screening)
		}
		again := s.PayCmd(q)
		MustRefusal(t, s.Do(again), payments.CodeQuoteUsed)
		if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusRejected {
			t.Errorf("got the blocked payment %s on read, want rejected", got.Status)
		}
	})

	t.Run("a block is recorded even past the daily limit", func(t *testing.T) {
		s := NewNetwork(t)
		c := CorridorRUBIRR()
		c.DailyLimitPerDebtor = money.NewAmount(20_000_000_00)
		s.PutCorridor(c)
		s.Pay(10_000_000_00)
		q := s.Quote(15_000_000_00)
		pc := s.PayCmd(q)
		pc.Screening = ScreeningOf(payments.ScreeningBlock)
		if p := MustReply[*payments.Payment](t, s.Do(pc)); p.Reason != payments.ReasonRegulatory {
			t.Errorf("got reason %q, want RR04", p.Reason)
		}
	})

	t.Run("a review holds the payment with its money reserved", func(t *testing.T) {
		s := NewNetwork(t)
		before := LedgerView(t, s.M)
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		if p.Status != payments.StatusHeld {
			t.Fatalf("got status %s, want held", p.Status)
		}
		MustLedger(t, s.M, before, phaseReserved, p)
		if got, want := eventNames(*p), []string{"received", "screened", "held"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got events %v, want %v", got, want)
		}
		held := s.M.Held(0)
		if len(held) != 1 || held[0].UETR != p.UETR {
			t.Errorf("got the review queue %v, want the one held payment", held)
		}
		MustRefusal(t, s.Accept(p.UETR, bankIR), payments.CodeIllegalTransition)
		MustRefusal(t, s.Reject(p.UETR, bankIR, "AC01"), payments.CodeIllegalTransition)
		MustLedger(t, s.M, before, phaseReserved, p)
	})

	t.Run("a screening that asks to hold or block without a hit is refused", func(t *testing.T) {
		s := NewNetwork(t)
		for _, sc := range []*payments.Screening{{Action: payments.ScreeningReview}, {Action: payments.ScreeningBlock}, {Action: "maybe"}} {
			c := s.PayCmd(s.Quote(150_000_00))
			c.Screening = sc
			if r := MustRefusal(t, s.Do(c), "screening_invalid"); r.Field != "screening" {
				t.Errorf("got field %q, want screening", r.Field)
			}
		}
		if n := s.M.PaymentsCount(); n != 0 {
			t.Errorf("got %d payments, want none", n)
		}
	})
}

func TestReviewDecisions(t *testing.T) {
	decide := func(s *Switch, uetr ledger.ID, decision, comment string) any {
		return s.Do(&payments.DecideReview{UETR: uetr, Decision: decision, By: "compliance-1", Comment: comment})
	}

	t.Run("approving releases the payment to the receiving bank", func(t *testing.T) {
		s := NewNetwork(t)
		before := LedgerView(t, s.M)
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		got := MustReply[*payments.Payment](t, decide(s, p.UETR, payments.DecisionApprove, "namesake, other date of birth"))
		if got.Status != payments.StatusReserved {
			t.Fatalf("got %s, want reserved", got.Status)
		}
		last := got.Events[len(got.Events)-1]
		if last.Event != "approved" || last.By != "compliance-1" || last.Detail != "namesake, other date of birth" {
			t.Errorf("got the last event %+v, want approved by compliance-1 with the comment", last)
		}
		if n := len(s.M.Held(0)); n != 0 {
			t.Errorf("got %d held, want the queue empty", n)
		}
		MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
		MustLedger(t, s.M, before, phasePosted, p)
		audit := s.M.ScreeningAudit()
		if len(audit) != 1 || audit[0].Action != "approved" || audit[0].Subject != p.UETR.String() || audit[0].By != "compliance-1" {
			t.Errorf("got audit %+v, want one approval of %s", audit, p.UETR)
		}
	})

	t.Run("rejecting voids the reservation with RR04", func(t *testing.T) {
		s := NewNetwork(t)
		before := LedgerView(t, s.M)
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		got := MustReply[*payments.Payment](t, decide(s, p.UETR, payments.DecisionReject, "the listed person"))
		if got.Status != payments.StatusRejected || got.Reason != payments.ReasonRegulatory {
			t.Fatalf("got %s %q, want rejected RR04", got.Status, got.Reason)
		}
		MustLedger(t, s.M, before, phaseNone, p)
		if got := LegStates(s.M, p); got != [3]ledger.PendingState{ledger.PendingVoided, ledger.PendingVoided, ledger.PendingVoided} {
			t.Errorf("got legs %v, want voided", got)
		}
		if a := s.M.ScreeningAudit(); len(a) != 1 || a[0].Action != "rejected" || a[0].Detail != "the listed person" {
			t.Errorf("got audit %+v, want one rejection with the comment", a)
		}
	})

	t.Run("a held payment not decided in time expires and leaves the queue", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		s.At(time.Unix(0, int64(ReservationExpiry(t, s.M, p))))
		s.Pulse()
		got := MustPayment(t, s.M, p.UETR)
		if got.Status != payments.StatusExpired || got.Reason != "AB05" {
			t.Fatalf("got %s %q, want expired AB05", got.Status, got.Reason)
		}
		i := slices.IndexFunc(got.Events, func(e payments.Event) bool { return e.Event == "expired" })
		if i < 0 || !strings.Contains(got.Events[i].Detail, "review") {
			t.Errorf("got events %+v, want an expiry that says the review was not decided", got.Events)
		}
		if n := len(s.M.Held(0)); n != 0 {
			t.Errorf("got %d held, want none", n)
		}
		MustRefusal(t, decide(s, p.UETR, payments.DecisionApprove, ""), payments.CodeReviewNotHeld)
	})

	for _, tc := range []struct {
		rule     string
		decision string
		comment  string
		code     string
		field    string
	}{
		{"a decision is approve or reject", "maybe", "", payments.CodeDecisionUnknown, "decision"},
		{"a comment is at most ReviewCommentLenMax characters", payments.DecisionApprove,
			strings.Repeat("я", payments.ReviewCommentLenMax+1), payments.CodeReviewCommentLong, "comment"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			s := NewNetwork(t)
			p := s.PayScreened(150_000_00, payments.ScreeningReview)
			if r := MustRefusal(t, decide(s, p.UETR, tc.decision, tc.comment), tc.code); r.Field != tc.field {
				t.Errorf("got field %q, want %q", r.Field, tc.field)
			}
			if got := MustPayment(t, s.M, p.UETR); got.Status != payments.StatusHeld || len(got.Events) != len(p.Events) {
				t.Errorf("got %s with %d events, want it held and unchanged", got.Status, len(got.Events))
			}
		})
	}

	t.Run("a comment of exactly ReviewCommentLenMax characters is taken", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		MustReply[*payments.Payment](t, decide(s, p.UETR, payments.DecisionApprove, strings.Repeat("я", payments.ReviewCommentLenMax)))
	})

	t.Run("only a held payment is decided", func(t *testing.T) {
		s := NewNetwork(t)
		p := s.Pay(150_000_00)
		MustRefusal(t, decide(s, p.UETR, payments.DecisionReject, ""), payments.CodeReviewNotHeld)
		MustRefusal(t, decide(s, s.NewID(), payments.DecisionReject, ""), payments.CodePaymentNotFound)
	})
}

func TestLists(t *testing.T) {
	t.Run("versions follow one another from 1", func(t *testing.T) {
		s := NewNetwork(t)
		MustRefusal(t, s.Do(&payments.PutList{List: SampleList("UN", 2, "a")}), payments.CodeListVersionStale)
		MustReply[*payments.ScreeningList](t, s.Do(&payments.PutList{List: SampleList("UN", 1, "a")}))
		MustRefusal(t, s.Do(&payments.PutList{List: SampleList("UN", 1, "b")}), payments.CodeListVersionStale)
		MustRefusal(t, s.Do(&payments.PutList{List: SampleList("UN", 3, "b")}), payments.CodeListVersionStale)
		got := MustReply[*payments.ScreeningList](t, s.Do(&payments.PutList{List: SampleList("UN", 2, "b")}))
		if got.Version != 2 || !got.ImportedAt.Equal(s.Now().Add(-time.Nanosecond)) && got.ImportedAt.IsZero() {
			t.Errorf("got %+v, want version 2 with its import time", got)
		}
		if vs := s.M.ListVersions("UN"); len(vs) != 2 || vs[0].SHA256 == vs[1].SHA256 {
			t.Errorf("got versions %+v, want both kept", vs)
		}
		if ls := s.M.Lists(); len(ls) != 1 || ls[0].Version != 2 {
			t.Errorf("got current lists %+v, want UN@2", ls)
		}
	})

	t.Run("the current version's thresholds change in place and are audited", func(t *testing.T) {
		s := NewNetwork(t)
		first := MustReply[*payments.ScreeningList](t, s.Do(&payments.PutList{List: SampleList("UN", 1, "a")}))
		s.Advance(time.Hour)
		l := SampleList("UN", 1, "a")
		l.Review, l.Block, l.ImportedBy = 0.7, 0.9, "compliance-2"
		got := MustReply[*payments.ScreeningList](t, s.Do(&payments.PutList{List: l}))
		if got.Review != 0.7 || got.Block != 0.9 || !got.ImportedAt.Equal(first.ImportedAt) || got.ImportedBy != "operator" {
			t.Errorf("got %+v, want new thresholds and the first import's time and author", got)
		}
		a := s.M.ScreeningAudit()
		if len(a) != 2 || a[1].Action != "thresholds_changed" || a[1].By != "compliance-2" || a[1].Subject != "UN@1" {
			t.Errorf("got audit %+v, want the import, then the change by compliance-2", a)
		}
	})

	for _, tc := range []struct {
		rule string
		edit func(l *payments.ScreeningList)
	}{
		{"a list has a name", func(l *payments.ScreeningList) { l.Name = "" }},
		{"a list's name is letters, digits, '.', '_' and '-'", func(l *payments.ScreeningList) { l.Name = "UN list" }},
		{"a list's name is at most ListNameLenMax bytes", func(l *payments.ScreeningList) {
			l.Name = strings.Repeat("A", payments.ListNameLenMax+1)
		}},
		{"a list has its file's hash", func(l *payments.ScreeningList) { l.SHA256 = "" }},
		{"review is above zero", func(l *payments.ScreeningList) { l.Review = 0 }},
		{"review is at most block", func(l *payments.ScreeningList) { l.Review = 0.96 }},
		{"block is at most one", func(l *payments.ScreeningList) { l.Block = 1.01 }},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			s := NewNetwork(t)
			l := SampleList("UN", 1, "a")
			tc.edit(&l)
			MustRefusal(t, s.Do(&payments.PutList{List: l}), payments.CodeListInvalid)
			if n := len(s.M.Lists()); n != 0 {
				t.Errorf("got %d lists, want none", n)
			}
		})
	}

	t.Run("a new version keeps the review queue", func(t *testing.T) {
		s := NewNetwork(t)
		s.Do(&payments.PutList{List: SampleList("UN", 1, "a")})
		p := s.PayScreened(150_000_00, payments.ScreeningReview)
		s.Do(&payments.PutList{List: SampleList("UN", 2, "b")})
		held := s.M.Held(0)
		if !slices.ContainsFunc(held, func(h payments.Payment) bool { return h.UETR == p.UETR }) {
			t.Errorf("got the queue %v after a new list version, want the held payment in it", held)
		}
	})
}

func TestAuditLog(t *testing.T) {
	h := NewHistory(t)
	n, head, err := h.M.VerifyAudit()
	if err != nil || n == 0 || len(head) != 64 {
		t.Fatalf("VerifyAudit: got %d records, head %q, %v; want a chain", n, head, err)
	}
	actions := map[string]bool{}
	for _, r := range h.M.Audit(0) {
		actions[r.Action] = true
	}
	for _, want := range []string{"participant_created", "key_added", "key_revoked", "rates_set", "corridor_changed", "list_imported",
		"thresholds_changed", "approved", "rejected"} {
		if !actions[want] {
			t.Errorf("the audit log has no %s", want)
		}
	}

	t.Run("a refused operator command is recorded with its code", func(t *testing.T) {
		s := NewNetwork(t)
		s.Do(&payments.CreateParticipant{ID: bankRU, Name: "again", Country: "RU", KeyID: "k-again"})
		log := s.M.Audit(0)
		last := log[len(log)-1]
		if last.Action != "participant_created" || last.Subject != bankRU || last.Outcome != payments.CodeParticipantExists {
			t.Errorf("got %+v, want the refused creation with its code", last)
		}
	})

	t.Run("an action of the edge is recorded", func(t *testing.T) {
		s := NewNetwork(t)
		rec := MustReply[*payments.AuditRecord](t, s.Do(&payments.RecordAction{Action: "calendar_changed", Subject: "IR", Detail: "closure 2026-03-05"}))
		if rec.By != "operator" || rec.Seq == 0 || rec.Prev == "" {
			t.Errorf("got %+v, want a chained record by the operator", rec)
		}
		MustRefusal(t, s.Do(&payments.RecordAction{Action: ""}), "action_invalid")
		MustRefusal(t, s.Do(&payments.RecordAction{Action: "x", Detail: strings.Repeat("d", payments.AuditDetailLenMax+1)}), "detail_too_long")
	})

	t.Run("an edited record breaks the chain", func(t *testing.T) {
		snap := MustSnapshot(t, h.M)
		edited := bytes.Replace(snap, []byte(`"by":"compliance-1"`), []byte(`"by":"compliance-9"`), 1)
		if bytes.Equal(edited, snap) {
			edited = bytes.Replace(snap, []byte(`"action":"key_revoked"`), []byte(`"action":"key_rotated"`), 1)
		}
		if bytes.Equal(edited, snap) {
			t.Fatal("found no audit record to edit in the snapshot")
		}
		m := MustRestore(t, edited)
		if _, _, err := m.VerifyAudit(); err == nil {
			t.Error("VerifyAudit of an edited log: got no error")
		}
	})
}
