package ledger_test

import (
	"context"
	"testing"

	"astara/journal"
	"astara/ledger"
	"astara/money"

	"github.com/cockroachdb/pebble/v2/vfs"
)

func TestSmokeServiceJournal(t *testing.T) {
	fs := vfs.NewMem()
	st, err := journal.Open("j", journal.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := ledger.Open(st, ledger.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rub := money.MustCode("RUB")
	a, b := ledger.IDFromUint64(1), ledger.IDFromUint64(2)
	res, err := svc.CreateAccounts(context.Background(), []ledger.Account{{ID: a, Currency: rub, Code: 1}, {ID: b, Currency: rub, Code: 1}})
	if err != nil || res[0] != ledger.ResultOK || res[1] != ledger.ResultOK {
		t.Fatal(res, err)
	}
	tr := []ledger.Transfer{{ID: ledger.IDFromUint64(10), DebitAccountID: a, CreditAccountID: b, Amount: money.NewAmount(100), Currency: rub, Code: 1}}
	res, err = svc.CreateTransfers(context.Background(), tr)
	if err != nil || res[0] != ledger.ResultOK {
		t.Fatal(res, err)
	}
	res, _ = svc.CreateTransfers(context.Background(), tr)
	if res[0] != ledger.ResultExists {
		t.Fatal(res)
	}
	svc.Close()
	rep, err := st.Verify(ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	st.Close()
	st, err = journal.Open("j", journal.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	svc, err = ledger.Open(st, ledger.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.View(func(e *ledger.Engine) {
		acc, _ := e.LookupAccount(b)
		if acc.CreditsPosted != money.NewAmount(100) {
			t.Fatal(acc)
		}
	})
}
