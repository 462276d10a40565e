package money

import "cmp"

// MulUint64 returns a*m, and ok=false (with an undefined product) if it
// overflows 128 bits.
func MulUint64(a Amount, m uint64) (product Amount, ok bool) {
	return mulAdd64(a, m, 0)
}

// DivUint64 returns a/d rounded with mode, for splitting an amount into d
// shares. It cannot overflow. It panics if d is zero or mode is invalid, as
// integer division does: both are programmer errors, not input.
func DivUint64(a Amount, d uint64, mode RoundingMode) Amount {
	mode.mustValid()
	if d == 0 {
		panic("money: DivUint64 by zero")
	}
	q, r := a.divRem64(d)
	if r != 0 && mode.roundsUp(q.lo&1 == 1, cmp.Compare(r, d-r)) {
		q = q.MustAdd(Amount{lo: 1}) // r != 0 implies d >= 2, so q+1 <= a.
	}
	return q
}

// Sum returns the sum of amounts (zero for none), and ok=false (with an
// undefined sum) if it overflows 128 bits at any step. Amounts are
// non-negative, so an overflow at any step means the total overflows.
func Sum(amounts ...Amount) (sum Amount, ok bool) {
	for _, a := range amounts {
		if sum, ok = sum.Add(a); !ok {
			return Amount{}, false
		}
	}
	return sum, true
}
