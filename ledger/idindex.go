package ledger

import (
	"fmt"
	"math"
	"unsafe"
)

// idIndex maps the id of each transfer in memory to its index: a hash
// table of our own instead of a Go map, so that the engine can ask for an
// id's cache line a few transfers before it needs it (touch), as it does
// the id filter's. In a hot window of 160 thousand transfers the table is
// megabytes, larger than the processor's caches, and each new transfer's
// insertion, each lookup of a pending transfer and each deletion of a
// transfer moved out is otherwise a miss to memory, one after another.
//
// It is open addressing with linear probing over slots of (id, index),
// three slots to a 64-byte bucket, so that a probe costs one cache line
// and most lookups stop in their home bucket. Deletion shifts the entries
// after the hole back (no tombstones), so the table never needs cleaning.
// It holds at most 5/8 of its slots, doubling when it would hold more and
// halving when it holds less than a sixteenth. The index is not part of
// the engine's state: a snapshot rebuilds it, so its layout can change
// freely.
type idIndex struct {
	buckets []idBucket // a power of two of them, or none
	mask    uint64     // len(buckets)-1
	count   int
}

const (
	idBucketSlots     = 3
	idIndexMinBuckets = 16
)

type idBucket struct {
	ids  [idBucketSlots]ID
	refs [idBucketSlots]uint32 // the transfer's index + 1; 0 is an empty slot
	_    uint32
}

// The layout's point: a bucket is one cache line.
var _ [64 - unsafe.Sizeof(idBucket{})]struct{}
var _ [unsafe.Sizeof(idBucket{}) - 64]struct{}

func (x *idIndex) len() int { return x.count }

// slots returns how many entries the table has room for.
func (x *idIndex) slots() int { return len(x.buckets) * idBucketSlots }

// touch asks for the cache line where the probe of the id of idHash h
// starts, without waiting for it; a later get, put or del of the id then
// finds it in the cache.
func (x *idIndex) touch(h uint64) {
	if len(x.buckets) > 0 {
		prefetch(unsafe.Pointer(&x.buckets[h&x.mask]))
	}
}

// bytes returns the table's memory.
func (x *idIndex) bytes() int { return len(x.buckets) * int(unsafe.Sizeof(idBucket{})) }

// find returns the bucket and the lane of id's slot, or ok false.
func (x *idIndex) find(id ID) (b uint64, lane int, ok bool) {
	if x.count == 0 {
		return 0, 0, false
	}
	b = idHash(id) & x.mask
	for {
		bk := &x.buckets[b]
		for l := range idBucketSlots {
			if bk.refs[l] == 0 {
				return 0, 0, false
			}
			if bk.ids[l] == id {
				return b, l, true
			}
		}
		b = (b + 1) & x.mask
	}
}

// get returns the index of the transfer with id.
func (x *idIndex) get(id ID) (uint32, bool) {
	b, l, ok := x.find(id)
	if !ok {
		return 0, false
	}
	return x.buckets[b].refs[l] - 1, true
}

// put sets the index of the transfer with id.
func (x *idIndex) put(id ID, i uint32) {
	if i == math.MaxUint32 {
		panic(fmt.Sprintf("ledger: id index: index %d out of range", i))
	}
	if (x.count+1)*8 > x.slots()*5 {
		x.resize(max(len(x.buckets)*2, idIndexMinBuckets))
	}
	b := idHash(id) & x.mask
	for {
		bk := &x.buckets[b]
		for l := range idBucketSlots {
			if bk.refs[l] == 0 {
				bk.ids[l], bk.refs[l] = id, i+1
				x.count++
				return
			}
			if bk.ids[l] == id {
				bk.refs[l] = i + 1
				return
			}
		}
		b = (b + 1) & x.mask
	}
}

// del removes id, and reports whether it was there.
func (x *idIndex) del(id ID) bool {
	b, l, ok := x.find(id)
	if !ok {
		return false
	}
	// Shift back each entry after the hole that may sit in it (its home
	// slot is not between the hole and where it is), until an empty
	// slot: every entry stays reachable from its home without a gap.
	n := uint64(x.slots())
	hole := b*idBucketSlots + uint64(l)
	for j := hole; ; {
		if j++; j == n {
			j = 0
		}
		bk := &x.buckets[j/idBucketSlots]
		lj := j % idBucketSlots
		if bk.refs[lj] == 0 {
			break
		}
		home := (idHash(bk.ids[lj]) & x.mask) * idBucketSlots
		if (j+n-home)%n >= (j+n-hole)%n {
			h := &x.buckets[hole/idBucketSlots]
			lh := hole % idBucketSlots
			h.ids[lh], h.refs[lh] = bk.ids[lj], bk.refs[lj]
			hole = j
		}
	}
	h := &x.buckets[hole/idBucketSlots]
	lh := hole % idBucketSlots
	h.ids[lh], h.refs[lh] = ID{}, 0
	x.count--
	if len(x.buckets) > idIndexMinBuckets && x.count*16 < x.slots() {
		x.resize(len(x.buckets) / 2)
	}
	return true
}

// resize moves every entry into a table of n buckets.
func (x *idIndex) resize(n int) {
	old := x.buckets
	x.buckets = make([]idBucket, n)
	x.mask = uint64(n - 1)
	adviseHugePages(x.buckets)
	for i := range old {
		bk := &old[i]
		for l := range idBucketSlots {
			if r := bk.refs[l]; r != 0 {
				x.insertNew(bk.ids[l], r)
			}
		}
	}
}

// insertNew puts an entry that the table does not hold, with its ref.
func (x *idIndex) insertNew(id ID, ref uint32) {
	b := idHash(id) & x.mask
	for {
		bk := &x.buckets[b]
		for l := range idBucketSlots {
			if bk.refs[l] == 0 {
				bk.ids[l], bk.refs[l] = id, ref
				return
			}
		}
		b = (b + 1) & x.mask
	}
}
