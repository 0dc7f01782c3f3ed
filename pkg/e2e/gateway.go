package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/api"
)

// The made-up API Gateway that Gateway stands for: its id, account, domain and client.
const (
	APIID      = "a1b2c3d4e5"
	AccountID  = "123456789012"
	DomainName = APIID + ".execute-api.us-east-1.amazonaws.com"
	SourceIP   = "203.0.113.24"
)

// Gateway plays API Gateway's part of an HTTP API with payload format 2.0 and the routes of
// template.yaml (one per route of api.GatewayRoutes(), the fallback on $default): it picks the route of an
// HTTP request and builds the event API Gateway would send to that route's function.
type Gateway struct {
	Routes []api.Route
	seq    atomic.Int64 // request ids
}

// Route returns the route API Gateway picks for a request: the route of the method whose path
// matches (a literal path exactly, a "{name}" variable one whole non-empty segment; literal paths
// first, as API Gateway prefers the most specific route), with the decoded path parameters; or
// the $default route when none matches. escapedPath is the path as sent.
func (g *Gateway) Route(method, escapedPath string) (api.Route, map[string]string) {
	segs, ok := decodeSegments(escapedPath)
	for _, literal := range []bool{true, false} {
		for _, r := range g.Routes {
			if !ok || r.Path == api.DefaultPath || strings.Contains(r.Path, "{") == literal {
				continue
			}
			if r.Method != "ANY" && r.Method != method {
				continue
			}
			if params, ok := matchRoute(r.Path, segs); ok {
				return r, params
			}
		}
	}
	for _, r := range g.Routes {
		if r.Path == api.DefaultPath {
			return r, nil
		}
	}
	return api.Route{Method: "ANY", Path: api.DefaultPath}, nil
}

// decodeSegments splits an escaped path into its percent-decoded segments.
func decodeSegments(escapedPath string) ([]string, bool) {
	segs := strings.Split(escapedPath, "/")
	for i, s := range segs {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = d
	}
	return segs, true
}

// matchRoute matches decoded path segments against a route path, returning its variables.
func matchRoute(routePath string, segs []string) (map[string]string, bool) {
	want := strings.Split(routePath, "/")
	if len(want) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, w := range want {
		if name, isVar := strings.CutPrefix(w, "{"); isVar {
			name = strings.TrimSuffix(name, "}")
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[name] = segs[i]
			continue
		}
		if w != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// Event returns the operation whose function API Gateway invokes for r and the event it sends:
// routeKey "METHOD /path" (or "$default"), rawPath and requestContext.http.path percent-decoded
// (API Gateway decodes them; see lambdaconfig.EscapedPath), the query string raw and as decoded
// parameters (repeated ones joined with commas), the path parameters decoded, header names in
// lower case with repeated values joined with commas, the headers API Gateway adds (host,
// content-length, x-amzn-trace-id, x-forwarded-*), cookies apart, and the body base64-encoded
// (isBase64Encoded) unless its content type is text (text/*, JSON, XML), which is how API
// Gateway hands form and multipart bodies to Lambda. It reads r's body.
func (g *Gateway) Event(r *http.Request) (string, events.APIGatewayV2HTTPRequest, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return "", events.APIGatewayV2HTTPRequest{}, fmt.Errorf("read request body: %w", err)
		}
	}
	route, params := g.Route(r.Method, r.URL.EscapedPath())
	routeKey := api.DefaultPath
	if route.Path != api.DefaultPath {
		routeKey = route.Method + " " + route.Path
	}
	path := r.URL.EscapedPath()
	if segs, ok := decodeSegments(path); ok {
		path = strings.Join(segs, "/")
	}
	n := g.seq.Add(1)
	now := time.Now().UTC()
	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               path,
		RawQueryString:        r.URL.RawQuery,
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        params,
		Headers:               map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    AccountID,
			Stage:        "$default",
			RequestID:    fmt.Sprintf("E2E%013d=", n),
			APIID:        APIID,
			DomainName:   DomainName,
			DomainPrefix: APIID,
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      path,
				Protocol:  "HTTP/1.1",
				SourceIP:  SourceIP,
				UserAgent: r.Header.Get("User-Agent"),
			},
		},
	}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					e.Cookies = append(e.Cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		e.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	e.Headers["host"] = DomainName
	e.Headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%024x", now.Unix(), n)
	e.Headers["x-forwarded-for"] = SourceIP
	e.Headers["x-forwarded-port"] = "443"
	e.Headers["x-forwarded-proto"] = "https"
	if len(body) > 0 || r.Method == http.MethodPost || r.Method == http.MethodPut {
		e.Headers["content-length"] = strconv.Itoa(len(body))
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			e.Body = string(body)
		} else {
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return route.Operation, e, nil
}

// queryParameters decodes a raw query string as API Gateway does for queryStringParameters.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	params := map[string]string{}
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if d, err := url.QueryUnescape(k); err == nil {
			k = d
		}
		if d, err := url.QueryUnescape(v); err == nil {
			v = d
		}
		if old, ok := params[k]; ok {
			v = old + "," + v
		}
		params[k] = v
	}
	return params
}

// isText reports whether API Gateway passes a body of this content type as text.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xml",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// Response decodes a function's response payload as API Gateway does for payload format 2.0:
// status, headers (cookies as Set-Cookie), and the body, base64-decoded when isBase64Encoded.
// A payload without a status code (a function error) is an error: API Gateway would answer 500.
func Response(payload []byte) (int, http.Header, []byte, error) {
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return 0, nil, nil, fmt.Errorf("response is not an HTTP API response: %w: %.300s", err, payload)
	}
	if resp.StatusCode == 0 {
		return 0, nil, nil, fmt.Errorf("function failed: %.300s", payload)
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return 0, nil, nil, fmt.Errorf("response body: %w", err)
		}
	}
	return resp.StatusCode, h, body, nil
}
