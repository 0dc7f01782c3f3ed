package main

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/webapp"
)

// demoCenter is where the map opens when the jurisdiction has no boundary: the demo city.
var demoCenter = [2]float64{40.7128, -74.006}

// webApp is the web app at / and /app/, told to post reports with the local reporter key (the
// local server's own, printed at start: a reporter key is public by nature) and linking the API
// index at /api/. A method other than GET or HEAD is 405, any other path the error document.
func webApp(cfg Config, reporterKey, base string, jurisdictions []open311.Jurisdiction) (http.Handler, error) {
	wc := webapp.Config{ReporterKey: reporterKey, TileURL: cfg.TileURL, Center: demoCenter,
		Links: []webapp.Link{{Key: "footer_api", URL: "/api/"}}}
	if len(jurisdictions) > 0 {
		j := jurisdictions[0]
		if c, ok := center(j.Boundary); ok {
			wc.Center = c
		}
		if len(jurisdictions) == 1 {
			wc.FeedURL = base + "/feeds/" + url.PathEscape(j.ID) + "/requests.atom"
		} else {
			wc.JurisdictionID = j.ID
		}
	}
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here.")
			return
		}
		writeError(w, r, http.StatusNotFound, "There is no such file of the web app: "+r.URL.Path)
	})
	return webapp.Handler(wc, notFound)
}

// center is the middle of a polygon boundary's bounding box, as [lat, long].
func center(b *open311.Boundary) ([2]float64, bool) {
	if b == nil || b.Type != "Polygon" {
		return [2]float64{}, false
	}
	var rings [][][2]float64
	if err := json.Unmarshal(b.Coordinates, &rings); err != nil || len(rings) == 0 || len(rings[0]) == 0 {
		return [2]float64{}, false
	}
	minLon, minLat, maxLon, maxLat := rings[0][0][0], rings[0][0][1], rings[0][0][0], rings[0][0][1]
	for _, p := range rings[0] {
		minLon, maxLon = min(minLon, p[0]), max(maxLon, p[0])
		minLat, maxLat = min(minLat, p[1]), max(maxLat, p[1])
	}
	return [2]float64{(minLat + maxLat) / 2, (minLon + maxLon) / 2}, true
}
