package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/georeport"
)

// Route is one entry of the route table: an HTTP method and path served by an operation. Paths
// are literal ("/services.json") or end in one whole-segment variable "{file}" holding an id
// and a format suffix ("/requests/{file}" serves /requests/638344.xml), the shape API Gateway
// routes take.
type Route struct {
	Operation string
	Method    string
	Path      string
}

// Operations in the order of the route table; each is one Lambda function (functions/<name>).
const (
	OpDiscovery         = "get-discovery"
	OpServices          = "get-services"
	OpServiceDefinition = "get-service-definition"
	OpPostRequest       = "post-request"
	OpToken             = "get-token"
	OpRequests          = "get-requests"
	OpRequest           = "get-request"
	OpUpdateRequest     = "update-request"
	OpRequestUpdates    = "get-request-updates"
	OpPostRequestUpdate = "post-request-update"
	OpJurisdictions     = "get-jurisdictions"
	// OpFallback answers what no other route takes (API Gateway's $default route): 404, or 405
	// with Allow when the path exists for another method, always as the error document.
	OpFallback = "fallback"
)

// VersionPrefix is the path prefix under which this version of the API is also served, so that
// a later version can stand beside it (/open311/v2/services.json is /services.json). On AWS a
// custom domain's API mapping with this key does the same.
const VersionPrefix = "/open311/v2"

// DefaultPath is the path of the fallback route: API Gateway's catch-all route key.
const DefaultPath = "$default"

// Routes is the route table, the one place that says which operation serves which path.
var Routes = []Route{
	{OpDiscovery, http.MethodGet, "/discovery.xml"},
	{OpDiscovery, http.MethodGet, "/discovery.json"},
	{OpServices, http.MethodGet, "/services.xml"},
	{OpServices, http.MethodGet, "/services.json"},
	{OpServiceDefinition, http.MethodGet, "/services/{file}"},
	{OpPostRequest, http.MethodPost, "/requests.xml"},
	{OpPostRequest, http.MethodPost, "/requests.json"},
	{OpToken, http.MethodGet, "/tokens/{file}"},
	{OpRequests, http.MethodGet, "/requests.xml"},
	{OpRequests, http.MethodGet, "/requests.json"},
	{OpRequest, http.MethodGet, "/requests/{file}"},
	{OpUpdateRequest, http.MethodPost, "/requests/{file}"},
	{OpRequestUpdates, http.MethodGet, "/servicerequestupdates.xml"},
	{OpRequestUpdates, http.MethodGet, "/servicerequestupdates.json"},
	{OpPostRequestUpdate, http.MethodPost, "/servicerequestupdates.xml"},
	{OpPostRequestUpdate, http.MethodPost, "/servicerequestupdates.json"},
	{OpJurisdictions, http.MethodGet, "/jurisdictions.xml"},
	{OpJurisdictions, http.MethodGet, "/jurisdictions.json"},
	{OpFallback, "ANY", DefaultPath},
}

// Operations lists the operation names of the route table, each once, in table order.
func Operations() []string {
	var ops []string
	seen := map[string]bool{}
	for _, r := range Routes {
		if !seen[r.Operation] {
			seen[r.Operation] = true
			ops = append(ops, r.Operation)
		}
	}
	return ops
}

func (a *API) operation(name string) func(call) {
	switch name {
	case OpDiscovery:
		return a.getDiscovery
	case OpServices:
		return a.getServices
	case OpServiceDefinition:
		return a.getServiceDefinition
	case OpPostRequest:
		return a.postRequest
	case OpToken:
		return a.getToken
	case OpRequests:
		return a.getRequests
	case OpRequest:
		return a.getRequest
	case OpUpdateRequest:
		return a.updateRequest
	case OpRequestUpdates:
		return a.getRequestUpdates
	case OpPostRequestUpdate:
		return a.postRequestUpdate
	case OpJurisdictions:
		return a.getJurisdictions
	}
	return nil
}

// Handler serves every route of the table, with the error document for unknown routes (404)
// and wrong methods (405).
func (a *API) Handler() http.Handler { return a.Only(Operations()...) }

// Only serves the routes of the named operations, as one Lambda function does; other paths get 404.
func (a *API) Only(operations ...string) http.Handler {
	want := map[string]bool{}
	for _, op := range operations {
		want[op] = true
	}
	var routes []Route
	for _, r := range Routes {
		if want[r.Operation] && r.Path != DefaultPath {
			routes = append(routes, r)
		}
	}
	return &router{api: a, routes: routes}
}

type router struct {
	api    *API
	routes []Route // served
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	op := rt.serve(rec, r)
	rt.api.opt.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("op", op), slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", rec.status), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000))
}

// serve routes a request and returns the operation that answered (or "" when none did).
func (rt *router) serve(w http.ResponseWriter, r *http.Request) string {
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, VersionPrefix); ok && strings.HasPrefix(rest, "/") {
		path = rest // the same API under its version's prefix, as discovery names it
	}
	var allowed []string
	for _, route := range rt.routes {
		name, format, ok := match(route.Path, path)
		if !ok {
			continue
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		if route.Method != method {
			allowed = append(allowed, route.Method)
			continue
		}
		defer func() {
			if v := recover(); v != nil {
				rt.api.opt.Logger.Error("panic", "op", route.Operation, "panic", v)
				writeErrors(w, format, http.StatusInternalServerError, "Internal error.")
			}
		}()
		rt.api.operation(route.Operation)(call{w: w, r: r, format: format, name: name})
		return route.Operation
	}
	f := georeport.GuessFormat(path)
	// The methods the path has elsewhere in the table, for a function that serves only some
	// operations (the fallback function sees every method API Gateway routed to no one).
	for _, route := range Routes {
		if route.Path == DefaultPath || slices.Contains(allowed, route.Method) {
			continue
		}
		if _, _, ok := match(route.Path, path); ok && (r.Method != route.Method || !rt.serves(route)) {
			allowed = append(allowed, route.Method)
		}
	}
	if len(allowed) > 0 {
		sort.Strings(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeErrors(w, f, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here.")
		return ""
	}
	writeErrors(w, f, http.StatusNotFound, "There is no such resource: "+r.URL.Path)
	return ""
}

func (rt *router) serves(route Route) bool { return slices.Contains(rt.routes, route) }

// match reports whether an escaped request path matches a route path, returning the decoded
// name of a {file} segment and the format of the suffix.
func match(routePath, path string) (name string, f georeport.Format, ok bool) {
	prefix, isFile := strings.CutSuffix(routePath, "{file}")
	if !isFile {
		if path != routePath {
			return "", 0, false
		}
		_, f, _ = georeport.SplitFormat(routePath)
		return "", f, true
	}
	rest, found := strings.CutPrefix(path, prefix)
	if !found || rest == "" || strings.Contains(rest, "/") {
		return "", 0, false
	}
	decoded, err := url.PathUnescape(rest)
	if err != nil {
		return "", 0, false
	}
	name, f, ok = georeport.SplitFormat(decoded)
	return name, f, ok
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
