package e2e_test

import (
	"encoding/base64"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/e2e"
)

func TestGatewayEvent(t *testing.T) {
	tests := []struct {
		name, method, target, contentType, body string
		op, routeKey, rawPath                   string
		params, query                           map[string]string
		base64                                  bool
	}{
		{name: "literal route", method: "GET", target: "/services.json?jurisdiction_id=city.example.org",
			op: api.OpServices, routeKey: "GET /services.json", rawPath: "/services.json",
			query: map[string]string{"jurisdiction_id": "city.example.org"}},
		{name: "file segment, decoded", method: "GET", target: "/services/no%20such%3Aservice.json",
			op: api.OpServiceDefinition, routeKey: "GET /services/{file}", rawPath: "/services/no such:service.json",
			params: map[string]string{"file": "no such:service.json"}},
		{name: "repeated and empty query parameters", method: "GET", target: "/requests.json?status=open&status=closed&page=",
			op: api.OpRequests, routeKey: "GET /requests.json", rawPath: "/requests.json",
			query: map[string]string{"status": "open,closed", "page": ""}},
		{name: "same path, other method", method: "POST", target: "/requests.json", contentType: "application/x-www-form-urlencoded", body: "a=b",
			op: api.OpPostRequest, routeKey: "POST /requests.json", rawPath: "/requests.json", base64: true},
		{name: "multipart is base64", method: "POST", target: "/requests.xml", contentType: "multipart/form-data; boundary=B", body: "--B--\r\n",
			op: api.OpPostRequest, routeKey: "POST /requests.xml", rawPath: "/requests.xml", base64: true},
		{name: "JSON is text", method: "POST", target: "/requests.json", contentType: "application/json", body: `{}`,
			op: api.OpPostRequest, routeKey: "POST /requests.json", rawPath: "/requests.json"},
		{name: "no route for the method", method: "DELETE", target: "/requests.xml",
			op: api.OpFallback, routeKey: "$default", rawPath: "/requests.xml"},
		{name: "no route for the path", method: "GET", target: "/requests",
			op: api.OpFallback, routeKey: "$default", rawPath: "/requests"},
		{name: "a variable is never empty", method: "GET", target: "/requests/",
			op: api.OpFallback, routeKey: "$default", rawPath: "/requests/"},
		{name: "a variable is one segment", method: "GET", target: "/requests/a/b.json",
			op: api.OpFallback, routeKey: "$default", rawPath: "/requests/a/b.json"},
	}
	gw := &e2e.Gateway{Routes: api.GatewayRoutes()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			var r *http.Request
			var err error
			if body != nil {
				r, err = http.NewRequest(tt.method, "https://"+e2e.DomainName+tt.target, body)
			} else {
				r, err = http.NewRequest(tt.method, "https://"+e2e.DomainName+tt.target, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			r.Header.Set("Authorization", "Bearer k")
			op, e, err := gw.Event(r)
			if err != nil {
				t.Fatal(err)
			}
			if op != tt.op || e.RouteKey != tt.routeKey || e.RequestContext.RouteKey != tt.routeKey {
				t.Errorf("op %q, routeKey %q / %q; want %q, %q", op, e.RouteKey, e.RequestContext.RouteKey, tt.op, tt.routeKey)
			}
			if e.RawPath != tt.rawPath || e.RequestContext.HTTP.Path != tt.rawPath || e.RequestContext.HTTP.Method != tt.method {
				t.Errorf("rawPath %q, http %+v; want %s %q", e.RawPath, e.RequestContext.HTTP, tt.method, tt.rawPath)
			}
			if !maps.Equal(e.PathParameters, tt.params) || !maps.Equal(e.QueryStringParameters, tt.query) {
				t.Errorf("path parameters %v, query %v; want %v, %v", e.PathParameters, e.QueryStringParameters, tt.params, tt.query)
			}
			if e.Headers["authorization"] != "Bearer k" || e.Headers["host"] != e2e.DomainName || e.Headers["content-type"] != tt.contentType && tt.contentType != "" {
				t.Errorf("headers %v", e.Headers)
			}
			got := e.Body
			if e.IsBase64Encoded {
				b, err := base64.StdEncoding.DecodeString(e.Body)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if e.IsBase64Encoded != tt.base64 || got != tt.body {
				t.Errorf("body %q (base64 %v), want %q (base64 %v)", e.Body, e.IsBase64Encoded, tt.body, tt.base64)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	status, h, body, err := e2e.Response([]byte(`{"statusCode":405,"headers":{"Allow":"GET","Content-Type":"text/xml; charset=utf-8"},"body":"PGEvPg==","isBase64Encoded":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if status != 405 || h.Get("Allow") != "GET" || string(body) != "<a/>" {
		t.Errorf("got %d %v %q", status, h, body)
	}
	if _, _, _, err := e2e.Response([]byte(`{"errorMessage":"boom","errorType":"errorString"}`)); err == nil {
		t.Error("a function error decoded as a response")
	}
}
