package desk

import (
	"context"

	"github.com/civicworks/open311/pkg/open311"
)

// FeedList is what feeds cover a place of a jurisdiction (GET /feeds): the jurisdiction's own,
// its public services', the area cells and the named areas the place touches.
type FeedList struct {
	Jurisdiction open311.Jurisdiction
	Services     []open311.Service
	Cells        []string
	Areas        []open311.Area
}

// FeedsAt lists the feeds covering a point: its area cell and the named areas holding it.
func (d *Desk) FeedsAt(ctx context.Context, jurisdictionID string, pt open311.Point) (FeedList, error) {
	l, err := d.feedList(ctx, jurisdictionID)
	if err != nil {
		return FeedList{}, err
	}
	l.Cells = []string{open311.Cell(pt)}
	for _, a := range l.Jurisdiction.Areas {
		if a.Boundary.Contains(pt) {
			l.Areas = append(l.Areas, a)
		}
	}
	return l, nil
}

// FeedsIn lists the feeds covering a box: the area cells it touches (Invalid when more than
// open311.MaxCells) and the named areas whose bounds it meets.
func (d *Desk) FeedsIn(ctx context.Context, jurisdictionID string, box open311.BBox) (FeedList, error) {
	cells, ok := open311.CellsIn(box)
	if !ok {
		return FeedList{}, open311.Errorf(open311.Invalid, "desk.FeedsIn",
			"the box touches more than %d area cells (about 8 km by 4 km); ask for a smaller one", open311.MaxCells)
	}
	l, err := d.feedList(ctx, jurisdictionID)
	if err != nil {
		return FeedList{}, err
	}
	l.Cells = cells
	for _, a := range l.Jurisdiction.Areas {
		if a.Boundary.Bounds().Intersects(box) {
			l.Areas = append(l.Areas, a)
		}
	}
	return l, nil
}

// feedList returns the jurisdiction's and its public services' feeds.
func (d *Desk) feedList(ctx context.Context, jurisdictionID string) (FeedList, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return FeedList{}, err
	}
	all, err := d.services(ctx, j)
	if err != nil {
		return FeedList{}, err
	}
	l := FeedList{Jurisdiction: j}
	for _, s := range all {
		if !s.Private() {
			l.Services = append(l.Services, s)
		}
	}
	return l, nil
}
