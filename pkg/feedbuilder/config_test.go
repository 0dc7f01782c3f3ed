package feedbuilder_test

import (
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/feedbuilder"
)

func TestFromEnv(t *testing.T) {
	full := map[string]string{"TABLE_NAME": "t", "FEED_BUCKET": "b", "FEED_BASE": "https://d111111abcdef8.cloudfront.net",
		"OPEN311_ENDPOINT": "https://api.city.example.org/open311/v2"}
	without := func(k string, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range full {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	for _, tt := range []struct {
		name    string
		vars    map[string]string
		wantErr string
	}{
		{"everything", full, ""},
		{"no table", without("TABLE_NAME", ""), "TABLE_NAME"},
		{"no bucket", without("FEED_BUCKET", " "), "FEED_BUCKET"},
		{"no feed base", without("FEED_BASE", ""), "FEED_BASE"},
		{"relative feed base", without("FEED_BASE", "/feeds"), "FEED_BASE"},
		{"no endpoint", without("OPEN311_ENDPOINT", ""), "OPEN311_ENDPOINT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := feedbuilder.FromEnv(func(k string) string { return tt.vars[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := feedbuilder.Config{Table: "t", Bucket: "b", FeedBase: full["FEED_BASE"], Endpoint: full["OPEN311_ENDPOINT"]}
			if c != want {
				t.Errorf("got %+v, want %+v", c, want)
			}
			if o := c.Options(); o.FeedBase != want.FeedBase || o.APIBase != want.Endpoint {
				t.Errorf("Options() = %+v", o)
			}
		})
	}
}
