package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"astara/ledger"
)

const benchAccounts = 10_000

// benchLedger returns an engine with benchAccounts RUB accounts, ids 1 to
// benchAccounts.
func benchLedger(b *testing.B) *testLedger {
	b.Helper()
	l := NewTestLedger(b, ledger.Options{})
	accounts := make([]ledger.Account, 0, ledger.BatchEventsMax)
	for i := 1; i <= benchAccounts; i++ {
		accounts = append(accounts, ledger.Account{ID: id(uint64(i)), Currency: rub, Code: 1})
		if len(accounts) == ledger.BatchEventsMax || i == benchAccounts {
			MustAccounts(b, l, accounts...)
			accounts = accounts[:0]
		}
	}
	return l
}

// benchPair picks a debit and a credit account: uniformly, or with
// probability 0.9 one of them the hot account 1.
func benchPair(r *rand.Rand, hot bool) (dr, cr uint64) {
	other := func(not uint64) uint64 {
		for {
			if x := 1 + r.Uint64N(benchAccounts); x != not {
				return x
			}
		}
	}
	if hot && r.IntN(10) != 0 {
		if r.IntN(2) == 0 {
			return 1, other(1)
		}
		return other(1), 1
	}
	dr = 1 + r.Uint64N(benchAccounts)
	return dr, other(dr)
}

// BenchmarkCreateTransfers applies full batches (BatchEventsMax) against
// benchAccounts accounts: posted transfers, or pending transfers followed
// by a batch posting them; accounts drawn uniformly or with 90% of
// transfers touching one hot account. The metric is transfers/s, posts
// counted as transfers.
func BenchmarkCreateTransfers(b *testing.B) {
	for _, pending := range []bool{false, true} {
		for _, hot := range []bool{false, true} {
			name := "Posted"
			if pending {
				name = "PendingThenPost"
			}
			if hot {
				name += "/HotAccount"
			} else {
				name += "/Uniform"
			}
			b.Run(name, func(b *testing.B) { benchCreateTransfers(b, pending, hot) })
		}
	}
}

func benchCreateTransfers(b *testing.B, pending, hot bool) {
	l := benchLedger(b)
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]ledger.Transfer, ledger.BatchEventsMax)
	posts := make([]ledger.Transfer, ledger.BatchEventsMax)
	results := make([]ledger.Result, ledger.BatchEventsMax)
	next := uint64(1 << 32)
	transfers := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for i := range batch {
			dr, cr := benchPair(r, hot)
			batch[i] = benchTransfer(next, dr, cr, 1+r.Uint64N(1000))
			if pending {
				batch[i].Flags = ledger.TransferPending
				posts[i] = post(next+1, next, amt(0))
				next++
			}
			next++
		}
		b.StartTimer()
		l.e.CreateTransfers(l.next(len(batch)), batch, results)
		transfers += len(batch)
		if pending {
			b.StopTimer()
			mustAllOK(b, results)
			b.StartTimer()
			l.e.CreateTransfers(l.next(len(posts)), posts, results)
			transfers += len(posts)
		}
		b.StopTimer()
		mustAllOK(b, results)
		b.StartTimer()
	}
	b.ReportMetric(float64(transfers)/b.Elapsed().Seconds(), "transfers/s")
}

func benchTransfer(idv, dr, cr, amount uint64) ledger.Transfer {
	return ledger.Transfer{ID: id(idv), DebitAccountID: id(dr), CreditAccountID: id(cr), Amount: amt(amount), Currency: rub, Code: 1}
}

func mustAllOK(tb testing.TB, results []ledger.Result) {
	tb.Helper()
	for i, r := range results {
		if r != ledger.ResultOK {
			tb.Fatalf("transfer %d: got %s, want ok", i, r)
		}
	}
}

// BenchmarkSnapshot writes and restores the snapshot of an engine with
// benchAccounts accounts and a few batches of transfers.
func BenchmarkSnapshot(b *testing.B) {
	l := benchLedger(b)
	r := rand.New(rand.NewPCG(3, 4))
	batch := make([]ledger.Transfer, ledger.BatchEventsMax)
	for n := range 4 {
		for i := range batch {
			dr, cr := benchPair(r, false)
			batch[i] = benchTransfer(uint64(1<<32+n*len(batch)+i), dr, cr, 1)
		}
		MustTransfers(b, l, batch...)
	}
	snap := MustSnapshot(b, l.e)
	b.Run(fmt.Sprintf("Write/%dKiB", len(snap)>>10), func(b *testing.B) {
		b.SetBytes(int64(len(snap)))
		for b.Loop() {
			MustSnapshot(b, l.e)
		}
	})
	b.Run(fmt.Sprintf("Restore/%dKiB", len(snap)>>10), func(b *testing.B) {
		b.SetBytes(int64(len(snap)))
		for b.Loop() {
			MustRestore(b, snap, ledger.Options{})
		}
	})
}
