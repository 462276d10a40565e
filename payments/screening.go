package payments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"astara/ledger"
	"astara/money"
)

// Screening is what the switch found when it checked a payment's parties
// against the lists, before any money was reserved. It is decided at the
// edge, against the lists loaded there, and travels in the CreatePayment
// command, so that a replay reaches the same outcome without the lists.
type Screening struct {
	// Action is the strongest any hit asks for: "pass", "review" or
	// "block".
	Action string         `json:"action"`
	Hits   []ScreeningHit `json:"hits,omitempty"`
	// Lists are the list versions screened against, as "NAME@VERSION".
	Lists []string `json:"lists,omitempty"`
}

// The screening actions.
const (
	ScreeningPass   = "pass"
	ScreeningReview = "review"
	ScreeningBlock  = "block"
)

// ReasonRegulatory is the ISO 20022 reason of a payment stopped by
// screening (RR04, regulatory reason).
const ReasonRegulatory = "RR04"

// ScreeningHit is one list entry one of the payment's parties matched.
type ScreeningHit struct {
	// Field is the party's field that matched: "debtor.name",
	// "creditor.name", "debtor_agent.name" (the sending bank),
	// "creditor_agent.name" (the receiving bank).
	Field string `json:"field"`
	// Queried is the party's spelling, as the payment gives it.
	Queried     string `json:"queried"`
	List        string `json:"list"`
	ListVersion int    `json:"list_version"`
	EntryID     string `json:"entry_id"` // the list's own id
	EntryName   string `json:"name"`     // the entry's primary name
	// Matched is the listed spelling that matched: the primary name or an
	// alias.
	Matched string  `json:"matched"`
	Alias   bool    `json:"alias"`
	Score   float64 `json:"score"`
	Action  string  `json:"action"`
}

// ScreeningList is one version of a list the operator loaded. The list's
// file is kept by the edge, under its SHA-256; the machine keeps what the
// record of screening needs.
type ScreeningList struct {
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	Format    string    `json:"format"`
	Published time.Time `json:"published,omitzero"`
	Records   int       `json:"records"`
	SHA256    string    `json:"sha256"`
	// Review and Block are the thresholds of the list's hits.
	Review     float64   `json:"review"`
	Block      float64   `json:"block"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
}

// PutList records a new version of a list, or new thresholds for the
// current one (same Version and SHA256).
type PutList struct {
	List ScreeningList `json:"list"`
}

// DecideReview is an operator's decision on a held payment: "approve" lets
// it go on to the receiving bank; "reject" rejects it with Reason
// (ReasonRegulatory when empty) and releases its reservation.
type DecideReview struct {
	UETR     ledger.ID `json:"uetr"`
	Decision string    `json:"decision"`
	By       string    `json:"by"`
	Comment  string    `json:"comment"`
	Reason   string    `json:"reason,omitempty"`
}

// The decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// ScreeningHitsMax bounds the hits one payment keeps, best first.
const ScreeningHitsMax = 20

// ReviewCommentLenMax bounds an operator's comment, in characters.
const ReviewCommentLenMax = 1000

// ListNameLenMax bounds a list's name, in bytes.
const ListNameLenMax = 64

// ValidListName reports whether name may name a list: 1 to ListNameLenMax
// ASCII letters, digits, '.', '_' and '-' ("OFAC-SDN", "UN", "RU-516").
func ValidListName(name string) bool {
	if name == "" || len(name) > ListNameLenMax {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// AuditRecord is one entry of the operator's audit log (audit.go): a list
// loaded or changed, a held payment decided, a participant created, a
// window settled, a calendar changed, ...
type AuditRecord struct {
	// Seq is the journal entry that made the record.
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"` // "list_imported", "approved", "participant_created", ...
	// Subject is what the action was on: a list ("UN@3"), a payment's
	// UETR, a participant, a window.
	Subject string `json:"subject"`
	Detail  string `json:"detail,omitempty"`
	// Outcome is the refusal's code when the action was refused; empty
	// when it was taken.
	Outcome string `json:"outcome,omitempty"`
	// Prev is the hash of the record before, empty for the first; Hash is
	// the SHA-256 of this record's other fields, in hexadecimal.
	Prev string `json:"prev,omitempty"`
	Hash string `json:"hash"`
}

// Refusal codes of screening.
const (
	CodeListInvalid       = "list_invalid"
	CodeListVersionStale  = "list_version_stale"
	CodeReviewNotHeld     = "payment_not_held"
	CodeDecisionUnknown   = "decision_unknown"
	CodeReviewCommentLong = "comment_too_long"
)

func (m *Machine) putList(c *PutList, now time.Time) any {
	l := c.List
	if !ValidListName(l.Name) {
		return refuse(KindInvalid, CodeListInvalid, "", "list", "a list's name is 1 to %d letters, digits, '.', '_' or '-'; got %q", ListNameLenMax, l.Name)
	}
	if l.Version < 1 || l.SHA256 == "" {
		return refuse(KindInvalid, CodeListInvalid, "", "list", "a list needs a version from 1 and its file's SHA-256")
	}
	if !(0 < l.Review && l.Review <= l.Block && l.Block <= 1) {
		return refuse(KindInvalid, CodeListInvalid, "", "review", "thresholds must satisfy 0 < review <= block <= 1; got review %v, block %v", l.Review, l.Block)
	}
	versions := m.lists[l.Name]
	action, detail := "list_imported", fmt.Sprintf("%s, %d records, published %s, sha256 %s", l.Format, l.Records, dateOrNone(l.Published), l.SHA256)
	if n := len(versions); n > 0 {
		cur := versions[n-1]
		switch {
		case l.Version == cur.Version && l.SHA256 == cur.SHA256:
			action = "thresholds_changed"
			detail = fmt.Sprintf("review %v -> %v, block %v -> %v", cur.Review, l.Review, cur.Block, l.Block)
			l.ImportedAt, l.ImportedBy = cur.ImportedAt, cur.ImportedBy
			versions[n-1] = &l
			m.appendAudit(AuditRecord{At: now, By: c.List.ImportedBy, Action: action, Subject: l.Name + "@" + strconv.Itoa(l.Version), Detail: detail})
			return &l
		case l.Version != cur.Version+1:
			return refuse(KindConflict, CodeListVersionStale, "", "list", "list %s is at version %d; the next is %d, not %d", l.Name, cur.Version, cur.Version+1, l.Version)
		}
	} else if l.Version != 1 {
		return refuse(KindConflict, CodeListVersionStale, "", "list", "list %s is new; its first version is 1, not %d", l.Name, l.Version)
	}
	l.ImportedAt = now
	m.lists[l.Name] = append(versions, &l)
	m.appendAudit(AuditRecord{At: now, By: l.ImportedBy, Action: action, Subject: l.Name + "@" + strconv.Itoa(l.Version), Detail: detail})
	return &l
}

func dateOrNone(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Format(time.DateOnly)
}

// Lists returns the current version of every list, by name.
func (m *Machine) Lists() []ScreeningList {
	out := make([]ScreeningList, 0, len(m.lists))
	for _, vs := range m.lists {
		out = append(out, *vs[len(vs)-1])
	}
	slices.SortFunc(out, func(a, b ScreeningList) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ListVersions returns every version of a list, oldest first.
func (m *Machine) ListVersions(name string) []ScreeningList {
	var out []ScreeningList
	for _, v := range m.lists[name] {
		out = append(out, *v)
	}
	return out
}

// Audit returns the screening audit log, oldest first, from the i-th
// record.
func (m *Machine) Audit(from int) []AuditRecord {
	if from >= len(m.audit) {
		return nil
	}
	return slices.Clone(m.audit[from:])
}

// HeldCount returns how many payments are held for review.
func (m *Machine) HeldCount() int { return len(m.held) }

// Held returns the first limit payments held for review, oldest first;
// all of them for a limit of 0 or less.
func (m *Machine) Held(limit int) []Payment {
	ids := m.held
	if limit > 0 && limit < len(ids) {
		ids = ids[:limit]
	}
	out := make([]Payment, 0, len(ids))
	for _, id := range ids {
		out = append(out, m.payments[id].clone())
	}
	return out
}

// unhold takes a payment off the review queue.
func (m *Machine) unhold(uetr ledger.ID) {
	if i := slices.Index(m.held, uetr); i >= 0 {
		m.held = slices.Delete(m.held, i, i+1)
	}
}

// ReservationEnd returns when a payment's reservation expires, if it has
// one pending.
func (m *Machine) ReservationEnd(p *Payment) (time.Time, bool) {
	at, ok := reservationEnd(m.Ledger, p)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, int64(at)).UTC(), true
}

// screened records a payment's screening on it: the event, and for a
// block the rejection. It reports whether the payment may go on.
func screened(p *Payment, s *Screening, now time.Time) bool {
	if s == nil {
		return true
	}
	p.Screening = s
	switch s.Action {
	case ScreeningBlock, ScreeningReview:
		best := s.Hits[0]
		var fields []string
		for _, h := range s.Hits {
			if h.Score > best.Score {
				best = h
			}
			if !slices.Contains(fields, h.Field) {
				fields = append(fields, h.Field)
			}
		}
		// The entries matched are in the payment's Screening, which the
		// operator reads; the timeline, which the banks read too, names
		// the fields and the list only.
		detail := fmt.Sprintf("%d possible match(es) on %s; the best scores %.4f on list %s", len(s.Hits),
			strings.Join(fields, ", "), best.Score, best.List)
		p.Events = append(p.Events, Event{At: now, Event: "screened", By: SwitchID, Detail: detail})
		if s.Action == ScreeningBlock {
			p.Status = StatusRejected
			p.Reason = ReasonRegulatory
			p.Events = append(p.Events, Event{At: now, Status: StatusRejected, Event: "rejected", By: SwitchID, Reason: ReasonRegulatory,
				Detail: "blocked by screening; no funds were reserved"})
			return false
		}
	default:
		p.Events = append(p.Events, Event{At: now, Event: "screened", By: SwitchID, Detail: "no hits against " + listsOrNone(s.Lists)})
	}
	return true
}

func listsOrNone(l []string) string {
	if len(l) == 0 {
		return "no lists (none loaded)"
	}
	return strings.Join(l, ", ")
}

func validScreening(s *Screening) *Refusal {
	if s == nil {
		return nil
	}
	if len(s.Hits) > ScreeningHitsMax {
		return refuse(KindInvalid, "screening_invalid", "", "screening", "%d hits; at most %d", len(s.Hits), ScreeningHitsMax)
	}
	switch s.Action {
	case ScreeningPass:
		return nil
	case ScreeningReview, ScreeningBlock:
		if len(s.Hits) == 0 {
			return refuse(KindInvalid, "screening_invalid", "", "screening", "a %s needs at least one hit", s.Action)
		}
		return nil
	}
	return refuse(KindInvalid, "screening_invalid", "", "screening", "unknown screening action %q", s.Action)
}

func (m *Machine) decideReview(c *DecideReview, now time.Time) any {
	p, ok := m.payment(c.UETR)
	if !ok {
		return refuse(KindNotFound, CodePaymentNotFound, "", "uetr", "no payment %s", c.UETR)
	}
	if n := len([]rune(c.Comment)); n > ReviewCommentLenMax {
		return refuse(KindInvalid, CodeReviewCommentLong, "", "comment", "the comment holds %d characters; at most %d", n, ReviewCommentLenMax)
	}
	if c.Decision != DecisionApprove && c.Decision != DecisionReject {
		return refuse(KindInvalid, CodeDecisionUnknown, "", "decision", "decision must be %q or %q, not %q", DecisionApprove, DecisionReject, c.Decision)
	}
	if c.Reason != "" && !validReason(c.Reason) {
		return refuse(KindInvalid, "reason_invalid", "", "reason", "reason must be an ISO 20022 reason code: four upper-case letters and digits, such as RR04")
	}
	if p.Status != StatusHeld {
		return refuse(KindConflict, CodeReviewNotHeld, "", "uetr", "payment %s is %s; only a held payment can be decided", p.UETR, p.Status)
	}
	sc, _ := money.LookupCurrency(p.Source)
	switch c.Decision {
	case DecisionApprove:
		legs := p.pendingLegs()
		if len(legs) == 0 {
			return refuse(KindConflict, CodeReservationExpired, "AB05", "", "payment %s's reservation has ended", p.UETR)
		}
		if _, state, ok := m.Ledger.LookupTransfer(legs[0]); !ok || state != ledger.PendingOpen {
			return refuse(KindConflict, CodeReservationExpired, "AB05", "", "payment %s's reservation has ended", p.UETR)
		}
		p.Status = StatusReserved
		m.unhold(p.UETR)
		p.Events = append(p.Events, Event{At: now, Status: StatusReserved, Event: "approved", By: c.By,
			Detail: commentOr(c.Comment, "released to the receiving bank")})
		m.appendAudit(AuditRecord{At: now, By: c.By, Action: "approved", Subject: p.UETR.String(), Detail: c.Comment})
	case DecisionReject:
		if r := m.settleReservation(p, ledger.TransferVoidPending); r != nil {
			return r
		}
		reason := c.Reason
		if reason == "" {
			reason = ReasonRegulatory
		}
		p.Status = StatusRejected
		p.Reason = reason
		m.unhold(p.UETR)
		m.releaseDaily(p)
		p.Events = append(p.Events, Event{At: now, Status: StatusRejected, Event: "rejected", By: c.By, Reason: reason,
			Detail: commentOr(c.Comment, "rejected on review") + fmt.Sprintf("; %s %s released", money.FormatAmount(p.SourceAmount, sc), sc.Code)})
		m.appendAudit(AuditRecord{At: now, By: c.By, Action: "rejected", Subject: p.UETR.String(), Detail: c.Comment})
	}
	return p
}

func commentOr(c, def string) string {
	if c == "" {
		return def
	}
	return c
}

// validReason reports whether s has the form of an ISO 20022 reason code.
func validReason(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
