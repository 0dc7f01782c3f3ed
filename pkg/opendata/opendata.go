// Package opendata writes a jurisdiction's public requests in bulk, for open-data portals: one
// CSV file and one GeoJSON file holding every public request (the fields a GeoReport answer
// shows, nothing of a reporter, no private or unaccepted request), written while the store is
// read a page at a time, so memory stays bounded whatever the jurisdiction holds.
package opendata

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Lister is what an export reads of a store; store.Requests is one.
type Lister interface {
	QueryRequests(ctx context.Context, q store.Query) (store.Page, error)
}

// The export's files, under the feed base (the CDN, or the local server's /feeds/), by their
// media types.
const (
	CSVType     = "text/csv; charset=utf-8"
	GeoJSONType = "application/geo+json"
)

// CSVPath and GeoJSONPath are where a jurisdiction's export lives under the feed base.
func CSVPath(jurisdictionID string) string {
	return url.PathEscape(jurisdictionID) + "/open-data/requests.csv"
}

// GeoJSONPath is where a jurisdiction's GeoJSON export lives under the feed base.
func GeoJSONPath(jurisdictionID string) string {
	return url.PathEscape(jurisdictionID) + "/open-data/requests.geojson"
}

// Columns are the CSV's columns, GeoReport's names for a request's fields, in its order.
var Columns = []string{"service_request_id", "status", "status_notes", "service_name", "service_code",
	"description", "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
	"expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}

// row is a request's values in the order of Columns, times in the jurisdiction's zone.
func row(r open311.Request, j open311.Jurisdiction) []string {
	t := func(v interface{ IsZero() bool }, s string) string {
		if v.IsZero() {
			return ""
		}
		return s
	}
	loc := j.Location()
	lat, long := "", ""
	if r.Point != nil {
		lat, long = strconv.FormatFloat(r.Point.Lat, 'f', -1, 64), strconv.FormatFloat(r.Point.Long, 'f', -1, 64)
	}
	return []string{r.ID, r.Status.GeoReport(), r.StatusNotes, r.ServiceName, r.ServiceCode,
		r.Description, r.AgencyResponsible, r.ServiceNotice,
		t(r.Requested, open311.FormatTime(r.Requested, loc)), t(r.Updated, open311.FormatTime(r.Updated, loc)),
		t(r.Expected, open311.FormatTime(r.Expected, loc)),
		r.Address, r.AddressID, r.Zipcode, lat, long, r.MediaURL}
}

// feature is a request as a GeoJSON Feature: its point (or null), the same fields as
// properties.
type feature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *point            `json:"geometry"`
	Properties map[string]string `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// Export writes every public request of the jurisdiction, newest first, to csvW (a header
// row, then a row per request) and to geoW (a GeoJSON FeatureCollection), reading the store
// one page (store.MaxPageSize requests) at a time, and returns how many it wrote. A write
// error or a store error stops it.
func Export(ctx context.Context, st Lister, j open311.Jurisdiction, csvW, geoW io.Writer) (int, error) {
	const op = "opendata.Export"
	cw := csv.NewWriter(csvW)
	gw := bufio.NewWriterSize(geoW, 64<<10)
	enc := json.NewEncoder(gw)
	enc.SetEscapeHTML(false)
	if err := cw.Write(Columns); err != nil {
		return 0, open311.Wrap(op, fmt.Errorf("write the CSV header: %w", err))
	}
	if _, err := gw.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return 0, open311.Wrap(op, fmt.Errorf("write the GeoJSON: %w", err))
	}
	n := 0
	q := store.Query{JurisdictionID: j.ID, Limit: store.MaxPageSize}
	for {
		page, err := st.QueryRequests(ctx, q)
		if err != nil {
			return n, open311.Wrap(op, fmt.Errorf("read the requests of %s: %w", j.ID, err))
		}
		for _, r := range page.Requests {
			if !r.Public() { // a store lists only public ones; an export never shows another
				continue
			}
			values := row(r, j)
			if err := cw.Write(values); err != nil {
				return n, open311.Wrap(op, fmt.Errorf("write the CSV: %w", err))
			}
			f := feature{Type: "Feature", ID: r.ID, Properties: make(map[string]string, len(Columns))}
			for i, c := range Columns {
				f.Properties[c] = values[i]
			}
			if r.Point != nil {
				f.Geometry = &point{Type: "Point", Coordinates: [2]float64{r.Point.Long, r.Point.Lat}}
			}
			if n > 0 {
				if err := gw.WriteByte(','); err != nil {
					return n, open311.Wrap(op, fmt.Errorf("write the GeoJSON: %w", err))
				}
			}
			if err := enc.Encode(f); err != nil {
				return n, open311.Wrap(op, fmt.Errorf("write the GeoJSON: %w", err))
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, open311.Wrap(op, fmt.Errorf("write the CSV: %w", err))
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if _, err := gw.WriteString("]}\n"); err != nil {
		return n, open311.Wrap(op, fmt.Errorf("write the GeoJSON: %w", err))
	}
	if err := gw.Flush(); err != nil {
		return n, open311.Wrap(op, fmt.Errorf("write the GeoJSON: %w", err))
	}
	return n, nil
}
