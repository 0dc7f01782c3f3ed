package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
)

// openAPIDoc is the part of the OpenAPI document the agreement tests read.
type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Servers []struct{ URL string }                 `json:"servers"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
}

type openAPIOperation struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Ref string `json:"$ref"`
	} `json:"parameters"`
	Responses map[string]struct {
		Ref     string                     `json:"$ref"`
		Content map[string]json.RawMessage `json:"content"`
	} `json:"responses"`
}

func readOpenAPI(t *testing.T, data []byte) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// templated is a document path's last segment that stands for a route's {file}: a path
// parameter and a format suffix ("{service_request_id}.json").
var templated = regexp.MustCompile(`^\{([a-z_]+)\}\.(xml|json)$`)

// routeOf maps a document path to the route table's path and the format suffix it serves:
// "/requests/{service_request_id}.json" is the route "/requests/{file}". A literal path of no
// format (the WebSub hub's) has the suffix "".
func routeOf(path string) (route, suffix string, ok bool) {
	i := strings.LastIndexByte(path, '/')
	if m := templated.FindStringSubmatch(path[i+1:]); m != nil {
		return path[:i+1] + "{file}", m[2], true
	}
	if path == api.HubPath {
		return path, "", true
	}
	base, suffix, found := strings.Cut(path[i+1:], ".")
	if !found || base == "" || strings.ContainsAny(path, "{}") || (suffix != "xml" && suffix != "json") {
		return "", "", false
	}
	return path, suffix, true
}

// TestOpenAPIMatchesRouteTable checks that the document's operations are exactly the routes of
// the table (the fallback aside, which answers what no route takes): each method and path, and
// for each route of an id ("{file}") both formats; that every route of one format has its
// twin in the other (the document itself is JSON only); that operation ids are unique; and that
// each path template names a path parameter the operation declares.
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	t.Parallel()
	doc := readOpenAPI(t, api.OpenAPIFile())
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	type key struct{ method, route, suffix string }
	documented := map[key]string{} // to the document's path
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		route, suffix, ok := routeOf(path)
		if !ok {
			t.Errorf("path %s: not a route of the table's shape (a literal path with .xml or .json, or one {parameter} with the suffix as the last segment)", path)
			continue
		}
		for method, op := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete", "head", "options", "trace":
			default:
				continue // parameters, summary, ... of the path item
			}
			documented[key{strings.ToUpper(method), route, suffix}] = path
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s %s and %s share the operationId %s", method, path, other, op.OperationID)
			}
			ids[op.OperationID] = method + " " + path
			if m := templated.FindStringSubmatch(path[strings.LastIndexByte(path, '/')+1:]); m != nil {
				want := "#/components/parameters/path_" + m[1]
				if !slices.ContainsFunc(op.Parameters, func(p struct {
					Ref string `json:"$ref"`
				}) bool {
					return p.Ref == want
				}) {
					t.Errorf("%s %s does not declare its path parameter %s (%s)", method, path, m[1], want)
				}
			}
			if _, ok := op.Responses["200"]; !ok && path != api.HubPath {
				t.Errorf("%s %s documents no 200 answer", method, path)
			}
		}
	}
	routed := map[key]bool{}
	for _, r := range api.Routes() {
		if r.Operation == api.OpFallback {
			continue
		}
		suffixes := []string{"xml", "json"}
		if !strings.HasSuffix(r.Path, "{file}") {
			_, suffix, ok := routeOf(r.Path)
			if !ok {
				t.Errorf("route %s %s: neither a literal .xml/.json path nor one ending in {file}", r.Method, r.Path)
				continue
			}
			suffixes = []string{suffix}
		}
		for _, s := range suffixes {
			k := key{r.Method, r.Path, s}
			routed[k] = true
			if _, ok := documented[k]; !ok {
				t.Errorf("route %s %s (%s, .%s) is not in openapi.json", r.Method, r.Path, r.Operation, s)
			}
		}
	}
	for k, path := range documented {
		if !routed[k] {
			t.Errorf("openapi.json documents %s %s, which no route of the table serves", k.method, path)
		}
		twin := map[string]string{"xml": "json", "json": "xml"}[k.suffix]
		if k.route != api.OpenAPIPath && k.suffix != "" && !routed[key{k.method, strings.TrimSuffix(k.route, "."+k.suffix) + "." + twin, twin}] &&
			!routed[key{k.method, k.route, twin}] {
			t.Errorf("%s %s is served in .%s only", k.method, path, k.suffix)
		}
	}
}

// TestOpenAPIDocumentsEveryGoldenAnswer checks the document against the golden exchanges: the
// status of each golden answer is one the document gives for that operation, with the content
// type of the path's format.
func TestOpenAPIDocumentsEveryGoldenAnswer(t *testing.T) {
	doc := readOpenAPI(t, api.OpenAPIFile())
	h, _ := newWorld(t)
	photos, _, _ := newPhotoWorld(t)
	type answer struct {
		c      apitest.Case
		status int
		header http.Header
	}
	var answers []answer
	for _, c := range apitest.Cases {
		status, header, _ := serve(t, h, c)
		answers = append(answers, answer{c, status, header})
	}
	for _, c := range apitest.PhotoCases {
		status, header, _ := serve(t, photos, c)
		answers = append(answers, answer{c, status, header})
	}
	// The slot cases' answers as their golden files hold them (TestSlotGolden checks those).
	for _, c := range apitest.SlotCases {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", c.Name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(b), "\n", 3)
		status, err := strconv.Atoi(strings.Fields(lines[0])[0])
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		header := http.Header{}
		header.Set("Content-Type", strings.TrimPrefix(lines[1], "Content-Type: "))
		answers = append(answers, answer{c.Case, status, header})
	}
	for _, a := range answers {
		c, status, header := a.c, a.status, a.header
		method := c.Method
		if method == "" {
			method = http.MethodGet
		}
		u, err := url.Parse(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		// A HEAD is the GET without its body, and the version prefix the same API: the
		// document describes each once.
		if method == http.MethodHead {
			method = http.MethodGet
		}
		path := u.EscapedPath()
		if rest, ok := strings.CutPrefix(path, api.VersionPrefix); ok && strings.HasPrefix(rest, "/") {
			path = rest
		}
		op, found := documentedOperation(doc, method, path)
		if !found {
			if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
				t.Errorf("%s: %s %s answered %d and is in no operation of openapi.json", c.Name, method, u.Path, status)
			}
			continue // the fallback's
		}
		resp, ok := op.Responses[strconv.Itoa(status)]
		if !ok {
			t.Errorf("%s: %s %s answered %d, which %s does not document", c.Name, method, u.Path, status, op.OperationID)
			continue
		}
		mediaType, _, _ := strings.Cut(header.Get("Content-Type"), ";")
		if resp.Ref != "" {
			if want := map[string]string{"text/xml": "XML", "application/json": "JSON"}[mediaType]; !strings.HasSuffix(resp.Ref, want) {
				t.Errorf("%s: %s answered %s; %s documents %d as %s", c.Name, op.OperationID, mediaType, op.OperationID, status, resp.Ref)
			}
		} else if _, ok := resp.Content[mediaType]; !ok {
			t.Errorf("%s: %s answered %s, not documented for %d", c.Name, op.OperationID, mediaType, status)
		}
	}
}

// documentedOperation finds the operation of the document that serves a method and an escaped
// path, matching a {parameter} to one path segment.
func documentedOperation(doc openAPIDoc, method, path string) (openAPIOperation, bool) {
	for p, ops := range doc.Paths {
		op, ok := ops[strings.ToLower(method)]
		if !ok {
			continue
		}
		pattern := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		if regexp.MustCompile(pattern).MatchString(path) {
			return op, true
		}
	}
	return openAPIOperation{}, false
}

// TestOpenAPIServed checks GET /openapi.json: the kept document, compact, its servers naming
// the API's base URL as discovery does, also under the version prefix; and that discovery's
// OpenAPI endpoint names that document.
func TestOpenAPIServed(t *testing.T) {
	h, _ := newWorld(t)
	const base = "https://api.city.example.org/open311/v2" // the world's endpoint
	var kept map[string]any
	if err := json.Unmarshal(api.OpenAPIFile(), &kept); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/openapi.json", "/open311/v2/openapi.json"} {
		status, header, body := serve(t, h, apitest.Case{Path: path})
		if status != http.StatusOK || header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("GET %s: %d %s", path, status, header.Get("Content-Type"))
		}
		if !bytes.HasSuffix(body, []byte("}\n")) || bytes.Count(body, []byte("\n")) != 1 {
			t.Errorf("GET %s: the document is not compact JSON ending in a newline", path)
		}
		var served map[string]any
		if err := json.Unmarshal(body, &served); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		servers, _ := served["servers"].([]any)
		if len(servers) != 1 || servers[0].(map[string]any)["url"] != base {
			t.Errorf("GET %s: servers %v, want the one base %s", path, served["servers"], base)
		}
		served["servers"] = kept["servers"]
		if !reflect.DeepEqual(served, kept) {
			t.Errorf("GET %s: the document differs from openapi.json beyond its servers", path)
		}
		// The members keep the order of the file (openapi first, as people read it).
		if !bytes.HasPrefix(body, []byte(`{"openapi":"3.1.`)) {
			t.Errorf("GET %s starts %.40q", path, body)
		}
	}

	_, _, body := serve(t, h, apitest.Case{Path: "/discovery.json"})
	var d struct {
		Endpoints []struct{ Specification, URL string }
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range d.Endpoints {
		if e.Specification == base+api.OpenAPIPath && e.URL == base {
			found = true
		}
	}
	if !found || d.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" || d.Endpoints[0].URL != base {
		t.Errorf("discovery's endpoints %+v: want this API's GeoReport endpoint first and one whose specification is %s", d.Endpoints, base+api.OpenAPIPath)
	}
}
