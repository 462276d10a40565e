package http_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	astarahttp "astara/http"
)

// sessionOut is a console session as GET /ui/session and a sign-in answer
// it.
type sessionOut struct {
	SignedIn    bool     `json:"signed_in"`
	Role        string   `json:"role"`
	Participant string   `json:"participant"`
	Name        string   `json:"name"`
	Country     string   `json:"country"`
	Currencies  []string `json:"currencies"`
	KeyID       string   `json:"key_id"`
	CSRFToken   string   `json:"csrf_token"`
	ExpiresAt   string   `json:"expires_at"`
}

// console is a browser's side of a session: its cookie and CSRF token.
type console struct {
	s       *testServer
	cookie  string // the session id, as the cookie carries it
	csrf    string
	session sessionOut
}

// sessionCookie returns the astara_session cookie an answer sets, or nil.
func sessionCookie(resp response) *http.Cookie {
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if c.Name == astarahttp.SessionCookieName {
			return c
		}
	}
	return nil
}

// signIn posts a sign-in with token as JSON.
func signIn(tb testing.TB, s *testServer, token string) response {
	tb.Helper()
	return s.DoToken(tb, "POST", "/ui/session", map[string]string{"token": token}, "")
}

// MustSignIn signs in with token and returns the console's session.
func MustSignIn(tb testing.TB, s *testServer, token string) *console {
	tb.Helper()
	resp := signIn(tb, s, token)
	var out sessionOut
	MustJSON(tb, resp, http.StatusCreated, &out)
	c := sessionCookie(resp)
	if c == nil || c.Value == "" {
		tb.Fatalf("sign-in set no %s cookie: %v", astarahttp.SessionCookieName, resp.Header.Values("Set-Cookie"))
	}
	if !out.SignedIn || out.CSRFToken == "" {
		tb.Fatalf("sign-in answered %+v, want signed in with a CSRF token", out)
	}
	return &console{s: s, cookie: c.Value, csrf: out.CSRFToken, session: out}
}

// Do sends a request with the session's cookie; withCSRF adds its token.
func (c *console) Do(tb testing.TB, method, path string, body any, withCSRF bool) response {
	tb.Helper()
	h := http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + c.cookie}}
	if withCSRF {
		h.Set(astarahttp.CSRFHeader, c.csrf)
	}
	return c.s.DoHeader(tb, method, path, body, "", h)
}

func TestConsoleSessionSignIn(t *testing.T) {
	s := NewTestServer(t)
	checker := answerChecker{doc: MustOpenAPI(t, s), s: s}
	t.Run("TheOperatorsTokenGivesAnHttpOnlyStrictCookie", func(t *testing.T) {
		resp := checker.Accepted(t, "POST", "/ui/session", map[string]string{"token": adminToken}, "", nil, http.StatusCreated)
		c := sessionCookie(resp)
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.MaxAge != 0 {
			t.Fatalf("Set-Cookie: got %v, want astara_session, HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP, a browser-session cookie",
				resp.Header.Values("Set-Cookie"))
		}
		if len(c.Value) < 43 {
			t.Errorf("the session id is %d characters, want 32 random bytes (43 in base64)", len(c.Value))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		var out sessionOut
		MustJSON(t, resp, http.StatusCreated, &out)
		if out.Role != "operator" || out.Participant != "" {
			t.Errorf("session: got %+v, want the operator's", out)
		}
		if at, err := time.Parse(time.RFC3339, out.ExpiresAt); err != nil || !at.Equal(t0.Add(astarahttp.SessionIdleMax)) {
			t.Errorf("expires_at: got %q (%v), want %v, the idle limit from now", out.ExpiresAt, err, t0.Add(astarahttp.SessionIdleMax))
		}
	})
	t.Run("TheCookieCountsAsTheToken", func(t *testing.T) {
		c := MustSignIn(t, s, adminToken)
		if resp := c.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
			t.Fatalf("GET /v1/ledger/totals with the cookie: got %d %s, want 200", resp.Status, resp.Body)
		}
		var out sessionOut
		MustJSON(t, checker.Check(t, "GET", "/ui/session", nil, "", http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + c.cookie}}), http.StatusOK, &out)
		if !out.SignedIn || out.Role != "operator" || out.CSRFToken != c.csrf {
			t.Errorf("GET /ui/session: got %+v, want the operator's session with the CSRF token given at sign-in", out)
		}
	})
	t.Run("NoCookieIsSignedOut", func(t *testing.T) {
		var out sessionOut
		MustJSON(t, checker.Check(t, "GET", "/ui/session", nil, "", nil), http.StatusOK, &out)
		if out.SignedIn || out.CSRFToken != "" {
			t.Errorf("GET /ui/session without a cookie: got %+v, want signed_in false and nothing else", out)
		}
	})
	t.Run("EachSignInIsANewSession", func(t *testing.T) {
		a := MustSignIn(t, s, adminToken)
		h := http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + a.cookie}}
		resp := s.DoHeader(t, "POST", "/ui/session", map[string]string{"token": adminToken}, "", h)
		b := sessionCookie(resp)
		if resp.Status != http.StatusCreated || b == nil || b.Value == a.cookie {
			t.Fatalf("sign-in with a session cookie: got %d and cookie %v, want 201 and a new id", resp.Status, b)
		}
		if old := a.Do(t, "GET", "/v1/ledger/totals", nil, false); old.Status != http.StatusUnauthorized {
			t.Errorf("the replaced session: got %d, want 401", old.Status)
		}
	})
	for _, c := range []struct {
		name        string
		body        any
		contentType string
		status      int
		code, field string
	}{
		{"AWrongTokenIsRefused", map[string]string{"token": "not-the-token"}, "application/json", http.StatusUnauthorized, "invalid_token", "token"},
		{"ARevokedLookingKeyIsRefused", map[string]string{"token": "ak_0123456789abcdef_0123456789abcdef0123456789abcdef"}, "application/json", http.StatusUnauthorized, "invalid_token", "token"},
		{"AnEmptyTokenIsRefused", map[string]string{"token": "  "}, "application/json", http.StatusBadRequest, "field_required", "token"},
		{"ATokenOverTheLimitIsRefused", map[string]string{"token": strings.Repeat("x", astarahttp.SignInTokenBytesMax+1)}, "application/json", http.StatusBadRequest, "token_too_long", "token"},
		{"AnUnknownFieldIsRefused", map[string]string{"token": adminToken, "remember": "yes"}, "application/json", http.StatusBadRequest, "json_invalid", ""},
		{"AFormIsRefused", "token=" + adminToken, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "content_type_unsupported", "Content-Type"},
		{"NoContentTypeIsRefused", `{"token":"` + adminToken + `"}`, "", http.StatusUnsupportedMediaType, "content_type_unsupported", "Content-Type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var resp response
			if c.contentType == "application/json" {
				resp = checker.Check(t, "POST", "/ui/session", c.body, "", nil)
			} else {
				req := httptest.NewRequest("POST", "/ui/session", strings.NewReader(c.body.(string)))
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				rec := httptest.NewRecorder()
				s.Handler.ServeHTTP(rec, req)
				resp = response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			}
			MustProblem(t, resp, c.status, c.code, c.field)
			if sessionCookie(resp) != nil {
				t.Errorf("a refused sign-in set a cookie: %v", resp.Header.Values("Set-Cookie"))
			}
		})
	}
	t.Run("SecureOverTLS", func(t *testing.T) {
		srv := httptest.NewTLSServer(s.Handler)
		defer srv.Close()
		client := srv.Client()
		client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		resp, err := client.Post(srv.URL+"/ui/session", "application/json", strings.NewReader(`{"token":"`+adminToken+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		var c *http.Cookie
		for _, x := range resp.Cookies() {
			if x.Name == astarahttp.SessionCookieName {
				c = x
			}
		}
		if resp.StatusCode != http.StatusCreated || c == nil || !c.Secure || !c.HttpOnly {
			t.Fatalf("sign-in over TLS: got %d with %v, want 201 and a Secure, HttpOnly cookie", resp.StatusCode, resp.Header.Values("Set-Cookie"))
		}
	})
}

func TestConsoleSessionCSRF(t *testing.T) {
	n := newNetwork(t)
	op := MustSignIn(t, n.testServer, adminToken)
	before := n.NetState(t)
	for _, c := range []struct {
		name   string
		header string // the X-CSRF-Token sent; "-" sends none
	}{
		{"WithoutTheToken", "-"},
		{"WithAnEmptyToken", ""},
		{"WithAnotherSessionsToken", MustSignIn(t, n.testServer, adminToken).csrf},
		{"WithTheCookieItselfAsTheToken", op.cookie},
	} {
		t.Run("AChangeIsRefused"+c.name, func(t *testing.T) {
			h := http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + op.cookie}}
			if c.header != "-" {
				h.Set(astarahttp.CSRFHeader, c.header)
			}
			resp := n.DoHeader(t, "POST", "/v1/participants", participantIn{ID: "NEWBRUMM", Name: "New Bank", Country: "RU", Currencies: []string{"RUB"}}, "", h)
			MustProblem(t, resp, http.StatusForbidden, "csrf_token_invalid", astarahttp.CSRFHeader)
			if after := n.NetState(t); after != before {
				t.Fatalf("a refused request changed the state: got %+v, want %+v", after, before)
			}
		})
	}
	t.Run("AReadNeedsNoToken", func(t *testing.T) {
		if resp := op.Do(t, "GET", "/v1/participants", nil, false); resp.Status != http.StatusOK {
			t.Fatalf("GET with the cookie and no CSRF token: got %d %s, want 200", resp.Status, resp.Body)
		}
	})
	t.Run("AChangeWithTheTokenIsMade", func(t *testing.T) {
		resp := op.Do(t, "POST", "/v1/participants", participantIn{ID: "NEWBRUMM", Name: "New Bank", Country: "RU", Currencies: []string{"RUB"}}, true)
		if resp.Status != http.StatusCreated {
			t.Fatalf("POST with the cookie and its CSRF token: got %d %s, want 201", resp.Status, resp.Body)
		}
	})
	t.Run("ABearerTokenNeedsNoCSRFToken", func(t *testing.T) {
		h := http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + op.cookie}}
		resp := n.DoHeader(t, "POST", "/v1/participants", participantIn{ID: "NEWCRUMM", Name: "Newer Bank", Country: "RU", Currencies: []string{"RUB"}}, adminToken, h)
		if resp.Status != http.StatusCreated {
			t.Fatalf("POST with a bearer token (and a cookie): got %d %s, want 201", resp.Status, resp.Body)
		}
	})
}

func TestConsoleSessionSignOut(t *testing.T) {
	s := NewTestServer(t)
	c := MustSignIn(t, s, adminToken)
	t.Run("NeedsTheCSRFToken", func(t *testing.T) {
		MustProblem(t, c.Do(t, "DELETE", "/ui/session", nil, false), http.StatusForbidden, "csrf_token_invalid", astarahttp.CSRFHeader)
		if resp := c.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
			t.Fatalf("after a refused sign-out: got %d, want the session still live", resp.Status)
		}
	})
	t.Run("EndsTheSessionAndClearsTheCookie", func(t *testing.T) {
		resp := c.Do(t, "DELETE", "/ui/session", nil, true)
		cleared := sessionCookie(resp)
		if resp.Status != http.StatusNoContent || cleared == nil || cleared.MaxAge >= 0 && cleared.Value != "" {
			t.Fatalf("sign-out: got %d with %v, want 204 and the cookie cleared", resp.Status, resp.Header.Values("Set-Cookie"))
		}
		MustProblem(t, c.Do(t, "GET", "/v1/ledger/totals", nil, false), http.StatusUnauthorized, "session_expired", "")
		var out sessionOut
		MustJSON(t, c.Do(t, "GET", "/ui/session", nil, false), http.StatusOK, &out)
		if out.SignedIn {
			t.Errorf("GET /ui/session after sign-out: got %+v, want signed out", out)
		}
	})
	t.Run("WithNoSessionIsAnsweredTheSame", func(t *testing.T) {
		if resp := c.Do(t, "DELETE", "/ui/session", nil, false); resp.Status != http.StatusNoContent {
			t.Fatalf("sign-out of an ended session: got %d %s, want 204", resp.Status, resp.Body)
		}
		if resp := s.DoToken(t, "DELETE", "/ui/session", nil, ""); resp.Status != http.StatusNoContent {
			t.Fatalf("sign-out without a cookie: got %d %s, want 204", resp.Status, resp.Body)
		}
	})
	t.Run("AnUnknownCookieIsNotASession", func(t *testing.T) {
		h := http.Header{"Cookie": {astarahttp.SessionCookieName + "=" + strings.Repeat("A", 43)}}
		MustProblem(t, s.DoHeader(t, "GET", "/v1/ledger/totals", nil, "", h), http.StatusUnauthorized, "session_expired", "")
	})
}

func TestConsoleSessionExpiry(t *testing.T) {
	s := NewTestServer(t)
	t.Run("AfterSessionIdleMaxWithoutARequest", func(t *testing.T) {
		c := MustSignIn(t, s, adminToken)
		s.Clock.Advance(astarahttp.SessionIdleMax - time.Second)
		if resp := c.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
			t.Fatalf("a second before the idle limit: got %d, want 200", resp.Status)
		}
		s.Clock.Advance(astarahttp.SessionIdleMax - time.Second)
		if resp := c.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
			t.Fatalf("used within the idle limit again: got %d, want 200 (each request renews it)", resp.Status)
		}
		s.Clock.Advance(astarahttp.SessionIdleMax)
		MustProblem(t, c.Do(t, "GET", "/v1/ledger/totals", nil, false), http.StatusUnauthorized, "session_expired", "")
	})
	t.Run("AfterSessionLifetimeMaxHoweverBusy", func(t *testing.T) {
		c := MustSignIn(t, s, adminToken)
		step := astarahttp.SessionIdleMax / 2
		for elapsed := step; elapsed < astarahttp.SessionLifetimeMax; elapsed += step {
			s.Clock.Advance(step)
			if resp := c.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
				t.Fatalf("%v after sign-in, used every %v: got %d, want 200", elapsed, step, resp.Status)
			}
		}
		s.Clock.Advance(step)
		MustProblem(t, c.Do(t, "GET", "/v1/ledger/totals", nil, false), http.StatusUnauthorized, "session_expired", "")
	})
}

func TestConsoleSessionLimit(t *testing.T) {
	// A thousand sign-ins from one address in a few milliseconds are far
	// over the anonymous rate limit, which is not what this test is about.
	s := NewTestServer(t, serverOptions{limits: astarahttp.Limits{Anonymous: astarahttp.RateLimit{Off: true}}})
	var first *console
	for i := range astarahttp.SessionsLiveMax {
		c := MustSignIn(t, s, adminToken)
		if i == 0 {
			first = c
		}
	}
	t.Run("OnePastTheLimitIsRefused", func(t *testing.T) {
		resp := signIn(t, s, adminToken)
		MustProblem(t, resp, http.StatusServiceUnavailable, "sessions_limit_reached", "")
		if resp.Header.Get("Retry-After") == "" || sessionCookie(resp) != nil {
			t.Errorf("refused sign-in: got Retry-After %q and cookies %v, want a Retry-After and no cookie", resp.Header.Get("Retry-After"), resp.Header.Values("Set-Cookie"))
		}
		if resp := first.Do(t, "GET", "/v1/ledger/totals", nil, false); resp.Status != http.StatusOK {
			t.Errorf("the sessions already live: got %d, want them kept", resp.Status)
		}
	})
	t.Run("ASignOutMakesRoom", func(t *testing.T) {
		if resp := first.Do(t, "DELETE", "/ui/session", nil, true); resp.Status != http.StatusNoContent {
			t.Fatalf("sign-out: got %d", resp.Status)
		}
		MustSignIn(t, s, adminToken)
		MustProblem(t, signIn(t, s, adminToken), http.StatusServiceUnavailable, "sessions_limit_reached", "")
	})
	t.Run("ExpiredSessionsMakeRoom", func(t *testing.T) {
		s.Clock.Advance(astarahttp.SessionIdleMax)
		MustSignIn(t, s, adminToken)
	})
}

func TestConsoleSessionOfAParticipant(t *testing.T) {
	n := newNetwork(t)
	toCaspian := n.SendRUB(t, "1000.00")
	c := MustSignIn(t, n.testServer, n.keys[caspian])
	t.Run("IsTheParticipants", func(t *testing.T) {
		if s := c.session; s.Role != "participant" || s.Participant != caspian || s.Name != "Caspian Bank" || s.Country != "IR" ||
			len(s.Currencies) != 1 || s.Currencies[0] != "IRR" || s.KeyID != n.participants[caspian].KeyID {
			t.Fatalf("session: got %+v, want Caspian Bank's, signed in with its first key", s)
		}
	})
	// Every payment of the network has Caspian Bank on one side; Kama Bank
	// is on one side of some only.
	kamaConsole := MustSignIn(t, n.testServer, n.keys[kama])
	t.Run("SeesItsOwnPaymentsOnly", func(t *testing.T) {
		q := n.MustQuote(t, caspian, quoteIn{ReceivingParticipant: kama, SourceCurrency: "IRR", TargetCurrency: "RUB", TargetAmount: "1000.00"})
		toKama := n.MustPay(t, caspian, paymentIn{QuoteID: q.ID, Debtor: irDebtor, Creditor: rubCreditor, Purpose: "OTHR"})
		for _, path := range []string{"/v1/payments", "/v1/payments/search", "/v1/payments?order=newest&limit=10"} {
			var page paymentsPage
			MustJSON(t, kamaConsole.Do(t, "GET", path, nil, false), http.StatusOK, &page)
			if len(page.Payments) != 1 || page.Payments[0].UETR != toKama.UETR {
				t.Errorf("GET %s as Kama Bank: got %d payments, want only the one to it, %s", path, len(page.Payments), toKama.UETR)
			}
		}
		var page paymentsPage
		MustJSON(t, c.Do(t, "GET", "/v1/payments", nil, false), http.StatusOK, &page)
		if len(page.Payments) != 2 {
			t.Errorf("GET /v1/payments as Caspian Bank: got %d payments, want its 2", len(page.Payments))
		}
	})
	t.Run("GetsNotFoundForAnotherBanksPayment", func(t *testing.T) {
		MustProblem(t, kamaConsole.Do(t, "GET", "/v1/payments/"+toCaspian.UETR, nil, false), http.StatusNotFound, "payment_not_found", "uetr")
		for _, path := range []string{"/v1/payments/" + toCaspian.UETR + "/messages", "/iso20022/pacs.008/" + toCaspian.UETR} {
			if resp := kamaConsole.Do(t, "GET", path, nil, false); resp.Status != http.StatusNotFound {
				t.Errorf("GET %s as another bank: got %d %s, want 404", path, resp.Status, resp.Body)
			}
		}
		MustProblem(t, kamaConsole.Do(t, "POST", "/v1/payments/"+toCaspian.UETR+"/accept", nil, true), http.StatusNotFound, "payment_not_found", "uetr")
		var page paymentsPage
		MustJSON(t, kamaConsole.Do(t, "GET", "/v1/payments/search?uetr="+toCaspian.UETR, nil, false), http.StatusOK, &page)
		if len(page.Payments) != 0 {
			t.Errorf("a search for another bank's UETR: got %d payments, want none", len(page.Payments))
		}
	})
	t.Run("CannotUseTheOperatorsRoutes", func(t *testing.T) {
		for _, path := range []string{"/v1/ledger/totals", "/v1/participants", "/v1/participants/positions", "/v1/payments/" + toCaspian.UETR + "/transfers"} {
			MustProblem(t, c.Do(t, "GET", path, nil, false), http.StatusUnauthorized, "invalid_token", "")
		}
	})
	t.Run("ActsForItsBankWithTheCSRFToken", func(t *testing.T) {
		MustProblem(t, c.Do(t, "POST", "/v1/payments/"+toCaspian.UETR+"/accept", nil, false), http.StatusForbidden, "csrf_token_invalid", astarahttp.CSRFHeader)
		var p paymentOut
		MustJSON(t, c.Do(t, "POST", "/v1/payments/"+toCaspian.UETR+"/accept", nil, true), http.StatusOK, &p)
		if p.Status != "completed" {
			t.Fatalf("accepted with the session: got %s, want completed", p.Status)
		}
		var pos positionsOut
		MustJSON(t, c.Do(t, "GET", "/v1/positions", nil, false), http.StatusOK, &pos)
		if pos.Participant != caspian {
			t.Errorf("positions: got %s's, want Caspian's", pos.Participant)
		}
	})
	t.Run("EndsWhenItsKeyIsRevoked", func(t *testing.T) {
		var k keyOut
		MustJSON(t, n.Do(t, "POST", "/v1/participants/"+caspian+"/keys", nil), http.StatusCreated, &k)
		second := MustSignIn(t, n.testServer, k.APIKey)
		if resp := n.Do(t, "DELETE", "/v1/participants/"+caspian+"/keys/"+k.KeyID, nil); resp.Status != http.StatusNoContent {
			t.Fatalf("revoke: got %d %s", resp.Status, resp.Body)
		}
		MustProblem(t, second.Do(t, "GET", "/v1/positions", nil, false), http.StatusUnauthorized, "session_expired", "")
		if resp := c.Do(t, "GET", "/v1/positions", nil, false); resp.Status != http.StatusOK {
			t.Errorf("the session of the key still in force: got %d, want 200", resp.Status)
		}
		MustProblem(t, signIn(t, n.testServer, k.APIKey), http.StatusUnauthorized, "invalid_token", "token")
	})
}
