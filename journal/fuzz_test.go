package journal_test

import (
	"bytes"
	"errors"
	"testing"

	"astara/journal"
	"astara/ledger"
)

// FuzzDecodeRecord feeds arbitrary bytes to the record decoder as entry 7
// after a fixed hash: it never panics, anything it refuses is ErrCorrupt,
// and anything it accepts encodes back to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	prev := journal.Hash{1, 2, 3}
	good := journal.AppendRecord(ledger.Entry{Seq: 7, Timestamp: 42, Op: ledger.OpCreateTransfers,
		Payload: ledger.AppendTransfers(nil, []ledger.Transfer{{ID: ledger.IDFromUint64(1)}})}, prev)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, journal.RecordHeaderBytes))
	f.Fuzz(func(t *testing.T, rec []byte) {
		e, hash, err := journal.DecodeRecord(7, rec, prev)
		if err != nil {
			if !errors.Is(err, journal.ErrCorrupt) {
				t.Fatalf("refused with %v, want ErrCorrupt", err)
			}
			return
		}
		again := journal.AppendRecord(e, prev)
		if !bytes.Equal(again, rec) {
			t.Fatalf("accepted %x, which encodes back as %x", rec, again)
		}
		if _, h2, err := journal.DecodeRecord(7, again, prev); err != nil || h2 != hash {
			t.Fatalf("re-decoded: %v, hash %x, want %x", err, h2, hash)
		}
	})
}
