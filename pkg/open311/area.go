package open311

import (
	"math"
	"regexp"
	"strings"
)

// Area is a named area of a jurisdiction (a ward, a district) defined in its catalog: a GeoJSON
// Polygon or MultiPolygon with an id and a name. Every named area has a feed of the activities of
// the requests whose point lies in it.
type Area struct {
	// ID names the area in its feed's path: letters, digits, '-', '_' and '.', at most 64.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Boundary is the area's outline (RFC 7946 positions, [longitude, latitude]).
	Boundary Boundary `json:"boundary"`
}

// MaxAreas is the most named areas a jurisdiction may define: a point is tested against each
// when a request is reported or moved.
const MaxAreas = 200

// areaID is what an area id may be: safe as it is in a path and a key.
var areaID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validateAreas adds the problems of a jurisdiction's named areas: each needs a well-formed
// unique id, a name and a valid boundary.
func validateAreas(p *Problems, j Jurisdiction) {
	if len(j.Areas) > MaxAreas {
		p.Add("jurisdiction %s: %d areas, at most %d", j.ID, len(j.Areas), MaxAreas)
	}
	seen := map[string]bool{}
	for i, a := range j.Areas {
		switch {
		case a.ID == "":
			p.Add("jurisdiction %s: area %d has no id", j.ID, i+1)
		case !areaID.MatchString(a.ID):
			p.Add("jurisdiction %s: area id %q: use letters, digits, '-', '_' and '.', at most 64, starting with a letter or digit", j.ID, a.ID)
		case seen[a.ID]:
			p.Add("jurisdiction %s: area id %q appears twice", j.ID, a.ID)
		}
		seen[a.ID] = true
		if strings.TrimSpace(a.Name) == "" {
			p.Add("jurisdiction %s: area %q has no name", j.ID, a.ID)
		}
		if err := a.Boundary.Validate(); err != nil {
			p.Add("jurisdiction %s: area %q: %v", j.ID, a.ID, err)
		}
	}
}

// AreasAt returns the ids of the jurisdiction's named areas that contain p, in catalog order
// (areas may overlap: a ward and a neighbourhood), or nil.
func (j Jurisdiction) AreasAt(p Point) []string {
	var ids []string
	for _, a := range j.Areas {
		if a.Boundary.Contains(p) {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// Area returns the named area with the id, and whether there is one.
func (j Jurisdiction) Area(id string) (Area, bool) {
	for _, a := range j.Areas {
		if a.ID == id {
			return a, true
		}
	}
	return Area{}, false
}

// Bounds returns the smallest box holding the boundary (a box that does not cross the
// antimeridian), for telling which boundaries a box may intersect.
func (b *Boundary) Bounds() BBox {
	box := BBox{MinLong: 180, MinLat: 90, MaxLong: -180, MaxLat: -90}
	polys, err := b.polygons()
	if err != nil {
		return BBox{MinLong: 1, MaxLong: 0, MinLat: 1, MaxLat: 0}
	}
	for _, poly := range polys {
		for _, ring := range poly {
			for _, pos := range ring {
				box.MinLong, box.MaxLong = math.Min(box.MinLong, pos[0]), math.Max(box.MaxLong, pos[0])
				box.MinLat, box.MaxLat = math.Min(box.MinLat, pos[1]), math.Max(box.MaxLat, pos[1])
			}
		}
	}
	return box
}

// Intersects reports whether two boxes share a point (edges included). Either may cross the
// antimeridian.
func (b BBox) Intersects(o BBox) bool {
	if b.MinLat > o.MaxLat || o.MinLat > b.MaxLat {
		return false
	}
	spans := func(x BBox) [][2]float64 {
		if x.MinLong <= x.MaxLong {
			return [][2]float64{{x.MinLong, x.MaxLong}}
		}
		return [][2]float64{{x.MinLong, 180}, {-180, x.MaxLong}}
	}
	for _, s := range spans(b) {
		for _, t := range spans(o) {
			if s[0] <= t[1] && t[0] <= s[1] {
				return true
			}
		}
	}
	return false
}
