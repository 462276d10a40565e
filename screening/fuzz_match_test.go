package screening_test

import (
	"reflect"
	"slices"
	"testing"

	"astara/screening"
)

// matchSeeds are names of every kind the matcher meets, to start the
// fuzzers from.
var matchSeeds = []string{
	"NAQDI, Mohammad Reza", "Мохаммад Реза Накди", "محمدرضا نقدی", "سردار حاج قاسم سلیمانی", "خامنه‌ای",
	"AIRCRAFT, AVIONICS, PARTS & SUPPORT LTD.", "ООО «Нортвинд Шиппинг»", "SUEX OTC, S.R.O.", "Abd al-Rahman",
	"Ṣāliḥ Ødegård", "I. S. Petrov", "Islam Seit-Umarovich Atabiev", "ذوالقدر", "مُحَمَّد", "Ｍｏｈａｍｍａｄ",
	"", "   ", "a", "\u200c\u200c", "al-", "Abdul", "ال", "ع", "0000 ع", "-'-", "١٢٣", "李伟", "𝔐𝔬𝔥𝔞𝔪𝔪𝔞𝔡",
}

// FuzzNormalize holds that Normalize never panics, keeps to
// NameTokensMax, gives each token its forms (a skeleton without vowels),
// and gives one name the same tokens every time.
func FuzzNormalize(f *testing.F) {
	for _, s := range matchSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		toks := screening.Normalize(name)
		if len(toks) > screening.NameTokensMax {
			t.Fatalf("Normalize(%q) = %d tokens, more than NameTokensMax", name, len(toks))
		}
		for _, tok := range toks {
			if tok.Latin == "" || tok.Phonetic == "" {
				t.Fatalf("Normalize(%q) gave the token %+v, with an empty form", name, tok)
			}
			if i := slices.IndexFunc([]byte(tok.Skeleton), func(c byte) bool { return c == 'A' || c == 'U' || c == 'I' || c == 'Y' || c == 'E' }); i >= 0 {
				t.Fatalf("Normalize(%q) gave the skeleton %q, with a vowel", name, tok.Skeleton)
			}
		}
		if again := screening.Normalize(name); !reflect.DeepEqual(again, toks) {
			t.Fatalf("Normalize(%q) = %+v, then %+v", name, toks, again)
		}
	})
}

// FuzzSearch holds that Search never panics, scores in [0, 1], acts by
// the thresholds, returns one hit an entry best first, answers the same
// query the same way, and that a name scores 1 against itself.
func FuzzSearch(f *testing.F) {
	for _, s := range matchSeeds {
		f.Add(s, "IR", "1961-02-11", false)
	}
	f.Add("QASEM SOLEIMANI", "", "1957", true)
	f.Add("Ivan Petrov", "RU", "", false)
	ix := MustSampleIndex(f)
	f.Fuzz(func(t *testing.T, name, country, dob string, entity bool) {
		q := screening.Query{Name: name, Country: country, DateOfBirth: dob}
		if entity {
			q.Type = screening.Entity
		}
		hits := ix.Search(q)
		entries := map[[2]string]bool{}
		for i, h := range hits {
			if h.Score < 0 || h.Score > 1 {
				t.Fatalf("Search(%+v) scored %+v out of [0, 1]", q, h)
			}
			if want := screening.DefaultThresholds.Action(h.Score); h.Action != want || want == screening.ActionPass {
				t.Fatalf("Search(%+v) gave %+v, want the action %q and no pass", q, h, want)
			}
			k := [2]string{h.List, h.EntryID}
			if entries[k] {
				t.Fatalf("Search(%+v) hit %v twice", q, k)
			}
			entries[k] = true
			if i > 0 && hits[i-1].Score < h.Score {
				t.Fatalf("Search(%+v) gave %.4f before %.4f", q, hits[i-1].Score, h.Score)
			}
		}
		if again := ix.Search(q); !reflect.DeepEqual(again, hits) {
			t.Fatalf("Search(%+v) = %+v, then %+v", q, hits, again)
		}
		if len(screening.Normalize(name)) > 0 {
			if got := ix.ScorePair(name, name); got != 1 {
				t.Fatalf("ScorePair(%q, itself) = %.4f, want 1", name, got)
			}
		}
	})
}
