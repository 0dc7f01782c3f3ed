package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
)

// TestDiscoveryLinksOpenData checks that where feeds are published, discovery lists each
// jurisdiction's bulk open data (CSV and GeoJSON) after the GeoReport endpoints, which stay first
// for GeoReport clients.
func TestDiscoveryLinksOpenData(t *testing.T) {
	h := api.New(api.Options{Store: world.Store(t), Now: func() time.Time { return apitest.Now },
		DefaultJurisdiction: apitest.Jurisdiction, Endpoint: "https://api.city.example.org/open311/v2",
		FeedBase: "https://feeds.city.example.org/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/discovery.json", nil))
	var d struct {
		Endpoints []struct {
			Specification string   `json:"specification"`
			URL           string   `json:"url"`
			Formats       []string `json:"formats"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != 200 {
		t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
	}
	if len(d.Endpoints) == 0 || d.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" {
		t.Fatalf("the first endpoint is not GeoReport's: %+v", d.Endpoints)
	}
	want := map[string]string{
		"https://feeds.city.example.org/city.example.org/open-data/requests.csv":     api.SpecCSV + " text/csv",
		"https://feeds.city.example.org/city.example.org/open-data/requests.geojson": api.SpecGeoJSON + " application/geo+json",
		"https://feeds.city.example.org/town.example.net/open-data/requests.csv":     api.SpecCSV + " text/csv",
	}
	for _, e := range d.Endpoints {
		if w, ok := want[e.URL]; ok && len(e.Formats) == 1 && w == e.Specification+" "+e.Formats[0] {
			delete(want, e.URL)
		}
	}
	if len(want) > 0 {
		t.Errorf("discovery lacks %v:\n%s", want, rec.Body)
	}
}
