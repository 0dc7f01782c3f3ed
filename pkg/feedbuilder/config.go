package feedbuilder

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/civicworks/open311/pkg/feed"
)

// Environment variables the function reads. The AWS SDK reads its own: region, credentials, and
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 to point its clients at other servers.
const (
	EnvTable    = "TABLE_NAME"       // required: the DynamoDB table
	EnvBucket   = "FEED_BUCKET"      // required: the S3 bucket the feeds are written to
	EnvFeedBase = "FEED_BASE"        // required: public base URL of the feeds (the CDN), for rel="self"
	EnvEndpoint = "OPEN311_ENDPOINT" // required: base URL of the GeoReport API, for rel="alternate"
)

// Config is the function's configuration, read from its environment.
type Config struct {
	Table    string
	Bucket   string
	FeedBase string
	Endpoint string
}

// FromEnv reads a Config with getenv (os.Getenv in the function) and checks it.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Table:    strings.TrimSpace(getenv(EnvTable)),
		Bucket:   strings.TrimSpace(getenv(EnvBucket)),
		FeedBase: strings.TrimSpace(getenv(EnvFeedBase)),
		Endpoint: strings.TrimSpace(getenv(EnvEndpoint)),
	}
	for _, v := range []struct{ name, value string }{{EnvTable, c.Table}, {EnvBucket, c.Bucket}} {
		if v.value == "" {
			return Config{}, fmt.Errorf("feedbuilder: %s is required", v.name)
		}
	}
	for _, v := range []struct{ name, value string }{{EnvFeedBase, c.FeedBase}, {EnvEndpoint, c.Endpoint}} {
		u, err := url.Parse(v.value)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Config{}, fmt.Errorf("feedbuilder: %s is %q, want an absolute http(s) URL", v.name, v.value)
		}
	}
	return c, nil
}

// Options returns the feed options of this configuration.
func (c Config) Options() feed.Options {
	return feed.Options{FeedBase: c.FeedBase, APIBase: c.Endpoint}
}
