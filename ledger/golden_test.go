package ledger_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"slices"
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
	// The same state with its history moved out, its failed ids too:
	// version 5, with the zero filter scheme on a History older than
	// schemes, the current one on a new History. (The same state written
	// before version 5, failed ids in the snapshot, is in
	// snapshot-history.golden, version 3, and snapshot-history-scheme.golden,
	// version 4: TestSnapshotUpgradesToVersion5 reads them.)
	t.Run("SnapshotHistory", func(t *testing.T) {
		MustGolden(t, "snapshot-history-v5-scheme0.golden", hexLines(historySnapshot(t, false)))
	})
	t.Run("SnapshotHistoryScheme", func(t *testing.T) {
		MustGolden(t, "snapshot-history-v5.golden", hexLines(historySnapshot(t, true)))
	})
}

// goldenBytes reads the bytes of a golden file written by hexLines.
func goldenBytes(tb testing.TB, name string) []byte {
	tb.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := hex.DecodeString(strings.ReplaceAll(string(text), "\n", ""))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

// TestSnapshotUpgradesToVersion5: the snapshots written before failed
// ids moved to History (versions 3 and 4, with them in memory) restore
// with their failed ids answering as before, and once the history is
// moved the engine writes the very version 5 snapshot that an engine
// whose failed ids moved from the start writes.
func TestSnapshotUpgradesToVersion5(t *testing.T) {
	for _, c := range []struct {
		old, v5 string
		version byte
	}{
		// On a History that keeps the current filter scheme, the engine
		// restored from version 3 keeps the zero scheme, so that its
		// snapshots stay those a replay of its journal writes.
		{"snapshot-history.golden", "snapshot-history-v5-scheme0.golden", 3},
		{"snapshot-history-scheme.golden", "snapshot-history-v5.golden", 4},
	} {
		t.Run(c.old, func(t *testing.T) {
			old := goldenBytes(t, c.old)
			if v, _ := ledger.SnapshotVersion(old); v != c.version {
				t.Fatalf("%s is version %d, want %d", c.old, v, c.version)
			}
			e := MustRestore(t, old, ledger.Options{})
			failed := e.FailedCount()
			if failed == 0 {
				t.Fatal("the scenario has no failed ids: the test tests nothing")
			}
			h := ledger.NewMemoryHistory()
			if err := ledger.StartIDFilterScheme(h); err != nil {
				t.Fatal(err)
			}
			if err := e.SetHistory(h); err != nil {
				t.Fatal(err)
			}
			if _, err := e.MoveHistory(true); err != nil {
				t.Fatal(err)
			}
			if n := e.FailedCount(); n != 0 || h.RecordsLen() < failed {
				t.Fatalf("after the move: %d failed ids in memory, %d records in History; want 0 and %d", n, h.RecordsLen(), failed)
			}
			got := MustSnapshot(t, e)
			if want := goldenBytes(t, c.v5); !bytes.Equal(got, want) {
				v, _ := ledger.SnapshotVersion(got)
				t.Fatalf("upgraded from %s: a version %d snapshot of %d bytes, not %s", c.old, v, len(got), c.v5)
			}
			// The moved failed ids still answer as failed, and a new id
			// goes through.
			l := &testLedger{tb: t, e: e}
			got2 := l.ClientTransfers(tr(202, accA, accB, amt(1)), tr(203, accA, accB, amt(1)), tr(204, accA, accB, amt(1)))
			if want := []ledger.Result{ledger.ResultIDAlreadyFailed, ledger.ResultIDAlreadyFailed, ledger.ResultOK}; !slices.Equal(got2, want) {
				t.Fatalf("retries after the upgrade: %v, want %v", got2, want)
			}
		})
	}
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
