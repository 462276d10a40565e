package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"astara/ledger"
	"astara/money"
)

// demoBank is a fictional bank of the demo network.
type demoBank struct {
	name     string
	currency string
}

var demoBanks = []demoBank{
	{"VOLGRUMM", "RUB"}, {"NEVARUMM", "RUB"},
	{"CASPIRTH", "IRR"}, {"ZAGRIRTH", "IRR"},
	{"DECCINBB", "INR"}, {"ABSHAZ22", "AZN"},
}

// runDemoTraffic creates the demo banks' ledger accounts and moves money
// between them until ctx ends: plain transfers, and two-phase ones that are
// posted, voided, or left to expire.
func runDemoTraffic(ctx context.Context, svc *ledger.Service, out io.Writer) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	type pair struct{ a, b ledger.ID }
	var pairs []pair
	var pairCurrency []money.Code
	var accounts []ledger.Account
	for i, bank := range demoBanks {
		cur := money.MustCode(bank.currency)
		position := ledger.IDFromUint64(uint64(100 + i))
		settlement := ledger.IDFromUint64(uint64(200 + i))
		accounts = append(accounts,
			ledger.Account{ID: position, Currency: cur, Code: 1, Flags: ledger.AccountHistory},
			ledger.Account{ID: settlement, Currency: cur, Code: 2})
		pairs = append(pairs, pair{settlement, position})
		pairCurrency = append(pairCurrency, cur)
	}
	if _, err := svc.CreateAccounts(ctx, accounts); err != nil {
		fmt.Fprintf(out, "astara demo: create accounts: %v\n", err)
		return
	}
	fmt.Fprintf(out, "astara demo: %d banks, %d ledger accounts; traffic is running\n", len(demoBanks), len(accounts))
	var seq uint64 = uint64(time.Now().UnixNano())
	var pending []ledger.Transfer
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var batch []ledger.Transfer
		for n := 0; n < 20; n++ {
			i := rng.IntN(len(pairs))
			p := pairs[i]
			seq++
			t := ledger.Transfer{ID: ledger.IDFromUint64(seq), DebitAccountID: p.a, CreditAccountID: p.b,
				Amount: money.NewAmount(uint64(1_000 + rng.IntN(2_000_000_00))), Currency: pairCurrency[i], Code: 10}
			if rng.IntN(4) == 0 {
				t.Flags = ledger.TransferPending
				t.TimeoutSeconds = 5
				pending = append(pending, t)
			}
			batch = append(batch, t)
		}
		// Settle some earlier reservations: most are posted, some voided,
		// the rest expire by themselves.
		for len(pending) > 10 {
			p := pending[0]
			pending = pending[1:]
			seq++
			flag := ledger.TransferPostPending
			switch rng.IntN(10) {
			case 0:
				flag = ledger.TransferVoidPending
			case 1:
				continue
			}
			batch = append(batch, ledger.Transfer{ID: ledger.IDFromUint64(seq), PendingID: p.ID, Flags: flag})
		}
		if _, err := svc.CreateTransfers(ctx, batch); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(out, "astara demo: %v\n", err)
			}
			return
		}
	}
}
