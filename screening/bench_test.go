package screening_test

import (
	"sync"
	"testing"

	"astara/screening"
	"astara/screening/screeningtest"
)

// benchEntries is the size of the benchmark's index: about OFAC's SDN
// list and the UN list together.
const benchEntries = 20_000

var benchIndex = sync.OnceValues(func() (*screening.Index, error) {
	lists, err := screeningtest.Corpus("testdata/lists", benchEntries, 1)
	if err != nil {
		return nil, err
	}
	return screening.NewIndex(lists, nil), nil
})

// BenchmarkSearch screens Latin, Cyrillic and Persian names against the
// samples and a seeded synthetic list, 20,000 entries and their aliases
// in all: the time of one name.
func BenchmarkSearch(b *testing.B) {
	ix, err := benchIndex()
	if err != nil {
		b.Fatal(err)
	}
	for _, script := range []string{screening.ScriptLatin, screening.ScriptCyrillic, screening.ScriptArabic} {
		queries := screeningtest.Queries(script, 500, 7)
		b.Run(script, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.Search(queries[i%len(queries)])
				i++
			}
		})
	}
}

// BenchmarkNewIndex builds the benchmark's index from its lists.
func BenchmarkNewIndex(b *testing.B) {
	lists, err := screeningtest.Corpus("testdata/lists", benchEntries, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		screening.NewIndex(lists, nil)
	}
}
