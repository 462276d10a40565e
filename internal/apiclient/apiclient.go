// Package apiclient is a small client of Astara's JSON API, for the
// programs that drive a node the way banks would: the demo's traffic and
// the payments benchmark.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Client calls one node.
type Client struct {
	Base string // "http://127.0.0.1:8080"
	HTTP *http.Client
}

// Error is an answer with a status of 300 or more.
type Error struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// DoRaw sends body as it is, with its content type; otherwise as Do.
func (c *Client) DoRaw(ctx context.Context, method, path, token string, body []byte, contentType string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	return c.send(req, method, path, token, out)
}

// Do sends body (encoded as JSON unless nil) with the bearer token and the
// extra headers, decodes a successful answer into out (unless nil), and
// returns the status. An answer of 300 or more is an *Error.
func (c *Client) Do(ctx context.Context, method, path, token string, body any, header map[string]string, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.send(req, method, path, token, out)
}

// send sends a request with the bearer token and reads its answer.
func (c *Client) send(req *http.Request, method, path, token string, out any) (int, error) {
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, &Error{Method: method, Path: path, Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}
