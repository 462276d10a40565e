package main

import (
	"fmt"

	"astara/payments"
	"astara/postgres"
)

// verifyQueryTables compares PostgreSQL's query tables with the state
// verify replayed, the journal's last entry's: every account as it is,
// the transfers, the open pending ones and the payments by status
// counted. Tables behind the journal (a node that died before writing the
// last groups' rows) are not a fault: the next start writes them. Nor
// are empty ones at position 0 (a node with --query-tables=false).
func verifyQueryTables(st *postgres.Store, machine *payments.Machine, last uint64) (string, error) {
	q, err := st.QuerySummary()
	if err != nil {
		return "", err
	}
	switch {
	case q.Through == 0 && last > 0 && (len(q.Accounts) > 0 || q.Transfers > 0):
		return "", fmt.Errorf("the query tables hold %d accounts and %d transfers, at position 0", len(q.Accounts), q.Transfers)
	case q.Through == 0 && last > 0:
		return "query tables: empty (position 0), as a node with --query-tables=false leaves them; a node that keeps them fills them from the whole journal when it starts", nil
	case q.Through > last:
		return "", fmt.Errorf("the query tables hold the state after entry %d, past the journal's last, %d", q.Through, last)
	case q.Through < last:
		return fmt.Sprintf("query tables: at entry %d, behind the journal's last, %d, as a node that stopped without writing its last rows leaves them; the next start brings them up to date", q.Through, last), nil
	}
	engine := machine.LedgerEngine()
	if len(q.Accounts) != engine.AccountsCount() {
		return "", fmt.Errorf("query_accounts holds %d accounts, the journal makes %d", len(q.Accounts), engine.AccountsCount())
	}
	for _, a := range q.Accounts {
		if want, ok := engine.LookupAccount(a.ID); !ok || want != a {
			return "", fmt.Errorf("query_accounts: account %s is %+v, the journal makes it %+v", a.ID, a, want)
		}
	}
	if q.Transfers != int64(engine.TransfersCount()) || q.OpenPending != int64(engine.OpenPendingCount()) {
		return "", fmt.Errorf("query_transfers holds %d transfers, %d pending; the journal makes %d, %d pending",
			q.Transfers, q.OpenPending, engine.TransfersCount(), engine.OpenPendingCount())
	}
	counts, _ := machine.StatusCounts()
	total := 0
	for status, n := range counts {
		total += n
		if q.Payments[string(status)] != int64(n) {
			return "", fmt.Errorf("query_payments holds %d payments %s, the journal makes %d", q.Payments[string(status)], status, n)
		}
	}
	if len(q.Payments) != len(counts) {
		return "", fmt.Errorf("query_payments holds payments by status %v, the journal makes %v", q.Payments, counts)
	}
	return fmt.Sprintf("query tables ok: at entry %d, %d accounts as replayed, %d transfers (%d pending), %d payments by status",
		last, len(q.Accounts), q.Transfers, q.OpenPending, total), nil
}
