package journal

import (
	"encoding/binary"
	"hash/crc32"

	"astara/ledger"
)

// Test hooks: the layout of keys and records, so that the tests can
// corrupt a stored journal through a raw Pebble handle the way a bad disk
// or a bad edit would.
var (
	EntryKey    = entryKey
	ManifestKey = manifestKey
	ChunkKey    = chunkKey
)

// RecordHeaderBytes is the size of a record before its payload.
const RecordHeaderBytes = recordHeaderBytes

// RecordPayloadAt is where a record's payload starts.
const RecordPayloadAt = 78

// SealRecord makes an edited record look genuine: it recomputes the
// record's own hash (over the previous hash stored in it) when rehash is
// set, then its CRC. What it cannot fix is the next record's link.
func SealRecord(seq uint64, rec []byte, rehash bool) {
	if rehash {
		var prev Hash
		copy(prev[:], rec[10:42])
		h := EntryHash(prev, seq, binary.BigEndian.Uint64(rec[2:10]), ledger.Op(rec[1]), rec[RecordPayloadAt:])
		copy(rec[42:74], h[:])
	}
	c := crc32.Update(0, castagnoli, rec[:74])
	c = crc32.Update(c, castagnoli, rec[RecordPayloadAt:])
	binary.BigEndian.PutUint32(rec[74:78], c)
}

// RecordHash returns the hash a record carries.
func RecordHash(rec []byte) Hash {
	var h Hash
	copy(h[:], rec[42:74])
	return h
}

// DecodeRecord checks a stored record against the hash before it.
var DecodeRecord = decodeRecord

// AppendRecord encodes an entry as stored, with its hash.
func AppendRecord(e ledger.Entry, prev Hash) []byte {
	return appendRecord(nil, e, prev, EntryHash(prev, e.Seq, e.Timestamp, e.Op, e.Payload))
}
