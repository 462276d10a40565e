package screening

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is one word of a name, in the forms the matcher compares.
type Token struct {
	// Latin is the word in lower-case ASCII: as written for a Latin name,
	// romanised for a Cyrillic one, spelled from Phonetic for an Arabic-
	// script one.
	Latin string
	// Phonetic is the word in the comparison alphabet (see latinPhonetic):
	// consonant classes, and vowel classes where the script writes vowels.
	Phonetic string
	// Skeleton is Phonetic without vowels: what every script writes.
	Skeleton string
	// Written is Phonetic keeping only the vowels that Persian and Arabic
	// write with a letter: all of an Arabic-script word's, and a Latin
	// word's long vowels and diphthongs (the ou of Mahmoud, the ei of
	// Hossein, a final i). A written vowel that the other spelling of a
	// name lacks tells two names apart: محمود is not محمد, Hossein not
	// Hassan.
	Written string
	// Arabic marks a word written in Arabic script, whose short vowels
	// are unwritten and so unknown.
	Arabic bool
	// skeletonAlt is an Arabic-script word's skeleton in the Arabic
	// reading, when that differs from the Persian (see arabicReading).
	skeletonAlt string
	// phoneticE is a Latin word's Phonetic reading a short e as i (see
	// latinPhonetic).
	phoneticE string
	// patronymic marks a Russian or Turkic patronymic (Yuryevich,
	// Mikhaylovna, Aliyev oglu), which payments often leave out.
	patronymic bool
}

// latinToken is the Token of a word in lower-case ASCII.
func latinToken(lat string) Token {
	phon, written, phonE := latinPhonetic(lat)
	return Token{Latin: lat, Phonetic: phon, Skeleton: consonants(phon), Written: written, phoneticE: phonE,
		patronymic: isPatronymic(lat)}
}

// arabicToken is the Token of an Arabic-script word mapped to the
// comparison alphabet.
func arabicToken(phon, alt string) Token {
	return Token{Latin: arabicLatin(phon), Phonetic: phon, Skeleton: consonants(phon), Written: phon, Arabic: true, skeletonAlt: alt}
}

// patronymicEndings end Russian patronymics (-ovich, -evna, -ichna) and
// the Turkic ones written after the father's name (oglu, kyzy, uly).
var patronymicEndings = []string{"vich", "vitch", "vych", "vna", "ichna", "ogly", "oglu", "kyzy", "qizi", "gizi", "uly"}

func isPatronymic(lat string) bool {
	if len(lat) < 6 {
		return lat == "ogly" || lat == "oglu" || lat == "kyzy" || lat == "qizi" || lat == "gizi"
	}
	for _, e := range patronymicEndings {
		if strings.HasSuffix(lat, e) {
			return true
		}
	}
	return false
}

// NameTokensMax bounds the words of one name that are compared; a name
// longer than that is compared on its first NameTokensMax words. A name
// is read to its first NameLenMax bytes.
const NameTokensMax = 16

// Normalize splits a name into its tokens, as the matcher compares them:
//
//   - "LAST, First" is read as "First LAST" (one comma, the OFAC order);
//   - case is folded and diacritics are dropped (Ṣāliḥ is salih, Ødegård
//     odegard), apostrophes vanish (Sa'id is said) and other punctuation
//     separates words (al-Hassan is al hassan);
//   - Cyrillic is romanised, Persian and Arabic script mapped to the
//     comparison alphabet (translit.go);
//   - letters written with stops and no spaces are one word (S.R.O. is
//     sro, L.L.C. llc), and a few abbreviations are spelled out (Intl is
//     international);
//   - honorifics (Mr, Dr, Sheikh, Haji, Seyed, Mullah; آقای, سید, ملا;
//     господин), the Arabic article (al-, el-, ud-, ال), generational
//     suffixes (Jr, III) and company forms (LLC, Ltd, JSC, ООО, ИП, PJSC,
//     GmbH, s.r.o., شرکت, سهامی خاص) are dropped — unless nothing else is
//     left;
//   - Abd and the word it serves are one word (Abdul Aziz is abdulaziz,
//     not Aziz), and the first part of a hyphenated patronymic is of the
//     patronymic (Seit-Umarovich);
//   - a word repeated is kept once (BANK SEPAH AND BANK SEPAH
//     INTERNATIONAL is bank sepah international).
func Normalize(name string) []Token {
	if len(name) > NameLenMax {
		// A name is read to NameLenMax bytes, cut at a letter's start.
		cut := NameLenMax
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	name = reorderComma(name)
	words, hyphenated := splitWords(name)
	type word struct {
		t      Token
		stop   bool
		hyphen bool // joined by a hyphen to the next word
	}
	ws := make([]word, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if n := abdCompound(words, i); n > 1 {
			w = strings.Join(words[i:i+n], "")
			i += n - 1
		}
		t, ok := makeToken(w)
		if !ok {
			continue
		}
		ws = append(ws, word{t: t, stop: stopWord(t, w), hyphen: hyphenated[i]})
	}
	// The first part of a hyphenated patronymic (Seit-Umarovich) is of
	// the patronymic.
	for i := len(ws) - 2; i >= 0; i-- {
		if ws[i].hyphen && ws[i+1].t.patronymic && !ws[i].stop {
			ws[i].t.patronymic = true
		}
	}
	var out, dropped []Token
	for _, w := range ws {
		t := w.t
		switch {
		case len(out) == NameTokensMax:
		case w.stop:
			if len(dropped) < NameTokensMax {
				dropped = append(dropped, t)
			}
		case !slices.ContainsFunc(out, func(o Token) bool { return o.Arabic == t.Arabic && o.Phonetic == t.Phonetic && o.Latin == t.Latin }):
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = dropped
	}
	return out
}

// abdPrefixes are the romanisations of Abd, "servant of", which makes one
// name with the next word: Abdul Aziz is not Aziz.
var abdPrefixes = setOf("abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdoul", "abdur", "abdus", "abdou", "abdoulaye")

// mayBeAbd reports whether a word starts with the letters of Abd in
// Latin, Cyrillic or Arabic script: a cheap test before the real one.
func mayBeAbd(w string) bool {
	if strings.HasPrefix(w, "عبد") {
		return true
	}
	if len(w) < 3 {
		return false
	}
	if strings.EqualFold(w[:3], "abd") {
		return true
	}
	return len(w) >= len("абд") && strings.EqualFold(w[:len("абд")], "абд")
}

// abdCompound returns how many words from words[i] make one name with
// Abd: 2 for Abdul Aziz and عبد العزیز, 3 for Abd al-Aziz; 0 for none.
func abdCompound(words []string, i int) int {
	if i+1 >= len(words) || !mayBeAbd(words[i]) {
		return 0
	}
	t, ok := makeToken(words[i])
	switch {
	case !ok:
		return 0
	case t.Arabic:
		if foldArabic(words[i]) == "عبد" {
			return 2
		}
		return 0
	case !abdPrefixes[t.Latin]:
		return 0
	}
	if next, ok := makeToken(words[i+1]); ok && !next.Arabic && particles[next.Latin] {
		if i+2 < len(words) {
			return 3
		}
		return 0
	}
	return 2
}

// reorderComma turns "LOGAN MOREY, Elvis Angus" into "Elvis Angus LOGAN
// MOREY". A name with more than one comma is a company's ("AIRCRAFT,
// AVIONICS, PARTS & SUPPORT LTD."), and is left as it is; so is a comma
// before a company form ("ACME, LTD").
func reorderComma(name string) string {
	i := strings.IndexByte(name, ',')
	if i < 0 || strings.Count(name, ",") > 1 {
		return name
	}
	last, first := strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+1:])
	if last == "" || first == "" {
		return name
	}
	words, _ := splitWords(first)
	for _, w := range words {
		if t, ok := makeToken(w); ok && companyWords[t.Latin] {
			return name
		}
	}
	return first + " " + last
}

// splitWords cuts a name into words at spaces and punctuation, after
// compatibility decomposition (so that ligatures and full-width letters
// become plain ones) and with diacritics removed from Latin letters.
// Apostrophes and the zero-width non-joiner stay inside a word.
// hyphenated[i] reports that words[i] and the next are joined by a
// hyphen.
func splitWords(name string) (words []string, hyphenated []bool) {
	name = joinInitials(norm.NFKD.String(name))
	var b strings.Builder
	hyphen := false
	prev := rune(0)
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			hyphenated = append(hyphenated, false)
			b.Reset()
		}
	}
	for _, r := range name {
		base := prev
		prev = r
		switch {
		case unicode.Is(unicode.Mn, r) && !isArabicScript(r):
			// A combining mark on a Latin or Cyrillic letter: the
			// diacritic of é, ñ, й's breve. Cyrillic й and ё recombine
			// below.
			if (r == '\u0306' || r == '\u0308') && isCyrillic(base) {
				b.WriteRune(r)
			}
			prev = base
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʻ' || r == 'ʼ' || r == '´':
		case r == zwnj:
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if hyphen && b.Len() == 0 && len(hyphenated) > 0 {
				hyphenated[len(hyphenated)-1] = true
			}
			hyphen = false
			b.WriteRune(r)
		default:
			flush()
			hyphen = r == '-' || r == '‐' || r == '‑'
		}
	}
	flush()
	for i, w := range words {
		// Recompose what NFKD split and the Cyrillic table knows whole
		// (й, ё), and drop the marks left on anything else.
		w = norm.NFC.String(w)
		words[i] = strings.Map(func(r rune) rune {
			if r == '\u0306' || r == '\u0308' {
				return -1
			}
			return r
		}, w)
	}
	return words, hyphenated
}

// joinInitials writes letters that each stand before a stop, two or more
// with no space between, as one word: "S.R.O." is "SRO", "L.L.C." "LLC".
// Initials with spaces ("I. S. Petrov") are left as they are.
func joinInitials(name string) string {
	if !strings.Contains(name, ".") {
		return name
	}
	rs := []rune(name)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		if i == 0 || !unicode.IsLetter(rs[i-1]) {
			for j+1 < len(rs) && unicode.IsLetter(rs[j]) && rs[j+1] == '.' {
				j += 2
			}
		}
		if (j-i)/2 >= 2 && (j == len(rs) || !unicode.IsLetter(rs[j])) {
			for k := i; k < j; k += 2 {
				b.WriteRune(rs[k])
			}
			i = j
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// abbreviations spells out the abbreviations of company names that
// lists write in full.
var abbreviations = map[string]string{"intl": "international", "mfg": "manufacturing"}

// latinFold spells the Latin letters that have no decomposition.
var latinFold = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th",
	'ı': "i", 'ŋ': "n", 'ħ': "h", 'ə': "a", 'ſ': "s",
}

// makeToken turns one word into a Token; ok is false for a word with
// nothing left to compare.
func makeToken(w string) (Token, bool) {
	arabic := false
	for _, r := range w {
		if isArabicScript(r) {
			arabic = true
			break
		}
	}
	if arabic {
		folded := foldArabic(w)
		if folded == "" {
			return Token{}, false
		}
		phon, alt := arabicPhoneticToken(folded)
		if phon == "" {
			return Token{}, false
		}
		return arabicToken(phon, alt), true
	}
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case isCyrillic(r):
			b.WriteString(cyrillicLatin[r])
		case latinFold[r] != "":
			b.WriteString(latinFold[r])
		case r == zwnj:
		default:
			// Scripts without a table here (Chinese, Greek, ...) are
			// compared as written.
			b.WriteRune(r)
		}
	}
	lat := b.String()
	if lat == "" {
		return Token{}, false
	}
	if full, ok := abbreviations[lat]; ok {
		lat = full
	}
	return latinToken(lat), true
}

// stopWord reports whether a word is an honorific, an article or a
// company form: words that say nothing about who the party is.
func stopWord(t Token, raw string) bool {
	if t.Arabic {
		return arabicStopWords[foldArabic(raw)]
	}
	return honorifics[t.Latin] || particles[t.Latin] || companyWords[t.Latin]
}

// honorifics are titles and forms of address, in the spellings the lists
// and the banks of the corridor use (Cyrillic ones romanised).
var honorifics = setOf(
	"mr", "mrs", "ms", "miss", "mister", "madam", "dr", "doctor", "prof", "professor", "sir",
	"sheikh", "shaikh", "sheik", "shaykh", "haji", "hajji", "hadji", "haj", "hajj", "hajj",
	"seyed", "seyyed", "sayyid", "sayed", "syed", "sayid", "seyyid", "mullah", "mulla", "mawlawi",
	"ayatollah", "hojatoleslam", "hojjatoleslam", "engineer", "eng",
	"general", "gen", "colonel", "col", "major", "maj", "brigadier", "captain", "capt",
	"admiral", "lieutenant", "lt", "sgt", "sardar",
	"maulana", "mawlana", "maulvi", "qari", "mohtaram",
	"gospodin", "gospozha", "gzha",
	"jr", "sr", "ii", "iii", "iv",
)

// particles are the Arabic article in its romanisations; "bin", "ibn",
// "abu" are kept: they are part of the name, and rare enough words weigh
// little (see Index).
var particles = setOf("al", "el", "ul", "ol", "ad", "ed", "as", "ash", "at", "az", "ar", "an", "ud", "ur", "us")

// companyWords are legal forms and the filler of company names, in
// English, Russian (romanised) and Persian (romanised).
var companyWords = setOf(
	"ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co",
	"company", "plc", "jsc", "pjsc", "ojsc", "cjsc", "ooo", "oao", "zao", "pao", "ao",
	"gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "fze", "fzco", "fzc", "fzllc",
	"pte", "pvt", "private", "public", "joint", "stock", "liability", "the", "and", "of",
	"obshchestvo", "ogranichennoy", "ogranichennoi", "otvetstvennostyu", "aktsionernoe",
	"publichnoe", "zakrytoe", "otkrytoe",
	"sherkat", "sahami", "khas", "khass", "aam", "sro", "ip",
)

// foldArabic writes an Arabic-script word in one form: recomposed,
// without vowel marks, with the letters Arabic and Persian write
// differently folded (arabicFold).
func foldArabic(w string) string {
	w = strings.Map(func(r rune) rune {
		if arabicDropped(r) {
			return -1
		}
		return arabicFold(r)
	}, norm.NFC.String(w))
	return strings.Trim(w, string(zwnj))
}

// arabicStopWords are the Persian and Arabic honorifics and company forms,
// folded.
var arabicStopWords = foldedSetOf(
	"آقای", "آقا", "خانم", "دکتر", "سید", "سیده", "حاج", "حاجی", "مهندس", "شیخ", "سردار",
	"سرلشکر", "سرتیپ", "شرکت", "سهامی", "خاص", "عام", "با", "مسئولیت", "مسئوليت", "محدود",
	"آیت‌الله", "حجت‌الاسلام", "سيد", "شركة", "الشركة", "ملا", "مولوی", "مولانا", "قاری", "جناب",
)

func foldedSetOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[foldArabic(w)] = true
	}
	return m
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
