package journal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"astara/journal"
	"astara/ledger"
	"astara/money"
)

// fullBatch returns the payload of a batch of ledger.BatchEventsMax
// transfers, the largest entry the Service writes.
func fullBatch(r *rand.Rand, next uint64) []byte {
	transfers := make([]ledger.Transfer, ledger.BatchEventsMax)
	for i := range transfers {
		transfers[i] = transferOf(next+uint64(i), 1+r.Uint64N(1000), 1001+r.Uint64N(1000), 1+r.Uint64N(1_000_000))
	}
	return ledger.AppendTransfers(nil, transfers)
}

// BenchmarkAppend appends groups of full batches to a journal in a real
// directory, one fsync per group, as the committer does under load.
func BenchmarkAppend(b *testing.B) {
	for _, group := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("entries=%d", group), func(b *testing.B) {
			st, err := journal.Open(b.TempDir(), journal.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			r := rand.New(rand.NewPCG(1, 2))
			payloads := make([][]byte, group)
			bytes := 0
			for i := range payloads {
				payloads[i] = fullBatch(r, uint64(i)*ledger.BatchEventsMax)
				bytes += len(payloads[i])
			}
			entries := make([]ledger.Entry, group)
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			start := time.Now()
			seq := uint64(0)
			for range b.N {
				for i := range entries {
					seq++
					entries[i] = ledger.Entry{Seq: seq, Timestamp: seq * 1_000_000, Op: ledger.OpCreateTransfers, Payload: payloads[i]}
				}
				if err := st.Append(entries); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(b.N*group*ledger.BatchEventsMax)/elapsed.Seconds(), "transfers/s")
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "fsyncs/s")
		})
	}
}

// BenchmarkServiceCreateTransfers runs concurrent clients against a
// Service on a journal in a real directory; b.N counts batches.
func BenchmarkServiceCreateTransfers(b *testing.B) {
	for _, batch := range []int{1, 100, ledger.BatchEventsMax} {
		for _, clients := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("batch=%d/clients=%d", batch, clients), func(b *testing.B) {
				benchmarkService(b, batch, clients)
			})
		}
	}
}

func benchmarkService(b *testing.B, batch, clients int) {
	st, err := journal.Open(b.TempDir(), journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	counter := &commitCounter{}
	svc, err := ledger.Open(st, ledger.ServiceOptions{Observer: counter, SnapshotEventsInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	const accounts = 2000
	all := make([]ledger.Account, accounts)
	for i := range all {
		all[i] = ledger.Account{ID: id(uint64(i + 1)), Currency: rub, Code: 1}
	}
	if _, err := svc.CreateAccounts(context.Background(), all); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	batches := make([][]ledger.Transfer, b.N)
	next := uint64(1 << 32)
	for i := range batches {
		batches[i] = make([]ledger.Transfer, batch)
		for j := range batches[i] {
			from := 1 + r.Uint64N(accounts)
			to := 1 + (from+r.Uint64N(accounts-1))%accounts
			batches[i][j] = ledger.Transfer{ID: id(next), DebitAccountID: id(from), CreditAccountID: id(to),
				Amount: money.NewAmount(1 + r.Uint64N(1000)), Currency: rub, Code: 1}
			next++
		}
	}
	commits0 := counter.commits.Load()
	var taken atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := taken.Add(1) - 1
				if i >= int64(len(batches)) {
					return
				}
				res, err := svc.CreateTransfers(context.Background(), batches[i])
				if err != nil || res[0] != ledger.ResultOK {
					b.Errorf("batch %d: %v %v", i, res[0], err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "transfers/s")
	b.ReportMetric(float64(b.N)/float64(counter.commits.Load()-commits0), "batches/fsync")
}
