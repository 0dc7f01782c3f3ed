package folder_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/open311"
)

// TestPublishesOnlyChanges writes a feed into a folder: an unchanged body is not written again,
// no temporary file is left, a file server finds the feed at its URL path, and paths that would
// leave the folder are refused.
func TestPublishesOnlyChanges(t *testing.T) {
	ctx := context.Background()
	dir := folder.Publisher(t.TempDir())
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
