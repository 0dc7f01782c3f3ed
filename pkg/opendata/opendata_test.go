package opendata_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/opendata"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

var jur = open311.Jurisdiction{ID: "city.example.org", Name: "City", TimeZone: "America/New_York"}

var t0 = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

// TestExport writes the export of a store holding public requests (with and without a point,
// with text a CSV must quote), a private one, one awaiting acceptance and one of another
// jurisdiction, and reads both files back with a CSV reader and a GeoJSON parser: every public
// request once, newest first, no other, and nothing of a reporter.
func TestExport(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	mk := func(id string, minutes int, edit func(*open311.Request)) {
		at := t0.Add(time.Duration(minutes) * time.Minute)
		r := open311.Request{ID: id, JurisdictionID: jur.ID, ServiceCode: "pothole", ServiceName: "Pothole", Status: open311.Open,
			Requested: at, Updated: at, Version: 1, Point: &open311.Point{Lat: 40.7128, Long: -74.006},
			Reporter: open311.Reporter{Email: "secret@example.net"}}
		if edit != nil {
			edit(&r)
		}
		if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
			t.Fatal(err)
		}
	}
	mk("A", 0, func(r *open311.Request) { r.Description = "Deep, \"very\" deep\nnear the school" })
	mk("B", 1, func(r *open311.Request) { r.Point, r.Address = nil, "1 Main St"; r.Status = open311.Closed })
	mk("PRIV", 2, func(r *open311.Request) { r.Private = true })
	mk("SUB", 3, func(r *open311.Request) { r.Status, r.Token = open311.Submitted, "TOK" })
	mk("OTHER", 4, func(r *open311.Request) { r.JurisdictionID = "county.example.org" })

	var csvBuf, geoBuf bytes.Buffer
	n, err := opendata.Export(ctx, st, jur, &csvBuf, &geoBuf)
	if err != nil || n != 2 {
		t.Fatalf("Export = %d, %v; want 2", n, err)
	}
	rows, err := csv.NewReader(&csvBuf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read: %v\n%s", err, csvBuf.String())
	}
	if !slices.Equal(rows[0], opendata.Columns) || len(rows) != 3 {
		t.Fatalf("CSV rows %q", rows)
	}
	col := func(name string) int { return slices.Index(opendata.Columns, name) }
	if rows[1][0] != "B" || rows[2][0] != "A" {
		t.Errorf("CSV ids %q, %q: want B then A (newest first)", rows[1][0], rows[2][0])
	}
	if got := rows[2][col("description")]; got != "Deep, \"very\" deep\nnear the school" {
		t.Errorf("A's description read back as %q", got)
	}
	if rows[1][col("status")] != "closed" || rows[1][col("lat")] != "" || rows[1][col("address")] != "1 Main St" {
		t.Errorf("B's row %q", rows[1])
	}
	if rows[2][col("requested_datetime")] != "2026-11-02T10:04:05-05:00" || rows[2][col("lat")] != "40.7128" || rows[2][col("long")] != "-74.006" {
		t.Errorf("A's row %q", rows[2])
	}

	var fc geojson.FeatureCollection
	if err := fc.UnmarshalJSON(geoBuf.Bytes()); err != nil {
		t.Fatalf("the GeoJSON does not parse: %v\n%s", err, geoBuf.String())
	}
	if len(fc.Features) != 2 || fc.Features[0].ID != "B" || fc.Features[1].ID != "A" {
		t.Fatalf("features %v", fc.Features)
	}
	if fc.Features[0].Geometry != nil {
		t.Errorf("B has no point, but a geometry %v", fc.Features[0].Geometry)
	}
	if p, ok := fc.Features[1].Geometry.(*geom.Point); !ok || p.X() != -74.006 || p.Y() != 40.7128 {
		t.Errorf("A's geometry %v, want the point at -74.006, 40.7128", fc.Features[1].Geometry)
	}
	if fc.Features[1].Properties["description"] != "Deep, \"very\" deep\nnear the school" {
		t.Errorf("A's properties %v", fc.Features[1].Properties)
	}
	for _, s := range []string{csvBuf.String(), geoBuf.String()} {
		for _, never := range []string{"PRIV", "SUB", "OTHER", "secret@example.net", "TOK"} {
			if strings.Contains(s, never) {
				t.Errorf("the export holds %q", never)
			}
		}
	}
}

// generated is a store of n public requests, made a page at a time as they are asked for, and
// samples the heap at each page.
type generated struct {
	n        int
	peakHeap uint64
}

func (g *generated) QueryRequests(_ context.Context, q store.Query) (store.Page, error) {
	start := 0
	if q.Cursor != "" {
		fmt.Sscan(q.Cursor, &start)
	}
	var p store.Page
	for i := start; i < g.n && len(p.Requests) < q.Limit; i++ {
		at := t0.Add(-time.Duration(i) * time.Minute)
		p.Requests = append(p.Requests, open311.Request{ID: fmt.Sprintf("R%06d", i), JurisdictionID: jur.ID,
			ServiceCode: "pothole", ServiceName: "Pothole", Status: open311.Open, Requested: at, Updated: at,
			Description: strings.Repeat("A hole in the road. ", 10), Point: &open311.Point{Lat: 40.7, Long: -74}})
	}
	if end := start + len(p.Requests); end < g.n {
		p.Next = fmt.Sprint(end)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	g.peakHeap = max(g.peakHeap, m.HeapAlloc)
	return p, nil
}

// TestExportBoundedMemory exports 100,000 requests (about 50 MB of CSV and GeoJSON, written to
// nowhere) and checks that the heap never held more than a few pages' worth: the export streams.
func TestExportBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 requests")
	}
	g := &generated{n: 100_000}
	var csvN, geoN countingWriter
	n, err := opendata.Export(context.Background(), g, jur, &csvN, &geoN)
	if err != nil || n != g.n {
		t.Fatalf("Export = %d, %v", n, err)
	}
	t.Logf("100,000 requests: %.1f MB of CSV, %.1f MB of GeoJSON, peak heap %.1f MiB", float64(csvN)/1e6, float64(geoN)/1e6, float64(g.peakHeap)/(1<<20))
	if limit := uint64(64 << 20); g.peakHeap > limit {
		t.Errorf("peak heap %d bytes while exporting, over %d: the export holds more than a page", g.peakHeap, limit)
	}
	if csvN+geoN < 40e6 {
		t.Errorf("wrote only %d bytes", csvN+geoN)
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
