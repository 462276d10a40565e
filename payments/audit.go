package payments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"astara/ledger"
)

// The audit log records every operator action: each command an operator
// gave (a participant created, a key revoked, a rate set, a corridor
// changed, a list loaded, a held payment decided, a window closed or
// settled, a certificate registered, ...), whether it was taken or
// refused, and the actions taken at the edge that the journal would not
// otherwise show (a calendar changed, a console signed in). Each record
// carries the SHA-256 of the one before it and of itself, like the
// journal's entries, so that an exported log shows any record removed,
// reordered or edited; `astara verify` recomputes the chain over the
// replayed state. The ledger's own transfers are not repeated here: each
// is an immutable, journaled record of its own, and only the operator
// makes them through the API.

// RecordAction records an operator's action taken at the edge: the
// machine changes nothing but the audit log.
type RecordAction struct {
	By      string `json:"by"`
	Action  string `json:"action"`
	Subject string `json:"subject"`
	Detail  string `json:"detail,omitempty"`
}

// Limits of a recorded action, in bytes.
const (
	AuditActionLenMax  = 64
	AuditSubjectLenMax = 256
	AuditDetailLenMax  = 4096
)

// operatorActions names the commands that are an operator's, for the
// audit log; PutList and DecideReview write their own richer records.
var operatorActions = map[ledger.Op]string{
	OpCreateParticipant:   "participant_created",
	OpAddKey:              "key_added",
	OpRevokeKey:           "key_revoked",
	OpSetRates:            "rates_set",
	OpPutCorridor:         "corridor_changed",
	OpRescheduleDeadlines: "deadlines_moved",
	OpCloseWindow:         "window_closed",
	OpSettleWindow:        "window_settled",
	OpAddCertificate:      "certificate_added",
	OpRevokeCertificate:   "certificate_revoked",
	OpAddSigningKey:       "signing_key_added",
	OpRevokeSigningKey:    "signing_key_revoked",
	OpSetSignaturePolicy:  "signature_policy_set",
}

// recordAction is the RecordAction command.
func (m *Machine) recordAction(c *RecordAction, now time.Time) any {
	switch {
	case c.Action == "" || len(c.Action) > AuditActionLenMax:
		return refuse(KindInvalid, "action_invalid", "", "action", "an action is 1 to %d bytes", AuditActionLenMax)
	case len(c.Subject) > AuditSubjectLenMax:
		return refuse(KindInvalid, "subject_too_long", "", "subject", "a subject is at most %d bytes", AuditSubjectLenMax)
	case len(c.Detail) > AuditDetailLenMax:
		return refuse(KindInvalid, "detail_too_long", "", "detail", "a detail is at most %d bytes", AuditDetailLenMax)
	}
	rec := m.appendAudit(AuditRecord{At: now, By: orOperator(c.By), Action: c.Action, Subject: c.Subject, Detail: c.Detail})
	return &rec
}

func orOperator(by string) string {
	if by == "" {
		return "operator"
	}
	return by
}

// auditCommand records an operator's command and its outcome, after it
// was applied.
func (m *Machine) auditCommand(op ledger.Op, cmd, reply any, now time.Time) {
	action, ok := operatorActions[op]
	if !ok {
		return
	}
	rec := AuditRecord{At: now, By: "operator", Action: action}
	switch c := cmd.(type) {
	case *CreateParticipant:
		rec.Subject = c.ID
	case *AddKey:
		rec.Subject, rec.Detail = c.Participant, "key "+c.KeyID
	case *RevokeKey:
		rec.Subject, rec.Detail = c.Participant, "key "+c.KeyID
	case *SetRates:
		for i, q := range c.Quotes {
			if i > 0 {
				rec.Subject += ", "
			}
			rec.Subject += q.Base.String() + "/" + q.Quote.String()
		}
		if len(c.Quotes) > 0 {
			rec.Detail = "source " + c.Quotes[0].Source
		}
	case *PutCorridor:
		rec.By, rec.Subject, rec.Detail = orOperator(c.By), c.Corridor.Name(), fmt.Sprint(c.Fields)
	case *RescheduleDeadlines:
		rec.By, rec.Subject, rec.Detail = orOperator(c.By), fmt.Sprintf("%d payments", len(c.Payments)), c.Reason
	case *CloseWindow:
		rec.By, rec.Subject = orOperator(c.By), c.ID
	case *SettleWindow:
		rec.By, rec.Subject = orOperator(c.By), c.ID
	default:
		// The credentials' commands: who they are for is in their reply.
		if b, err := json.Marshal(cmd); err == nil && len(b) <= AuditDetailLenMax {
			var fields struct {
				Participant string `json:"participant"`
			}
			json.Unmarshal(b, &fields)
			rec.Subject = fields.Participant
		}
	}
	if r, refused := reply.(*Refusal); refused {
		rec.Outcome = r.Code
	}
	m.appendAudit(rec)
}

// appendAudit chains a record to the log and appends it.
func (m *Machine) appendAudit(rec AuditRecord) AuditRecord {
	rec.Seq = m.entrySeq
	if n := len(m.audit); n > 0 {
		rec.Prev = m.audit[n-1].Hash
	}
	rec.Hash = auditHash(&rec)
	m.audit = append(m.audit, rec)
	return rec
}

// auditHash is the SHA-256 of a record's fields but its own hash, the
// previous record's hash among them.
func auditHash(rec *AuditRecord) string {
	cp := *rec
	cp.Hash = ""
	b, _ := json.Marshal(&cp)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// VerifyAudit recomputes the audit log's chain and returns the number of
// records and the head's hash, or the first record that does not chain.
func (m *Machine) VerifyAudit() (int, string, error) {
	prev := ""
	for i := range m.audit {
		rec := &m.audit[i]
		if rec.Prev != prev {
			return i, prev, fmt.Errorf("audit record %d (%s %s): it names %q as the record before it, not %q", i, rec.Action, rec.Subject, rec.Prev, prev)
		}
		if h := auditHash(rec); h != rec.Hash {
			return i, prev, fmt.Errorf("audit record %d (%s %s): its hash is %s, its fields hash to %s: it was altered", i, rec.Action, rec.Subject, rec.Hash, h)
		}
		prev = rec.Hash
	}
	return len(m.audit), prev, nil
}

// ScreeningActions are the audit log's actions that concern screening.
var ScreeningActions = []string{"list_imported", "thresholds_changed", "approved", "rejected"}

// ScreeningAudit returns the screening records of the audit log, oldest
// first.
func (m *Machine) ScreeningAudit() []AuditRecord {
	var out []AuditRecord
	for _, r := range m.audit {
		if slices.Contains(ScreeningActions, r.Action) {
			out = append(out, r)
		}
	}
	return out
}
