package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// seedRecent writes the request-updates data set (seedUpdates) and, in jurA, a request of a
// second service whose activities come before, among and after the others', and returns the
// entries RecentActivities must list for the whole jurisdiction, newest first.
func seedRecent(t *testing.T, s store.Store) []store.Entry {
	t.Helper()
	listed := seedUpdates(t, s)
	full := fullRequest() // service "pot hole", with a point, address id, description and photo
	full.ID, full.Token = "FULL", "TOK-RECENT-FULL"
	create(t, s, full)
	early := open311.Activity{ID: "full-early", RequestID: full.ID, JurisdictionID: jurA, At: at(4), Who: "Public Works",
		Kind: open311.KindComment, Description: "between the others", Status: full.Status}
	late := open311.Activity{ID: "full-late", RequestID: full.ID, JurisdictionID: jurA, At: at(30), Who: "Public Works",
		Kind: open311.KindStatus, Summary: "Status: in_progress → closed.", Status: open311.Closed, MediaURL: "https://img.example.com/after.jpg"}
	_, err := postUpdate(t, s, jurA, full.ID, early)
	must(t, err, "UpdateRequest "+full.ID)
	_, err = store.UpdateRequest(t.Context(), s, jurA, full.ID, func(r *open311.Request) ([]open311.Activity, error) {
		r.Status, r.Updated = open311.Closed, late.At
		return []open311.Activity{late}, nil
	})
	must(t, err, "UpdateRequest "+full.ID)
	listed = append(listed, createdActivity(full), early, late)

	requests := map[string]open311.Request{}
	for _, id := range []string{"P1", "P2", "PRIV", "BATCH", "HIDE", full.ID} {
		r, err := s.Request(t.Context(), jurA, id)
		must(t, err, "Request "+id)
		requests[id] = r
	}
	var want []store.Entry
	for _, a := range listed {
		want = append(want, store.Entry{Activity: a, Request: store.NewEntryRequest(requests[a.RequestID], a)})
	}
	slices.SortStableFunc(want, func(x, y store.Entry) int {
		if c := y.Activity.At.Compare(x.Activity.At); c != 0 {
			return c
		}
		switch {
		case x.Activity.ID > y.Activity.ID:
			return -1
		case x.Activity.ID < y.Activity.ID:
			return 1
		}
		return 0
	})
	return want
}

// entryIDs returns the activity ids of entries in order.
func entryIDs(es []store.Entry) []string {
	ids := make([]string, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.Activity.ID)
	}
	return ids
}

// ofService returns the entries of the service's requests.
func ofService(es []store.Entry, code string) []store.Entry {
	var out []store.Entry
	for _, e := range es {
		if e.Request.ServiceCode == code {
			out = append(out, e)
		}
	}
	return out
}

func testRecentActivities(t *testing.T, s store.Store) {
	ctx := t.Context()
	all := seedRecent(t, s)
	// The reference's shape, so that the cases below stay meaningful.
	if got, want := entryIDs(all)[:6], []string{"full-late", "FULL-created", "priv-public", "fms-p2", "link-p2", "link-p1"}; !slices.Equal(got, want) {
		t.Fatalf("the reference starts %q, the suite expects %q: the data set changed", got, want)
	}
	for _, tc := range []struct {
		name string
		q    store.RecentQuery
		want []store.Entry
	}{
		{"jurisdiction", store.RecentQuery{JurisdictionID: jurA}, all},
		{"jurisdiction, limit 1", store.RecentQuery{JurisdictionID: jurA, Limit: 1}, all[:1]},
		// The three activities of minute 4 are cut after the first, by id descending.
		{"jurisdiction, limit cuts a tie", store.RecentQuery{JurisdictionID: jurA, Limit: slices.Index(entryIDs(all), "m-p2-4") + 1},
			all[:slices.Index(entryIDs(all), "m-p2-4")+1]},
		{"jurisdiction, limit of all", store.RecentQuery{JurisdictionID: jurA, Limit: len(all)}, all},
		{"jurisdiction, limit above all", store.RecentQuery{JurisdictionID: jurA, Limit: len(all) + 1}, all},
		{"jurisdiction, limit above the most", store.RecentQuery{JurisdictionID: jurA, Limit: store.MaxPageSize + 1}, all},
		{"service", store.RecentQuery{JurisdictionID: jurA, ServiceCode: "streetlight"}, ofService(all, "streetlight")},
		{"service, limit 3", store.RecentQuery{JurisdictionID: jurA, ServiceCode: "streetlight", Limit: 3}, ofService(all, "streetlight")[:3]},
		{"service with a space", store.RecentQuery{JurisdictionID: jurA, ServiceCode: "pot hole"}, ofService(all, "pot hole")},
		{"service, limit 2", store.RecentQuery{JurisdictionID: jurA, ServiceCode: "pot hole", Limit: 2}, ofService(all, "pot hole")[:2]},
		{"unknown service", store.RecentQuery{JurisdictionID: jurA, ServiceCode: "pot"}, nil},
		{"service of another jurisdiction", store.RecentQuery{JurisdictionID: jurB, ServiceCode: "streetlight"}, nil},
		{"jurisdiction without requests", store.RecentQuery{JurisdictionID: jurB}, nil},
		{"no jurisdiction", store.RecentQuery{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.RecentActivities(ctx, tc.q)
			must(t, err, "RecentActivities")
			if sameIDs(t, "RecentActivities", entryIDs(got), entryIDs(tc.want)) {
				same(t, "RecentActivities", got, tc.want)
			}
		})
	}
	if n := len(ofService(all, "pot hole")); n != 3 {
		t.Errorf("the reference lists %d activities of the second service, the suite expects 3", n)
	}
	got, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jurLonger})
	must(t, err, "RecentActivities of "+jurLonger)
	sameIDs(t, "RecentActivities of "+jurLonger, entryIDs(got), []string{"lp1-comment", "LP1-created"})

	_, err = s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jurA, Limit: -1})
	wantKind(t, err, open311.Invalid, "RecentActivities with a negative limit")
}

// testRecentActivitiesFollowWrites checks that an activity is listed as soon as it is written,
// by its request's service, and that a request written by another call (a link) is listed by
// its own service.
func testRecentActivitiesFollowWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := minimalRequest("A", at(0)), minimalRequest("B", at(1))
	b.ServiceCode, b.ServiceName, b.Point = "graffiti", "Graffiti", &open311.Point{Lat: 37.76, Long: -122.42}
	create(t, s, a)
	create(t, s, b)
	for i := range 5 {
		_, err := postUpdate(t, s, jurA, "A", open311.Activity{ID: fmt.Sprintf("a-%d", i), RequestID: "A", JurisdictionID: jurA,
			At: at(10 + i), Who: "staff", Kind: open311.KindComment, Status: open311.Open})
		must(t, err, "UpdateRequest A")
	}
	_, err := s.UpdateRequests(ctx, jurA, []string{"A", "B"}, func(rs []*open311.Request) ([]open311.Activity, error) {
		return []open311.Activity{linkActivity("link-a", "A", "B", open311.RelatedTo, open311.Open, 20),
			linkActivity("link-b", "B", "A", open311.RelatedTo, open311.Open, 20)}, nil
	})
	must(t, err, "UpdateRequests linking A and B")
	for _, tc := range []struct {
		q    store.RecentQuery
		want []string
	}{
		{store.RecentQuery{JurisdictionID: jurA, Limit: 3}, []string{"link-b", "link-a", "a-4"}},
		{store.RecentQuery{JurisdictionID: jurA, ServiceCode: "streetlight", Limit: 2}, []string{"link-a", "a-4"}},
		{store.RecentQuery{JurisdictionID: jurA, ServiceCode: "graffiti"}, []string{"link-b", "B-created"}},
	} {
		got, err := s.RecentActivities(ctx, tc.q)
		must(t, err, "RecentActivities")
		sameIDs(t, fmt.Sprintf("RecentActivities %+v", tc.q), entryIDs(got), tc.want)
		for _, e := range got {
			want := a
			if e.Activity.RequestID == "B" {
				want = b
			}
			same(t, "entry request of "+e.Activity.ID, e.Request, store.NewEntryRequest(want, e.Activity))
		}
	}
}
