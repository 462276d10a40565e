package ledger_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"astara/ledger"
	"astara/money"
)

// randomTransfer fills every field, each optional one present or not.
func randomTransfer(r *rand.Rand) ledger.Transfer {
	var t ledger.Transfer
	randomID := func() ledger.ID {
		var id ledger.ID
		binary.BigEndian.PutUint64(id[:8], r.Uint64())
		binary.BigEndian.PutUint64(id[8:], r.Uint64())
		return id
	}
	maybe := func() bool { return r.IntN(2) == 0 }
	t.ID, t.DebitAccountID, t.CreditAccountID = randomID(), randomID(), randomID()
	t.Amount = money.NewAmount(r.Uint64())
	if maybe() {
		t.Amount = money.AmountFromParts(r.Uint64(), r.Uint64())
	}
	if maybe() {
		t.PendingID = randomID()
	}
	if maybe() {
		t.TimeoutSeconds = r.Uint32()
	}
	if maybe() {
		t.Timestamp = r.Uint64()
	}
	t.Currency = pickCode(r)
	t.Code = uint16(r.Uint32())
	t.Flags = ledger.TransferFlags(r.Uint32())
	return t
}

func randomAccount(r *rand.Rand) ledger.Account {
	var a ledger.Account
	binary.BigEndian.PutUint64(a.ID[:8], r.Uint64())
	binary.BigEndian.PutUint64(a.ID[8:], r.Uint64())
	a.Currency = pickCode(r)
	a.Code = uint16(r.Uint32())
	a.Flags = ledger.AccountFlags(r.Uint32())
	if r.IntN(2) == 0 {
		for _, p := range []*money.Amount{&a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted} {
			if r.IntN(2) == 0 {
				*p = money.AmountFromParts(r.Uint64()>>uint(r.IntN(64)), r.Uint64())
			}
		}
	}
	if r.IntN(2) == 0 {
		a.Timestamp = r.Uint64()
	}
	return a
}

// pickCode returns a known code, the zero code or arbitrary bytes: the
// codec carries what it is given.
func pickCode(r *rand.Rand) money.Code {
	switch r.IntN(4) {
	case 0:
		return money.Code{}
	case 1:
		return money.Code{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}
	}
	return []money.Code{rub, irr, usd}[r.IntN(3)]
}

// TestCodecRoundTrip is the codec's property: whatever is encoded decodes
// to the same values, consumes exactly its bytes, and encodes again to the
// same bytes; every strict prefix fails to decode.
func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rounds := 2000
	if testing.Short() {
		rounds = 300
	}
	trailer := []byte("trailer")
	for range rounds {
		transfers := make([]ledger.Transfer, r.IntN(8))
		for i := range transfers {
			transfers[i] = randomTransfer(r)
		}
		enc := ledger.AppendTransfers(nil, transfers)
		got, rest, err := ledger.DecodeTransfers(nil, append(slices.Clone(enc), trailer...))
		if err != nil {
			t.Fatalf("decode transfers %+v: %v", transfers, err)
		}
		if !slices.Equal(got, transfers) || !bytes.Equal(rest, trailer) {
			t.Fatalf("transfers:\ngot  %+v rest %q\nwant %+v rest %q", got, rest, transfers, trailer)
		}
		if again := ledger.AppendTransfers(nil, got); !bytes.Equal(again, enc) {
			t.Fatalf("transfers re-encode:\ngot  %x\nwant %x", again, enc)
		}
		for n := range len(enc) {
			if _, _, err := ledger.DecodeTransfers(nil, enc[:n]); !errors.Is(err, ledger.ErrCorruptPayload) {
				t.Fatalf("transfers prefix %d of %d: got %v, want ErrCorruptPayload", n, len(enc), err)
			}
		}

		accounts := make([]ledger.Account, r.IntN(8))
		for i := range accounts {
			accounts[i] = randomAccount(r)
		}
		enc = ledger.AppendAccounts(nil, accounts)
		gotA, rest, err := ledger.DecodeAccounts(nil, append(slices.Clone(enc), trailer...))
		if err != nil {
			t.Fatalf("decode accounts %+v: %v", accounts, err)
		}
		if !slices.Equal(gotA, accounts) || !bytes.Equal(rest, trailer) {
			t.Fatalf("accounts:\ngot  %+v rest %q\nwant %+v rest %q", gotA, rest, accounts, trailer)
		}
		if again := ledger.AppendAccounts(nil, gotA); !bytes.Equal(again, enc) {
			t.Fatalf("accounts re-encode:\ngot  %x\nwant %x", again, enc)
		}
		for n := range len(enc) {
			if _, _, err := ledger.DecodeAccounts(nil, enc[:n]); !errors.Is(err, ledger.ErrCorruptPayload) {
				t.Fatalf("accounts prefix %d of %d: got %v, want ErrCorruptPayload", n, len(enc), err)
			}
		}
	}
}

// TestCodecLimits: a batch holds at most BatchEventsMax events, in a
// payload as in the engine; one more is a corrupt payload.
func TestCodecLimits(t *testing.T) {
	transfers := make([]ledger.Transfer, ledger.BatchEventsMax+1)
	accounts := make([]ledger.Account, ledger.BatchEventsMax+1)
	for i := range transfers {
		transfers[i] = ledger.Transfer{ID: id(uint64(i + 1)), Amount: amt(1), Currency: rub, Code: 1}
		accounts[i] = ledger.Account{ID: id(uint64(i + 1)), Currency: rub, Code: 1}
	}
	t.Run("TransfersAtBatchEventsMax", func(t *testing.T) {
		got, _, err := ledger.DecodeTransfers(nil, ledger.AppendTransfers(nil, transfers[:ledger.BatchEventsMax]))
		if err != nil || len(got) != ledger.BatchEventsMax {
			t.Fatalf("got %d transfers, %v; want %d, nil", len(got), err, ledger.BatchEventsMax)
		}
	})
	t.Run("TransfersOnePastBatchEventsMax", func(t *testing.T) {
		_, _, err := ledger.DecodeTransfers(nil, ledger.AppendTransfers(nil, transfers))
		if !errors.Is(err, ledger.ErrCorruptPayload) {
			t.Fatalf("got %v, want ErrCorruptPayload", err)
		}
	})
	t.Run("AccountsAtBatchEventsMax", func(t *testing.T) {
		got, _, err := ledger.DecodeAccounts(nil, ledger.AppendAccounts(nil, accounts[:ledger.BatchEventsMax]))
		if err != nil || len(got) != ledger.BatchEventsMax {
			t.Fatalf("got %d accounts, %v; want %d, nil", len(got), err, ledger.BatchEventsMax)
		}
	})
	t.Run("AccountsOnePastBatchEventsMax", func(t *testing.T) {
		_, _, err := ledger.DecodeAccounts(nil, ledger.AppendAccounts(nil, accounts))
		if !errors.Is(err, ledger.ErrCorruptPayload) {
			t.Fatalf("got %v, want ErrCorruptPayload", err)
		}
	})
	t.Run("CountLargerThanPayload", func(t *testing.T) {
		b := binary.BigEndian.AppendUint32(nil, 3)
		b = append(b, make([]byte, 64*2)...)
		if _, _, err := ledger.DecodeTransfers(nil, b); !errors.Is(err, ledger.ErrCorruptPayload) {
			t.Fatalf("got %v, want ErrCorruptPayload", err)
		}
	})
}

// TestCodecCanonical: an optional field is present exactly when it is
// not zero, so a value has one encoding; a presence bit over a zero field
// is corrupt (it would decode to a value that encodes differently).
func TestCodecCanonical(t *testing.T) {
	tr := ledger.AppendTransfers(nil, []ledger.Transfer{{ID: id(1), Amount: amt(5)}})
	ac := ledger.AppendAccounts(nil, []ledger.Account{{ID: id(1), Currency: rub, Code: 1}})
	const transferPresence, accountPresence = 4 + 63, 4 + 23
	tests := []struct {
		name   string
		b      []byte
		decode func([]byte) error
	}{
		{"TransferAmountHighZero", withPresence(tr, transferPresence, 1, make([]byte, 8)), decodeTransfers},
		{"TransferPendingIDZero", withPresence(tr, transferPresence, 2, make([]byte, 16)), decodeTransfers},
		{"TransferTimeoutZero", withPresence(tr, transferPresence, 4, make([]byte, 4)), decodeTransfers},
		{"TransferTimestampZero", withPresence(tr, transferPresence, 8, make([]byte, 8)), decodeTransfers},
		{"TransferUnknownPresenceBit", withPresence(tr, transferPresence, 0x80, nil), decodeTransfers},
		{"AccountBalancesZero", withPresence(ac, accountPresence, 16, make([]byte, 64)), decodeAccounts},
		{"AccountTimestampZero", withPresence(ac, accountPresence, 8, make([]byte, 8)), decodeAccounts},
		{"AccountUnknownPresenceBit", withPresence(ac, accountPresence, 1, nil), decodeAccounts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(tt.b); !errors.Is(err, ledger.ErrCorruptPayload) {
				t.Fatalf("got %v, want ErrCorruptPayload", err)
			}
		})
	}
}

// withPresence returns the one-item payload b with bit set in its presence
// byte at offset and field appended.
func withPresence(b []byte, offset int, bit byte, field []byte) []byte {
	b = slices.Clone(b)
	b[offset] |= bit
	return append(b, field...)
}

func decodeTransfers(b []byte) error {
	_, rest, err := ledger.DecodeTransfers(nil, b)
	if err == nil && len(rest) != 0 {
		return errors.New("bytes left over")
	}
	return err
}

func decodeAccounts(b []byte) error {
	_, rest, err := ledger.DecodeAccounts(nil, b)
	if err == nil && len(rest) != 0 {
		return errors.New("bytes left over")
	}
	return err
}

func codecFuzzSeeds(f *testing.F, encode func(r *rand.Rand) []byte) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 16 {
		f.Add(encode(r))
	}
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
}

// FuzzDecodeTransfers: decoding never panics, and what decodes encodes
// again to exactly the bytes it was decoded from.
func FuzzDecodeTransfers(f *testing.F) {
	codecFuzzSeeds(f, func(r *rand.Rand) []byte {
		ts := make([]ledger.Transfer, r.IntN(4))
		for i := range ts {
			ts[i] = randomTransfer(r)
		}
		return ledger.AppendTransfers(nil, ts)
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, rest, err := ledger.DecodeTransfers(nil, b)
		if err != nil {
			if !errors.Is(err, ledger.ErrCorruptPayload) {
				t.Fatalf("got error %v, want ErrCorruptPayload", err)
			}
			return
		}
		consumed := b[:len(b)-len(rest)]
		if again := ledger.AppendTransfers(nil, got); !bytes.Equal(again, consumed) {
			t.Fatalf("re-encoded:\ngot  %x\nwant %x", again, consumed)
		}
	})
}

// FuzzDecodeAccounts is FuzzDecodeTransfers for accounts.
func FuzzDecodeAccounts(f *testing.F) {
	codecFuzzSeeds(f, func(r *rand.Rand) []byte {
		as := make([]ledger.Account, r.IntN(4))
		for i := range as {
			as[i] = randomAccount(r)
		}
		return ledger.AppendAccounts(nil, as)
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, rest, err := ledger.DecodeAccounts(nil, b)
		if err != nil {
			if !errors.Is(err, ledger.ErrCorruptPayload) {
				t.Fatalf("got error %v, want ErrCorruptPayload", err)
			}
			return
		}
		consumed := b[:len(b)-len(rest)]
		if again := ledger.AppendAccounts(nil, got); !bytes.Equal(again, consumed) {
			t.Fatalf("re-encoded:\ngot  %x\nwant %x", again, consumed)
		}
	})
}
