package ledger_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"astara/ledger"
	"astara/money"
)

var rewriteFlag = flag.Bool("rewrite", false, "rewrite the golden files in testdata")

// MustGolden compares got with the golden file testdata/name, or writes
// it with -rewrite.
func MustGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *rewriteFlag {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("%s differs from the golden file (-rewrite if the change is meant; journals and snapshots on disk use this format):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// hexLines writes b as hex, 32 bytes a line, for diffs that can be read.
func hexLines(b []byte) []byte {
	var s strings.Builder
	for len(b) > 0 {
		n := min(len(b), 32)
		s.WriteString(hex.EncodeToString(b[:n]))
		s.WriteByte('\n')
		b = b[n:]
	}
	return []byte(s.String())
}

// TestGoldenEncodings pins the binary formats that outlive a process: a
// journal entry's payload and a snapshot. A change here needs a new
// format version, not a silent edit.
func TestGoldenEncodings(t *testing.T) {
	t.Run("Transfers", func(t *testing.T) {
		transfers := []ledger.Transfer{
			tr(100, accA, accB, amt(12345)),
			linked(pend(101, accUSD1, accUSD2, money.AmountFromParts(1, 2), 30*24*3600)), // a long timeout, fixed so that the golden file does not follow the limit
			with(post(102, 101, amt(0)), func(t *ledger.Transfer) { t.Timestamp = t0 }),
			void(103, 101),
		}
		MustGolden(t, "transfers.golden", hexLines(ledger.AppendTransfers(nil, transfers)))
	})
	t.Run("Accounts", func(t *testing.T) {
		accounts := []ledger.Account{
			{ID: id(1), Currency: rub, Code: 1},
			{ID: id(2), Currency: irr, Code: 7, Flags: ledger.AccountHistory | ledger.AccountLinked, CreditsPosted: amountMax, Timestamp: t0},
		}
		MustGolden(t, "accounts.golden", hexLines(ledger.AppendAccounts(nil, accounts)))
	})
	t.Run("Snapshot", func(t *testing.T) {
		MustGolden(t, "snapshot.golden", hexLines(MustSnapshot(t, snapshotScenario(t).e)))
	})
	// The same state with its history moved out: version 3 on a History
	// older than filter schemes (the golden file was written before
	// version 4 existed), version 4 on a new one.
	t.Run("SnapshotHistory", func(t *testing.T) {
		MustGolden(t, "snapshot-history.golden", hexLines(historySnapshot(t, false)))
	})
	t.Run("SnapshotHistoryScheme", func(t *testing.T) {
		MustGolden(t, "snapshot-history-scheme.golden", hexLines(historySnapshot(t, true)))
	})
}

// historySnapshot is the snapshot scenario's state, its history moved to
// a History that keeps the current filter scheme, or none.
func historySnapshot(tb testing.TB, scheme bool) []byte {
	tb.Helper()
	l := snapshotScenario(tb)
	h := ledger.NewMemoryHistory()
	if scheme {
		if err := ledger.StartIDFilterScheme(h); err != nil {
			tb.Fatal(err)
		}
	}
	if err := l.e.SetHistory(h); err != nil {
		tb.Fatal(err)
	}
	if _, err := l.e.MoveHistory(true); err != nil {
		tb.Fatal(err)
	}
	return MustSnapshot(tb, l.e)
}
