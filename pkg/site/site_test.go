package site_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/site"
	"github.com/civicworks/open311/pkg/webapp"
)

// memBucket is a site.Bucket in memory.
type memBucket map[string]site.Object

func (m memBucket) Get(_ context.Context, key string) ([]byte, bool, error) {
	o, ok := m[key]
	return o.Body, ok, nil
}
func (m memBucket) Put(_ context.Context, o site.Object) error { m[o.Key] = o; return nil }
func (m memBucket) Delete(_ context.Context, key string) error { delete(m, key); return nil }

func keys(m memBucket) []string { return slices.Sorted(maps.Keys(m)) }

// TestPublish checks the pages a deploy writes (the web app, its config.json made from the
// deployment's config, and the missing-object page naming the API), that a later version
// removes what it no longer has and keeps what is not the site's (the feeds), and that a
// delete removes the site and nothing else.
func TestPublish(t *testing.T) {
	ctx := context.Background()
	objs, err := site.Objects(site.Config{APIURL: "https://api.city.example.org/open311/v2/", ReporterKey: "rk-public",
		TileURL: "https://tiles.example.org/{z}/{x}/{y}.png", MapCenter: [2]float64{51.5, -0.12}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := webapp.Files(webapp.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := memBucket{"city.example.org/requests.atom": {Key: "city.example.org/requests.atom", Body: []byte("<feed/>")}}
	done, err := site.Publish(ctx, b, objs)
	if err != nil {
		t.Fatal(err)
	}
	want := append(webapp.Names(app), "city.example.org/requests.atom", "errors/404.html", "site.json")
	slices.Sort(want)
	if !slices.Equal(keys(b), want) {
		t.Fatalf("bucket %q, want %q", keys(b), want)
	}
	if len(done.Written) != len(app)+1 || len(done.Deleted) != 0 {
		t.Errorf("Publish = %+v", done)
	}
	for k, want := range map[string]struct{ ctype, body string }{
		"index.html":        {"text/html; charset=utf-8", `src="app/js/app.js"`},
		"errors/404.html":   {"text/html; charset=utf-8", `href="https://api.city.example.org/open311/v2/discovery.json"`},
		"app/js/app.js":     {"text/javascript; charset=utf-8", "import"},
		"app/app.css":       {"text/css; charset=utf-8", "body"},
		"app/statuses.json": {"application/json; charset=utf-8", `"transitions"`},
	} {
		o := b[k]
		if o.ContentType != want.ctype || o.CacheControl != site.CacheControl || !strings.Contains(string(o.Body), want.body) {
			t.Errorf("%s: %s, %s:\n%.300s", k, o.ContentType, o.CacheControl, o.Body)
		}
	}
	var cfg webapp.Config
	if err := json.Unmarshal(b["app/config.json"].Body, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.APIBase != "https://api.city.example.org/open311/v2" || cfg.ReporterKey != "rk-public" || cfg.TileURL != "https://tiles.example.org/{z}/{x}/{y}.png" ||
		cfg.Center != [2]float64{51.5, -0.12} || len(cfg.Links) != 1 || cfg.Links[0].URL != "https://api.city.example.org/open311/v2/discovery.json" {
		t.Errorf("config.json: %s", b["app/config.json"].Body)
	}
	var manifest []string
	if err := json.Unmarshal(b["site.json"].Body, &manifest); err != nil || !slices.Equal(manifest, slices.DeleteFunc(slices.Clone(want), func(k string) bool {
		return k == "site.json" || strings.HasSuffix(k, ".atom")
	})) {
		t.Errorf("manifest %s", b["site.json"].Body)
	}

	// A version without the root page: it goes, the rest stays.
	var fewer []site.Object
	for _, o := range objs {
		if o.Key != "index.html" {
			fewer = append(fewer, o)
		}
	}
	done, err = site.Publish(ctx, b, fewer)
	if err != nil || !slices.Equal(done.Deleted, []string{"index.html"}) {
		t.Errorf("Publish of fewer = %+v, %v; want index.html deleted", done, err)
	}
	if slices.Contains(keys(b), "index.html") || !slices.Contains(keys(b), "app/js/app.js") {
		t.Errorf("bucket %q, want index.html gone and the rest there", keys(b))
	}

	if _, err := site.Unpublish(ctx, b); err != nil {
		t.Fatal(err)
	}
	if want := []string{"city.example.org/requests.atom"}; !slices.Equal(keys(b), want) {
		t.Errorf("after Unpublish %q, want the feeds only", keys(b))
	}

	// A manifest naming what is not a page of the site is refused, not followed.
	b["site.json"] = site.Object{Key: "site.json", Body: []byte(`["../city.example.org/requests.atom"]`)}
	if _, err := site.Unpublish(ctx, b); err == nil {
		t.Error("Unpublish followed a manifest naming another key")
	}
}

// TestObjectsEscape checks that the API's URL is written into the pages escaped for HTML.
func TestObjectsEscape(t *testing.T) {
	objs, err := site.Objects(site.Config{APIURL: `https://api.example.org/"><script>x</script>`})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if strings.Contains(string(o.Body), "<script>") || strings.Contains(string(o.Body), "{{") {
			t.Errorf("%s holds the URL unescaped, or a placeholder:\n%s", o.Key, o.Body)
		}
	}
}
