package payments

import "astara/ledger"

// The payments operations' names, as the ledger's Op.String gives them in
// /metrics and in logs (astara_ledger_batches_total{op="create_payment"}).
// Like the numbers, the names are stable: dashboards and alerts use them.
func init() {
	for op, name := range map[ledger.Op]string{
		OpCreateParticipant:   "create_participant",
		OpAddKey:              "add_key",
		OpRevokeKey:           "revoke_key",
		OpSetRates:            "set_rates",
		OpPutCorridor:         "put_corridor",
		OpCreateQuote:         "create_quote",
		OpCreatePayment:       "create_payment",
		OpAcceptPayment:       "accept_payment",
		OpRejectPayment:       "reject_payment",
		OpReturnPayment:       "return_payment",
		OpRescheduleDeadlines: "reschedule_deadlines",
		OpCloseWindow:         "close_window",
		OpSettleWindow:        "settle_window",
		OpPutList:             "put_list",
		OpDecideReview:        "decide_review",
		OpReportMilestone:     "report_milestone",
		OpAddCertificate:      "add_certificate",
		OpRevokeCertificate:   "revoke_certificate",
		OpAddSigningKey:       "add_signing_key",
		OpRevokeSigningKey:    "revoke_signing_key",
		OpSetSignaturePolicy:  "set_signature_policy",
		OpRecordAction:        "record_action",
	} {
		ledger.NameOp(op, name)
	}
}
