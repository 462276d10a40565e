package http

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"astara/payments"
)

// Limits on requests, applied to every request before it is routed
// (ServeHTTP): the rate of its caller, the length of its URL, and the time
// it may wait for the ledger.
//
// Rates. Each caller has a token bucket: each participant (all its keys,
// client certificates and console sessions together), the operator (all
// its tokens and sessions together), and each remote address that brings
// no valid credentials (an IPv6 address counts by its /64, which one host
// usually holds whole). A request that finds its bucket empty answers 429
// rate_limited with Retry-After, before any handler runs: it reads
// nothing and changes nothing. The caller is resolved as authentication
// resolves it (a registered client certificate, a bearer token, else the
// console's session cookie), but without its side effects; a token that
// is not valid counts against the address it came from, so guessing
// tokens is limited too. Behind a
// reverse proxy every anonymous request comes from the proxy's address:
// raise the anonymous rate there, or limit at the proxy; X-Forwarded-For
// is not trusted, since anyone can write it.
//
// The buckets are the generic cell rate algorithm, which is a token
// bucket kept as one number: the theoretical arrival time (TAT) of the
// caller's next request, in nanoseconds. A request at now is let through
// when max(TAT, now) + interval - burst×interval <= now, that is when the
// bucket holds a token, and TAT becomes max(TAT, now) + interval. A
// bucket whose TAT has passed is full, the same as no bucket at all, so
// buckets idle long enough to refill are dropped without losing anything.
// The buckets of participants and of addresses are kept in maps of
// rateShards shards, each under its own mutex, of at most RateBucketsMax
// buckets in all: a shard that is full first drops full buckets among a
// sample, and if none is full, the one of the sample nearest to full,
// whose caller then starts again with a full bucket. Memory is bounded
// whatever the number of addresses; limits stay exact while the callers
// busy at once fit (a shard holds RateBucketsMax/rateShards of them, and a
// seeded hash spreads callers over the shards).
//
// Time. A request that may change something (any method but GET, HEAD
// and OPTIONS) has a context with a deadline RequestTimeout after its
// headers were read. The ledger stops waiting to take a command when the
// deadline passes (503 ledger_busy, nothing applied), but a command it has
// taken is applied and answered with its outcome, however long that
// takes: the deadline never cuts a journaled write in half, which
// http.TimeoutHandler would (it answers 503 while the handler goes on, so
// an applied payment would be reported as failed). Reads never wait for
// the ledger's queue, only for the apply of one batch, so they go without
// a deadline and its cost (five allocations). Handlers that compute
// without waiting are not interrupted; the server's ReadTimeout and
// WriteTimeout (cmd/astara) bound the rest.

// Limits of requests, checked before they are routed.
const (
	// URLBytesMax is the longest request target (path and query) served;
	// a longer one answers 414 uri_too_long. The API's own longest URLs,
	// listings with every filter and a cursor, are under 512 bytes.
	URLBytesMax = 8 << 10
	// RequestTimeoutDefault is how long a request that may change
	// something may wait, from the end of its headers, for the ledger to
	// take its command. It is as long as cmd/astara's default ReadTimeout,
	// so that a body that arrives in time never finds its deadline past.
	RequestTimeoutDefault = 60 * time.Second
	// RateParticipantRequestsPerSecondDefault is each participant's rate.
	// A payment takes its banks two or three requests, so this is about
	// 400 payments a second from one bank, far beyond any bank's traffic
	// on the switch's corridors, while one bank's runaway client cannot
	// take more than about a tenth of a node (astara bench payments
	// measures some 10,000 requests a second on two cores).
	RateParticipantRequestsPerSecondDefault = 1000
	// RateAnonymousRequestsPerSecondDefault is each remote address's rate
	// without valid credentials: health checks, metrics scrapes, the
	// dashboard's page and its sign-in, the OpenAPI document, and refused
	// tokens. A page load is about ten requests.
	RateAnonymousRequestsPerSecondDefault = 50
	// RateBurstSecondsDefault sizes a bucket whose BurstRequests is not
	// given: this many seconds of its rate. A bank catching up after an
	// outage (reading back thousands of payments, sending again those it
	// holds) runs at full speed for a few seconds; a runaway client is
	// held to the rate after them.
	RateBurstSecondsDefault = 5
	// RateBucketsMax is the most buckets each of the participants' and
	// the addresses' maps keeps: 64 Ki buckets of about 50 bytes each.
	RateBucketsMax = 1 << 16
)

const (
	// rateShards splits each map of buckets, so that callers seldom wait
	// for each other's mutex.
	rateShards = 64
	// rateShardBucketsMax is one shard's share of RateBucketsMax.
	rateShardBucketsMax = RateBucketsMax / rateShards
	// rateEvictScanMax is how many buckets a full shard looks at to
	// choose which to drop: bounded work per new caller, whatever the map
	// holds.
	rateEvictScanMax = 32
	// anonymousIPv6PrefixBits is how much of an IPv6 address makes one
	// anonymous caller.
	anonymousIPv6PrefixBits = 64
	// nanosecondsPerSecond converts a rate to an interval.
	nanosecondsPerSecond = int64(time.Second)
)

// RateLimit sizes the token buckets of one class of callers. The zero
// value is the class's default.
type RateLimit struct {
	// RequestsPerSecond is the rate at which the bucket refills; zero
	// means the class's default.
	RequestsPerSecond float64
	// BurstRequests is the size of the bucket: how many requests a caller
	// that has been quiet may send at once. Zero means
	// RateBurstSecondsDefault seconds of RequestsPerSecond, at least one.
	BurstRequests int
	// Off turns the class's limit off.
	Off bool
}

// Limits are the limits a Server applies to each request before routing
// it. The zero value is the production defaults.
type Limits struct {
	// Participant is each participant's rate; the default is
	// RateParticipantRequestsPerSecondDefault.
	Participant RateLimit
	// Operator is the operator's rate. The default is no limit: the
	// operator owns the node, its token can already stop or change
	// anything, and throttling it during an incident (a reconciliation
	// reading every transfer, a bulk import) would hurt only the node's
	// owner. A rate can be set for a deployment that wants one.
	Operator RateLimit
	// Anonymous is each remote address's rate without valid credentials;
	// the default is RateAnonymousRequestsPerSecondDefault.
	Anonymous RateLimit
	// RequestTimeout is how long a request that may change something may
	// wait for the ledger to take its command; zero means
	// RequestTimeoutDefault, negative none.
	RequestTimeout time.Duration
	// Now is the buckets' clock; nil means time.Now. It is not the
	// Server's Clock: that one tells business time, which tests stop.
	Now func() time.Time
}

// rate is a RateLimit in the terms of the generic cell rate algorithm.
type rate struct {
	off bool
	// intervalNs is the time one request's token takes to come back.
	intervalNs int64
	// toleranceNs is the size of the bucket, as time: burst × interval.
	toleranceNs int64
	// perSecond and burst are the configuration, for messages.
	perSecond float64
	burst     int
}

// newRate resolves a RateLimit, with the class's default rate
// (perSecondDefault; zero: no limit by default).
func newRate(class string, l RateLimit, perSecondDefault float64) rate {
	if l.RequestsPerSecond < 0 || math.IsNaN(l.RequestsPerSecond) || math.IsInf(l.RequestsPerSecond, 0) || l.BurstRequests < 0 {
		// Configuration is checked where it is read (cmd/astara's flags);
		// a negative value here is a programmer's error.
		panic(fmt.Sprintf("http: the %s rate limit %+v is not a positive rate and burst", class, l))
	}
	perSecond := l.RequestsPerSecond
	if perSecond == 0 {
		perSecond = perSecondDefault
	}
	if l.Off || perSecond == 0 {
		return rate{off: true}
	}
	burst := l.BurstRequests
	if burst == 0 {
		burst = max(1, int(math.Ceil(perSecond*RateBurstSecondsDefault)))
	}
	interval := max(1, int64(float64(nanosecondsPerSecond)/perSecond))
	tolerance := interval * int64(burst)
	if tolerance/int64(burst) != interval {
		tolerance = math.MaxInt64 / 2 // a burst beyond any clock: no limit in practice
	}
	return rate{intervalNs: interval, toleranceNs: tolerance, perSecond: perSecond, burst: burst}
}

// admit decides a request at now for a bucket whose theoretical arrival
// time is tat (zero: a new bucket). It returns the bucket's new TAT and
// zero, or, when the bucket is empty, the unchanged TAT and how long until
// it holds a token.
func (r rate) admit(tat, now int64) (next, waitNs int64) {
	if tat < now {
		tat = now
	}
	next = tat + r.intervalNs
	if wait := next - r.toleranceNs - now; wait > 0 {
		return tat, wait
	}
	return next, 0
}

// rateShard is one part of a map of buckets, padded to a cache line of
// its own.
type rateShard[K comparable] struct {
	mu  sync.Mutex
	tat map[K]int64
	_   [64 - 16]byte
}

// rateTable maps callers to their buckets' TATs.
type rateTable[K comparable] struct {
	hash   func(K) uint64
	shards [rateShards]rateShard[K]
}

// take admits a request of k's at now, and returns zero or how long the
// caller must wait.
func (t *rateTable[K]) take(k K, now int64, r rate) (waitNs int64) {
	sh := &t.shards[t.hash(k)%rateShards]
	sh.mu.Lock()
	tat, found := sh.tat[k]
	next, wait := r.admit(tat, now)
	if wait == 0 {
		if sh.tat == nil {
			sh.tat = make(map[K]int64)
		}
		if !found && len(sh.tat) >= rateShardBucketsMax {
			sh.evict(now)
		}
		sh.tat[k] = next
	}
	sh.mu.Unlock()
	return wait
}

// evict makes room for a bucket: it drops the full buckets among up to
// rateEvictScanMax (map order is random, so this is a sample), or, if
// none is full, the one of them nearest to full.
func (sh *rateShard[K]) evict(now int64) {
	var nearest K
	nearestTAT := int64(math.MaxInt64)
	scanned, dropped := 0, 0
	for k, tat := range sh.tat {
		if tat <= now {
			delete(sh.tat, k)
			dropped++
		} else if tat < nearestTAT {
			nearest, nearestTAT = k, tat
		}
		if scanned++; scanned == rateEvictScanMax {
			break
		}
	}
	if dropped == 0 {
		delete(sh.tat, nearest)
	}
}

// len counts the buckets, for the astara_http_rate_buckets gauge.
func (t *rateTable[K]) len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += len(sh.tat)
		sh.mu.Unlock()
	}
	return n
}

// rateCell is the operator's one bucket.
type rateCell struct {
	mu  sync.Mutex
	tat int64
}

func (c *rateCell) take(now int64, r rate) (waitNs int64) {
	c.mu.Lock()
	c.tat, waitNs = r.admit(c.tat, now)
	c.mu.Unlock()
	return waitNs
}

// Classes of callers, as rate limits count them.
const (
	callerAnonymous = iota
	callerOperator
	callerParticipant
)

// rateCaller is whom a request counts against.
type rateCaller struct {
	class       int
	participant string     // callerParticipant: its id
	addr        netip.Addr // callerAnonymous: the address, an IPv6 one cut to its /64
}

// String names the caller as the metrics label it: the participant's id,
// "operator" or "anonymous".
func (c rateCaller) String() string {
	switch c.class {
	case callerParticipant:
		return c.participant
	case callerOperator:
		return "operator"
	}
	return "anonymous"
}

// limiter holds a Server's limits and its buckets.
type limiter struct {
	participant, operator, anonymous rate
	// ratesOff is set when every class is unlimited: no caller need be
	// resolved.
	ratesOff       bool
	participants   rateTable[string]
	addresses      rateTable[netip.Addr]
	operatorBucket rateCell
	timeout        time.Duration
	clock          func() time.Time
	epoch          time.Time
	// refused counts the requests a limit refused, which never reach a
	// route's own metrics.
	refused *prometheus.CounterVec
}

func newLimiter(l Limits, registry *prometheus.Registry) *limiter {
	lim := &limiter{
		participant: newRate("participant", l.Participant, RateParticipantRequestsPerSecondDefault),
		operator:    newRate("operator", l.Operator, 0),
		anonymous:   newRate("anonymous", l.Anonymous, RateAnonymousRequestsPerSecondDefault),
		timeout:     l.RequestTimeout,
		clock:       l.Now,
	}
	if lim.timeout == 0 {
		lim.timeout = RequestTimeoutDefault
	}
	if lim.clock == nil {
		lim.clock = time.Now
	}
	lim.ratesOff = lim.participant.off && lim.operator.off && lim.anonymous.off
	lim.epoch = lim.clock()
	seed := maphash.MakeSeed()
	lim.participants.hash = func(id string) uint64 { return maphash.String(seed, id) }
	lim.addresses.hash = func(a netip.Addr) uint64 {
		b := a.As16()
		return maphash.Bytes(seed, b[:])
	}
	lim.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "astara_http_limited_total",
		Help: "Requests refused before routing, by limit (rate: 429, uri: 414) and caller (a participant's id, operator, anonymous)."},
		[]string{"limit", "caller"})
	if err := registry.Register(lim.refused); err != nil {
		// A registry serves one server; a second server on the same
		// metrics (tests) counts into the first one's collector.
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			lim.refused = already.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	for _, g := range []struct {
		class string
		n     func() int
	}{{"participant", lim.participants.len}, {"anonymous", lim.addresses.len}} {
		// As above, a second server's buckets are not reported.
		_ = registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "astara_http_rate_buckets",
			Help:        "Token buckets kept, by class of caller (participant, anonymous); at most RateBucketsMax each.",
			ConstLabels: prometheus.Labels{"class": g.class}}, func() float64 { return float64(g.n()) }))
	}
	return lim
}

// take charges one request to its caller's bucket and returns zero, or
// how long the caller must wait.
func (l *limiter) take(c rateCaller) (waitNs int64) {
	var r rate
	switch c.class {
	case callerParticipant:
		r = l.participant
	case callerOperator:
		r = l.operator
	default:
		r = l.anonymous
	}
	if r.off {
		return 0
	}
	now := int64(l.clock().Sub(l.epoch))
	switch c.class {
	case callerParticipant:
		return l.participants.take(c.participant, now, r)
	case callerOperator:
		return l.operatorBucket.take(now, r)
	}
	return l.addresses.take(c.addr, now, r)
}

// serveLimited is ServeHTTP: the limits, then the routes.
func (s *Server) serveLimited(w http.ResponseWriter, r *http.Request) {
	l := s.limits
	if !l.ratesOff {
		c := s.rateCaller(r)
		if wait := l.take(c); wait > 0 {
			l.refused.WithLabelValues("rate", c.String()).Inc()
			l.refuse(w, c, wait)
			return
		}
	}
	if n := targetBytes(r); n > URLBytesMax {
		l.refused.WithLabelValues("uri", s.rateCaller(r).String()).Inc()
		writeProblem(w, problem(http.StatusRequestURITooLong, "uri_too_long", "", "the request's URL is %d bytes long; at most %d are served", n, URLBytesMax))
		return
	}
	if l.timeout > 0 && !safeMethod(r.Method) {
		ctx, cancel := context.WithTimeout(r.Context(), l.timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	s.mux.ServeHTTP(w, r)
}

// refuse answers 429 with the whole seconds, rounded up, until the
// caller's bucket holds a token again.
func (l *limiter) refuse(w http.ResponseWriter, c rateCaller, waitNs int64) {
	seconds := max(1, (waitNs+nanosecondsPerSecond-1)/nanosecondsPerSecond)
	w.Header().Set("Retry-After", strconv.FormatInt(seconds, 10))
	var r rate
	who := ""
	switch c.class {
	case callerParticipant:
		r, who = l.participant, "participant "+c.participant
	case callerOperator:
		r, who = l.operator, "the operator"
	default:
		r, who = l.anonymous, "this address, without valid credentials,"
	}
	writeProblem(w, problem(http.StatusTooManyRequests, "rate_limited", "",
		"%s sends requests faster than %g a second (in bursts of at most %d): retry in %d s; nothing was done", who, r.perSecond, r.burst, seconds))
}

// targetBytes is the length of the request's target as the client sent
// it, path and query.
func targetBytes(r *http.Request) int {
	if r.RequestURI != "" {
		return len(r.RequestURI)
	}
	return len(r.URL.Path) + len(r.URL.RawQuery) + 1
}

// rateCaller resolves whom a request counts against, as authenticate
// resolves the caller, but without its side effects (a session is not
// marked used, nor dropped) and, but for a client certificate, without
// copying the participant, so that it costs no allocation. A verified
// client certificate registered to a participant decides first (a token
// of another caller with it is refused by authenticate anyway). Then a
// bearer token, when there is one; a token that is not valid counts
// against the address. Without a token, a live session cookie decides.
// Anything else is the address's.
func (s *Server) rateCaller(r *http.Request) rateCaller {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		if p, _ := s.certificateCaller(r); p != nil {
			return rateCaller{class: callerParticipant, participant: p.ID}
		}
	}
	if token, ok := bearer(r); ok {
		if got := hashToken(token); subtle.ConstantTimeCompare(got[:], s.adminTokenHash[:]) == 1 {
			return rateCaller{class: callerOperator}
		}
		if keyID, secret, ok := splitKey(token); ok {
			id := ""
			s.paymentsView(func(m *payments.Machine) {
				k, found := m.Key(keyID)
				if !found || k.Revoked {
					return
				}
				if sum := sha256.Sum256([]byte(secret)); subtle.ConstantTimeCompare(sum[:], k.Hash[:]) != 1 {
					return
				}
				if _, ok := m.Participant(k.Participant); ok {
					id = k.Participant
				}
			})
			if id != "" {
				return rateCaller{class: callerParticipant, participant: id}
			}
		}
		return rateCaller{addr: remoteAddr(r)}
	}
	if cookie, err := r.Cookie(SessionCookieName); err == nil && cookie.Value != "" {
		if x, ok := s.sessions.peek(cookie.Value, s.now()); ok {
			if x.operator {
				return rateCaller{class: callerOperator}
			}
			return rateCaller{class: callerParticipant, participant: x.participant}
		}
	}
	return rateCaller{addr: remoteAddr(r)}
}

// tokenBytesOnStack is the longest token hashToken hashes without
// copying it to the heap; every token Astara issues is shorter.
const tokenBytesOnStack = 128

// hashToken is HashToken without the allocation of converting a long
// token to bytes.
func hashToken(token string) [sha256.Size]byte {
	if len(token) > tokenBytesOnStack {
		return HashToken(token)
	}
	var b [tokenBytesOnStack]byte
	n := copy(b[:], token)
	return sha256.Sum256(b[:n])
}

// remoteAddr is the anonymous caller of a request: its remote address,
// an IPv6 one cut to its /64. An address that does not parse (none in
// net/http) is the zero Addr, one caller for all such requests.
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	a := ap.Addr().Unmap()
	if a.Is6() {
		if p, err := a.Prefix(anonymousIPv6PrefixBits); err == nil {
			a = p.Addr()
		}
	}
	return a
}

// peek returns the live session with id as use does, but leaves the
// store as it is: the limits look before the route does, and the route
// marks the session used.
func (st *sessionStore) peek(id string, now time.Time) (session, bool) {
	h := sha256.Sum256([]byte(id))
	st.mu.Lock()
	defer st.mu.Unlock()
	x, ok := st.live[h]
	if !ok || !now.Before(x.expiresAt()) {
		return session{}, false
	}
	return *x, true
}
