package screening_test

import (
	"testing"

	"astara/screening"
)

// token returns the one token of a word.
func token(t *testing.T, word string) screening.Token {
	t.Helper()
	toks := screening.Normalize(word)
	if len(toks) != 1 {
		t.Fatalf("Normalize(%q) = %d tokens, want 1", word, len(toks))
	}
	return toks[0]
}

// TestCyrillic holds the romanisation of Cyrillic, letter by letter and
// digraph by digraph, close to BGN/PCGN.
func TestCyrillic(t *testing.T) {
	for _, tc := range []struct {
		rule, word, want string
	}{
		{"LettersOneForOne", "Бабаев", "babaev"},
		{"UpperCase", "ХОРОШЕВ", "khoroshev"},
		{"KhaIsKh", "Хаменеи", "khamenei"},
		{"ZheIsZh", "Жуков", "zhukov"},
		{"TseIsTs", "Цой", "tsoy"},
		{"CheIsCh", "Чатаев", "chataev"},
		{"ShaIsSh", "Шамиль", "shamil"},
		{"ShchaIsShch", "Щербаков", "shcherbakov"},
		{"ShortIIsY", "Айрат", "ayrat"},
		{"YoIsE", "Артём", "artem"},
		{"YuIsYu", "Юрий", "yuriy"},
		{"YaIsYa", "Яков", "yakov"},
		{"YeryIsY", "Быков", "bykov"},
		{"EIsE", "Эдуард", "eduard"},
		{"HardSignDropped", "Объедков", "obedkov"},
		{"SoftSignDropped", "Ильич", "ilich"},
		{"UkrainianLetters", "Їжаченко", "yizhachenko"},
		{"UkrainianYe", "Євген", "yevgen"},
		{"UkrainianGhe", "Ґонта", "gonta"},
		{"KazakhLetters", "Қасым", "qasym"},
		{"KazakhGhayn", "Ғани", "ghani"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := token(t, tc.word).Latin; got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

// TestLatinPhonetic holds the comparison alphabet's rules for Latin
// words: the spellings of one sound that the romanisations of the
// corridor use meet in one form.
func TestLatinPhonetic(t *testing.T) {
	for _, tc := range []struct {
		rule      string
		spellings []string
		want      string
	}{
		{"KhAndHAreH", []string{"Khamenei", "Hamenei"}, "hAmAnAI"},
		{"QGhGKAreK", []string{"Qasem", "Ghasem", "Gasem", "Kasem"}, "kAsAm"},
		{"ShAndSchAreS", []string{"Shahid", "Schahid"}, "SAhId"},
		{"ShchIsS", []string{"Shcherbakov", "Sherbakov"}, "SArbAkUf"},
		{"ZhJDjDzhAreJ", []string{"Javad", "Djavad", "Dzhavad", "Zhavad"}, "JAvAd"},
		{"ChAndTchAreC", []string{"Chelsea", "Tchelsea"}, "CAlsA"},
		{"PhIsF", []string{"Farhad", "Pharhad"}, "fArhAd"},
		{"ThIsT", []string{"Tahmasb", "Thahmasb"}, "tAhmAsb"},
		{"DhIsD", []string{"Qadhafi", "Qadafi", "Gaddafi"}, "kAdAfI"},
		{"XIsKs", []string{"Alexey", "Aleksey"}, "AlAksAI"},
		{"CBeforeEIsS", []string{"Defence", "Defense"}, "dAfAnsA"},
		{"WIsV", []string{"Jawad", "Javad"}, "JAvAd"},
		{"WAndVBeforeAConsonantAreU", []string{"Awlaki", "Aulaqi", "Avlaki"}, "AUlAkI"},
		{"FinalVIsF", []string{"Petrov", "Petroff"}, "pAtrUf"},
		{"EeIsI", []string{"Saleemi", "Salimi"}, "sAlImI"},
		{"FinalIeIsI", []string{"Rezaie", "Rezai", "Rezaee"}, "rAzAI"},
		{"AeIsAI", []string{"Esmaeli", "Esmaili"}, "AsmAIlI"},
		{"YoAfterAConsonantIsE", []string{"Artyom", "Artem"}, "ArtAm"},
		{"FinalHAfterAVowelDropped", []string{"Fatemeh", "Fateme"}, "fAtAmA"},
		{"DoubledLettersOnce", []string{"Mohammad", "Mohamad", "Muhammad", "Mohammed"}, "mUhAmAd"},
		{"VowelClasses", []string{"Morteza", "Murtaza", "Mortaza"}, "mUrtAzA"},
		{"DiphthongsMeet", []string{"Hossein", "Husain", "Hussein", "Husayn", "Hosein"}, "hUsAIn"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			for _, s := range tc.spellings {
				if got := token(t, s).Phonetic; got != tc.want {
					t.Errorf("Normalize(%q).Phonetic = %q, want %q", s, got, tc.want)
				}
			}
		})
	}
}

// TestWrittenVowels holds Token.Written: the vowels every script writes.
// A Latin word keeps its long vowels and diphthongs and a final vowel; an
// Arabic-script word all the vowels it writes.
func TestWrittenVowels(t *testing.T) {
	for _, tc := range []struct {
		rule, word, want string
	}{
		{"ShortVowelsUnwritten", "Mohammad", "mhmd"},
		{"OuWritten", "Mahmoud", "mhmUd"},
		{"SingleUUnwritten", "Mahmud", "mhmd"},
		{"EiWritten", "Hossein", "hsIn"},
		{"AiWritten", "Husain", "hsIn"},
		{"EeWritten", "Saeed", "sId"},
		{"FinalIWritten", "Ali", "lI"},
		{"FinalUWritten", "Doku", "dkU"},
		{"AuWritten", "Aulaqi", "UlkI"},
		{"ArabicScriptVowelsWritten", "محمود", "mhmUd"},
		{"ArabicScriptWithoutVowels", "محمد", "mhmd"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := token(t, tc.word).Written; got != tc.want {
				t.Errorf("Normalize(%q).Written = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

// TestArabicScript holds the mapping of Persian and Arabic script to the
// comparison alphabet: consonants by sound, the long vowels it writes,
// the letters the two languages write differently folded to one.
func TestArabicScript(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		words []string
		want  string // Phonetic
	}{
		{"Consonants", []string{"بهزاد"}, "bhzAd"},
		{"PersianLetters", []string{"پرویز"}, "prvIz"},
		{"PersianLettersChAndG", []string{"چنگیز"}, "CnkIz"},
		{"PersianZhe", []string{"ژاله"}, "JAl"},
		{"LettersOfOneSoundS", []string{"ثابت", "سابت", "صابت"}, "sAbt"},
		{"LettersOfOneSoundZ", []string{"ذاکر", "زاکر", "ضاکر", "ظاکر"}, "zAkr"},
		{"LettersOfOneSoundT", []string{"طاهر", "تاهر"}, "tAhr"},
		{"LettersOfOneSoundH", []string{"حسن", "هسن", "خسن"}, "hsn"},
		{"LettersOfOneSoundK", []string{"قاسم", "غاسم", "کاسم", "گاسم"}, "kAsm"},
		{"ArabicYaFolded", []string{"علي", "علی", "على"}, "ElY"},
		{"ArabicKafFolded", []string{"كريم", "کریم"}, "krIm"},
		{"TaMarbutaFolded", []string{"فاطمة", "فاطمه"}, "fAtm"},
		{"HamzaSeatsFolded", []string{"أحمد", "إحمد", "احمد", "آحمد"}, "Ahmd"},
		{"HamzaOnYaFolded", []string{"رئیس", "رییس"}, "rIs"},
		{"VowelMarksDropped", []string{"مُحَمَّد", "محمد"}, "mhmd"},
		{"TatweelDropped", []string{"محـــمد"}, "mhmd"},
		{"LoneHamzaDropped", []string{"رضاء", "رضا"}, "rzA"},
		{"AlefCarriesAnInitialI", []string{"ایران"}, "IrAn"},
		{"AlefCarriesAnInitialU", []string{"اوماروف"}, "UmArUf"},
		{"AlefBeforeAConsonantIsA", []string{"امیر"}, "AmIr"},
		{"VavAtTheStartIsV", []string{"وحید"}, "vhId"},
		{"VavBeforeAVowelIsV", []string{"جواد"}, "JvAd"},
		{"VavBetweenConsonantsIsU", []string{"نور"}, "nUr"},
		{"FinalYaIsAOrI", []string{"مرتضی"}, "mrtzY"},
		{"FinalYaYaOnce", []string{"رضایی"}, "rzAY"},
		{"AynIsE", []string{"عباس"}, "EbAs"},
		{"FinalHeDropped", []string{"زاده"}, "zAd"},
		{"MedialHeKept", []string{"مهدی"}, "mhdY"},
		{"ArticleAfterAbdElided", []string{"عبدالله"}, "Ebdl"},
		{"ArticleAfterDhuElided", []string{"ذوالقدر"}, "zUlkdr"},
		{"ArticleAfterAbuElided", []string{"ابوالفضل"}, "AbUlfzl"},
		{"ArticleAfterAMorphemeBreakElided", []string{"جلال‌الدین"}, "JlAldIn"},
		{"ZeroWidthNonJoinerEndsAMorpheme", []string{"خامنه‌ای"}, "hAmnY"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			for _, w := range tc.words {
				tok := token(t, w)
				if got := tok.Phonetic; got != tc.want {
					t.Errorf("Normalize(%q).Phonetic = %q, want %q", w, got, tc.want)
				}
				if !tok.Arabic {
					t.Errorf("Normalize(%q).Arabic = false, want true", w)
				}
			}
		})
	}
}

// TestVariantsMeet holds that the spellings of a name in the corridor's
// romanisations and scripts are one word to the matcher: each pair
// scores 1 as names of one word.
func TestVariantsMeet(t *testing.T) {
	ix := screening.NewIndex(nil, nil)
	for _, tc := range []struct {
		name      string
		spellings []string
	}{
		{"Mohammad", []string{"Mohammad", "Muhammad", "Mohammed", "Mohamad", "Мухаммед", "Мохаммад", "محمد", "مُحَمَّد"}},
		{"Qasem", []string{"Qasem", "Ghasem", "Kasem", "Qassem", "Gasem", "Qasim", "قاسم", "Касем", "Гасем"}},
		{"Khamenei", []string{"Khamenei", "Hamenei", "Хаменеи", "خامنه‌ای", "خامنه ای"}},
		{"Hossein", []string{"Hossein", "Husayn", "Hussein", "Hosein", "Husain", "Хусейн", "Хосейн", "حسین", "حسين"}},
		{"Soleimani", []string{"Soleimani", "Suleimani", "Soleymani", "Sulaimani", "Сулеймани", "Солеймани", "سلیمانی", "سليماني"}},
		{"Javad", []string{"Javad", "Djavad", "Jawad", "Джавад", "جواد"}},
		{"Dmitry", []string{"Dmitry", "Dmitriy", "Dmitri", "Дмитрий", "دیمیتری"}},
		{"Petrov", []string{"Petrov", "Petroff", "Петров", "پتروف"}},
		{"Khoroshev", []string{"Khoroshev", "Horoshev", "Хорошев", "خوروشف"}},
		{"Fakhrizadeh", []string{"Fakhrizadeh", "Fakhrizade", "Фахризаде", "فخری‌زاده"}},
		{"Morteza", []string{"Morteza", "Mortaza", "Murtaza", "Мортеза", "مرتضی"}},
		{"Rezaei", []string{"Rezaei", "Rezaee", "Rezai", "Rezaie", "Резаи", "رضایی"}},
		{"Ali", []string{"Ali", "Aly", "Али", "علی", "علي"}},
		{"Mahmoud", []string{"Mahmoud", "Mahmud", "Махмуд", "محمود"}},
		{"Zolqadr", []string{"Zolqadr", "Zolghadr", "Зольгадр", "ذوالقدر"}},
		{"Gaddafi", []string{"Gaddafi", "Qadhafi", "Kadhafi", "Каддафи", "قذافی"}},
		{"Anwar", []string{"Anwar", "Anvar", "Анвар", "انور"}},
		{"Ismail", []string{"Ismail", "Esmaeil", "Исмаил", "اسماعیل"}},
		{"OsmanInPersianReading", []string{"Osman", "Usman", "عثمان"}},
		{"OthmanInArabicReading", []string{"Othman", "Uthman", "عثمان"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, a := range tc.spellings {
				for _, b := range tc.spellings[i+1:] {
					if got := ix.ScorePair(a, b); got != 1 {
						t.Errorf("ScorePair(%q, %q) = %.4f, want 1", a, b, got)
					}
				}
			}
		})
	}
}

// TestNamesApart holds that names alike in letters but not one name are
// told apart: as names of one word they score at most a quarter, far
// below any threshold.
func TestNamesApart(t *testing.T) {
	const scoreMax = 0.25
	ix := screening.NewIndex(nil, nil)
	for _, tc := range []struct {
		rule string
		a, b string
	}{
		{"LongVowelOfLatinUnwritten", "Mahmoud", "محمد"},
		{"LongVowelOfArabicScriptUnspelled", "محمود", "Mohammad"},
		{"LongVowelOfArabicScriptMissing", "محمود", "محمد"},
		{"DiphthongOfLatinUnwritten", "Hossein", "حسن"},
		{"DiphthongOfArabicScriptUnspelled", "حسین", "Hassan"},
		{"InitialVowelUnwritten", "Eslami", "سلامی"},
		{"NisbaSuffix", "Ahmad", "Ahmadi"},
		{"NisbaSuffixInArabicScript", "احمد", "احمدی"},
		{"NisbaSuffixAcrossScripts", "Ahmad", "احمدی"},
		{"TwoSuffixesOfOneStem", "Hosseini", "Hosseinzadeh"},
		{"AviSuffix", "Reza", "Razavi"},
		{"RussianSurnameSuffix", "Petrov", "Petrovsky"},
		{"PatronymicOfAName", "Ivan", "Ivanovich"},
		{"LongerByASyllable", "Derakhshan", "Derakhshandeh"},
		{"OtherNameSharingLetters", "Rahimi", "Karimi"},
		{"OtherNameSharingSkeleton", "Mahmoud", "Mohammad"},
		{"OtherNameSharingStartAndEnd", "Hassan", "Hossein"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := ix.ScorePair(tc.a, tc.b); got > scoreMax {
				t.Errorf("ScorePair(%q, %q) = %.4f, want at most %.2f", tc.a, tc.b, got, scoreMax)
			}
		})
	}
}
