// Package screeningtest builds what the screening tests and benchmarks
// run against: the published list samples in screening/testdata/lists,
// and a synthetic list of names drawn from a seeded random source, so that
// an index of realistic size (20,000 entries and their aliases) is the
// same in every run without shipping a real list.
//
// The synthetic names are those of the corridor: Persian, Russian and
// Arabic names, each with its romanisation variants as aliases and, for
// some, its spelling in Persian, Cyrillic or Arabic script; Western and
// East Asian names; and companies. Queries are drawn from the same pools,
// in Latin, Cyrillic and Persian script.
package screeningtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"astara/screening"
)

// The list names the samples are loaded under.
const (
	ListOFAC      = "OFAC-SDN"
	ListUN        = "UN"
	ListInternal  = "internal"
	ListSynthetic = "synthetic"
)

// Samples reads the list samples from dir (screening/testdata/lists): the
// OFAC CSV set, the UN consolidated list and the internal CSV.
func Samples(dir string) ([]*screening.List, error) {
	read := func(file string) ([]byte, error) {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("read list sample: %w", err)
		}
		return data, nil
	}
	var files screening.OFACFiles
	for _, f := range []struct {
		name string
		data *[]byte
	}{{"sdn.csv", &files.SDN}, {"alt.csv", &files.Alt}, {"add.csv", &files.Add}, {"sdn_comments.csv", &files.Comments}} {
		data, err := read(f.name)
		if err != nil {
			return nil, err
		}
		*f.data = data
	}
	ofac, err := screening.ParseOFAC(ListOFAC, files)
	if err != nil {
		return nil, err
	}
	lists := []*screening.List{ofac}
	for _, f := range []struct{ file, format, name string }{
		{"UN_consolidated.xml", screening.FormatUN, ListUN},
		{"internal.csv", screening.FormatCSV, ListInternal},
	} {
		data, err := read(f.file)
		if err != nil {
			return nil, err
		}
		l, err := screening.Parse(f.format, f.name, data)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	return lists, nil
}

// Corpus is the samples of dir and a synthetic list that brings them to
// entries entries in all, drawn from seed.
func Corpus(dir string, entries int, seed uint64) ([]*screening.List, error) {
	lists, err := Samples(dir)
	if err != nil {
		return nil, err
	}
	have := 0
	taken := map[string]bool{}
	for _, l := range lists {
		have += len(l.Entries)
		for _, e := range l.Entries {
			for _, n := range e.Names {
				taken[n.Text] = true
			}
		}
	}
	return append(lists, Synthetic(ListSynthetic, max(0, entries-have), seed, taken)), nil
}

// Synthetic is a list of n entries drawn from seed. No name of it is in
// taken, so that a name of another list still names one entry.
func Synthetic(name string, n int, seed uint64, taken map[string]bool) *screening.List {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x5c2ee7)), taken: taken}
	l := &screening.List{Name: name, Format: screening.FormatCSV}
	for i := 0; len(l.Entries) < n; i++ {
		var e screening.Entry
		if g.r.IntN(10) < 7 {
			e = g.individual()
		} else {
			e = g.company()
		}
		e.ID = fmt.Sprintf("SYN-%05d", i+1)
		if len(e.Names) == 0 {
			continue
		}
		l.Entries = append(l.Entries, e)
	}
	return l
}

// Queries are n names to screen in a script (screening.ScriptLatin,
// ScriptCyrillic or ScriptArabic), drawn from seed out of the pools the
// synthetic list is drawn from: some name listed parties, most do not.
func Queries(script string, n int, seed uint64) []screening.Query {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x9e7))}
	out := make([]screening.Query, 0, n)
	for len(out) < n {
		var c *culture
		switch script {
		case screening.ScriptCyrillic:
			c = &russian
		case screening.ScriptArabic:
			c = pick(g.r, []*culture{&persian, &persian, &arab})
		default:
			c = pick(g.r, []*culture{&persian, &russian, &arab, &western, &eastAsian})
		}
		given, surname := pick(g.r, c.given), pick(g.r, c.surnames)
		q := screening.Query{}
		switch {
		case script == screening.ScriptLatin:
			q.Name = pick(g.r, given.latin) + " " + pick(g.r, surname.latin)
		case given.native != "" && surname.native != "":
			q.Name = given.native + " " + surname.native
		default:
			continue
		}
		if g.r.IntN(3) == 0 {
			q.Country = c.country
		}
		out = append(out, q)
	}
	return out
}

type generator struct {
	r     *rand.Rand
	taken map[string]bool
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// add appends a name to an entry unless it is taken or already there.
func (g *generator) add(e *screening.Entry, text string, alias bool, quality string) {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" || g.taken[text] {
		return
	}
	for _, n := range e.Names {
		if strings.EqualFold(n.Text, text) {
			return
		}
	}
	if !alias && len(e.Names) > 0 {
		alias = true
	}
	e.Names = append(e.Names, screening.Name{Text: text, Alias: alias, Quality: quality})
}

func (g *generator) individual() screening.Entry {
	c := pick(g.r, []*culture{&persian, &persian, &persian, &persian, &russian, &russian, &russian,
		&arab, &arab, &arab, &western, &eastAsian})
	e := screening.Entry{Type: screening.Individual, Countries: []string{c.country}}
	if g.r.IntN(10) < 3 {
		e.Countries = append(e.Countries, pick(g.r, []string{"AE", "TR", "SY", "LB", "CY", "IQ", "AF", "CN", "VE"}))
	}
	year := 1940 + g.r.IntN(60)
	if g.r.IntN(10) < 6 {
		e.DatesOfBirth = []string{fmt.Sprintf("%d-%02d-%02d", year, 1+g.r.IntN(12), 1+g.r.IntN(28))}
	} else {
		e.DatesOfBirth = []string{fmt.Sprint(year)}
	}
	given := []poolName{pick(g.r, c.given)}
	if c != &russian && g.r.IntN(5) == 0 {
		given = append(given, pick(g.r, c.given))
	}
	surname := pick(g.r, c.surnames)
	var father poolName
	if c == &russian || c == &arab {
		father = pick(g.r, c.given)
		for isFemale(father) {
			father = pick(g.r, c.given)
		}
	}
	female := isFemale(given[0])
	spell := func(variant func([]string) string, native bool) string {
		var parts []string
		for _, n := range given {
			parts = append(parts, part(n, variant, native))
		}
		if c == &russian {
			parts = append(parts, patronymic(father, female, variant, native))
		} else if c == &arab {
			parts = append(parts, part(father, variant, native))
		}
		s := part(surname, variant, native)
		if c == &russian && female {
			s = feminine(s, native)
		}
		if native && c == &russian {
			return s + " " + strings.Join(parts, " ")
		}
		return strings.Join(append(parts, s), " ")
	}
	first := func(v []string) string { return v[0] }
	primary := spell(first, false)
	if g.r.IntN(2) == 0 {
		if i := strings.LastIndexByte(primary, ' '); i > 0 {
			primary = strings.ToUpper(primary[i+1:]) + ", " + primary[:i]
		}
	} else {
		primary = strings.ToUpper(primary)
	}
	g.add(&e, primary, false, "")
	for range g.r.IntN(3) {
		g.add(&e, spell(func(v []string) string { return pick(g.r, v) }, false), true, "strong")
	}
	if c.script != "" && g.r.IntN(10) < 6 {
		g.add(&e, spell(first, true), true, "original-script")
	}
	if g.r.IntN(10) == 0 {
		g.add(&e, "Abu "+part(pick(g.r, c.given), first, false), true, "weak")
	}
	return e
}

func part(n poolName, variant func([]string) string, native bool) string {
	if native {
		return n.native
	}
	return variant(n.latin)
}

// female are the pools' women's names.
var female = map[string]bool{
	"Fatemeh": true, "Zahra": true, "Maryam": true, "Narges": true, "Leila": true, "Mina": true, "Shirin": true,
	"Parisa": true, "Sara": true, "Zeinab": true, "Masoumeh": true, "Roya": true, "Elham": true, "Nasrin": true,
	"Farzaneh": true, "Anna": true, "Elena": true, "Olga": true, "Natalia": true, "Irina": true, "Tatiana": true,
	"Svetlana": true, "Maria": true, "Ekaterina": true, "Yulia": true, "Fatima": true, "Aisha": true, "Mariam": true,
	"Laura": true,
}

func isFemale(n poolName) bool { return female[n.latin[0]] }

// patronymic makes a Russian patronymic of a father's name: Ivan,
// Ivanovich and Ivanovna; Sergey, Sergeyevich.
func patronymic(father poolName, female bool, variant func([]string) string, native bool) string {
	if native {
		stem, soft := father.native, false
		if r := []rune(stem); r[len(r)-1] == 'й' || r[len(r)-1] == 'ь' {
			stem, soft = string(r[:len(r)-1]), true
		}
		switch {
		case soft && female:
			return stem + "евна"
		case soft:
			return stem + "евич"
		case female:
			return stem + "овна"
		}
		return stem + "ович"
	}
	stem := variant(father.latin)
	soft := strings.HasSuffix(stem, "y") || strings.HasSuffix(stem, "i")
	if soft {
		stem = stem[:len(stem)-1]
	}
	switch {
	case soft && female:
		return stem + "yevna"
	case soft:
		return stem + "yevich"
	case female:
		return stem + "ovna"
	}
	return stem + "ovich"
}

// feminine is a Russian surname's feminine form: Ivanova, Иванова.
func feminine(surname string, native bool) string {
	if native {
		if strings.HasSuffix(surname, "ов") || strings.HasSuffix(surname, "ев") || strings.HasSuffix(surname, "ёв") ||
			strings.HasSuffix(surname, "ин") {
			return surname + "а"
		}
		return surname
	}
	if strings.HasSuffix(surname, "ov") || strings.HasSuffix(surname, "ev") || strings.HasSuffix(surname, "in") {
		return surname + "a"
	}
	return surname
}

func (g *generator) company() screening.Entry {
	e := screening.Entry{Type: screening.Entity}
	form := pick(g.r, companyForms)
	trade := pick(g.r, companyTrades)
	switch g.r.IntN(3) {
	case 0:
		a, b := pick(g.r, companyWords), pick(g.r, companyWords)
		e.Countries = []string{"IR"}
		g.add(&e, strings.ToUpper(a.latin[0]+" "+b.latin[0]+" "+trade+" "+form), false, "")
		g.add(&e, a.latin[0]+" "+b.latin[0]+" "+trade+" Co", true, "strong")
		if g.r.IntN(2) == 0 {
			g.add(&e, "شرکت "+a.native+" "+b.native, true, "original-script")
		}
	case 1:
		a, b := pick(g.r, companyWordsRU), pick(g.r, companyWordsRU)
		e.Countries = []string{"RU"}
		g.add(&e, strings.ToUpper(a.latin[0]+b.latin[0]+" "+trade), false, "")
		g.add(&e, "OOO "+a.latin[0]+b.latin[0], true, "strong")
		if g.r.IntN(2) == 0 {
			g.add(&e, "ООО «"+a.native+strings.ToLower(b.native)+"»", true, "original-script")
		}
	default:
		e.Countries = []string{pick(g.r, []string{"AE", "HK", "TR", "CY", "PA", "MY", "SG", "GB"})}
		g.add(&e, strings.ToUpper(pick(g.r, companyWordsEN)+" "+pick(g.r, companyWordsEN)+" "+trade+" "+form), false, "")
	}
	if g.r.IntN(5) == 0 {
		g.add(&e, strings.ToUpper(initials(e.Names[0].Text)), true, "weak")
	}
	return e
}

// initials are a name's first letters: "Pars Kish Trading" is PKT.
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		b.WriteString(w[:1])
	}
	return b.String()
}
