package journal_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/journal"
	"astara/ledger"
	"astara/money"
)

var rub = money.MustCode("RUB")

func id(v uint64) ledger.ID { return ledger.IDFromUint64(v) }

// MustOpen opens the journal in dir on fs (nil for the real one).
func MustOpen(tb testing.TB, fs vfs.FS, dir string) *journal.Store {
	tb.Helper()
	st, err := journal.Open(dir, journal.Options{FS: fs})
	if err != nil {
		tb.Fatalf("journal.Open(%s): %v", dir, err)
	}
	return st
}

// MustClose closes st and fails the test on an error.
func MustClose(tb testing.TB, st *journal.Store) {
	tb.Helper()
	if err := st.Close(); err != nil {
		tb.Fatalf("close journal: %v", err)
	}
}

// MustVerify verifies st and fails the test on an error.
func MustVerify(tb testing.TB, st *journal.Store) journal.Report {
	tb.Helper()
	rep, err := st.Verify(ledger.Options{})
	if err != nil {
		tb.Fatalf("Verify: %v (report %+v)", err, rep)
	}
	return rep
}

// WithRawDB opens the journal's directory with a bare Pebble handle, as an
// editor or a bad disk would touch it, and closes it after fn.
func WithRawDB(tb testing.TB, fs vfs.FS, dir string, fn func(db *pebble.DB)) {
	tb.Helper()
	db, err := pebble.Open(dir, &pebble.Options{FS: fs, Logger: quietLogger{tb}})
	if err != nil {
		tb.Fatalf("raw pebble.Open(%s): %v", dir, err)
	}
	fn(db)
	if err := db.Close(); err != nil {
		tb.Fatalf("raw pebble close: %v", err)
	}
}

// quietLogger keeps Pebble's progress lines out of the test output.
type quietLogger struct{ tb testing.TB }

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (l quietLogger) Fatalf(format string, args ...any) {
	l.tb.Fatalf("pebble: "+format, args...)
}

// MustGet returns a copy of the value at key.
func MustGet(tb testing.TB, db *pebble.DB, key []byte) []byte {
	tb.Helper()
	v, closer, err := db.Get(key)
	if err != nil {
		tb.Fatalf("raw get %x: %v", key, err)
	}
	defer closer.Close()
	return bytes.Clone(v)
}

// MustSet writes value at key, synced.
func MustSet(tb testing.TB, db *pebble.DB, key, value []byte) {
	tb.Helper()
	if err := db.Set(key, value, pebble.Sync); err != nil {
		tb.Fatalf("raw set %x: %v", key, err)
	}
}

// MustDelete deletes key, synced.
func MustDelete(tb testing.TB, db *pebble.DB, key []byte) {
	tb.Helper()
	if err := db.Delete(key, pebble.Sync); err != nil {
		tb.Fatalf("raw delete %x: %v", key, err)
	}
}

// CorruptAt checks that err is a journal corruption reported at seq.
func CorruptAt(err error, seq uint64) bool {
	var ce *journal.CorruptError
	return errors.Is(err, journal.ErrCorrupt) && errors.As(err, &ce) && ce.Seq == seq
}

// ledgerAccounts are the accounts every generated journal starts with:
// account 1 is a funding account without limits; the others must not go
// below zero, so that results depend on the order of transfers.
func ledgerAccounts(n int) []ledger.Account {
	accounts := make([]ledger.Account, n)
	for i := range accounts {
		accounts[i] = ledger.Account{ID: id(uint64(i + 1)), Currency: rub, Code: 1}
		if i > 0 {
			accounts[i].Flags = ledger.AccountDebitsMustNotExceedCredits
		}
	}
	accounts[n-1].Flags |= ledger.AccountHistory
	return accounts
}

// randomTransfers returns n transfers among accounts 1..accounts with ids
// from next on; a few are pending, so that the state has some of each.
func randomTransfers(r *rand.Rand, next uint64, n, accounts int) []ledger.Transfer {
	out := make([]ledger.Transfer, n)
	for i := range out {
		from := 1 + r.Uint64N(uint64(accounts))
		to := 1 + (from+r.Uint64N(uint64(accounts-1)))%uint64(accounts)
		amount := 1 + r.Uint64N(100)
		if from == 1 {
			amount *= 10
		}
		out[i] = ledger.Transfer{ID: id(next + uint64(i)), DebitAccountID: id(from), CreditAccountID: id(to),
			Amount: money.NewAmount(amount), Currency: rub, Code: 1}
		if r.IntN(10) == 0 {
			out[i].Flags = ledger.TransferPending
		}
	}
	return out
}

// ledgerEntries returns n valid ledger entries numbered from 1: accounts,
// then batches of transfers, with timestamps that follow each other.
func ledgerEntries(n int, seed uint64) []ledger.Entry {
	r := rand.New(rand.NewPCG(seed, 1))
	const accounts = 5
	out := make([]ledger.Entry, n)
	out[0] = ledger.Entry{Seq: 1, Timestamp: 1_000_000, Op: ledger.OpCreateAccounts,
		Payload: ledger.AppendAccounts(nil, ledgerAccounts(accounts))}
	next := uint64(1000)
	for i := 1; i < n; i++ {
		tr := randomTransfers(r, next, 1+r.IntN(20), accounts)
		next += uint64(len(tr))
		out[i] = ledger.Entry{Seq: uint64(i + 1), Timestamp: uint64(i+1) * 1_000_000, Op: ledger.OpCreateTransfers,
			Payload: ledger.AppendTransfers(nil, tr)}
	}
	return out
}

// engineAfter replays entries into a fresh engine.
func engineAfter(tb testing.TB, entries []ledger.Entry) *ledger.Engine {
	tb.Helper()
	e := ledger.New(ledger.Options{})
	rp := &ledger.Replayer{Engine: e}
	for _, x := range entries {
		if _, err := rp.Apply(x); err != nil {
			tb.Fatalf("apply entry %d: %v", x.Seq, err)
		}
	}
	return e
}

func engineState(tb testing.TB, e *ledger.Engine) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := e.WriteState(&b); err != nil {
		tb.Fatalf("WriteState: %v", err)
	}
	return b.Bytes()
}
