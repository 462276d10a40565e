package ledger_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"astara/ledger"
)

// TestIDFilterSchemes: both schemes hold every id added, and a full
// segment of the current scheme answers "maybe" for far fewer ids never
// added than one of the zero scheme: each of those costs a History read.
func TestIDFilterSchemes(t *testing.T) {
	const n = 1 << 20 // the first segment's capacity
	// How many of n ids never added each scheme answers "maybe" for:
	// counts, compared as integers.
	maybe := map[bool]int{}
	for _, current := range []bool{false, true} {
		f := ledger.NewIDFilterOfScheme(current)
		for i := range uint64(n) {
			f.Add(id(i + 1))
		}
		for i := range uint64(n) {
			if !f.MayHave(id(i + 1)) {
				t.Fatalf("current %t: id %d added and not found", current, i+1)
			}
		}
		for i := range uint64(n) {
			if f.MayHave(id(1<<40 + i)) {
				maybe[current]++
			}
		}
	}
	t.Logf("of %d ids never added, answered maybe: %d (zero scheme), %d (current)", n, maybe[false], maybe[true])
	// Under 0.25% (1 in 400), and under half the zero scheme's.
	if maybe[true]*400 > n || maybe[false] < 2*maybe[true] {
		t.Errorf("maybe for %d of %d new ids (current), %d (zero scheme); want under 1 in 400 and under half", maybe[true], n, maybe[false])
	}
}

// TestFailedIDFilterScheme: a full segment of the filter of failed ids
// answers "maybe" for under 1 in 20,000 ids never added (each a read of
// a record), and holds every id added.
func TestFailedIDFilterScheme(t *testing.T) {
	const n = 1 << 20 // the first segment's capacity
	f := ledger.NewFailedIDFilter()
	for i := range uint64(n) {
		f.Add(id(i + 1))
	}
	maybe := 0
	for i := range uint64(n) {
		if !f.MayHave(id(i + 1)) {
			t.Fatalf("id %d added and not found", i+1)
		}
		if f.MayHave(id(1<<40 + i)) {
			maybe++
		}
	}
	t.Logf("of %d ids never added, answered maybe: %d", n, maybe)
	if maybe*20_000 > n {
		t.Errorf("maybe for %d of %d new ids; want under 1 in 20,000", maybe, n)
	}
}

// TestSnapshotFilterScheme: a version 4 snapshot names its filter's
// scheme, and one it does not know, or none, is refused. (That an engine
// restored from version 3 keeps the zero scheme is in
// TestSnapshotUpgradesToVersion5.)
func TestSnapshotFilterScheme(t *testing.T) {
	snap := goldenBytes(t, "snapshot-history-scheme.golden")
	// The scheme byte is just before the filter: one segment of 2^20.
	at := bytes.Index(snap, []byte{1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0, 0})
	if v, _ := ledger.SnapshotVersion(snap); at < 0 || v != 4 {
		t.Fatal("no version 4 snapshot with a scheme byte before a filter of one segment")
	}
	restore := func(b []byte) error {
		_, err := ledger.RestoreSnapshot(bytes.NewReader(b), ledger.Options{})
		return err
	}
	if err := restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, edit := range []struct {
		name string
		at   int
		to   byte
	}{{"ZeroScheme", at, 0}, {"UnknownScheme", at, 2}, {"Version3", ledger.SnapshotVersionAt, 3}} {
		b := slices.Clone(snap)
		b[edit.at] = edit.to
		if err := restore(b); !errors.Is(err, ledger.ErrCorruptSnapshot) {
			t.Errorf("%s: got %v, want ErrCorruptSnapshot", edit.name, err)
		}
	}
}
