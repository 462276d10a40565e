package screening

import "strings"

// How two words are compared. Jaro–Winkler over the forms of Normalize
// measures how alike two spellings are: over the Latin and phonetic forms
// between Latin words (so Qasem and Ghasem, both kAsAm, are one, and
// Qasem and Qasim in the reading of e as i), over the skeletons between a
// Latin and an Arabic-script word (Arabic script does not write short
// vowels), over the phonetic forms between two Arabic-script words. Two
// checks then tell apart names that look alike but are not one:
//
//   - a written vowel (Token.Written) of one word that the other cannot
//     have written: محمود against Mohammad, حسن against Hossein, Mahmoud
//     against محمد. Each costs writtenVowelPenalty.
//   - one word made of the other by a suffix that makes a name of a name
//     (Ahmad, Ahmadi, Ahmadian; Hossein, Hosseini, Hosseinzadeh; Reza,
//     Razavi; Petrov, Petrovsky): such a pair is at most derivedSimMax.
//
// Jaro–Winkler is kept over edit distance or n-gram overlap because
// romanisation variants differ in dropped, doubled and swapped letters
// inside a word whose start agrees (Muhammad, Mohammed; Hosseini,
// Husaini), which is what its matching window and prefix bonus forgive;
// the phonetic forms take the variants it cannot (q, gh and g; kh and h).

// Similarity constants.
const (
	// tokenSimMin is the least similarity that pairs two words. Below it
	// Jaro–Winkler mostly finds the letters any two names share.
	tokenSimMin = 0.80
	// writtenVowelPenalty scales a similarity once for each written
	// vowel of one word the other lacks.
	writtenVowelPenalty = 0.85
	// derivedSimMax is the most two words made one of the other by a
	// name-making suffix are alike.
	derivedSimMax = 0.85
)

// credit is the share of a word's weight that a pairing of similarity s
// covers: none below tokenSimMin, all of it at 1, and a straight line
// between. Between tokenSimMin and 1 Jaro–Winkler sorts the pairs well
// but does not measure sameness: a typo in a long word scores 0.95,
// another name sharing its start and end (Rahimi, Karimi) 0.82. Taken as
// it is, the second would count four fifths of a match.
func credit(s float64) float64 {
	if s < tokenSimMin {
		return 0
	}
	return (s - tokenSimMin) / (1 - tokenSimMin)
}

// tokenSim is the similarity of two words, in [0, 1].
func tokenSim(a, b *Token) float64 {
	var s float64
	switch {
	case a.Arabic && b.Arabic:
		s = jaroWinkler(a.Phonetic, b.Phonetic)
	case a.Arabic || b.Arabic:
		ar, la := a, b
		if b.Arabic {
			ar, la = b, a
		}
		if ar.Skeleton == "" || la.Skeleton == "" {
			s = jaroWinkler(ar.Phonetic, la.Phonetic)
			break
		}
		s = jaroWinkler(ar.Skeleton, la.Skeleton)
		if ar.skeletonAlt != "" && s < 1 {
			s = max(s, jaroWinkler(ar.skeletonAlt, la.Skeleton))
		}
	default:
		s = jaroWinkler(a.Phonetic, b.Phonetic)
		if s < 1 {
			s = max(s, jaroWinkler(a.Latin, b.Latin), jaroWinkler(a.phoneticE, b.phoneticE))
		}
	}
	if s < tokenSimMin {
		return s
	}
	for n := unwritten(a, b) + unwritten(b, a); n > 0; n-- {
		s *= writtenVowelPenalty
	}
	if s > derivedSimMax && derived(a, b) {
		s = derivedSimMax
	}
	return s
}

// symbolsMax bounds the symbols of a word that the vowel check aligns;
// a longer word is checked on its first symbolsMax.
const symbolsMax = 64

// unwritten counts the written vowels of x (Token.Written) that no symbol
// of y can stand for, aligning the two words consonants first, and counts
// one more for a Latin x that starts with a vowel where an Arabic-script
// y starts with a consonant (Eslami is not سلامی). An initial alef stands
// for any vowel; a final ی for a or i; و, vowel or not, for a v or a u;
// ع for any vowel or none; between two Latin words, any vowel for any
// other (a typo, Hejazo for Hejazi, keeps the vowel). The vowel Persian
// writes to open a consonant cluster of a foreign name (دیمیتری, Dmitry;
// استالین, Stalin) is not counted.
func unwritten(x, y *Token) int {
	extra := 0
	if !x.Arabic && y.Arabic && x.Phonetic != "" && y.Phonetic != "" &&
		isVowelSymbol(x.Phonetic[0]) && !isVowelSymbol(y.Phonetic[0]) && y.Phonetic[0] != 'v' {
		extra = 1
	}
	xs, ys := x.Written, y.Phonetic
	xs, ys = xs[:min(len(xs), symbolsMax)], ys[:min(len(ys), symbolsMax)]
	vowels := 0
	for i := 0; i < len(xs); i++ {
		if isVowelSymbol(xs[i]) && xs[i] != 'E' {
			vowels++
		}
	}
	if vowels == 0 || len(ys) == 0 {
		return extra + vowels
	}
	if subsequence(xs, ys) {
		// Every symbol of x is in y, in order: no alignment does better.
		return extra
	}
	skip := -1
	if x.Arabic && !y.Arabic && len(ys) >= 2 && len(xs) >= 3 && !isVowelSymbol(ys[0]) && !isVowelSymbol(ys[1]) {
		switch {
		case xs[0] == 'A' && !isVowelSymbol(xs[1]):
			skip = 0
		case !isVowelSymbol(xs[0]) && isVowelSymbol(xs[1]) && !isVowelSymbol(xs[2]):
			skip = 1
		}
		if skip >= 0 {
			vowels--
		}
	}
	// An alignment's worth is 128 a consonant and 1 a vowel: consonants
	// first, then as many vowels as they leave room for.
	const consonantWorth = 128
	var prev, cur [symbolsMax + 1]int32
	first := true
	for i := 0; i < len(xs); i++ {
		xc := xs[i]
		if i == skip || xc == 'E' {
			continue
		}
		for j := 1; j <= len(ys); j++ {
			yc := ys[j-1]
			best := max(prev[j], cur[j-1])
			if symbolsMeet(x, y, xc, yc, first, j == 1) {
				worth := int32(consonantWorth)
				if isVowelSymbol(xc) {
					worth = 1
				}
				best = max(best, prev[j-1]+worth)
			}
			cur[j] = best
		}
		prev, cur = cur, prev
		first = false
	}
	return extra + max(0, vowels-int(prev[len(ys)]%consonantWorth))
}

// subsequence reports whether every byte of a is in b, in order.
func subsequence(a, b string) bool {
	j := 0
	for i := 0; i < len(b) && j < len(a); i++ {
		if a[j] == b[i] {
			j++
		}
	}
	return j == len(a)
}

// symbolsMeet reports whether a symbol of x may stand where y writes yc;
// xFirst and yFirst say that each is its word's first.
func symbolsMeet(x, y *Token, xc, yc byte, xFirst, yFirst bool) bool {
	switch {
	case xc == yc:
		return true
	case !isVowelSymbol(xc):
		return xc == 'v' && yc == 'U'
	case !x.Arabic && !y.Arabic:
		return isVowelSymbol(yc)
	case xc == 'Y':
		return yc == 'A' || yc == 'I'
	case yc == 'Y':
		return xc == 'A' || xc == 'I'
	case yc == 'E':
		return true
	case xc == 'U' && yc == 'v':
		return true
	case xFirst && yFirst && isVowelSymbol(yc):
		return x.Arabic && xc == 'A' || y.Arabic && yc == 'A'
	}
	return false
}

// The suffixes that make a name of a name, in the comparison alphabet
// with v written f: Persian and Arabic nisba and compounds (-i, -ian,
// -ani, -avi, -zadeh, -nejad, -pour, -far, -lou), Russian and Ukrainian
// surnames and their feminine (-ov, -ev, -in, -sky, -enko, -ova, -ina,
// -skaya) and patronymics (-ovich, -ovna).
var (
	latinSuffixes = []string{"I", "IAn", "AnI", "fI", "zAdA", "nAJAd", "pUr", "fAr", "lU",
		"Uf", "Af", "In", "UfA", "AfA", "InA", "skI", "skAIA", "AnkU", "UfIC", "AfIC", "UfnA", "AfnA"}
	arabicSuffixes   = []string{"Y", "I", "IAn", "zAd", "nJAd", "pUr", "fr", "lU", "Uf", "fY"}
	skeletonSuffixes = []string{"n", "zd", "nJd", "pr", "fr", "f", "sk", "nk", "fC", "fn"}
)

// derived reports whether one word is the other with a name-making
// suffix, or both one stem with different such suffixes (Hosseini,
// Hosseinzadeh), or, in one script, one word the start of the other
// longer by a syllable or more (Derakhshan, Derakhshandeh; Ali,
// Alireza). Words of one script compare their phonetic forms; a Latin
// and an Arabic-script word their skeletons, the vowel suffixes being
// the written vowels' to catch.
func derived(a, b *Token) bool {
	switch {
	case a.Arabic != b.Arabic:
		return stemsMeet(a.Skeleton, b.Skeleton, skeletonSuffixes, 2)
	case a.Arabic:
		return stemsMeet(a.Phonetic, b.Phonetic, arabicSuffixes, 3) || extends(a.Phonetic, b.Phonetic)
	}
	return stemsMeet(a.Phonetic, b.Phonetic, latinSuffixes, 3) || extends(a.Phonetic, b.Phonetic)
}

// extends reports whether one of two words starts with the other, of
// three symbols or more, and goes on by two symbols or more, a consonant
// among them: more than a typo adds.
func extends(x, y string) bool {
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(x) < 3 || len(y)-len(x) < 2 || !strings.HasPrefix(y, x) {
		return false
	}
	for i := len(x); i < len(y); i++ {
		if !isVowelSymbol(y[i]) {
			return true
		}
	}
	return false
}

// initialSim is the similarity of an initial to a word it may stand for
// (M. for Mohammad).
const initialSim = 0.90

// initialMeets reports whether one of two words is a Latin initial, a
// word of one letter, and the other starts with its sound.
func initialMeets(a, b *Token) bool {
	if len(b.Latin) == 1 && !b.Arabic {
		a, b = b, a
	}
	if len(a.Latin) != 1 || a.Arabic || a.Phonetic == "" || b.Phonetic == "" || len(b.Latin) == 1 {
		return false
	}
	p, q := a.Phonetic[0], b.Phonetic[0]
	return p == q || isVowelSymbol(p) && isVowelSymbol(q)
}

// stemsMeet reports whether x and y are one stem of at least stemMin
// symbols with different suffixes from the list, none being a suffix too.
func stemsMeet(x, y string, suffixes []string, stemMin int) bool {
	if len(x) > len(y) {
		x, y = y, x
	}
	for sx := -1; sx < len(suffixes); sx++ {
		suffixX := ""
		if sx >= 0 {
			suffixX = suffixes[sx]
		}
		stem := len(x) - len(suffixX)
		if stem < stemMin || !equalFoldVF(x[stem:], suffixX) {
			continue
		}
		if len(y) <= stem || !equalFoldVF(y[:stem], x[:stem]) {
			continue
		}
		rest := y[stem:]
		if equalFoldVF(rest, suffixX) {
			continue
		}
		for _, s := range suffixes {
			if equalFoldVF(rest, s) {
				return true
			}
		}
	}
	return false
}

// equalFoldVF compares two strings of the comparison alphabet with v and
// f taken as one (the -ov of Petrov is -ff in Petroff, -f in پتروف).
func equalFoldVF(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == 'v' {
			ca = 'f'
		}
		if cb == 'v' {
			cb = 'f'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
