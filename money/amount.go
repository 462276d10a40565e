package money

import (
	"encoding/binary"
	"math/bits"
)

// Amount is an unsigned 128-bit count of minor units (kopecks, cents, rials
// at the currency's minor-unit exponent). It is a value type: the zero value
// is zero. Arithmetic is checked: an operation that would overflow or go
// below zero reports it instead of wrapping.
type Amount struct {
	hi, lo uint64
}

// AmountBytes is the size of an Amount's fixed binary encoding.
const AmountBytes = 16

// AmountMax is the largest Amount, 2^128-1 minor units.
var AmountMax = Amount{hi: ^uint64(0), lo: ^uint64(0)}

// NewAmount returns the Amount of v minor units.
func NewAmount(v uint64) Amount { return Amount{lo: v} }

// AmountFromParts returns the Amount hi*2^64 + lo.
func AmountFromParts(hi, lo uint64) Amount { return Amount{hi: hi, lo: lo} }

// Parts returns the high and low 64 bits of a.
func (a Amount) Parts() (hi, lo uint64) { return a.hi, a.lo }

// IsZero reports whether a is zero.
func (a Amount) IsZero() bool { return a.hi == 0 && a.lo == 0 }

// Uint64 returns a as a uint64 and whether it fits.
func (a Amount) Uint64() (uint64, bool) { return a.lo, a.hi == 0 }

// Cmp returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a Amount) Cmp(b Amount) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// Less reports whether a < b.
func (a Amount) Less(b Amount) bool {
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo)
}

// Add returns a+b, and ok=false (with an undefined sum) if it overflows 128 bits.
func (a Amount) Add(b Amount) (sum Amount, ok bool) {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, carry := bits.Add64(a.hi, b.hi, carry)
	return Amount{hi: hi, lo: lo}, carry == 0
}

// Sub returns a-b, and ok=false (with an undefined difference) if b > a.
func (a Amount) Sub(b Amount) (diff Amount, ok bool) {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, borrow := bits.Sub64(a.hi, b.hi, borrow)
	return Amount{hi: hi, lo: lo}, borrow == 0
}

// MustAdd returns a+b and panics on overflow. It is for invariants that a
// caller has already checked, never for input.
func (a Amount) MustAdd(b Amount) Amount {
	s, ok := a.Add(b)
	if !ok {
		panic("money: Amount overflow in MustAdd")
	}
	return s
}

// MustSub returns a-b and panics if b > a. Like MustAdd, it is for checked
// invariants only.
func (a Amount) MustSub(b Amount) Amount {
	d, ok := a.Sub(b)
	if !ok {
		panic("money: Amount underflow in MustSub")
	}
	return d
}

// Min returns the smaller of a and b.
func (a Amount) Min(b Amount) Amount {
	if b.Less(a) {
		return b
	}
	return a
}

// PutBytes writes a's 16-byte big-endian encoding into b, which must be at
// least AmountBytes long.
func (a Amount) PutBytes(b []byte) {
	binary.BigEndian.PutUint64(b[0:8], a.hi)
	binary.BigEndian.PutUint64(b[8:16], a.lo)
}

// AmountFromBytes reads the 16-byte big-endian encoding written by PutBytes.
func AmountFromBytes(b []byte) Amount {
	return Amount{hi: binary.BigEndian.Uint64(b[0:8]), lo: binary.BigEndian.Uint64(b[8:16])}
}

// MarshalText writes the count of minor units in decimal, for internal
// records (journal commands, snapshots), where the currency is known from
// elsewhere. Amounts shown to people and sent over the API are formatted
// with FormatAmount, in major units.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseMinorUnits(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
