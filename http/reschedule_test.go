package http_test

import (
	"net/http"
	"testing"
)

func TestClosureMovesReservedPayments(t *testing.T) {
	n := newNetwork(t)
	p := n.SendRUB(t, "150000.00")
	if p.ValueDate != "2026-03-10" {
		t.Fatalf("before the closure: got value date %s, want 2026-03-10", p.ValueDate)
	}
	done := n.SendRUB(t, "160000.00")
	n.MustAnswer(t, caspian, done.UETR, "accept", "")

	var c closureOut
	MustJSON(t, n.Do(t, "POST", "/v1/calendars/IR/closures", closureIn{Date: "2026-03-10", Name: "Power cuts"}), http.StatusCreated, &c)
	if c.Rescheduled != 1 {
		t.Fatalf("rescheduled: got %d, want 1 (the reserved payment, not the completed one)", c.Rescheduled)
	}
	got := n.MustPayment(t, volga, p.UETR)
	if got.ValueDate != "2026-03-12" || got.Deadline != "2026-03-12T12:30:00+03:30" || got.Status != "reserved" {
		t.Fatalf("after the closure: got %s %s %s, want 2026-03-12 2026-03-12T12:30:00+03:30 reserved (11 March is 21 Ramadan; Thursday is short)", got.ValueDate, got.Deadline, got.Status)
	}
	if last := got.Events[len(got.Events)-1]; last.Event != "deadline_changed" || last.By != "operator" {
		t.Fatalf("last event: got %+v, want deadline_changed by operator", last)
	}
	if unchanged := n.MustPayment(t, volga, done.UETR); unchanged.ValueDate != "2026-03-10" {
		t.Fatalf("the completed payment moved: value date %s", unchanged.ValueDate)
	}
	if a := n.MustAnswer(t, caspian, p.UETR, "accept", ""); a.Status != "completed" {
		t.Fatalf("accept after the move: got %s, want completed", a.Status)
	}
}

func TestCalendarAuditListsEveryChange(t *testing.T) {
	n := newNetwork(t)
	var before struct {
		Changes []struct {
			Version   uint64 `json:"version"`
			Country   string `json:"country"`
			Action    string `json:"action"`
			What      string `json:"what"`
			ChangedBy string `json:"changed_by"`
			ChangedAt string `json:"changed_at"`
			Added     int    `json:"added"`
			Removed   int    `json:"removed"`
		} `json:"changes"`
	}
	MustJSON(t, n.Do(t, "GET", "/v1/calendars/audit", nil), http.StatusOK, &before)
	if len(before.Changes) == 0 || before.Changes[0].ChangedBy != "startup" {
		t.Fatalf("before: got %+v, want the shipped data loaded at start-up", before.Changes)
	}
	MustJSON(t, n.Do(t, "POST", "/v1/calendars/IR/closures", closureIn{Date: "2026-03-10", Name: "Power cuts"}), http.StatusCreated, &closureOut{})
	after := before
	MustJSON(t, n.Do(t, "GET", "/v1/calendars/audit", nil), http.StatusOK, &after)
	if len(after.Changes) != len(before.Changes)+1 {
		t.Fatalf("after: got %d changes, want %d", len(after.Changes), len(before.Changes)+1)
	}
	if last := after.Changes[len(after.Changes)-1]; last.Country != "IR" || last.ChangedBy != "operator" {
		t.Fatalf("the closure's record: got %+v, want IR by operator", last)
	}
	MustProblem(t, n.As(t, volga, "GET", "/v1/calendars/audit", nil), http.StatusUnauthorized, "invalid_token", "")
}
