// Package lambdaenv is what every Lambda function of the system starts from, whatever calls it
// (API Gateway or the table's stream): its configuration, read once from the environment in
// one place; one JSON logger that adds the invocation's request id to every line; and the AWS
// SDK's configuration and the DynamoDB store on the function's table.
//
// It links neither pkg/api nor the S3 SDK nor the feed builder: package lambdaconfig wires the
// HTTP API functions on top of it, package feedbuilder the stream function, and each function
// binary links only its own kind. Nothing local-only (the embedded store, infra/) is imported.
package lambdaenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/store/dynamo"
)

// Environment variables a function reads. Lambda sets the AWS ones (see AWSConfig); tests set
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) to point the clients at
// other servers.
const (
	EnvTable               = "TABLE_NAME"                   // required: the DynamoDB table
	EnvEndpoint            = "OPEN311_ENDPOINT"             // public base URL of the GeoReport API
	EnvFeedBase            = "OPEN311_FEED_BASE"            // public base URL of the Atom feeds (the CDN)
	EnvMediaBase           = "OPEN311_MEDIA_BASE"           // public base URL of photos; default OPEN311_FEED_BASE (the same CDN)
	EnvFeedBucket          = "FEED_BUCKET"                  // the S3 bucket the feeds are written to
	EnvFeedDistribution    = "FEED_DISTRIBUTION"            // the id of the CloudFront distribution serving it
	EnvDefaultJurisdiction = "OPEN311_DEFAULT_JURISDICTION" // the API's default jurisdiction
	EnvEndpointType        = "OPEN311_ENDPOINT_TYPE"        // "production" (default) or "test", as discovery says
	EnvLogLevel            = "AWS_LAMBDA_LOG_LEVEL"         // set by Lambda from LoggingConfig.ApplicationLogLevel
	EnvWebAppReporterKey   = "WEBAPP_REPORTER_KEY"          // the reporter key the published web app posts with
	EnvWebAppTileURL       = "WEBAPP_TILE_URL"              // the web app's map tiles ({z}/{x}/{y}; "none")
	EnvWebAppMapCenter     = "WEBAPP_MAP_CENTER"            // where its maps open: "lat,long"
)

// Config is a function's configuration, read from its environment. A function uses the fields
// of its kind: the HTTP API functions DefaultJurisdiction, Endpoint, EndpointType and FeedBase
// (for feed_url); the feed builder FeedBucket, FeedBase (rel="self") and Endpoint
// (rel="alternate").
type Config struct {
	Table    string
	Endpoint string
	FeedBase string
	// MediaBase is where photos are served from when not from FeedBase (the emulated stack's
	// update functions, whose answers name no feed; template.yaml sets none).
	MediaBase           string
	FeedBucket          string
	FeedDistribution    string
	DefaultJurisdiction string
	EndpointType        string
	LogLevel            slog.Level
	// The web app the site publisher publishes: its reporter key, tiles and map centre.
	WebAppReporterKey string
	WebAppTileURL     string
	WebAppMapCenter   [2]float64
}

// FromEnv reads a Config with getenv (os.Getenv in a function) and checks it: TABLE_NAME and
// the variables named in required must be set, URLs must be absolute http(s) URLs, and
// OPEN311_ENDPOINT_TYPE and AWS_LAMBDA_LOG_LEVEL must be values they can take.
func FromEnv(getenv func(string) string, required ...string) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		Table:               get(EnvTable),
		Endpoint:            get(EnvEndpoint),
		FeedBase:            get(EnvFeedBase),
		MediaBase:           get(EnvMediaBase),
		FeedBucket:          get(EnvFeedBucket),
		FeedDistribution:    get(EnvFeedDistribution),
		DefaultJurisdiction: get(EnvDefaultJurisdiction),
		EndpointType:        get(EnvEndpointType),
	}
	for _, name := range append([]string{EnvTable}, required...) {
		if get(name) == "" {
			return Config{}, fmt.Errorf("lambdaenv: %s is required", name)
		}
	}
	switch c.EndpointType {
	case "", "production", "test":
	default:
		return Config{}, fmt.Errorf("lambdaenv: %s is %q, want production or test", EnvEndpointType, c.EndpointType)
	}
	for _, v := range []struct{ name, value string }{{EnvEndpoint, c.Endpoint}, {EnvFeedBase, c.FeedBase}, {EnvMediaBase, c.MediaBase}} {
		if v.value == "" {
			continue
		}
		u, err := url.Parse(v.value)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Config{}, fmt.Errorf("lambdaenv: %s is %q, want an absolute http(s) URL", v.name, v.value)
		}
	}
	level, err := logLevel(getenv(EnvLogLevel))
	if err != nil {
		return Config{}, err
	}
	c.LogLevel = level
	c.WebAppReporterKey, c.WebAppTileURL = get(EnvWebAppReporterKey), get(EnvWebAppTileURL)
	if v := get(EnvWebAppMapCenter); v != "" {
		lat, long, ok := strings.Cut(v, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(long), 64)
		if !ok || err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return Config{}, fmt.Errorf("lambdaenv: %s is %q, want lat,long in degrees", EnvWebAppMapCenter, v)
		}
		c.WebAppMapCenter = [2]float64{la, lo}
	}
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
	return 0, fmt.Errorf("lambdaenv: %s is %q, want TRACE, DEBUG, INFO, WARN, ERROR or FATAL", EnvLogLevel, s)
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

// Env is a function's environment, as Load reads it.
type Env struct {
	Config
	// Logger is the function's logger (NewLogger to stdout at Config.LogLevel), also made
	// slog's default.
	Logger *slog.Logger
	// AWS is the SDK configuration of AWSConfig.
	AWS aws.Config
}

// AWSConfig is the AWS SDK configuration of a function, from the variables Lambda sets in every
// execution environment: the region (AWS_REGION, or AWS_DEFAULT_REGION) and the function role's
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), valid for the
// environment's life. It is what the SDK's config.LoadDefaultConfig finds in a function, without
// that package's shared files, SSO, assume-role and instance-metadata providers, which a function
// never uses: they are a fifth of a function's binary and part of its cold start.
func AWSConfig(getenv func(string) string) (aws.Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	region := get("AWS_REGION")
	if region == "" {
		region = get("AWS_DEFAULT_REGION")
	}
	id, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")
	switch {
	case region == "":
		return aws.Config{}, fmt.Errorf("lambdaenv: AWS_REGION is not set")
	case id == "" || secret == "":
		return aws.Config{}, fmt.Errorf("lambdaenv: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)")
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, get("AWS_SESSION_TOKEN"))),
		BaseEndpoint: func() *string {
			if e := get("AWS_ENDPOINT_URL"); e != "" {
				return &e
			}
			return nil
		}(),
	}, nil
}

// ServiceEndpoint returns the endpoint of one AWS service (its SDK id in upper case with "_"
// for spaces, as "DYNAMODB" or "S3") given by AWS_ENDPOINT_URL_<SERVICE>, or AWS_ENDPOINT_URL,
// or nil for the service's own.
func ServiceEndpoint(getenv func(string) string, service string) *string {
	for _, name := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
		if e := strings.TrimSpace(getenv(name)); e != "" {
			return &e
		}
	}
	return nil
}

// Load reads a function's environment once: it makes a JSON logger to stdout slog's default
// (first at INFO, so that a configuration error is logged as JSON too, then at the configured
// level), reads the Config (see FromEnv for required) and the AWS configuration (AWSConfig). It
// makes no network call.
func Load(ctx context.Context, required ...string) (Env, error) {
	slog.SetDefault(NewLogger(os.Stdout, slog.LevelInfo))
	c, err := FromEnv(os.Getenv, required...)
	if err != nil {
		return Env{}, err
	}
	logger := NewLogger(os.Stdout, c.LogLevel)
	slog.SetDefault(logger)
	cfg, err := AWSConfig(os.Getenv)
	if err != nil {
		return Env{}, err
	}
	return Env{Config: c, Logger: logger, AWS: cfg}, nil
}

// DynamoDB returns a DynamoDB client of the environment's AWS configuration, at the endpoint of
// AWS_ENDPOINT_URL_DYNAMODB when one is set.
func (e Env) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(e.AWS, func(o *dynamodb.Options) {
		if ep := ServiceEndpoint(os.Getenv, "DYNAMODB"); ep != nil {
			o.BaseEndpoint = ep
		}
	})
}

// Store returns the DynamoDB store on the function's table.
func (e Env) Store() *dynamo.Store { return dynamo.New(e.DynamoDB(), e.Table) }

// Exit logs that the function named name could not start, and why, and ends the process, so
// that Lambda reports the init failure.
func Exit(name string, err error) {
	slog.Error("configure "+name, "err", err)
	os.Exit(1)
}
