package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
)

// ID is a 128-bit identifier of an account or a transfer, chosen by the
// client so that a retry is idempotent. It is stored big-endian, so the
// order of IDs is the order of their UUID strings. Zero is not a valid ID,
// and neither is 2^128-1 (reserved, as in TigerBeetle).
type ID [16]byte

// IDBytes is the size of an ID's binary encoding.
const IDBytes = 16

// ErrIDSyntax is returned by ParseID for text that is not a UUID.
var ErrIDSyntax = errors.New("not a UUID (8-4-4-4-12 hexadecimal digits)")

// ParseID parses the canonical UUID form, 8-4-4-4-12 hexadecimal digits,
// upper or lower case. It does not reject zero: validity is the engine's
// rule, reported per item.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, ErrIDSyntax
	}
	var buf [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		buf[n] = s[i]
		n++
	}
	if _, err := hex.Decode(id[:], buf[:]); err != nil {
		return ID{}, ErrIDSyntax
	}
	return id, nil
}

// MustParseID is ParseID for constants in tests and examples; it panics on
// bad input.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic("ledger: MustParseID(" + s + "): " + err.Error())
	}
	return id
}

// IDFromUint64 returns the ID whose value is v (the low 64 bits), a
// convenience for tests and generated workloads.
func IDFromUint64(v uint64) ID {
	var id ID
	for i := 15; i >= 8; i-- {
		id[i] = byte(v)
		v >>= 8
	}
	return id
}

// NewRandomID returns a random UUID version 4.
func NewRandomID() ID {
	var id ID
	if _, err := rand.Read(id[:]); err != nil {
		panic("ledger: crypto/rand failed: " + err.Error())
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

// IsZero reports whether id is zero.
func (id ID) IsZero() bool { return id == ID{} }

// isMax reports whether id is 2^128-1, which is reserved.
func (id ID) isMax() bool {
	return id == ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// String returns the canonical lower-case UUID form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], id[10:16])
	return string(b[:])
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
