package feed_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
)

func TestDirPublishesOnlyChanges(t *testing.T) {
	ctx := context.Background()
	dir := feed.Dir(t.TempDir())
	f := feed.ForService("city.example.org", "street light")
	for i, c := range []struct {
		body    string
		written bool
	}{{"<feed>1</feed>", true}, {"<feed>1</feed>", false}, {"<feed>2</feed>", true}, {"<feed>2</feed>", false}} {
		written, err := dir.Publish(ctx, f.Path(), []byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if written != c.written {
			t.Errorf("publish %d (%s): written %v, want %v", i, c.body, written, c.written)
		}
		got, err := os.ReadFile(filepath.Join(string(dir), "city.example.org", "services", "street light.atom"))
		if err != nil || string(got) != c.body {
			t.Errorf("publish %d: file holds %q, %v; want %q", i, got, err, c.body)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(string(dir), "city.example.org", "services"))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want 1 (no temporary files left)", len(entries))
	}

	// A file server finds the feed at its URL path, as the local stack serves it.
	srv := httptest.NewServer(http.StripPrefix("/feeds/", http.FileServer(http.Dir(string(dir)))))
	defer srv.Close()
	resp, err := http.Get(f.URL(srv.URL + "/feeds"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", f.URL(srv.URL+"/feeds"), resp.Status)
	}

	if err := dir.Remove(ctx, f.Path()); err != nil {
		t.Fatal(err)
	}
	if err := dir.Remove(ctx, f.Path()); err != nil {
		t.Errorf("removing a missing feed: %v", err)
	}
	for _, bad := range []string{"..%2F..%2Fetc/requests.atom", "../x.atom", "/abs.atom", "a/./b.atom", "%zz.atom"} {
		if _, err := dir.Publish(ctx, bad, []byte("x")); !open311.IsKind(err, open311.Invalid) {
			t.Errorf("Publish(%q): got %v, want Invalid", bad, err)
		}
	}
}

// TestRefresh builds and publishes every feed of the test world into a folder: everything is
// written once, nothing the second time, and a feed whose request is not public is taken down.
func TestRefresh(t *testing.T) {
	ctx := context.Background()
	st := world(t)
	dir := feed.Dir(t.TempDir())
	stale := feed.ForRequest(apitest.Jurisdiction, "100005")
	if _, err := dir.Publish(ctx, stale.Path(), []byte("stale")); err != nil {
		t.Fatal(err)
	}
	for round, want := range []bool{true, false} {
		for _, f := range allFeeds() {
			written, err := feed.Refresh(ctx, st, dir, f, options)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			public := f != stale && f != feed.ForRequest(apitest.Jurisdiction, "100007") && f != feed.ForService(apitest.Jurisdiction, "code-concern")
			if written != (want && public) {
				t.Errorf("round %d, %s: written %v", round, f, written)
			}
			_, err = os.Stat(filepath.Join(string(dir), filepath.FromSlash(f.Path())))
			if public != (err == nil) {
				t.Errorf("round %d, %s: public %v, file: %v", round, f, public, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(string(dir), filepath.FromSlash(stale.Path()))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the feed of a request that is not public is still there: %v", err)
	}
}
