package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/twpayne/go-geom/encoding/geojson"

	"github.com/civicworks/open311/pkg/opendata"
)

// TestOpenDataExport checks that the local server writes and serves the demo city's bulk
// export when it starts: a CSV a CSV reader reads and GeoJSON a GeoJSON parser reads, holding
// the same public requests as the API lists.
func TestOpenDataExport(t *testing.T) {
	base := runStack(t, Config{Data: t.TempDir()})
	get := func(path, wantType string) []byte {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != wantType {
			t.Fatalf("GET %s: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		return body
	}
	var listed []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(get("/requests.json", "application/json; charset=utf-8"), &listed); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(get("/feeds/city.example.org/open-data/requests.csv", opendata.CSVType))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var fc geojson.FeatureCollection
	if err := fc.UnmarshalJSON(get("/feeds/city.example.org/open-data/requests.geojson", opendata.GeoJSONType)); err != nil {
		t.Fatal(err)
	}
	var fromCSV, fromGeo, fromAPI []string
	for _, r := range rows[1:] {
		fromCSV = append(fromCSV, r[0])
	}
	for _, f := range fc.Features {
		fromGeo = append(fromGeo, f.ID)
	}
	for _, r := range listed {
		fromAPI = append(fromAPI, r.ID)
	}
	if len(fromAPI) == 0 || !slices.Equal(fromCSV, fromAPI) || !slices.Equal(fromGeo, fromAPI) {
		t.Errorf("the export lists %q (CSV) and %q (GeoJSON), the API %q", fromCSV, fromGeo, fromAPI)
	}
}
