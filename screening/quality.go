package screening

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The matcher's quality is measured, not asserted: a labelled set of name
// pairs (testdata/pairs.tsv), each a listed name and a spelling of a
// party's name that does or does not name the same party, is screened
// against an index of the lists, and precision and recall are counted at
// each threshold. The tests hold the figures at the default thresholds
// above a floor; `astara bench screening` prints the whole table, and
// docs/BENCHMARKS.md records it.

// LabelledPair is one pair of a labelled set.
type LabelledPair struct {
	// Listed is a name or alias exactly as one entry of the index spells
	// it; it stands for that entry.
	Listed string
	// Query is a spelling of a party's name, as a payment carries it.
	Query string
	// Script is the query's script: ScriptLatin, ScriptCyrillic or
	// ScriptArabic.
	Script string
	// Match is true when the query names the listed party.
	Match bool
}

// The scripts of a labelled query. ScriptArabic is the Arabic script,
// Persian and Arabic alike.
const (
	ScriptLatin    = "latin"
	ScriptCyrillic = "cyrillic"
	ScriptArabic   = "arabic"
)

// Labels of a labelled pair, as the TSV writes them.
const (
	labelMatch    = "match"
	labelNonMatch = "non-match"
)

// LabelledPairsMax bounds the pairs of one labelled set.
const LabelledPairsMax = 100_000

// ParsePairs reads a labelled set: one pair a line, the columns listed,
// query, script and label separated by tabs, label "match" or
// "non-match"; lines starting with # and blank lines are skipped. A
// faulty line is an error that names it.
func ParsePairs(data []byte) ([]LabelledPair, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("screening: labelled pairs: not UTF-8")
	}
	var out []LabelledPair
	for n, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		cols := strings.Split(s, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("screening: labelled pairs line %d: got %d columns, want 4 (listed, query, script, label)", n+1, len(cols))
		}
		p := LabelledPair{Listed: strings.TrimSpace(cols[0]), Query: strings.TrimSpace(cols[1]), Script: cols[2]}
		switch {
		case p.Listed == "" || p.Query == "":
			return nil, fmt.Errorf("screening: labelled pairs line %d: a name is empty", n+1)
		case len(p.Listed) > NameLenMax || len(p.Query) > NameLenMax:
			return nil, fmt.Errorf("screening: labelled pairs line %d: a name is longer than %d bytes", n+1, NameLenMax)
		case p.Script != ScriptLatin && p.Script != ScriptCyrillic && p.Script != ScriptArabic:
			return nil, fmt.Errorf("screening: labelled pairs line %d: script %q, want %q, %q or %q", n+1, p.Script,
				ScriptLatin, ScriptCyrillic, ScriptArabic)
		}
		switch cols[3] {
		case labelMatch:
			p.Match = true
		case labelNonMatch:
		default:
			return nil, fmt.Errorf("screening: labelled pairs line %d: label %q, want %q or %q", n+1, cols[3], labelMatch, labelNonMatch)
		}
		if len(out) == LabelledPairsMax {
			return nil, fmt.Errorf("screening: labelled pairs line %d: more than %d pairs", n+1, LabelledPairsMax)
		}
		out = append(out, p)
	}
	return out, nil
}

// PairScore is a labelled pair and the score the index gave it: the
// score of the listed entry's hit when Search is asked the query, 0 when
// the entry is not among the hits.
type PairScore struct {
	LabelledPair
	Score float64
}

// ScorePairs screens each pair's query against the index and records the
// score of the listed entry, counting every hit at or above floor (not
// only those at or above the lists' review thresholds). A listed name
// that names no entry of the index, or more than one, is an error.
func ScorePairs(ix *Index, pairs []LabelledPair, floor float64) ([]PairScore, error) {
	byName := map[string][]int32{}
	for ei, ie := range ix.entries {
		for _, n := range ie.entry.Names {
			if ids := byName[n.Text]; len(ids) == 0 || ids[len(ids)-1] != int32(ei) {
				byName[n.Text] = append(ids, int32(ei))
			}
		}
	}
	out := make([]PairScore, len(pairs))
	for i, p := range pairs {
		ids := byName[p.Listed]
		switch len(ids) {
		case 0:
			return nil, fmt.Errorf("screening: labelled pair %d: %q names no entry of the index", i+1, p.Listed)
		case 1:
		default:
			return nil, fmt.Errorf("screening: labelled pair %d: %q names %d entries of the index", i+1, p.Listed, len(ids))
		}
		ie := ix.entries[ids[0]]
		list := ix.lists[ie.list].name
		out[i].LabelledPair = p
		for _, h := range ix.search(Query{Name: p.Query}, floor) {
			if h.List == list && h.EntryID == ie.entry.ID {
				out[i].Score = h.Score
				break
			}
		}
	}
	return out, nil
}

// Confusion counts the pairs of a labelled set by label and by whether
// the matcher found the listed entry.
type Confusion struct {
	TruePositives  int // matches found
	FalseNegatives int // matches missed
	FalsePositives int // non-matches found
	TrueNegatives  int // non-matches not found
}

// Precision is the share of the pairs found that are matches; 1 when
// nothing is found.
func (c Confusion) Precision() float64 {
	if c.TruePositives+c.FalsePositives == 0 {
		return 1
	}
	return float64(c.TruePositives) / float64(c.TruePositives+c.FalsePositives)
}

// Recall is the share of the matches that are found; 1 when there are
// none.
func (c Confusion) Recall() float64 {
	if c.TruePositives+c.FalseNegatives == 0 {
		return 1
	}
	return float64(c.TruePositives) / float64(c.TruePositives+c.FalseNegatives)
}

func (c *Confusion) add(match, found bool) {
	switch {
	case match && found:
		c.TruePositives++
	case match:
		c.FalseNegatives++
	case found:
		c.FalsePositives++
	default:
		c.TrueNegatives++
	}
}

// QualityRow is the matcher's quality at one threshold: a pair counts as
// found when the listed entry scores at or above it.
type QualityRow struct {
	Threshold float64
	Confusion // all the pairs
	// Scripts counts the pairs by their query's script.
	Scripts map[string]Confusion
}

// Quality counts scored pairs at each threshold.
func Quality(scores []PairScore, thresholds []float64) []QualityRow {
	rows := make([]QualityRow, len(thresholds))
	for i, t := range thresholds {
		r := QualityRow{Threshold: t, Scripts: map[string]Confusion{}}
		for _, s := range scores {
			found := s.Score > 0 && s.Score >= t
			r.add(s.Match, found)
			c := r.Scripts[s.Script]
			c.add(s.Match, found)
			r.Scripts[s.Script] = c
		}
		rows[i] = r
	}
	return rows
}

// Evaluate scores a labelled set against an index and returns precision
// and recall at each threshold.
func Evaluate(ix *Index, pairs []LabelledPair, thresholds []float64) ([]QualityRow, error) {
	if len(thresholds) == 0 {
		return nil, nil
	}
	scores, err := ScorePairs(ix, pairs, slices.Min(thresholds))
	if err != nil {
		return nil, err
	}
	return Quality(scores, thresholds), nil
}

// QualityThresholds are the thresholds the labelled set is measured at:
// 0.70 to 0.99.
var QualityThresholds = []float64{0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97, 0.99}
