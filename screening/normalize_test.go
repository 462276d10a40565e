package screening_test

import (
	"slices"
	"strings"
	"testing"

	"astara/screening"
)

// TestNormalize holds each rule of Normalize: what words a name is
// compared on.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		rule, name string
		want       []string // the tokens' Latin forms
	}{
		{"CaseFolded", "MOHAMMAD Reza naqdi", []string{"mohammad", "reza", "naqdi"}},
		{"DiacriticsDropped", "Ṣāliḥ Ødegård José Müller", []string{"salih", "odegard", "jose", "muller"}},
		{"LettersWithoutDecompositionSpelled", "Straße Łukasz Æsir", []string{"strasse", "lukasz", "aesir"}},
		{"CompatibilityFormsPlain", "Ｍｏｈａｍｍａｄ ﬁrouz", []string{"mohammad", "firouz"}},
		{"PunctuationSeparates", "Ali (Hassan)/Smith; Jones.", []string{"ali", "hassan", "smith", "jones"}},
		{"HyphenSeparates", "ABBASI-DAVANI", []string{"abbasi", "davani"}},
		{"ApostrophesVanish", "Sa'id O’Brien Ja`far", []string{"said", "obrien", "jafar"}},
		{"LastCommaFirstReordered", "SOLEIMANI, Qasem", []string{"qasem", "soleimani"}},
		{"LastCommaFirstReorderedWithSuffix", "MORENO JR., Daniel Gonzalo", []string{"daniel", "gonzalo", "moreno"}},
		{"TwoCommasACompanyKeptInOrder", "AIRCRAFT, AVIONICS, PARTS & SUPPORT LTD.", []string{"aircraft", "avionics", "parts", "support"}},
		{"CommaBeforeCompanyFormKeptInOrder", "ACME, LTD", []string{"acme"}},
		{"HonorificsDropped", "Dr. Sheikh Haji Seyed Mohammad Eslami", []string{"mohammad", "eslami"}},
		{"MilitaryRanksDropped", "Sardar Brigadier General Qasem Soleimani", []string{"qasem", "soleimani"}},
		{"MullahDropped", "Mullah Mohammad Hassan Akhund", []string{"mohammad", "hassan", "akhund"}},
		{"PersianHonorificsDropped", "آقای دکتر سید محمد", []string{"mhmd"}},
		{"RussianHonorificDropped", "Господин Петров", []string{"petrov"}},
		{"GenerationalSuffixDropped", "Ruben Lavilla Jr III", []string{"ruben", "lavilla"}},
		{"CompanyFormsDropped", "Northwind Shipping Co. Ltd.", []string{"northwind", "shipping"}},
		{"RussianCompanyFormDropped", "ООО «Нортвинд Шиппинг»", []string{"nortvind", "shipping"}},
		{"RussianSoleTraderDropped", "ИП Иванов", []string{"ivanov"}},
		{"PersianCompanyFormsDropped", "شرکت سهامی خاص پارس", []string{"pars"}},
		{"JointStockCompanyDropped", "Russian Helicopters Public Joint Stock Company", []string{"russian", "helicopters"}},
		{"DottedInitialsOneWord", "SUEX OTC, S.R.O.", []string{"suex", "otc"}},
		{"SpacedInitialsKept", "I. S. Petrov", []string{"i", "s", "petrov"}},
		{"AbbreviationSpelledOut", "TNK Trading Intl", []string{"tnk", "trading", "international"}},
		{"NothingElseLeftKeepsStopWords", "Haji LLC", []string{"haji", "llc"}},
		{"ArabicArticleDropped", "Izzat Ibrahim al-Duri", []string{"izzat", "ibrahim", "duri"}},
		{"ArabicArticleVariantsDropped", "El Motassadeq ud-Din ash-Shami", []string{"motassadeq", "din", "shami"}},
		{"ArabicArticleInCyrillicDropped", "Саддам Хусейн ат-Тикрити", []string{"saddam", "khuseyn", "tikriti"}},
		{"ArabicArticleInArabicScriptDropped", "عزت الدوری", []string{"'zt", "dury"}},
		{"ArabicArticleOfPersianNameKept", "الهام", []string{"alham"}},
		{"AbdJoinsTheNextWord", "Abdul Aziz Tariq", []string{"abdulaziz", "tariq"}},
		{"AbdWithArticleJoinsTheNextWord", "Abd al-Rahman Yasin", []string{"abdalrahman", "yasin"}},
		{"AbdInArabicScriptJoinsTheNextWord", "عبد العزیز", []string{"'bdl'ziz"}},
		{"ZeroWidthNonJoinerKeepsOneWord", "محسن فخری‌زاده", []string{"mhsn", "fhrizad"}},
		{"RepeatedWordKeptOnce", "BANK SEPAH AND BANK SEPAH INTERNATIONAL", []string{"bank", "sepah", "international"}},
		{"CyrillicRomanised", "Хорошев Дмитрий Юрьевич", []string{"khoroshev", "dmitriy", "yurevich"}},
		{"NothingToCompare", "-- ,,, ‌", nil},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := latin(screening.Normalize(tc.name)); !slices.Equal(got, tc.want) {
				t.Errorf("Normalize(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// TestNormalizeWordsMax holds NameTokensMax: a name is compared on its
// first NameTokensMax words.
func TestNormalizeWordsMax(t *testing.T) {
	words := make([]string, screening.NameTokensMax+1)
	for i := range words {
		words[i] = "word" + strings.Repeat("x", i)
	}
	got := screening.Normalize(strings.Join(words, " "))
	if len(got) != screening.NameTokensMax {
		t.Fatalf("got %d tokens of %d words, want %d", len(got), len(words), screening.NameTokensMax)
	}
	if last := got[len(got)-1].Latin; last != words[screening.NameTokensMax-1] {
		t.Errorf("got the last token %q, want %q", last, words[screening.NameTokensMax-1])
	}
}
