package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
)

// TestFeedListGolden sends the golden cases of GET /feeds to a world that publishes feeds and
// compares each whole response with its golden file, as TestGolden does.
func TestFeedListGolden(t *testing.T) {
	h := api.New(api.Options{Store: world.Store(t), Now: func() time.Time { return apitest.Now },
		DefaultJurisdiction: apitest.Jurisdiction, Endpoint: "https://api.city.example.org/open311/v2",
		FeedBase: apitest.FeedBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	for _, c := range apitest.FeedCases {
		status, header, body := serve(t, h, c)
		t.Run(c.Name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", c.Name+".txt"), apitest.Record(status, header, body))
		})
	}
}

// TestFeedListWithoutFeeds checks that a server publishing no feeds says so (404) rather than
// listing URLs that answer nothing.
func TestFeedListWithoutFeeds(t *testing.T) {
	h := api.New(api.Options{Store: world.Store(t), DefaultJurisdiction: apitest.Jurisdiction,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/feeds.json?lat=40.7&long=-74", nil))
	if rec.Code != 404 || !bytes.Contains(rec.Body.Bytes(), []byte("this server publishes no feeds")) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
