package screening_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"astara/screening"
	"astara/screening/screeningtest"
)

// sampleIndex is the index of the list samples in testdata/lists at the
// default thresholds, built once for the tests that read it.
var sampleIndex = sync.OnceValues(func() (*screening.Index, error) {
	lists, err := screeningtest.Samples(filepath.Join("testdata", "lists"))
	if err != nil {
		return nil, err
	}
	return screening.NewIndex(lists, nil), nil
})

// MustSampleIndex returns the index of the list samples.
func MustSampleIndex(tb testing.TB) *screening.Index {
	tb.Helper()
	ix, err := sampleIndex()
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// MustPairs returns the labelled set testdata/pairs.tsv.
func MustPairs(tb testing.TB) []screening.LabelledPair {
	tb.Helper()
	pairs, err := screening.ParsePairs(MustReadFile(tb, filepath.Join("testdata", "pairs.tsv")))
	if err != nil {
		tb.Fatal(err)
	}
	return pairs
}

// MustReadFile returns a file's contents.
func MustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// list is a list named name of entries.
func list(name string, entries ...screening.Entry) *screening.List {
	return &screening.List{Name: name, Format: screening.FormatCSV, Entries: entries}
}

// person is an individual listed under id with a primary name and
// aliases.
func person(id, primary string, aliases ...string) screening.Entry {
	e := screening.Entry{ID: id, Type: screening.Individual, Names: []screening.Name{{Text: primary}}}
	for _, a := range aliases {
		e.Names = append(e.Names, screening.Name{Text: a, Alias: true, Quality: "strong"})
	}
	return e
}

// company is an entity listed under id with a primary name and aliases.
func company(id, primary string, aliases ...string) screening.Entry {
	e := person(id, primary, aliases...)
	e.Type = screening.Entity
	return e
}

// latin returns the Latin forms of tokens.
func latin(tokens []screening.Token) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t.Latin
	}
	return out
}

// hitOn returns the hit on entry id of list, if any.
func hitOn(hits []screening.Hit, listName, id string) (screening.Hit, bool) {
	for _, h := range hits {
		if h.List == listName && h.EntryID == id {
			return h, true
		}
	}
	return screening.Hit{}, false
}

// scoreOn is the score of the hit on entry id of list, 0 for none.
func scoreOn(hits []screening.Hit, listName, id string) float64 {
	h, _ := hitOn(hits, listName, id)
	return h.Score
}
