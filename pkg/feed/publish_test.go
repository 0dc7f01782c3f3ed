package feed_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/open311"
)

// TestRefresh builds and publishes every feed of the test world into a folder: everything is
// written once, nothing the second time, and a feed whose request is not public is taken down.
func TestRefresh(t *testing.T) {
	ctx := context.Background()
	st := world(t)
	dir := folder.Publisher(t.TempDir())
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

// TestObjectKey checks the names publishers store feeds under: a feed's path unescaped, and no
// path that would leave the folder or the bucket's prefix.
func TestObjectKey(t *testing.T) {
	for path, want := range map[string]string{
		feed.ForService("city.example.org", "street light").Path(): "city.example.org/services/street light.atom",
		feed.ForRequest("city.example.org", "a/b").Path():          "city.example.org/requests/a/b.atom",
		feed.ForJurisdiction("city.example.org").Path():            "city.example.org/requests.atom",
	} {
		if got, err := feed.ObjectKey(path); err != nil || got != want {
			t.Errorf("ObjectKey(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, bad := range []string{"..%2F..%2Fetc/requests.atom", "../x.atom", "/abs.atom", "a/./b.atom", "%zz.atom", ""} {
		if got, err := feed.ObjectKey(bad); !open311.IsKind(err, open311.Invalid) {
			t.Errorf("ObjectKey(%q) = %q, %v; want Invalid", bad, got, err)
		}
	}
}
