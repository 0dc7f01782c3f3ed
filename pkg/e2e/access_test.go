package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/samtemplate"
)

// The region and account the recorded calls are put in, to compare them with the template's
// policies: the ARNs IAM would see.
const (
	testRegion  = "us-east-1"
	testAccount = e2e.AccountID
)

// access is what IAM authorises of one call a function made: an action on a resource, and for
// DynamoDB the partition key values it touches (the context key dynamodb:LeadingKeys). A
// TransactWriteItems is one access per item (IAM authorises each Put as dynamodb:PutItem), a
// HeadObject is s3:GetObject.
type access struct {
	fn       string // the function's folder under functions/
	call     string // the API operation, as the wire names it: Query, TransactWriteItems, HEAD
	action   string // dynamodb:Query
	resource string // its ARN: the table, an index, the bucket, an object, a KMS key
	keys     []string
	context  map[string][]string // other condition keys of the request (KMS's encryption context)
}

// prefix is the key's leading component (up to its first #), what the reports show: enough to
// tell the partitions apart, none of the ids.
func prefix(key string) string {
	if p, _, ok := strings.Cut(key, "#"); ok {
		return p + "#"
	}
	return key
}

func (a access) String() string {
	var ps []string
	for _, k := range a.keys {
		if p := prefix(k); !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	res := "table"
	switch _, index, isIndex := strings.Cut(a.resource, "/index/"); {
	case isIndex:
		res = "index/" + index
	case strings.HasPrefix(a.resource, "arn:aws:s3:::") && strings.Contains(strings.TrimPrefix(a.resource, "arn:aws:s3:::"), "/"):
		res = "bucket/*"
	case strings.HasPrefix(a.resource, "arn:aws:s3:::"):
		res = "bucket"
	}
	return fmt.Sprintf("%s %s %s", a.action, res, strings.Join(ps, ","))
}

// keySchema is the partition key attribute of the table and of each of its indexes, as
// DescribeTable says: what a Query's key condition must name.
type keySchema struct {
	table   string
	indexes map[string]string
}

func describeKeys(t testing.TB, client *dynamodb.Client, table string) keySchema {
	t.Helper()
	out, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("describe table: %v", err)
	}
	hash := func(ks []types.KeySchemaElement) string {
		for _, k := range ks {
			if k.KeyType == types.KeyTypeHash {
				return aws.ToString(k.AttributeName)
			}
		}
		return ""
	}
	s := keySchema{table: hash(out.Table.KeySchema), indexes: map[string]string{}}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		s.indexes[aws.ToString(g.IndexName)] = hash(g.KeySchema)
	}
	return s
}

// accessLog records the accesses of every function, from the requests they send through the
// counting proxy: each function talks to a proxy address of its own (accessLog.of).
type accessLog struct {
	schema keySchema
	bucket string // the S3 bucket the requests name, path style
	mu     sync.Mutex
	byFn   map[string][]access
	errs   []string
}

func newAccessLog(schema keySchema, bucket string) *accessLog {
	return &accessLog{schema: schema, bucket: bucket, byFn: map[string][]access{}}
}

// of returns a handler that records the requests of function fn and passes them to next.
func (l *accessLog) of(fn string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		as, err := l.decode(fn, r, body)
		l.mu.Lock()
		l.byFn[fn] = append(l.byFn[fn], as...)
		if err != nil {
			l.errs = append(l.errs, fmt.Sprintf("%s: %v", fn, err))
		}
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// accesses returns what fn did so far.
func (l *accessLog) accesses(fn string) []access {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.byFn[fn])
}

func (l *accessLog) tableARN(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", testRegion, testAccount, name)
}

// The parts of DynamoDB's requests that name what they touch.
type (
	attr     map[string]json.RawMessage
	ddbKey   map[string]attr
	ddbInput struct {
		TableName                 string
		IndexName                 string
		Key                       ddbKey
		Item                      ddbKey
		KeyConditionExpression    string
		UpdateExpression          string
		ConditionExpression       string
		ExpressionAttributeNames  map[string]string
		ExpressionAttributeValues ddbKey
		RequestItems              map[string]json.RawMessage
		TransactItems             []map[string]ddbInput
	}
)

// str returns a string attribute value, or "".
func str(a attr) string {
	var s string
	if raw, ok := a["S"]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// keyCondition matches the equality of a Query's key condition: #name = :value or name = :value.
var keyCondition = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

// expressionWords are the words of DynamoDB's expressions that name no attribute.
var expressionWords = map[string]bool{"SET": true, "REMOVE": true, "ADD": true, "DELETE": true, "AND": true, "OR": true,
	"NOT": true, "BETWEEN": true, "IN": true, "attribute_exists": true, "attribute_not_exists": true, "attribute_type": true,
	"begins_with": true, "contains": true, "size": true, "if_not_exists": true, "list_append": true}

// expressionName is a word of an expression: an attribute, a #name, a :value or a function.
var expressionName = regexp.MustCompile(`[#:]?[A-Za-z_][A-Za-z0-9_]*`)

// updatedAttributes is what IAM's dynamodb:Attributes holds for an UpdateItem: the key's
// attributes and every attribute its update and condition expressions name, sorted.
func updatedAttributes(in ddbInput) []string {
	set := map[string]bool{}
	for name := range in.Key {
		set[name] = true
	}
	for _, w := range expressionName.FindAllString(in.UpdateExpression+" "+in.ConditionExpression, -1) {
		switch {
		case strings.HasPrefix(w, ":"), expressionWords[w]:
		case strings.HasPrefix(w, "#"):
			set[in.ExpressionAttributeNames[w]] = true
		default:
			set[w] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// decode turns one request into the accesses IAM authorises.
func (l *accessLog) decode(fn string, r *http.Request, body []byte) ([]access, error) {
	target := r.Header.Get("X-Amz-Target")
	if call, ok := strings.CutPrefix(target, "TrentService."); ok {
		// KMS: the key the call names, as an ARN.
		var in struct {
			KeyID             string `json:"KeyId"`
			EncryptionContext map[string]string
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, fmt.Errorf("kms %s: %w", call, err)
		}
		res := in.KeyID
		if !strings.HasPrefix(res, "arn:") {
			res = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", testRegion, testAccount, res)
		}
		ctx := map[string][]string{}
		for k, v := range in.EncryptionContext {
			ctx["kms:EncryptionContext:"+k] = []string{v}
		}
		return []access{{fn: fn, call: call, action: "kms:" + call, resource: res, context: ctx}}, nil
	}
	call, ok := strings.CutPrefix(target, "DynamoDB_20120810.")
	if !ok {
		return l.decodeS3(fn, r, body)
	}
	var in ddbInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", call, err)
	}
	one := func(action, table, index string, keys ...string) access {
		res := l.tableARN(table)
		if index != "" {
			res += "/index/" + index
		}
		return access{fn: fn, call: call, action: "dynamodb:" + action, resource: res, keys: keys}
	}
	pk := func(k ddbKey) string { return str(k[l.schema.table]) }
	switch call {
	case "GetItem", "DeleteItem":
		return []access{one(call, in.TableName, "", pk(in.Key))}, nil
	case "UpdateItem":
		a := one(call, in.TableName, "", pk(in.Key))
		a.context = map[string][]string{"dynamodb:Attributes": updatedAttributes(in)}
		return []access{a}, nil
	case "PutItem":
		return []access{one(call, in.TableName, "", pk(in.Item))}, nil
	case "Query":
		attrName := l.schema.table
		if in.IndexName != "" {
			attrName = l.schema.indexes[in.IndexName]
			if attrName == "" {
				return nil, fmt.Errorf("Query of index %q, which the table does not have", in.IndexName)
			}
		}
		var key string
		for _, m := range keyCondition.FindAllStringSubmatch(in.KeyConditionExpression, -1) {
			name := m[1]
			if n, ok := in.ExpressionAttributeNames[name]; ok {
				name = n
			}
			if name == attrName {
				key = str(in.ExpressionAttributeValues[m[2]])
			}
		}
		if key == "" {
			return nil, fmt.Errorf("Query %q names no value of %s", in.KeyConditionExpression, attrName)
		}
		return []access{one(call, in.TableName, in.IndexName, key)}, nil
	case "BatchGetItem", "BatchWriteItem":
		var out []access
		for table, raw := range in.RequestItems {
			var keys []string
			if call == "BatchGetItem" {
				var ka struct{ Keys []ddbKey }
				if err := json.Unmarshal(raw, &ka); err != nil {
					return nil, fmt.Errorf("%s: %w", call, err)
				}
				for _, k := range ka.Keys {
					keys = append(keys, pk(k))
				}
			} else {
				var reqs []struct {
					PutRequest    struct{ Item ddbKey }
					DeleteRequest struct{ Key ddbKey }
				}
				if err := json.Unmarshal(raw, &reqs); err != nil {
					return nil, fmt.Errorf("%s: %w", call, err)
				}
				for _, w := range reqs {
					keys = append(keys, pk(w.PutRequest.Item)+pk(w.DeleteRequest.Key))
				}
			}
			out = append(out, one(call, table, "", keys...))
		}
		return out, nil
	case "TransactWriteItems", "TransactGetItems":
		// IAM authorises each item of a transaction as its own action.
		actions := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
			"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
		var out []access
		for _, item := range in.TransactItems {
			for kind, op := range item {
				action, ok := actions[kind]
				if !ok {
					return out, fmt.Errorf("%s: item of kind %s", call, kind)
				}
				k := op.Key
				if kind == "Put" {
					k = op.Item
				}
				out = append(out, one(action, op.TableName, "", pk(k)))
			}
		}
		return out, nil
	}
	// Anything else (Scan, DescribeTable, ...) is recorded on the table or index it names.
	return []access{one(call, in.TableName, in.IndexName)}, nil
}

// cloudFrontInvalidation is the path of CloudFront's CreateInvalidation.
var cloudFrontInvalidation = regexp.MustCompile(`^/\d{4}-\d{2}-\d{2}/distribution/([A-Z0-9]+)/invalidation$`)

// decodeS3 turns an S3 request (path style, /bucket/key) into its access, or CloudFront's
// CreateInvalidation into its own.
func (l *accessLog) decodeS3(fn string, r *http.Request, body []byte) ([]access, error) {
	// CloudFront (REST, global): POST /2020-05-31/distribution/{id}/invalidation.
	if m := cloudFrontInvalidation.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPost {
		return []access{{fn: fn, call: "CreateInvalidation", action: "cloudfront:CreateInvalidation",
			resource: "arn:aws:cloudfront::" + testAccount + ":distribution/" + m[1]}}, nil
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	if bucket == "" {
		return nil, fmt.Errorf("S3 %s %s names no bucket", r.Method, r.URL)
	}
	res := "arn:aws:s3:::" + bucket
	if key == "" && r.Method == http.MethodPost {
		// A browser-based upload (a presigned POST): IAM authorises it as the signer's
		// s3:PutObject of the form's key.
		k, err := formKey(r, body)
		if err != nil {
			return nil, fmt.Errorf("S3 POST of %s: %w", bucket, err)
		}
		return []access{{fn: fn, call: "POST", action: "s3:PutObject", resource: res + "/" + k}}, nil
	}
	if key == "" {
		action := map[string]string{http.MethodGet: "s3:ListBucket", http.MethodHead: "s3:ListBucket"}[r.Method]
		if action == "" {
			return nil, fmt.Errorf("S3 %s of the bucket itself", r.Method)
		}
		return []access{{fn: fn, call: r.Method, action: action, resource: res}}, nil
	}
	action := map[string]string{http.MethodGet: "s3:GetObject", http.MethodHead: "s3:GetObject",
		http.MethodPut: "s3:PutObject", http.MethodDelete: "s3:DeleteObject"}[r.Method]
	if action == "" {
		return nil, fmt.Errorf("S3 %s of an object", r.Method)
	}
	return []access{{fn: fn, call: r.Method, action: action, resource: res + "/" + key}}, nil
}

// formKey is the key field of a presigned POST's multipart form.
func formKey(r *http.Request, body []byte) (string, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", fmt.Errorf("no key field: %w", err)
		}
		if p.FormName() == "key" {
			b, err := io.ReadAll(p)
			return string(b), err
		}
	}
}

// platformGrant is a grant no call of the tests makes: AWS makes those calls with the
// function's role on its behalf, so they cannot be seen from the function's side of the wire;
// or (one) the code makes them only for data no test world has.
type platformGrant struct {
	fn       string // "" for every function
	action   string
	resource string // as the template writes it (its JSON), or "*"
	why      string
}

// platformGrants are the deliberate exceptions to "every granted action is used": the grants
// AWS uses on the function's behalf, each on the one resource it needs.
var platformGrants = []platformGrant{
	{"", "logs:CreateLogStream", "own log group", "Lambda writes the function's output to its own log group"},
	{"", "logs:PutLogEvents", "own log group", "Lambda writes the function's output to its own log group"},
	{"", "xray:PutTraceSegments", "*", "Lambda's active tracing (Tracing: Active); X-Ray has no resource-level permissions"},
	{"", "xray:PutTelemetryRecords", "*", "Lambda's active tracing; X-Ray has no resource-level permissions"},
	{"feed-builder", "dynamodb:DescribeStream", `{"Fn::GetAtt":["Table","StreamArn"]}`, "the event source mapping reads the table's stream with the function's role"},
	{"feed-builder", "dynamodb:GetShardIterator", `{"Fn::GetAtt":["Table","StreamArn"]}`, "the event source mapping reads the table's stream"},
	{"feed-builder", "dynamodb:GetRecords", `{"Fn::GetAtt":["Table","StreamArn"]}`, "the event source mapping reads the table's stream"},
	{"feed-builder", "dynamodb:ListStreams", `{"Fn::GetAtt":["Table","StreamArn"]}`, "the event source mapping's own check asks for it; AWS's example policy names the stream"},
	{"feed-builder", "sqs:SendMessage", `{"Fn::GetAtt":["FeedFailuresQueue","Arn"]}`, "Lambda sends what the mapping gives up on to the failures queue with the function's role"},
	{"feed-builder", "s3:ListBucket", `{"Fn::GetAtt":["FeedBucket","Arn"]}`, "never called: it makes S3 answer HeadObject of a feed not yet written with 404, which the publisher takes as absent, instead of 403"},
	{"publish-site", "s3:ListBucket", `{"Fn::GetAtt":["FeedBucket","Arn"]}`, "never called: it makes S3 answer the GetObject of a manifest not yet written (the first deploy) with 404, which the publisher takes as none, instead of 403"},
	{"feed-builder", "dynamodb:BatchGetItem", `{"Fn::GetAtt":["Table","Arn"]}`, "RecentActivities reads the requests (REQ#) of activities written before they carried a copy of their request, in tables older than that copy until admin table backfill; no test world has one"},
}

// policyCheck is one function's policy against what it did.
type policyCheck struct {
	tpl   samtemplate.Template
	b     samtemplate.Bindings
	ids   map[string]string // folder under functions/ -> logical id
	stmts map[string][]samtemplate.Statement
	roles map[string]string
}

// newPolicyCheck reads the template and binds it to the names of the test's table and bucket.
func newPolicyCheck(t *testing.T, names map[string]string) *policyCheck {
	t.Helper()
	tpl, err := samtemplate.Read(filepath.Join(awstest.Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	folders, err := samtemplate.Folders(filepath.Join(awstest.Root(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	c := &policyCheck{tpl: tpl, b: tpl.Bind(testRegion, testAccount, names), ids: map[string]string{},
		stmts: map[string][]samtemplate.Statement{}, roles: map[string]string{}}
	for _, fn := range tpl.Functions() {
		folder := folders[fn.ID]
		if folder == "" {
			t.Errorf("%s: the Makefile has no target build-%s", fn.ID, fn.ID)
			continue
		}
		c.ids[folder] = fn.ID
		role, err := tpl.Role(fn)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		stmts, err := tpl.Statements(role)
		if err != nil {
			t.Errorf("%s: %v", fn.ID, err)
			continue
		}
		c.roles[folder], c.stmts[folder] = role, stmts
	}
	return c
}

// check compares the policy of the function built from functions/fn with what it did: every
// access must be allowed by it, and everything it grants must be used by some access or be a
// platform grant. It logs the comparison, one line per distinct access.
func (c *policyCheck) check(t *testing.T, fn string, did []access) {
	t.Helper()
	id, stmts := c.ids[fn], c.stmts[fn]
	if id == "" {
		t.Errorf("template.yaml has no function built from functions/%s", fn)
		return
	}
	seen := map[string]bool{}
	var lines []string
	for _, a := range did {
		line := fmt.Sprintf("%-24s %-20s %s", fn, a.call, a)
		if stmts == nil {
			line += "  (no policy to check)" // newPolicyCheck said why
		} else if i, err := samtemplate.Evaluate(stmts, c.b, samtemplate.Request{Action: a.action, Resource: a.resource,
			Context: leadingKeys(a)}); err != nil {
			t.Errorf("%s: %s: %v", id, a, err)
		} else if i < 0 {
			t.Errorf("%s (functions/%s) called %s, which its role %s does not allow", id, fn, a, c.roles[fn])
			line += "  DENIED"
		}
		if !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
	if stmts == nil {
		return
	}

	grants, err := samtemplate.Grants(stmts, c.b)
	if err != nil {
		t.Errorf("%s: %v", id, err)
		return
	}
	var logGroup string
	for _, f := range c.tpl.Functions() {
		if f.ID == id {
			logGroup, _ = c.b.Resolve(samtemplate.At(f.Props, "LoggingConfig", "LogGroup"))
		}
	}
	for _, g := range grants {
		if c.platform(fn, g, logGroup) {
			continue
		}
		used := false
		for _, a := range did {
			if samtemplate.Like(strings.ToLower(g.Action), strings.ToLower(a.action)) && samtemplate.Like(g.Resource, a.resource) {
				used = true
				break
			}
		}
		if !used {
			t.Errorf("%s (functions/%s) is granted %s on %s, which no golden case or event made it call", id, fn, g.Action, g.Resource)
			continue
		}
		for _, p := range g.LeadingKeys {
			matched := false
			for _, a := range did {
				if samtemplate.Like(strings.ToLower(g.Action), strings.ToLower(a.action)) && samtemplate.Like(g.Resource, a.resource) &&
					slices.ContainsFunc(a.keys, func(k string) bool { return samtemplate.Like(p, k) }) {
					matched = true
					break
				}
			}
			if !matched {
				t.Errorf("%s (functions/%s) is granted %s on the partitions %s, which none of its calls touched", id, fn, g.Action, p)
			}
		}
	}
}

// platform reports whether a grant is one of the platformGrants of fn, on its own resource.
func (c *policyCheck) platform(fn string, g samtemplate.Grant, logGroup string) bool {
	for _, p := range platformGrants {
		if (p.fn != "" && p.fn != fn) || !strings.EqualFold(p.action, g.Action) {
			continue
		}
		var want string
		switch p.resource {
		case "*":
			want = "*"
		case "own log group":
			// The ARN of the log group is log-group:NAME:*, what Fn::GetAtt gives.
			want = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", testRegion, testAccount, logGroup)
		default:
			var v any
			if err := json.Unmarshal([]byte(p.resource), &v); err != nil {
				panic(err)
			}
			r, err := c.b.Resolve(v)
			if err != nil {
				panic(err)
			}
			want = r
		}
		if g.Resource == want {
			return true
		}
	}
	return false
}

// leadingKeys is the request context of an access: dynamodb:LeadingKeys for calls on the table
// (a Query of an index is left without: IAM's documentation defines the key as the table's
// partition key, and template.yaml's index statements carry no such condition).
func leadingKeys(a access) map[string][]string {
	ctx := maps.Clone(a.context)
	if len(a.keys) == 0 || strings.Contains(a.resource, "/index/") {
		return ctx
	}
	if ctx == nil {
		ctx = map[string][]string{}
	}
	ctx["dynamodb:LeadingKeys"] = a.keys
	return ctx
}
