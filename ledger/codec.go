package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"astara/money"
)

// The binary encodings of accounts and transfers, used in journal entries
// and snapshots. Every field that can change an item's result is encoded,
// so that replaying an entry yields the same results as the first time.
//
// A transfer is 64 bytes when its optional fields are zero:
//
//	id 16 | debit_account_id 16 | credit_account_id 16 | amount low 64 bits 8 |
//	currency 3 | code 2 | flags 2 | presence 1 | [amount high 8] [pending_id 16] [timeout 4] [timestamp 8]
//
// An account is 24 bytes when its balances and timestamp are zero:
//
//	id 16 | currency 3 | code 2 | flags 2 | presence 1 | [4 balances 4*16] [timestamp 8]
const (
	transferBytesMin = 64
	accountBytesMin  = 24
)

const (
	presentAmountHigh = 1 << iota
	presentPendingID
	presentTimeout
	presentTimestamp
	presentBalances
)

// ErrCorruptPayload is returned when a batch payload does not decode. A
// journal entry whose checksum matched but whose payload does not decode is
// corruption, never input.
var ErrCorruptPayload = errors.New("ledger: corrupt batch payload")

// AppendTransfers appends the encoding of transfers to b.
func AppendTransfers(b []byte, transfers []Transfer) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(transfers)))
	for i := range transfers {
		b = appendTransfer(b, &transfers[i])
	}
	return b
}

func appendTransfer(b []byte, t *Transfer) []byte {
	hi, lo := t.Amount.Parts()
	var presence byte
	if hi != 0 {
		presence |= presentAmountHigh
	}
	if !t.PendingID.IsZero() {
		presence |= presentPendingID
	}
	if t.TimeoutSeconds != 0 {
		presence |= presentTimeout
	}
	if t.Timestamp != 0 {
		presence |= presentTimestamp
	}
	b = append(b, t.ID[:]...)
	b = append(b, t.DebitAccountID[:]...)
	b = append(b, t.CreditAccountID[:]...)
	b = binary.BigEndian.AppendUint64(b, lo)
	b = append(b, t.Currency[:]...)
	b = binary.BigEndian.AppendUint16(b, t.Code)
	b = binary.BigEndian.AppendUint16(b, uint16(t.Flags))
	b = append(b, presence)
	if presence&presentAmountHigh != 0 {
		b = binary.BigEndian.AppendUint64(b, hi)
	}
	if presence&presentPendingID != 0 {
		b = append(b, t.PendingID[:]...)
	}
	if presence&presentTimeout != 0 {
		b = binary.BigEndian.AppendUint32(b, t.TimeoutSeconds)
	}
	if presence&presentTimestamp != 0 {
		b = binary.BigEndian.AppendUint64(b, t.Timestamp)
	}
	return b
}

// DecodeTransfers decodes a payload written by AppendTransfers into dst
// (reusing its capacity) and returns it with the rest of b.
func DecodeTransfers(dst []Transfer, b []byte) ([]Transfer, []byte, error) {
	n, b, err := decodeCount(b, BatchEventsMax, transferBytesMin)
	if err != nil {
		return dst, nil, err
	}
	dst = dst[:0]
	for i := 0; i < n; i++ {
		var t Transfer
		if b, err = decodeTransfer(&t, b); err != nil {
			return dst, nil, fmt.Errorf("%w: transfer %d: %v", ErrCorruptPayload, i, err)
		}
		dst = append(dst, t)
	}
	return dst, b, nil
}

func decodeTransfer(t *Transfer, b []byte) ([]byte, error) {
	if len(b) < transferBytesMin {
		return nil, errors.New("short")
	}
	copy(t.ID[:], b[0:16])
	copy(t.DebitAccountID[:], b[16:32])
	copy(t.CreditAccountID[:], b[32:48])
	lo := binary.BigEndian.Uint64(b[48:56])
	copy(t.Currency[:], b[56:59])
	t.Code = binary.BigEndian.Uint16(b[59:61])
	t.Flags = TransferFlags(binary.BigEndian.Uint16(b[61:63]))
	presence := b[63]
	b = b[64:]
	if presence&^(presentAmountHigh|presentPendingID|presentTimeout|presentTimestamp) != 0 {
		return nil, errors.New("unknown presence bits")
	}
	// An optional field is present exactly when it is not zero, so that
	// every value has one encoding (a journal's checksums and hash chain are
	// over bytes): a present zero is corrupt.
	var hi uint64
	if presence&presentAmountHigh != 0 {
		if len(b) < 8 {
			return nil, errors.New("short amount")
		}
		if hi, b = binary.BigEndian.Uint64(b), b[8:]; hi == 0 {
			return nil, errors.New("amount high bits present but zero")
		}
	}
	t.Amount = money.AmountFromParts(hi, lo)
	if presence&presentPendingID != 0 {
		if len(b) < 16 {
			return nil, errors.New("short pending id")
		}
		copy(t.PendingID[:], b[:16])
		b = b[16:]
		if t.PendingID.IsZero() {
			return nil, errors.New("pending id present but zero")
		}
	}
	if presence&presentTimeout != 0 {
		if len(b) < 4 {
			return nil, errors.New("short timeout")
		}
		if t.TimeoutSeconds, b = binary.BigEndian.Uint32(b), b[4:]; t.TimeoutSeconds == 0 {
			return nil, errors.New("timeout present but zero")
		}
	}
	if presence&presentTimestamp != 0 {
		if len(b) < 8 {
			return nil, errors.New("short timestamp")
		}
		if t.Timestamp, b = binary.BigEndian.Uint64(b), b[8:]; t.Timestamp == 0 {
			return nil, errors.New("timestamp present but zero")
		}
	}
	return b, nil
}

// AppendAccounts appends the encoding of accounts to b.
func AppendAccounts(b []byte, accounts []Account) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(accounts)))
	for i := range accounts {
		b = appendAccount(b, &accounts[i])
	}
	return b
}

func appendAccount(b []byte, a *Account) []byte {
	var presence byte
	if !a.DebitsPending.IsZero() || !a.DebitsPosted.IsZero() || !a.CreditsPending.IsZero() || !a.CreditsPosted.IsZero() {
		presence |= presentBalances
	}
	if a.Timestamp != 0 {
		presence |= presentTimestamp
	}
	b = append(b, a.ID[:]...)
	b = append(b, a.Currency[:]...)
	b = binary.BigEndian.AppendUint16(b, a.Code)
	b = binary.BigEndian.AppendUint16(b, uint16(a.Flags))
	b = append(b, presence)
	if presence&presentBalances != 0 {
		for _, v := range [...]money.Amount{a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted} {
			var buf [money.AmountBytes]byte
			v.PutBytes(buf[:])
			b = append(b, buf[:]...)
		}
	}
	if presence&presentTimestamp != 0 {
		b = binary.BigEndian.AppendUint64(b, a.Timestamp)
	}
	return b
}

// DecodeAccounts decodes a payload written by AppendAccounts.
func DecodeAccounts(dst []Account, b []byte) ([]Account, []byte, error) {
	n, b, err := decodeCount(b, BatchEventsMax, accountBytesMin)
	if err != nil {
		return dst, nil, err
	}
	dst = dst[:0]
	for i := 0; i < n; i++ {
		var a Account
		if b, err = decodeAccount(&a, b); err != nil {
			return dst, nil, fmt.Errorf("%w: account %d: %v", ErrCorruptPayload, i, err)
		}
		dst = append(dst, a)
	}
	return dst, b, nil
}

func decodeAccount(a *Account, b []byte) ([]byte, error) {
	if len(b) < accountBytesMin {
		return nil, errors.New("short")
	}
	copy(a.ID[:], b[0:16])
	copy(a.Currency[:], b[16:19])
	a.Code = binary.BigEndian.Uint16(b[19:21])
	a.Flags = AccountFlags(binary.BigEndian.Uint16(b[21:23]))
	presence := b[23]
	b = b[24:]
	if presence&^(presentBalances|presentTimestamp) != 0 {
		return nil, errors.New("unknown presence bits")
	}
	if presence&presentBalances != 0 {
		if len(b) < 4*money.AmountBytes {
			return nil, errors.New("short balances")
		}
		a.DebitsPending = money.AmountFromBytes(b[0:16])
		a.DebitsPosted = money.AmountFromBytes(b[16:32])
		a.CreditsPending = money.AmountFromBytes(b[32:48])
		a.CreditsPosted = money.AmountFromBytes(b[48:64])
		b = b[64:]
		if a.DebitsPending.IsZero() && a.DebitsPosted.IsZero() && a.CreditsPending.IsZero() && a.CreditsPosted.IsZero() {
			return nil, errors.New("balances present but zero")
		}
	}
	if presence&presentTimestamp != 0 {
		if len(b) < 8 {
			return nil, errors.New("short timestamp")
		}
		if a.Timestamp, b = binary.BigEndian.Uint64(b), b[8:]; a.Timestamp == 0 {
			return nil, errors.New("timestamp present but zero")
		}
	}
	return b, nil
}

func decodeCount(b []byte, max, itemBytesMin int) (int, []byte, error) {
	if len(b) < 4 {
		return 0, nil, fmt.Errorf("%w: short count", ErrCorruptPayload)
	}
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	if n > max || n*itemBytesMin > len(b) {
		return 0, nil, fmt.Errorf("%w: count %d does not fit %d bytes", ErrCorruptPayload, n, len(b))
	}
	return n, b, nil
}
