package open311_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

func TestCell(t *testing.T) {
	t.Parallel()
	// Known geohashes (geohash.org): the cell is their first CellPrecision characters.
	for _, c := range []struct {
		p    open311.Point
		want string
	}{
		{open311.Point{Lat: 57.64911, Long: 10.40744}, "u4pruy"},
		{open311.Point{Lat: 51.5007, Long: -0.1246}, "gcpuvp"},
		{open311.Point{Lat: -33.8568, Long: 151.2153}, "r3gx2u"},
	} {
		got := open311.Cell(c.p)
		if got != c.want {
			t.Errorf("Cell(%v) = %s, want %s", c.p, got, c.want)
		}
		if !open311.ValidCell(got) || !open311.CellBox(got).Contains(c.p) {
			t.Errorf("cell %s (box %+v) does not hold %v", got, open311.CellBox(got), c.p)
		}
	}
	for _, bad := range []string{"", "u4pru", "u4pruyy", "u4prua", "U4PRUY"} {
		if open311.ValidCell(bad) {
			t.Errorf("ValidCell(%q) = true", bad)
		}
	}
}

func TestCellsIn(t *testing.T) {
	t.Parallel()
	box := open311.CellBox("u4pruy")
	// A box inside one cell touches that cell alone.
	inner := open311.BBox{MinLong: box.MinLong + 0.001, MinLat: box.MinLat + 0.001, MaxLong: box.MaxLong - 0.001, MaxLat: box.MaxLat - 0.001}
	if cells, ok := open311.CellsIn(inner); !ok || len(cells) != 1 || cells[0] != "u4pruy" {
		t.Errorf("CellsIn(inner) = %v, %v", cells, ok)
	}
	// Across a corner: four cells, each holding a corner of the box.
	mid := open311.BBox{MinLong: box.MaxLong - 0.001, MinLat: box.MaxLat - 0.001, MaxLong: box.MaxLong + 0.001, MaxLat: box.MaxLat + 0.001}
	cells, ok := open311.CellsIn(mid)
	if !ok || len(cells) != 4 {
		t.Fatalf("CellsIn(corner) = %v, %v", cells, ok)
	}
	if cells[0] != "u4pruy" {
		t.Errorf("the south-west cell is %s", cells[0])
	}
	if _, ok := open311.CellsIn(open311.BBox{MinLong: 10, MinLat: 57, MaxLong: 10.2, MaxLat: 57.2}); ok {
		t.Error("a box of hundreds of cells was listed")
	}
}

func TestAreasValidate(t *testing.T) {
	t.Parallel()
	square := open311.Boundary{Type: "Polygon", Coordinates: []byte(`[[[0,0],[1,0],[1,1],[0,1],[0,0]]]`)}
	for _, c := range []struct {
		name  string
		areas []open311.Area
		want  string // a problem the error names; empty for none
	}{
		{"good", []open311.Area{{ID: "ward-1", Name: "Ward 1", Boundary: square}, {ID: "ward-2", Name: "Ward 2", Boundary: square}}, ""},
		{"no id", []open311.Area{{Name: "Ward", Boundary: square}}, "area 1 has no id"},
		{"bad id", []open311.Area{{ID: "ward 1", Name: "Ward", Boundary: square}}, `area id "ward 1"`},
		{"twice", []open311.Area{{ID: "w", Name: "W", Boundary: square}, {ID: "w", Name: "W", Boundary: square}}, `area id "w" appears twice`},
		{"no name", []open311.Area{{ID: "w", Boundary: square}}, `area "w" has no name`},
		{"open ring", []open311.Area{{ID: "w", Name: "W", Boundary: open311.Boundary{Type: "Polygon", Coordinates: []byte(`[[[0,0],[1,0],[1,1],[0,1]]]`)}}}, `area "w": boundary ring must be closed`},
		{"a point", []open311.Area{{ID: "w", Name: "W", Boundary: open311.Boundary{Type: "Point", Coordinates: []byte(`[0,0]`)}}}, `want Polygon or MultiPolygon`},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := open311.Jurisdiction{ID: "city.example", Areas: c.areas}
			err := open311.ValidateCatalog(j, nil)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	j := open311.Jurisdiction{Areas: []open311.Area{{ID: "a", Boundary: square}, {ID: "b", Boundary: open311.Boundary{Type: "Polygon", Coordinates: []byte(`[[[0.5,0.5],[2,0.5],[2,2],[0.5,2],[0.5,0.5]]]`)}}}}
	if got := j.AreasAt(open311.Point{Lat: 0.75, Long: 0.75}); strings.Join(got, ",") != "a,b" {
		t.Errorf("AreasAt the overlap = %v", got)
	}
	if got := j.AreasAt(open311.Point{Lat: 5, Long: 5}); got != nil {
		t.Errorf("AreasAt outside = %v", got)
	}
}

func TestChangeMoves(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	r := open311.Request{ID: "1", JurisdictionID: "j", Status: open311.Open, Version: 2,
		Point: &open311.Point{Lat: 1, Long: 2}, Areas: []string{"north"}}
	to := open311.Point{Lat: 1.5, Long: 2.5}
	c := open311.Change{Point: &to, PointAreas: []string{"south"}}
	if !c.NeedsStaff() {
		t.Error("moving a request needs no staff key")
	}
	acts, err := c.Apply(&r, nil, "Roads", now)
	if err != nil {
		t.Fatal(err)
	}
	a := acts[0]
	if a.Kind != open311.KindMove || a.Summary != "Moved to 1.5, 2.5." || *a.From != (open311.Point{Lat: 1, Long: 2}) || a.FromAreas != "north" {
		t.Errorf("activity %+v", a)
	}
	if *r.Point != to || strings.Join(r.Areas, ",") != "south" {
		t.Errorf("request at %v in %v", r.Point, r.Areas)
	}
	if _, err := (open311.Change{Point: &to}).Apply(&r, nil, "Roads", now); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("moving a request where it is: %v", err)
	}
	far := open311.Point{Lat: 91, Long: 0}
	if _, err := (open311.Change{Point: &far}).Apply(&r, nil, "Roads", now); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("moving a request off the globe: %v", err)
	}
}
