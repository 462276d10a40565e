package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
)

// loadClient is the load generator's HTTP/1.1 client, as wrk's is: one
// keep-alive connection, one request at a time, each written with one
// system call and its answer read through one buffer, on the caller's
// goroutine. Go's net/http client spends three goroutines and their
// hand-offs on every request; on two cores shared with the server that
// is CPU the server under test does not get, and a measure of the
// client rather than of the switch. The bodies are still encoded and
// the answers decoded on the clock.
type loadClient struct {
	conn net.Conn
	r    *bufio.Reader
	host string
	req  []byte
	body []byte
}

func dialLoadClient(addr string) (*loadClient, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &loadClient{conn: conn, r: bufio.NewReaderSize(conn, 16<<10), host: addr}, nil
}

func (c *loadClient) Close() error { return c.conn.Close() }

// post sends body to path with token and the header lines in extra
// ("Name: value\r\n" each), and returns the answer's status and body;
// the body is valid until the next call.
func (c *loadClient) post(path, token, extra string, body []byte) (int, []byte, error) {
	c.req = append(c.req[:0], "POST "...)
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nAuthorization: Bearer "...)
	c.req = append(c.req, token...)
	c.req = append(c.req, "\r\n"...)
	c.req = append(c.req, extra...)
	c.req = append(c.req, "Content-Type: application/json\r\nContent-Length: "...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, nil, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("load client: malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("load client: malformed status line %q", line)
	}
	length := -1
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("load client: malformed header %q", line)
		}
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil || length < 0 {
				return 0, nil, fmt.Errorf("load client: malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, fmt.Errorf("load client: the answer came with Transfer-Encoding %q; this client reads Content-Length only", value)
		}
	}
	if length < 0 {
		return 0, nil, fmt.Errorf("load client: the answer (status %d) has no Content-Length", status)
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.r, c.body); err != nil {
		return 0, nil, err
	}
	return status, c.body, nil
}
