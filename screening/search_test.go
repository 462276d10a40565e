package screening_test

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"astara/screening"
)

// corridorList is a small list of the corridor's names: the parties the
// tests look for, and others sharing their words, so that the words
// weigh as in a real list (Mohammad little, Naqdi much).
func corridorList() *screening.List {
	naqdi := person("IR-1", "NAQDI, Mohammad Reza")
	naqdi.DatesOfBirth = []string{"1961-02-11"}
	naqdi.Countries = []string{"IR"}
	return list("corridor",
		naqdi,
		person("RU-1", "Анна Кузнецова"),
		person("AF-1", "محمد حسن آخوند"),
		person("RU-2", "KHOROSHEV, Dmitry Yuryevich"),
		person("IR-2", "Mohammad Ahmadi"), person("IR-3", "Mohammad Hosseini"), person("IR-4", "Ali Rezaei"),
		person("IR-5", "Reza Karimi"), person("IR-6", "Mohammad Reza Zahedi"), person("IR-7", "Hassan Rouhani"),
		person("RU-3", "Ivan Ivanov"), person("RU-4", "Anna Smirnova"), person("RU-5", "Dmitry Popov"),
		person("AF-2", "Hassan Akhundzadeh"), person("AF-3", "Mohammad Omar"),
		company("IR-9", "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY", "HESA TRADE CENTER"),
	)
}

func MustCorridorIndex(tb testing.TB) *screening.Index {
	tb.Helper()
	return screening.NewIndex([]*screening.List{corridorList()}, nil)
}

// TestSearchAcrossScripts holds that a name in one script finds its
// listed form in another, at the review threshold or above, and that the
// hit records the listed spelling.
func TestSearchAcrossScripts(t *testing.T) {
	ix := MustCorridorIndex(t)
	for _, tc := range []struct {
		rule, query, id, matched string
	}{
		{"LatinFindsLatin", "Mohammadreza Naghdi", "IR-1", "NAQDI, Mohammad Reza"},
		{"CyrillicFindsLatin", "Мохаммад Реза Накди", "IR-1", "NAQDI, Mohammad Reza"},
		{"PersianFindsLatin", "محمدرضا نقدی", "IR-1", "NAQDI, Mohammad Reza"},
		{"LatinFindsCyrillic", "Anna Kuznetsova", "RU-1", "Анна Кузнецова"},
		{"PersianFindsCyrillic", "آنا کوزنتسوا", "RU-1", "Анна Кузнецова"},
		{"LatinFindsPersian", "Mohammad Hassan Akhund", "AF-1", "محمد حسن آخوند"},
		{"CyrillicFindsPersian", "Мохаммад Хасан Ахунд", "AF-1", "محمد حسن آخوند"},
		{"CyrillicFindsLatinRussian", "Хорошев Дмитрий Юрьевич", "RU-2", "KHOROSHEV, Dmitry Yuryevich"},
		{"PersianFindsLatinRussian", "دیمیتری خوروشف", "RU-2", "KHOROSHEV, Dmitry Yuryevich"},
		{"CompanyFormsAside", "Iran Aircraft Manufacturing Industrial Co. Ltd", "IR-9", "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			hits := ix.Search(screening.Query{Name: tc.query})
			h, ok := hitOn(hits, "corridor", tc.id)
			if !ok {
				t.Fatalf("Search(%q) = %v, want a hit on %s", tc.query, hits, tc.id)
			}
			if h.Score < screening.DefaultThresholds.Review || h.Matched != tc.matched {
				t.Errorf("Search(%q) hit %s at %.4f on %q, want at least %.2f on %q", tc.query, tc.id, h.Score, h.Matched,
					screening.DefaultThresholds.Review, tc.matched)
			}
		})
	}
}

// TestSearchAdjustments holds what the date of birth, the country and
// the type add to a name's score or take from it. The query drops a
// middle name, so that its score has room to rise.
func TestSearchAdjustments(t *testing.T) {
	ix := screening.NewIndex([]*screening.List{corridorList()}, map[string]screening.Thresholds{"corridor": {Review: 0.5, Block: 0.99}})
	base := screening.Query{Name: "Mohammad Naqdi"}
	baseScore := scoreOn(ix.Search(base), "corridor", "IR-1")
	if baseScore == 0 || baseScore > 0.9 {
		t.Fatalf("Search(%q) scored IR-1 %.4f, want a hit below 0.9 for the adjustments to show", base.Name, baseScore)
	}
	for _, tc := range []struct {
		rule  string
		query screening.Query
		delta float64
	}{
		{"DateOfBirthExactRaises", screening.Query{DateOfBirth: "1961-02-11"}, 0.05},
		{"DateOfBirthYearRaisesLess", screening.Query{DateOfBirth: "1961"}, 0.02},
		{"DateOfBirthMonthRaisesAsTheYear", screening.Query{DateOfBirth: "1961-02"}, 0.02},
		{"DateOfBirthOtherLowers", screening.Query{DateOfBirth: "1975-06-01"}, -0.15},
		{"CountrySameRaises", screening.Query{Country: "IR"}, 0.02},
		{"CountryOtherLowers", screening.Query{Country: "RU"}, -0.05},
		{"TypeOtherLowers", screening.Query{Type: screening.Entity}, -0.10},
		{"TypeSameLeaves", screening.Query{Type: screening.Individual}, 0},
		{"AllAgreeingRaise", screening.Query{DateOfBirth: "1961-02-11", Country: "IR", Type: screening.Individual}, 0.07},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			q := tc.query
			q.Name = base.Name
			got := scoreOn(ix.Search(q), "corridor", "IR-1")
			if math.Abs(got-(baseScore+tc.delta)) > 1e-4 {
				t.Errorf("Search(%+v) scored IR-1 %.4f, want %.4f%+.2f", q, got, baseScore, tc.delta)
			}
		})
	}
	t.Run("DateOfBirthOfAnEntityIgnored", func(t *testing.T) {
		e := company("C-1", "Northwind Shipping Ltd")
		e.DatesOfBirth = []string{"1998"}
		ix := screening.NewIndex([]*screening.List{list("L", e)}, nil)
		with := scoreOn(ix.Search(screening.Query{Name: "Northwind Shipping", DateOfBirth: "1970"}), "L", "C-1")
		without := scoreOn(ix.Search(screening.Query{Name: "Northwind Shipping"}), "L", "C-1")
		if with != without || with == 0 {
			t.Errorf("scored %.4f with another date of birth, want %.4f as without", with, without)
		}
	})
}

// TestSearchThresholds holds that each list's thresholds decide a hit's
// action: at or above block it blocks, from review it holds for review,
// below review it is no hit.
func TestSearchThresholds(t *testing.T) {
	entry := person("X-1", "NAQDI, Mohammad Reza")
	lists := []*screening.List{list("strict", entry), list("lenient", entry), list("default", entry), list("deaf", entry)}
	ix := screening.NewIndex(lists, map[string]screening.Thresholds{
		"strict": {Review: 0.60, Block: 0.80}, "lenient": {Review: 0.80, Block: 0.99}, "deaf": {Review: 0.90, Block: 0.99},
	})
	for _, tc := range []struct {
		rule, query, list string
		want              screening.Action
	}{
		{"FullNameBlocksAtDefault", "Mohammad Reza Naqdi", "default", screening.ActionBlock},
		{"DroppedNameReviewsAtDefault", "Mohammad Naqdi", "default", screening.ActionReview},
		{"DroppedNameBlocksOnAStrictList", "Mohammad Naqdi", "strict", screening.ActionBlock},
		{"DroppedNameReviewsOnALenientList", "Mohammad Naqdi", "lenient", screening.ActionReview},
		{"BelowReviewNoHit", "Mohammad Naqdi", "deaf", screening.ActionPass},
		{"FullNameBlocksOnALenientList", "Mohammad Reza Naqdi", "lenient", screening.ActionBlock},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			hits := ix.Search(screening.Query{Name: tc.query})
			h, ok := hitOn(hits, tc.list, "X-1")
			if got := h.Action; got != tc.want || ok != (tc.want != screening.ActionPass) {
				t.Errorf("Search(%q) on %s: got %q at %.4f (hit %v), want %q", tc.query, tc.list, got, h.Score, ok, tc.want)
			}
		})
	}
}

// TestSearchOneHitPerEntry holds that an entry matched by several of its
// names is one hit, on the name that scored best.
func TestSearchOneHitPerEntry(t *testing.T) {
	ix := screening.NewIndex([]*screening.List{list("L",
		person("Q-1", "QASEM SOLEIMANI", "Qasim Soleimani", "Qasem Sulaimani", "Kasim Soleimani", "قاسم سلیمانی"),
		person("Q-2", "Hassan Rouhani"),
	)}, nil)
	hits := ix.Search(screening.Query{Name: "Kasim Soleimani"})
	var on []screening.Hit
	for _, h := range hits {
		if h.EntryID == "Q-1" {
			on = append(on, h)
		}
	}
	want := screening.Hit{List: "L", EntryID: "Q-1", EntryName: "QASEM SOLEIMANI", Matched: "Kasim Soleimani", Alias: true,
		Score: 1, Action: screening.ActionBlock}
	if len(on) != 1 || on[0] != want {
		t.Errorf("Search(%q) = %+v, want the one hit %+v", "Kasim Soleimani", on, want)
	}
}

// TestSearchBestFirst holds the order of hits: best first, ties by list
// and entry id.
func TestSearchBestFirst(t *testing.T) {
	ix := screening.NewIndex([]*screening.List{
		list("B", person("2", "Mohammad Reza Naqdi"), person("1", "Mohammad Naqdi Rahimi")),
		list("A", person("9", "Mohammad Reza Naqdi"), person("3", "Reza Naqdi")),
	}, map[string]screening.Thresholds{"A": {Review: 0.5, Block: 0.95}, "B": {Review: 0.5, Block: 0.95}})
	hits := ix.Search(screening.Query{Name: "Mohammad Reza Naqdi"})
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s/%s", h.List, h.EntryID))
	}
	want := []string{"A/9", "B/2"}
	if len(got) < 4 || !slices.Equal(got[:2], want) {
		t.Fatalf("Search = %v, want %v first, then the two partial matches", got, want)
	}
	if !slices.IsSortedFunc(hits, func(a, b screening.Hit) int { return -cmpFloat(a.Score, b.Score) }) {
		t.Errorf("got scores out of order: %+v", hits)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSearchNearMisses holds that names sharing a first name, a surname or
// most of their letters with a listed party, but naming someone else, do
// not reach the review threshold against it. They run against the list
// samples, where words weigh as in a published list.
func TestSearchNearMisses(t *testing.T) {
	ix := MustSampleIndex(t)
	for _, tc := range []struct {
		rule, query, list, id string
	}{
		{"AnotherMohammad", "Mohammad Salehi", "UN", "IRi.014"},            // MOHAMMAD ESLAMI
		{"MahmoudIsNotMohammad", "Mahmoud Eslami", "UN", "IRi.014"},        // MOHAMMAD ESLAMI
		{"MahmoudIsNotMohammadInPersian", "محمود اسلامی", "UN", "IRi.014"}, // MOHAMMAD ESLAMI
		{"AnotherHosseini", "Ali Hosseini", "UN", "IRi.019"},               // SEYYED HUSSEIN HOSSEINI
		{"HassanIsNotHossein", "سید حسن حسینی", "UN", "IRi.019"},           // SEYYED HUSSEIN HOSSEINI
		{"HosseinzadehIsNotHosseini", "Hossein Hosseinzadeh", "UN", "IRi.019"},
		{"HassanIsNotHosein", "Hassan Salimi", "UN", "IRi.038"},            // HOSEIN SALIMI
		{"AnotherJafar", "Jafar Ahmadi", "UN", "IRi.024"},                  // JAFAR MOHAMMADI
		{"AhmadianIsNotAhmadi", "Mohammad Ahmadian", "UN", "TAi.031"},      // MOHAMMAD AHMADI
		{"NamesSwappedAreAnotherName", "Ahmad Mohammadi", "UN", "TAi.031"}, // MOHAMMAD AHMADI
		{"KarimiIsNotRahimi", "Amir Karimi", "UN", "IRi.030"},              // AMIR RAHIMI
		{"RazaviIsNotRezaie", "Morteza Razavi", "UN", "IRi.033"},           // MORTEZA REZAIE
		{"AnotherPetrov", "Пётр Петров", "internal", "INT-0001"},           // PETROV, Ivan Sergeyevich
		{"AnotherIvan", "Ivan Sidorov", "internal", "INT-0001"},
		{"AnotherKhoroshev", "Алексей Хорошев", "OFAC-SDN", "48603"}, // KHOROSHEV, Dmitry Yuryevich
		{"SamePatronymicOtherSurname", "Dmitry Yuryevich Kozlov", "OFAC-SDN", "48603"},
		{"AbdulAzizIsNotAziz", "Abdul Aziz Tariq", "UN", "IQi.025"},                 // TARIQ AZIZ
		{"AnotherAirline", "Iran Air", "UN", "IRe.077"},                             // YAS AIR
		{"AnotherShippingCompany", "Northern Shipping Ltd", "internal", "INT-0002"}, // Northwind Shipping Ltd
		{"AnotherBank", "بانک ملت", "UN", "IRe.007"},                                // BANK SEPAH AND BANK SEPAH INTERNATIONAL
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if h, ok := hitOn(ix.Search(screening.Query{Name: tc.query}), tc.list, tc.id); ok {
				t.Errorf("Search(%q) hit %s %s (%q) at %.4f, want no hit", tc.query, tc.list, tc.id, h.Matched, h.Score)
			}
		})
	}
}

// TestSearchWeakAlias holds that a weak alias (a nickname, a nom de
// guerre) matched exactly holds a payment for review but does not block
// it.
func TestSearchWeakAlias(t *testing.T) {
	e := person("W-1", "SADDAM HUSSEIN AL-TIKRITI")
	e.Names = append(e.Names, screening.Name{Text: "Abu Ali", Alias: true, Quality: "weak"})
	ix := screening.NewIndex([]*screening.List{list("L", e)}, nil)
	h, ok := hitOn(ix.Search(screening.Query{Name: "Abu Ali"}), "L", "W-1")
	if !ok || h.Action != screening.ActionReview || h.Matched != "Abu Ali" {
		t.Errorf("Search(%q) = %+v (hit %v), want a review on the weak alias", "Abu Ali", h, ok)
	}
	h, _ = hitOn(ix.Search(screening.Query{Name: "Saddam Hussein al-Tikriti"}), "L", "W-1")
	if h.Action != screening.ActionBlock {
		t.Errorf("Search(the primary name) = %+v, want a block", h)
	}
}

// TestSearchNothingToMatch holds that a name with no word to compare, or
// an empty index, has no hit.
func TestSearchNothingToMatch(t *testing.T) {
	ix := MustCorridorIndex(t)
	for _, name := range []string{"", "   ", "-- ,,, ..", "\u200c"} {
		if got := ix.Search(screening.Query{Name: name}); got != nil {
			t.Errorf("Search(%q) = %v, want nil", name, got)
		}
	}
	if got := screening.NewIndex(nil, nil).Search(screening.Query{Name: "Mohammad Reza Naqdi"}); got != nil {
		t.Errorf("Search on an empty index = %v, want nil", got)
	}
}

// TestSearchConcurrent holds that an Index answers concurrent searches as
// it answers them one by one (run with -race, it also holds that they do
// not race).
func TestSearchConcurrent(t *testing.T) {
	ix := MustSampleIndex(t)
	var queries []screening.Query
	for _, p := range MustPairs(t)[:120] {
		queries = append(queries, screening.Query{Name: p.Query})
	}
	want := make([][]screening.Hit, len(queries))
	for i, q := range queries {
		want[i] = ix.Search(q)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(queries))
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queries {
				i = (i + w*31) % len(queries)
				if got := ix.Search(queries[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("Search(%q) = %v concurrently, want %v", queries[i].Name, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
