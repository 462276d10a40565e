package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	astarahttp "astara/http"
	"astara/ledger"
)

// servedRoutes is every route the server registers, as "METHOD /path" with
// OpenAPI's path templates. The document must list exactly these.
var servedRoutes = []string{
	"POST /v1/ledger/accounts",
	"GET /v1/ledger/accounts",
	"GET /v1/ledger/accounts/{id}",
	"GET /v1/ledger/accounts/{id}/balances",
	"POST /v1/ledger/transfers",
	"GET /v1/ledger/transfers/{id}",
	"GET /v1/ledger/totals",
	"GET /healthz",
	"GET /metrics",
	"GET /openapi.json",
	"GET /",
}

// openAPI is the served document, decoded.
type openAPI struct {
	raw map[string]any
}

func MustOpenAPI(tb testing.TB, s *testServer) *openAPI {
	tb.Helper()
	resp := s.DoToken(tb, "GET", "/openapi.json", nil, "")
	if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		tb.Fatalf("/openapi.json: got %d %q, want 200 application/json", resp.Status, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("/openapi.json is not JSON: %v", err)
	}
	return &openAPI{raw: doc}
}

// routes returns the document's operations as "METHOD /path".
func (d *openAPI) routes() []string {
	var out []string
	for path, item := range d.raw["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// operation returns the operation for a method and a template path.
func (d *openAPI) operation(method, template string) map[string]any {
	item, _ := d.raw["paths"].(map[string]any)[template].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

// resolve follows a "#/..." reference.
func (d *openAPI) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("reference %q is not local", ref)
	}
	var v any = d.raw
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q: %q is not in an object", ref, part)
		}
		if v, ok = m[part]; !ok {
			return nil, fmt.Errorf("reference %q: no %q", ref, part)
		}
	}
	return v, nil
}

// deref follows $ref until it reaches an object without one.
func (d *openAPI) deref(v map[string]any) (map[string]any, error) {
	for i := 0; i < 10; i++ {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v, nil
		}
		r, err := d.resolve(ref)
		if err != nil {
			return nil, err
		}
		if v, ok = r.(map[string]any); !ok {
			return nil, fmt.Errorf("reference %q is not an object", ref)
		}
	}
	return nil, fmt.Errorf("reference cycle")
}

// responseSchema returns the schema the document gives for an answer.
func (d *openAPI) responseSchema(method, template string, status int, contentType string) (map[string]any, error) {
	op := d.operation(method, template)
	if op == nil {
		return nil, fmt.Errorf("no operation %s %s", method, template)
	}
	r, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s %s: status %d is not documented", method, template, status)
	}
	r, err := d.deref(r)
	if err != nil {
		return nil, err
	}
	mt, ok := r["content"].(map[string]any)[contentType].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s %s %d: content type %q is not documented", method, template, status, contentType)
	}
	return mt["schema"].(map[string]any), nil
}

// requestSchema returns the schema of an operation's JSON body.
func (d *openAPI) requestSchema(method, template string) map[string]any {
	op := d.operation(method, template)
	rb, _ := op["requestBody"].(map[string]any)
	mt, _ := rb["content"].(map[string]any)["application/json"].(map[string]any)
	s, _ := mt["schema"].(map[string]any)
	return s
}

var formatPatterns = map[string]*regexp.Regexp{
	"uuid": regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`),
}

// validate checks a JSON value (decoded with UseNumber) against a schema,
// for the keywords the document uses: $ref, allOf, type, properties,
// required, additionalProperties, items, enum, pattern, maxLength,
// minimum, maximum, minItems, maxItems and the formats uuid, date-time
// and uri. It returns the first violation, with its path.
func (d *openAPI) validate(schema map[string]any, v any, path string) error {
	schema, err := d.deref(schema)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for k := range schema {
		switch k {
		case "$ref", "allOf", "type", "properties", "required", "additionalProperties", "items", "enum", "pattern", "maxLength",
			"minimum", "maximum", "minItems", "maxItems", "format", "description", "examples", "default":
		default:
			return fmt.Errorf("%s: the validator does not know the keyword %q", path, k)
		}
	}
	if all, ok := schema["allOf"].([]any); ok {
		for _, s := range all {
			if err := d.validate(s.(map[string]any), v, path); err != nil {
				return err
			}
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v is not one of %v", path, v, enum)
	}
	typ, _ := schema["type"].(string)
	switch x := v.(type) {
	case map[string]any:
		if typ != "" && typ != "object" {
			return fmt.Errorf("%s: got an object, want %s", path, typ)
		}
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, r := range required {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q is missing", path, r)
			}
		}
		for k, pv := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					return fmt.Errorf("%s: %q is not a property of the schema", path, k)
				}
				continue
			}
			if err := d.validate(ps, pv, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if typ != "" && typ != "array" {
			return fmt.Errorf("%s: got an array, want %s", path, typ)
		}
		if n, ok := schema["maxItems"].(json.Number); ok && int64(len(x)) > mustInt(n) {
			return fmt.Errorf("%s: %d items, over maxItems %s", path, len(x), n)
		}
		if n, ok := schema["minItems"].(json.Number); ok && int64(len(x)) < mustInt(n) {
			return fmt.Errorf("%s: %d items, under minItems %s", path, len(x), n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range x {
				if err := d.validate(items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case string:
		if typ != "" && typ != "string" {
			return fmt.Errorf("%s: got a string, want %s", path, typ)
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			return fmt.Errorf("%s: %q does not match %s", path, x, p)
		}
		if n, ok := schema["maxLength"].(json.Number); ok && int64(len(x)) > mustInt(n) {
			return fmt.Errorf("%s: %q is over maxLength %s", path, x, n)
		}
		switch f, _ := schema["format"].(string); f {
		case "uuid":
			if !formatPatterns["uuid"].MatchString(x) {
				return fmt.Errorf("%s: %q is not a uuid", path, x)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				return fmt.Errorf("%s: %q is not RFC 3339: %v", path, x, err)
			}
		case "uri":
			if !strings.HasPrefix(x, "https://") {
				return fmt.Errorf("%s: %q is not an absolute URI", path, x)
			}
		}
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", path, x)
		}
		if typ != "integer" {
			return fmt.Errorf("%s: got an integer, want %s", path, typ)
		}
		if m, ok := schema["minimum"].(json.Number); ok && n < mustInt(m) {
			return fmt.Errorf("%s: %d under minimum %s", path, n, m)
		}
		if m, ok := schema["maximum"].(json.Number); ok && n > mustInt(m) {
			return fmt.Errorf("%s: %d over maximum %s", path, n, m)
		}
	case bool:
		if typ != "boolean" {
			return fmt.Errorf("%s: got a boolean, want %s", path, typ)
		}
	default:
		return fmt.Errorf("%s: got %T, want %s", path, v, typ)
	}
	return nil
}

func mustInt(n json.Number) int64 {
	v, err := n.Int64()
	if err != nil {
		panic(err)
	}
	return v
}

func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// template returns the route template a request path matches.
func template(method, path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	for _, r := range servedRoutes {
		m, tpl, _ := strings.Cut(r, " ")
		if m != method {
			continue
		}
		want, got := strings.Split(tpl, "/"), strings.Split(path, "/")
		if len(want) != len(got) {
			continue
		}
		match := true
		for i := range want {
			if want[i] != got[i] && !strings.HasPrefix(want[i], "{") {
				match = false
				break
			}
		}
		if match {
			return tpl, true
		}
	}
	return "", false
}

func TestOpenAPI(t *testing.T) {
	s := NewTestServer(t)
	doc := MustOpenAPI(t, s)

	t.Run("IsOpenAPI31", func(t *testing.T) {
		if v, _ := doc.raw["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
			t.Fatalf("openapi: got %q, want 3.1.x", v)
		}
		info, _ := doc.raw["info"].(map[string]any)
		if info["title"] == nil || info["version"] == nil {
			t.Fatalf("info: got %v, want a title and a version", info)
		}
	})
	t.Run("ListsEveryServedRoute", func(t *testing.T) {
		want := slices.Clone(servedRoutes)
		sort.Strings(want)
		if got := doc.routes(); !slices.Equal(got, want) {
			t.Fatalf("routes: got %v, want %v", got, want)
		}
	})
	t.Run("EveryListedRouteIsServed", func(t *testing.T) {
		// The catch-all answers not_found: a route the test lists but the
		// server does not register would get it.
		for _, r := range servedRoutes {
			method, path, _ := strings.Cut(r, " ")
			path = strings.ReplaceAll(path, "{id}", uuid(1))
			var body any
			if method == "POST" {
				body = `{}`
			}
			resp := s.Do(t, method, path, body)
			if resp.Status == http.StatusNotFound && bytes.Contains(resp.Body, []byte(`"not_found"`)) {
				t.Errorf("%s: got the catch-all 404, want a registered route", r)
			}
		}
	})
	t.Run("ListsEveryRouteOfAPIMD", func(t *testing.T) {
		excerpt, err := os.ReadFile("testdata/api-ledger-service.md")
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`\b(GET|POST|PUT|DELETE|PATCH)\s+(/[^\s?]*)`)
		found := re.FindAllStringSubmatch(string(excerpt), -1)
		if len(found) < 9 {
			t.Fatalf("API.md excerpt: got %d routes, want the ledger's and the service's", len(found))
		}
		routes := doc.routes()
		for _, m := range found {
			if r := m[1] + " " + m[2]; !slices.Contains(routes, r) {
				t.Errorf("API.md's %q: got no such operation in /openapi.json", r)
			}
		}
	})
	t.Run("EveryReferenceResolves", func(t *testing.T) {
		var walk func(v any, at string)
		walk = func(v any, at string) {
			switch x := v.(type) {
			case map[string]any:
				if ref, ok := x["$ref"].(string); ok {
					if _, err := doc.resolve(ref); err != nil {
						t.Errorf("%s: %v", at, err)
					}
				}
				for k, e := range x {
					walk(e, at+"/"+k)
				}
			case []any:
				for i, e := range x {
					walk(e, fmt.Sprintf("%s[%d]", at, i))
				}
			}
		}
		walk(doc.raw, "#")
	})
	t.Run("LedgerRoutesNeedTheBearerToken", func(t *testing.T) {
		schemes, _ := doc.raw["components"].(map[string]any)["securitySchemes"].(map[string]any)
		bearer, _ := schemes["bearerAuth"].(map[string]any)
		if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
			t.Fatalf("bearerAuth: got %v, want http bearer", bearer)
		}
		global, _ := doc.raw["security"].([]any)
		if len(global) != 1 || global[0].(map[string]any)["bearerAuth"] == nil {
			t.Fatalf("security: got %v, want bearerAuth", global)
		}
		for _, r := range servedRoutes {
			method, path, _ := strings.Cut(r, " ")
			op := doc.operation(method, path)
			sec, overridden := op["security"].([]any)
			open := overridden && len(sec) == 0
			if strings.HasPrefix(path, "/v1/") == open {
				t.Errorf("%s: security %v, want the token on /v1/ only", r, op["security"])
			}
			if strings.HasPrefix(path, "/v1/") {
				if _, err := doc.responseSchema(method, path, 401, "application/problem+json"); err != nil {
					t.Errorf("%s: %v", r, err)
				}
			}
		}
	})
	t.Run("ResultCodesAreTheLedgers", func(t *testing.T) {
		var want []any
		for r := ledger.Result(0); r.String() != "unknown"; r++ {
			want = append(want, r.String())
		}
		s, _ := doc.resolve("#/components/schemas/ResultCode")
		got, _ := s.(map[string]any)["enum"].([]any)
		if !slices.Equal(got, want) {
			t.Fatalf("ResultCode enum: got %v, want %v", got, want)
		}
	})
	t.Run("LimitsAreTheServers", func(t *testing.T) {
		for _, ref := range []string{
			"#/components/schemas/CreateAccountsRequest/properties/accounts/maxItems",
			"#/components/schemas/CreateTransfersRequest/properties/transfers/maxItems",
			"#/components/schemas/Results/properties/results/maxItems",
		} {
			v, err := doc.resolve(ref)
			if n, _ := v.(json.Number); err != nil || mustInt(n) != ledger.BatchEventsMax {
				t.Errorf("%s: got %v (%v), want %d", ref, v, err, ledger.BatchEventsMax)
			}
		}
		for _, ref := range []string{"#/components/parameters/Limit/schema/maximum", "#/components/schemas/AccountPage/properties/accounts/maxItems"} {
			v, err := doc.resolve(ref)
			if n, _ := v.(json.Number); err != nil || mustInt(n) != astarahttp.ListLimitMax {
				t.Errorf("%s: got %v (%v), want %d", ref, v, err, astarahttp.ListLimitMax)
			}
		}
		v, _ := doc.resolve("#/components/responses/PayloadTooLarge/description")
		if d, _ := v.(string); !strings.Contains(d, strconv.Itoa(astarahttp.RequestBodyBytesMax)) {
			t.Errorf("PayloadTooLarge: got %q, want RequestBodyBytesMax (%d) named", d, astarahttp.RequestBodyBytesMax)
		}
		v, _ = doc.resolve("#/components/schemas/TransferRequest/properties/timeout_seconds/maximum")
		if n, _ := v.(json.Number); mustInt(n) != ledger.TimeoutSecondsMax {
			t.Errorf("timeout_seconds maximum: got %v, want %d", v, ledger.TimeoutSecondsMax)
		}
	})
}

// TestOpenAPIDescribesTheAnswers runs a scenario over every route and
// checks each answer against the document: its status is documented for
// the operation, and its body matches the schema, with no field missing or
// extra. The requests that succeed must match the request schemas too.
func TestOpenAPIDescribesTheAnswers(t *testing.T) {
	s := newLedger(t)
	doc := MustOpenAPI(t, s)
	check := func(t *testing.T, method, path string, body any, token string) response {
		t.Helper()
		tpl, ok := template(method, path)
		if !ok {
			t.Fatalf("%s %s: no served route", method, path)
		}
		resp := s.DoToken(t, method, path, body, token)
		ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		schema, err := doc.responseSchema(method, tpl, resp.Status, ct)
		if err != nil {
			t.Fatalf("%s %s: %v; body %s", method, path, err, resp.Body)
		}
		if ct == "application/json" || ct == "application/problem+json" {
			v, err := decodeNumbers(resp.Body)
			if err != nil {
				t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
			}
			if err := doc.validate(schema, v, "body"); err != nil {
				t.Fatalf("%s %s: got %s, which does not match its schema: %v", method, path, resp.Body, err)
			}
		}
		return resp
	}
	// Requests that are answered 200 must match the request schema: the
	// document must not refuse what the server accepts.
	accepted := func(t *testing.T, method, path string, body any) {
		t.Helper()
		tpl, _ := template(method, path)
		raw, _ := json.Marshal(body)
		v, _ := decodeNumbers(raw)
		if err := doc.validate(doc.requestSchema(method, tpl), v, "request"); err != nil {
			t.Fatalf("%s %s: the accepted request %s does not match its schema: %v", method, path, raw, err)
		}
		if resp := check(t, method, path, body, adminToken); resp.Status != http.StatusOK {
			t.Fatalf("%s %s: got %d %s, want 200", method, path, resp.Status, resp.Body)
		}
	}

	accepted(t, "POST", "/v1/ledger/accounts", accountsIn{[]accountIn{
		{ID: uuid(40), Currency: "USD", Code: 1, Flags: []string{"linked", "credits_must_not_exceed_debits"}},
		{ID: uuid(41), Currency: "USD", Code: 1, Flags: []string{"history"}},
		{ID: uuid(1), Currency: "RUB", Code: 10}, // exists
	}})
	accepted(t, "POST", "/v1/ledger/transfers", transfersIn{[]transferIn{
		{ID: uuid(200), DebitAccountID: rubAlice, CreditAccountID: rubBob, Amount: "10.00", Currency: "RUB", Code: 2, Flags: []string{"pending"}, TimeoutSeconds: 600},
		{ID: uuid(201), PendingID: uuid(200), Amount: "4", Currency: "RUB", Flags: []string{"post_pending"}},
		{ID: uuid(202), DebitAccountID: rubBob, CreditAccountID: rubAlice, Amount: "99999.99", Currency: "RUB", Code: 2},
		{ID: uuid(203), DebitAccountID: uuid(40), CreditAccountID: uuid(41), Amount: "0.01", Currency: "USD", Code: 2, Flags: []string{"linked"}},
		{ID: uuid(204), DebitAccountID: uuid(41), CreditAccountID: uuid(40), Amount: "0.01", Currency: "USD", Code: 2},
	}})
	for _, r := range []struct {
		method, path string
		body         any
		token        string
	}{
		{"GET", "/v1/ledger/accounts", nil, adminToken},
		{"GET", "/v1/ledger/accounts?currency=RUB&limit=1", nil, adminToken},
		{"GET", "/v1/ledger/accounts/" + rubAlice, nil, adminToken},
		{"GET", "/v1/ledger/accounts/" + uuid(99), nil, adminToken},
		{"GET", "/v1/ledger/accounts/x", nil, adminToken},
		{"GET", "/v1/ledger/accounts?limit=0", nil, adminToken},
		{"GET", "/v1/ledger/accounts/" + rubAlice + "/balances?limit=1", nil, adminToken},
		{"GET", "/v1/ledger/accounts/" + rubBob + "/balances", nil, adminToken},
		{"GET", "/v1/ledger/accounts/" + uuid(99) + "/balances", nil, adminToken},
		{"GET", "/v1/ledger/transfers/" + uuid(100), nil, adminToken},
		{"GET", "/v1/ledger/transfers/" + uuid(200), nil, adminToken},
		{"GET", "/v1/ledger/transfers/" + uuid(201), nil, adminToken},
		{"GET", "/v1/ledger/transfers/" + uuid(999), nil, adminToken},
		{"GET", "/v1/ledger/totals", nil, adminToken},
		{"GET", "/v1/ledger/totals", nil, ""},
		{"GET", "/v1/ledger/totals", nil, "wrong"},
		{"POST", "/v1/ledger/transfers", `{"transfers":[{"id":"x"}]}`, adminToken},
		{"POST", "/v1/ledger/transfers", `{"transfers":[`, adminToken},
		{"POST", "/v1/ledger/transfers", transfersBody(5000, ledger.BatchEventsMax+1, 3), adminToken},
		{"POST", "/v1/ledger/accounts", `{"accounts":[{"id":"` + uuid(50) + `","currency":"RUB","code":70000}]}`, adminToken},
		{"GET", "/healthz", nil, ""},
		{"GET", "/metrics", nil, ""},
		{"GET", "/openapi.json", nil, ""},
		{"GET", "/", nil, ""},
	} {
		t.Run(r.method+" "+r.path[:min(len(r.path), 60)], func(t *testing.T) {
			check(t, r.method, r.path, r.body, r.token)
		})
	}
}
