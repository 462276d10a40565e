package main

import (
	"flag"
	"fmt"
	"math"
	"net"
	nethttp "net/http"
	"sync"
	"time"

	"astara/http"
)

// The server's limits against slow and greedy clients.
//
// A slowloris client, which opens connections and trickles its headers,
// is cut ReadHeaderTimeout after its request began; one that trickles its
// body, ReadTimeout after (the handler's read fails, the answer, if any, is
// a 400, and the connection is closed). A client that does not read its
// answer is cut WriteTimeout after its headers. An idle keep-alive
// connection is closed after IdleTimeout. Headers over headerBytesMax
// answer 431 (net/http's own answer, plain text). At most ConnectionsMax
// connections are open at once; the API's own limits (rates, URL length,
// the request timeout) are the http package's (http/limits.go).

// Defaults of the server's limits; each has a flag of `astara serve`.
const (
	// readHeaderTimeoutDefault bounds the time from a request's first
	// byte to the end of its headers. Headers are at most headerBytesMax,
	// which any client sends in well under a second.
	readHeaderTimeoutDefault = 10 * time.Second
	// readTimeoutDefault bounds reading a whole request, body included: a
	// full 4 MiB batch needs 70 KB/s, a 64 MiB list file 1.1 MB/s.
	readTimeoutDefault = 60 * time.Second
	// writeTimeoutDefault bounds the time from the end of a request's
	// headers to the end of its answer: reading the body, waiting for the
	// ledger (the request timeout), applying and writing. Past it the
	// connection is closed, and a write that was applied goes unanswered:
	// the client's retry with the same ids or Idempotency-Key answers it.
	// It is the request timeout and half a minute more, so that the answer
	// of a write the ledger took at the last moment still gets out.
	writeTimeoutDefault = http.RequestTimeoutDefault + 30*time.Second
	// idleTimeoutDefault is how long a keep-alive connection waits for its
	// next request, holding one of the ConnectionsMax.
	idleTimeoutDefault = 120 * time.Second
	// connectionsMaxDefault is the most connections open at once: tens of
	// banks with pools of a few tens each, the consoles and the monitors
	// fit in a few hundred, and 1024 connections cost at most some 40 MiB
	// (a goroutine and net/http's buffers each).
	connectionsMaxDefault = 1024
	// headerBytesMax is the most bytes of a request's line and headers.
	// net/http reads 4 KiB more than this (its buffer's slack) and
	// answers 431 past that. A request's headers are a few hundred bytes:
	// a token, an Idempotency-Key of at most 255, a signature.
	headerBytesMax = 64 << 10
)

// Limits are the server's limits; a zero field takes its default.
type Limits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ConnectionsMax is the most connections open at once; further ones
	// wait (limitConnections).
	ConnectionsMax int
	// API are the limits of the API: the rates and the request timeout.
	API http.Limits
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&l.ReadHeaderTimeout, readHeaderTimeoutDefault}, {&l.ReadTimeout, readTimeoutDefault},
		{&l.WriteTimeout, writeTimeoutDefault}, {&l.IdleTimeout, idleTimeoutDefault}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if l.ConnectionsMax == 0 {
		l.ConnectionsMax = connectionsMaxDefault
	}
	return l
}

// newServer returns the HTTP server of handler, with the limits.
func (l Limits) newServer(handler nethttp.Handler) *nethttp.Server {
	l = l.withDefaults()
	return &nethttp.Server{
		Handler:           handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    headerBytesMax,
	}
}

// limitFlags defines the flags of the limits on fs and returns the
// function that reads them once fs is parsed.
func limitFlags(fs *flag.FlagSet) func() (Limits, error) {
	readHeader := fs.Duration("read-header-timeout", readHeaderTimeoutDefault, "cut a client that has not sent a request's headers this long after it began (slowloris)")
	read := fs.Duration("read-timeout", readTimeoutDefault, "cut a client that has not sent a whole request, body included, this long after it began")
	write := fs.Duration("write-timeout", writeTimeoutDefault, "cut a connection whose answer is not written this long after its request's headers (longer than --request-timeout)")
	idle := fs.Duration("idle-timeout", idleTimeoutDefault, "close a keep-alive connection idle this long")
	request := fs.Duration("request-timeout", http.RequestTimeoutDefault, "answer 503 ledger_busy to a write the ledger has not taken this long after its headers (at least --read-timeout); a write it took is always answered")
	conns := fs.Int("connections-max", connectionsMaxDefault, "connections open at once; further ones wait until one closes")
	burst := fmt.Sprintf(", in bursts of %d s of them (0: no limit)", http.RateBurstSecondsDefault)
	participant := fs.Float64("rate-participant", http.RateParticipantRequestsPerSecondDefault, "requests a second each participant may send"+burst)
	operator := fs.Float64("rate-operator", 0, "requests a second the operator may send"+burst)
	anonymous := fs.Float64("rate-anonymous", http.RateAnonymousRequestsPerSecondDefault, "requests a second each address may send without valid credentials"+burst)
	return func() (Limits, error) {
		l := Limits{ReadHeaderTimeout: *readHeader, ReadTimeout: *read, WriteTimeout: *write, IdleTimeout: *idle, ConnectionsMax: *conns}
		for _, d := range []struct {
			flag string
			v    time.Duration
		}{{"read-header-timeout", *readHeader}, {"read-timeout", *read}, {"write-timeout", *write}, {"idle-timeout", *idle}, {"request-timeout", *request}} {
			if d.v <= 0 {
				return Limits{}, usageError{fmt.Sprintf("--%s %v: a limit must be positive", d.flag, d.v)}
			}
		}
		if *request < *read {
			return Limits{}, usageError{fmt.Sprintf("--request-timeout %v is shorter than --read-timeout %v: a body that arrives in time would find its deadline past", *request, *read)}
		}
		if *write <= *request {
			return Limits{}, usageError{fmt.Sprintf("--write-timeout %v is not longer than --request-timeout %v: the answer of a write the ledger took would have no time to be written", *write, *request)}
		}
		if *conns < 1 {
			return Limits{}, usageError{fmt.Sprintf("--connections-max %d: at least one connection must be served", *conns)}
		}
		l.API.RequestTimeout = *request
		for _, r := range []struct {
			flag string
			v    float64
			dst  *http.RateLimit
		}{{"rate-participant", *participant, &l.API.Participant}, {"rate-operator", *operator, &l.API.Operator}, {"rate-anonymous", *anonymous, &l.API.Anonymous}} {
			switch {
			case r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0):
				return Limits{}, usageError{fmt.Sprintf("--%s %v: a rate is a number of requests a second, or 0 for no limit", r.flag, r.v)}
			case r.v == 0:
				*r.dst = http.RateLimit{Off: true}
			default:
				*r.dst = http.RateLimit{RequestsPerSecond: r.v}
			}
		}
		return l, nil
	}
}

// connLimitListener accepts at most a number of connections at once.
// Accept waits while that many are open: newcomers wait in the kernel's
// listen backlog (once it is full, the kernel refuses them) and are
// served, in turn, as connections close. Waiting rather than refusing: a
// client at the cap is served as soon as a slot frees, within its own
// connect timeout, where an answer written to refuse it would often be
// lost to a reset while its request is still arriving. A slow client
// holds its slot for ReadHeaderTimeout or ReadTimeout at most, an idle
// keep-alive connection for IdleTimeout.
//
// It must be the innermost listener: TLS wraps it, never the reverse,
// since net/http looks for a *tls.Conn among the connections it accepts.
type connLimitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// limitConnections returns l, accepting at most max connections at once.
func limitConnections(l net.Listener, max int) *connLimitListener {
	return &connLimitListener{Listener: l, slots: make(chan struct{}, max), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *connLimitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, slots: l.slots}, nil
}

// Close stops accepting, and ends an Accept that waits for a slot.
func (l *connLimitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn frees its slot when it is closed.
type limitedConn struct {
	net.Conn
	slots chan struct{}
	once  sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.slots })
	return err
}

// CloseWrite half-closes a TCP connection. net/http does so before it
// closes a connection whose request it did not read to the end, so that
// the client reads the answer rather than a reset; hiding it would lose
// those answers (a 413, a 400 for a cut body).
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
