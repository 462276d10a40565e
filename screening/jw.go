package screening

// jaroWinkler is the Jaro–Winkler similarity of two tokens, in [0, 1]:
// Jaro's count of matching and transposed characters, raised for a
// common prefix of up to four characters by 0.1 a character (Winkler's
// constants). It is the inner measure of the token matching: it forgives
// the dropped, doubled and swapped letters of romanisation, and favours
// agreement at the start of a word, where spellings of one name agree
// most. Tokens are compared byte by byte, which is letter by letter for
// the ASCII forms the matcher compares; other scripts compare as bytes,
// which only lowers their scores.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	window := max(lb/2-1, 0)
	// Tokens are short; a name word longer than 64 bytes is compared on
	// its first 64.
	const tokenBytesMax = 64
	la, lb = min(la, tokenBytesMax), min(lb, tokenBytesMax)
	var matchedB [tokenBytesMax]bool
	var matchA [tokenBytesMax]byte
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !matchedB[j] && a[i] == b[j] {
				matchedB[j] = true
				matchA[m] = a[i]
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for j := 0; j < lb; j++ {
		if matchedB[j] {
			if b[j] != matchA[k] {
				t++
			}
			k++
		}
	}
	mf := float64(m)
	jaro := (mf/float64(la) + mf/float64(lb) + (mf-float64(t)/2)/mf) / 3
	prefix := 0
	for prefix < min(4, la) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
