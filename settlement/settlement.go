// Package settlement is the arithmetic of settlement between banks: from
// what each participant sent and received in a settlement window, its
// multilateral net position, the window's gross and net value, the netting
// ratio, and the instructions that settle it (who pays whom). It does no I/O
// and keeps no state: the payments layer keeps the windows and journals
// them; this package only computes.
//
// Gross is what would move if every payment settled on its own: the sum of
// what every participant sent. Net is what moves when the window settles
// multilaterally: the sum of what the net payers owe, which equals the sum
// of what the net receivers are owed. The netting ratio is net over gross;
// the smaller it is, the more liquidity the switch saved.
package settlement

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"slices"

	"astara/money"
)

// Position is one participant's gross movements in a window.
type Position struct {
	Participant string
	Sent        money.Amount
	Received    money.Amount
}

// Net returns received minus sent as a magnitude and a sign: payer is true
// when the participant sent more than it received and so owes the
// difference.
func (p Position) Net() (amount money.Amount, payer bool) {
	if p.Received.Less(p.Sent) {
		return p.Sent.MustSub(p.Received), true
	}
	return p.Received.MustSub(p.Sent), false
}

// Instruction is one movement of money between settlement accounts: Payer
// pays Payee Amount.
type Instruction struct {
	Payer  string
	Payee  string
	Amount money.Amount
}

// Totals are a window's gross and net value.
type Totals struct {
	Gross money.Amount
	Net   money.Amount
}

// Sum returns the gross and net of a window's positions. It reports false
// if the positions do not balance (what was sent differs from what was
// received), which is a broken invariant of the caller.
func Sum(positions []Position) (Totals, bool) {
	var t Totals
	var received, owed money.Amount
	ok := true
	for _, p := range positions {
		var okS, okR bool
		t.Gross, okS = t.Gross.Add(p.Sent)
		received, okR = received.Add(p.Received)
		ok = ok && okS && okR
		if n, payer := p.Net(); payer {
			var okN bool
			t.Net, okN = t.Net.Add(n)
			ok = ok && okN
		} else {
			var okO bool
			owed, okO = owed.Add(n)
			ok = ok && okO
		}
	}
	return t, ok && t.Gross == received && t.Net == owed
}

// RatioDigits is how many decimal digits a netting ratio is written with.
const RatioDigits = 4

// Ratio returns net over gross as a decimal with RatioDigits digits,
// rounded up so that the ratio never overstates what netting saved; "0"
// digits for an empty window ("0.0000").
func Ratio(t Totals) string {
	if t.Gross.IsZero() {
		return "0.0000"
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(RatioDigits), nil)
	num := new(big.Int).Mul(toBig(t.Net), scale)
	den := toBig(t.Gross)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	intPart, frac := new(big.Int).QuoRem(q, scale, new(big.Int))
	return fmt.Sprintf("%s.%0*s", intPart, RatioDigits, frac)
}

func toBig(a money.Amount) *big.Int {
	hi, lo := a.Parts()
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

// Instructions returns the movements that settle the positions: each net
// payer pays net receivers until what it owes is paid. The largest payer
// is matched with the largest receiver first (ties by participant id), so
// the result is deterministic and has at most one instruction fewer than
// there are participants with a non-zero net.
func Instructions(positions []Position) []Instruction {
	type side struct {
		id     string
		amount money.Amount
	}
	var payers, payees []side
	for _, p := range positions {
		n, payer := p.Net()
		if n.IsZero() {
			continue
		}
		if payer {
			payers = append(payers, side{p.Participant, n})
		} else {
			payees = append(payees, side{p.Participant, n})
		}
	}
	byAmount := func(a, b side) int {
		if c := b.amount.Cmp(a.amount); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	slices.SortFunc(payers, byAmount)
	slices.SortFunc(payees, byAmount)
	var out []Instruction
	i, j := 0, 0
	for i < len(payers) && j < len(payees) {
		x := payers[i].amount.Min(payees[j].amount)
		out = append(out, Instruction{Payer: payers[i].id, Payee: payees[j].id, Amount: x})
		payers[i].amount = payers[i].amount.MustSub(x)
		payees[j].amount = payees[j].amount.MustSub(x)
		if payers[i].amount.IsZero() {
			i++
		}
		if payees[j].amount.IsZero() {
			j++
		}
	}
	return out
}

// CSVRow is one settlement instruction as the CSV report writes it.
type CSVRow struct {
	ID             string
	Window         string
	Currency       money.Currency
	Payer, Payee   string
	PayerAccount   string
	PayeeAccount   string
	Amount         money.Amount
	SettlementDate string
}

// CSVHeader is the CSV report's header row.
var CSVHeader = []string{"instruction_id", "window_id", "currency", "payer", "payer_settlement_account", "payee", "payee_settlement_account", "amount", "settlement_date"}

// WriteCSV writes instructions as CSV (RFC 4180) with CSVHeader first;
// amounts are decimal in major units with the currency's minor digits.
func WriteCSV(w io.Writer, rows []CSVRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.ID, r.Window, r.Currency.Code.String(), r.Payer, r.PayerAccount, r.Payee, r.PayeeAccount,
			money.FormatAmount(r.Amount, r.Currency), r.SettlementDate}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
