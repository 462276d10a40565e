package screening

import "strings"

// Transliteration brings every script a name arrives in to one alphabet of
// comparison. It happens in two steps:
//
//   - Cyrillic is romanised letter by letter (close to BGN/PCGN, the scheme
//     the lists themselves use for Russian names: Х kh, Ж zh, Ц ts, Щ shch,
//     Й y), giving a Latin token like any other.
//   - Persian and Arabic script write long vowels but not short ones, so a
//     token in that script cannot be romanised into one spelling. It is
//     mapped straight into the comparison alphabet (see latinPhonetic), where
//     Latin tokens meet it: consonant classes, and vowel classes only
//     where the script wrote a vowel.

// cyrillicLatin romanises Russian (and the few Ukrainian, Belarusian and
// Kazakh letters that turn up in Russian banks' data).
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ә': "a", 'ғ': "gh",
	'қ': "q", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h",
}

// isArabicScript reports whether r is a letter of the Arabic script block
// (Persian, Arabic, Urdu, Pashto), its supplement or presentation forms.
func isArabicScript(r rune) bool {
	return (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) ||
		(r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x052F }

// zwnj is the zero-width non-joiner Persian writes inside words
// (خامنه‌ای): it ends a morpheme but not the word.
const zwnj = '\u200c'

// arabicDropped are marks that carry no letter: the short-vowel marks and
// shadda (harakat), tatweel, and the hamza written alone.
func arabicDropped(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670 || r == 0x0640 || r == 'ء'
}

// arabicFold maps the letters that Arabic and Persian write differently,
// and the hamza seats, to one form each: ي and ى to ی, ك to ک, ة to ه,
// أ إ آ ٱ to ا, ؤ to و, ئ to ی.
func arabicFold(r rune) rune {
	switch r {
	case 'ي', 'ى', 'ئ', 'ې', 'ۍ':
		return 'ی'
	case 'ك', 'ڪ':
		return 'ک'
	case 'ة', 'ۀ', 'ە':
		return 'ه'
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ؤ':
		return 'و'
	}
	// Arabic-Indic and Persian digits are not names; they are kept as
	// they are and match only themselves.
	return r
}

// arabicPhonetic is the comparison symbol of each Arabic-script consonant
// (see latinPhonetic for the alphabet). Letters for one sound in Persian
// share a symbol: ث س ص are s, ذ ز ض ظ are z, ت ط t, ح خ ه h, ق غ ک گ k.
var arabicPhonetic = map[rune]byte{
	'ب': 'b', 'پ': 'p', 'ت': 't', 'ث': 's', 'ج': 'J', 'چ': 'C', 'ح': 'h', 'خ': 'h',
	'د': 'd', 'ذ': 'z', 'ر': 'r', 'ز': 'z', 'ژ': 'J', 'س': 's', 'ش': 'S', 'ص': 's',
	'ض': 'z', 'ط': 't', 'ظ': 'z', 'غ': 'k', 'ف': 'f', 'ق': 'k', 'ک': 'k', 'گ': 'k',
	'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'ٹ': 't', 'ڈ': 'd', 'ڑ': 'r',
}

// arabicReading is the symbol of the letters Persian and Arabic read
// differently, in the Arabic reading: ث is s in Persian (Sabet) and th in
// Arabic (Othman, which the Latin side reads t), ض z and d (Ramazan,
// Ramadan), ذ z and dh (Zolqadr; Qadhafi, Gaddafi). A token holding one of them, or a و that may be the
// consonant w (انور, Anwar), has a second skeleton in the Arabic reading.
var arabicReading = map[rune]byte{'ث': 't', 'ض': 'd', 'ذ': 'd'}

// arabicArticleKept lists Persian given names that begin with the letters
// of the Arabic article ال and keep them (الهام is Elham, not al-Ham).
var arabicArticleKept = map[string]bool{
	"الهام": true, "الناز": true, "الهه": true, "الیاس": true, "الیکا": true, "الوند": true, "الله": true,
}

// arabicPhoneticToken maps an Arabic-script token (folded, without marks)
// to the comparison alphabet, and to its skeleton in the Arabic reading
// when that differs (see arabicReading):
//
//   - consonants by arabicPhonetic;
//   - ا as the vowel A, except at the start of a morpheme before و or ی,
//     where it only carries that vowel (ایران is Iran, اوماروف Umarov),
//     and in an article inside a word, which is not pronounced
//     (عبدالله Abdullah, جلال‌الدین Jalaluddin, ذوالقدر Zolqadr);
//   - و as the consonant v at the start, before a vowel letter or doubled,
//     else as the vowel U (or v, in the Arabic reading);
//   - ی as the vowel I, and at the end of a word as Y, which is a or i
//     (مرتضی is Morteza, علی Ali); یی at the end is one vowel (رضایی,
//     Rezaei);
//   - ع as E, a vowel that the Latin side writes as any vowel or not at
//     all (Ali, Abbas; Sa'd);
//   - ه at the end of a morpheme is the written final vowel of Fatemeh
//     and Khamenei, and is dropped, as the Latin side drops a final h
//     after a vowel.
func arabicPhoneticToken(tok string) (phon, alt string) {
	rs := []rune(tok)
	if len(rs) > 3 && rs[0] == 'ا' && rs[1] == 'ل' && !arabicArticleKept[tok] {
		rs = rs[2:]
	}
	var b, a strings.Builder
	differs := false
	both := func(c byte) { b.WriteByte(c); a.WriteByte(c) }
	for i, r := range rs {
		next, prev := rune(0), rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if i > 0 {
			prev = rs[i-1]
		}
		start := i == 0 || prev == zwnj
		switch r {
		case 'ا':
			switch {
			case start && (next == 'و' || next == 'ی'):
			case next == 'ل' && i > 0 && arabicArticleInside(rs[:i]):
			default:
				both('A')
			}
		case 'ی':
			switch {
			case next == 0 && prev == 'ی':
				// The second of a final یی: the first was written Y.
			case i >= 1 && (next == 0 || next == 'ی' && i+2 == len(rs)):
				both('Y')
			default:
				both('I')
			}
		case 'و':
			switch {
			case next == 'ا' && i+2 < len(rs) && rs[i+2] == 'ل' && (prev == 'ذ' || prev == 'ب'):
				// ذوالقدر, ابوالفضل: the u of Dhu and Abu before an
				// article.
				both('U')
			case start || next == 'ا' || next == 'ی' || next == 'و':
				both('v')
			case next != 0 && next != zwnj:
				// Between consonants: the vowel of Mahmud, or the w of
				// Anwar.
				b.WriteByte('U')
				a.WriteByte('v')
				differs = true
			default:
				both('U')
			}
		case 'ع':
			both('E')
		case 'ه':
			if i > 0 && (next == 0 || next == zwnj) {
				continue
			}
			both('h')
		case zwnj:
		default:
			c, ok := arabicPhonetic[r]
			if !ok {
				b.WriteRune(r)
				a.WriteRune(r)
				continue
			}
			b.WriteByte(c)
			if ar, ok := arabicReading[r]; ok {
				a.WriteByte(ar)
				differs = true
			} else {
				a.WriteByte(c)
			}
		}
	}
	phon = collapse(b.String())
	if differs {
		alt = consonants(collapse(a.String()))
	}
	return phon, alt
}

// arabicArticleInside reports whether an ا followed by ل after before
// begins an article inside a word: after a morpheme break, after عبد
// (servant of), after ابو or بو (father of) and ذو (owner of).
func arabicArticleInside(before []rune) bool {
	n := len(before)
	switch {
	case before[n-1] == zwnj:
		return true
	case n >= 3 && before[n-3] == 'ع' && before[n-2] == 'ب' && before[n-1] == 'د':
		return true
	case n >= 2 && (before[n-2] == 'ب' || before[n-2] == 'ذ') && before[n-1] == 'و':
		return true
	}
	return false
}

// arabicLatin spells a token of the comparison alphabet in plain Latin, so
// that an Arabic-script name can be shown: "mhmd" stays, "hsIn" reads
// "hsin", ayn (E) is an apostrophe as the lists write it (Sa'd).
func arabicLatin(phon string) string {
	var b strings.Builder
	for i := 0; i < len(phon); i++ {
		switch c := phon[i]; c {
		case 'A':
			b.WriteByte('a')
		case 'U':
			b.WriteByte('u')
		case 'I':
			b.WriteByte('i')
		case 'Y':
			b.WriteByte('y')
		case 'E':
			b.WriteByte('\'')
		case 'S':
			b.WriteString("sh")
		case 'J':
			b.WriteByte('j')
		case 'C':
			b.WriteString("ch")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// latinPhonetic maps a normalised Latin token (lower-case ASCII) to the
// comparison alphabet, where the common romanisation variants of one
// sound meet:
//
//	kh h                -> h      (Khamenei, Hamenei; Хаменеи)
//	q gh g k c ck       -> k      (Qasem, Ghasem, Kasem; Гасем)
//	sh sch shch         -> S      (Shah; Щукин)
//	zh j dj dzh         -> J      (Javad, Djavad, Джавад; Zhukov)
//	ch tch              -> C
//	ph f                -> f      th -> t, dh -> d, x -> ks
//	c before e i y      -> s      (Defence, Defense)
//	w v                 -> v, and U after a vowel before a consonant (Awlaki, Aulaqi; Авлаки)
//	v at the end        -> f      (Petrov, Petroff; پتروف)
//	a e                 -> A      o u -> U      i y ee -> I
//	yo after a consonant -> A     (Artyom, Artem; Артём)
//
// A final h after a vowel (Fatemeh, Abdollah) is dropped, a final ie is
// i (Rezaie, Rezaei), and a doubled symbol is written once (Mohammad,
// Hossein).
//
// phonE is phon reading a short e as i, where Arabic romanisation writes
// the Persian e (Qasem, Qasim; Mohsen, Muhsin; Esmaeil, Ismail).
//
// written is the same token keeping, of its vowels, only those every
// script writes: the long vowels and diphthongs that Persian and Arabic
// write with a letter — ou oo uu au aw (و), ee ii ei ey ai ay ae (ی), aa
// (ا) — and a final i, y, u or o. The short vowels Latin writes and
// Arabic script does not (the a and e of Mohammad) are not in it.
func latinPhonetic(tok string) (phon, written, phonE string) {
	if n := len(tok); n > 2 && tok[n-1] == 'h' && isVowel(tok[n-2]) {
		tok = tok[:n-1]
	}
	if n := len(tok); n > 3 && strings.HasSuffix(tok, "ie") {
		tok = tok[:n-1]
	}
	b, w, e := newCollapser(len(tok)), newCollapser(len(tok)), newCollapser(len(tok))
	consonant := func(c byte) { b.add(c); w.add(c); e.add(c) }
	vowel := func(c byte, long bool) {
		b.add(c)
		e.add(c)
		if long {
			w.add(c)
		}
	}
	// shortE is the short e of Persian romanisation, which Arabic
	// romanisation writes i: A in phon, I in phonE.
	shortE := func() { b.add('A'); e.add('I') }
	for i := 0; i < len(tok); {
		rest := tok[i:]
		pair := ""
		if len(rest) >= 2 {
			pair = rest[:2]
		}
		switch {
		case strings.HasPrefix(rest, "shch"):
			consonant('S')
			i += 4
		case strings.HasPrefix(rest, "sch"):
			consonant('S')
			i += 3
		case strings.HasPrefix(rest, "dzh"):
			consonant('J')
			i += 3
		case strings.HasPrefix(rest, "tch"):
			consonant('C')
			i += 3
		case pair == "sh":
			consonant('S')
			i += 2
		case pair == "zh" || pair == "dj":
			consonant('J')
			i += 2
		case pair == "ch":
			consonant('C')
			i += 2
		case pair == "kh":
			consonant('h')
			i += 2
		case pair == "gh" || pair == "ck":
			consonant('k')
			i += 2
		case pair == "ph":
			consonant('f')
			i += 2
		case pair == "th":
			consonant('t')
			i += 2
		case pair == "dh":
			consonant('d')
			i += 2
		case pair == "ou" || pair == "oo" || pair == "uu":
			vowel('U', true)
			i += 2
		case pair == "ee" || pair == "ii":
			vowel('I', true)
			i += 2
		case pair == "aa":
			vowel('A', true)
			i += 2
		case pair == "ei" || pair == "ey" || pair == "ai" || pair == "ay" ||
			pair == "ae" && (i+2 == len(tok) || tok[i+2] != 'e'):
			// ae is the Persian romanisation of a-i (Esmaeli, Rezaei),
			// unless the e is the first of ee (Rezaee).
			vowel('A', false)
			vowel('I', true)
			i += 2
		case pair == "au":
			vowel('A', false)
			vowel('U', true)
			i += 2
		case pair == "yo" && i > 0 && !isVowel(tok[i-1]):
			shortE()
			i += 2
		default:
			c := tok[i]
			i++
			final := i == len(tok) && len(tok) > 2
			diphthong := i >= 2 && isVowel(tok[i-2]) && tok[i-2] != 'y' && (i == len(tok) || !isVowel(tok[i]))
			switch c {
			case 'c':
				if i < len(tok) && (tok[i] == 'e' || tok[i] == 'i' || tok[i] == 'y') {
					consonant('s')
				} else {
					consonant('k')
				}
			case 'q', 'g':
				consonant('k')
			case 'j':
				consonant('J')
			case 'w', 'v':
				switch {
				case c == 'v' && final:
					consonant('f')
				case diphthong && !final || c == 'w' && diphthong:
					vowel('U', true)
				default:
					consonant('v')
				}
			case 'x':
				consonant('k')
				consonant('s')
			case 'a':
				vowel('A', false)
			case 'e':
				shortE()
			case 'o', 'u':
				vowel('U', final)
			case 'i', 'y':
				vowel('I', final)
			default:
				consonant(c)
			}
		}
	}
	return b.String(), w.String(), e.String()
}

// collapser builds a string of the comparison alphabet writing each run
// of one symbol once, as collapse does after the fact.
type collapser struct {
	strings.Builder
	last byte
}

func newCollapser(n int) *collapser {
	c := &collapser{}
	c.Grow(n + 2)
	return c
}

func (c *collapser) add(x byte) {
	if x == c.last && x < 0x80 {
		return
	}
	c.last = x
	c.WriteByte(x)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// isVowelSymbol reports whether c is a vowel class of the comparison
// alphabet: A U I, and the Y (a or i) and E (ayn) of Arabic script.
func isVowelSymbol(c byte) bool {
	switch c {
	case 'A', 'U', 'I', 'Y', 'E':
		return true
	}
	return false
}

// collapse writes each run of one symbol once.
func collapse(s string) string {
	runs := false
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] && s[i] < 0x80 {
			runs = true
			break
		}
	}
	if !runs {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i] == s[i-1] && s[i] < 0x80 {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// consonants drops the vowel classes of a phonetic token, leaving its
// skeleton: the part every script writes.
func consonants(phon string) string {
	c := newCollapser(len(phon))
	for i := 0; i < len(phon); i++ {
		if !isVowelSymbol(phon[i]) {
			c.add(phon[i])
		}
	}
	return c.String()
}
