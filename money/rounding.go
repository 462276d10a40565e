package money

import (
	"fmt"
	"strconv"
)

// RoundingMode says how a result that falls between two representable values
// is rounded. Every value this package rounds is non-negative, so "toward
// zero" is down and "away from zero" is up.
//
// The zero RoundingMode is deliberately invalid: a mode left unset in a
// configuration or a call is a bug, and functions given one panic rather than
// pick a direction nobody chose.
type RoundingMode uint8

const (
	// RoundDown truncates toward zero.
	RoundDown RoundingMode = iota + 1
	// RoundUp rounds any remainder away from zero.
	RoundUp
	// RoundHalfEven rounds to the nearest value, ties to the even one
	// (banker's rounding).
	RoundHalfEven
	// RoundHalfUp rounds to the nearest value, ties away from zero.
	RoundHalfUp
)

var roundingModeNames = [...]string{
	RoundDown:     "down",
	RoundUp:       "up",
	RoundHalfEven: "half_even",
	RoundHalfUp:   "half_up",
}

// String returns the mode's name: "down", "up", "half_even" or "half_up",
// the same names ParseRoundingMode reads and configuration files use.
func (m RoundingMode) String() string {
	if !m.valid() {
		return "RoundingMode(" + strconv.Itoa(int(m)) + ")"
	}
	return roundingModeNames[m]
}

func (m RoundingMode) valid() bool { return m >= RoundDown && m <= RoundHalfUp }

// ParseRoundingMode returns the mode named s, as String writes it.
func ParseRoundingMode(s string) (RoundingMode, error) {
	for m := RoundDown; m <= RoundHalfUp; m++ {
		if roundingModeNames[m] == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("money: unknown rounding mode %q (want down, up, half_even or half_up)", s)
}

// mustValid panics on an invalid mode: modes are constants or come through
// ParseRoundingMode, so an invalid one is a programmer error.
func (m RoundingMode) mustValid() {
	if !m.valid() {
		panic("money: invalid " + m.String())
	}
}

// roundsUp reports whether a quotient q with a non-zero remainder r of a
// division by d is rounded up to q+1. half compares r with d-r (the distance
// to q+1): negative if r is nearer q, zero on a tie, positive if nearer q+1.
func (m RoundingMode) roundsUp(qOdd bool, half int) bool {
	switch m {
	case RoundDown:
		return false
	case RoundUp:
		return true
	case RoundHalfUp:
		return half >= 0
	case RoundHalfEven:
		return half > 0 || (half == 0 && qOdd)
	}
	panic("money: invalid " + m.String())
}
