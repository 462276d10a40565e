package http_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	astarahttp "astara/http"
	"astara/ledger"
)

// everyRate is r for the participants, the operator and the addresses,
// with the buckets' clock.
func everyRate(r astarahttp.RateLimit, clock *fakeClock) astarahttp.Limits {
	return astarahttp.Limits{Participant: r, Operator: r, Anonymous: r, Now: clock.Now}
}

// MustRateLimited requires a 429 rate_limited with Retry-After seconds.
func MustRateLimited(tb testing.TB, resp response, retryAfter string) {
	tb.Helper()
	MustProblem(tb, resp, http.StatusTooManyRequests, "rate_limited", "")
	if got := resp.Header.Get("Retry-After"); got != retryAfter {
		tb.Fatalf("Retry-After: got %q, want %q", got, retryAfter)
	}
}

// MustNotRateLimited requires any answer but a 429.
func MustNotRateLimited(tb testing.TB, resp response, what string) {
	tb.Helper()
	if resp.Status == http.StatusTooManyRequests {
		tb.Fatalf("%s: got 429 %s, want it let through", what, resp.Body)
	}
}

// serveFrom sends a request through the handler as if from remote, with
// a token ("" for none), and returns the status and Retry-After.
func serveFrom(s *testServer, remote, method, path, token string) (int, string) {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Retry-After")
}

func TestRateLimitOnePastTheBurst(t *testing.T) {
	const burst = 3
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: burst}
	for _, c := range []struct {
		name   string
		limits func(*fakeClock) astarahttp.Limits
		// send makes the i-th request of the caller.
		send func(t *testing.T, n *network, i int) response
		// ledgerOnly runs the case on a server without the network, whose
		// set-up is the operator's.
		ledgerOnly bool
	}{
		{"ParticipantKey", func(c *fakeClock) astarahttp.Limits { return astarahttp.Limits{Participant: limit, Now: c.Now} },
			func(t *testing.T, n *network, i int) response { return n.As(t, volga, "GET", "/v1/positions", nil) }, false},
		{"ParticipantKeysAndSessionsTogether", func(c *fakeClock) astarahttp.Limits { return astarahttp.Limits{Participant: limit, Now: c.Now} },
			func() func(t *testing.T, n *network, i int) response {
				var console *console
				return func(t *testing.T, n *network, i int) response {
					if console == nil {
						console = MustSignIn(t, n.testServer, n.keys[volga])
					}
					if i%2 == 0 {
						return console.Do(t, "GET", "/v1/positions", nil, false)
					}
					return n.As(t, volga, "GET", "/v1/positions", nil)
				}
			}(), false},
		{"Operator", func(c *fakeClock) astarahttp.Limits { return astarahttp.Limits{Operator: limit, Now: c.Now} },
			func(t *testing.T, n *network, i int) response { return n.Do(t, "GET", "/v1/ledger/totals", nil) }, true},
		{"AnonymousAddress", func(c *fakeClock) astarahttp.Limits { return astarahttp.Limits{Anonymous: limit, Now: c.Now} },
			func(t *testing.T, n *network, i int) response { return n.DoToken(t, "GET", "/healthz", nil, "") }, false},
		{"InvalidTokenCountsAgainstTheAddress", func(c *fakeClock) astarahttp.Limits { return astarahttp.Limits{Anonymous: limit, Now: c.Now} },
			func(t *testing.T, n *network, i int) response {
				if i%2 == 0 {
					return n.DoToken(t, "GET", "/v1/ledger/totals", nil, "not-a-token")
				}
				return n.DoToken(t, "GET", "/v1/positions", nil, "ak_0123456789abcdef_0123456789abcdef0123456789abcdef")
			}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			var n *network
			if c.ledgerOnly {
				n = &network{testServer: NewTestServer(t, serverOptions{limits: c.limits(clock)})}
			} else {
				n = newNetwork(t, serverOptions{limits: c.limits(clock)})
			}
			// The cleanup's checks are the operator's: leave them full
			// buckets.
			t.Cleanup(func() { clock.Advance(time.Hour) })
			for i := range burst {
				MustNotRateLimited(t, c.send(t, n, i), fmt.Sprintf("request %d of a burst of %d", i+1, burst))
			}
			MustRateLimited(t, c.send(t, n, burst), "1")
			clock.Advance(time.Second - time.Nanosecond)
			MustRateLimited(t, c.send(t, n, burst), "1")
			clock.Advance(time.Nanosecond)
			MustNotRateLimited(t, c.send(t, n, burst), "a request a second later")
			MustRateLimited(t, c.send(t, n, burst+1), "1")
		})
	}
}

func TestRateLimitDefaults(t *testing.T) {
	clock := newFakeClock(t0)
	s := NewTestServer(t, serverOptions{noNetwork: true, limits: astarahttp.Limits{Now: clock.Now}})
	t.Run("TheOperatorIsNotLimited", func(t *testing.T) {
		for i := range 3 * astarahttp.RateParticipantRequestsPerSecondDefault * astarahttp.RateBurstSecondsDefault {
			if status, _ := serveFrom(s, "192.0.2.1:1234", "GET", "/healthz", adminToken); status != http.StatusOK {
				t.Fatalf("operator request %d: got %d, want 200", i+1, status)
			}
		}
	})
	t.Run("AnAddressHasTwoSecondsOfItsRate", func(t *testing.T) {
		burst := astarahttp.RateAnonymousRequestsPerSecondDefault * astarahttp.RateBurstSecondsDefault
		for i := range burst {
			if status, _ := serveFrom(s, "192.0.2.2:1234", "GET", "/healthz", ""); status != http.StatusOK {
				t.Fatalf("anonymous request %d of %d: got %d, want 200", i+1, burst, status)
			}
		}
		if status, retry := serveFrom(s, "192.0.2.2:1234", "GET", "/healthz", ""); status != http.StatusTooManyRequests || retry != "1" {
			t.Fatalf("one past the default burst: got %d Retry-After %q, want 429 and 1", status, retry)
		}
		clock.Advance(time.Second / astarahttp.RateAnonymousRequestsPerSecondDefault)
		if status, _ := serveFrom(s, "192.0.2.2:1234", "GET", "/healthz", ""); status != http.StatusOK {
			t.Fatalf("one interval later: got %d, want 200", status)
		}
	})
}

func TestRateLimitedRequestChangesNothing(t *testing.T) {
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: 2}
	t.Run("APayment", func(t *testing.T) {
		clock := newFakeClock(t0)
		n := newNetwork(t, serverOptions{limits: astarahttp.Limits{Participant: limit, Now: clock.Now}})
		q := n.MustQuote(t, volga, rubQuote("150000.00"))
		n.MustPositions(t, volga) // the bucket's second token
		before := n.NetState(t)
		MustRateLimited(t, n.Pay(t, volga, "limited", rubPayment(q.ID)), "1")
		n.MustUnchanged(t, before)
		// Nothing was kept of it, not even its Idempotency-Key: the same
		// request, later, is a new payment.
		clock.Advance(time.Second)
		var p paymentOut
		MustJSON(t, n.Pay(t, volga, "limited", rubPayment(q.ID)), http.StatusCreated, &p)
		if p.Status != "reserved" {
			t.Fatalf("the payment sent again: got %s, want reserved", p.Status)
		}
	})
	t.Run("ALedgerBatch", func(t *testing.T) {
		clock := newFakeClock(t0)
		s := NewTestServer(t, serverOptions{limits: astarahttp.Limits{Operator: limit, Now: clock.Now}})
		t.Cleanup(func() { clock.Advance(time.Hour) })
		s.MustAccounts(t, accountIn{ID: uuid(1), Currency: "RUB", Code: 1}, accountIn{ID: uuid(2), Currency: "RUB", Code: 1})
		before := s.State(t) // the bucket's second token
		batch := transfersIn{[]transferIn{{ID: uuid(10), DebitAccountID: uuid(1), CreditAccountID: uuid(2), Amount: "1.00", Currency: "RUB", Code: 1}}}
		MustRateLimited(t, s.Do(t, "POST", "/v1/ledger/transfers", batch), "1")
		clock.Advance(time.Hour)
		if after := s.State(t); after != before {
			t.Fatalf("state: got %+v, want %+v", after, before)
		}
		if resp := s.Do(t, "GET", "/v1/ledger/transfers/"+uuid(10), nil); resp.Status != http.StatusNotFound {
			t.Fatalf("the refused transfer: got %d, want 404", resp.Status)
		}
	})
}

func TestRateLimitsCountEachCallerApart(t *testing.T) {
	clock := newFakeClock(t0)
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: 1}
	n := newNetwork(t, serverOptions{limits: astarahttp.Limits{Participant: limit, Anonymous: limit, Now: clock.Now}})
	t.Run("Participants", func(t *testing.T) {
		MustNotRateLimited(t, n.As(t, volga, "GET", "/v1/positions", nil), "volga's first")
		MustRateLimited(t, n.As(t, volga, "GET", "/v1/positions", nil), "1")
		MustNotRateLimited(t, n.As(t, caspian, "GET", "/v1/positions", nil), "caspian's first, after volga's last")
		MustNotRateLimited(t, n.Do(t, "GET", "/v1/ledger/totals", nil), "the operator's, after volga's last")
		MustNotRateLimited(t, n.DoToken(t, "GET", "/healthz", nil, ""), "the address's, after volga's last")
	})
	t.Run("Addresses", func(t *testing.T) {
		for _, c := range []struct {
			first, second string
			shared        bool
		}{
			{"198.51.100.1:1000", "198.51.100.1:2000", true},
			{"198.51.100.2:1000", "198.51.100.3:1000", false},
			{"198.51.100.4:1000", "[::ffff:198.51.100.4]:1000", true},
			{"[2001:db8:1:2::1]:1000", "[2001:db8:1:2:ffff::9]:1000", true}, // one /64
			{"[2001:db8:1:3::1]:1000", "[2001:db8:1:4::1]:1000", false},
		} {
			if status, _ := serveFrom(n.testServer, c.first, "GET", "/healthz", ""); status != http.StatusOK {
				t.Fatalf("%s: got %d, want 200", c.first, status)
			}
			status, _ := serveFrom(n.testServer, c.second, "GET", "/healthz", "")
			if shared := status == http.StatusTooManyRequests; shared != c.shared {
				t.Errorf("%s after %s: got %d, want one bucket: %v", c.second, c.first, status, c.shared)
			}
		}
	})
}

func TestRateLimitCountsACertificateAsItsParticipant(t *testing.T) {
	clock := newFakeClock(t0)
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: 2}
	n := newNetwork(t, serverOptions{limits: astarahttp.Limits{Participant: limit, Anonymous: limit, Now: clock.Now}})
	pki := MustNewTestPKI(t)
	srv := n.ServeTLS(t, pki)
	cert := pki.Client(t, volga)
	n.MustRegisterCertificate(t, volga, cert)
	// Over TLS with its certificate and no key, and with its key over
	// plain HTTP: one bucket, the bank's.
	MustNotRateLimited(t, srv.Do(t, &cert, "GET", "/v1/positions", nil, "", nil), "the certificate's first")
	MustNotRateLimited(t, n.As(t, volga, "GET", "/v1/positions", nil), "the key's first")
	MustRateLimited(t, srv.Do(t, &cert, "GET", "/v1/positions", nil, "", nil), "1")
	MustRateLimited(t, n.As(t, volga, "GET", "/v1/positions", nil), "1")
	// Not the address's: a request without credentials from it goes on.
	MustNotRateLimited(t, srv.Do(t, nil, "GET", "/healthz", nil, "", nil), "the address's first")
}

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	for _, c := range []struct {
		name      string
		perSecond float64
		advance   time.Duration // after the one request of the burst
		want      string
	}{
		{"AMillisecondIsOneSecond", 1000, 0, "1"},
		{"FourSecondsAreFour", 0.25, 0, "4"},
		{"TwoAndAHalfAreThree", 0.25, 1500 * time.Millisecond, "3"},
		{"ANanosecondIsOneSecond", 0.5, 2*time.Second - time.Nanosecond, "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			limit := astarahttp.RateLimit{RequestsPerSecond: c.perSecond, BurstRequests: 1}
			s := NewTestServer(t, serverOptions{noNetwork: true, limits: astarahttp.Limits{Anonymous: limit, Now: clock.Now}})
			if status, _ := serveFrom(s, "192.0.2.1:1", "GET", "/healthz", ""); status != http.StatusOK {
				t.Fatalf("first: got %d", status)
			}
			clock.Advance(c.advance)
			if status, got := serveFrom(s, "192.0.2.1:1", "GET", "/healthz", ""); status != http.StatusTooManyRequests || got != c.want {
				t.Fatalf("got %d Retry-After %q, want 429 %q", status, got, c.want)
			}
		})
	}
}

// TestRateLimiterUnderConcurrency sends from many goroutines at once, the
// clock stopped: exactly a burst of each caller's requests gets through.
// Run it with -race.
func TestRateLimiterUnderConcurrency(t *testing.T) {
	const (
		burst      = 100
		goroutines = 8
		each       = 40 // requests per goroutine and caller: 320 a caller
	)
	clock := newFakeClock(t0)
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: burst}
	n := newNetwork(t, serverOptions{noNetwork: true, limits: astarahttp.Limits{Participant: limit, Anonymous: limit, Now: clock.Now}})
	callers := []struct{ remote, token string }{
		{"192.0.2.1:1", n.keys[volga]},
		{"192.0.2.1:2", n.keys[caspian]},
		{"192.0.2.7:1", ""},
		{"[2001:db8::1]:1", ""},
	}
	admitted := make([]atomic.Int64, len(callers))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each * len(callers) {
				k := (g + i) % len(callers)
				status, _ := serveFrom(n.testServer, callers[k].remote, "GET", "/healthz", callers[k].token)
				switch status {
				case http.StatusOK:
					admitted[k].Add(1)
				case http.StatusTooManyRequests:
				default:
					t.Errorf("caller %d: got %d, want 200 or 429", k, status)
				}
			}
		}()
	}
	wg.Wait()
	for k := range callers {
		if got := admitted[k].Load(); got != burst {
			t.Errorf("caller %d: got %d requests through, want the burst, %d", k, got, burst)
		}
	}
}

// rateBuckets reads astara_http_rate_buckets of a class from /metrics.
func rateBuckets(tb testing.TB, s *testServer, class string) int {
	tb.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	sc := bufio.NewScanner(rec.Body)
	prefix := `astara_http_rate_buckets{class="` + class + `"} `
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatalf("%s: %v", sc.Text(), err)
			}
			return int(n)
		}
	}
	tb.Fatalf("no %s in /metrics", prefix)
	return 0
}

func TestRateBucketsAreBounded(t *testing.T) {
	clock := newFakeClock(t0)
	limit := astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: 1}
	s := NewTestServer(t, serverOptions{noNetwork: true, limits: astarahttp.Limits{Anonymous: limit, Now: clock.Now}})
	addr := func(i int) string { return fmt.Sprintf("10.%d.%d.%d:1", i>>16&0xff, i>>8&0xff, i&0xff) }
	send := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if status, _ := serveFrom(s, addr(i), "GET", "/favicon.ico", ""); status != http.StatusNoContent {
				t.Fatalf("%s, a new address: got %d, want 204", addr(i), status)
			}
		}
	}
	// Every bucket busy (the clock stopped): past the bound, the new
	// addresses take the places of the buckets nearest to full.
	const past = 1000
	send(0, astarahttp.RateBucketsMax+past)
	if got := rateBuckets(t, s, "anonymous"); got > astarahttp.RateBucketsMax || got < astarahttp.RateBucketsMax/2 {
		t.Fatalf("buckets after %d addresses: got %d, want at most RateBucketsMax, %d", astarahttp.RateBucketsMax+past, got, astarahttp.RateBucketsMax)
	}
	// Idle long enough to refill, the buckets are dropped for new ones.
	clock.Advance(time.Second)
	send(astarahttp.RateBucketsMax+past, 2*(astarahttp.RateBucketsMax+past))
	if got := rateBuckets(t, s, "anonymous"); got > astarahttp.RateBucketsMax {
		t.Fatalf("buckets after a second round: got %d, want at most %d", got, astarahttp.RateBucketsMax)
	}
}

func TestURLLengthLimit(t *testing.T) {
	s := NewTestServer(t)
	// target returns a path of exactly n bytes, with its query.
	target := func(path string, n int) string {
		path += "?pad="
		return path + strings.Repeat("x", n-len(path))
	}
	for _, c := range []struct {
		name   string
		target string
		status int
	}{
		{"AtTheLimit", target("/healthz", astarahttp.URLBytesMax), http.StatusOK},
		{"OnePastTheLimit", target("/healthz", astarahttp.URLBytesMax+1), http.StatusRequestURITooLong},
		{"OnePastOnARoute", target("/v1/ledger/totals", astarahttp.URLBytesMax+1), http.StatusRequestURITooLong},
		{"OnePastWhereNoRouteIs", target("/no/such/route", astarahttp.URLBytesMax+1), http.StatusRequestURITooLong},
		{"AtTheLimitWhereNoRouteIs", target("/no/such/route", astarahttp.URLBytesMax), http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.target) != astarahttp.URLBytesMax && len(c.target) != astarahttp.URLBytesMax+1 {
				t.Fatalf("target of %d bytes", len(c.target))
			}
			resp := s.Do(t, "GET", c.target, nil)
			if c.status == http.StatusRequestURITooLong {
				MustProblem(t, resp, c.status, "uri_too_long", "")
			} else if resp.Status != c.status {
				t.Fatalf("got %d %s, want %d", resp.Status, resp.Body, c.status)
			}
		})
	}
}

// TestRequestTimeout: the deadline stops a request from waiting to be
// taken by the ledger, and never cuts one it took: the answer always
// tells what was done.
func TestRequestTimeout(t *testing.T) {
	t.Run("ACommandTakenIsAnsweredPastTheDeadline", func(t *testing.T) {
		const timeout, held = 50 * time.Millisecond, 300 * time.Millisecond
		s := NewTestServer(t, serverOptions{limits: astarahttp.Limits{RequestTimeout: timeout}})
		s.MustAccounts(t, accountIn{ID: uuid(1), Currency: "RUB", Code: 1}, accountIn{ID: uuid(2), Currency: "RUB", Code: 1})
		// A reader holds the engine: the ledger journals the batch and
		// then waits to apply it.
		entered, release := make(chan struct{}), make(chan struct{})
		go s.Service.View(func(*ledger.Engine) { close(entered); <-release })
		<-entered
		time.AfterFunc(held, func() { close(release) })
		start := time.Now()
		results := s.CreateTransfers(t, transferIn{ID: uuid(10), DebitAccountID: uuid(1), CreditAccountID: uuid(2), Amount: "1.00", Currency: "RUB", Code: 1})
		if elapsed := time.Since(start); elapsed < held-10*time.Millisecond {
			t.Fatalf("answered in %v, want after the engine was released (%v)", elapsed, held)
		}
		if results[0] != "ok" {
			t.Fatalf("result: got %q, want ok", results[0])
		}
		s.Transfer(t, uuid(10))
	})
	t.Run("TheAnswerAlwaysTellsWhatWasDone", func(t *testing.T) {
		// A deadline already past when the request reaches the ledger:
		// the ledger either takes it or refuses it, at random, and the
		// answer must say which.
		s := NewTestServer(t, serverOptions{limits: astarahttp.Limits{RequestTimeout: time.Nanosecond}})
		for {
			resp := s.Do(t, "POST", "/v1/ledger/accounts", accountsIn{[]accountIn{{ID: uuid(1), Currency: "RUB", Code: 1}, {ID: uuid(2), Currency: "RUB", Code: 1}}})
			if resp.Status == http.StatusOK {
				break
			}
			MustProblem(t, resp, http.StatusServiceUnavailable, "ledger_busy", "")
		}
		applied, refused := 0, 0
		for i := range 64 {
			id := uuid(uint64(100 + i))
			resp := s.Do(t, "POST", "/v1/ledger/transfers", transfersIn{[]transferIn{{ID: id, DebitAccountID: uuid(1), CreditAccountID: uuid(2), Amount: "1.00", Currency: "RUB", Code: 1}}})
			got := s.Do(t, "GET", "/v1/ledger/transfers/"+id, nil).Status
			switch resp.Status {
			case http.StatusOK:
				applied++
				if got != http.StatusOK {
					t.Fatalf("transfer %d answered 200: got %d reading it, want 200", i, got)
				}
			case http.StatusServiceUnavailable:
				refused++
				MustProblem(t, resp, http.StatusServiceUnavailable, "ledger_busy", "")
				if got != http.StatusNotFound {
					t.Fatalf("transfer %d answered ledger_busy: got %d reading it, want 404", i, got)
				}
			default:
				t.Fatalf("transfer %d: got %d %s, want 200 or 503", i, resp.Status, resp.Body)
			}
		}
		if applied == 0 || refused == 0 {
			t.Fatalf("got %d applied and %d refused, want both outcomes among 64", applied, refused)
		}
	})
}

// TestOpenAPIDescribesTheLimits checks that every operation documents
// 414 and 429, and that every route answers them as documented.
func TestOpenAPIDescribesTheLimits(t *testing.T) {
	clock := newFakeClock(t0)
	limited := NewTestServer(t, serverOptions{limits: everyRate(astarahttp.RateLimit{RequestsPerSecond: 1, BurstRequests: 1}, clock)})
	t.Cleanup(func() { clock.Advance(time.Hour) })
	doc := MustOpenAPI(t, limited) // the address's one token
	for status, name := range map[int]string{http.StatusRequestURITooLong: "URITooLong", http.StatusTooManyRequests: "TooManyRequests"} {
		for _, r := range servedRoutes {
			method, path, _ := strings.Cut(r, " ")
			responses, _ := doc.operation(method, path)["responses"].(map[string]any)
			answer, _ := responses[strconv.Itoa(status)].(map[string]any)
			ref, _ := answer["$ref"].(string)
			if want := "#/components/responses/" + name; ref != want {
				t.Errorf("%s %d: got %q, want %s", r, status, ref, want)
			}
		}
	}
	if v, _ := doc.resolve("#/components/responses/URITooLong/description"); !strings.Contains(fmt.Sprint(v), strconv.Itoa(astarahttp.URLBytesMax)) {
		t.Errorf("URITooLong: got %q, want URLBytesMax (%d) named", v, astarahttp.URLBytesMax)
	}
	if _, err := doc.resolve("#/components/responses/TooManyRequests/headers/Retry-After"); err != nil {
		t.Errorf("TooManyRequests: %v, want Retry-After documented", err)
	}

	path := func(r string) (method, path string) {
		method, path, _ = strings.Cut(r, " ")
		return method, strings.NewReplacer("{id}", uuid(1), "{key_id}", "0123456789abcdef", "{uetr}", uuid(1), "{country}", "RU",
			"{source}-{target}", "RUB-IRR", "{name}", "x", "{ref}", "x", "{fingerprint}", strings.Repeat("ab", 32)).Replace(path)
	}
	t.Run("EveryRouteAnswers429", func(t *testing.T) {
		c := answerChecker{doc: doc, s: limited}
		MustNotRateLimited(t, limited.Do(t, "GET", "/healthz", nil), "the operator's one token")
		for _, r := range servedRoutes {
			method, p := path(r)
			resp := c.Check(t, method, p, nil, adminToken, nil)
			if resp.Status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
				t.Errorf("%s: got %d Retry-After %q, want 429 and 1", r, resp.Status, resp.Header.Get("Retry-After"))
			}
		}
	})
	t.Run("EveryRouteAnswers414", func(t *testing.T) {
		s := NewTestServer(t)
		c := answerChecker{doc: doc, s: s}
		for _, r := range servedRoutes {
			method, p := path(r)
			p += "?pad=" + strings.Repeat("x", astarahttp.URLBytesMax)
			if resp := c.Check(t, method, p, nil, adminToken, nil); resp.Status != http.StatusRequestURITooLong {
				t.Errorf("%s: got %d, want 414", r, resp.Status)
			}
		}
	})
}

// BenchmarkRateLimit measures what the limits cost a request: a cheap
// route through the whole handler, with no limits at all, with the request
// deadline only (a POST has one), and with the rate limits of each class
// of caller, never refusing. The differences are the limits' cost.
func BenchmarkRateLimit(b *testing.B) {
	off := astarahttp.RateLimit{Off: true}
	high := astarahttp.RateLimit{RequestsPerSecond: 1e9, BurstRequests: 1 << 30}
	n := newNetwork(b, serverOptions{noNetwork: true, noDoubleEntryCheck: true})
	key := n.keys[volga]
	none := astarahttp.Limits{Participant: off, Operator: off, Anonymous: off, RequestTimeout: -1}
	rates := astarahttp.Limits{Participant: high, Operator: high, Anonymous: high, RequestTimeout: -1}
	for _, c := range []struct {
		name   string
		limits astarahttp.Limits
		method string
		token  string
		status int
	}{
		{"None", none, "GET", key, http.StatusNoContent},
		{"Participant", rates, "GET", key, http.StatusNoContent},
		{"Operator", rates, "GET", adminToken, http.StatusNoContent},
		{"Anonymous", rates, "GET", "", http.StatusNoContent},
		// The catch-all answers the POST: 404, after the deadline is set.
		{"POSTNone", none, "POST", key, http.StatusNotFound},
		{"POSTDeadline", astarahttp.Limits{Participant: off, Operator: off, Anonymous: off}, "POST", key, http.StatusNotFound},
	} {
		// The same ledger and keys, a server with these limits.
		h := astarahttp.NewServer(astarahttp.Config{Ledger: n.Service, Metrics: astarahttp.NewMetrics(),
			AdminTokenHash: astarahttp.HashToken(adminToken), Clock: n.Clock.Now, Limits: c.limits})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(c.method, "/favicon.ico", nil)
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				rec := httptest.NewRecorder()
				for pb.Next() {
					rec.Body.Reset()
					h.ServeHTTP(rec, req)
				}
				if rec.Code != c.status {
					b.Errorf("got %d, want %d", rec.Code, c.status)
				}
			})
		})
	}
}
