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
