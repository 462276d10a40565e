// Package web serves the operator's dashboard: one HTML page with its
// script and style sheet, embedded in the binary, that reads the JSON API
// from the browser. It holds no data and no business rules, and needs no
// build step: the script is plain JavaScript, the charts inline SVG drawn
// by it.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dashboard.html
var dashboardPage []byte

//go:embed static
var static embed.FS

// AssetPrefix is the path under which the page's script and style sheet
// are served; the http package routes it here.
const AssetPrefix = "/ui/static/"

// ContentSecurityPolicy lets the page load nothing but its own script,
// style sheet and API, from the node that served it: no inline script, no
// other site, no frame around it.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// asset is one embedded file with what its answer needs.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

var assets = map[string]asset{}

func init() {
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	entries, err := static.ReadDir("static")
	if err != nil {
		panic("web: the embedded static files: " + err.Error())
	}
	for _, e := range entries {
		body, err := static.ReadFile("static/" + e.Name())
		if err != nil {
			panic("web: " + e.Name() + ": " + err.Error())
		}
		sum := sha256.Sum256(body)
		assets[e.Name()] = asset{body: body, contentType: types[path.Ext(e.Name())], etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
}

// Handler serves the dashboard at / and its files under AssetPrefix.
// The page signs in (POST /ui/session) and from then on reads the API
// with its session cookie; `astara demo` passes the operator's token in
// the URL's fragment, which never reaches the server, and the page
// exchanges it for a session at once.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if name, ok := strings.CutPrefix(r.URL.Path, AssetPrefix); ok {
			a, found := assets[name]
			if !found {
				http.Error(w, "no such file: "+name, http.StatusNotFound)
				return
			}
			h.Set("Content-Type", a.contentType)
			// Revalidated on every load, so that a new binary's files are
			// used at once; unchanged, they answer 304 without a body.
			h.Set("Cache-Control", "no-cache")
			h.Set("ETag", a.etag)
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		w.Write(dashboardPage)
	})
}
