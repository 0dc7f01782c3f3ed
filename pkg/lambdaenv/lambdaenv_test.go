package lambdaenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/civicworks/open311/pkg/lambdaenv"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// feedBuilder is what the feed builder requires beyond TABLE_NAME.
var feedBuilder = []string{lambdaenv.EnvFeedBucket, lambdaenv.EnvFeedBase, lambdaenv.EnvEndpoint}

func TestFromEnv(t *testing.T) {
	feeds := map[string]string{"TABLE_NAME": "t", "FEED_BUCKET": "b", "OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net",
		"OPEN311_ENDPOINT": "https://api.city.example.org/open311/v2"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range feeds {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name     string
		vars     map[string]string
		required []string
		want     lambdaenv.Config
		wantErr  string
	}{
		{"table only", map[string]string{"TABLE_NAME": "open311-Table-1"}, nil,
			lambdaenv.Config{Table: "open311-Table-1", LogLevel: slog.LevelInfo}, ""},
		{"everything of the API", map[string]string{
			"TABLE_NAME": "t", "OPEN311_DEFAULT_JURISDICTION": "city.example.org",
			"OPEN311_ENDPOINT": "https://api.city.example.org/open311/v2", "OPEN311_ENDPOINT_TYPE": "test",
			"AWS_LAMBDA_LOG_LEVEL": "DEBUG", "OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net",
		}, nil, lambdaenv.Config{Table: "t", DefaultJurisdiction: "city.example.org",
			Endpoint: "https://api.city.example.org/open311/v2", EndpointType: "test",
			FeedBase: "https://d111111abcdef8.cloudfront.net", LogLevel: slog.LevelDebug}, ""},
		{"empty optional values", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT": "", "OPEN311_ENDPOINT_TYPE": "", "AWS_LAMBDA_LOG_LEVEL": ""}, nil,
			lambdaenv.Config{Table: "t", LogLevel: slog.LevelInfo}, ""},
		{"no table", map[string]string{}, nil, lambdaenv.Config{}, "TABLE_NAME is required"},
		{"bad endpoint type", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT_TYPE": "staging"}, nil, lambdaenv.Config{}, "OPEN311_ENDPOINT_TYPE"},
		{"relative endpoint", map[string]string{"TABLE_NAME": "t", "OPEN311_ENDPOINT": "/open311"}, nil, lambdaenv.Config{}, "OPEN311_ENDPOINT"},
		{"relative feed base", map[string]string{"TABLE_NAME": "t", "OPEN311_FEED_BASE": "feeds"}, nil, lambdaenv.Config{}, "OPEN311_FEED_BASE"},
		{"bad log level", map[string]string{"TABLE_NAME": "t", "AWS_LAMBDA_LOG_LEVEL": "LOUD"}, nil, lambdaenv.Config{}, "AWS_LAMBDA_LOG_LEVEL"},
		{"the web app", map[string]string{"TABLE_NAME": "t", "WEBAPP_REPORTER_KEY": " rk ", "WEBAPP_TILE_URL": "none", "WEBAPP_MAP_CENTER": "51.5, -0.12"}, nil,
			lambdaenv.Config{Table: "t", WebAppReporterKey: "rk", WebAppTileURL: "none", WebAppMapCenter: [2]float64{51.5, -0.12}, LogLevel: slog.LevelInfo}, ""},
		{"a map centre off the globe", map[string]string{"TABLE_NAME": "t", "WEBAPP_MAP_CENTER": "95,0"}, nil, lambdaenv.Config{}, "WEBAPP_MAP_CENTER"},
		{"a map centre of one number", map[string]string{"TABLE_NAME": "t", "WEBAPP_MAP_CENTER": "51.5"}, nil, lambdaenv.Config{}, "WEBAPP_MAP_CENTER"},

		{"everything of the feed builder", feeds, feedBuilder, lambdaenv.Config{Table: "t", FeedBucket: "b",
			FeedBase: feeds["OPEN311_FEED_BASE"], Endpoint: feeds["OPEN311_ENDPOINT"], LogLevel: slog.LevelInfo}, ""},
		{"feed builder without a table", with("TABLE_NAME", ""), feedBuilder, lambdaenv.Config{}, "TABLE_NAME"},
		{"feed builder without a bucket", with("FEED_BUCKET", " "), feedBuilder, lambdaenv.Config{}, "FEED_BUCKET"},
		{"feed builder without a feed base", with("OPEN311_FEED_BASE", ""), feedBuilder, lambdaenv.Config{}, "OPEN311_FEED_BASE"},
		{"feed builder with a relative feed base", with("OPEN311_FEED_BASE", "/feeds"), feedBuilder, lambdaenv.Config{}, "OPEN311_FEED_BASE"},
		{"feed builder without an endpoint", with("OPEN311_ENDPOINT", ""), feedBuilder, lambdaenv.Config{}, "OPEN311_ENDPOINT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lambdaenv.FromEnv(env(tt.vars), tt.required...)
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
	logger := lambdaenv.NewLogger(&buf, slog.LevelInfo).With("fn", "get-request")
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

// TestLoad reads a function's environment: the table, the logger made slog's default, and the
// DynamoDB endpoint of AWS_ENDPOINT_URL_DYNAMODB, the variable the integration tests point at
// their DynamoDB server.
func TestLoad(t *testing.T) {
	t.Setenv("TABLE_NAME", "open311-test-table")
	t.Setenv("FEED_BUCKET", "")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	defer slog.SetDefault(slog.Default())

	e, err := lambdaenv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e.Table != "open311-test-table" || e.Logger == nil || slog.Default() != e.Logger {
		t.Errorf("Load = %+v; want the table and the default logger", e)
	}
	if got := e.DynamoDB().Options().BaseEndpoint; got == nil || *got != "http://127.0.0.1:9" {
		t.Errorf("BaseEndpoint = %v, want AWS_ENDPOINT_URL_DYNAMODB", got)
	}
	if _, err := lambdaenv.Load(context.Background(), lambdaenv.EnvFeedBucket); err == nil || !strings.Contains(err.Error(), "FEED_BUCKET") {
		t.Errorf("Load requiring FEED_BUCKET: err = %v, want one naming it", err)
	}
}

// TestAWSConfig reads what Lambda sets in a function's environment, and refuses to start
// without it instead of looking for credentials elsewhere.
func TestAWSConfig(t *testing.T) {
	lambda := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s3cret",
		"AWS_SESSION_TOKEN": "token", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5055"}
	env := func(m map[string]string, drop ...string) func(string) string {
		return func(k string) string {
			if slices.Contains(drop, k) {
				return ""
			}
			return m[k]
		}
	}
	cfg, err := lambdaenv.AWSConfig(env(lambda))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || cfg.Region != "eu-west-1" || creds.AccessKeyID != "AKIA" || creds.SecretAccessKey != "s3cret" || creds.SessionToken != "token" || cfg.BaseEndpoint != nil {
		t.Errorf("config %+v, credentials %+v, %v", cfg, creds, err)
	}
	if ep := lambdaenv.ServiceEndpoint(env(lambda), "DYNAMODB"); ep == nil || *ep != "http://127.0.0.1:5055" {
		t.Errorf("DynamoDB endpoint %v", ep)
	}
	if ep := lambdaenv.ServiceEndpoint(env(lambda), "S3"); ep != nil {
		t.Errorf("S3 endpoint %v, want the service's own", *ep)
	}
	lambda["AWS_DEFAULT_REGION"] = "us-west-2"
	if cfg, err := lambdaenv.AWSConfig(env(lambda, "AWS_REGION")); err != nil || cfg.Region != "us-west-2" {
		t.Errorf("AWS_DEFAULT_REGION: %q %v", cfg.Region, err)
	}
	for _, missing := range [][]string{{"AWS_REGION", "AWS_DEFAULT_REGION"}, {"AWS_ACCESS_KEY_ID"}, {"AWS_SECRET_ACCESS_KEY"}} {
		if _, err := lambdaenv.AWSConfig(env(lambda, missing...)); err == nil || !strings.Contains(err.Error(), missing[0]) {
			t.Errorf("without %v: err = %v, want one naming it", missing, err)
		}
	}
}
