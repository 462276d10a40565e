package ledger_test

import (
	"bytes"
	"testing"

	"astara/ledger"
	"astara/money"
)

// Currencies of the tests. QQQ is well formed but in no table.
var (
	rub = money.MustCode("RUB")
	irr = money.MustCode("IRR")
	usd = money.MustCode("USD")
	qqq = money.MustCode("QQQ")
)

// Amounts near the 128-bit edge.
var (
	amountMax  = money.AmountMax
	amountHalf = money.AmountFromParts(1<<63, 0) // 2^127
)

// t0 is the first timestamp the tests use: 2023-11-14, in nanoseconds.
const t0 = 1_700_000_000_000_000_000

// idMax is 2^128-1, the reserved ID.
var idMax = ledger.ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func id(v uint64) ledger.ID { return ledger.IDFromUint64(v) }

func amt(v uint64) money.Amount { return money.NewAmount(v) }

// amountSub returns a-b for constants the test knows fit.
func amountSub(a, b money.Amount) money.Amount { return a.MustSub(b) }

// testLedger is an Engine with a clock that the test moves: every batch
// gets a timestamp after the last one, Advance jumps ahead.
type testLedger struct {
	tb  testing.TB
	e   *ledger.Engine
	now uint64 // the timestamp of the next batch
}

// NewTestLedger returns an empty engine whose next batch is at t0.
func NewTestLedger(tb testing.TB, opts ledger.Options) *testLedger {
	tb.Helper()
	return &testLedger{tb: tb, e: ledger.New(opts), now: t0}
}

// next returns the timestamp of a batch of n events and moves the clock
// past it.
func (l *testLedger) next(n int) uint64 {
	if l.now <= l.e.LastTimestamp() {
		l.now = l.e.LastTimestamp() + 1
	}
	ts := l.now
	l.now += uint64(max(n, 1))
	return ts
}

// Advance moves the clock of the next batch forward by d nanoseconds.
func (l *testLedger) Advance(d uint64) { l.now += d }

// Accounts applies a batch of accounts and returns its results.
func (l *testLedger) Accounts(accounts ...ledger.Account) []ledger.Result {
	res := make([]ledger.Result, len(accounts))
	l.e.CreateAccounts(l.next(len(accounts)), accounts, res)
	return res
}

// Transfers applies a batch of transfers and returns its results.
func (l *testLedger) Transfers(transfers ...ledger.Transfer) []ledger.Result {
	res := make([]ledger.Result, len(transfers))
	l.e.CreateTransfers(l.next(len(transfers)), transfers, res)
	return res
}

// ClientTransfers applies a client's batch: transient failures are
// remembered (CreateClientTransfers).
func (l *testLedger) ClientTransfers(transfers ...ledger.Transfer) []ledger.Result {
	res := make([]ledger.Result, len(transfers))
	l.e.CreateClientTransfers(l.next(len(transfers)), transfers, res)
	return res
}

// Pulse expires what is due at the next timestamp.
func (l *testLedger) Pulse() { l.e.Pulse(l.next(0)) }

// MustAccounts applies a batch of accounts that must all succeed.
func MustAccounts(tb testing.TB, l *testLedger, accounts ...ledger.Account) {
	tb.Helper()
	for i, r := range l.Accounts(accounts...) {
		if r != ledger.ResultOK {
			tb.Fatalf("account %d (%s): got %s, want ok", i, accounts[i].ID, r)
		}
	}
}

// MustTransfers applies a batch of transfers that must all succeed.
func MustTransfers(tb testing.TB, l *testLedger, transfers ...ledger.Transfer) {
	tb.Helper()
	for i, r := range l.Transfers(transfers...) {
		if r != ledger.ResultOK {
			tb.Fatalf("transfer %d (%s): got %s, want ok", i, transfers[i].ID, r)
		}
	}
}

// MustResults checks a batch's results.
func MustResults(tb testing.TB, got []ledger.Result, want ...ledger.Result) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d results %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("result %d: got %s, want %s (all: got %v, want %v)", i, got[i], want[i], got, want)
		}
	}
}

// MustAccount returns an account that must exist.
func MustAccount(tb testing.TB, e *ledger.Engine, id ledger.ID) ledger.Account {
	tb.Helper()
	a, ok := e.LookupAccount(id)
	if !ok {
		tb.Fatalf("account %s: not found", id)
	}
	return a
}

// balances are an account's four balances, for compact comparisons.
type balances struct {
	DebitsPending, DebitsPosted, CreditsPending, CreditsPosted uint64
}

// MustBalances checks an account's balances, which must fit 64 bits.
func MustBalances(tb testing.TB, e *ledger.Engine, id ledger.ID, want balances) {
	tb.Helper()
	a := MustAccount(tb, e, id)
	got := balances{mustUint64(tb, a.DebitsPending), mustUint64(tb, a.DebitsPosted), mustUint64(tb, a.CreditsPending), mustUint64(tb, a.CreditsPosted)}
	if got != want {
		tb.Fatalf("account %s balances: got %+v, want %+v", id, got, want)
	}
}

func mustUint64(tb testing.TB, a money.Amount) uint64 {
	tb.Helper()
	v, ok := a.Uint64()
	if !ok {
		tb.Fatalf("amount %s does not fit 64 bits", a)
	}
	return v
}

// MustState returns the pending state of a transfer that must exist.
func MustState(tb testing.TB, e *ledger.Engine, id ledger.ID) ledger.PendingState {
	tb.Helper()
	_, s, ok := e.LookupTransfer(id)
	if !ok {
		tb.Fatalf("transfer %s: not found", id)
	}
	return s
}

// MustVerify checks the engine's invariants.
func MustVerify(tb testing.TB, e *ledger.Engine) {
	tb.Helper()
	if err := e.Verify(); err != nil {
		tb.Fatalf("verify: %v", err)
	}
}

// MustSnapshot returns the engine's snapshot.
func MustSnapshot(tb testing.TB, e *ledger.Engine) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := e.WriteSnapshot(&b); err != nil {
		tb.Fatalf("write snapshot: %v", err)
	}
	return b.Bytes()
}

// MustRestore restores an engine from a snapshot that must be good.
func MustRestore(tb testing.TB, snapshot []byte, opts ledger.Options) *ledger.Engine {
	tb.Helper()
	e, err := ledger.RestoreSnapshot(bytes.NewReader(snapshot), opts)
	if err != nil {
		tb.Fatalf("restore snapshot: %v", err)
	}
	return e
}

// MustHistory returns all the balances kept for an account.
func MustHistory(tb testing.TB, e *ledger.Engine, id ledger.ID) []ledger.Balance {
	tb.Helper()
	h, ok := e.AccountBalances(id, 0, 1<<30)
	if !ok {
		tb.Fatalf("history of %s: account not found", id)
	}
	return h
}
