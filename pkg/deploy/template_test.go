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

	"gopkg.in/yaml.v3"

	"github.com/civicworks/open311/pkg/api"
)

// root is the repository's root, seen from this package's folder (where go test runs).
const root = "../.."

// cfnValue turns a YAML node of a CloudFormation template into the value of its JSON form:
// maps, slices, scalars of their YAML type, and short-form intrinsic functions (!Ref X,
// !GetAtt A.B, !Sub s, ...) as {"Ref": X}, {"Fn::GetAtt": [A, B]}, {"Fn::Sub": s}.
func cfnValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return cfnValue(n.Content[0])
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	}
	custom := strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := cfnValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			val, err := cfnValue(c)
			if err != nil {
				return nil, err
			}
			list = append(list, val)
		}
		v = list
	case yaml.ScalarNode:
		if custom {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	if !custom {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	if name == "Ref" || name == "Condition" {
		return map[string]any{name: v}, nil
	}
	if s, ok := v.(string); ok && name == "GetAtt" {
		a, b, _ := strings.Cut(s, ".")
		v = []any{a, b}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

// readTemplate reads template.yaml in its JSON form.
func readTemplate(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	v, err := cfnValue(&doc)
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatal("template.yaml is not a mapping")
	}
	return m
}

// at walks a path of map keys, returning nil where it does not lead.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// merge applies SAM's Globals rules: maps merge key by key, lists are concatenated, and
// otherwise the function's own value wins. An intrinsic function ({"Ref": x}, {"Fn::Sub": s},
// ...) is a value, not a map: the function's own replaces the global one.
func merge(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok || intrinsic(g) || intrinsic(l) {
			break
		}
		out := map[string]any{}
		for k, v := range g {
			out[k] = v
		}
		for k, v := range l {
			if gv, ok := g[k]; ok {
				out[k] = merge(gv, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		if l, ok := local.([]any); ok {
			return append(slices.Clone(g), l...)
		}
	}
	if local == nil {
		return global
	}
	return local
}

// intrinsic reports whether m is an intrinsic function, as SAM tells: a map of one key, Ref,
// Condition or Fn::*.
func intrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// function is an AWS::Serverless::Function of the template.
type function struct {
	id       string
	props    map[string]any // with Globals.Function applied
	metadata map[string]any
}

func templateFunctions(t *testing.T, tpl map[string]any) []function {
	t.Helper()
	resources, _ := tpl["Resources"].(map[string]any)
	var fns []function
	for id, r := range resources {
		if at(r, "Type") != "AWS::Serverless::Function" {
			continue
		}
		props, _ := merge(at(tpl, "Globals", "Function"), at(r, "Properties")).(map[string]any)
		meta, _ := at(r, "Metadata").(map[string]any)
		fns = append(fns, function{id: id, props: props, metadata: meta})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].id < fns[j].id })
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

// feedBuilder is the feed builder's folder under functions/.
const feedBuilder = "feed-builder"

// functionNames are the folders of functions/: one per operation, and the stream functions.
func functionNames() []string { return append(operations(), streamFunctions...) }

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
		t.Errorf("functions/ folders %q, want the operations of api.Names() and the stream functions %q", got, w)
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
			t.Errorf("functions %q build functions/%s, which is no operation of api.Names() nor a stream function", ids, op)
		}
	}
}

type route struct{ method, path string }

// TestRoutesMatchRouteTable checks that each function's HttpApi events are exactly the routes
// of its operation in api.Routes(), and that the stream functions have no HttpApi event.
func TestRoutesMatchRouteTable(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	want := map[string][]route{}
	for _, r := range api.Routes() {
		want[r.Operation] = append(want[r.Operation], route{r.Method, r.Path})
	}
	for _, fn := range fns {
		events, _ := fn.props["Events"].(map[string]any)
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
		if ref, _ := at(p, "MemorySize", "Ref").(string); at(params, ref, "Default") != 128 {
			t.Errorf("%s: MemorySize = %v, want a parameter with default 128", fn.id, p["MemorySize"])
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
		// API Gateway gives up on an integration after 30 s; a longer function only costs more.
		if timeout < 3 || timeout > 29 {
			t.Errorf("%s: Timeout = %v, want 3 to 29 seconds", fn.id, p["Timeout"])
		}
	}
}

// readActions are the DynamoDB actions of the read-only functions; the store never scans.
var readActions = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}

// TestLeastPrivilege checks the functions' policies: inline statements on the table only,
// read-only for GET operations, and for post-request reads plus PutItem (how IAM authorises
// each Put of a TransactWriteItems) limited to the partitions a new request writes.
func TestLeastPrivilege(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	methods := map[string]map[string]bool{}
	for _, r := range api.Routes() {
		if methods[r.Operation] == nil {
			methods[r.Operation] = map[string]bool{}
		}
		methods[r.Operation][r.Method] = true
	}
	tableResources := []string{`{"Fn::GetAtt":["Table","Arn"]}`, `{"Fn::Sub":"${Table.Arn}/index/*"}`, `{"Fn::Sub":"${Table.Arn}/index/GSI1"}`}
	for _, fn := range fns {
		op := opOf[fn.id]
		if op == feedBuilder {
			continue // TestFeedBuilderPolicy
		}
		allowed := slices.Clone(readActions)
		readOnly := len(methods[op]) == 1 && methods[op]["GET"]
		if !readOnly {
			allowed = append(allowed, "dynamodb:PutItem")
		}
		policies, _ := fn.props["Policies"].([]any)
		if op == api.OpFallback || op == api.OpOpenAPI {
			if len(policies) != 0 {
				t.Errorf("%s: %s reads nothing, yet has Policies %v", fn.id, op, policies)
			}
			continue
		}
		if len(policies) == 0 {
			t.Errorf("%s: no Policies", fn.id)
		}
		granted := map[string]bool{}
		for _, pol := range policies {
			stmts, ok := at(pol, "Statement").([]any)
			if !ok {
				t.Errorf("%s: policy %v is not an inline Statement list; list the actions, so this test can check them", fn.id, pol)
				continue
			}
			for _, s := range stmts {
				if at(s, "Effect") != "Allow" {
					t.Errorf("%s: statement %v is not Effect: Allow", fn.id, s)
				}
				actions := at(s, "Action")
				if a, ok := actions.(string); ok {
					actions = []any{a}
				}
				list, _ := actions.([]any)
				for _, a := range list {
					a, _ := a.(string)
					granted[a] = true
					if !slices.Contains(allowed, a) {
						t.Errorf("%s (%s): action %s is not one of %v", fn.id, op, a, allowed)
					}
					if a == "dynamodb:PutItem" {
						cond := at(s, "Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys")
						want := "[REQ#* CUPD#*]" // requests, their activities, client update ids
						if op == api.OpPostRequest {
							want = "[REQ#* TOK#* CUPD#*]" // new requests, their activity, batch tokens, Idempotency-Keys
						}
						if fmt.Sprint(cond) != want {
							t.Errorf("%s: PutItem is not limited to the partitions %s (dynamodb:LeadingKeys = %v)", fn.id, want, cond)
						}
					}
				}
				res := at(s, "Resource")
				if _, ok := res.([]any); !ok {
					res = []any{res}
				}
				for _, r := range res.([]any) {
					if !slices.Contains(tableResources, jsonString(r)) {
						t.Errorf("%s: resource %s is not the table or its index", fn.id, jsonString(r))
					}
				}
			}
		}
		need := []string{"dynamodb:Query"} // every operation reads the jurisdictions
		switch op {
		case api.OpPostRequest, api.OpUpdateRequest, api.OpPostRequestUpdate:
			need = append(need, "dynamodb:GetItem", "dynamodb:PutItem")
		}
		for _, a := range need {
			if !granted[a] {
				t.Errorf("%s (%s): lacks %s", fn.id, op, a)
			}
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
