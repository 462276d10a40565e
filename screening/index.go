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
// others; see docs/BENCHMARKS.md for the precision and recall they give.
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
	// compoundSimMax is the best similarity a query word may have with
	// a listed word and still be read as two listed words written as one
	// (Mohammadreza is Mohammad Reza before it is Mohammad).
	compoundSimMax = 0.95
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
// normalised once, its words in a vocabulary with their weights, and the
// vocabulary indexed by the bigrams of its words' consonant skeletons, so
// that a query scores only the names that share a similar word with it.
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
	lists      []indexedList
	entries    []indexedEntry
	names      []indexedName
	vocab      []vocabToken
	byKey      map[string]int32   // a word's Latin form, or "\x00" and an Arabic-script word's Phonetic
	grams      map[string][]int32 // skeleton bigram -> words
	bySkeleton map[string][]int32 // skeleton -> words, for words written as one
	maxWeight  float64
	minReview  float64
	scratch    sync.Pool
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
	// joined[i] is tokens i and i+1 read as one word.
	joined    []Token
	weightSum float64
	weak      bool
}

type vocabToken struct {
	Token
	weight   float64
	postings []int32 // names
}

// NewIndex indexes lists; thresholds gives each list's, by name, and a
// list without is screened at DefaultThresholds.
func NewIndex(lists []*List, thresholds map[string]Thresholds) *Index {
	ix := &Index{byKey: map[string]int32{}, grams: map[string][]int32{}, bySkeleton: map[string][]int32{}, minReview: 1}
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
				for i := 0; i+1 < len(toks); i++ {
					nm.joined = append(nm.joined, joinTokens(&toks[i], &toks[i+1]))
				}
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
	for i := range ix.vocab {
		v := &ix.vocab[i]
		v.weight = wordWeight(&v.Token, 1+math.Log(max(n, 1)/float64(len(v.postings))))
		for _, s := range []string{v.Skeleton, v.skeletonAlt, withoutFinalH(v.Skeleton)} {
			if s == "" && v.Skeleton != "" {
				continue
			}
			for _, g := range skeletonGrams(s, v.Phonetic) {
				if l := ix.grams[g]; len(l) == 0 || l[len(l)-1] != int32(i) {
					ix.grams[g] = append(l, int32(i))
				}
			}
		}
		if v.Skeleton != "" {
			ix.bySkeleton[v.Skeleton] = append(ix.bySkeleton[v.Skeleton], int32(i))
		}
	}
	for i := range ix.names {
		nm := &ix.names[i]
		for _, id := range nm.tokens {
			nm.weightSum += ix.vocab[id].weight
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

// skeletonGrams are the bigrams of a skeleton with its ends marked
// ("mhmd": ^m mh hm md d$); a word without consonants uses its phonetic
// form.
func skeletonGrams(skeleton, phonetic string) []string {
	s := skeleton
	if s == "" {
		s = phonetic
	}
	s = "^" + s + "$"
	out := make([]string, 0, len(s)-1)
	for i := 0; i+1 < len(s); i++ {
		out = append(out, s[i:i+2])
	}
	return out
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
	// hitEntries are the entries whose entryHit is set.
	hitEntries []int32
	touched    []int32
	words      []int32
	cands      []int32
	// sims[i] are the words similar to query word i, by id.
	sims  [NameTokensMax][]wordSim
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
	for i := range qt {
		t := &qt[i]
		qw[i] = wordWeight(t, ix.maxWeight)
		best := 0.0
		sims := sc.sims[i][:0]
		sc.words = ix.similarTokens(t, sc, sc.words[:0])
		for _, id := range sc.words {
			v := &ix.vocab[id]
			s := tokenSim(t, &v.Token)
			if s < tokenSimMin {
				continue
			}
			sims = append(sims, wordSim{id, s})
			if s > best {
				best, qw[i] = s, v.weight
			}
			ix.touch(sc, v, credit(s), i)
		}
		slices.SortFunc(sims, func(a, b wordSim) int { return cmp.Compare(a.id, b.id) })
		sc.sims[i] = sims
		if best < compoundSimMax {
			ix.touchHalves(t, sc, i)
		}
	}
	sumQ := 0.0
	for i := range qt {
		sumQ += qw[i]
	}
	keep := ix.minReview
	if floor >= 0 {
		keep = floor
	}
	// A name whose touched words cannot reach the lowest threshold, even
	// if they paired perfectly and the date of birth and the country
	// agreed, is not scored. A query word next to one that touched the
	// name may pair with it joined (Mohammad Reza, Mohammadreza).
	prune := keep - adjustMax
	var hits []Hit
	qs := querySpans(qt, qw[:len(qt)], sc.spans[:0])
	sc.spans = qs
	for _, n := range sc.touched {
		nm := &ix.names[n]
		mask := sc.masks[n]
		mask |= mask<<1 | mask>>1
		coverQ := 0.0
		for i := range qt {
			if mask&(1<<i) != 0 {
				coverQ += qw[i]
			}
		}
		upper := 0.5*min(1, coverQ/sumQ) + 0.5*min(1, sc.acc[n]/nm.weightSum)
		sc.acc[n], sc.masks[n] = 0, 0
		if upper < prune {
			continue
		}
		score := ix.scoreName(qt, qs, sumQ, nm, sc)
		if nm.weak {
			score *= weakAliasFactor
		}
		ie := ix.entries[nm.entry]
		score = round4(clamp01(score + adjust(q, ie.entry)))
		l := ix.lists[ie.list]
		act := l.thresholds.Action(score)
		if floor < 0 && act == ActionPass || floor >= 0 && score < floor {
			continue
		}
		if h := sc.entryHit[nm.entry]; h > 0 {
			if hits[h-1].Score >= score {
				continue
			}
			hits[h-1] = ix.hit(nm, score, act)
			continue
		}
		hits = append(hits, ix.hit(nm, score, act))
		sc.entryHit[nm.entry] = int32(len(hits))
		sc.hitEntries = append(sc.hitEntries, nm.entry)
	}
	sc.touched = sc.touched[:0]
	for _, e := range sc.hitEntries {
		sc.entryHit[e] = 0
	}
	sc.hitEntries = sc.hitEntries[:0]
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

func (ix *Index) hit(nm *indexedName, score float64, act Action) Hit {
	ie := ix.entries[nm.entry]
	n := ie.entry.Names[nm.name]
	return Hit{List: ix.lists[ie.list].name, EntryID: ie.entry.ID, EntryName: primaryName(ie.entry), Matched: n.Text,
		Alias: n.Alias, Score: score, Action: act}
}

// touch adds a word's credit to the names that hold it, and marks them
// touched by query word qi.
func (ix *Index) touch(sc *scratch, v *vocabToken, credit float64, qi int) {
	bit := uint32(1) << qi
	for _, n := range v.postings {
		if sc.masks[n] == 0 {
			sc.touched = append(sc.touched, n)
		}
		sc.masks[n] |= bit
		sc.acc[n] += credit * v.weight
	}
}

// touchHalves touches the names holding two words that, written as one,
// make the query word: Mohammad and Reza for Mohammadreza, Ali and Akbar
// for علی‌اکبر, matched by their skeletons.
func (ix *Index) touchHalves(t *Token, sc *scratch, qi int) {
	s := t.Skeleton
	if len(s) < 3 {
		return
	}
	for k := 1; k < len(s); k++ {
		left, right := ix.bySkeleton[s[:k]], ix.bySkeleton[s[k:]]
		if len(left) == 0 || len(right) == 0 {
			continue
		}
		for _, id := range left {
			ix.touch(sc, &ix.vocab[id], 1, qi)
		}
		for _, id := range right {
			ix.touch(sc, &ix.vocab[id], 1, qi)
		}
	}
}

// similarTokens appends to out the vocabulary words that share enough of
// a token's skeleton bigrams to be worth comparing: all but two of them,
// and at least three in five, which a one-letter slip in the skeleton
// keeps. An Arabic-script token is looked up in both its readings.
func (ix *Index) similarTokens(t *Token, sc *scratch, out []int32) []int32 {
	from := len(out)
	out = ix.similarSkeleton(t.Skeleton, t.Phonetic, sc, out)
	more := false
	for _, s := range []string{t.skeletonAlt, withoutFinalH(t.Skeleton)} {
		if s != "" {
			out = ix.similarSkeleton(s, t.Phonetic, sc, out)
			more = true
		}
	}
	if more {
		slices.Sort(out[from:])
		out = slices.Compact(out)
	}
	return out
}

func (ix *Index) similarSkeleton(skeleton, phonetic string, sc *scratch, out []int32) []int32 {
	s := skeleton
	if s == "" {
		s = phonetic
	}
	grams := len(s) + 1
	need := max(grams-2, (grams*3+4)/5, 1)
	cands := sc.cands[:0]
	for i := 0; i < grams; i++ {
		var g [2]byte
		switch {
		case i == 0:
			g = [2]byte{'^', s[0]}
		case i == len(s):
			g = [2]byte{s[i-1], '$'}
		default:
			g = [2]byte{s[i-1], s[i]}
		}
		for _, id := range ix.grams[string(g[:])] {
			if sc.counts[id] == 0 {
				cands = append(cands, id)
			}
			if sc.counts[id] < math.MaxUint8 {
				sc.counts[id]++
			}
		}
	}
	for _, id := range cands {
		if int(sc.counts[id]) >= need {
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

// joinable reports whether a span of two words may be worth comparing
// with a word: they start alike and are of like length. Most spans are
// not, and this spares their Jaro–Winkler.
func joinable(a, b *Token) bool {
	sa, sb := a.Skeleton, b.Skeleton
	if sa == "" || sb == "" {
		return true
	}
	if sa[0] != sb[0] && (a.skeletonAlt == "" || a.skeletonAlt[0] != sb[0]) && (b.skeletonAlt == "" || b.skeletonAlt[0] != sa[0]) {
		return false
	}
	la, lb := len(sa), len(sb)
	return 5*min(la, lb) >= 3*max(la, lb)
}

// simOf is the similarity of query word qi to vocabulary word id, as the
// search found it; 0 for a word the search did not find similar.
func (sc *scratch) simOf(qi int, id int32) float64 {
	sims := sc.sims[qi]
	i, ok := slices.BinarySearchFunc(sims, id, func(w wordSim, id int32) int { return cmp.Compare(w.id, id) })
	if !ok {
		return 0
	}
	return sims[i].sim
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
			var s float64
			switch {
			case q.qi >= 0 && initialMeets(q.tok, &v.Token):
				s = initialSim
			case q.qi >= 0:
				s = sc.simOf(q.qi, id)
			case joinable(q.tok, &v.Token):
				s = tokenSim(q.tok, &v.Token)
			}
			if s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, j, s})
			}
		}
	}
	for j := range nm.joined {
		c := &nm.joined[j]
		for i := 0; i < nq; i++ {
			if !joinable(&qt[i], c) {
				continue
			}
			if s := tokenSim(&qt[i], c); s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, len(nm.tokens) + j, s})
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
		c := credit(p.sim)
		coveredQ += c * qs[p.q].weight
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
			s := tokenSim(qs[i].tok, cs[j].tok)
			if qs[i].qi >= 0 && cs[j].qi >= 0 && initialMeets(qs[i].tok, cs[j].tok) {
				s = initialSim
			}
			if s >= tokenSimMin {
				pairs = append(pairs, spanPair{i, j, s})
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
		c := credit(p.sim)
		coveredQ += c * qs[p.q].weight
		coveredC += c * cs[p.c].weight
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
		return ix.vocab[id].weight
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	best, w := 0.0, wordWeight(t, ix.maxWeight)
	sc.words = ix.similarTokens(t, sc, sc.words[:0])
	for _, id := range sc.words {
		if s := tokenSim(t, &ix.vocab[id].Token); s >= tokenSimMin && s > best {
			best, w = s, ix.vocab[id].weight
		}
	}
	return w
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
