// Package web serves the operator's dashboard: one HTML page, embedded in
// the binary, that reads the JSON API from the browser. It holds no data
// and no business rules.
package web

import (
	_ "embed"
	"net/http"
)

//go:embed dashboard.html
var dashboardPage []byte

// Handler serves the dashboard. The page reads the API with the token the
// operator gives it, kept in the browser's session storage; `astara demo`
// passes it in the URL fragment, which never reaches the server.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Write(dashboardPage)
	})
}
