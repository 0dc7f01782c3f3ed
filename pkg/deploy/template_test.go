package deploy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/samtemplate"
)

// root is the repository's root, seen from this package's folder (where go test runs).
const root = "../.."

// readTemplate reads template.yaml in its JSON form (package samtemplate).
func readTemplate(t *testing.T) map[string]any {
	t.Helper()
	tpl, err := samtemplate.Read(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// at walks a path of map keys, returning nil where it does not lead.
func at(v any, keys ...string) any { return samtemplate.At(v, keys...) }

// function is an AWS::Serverless::Function of the template.
type function struct {
	id       string
	props    map[string]any // with Globals.Function applied
	metadata map[string]any
}

func templateFunctions(t *testing.T, tpl map[string]any) []function {
	t.Helper()
	var fns []function
	for _, fn := range samtemplate.Template(tpl).Functions() {
		fns = append(fns, function{id: fn.ID, props: fn.Props, metadata: fn.Metadata})
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	return fns
}

// makeTargets maps the Makefile's build-<LogicalId> targets to the folder under functions/
// that they build.
func makeTargets(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^build-(\w+):.*\n\t(.*)$`)
	targets := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		dir := regexp.MustCompile(`\./functions/([\w-]+)\s*$`).FindStringSubmatch(m[2])
		if dir == nil {
			t.Errorf("Makefile: build-%s does not end in ./functions/<operation>: %s", m[1], m[2])
			continue
		}
		targets[m[1]] = dir[1]
	}
	return targets
}

// operationOf maps each function of the template to its operation, through its Makefile target.
func operationOf(t *testing.T, fns []function) map[string]string {
	t.Helper()
	targets := makeTargets(t)
	ops := map[string]string{}
	for _, fn := range fns {
		op, ok := targets[fn.id]
		if !ok {
			t.Errorf("%s: the Makefile has no target build-%s", fn.id, fn.id)
			continue
		}
		ops[fn.id] = op
	}
	for id := range targets {
		if _, ok := ops[id]; !ok {
			t.Errorf("Makefile: build-%s builds a function that template.yaml does not have", id)
		}
	}
	return ops
}

// operations are the operations of the route table.
func operations() []string { return api.Names() }

// streamFunctions are the functions of functions/ that serve no route: an event source of the
// template triggers them (the table's stream triggers the feed builder).
var streamFunctions = []string{"feed-builder"}

// scheduledFunctions are the functions of functions/ that a schedule of the template triggers
// (the retention of personal data, daily).
var scheduledFunctions = []string{retention, exportOpenData}

// deployFunctions are the functions of functions/ that a deploy runs: a custom resource of the
// template names them (the publisher of the CDN's pages).
var deployFunctions = []string{publishSite}

// objectFunctions are the functions of functions/ that an object event of the feed bucket
// triggers, through an EventBridge rule (a new photo, its preview).
var objectFunctions = []string{preview}

// feedBuilder is the feed builder's folder under functions/; retention the retention's,
// publishSite the site publisher's, preview the preview function's.
const (
	feedBuilder = "feed-builder"
	retention   = "retention"
	publishSite = "publish-site"
	preview     = "preview"
	// exportOpenData is the nightly open data export's folder.
	exportOpenData = "export-open-data"
)

// functionNames are the folders of functions/: one per operation, the stream functions, the
// scheduled ones, those a deploy runs and the object ones.
func functionNames() []string {
	return slices.Concat(operations(), streamFunctions, scheduledFunctions, deployFunctions, objectFunctions)
}

func sorted(set map[string]bool) []string {
	var s []string
	for k := range set {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// TestOneFunctionPerOperation checks that the operations of the route table (and the stream
// functions), the folders of functions/ and the functions of the template are the same set, one
// function each.
func TestOneFunctionPerOperation(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)

	want := map[string]bool{}
	for _, op := range functionNames() {
		want[op] = true
	}

	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		folders[e.Name()] = true
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err != nil {
			t.Errorf("functions/%s has no main.go", e.Name())
		}
	}
	if got, w := sorted(folders), sorted(want); !slices.Equal(got, w) {
		t.Errorf("functions/ folders %q, want the operations of api.Names(), the stream and the scheduled functions %q", got, w)
	}

	byOp := map[string][]string{}
	for _, fn := range fns {
		byOp[opOf[fn.id]] = append(byOp[opOf[fn.id]], fn.id)
		if at(fn.metadata, "BuildMethod") != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %v, want makefile", fn.id, at(fn.metadata, "BuildMethod"))
		}
		if cu := fn.props["CodeUri"]; cu != "." && cu != "./" {
			t.Errorf("%s: CodeUri = %v, want . (the Makefile at the root builds functions/%s)", fn.id, cu, opOf[fn.id])
		}
	}
	for op := range want {
		if len(byOp[op]) != 1 {
			t.Errorf("operation %s has functions %q, want exactly one", op, byOp[op])
		}
	}
	for op, ids := range byOp {
		if !want[op] {
			t.Errorf("functions %q build functions/%s, which is no operation of api.Names() nor a stream or scheduled function", ids, op)
		}
	}
}

type route struct{ method, path string }

// TestRoutesMatchRouteTable checks that each function's HttpApi events are exactly the routes
// of its operation in api.GatewayRoutes() (each route, a GET's HEAD, and both again under the
// version prefix), that the stream functions have no HttpApi event, and that the scheduled
// ones have exactly one daily schedule.
func TestRoutesMatchRouteTable(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	want := map[string][]route{}
	for _, r := range api.GatewayRoutes() {
		want[r.Operation] = append(want[r.Operation], route{r.Method, r.Path})
	}
	for _, fn := range fns {
		events, _ := fn.props["Events"].(map[string]any)
		if slices.Contains(deployFunctions, opOf[fn.id]) {
			if len(events) != 0 {
				t.Errorf("%s: events %v; a custom resource runs it, nothing else", fn.id, events)
			}
			continue
		}
		if slices.Contains(scheduledFunctions, opOf[fn.id]) {
			for name, ev := range events {
				schedule, _ := at(ev, "Properties", "Schedule").(string)
				if at(ev, "Type") != "Schedule" || !strings.HasPrefix(schedule, "cron(") || len(events) != 1 {
					t.Errorf("%s: event %s is %v %q, want its one daily Schedule, a cron(...)", fn.id, name, at(ev, "Type"), schedule)
				}
			}
			continue
		}
		if slices.Contains(objectFunctions, opOf[fn.id]) {
			for name, ev := range events {
				p := at(ev, "Properties", "Pattern")
				if at(ev, "Type") != "EventBridgeRule" || len(events) != 1 || jsonString(at(p, "source")) != `["aws.s3"]` ||
					jsonString(at(p, "detail-type")) != `["Object Created"]` || jsonString(at(p, "detail", "bucket", "name")) != `[{"Ref":"FeedBucket"}]` ||
					jsonString(at(p, "detail", "object", "key")) != `[{"prefix":"media/"}]` {
					t.Errorf("%s: event %s is %v %s, want its one EventBridgeRule on the feed bucket's Object Created of media/", fn.id, name, at(ev, "Type"), jsonString(p))
				}
			}
			if at(tpl, "Resources", "FeedBucket", "Properties", "NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled") != true {
				t.Errorf("%s: FeedBucket does not send its events to EventBridge", fn.id)
			}
			continue
		}
		if slices.Contains(streamFunctions, opOf[fn.id]) {
			for name, ev := range events {
				if at(ev, "Type") == "HttpApi" {
					t.Errorf("%s: event %s: a stream function serves no route", fn.id, name)
				}
			}
			continue // TestFeedBuilderStream checks its events
		}
		var got []route
		for name, ev := range events {
			if at(ev, "Type") != "HttpApi" {
				t.Errorf("%s: event %s has type %v, want HttpApi", fn.id, name, at(ev, "Type"))
				continue
			}
			p := at(ev, "Properties")
			if ref := at(p, "ApiId", "Ref"); ref != "HttpApi" {
				t.Errorf("%s: event %s is on API %v, want !Ref HttpApi", fn.id, name, at(p, "ApiId"))
			}
			if v := at(p, "PayloadFormatVersion"); v != nil && v != "2.0" {
				t.Errorf("%s: event %s has PayloadFormatVersion %v, want 2.0 (the adapter's format)", fn.id, name, v)
			}
			method, _ := at(p, "Method").(string)
			path, _ := at(p, "Path").(string)
			got = append(got, route{strings.ToUpper(method), path})
		}
		less := func(a, b route) int { return strings.Compare(a.method+" "+a.path, b.method+" "+b.path) }
		slices.SortFunc(got, less)
		w := slices.Clone(want[opOf[fn.id]])
		slices.SortFunc(w, less)
		if !slices.Equal(got, w) {
			t.Errorf("%s (%s): routes %v, want %v", fn.id, opOf[fn.id], got, w)
		}
	}
}

// feedBase is the base URL of the feeds that the template gives every function: its CloudFront
// distribution's.
const feedBase = `{"Fn::Sub":"https://${FeedDistribution.DomainName}"}`

// TestFunctionSettings checks what every function must be: a static arm64 bootstrap on
// provided.al2023 with JSON logs, tracing, and the table and the feed base in its environment.
func TestFunctionSettings(t *testing.T) {
	tpl := readTemplate(t)
	params, _ := tpl["Parameters"].(map[string]any)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	for _, fn := range fns {
		p := fn.props
		check := func(what string, got, want any) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, want %v", fn.id, what, got, want)
			}
		}
		check("Runtime", p["Runtime"], "provided.al2023")
		check("Architectures", p["Architectures"], []any{"arm64"})
		check("Handler", p["Handler"], "bootstrap")
		check("Tracing", p["Tracing"], "Active")
		check("LoggingConfig.LogFormat", at(p, "LoggingConfig", "LogFormat"), "JSON")
		check("Environment TABLE_NAME", at(p, "Environment", "Variables", "TABLE_NAME"), map[string]any{"Ref": "Table"})
		if ref, _ := at(p, "Environment", "Variables", "OPEN311_DEFAULT_JURISDICTION", "Ref").(string); params[ref] == nil {
			t.Errorf("%s: OPEN311_DEFAULT_JURISDICTION is not a parameter of the template", fn.id)
		}
		// The API stays at 128 MB, but for the functions that take photos, which decode them
		// (up to 96 MiB each) and need the CPU that comes with more memory (docs/aws.md).
		wantMemory, wantParam := 128, "FunctionMemorySize"
		switch op := opOf[fn.id]; {
		case slices.Contains(photoFunctions, op):
			wantMemory, wantParam = 512, "PostRequestMemorySize"
		case op == preview:
			// A photo's full decode and its scaling, off the API's path.
			wantMemory, wantParam = 1024, "PreviewMemorySize"
		}
		if ref, _ := at(p, "MemorySize", "Ref").(string); ref != wantParam || at(params, ref, "Default") != wantMemory || at(params, ref, "MinValue") != wantMemory {
			t.Errorf("%s: MemorySize = %v, want the parameter %s with default and minimum %d", fn.id, p["MemorySize"], wantParam, wantMemory)
		}
		// The API answers with extended_attributes.feed_url under the feed base.
		check("Environment OPEN311_FEED_BASE", jsonString(at(p, "Environment", "Variables", "OPEN311_FEED_BASE")), feedBase)
		timeout, _ := p["Timeout"].(int)
		if opOf[fn.id] == feedBuilder {
			// A batch rebuilds up to a few hundred feeds; the stream waits for it, not a client.
			if timeout < 30 || timeout > 300 {
				t.Errorf("%s: Timeout = %v, want 30 to 300 seconds", fn.id, p["Timeout"])
			}
			check("Environment FEED_BUCKET", at(p, "Environment", "Variables", "FEED_BUCKET"), map[string]any{"Ref": "FeedBucket"})
			// One name for the feed base, OPEN311_FEED_BASE (checked above for every function).
			if v := at(p, "Environment", "Variables", "FEED_BASE"); v != nil {
				t.Errorf("%s: Environment FEED_BASE = %v: the feed base is OPEN311_FEED_BASE only", fn.id, v)
			}
			// rel="alternate" links need the API's base: the public endpoint, else the API's own URL.
			check("Environment OPEN311_ENDPOINT", jsonString(at(p, "Environment", "Variables", "OPEN311_ENDPOINT")),
				`{"Fn::If":["HasPublicEndpoint",{"Ref":"PublicEndpoint"},{"Fn::Sub":"https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}]}`)
			continue
		}
		if opOf[fn.id] == publishSite {
			// CloudFormation waits for it; writing a few pages takes seconds.
			if timeout < 10 || timeout > 300 {
				t.Errorf("%s: Timeout = %v, want 10 to 300 seconds", fn.id, p["Timeout"])
			}
			check("Environment FEED_BUCKET", at(p, "Environment", "Variables", "FEED_BUCKET"), map[string]any{"Ref": "FeedBucket"})
			var site string
			resources, _ := tpl["Resources"].(map[string]any)
			for id, r := range resources {
				if at(r, "Type") == "Custom::Site" && jsonString(at(r, "Properties", "ServiceToken")) == `{"Fn::GetAtt":["`+fn.id+`","Arn"]}` &&
					jsonString(at(r, "Properties", "Version")) == `{"Ref":"`+fn.id+`.Version"}` && at(p, "AutoPublishAlias") != nil {
					site = id
				}
			}
			if site == "" {
				t.Errorf("%s: no Custom::Site resource runs it with its Version (and AutoPublishAlias) as a property, so a deploy would not publish", fn.id)
			}
			continue
		}
		if opOf[fn.id] == exportOpenData {
			// It reads every public request of every jurisdiction; minutes for a city.
			if timeout < 60 || timeout > 900 {
				t.Errorf("%s: Timeout = %v, want 60 to 900 seconds", fn.id, p["Timeout"])
			}
			check("Environment FEED_BUCKET", at(p, "Environment", "Variables", "FEED_BUCKET"), map[string]any{"Ref": "FeedBucket"})
			continue
		}
		if opOf[fn.id] == preview {
			// One photo an invocation: at most seconds, but a 24-megapixel PNG at a fraction of a vCPU.
			if timeout < 30 || timeout > 300 {
				t.Errorf("%s: Timeout = %v, want 30 to 300 seconds", fn.id, p["Timeout"])
			}
			check("Environment FEED_BUCKET", at(p, "Environment", "Variables", "FEED_BUCKET"), map[string]any{"Ref": "FeedBucket"})
			continue
		}
		if opOf[fn.id] == retention {
			// A run erases what came due since the last one; a long backlog takes several runs.
			if timeout < 60 || timeout > 900 {
				t.Errorf("%s: Timeout = %v, want 60 to 900 seconds", fn.id, p["Timeout"])
			}
			if ref, _ := at(p, "Environment", "Variables", "PERSONAL_DATA_RETENTION_DAYS", "Ref").(string); at(params, ref, "Default") != 365 {
				t.Errorf("%s: PERSONAL_DATA_RETENTION_DAYS = %v, want a parameter with default 365", fn.id, at(p, "Environment", "Variables", "PERSONAL_DATA_RETENTION_DAYS"))
			}
			continue
		}
		// API Gateway gives up on an integration after 30 s; a longer function only costs more.
		if timeout < 3 || timeout > 29 {
			t.Errorf("%s: Timeout = %v, want 3 to 29 seconds", fn.id, p["Timeout"])
		}
	}
}

// TestApiAndOutputs checks the HTTP API's CORS and throttling parameters and the outputs that
// the README and the feed builder rely on.
func TestApiAndOutputs(t *testing.T) {
	tpl := readTemplate(t)
	httpAPI := at(tpl, "Resources", "HttpApi")
	if at(httpAPI, "Type") != "AWS::Serverless::HttpApi" {
		t.Fatalf("Resources.HttpApi is %v, want an AWS::Serverless::HttpApi", at(httpAPI, "Type"))
	}
	if at(httpAPI, "Properties", "CorsConfiguration", "AllowOrigins") == nil {
		t.Error("HttpApi has no CorsConfiguration.AllowOrigins")
	}
	for _, k := range []string{"ThrottlingBurstLimit", "ThrottlingRateLimit"} {
		ref, _ := at(httpAPI, "Properties", "DefaultRouteSettings", k, "Ref").(string)
		if at(tpl, "Parameters", ref, "Type") != "Number" {
			t.Errorf("HttpApi DefaultRouteSettings.%s is %v, want !Ref to a Number parameter", k, at(httpAPI, "Properties", "DefaultRouteSettings", k))
		}
	}
	for name, want := range map[string]string{
		"ApiUrl":         `{"Fn::Sub":"https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}`,
		"TableName":      `{"Ref":"Table"}`,
		"TableStreamArn": `{"Fn::GetAtt":["Table","StreamArn"]}`,
		"FeedBaseUrl":    feedBase,
		"FeedBucketName": `{"Ref":"FeedBucket"}`,
		// Ref of a queue is its URL.
		"FeedFailuresQueueUrl": `{"Ref":"FeedFailuresQueue"}`,
	} {
		if got := jsonString(at(tpl, "Outputs", name, "Value")); got != want {
			t.Errorf("Outputs.%s = %s, want %s", name, got, want)
		}
	}
}
