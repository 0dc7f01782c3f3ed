package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/civicworks/open311/pkg/gateway"
)

func TestCORS(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	only := gateway.Default
	only.AllowOrigins = []string{"https://app.city.example.org"}
	for _, tc := range []struct {
		name                    string
		cors                    gateway.CORS
		method, origin, request string
		status                  int
		allowOrigin, methods    string
	}{
		{"a preflight", gateway.Default, "OPTIONS", "https://app.example", "POST", 204, "*", "GET,POST,OPTIONS"},
		{"a preflight from an origin not allowed", only, "OPTIONS", "https://evil.example", "POST", 204, "", ""},
		{"a preflight from the origin allowed", only, "OPTIONS", "https://app.city.example.org", "POST", 204, "https://app.city.example.org", "GET,POST,OPTIONS"},
		{"OPTIONS that is no preflight goes to the API", gateway.Default, "OPTIONS", "https://app.example", "", 418, "*", ""},
		{"a request from a browser", gateway.Default, "GET", "https://app.example", "", 418, "*", ""},
		{"a request without Origin gets no CORS header", gateway.Default, "GET", "", "", 418, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/requests.json", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.request != "" {
				r.Header.Set("Access-Control-Request-Method", tc.request)
			}
			w := httptest.NewRecorder()
			tc.cors.Wrap(next).ServeHTTP(w, r)
			h := w.Header()
			if w.Code != tc.status || h.Get("Access-Control-Allow-Origin") != tc.allowOrigin || h.Get("Access-Control-Allow-Methods") != tc.methods {
				t.Errorf("%d origin %q methods %q, want %d %q %q", w.Code, h.Get("Access-Control-Allow-Origin"),
					h.Get("Access-Control-Allow-Methods"), tc.status, tc.allowOrigin, tc.methods)
			}
		})
	}
}
