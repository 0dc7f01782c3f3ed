package lambdaconfig_test

import (
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

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaenv"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
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
	c, err := lambdaenv.FromEnv(env(map[string]string{"TABLE_NAME": "t", "OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := lambdaconfig.Options(c, nil, nil).FeedBase; got != "https://d111111abcdef8.cloudfront.net" {
		t.Errorf("Options().FeedBase = %q", got)
	}
}
