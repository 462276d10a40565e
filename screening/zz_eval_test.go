package screening_test

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"astara/screening"
)

func TestZZEval(t *testing.T) {
	dir := "testdata/lists/"
	rd := func(f string) []byte { b, _ := os.ReadFile(dir + f); return b }
	l1, _ := screening.ParseOFAC("OFAC-SDN", screening.OFACFiles{SDN: rd("sdn.csv"), Alt: rd("alt.csv"), Add: rd("add.csv"), Comments: rd("sdn_comments.csv")})
	l2, _ := screening.Parse(screening.FormatUN, "UN", rd("UN_consolidated.xml"))
	l3, _ := screening.Parse(screening.FormatCSV, "internal", rd("internal.csv"))
	ix := screening.NewIndex([]*screening.List{l1, l2, l3}, nil)
	data, _ := os.ReadFile("testdata/pairs.tsv")
	pairs, err := screening.ParsePairs(data)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := screening.ScorePairs(ix, pairs, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range screening.Quality(scores, screening.QualityThresholds) {
		fmt.Printf("%.2f P=%.3f R=%.3f  %+v", r.Threshold, r.Precision(), r.Recall(), r.Confusion)
		for _, s := range []string{"latin", "cyrillic", "arabic"} {
			c := r.Scripts[s]
			fmt.Printf(" | %s P=%.3f R=%.3f", s[:3], c.Precision(), c.Recall())
		}
		fmt.Println()
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].Score < scores[j].Score })
	fmt.Println("--- matches below 0.80")
	for _, s := range scores {
		if s.Match && s.Score < 0.80 {
			fmt.Printf("%.4f  %-45s %-40s %v\n", s.Score, s.Query, s.Listed, screening.Normalize(s.Query))
		}
	}
	fmt.Println("--- non-matches at or above 0.70")
	for _, s := range scores {
		if !s.Match && s.Score >= 0.70 {
			fmt.Printf("%.4f  %-45s %-40s\n", s.Score, s.Query, s.Listed)
		}
	}
}
