package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/metrics"
)

// Operation is one operation of the API, which is one Lambda function (functions/<Name>): the
// routes it serves and its handler. Each is declared next to its handler; Operations lists them.
type Operation struct {
	Name   string
	Routes []Route
	handle func(*API, call)
}

// Route is a method and a path an operation serves. Paths are literal ("/services.json") or end
// in one whole-segment variable "{file}" holding an id and a format suffix ("/requests/{file}"
// serves /requests/638344.xml), the shape API Gateway routes take.
type Route struct {
	Operation string
	Method    string
	Path      string
}

// Operations is the route table: every operation in order, each with its routes and handler,
// the fallback last. It is a function, not a variable, so that a Lambda function, which names
// only its own operation, links no other operation's code.
func Operations() []Operation { return append(served(), Fallback) }

// served lists the operations that serve routes of their own, in table order.
func served() []Operation {
	return []Operation{GetDiscovery, GetServices, GetServiceDefinition, PostRequest, GetToken,
		GetRequests, GetRequest, UpdateRequest, GetRequestUpdates, PostRequestUpdate, GetJurisdictions, GetOpenAPI, PostMedia,
		GetFeeds, PostHub}
}

// Lookup returns the operation of the table with the given name.
func Lookup(name string) (Operation, bool) {
	for _, op := range Operations() {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// Names lists the names of the operations, in table order.
func Names() []string {
	var names []string
	for _, op := range Operations() {
		names = append(names, op.Name)
	}
	return names
}

// GatewayRoutes lists the routes API Gateway must have for the route table (template.yaml's
// HttpApi events): each route, the HEAD of each GET (API Gateway routes a HEAD only to a HEAD
// route; the handlers answer it as the GET), and each of them again under VersionPrefix, as the
// local server serves them; the fallback on $default.
func GatewayRoutes() []Route {
	var all []Route
	for _, prefix := range []string{"", VersionPrefix} {
		for _, r := range Routes() {
			if r.Path == DefaultPath {
				continue
			}
			all = append(all, Route{r.Operation, r.Method, prefix + r.Path})
			if r.Method == http.MethodGet {
				all = append(all, Route{r.Operation, http.MethodHead, prefix + r.Path})
			}
		}
	}
	return append(all, Fallback.Routes...)
}

// Routes lists the routes of every operation, in table order.
func Routes() []Route {
	var all []Route
	for _, op := range Operations() {
		all = append(all, op.Routes...)
	}
	return all
}

// The names of the operations, which are also their Lambda functions' folders.
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
	OpOpenAPI           = "get-openapi"
	OpPostMedia         = "post-media"
	OpFeeds             = "get-feeds"
	OpPostHub           = "post-hub"
	OpFallback          = "fallback"
)

// VersionPrefix is the path prefix under which this version of the API is also served, so that
// a later version can stand beside it (/open311/v2/services.json is /services.json). On AWS a
// custom domain's API mapping with this key does the same.
const VersionPrefix = "/open311/v2"

// DefaultPath is the path of the fallback route: API Gateway's catch-all route key.
const DefaultPath = "$default"

// Fallback answers what no other route takes (API Gateway's $default route): 404, or 405 with
// Allow when another method serves the path, always as the error document.
var Fallback = Operation{Name: OpFallback, Routes: []Route{{OpFallback, "ANY", DefaultPath}}, handle: (*API).fallback}

// get and post are the routes of an operation served in both formats at path + ".xml"/".json".
func get(op, path string) []Route {
	return []Route{{op, http.MethodGet, path + ".xml"}, {op, http.MethodGet, path + ".json"}}
}

func post(op, path string) []Route {
	return []Route{{op, http.MethodPost, path + ".xml"}, {op, http.MethodPost, path + ".json"}}
}

// Handler serves every operation of the table, as the local server does.
func (a *API) Handler() http.Handler { return a.Serve(Operations()...) }

// Serve serves the routes of the given operations, as a Lambda function serves its own. A
// request no route takes goes to Fallback when it is among them; otherwise it gets 405 (with
// Allow) when another method of the operations serves its path, else 404.
func (a *API) Serve(ops ...Operation) http.Handler {
	rt := &router{api: a}
	for _, op := range ops {
		if op.Name == OpFallback {
			rt.fallback = op.handle
			continue
		}
		rt.ops = append(rt.ops, op)
	}
	return rt
}

type router struct {
	api      *API
	ops      []Operation
	fallback func(*API, call) // nil: only these operations' routes are known
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	op := rt.serve(rec, r)
	if op == "" {
		op = "unrouted"
	}
	took := time.Since(start)
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", rec.status), slog.Float64("ms", float64(took.Microseconds())/1000)}
	if rt.api.opt.EMF {
		attrs = append(attrs, metrics.EMF(op, start, metrics.Request(rec.status, took)...)...)
	} else {
		attrs = append(attrs, slog.String("operation", op))
	}
	rt.api.opt.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	if m := rt.api.opt.Metrics; m != nil {
		m.Request(op, rec.status, took)
	}
}

// serve routes a request and returns the operation that answered.
func (rt *router) serve(w http.ResponseWriter, r *http.Request) string {
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, VersionPrefix); ok && strings.HasPrefix(rest, "/") {
		path = rest // the same API under its version's prefix, as discovery names it
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for _, op := range rt.ops {
		for _, route := range op.Routes {
			name, format, ok := match(route.Path, path)
			if !ok || route.Method != method {
				continue
			}
			c := call{w: w, r: r, format: format, name: name}
			defer rt.recover(c, op.Name)
			op.handle(rt.api, c)
			return op.Name
		}
	}
	c := call{w: w, r: r, format: georeport.GuessFormat(path), name: path}
	if rt.fallback != nil {
		defer rt.recover(c, OpFallback)
		rt.fallback(rt.api, c)
		return OpFallback
	}
	rt.api.notServed(c, rt.ops)
	return ""
}

// recover answers a handler's panic with an internal error, and logs it.
func (rt *router) recover(c call, op string) {
	if v := recover(); v != nil {
		rt.api.opt.Logger.Error("panic", "operation", op, "panic", v)
		writeErrors(c.w, c.format, http.StatusInternalServerError, "Internal error.")
	}
}

// fallback answers a request no route took, knowing every route of the table.
func (a *API) fallback(c call) { a.notServed(c, served()) }

// notServed answers a request to a path ops do not serve with its method: 405 with the methods
// that do serve it, or 404. A route of the request's own method that did not reach its handler
// is not deployed where the request went (a path API Gateway routes to no function, such as an
// unmapped prefix): that is 404 too, never a 405 that names the method it refuses. c.name is
// the path, without the version prefix.
func (a *API) notServed(c call, ops []Operation) {
	method := c.r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var allowed []string
	for _, op := range ops {
		for _, route := range op.Routes {
			if _, _, ok := match(route.Path, c.name); ok && !slices.Contains(allowed, route.Method) {
				allowed = append(allowed, route.Method)
			}
		}
	}
	if len(allowed) > 0 && !slices.Contains(allowed, method) {
		slices.Sort(allowed)
		c.w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeErrors(c.w, c.format, http.StatusMethodNotAllowed, "The method "+c.r.Method+" is not allowed here.")
		return
	}
	writeErrors(c.w, c.format, http.StatusNotFound, "There is no such resource: "+c.r.URL.Path)
}

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
