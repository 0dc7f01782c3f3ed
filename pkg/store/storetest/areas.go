package storetest

import (
	"fmt"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// testRecentInAreas checks RecentActivities of area cells and named areas: each lists the
// activities written while their request was public and held a point in it, newest first, at
// most Limit; the activity moving a request is listed where it was and where it went, and what
// follows the move only where it went.
func testRecentInAreas(t *testing.T, s store.Store) {
	ctx := t.Context()
	here, there := open311.Point{Lat: 51.5007, Long: -0.1246}, open311.Point{Lat: 51.5155, Long: -0.0922}
	cellHere, cellThere := open311.Cell(here), open311.Cell(there)
	if cellHere == cellThere {
		t.Fatal("the two points share a cell")
	}
	a := minimalRequest("AREA-A", at(0))
	a.Point, a.Areas = &here, []string{"all", "north"}
	b := minimalRequest("AREA-B", at(1))
	b.Point, b.Areas = &there, []string{"all"}
	hidden := minimalRequest("AREA-PRIV", at(2))
	hidden.Point, hidden.Areas, hidden.Private = &here, []string{"all", "north"}, true
	nowhere := minimalRequest("AREA-NONE", at(3))
	other := minimalRequest("AREA-A", at(4)) // the same id and point in another jurisdiction
	other.JurisdictionID, other.Point, other.Areas = jurB, &here, []string{"all"}
	for _, r := range []open311.Request{a, b, hidden, nowhere, other} {
		create(t, s, r)
	}
	comment := func(id string, minute int) open311.Activity {
		return open311.Activity{ID: id, RequestID: a.ID, JurisdictionID: jurA, At: at(minute), Who: "Public Works",
			Kind: open311.KindComment, Description: id, Status: a.Status}
	}
	_, err := postUpdate(t, s, jurA, a.ID, comment("before", 5))
	must(t, err, "UpdateRequest "+a.ID)
	move := open311.Activity{ID: "move", RequestID: a.ID, JurisdictionID: jurA, At: at(6), Who: "Public Works",
		Kind: open311.KindMove, Summary: "Moved.", Status: a.Status, From: &here, FromAreas: "all north"}
	_, err = store.UpdateRequest(ctx, s, jurA, a.ID, func(r *open311.Request) ([]open311.Activity, error) {
		r.Point, r.Areas, r.Updated = &there, []string{"all", "south"}, move.At
		return []open311.Activity{move}, nil
	})
	must(t, err, "move "+a.ID)
	_, err = postUpdate(t, s, jurA, a.ID, comment("after", 7))
	must(t, err, "UpdateRequest "+a.ID)

	for _, q := range []store.RecentQuery{
		{JurisdictionID: jurA, ServiceCode: a.ServiceCode, Cell: cellHere},
		{JurisdictionID: jurA, Cell: cellHere, Area: "north"},
	} {
		_, err := s.RecentActivities(ctx, q)
		wantKind(t, err, open311.Invalid, fmt.Sprintf("RecentActivities of %+v", q))
	}
	created := func(r open311.Request) string { return createdActivity(r).ID }
	for _, c := range []struct {
		name string
		q    store.RecentQuery
		want []string
	}{
		{"where it was", store.RecentQuery{JurisdictionID: jurA, Cell: cellHere}, []string{"move", "before", created(a)}},
		{"where it went", store.RecentQuery{JurisdictionID: jurA, Cell: cellThere}, []string{"after", "move", created(b)}},
		{"where it went, limited", store.RecentQuery{JurisdictionID: jurA, Cell: cellThere, Limit: 2}, []string{"after", "move"}},
		{"the area it left", store.RecentQuery{JurisdictionID: jurA, Area: "north"}, []string{"move", "before", created(a)}},
		{"the area it entered", store.RecentQuery{JurisdictionID: jurA, Area: "south"}, []string{"after", "move"}},
		{"the area it stayed in", store.RecentQuery{JurisdictionID: jurA, Area: "all"}, []string{"after", "move", "before", created(b), created(a)}},
		{"an area of another jurisdiction", store.RecentQuery{JurisdictionID: jurB, Area: "north"}, []string{}},
		{"a cell of another jurisdiction", store.RecentQuery{JurisdictionID: jurB, Cell: cellHere}, []string{created(other)}},
		{"an empty cell", store.RecentQuery{JurisdictionID: jurA, Cell: "u4pruy"}, []string{}},
		{"an unknown area", store.RecentQuery{JurisdictionID: jurA, Area: "nowhere"}, []string{}},
		{"an unknown jurisdiction", store.RecentQuery{JurisdictionID: "nowhere.example", Cell: cellHere}, []string{}},
	} {
		got, err := s.RecentActivities(ctx, c.q)
		must(t, err, "RecentActivities "+c.name)
		sameIDs(t, c.name, entryIDs(got), c.want)
		for _, e := range got {
			if e.Request.ID != e.Activity.RequestID || e.Request.ServiceCode != a.ServiceCode || e.Request.Point == nil {
				t.Errorf("%s: entry %s shows its request as %+v", c.name, e.Activity.ID, e.Request)
			}
		}
	}
}
