package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	nethttp "net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"astara/http"
	"astara/payments"
	"astara/postgres"
	"astara/screening"
)

// listsDir is where a node keeps its list files, under the data directory.
const listsDir = "lists"

// dirListStore keeps list files in a directory, each named by the SHA-256
// of its content, written whole and synced before the import that names
// it is journaled.
type dirListStore struct{ dir string }

var _ http.ListStore = dirListStore{}

// PutList implements http.ListStore: a temporary file, synced, renamed
// into place, and the directory synced, so that a crash leaves either
// nothing or the whole file.
func (s dirListStore) PutList(sum string, data []byte) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(s.dir, sum)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := path + ".tmp"
	if err := writeFileSync(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(s.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// GetList implements http.ListStore.
func (s dirListStore) GetList(sum string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.dir, sum))
}

// dbListStore keeps list files in the PostgreSQL database that keeps the
// journal, so that every node of the database reads the same ones. A file
// not there is looked for in the data directory, where a node kept its
// files before, and copied into the database.
type dbListStore struct {
	db  *postgres.Store
	dir dirListStore
}

var _ http.ListStore = dbListStore{}

// PutList implements http.ListStore.
func (s dbListStore) PutList(sum string, data []byte) error { return s.db.PutList(sum, data) }

// GetList implements http.ListStore.
func (s dbListStore) GetList(sum string) ([]byte, error) {
	data, err := s.db.GetList(sum)
	if !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	data, derr := s.dir.GetList(sum)
	if derr != nil {
		return nil, err
	}
	return data, s.db.PutList(sum, data)
}

// listStore is where the node's list files are: the database that keeps
// the journal, or else the data directory.
func listStore(st any, dataDir string) http.ListStore {
	dir := dirListStore{dir: filepath.Join(dataDir, listsDir)}
	if pg, ok := st.(*postgres.Store); ok {
		return dbListStore{db: pg, dir: dir}
	}
	return dir
}

// verifyLists checks that every list version the journal records has its
// file in the store, unaltered.
func verifyLists(store http.ListStore, m *payments.Machine) (int, error) {
	n := 0
	for _, cur := range m.Lists() {
		for _, l := range m.ListVersions(cur.Name) {
			data, err := store.GetList(l.SHA256)
			if err != nil {
				return n, fmt.Errorf("list %s@%d: %w", l.Name, l.Version, err)
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != l.SHA256 {
				return n, fmt.Errorf("list %s@%d: its file %s does not hash to the SHA-256 the journal records: it was altered",
					l.Name, l.Version, l.SHA256)
			}
			n++
		}
	}
	return n, nil
}

// runLists is `astara lists import|show|search`: the operator's sanctions
// and watch lists on a running node, over its API.
func runLists(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lists", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the node's base URL")
	token := fs.String("token", "", "the operator's token (default $ASTARA_ADMIN_TOKEN)")
	format := fs.String("format", "", "import: the file's format: ofac-csv, un-xml or csv (default: from the file's name)")
	list := fs.String("list", "", "import: the list's name (default OFAC-SDN for ofac-csv, UN for un-xml)")
	review := fs.String("review", "", "import: the review threshold, in (0, 1] (default: the version in force's, else 0.80)")
	block := fs.String("block", "", "import: the block threshold, in (0, 1] (default: the version in force's, else 0.95)")
	published := fs.String("published", "", "import: the publication date, YYYY-MM-DD, where the file gives none (OFAC's CSV)")
	country := fs.String("country", "", "search: the party's country, ISO 3166 alpha-2")
	dob := fs.String("dob", "", "search: the party's date of birth, YYYY[-MM[-DD]]")
	typ := fs.String("type", "", "search: individual or entity")
	quiet := fs.Bool("quiet", false, "import: no progress bar")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage:
  astara lists [flags] import FILE        import a list file (OFAC's sdn.csv or a ZIP of its CSV set, the UN XML, or Astara's CSV)
  astara lists [flags] show               the lists in force: versions, records, thresholds
  astara lists [flags] search NAME        the entries a name matches, in any script

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("ASTARA_ADMIN_TOKEN")
	}
	if *token == "" {
		return usageError{"the operator's token is needed: --token or ASTARA_ADMIN_TOKEN"}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageError{"a subcommand is needed: import, show or search"}
	}
	base := strings.TrimRight(*server, "/")
	switch rest[0] {
	case "import":
		if len(rest) != 2 {
			return usageError{"import takes one file"}
		}
		return importListFile(ctx, base, *token, rest[1], listImport{format: *format, list: *list, review: *review, block: *block,
			published: *published}, stdout, progressTo(stderr, *quiet))
	case "show":
		if len(rest) != 1 {
			return usageError{"show takes no argument"}
		}
		var out struct {
			Lists []struct {
				Name       string  `json:"name"`
				Version    int     `json:"version"`
				Format     string  `json:"format"`
				Published  string  `json:"published"`
				Records    int     `json:"records"`
				Review     float64 `json:"review"`
				Block      float64 `json:"block"`
				ImportedAt string  `json:"imported_at"`
			} `json:"lists"`
			ScreeningError string `json:"screening_error"`
		}
		if err := apiJSON(ctx, "GET", base+"/v1/lists", *token, nil, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LIST\tVERSION\tFORMAT\tPUBLISHED\tRECORDS\tREVIEW\tBLOCK\tIMPORTED")
		for _, l := range out.Lists {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.2f\t%.2f\t%s\n", l.Name, l.Version, l.Format, orDash(l.Published), l.Records, l.Review, l.Block, l.ImportedAt)
		}
		tw.Flush()
		if out.ScreeningError != "" {
			return fmt.Errorf("the node cannot screen payments, and refuses them: %s", out.ScreeningError)
		}
		return nil
	case "search":
		if len(rest) != 2 {
			return usageError{"search takes one name (quote it)"}
		}
		body := map[string]string{"name": rest[1]}
		for k, v := range map[string]string{"country": *country, "date_of_birth": *dob, "type": *typ} {
			if v != "" {
				body[k] = v
			}
		}
		var out struct {
			Hits []struct {
				List    string  `json:"list"`
				EntryID string  `json:"entry_id"`
				Name    string  `json:"name"`
				Matched string  `json:"matched"`
				Score   float64 `json:"score"`
				Action  string  `json:"action"`
			} `json:"hits"`
			Lists []string `json:"lists"`
		}
		if err := apiJSON(ctx, "POST", base+"/v1/screening/search", *token, body, &out); err != nil {
			return err
		}
		if len(out.Hits) == 0 {
			fmt.Fprintf(stdout, "no hits at or above the review threshold in %s\n", strings.Join(out.Lists, ", "))
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SCORE\tACTION\tLIST\tENTRY\tMATCHED\tNAME")
		for _, h := range out.Hits {
			fmt.Fprintf(tw, "%.4f\t%s\t%s\t%s\t%s\t%s\n", h.Score, h.Action, h.List, h.EntryID, h.Matched, h.Name)
		}
		return tw.Flush()
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: import, show or search", rest[0])}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// listImport is what `astara lists import` was asked.
type listImport struct {
	format, list, review, block, published string
}

// formatOf guesses a list file's format from its name.
func formatOf(path string) string {
	name := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(name, ".xml"):
		return screening.FormatUN
	case name == "sdn.csv" || strings.HasSuffix(name, ".zip"):
		return screening.FormatOFAC
	case strings.HasSuffix(name, ".csv"):
		return screening.FormatCSV
	}
	return ""
}

// importListFile uploads a list file, drawing the upload's progress.
func importListFile(ctx context.Context, base, token, path string, in listImport, stdout io.Writer, progress io.Writer) error {
	if in.format == "" {
		in.format = formatOf(path)
		if in.format == "" {
			return usageError{fmt.Sprintf("--format is needed: %s is not named like a list file (sdn.csv, *.zip, *.xml, *.csv)", filepath.Base(path))}
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	q := url.Values{"format": {in.format}}
	for k, v := range map[string]string{"list": in.list, "review": in.review, "block": in.block, "published": in.published} {
		if v != "" {
			q.Set(k, v)
		}
	}
	body := &uploadProgress{r: bytes.NewReader(data), total: len(data), w: progress, label: filepath.Base(path), start: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := nethttp.NewRequestWithContext(ctx, "POST", base+"/v1/lists/import?"+q.Encode(), body)
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := nethttp.DefaultClient.Do(req)
	body.finish()
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return problemError(resp.StatusCode, raw)
	}
	var l struct {
		Name      string   `json:"name"`
		Version   int      `json:"version"`
		Records   int      `json:"records"`
		Published string   `json:"published"`
		Review    float64  `json:"review"`
		Block     float64  `json:"block"`
		SHA256    string   `json:"sha256"`
		Unchanged bool     `json:"unchanged"`
		Warnings  []string `json:"warnings"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	if l.Unchanged {
		fmt.Fprintf(stdout, "%s@%d unchanged: the file is the version in force (%d records)\n", l.Name, l.Version, l.Records)
	} else {
		fmt.Fprintf(stdout, "%s@%d imported: %d records, published %s, review %.2f, block %.2f, sha256 %s\n",
			l.Name, l.Version, l.Records, orDash(l.Published), l.Review, l.Block, l.SHA256[:16])
	}
	for _, w := range l.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}

// problemError turns a problem+json answer into an error that says it.
func problemError(status int, raw []byte) error {
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
		Field  string `json:"field"`
	}
	if json.Unmarshal(raw, &p) != nil || p.Code == "" {
		return fmt.Errorf("%d: %s", status, bytes.TrimSpace(raw))
	}
	if p.Field != "" {
		return fmt.Errorf("%d %s (%s): %s", status, p.Code, p.Field, p.Detail)
	}
	return fmt.Errorf("%d %s: %s", status, p.Code, p.Detail)
}

// apiJSON sends a JSON request and decodes the answer.
func apiJSON(ctx context.Context, method, url, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := nethttp.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return problemError(resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

func progressTo(w io.Writer, quiet bool) io.Writer {
	if quiet {
		return nil
	}
	return w
}

// uploadProgress reads a body and draws how much of it was sent.
type uploadProgress struct {
	r     io.Reader
	total int
	w     io.Writer // nil: no bar
	label string
	start time.Time

	mu   sync.Mutex
	sent int
	last time.Time
	done bool
}

func (u *uploadProgress) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sent += n
	if now := time.Now(); u.w != nil && (now.Sub(u.last) > 100*time.Millisecond || errors.Is(err, io.EOF)) {
		u.last = now
		u.draw()
	}
	return n, err
}

func (u *uploadProgress) draw() {
	const width = 30
	filled := width * u.sent / max(u.total, 1)
	fmt.Fprintf(u.w, "\r%s [%s%s] %3d%% of %s, %s", u.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		100*u.sent/max(u.total, 1), byteSize(u.total), time.Since(u.start).Round(100*time.Millisecond))
}

// finish draws the bar complete and ends its line.
func (u *uploadProgress) finish() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.w == nil || u.done {
		return
	}
	u.done = true
	u.draw()
	fmt.Fprintln(u.w)
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
