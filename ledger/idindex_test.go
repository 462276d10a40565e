package ledger

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// checkIDIndex compares x with the model and checks the table's
// invariants: its load, and linear probing's (every slot from an entry's
// home to the entry is taken, so a lookup that stops at the first empty
// slot finds it).
func checkIDIndex(t *testing.T, x *idIndex, model map[ID]uint32) {
	t.Helper()
	if x.len() != len(model) {
		t.Fatalf("len %d, want %d", x.len(), len(model))
	}
	if x.count*8 > x.slots()*5 {
		t.Fatalf("%d entries in %d slots: over 5/8", x.count, x.slots())
	}
	if len(x.buckets) > idIndexMinBuckets && x.count*16 < x.slots() {
		t.Fatalf("%d entries in %d slots: under 1/16, not shrunk", x.count, x.slots())
	}
	for id, want := range model {
		if got, ok := x.get(id); !ok || got != want {
			t.Fatalf("get(%x) = %d, %v; want %d", id, got, ok, want)
		}
	}
	n := uint64(x.slots())
	taken := 0
	for j := uint64(0); j < n; j++ {
		bk := &x.buckets[j/idBucketSlots]
		if bk.refs[j%idBucketSlots] == 0 {
			if bk.ids[j%idBucketSlots] != (ID{}) {
				t.Fatalf("slot %d is empty but keeps id %x", j, bk.ids[j%idBucketSlots])
			}
			continue
		}
		taken++
		home := (idHash(bk.ids[j%idBucketSlots]) & x.mask) * idBucketSlots
		for k := home; k != j; k = (k + 1) % n {
			if x.buckets[k/idBucketSlots].refs[k%idBucketSlots] == 0 {
				t.Fatalf("slot %d (home %d) is behind the empty slot %d", j, home, k)
			}
		}
	}
	if taken != len(model) {
		t.Fatalf("%d slots taken, want %d", taken, len(model))
	}
}

func indexTestID(k uint64) ID {
	var id ID
	binary.BigEndian.PutUint64(id[8:], k)
	return id
}

// TestIDIndexAgainstAMap runs random puts, gets and deletes against a Go
// map: a small key space keeps the table small, full of clusters that
// wrap around its end; a large one makes it grow, then shrink as it
// empties.
func TestIDIndexAgainstAMap(t *testing.T) {
	for _, keys := range []uint64{8, 40, 400, 20_000} {
		rng := rand.New(rand.NewPCG(keys, 7))
		var x idIndex
		model := map[ID]uint32{}
		x.touch(idHash(indexTestID(1))) // an empty index asks for nothing
		if _, ok := x.get(indexTestID(1)); ok || x.del(indexTestID(1)) {
			t.Fatal("an empty index has an entry")
		}
		ops := int(keys) * 50
		for op := range ops {
			id := indexTestID(rng.Uint64N(keys))
			x.touch(idHash(id))
			switch r := rng.IntN(10); {
			case r < 5 && op < ops*3/4:
				i := rng.Uint32N(1 << 30)
				x.put(id, i)
				model[id] = i
			case r < 8:
				_, had := model[id]
				if got := x.del(id); got != had {
					t.Fatalf("del(%x) = %v, want %v", id, got, had)
				}
				delete(model, id)
			default:
				want, had := model[id]
				if got, ok := x.get(id); ok != had || got != want {
					t.Fatalf("get(%x) = %d, %v; want %d, %v", id, got, ok, want, had)
				}
			}
			if keys <= 400 || op%2000 == 0 {
				checkIDIndex(t, &x, model)
			}
		}
		checkIDIndex(t, &x, model)
		for id := range model {
			if !x.del(id) {
				t.Fatalf("del(%x) of an entry = false", id)
			}
			delete(model, id)
		}
		checkIDIndex(t, &x, model)
		if len(x.buckets) != idIndexMinBuckets {
			t.Fatalf("emptied index keeps %d buckets, want %d", len(x.buckets), idIndexMinBuckets)
		}
	}
}

// TestIDIndexKeepsIndexZero: index 0 is a transfer like any other, not an
// empty slot.
func TestIDIndexKeepsIndexZero(t *testing.T) {
	var x idIndex
	x.put(indexTestID(5), 0)
	if i, ok := x.get(indexTestID(5)); !ok || i != 0 {
		t.Fatalf("get = %d, %v; want 0, true", i, ok)
	}
	x.put(indexTestID(5), 9)
	if i, ok := x.get(indexTestID(5)); !ok || i != 9 || x.len() != 1 {
		t.Fatalf("after a second put: get = %d, %v, len %d; want 9, true, 1", i, ok, x.len())
	}
}
