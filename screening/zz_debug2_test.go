package screening

import (
	"fmt"
	"os"
	"testing"
)

func loadSamples(t *testing.T) *Index {
	dir := "testdata/lists/"
	rd := func(f string) []byte { b, _ := os.ReadFile(dir + f); return b }
	l1, _ := ParseOFAC("OFAC-SDN", OFACFiles{SDN: rd("sdn.csv"), Alt: rd("alt.csv"), Add: rd("add.csv"), Comments: rd("sdn_comments.csv")})
	l2, _ := Parse(FormatUN, "UN", rd("UN_consolidated.xml"))
	l3, _ := Parse(FormatCSV, "internal", rd("internal.csv"))
	return NewIndex([]*List{l1, l2, l3}, nil)
}

func TestZZDebug2(t *testing.T) {
	ix := loadSamples(t)
	for _, q := range []string{"Hossein Salami"} {
		for _, h := range ix.search(Query{Name: q}, 0.5) {
			fmt.Printf("%s -> %+v\n", q, h)
		}
		for _, n := range []string{"HOSEIN SALIMI", "Hossein Salimi", "Hosain Saleemi"} {
			fmt.Println(n, ix.ScorePair(q, n))
		}
	}
}
