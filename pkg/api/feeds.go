package api

import (
	"strings"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/messages"
	"github.com/civicworks/open311/pkg/open311"
)

// GetFeeds is GET /feeds: the Atom feeds covering a point (lat, long) or a box (bbox) of a
// jurisdiction, so that an app can offer "follow this area": the area cells and named areas
// there, the jurisdiction's and its public services'.
var GetFeeds = Operation{Name: OpFeeds, Routes: get(OpFeeds, "/feeds"), handle: (*API).getFeeds}

func (a *API) getFeeds(c call) {
	const op = "api.getFeeds"
	if a.opt.FeedBase == "" {
		a.fail(c, open311.Errorf(open311.NotFound, op, "this server publishes no feeds"))
		return
	}
	ctx := c.r.Context()
	q := c.r.URL.Query()
	j := georeport.Field(q, "jurisdiction_id")
	lat, long, bbox := georeport.Field(q, "lat"), georeport.Field(q, "long"), georeport.Field(q, "bbox")
	var l desk.FeedList
	var err error
	switch {
	case bbox != "" && (lat != "" || long != ""):
		err = open311.Errorf(open311.Invalid, op, "give lat and long, or bbox, not both")
	case bbox != "":
		var box open311.BBox
		if box, err = parseBBox(bbox); err == nil {
			l, err = a.desk.FeedsIn(ctx, j, box)
		}
	case lat != "" || long != "":
		var pt open311.Point
		if pt, err = open311.ParsePoint(lat, long); err == nil {
			l, err = a.desk.FeedsAt(ctx, j, pt)
		}
	default:
		err = open311.Errorf(open311.Invalid, op, "give lat and long, or bbox (minLong,minLat,maxLong,maxLat), of the place whose feeds you want")
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	// The feeds in the language asked, when the jurisdiction has several: their titles, and
	// the URLs of their versions in it.
	locale := ""
	if len(l.Jurisdiction.Locales) > 0 {
		locale = l.Jurisdiction.ChooseLocale(georeport.Languages(c.r))
		georeport.SetLanguage(c.w, locale, l.Jurisdiction.Locales)
	}
	a.write(c, feedList(l, a.opt.FeedBase, locale))
}

// feedList shows a feed list: the cells, the named areas, the services, then the jurisdiction,
// in locale ("" for the default language).
func feedList(l desk.FeedList, base, locale string) georeport.Feeds {
	doc := georeport.Feeds{Feeds: []georeport.Feed{}}
	add := func(f feed.Feed, name string) {
		title := feed.Title(l.Jurisdiction, f, name)
		if f = f.InLocale(l.Jurisdiction, locale); f.Locale != "" {
			title = messages.Translate(f.Locale, title)
		}
		doc.Feeds = append(doc.Feeds, georeport.Feed{Kind: string(f.Kind), ID: f.ID, Title: title, URL: f.URL(base)})
	}
	j := l.Jurisdiction.ID
	for _, cell := range l.Cells {
		add(feed.ForCell(j, cell), "")
	}
	for _, area := range l.Areas {
		add(feed.ForArea(j, area.ID), area.Name)
	}
	for _, s := range l.Services {
		add(feed.ForService(j, s.Code), s.In(locale).Name)
	}
	add(feed.ForJurisdiction(j), "")
	return doc
}

// parseBBox reads bbox=minLong,minLat,maxLong,maxLat (a box whose minLong is above its maxLong
// crosses the antimeridian).
func parseBBox(s string) (open311.BBox, error) {
	parts := strings.Split(s, ",")
	var f [4]float64
	ok := len(parts) == 4
	for i := 0; ok && i < 4; i++ {
		limit := 180.0
		if i%2 == 1 {
			limit = 90
		}
		f[i], ok = open311.ParseCoordinate(strings.TrimSpace(parts[i]), limit)
	}
	if !ok || f[1] > f[3] {
		return open311.BBox{}, open311.Errorf(open311.Invalid, "api.parseBBox", "bbox must be minLong,minLat,maxLong,maxLat in decimal degrees, minLat not above maxLat")
	}
	return open311.BBox{MinLong: f[0], MinLat: f[1], MaxLong: f[2], MaxLat: f[3]}, nil
}
