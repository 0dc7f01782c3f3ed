package feed_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api/apitest"
	testworld "github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// options are the feed options of the tests.
var options = feed.Options{
	FeedBase: "https://feeds.example.org",
	APIBase:  "https://api.example.org/open311/v2/",
}

// world returns a store holding the seeded test world and a few more activities: request 100003
// (a street light with a point) is commented on, assigned and closed, and the private request
// 100007 gets a comment that no feed may show.
func world(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st := testworld.Store(t)
	str := func(s string) *string { return &s }
	status := func(s open311.Status) *open311.Status { return &s }
	zone, _ := time.LoadLocation("America/New_York")
	for _, u := range []struct {
		id, who string
		at      time.Duration // before apitest.Now
		change  open311.Change
	}{
		{"100003", "reporter", 30 * time.Hour, open311.Change{Comment: "The third light, by the bus stop, is out too.",
			MediaURL: "https://photos.example.org/p/7.jpg"}},
		{"100003", "Public Works", 26 * time.Hour, open311.Change{Status: status(open311.Assigned),
			AgencyResponsible: str("Street Lighting"), Comment: "Crew 4 has the ladder truck.", Zone: zone}},
		{"100003", "Street Lighting", 90 * time.Minute, open311.Change{Status: status(open311.Closed),
			StatusNotes: str("Three lamps replaced."), Comment: "Replaced all three lamps & checked the timer.", Zone: zone}},
		{"100007", "Code Enforcement", 30 * time.Minute, open311.Change{Comment: "Inspector visited 3 Oak St (secret-comment)."}},
	} {
		_, err := store.UpdateRequest(ctx, st, apitest.Jurisdiction, u.id, func(r *open311.Request) ([]open311.Activity, error) {
			return u.change.Apply(r, nil, u.who, apitest.Now.Add(-u.at))
		})
		if err != nil {
			t.Fatalf("update %s: %v", u.id, err)
		}
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
