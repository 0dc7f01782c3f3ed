package feed_test

import (
	"context"
	"encoding/xml"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
)

// TestOPMLGolden builds the test world's feed list as OPML, compares it with its golden file,
// and reads it back as a feed reader's import would: every outline with an xmlUrl is a feed
// whose title is the feed's own.
func TestOPMLGolden(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	j, err := st.Jurisdiction(ctx, apitest.Jurisdiction)
	if err != nil {
		t.Fatal(err)
	}
	services, err := st.Services(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := feed.BuildOPML(j, services, options)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "feeds.opml", got)
	if feed.OPMLPath(j.ID) != "city.example.org/feeds.opml" {
		t.Errorf("OPMLPath = %s", feed.OPMLPath(j.ID))
	}

	type outline struct {
		Title    string    `xml:"title,attr"`
		URL      string    `xml:"xmlUrl,attr"`
		Outlines []outline `xml:"outline"`
	}
	var d struct {
		Version string    `xml:"version,attr"`
		Body    []outline `xml:"body>outline"`
	}
	if err := xml.Unmarshal(got, &d); err != nil || d.Version != "2.0" {
		t.Fatalf("version %q, %v", d.Version, err)
	}
	feeds := map[string]string{}
	var walk func([]outline)
	walk = func(os []outline) {
		for _, o := range os {
			if o.URL != "" {
				feeds[o.URL] = o.Title
			}
			walk(o.Outlines)
		}
	}
	walk(d.Body)
	for url, title := range map[string]string{
		"https://feeds.example.org/city.example.org/requests.atom":         "Example City service requests",
		"https://feeds.example.org/city.example.org/services/pothole.atom": "Example City service requests: Pothole",
		"https://feeds.example.org/city.example.org/areas/ward-1.atom":     "Example City service requests in Ward 1 (Financial District)",
	} {
		if feeds[url] != title {
			t.Errorf("%s: title %q, want %q", url, feeds[url], title)
		}
	}
	if n := len(feeds); n != 1+len(services)-1+3 { // the private code-concern service is not listed
		t.Errorf("%d feeds listed: %v", n, feeds)
	}
}
