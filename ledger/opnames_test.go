package ledger_test

import (
	"strings"
	"testing"

	"astara/ledger"
)

func TestNameOp(t *testing.T) {
	const named, unnamed = ledger.Op(200), ledger.Op(201)
	ledger.NameOp(named, "test_operation")
	t.Run("OpStringSaysTheName", func(t *testing.T) {
		if got := named.String(); got != "test_operation" {
			t.Errorf("Op(200).String() = %q, want test_operation", got)
		}
	})
	t.Run("AnOperationNobodyNamedIsItsNumber", func(t *testing.T) {
		if got := unnamed.String(); got != "op(201)" {
			t.Errorf("Op(201).String() = %q, want op(201)", got)
		}
	})
	t.Run("TheLedgersOwnKeepTheirNames", func(t *testing.T) {
		for op, want := range map[ledger.Op]string{ledger.OpCreateAccounts: "create_accounts", ledger.OpCreateTransfers: "create_transfers", ledger.OpPulse: "pulse"} {
			if got := op.String(); got != want {
				t.Errorf("Op(%d).String() = %q, want %q", op, got, want)
			}
		}
	})
	t.Run("NamingAgainAlikeIsHarmless", func(t *testing.T) {
		ledger.NameOp(named, "test_operation")
	})
	for _, c := range []struct {
		name  string
		op    ledger.Op
		text  string
		panic string
	}{
		{"ALedgerOperationPanics", ledger.OpPulse, "beat", "the ledger's own"},
		{"OperationFifteenIsTheLedgers", 15, "fifteen", "the ledger's own"},
		{"AnEmptyNamePanics", 202, "", "the name is empty"},
		{"ASecondNamePanics", named, "other_name", `already named "test_operation"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.panic) {
					t.Errorf("NameOp(%d, %q) panicked with %v, want a panic saying %q", c.op, c.text, r, c.panic)
				}
			}()
			ledger.NameOp(c.op, c.text)
		})
	}
	if got := ledger.OpPulse.String(); got != "pulse" {
		t.Errorf("after the refused names, OpPulse.String() = %q, want pulse", got)
	}
}
