package deploy_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/media"
	mediafolder "github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/opendata/exporter"
	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
	"github.com/civicworks/open311/pkg/previewer"
	retentionfn "github.com/civicworks/open311/pkg/retention"
	"github.com/civicworks/open311/pkg/site"
	"github.com/civicworks/open311/pkg/site/publisher"
)

// operationOfEvent names the operation of an events/ file: <operation>.json, or
// <operation>-<case>.json for the longest operation name that fits (post-request-update-repeat
// is post-request-update's).
func operationOfEvent(file string) string {
	name := strings.TrimSuffix(filepath.Base(file), ".json")
	best := ""
	for _, op := range operations() {
		if (name == op || strings.HasPrefix(name, op+"-")) && len(op) > len(best) {
			best = op
		}
	}
	return best
}

// readEvent decodes an events/ file as an HTTP API payload 2.0 event, refusing unknown fields.
func readEvent(t *testing.T, file string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e events.APIGatewayV2HTTPRequest
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("not an APIGatewayV2HTTPRequest: %v", err)
	}
	return e
}

// checkShape checks that an event is what API Gateway sends for a route of its operation.
func checkShape(t *testing.T, op string, e events.APIGatewayV2HTTPRequest) {
	t.Helper()
	var r *api.Route
	for i, routes := 0, api.GatewayRoutes(); i < len(routes); i++ {
		rt := routes[i]
		key := rt.Method + " " + rt.Path
		if rt.Path == api.DefaultPath {
			key = rt.Path // API Gateway's catch-all route key has no method
		}
		if rt.Operation == op && e.RouteKey == key {
			r = &rt
		}
	}
	if r == nil {
		t.Fatalf("routeKey %q is no route of %s in api.GatewayRoutes()", e.RouteKey, op)
	}
	rc := e.RequestContext
	switch {
	case e.Version != "2.0":
		t.Errorf("version %q, want 2.0", e.Version)
	case rc.RouteKey != e.RouteKey:
		t.Errorf("requestContext.routeKey %q differs from routeKey %q", rc.RouteKey, e.RouteKey)
	case rc.HTTP.Method != r.Method && r.Method != "ANY":
		t.Errorf("requestContext.http.method %q, want %s", rc.HTTP.Method, r.Method)
	case rc.HTTP.Path != e.RawPath:
		t.Errorf("requestContext.http.path %q differs from rawPath %q", rc.HTTP.Path, e.RawPath)
	case rc.Stage != "$default":
		t.Errorf("stage %q, want $default", rc.Stage)
	case rc.HTTP.SourceIP == "" || rc.RequestID == "" || rc.DomainName == "" || rc.TimeEpoch == 0:
		t.Errorf("requestContext lacks sourceIp, requestId, domainName or timeEpoch: %+v", rc)
	case e.Headers["host"] != rc.DomainName:
		t.Errorf("host header %q, want the domain name %q", e.Headers["host"], rc.DomainName)
	}
	if r.Path == api.DefaultPath {
		if len(e.PathParameters) != 0 {
			t.Errorf("pathParameters %v: the $default route has none", e.PathParameters)
		}
	} else if prefix, ok := strings.CutSuffix(r.Path, "{file}"); ok {
		if file := e.PathParameters["file"]; file == "" || e.RawPath != prefix+file {
			t.Errorf("pathParameters.file %q does not fill %s to rawPath %q", file, r.Path, e.RawPath)
		}
	} else if e.RawPath != r.Path || len(e.PathParameters) != 0 {
		t.Errorf("rawPath %q and pathParameters %v, want %s and none", e.RawPath, e.PathParameters, r.Path)
	}
	for k := range e.Headers {
		if k != strings.ToLower(k) {
			t.Errorf("header %q: HTTP APIs send header names in lower case", k)
		}
	}
	q, err := url.ParseQuery(e.RawQueryString)
	if err != nil {
		t.Errorf("rawQueryString %q: %v", e.RawQueryString, err)
	}
	joined := map[string]string{}
	for k, vs := range q {
		joined[k] = strings.Join(vs, ",")
	}
	if len(joined) != len(e.QueryStringParameters) {
		t.Errorf("queryStringParameters %v do not match rawQueryString %q", e.QueryStringParameters, e.RawQueryString)
	}
	for k, v := range joined {
		if e.QueryStringParameters[k] != v {
			t.Errorf("queryStringParameters[%q] = %q, want %q from rawQueryString", k, e.QueryStringParameters[k], v)
		}
	}
	body := eventBody(t, e)
	if n := e.Headers["content-length"]; n != "" && n != strconv.Itoa(len(body)) {
		t.Errorf("content-length %s, body has %d bytes", n, len(body))
	}
}

func eventBody(t *testing.T, e events.APIGatewayV2HTTPRequest) []byte {
	t.Helper()
	if !e.IsBase64Encoded {
		return []byte(e.Body)
	}
	b, err := base64.StdEncoding.DecodeString(e.Body)
	if err != nil {
		t.Fatalf("isBase64Encoded, but the body is not base64: %v", err)
	}
	return b
}

// eventWorld returns the handler of an operation over a freshly seeded embedded store, with
// the fixed clock and ids of the golden tests.
func eventWorld(t *testing.T, op string) http.Handler {
	t.Helper()
	st := world.Store(t)
	o, ok := api.Lookup(op)
	if !ok {
		t.Fatalf("no operation %s in the route table", op)
	}
	return api.New(api.Options{
		Store:               st,
		Now:                 func() time.Time { return apitest.Now },
		NewID:               apitest.Seq("2000"),
		NewToken:            apitest.Seq("TOKEN-"),
		DefaultJurisdiction: apitest.Jurisdiction,
		FeedBase:            apitest.FeedBase,
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
		// post-media's forms (the event's answer is a slot, whatever signs it).
		Forms: mediafolder.Uploads{URL: "https://api.city.example.org/uploads", Secret: []byte("events")}, NewSlotID: apitest.Seq(apitest.SlotID),
	}).Serve(o)
}

// puts is an S3 PutObject in memory: the bodies by key.
type puts map[string][]byte

func (p puts) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	p[aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, err
}

// checkExportEvent checks that an event is a schedule's and that the export's handler takes
// it: over the seeded test world it puts the world's CSV and GeoJSON.
func checkExportEvent(t *testing.T, file string) {
	t.Helper()
	ev := scheduledEvent(t, file)
	p := puts{}
	h := &exporter.Handler{Store: world.Store(t), S3: p, Bucket: "feeds", Dir: t.TempDir(), Now: time.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res, err := h.Handle(t.Context(), ev)
	if err != nil || res.Exported[apitest.Jurisdiction] == 0 {
		t.Errorf("the export on the test world: %+v, %v", res, err)
	}
	for _, k := range []string{apitest.Jurisdiction + "/open-data/requests.csv", apitest.Jurisdiction + "/open-data/requests.geojson"} {
		if len(p[k]) == 0 {
			t.Errorf("the export put no %s (it put %d objects)", k, len(p))
		}
	}
}

// scheduledEvent reads an events/ file as what EventBridge sends on a schedule.
func scheduledEvent(t *testing.T, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e events.EventBridgeEvent
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("not an EventBridge event: %v", err)
	}
	if e.DetailType != "Scheduled Event" || e.Source != "aws.events" || len(e.Resources) != 1 || !strings.Contains(e.Resources[0], ":rule/") {
		t.Errorf("detail-type %q, source %q, resources %q: not a schedule's event", e.DetailType, e.Source, e.Resources)
	}
	var ev any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// checkScheduledEvent checks that an event is what EventBridge sends on a schedule, and that the
// retention's handler takes it: over the seeded test world, at the world's time, it erases
// nothing (no request there closed a year before).
func checkScheduledEvent(t *testing.T, file string) {
	t.Helper()
	ev := scheduledEvent(t, file)
	h := &retentionfn.Handler{Store: world.Store(t), Days: 365, Now: func() time.Time { return apitest.Now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res, err := h.Handle(t.Context(), ev)
	if err != nil || res.Erased != 0 {
		t.Errorf("the retention on the test world: %+v, %v; want nothing erased", res, err)
	}
}

// pages is a site.Bucket in memory.
type pages map[string]site.Object

func (p pages) Get(_ context.Context, key string) ([]byte, bool, error) {
	o, ok := p[key]
	return o.Body, ok, nil
}
func (p pages) Put(_ context.Context, o site.Object) error { p[o.Key] = o; return nil }
func (p pages) Delete(_ context.Context, key string) error { delete(p, key); return nil }

// checkCustomResourceEvent checks that an event is what CloudFormation sends a custom
// resource's function (the template's Custom::Site, its ResponseURL where the function answers),
// and that the publisher's handler takes it: it publishes the pages and answers with the
// resource's one physical id.
func checkCustomResourceEvent(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		cfn.Event
		ServiceToken string `json:"ServiceToken"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("not a CloudFormation custom resource request: %v", err)
	}
	if e.RequestType != cfn.RequestCreate || e.ResourceType != "Custom::Site" || e.LogicalResourceID != "Site" ||
		!strings.HasPrefix(e.ResponseURL, "https://") || e.ResourceProperties["ServiceToken"] != e.ServiceToken {
		t.Errorf("%+v: not the Site resource's Create request", e)
	}
	b := pages{}
	h := &publisher.Handler{Bucket: b, Config: site.Config{APIURL: "https://api.example.org"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	id, out, err := h.Handle(t.Context(), e.Event)
	objs, oerr := site.Objects(h.Config)
	if err != nil || oerr != nil || id != publisher.PhysicalID || out["Written"] != len(objs) {
		t.Errorf("the publisher on the event: %q, %v, %v (the site has %d objects, %v)", id, out, err, len(objs), oerr)
	}
	for _, k := range []string{"index.html", "app/config.json", "errors/404.html"} {
		if _, ok := b[k]; !ok {
			t.Errorf("the publisher wrote no %s", k)
		}
	}
}

// TestEvents sends every events/*.json through the functions' adapter to its operation over the
// seeded test world: each must be a real-shaped event, be answered with success in the format
// of its suffix, and get the same answer as the same request sent to the handler over HTTP.
// The events of a stream function (events/feed-builder.json) are DynamoDB stream batches,
// checked by checkStreamEvent.
func TestEvents(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if fn := streamFunctionOfEvent(file); fn != "" {
				covered[fn] = true
				checkStreamEvent(t, file)
				return
			}
			if filepath.Base(file) == retention+".json" {
				covered[retention] = true
				checkScheduledEvent(t, file)
				return
			}
			if filepath.Base(file) == exportOpenData+".json" {
				covered[exportOpenData] = true
				checkExportEvent(t, file)
				return
			}
			if filepath.Base(file) == publishSite+".json" {
				covered[publishSite] = true
				checkCustomResourceEvent(t, file)
				return
			}
			if filepath.Base(file) == preview+".json" {
				covered[preview] = true
				checkObjectEvent(t, file)
				return
			}
			op := operationOfEvent(file)
			if op == "" {
				t.Fatalf("name it <operation>.json or <operation>-<case>.json, for an operation of %v", operations())
			}
			covered[op] = true
			e := readEvent(t, file)
			checkShape(t, op, e)

			resp, err := lambdaconfig.Proxy(eventWorld(t, op))(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			if op == api.OpPostHub {
				// No hub runs on AWS yet (functions/post-hub): a subscription request is
				// answered 503 with a Retry-After, in plain text as WebSub subscribers read it.
				if resp.StatusCode != 503 || resp.Headers["Retry-After"] == "" || resp.Headers["Content-Type"] != "text/plain; charset=utf-8" {
					t.Errorf("status %d, Retry-After %q, Content-Type %q, want 503 with a Retry-After in text/plain:\n%s",
						resp.StatusCode, resp.Headers["Retry-After"], resp.Headers["Content-Type"], resp.Body)
				}
			} else if op == api.OpFallback {
				if resp.StatusCode != 404 && resp.StatusCode != 405 {
					t.Errorf("status %d, want 404 or 405 from the fallback:\n%s", resp.StatusCode, resp.Body)
				}
			} else if resp.StatusCode < 200 || resp.StatusCode > 299 {
				t.Errorf("status %d, want success:\n%s", resp.StatusCode, resp.Body)
			}
			wantType := "application/json; charset=utf-8"
			if op == api.OpPostHub {
				wantType = "text/plain; charset=utf-8"
			} else if strings.HasSuffix(e.RawPath, ".xml") {
				wantType = "text/xml; charset=utf-8"
			}
			if got := resp.Headers["Content-Type"]; got != wantType {
				t.Errorf("Content-Type %q, want %q", got, wantType)
			}
			if resp.IsBase64Encoded {
				t.Error("a text answer came back base64-encoded")
			}

			target := e.RawPath
			if e.RawQueryString != "" {
				target += "?" + e.RawQueryString
			}
			req := httptest.NewRequest(e.RequestContext.HTTP.Method, target, bytes.NewReader(eventBody(t, e)))
			req.Host = e.Headers["host"]
			for k, v := range e.Headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			eventWorld(t, op).ServeHTTP(rec, req)
			if rec.Code != resp.StatusCode || rec.Header().Get("Content-Type") != resp.Headers["Content-Type"] || rec.Body.String() != resp.Body {
				t.Errorf("the event and the same request over HTTP got different answers:\n--- event ---\n%d %s\n%s\n--- HTTP ---\n%d %s\n%s",
					resp.StatusCode, resp.Headers["Content-Type"], resp.Body, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
		})
	}
	var missing []string
	for _, op := range functionNames() {
		if !covered[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no events/<function>.json for %v", missing)
	}
}

// checkObjectEvent checks the sample of the preview function's event (S3's "Object Created" on
// EventBridge, as template.yaml's rule matches it): the preview handler, over a folder store
// holding the golden world's sideways phone photo (the object the event names), makes its
// preview.
func checkObjectEvent(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var e events.EventBridgeEvent
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Bucket struct{ Name string } `json:"bucket"`
		Object struct{ Key string }  `json:"object"`
	}
	if err := json.Unmarshal(e.Detail, &d); err != nil {
		t.Fatal(err)
	}
	if e.Source != "aws.s3" || e.DetailType != "Object Created" || !strings.HasPrefix(d.Object.Key, "media/") {
		t.Fatalf("%s: %s %q of %s, want aws.s3 Object Created of a key under media/", file, e.Source, e.DetailType, d.Object.Key)
	}
	ctx := context.Background()
	dir := t.TempDir()
	st := mediafolder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media"), Previews: filepath.Join(dir, "previews")}
	p, err := photo.Clean(phototest.JPEG(800, 600, 6))
	if err != nil {
		t.Fatal(err)
	}
	if "media/"+p.Name() != d.Object.Key {
		t.Fatalf("%s names %s, want the golden world's photo media/%s", file, d.Object.Key, p.Name())
	}
	if _, err := st.Put(ctx, media.Object{Name: p.Name(), ContentType: p.Type.ContentType, Body: p.Bytes}); err != nil {
		t.Fatal(err)
	}
	h := &previewer.Handler{Previews: st, Bucket: d.Bucket.Name, Prefix: "media/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := h.Handle(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Previews, photo.PreviewName(p.Name()))); err != nil {
		t.Errorf("%s made no preview: %v", file, err)
	}
}
