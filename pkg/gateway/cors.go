// Package gateway is what API Gateway does in front of the Lambda functions that the local
// stacks (infra/local, infra/emulate) must do too, so that a browser app meets the same API on
// one machine as on AWS. It is never linked into a function.
package gateway

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORS is an HTTP API's CORS configuration (template.yaml's CorsConfiguration), and answers as
// API Gateway does: a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered by the gateway itself, 204 with the allowed methods, headers and max age, whatever
// the routes; any other request with an allowed Origin gets Access-Control-Allow-Origin on its
// answer; a request without Origin gets no CORS header at all.
type CORS struct {
	AllowOrigins []string // "*" for any
	AllowMethods []string
	AllowHeaders []string
	MaxAge       int // seconds
}

// Default is the CORS configuration template.yaml deploys with its default parameters (a test
// holds the two together).
var Default = CORS{
	AllowOrigins: []string{"*"},
	AllowMethods: []string{"GET", "POST", "OPTIONS"},
	AllowHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key"},
	MaxAge:       600,
}

// allowOrigin returns the Access-Control-Allow-Origin for a request's Origin, or "".
func (c CORS) allowOrigin(origin string) string {
	switch {
	case origin == "":
		return ""
	case slices.Contains(c.AllowOrigins, "*"):
		return "*"
	case slices.Contains(c.AllowOrigins, origin):
		return origin
	}
	return ""
}

// Wrap answers preflights and adds the CORS headers to h's answers.
func (c CORS) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allow := c.allowOrigin(origin)
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			if allow != "" {
				w.Header().Set("Access-Control-Allow-Origin", allow)
				w.Header().Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
				w.Header().Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(c.AllowHeaders, ",")))
				w.Header().Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allow != "" {
			w.Header().Set("Access-Control-Allow-Origin", allow)
		}
		h.ServeHTTP(w, r)
	})
}
