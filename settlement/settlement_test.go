package settlement_test

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"astara/money"
	"astara/settlement"
)

type movement struct {
	payer, payee int
	amount       uint64
}

// TestNettingAgainstBruteForce generates windows of payments and checks
// the positions, totals, ratio and instructions against a computation
// that walks every payment.
func TestNettingAgainstBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 2 + rng.IntN(9)
		var moves []movement
		for range rng.IntN(200) {
			a, b := rng.IntN(n), rng.IntN(n)
			if a == b {
				continue
			}
			moves = append(moves, movement{a, b, 1 + rng.Uint64N(1_000_000_00)})
		}
		positions := make([]settlement.Position, n)
		for i := range positions {
			positions[i].Participant = fmt.Sprintf("BANK%04d", i)
		}
		for _, m := range moves {
			positions[m.payer].Sent = positions[m.payer].Sent.MustAdd(money.NewAmount(m.amount))
			positions[m.payee].Received = positions[m.payee].Received.MustAdd(money.NewAmount(m.amount))
		}
		// Brute force: a signed net per participant, payment by payment.
		nets := make([]*big.Int, n)
		for i := range nets {
			nets[i] = new(big.Int)
		}
		gross := new(big.Int)
		for _, m := range moves {
			x := new(big.Int).SetUint64(m.amount)
			nets[m.payer].Sub(nets[m.payer], x)
			nets[m.payee].Add(nets[m.payee], x)
			gross.Add(gross, x)
		}
		net := new(big.Int)
		for i, v := range nets {
			got, payer := positions[i].Net()
			want := new(big.Int).Abs(v)
			if got.String() != want.String() || (v.Sign() < 0) != payer {
				t.Fatalf("seed %d: %s net = %s payer=%v, want %s", seed, positions[i].Participant, got, payer, v)
			}
			if v.Sign() > 0 {
				net.Add(net, v)
			}
		}
		totals, ok := settlement.Sum(positions)
		if !ok || totals.Gross.String() != gross.String() || totals.Net.String() != net.String() {
			t.Fatalf("seed %d: Sum = %+v %v, want gross %s net %s", seed, totals, ok, gross, net)
		}
		// The ratio, rounded up to four digits.
		if gross.Sign() > 0 {
			r := new(big.Rat).SetFrac(net, gross)
			got, _ := new(big.Rat).SetString(settlement.Ratio(totals))
			lo := new(big.Rat).Sub(got, big.NewRat(1, 10000))
			if got.Cmp(r) < 0 || lo.Cmp(r) >= 0 {
				t.Fatalf("seed %d: Ratio = %s for %s", seed, settlement.Ratio(totals), r.FloatString(8))
			}
		}
		// Applying the instructions brings every net to zero.
		ins := settlement.Instructions(positions)
		index := map[string]int{}
		nonZero := 0
		for i, p := range positions {
			index[p.Participant] = i
			if nets[i].Sign() != 0 {
				nonZero++
			}
		}
		for _, in := range ins {
			if in.Amount.IsZero() || in.Payer == in.Payee {
				t.Fatalf("seed %d: instruction %+v", seed, in)
			}
			x := new(big.Int).SetUint64(must64(t, in.Amount))
			nets[index[in.Payer]].Add(nets[index[in.Payer]], x)
			nets[index[in.Payee]].Sub(nets[index[in.Payee]], x)
		}
		for i, v := range nets {
			if v.Sign() != 0 {
				t.Fatalf("seed %d: after the instructions %s is left with %s", seed, positions[i].Participant, v)
			}
		}
		if nonZero > 0 && len(ins) > nonZero-1 {
			t.Fatalf("seed %d: %d instructions for %d non-zero positions", seed, len(ins), nonZero)
		}
	}
}

func must64(t *testing.T, a money.Amount) uint64 {
	t.Helper()
	v, ok := a.Uint64()
	if !ok {
		t.Fatalf("amount %s over 64 bits", a)
	}
	return v
}

func TestRatio(t *testing.T) {
	for _, c := range []struct {
		net, gross uint64
		want       string
	}{
		{0, 0, "0.0000"}, {0, 100, "0.0000"}, {25, 100, "0.2500"}, {100, 100, "1.0000"},
		{1, 3, "0.3334"}, {2, 3, "0.6667"}, {1, 1_000_000, "0.0001"},
	} {
		got := settlement.Ratio(settlement.Totals{Net: money.NewAmount(c.net), Gross: money.NewAmount(c.gross)})
		if got != c.want {
			t.Errorf("Ratio(%d/%d) = %s, want %s", c.net, c.gross, got, c.want)
		}
	}
}

func TestSumRefusesUnbalancedPositions(t *testing.T) {
	_, ok := settlement.Sum([]settlement.Position{{Participant: "A", Sent: money.NewAmount(5)}, {Participant: "B", Received: money.NewAmount(4)}})
	if ok {
		t.Error("Sum of positions that do not balance = ok, want not ok")
	}
}

func TestInstructionsDeterministicOrder(t *testing.T) {
	ps := []settlement.Position{
		{Participant: "C", Sent: money.NewAmount(300)},
		{Participant: "A", Received: money.NewAmount(200)},
		{Participant: "B", Received: money.NewAmount(100)},
	}
	got := fmt.Sprint(settlement.Instructions(ps))
	want := "[{C A 200} {C B 100}]"
	if got != want {
		t.Errorf("Instructions = %s, want %s", got, want)
	}
}

func TestWriteCSV(t *testing.T) {
	rub := money.MustCurrency("RUB")
	var b bytes.Buffer
	err := settlement.WriteCSV(&b, []settlement.CSVRow{{ID: "RUB-000001-1", Window: "RUB-000001", Currency: rub, Payer: "VOLGRUMM",
		PayerAccount: "p-acc", Payee: "FXPRRUMM", PayeeAccount: "q-acc", Amount: money.NewAmount(15_000_000), SettlementDate: "2026-12-07"}})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(settlement.CSVHeader, ",") + "\nRUB-000001-1,RUB-000001,RUB,VOLGRUMM,p-acc,FXPRRUMM,q-acc,150000.00,2026-12-07\n"
	if b.String() != want {
		t.Errorf("CSV =\n%s\nwant\n%s", b.String(), want)
	}
}
