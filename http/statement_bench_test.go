package http_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	astarahttp "astara/http"
)

// BenchmarkStatementOfADay reads a bank's camt.053 of a day with ten
// payments, after a day of many more: what a statement costs, and how
// long it holds up the applier (it reads under the machine's lock),
// should follow the day, not the history behind it. Run it once a size:
// -benchtime 20x.
func BenchmarkStatementOfADay(b *testing.B) {
	for _, before := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("payments-before=%d", before), func(b *testing.B) {
			n := newNetwork(b, serverOptions{limits: astarahttp.Limits{Participant: astarahttp.RateLimit{Off: true}}})
			n.Fund(b, volga, "RUB", "400000000.00")
			pay := func(count int) {
				for range count {
					p := n.SendRUB(b, "1000.00")
					n.MustAnswer(b, caspian, p.UETR, "accept", "")
				}
			}
			pay(before)
			n.Clock.Advance(24 * time.Hour)
			n.SetRate(b, rateRUBIRR)
			pay(10)
			path := "/iso20022/camt.053?date=" + t0.AddDate(0, 0, 1).Format(time.DateOnly)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if resp := n.As(b, volga, "GET", path, nil); resp.Status != http.StatusOK {
					b.Fatalf("camt.053: %d %s", resp.Status, resp.Body)
				}
			}
		})
	}
}
