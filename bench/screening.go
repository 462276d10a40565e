package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"astara/screening"
	"astara/screening/screeningtest"
)

// ScreeningConfig is what `astara bench screening` runs.
type ScreeningConfig struct {
	// Testdata is the screening package's testdata directory: the list
	// samples (lists/) and the labelled set (pairs.tsv).
	Testdata string
	Entries  int       // entries in the index: the samples and a synthetic list
	Queries  int       // names searched per script
	Seed     uint64    // of the synthetic list and the queries
	Progress io.Writer // progress bar; nil for none
}

// ScreeningResult is what a screening run measured.
type ScreeningResult struct {
	Entries int           // entries indexed
	Names   int           // distinct names and aliases indexed
	Build   time.Duration // NewIndex over them
	Scripts []ScriptResult
	// Quality is precision and recall of the labelled set against the
	// samples alone (QualityIndexEntries entries), at
	// screening.QualityThresholds, as the tests hold it; Pairs, Matches
	// and NonMatches count the set.
	Quality                    []screening.QualityRow
	QualityIndexEntries        int
	Pairs, Matches, NonMatches int
}

// ScriptResult is the search latency of the names of one script, one
// search at a time.
type ScriptResult struct {
	Script     string
	Queries    int
	Hits       int // hits at or above review over all the queries
	Elapsed    time.Duration
	LatencyP50 time.Duration
	LatencyP99 time.Duration
}

// PerSecond returns searches per second, one at a time.
func (r ScriptResult) PerSecond() float64 { return float64(r.Queries) / r.Elapsed.Seconds() }

// RunScreening builds the index of the list samples and a synthetic list
// drawn from cfg.Seed (see screening/screeningtest), cfg.Entries entries
// in all, searches cfg.Queries Latin, Cyrillic and Persian names against
// it one at a time, and measures the labelled set's precision and recall.
func RunScreening(ctx context.Context, cfg ScreeningConfig) (ScreeningResult, error) {
	if cfg.Testdata == "" {
		cfg.Testdata = filepath.Join("screening", "testdata")
	}
	if cfg.Entries <= 0 {
		cfg.Entries = 20_000
	}
	if cfg.Queries <= 0 {
		cfg.Queries = 2_000
	}
	listsDir := filepath.Join(cfg.Testdata, "lists")
	if _, err := os.Stat(listsDir); err != nil {
		return ScreeningResult{}, fmt.Errorf("the list samples: %w (run from the repository root, or pass --testdata)", err)
	}
	lists, err := screeningtest.Corpus(listsDir, cfg.Entries, cfg.Seed)
	if err != nil {
		return ScreeningResult{}, err
	}
	start := time.Now()
	ix := screening.NewIndex(lists, nil)
	r := ScreeningResult{Build: time.Since(start), Entries: ix.Entries(), Names: ix.Names()}
	// Collect the build's garbage now, so that the searches do not pay
	// for it.
	runtime.GC()

	scripts := []string{screening.ScriptLatin, screening.ScriptCyrillic, screening.ScriptArabic}
	bar := newProgress(cfg.Progress, "searches", len(scripts)*cfg.Queries)
	for _, script := range scripts {
		queries := screeningtest.Queries(script, cfg.Queries, cfg.Seed+1)
		for _, q := range queries[:min(len(queries), 100)] {
			ix.Search(q) // warm the pool and the caches
		}
		lat := make([]time.Duration, 0, len(queries))
		sr := ScriptResult{Script: script, Queries: len(queries)}
		begin := time.Now()
		for _, q := range queries {
			if err := ctx.Err(); err != nil {
				return ScreeningResult{}, err
			}
			t0 := time.Now()
			hits := ix.Search(q)
			lat = append(lat, time.Since(t0))
			sr.Hits += len(hits)
			bar.step()
		}
		sr.Elapsed = time.Since(begin)
		s := summarize(len(queries), 0, 1, sr.Elapsed, lat)
		sr.LatencyP50, sr.LatencyP99 = s.LatencyP50, s.LatencyP99
		r.Scripts = append(r.Scripts, sr)
	}
	bar.done()

	data, err := os.ReadFile(filepath.Join(cfg.Testdata, "pairs.tsv"))
	if err != nil {
		return ScreeningResult{}, fmt.Errorf("the labelled set: %w", err)
	}
	pairs, err := screening.ParsePairs(data)
	if err != nil {
		return ScreeningResult{}, err
	}
	samples, err := screeningtest.Samples(listsDir)
	if err != nil {
		return ScreeningResult{}, err
	}
	sampleIndex := screening.NewIndex(samples, nil)
	r.Quality, err = screening.Evaluate(sampleIndex, pairs, screening.QualityThresholds)
	if err != nil {
		return ScreeningResult{}, err
	}
	r.Pairs, r.QualityIndexEntries = len(pairs), sampleIndex.Entries()
	for _, p := range pairs {
		if p.Match {
			r.Matches++
		} else {
			r.NonMatches++
		}
	}
	return r, nil
}

// WriteScreeningTable prints a screening result: the index, the search
// latency by script, then precision and recall by threshold.
func WriteScreeningTable(w io.Writer, r ScreeningResult) {
	fmt.Fprintf(w, "index: %d entries, %d names and aliases, built in %s\n\n", r.Entries, r.Names, roundDur(r.Build))
	fmt.Fprintf(w, "%-9s %8s %8s %10s %10s %12s\n", "script", "queries", "hits", "p50", "p99", "searches/s")
	for _, s := range r.Scripts {
		fmt.Fprintf(w, "%-9s %8d %8d %10s %10s %12.0f\n", s.Script, s.Queries, s.Hits, roundDur(s.LatencyP50),
			roundDur(s.LatencyP99), s.PerSecond())
	}
	fmt.Fprintf(w, "\nlabelled set: %d pairs (%d matches, %d non-matches) against the samples (%d entries); "+
		"default thresholds review %.2f, block %.2f\n\n", r.Pairs, r.Matches, r.NonMatches, r.QualityIndexEntries,
		screening.DefaultThresholds.Review, screening.DefaultThresholds.Block)
	scripts := []string{screening.ScriptLatin, screening.ScriptCyrillic, screening.ScriptArabic}
	fmt.Fprintf(w, "%-9s %9s %7s %4s %4s %4s", "threshold", "precision", "recall", "tp", "fp", "fn")
	for _, s := range scripts {
		fmt.Fprintf(w, " %13s", s+" P/R")
	}
	fmt.Fprintln(w)
	for _, q := range r.Quality {
		fmt.Fprintf(w, "%-9.2f %9.3f %7.3f %4d %4d %4d", q.Threshold, q.Precision(), q.Recall(), q.TruePositives,
			q.FalsePositives, q.FalseNegatives)
		for _, s := range scripts {
			c := q.Scripts[s]
			fmt.Fprintf(w, " %13s", fmt.Sprintf("%.3f/%.3f", c.Precision(), c.Recall()))
		}
		switch q.Threshold {
		case screening.DefaultThresholds.Review:
			fmt.Fprint(w, "  <- review")
		case screening.DefaultThresholds.Block:
			fmt.Fprint(w, "  <- block")
		}
		fmt.Fprintln(w)
	}
}
