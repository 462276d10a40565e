package payments_test

import (
	"math/rand/v2"
	"testing"

	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// postedNet returns an account's posted credits minus posted debits.
func postedNet(tb testing.TB, m *payments.Machine, id ledger.ID) int64 {
	tb.Helper()
	b := MustBal(tb, m, id)
	return int64(b.CreditsPosted) - int64(b.DebitsPosted)
}

func MustWindow(tb testing.TB, m *payments.Machine, id string) payments.Window {
	tb.Helper()
	w, ok := m.Window(id)
	if !ok {
		tb.Fatalf("no window %s", id)
	}
	return w
}

func TestWindowLifecycle(t *testing.T) {
	s := NewNetwork(t)
	w, ok := s.M.OpenWindow(codeRUB)
	if !ok || w.ID != "RUB-000001" || w.Status != payments.WindowOpen {
		t.Fatalf("got open RUB window %+v %v, want RUB-000001 open", w, ok)
	}
	p := s.Pay(150_000_00)
	if got := MustWindow(t, s.M, "RUB-000001"); got.Payments != 0 {
		t.Errorf("a reserved payment counted in the window: %d payments", got.Payments)
	}
	MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
	rejected := s.Pay(200_000_00)
	MustReply[*payments.Payment](t, s.Reject(rejected.UETR, bankIR, "AC01"))

	t.Run("a window cannot be settled while open", func(t *testing.T) {
		MustRefusal(t, s.Do(&payments.SettleWindow{ID: "RUB-000001", By: "operator"}), payments.CodeWindowNotClosed)
	})
	t.Run("an unknown window is not found", func(t *testing.T) {
		MustRefusal(t, s.Do(&payments.CloseWindow{ID: "RUB-999999", By: "operator"}), payments.CodeWindowNotFound)
	})

	closed := MustReply[*payments.Window](t, s.Do(&payments.CloseWindow{ID: "RUB-000001", By: "operator"}))
	if closed.Status != payments.WindowClosed || closed.Payments != 1 {
		t.Fatalf("closed window %+v, want closed with 1 payment", closed)
	}
	sent := p.SourceAmount.MustAdd(p.Fee)
	want := map[string]payments.WindowPosition{
		bankRU:            {Sent: sent},
		bankFX:            {Received: p.SourceAmount},
		payments.SwitchID: {Received: p.Fee},
	}
	for id, wp := range want {
		got := closed.Positions[id]
		if got == nil || *got != wp {
			t.Errorf("%s position %+v, want %+v", id, got, wp)
		}
	}
	next, _ := s.M.OpenWindow(codeRUB)
	if next.ID != "RUB-000002" || !next.OpenedAt.Equal(closed.ClosedAt) {
		t.Errorf("next window %s opened %s, want RUB-000002 opened when RUB-000001 closed (%s)", next.ID, next.OpenedAt, closed.ClosedAt)
	}
	t.Run("a closed window cannot be closed again", func(t *testing.T) {
		MustRefusal(t, s.Do(&payments.CloseWindow{ID: "RUB-000001", By: "operator"}), payments.CodeWindowNotOpen)
	})

	// A payment after the close counts in the next window only.
	later := s.Pay(100_000_00)
	MustReply[*payments.Payment](t, s.Accept(later.UETR, bankIR))
	if got := MustWindow(t, s.M, "RUB-000001"); got.Positions[bankRU].Sent != sent {
		t.Errorf("the closed window changed after its close: %+v", got.Positions[bankRU])
	}

	ruBefore := postedNet(t, s.M, payments.AccountID(bankRU, codeRUB, payments.AccountPosition))
	settled := MustReply[*payments.Window](t, s.Do(&payments.SettleWindow{ID: "RUB-000001", By: "operator"}))
	if settled.Status != payments.WindowSettled {
		t.Fatalf("got %s, want settled", settled.Status)
	}
	// The payer's position is paid back what the window took from it; the
	// receiver's and the switch's are paid out.
	if got := postedNet(t, s.M, payments.AccountID(bankRU, codeRUB, payments.AccountPosition)); got != ruBefore+int64(Minor(t, sent)) {
		t.Errorf("bankRU position %d after settlement, want %d", got, ruBefore+int64(Minor(t, sent)))
	}
	if got := postedNet(t, s.M, payments.AccountID(payments.SwitchID, codeRUB, payments.AccountFeeIncome)); got != int64(Minor(t, later.Fee)) {
		t.Errorf("fee income %d after settlement, want only the next window's fee %d", got, Minor(t, later.Fee))
	}
	if got := postedNet(t, s.M, payments.AccountID(payments.SwitchID, codeRUB, payments.AccountSettlement)); got != int64(Minor(t, p.Fee)) {
		t.Errorf("switch settlement account %d, want the fee %d", got, Minor(t, p.Fee))
	}
	t.Run("a window cannot be settled twice", func(t *testing.T) {
		MustRefusal(t, s.Do(&payments.SettleWindow{ID: "RUB-000001", By: "operator"}), payments.CodeWindowSettled)
	})
}

// TestSettlementRefusedWhole: a net receiver that reserved what it is
// owed cannot be paid out; nothing of the window is settled until it can.
func TestSettlementRefusedWhole(t *testing.T) {
	s := NewNetwork(t)
	p := s.Pay(150_000_00)
	MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
	MustReply[*payments.Window](t, s.Do(&payments.CloseWindow{ID: "IRR-000001", By: "operator"}))
	// bankIR reserves everything it holds.
	pos := payments.AccountID(bankIR, codeIRR, payments.AccountPosition)
	b := MustBal(t, s.M, pos)
	hold := s.NewID()
	res := s.Transfers(ledger.Transfer{ID: hold, DebitAccountID: pos, CreditAccountID: payments.AccountID(bankIR, codeIRR, payments.AccountSettlement),
		Amount: money.NewAmount(b.CreditsPosted - b.DebitsPosted - b.DebitsPending), Currency: codeIRR, Code: 1, Flags: ledger.TransferPending})
	if res[0] != ledger.ResultOK {
		t.Fatalf("hold: %s", res[0])
	}
	before := LedgerView(t, s.M)
	fxSettlement := MustBal(t, s.M, payments.AccountID(bankFX, codeIRR, payments.AccountSettlement))
	r := MustRefusal(t, s.Do(&payments.SettleWindow{ID: "IRR-000001", By: "operator"}), payments.CodeSettlementRefused)
	if r.Reason != "AM04" {
		t.Errorf("reason %s, want AM04", r.Reason)
	}
	if got := LedgerView(t, s.M); got[ledgerAccounts[2].name] != before[ledgerAccounts[2].name] {
		t.Errorf("the FX provider's IRR position moved on a refused settlement")
	}
	if got := MustBal(t, s.M, payments.AccountID(bankFX, codeIRR, payments.AccountSettlement)); got != fxSettlement {
		t.Errorf("the FX provider's settlement account moved on a refused settlement: %+v, was %+v", got, fxSettlement)
	}
	if w := MustWindow(t, s.M, "IRR-000001"); w.Status != payments.WindowClosed {
		t.Errorf("window %s after a refused settlement, want closed", w.Status)
	}
	s.Transfers(ledger.Transfer{ID: s.NewID(), PendingID: hold, Flags: ledger.TransferVoidPending})
	MustReply[*payments.Window](t, s.Do(&payments.SettleWindow{ID: "IRR-000001", By: "operator"}))
}

// TestSettlementAgainstBruteForce runs seeded traffic with windows closed
// and settled at random, and checks every window against the sum of the
// movements of the payments answered while it was open; once every window
// is settled, every position is back where its funding put it.
func TestSettlementAgainstBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		s := NewNetwork(t)
		type key struct{ window, who string }
		want := map[key]*payments.WindowPosition{}
		counted := map[string]int{}
		add := func(c money.Code, from, to string, a money.Amount) {
			w, _ := s.M.OpenWindow(c)
			for _, k := range []key{{w.ID, from}, {w.ID, to}} {
				if want[k] == nil {
					want[k] = &payments.WindowPosition{}
				}
			}
			want[key{w.ID, from}].Sent = want[key{w.ID, from}].Sent.MustAdd(a)
			want[key{w.ID, to}].Received = want[key{w.ID, to}].Received.MustAdd(a)
		}
		positions := []ledger.ID{}
		start := map[ledger.ID]int64{}
		for _, id := range []string{bankRU, bankRU2, bankFX} {
			positions = append(positions, payments.AccountID(id, codeRUB, payments.AccountPosition))
		}
		positions = append(positions, payments.AccountID(bankIR, codeIRR, payments.AccountPosition), payments.AccountID(bankFX, codeIRR, payments.AccountPosition))
		for _, id := range positions {
			start[id] = postedNet(t, s.M, id)
		}
		var reserved, completed []*payments.Payment
		for range 300 {
			switch n := rng.IntN(10); {
			case n < 4:
				sender := []string{bankRU, bankRU2}[rng.IntN(2)]
				q := MustReply[*payments.Quote](t, s.Do(s.QuoteCmd(sender, bankIR, codeRUB, codeIRR, 10_000_00+rng.Uint64N(5_000_000_00), 0)))
				reserved = append(reserved, MustReply[*payments.Payment](t, s.Do(s.PayCmd(q))))
			case n < 7 && len(reserved) > 0:
				i := rng.IntN(len(reserved))
				p := reserved[i]
				reserved = append(reserved[:i], reserved[i+1:]...)
				if rng.IntN(4) == 0 {
					MustReply[*payments.Payment](t, s.Reject(p.UETR, bankIR, "AC01"))
					continue
				}
				MustReply[*payments.Payment](t, s.Accept(p.UETR, bankIR))
				for _, c := range []money.Code{codeRUB, codeIRR} {
					w, _ := s.M.OpenWindow(c)
					counted[w.ID]++
				}
				add(codeRUB, p.Sender, bankFX, p.SourceAmount)
				add(codeRUB, p.Sender, payments.SwitchID, p.Fee)
				add(codeIRR, bankFX, bankIR, p.TargetAmount)
				completed = append(completed, p)
			case n == 7 && len(completed) > 0:
				i := rng.IntN(len(completed))
				p := completed[i]
				completed = append(completed[:i], completed[i+1:]...)
				MustReply[*payments.Payment](t, s.Return(p.UETR, bankIR, "AC04"))
				for _, c := range []money.Code{codeRUB, codeIRR} {
					w, _ := s.M.OpenWindow(c)
					counted[w.ID]++
				}
				add(codeIRR, bankIR, bankFX, p.TargetAmount)
				add(codeRUB, bankFX, p.Sender, p.SourceAmount)
			case n == 8:
				c := []money.Code{codeRUB, codeIRR}[rng.IntN(2)]
				w, _ := s.M.OpenWindow(c)
				MustReply[*payments.Window](t, s.Do(&payments.CloseWindow{ID: w.ID, By: "operator"}))
			case n == 9:
				for _, w := range s.M.Windows() {
					if w.Status == payments.WindowClosed {
						MustReply[*payments.Window](t, s.Do(&payments.SettleWindow{ID: w.ID, By: "operator"}))
						break
					}
				}
			}
		}
		for _, r := range reserved {
			MustReply[*payments.Payment](t, s.Reject(r.UETR, bankIR, "AC01"))
		}
		for _, c := range []money.Code{codeRUB, codeIRR} {
			w, _ := s.M.OpenWindow(c)
			MustReply[*payments.Window](t, s.Do(&payments.CloseWindow{ID: w.ID, By: "operator"}))
		}
		for _, w := range s.M.Windows() {
			if w.Status == payments.WindowClosed {
				MustReply[*payments.Window](t, s.Do(&payments.SettleWindow{ID: w.ID, By: "operator"}))
			}
		}
		for _, w := range s.M.Windows() {
			if w.Payments != counted[w.ID] {
				t.Fatalf("seed %d: window %s counts %d payments, want %d", seed, w.ID, w.Payments, counted[w.ID])
			}
			for who, got := range w.Positions {
				if exp := want[key{w.ID, who}]; exp == nil || *exp != *got {
					t.Fatalf("seed %d: window %s %s = %+v, want %+v", seed, w.ID, who, got, exp)
				}
			}
			for k, exp := range want {
				if k.window == w.ID && w.Positions[k.who] == nil && (!exp.Sent.IsZero() || !exp.Received.IsZero()) {
					t.Fatalf("seed %d: window %s lacks %s", seed, w.ID, k.who)
				}
			}
			if w.Status != payments.WindowClosed && w.Status != payments.WindowSettled && w.Status != payments.WindowOpen {
				t.Fatalf("seed %d: window %s status %s", seed, w.ID, w.Status)
			}
		}
		for _, id := range positions {
			if got := postedNet(t, s.M, id); got != start[id] {
				t.Fatalf("seed %d: position %s is %d after every window settled, want %d as funded", seed, id, got, start[id])
			}
		}
		if got := postedNet(t, s.M, payments.AccountID(payments.SwitchID, codeRUB, payments.AccountFeeIncome)); got != 0 {
			t.Fatalf("seed %d: fee income %d after every window settled, want 0", seed, got)
		}
		// Replayed from its entries, the machine reaches the same windows.
		replayed := MustApply(t, payments.NewMachine(ledger.Options{}), s.Entries, nil)
		MustSameReplies(t, replayed, s.Replies, s.Entries)
	}
}
