package feed_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed/atom"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// TestUpdatePhotosAreEnclosures reads, as a feed reader does, the entry of a comment that added
// a photo to request 100008: the photo it added is its one enclosure (the report's two stay the
// report's entry's), in the request's feed and in its service's; once staff removed the photo,
// the request's feed shows it no more.
func TestUpdatePhotosAreEnclosures(t *testing.T) {
	st := world(t)
	name := strings.Repeat("ef", 32) + ".webp"
	added := open311.Photo{Name: name, ContentType: "image/webp", Width: 800, Height: 600, Size: 54321, URL: "https://cdn.example.org/media/" + name}
	_, err := store.UpdateRequest(context.Background(), st, apitest.Jurisdiction, "100008", func(r *open311.Request) ([]open311.Activity, error) {
		return open311.Change{Comment: "Deeper today.", Photos: []open311.Photo{added}}.Apply(r, nil, "reporter", apitest.Now.Add(-time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []feed.Feed{feed.ForRequest(apitest.Jurisdiction, "100008"), feed.ForService(apitest.Jurisdiction, "pothole")} {
		if got, want := commentEnclosures(t, st, f), []string{added.URL + " image/webp 54321"}; !slices.Equal(got, want) {
			t.Errorf("%s: enclosures of the comment with a photo\n got %q\nwant %q", f, got, want)
		}
	}
	_, err = store.UpdateRequest(context.Background(), st, apitest.Jurisdiction, "100008", func(r *open311.Request) ([]open311.Activity, error) {
		return open311.Change{RemovePhoto: name}.Apply(r, nil, "staff", apitest.Now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := commentEnclosures(t, st, feed.ForRequest(apitest.Jurisdiction, "100008")); len(got) != 0 {
		t.Errorf("the request's feed after the photo was removed: the comment's enclosures %q, want none", got)
	}
}

// commentEnclosures are the enclosures of the entry of 100008's comment "Deeper today." in f.
func commentEnclosures(t *testing.T, st feed.Reader, f feed.Feed) []string {
	t.Helper()
	body, err := feed.Build(context.Background(), st, f, options)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	found := false
	for _, e := range parsed.Entries {
		if !strings.Contains(e.ID, "requests/100008/") || e.Content == nil || !strings.Contains(e.Content.Value, "Deeper today.") {
			continue
		}
		found = true
		for _, l := range e.Links {
			if l.Rel == "enclosure" {
				got = append(got, l.Href+" "+l.Type+" "+l.Length)
			}
		}
	}
	if !found {
		t.Fatalf("%s has no entry of the comment", f)
	}
	return got
}
