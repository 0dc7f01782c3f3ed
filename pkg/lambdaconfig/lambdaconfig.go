// Package lambdaconfig is the wiring every Lambda function of the API shares: configuration
// from the environment, the DynamoDB store, a JSON logger, and the HTTP API (payload 2.0)
// adapter around a pkg/api handler. Each functions/<operation>/main.go is then a dozen lines.
//
// It links only the DynamoDB store: nothing local-only (the embedded store, infra/) may be
// imported here, since every function binary carries this package.
package lambdaconfig

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// Environment variables a function reads. The AWS SDK reads its own (region, credentials, and
// AWS_ENDPOINT_URL_DYNAMODB to point the client at another DynamoDB API, such as a test server).
const (
	EnvTable               = "TABLE_NAME"                   // required: the DynamoDB table
	EnvDefaultJurisdiction = "OPEN311_DEFAULT_JURISDICTION" // optional: see api.Options.DefaultJurisdiction
	EnvEndpoint            = "OPEN311_ENDPOINT"             // optional: public base URL named in discovery
	EnvEndpointType        = "OPEN311_ENDPOINT_TYPE"        // optional: "production" (default) or "test"
	EnvFeedBase            = "OPEN311_FEED_BASE"            // optional: public base URL of the Atom feeds (the CDN)
	EnvLogLevel            = "AWS_LAMBDA_LOG_LEVEL"         // set by Lambda from LoggingConfig.ApplicationLogLevel
)

// Config is a function's configuration, read from its environment.
type Config struct {
	Table               string
	DefaultJurisdiction string
	Endpoint            string
	EndpointType        string
	FeedBase            string
	LogLevel            slog.Level
}

// FromEnv reads a Config with getenv (os.Getenv in a function) and checks it.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Table:               strings.TrimSpace(getenv(EnvTable)),
		DefaultJurisdiction: strings.TrimSpace(getenv(EnvDefaultJurisdiction)),
		Endpoint:            strings.TrimSpace(getenv(EnvEndpoint)),
		EndpointType:        strings.TrimSpace(getenv(EnvEndpointType)),
		FeedBase:            strings.TrimSpace(getenv(EnvFeedBase)),
	}
	if c.Table == "" {
		return Config{}, fmt.Errorf("lambdaconfig: %s is required", EnvTable)
	}
	switch c.EndpointType {
	case "", "production", "test":
	default:
		return Config{}, fmt.Errorf("lambdaconfig: %s is %q, want production or test", EnvEndpointType, c.EndpointType)
	}
	for _, v := range []struct{ name, value string }{{EnvEndpoint, c.Endpoint}, {EnvFeedBase, c.FeedBase}} {
		if v.value == "" {
			continue
		}
		u, err := url.Parse(v.value)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Config{}, fmt.Errorf("lambdaconfig: %s is %q, want an absolute http(s) URL", v.name, v.value)
		}
	}
	level, err := logLevel(getenv(EnvLogLevel))
	if err != nil {
		return Config{}, err
	}
	c.LogLevel = level
	return c, nil
}

// logLevel maps Lambda's application log levels (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) to slog's.
func logLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return slog.LevelInfo, nil
	case "TRACE", "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN":
		return slog.LevelWarn, nil
	case "ERROR", "FATAL":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("lambdaconfig: %s is %q, want TRACE, DEBUG, INFO, WARN, ERROR or FATAL", EnvLogLevel, s)
}

// Options returns the api.Options of this configuration over a store.
func (c Config) Options(st desk.Store, logger *slog.Logger) api.Options {
	return api.Options{
		Store:               st,
		DefaultJurisdiction: c.DefaultJurisdiction,
		Endpoint:            c.Endpoint,
		EndpointType:        c.EndpointType,
		FeedBase:            c.FeedBase,
		Logger:              logger,
	}
}

// NewLogger returns a JSON logger writing to w (stdout in a function, which Lambda collects),
// adding the Lambda request id to every line logged with an invocation's context.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// requestIDHandler adds the invocation's request id, so a log line can be found from a trace.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// API builds the API of a function from its environment: a JSON logger to stdout (also made the
// slog default, so a failure here is logged as JSON too), the DynamoDB client of the SDK's
// default configuration, and the store on TABLE_NAME. It makes no network call.
func API(ctx context.Context) (*api.API, error) {
	slog.SetDefault(NewLogger(os.Stdout, slog.LevelInfo))
	c, err := FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	logger := NewLogger(os.Stdout, c.LogLevel)
	slog.SetDefault(logger)
	client, err := NewDynamoDB(ctx)
	if err != nil {
		return nil, err
	}
	opt := c.Options(dynamo.New(client, c.Table), logger)
	if testOptions != nil {
		if err := testOptions(&opt); err != nil {
			return nil, err
		}
	}
	return api.New(opt), nil
}

// testOptions, when not nil, changes the options API builds before the API is made. Only the
// end-to-end test build sets it (testclock.go, build tag e2e: a fixed clock and the golden id
// sequences); in every other build it stays nil and none of that code is linked.
var testOptions func(*api.Options) error

// NewDynamoDB returns a DynamoDB client of the SDK's default configuration: region and
// credentials from the environment (in Lambda, the function's role), and the endpoint from
// AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL when one is set.
func NewDynamoDB(ctx context.Context) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdaconfig: load aws config: %w", err)
	}
	return dynamodb.NewFromConfig(cfg), nil
}
