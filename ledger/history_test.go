package ledger_test

import (
	"bytes"
	"slices"
	"testing"

	"astara/ledger"
)

// TestHistoryAnswersAsMemory applies the same batches to an engine that
// keeps everything in memory and to one that keeps two transfers and moves
// the rest to a History after every batch: retries of moved transfers,
// posts and voids of moved pending transfers, and ids repeated inside one
// chain get the same answers.
func TestHistoryAnswersAsMemory(t *testing.T) {
	mem := NewTestLedger(t, ledger.Options{})
	hist := NewTestLedger(t, ledger.Options{HotTransfers: 2})
	history := ledger.NewMemoryHistory()
	if err := hist.e.SetHistory(history); err != nil {
		t.Fatal(err)
	}
	apply := func(what string, transfers ...ledger.Transfer) {
		t.Helper()
		want := mem.Transfers(transfers...)
		got := hist.Transfers(transfers...)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		if _, err := hist.e.MoveHistory(false); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []*testLedger{mem, hist} {
		MustAccounts(t, l, ledger.Account{ID: id(1), Currency: rub, Code: 1},
			ledger.Account{ID: id(2), Currency: rub, Code: 1, Flags: ledger.AccountHistory})
	}
	tr := func(tid uint64, flags ledger.TransferFlags) ledger.Transfer {
		return ledger.Transfer{ID: id(tid), DebitAccountID: id(1), CreditAccountID: id(2), Amount: amt(tid), Currency: rub, Code: 1, Flags: flags}
	}
	for i := uint64(10); i < 60; i++ {
		flags := ledger.TransferFlags(0)
		if i%5 == 0 {
			flags = ledger.TransferPending
		}
		apply("create", tr(i, flags))
	}
	apply("retries of moved transfers", tr(11, 0), tr(12, ledger.TransferPending), tr(13, 0))
	apply("post and void moved pending transfers",
		ledger.Transfer{ID: id(100), PendingID: id(10), Flags: ledger.TransferPostPending},
		ledger.Transfer{ID: id(101), PendingID: id(15), Flags: ledger.TransferVoidPending})
	apply("post again, void a posted one, post a transfer that was never pending",
		ledger.Transfer{ID: id(102), PendingID: id(10), Flags: ledger.TransferPostPending},
		ledger.Transfer{ID: id(103), PendingID: id(10), Flags: ledger.TransferVoidPending},
		ledger.Transfer{ID: id(104), PendingID: id(11), Flags: ledger.TransferPostPending})
	reads := history.Reads()
	apply("new ids, alone and in a chain", tr(180, 0), tr(181, ledger.TransferLinked), tr(182, ledger.TransferLinked), tr(183, 0))
	if got := history.Reads() - reads; got != 0 {
		t.Errorf("new ids read History %d times; the id filter knows them new", got)
	}
	apply("an id twice in one chain", tr(200, ledger.TransferLinked), tr(200, ledger.TransferLinked), tr(201, 0))
	apply("a chain that fails leaves its ids unknown", tr(300, ledger.TransferLinked), tr(300, ledger.TransferPending|ledger.TransferLinked), tr(301, 0))
	apply("and they can be used again", tr(300, 0))
	if n, _ := history.Len(); n < 40 {
		t.Fatalf("%d transfers moved to history, want most of them", n)
	}
	if got := hist.e.MemoryTransfersCount(); got > 2+2+hist.e.OpenPendingCount() {
		t.Errorf("%d transfers in memory, want the hot window and the open pending ones", got)
	}
	for tid := uint64(1); tid < 310; tid++ {
		gt, gs, gok := hist.e.LookupTransfer(id(tid))
		wt, ws, wok := mem.e.LookupTransfer(id(tid))
		if gt != wt || gs != ws || gok != wok {
			t.Fatalf("transfer %d: got %+v %s %t, want %+v %s %t", tid, gt, gs, gok, wt, ws, wok)
		}
	}
	got, _ := hist.e.AccountBalances(id(2), 0, 1000)
	want, _ := mem.e.AccountBalances(id(2), 0, 1000)
	if !slices.Equal(got, want) || len(want) < 50 {
		t.Errorf("balances: got %d, want %d (the same)", len(got), len(want))
	}
}

// IDFilter, the engine's filter for the layers above: every id added is
// found, most never added are not, and its encoding gives back the same
// filter; a damaged encoding is refused.
func TestIDFilterRoundTrip(t *testing.T) {
	var f ledger.IDFilter
	var added []ledger.ID
	for i := range uint64(5000) {
		id := ledger.IDFromUint64(i*7919 + 1)
		f.Add(id)
		added = append(added, id)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var g ledger.IDFilter
	if err := g.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if g.Len() != uint64(len(added)) {
		t.Fatalf("decoded filter holds %d ids, want %d", g.Len(), len(added))
	}
	for _, id := range added {
		if !f.MayHave(id) || !g.MayHave(id) {
			t.Fatalf("id %s added but not found (%t before encoding, %t after)", id, f.MayHave(id), g.MayHave(id))
		}
	}
	maybe := 0
	for i := range uint64(100000) {
		if g.MayHave(ledger.IDFromUint64(1<<40 + i)) {
			maybe++
		}
	}
	if maybe > 1000 {
		t.Fatalf("%d of 100000 ids never added may be there; want under 1%%", maybe)
	}
	if again, _ := g.MarshalBinary(); !bytes.Equal(again, b) {
		t.Fatal("the decoded filter encodes to other bytes")
	}
	for _, bad := range [][]byte{nil, b[:7], b[:len(b)-1], append(bytes.Clone(b), 0)} {
		if err := new(ledger.IDFilter).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary of %d bytes (of %d) = nil, want an error", len(bad), len(b))
		}
	}
}

// TestFailedIDsMoveToHistory: ids of client transfers that failed for a
// reason of the moment leave memory with the history, as an engine that
// keeps everything in memory would answer for them still: a retry is
// id_already_failed, after a move, after a snapshot and its restore, and
// a new id is not read from History.
func TestFailedIDsMoveToHistory(t *testing.T) {
	mem := NewTestLedger(t, ledger.Options{})
	hist := NewTestLedger(t, ledger.Options{HotTransfers: 4})
	history := ledger.NewMemoryHistory()
	if err := ledger.StartIDFilterScheme(history); err != nil {
		t.Fatal(err)
	}
	if err := hist.e.SetHistory(history); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*testLedger{mem, hist} {
		MustAccounts(t, l, ledger.Account{ID: id(1), Currency: rub, Code: 1, Flags: ledger.AccountDebitsMustNotExceedCredits},
			ledger.Account{ID: id(2), Currency: rub, Code: 1})
	}
	// Account 1 holds nothing: every transfer from it fails, for now.
	from1 := func(tid uint64) ledger.Transfer {
		return ledger.Transfer{ID: id(tid), DebitAccountID: id(1), CreditAccountID: id(2), Amount: amt(1), Currency: rub, Code: 1}
	}
	apply := func(what string, transfers ...ledger.Transfer) {
		t.Helper()
		want := mem.ClientTransfers(transfers...)
		got := hist.ClientTransfers(transfers...)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		if hist.e.HistoryDue() {
			if _, err := hist.e.MoveHistory(false); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := uint64(100); i < 140; i++ {
		apply("fail", from1(i))
	}
	if n := hist.e.FailedCount(); n >= 8 {
		t.Fatalf("%d failed ids in memory after 40 failed and moves every 4; want them moved", n)
	}
	// Money for account 1: the ids that failed still fail, as retries.
	apply("fund", ledger.Transfer{ID: id(500), DebitAccountID: id(2), CreditAccountID: id(1), Amount: amt(100), Currency: rub, Code: 1})
	apply("retries", from1(100), from1(120), from1(139))
	reads := history.RecordReads()
	apply("new ids", from1(600), from1(601), from1(602))
	if n := history.RecordReads() - reads; n != 0 {
		t.Errorf("new ids read %d failed-id records; the filter of failed ids knows them new", n)
	}
	if _, err := hist.e.MoveHistory(true); err != nil {
		t.Fatal(err)
	}
	restored := MustRestore(t, MustSnapshot(t, hist.e), ledger.Options{HotTransfers: 4})
	if err := restored.SetHistory(history); err != nil {
		t.Fatal(err)
	}
	hist.e = restored
	apply("retries after a restore", from1(101), from1(138), from1(600))
}
