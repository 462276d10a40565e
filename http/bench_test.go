package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"astara/ledger"
)

// BenchmarkCreateTransfersHTTP posts full batches (BatchEventsMax
// transfers, about 2 MiB of JSON) through the handler, without a network:
// JSON decoding, parsing, the Service (journal on an in-memory file
// system, engine) and the encoding of the results.
func BenchmarkCreateTransfersHTTP(b *testing.B) {
	const accounts = 1000
	s := NewTestServer(b, serverOptions{noNetwork: true})
	in := make([]accountIn, accounts)
	for i := range in {
		in[i] = accountIn{ID: uuid(uint64(i + 1)), Currency: "RUB", Code: 1}
	}
	s.MustAccounts(b, in...)

	// One body, whose transfer ids get the iteration in their first group
	// of digits: every batch is new transfers, and making it costs nothing.
	body := transfersBody(1, ledger.BatchEventsMax, accounts)
	var idAt []int
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`{"id":"`))
		if j < 0 {
			break
		}
		idAt = append(idAt, i+j+len(`{"id":"`))
		i += j + 1
	}
	if len(idAt) != ledger.BatchEventsMax {
		b.Fatalf("ids: got %d, want %d", len(idAt), ledger.BatchEventsMax)
	}
	const hexDigits = "0123456789abcdef"
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		iter := uint32(n + 1)
		for _, at := range idAt {
			for k := range 8 {
				body[at+k] = hexDigits[iter>>(28-4*k)&0xf]
			}
		}
		req := httptest.NewRequest("POST", "/v1/ledger/transfers", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		s.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status: got %d %.300s, want 200", rec.Code, rec.Body)
		}
		if n == 0 {
			var out resultsPage
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Results) != ledger.BatchEventsMax {
				b.Fatalf("results: got %d (%v), want %d", len(out.Results), err, ledger.BatchEventsMax)
			}
			for i, r := range out.Results {
				if r.Result != "ok" {
					b.Fatalf("result %d: got %q, want ok", i, r.Result)
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*ledger.BatchEventsMax)/b.Elapsed().Seconds(), "transfers/s")
}
