package feed_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	testworld "github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/feed/feedtest"
	"github.com/civicworks/open311/pkg/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// options are the feed options of the tests, those of the golden feeds.
var options = feedtest.Options

// world returns a store holding the seeded test world and the few more activities of
// feedtest.AddActivities.
func world(t *testing.T) store.Store {
	t.Helper()
	st := testworld.Store(t)
	if err := feedtest.AddActivities(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/feed -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./pkg/feed -update and review the diff):\n%s", name, got)
	}
}
