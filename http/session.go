package http

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"astara/payments"
)

// Console sessions.
//
// The dashboard signs in once with the operator's token or a
// participant's API key (POST /ui/session) and from then on is known by
// a cookie, so that the token is not kept where the page's script could
// read it. The cookie is HttpOnly and SameSite=Strict (and Secure over
// TLS); the session's id is 32 random bytes, kept in memory only as its
// SHA-256, so a copy of the server's memory does not hold a usable
// cookie. A session counts as the token it signed in with on every API
// route, scoped as that token is: a participant's session sees its own
// bank only. A request made with the cookie that changes anything (any
// method but GET, HEAD and OPTIONS) must also carry the session's CSRF
// token in the X-CSRF-Token header, which a page on another site cannot
// read or set; it is an HMAC of the session id, so it is never stored.
// A bearer token, when a request has one, is used as before and the
// cookie is not looked at.
//
// Sessions live in the node's memory: a restart signs everyone out.

// Limits and names of console sessions.
const (
	// SessionCookieName is the cookie that carries a session's id.
	SessionCookieName = "astara_session"
	// CSRFHeader carries a session's CSRF token.
	CSRFHeader = "X-CSRF-Token"
	// SessionsLiveMax is the most sessions alive at once. A sign-in
	// beyond it is refused (503 sessions_limit_reached) until one ends:
	// refusing keeps the sessions of the people already at work, where
	// evicting one would let whoever signs in sign someone else out.
	SessionsLiveMax = 1000
	// SessionIdleMax is how long a session lives without a request. The
	// dashboard asks every few seconds while it is open.
	SessionIdleMax = 30 * time.Minute
	// SessionLifetimeMax is how long a session lives after its sign-in,
	// however busy.
	SessionLifetimeMax = 12 * time.Hour
	// SignInTokenBytesMax is the longest token a sign-in takes.
	SignInTokenBytesMax = 512
)

// sessionIDBytes is the randomness of a session id.
const sessionIDBytes = 32

// session is what the node knows of a signed-in console.
type session struct {
	operator    bool
	participant string // the participant's id, for a session of one of its keys
	keyID       string // the key it signed in with
	created     time.Time
	lastUsed    time.Time
}

// expiresAt is when the session ends if it is not used again.
func (x *session) expiresAt() time.Time {
	idle, lifetime := x.lastUsed.Add(SessionIdleMax), x.created.Add(SessionLifetimeMax)
	if idle.Before(lifetime) {
		return idle
	}
	return lifetime
}

// sessionStore holds the live sessions by the SHA-256 of their ids.
type sessionStore struct {
	mu   sync.Mutex
	live map[[sha256.Size]byte]*session
}

func newSessionStore() *sessionStore {
	return &sessionStore{live: map[[sha256.Size]byte]*session{}}
}

// errSessionsFull is create's refusal at SessionsLiveMax.
var errSessionsFull = errors.New("sessions: the limit of live sessions is reached")

// create adds x and returns its new id. Expired sessions are dropped
// first; at SessionsLiveMax live ones it refuses.
func (st *sessionStore) create(x session, now time.Time) (string, error) {
	var raw [sessionIDBytes]byte
	rand.Read(raw[:]) // crypto/rand never fails on the platforms Go supports
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	st.mu.Lock()
	defer st.mu.Unlock()
	for h, old := range st.live {
		if !now.Before(old.expiresAt()) {
			delete(st.live, h)
		}
	}
	if len(st.live) >= SessionsLiveMax {
		return "", errSessionsFull
	}
	x.created, x.lastUsed = now, now
	st.live[sha256.Sum256([]byte(id))] = &x
	return id, nil
}

// use returns a copy of the live session with id, marking it used now; an
// expired one is dropped and not returned.
func (st *sessionStore) use(id string, now time.Time) (session, bool) {
	h := sha256.Sum256([]byte(id))
	st.mu.Lock()
	defer st.mu.Unlock()
	x, ok := st.live[h]
	if !ok {
		return session{}, false
	}
	if !now.Before(x.expiresAt()) {
		delete(st.live, h)
		return session{}, false
	}
	x.lastUsed = now
	return *x, true
}

// remove ends the session with id, if it is live.
func (st *sessionStore) remove(id string) {
	h := sha256.Sum256([]byte(id))
	st.mu.Lock()
	delete(st.live, h)
	st.mu.Unlock()
}

// csrfToken is the CSRF token of the session with id: an HMAC of the id,
// so that only who holds the cookie can compute it, and nothing needs
// storing.
func csrfToken(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("astara/csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// safeMethod reports whether a request's method only reads.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func (s *Server) registerSessions() {
	s.route("GET /ui/session", s.getSession)
	s.route("POST /ui/session", s.signIn)
	s.route("DELETE /ui/session", s.signOut)
}

// sessionCaller resolves a request's session cookie. found is false when
// the request carries none. A cookie of no live session answers 401
// session_expired; a request that changes something without the
// session's CSRF token answers 403 csrf_token_invalid; a participant's
// session whose key has since been revoked ends, with a 401.
func (s *Server) sessionCaller(r *http.Request) (c caller, p *Problem, found bool) {
	cookie, err := r.Cookie(SessionCookieName)
	if err != nil || cookie.Value == "" {
		return caller{}, nil, false
	}
	x, ok := s.sessions.use(cookie.Value, s.now())
	if !ok {
		return caller{}, problem(http.StatusUnauthorized, "session_expired", "", "the console session has ended (signed out, expired, or the node restarted): sign in again"), true
	}
	if !safeMethod(r.Method) {
		want := csrfToken(cookie.Value)
		if got := r.Header.Get(CSRFHeader); subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return caller{}, problem(http.StatusForbidden, "csrf_token_invalid", CSRFHeader,
				"a %s made with the session cookie needs the session's CSRF token in the %s header", r.Method, CSRFHeader), true
		}
	}
	if x.operator {
		return caller{operator: true}, nil, true
	}
	s.paymentsView(func(m *payments.Machine) {
		if k, ok := m.Key(x.keyID); ok && !k.Revoked && k.Participant == x.participant {
			if who, ok := m.Participant(x.participant); ok {
				cp := *who
				c.participant = &cp
			}
		}
	})
	if c.participant == nil {
		s.sessions.remove(cookie.Value)
		return caller{}, problem(http.StatusUnauthorized, "session_expired", "", "the API key this session signed in with was revoked: sign in again"), true
	}
	return c, nil, true
}

// adminSession serves an operator route for a request that carries a
// session cookie and no bearer token, and reports whether it did (false:
// the request has no session cookie).
func (s *Server) adminSession(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) bool {
	c, p, found := s.sessionCaller(r)
	if !found {
		return false
	}
	if p == nil && !c.operator {
		p = problem(http.StatusUnauthorized, "invalid_token", "", "this route is the operator's; the session is %s's", c.participant.ID)
	}
	if p != nil {
		writeProblem(w, p)
		return true
	}
	h(w, r)
	return true
}

// sessionJSON is GET /ui/session's answer, and a sign-in's.
type sessionJSON struct {
	SignedIn    bool     `json:"signed_in"`
	Role        string   `json:"role,omitempty"` // operator or participant
	Participant string   `json:"participant,omitempty"`
	Name        string   `json:"name,omitempty"`
	Country     string   `json:"country,omitempty"`
	Currencies  []string `json:"currencies,omitempty"`
	KeyID       string   `json:"key_id,omitempty"`
	CSRFToken   string   `json:"csrf_token,omitempty"`
	ExpiresAt   string   `json:"expires_at,omitempty"`
}

// describe writes a live session for the console.
func (s *Server) describe(id string, x session) sessionJSON {
	out := sessionJSON{SignedIn: true, Role: "operator", CSRFToken: csrfToken(id), ExpiresAt: x.expiresAt().UTC().Format(time.RFC3339)}
	if x.operator {
		return out
	}
	out.Role, out.Participant, out.KeyID = "participant", x.participant, x.keyID
	s.paymentsView(func(m *payments.Machine) {
		if p, ok := m.Participant(x.participant); ok {
			out.Name, out.Country = p.Name, p.Country
			for _, c := range p.Currencies {
				out.Currencies = append(out.Currencies, c.String())
			}
		}
	})
	return out
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, id string) {
	c := &http.Cookie{Name: SessionCookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// getSession answers whether the request's cookie is a live session, and
// which: the dashboard asks on every load. A cookie of no live session is
// cleared.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie(SessionCookieName)
	if err != nil || cookie.Value == "" {
		writeJSON(w, http.StatusOK, sessionJSON{})
		return
	}
	if _, p, _ := s.sessionCaller(r); p != nil {
		setSessionCookie(w, r, "")
		writeJSON(w, http.StatusOK, sessionJSON{})
		return
	}
	x, _ := s.sessions.use(cookie.Value, s.now())
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.describe(cookie.Value, x))
}

// signIn exchanges the operator's token or a participant's API key for a
// session. The body must be JSON: a form on another site cannot post
// one, so no site can sign a browser in to a session of its choosing.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeProblem(w, problem(http.StatusUnsupportedMediaType, "content_type_unsupported", "Content-Type", "a sign-in is a JSON body: Content-Type: application/json"))
		return
	}
	var req struct {
		Token string `json:"token"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	token := strings.TrimSpace(req.Token)
	switch {
	case token == "":
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "token", "token is the operator's token or one of a participant's API keys"))
		return
	case len(token) > SignInTokenBytesMax:
		writeProblem(w, problem(http.StatusBadRequest, "token_too_long", "token", "token holds %d bytes; at most %d", len(token), SignInTokenBytesMax))
		return
	}
	// The token is checked exactly as a bearer token would be.
	c, p := s.authenticate(&http.Request{Header: http.Header{"Authorization": {"Bearer " + token}}})
	if p != nil {
		writeProblem(w, problem(http.StatusUnauthorized, "invalid_token", "token", "the token is neither the operator's nor a participant's API key in force"))
		return
	}
	x := session{operator: c.operator}
	if c.participant != nil {
		keyID, _, _ := splitKey(token)
		x.participant, x.keyID = c.participant.ID, keyID
	}
	// A sign-in always makes a new session: an id a page may have been
	// given before (session fixation) never becomes a signed-in one.
	if old, err := r.Cookie(SessionCookieName); err == nil {
		s.sessions.remove(old.Value)
	}
	id, err := s.sessions.create(x, s.now())
	if err != nil {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, problem(http.StatusServiceUnavailable, "sessions_limit_reached", "",
			"%d console sessions are live, the most the node keeps: sign out elsewhere, or wait for one to expire", SessionsLiveMax))
		return
	}
	if x.operator {
		// The operator's sign-in is an action of its own in the audit
		// log; one that cannot be recorded does not happen.
		sum := sha256.Sum256([]byte(id))
		if p := s.audit(r.Context(), "console_signed_in", "session "+hex.EncodeToString(sum[:4]), "from "+r.RemoteAddr); p != nil {
			s.sessions.remove(id)
			writeProblem(w, p)
			return
		}
	}
	x, _ = s.sessions.use(id, s.now())
	setSessionCookie(w, r, id)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, s.describe(id, x))
}

// signOut ends the request's session and clears its cookie. Ending a live
// session changes something, so it needs the CSRF token; a request with
// no live session has nothing to end, and is answered the same.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie(SessionCookieName)
	if err == nil && cookie.Value != "" {
		if _, p, _ := s.sessionCaller(r); p != nil && p.Status == http.StatusForbidden {
			writeProblem(w, p)
			return
		}
		s.sessions.remove(cookie.Value)
	}
	setSessionCookie(w, r, "")
	w.WriteHeader(http.StatusNoContent)
}
