package open311

import (
	"encoding/json"
	"fmt"
	"math"
)

// earthRadius is the mean Earth radius in metres, for great-circle distances.
const earthRadius = 6371008.8

// Distance returns the great-circle distance between two points, in metres (haversine).
func Distance(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := la2 - la1
	dLong := (b.Long - a.Long) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLong/2)*math.Sin(dLong/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// BBox is a box of longitudes and latitudes, as GET requests' bbox=minLong,minLat,maxLong,maxLat.
// A box whose MinLong is greater than its MaxLong crosses the antimeridian.
type BBox struct {
	MinLong, MinLat, MaxLong, MaxLat float64
}

// Contains reports whether p lies in the box (edges included).
func (b BBox) Contains(p Point) bool {
	if p.Lat < b.MinLat || p.Lat > b.MaxLat {
		return false
	}
	if b.MinLong <= b.MaxLong {
		return p.Long >= b.MinLong && p.Long <= b.MaxLong
	}
	return p.Long >= b.MinLong || p.Long <= b.MaxLong
}

// Circle is a point and a radius in metres, as GET requests' lat, long and radius.
type Circle struct {
	Center Point
	Radius float64
}

// Contains reports whether p lies within the circle.
func (c Circle) Contains(p Point) bool { return Distance(c.Center, p) <= c.Radius }

// Bounds returns a box that contains the circle (for index look-ups; filter with Contains).
func (c Circle) Bounds() BBox {
	dLat := c.Radius / earthRadius * 180 / math.Pi
	b := BBox{MinLat: math.Max(-90, c.Center.Lat-dLat), MaxLat: math.Min(90, c.Center.Lat+dLat)}
	cos := math.Cos(c.Center.Lat * math.Pi / 180)
	if b.MinLat <= -90 || b.MaxLat >= 90 || cos < 1e-9 {
		b.MinLong, b.MaxLong = -180, 180
		return b
	}
	dLong := dLat / cos
	if dLong >= 180 {
		b.MinLong, b.MaxLong = -180, 180
		return b
	}
	b.MinLong, b.MaxLong = wrapLong(c.Center.Long-dLong), wrapLong(c.Center.Long+dLong)
	return b
}

func wrapLong(l float64) float64 {
	for l < -180 {
		l += 360
	}
	for l > 180 {
		l -= 360
	}
	return l
}

// Boundary is a jurisdiction's area: a GeoJSON Polygon or MultiPolygon geometry (RFC 7946:
// positions are [longitude, latitude]; the first ring of a polygon is its outline, the others
// its holes).
type Boundary struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// polygons decodes the boundary into polygons of rings of [long, lat] positions.
func (b *Boundary) polygons() ([][][][2]float64, error) {
	switch b.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(b.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("polygon coordinates: %w", err)
		}
		return [][][][2]float64{p}, nil
	case "MultiPolygon":
		var mp [][][][2]float64
		if err := json.Unmarshal(b.Coordinates, &mp); err != nil {
			return nil, fmt.Errorf("multipolygon coordinates: %w", err)
		}
		return mp, nil
	}
	return nil, fmt.Errorf("boundary type %q: want Polygon or MultiPolygon", b.Type)
}

// Validate checks that the boundary is a Polygon or MultiPolygon of closed rings of at least
// four valid positions.
func (b *Boundary) Validate() error {
	polys, err := b.polygons()
	if err != nil {
		return err
	}
	if len(polys) == 0 {
		return fmt.Errorf("boundary has no polygon")
	}
	for _, p := range polys {
		if len(p) == 0 {
			return fmt.Errorf("boundary has a polygon without rings")
		}
		for _, ring := range p {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return fmt.Errorf("boundary ring must be closed and have at least 4 positions")
			}
			for _, pos := range ring {
				if pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90 {
					return fmt.Errorf("boundary position %v is not [longitude, latitude]", pos)
				}
			}
		}
	}
	return nil
}

// Contains reports whether p lies inside the boundary (inside an outline and outside its holes).
// A nil boundary contains nothing.
func (b *Boundary) Contains(p Point) bool {
	if b == nil {
		return false
	}
	polys, err := b.polygons()
	if err != nil {
		return false
	}
	for _, poly := range polys {
		if len(poly) == 0 || !inRing(poly[0], p) {
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if inRing(hole, p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// inRing is the even-odd ray casting test of a point against one ring.
func inRing(ring [][2]float64, p Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > p.Lat) != (yj > p.Lat) && p.Long < (xj-xi)*(p.Lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}
