package lambdaconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		want    lambdaconfig.Config
		wantErr string
	}{
		{"table only", map[string]string{"TABLE_NAME": "open311-Table-1"},
			lambdaconfig.Config{Table: "open311-Table-1", LogLevel: slog.LevelInfo}, ""},
		{"everything", map[string]string{
			"TABLE_NAME": "t", "OPEN311_DEFAULT_JURISDICTION": "city.example.org",
			"OPEN311_ENDPOINT": "https://api.city.example.org/open311/v2", "OPEN311_ENDPOINT_TYPE": "test",
			"AWS_LAMBDA_LOG_LEVEL": "DEBUG", "OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net",
		}, lambdaconfig.Config{Table: "t", DefaultJurisdiction: "city.example.org",
			Endpoint: "https://api.city.example.org/open311/v2", EndpointType: "test",
			FeedBase: "https://d111111abcdef8.cloudfront.net", LogLevel: slog.LevelDebug}, ""},
		{"empty optional values", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT": "", "OPEN311_ENDPOINT_TYPE": "", "AWS_LAMBDA_LOG_LEVEL": ""},
			lambdaconfig.Config{Table: "t", LogLevel: slog.LevelInfo}, ""},
		{"no table", map[string]string{}, lambdaconfig.Config{}, "TABLE_NAME is required"},
		{"bad endpoint type", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT_TYPE": "staging"}, lambdaconfig.Config{}, "OPEN311_ENDPOINT_TYPE"},
		{"relative endpoint", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT": "/open311"}, lambdaconfig.Config{}, "OPEN311_ENDPOINT"},
		{"relative feed base", map[string]string{"TABLE_NAME": "t", "OPEN311_FEED_BASE": "feeds"}, lambdaconfig.Config{}, "OPEN311_FEED_BASE"},
		{"bad log level", map[string]string{"TABLE_NAME": "t", "AWS_LAMBDA_LOG_LEVEL": "LOUD"}, lambdaconfig.Config{}, "AWS_LAMBDA_LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lambdaconfig.FromEnv(env(tt.vars))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoggerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := lambdaconfig.NewLogger(&buf, slog.LevelInfo).With("fn", "get-request")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	logger.InfoContext(ctx, "request", "status", 200)
	logger.DebugContext(ctx, "not shown")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q: %v", buf.String(), err)
	}
	if line["requestId"] != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" || line["fn"] != "get-request" || line["msg"] != "request" {
		t.Errorf("line = %v", line)
	}
}

// fakeDynamoDB answers every DynamoDB call with an empty result and records the operations.
type fakeDynamoDB struct {
	mu    sync.Mutex
	calls []string // "Operation TableName"
}

func (f *fakeDynamoDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct{ TableName string }
	_ = json.Unmarshal(body, &in)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+in.TableName)
	f.mu.Unlock()
	const out = `{"Items":[],"Count":0,"ScannedCount":0}`
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(out))), 10))
	_, _ = io.WriteString(w, out)
}

// TestAPIFromEnvironment builds a function's API from the environment alone and checks that
// its store reads the table named by TABLE_NAME at the endpoint of AWS_ENDPOINT_URL_DYNAMODB,
// the variable the integration tests point at their DynamoDB server.
func TestAPIFromEnvironment(t *testing.T) {
	fake := &fakeDynamoDB{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("TABLE_NAME", "open311-test-table")
	t.Setenv("OPEN311_DEFAULT_JURISDICTION", "city.example.org")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	defer slog.SetDefault(slog.Default())

	client, err := lambdaconfig.NewDynamoDB(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := client.Options().BaseEndpoint; got == nil || *got != srv.URL {
		t.Errorf("BaseEndpoint = %v, want %s", got, srv.URL)
	}

	a, err := lambdaconfig.API(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.Serve(api.GetServices).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/services.json", nil))
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.calls) == 0 || fake.calls[0] != "Query open311-test-table" {
		t.Errorf("DynamoDB calls = %q, want a Query of open311-test-table first", fake.calls)
	}
}

func TestAPIWithoutTable(t *testing.T) {
	t.Setenv("TABLE_NAME", "")
	defer slog.SetDefault(slog.Default())
	if _, err := lambdaconfig.API(context.Background()); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("err = %v, want one naming TABLE_NAME", err)
	}
}

// TestOptionsFeedBase checks that the feed base reaches the API, which names each request's
// feed from it (extended_attributes.feed_url).
func TestOptionsFeedBase(t *testing.T) {
	c, err := lambdaconfig.FromEnv(env(map[string]string{"TABLE_NAME": "t", "OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Options(nil, nil).FeedBase; got != "https://d111111abcdef8.cloudfront.net" {
		t.Errorf("Options().FeedBase = %q", got)
	}
}
