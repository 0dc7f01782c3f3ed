package feed

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Reader is what building a feed reads of the store, the source of truth; a store.Store is one.
// A service or jurisdiction feed is one RecentActivities, whatever the store holds.
type Reader interface {
	Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error)
	Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error)
	Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error)
	Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error)
	RecentActivities(ctx context.Context, q store.RecentQuery) ([]store.Entry, error)
}

var _ Reader = store.Store(nil)

// DefaultEntries is how many activities a service or jurisdiction feed shows by default.
const DefaultEntries = 50

// Options configure building feeds. FeedBase and APIBase are required.
type Options struct {
	// FeedBase is the base URL the feeds are served from (rel="self" links).
	FeedBase string
	// APIBase is the base URL of the GeoReport API (rel="alternate" links to the requests); a
	// jurisdiction's own URL, when it has one, is used for its requests instead.
	APIBase string
	// Entries is the most activities a service or jurisdiction feed shows (default
	// DefaultEntries, at most store.MaxPageSize).
	Entries int
	// HubURL, when set, is the WebSub hub every feed names (rel="hub", beside its rel="self"),
	// where a subscriber asks for the feed to be pushed to it.
	HubURL string
}

// Build reads the state of a feed's subject from the store and renders the feed as Atom 1.0
// with GeoRSS-Simple points. The same state gives the same bytes.
//
// A request feed holds all the request's activities; a service, jurisdiction, cell or area feed
// the most recent activities (Options.Entries) written while their request was public, of the
// service, the jurisdiction, or listed in the cell or area (store.Requests' RecentActivities).
// Entries are newest first, ties by activity id (descending); the feed's updated time is its
// newest entry's. Times carry the jurisdiction's offset. Nothing of a reporter is shown.
//
// Errors: Invalid for a malformed feed or missing options; NotFound when the feed has no public
// subject (an unknown jurisdiction, request or named area, a request that is not public, a
// private service),
// in which case no feed should be published; otherwise the store's error.
func Build(ctx context.Context, rd Reader, f Feed, opt Options) ([]byte, error) {
	const op = "feed.Build"
	if err := f.Valid(); err != nil {
		return nil, err
	}
	if opt.FeedBase == "" || opt.APIBase == "" {
		return nil, open311.Errorf(open311.Invalid, op, "feeds need Options.FeedBase and Options.APIBase")
	}
	if opt.Entries <= 0 {
		opt.Entries = DefaultEntries
	}
	j, err := rd.Jurisdiction(ctx, f.JurisdictionID)
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("build %s: read jurisdiction: %w", f, err))
	}
	if f.Locale != "" && (f.Locale == j.DefaultLocale() || !slices.Contains(j.Locales, f.Locale)) {
		return nil, open311.Errorf(open311.NotFound, op, "%s has no feed in %q", j.ID, f.Locale)
	}
	b := builder{j: j, loc: j.Location(), f: f, opt: opt}
	var d document
	switch f.Kind {
	case RequestFeed:
		d, err = b.request(ctx, rd)
	case ServiceFeed:
		d, err = b.service(ctx, rd)
	case CellFeed, AreaFeed:
		d, err = b.area(ctx, rd)
	default:
		d, err = b.jurisdiction(ctx, rd)
	}
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("build %s: %w", f, err))
	}
	return d.render()
}

// builder renders the feeds of one jurisdiction.
type builder struct {
	j   open311.Jurisdiction
	loc *time.Location
	f   Feed
	opt Options
	// serviceName is the service's name in the feed's language, for a service feed's entries.
	serviceName string
}

func (b builder) request(ctx context.Context, rd Reader) (document, error) {
	r, err := rd.Request(ctx, b.j.ID, b.f.ID)
	if err != nil {
		return document{}, fmt.Errorf("read request: %w", err)
	}
	if !r.Public() {
		return document{}, open311.Errorf(open311.NotFound, "feed.Build", "request %s has no public feed", r.ID)
	}
	acts, err := rd.Activities(ctx, b.j.ID, r.ID)
	if err != nil {
		return document{}, fmt.Errorf("read activities: %w", err)
	}
	items := make([]store.Entry, 0, len(acts))
	for _, a := range acts {
		if a.Shown() { // an erasure of personal data is the operator's record, in no feed
			a = withHeld(r, a) // a photo staff removed since is no enclosure
			items = append(items, store.Entry{Activity: a, Request: store.NewEntryRequest(r, a)})
		}
	}
	subtitle := b.say("Status: " + string(r.Status) + ".")
	if r.Description != "" {
		subtitle += " " + r.Description
	}
	d := b.document(requestTitle(store.NewEntryRequest(r, open311.Activity{})), subtitle, b.requestURL(r.ID), items, r.Updated)
	d.Point = point(r.Point)
	return d, nil
}

func (b builder) service(ctx context.Context, rd Reader) (document, error) {
	code := b.f.ID
	s, err := rd.Service(ctx, b.j.ID, code)
	switch {
	case open311.IsKind(err, open311.NotFound):
		// A deleted service keeps its requests, and they may still change: its feed goes on.
		s = open311.Service{JurisdictionID: b.j.ID, Code: code}
	case err != nil:
		return document{}, fmt.Errorf("read service: %w", err)
	case s.Private():
		return document{}, open311.Errorf(open311.NotFound, "feed.Build", "service %s has no public feed", code)
	default:
		s = s.In(b.f.Locale)
	}
	items, err := rd.RecentActivities(ctx, store.RecentQuery{JurisdictionID: b.j.ID, ServiceCode: code, Limit: b.opt.Entries})
	if err != nil {
		return document{}, fmt.Errorf("read recent activities: %w", err)
	}
	name := s.Name
	if name == "" && len(items) > 0 {
		name = items[0].Request.ServiceName
	}
	if name == "" {
		name = code
	}
	q := url.Values{"jurisdiction_id": {b.j.ID}, "service_code": {code}}
	if b.f.Locale != "" {
		b.serviceName = name // its entries name it in the feed's language too
	}
	return b.document(Title(b.j, b.f, name), s.Description,
		b.apiBase()+"/requests.json?"+q.Encode(), items, b.j.Changeset), nil
}

func (b builder) jurisdiction(ctx context.Context, rd Reader) (document, error) {
	items, err := rd.RecentActivities(ctx, store.RecentQuery{JurisdictionID: b.j.ID, Limit: b.opt.Entries})
	if err != nil {
		return document{}, fmt.Errorf("read recent activities: %w", err)
	}
	q := url.Values{"jurisdiction_id": {b.j.ID}}
	return b.document(Title(b.j, b.f, ""), "The latest changes to public service requests in "+b.jurisdictionName()+".",
		b.apiBase()+"/requests.json?"+q.Encode(), items, b.j.Changeset), nil
}

// area renders the feed of an area cell or of a named area: the activities listed in it.
func (b builder) area(ctx context.Context, rd Reader) (document, error) {
	q := store.RecentQuery{JurisdictionID: b.j.ID, Limit: b.opt.Entries}
	var title, subtitle string
	var box open311.BBox
	if b.f.Kind == CellFeed {
		q.Cell = b.f.ID
		box = open311.CellBox(b.f.ID)
		title = Title(b.j, b.f, "")
		subtitle = fmt.Sprintf("The latest changes to public service requests between latitudes %s and %s and longitudes %s and %s (geohash cell %s).",
			formatFloat(box.MinLat), formatFloat(box.MaxLat), formatFloat(box.MinLong), formatFloat(box.MaxLong), b.f.ID)
	} else {
		a, ok := b.j.Area(b.f.ID)
		if !ok {
			return document{}, open311.Errorf(open311.NotFound, "feed.Build", "%s has no area %q", b.j.ID, b.f.ID)
		}
		q.Area = a.ID
		box = a.Boundary.Bounds()
		title = Title(b.j, b.f, a.Name)
		subtitle = "The latest changes to public service requests in " + a.Name + "."
	}
	items, err := rd.RecentActivities(ctx, q)
	if err != nil {
		return document{}, fmt.Errorf("read recent activities: %w", err)
	}
	v := url.Values{"jurisdiction_id": {b.j.ID}, "bbox": {strings.Join([]string{formatFloat(box.MinLong), formatFloat(box.MinLat),
		formatFloat(box.MaxLong), formatFloat(box.MaxLat)}, ",")}}
	return b.document(title, subtitle, b.apiBase()+"/requests.json?"+v.Encode(), items, b.j.Changeset), nil
}

// document assembles a feed of items; empty is its updated time when it has no entries.
func (b builder) document(title, subtitle, alternate string, items []store.Entry, empty time.Time) document {
	slices.SortFunc(items, func(x, y store.Entry) int {
		return cmp.Or(y.Activity.At.Compare(x.Activity.At), cmp.Compare(y.Activity.ID, x.Activity.ID))
	})
	updated := empty
	if len(items) > 0 {
		updated = items[0].Activity.At
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	d := document{
		ID:       feedTag(b.f),
		Lang:     b.lang(),
		Title:    plain(b.say(title)),
		Subtitle: plainPtr(b.say(subtitle)),
		Updated:  open311.FormatTime(updated, b.loc),
		Author:   person{Name: plain(b.jurisdictionName())},
		Links: []link{
			{Rel: "self", Type: "application/atom+xml", Href: b.f.URL(b.opt.FeedBase)},
			{Rel: "alternate", Type: "application/json", Href: alternate},
		},
		Entries: make([]entry, 0, len(items)),
	}
	if b.opt.HubURL != "" {
		d.Links = slices.Insert(d.Links, 1, link{Rel: "hub", Href: b.opt.HubURL})
	}
	d.Links = append(d.Links, b.alternates()...)
	for _, it := range items {
		d.Entries = append(d.Entries, b.entry(it))
	}
	return d
}

// entry renders one activity. In a service or jurisdiction feed its title names the request and
// it links to the request's own feed.
func (b builder) entry(it store.Entry) entry {
	a, r := it.Activity, it.Request
	at := open311.FormatTime(a.At, b.loc)
	title := b.activityTitle(a)
	if b.f.Kind != RequestFeed {
		if b.serviceName != "" {
			r.ServiceName = b.serviceName
		}
		title = b.sayOne(requestTitle(r)) + " — " + title
	}
	e := entry{
		ID:        entryTag(a),
		Title:     plain(title),
		Updated:   at,
		Published: at,
		Links:     []link{{Rel: "alternate", Type: "application/json", Href: b.requestURL(r.ID)}},
		Summary:   plainPtr(b.say(a.Summary)),
		Point:     point(r.Point),
	}
	if a.Who != "" {
		e.Author = &person{Name: plain(a.Who)}
	}
	if b.f.Kind != RequestFeed {
		own := ForRequest(b.j.ID, r.ID)
		own.Locale = b.f.Locale
		e.Links = append(e.Links, link{Rel: "related", Type: "application/atom+xml", Href: own.URL(b.opt.FeedBase)})
	}
	words, media := a.Description, a.MediaURL
	if a.Kind == open311.KindCreated {
		// The report itself: the reporter's words and photo are public parts of the request.
		words, media = cmp.Or(words, r.Description), cmp.Or(media, r.MediaURL)
	}
	e.Content = plainPtr(words)
	photos, served := 0, a.Media
	if a.Kind == open311.KindCreated {
		served = r.Media
	}
	// Every served photo of the report, or that an update added, is an enclosure, with its type
	// and length.
	for _, p := range served {
		if p.URL != "" {
			e.Links = append(e.Links, link{Rel: "enclosure", Type: p.ContentType, Href: p.URL, Length: p.Size})
			photos++
		}
	}
	if media != "" && photos == 0 {
		e.Links = append(e.Links, link{Rel: "enclosure", Href: media})
	}
	if a.Status != "" {
		e.Categories = []category{{Term: string(a.Status)}}
	}
	return e
}

// requestURL is the GeoReport URL of a request, in JSON.
func (b builder) requestURL(id string) string {
	return b.apiBase() + "/requests/" + url.PathEscape(id) + ".json?" + url.Values{"jurisdiction_id": {b.j.ID}}.Encode()
}

// apiBase is the base URL of the API serving the jurisdiction.
func (b builder) apiBase() string {
	return strings.TrimRight(cmp.Or(b.j.URL, b.opt.APIBase), "/")
}

func (b builder) jurisdictionName() string { return cmp.Or(b.j.Name, b.j.ID) }

// requestTitle names a request as a reader lists it: "{service} at {where}: {id}", where is the
// address, else the point, else the address id.
func requestTitle(r store.EntryRequest) string {
	where := r.Address
	if where == "" && r.Point != nil {
		where = formatFloat(r.Point.Lat) + "," + formatFloat(r.Point.Long)
	}
	where = cmp.Or(where, r.AddressID)
	name := cmp.Or(r.ServiceName, r.ServiceCode)
	if where == "" {
		return name + ": " + r.ID
	}
	return name + " at " + where + ": " + r.ID
}

// activityTitle is the activity's summary without its final full stop, or its kind in words. A
// plain comment's summary says only "Comment.", so its title quotes the start of the comment.
func activityTitle(a open311.Activity) string {
	s := strings.TrimSuffix(strings.TrimSpace(a.Summary), ".")
	if a.Kind == open311.KindComment && (s == "" || s == "Comment") && a.Description != "" {
		return "Comment: " + shorten(a.Description, titleWords)
	}
	if s != "" {
		return s
	}
	switch a.Kind {
	case open311.KindCreated:
		return "Reported"
	case open311.KindStatus:
		return "Status: " + string(a.Status)
	case "":
		return "Update"
	}
	k := strings.ReplaceAll(a.Kind, "_", " ")
	return strings.ToUpper(k[:1]) + k[1:]
}

// titleWords is the most characters of a person's words a title quotes.
const titleWords = 80

// shorten returns s on one line, cut at a word boundary to at most n characters with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// point renders a GeoRSS-Simple point: "lat long".
func point(p *open311.Point) string {
	if p == nil {
		return ""
	}
	return formatFloat(p.Lat) + " " + formatFloat(p.Long)
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// withHeld is activity a with only the photos it added that request r still holds (staff may
// have removed some since), and no media_url that was a removed one's.
func withHeld(r open311.Request, a open311.Activity) open311.Activity {
	var held []open311.Photo
	for _, p := range a.Media {
		if slices.ContainsFunc(r.Media, func(have open311.Photo) bool { return have.Name == p.Name }) {
			held = append(held, p)
		} else if p.URL != "" && a.MediaURL == p.URL {
			a.MediaURL = ""
		}
	}
	a.Media = held
	return a
}
