package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/store/dynamo"
)

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// recorder is an http.RoundTripper that plays a DynamoDB whose tables are active at once and
// keeps the body of every request by operation.
type recorder struct {
	mu    sync.Mutex
	calls map[string]map[string]any
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	r.mu.Lock()
	r.calls[op] = in
	r.mu.Unlock()
	out := `{}`
	switch op {
	case "CreateTable":
		out = `{"TableDescription":{"TableStatus":"CREATING"}}`
	case "DescribeTable":
		out = `{"Table":{"TableStatus":"ACTIVE"}}`
	case "UpdateTimeToLive":
		out = jsonString(map[string]any{"TimeToLiveSpecification": in["TimeToLiveSpecification"]})
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(out))), 10))
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(bytes.NewReader([]byte(out))), Request: req}, nil
}

// storeTable is the table that dynamo.CreateTable makes, as the JSON of its requests.
func storeTable(t *testing.T) (create, ttl map[string]any) {
	t.Helper()
	rec := &recorder{calls: map[string]map[string]any{}}
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Transport: rec},
	})
	if err := dynamo.CreateTable(context.Background(), client, "open311"); err != nil {
		t.Fatal(err)
	}
	if rec.calls["CreateTable"] == nil {
		t.Fatal("dynamo.CreateTable made no CreateTable call")
	}
	return rec.calls["CreateTable"], rec.calls["UpdateTimeToLive"]
}

// canonical sorts a list of maps by its JSON, so that order does not count.
func canonical(v any) string {
	list, ok := v.([]any)
	if !ok {
		return jsonString(v)
	}
	s := make([]string, len(list))
	for i, e := range list {
		s[i] = jsonString(e)
	}
	sort.Strings(s)
	return "[" + strings.Join(s, ",") + "]"
}

// TestTableMatchesStore compares the table of template.yaml with the one dynamo.CreateTable
// creates (the schema the store and its conformance tests use), and checks what production
// adds: point-in-time recovery, encryption, and tables that outlive the stack.
func TestTableMatchesStore(t *testing.T) {
	tpl := readTemplate(t)
	table := at(tpl, "Resources", "Table")
	if at(table, "Type") != "AWS::DynamoDB::Table" {
		t.Fatalf("Resources.Table is %v, want an AWS::DynamoDB::Table", at(table, "Type"))
	}
	props := at(table, "Properties")
	create, ttl := storeTable(t)

	for _, k := range []string{"BillingMode", "AttributeDefinitions", "KeySchema"} {
		if got, want := canonical(at(props, k)), canonical(create[k]); got != want {
			t.Errorf("Table %s = %s, want %s (as dynamo.CreateTable)", k, got, want)
		}
	}
	gsis := func(v any) string {
		list, _ := v.([]any)
		var out []any
		for _, g := range list {
			out = append(out, map[string]any{
				"IndexName":  at(g, "IndexName"),
				"KeySchema":  canonical(at(g, "KeySchema")),
				"Projection": at(g, "Projection", "ProjectionType"),
			})
		}
		return canonical(out)
	}
	if got, want := gsis(at(props, "GlobalSecondaryIndexes")), gsis(create["GlobalSecondaryIndexes"]); got != want {
		t.Errorf("Table GlobalSecondaryIndexes = %s, want %s", got, want)
	}
	if got, want := at(props, "StreamSpecification", "StreamViewType"), at(create, "StreamSpecification", "StreamViewType"); got != want || got != "KEYS_ONLY" {
		t.Errorf("Table StreamViewType = %v, want %v (KEYS_ONLY: no personal data on the stream)", got, want)
	}
	if got, want := jsonString(at(props, "TimeToLiveSpecification")), jsonString(ttl["TimeToLiveSpecification"]); got != want {
		t.Errorf("Table TimeToLiveSpecification = %s, want %s", got, want)
	}

	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"DeletionPolicy"}, "Retain"},
		{[]string{"UpdateReplacePolicy"}, "Retain"},
		{[]string{"Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"}, true},
		{[]string{"Properties", "SSESpecification", "SSEEnabled"}, true},
	} {
		if got := at(table, c.path...); got != c.want {
			t.Errorf("Table %s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	if name := at(props, "TableName"); name != nil {
		t.Errorf("Table has TableName %v; leave it to CloudFormation so that a retained table never blocks a new stack", name)
	}
}
