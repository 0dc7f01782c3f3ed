package feed_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/feedtest"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// feedCase is a feed of the test world and what a feed reader must find in it.
type feedCase struct {
	golden   string
	feed     feed.Feed
	title    string
	alt      string
	updated  time.Time
	entries  int
	first    string // title of the newest entry
	point    string // georss:point of the newest entry
	relatedR string // for aggregate feeds, the request feed the newest entry links to
}

var feedCases = []feedCase{
	{
		golden:  "request.atom",
		feed:    feed.ForRequest(apitest.Jurisdiction, "100003"),
		title:   "Street light out at 40.71302,-74.00458: 100003",
		alt:     "https://api.example.org/open311/v2/requests/100003.json?jurisdiction_id=city.example.org",
		updated: apitest.Now.Add(-90 * time.Minute),
		entries: 5,
		first:   "Status: assigned → closed. Status notes updated",
		point:   "40.71302 -74.00458",
	},
	{
		golden:   "service.atom",
		feed:     feed.ForService(apitest.Jurisdiction, "pothole"),
		title:    "Example City service requests: Pothole",
		alt:      "https://api.example.org/open311/v2/requests.json?jurisdiction_id=city.example.org&service_code=pothole",
		updated:  apitest.Now.Add(-15 * 24 * time.Hour),
		entries:  5,
		first:    "Pothole at Broadway & Chambers St: 100002 — Status: open → closed",
		point:    "40.71455 -74.00712",
		relatedR: "https://feeds.example.org/city.example.org/requests/100002.atom",
	},
	{
		golden:   "jurisdiction.atom",
		feed:     feed.ForJurisdiction(apitest.Jurisdiction),
		title:    "Example City service requests",
		alt:      "https://api.example.org/open311/v2/requests.json?jurisdiction_id=city.example.org",
		updated:  apitest.Now.Add(-90 * time.Minute),
		entries:  12, // a batch request's report is not public, so not in the jurisdiction feed
		first:    "Street light out at 40.71302,-74.00458: 100003 — Status: assigned → closed. Status notes updated",
		point:    "40.71302 -74.00458",
		relatedR: "https://feeds.example.org/city.example.org/requests/100003.atom",
	},
	{
		golden:   "cell.atom",
		feed:     feed.ForCell(apitest.Jurisdiction, "dr5reg"),
		title:    "Example City service requests in cell dr5reg",
		alt:      "https://api.example.org/open311/v2/requests.json?bbox=-74.014892578125%2C40.7098388671875%2C-74.00390625%2C40.71533203125&jurisdiction_id=city.example.org",
		updated:  apitest.Now.Add(-90 * time.Minute),
		entries:  8, // 100003's five, 100002's two and 100008's report; not 100001, a cell to the south-east
		first:    "Street light out at 40.71302,-74.00458: 100003 — Status: assigned → closed. Status notes updated",
		point:    "40.71302 -74.00458",
		relatedR: "https://feeds.example.org/city.example.org/requests/100003.atom",
	},
	{
		golden:   "area.atom",
		feed:     feed.ForArea(apitest.Jurisdiction, "ward-1"),
		title:    "Example City service requests in Ward 1 (Financial District)",
		alt:      "https://api.example.org/open311/v2/requests.json?bbox=-74.03%2C40.69%2C-74.005%2C40.72&jurisdiction_id=city.example.org",
		updated:  apitest.Now.Add(-15 * 24 * time.Hour),
		entries:  3,
		first:    "Pothole at Broadway & Chambers St: 100002 — Status: open → closed",
		point:    "40.71455 -74.00712",
		relatedR: "https://feeds.example.org/city.example.org/requests/100002.atom",
	},
}

// TestPhotosAreEnclosures reads, as a feed reader does, the entry reporting a request with two
// photos: each photo is an enclosure with its URL, type and length, and nothing else is.
func TestPhotosAreEnclosures(t *testing.T) {
	st := world(t)
	for _, f := range []feed.Feed{feed.ForService(apitest.Jurisdiction, "pothole"), feed.ForRequest(apitest.Jurisdiction, "100008")} {
		body, err := feed.Build(context.Background(), st, f, options)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range parsed.Entries {
			if !strings.Contains(e.ID, "requests/100008/") {
				continue
			}
			for _, l := range e.Links {
				if l.Rel == "enclosure" {
					got = append(got, l.Href+" "+l.Type+" "+l.Length)
				}
			}
		}
		want := []string{
			"https://cdn.example.org/media/" + strings.Repeat("ab", 32) + ".jpg image/jpeg 2345678",
			"https://cdn.example.org/media/" + strings.Repeat("cd", 32) + ".png image/png 123456",
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: enclosures of the report with photos\n got %q\nwant %q", f, got, want)
		}
	}
}

func TestBuildGolden(t *testing.T) {
	st := world(t)
	for _, c := range feedtest.Golden {
		t.Run(c.File, func(t *testing.T) {
			got, err := feed.Build(context.Background(), st, c.Feed, options)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.File, got)
		})
	}
	if len(feedtest.Golden) != len(feedCases) {
		t.Errorf("feedtest.Golden names %d golden files, the cases %d", len(feedtest.Golden), len(feedCases))
	}
}

// TestFeedReaderReadsBack parses every feed with gofeed, as a subscriber's reader would, and
// reads back titles, links, dates and points.
func TestFeedReaderReadsBack(t *testing.T) {
	st := world(t)
	for _, c := range feedCases {
		t.Run(c.golden, func(t *testing.T) {
			body, err := feed.Build(context.Background(), st, c.feed, options)
			if err != nil {
				t.Fatal(err)
			}
			f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("atom parser: %v", err)
			}
			if f.Title != c.title {
				t.Errorf("title: got %q, want %q", f.Title, c.title)
			}
			if got, want := link(f.Links, "self"), c.feed.URL(options.FeedBase); got != want {
				t.Errorf("self link: got %q, want %q", got, want)
			}
			if got := link(f.Links, "alternate"); got != c.alt {
				t.Errorf("alternate link: got %q, want %q", got, c.alt)
			}
			if f.UpdatedParsed == nil || !f.UpdatedParsed.Equal(c.updated) {
				t.Errorf("updated: got %v (%s), want %v", f.UpdatedParsed, f.Updated, c.updated)
			}
			if want := open311.FormatTime(c.updated, newYork); f.Updated != want {
				t.Errorf("updated: got %s, want %s, in the jurisdiction's zone", f.Updated, want)
			}
			if !strings.HasPrefix(f.ID, "tag:city.example.org,2026:") {
				t.Errorf("id %q is not a tag: URI of the jurisdiction", f.ID)
			}
			if len(f.Entries) != c.entries {
				t.Fatalf("%d entries, want %d", len(f.Entries), c.entries)
			}
			e := f.Entries[0]
			if e.Title != c.first {
				t.Errorf("newest entry's title: got %q, want %q", e.Title, c.first)
			}
			if e.UpdatedParsed == nil || !e.UpdatedParsed.Equal(c.updated) {
				t.Errorf("newest entry's updated: got %v, want %v", e.UpdatedParsed, c.updated)
			}
			if got := e.Extensions["georss"]["point"]; len(got) != 1 || got[0].Value != c.point {
				t.Errorf("newest entry's georss:point: got %+v, want %q", got, c.point)
			}
			if !strings.HasPrefix(link(e.Links, "alternate"), "https://api.example.org/open311/v2/requests/") {
				t.Errorf("newest entry's alternate link: %q", link(e.Links, "alternate"))
			}
			if got := link(e.Links, "related"); got != c.relatedR {
				t.Errorf("newest entry's related link: got %q, want %q", got, c.relatedR)
			}
			ids := map[string]bool{}
			for i, e := range f.Entries {
				if ids[e.ID] {
					t.Errorf("entry id %s appears twice", e.ID)
				}
				ids[e.ID] = true
				if i > 0 && e.UpdatedParsed.After(*f.Entries[i-1].UpdatedParsed) {
					t.Errorf("entry %d (%s) is newer than the one before it", i, e.Updated)
				}
				if len(e.Authors) != 1 || e.Authors[0].Name == "" {
					t.Errorf("entry %s has no author", e.ID)
				}
			}

			// The universal parser, which most readers use, sees an Atom feed with the same items.
			u, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if u.FeedType != "atom" || u.Title != c.title || u.FeedLink != c.feed.URL(options.FeedBase) || len(u.Items) != c.entries {
				t.Errorf("gofeed sees type %q, title %q, feed link %q, %d items", u.FeedType, u.Title, u.FeedLink, len(u.Items))
			}
		})
	}
}

// newYork is the time zone of the test world's city.
var newYork, _ = time.LoadLocation("America/New_York")

// link returns the href of the first link with the relation rel.
func link(links []*atom.Link, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// TestRequestFeedShowsEveryActivity checks the request feed's entries against the store: every
// activity, newest first, with the person's words as content.
func TestRequestFeedShowsEveryActivity(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	acts, err := st.Activities(ctx, apitest.Jurisdiction, "100003")
	if err != nil {
		t.Fatal(err)
	}
	body, err := feed.Build(ctx, st, feed.ForRequest(apitest.Jurisdiction, "100003"), options)
	if err != nil {
		t.Fatal(err)
	}
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != len(acts) {
		t.Fatalf("%d entries for %d activities", len(f.Entries), len(acts))
	}
	for i, e := range f.Entries {
		a := acts[len(acts)-1-i]
		if want := "tag:city.example.org,2026:requests/100003/activities/" + a.ID; e.ID != want {
			t.Errorf("entry %d: id %q, want %q", i, e.ID, want)
		}
		if a.Description != "" && (e.Content == nil || e.Content.Value != a.Description) {
			t.Errorf("entry %s: content %+v, want %q", a.ID, e.Content, a.Description)
		}
		if e.Summary != a.Summary {
			t.Errorf("entry %s: summary %q, want %q", a.ID, e.Summary, a.Summary)
		}
		if e.Authors[0].Name != a.Who {
			t.Errorf("entry %s: author %q, want %q", a.ID, e.Authors[0].Name, a.Who)
		}
	}
	// The report itself shows the reporter's public description, quotes and markup intact.
	if last := f.Entries[len(f.Entries)-1]; last.Content == nil || last.Content.Value != `Two lights out <on> the "east" side & dark.` {
		t.Errorf("created entry's content: %+v", last.Content)
	}
}

// TestAggregateFeedsAreBounded checks that service and jurisdiction feeds keep the most recent
// Entries activities.
func TestAggregateFeedsAreBounded(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	for _, f := range []feed.Feed{feed.ForJurisdiction(apitest.Jurisdiction), feed.ForService(apitest.Jurisdiction, "streetlight")} {
		full, err := feed.Build(ctx, st, f, options)
		if err != nil {
			t.Fatal(err)
		}
		all := entryIDs(t, full)
		for _, n := range []int{1, 3, 6, 12, 13, 50} {
			opt := options
			opt.Entries = n
			body, err := feed.Build(ctx, st, f, opt)
			if err != nil {
				t.Fatal(err)
			}
			got := entryIDs(t, body)
			want := all[:min(n, len(all))]
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s, Entries %d: got %q, want %q", f, n, got, want)
			}
		}
	}
}

func entryIDs(t *testing.T, body []byte) []string {
	t.Helper()
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range f.Entries {
		ids = append(ids, e.ID)
	}
	return ids
}

// TestBuildIsDeterministic builds every feed twice: the same state gives the same bytes.
func TestBuildIsDeterministic(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	for _, f := range allFeeds() {
		first, err := feed.Build(ctx, st, f, options)
		if open311.IsKind(err, open311.NotFound) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, err := feed.Build(ctx, st, f, options)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(first, again) {
			t.Errorf("%s: two builds differ:\n%s\n---\n%s", f, first, again)
		}
	}
}

// allFeeds lists every feed of the test world's city, public or not.
func allFeeds() []feed.Feed {
	fs := []feed.Feed{feed.ForJurisdiction(apitest.Jurisdiction)}
	for _, id := range []string{"100001", "100002", "100003", "100004", "100005", "100006", "100007"} {
		fs = append(fs, feed.ForRequest(apitest.Jurisdiction, id))
	}
	for _, code := range []string{"pothole", "streetlight", "graffiti", "bulk-pickup", "code-concern"} {
		fs = append(fs, feed.ForService(apitest.Jurisdiction, code))
	}
	return fs
}

// TestFeedsKeepPrivateThingsPrivate builds every feed of the test world: no reporter's personal
// data anywhere, and private or submitted requests (and private services) have no feed and are
// in no other.
func TestFeedsKeepPrivateThingsPrivate(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	secrets := []string{"ada@example.net", "Ada", "Lovelace", "555-0101", "device-42", "acct-7", "secret@example.net",
		"TOKEN-PENDING", "TOKEN-ACCEPTED", "100005", "100007", "secret-comment", "3 Oak St", "Private report", "12 Elm St"}
	refused := map[feed.Feed]bool{
		feed.ForRequest(apitest.Jurisdiction, "100005"):       true, // submitted: no public id yet
		feed.ForRequest(apitest.Jurisdiction, "100007"):       true, // private service
		feed.ForService(apitest.Jurisdiction, "code-concern"): true, // private service
	}
	built := 0
	for _, f := range allFeeds() {
		body, err := feed.Build(ctx, st, f, options)
		if refused[f] {
			if !open311.IsKind(err, open311.NotFound) {
				t.Errorf("%s: got %v and %d bytes, want NotFound", f, err, len(body))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		built++
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s shows %q", f, s)
			}
		}
	}
	if built != len(allFeeds())-len(refused) {
		t.Errorf("built %d feeds", built)
	}
	for _, f := range []feed.Feed{feed.ForRequest(apitest.Jurisdiction, "nope"), feed.ForJurisdiction("nowhere.example")} {
		if _, err := feed.Build(ctx, st, f, options); !open311.IsKind(err, open311.NotFound) {
			t.Errorf("%s: got %v, want NotFound", f, err)
		}
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	st := world(t)
	for name, c := range map[string]struct {
		f   feed.Feed
		opt feed.Options
	}{
		"no feed base":         {feed.ForJurisdiction(apitest.Jurisdiction), feed.Options{APIBase: "https://api.example.org"}},
		"no api base":          {feed.ForJurisdiction(apitest.Jurisdiction), feed.Options{FeedBase: "https://feeds.example.org"}},
		"no request id":        {feed.ForRequest(apitest.Jurisdiction, ""), options},
		"no jurisdiction":      {feed.ForJurisdiction(""), options},
		"unknown kind":         {feed.Feed{Kind: "map", JurisdictionID: apitest.Jurisdiction}, options},
		"jurisdiction with id": {feed.Feed{Kind: feed.JurisdictionFeed, JurisdictionID: apitest.Jurisdiction, ID: "x"}, options},
		"a cell of 5":          {feed.ForCell(apitest.Jurisdiction, "dr5re"), options},
		"a cell of 7":          {feed.ForCell(apitest.Jurisdiction, "dr5regw"), options},
		"not a geohash":        {feed.ForCell(apitest.Jurisdiction, "dr5rea"), options},
		"no area id":           {feed.ForArea(apitest.Jurisdiction, ""), options},
	} {
		if _, err := feed.Build(context.Background(), st, c.f, c.opt); !open311.IsKind(err, open311.Invalid) {
			t.Errorf("%s: got %v, want Invalid", name, err)
		}
	}
	// An area the catalog does not define has no feed.
	if _, err := feed.Build(context.Background(), st, feed.ForArea(apitest.Jurisdiction, "ward-9"), options); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("an unknown area: got %v, want NotFound", err)
	}
}

// TestAggregateFeedsKeepWhatWasPublic follows the one way a request stops being public: a batch
// request accepted as incomplete and sent back to submitted (privacy never changes after
// creation). What was written while it was public stays in the service and jurisdiction feeds,
// as GET /servicerequestupdates keeps it; what is written once it is submitted again is in none,
// and its own feed is taken down.
func TestAggregateFeedsKeepWhatWasPublic(t *testing.T) {
	st := world(t)
	ctx := context.Background()
	for i, s := range []open311.Status{open311.Incomplete, open311.Submitted} {
		_, err := store.UpdateRequest(ctx, st, apitest.Jurisdiction, "100005", func(r *open311.Request) ([]open311.Activity, error) {
			return open311.Change{Status: &s}.Apply(r, nil, "Public Works", apitest.Now.Add(time.Duration(i+1)*time.Minute))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []feed.Feed{feed.ForJurisdiction(apitest.Jurisdiction), feed.ForService(apitest.Jurisdiction, "bulk-pickup")} {
		body, err := feed.Build(ctx, st, f, options)
		if err != nil {
			t.Fatal(err)
		}
		ids := entryIDs(t, body)
		if len(ids) == 0 || ids[0] != "tag:city.example.org,2026:requests/100005/activities/100005-2" {
			t.Errorf("%s: entries %q, want the newest the status change written while 100005 was incomplete", f, ids)
		}
		if bytes.Contains(body, []byte("100005-3")) || bytes.Contains(body, []byte("TOKEN-PENDING")) {
			t.Errorf("%s shows what was written after 100005 went back to submitted, or its token:\n%s", f, body)
		}
	}
	if _, err := feed.Build(ctx, st, feed.ForRequest(apitest.Jurisdiction, "100005"), options); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("the feed of a request submitted again: got %v, want NotFound", err)
	}
}

// TestBuildHub builds every golden feed with a hub: each is its golden file with one more link,
// rel="hub" naming the hub, right after its rel="self", and a feed reader finds both.
func TestBuildHub(t *testing.T) {
	st := world(t)
	const hub = "https://api.example.org/open311/v2/hub"
	opt := options
	opt.HubURL = hub
	for _, c := range feedtest.Golden {
		t.Run(c.File, func(t *testing.T) {
			got, err := feed.Build(context.Background(), st, c.Feed, opt)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", c.File))
			if err != nil {
				t.Fatal(err)
			}
			self := `<link rel="self" type="application/atom+xml" href="` + c.Feed.URL(opt.FeedBase) + `"></link>`
			i := bytes.Index(want, []byte(self))
			if i < 0 {
				t.Fatalf("%s has no rel=self link %s", c.File, self)
			}
			i += len(self)
			hubLine := "\n  " + `<link rel="hub" href="` + hub + `"></link>`
			want = append(want[:i:i], append([]byte(hubLine), want[i:]...)...)
			if !bytes.Equal(got, want) {
				t.Errorf("%s with a hub:\n%s\nwant the golden file with the hub link after rel=self", c.File, got)
			}
			f, err := (&atom.Parser{}).Parse(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			rels := map[string]string{}
			for _, l := range f.Links {
				rels[l.Rel] = l.Href
			}
			if rels["hub"] != hub || rels["self"] != c.Feed.URL(opt.FeedBase) {
				t.Errorf("a feed reader finds hub %q and self %q", rels["hub"], rels["self"])
			}
		})
	}
}
