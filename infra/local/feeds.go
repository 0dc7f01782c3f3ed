package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// feedingStore is the local stand-in for the DynamoDB stream and its feed builder: after every
// acknowledged write of a request it refreshes the feeds the write touched, rebuilt from the
// store, with the same pkg/feed code the Lambda function runs. A feed that fails to build is
// logged; the write itself stands.
type feedingStore struct {
	store.Store
	pub feed.Publisher
	opt feed.Options
	log *slog.Logger
	mu  sync.Mutex // one refresh at a time, so that the newest state is written last
}

// CreateRequest stores a request, then refreshes its feeds.
func (s *feedingStore) CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error {
	err := s.Store.CreateRequest(ctx, r, created)
	if err == nil {
		s.refresh(ctx, []open311.Request{r})
	}
	return err
}

// UpdateRequests changes requests together, then refreshes their feeds (store.UpdateRequest
// comes here too).
func (s *feedingStore) UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error) {
	rs, err := s.Store.UpdateRequests(ctx, jurisdictionID, ids, change)
	if err == nil {
		s.refresh(ctx, rs)
	}
	return rs, err
}

func (s *feedingStore) refresh(ctx context.Context, rs []open311.Request) {
	var changes []feed.Change
	for _, r := range rs {
		changes = append(changes, feed.Change{JurisdictionID: r.JurisdictionID, RequestID: r.ID, ServiceCode: r.ServiceCode})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx = context.WithoutCancel(ctx) // the write is done: finish its feeds even if the client left
	for _, f := range feed.Touched(changes) {
		if _, err := feed.Refresh(ctx, s.Store, s.pub, f, s.opt); err != nil {
			s.log.Error("refresh feed", "feed", f.String(), "err", err)
		}
	}
}

// serveFeeds serves the .atom files of the feed folder under /feeds/ with Atom's content type
// and cache lifetime, as the CDN does (conditional and range requests included). Anything else
// (an unknown feed, a folder, another method) is the GeoReport error document.
func serveFeeds(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here: feeds are read with GET.")
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/feeds/")
		if !strings.HasSuffix(name, ".atom") || !fs.ValidPath(name) {
			writeError(w, r, http.StatusNotFound, "There is no such feed: "+r.URL.Path)
			return
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			writeError(w, r, http.StatusNotFound, "There is no such feed: "+r.URL.Path)
			return
		}
		defer root.Close()
		f, err := root.Open(name)
		if err != nil {
			status, msg := http.StatusNotFound, "There is no such feed: "+r.URL.Path
			if !errors.Is(err, fs.ErrNotExist) {
				status, msg = http.StatusInternalServerError, "Internal error."
			}
			writeError(w, r, status, msg)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			writeError(w, r, http.StatusNotFound, "There is no such feed: "+r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", feed.ContentType)
		w.Header().Set("Cache-Control", feed.CacheControl)
		http.ServeContent(w, r, name, fi.ModTime(), f)
	})
}
