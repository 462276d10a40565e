package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	astarahttp "astara/http"
)

// headerBytesSlackNetHTTP is what net/http reads past MaxHeaderBytes
// before it answers 431: its buffer's slack.
const headerBytesSlackNetHTTP = 4096

// startNode runs a node in-process on a loopback port with limits.
func startNode(t *testing.T, limits Limits) *Main {
	t.Helper()
	t.Setenv("ASTARA_ADMIN_TOKEN", testToken)
	m := &Main{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Stdout: io.Discard, Limits: limits}
	if err := m.Open(context.Background()); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// dial opens a raw connection to the node, closed at the test's end.
func dial(t *testing.T, m *Main) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", m.listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// statusLine reads the first line of an answer, or returns the error that
// ended the connection instead.
func statusLine(c net.Conn, within time.Duration) (string, error) {
	c.SetReadDeadline(time.Now().Add(within))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// waitClosed waits until the server closes c, reading and dropping what
// it sends, and returns how long that took; it fails the test if c is
// still open after within.
func waitClosed(t *testing.T, c net.Conn, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(within))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection is still open after %v", within)
	}
	return time.Since(start)
}

// healthz asks a node's health with a fresh client, within d.
func healthz(m *Main, d time.Duration) error {
	client := &http.Client{Timeout: d, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(m.URL() + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %d", resp.StatusCode)
	}
	return nil
}

func TestSlowlorisIsCutAfterReadHeaderTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	m := startNode(t, Limits{ReadHeaderTimeout: timeout})
	c := dial(t, m)
	start := time.Now()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: astara\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// A header byte every 50 ms: never the end of the headers.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	waitClosed(t, c, 5*time.Second)
	if elapsed := time.Since(start); elapsed < timeout-50*time.Millisecond || elapsed > timeout+time.Second {
		t.Fatalf("cut after %v, want after ReadHeaderTimeout (%v)", elapsed, timeout)
	}
	if err := healthz(m, 5*time.Second); err != nil {
		t.Fatalf("a prompt client after the slow one: %v", err)
	}
}

func TestSlowBodyIsCutAfterReadTimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	m := startNode(t, Limits{ReadHeaderTimeout: timeout, ReadTimeout: timeout, WriteTimeout: 5 * time.Second,
		API: astarahttp.Limits{RequestTimeout: timeout}})
	c := &child{url: m.URL()}
	if code, err := c.post("/v1/ledger/accounts", map[string]any{"accounts": []map[string]any{
		{"id": "00000000-0000-0000-0000-000000000001", "currency": "RUB", "code": 1},
		{"id": "00000000-0000-0000-0000-000000000002", "currency": "RUB", "code": 1}}}, nil); code != http.StatusOK || err != nil {
		t.Fatalf("accounts: %d %v", code, err)
	}
	const id = "00000000-0000-0000-0000-00000000000a"
	body := `{"transfers":[{"id":"` + id + `","debit_account_id":"00000000-0000-0000-0000-000000000001",` +
		`"credit_account_id":"00000000-0000-0000-0000-000000000002","amount":"1.00","currency":"RUB","code":1}]}`
	conn := dial(t, m)
	start := time.Now()
	fmt.Fprintf(conn, "POST /v1/ledger/transfers HTTP/1.1\r\nHost: astara\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", testToken, len(body))
	// A byte of the body every 50 ms: the whole would take seconds.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := range len(body) {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	line, err := statusLine(conn, 5*time.Second)
	elapsed := time.Since(start)
	if strings.HasPrefix(line, "HTTP/1.1 2") {
		t.Fatalf("the slow body: got %q, want it cut", line)
	}
	if elapsed < timeout-50*time.Millisecond || elapsed > timeout+time.Second {
		t.Fatalf("cut after %v (%q, %v), want after ReadTimeout (%v)", elapsed, line, err, timeout)
	}
	t.Logf("cut after %v: %q %v", elapsed, line, err)
	waitClosed(t, conn, 5*time.Second)
	var got struct{}
	if code := c.get(t, "/v1/ledger/transfers/"+id, &got); code != http.StatusNotFound {
		t.Fatalf("the cut transfer: got %d, want 404", code)
	}
}

func TestConnectionsOverTheCapWait(t *testing.T) {
	const max = 2
	for _, c := range []struct {
		name string
		held int // connections open, idle, before the one that asks
		wait bool
	}{
		{"AtTheCap", max - 1, false},
		{"OnePastTheCap", max, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Idle connections would be cut after ReadHeaderTimeout: make it
			// longer than the test.
			m := startNode(t, Limits{ReadHeaderTimeout: time.Minute, ConnectionsMax: max})
			var held []net.Conn
			for range c.held {
				held = append(held, dial(t, m))
			}
			asker := dial(t, m)
			if _, err := io.WriteString(asker, "GET /healthz HTTP/1.1\r\nHost: astara\r\nConnection: close\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			line, err := statusLine(asker, 500*time.Millisecond)
			if !c.wait {
				if line != "HTTP/1.1 200 OK" {
					t.Fatalf("with %d of %d connections open: got %q (%v), want 200 at once", c.held, max, line, err)
				}
				return
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("with %d of %d connections open: got %q (%v), want it to wait", c.held, max, line, err)
			}
			// One closes: the waiting one is served.
			held[0].Close()
			if line, err := statusLine(asker, 5*time.Second); line != "HTTP/1.1 200 OK" {
				t.Fatalf("after one closed: got %q (%v), want 200", line, err)
			}
		})
	}
}

func TestHeaderBytesLimit(t *testing.T) {
	m := startNode(t, Limits{})
	// request returns a request whose line and headers are n bytes.
	request := func(n int) string {
		head := "GET /healthz HTTP/1.1\r\nHost: astara\r\nConnection: close\r\nX-Pad: "
		const end = "\r\n\r\n"
		return head + strings.Repeat("x", n-len(head)-len(end)) + end
	}
	for _, c := range []struct {
		name  string
		bytes int
		want  string
	}{
		{"AtTheLimit", headerBytesMax + headerBytesSlackNetHTTP, "HTTP/1.1 200 OK"},
		{"OnePastTheLimit", headerBytesMax + headerBytesSlackNetHTTP + 1, "HTTP/1.1 431 Request Header Fields Too Large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := dial(t, m)
			req := request(c.bytes)
			if len(req) != c.bytes {
				t.Fatalf("request of %d bytes, want %d", len(req), c.bytes)
			}
			if _, err := io.WriteString(conn, req); err != nil {
				t.Fatal(err)
			}
			if line, err := statusLine(conn, 5*time.Second); line != c.want {
				t.Fatalf("got %q (%v), want %q", line, err, c.want)
			}
		})
	}
}

func TestServeFlagsOfTheLimits(t *testing.T) {
	parse := func(args ...string) (Limits, error) {
		fs := newFlagSet("serve", io.Discard)
		read := limitFlags(fs)
		if err := parseFlags(fs, args); err != nil {
			return Limits{}, err
		}
		return read()
	}
	t.Run("Defaults", func(t *testing.T) {
		got, err := parse()
		if err != nil {
			t.Fatal(err)
		}
		want := Limits{ReadHeaderTimeout: readHeaderTimeoutDefault, ReadTimeout: readTimeoutDefault, WriteTimeout: writeTimeoutDefault,
			IdleTimeout: idleTimeoutDefault, ConnectionsMax: connectionsMaxDefault,
			API: astarahttp.Limits{RequestTimeout: astarahttp.RequestTimeoutDefault,
				Participant: astarahttp.RateLimit{RequestsPerSecond: astarahttp.RateParticipantRequestsPerSecondDefault},
				Operator:    astarahttp.RateLimit{Off: true},
				Anonymous:   astarahttp.RateLimit{RequestsPerSecond: astarahttp.RateAnonymousRequestsPerSecondDefault}}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("Given", func(t *testing.T) {
		got, err := parse("--read-header-timeout", "1s", "--read-timeout", "2s", "--request-timeout", "2s", "--write-timeout", "3s",
			"--idle-timeout", "4s", "--connections-max", "5", "--rate-participant", "6", "--rate-operator", "7", "--rate-anonymous", "0")
		if err != nil {
			t.Fatal(err)
		}
		want := Limits{ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, IdleTimeout: 4 * time.Second,
			ConnectionsMax: 5, API: astarahttp.Limits{RequestTimeout: 2 * time.Second, Participant: astarahttp.RateLimit{RequestsPerSecond: 6},
				Operator: astarahttp.RateLimit{RequestsPerSecond: 7}, Anonymous: astarahttp.RateLimit{Off: true}}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	for _, c := range []struct {
		name string
		args []string
		flag string // the flag the error names
	}{
		{"ZeroReadHeaderTimeout", []string{"--read-header-timeout", "0s"}, "--read-header-timeout"},
		{"NegativeIdleTimeout", []string{"--idle-timeout", "-1s"}, "--idle-timeout"},
		{"RequestTimeoutOnePastBelowReadTimeout", []string{"--read-timeout", "10s", "--request-timeout", "9999ms", "--write-timeout", "20s"}, "--request-timeout"},
		{"WriteTimeoutNotLongerThanRequestTimeout", []string{"--request-timeout", "60s", "--write-timeout", "60s"}, "--write-timeout"},
		{"NoConnection", []string{"--connections-max", "0"}, "--connections-max"},
		{"NegativeRate", []string{"--rate-participant", "-1"}, "--rate-participant"},
		{"RateNotANumber", []string{"--rate-anonymous", "NaN"}, "--rate-anonymous"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(c.args...)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.flag) {
				t.Fatalf("got %v, want a usage error naming %s", err, c.flag)
			}
		})
	}
	t.Run("ServeRefusesThem", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--connections-max", "0"}, &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "--connections-max") {
			t.Fatalf("exit %d, stderr %q; want 2 naming --connections-max", code, errOut.String())
		}
	})
}

func TestConnLimitListenerCloseEndsAWaitingAccept(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConnections(ln, 1)
	accepted := make(chan error, 2)
	go func() {
		for {
			c, err := l.Accept()
			accepted <- err
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := <-accepted; err != nil {
		t.Fatalf("first accept: %v", err)
	}
	// The second Accept waits for the slot; Close ends it.
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("the waiting accept: got %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting accept did not end on Close")
	}
}
