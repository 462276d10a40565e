// Package http serves Astara's JSON API (the contract is API.md; the full
// reference is the OpenAPI document at /openapi.json), its Prometheus
// metrics and its health check. It translates between JSON and the domain
// packages; it holds no business rules of its own beyond the shape of
// requests.
package http

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"astara/calendar"
	"astara/ledger"
)

// Limits of the HTTP API.
const (
	// RequestBodyBytesMax is the largest request body. A full batch of
	// 8190 transfers with every field set is about 3 MiB of JSON.
	RequestBodyBytesMax = 4 << 20
	// ListLimitMax is the most items one page of a listing returns.
	ListLimitMax = 1000
	// ListLimitDefault is the page size when none is asked for.
	ListLimitDefault = 100
)

//go:embed openapi.json
var openAPIDocument []byte

// Server is the HTTP API of one Astara node.
type Server struct {
	ledger         *ledger.Service
	metrics        *Metrics
	adminTokenHash [sha256.Size]byte
	mux            *http.ServeMux
	// Dashboard, when set, serves GET /.
	dashboard http.Handler
	calendars *calendar.Set
	clock     func() time.Time
	closures  func(CalendarChange) error
	routes    []string
	// switchBIC is the switch's own BIC in the messages it writes;
	// settlementBankBIC the settlement bank's, to which pacs.009 goes.
	switchBIC         string
	settlementBankBIC string

	// Screening: the list files, the index payments are screened against,
	// and the parsed lists it was built from. listMu serialises the
	// changes to the lists (imports, thresholds) with their index.
	listStore   ListStore
	listMu      sync.Mutex
	screener    atomic.Pointer[screener]
	parsedLists map[string]parsedList

	// sessions are the dashboard's signed-in consoles (session.go).
	sessions *sessionStore

	// limits are checked before routing (limits.go).
	limits *limiter
}

// Config configures a Server.
type Config struct {
	Ledger *ledger.Service
	// Metrics must be the Observer the ledger Service reports to.
	Metrics *Metrics
	// AdminTokenHash is the SHA-256 of the operator's bearer token.
	AdminTokenHash [sha256.Size]byte
	// Dashboard serves GET /; nil means a plain index.
	Dashboard http.Handler
	// Calendars are the business calendars; nil means the shipped data.
	Calendars *calendar.Set
	// Clock tells the time at the edge (quotes' value dates, rates' times);
	// nil means time.Now.
	Clock func() time.Time
	// RecordCalendarChange, when set, makes an operator's change to the
	// calendars durable before it is answered.
	RecordCalendarChange func(CalendarChange) error
	// SwitchBIC is the switch's BIC in ISO 20022 messages; empty means
	// SwitchBICDefault.
	SwitchBIC string
	// SettlementBankBIC is the BIC of the bank that settles the windows
	// (the addressee of pacs.009); empty means the switch itself.
	SettlementBankBIC string
	// Lists keeps the sanctions and watch list files the operator
	// imports; nil keeps them in memory only.
	Lists ListStore
	// Limits are the rate limits and the request time limit (limits.go);
	// the zero value is the production defaults.
	Limits Limits
}

// NewServer returns a Server with its routes.
func NewServer(cfg Config) *Server {
	s := &Server{ledger: cfg.Ledger, metrics: cfg.Metrics, adminTokenHash: cfg.AdminTokenHash, dashboard: cfg.Dashboard,
		calendars: cfg.Calendars, clock: cfg.Clock, closures: cfg.RecordCalendarChange,
		switchBIC: cfg.SwitchBIC, settlementBankBIC: cfg.SettlementBankBIC, listStore: cfg.Lists, parsedLists: map[string]parsedList{},
		sessions: newSessionStore(), limits: newLimiter(cfg.Limits, cfg.Metrics.Registry)}
	if s.listStore == nil {
		s.listStore = &MemoryListStore{}
	}
	if s.switchBIC == "" {
		s.switchBIC = SwitchBICDefault
	}
	if s.settlementBankBIC == "" {
		s.settlementBankBIC = s.switchBIC
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.calendars == nil {
		set, err := calendar.Default(calendar.Edit{By: "startup", At: s.clock()})
		if err != nil {
			// The shipped data is checked by the calendar's tests; failing
			// to load it is a broken build.
			panic("http: load the shipped calendars: " + err.Error())
		}
		s.calendars = set
	}
	mux := http.NewServeMux()
	s.mux = mux
	s.route("POST /v1/ledger/accounts", s.admin(s.createAccounts))
	s.route("GET /v1/ledger/accounts", s.admin(s.listAccounts))
	s.route("GET /v1/ledger/accounts/{id}", s.admin(s.getAccount))
	s.route("GET /v1/ledger/accounts/{id}/balances", s.admin(s.getAccountBalances))
	s.route("POST /v1/ledger/transfers", s.admin(s.createTransfers))
	s.route("GET /v1/ledger/transfers/{id}", s.admin(s.getTransfer))
	s.route("GET /v1/ledger/totals", s.admin(s.getTotals))
	s.registerPayments()
	s.registerSettlement()
	s.registerISO20022()
	s.registerScreening()
	s.restoreScreening()
	s.registerTrade()
	// A registry serves one server: a second server on the same metrics
	// (tests) keeps the first collector.
	_ = cfg.Metrics.Registry.Register(newPaymentsCollector(s))
	_ = cfg.Metrics.Registry.Register(newLedgerCollector(s))
	s.registerCalendars()
	s.registerSessions()
	s.registerConsole()
	s.route("GET /healthz", s.healthz)
	// Browsers ask for an icon; an empty answer keeps their consoles clean.
	s.route("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.route("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPIDocument)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{}))
	s.routes = append(s.routes, "GET /metrics")
	s.route("GET /{$}", s.index)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem(http.StatusNotFound, "not_found", "", "no route for %s %s", r.Method, r.URL.Path))
	})
	return s
}

// Routes returns the patterns the server serves ("GET /v1/payments"), in
// the order they were registered; the catch-all is not one of them.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = strings.TrimSuffix(r, "{$}")
	}
	return out
}

// ServeHTTP implements http.Handler: the limits (limits.go), then the
// routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serveLimited(w, r) }

// route registers a handler with per-route metrics.
func (s *Server) route(pattern string, h http.HandlerFunc) {
	name := pattern
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(sw, r)
		s.metrics.requests.WithLabelValues(name, strconv.Itoa(sw.status)).Inc()
		s.metrics.requestSecs.WithLabelValues(name).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// HashToken returns the SHA-256 of a bearer token, the form in which
// tokens are kept.
func HashToken(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// admin lets a request through only with the operator's bearer token, or
// with the session cookie of an operator's console (session.go). The
// comparison is of hashes, in constant time.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			if s.adminSession(w, r, h) {
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="astara"`)
			writeProblem(w, problem(http.StatusUnauthorized, "unauthenticated", "", "an Authorization: Bearer <token> header is required"))
			return
		}
		got := HashToken(token)
		if subtle.ConstantTimeCompare(got[:], s.adminTokenHash[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="astara", error="invalid_token"`)
			writeProblem(w, problem(http.StatusUnauthorized, "invalid_token", "", "the bearer token is not valid"))
			return
		}
		h(w, r)
	}
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.ledger.Err(); err != nil {
		writeProblem(w, problem(http.StatusServiceUnavailable, "unavailable", "", "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if s.dashboard != nil {
		s.dashboard.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("Astara. The API is described at /openapi.json; metrics are at /metrics.\n"))
}

// serviceProblem maps a ledger.Service error to a problem.
func serviceProblem(err error) *Problem {
	switch {
	case errors.Is(err, ledger.ErrBatchTooLarge):
		return problem(http.StatusRequestEntityTooLarge, "batch_too_large", "", "%v", err)
	case errors.Is(err, ledger.ErrStopped):
		return problem(http.StatusServiceUnavailable, "stopping", "", "the server is shutting down; retry the same batch elsewhere or later")
	case errors.Is(err, context.DeadlineExceeded):
		return problem(http.StatusServiceUnavailable, "ledger_busy", "", "the ledger did not take the request within its time limit: nothing was applied; retry later (ids and Idempotency-Key make a retry safe)")
	case errors.Is(err, ledger.ErrJournalFailed):
		return problem(http.StatusServiceUnavailable, "journal_failed", "", "the journal could not make the batch durable; the node has stopped accepting writes. Retry the same batch after it restarts: ids make the retry safe")
	}
	return problem(http.StatusServiceUnavailable, "unavailable", "", "%v", err)
}
