package main

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/opendata"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/websub"
)

// feedingStore is the local stand-in for the DynamoDB stream: every acknowledged write of a
// request notes the feeds it touched to a follower, which rebuilds them in the background. The
// write does not wait for its feeds, as a DynamoDB write does not wait for its stream.
type feedingStore struct {
	store.Store
	follow *follower
}

// CreateRequest stores a request, then notes its feeds.
func (s *feedingStore) CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error {
	err := s.Store.CreateRequest(ctx, r, created)
	if err == nil {
		s.follow.note([]open311.Request{r}, []open311.Activity{created})
	}
	return err
}

// UpdateRequests changes requests together, then notes their feeds (store.UpdateRequest comes
// here too), with the activities of the write: a move names where its request was.
func (s *feedingStore) UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error) {
	var acts []open311.Activity
	rs, err := s.Store.UpdateRequests(ctx, jurisdictionID, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		var err error
		acts, err = change(rs)
		return acts, err
	})
	if err == nil {
		s.follow.note(rs, acts)
	}
	return rs, err
}

// follower is the local stand-in for the feed builder: one goroutine that refreshes the feeds
// writes touched, rebuilt from the store with the same pkg/feed code the Lambda function runs.
// Changes noted while it works are coalesced into its next round, as a stream batch coalesces
// records: a hundred writes to one request rebuild its feeds once or twice, not a hundred
// times. A feed that fails to build is logged; the write itself stands.
type follower struct {
	rd     feed.Reader
	pub    feed.Publisher
	opt    feed.Options
	log    *slog.Logger
	counts *metrics.Counters
	// notify is told the feeds each round wrote with new content (their URLs, the WebSub
	// topics); nil: nobody is.
	notify websub.Notifier

	mu      sync.Mutex
	pending []feed.Change
	wake    chan struct{}      // a round is wanted (capacity 1)
	flush   chan chan struct{} // a round is wanted now; the channel is closed after it
	stop    chan struct{}
	done    chan struct{}
}

// newFollower starts a follower; Close stops it.
func newFollower(rd feed.Reader, pub feed.Publisher, opt feed.Options, log *slog.Logger, counts *metrics.Counters, notify websub.Notifier) *follower {
	f := &follower{rd: rd, pub: pub, opt: opt, log: log, counts: counts, notify: notify, wake: make(chan struct{}, 1),
		flush: make(chan chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

// note records the feeds of written requests and of the activities written with them (the cells
// and areas of their points, and where a moved request was) and wakes the follower; it never
// waits.
func (f *follower) note(rs []open311.Request, acts []open311.Activity) {
	f.mu.Lock()
	for _, r := range rs {
		c := feed.Change{JurisdictionID: r.JurisdictionID, RequestID: r.ID, ServiceCode: r.ServiceCode}
		for _, a := range acts {
			if a.RequestID == r.ID || a.RequestID == "" && len(rs) == 1 {
				cells, areas := store.AreasOf(r, a)
				c.Cells, c.Areas = append(c.Cells, cells...), append(c.Areas, areas...)
			}
		}
		if r.Point != nil {
			c.Cells, c.Areas = append(c.Cells, open311.Cell(*r.Point)), append(c.Areas, r.Areas...)
		}
		f.pending = append(f.pending, c)
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default: // a round is wanted already
	}
}

// followDelay is how long the follower lets writes gather before a round, as the stream
// gathers records into a batch: a burst of writes rebuilds its feeds once, and a reporter's POST
// does not share the processor with the rebuild of the feeds of the POST before it.
// A quarter of a second: a feed in every language of the jurisdiction is rebuilt each round,
// on the CPUs the requests use, and rounds of 100 ms made a POST's p50 at 10,000 stored requests
// 1.5 times that on a new store (infra/bench), against 1.1 to 1.25 with rounds of 250 ms.
const followDelay = 250 * time.Millisecond

func (f *follower) run() {
	defer close(f.done)
	for {
		select {
		case <-f.wake:
			select {
			case <-time.After(followDelay):
			case <-f.stop:
			case done := <-f.flush:
				f.round()
				close(done)
				continue
			}
			f.round()
		case done := <-f.flush:
			f.round()
			close(done)
		case <-f.stop:
			f.round() // what was acknowledged before the stop still gets its feeds
			return
		}
	}
}

// round refreshes, once each, the feeds of every change noted so far.
func (f *follower) round() {
	f.mu.Lock()
	changes := f.pending
	f.pending = nil
	f.mu.Unlock()
	ctx := context.Background()
	written, skipped, failed := 0, 0, 0
	known := map[string][]string{}
	locales := func(id string) []string {
		if l, ok := known[id]; ok {
			return l
		}
		j, err := f.rd.Jurisdiction(ctx, id)
		if err != nil {
			return nil // its feed fails to build, and says why
		}
		known[id] = j.Locales
		return j.Locales
	}
	var topics []string
	for _, fd := range feed.Localized(feed.Touched(changes), locales) {
		ok, err := feed.Refresh(ctx, f.rd, f.pub, fd, f.opt)
		switch {
		case err != nil:
			failed++
			f.log.Error("refresh feed", "feed", fd.String(), "err", err)
		case ok:
			written++
			topics = append(topics, fd.URL(f.opt.FeedBase))
		default:
			skipped++
		}
	}
	f.counts.Feeds(written, skipped, failed)
	if f.notify != nil && len(topics) > 0 {
		if err := f.notify.Changed(ctx, topics); err != nil {
			f.log.Error("websub notify", "feeds", len(topics), "err", err)
		}
	}
}

// settle refreshes, now, the feeds of every change noted so far, and returns when they are
// written (the local server waits so for the feeds of its seed before it serves).
func (f *follower) settle() {
	done := make(chan struct{})
	select {
	case f.flush <- done:
		<-done
	case <-f.done:
	}
}

// Close refreshes what is pending and stops the follower.
func (f *follower) Close() {
	close(f.stop)
	<-f.done
}

// serveFeeds serves the .atom files of the feed folder under /feeds/ with Atom's content type
// and cache lifetime, and the open data exports beside them (<jurisdiction>/open-data/*.csv,
// .geojson) with theirs, as the CDN does (conditional and range requests included). Anything
// else (an unknown feed, a folder, another method) is the GeoReport error document.
func serveFeeds(dir string) http.Handler {
	return serveFolder(folderFiles{dir: dir, prefix: "/feeds/", what: "feed",
		valid: func(name string) bool {
			return strings.HasSuffix(name, ".atom") || strings.HasSuffix(name, "/feeds.opml") || openDataType(name) != ""
		},
		headers: func(h http.Header, name string) {
			if strings.HasSuffix(name, "/feeds.opml") {
				h.Set("Content-Type", feed.OPMLType)
				h.Set("Cache-Control", "public, max-age=3600")
				return
			}
			if t := openDataType(name); t != "" {
				h.Set("Content-Type", t)
				h.Set("Cache-Control", "public, max-age=3600")
				return
			}
			h.Set("Content-Type", feed.ContentType)
			h.Set("Cache-Control", feed.CacheControl)
		}})
}

// openDataType is the content type of an open data export's file, or "" for any other name.
func openDataType(name string) string {
	dir, file := path.Split(name)
	if !strings.HasSuffix(dir, "/open-data/") {
		return ""
	}
	switch file {
	case "requests.csv":
		return opendata.CSVType
	case "requests.geojson":
		return opendata.GeoJSONType
	}
	return ""
}
