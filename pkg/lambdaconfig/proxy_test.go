package lambdaconfig_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	testworld "github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/open311"
)

func TestEscapedPath(t *testing.T) {
	tests := []struct {
		name     string
		routeKey string
		rawPath  string
		params   map[string]string
		want     string
	}{
		{"literal route", "GET /services.json", "/services.json", nil, "/services.json"},
		{"literal route on a named stage", "GET /services.json", "/prod/services.json", nil, "/services.json"},
		{"decoded parameter (API Gateway)", "GET /services/{file}", "/services/no such:service.json",
			map[string]string{"file": "no such:service.json"}, "/services/no%20such:service.json"},
		{"decoded slash, question mark, hash and percent", "GET /services/{file}", "/services/a/b?c#d%e.json",
			map[string]string{"file": "a/b?c#d%e.json"}, "/services/a%2Fb%3Fc%23d%25e.json"},
		{"greedy parameter", "GET /files/{path+}", "/files/a b/c", map[string]string{"path": "a b/c"}, "/files/a%20b/c"},
		{"escaped rawPath, no parameters", "", "/services/no%20such%3Aservice.json", nil, "/services/no%20such%3Aservice.json"},
		{"escaped slash kept", "", "/services/a%2Fb.json", nil, "/services/a%2Fb.json"},
		{"decoded rawPath, no parameters", "$default", "/services/no such:service.json", nil, "/services/no%20such:service.json"},
		{"non-ASCII and a stray percent", "", "/services/café%zz.json", nil, "/services/caf%C3%A9%25zz.json"},
		{"parameter missing from the event", "GET /requests/{file}", "/requests/1.json", nil, "/requests/1.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := events.APIGatewayV2HTTPRequest{RouteKey: tt.routeKey, RawPath: tt.rawPath, PathParameters: tt.params}
			if got := lambdaconfig.EscapedPath(e); got != tt.want {
				t.Errorf("EscapedPath = %q, want %q", got, tt.want)
			}
		})
	}
}

// oddCode is a service code with every character that can upset a path: a space, a colon, a
// slash, "?", "#", "%" and a non-ASCII letter.
const oddCode = "odd code: a/b?c#d%e é"

// world returns the service-definition handler over the seeded test world plus a service
// with an odd code.
func world(t *testing.T) http.Handler {
	t.Helper()
	st := testworld.Store(t)
	ctx := context.Background()
	svc := open311.Service{JurisdictionID: apitest.Jurisdiction, Code: oddCode, Name: "Odd", Type: open311.Realtime,
		Keywords: []string{}, Attributes: []open311.Attribute{}}
	if err := st.PutService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Options{Store: st, DefaultJurisdiction: apitest.Jurisdiction,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return a.Serve(api.GetServiceDefinition)
}

// definitionEvent is a GET /services/{file} event: as API Gateway sends it (rawPath and path
// parameter decoded) or, when escaped is set, as a hand-made event or test shim may (rawPath
// escaped, no path parameters).
func definitionEvent(file string, escaped bool) events.APIGatewayV2HTTPRequest {
	e := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /services/{file}", RawPath: "/services/" + file,
		Headers:        map[string]string{"host": "api.example.org"},
		PathParameters: map[string]string{"file": file},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", DomainName: "api.example.org",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/services/" + file}},
	}
	if escaped {
		e.RawPath = "/services/" + url.PathEscape(file)
		e.RequestContext.HTTP.Path = e.RawPath
		e.PathParameters = nil
	}
	return e
}

// TestEncodedServiceCode proves that a service code with reserved characters reaches the
// handler decoded exactly, however the event carries the path.
func TestEncodedServiceCode(t *testing.T) {
	h := world(t)
	proxy := lambdaconfig.Proxy(h)
	for _, tt := range []struct {
		name    string
		event   events.APIGatewayV2HTTPRequest
		status  int
		mention string // the code the answer must name
	}{
		{"API Gateway event", definitionEvent(oddCode+".json", false), http.StatusOK, oddCode},
		{"escaped rawPath", definitionEvent(oddCode+".json", true), http.StatusOK, oddCode},
		{"golden unknown code, escaped", events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default",
			RawPath: "/services/no%20such%3Aservice.json"}, http.StatusNotFound, "no such:service"},
		{"golden unknown code, API Gateway event", definitionEvent("no such:service.json", false), http.StatusNotFound, "no such:service"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := proxy(context.Background(), tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if ct := resp.Headers["Content-Type"]; ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tt.status == http.StatusOK {
				var def struct {
					Code string `json:"service_code"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &def); err != nil {
					t.Fatal(err)
				}
				if def.Code != tt.mention {
					t.Errorf("service_code = %q, want %q", def.Code, tt.mention)
				}
				return
			}
			var errs []struct{ Description string }
			if err := json.Unmarshal([]byte(resp.Body), &errs); err != nil {
				t.Fatal(err)
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Description, `"`+tt.mention+`"`) {
				t.Errorf("errors = %+v, want one naming %q", errs, tt.mention)
			}
		})
	}

	// Why Proxy rewrites the path: the bare adapter trusts rawPath, which API Gateway decodes,
	// so the odd code is cut at its "/" and "?" and never found.
	resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), definitionEvent(oddCode+".json", false))
	if err == nil && resp.StatusCode == http.StatusOK {
		t.Errorf("the bare adapter found the odd code; is Proxy's path rewriting still needed?")
	}
}
