// Package feedtest is the feeds' test world, shared by the tests of package feed and the
// end-to-end tests of the feed builder: the seeded world of package apitest with a few more
// activities, the options the golden feeds of pkg/feed/testdata are built with, and which feed
// each golden file holds.
package feedtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Options are the feed options the golden feeds are built with.
var Options = feed.Options{
	FeedBase: "https://feeds.example.org",
	APIBase:  "https://api.example.org/open311/v2/",
}

// Golden names the golden files of pkg/feed/testdata and the feed each holds.
var Golden = []struct {
	File string
	Feed feed.Feed
}{
	{"request.atom", feed.ForRequest(apitest.Jurisdiction, "100003")},
	{"service.atom", feed.ForService(apitest.Jurisdiction, "pothole")},
	{"jurisdiction.atom", feed.ForJurisdiction(apitest.Jurisdiction)},
	{"cell.atom", feed.ForCell(apitest.Jurisdiction, "dr5reg")},
	{"area.atom", feed.ForArea(apitest.Jurisdiction, "ward-1")},
}

// AddActivities writes, to a store seeded with apitest.Seed, what the feed tests add to it:
// request 100003 (a street light with a point) is commented on, assigned and closed, the
// private request 100007 gets a comment that no feed may show, and a pothole, 100008, is
// reported 20 days before with two photos (each an enclosure of its entry).
func AddActivities(ctx context.Context, st store.Requests) error {
	str := func(s string) *string { return &s }
	status := func(s open311.Status) *open311.Status { return &s }
	zone, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
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
		if u.id == "100007" {
			if err := reportWithPhotos(ctx, st); err != nil {
				return err
			}
		}
		_, err := store.UpdateRequest(ctx, st, apitest.Jurisdiction, u.id, func(r *open311.Request) ([]open311.Activity, error) {
			return u.change.Apply(r, nil, u.who, apitest.Now.Add(-u.at))
		})
		if err != nil {
			return fmt.Errorf("update %s: %w", u.id, err)
		}
	}
	return nil
}

// reportWithPhotos stores request 100008, a pothole reported with two photos, 20 days before
// apitest.Now.
func reportWithPhotos(ctx context.Context, st store.Requests) error {
	at := apitest.Now.Add(-20 * 24 * time.Hour)
	photo := func(hash, ext, contentType string, w, h int, size int64) open311.Photo {
		name := strings.Repeat(hash, 32) + ext
		return open311.Photo{Name: name, ContentType: contentType, Width: w, Height: h, Size: size,
			URL: "https://cdn.example.org/media/" + name}
	}
	r := open311.Request{ID: "100008", JurisdictionID: apitest.Jurisdiction, ServiceCode: "pothole", ServiceName: "Pothole",
		Status: open311.Open, Description: "Pothole by the hydrant, photos attached.", Requested: at, Updated: at,
		Point: &open311.Point{Lat: 40.7131, Long: -74.0072}, Areas: []string{"ward-1"}, Attributes: map[string][]string{"size": {"medium"}},
		Media:   []open311.Photo{photo("ab", ".jpg", "image/jpeg", 3000, 4000, 2345678), photo("cd", ".png", "image/png", 640, 480, 123456)},
		Version: 1}
	r.MediaURL = r.Media[0].URL
	created := open311.Activity{ID: r.ID + "-1", RequestID: r.ID, JurisdictionID: r.JurisdictionID, At: at, Who: "reporter",
		Kind: open311.KindCreated, Status: r.Status, Summary: "Reported to Pothole."}
	if err := st.CreateRequest(ctx, r, created); err != nil {
		return fmt.Errorf("create %s: %w", r.ID, err)
	}
	return nil
}
