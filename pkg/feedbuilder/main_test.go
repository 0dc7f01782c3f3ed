package feedbuilder_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/feed/bucket"
	"github.com/civicworks/open311/pkg/feedbuilder"
)

// TestNew builds the function's handler from the environment the template gives it.
func TestNew(t *testing.T) {
	for k, v := range map[string]string{
		"TABLE_NAME": "open311-test-table", "FEED_BUCKET": "open311-feeds",
		"OPEN311_FEED_BASE": "https://d111111abcdef8.cloudfront.net", "OPEN311_ENDPOINT": "https://api.city.example.org/open311/v2",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		t.Setenv(k, v)
	}
	defer slog.SetDefault(slog.Default())
	h, err := feedbuilder.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := h.Publisher.(*bucket.Publisher); !ok || p.Bucket != "open311-feeds" {
		t.Errorf("Publisher = %#v, want the bucket of FEED_BUCKET", h.Publisher)
	}
	if h.Options.FeedBase != "https://d111111abcdef8.cloudfront.net" || h.Options.APIBase != "https://api.city.example.org/open311/v2" {
		t.Errorf("Options = %+v, want OPEN311_FEED_BASE and OPEN311_ENDPOINT", h.Options)
	}
	if h.Store == nil || h.Logger == nil {
		t.Errorf("Store %v, Logger %v: want both", h.Store, h.Logger)
	}

	// The feed base has one name for every function: the feed builder's old FEED_BASE is not read.
	t.Setenv("OPEN311_FEED_BASE", "")
	t.Setenv("FEED_BASE", "https://d111111abcdef8.cloudfront.net")
	if _, err := feedbuilder.New(context.Background()); err == nil || !strings.Contains(err.Error(), "OPEN311_FEED_BASE") {
		t.Errorf("New without OPEN311_FEED_BASE: err = %v, want one naming it", err)
	}
}
