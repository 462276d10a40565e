package http

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/payments"
	"astara/screening"
)

// Screening at the edge. The lists live here, not in the payments machine:
// the operator's file is parsed and indexed at the edge, kept in a
// ListStore under its SHA-256, and only the list's record (name, version,
// hash, thresholds) is journaled. Each payment is screened here before its
// command is journaled, and the outcome travels in the command, so that a
// replay reaches the same outcome without the lists. At start-up the index
// is rebuilt from the files the journal's records name; a file missing or
// altered stops screening, and with it every payment, rather than let one
// through unscreened.

// Limits of screening at the edge.
const (
	// ScreeningHitsMax is the most hits one payment keeps, best first.
	ScreeningHitsMax = payments.ScreeningHitsMax
	// ReviewExpiringWithin is how close to the end of its reservation a held
	// payment is flagged as expiring in the review queue.
	ReviewExpiringWithin = 2 * time.Hour
	// AuditPageMax is the most audit records one page returns.
	AuditPageMax = 1000
)

// ListStore keeps the files of the lists the operator imported, each under
// the SHA-256 of its content in lower-case hex.
type ListStore interface {
	// PutList makes data durable under sum and returns once it is.
	PutList(sum string, data []byte) error
	// GetList returns the data kept under sum; an error that wraps
	// fs.ErrNotExist if there is none.
	GetList(sum string) ([]byte, error)
}

// MemoryListStore is a ListStore in memory, for tests and for nodes that
// keep nothing across restarts.
type MemoryListStore struct {
	mu    sync.Mutex
	files map[string][]byte
}

// PutList implements ListStore.
func (s *MemoryListStore) PutList(sum string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[sum] = slices.Clone(data)
	return nil
}

// GetList implements ListStore.
func (s *MemoryListStore) GetList(sum string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.files[sum]
	if !ok {
		return nil, fmt.Errorf("list file %s: %w", sum, fs.ErrNotExist)
	}
	return b, nil
}

// screener is the index a payment is screened against, and the list
// versions it was built from; err is why there is none.
type screener struct {
	index    *screening.Index
	versions map[string]int // list name -> version
	names    []string       // "UN@3", sorted
	err      error
	// banks holds the hits of the participants' own names, which every
	// payment of theirs repeats: searched once per index.
	banks sync.Map // screening.Query -> []screening.Hit
}

// search searches the index, from the cache for a bank's name.
func (sc *screener) search(q screening.Query, bank bool) []screening.Hit {
	if !bank {
		return sc.index.Search(q)
	}
	if hits, ok := sc.banks.Load(q); ok {
		return hits.([]screening.Hit)
	}
	hits := sc.index.Search(q)
	sc.banks.Store(q, hits)
	return hits
}

// parsedList is a list file parsed, kept so that a change of thresholds
// does not parse it again.
type parsedList struct {
	sum  string
	list *screening.List
}

// restoreScreening builds the index from the lists the journal records.
func (s *Server) restoreScreening() {
	var lists []payments.ScreeningList
	if !s.paymentsView(func(m *payments.Machine) { lists = m.Lists() }) {
		return
	}
	s.listMu.Lock()
	defer s.listMu.Unlock()
	s.rebuildScreener(lists)
}

// ScreeningErr returns why the node cannot screen payments (a list file
// missing or altered), or nil. While it is not nil, every payment is
// refused with 503 screening_unavailable.
func (s *Server) ScreeningErr() error {
	if sc := s.screener.Load(); sc != nil {
		return sc.err
	}
	return nil
}

// rebuildScreener indexes the current version of every list; s.listMu is
// held.
func (s *Server) rebuildScreener(lists []payments.ScreeningList) {
	parsed := make(map[string]parsedList, len(lists))
	var indexed []*screening.List
	thresholds := make(map[string]screening.Thresholds, len(lists))
	sc := &screener{versions: make(map[string]int, len(lists))}
	for _, l := range lists {
		pl, ok := s.parsedLists[l.Name]
		if !ok || pl.sum != l.SHA256 {
			list, err := s.loadList(l)
			if err != nil {
				s.screener.Store(&screener{err: err})
				return
			}
			pl = parsedList{sum: l.SHA256, list: list}
		}
		parsed[l.Name] = pl
		indexed = append(indexed, pl.list)
		thresholds[l.Name] = screening.Thresholds{Review: l.Review, Block: l.Block}
		sc.versions[l.Name] = l.Version
		sc.names = append(sc.names, l.Name+"@"+strconv.Itoa(l.Version))
	}
	slices.Sort(sc.names)
	sc.index = screening.NewIndex(indexed, thresholds)
	s.parsedLists = parsed
	s.screener.Store(sc)
}

// loadList reads a list's file from the store and parses it, checking
// that it is the file the journal recorded.
func (s *Server) loadList(l payments.ScreeningList) (*screening.List, error) {
	data, err := s.listStore.GetList(l.SHA256)
	if err != nil {
		return nil, fmt.Errorf("list %s@%d: read its file %s: %w", l.Name, l.Version, l.SHA256, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != l.SHA256 {
		return nil, fmt.Errorf("list %s@%d: its file does not hash to %s, as the journal records: it was altered", l.Name, l.Version, l.SHA256)
	}
	list, err := screening.Parse(l.Format, l.Name, data)
	if err != nil {
		return nil, fmt.Errorf("list %s@%d: %w", l.Name, l.Version, err)
	}
	return list, nil
}

// screenParties screens a payment's debtor, creditor and their banks, and
// a trade payment's carrier (carrier is nil for another payment). It
// returns nil when no list is loaded: such a payment's timeline says
// nothing of screening.
func (s *Server) screenParties(debtor, creditor payments.Party, sender, receiver, carrier *payments.Participant) (*payments.Screening, *Problem) {
	sc := s.screener.Load()
	if sc == nil {
		return nil, nil
	}
	if sc.err != nil {
		p := problem(http.StatusServiceUnavailable, "screening_unavailable", "", "payments are not screened, so none are taken: %v", sc.err)
		return nil, p
	}
	if len(sc.names) == 0 {
		return nil, nil
	}
	out := &payments.Screening{Action: payments.ScreeningPass, Lists: sc.names}
	type party struct {
		field string
		q     screening.Query
		bank  bool // a participant's own name, the same in every payment
	}
	parties := []party{
		{"debtor.name", screening.Query{Name: debtor.Name, Country: cmp.Or(debtor.Country, sender.Country)}, false},
		{"creditor.name", screening.Query{Name: creditor.Name, Country: cmp.Or(creditor.Country, receiver.Country)}, false},
		{"debtor_agent.name", screening.Query{Name: sender.Name, Country: sender.Country, Type: screening.Entity}, true},
		{"creditor_agent.name", screening.Query{Name: receiver.Name, Country: receiver.Country, Type: screening.Entity}, true},
	}
	if carrier != nil {
		parties = append(parties, party{"trade.carrier", screening.Query{Name: carrier.Name, Country: carrier.Country, Type: screening.Entity}, true})
	}
	for _, party := range parties {
		for _, h := range sc.search(party.q, party.bank) {
			out.Hits = append(out.Hits, payments.ScreeningHit{Field: party.field, Queried: party.q.Name, List: h.List,
				ListVersion: sc.versions[h.List], EntryID: h.EntryID, EntryName: h.EntryName, Matched: h.Matched,
				Alias: h.Alias, Score: h.Score, Action: string(h.Action)})
		}
	}
	slices.SortStableFunc(out.Hits, func(a, b payments.ScreeningHit) int { return cmp.Compare(b.Score, a.Score) })
	if len(out.Hits) > ScreeningHitsMax {
		out.Hits = out.Hits[:ScreeningHitsMax]
	}
	for _, h := range out.Hits {
		switch {
		case h.Action == payments.ScreeningBlock:
			out.Action = payments.ScreeningBlock
		case h.Action == payments.ScreeningReview && out.Action == payments.ScreeningPass:
			out.Action = payments.ScreeningReview
		}
	}
	return out, nil
}

func (s *Server) registerScreening() {
	s.route("POST /v1/lists/import", s.admin(s.importList))
	s.route("GET /v1/lists", s.admin(s.listLists))
	s.route("GET /v1/lists/{name}", s.admin(s.getList))
	s.route("PUT /v1/lists/{name}/thresholds", s.admin(s.putThresholds))
	s.route("POST /v1/screening/search", s.admin(s.searchLists))
	s.route("GET /v1/screening/reviews", s.admin(s.listReviews))
	s.route("POST /v1/screening/reviews/{uetr}", s.admin(s.decideReview))
	s.route("GET /v1/screening/audit", s.admin(s.screeningAudit))
	s.route("GET /v1/audit", s.admin(s.operatorAudit))
}

// listJSON is a list version as the API shows it.
type listJSON struct {
	Name       string   `json:"name"`
	Version    int      `json:"version"`
	Format     string   `json:"format"`
	Published  string   `json:"published,omitempty"`
	Records    int      `json:"records"`
	SHA256     string   `json:"sha256"`
	Review     float64  `json:"review"`
	Block      float64  `json:"block"`
	ImportedAt string   `json:"imported_at"`
	ImportedBy string   `json:"imported_by"`
	Unchanged  bool     `json:"unchanged,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

func listView(l *payments.ScreeningList) listJSON {
	out := listJSON{Name: l.Name, Version: l.Version, Format: l.Format, Records: l.Records, SHA256: l.SHA256,
		Review: l.Review, Block: l.Block, ImportedAt: l.ImportedAt.Format(time.RFC3339Nano), ImportedBy: l.ImportedBy}
	if !l.Published.IsZero() {
		out.Published = l.Published.Format(time.DateOnly)
	}
	return out
}

// listFormatDefaults names a list by its format when the import does not.
var listFormatDefaults = map[string]string{screening.FormatOFAC: "OFAC-SDN", screening.FormatUN: "UN"}

// parseThreshold reads an optional threshold in (0, 1]; ok is false when
// it is absent.
func parseThreshold(v, field string) (float64, bool, *Problem) {
	if v == "" {
		return 0, false, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0 && x <= 1) {
		return 0, false, problem(http.StatusBadRequest, "threshold_invalid", field, "%s must be a number above 0 and at most 1, such as 0.85", field)
	}
	return x, true, nil
}

func thresholdsProblem(review, block float64) *Problem {
	if review > block {
		return problem(http.StatusBadRequest, "threshold_invalid", "review", "review (%v) must be at most block (%v)", review, block)
	}
	return nil
}

// importList takes a list file, parses it whole and makes it the list's
// next version. A file refused leaves the version in force as it was.
func (s *Server) importList(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	switch format {
	case screening.FormatOFAC, screening.FormatUN, screening.FormatCSV:
	default:
		writeProblem(w, problem(http.StatusBadRequest, "list_format_unknown", "format", "format must be %s, %s or %s; got %q",
			screening.FormatOFAC, screening.FormatUN, screening.FormatCSV, format))
		return
	}
	name := cmp.Or(q.Get("list"), listFormatDefaults[format])
	if !payments.ValidListName(name) {
		writeProblem(w, problem(http.StatusBadRequest, "list_name_invalid", "list",
			"list must name the list: 1 to %d letters, digits, '.', '_' or '-' (such as OFAC-SDN, UN, RU-FIU); got %q", payments.ListNameLenMax, name))
		return
	}
	review, hasReview, p := parseThreshold(q.Get("review"), "review")
	if p != nil {
		writeProblem(w, p)
		return
	}
	block, hasBlock, p := parseThreshold(q.Get("block"), "block")
	if p != nil {
		writeProblem(w, p)
		return
	}
	var published time.Time
	if v := q.Get("published"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			writeProblem(w, problem(http.StatusBadRequest, "date_syntax", "published", "published must be a date, YYYY-MM-DD"))
			return
		}
		published = t
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, screening.ListFileBytesMax))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			writeProblem(w, problem(http.StatusRequestEntityTooLarge, "list_too_large", "", "a list file holds at most %d bytes; the version in force is kept", screening.ListFileBytesMax))
			return
		}
		writeProblem(w, problem(http.StatusBadRequest, "body_unreadable", "", "read the list file: %v", err))
		return
	}
	list, err := screening.Parse(format, name, data)
	if err != nil {
		pr := problem(http.StatusUnprocessableEntity, "list_invalid", "", "%v; the version in force is kept", err)
		var pe *screening.ParseError
		if errors.As(err, &pe) {
			pr.Field = pe.Field
		}
		writeProblem(w, pr)
		return
	}
	if len(list.Entries) == 0 {
		writeProblem(w, problem(http.StatusUnprocessableEntity, "list_empty", "", "the file holds no entries; a list of none would screen nothing, so the version in force is kept"))
		return
	}
	if published.IsZero() {
		published = list.Published
	}
	sum := sha256.Sum256(data)
	l := payments.ScreeningList{Name: name, Version: 1, Format: format, Published: published, Records: len(list.Entries),
		SHA256: hex.EncodeToString(sum[:]), Review: screening.DefaultThresholds.Review, Block: screening.DefaultThresholds.Block,
		ImportedBy: operatorName}

	s.listMu.Lock()
	defer s.listMu.Unlock()
	var versions []payments.ScreeningList
	s.paymentsView(func(m *payments.Machine) { versions = m.ListVersions(name) })
	same := false
	if n := len(versions); n > 0 {
		cur := versions[n-1]
		l.Review, l.Block = cur.Review, cur.Block
		l.Version = cur.Version + 1
		if cur.SHA256 == l.SHA256 && cur.Format == format {
			// The file in force again: no new version. New thresholds
			// change the version in force, as PUT .../thresholds does.
			same = true
			l = cur
		}
	}
	if hasReview {
		l.Review = review
	}
	if hasBlock {
		l.Block = block
	}
	if p := thresholdsProblem(l.Review, l.Block); p != nil {
		writeProblem(w, p)
		return
	}
	if same {
		cur := versions[len(versions)-1]
		if l.Review == cur.Review && l.Block == cur.Block {
			out := listView(&cur)
			out.Unchanged, out.Warnings = true, list.Warnings
			writeJSON(w, http.StatusOK, out)
			return
		}
		l.ImportedBy = operatorName
		reply, p := s.submit(r.Context(), &payments.PutList{List: l})
		if p != nil {
			writeProblem(w, p)
			return
		}
		s.rebuildCurrent()
		out := listView(reply.(*payments.ScreeningList))
		out.Warnings = list.Warnings
		writeJSON(w, http.StatusOK, out)
		return
	}
	if err := s.listStore.PutList(l.SHA256, data); err != nil {
		writeProblem(w, problem(http.StatusServiceUnavailable, "list_store_failed", "", "keep the list file: %v; the version in force is kept", err))
		return
	}
	reply, p := s.submit(r.Context(), &payments.PutList{List: l})
	if p != nil {
		writeProblem(w, p)
		return
	}
	s.parsedLists[name] = parsedList{sum: l.SHA256, list: list}
	s.rebuildCurrent()
	out := listView(reply.(*payments.ScreeningList))
	out.Warnings = list.Warnings
	writeJSON(w, http.StatusCreated, out)
}

// operatorName is who the operator's token acts as in records.
const operatorName = "operator"

// rebuildCurrent rebuilds the index from the machine's current lists;
// s.listMu is held.
func (s *Server) rebuildCurrent() {
	var lists []payments.ScreeningList
	s.paymentsView(func(m *payments.Machine) { lists = m.Lists() })
	s.rebuildScreener(lists)
}

func (s *Server) listLists(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	out := []listJSON{}
	s.paymentsView(func(m *payments.Machine) {
		for _, l := range m.Lists() {
			out = append(out, listView(&l))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"lists": out, "screening_error": errText(s.ScreeningErr())})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	name := r.PathValue("name")
	out := []listJSON{}
	s.paymentsView(func(m *payments.Machine) {
		for _, l := range m.ListVersions(name) {
			out = append(out, listView(&l))
		}
	})
	if len(out) == 0 {
		writeProblem(w, problem(http.StatusNotFound, "list_not_found", "name", "no list %q", name))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "versions": out})
}

// putThresholds sets the thresholds of a list's version in force.
func (s *Server) putThresholds(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		Review *float64 `json:"review"`
		Block  *float64 `json:"block"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	for _, x := range []struct {
		name string
		v    *float64
	}{{"review", req.Review}, {"block", req.Block}} {
		if x.v == nil {
			writeProblem(w, problem(http.StatusBadRequest, "field_required", x.name, "%s is required: a number above 0 and at most 1", x.name))
			return
		}
		if !(*x.v > 0 && *x.v <= 1) {
			writeProblem(w, problem(http.StatusBadRequest, "threshold_invalid", x.name, "%s must be a number above 0 and at most 1, such as 0.85", x.name))
			return
		}
	}
	if p := thresholdsProblem(*req.Review, *req.Block); p != nil {
		writeProblem(w, p)
		return
	}
	name := r.PathValue("name")
	s.listMu.Lock()
	defer s.listMu.Unlock()
	var versions []payments.ScreeningList
	s.paymentsView(func(m *payments.Machine) { versions = m.ListVersions(name) })
	if len(versions) == 0 {
		writeProblem(w, problem(http.StatusNotFound, "list_not_found", "name", "no list %q", name))
		return
	}
	l := versions[len(versions)-1]
	l.Review, l.Block, l.ImportedBy = *req.Review, *req.Block, operatorName
	reply, p := s.submit(r.Context(), &payments.PutList{List: l})
	if p != nil {
		writeProblem(w, p)
		return
	}
	s.rebuildCurrent()
	writeJSON(w, http.StatusOK, listView(reply.(*payments.ScreeningList)))
}

// hitJSON is a search hit as the API shows it.
type hitJSON struct {
	List        string  `json:"list"`
	ListVersion int     `json:"list_version"`
	EntryID     string  `json:"entry_id"`
	Name        string  `json:"name"`
	Matched     string  `json:"matched"`
	Alias       bool    `json:"alias"`
	Score       float64 `json:"score"`
	Action      string  `json:"action"`
}

// searchLists is the compliance officer's ad-hoc search.
func (s *Server) searchLists(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		Name        string `json:"name"`
		Country     string `json:"country"`
		DateOfBirth string `json:"date_of_birth"`
		Type        string `json:"type"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	q := screening.Query{Name: strings.TrimSpace(req.Name), Country: strings.ToUpper(req.Country), DateOfBirth: req.DateOfBirth, Type: screening.EntityType(req.Type)}
	switch {
	case q.Name == "":
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "name", "name is required"))
		return
	case len(q.Name) > screening.NameLenMax:
		writeProblem(w, problem(http.StatusBadRequest, "name_too_long", "name", "name holds %d bytes; at most %d", len(q.Name), screening.NameLenMax))
		return
	case q.Country != "" && !isCountryCode(q.Country):
		writeProblem(w, problem(http.StatusBadRequest, "country_invalid", "country", "country must be an ISO 3166 alpha-2 code such as IR"))
		return
	case q.DateOfBirth != "" && !isPartialDate(q.DateOfBirth):
		writeProblem(w, problem(http.StatusBadRequest, "date_syntax", "date_of_birth", "date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD"))
		return
	case q.Type != "" && q.Type != screening.Individual && q.Type != screening.Entity:
		writeProblem(w, problem(http.StatusBadRequest, "type_unknown", "type", "type must be individual or entity"))
		return
	}
	sc := s.screener.Load()
	if sc != nil && sc.err != nil {
		writeProblem(w, problem(http.StatusServiceUnavailable, "screening_unavailable", "", "%v", sc.err))
		return
	}
	out := struct {
		Hits  []hitJSON `json:"hits"`
		Lists []string  `json:"lists"`
	}{Hits: []hitJSON{}, Lists: []string{}}
	if sc != nil && sc.index != nil {
		out.Lists = sc.names
		for _, h := range sc.index.Search(q) {
			out.Hits = append(out.Hits, hitJSON{List: h.List, ListVersion: sc.versions[h.List], EntryID: h.EntryID, Name: h.EntryName,
				Matched: h.Matched, Alias: h.Alias, Score: h.Score, Action: string(h.Action)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func isPartialDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return true
			}
		}
	}
	return false
}

// reviewJSON is a held payment in the review queue.
type reviewJSON struct {
	UETR                 string                  `json:"uetr"`
	SendingParticipant   string                  `json:"sending_participant"`
	ReceivingParticipant string                  `json:"receiving_participant"`
	SourceAmount         amountJSON              `json:"source_amount"`
	TargetAmount         amountJSON              `json:"target_amount"`
	Debtor               string                  `json:"debtor"`
	Creditor             string                  `json:"creditor"`
	HeldAt               string                  `json:"held_at"`
	ReservationExpiresAt string                  `json:"reservation_expires_at,omitempty"`
	ExpiringSoon         bool                    `json:"expiring_soon"`
	Hits                 []payments.ScreeningHit `json:"hits"`
}

// listReviews lists the held payments, oldest first, at most ?limit= of
// them; a payment whose reservation ends within ReviewExpiringWithin is
// flagged.
func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	limit, p := parseLimit(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	out := []reviewJSON{}
	total := 0
	now := s.now()
	s.paymentsView(func(m *payments.Machine) {
		total = m.HeldCount()
		for _, p := range m.Held(limit) {
			out = append(out, reviewView(m, &p, now))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"reviews": out, "total": total, "expiring_within_seconds": int(ReviewExpiringWithin / time.Second)})
}

func reviewView(m *payments.Machine, p *payments.Payment, now time.Time) reviewJSON {
	sc, _ := money.LookupCurrency(p.Source)
	tc, _ := money.LookupCurrency(p.Target)
	v := reviewJSON{UETR: p.UETR.String(), SendingParticipant: p.Sender, ReceivingParticipant: p.Receiver,
		SourceAmount: amountJSON{money.FormatAmount(p.SourceAmount, sc), sc.Code.String()},
		TargetAmount: amountJSON{money.FormatAmount(p.TargetAmount, tc), tc.Code.String()},
		Debtor:       p.Debtor.Name, Creditor: p.Creditor.Name, HeldAt: p.CreatedAt.Format(time.RFC3339), Hits: []payments.ScreeningHit{}}
	if p.Screening != nil {
		v.Hits = p.Screening.Hits
	}
	if end, ok := m.ReservationEnd(p); ok {
		v.ReservationExpiresAt = end.Format(time.RFC3339)
		v.ExpiringSoon = end.Sub(now) <= ReviewExpiringWithin
	}
	return v
}

// decideReview approves or rejects a held payment.
func (s *Server) decideReview(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	uetr, err := ledger.ParseID(r.PathValue("uetr"))
	if err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "id_syntax", "uetr", "the UETR in the path: %v", err))
		return
	}
	var req struct {
		Decision string `json:"decision"`
		Comment  string `json:"comment"`
		Reason   string `json:"reason"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if req.Decision == payments.DecisionApprove && req.Reason != "" {
		writeProblem(w, problem(http.StatusBadRequest, "reason_not_allowed", "reason", "a reason goes with a rejection, not an approval"))
		return
	}
	reply, p := s.submit(r.Context(), &payments.DecideReview{UETR: uetr, Decision: req.Decision, By: operatorName, Comment: req.Comment, Reason: req.Reason})
	if p != nil {
		writeProblem(w, p)
		return
	}
	pay := reply.(*payments.Payment)
	out := paymentJSON(pay)
	out.Screening = pay.Screening
	writeJSON(w, http.StatusOK, out)
}

// screeningAudit lists the screening audit log from ?from= (a position,
// 0 the oldest), a page at a time.
func (s *Server) screeningAudit(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	from := 0
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "from", "from is a position in the log: a whole number from 0"))
			return
		}
		from = n
	}
	var records []payments.AuditRecord
	s.paymentsView(func(m *payments.Machine) { records = m.ScreeningAudit() })
	writeAuditPage(w, records, from)
}

// writeAuditPage answers the records of a log from a position, a page at
// a time.
func writeAuditPage(w http.ResponseWriter, records []payments.AuditRecord, from int) {
	records = records[min(from, len(records)):]
	next := ""
	if len(records) > AuditPageMax {
		records = records[:AuditPageMax]
		next = strconv.Itoa(from + AuditPageMax)
	}
	if records == nil {
		records = []payments.AuditRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": records, "next": next})
}

// operatorAudit lists the operator's audit log (payments/audit.go) from
// ?from=, a page at a time, with the chain's head.
func (s *Server) operatorAudit(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	from := 0
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeProblem(w, problem(http.StatusBadRequest, "cursor_invalid", "from", "from is a position in the log: a whole number from 0"))
			return
		}
		from = n
	}
	var records []payments.AuditRecord
	s.paymentsView(func(m *payments.Machine) { records = m.Audit(0) })
	writeAuditPage(w, records, from)
}

// audit records an operator's action taken at the edge in the audit log;
// on a node that runs the ledger alone there is none.
func (s *Server) audit(ctx context.Context, action, subject, detail string) *Problem {
	if !s.paymentsView(func(*payments.Machine) {}) {
		return nil
	}
	_, p := s.submit(ctx, &payments.RecordAction{By: operatorName, Action: action, Subject: subject, Detail: detail})
	return p
}
