package screening

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
)

// Action is what a hit asks of a payment.
type Action string

// The actions. A score at or above a list's Block threshold blocks; at or
// above Review, it holds the payment for review.
const (
	ActionPass   Action = ""
	ActionReview Action = "review"
	ActionBlock  Action = "block"
)

// Thresholds are a list's two cut-offs, scores in [0, 1].
type Thresholds struct {
	Review float64 `json:"review"`
	Block  float64 `json:"block"`
}

// DefaultThresholds are a list's thresholds unless the operator sets
// others. On the labelled set (testdata/pairs.tsv, docs/BENCHMARKS.md)
// review at 0.80 finds 97% of the spellings of listed names at 99%
// precision; below it precision falls faster than recall rises (0.70
// finds 98.5% at 95%). Block at 0.95 rejects only what is all but
// certain (99.7% precision): the whole name, in any script and
// romanisation. A name that lacks a patronymic or a middle name, or has a
// typo, scores between the two and is held for review, which is why
// recall at block is 79%.
var DefaultThresholds = Thresholds{Review: 0.80, Block: 0.95}

// Action returns what a score asks for under the thresholds.
func (t Thresholds) Action(score float64) Action {
	switch {
	case score >= t.Block:
		return ActionBlock
	case score >= t.Review:
		return ActionReview
	}
	return ActionPass
}

// Query is a party to screen.
type Query struct {
	Name string
	// Country is an ISO 3166 alpha-2 code; empty when unknown.
	Country string
	// DateOfBirth is YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.
	DateOfBirth string
	// Type is empty when unknown.
	Type EntityType
}

// Hit is a list entry a query matched.
type Hit struct {
	List      string  `json:"list"`
	EntryID   string  `json:"entry_id"`
	EntryName string  `json:"name"`    // the entry's primary name
	Matched   string  `json:"matched"` // the name or alias that matched, as listed
	Alias     bool    `json:"alias"`
	Score     float64 `json:"score"` // in [0, 1], to four decimals
	Action    Action  `json:"action"`
}

// Scoring constants.
const (
	// patronymicWeight scales the weight of a patronymic: payments leave
	// it out more often than not, and it names the father, not the party.
	patronymicWeight = 0.25
	// weakAliasFactor scales the score of a name the list calls a weak
	// alias (a nickname, a nom de guerre, an unusually common acronym):
	// the lists do not expect one to identify a party alone, so it can
	// hold a payment for review but not block it at the default
	// thresholds.
	weakAliasFactor = 0.90
	// sameWordSimMin is the least similarity at which a query word is
	// taken for a listed word, and weighed as it: a typo of Soleimani
	// weighs as Soleimani, but Sergey not as the patronymic Sergeyevich;
	// a word the lists do not have weighs as the rarest.
	sameWordSimMin = 0.90
	// The date of birth, the country and the type raise or lower a
	// score. adjustMax is the most they raise it: the index does not
	// score a name that cannot reach the lowest threshold even with it.
	dobMatchBonus     = 0.05
	dobYearBonus      = 0.02
	dobMismatchMalus  = 0.15
	countryMatchBonus = 0.02
	countryMissMalus  = 0.05
	typeMismatchMalus = 0.10
	adjustMax         = dobMatchBonus + countryMatchBonus
)

// Index is the lists, prepared for screening: every name and alias
// normalised once, its words and its pairs of adjacent words in a
// vocabulary with their weights, and the vocabulary indexed by the
// bigrams of its skeletons and their lengths, so that a query scores only
// the names that share a similar word with it, and of those only the
// names that could reach a threshold.
//
// A word's weight is its inverse document frequency over the indexed
// names (1 + ln(N/df)): Mohammad, on thousands of entries, weighs little;
// Naqdi, on one, weighs much. A name is scored by the soft TF-IDF of
// Cohen, Ravikumar and Fienberg (2003), which on name matching beats plain
// Jaro–Winkler and plain TF-IDF alike: words are paired one to one by
// their similarity (sim.go), a word or two adjacent words on either side
// (Mohammadreza, Mohammad Reza), and the weights of the paired words,
// times the credit of their similarity, are summed as a share of the
// query's weight and of the name's; the score is the mean of the two
// shares.
//
// An Index is immutable and safe for concurrent use.
type Index struct {
	lists     []indexedList
	entries   []indexedEntry
	names     []indexedName
	vocab     []vocabToken
	byKey     map[string]int32 // a word's Latin form, or "\x00" and an Arabic-script word's Phonetic
	grams     map[gramKey][]int32
	maxWeight float64
	minReview float64
	scratch   sync.Pool
}

type indexedList struct {
	name       string
	thresholds Thresholds
}

type indexedEntry struct {
	list  int32
	entry *Entry
}

type indexedName struct {
	entry  int32
	name   int32 // index in the entry's Names
	tokens []int32
	// pairs[i] is the vocabulary's pair of tokens i and i+1, read as one
	// word.
	pairs     []int32
	weightSum float64
	// initialsWeight is the weight of the name's initials, which pair
	// without the blocking.
	initialsWeight float64
	weak           bool
}

// gramKey files a word of the vocabulary under a bigram of its skeleton
// and the skeleton's length, so that the blocking reads only the words of
// about a query word's length.
type gramKey struct {
	gram [2]byte
	len  uint8
	pair bool
}

// vocabToken is a word of the vocabulary, or a pair: two words adjacent
// in a name, read as one (Mohammad Reza as Mohammadreza), so that the
// blocking finds a name whose words a query writes as one.
type vocabToken struct {
	Token
	idf      float64 // 1 + ln(N/df); a pair's is its weight
	weight   float64 // idf, as wordWeight scales it; a pair's is its words'
	postings []int32 // names
	pair     bool
}

// NewIndex indexes lists; thresholds gives each list's, by name, and a
// list without is screened at DefaultThresholds.
func NewIndex(lists []*List, thresholds map[string]Thresholds) *Index {
	ix := &Index{byKey: map[string]int32{}, grams: map[gramKey][]int32{}, minReview: 1}
	for li, l := range lists {
		th, ok := thresholds[l.Name]
		if !ok {
			th = DefaultThresholds
		}
		ix.minReview = min(ix.minReview, th.Review)
		ix.lists = append(ix.lists, indexedList{name: l.Name, thresholds: th})
		for e := range l.Entries {
			ei := int32(len(ix.entries))
			ix.entries = append(ix.entries, indexedEntry{list: int32(li), entry: &l.Entries[e]})
			seen := map[string]bool{}
			for ni, n := range l.Entries[e].Names {
				toks := Normalize(n.Text)
				if len(toks) == 0 {
					continue
				}
				ids := make([]int32, len(toks))
				for i, t := range toks {
					ids[i] = ix.intern(t)
				}
				key := tokenKey(ids)
				if seen[key] {
					continue
				}
				seen[key] = true
				nm := indexedName{entry: ei, name: int32(ni), tokens: ids, weak: n.Quality == qualityWeak}
				nid := int32(len(ix.names))
				ix.names = append(ix.names, nm)
				for _, id := range dedupe(ids) {
					ix.vocab[id].postings = append(ix.vocab[id].postings, nid)
				}
			}
		}
	}
	n := float64(len(ix.names))
	ix.maxWeight = 1 + math.Log(max(n, 1))
	words := len(ix.vocab)
	for i := range ix.vocab {
		v := &ix.vocab[i]
		v.idf = 1 + math.Log(max(n, 1)/float64(len(v.postings)))
		v.weight = wordWeight(&v.Token, v.idf)
	}
	for i := range ix.names {
		nm := &ix.names[i]
		for _, id := range nm.tokens {
			v := &ix.vocab[id]
			nm.weightSum += v.weight
			if len(v.Latin) == 1 && !v.Arabic {
				nm.initialsWeight += v.weight
			}
		}
		for j := 0; j+1 < len(nm.tokens); j++ {
			nm.pairs = append(nm.pairs, ix.internPair(nm.tokens[j], nm.tokens[j+1], int32(i)))
		}
	}
	for i := range ix.vocab {
		v := &ix.vocab[i]
		if i >= words {
			a, b := ix.names[v.postings[0]].pairOf(int32(i))
			v.weight = ix.vocab[a].weight + ix.vocab[b].weight
			v.idf = v.weight
		}
		for _, s := range []string{cmp.Or(v.Skeleton, v.Phonetic), v.skeletonAlt, withoutFinalH(v.Skeleton)} {
			if s == "" {
				continue
			}
			for g := range skeletonGrams(s) {
				k := gramKey{gram: g, len: uint8(min(len(s), math.MaxUint8)), pair: v.pair}
				if l := ix.grams[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
					ix.grams[k] = append(l, int32(i))
				}
			}
		}
	}
	ix.scratch.New = func() any {
		return &scratch{acc: make([]float64, len(ix.names)), masks: make([]uint32, len(ix.names)),
			counts: make([]uint8, len(ix.vocab)), entryHit: make([]int32, len(ix.entries))}
	}
	return ix
}

// wordWeight is a word's weight given its inverse document frequency: a
// patronymic weighs patronymicWeight of it, an initial as little as the
// commonest word.
func wordWeight(t *Token, idf float64) float64 {
	switch {
	case len(t.Latin) == 1 && !t.Arabic:
		return 1
	case t.patronymic:
		return idf * patronymicWeight
	}
	return idf
}

// withoutFinalH is a skeleton without its final h, of three consonants
// or more; "" for any other. Latin drops a final h after a vowel, Cyrillic
// writes it (Sepah, Сепах), so a word is found by both.
func withoutFinalH(skeleton string) string {
	if n := len(skeleton); n >= 3 && skeleton[n-1] == 'h' {
		return skeleton[:n-1]
	}
	return ""
}

func tokenKeyOf(t *Token) string {
	if t.Arabic {
		return "\x00" + t.Phonetic
	}
	return t.Latin
}

// internPair returns the pair of words a and b, adjacent in name nid,
// adding it to the vocabulary the first time.
func (ix *Index) internPair(a, b, nid int32) int32 {
	k := "\x01" + tokenKey([]int32{a, b})
	id, ok := ix.byKey[k]
	if !ok {
		id = int32(len(ix.vocab))
		ix.vocab = append(ix.vocab, vocabToken{Token: joinTokens(&ix.vocab[a].Token, &ix.vocab[b].Token), pair: true})
		ix.byKey[k] = id
	}
	if p := ix.vocab[id].postings; len(p) == 0 || p[len(p)-1] != nid {
		ix.vocab[id].postings = append(p, nid)
	}
	return id
}

// pairOf returns the words of the name's pair id.
func (nm *indexedName) pairOf(id int32) (int32, int32) {
	for j, p := range nm.pairs {
		if p == id {
			return nm.tokens[j], nm.tokens[j+1]
		}
	}
	panic("screening: a pair's name does not hold it")
}

func (ix *Index) intern(t Token) int32 {
	k := tokenKeyOf(&t)
	if id, ok := ix.byKey[k]; ok {
		return id
	}
	id := int32(len(ix.vocab))
	ix.vocab = append(ix.vocab, vocabToken{Token: t})
	ix.byKey[k] = id
	return id
}

func tokenKey(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(string(rune(id + 1)))
	}
	return b.String()
}

func dedupe(ids []int32) []int32 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// skeletonGrams yields the bigrams of a skeleton with its ends marked
// ("mhmd": ^m mh hm md d$).
func skeletonGrams(s string) func(yield func([2]byte) bool) {
	return func(yield func([2]byte) bool) {
		for i := 0; i <= len(s); i++ {
			var g [2]byte
			switch {
			case i == 0:
				g = [2]byte{'^', s[0]}
			case i == len(s):
				g = [2]byte{s[i-1], '$'}
			default:
				g = [2]byte{s[i-1], s[i]}
			}
			if !yield(g) {
				return
			}
		}
	}
}

// Entries returns how many entries the index holds.
func (ix *Index) Entries() int { return len(ix.entries) }

// Names returns how many distinct names and aliases the index holds.
func (ix *Index) Names() int { return len(ix.names) }

// scratch is one search's working memory, pooled: per name, the credit
// its words gathered and which query words touched it; per word, the
// bigrams it shares with a query word; per entry, its hit so far.
type scratch struct {
	acc      []float64
	masks    []uint32
	counts   []uint8
	entryHit []int32 // 1 + index in hits, 0 for none
	// hitEntries are the entries whose entryHit is set; hitRaw and
	// hitName the unrounded score and the name of each hit.
	hitEntries []int32
	hitRaw     []float64
	hitName    []int32
	touched    []int32
	words      []int32
	cands      []int32
	// sims[i] are the words similar to query span i (querySpans), by
	// id.
	sims  [2*NameTokensMax - 1][]wordSim
	pairs []spanPair
	spans []span
}

type wordSim struct {
	id  int32
	sim float64
}

// Search screens a query against every list: the entries whose best name
// scores at or above their list's review threshold, best first, one hit
// an entry.
func (ix *Index) Search(q Query) []Hit { return ix.search(q, -1) }

// search is Search keeping the hits at or above floor instead of each
// list's review threshold, when floor is not negative.
func (ix *Index) search(q Query, floor float64) []Hit {
	qt := Normalize(q.Name)
	if len(qt) == 0 || len(ix.names) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	var qw [NameTokensMax]float64
	nq := len(qt)
	for i := range qt {
		t := &qt[i]
		idf := ix.maxWeight
		sc.sims[i], _, idf = ix.block(t, sc, sc.sims[i][:0], 1<<i, idf)
		qw[i] = wordWeight(t, idf)
	}
	sumQ := 0.0
	for i := range qt {
		sumQ += qw[i]
	}
	// Adjacent query words read as one (Mohammad Reza, Mohammadreza) are
	// looked up as one word too.
	qs := querySpans(qt, qw[:nq], sc.spans[:0])
	sc.spans = qs
	for k := nq; k < len(qs); k++ {
		sc.sims[k], _, _ = ix.block(qs[k].tok, sc, sc.sims[k][:0], qs[k].mask, 0)
	}
	// Initials pair without the blocking: their credit is added to every
	// name's bound.
	initialsQ := 0.0
	for i := range qt {
		if len(qt[i].Latin) == 1 && !qt[i].Arabic {
			initialsQ += qw[i]
		}
	}
	keep := ix.minReview
	if floor >= 0 {
		keep = floor
	}
	// A name whose touched words cannot reach the lowest threshold, even
	// if they paired perfectly and the date of birth and the country
	// agreed, is not scored.
	prune := keep - adjustMax
	var hits []Hit
	for _, n := range sc.touched {
		nm := &ix.names[n]
		coverQ := initialsQ
		for i, mask := 0, sc.masks[n]; mask != 0; i, mask = i+1, mask>>1 {
			if mask&1 != 0 {
				coverQ += qw[i]
			}
		}
		coverC := sc.acc[n] + credit(initialSim)*nm.initialsWeight
		upper := 0.5*min(1, coverQ/sumQ) + 0.5*min(1, coverC/nm.weightSum)
		sc.acc[n], sc.masks[n] = 0, 0
		if upper < prune {
			continue
		}
		raw := ix.scoreName(qt, qs, sumQ, nm, sc)
		if nm.weak {
			raw *= weakAliasFactor
		}
		ie := ix.entries[nm.entry]
		score := round4(clamp01(raw + adjust(q, ie.entry)))
		l := ix.lists[ie.list]
		act := l.thresholds.Action(score)
		if floor < 0 && act == ActionPass || floor >= 0 && score < floor {
			continue
		}
		if h := sc.entryHit[nm.entry]; h > 0 {
			if !ix.better(raw, nm, sc.hitRaw[h-1], &ix.names[sc.hitName[h-1]], qt) {
				continue
			}
			hits[h-1] = ix.hit(nm, score, act)
			sc.hitRaw[h-1], sc.hitName[h-1] = raw, n
			continue
		}
		hits = append(hits, ix.hit(nm, score, act))
		sc.hitRaw = append(sc.hitRaw, raw)
		sc.hitName = append(sc.hitName, n)
		sc.entryHit[nm.entry] = int32(len(hits))
		sc.hitEntries = append(sc.hitEntries, nm.entry)
	}
	sc.touched = sc.touched[:0]
	for _, e := range sc.hitEntries {
		sc.entryHit[e] = 0
	}
	sc.hitEntries, sc.hitRaw, sc.hitName = sc.hitEntries[:0], sc.hitRaw[:0], sc.hitName[:0]
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.List, b.List); c != 0 {
			return c
		}
		return cmp.Compare(a.EntryID, b.EntryID)
	})
	return hits
}

// better reports whether name a, of unrounded score rawA, is a better
// hit on its entry than name b: it scores more, or as much and is spelled
// as the query is, or as much and comes first in the entry.
func (ix *Index) better(rawA float64, a *indexedName, rawB float64, b *indexedName, qt []Token) bool {
	if rawA != rawB {
		return rawA > rawB
	}
	if sa, sb := ix.spelledAs(a, qt), ix.spelledAs(b, qt); sa != sb {
		return sa
	}
	return a.name < b.name
}

// spelledAs reports whether a name's words are the query's, in order.
func (ix *Index) spelledAs(nm *indexedName, qt []Token) bool {
	if len(nm.tokens) != len(qt) {
		return false
	}
	for i, id := range nm.tokens {
		if tokenKeyOf(&ix.vocab[id].Token) != tokenKeyOf(&qt[i]) {
			return false
		}
	}
	return true
}

func (ix *Index) hit(nm *indexedName, score float64, act Action) Hit {
	ie := ix.entries[nm.entry]
	n := ie.entry.Names[nm.name]
	return Hit{List: ix.lists[ie.list].name, EntryID: ie.entry.ID, EntryName: primaryName(ie.entry), Matched: n.Text,
		Alias: n.Alias, Score: score, Action: act}
}

// block finds the words of the vocabulary similar to a query span,
// appends them to sims by id, and touches the names holding them with
// the span's mask. It returns the best similarity and the idf of the
// word it was found at, if one was at sameWordSimMin or more; else idf.
func (ix *Index) block(t *Token, sc *scratch, sims []wordSim, mask uint32, idf float64) ([]wordSim, float64, float64) {
	best := 0.0
	// A query word pairs with a word or a pair; two query words joined
	// with a word only.
	sc.words = ix.similarTokens(t, mask&(mask-1) == 0, sc, sc.words[:0])
	for _, id := range sc.words {
		v := &ix.vocab[id]
		s := tokenSim(t, &v.Token)
		if s < tokenSimMin {
			continue
		}
		sims = append(sims, wordSim{id, s})
		if s > best {
			best = s
			if s >= sameWordSimMin {
				idf = v.idf
			}
		}
		ix.touch(sc, v, credit(s), mask)
	}
	if !slices.IsSortedFunc(sims, compareWordSim) {
		slices.SortFunc(sims, compareWordSim)
	}
	return sims, best, idf
}

func compareWordSim(a, b wordSim) int { return cmp.Compare(a.id, b.id) }

// touch adds a word's credit to the names that hold it, and marks them
// touched by the query words of mask.
func (ix *Index) touch(sc *scratch, v *vocabToken, credit float64, mask uint32) {
	for _, n := range v.postings {
		if sc.masks[n] == 0 {
			sc.touched = append(sc.touched, n)
		}
		sc.masks[n] |= mask
		sc.acc[n] += credit * v.weight
	}
}

// similarTokens appends to out the vocabulary words that share enough of
// a token's skeleton bigrams to be worth comparing: of five bigrams or
// fewer, all but two and at least three in five, which a one-letter slip
// in the skeleton keeps; of more, all but three and at least half, which
// two letters swapped keep (Dastjedri, Dastjerdi). A word's skeleton
// must be within two consonants of the token's, a pair's within one: a
// longer word holding the token is another name (Ahmadinejad, Ahmad),
// and the pairs of a common word are many. An Arabic-script token is
// looked up in both its readings, a token ending in h also without it.
func (ix *Index) similarTokens(t *Token, withPairs bool, sc *scratch, out []int32) []int32 {
	from := len(out)
	out = ix.similarSkeleton(t.Skeleton, t.Phonetic, withPairs, sc, out)
	more := false
	for _, s := range []string{t.skeletonAlt, withoutFinalH(t.Skeleton)} {
		if s != "" {
			out = ix.similarSkeleton(s, t.Phonetic, withPairs, sc, out)
			more = true
		}
	}
	if more {
		slices.Sort(out[from:])
		out = slices.Compact(out)
	}
	return out
}

func (ix *Index) similarSkeleton(skeleton, phonetic string, withPairs bool, sc *scratch, out []int32) []int32 {
	s := skeleton
	if s == "" {
		s = phonetic
	}
	if s == "" {
		return out
	}
	grams := len(s) + 1
	need := max(grams-2, (grams*3+4)/5, 1)
	if grams > 5 {
		need = max(grams-3, (grams+1)/2)
	}
	// A pair is a word written as two; a query writes it whole, or with
	// a slip: a pair must share all but two bigrams, and four in five.
	needPair := max(grams-2, (grams*4+4)/5)
	cands := sc.cands[:0]
	for _, pair := range []bool{false, true} {
		if pair && !withPairs {
			continue
		}
		spread := 2
		if pair {
			spread = 1
		}
		for n := max(1, len(s)-spread); n <= min(len(s)+spread, math.MaxUint8); n++ {
			for g := range skeletonGrams(s) {
				for _, id := range ix.grams[gramKey{gram: g, len: uint8(n), pair: pair}] {
					if sc.counts[id] == 0 {
						cands = append(cands, id)
					}
					if sc.counts[id] < math.MaxUint8 {
						sc.counts[id]++
					}
				}
			}
		}
	}
	for _, id := range cands {
		if c := int(sc.counts[id]); c >= need && (!ix.vocab[id].pair || c >= needPair) {
			out = append(out, id)
		}
		sc.counts[id] = 0
	}
	sc.cands = cands
	return out
}

// span is a word, or two adjacent words read as one (Mohammadreza is
// Mohammad Reza), of one side of a comparison; id is the word's in the
// vocabulary, -1 for two words or a query word.
type span struct {
	tok    *Token
	id     int32
	qi     int // the query word, for a single query word
	mask   uint32
	weight float64
}

type spanPair struct {
	q, c int
	sim  float64
	// initial marks the pairing of an initial with a word: it covers
	// only as much weight as the lighter of the two, the initial's, on
	// either side.
	initial bool
}

// querySpans are a query's words, then its adjacent pairs joined.
func querySpans(qt []Token, qw []float64, out []span) []span {
	for i := range qt {
		out = append(out, span{tok: &qt[i], id: -1, qi: i, mask: 1 << i, weight: qw[i]})
	}
	for i := 0; i+1 < len(qt); i++ {
		j := joinTokens(&qt[i], &qt[i+1])
		out = append(out, span{tok: &j, id: -1, qi: -1, mask: 3 << i, weight: qw[i] + qw[i+1]})
	}
	return out
}

func joinTokens(a, b *Token) Token {
	if a.Arabic && b.Arabic {
		p := collapse(a.Phonetic + b.Phonetic)
		alt := ""
		if a.skeletonAlt != "" || b.skeletonAlt != "" {
			alt = collapse(cmp.Or(a.skeletonAlt, a.Skeleton) + cmp.Or(b.skeletonAlt, b.Skeleton))
		}
		return arabicToken(p, alt)
	}
	if a.Arabic != b.Arabic {
		return Token{Latin: a.Latin + b.Latin, Phonetic: a.Phonetic + b.Phonetic, Skeleton: a.Skeleton + b.Skeleton,
			Written: a.Written + b.Written}
	}
	return latinToken(a.Latin + b.Latin)
}

// simOf is the similarity of query span qi to vocabulary word id, as the
// search found it; 0 for a word the search did not find similar.
func (sc *scratch) simOf(qi int, id int32) float64 {
	sims := sc.sims[qi]
	lo, hi := 0, len(sims)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sims[m].id < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(sims) && sims[lo].id == id {
		return sims[lo].sim
	}
	return 0
}

// scoreName is the soft TF-IDF score of a query against one indexed name:
// the query's spans qs (querySpans) paired with the name's words and
// joined pairs, best pairs first, each word used once.
func (ix *Index) scoreName(qt []Token, qs []span, sumQ float64, nm *indexedName, sc *scratch) float64 {
	pairs := sc.pairs[:0]
	nq := len(qt)
	for j, id := range nm.tokens {
		v := &ix.vocab[id]
		for i := range qs {
			q := &qs[i]
			if q.qi >= 0 && initialMeets(q.tok, &v.Token) {
				pairs = append(pairs, spanPair{i, j, initialSim, true})
			} else if s := sc.simOf(i, id); s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, j, s, false})
			}
		}
	}
	for j, id := range nm.pairs {
		for i := 0; i < nq; i++ {
			if s := sc.simOf(i, id); s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, len(nm.tokens) + j, s, false})
			}
		}
	}
	sc.pairs = pairs
	slices.SortStableFunc(pairs, func(a, b spanPair) int { return cmp.Compare(b.sim, a.sim) })
	var usedQ, usedC uint32
	var coveredQ, coveredC float64
	for _, p := range pairs {
		qmask := qs[p.q].mask
		var cmask uint32
		var cw float64
		if p.c < len(nm.tokens) {
			cmask, cw = 1<<p.c, ix.vocab[nm.tokens[p.c]].weight
		} else {
			j := p.c - len(nm.tokens)
			cmask, cw = 3<<j, ix.vocab[nm.tokens[j]].weight+ix.vocab[nm.tokens[j+1]].weight
		}
		if usedQ&qmask != 0 || usedC&cmask != 0 {
			continue
		}
		usedQ |= qmask
		usedC |= cmask
		qw, c := qs[p.q].weight, credit(p.sim)
		if p.initial {
			qw, cw = min(qw, cw), min(qw, cw)
		}
		coveredQ += c * qw
		coveredC += c * cw
	}
	if sumQ == 0 || nm.weightSum == 0 {
		return 0
	}
	return 0.5*min(1, coveredQ/sumQ) + 0.5*min(1, coveredC/nm.weightSum)
}

// ScorePair scores a query against one listed name with the index's word
// weights, without its blocking: the score Search gives the name if it
// finds it, before the date of birth, the country and the alias's
// quality adjust it.
func (ix *Index) ScorePair(query, listed string) float64 {
	qt, ct := Normalize(query), Normalize(listed)
	if len(qt) == 0 || len(ct) == 0 {
		return 0
	}
	var qw, cw [NameTokensMax]float64
	for i := range qt {
		qw[i] = ix.weight(&qt[i])
	}
	for j := range ct {
		cw[j] = ix.weight(&ct[j])
	}
	return round4(softTFIDF(qt, qw[:len(qt)], ct, cw[:len(ct)]))
}

// softTFIDF is scoreName for two names outside the index: every pair of
// spans compared.
func softTFIDF(qt []Token, qw []float64, ct []Token, cw []float64) float64 {
	qs := querySpans(qt, qw, nil)
	cs := querySpans(ct, cw, nil)
	var pairs []spanPair
	for i := range qs {
		for j := range cs {
			// Two words joined on both sides is a pairing of single
			// words already counted.
			if qs[i].qi < 0 && cs[j].qi < 0 {
				continue
			}
			if qs[i].qi >= 0 && cs[j].qi >= 0 && initialMeets(qs[i].tok, cs[j].tok) {
				pairs = append(pairs, spanPair{i, j, initialSim, true})
			} else if s := tokenSim(qs[i].tok, cs[j].tok); s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, j, s, false})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b spanPair) int { return cmp.Compare(b.sim, a.sim) })
	var usedQ, usedC uint32
	var coveredQ, coveredC, sumQ, sumC float64
	for _, p := range pairs {
		if usedQ&qs[p.q].mask != 0 || usedC&cs[p.c].mask != 0 {
			continue
		}
		usedQ |= qs[p.q].mask
		usedC |= cs[p.c].mask
		qw, cw, c := qs[p.q].weight, cs[p.c].weight, credit(p.sim)
		if p.initial {
			qw, cw = min(qw, cw), min(qw, cw)
		}
		coveredQ += c * qw
		coveredC += c * cw
	}
	for _, w := range qw {
		sumQ += w
	}
	for _, w := range cw {
		sumC += w
	}
	if sumQ == 0 || sumC == 0 {
		return 0
	}
	return 0.5*min(1, coveredQ/sumQ) + 0.5*min(1, coveredC/sumC)
}

// weight is a word's weight: its own where the index has it, else that
// of the most similar word it has, else the weight of a word seen once.
func (ix *Index) weight(t *Token) float64 {
	if id, ok := ix.byKey[tokenKeyOf(t)]; ok {
		return wordWeight(t, ix.vocab[id].idf)
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	best, idf := 0.0, ix.maxWeight
	sc.words = ix.similarTokens(t, false, sc, sc.words[:0])
	for _, id := range sc.words {
		if s := tokenSim(t, &ix.vocab[id].Token); s >= sameWordSimMin && s > best {
			best, idf = s, ix.vocab[id].idf
		}
	}
	return wordWeight(t, idf)
}

// adjust is what the date of birth, the country and the type add to or
// take from a name's score.
func adjust(q Query, e *Entry) float64 {
	d := 0.0
	if q.Type != "" && e.Type != "" && q.Type != e.Type {
		d -= typeMismatchMalus
	}
	if q.DateOfBirth != "" && len(e.DatesOfBirth) > 0 && e.Type != Entity {
		best := -dobMismatchMalus
		for _, dob := range e.DatesOfBirth {
			n := min(len(dob), len(q.DateOfBirth))
			if n >= 4 && dob[:n] == q.DateOfBirth[:n] {
				if n >= 10 {
					best = dobMatchBonus
				} else {
					best = max(best, dobYearBonus)
				}
			}
		}
		d += best
	}
	if q.Country != "" && len(e.Countries) > 0 {
		if slices.Contains(e.Countries, q.Country) {
			d += countryMatchBonus
		} else {
			d -= countryMissMalus
		}
	}
	return d
}

func primaryName(e *Entry) string {
	for _, n := range e.Names {
		if !n.Alias {
			return n.Text
		}
	}
	if len(e.Names) > 0 {
		return e.Names[0].Text
	}
	return ""
}

func clamp01(x float64) float64 { return min(1, max(0, x)) }

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }
