package feed_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/feed"
)

// TestLocalizedFeeds gives the test world its catalog's translations (English, Spanish, Arabic)
// and builds its feeds in each language: the Spanish ones are golden files; each is read back by
// gofeed with its language, its texts in it (the system's, the catalog's; people's words as
// written), and links to its versions in the other languages (rel="alternate" hreflang).
func TestLocalizedFeeds(t *testing.T) {
	ctx := context.Background()
	st := world(t)
	f, err := catalog.ReadFile(apitest.CatalogFile())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Load(ctx, st, f, apitest.Now.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	j, err := st.Jurisdiction(ctx, apitest.Jurisdiction)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		golden string
		f      feed.Feed
		title  string
	}{
		{"jurisdiction.es.atom", feed.ForJurisdiction(j.ID), "Solicitudes de servicio de Example City"},
		{"service.es.atom", feed.ForService(j.ID, "pothole"), "Solicitudes de servicio de Example City: Bache"},
		{"request.es.atom", feed.ForRequest(j.ID, "100003"), ""},
		{"", feed.ForService(j.ID, "pothole").InLocale(j, "ar"), "طلبات الخدمة في Example City: حفرة في الطريق"},
	} {
		lf := c.f
		if lf.Locale == "" {
			lf = c.f.InLocale(j, "es")
		}
		b, err := feed.Build(ctx, st, lf, options)
		if err != nil {
			t.Fatalf("%s: %v", lf, err)
		}
		if c.golden != "" {
			golden(t, c.golden, b)
		}
		parsed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", lf, err)
		}
		if parsed.Language != lf.Locale {
			t.Errorf("%s: language %q, want %q", lf, parsed.Language, lf.Locale)
		}
		if c.title != "" && parsed.Title != c.title {
			t.Errorf("%s: title %q, want %q", lf, parsed.Title, c.title)
		}
		var langs []string
		for _, l := range parsed.Links {
			if strings.HasSuffix(l, ".atom") && l != lf.URL(options.FeedBase) {
				langs = append(langs, l)
			}
		}
		others := []string{c.f.InLocale(j, "en").URL(options.FeedBase), c.f.InLocale(j, "es").URL(options.FeedBase), c.f.InLocale(j, "ar").URL(options.FeedBase)}
		for _, o := range others {
			if o != lf.URL(options.FeedBase) && !slices.Contains(langs, o) {
				t.Errorf("%s: no link to its version %s (links %v)", lf, o, parsed.Links)
			}
		}
		if lf.Locale == "es" && c.f.Kind != feed.RequestFeed && (len(parsed.Items) == 0 || !strings.Contains(parsed.Items[0].Title, "Bache en ") && !strings.Contains(parsed.Items[0].Title, " en ")) {
			t.Errorf("%s: its first entry's title %q is not in Spanish", lf, parsed.Items[0].Title)
		}
	}
	// A feed in a language the jurisdiction does not list, or in its default, is no feed.
	for _, l := range []string{"fr", "en"} {
		g := feed.ForJurisdiction(j.ID)
		g.Locale = l
		if _, err := feed.Build(ctx, st, g, options); err == nil {
			t.Errorf("a feed in %q was built", l)
		}
	}
	// Paths: the language before .atom, read back.
	for _, g := range []feed.Feed{feed.ForJurisdiction(j.ID).InLocale(j, "es"), feed.ForRequest(j.ID, "100003").InLocale(j, "ar"),
		feed.ForCell(j.ID, "dr5reg").InLocale(j, "es"), feed.ForService(j.ID, "pothole")} {
		back, err := feed.ParsePath(g.Path())
		if err != nil || back != g {
			t.Errorf("ParsePath(%q) = %+v, %v; want %+v", g.Path(), back, err, g)
		}
	}
	if p := feed.ForJurisdiction(j.ID).InLocale(j, "es").Path(); p != j.ID+"/requests.es.atom" {
		t.Errorf("the Spanish jurisdiction feed's path is %q", p)
	}
}
