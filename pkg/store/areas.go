package store

import (
	"slices"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// AreasOf returns the area cells and named areas whose feeds list activity a of request r (as
// written with a): the cell and areas of r's point and, for a move, those of where it was. An
// activity of a request without a point is in no area. Each is listed once, cells and areas
// sorted. Stores index a listed activity under each (RecentQuery's Cell and Area).
func AreasOf(r open311.Request, a open311.Activity) (cells, areas []string) {
	if r.Point != nil {
		cells = append(cells, open311.Cell(*r.Point))
		areas = append(areas, r.Areas...)
	}
	if a.From != nil {
		cells = append(cells, open311.Cell(*a.From))
		areas = append(areas, strings.Fields(a.FromAreas)...)
	}
	slices.Sort(cells)
	slices.Sort(areas)
	return slices.Compact(cells), slices.Compact(areas)
}

// CheckRecent reports, as Invalid, a RecentQuery that asks for more than one of a service, a
// cell and an area, or a negative Limit.
func CheckRecent(op string, q RecentQuery) error {
	n := 0
	for _, s := range []string{q.ServiceCode, q.Cell, q.Area} {
		if s != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return open311.Errorf(open311.Invalid, op, "recent activities of at most one of a service, a cell and an area")
	case q.Limit < 0:
		return open311.Errorf(open311.Invalid, op, "limit must not be negative")
	}
	return nil
}
