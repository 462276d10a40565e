package http

import (
	"bytes"
	"net/http/httptest"
	"reflect"
	"testing"
)

const plainTransfer = `{"id":"00000000-0000-0000-0000-0000000000c8","debit_account_id":"00000000-0000-0000-0000-000000000002","credit_account_id":"00000000-0000-0000-0000-000000000003","amount":"1.00","currency":"RUB","code":2}`

// fastSeeds are bodies the fast path takes, then bodies one step outside
// what it takes, each of which encoding/json decides.
var fastSeeds = []string{
	`{"transfers":[` + plainTransfer + `]}`,
	"{ \"transfers\" :\n[\t" + plainTransfer + " ,\r\n" + plainTransfer + " ] }\n",
	`{"transfers":[{"id":"00000000-0000-0000-0000-0000000000c9","debit_account_id":"00000000-0000-0000-0000-000000000001","credit_account_id":"00000000-0000-0000-0000-000000000002","amount":"5","currency":"RUB","code":1,"flags":["pending","linked"],"timeout_seconds":60},` +
		`{"id":"00000000-0000-0000-0000-0000000000ca","pending_id":"00000000-0000-0000-0000-0000000000c9","amount":"2.5","currency":"RUB","flags":["post_pending"]},` +
		`{"id":"00000000-0000-0000-0000-0000000000cb","pending_id":"00000000-0000-0000-0000-0000000000c9","flags":[]}]}`,
	`{"transfers":[{}]}`,
	`{"transfers":[]}`,
	`{"transfers":[{"code":-0,"timeout_seconds":-12}]}`,
	`{"transfers":[{"code":999999999999999999}]}`,
	`{"transfers":[{"id":"not a uuid","amount":"-1","currency":"rub","code":70000}]}`,
	// Outside the fast path:
	`{"transfers":[{"code":9999999999999999999}]}`,
	`{"transfers":[{"code":01}]}`,
	`{"transfers":[{"code":1.5}]}`,
	`{"transfers":[{"code":1e3}]}`,
	`{"transfers":[{"code":"1"}]}`,
	`{"transfers":[{"amount":1.5}]}`,
	`{"transfers":[{"id":"a\u0062"}]}`,
	`{"transfers":[{"id":"a\"b"}]}`,
	`{"transfers":[{"id":"сто"}]}`,
	"{\"transfers\":[{\"id\":\"a\x7fb\"}]}",
	"{\"transfers\":[{\"id\":\"a\xffb\"}]}",
	"{\"transfers\":[{\"id\":\"a\tb\"}]}",
	`{"transfers":[{"ID":"00000000-0000-0000-0000-0000000000c8"}]}`,
	`{"transfers":[{"id":"a","id":"b"}]}`,
	`{"transfers":[{"id":null}]}`,
	`{"transfers":[{"flags":null}]}`,
	`{"transfers":[{"flags":["pending",1]}]}`,
	`{"transfers":[{"memo":"x"}]}`,
	`{"transfers":[{"id":"a"},]}`,
	`{"transfers":[{"id":"a",}]}`,
	`{"transfers":[` + plainTransfer + `]} {}`,
	`{"transfers":[` + plainTransfer + `]}]`,
	`{"transfers":[` + plainTransfer + `],"transfers":[{}]}`,
	`{"transfers":[` + plainTransfer + `],"memo":1}`,
	`{"TRANSFERS":[]}`,
	`{"transfers":null}`,
	`{"transfers":[`,
	`null`,
	`[]`,
	``,
}

// TestDecodeTransfersFastTakesThePlainForm checks that the plain form
// clients send takes the fast path (were it never taken, the fuzz test
// would prove nothing), and that each kind of body outside it does not.
func TestDecodeTransfersFastTakesThePlainForm(t *testing.T) {
	for i, body := range fastSeeds {
		var got []transferRequest
		ok := decodeTransfersFast([]byte(body), &got)
		if want := i < 8; ok != want {
			t.Errorf("fast path on %q: %v, want %v", body, ok, want)
		}
	}
	var got []transferRequest
	if !decodeTransfersFast([]byte(fastSeeds[2]), &got) {
		t.Fatal("the fast path refused the pending, post and void")
	}
	want := []transferRequest{
		{ID: "00000000-0000-0000-0000-0000000000c9", DebitAccountID: "00000000-0000-0000-0000-000000000001", CreditAccountID: "00000000-0000-0000-0000-000000000002", Amount: "5", Currency: "RUB", Code: 1, Flags: []string{"pending", "linked"}, TimeoutSeconds: 60},
		{ID: "00000000-0000-0000-0000-0000000000ca", PendingID: "00000000-0000-0000-0000-0000000000c9", Amount: "2.5", Currency: "RUB", Flags: []string{"post_pending"}},
		{ID: "00000000-0000-0000-0000-0000000000cb", PendingID: "00000000-0000-0000-0000-0000000000c9", Flags: []string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fast path decoded\n%+v\nwant\n%+v", got, want)
	}
}

// FuzzDecodeTransfers holds the fast path to encoding/json's answer: on
// every body, decodeTransfers (fast path, or its fallback after a partial
// fast decode) gives the problem and the transfers that the strict
// decoder gives alone.
func FuzzDecodeTransfers(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want []transferRequest
		wantP := decodeBatchFrom(bytes.NewReader(body), "transfers", &want)

		var fast []transferRequest
		if decodeTransfersFast(body, &fast) {
			if wantP != nil {
				t.Fatalf("fast path took %q, which encoding/json refuses: %v", body, wantP)
			}
			if !reflect.DeepEqual(fast, want) {
				t.Fatalf("on %q the fast path decoded\n%+v\nencoding/json\n%+v", body, fast, want)
			}
		}

		// Through the handler's entry, with a batch that already has room,
		// as createTransfers makes it.
		got := make([]transferRequest, 0, 4)
		req := httptest.NewRequest("POST", "/v1/ledger/transfers", bytes.NewReader(body))
		p := decodeTransfers(httptest.NewRecorder(), req, &got)
		if !reflect.DeepEqual(p, wantP) {
			t.Fatalf("on %q decodeTransfers answered %+v, encoding/json %+v", body, p, wantP)
		}
		if p == nil && !(len(got) == 0 && len(want) == 0) && !reflect.DeepEqual(got, want) {
			t.Fatalf("on %q decodeTransfers decoded\n%+v\nencoding/json\n%+v", body, got, want)
		}
	})
}

func BenchmarkDecodeOneTransfer(b *testing.B) {
	body := []byte(fastSeeds[0])
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			batch := make([]transferRequest, 0, 1)
			if !decodeTransfersFast(body, &batch) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			batch := make([]transferRequest, 0, 1)
			if p := decodeBatchFrom(bytes.NewReader(body), "transfers", &batch); p != nil {
				b.Fatal(p)
			}
		}
	})
}
