package dynamo

import (
	"math"
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

func TestGeohash(t *testing.T) {
	for _, tc := range []struct {
		p         open311.Point
		precision int
		want      string
	}{
		{open311.Point{Lat: 57.64911, Long: 10.40744}, 11, "u4pruydqqvj"}, // the example of geohash.org
		{open311.Point{Lat: 57.64911, Long: 10.40744}, 5, "u4pru"},
		{open311.Point{Lat: 37.7749, Long: -122.4194}, 5, "9q8yy"},
		{open311.Point{Lat: -33.8688, Long: 151.2093}, 6, "r3gx2f"},
		{open311.Point{Lat: 0, Long: 0}, 5, "s0000"},
		{open311.Point{Lat: -90, Long: -180}, 5, "00000"},
		{open311.Point{Lat: 90, Long: 180}, 5, "zzzzz"},
	} {
		if got := geohash(tc.p, tc.precision); got != tc.want {
			t.Errorf("geohash(%v, %d) = %s, want %s", tc.p, tc.precision, got, tc.want)
		}
	}
}

func TestCoverBox(t *testing.T) {
	sf := open311.Point{Lat: 37.7749, Long: -122.4194}
	// A small box around a point inside one cell is that cell.
	cells, ok := coverBox(open311.BBox{MinLong: sf.Long - 0.001, MinLat: sf.Lat - 0.001, MaxLong: sf.Long + 0.001, MaxLat: sf.Lat + 0.001}, 5, maxGeoCells)
	if !ok || !slices.Equal(cells, []string{"9q8yy"}) {
		t.Errorf("small box: %v %v, want [9q8yy]", cells, ok)
	}
	// A circle of 1 km touches at most 2 by 2 cells, and its points' cells are among them.
	c := open311.Circle{Center: sf, Radius: 1000}
	cells, ok = coverBox(c.Bounds(), 5, maxGeoCells)
	if !ok || len(cells) == 0 || len(cells) > 4 {
		t.Fatalf("1 km circle: %v %v, want 1 to 4 cells", cells, ok)
	}
	for _, d := range []struct{ lat, long float64 }{{0.0089, 0}, {-0.0089, 0}, {0, 0.0113}, {0, -0.0113}, {0.006, 0.008}} {
		p := open311.Point{Lat: sf.Lat + d.lat, Long: sf.Long + d.long}
		if c.Contains(p) && !slices.Contains(cells, geohash(p, 5)) {
			t.Errorf("point %v in the circle is in cell %s, not in the cover %v", p, geohash(p, 5), cells)
		}
	}
	// Across the antimeridian: cells on both sides.
	cells, ok = coverBox(open311.BBox{MinLong: 179.99, MinLat: -17, MaxLong: -179.99, MaxLat: -16.99}, 5, maxGeoCells)
	if !ok || len(cells) != 2 {
		t.Errorf("box across the antimeridian: %v %v, want 2 cells", cells, ok)
	} else if east, west := geohash(open311.Point{Lat: -16.995, Long: 179.995}, 5), geohash(open311.Point{Lat: -16.995, Long: -179.995}, 5); !slices.Contains(cells, east) || !slices.Contains(cells, west) {
		t.Errorf("box across the antimeridian: %v lacks %s or %s", cells, east, west)
	}
	// Too big, not numbers, and empty.
	if _, ok := coverBox(open311.BBox{MinLong: -123, MinLat: 37, MaxLong: -122, MaxLat: 38}, 5, maxGeoCells); ok {
		t.Error("a 1° box fits in the cell limit")
	}
	if _, ok := coverBox(open311.BBox{MinLong: math.NaN(), MinLat: 37, MaxLong: -122, MaxLat: 38}, 5, maxGeoCells); ok {
		t.Error("a box with NaN is covered")
	}
	if cells, ok := coverBox(open311.BBox{MinLong: -122, MinLat: 38, MaxLong: -122, MaxLat: 37}, 5, maxGeoCells); !ok || len(cells) != 0 {
		t.Errorf("an empty box: %v %v, want no cells", cells, ok)
	}
}
