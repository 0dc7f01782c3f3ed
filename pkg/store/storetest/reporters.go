package storetest

import (
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// testReporterRequests checks the requests that hold a reporter: which are listed (public or
// not, of the jurisdiction only, not once erased), in store.ReporterOrder, the ClosedBefore
// bound (exclusive), paging that neither skips nor repeats, a request that closes, reopens or
// is erased moving in or out, and an erasure's activity kept in the request's history but never
// in Updates or RecentActivities.
func testReporterRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	withReporter := func(id string, minutes int) open311.Request {
		r := minimalRequest(id, at(minutes))
		r.ReporterSealed = []byte("sealed:" + id)
		return r
	}
	closeAt := func(id string, minutes int) {
		t.Helper()
		_, err := store.UpdateRequest(ctx, s, jurA, id, func(r *open311.Request) ([]open311.Activity, error) {
			closed := open311.Closed
			return (open311.Change{Status: &closed}).Apply(r, nil, "staff", at(minutes))
		})
		must(t, err, "close "+id)
	}
	open1, open2 := withReporter("OPEN1", 0), withReporter("OPEN2", 1)
	priv := withReporter("PRIV", 2)
	priv.Private = true
	batch := withReporter("BATCH", 3)
	batch.Status, batch.Token = open311.Submitted, "TOK-B"
	c1, c2, c3 := withReporter("C1", 4), withReporter("C2", 5), withReporter("C3", 6)
	anon := minimalRequest("ANON", at(7)) // no reporter
	elsewhere := withReporter("ELSE", 0)
	elsewhere.JurisdictionID = jurLonger
	for _, r := range []open311.Request{open2, open1, priv, batch, c3, c1, c2, anon, elsewhere} {
		create(t, s, r)
	}
	closeAt("C2", 100) // closed in this order: C2, C3, C1
	closeAt("C3", 110)
	closeAt("C1", 120)
	closeAt("PRIV", 130)

	ids := func(q store.ReporterQuery) []string {
		t.Helper()
		var out []string
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("ReporterRequests pages never end")
			}
			p, err := s.ReporterRequests(ctx, q)
			must(t, err, "ReporterRequests")
			for _, r := range p.Requests {
				if !r.HoldsReporter() {
					t.Errorf("ReporterRequests returned %s, which holds no reporter", r.ID)
				}
				out = append(out, r.ID)
			}
			if p.Next == "" {
				return out
			}
			q.Cursor = p.Next
		}
	}
	all := []string{"C2", "C3", "C1", "PRIV", "OPEN1", "OPEN2", "BATCH"}
	same(t, "every request holding a reporter", ids(store.ReporterQuery{JurisdictionID: jurA}), all)
	same(t, "paged two at a time", ids(store.ReporterQuery{JurisdictionID: jurA, Limit: 2}), all)
	same(t, "closed before C1 closed (exclusive)", ids(store.ReporterQuery{JurisdictionID: jurA, ClosedBefore: at(120)}), []string{"C2", "C3"})
	same(t, "closed before, paged one at a time", ids(store.ReporterQuery{JurisdictionID: jurA, ClosedBefore: at(121), Limit: 1}), []string{"C2", "C3", "C1"})
	same(t, "closed before any closed", ids(store.ReporterQuery{JurisdictionID: jurA, ClosedBefore: at(100)}), []string(nil))
	same(t, "the other jurisdiction", ids(store.ReporterQuery{JurisdictionID: jurLonger}), []string{"ELSE"})
	same(t, "a jurisdiction with none", ids(store.ReporterQuery{JurisdictionID: jurB}), []string(nil))

	// Reopening C2 moves it to the open part; erasing C3 takes it out.
	_, err := store.UpdateRequest(ctx, s, jurA, "C2", func(r *open311.Request) ([]open311.Activity, error) {
		reopened := open311.Open
		return (open311.Change{Status: &reopened}).Apply(r, nil, "staff", at(200))
	})
	must(t, err, "reopen C2")
	before, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA})
	must(t, err, "Updates before the erasure")
	var erasure open311.Activity
	_, err = store.UpdateRequest(ctx, s, jurA, "C3", func(r *open311.Request) ([]open311.Activity, error) {
		erasure = open311.Erase(r, "operator", open311.ErasedForRetention, at(210))
		return []open311.Activity{erasure}, nil
	})
	must(t, err, "erase C3")
	same(t, "after a reopening and an erasure", ids(store.ReporterQuery{JurisdictionID: jurA}),
		[]string{"C1", "PRIV", "OPEN1", "OPEN2", "BATCH", "C2"})
	got, err := s.Request(ctx, jurA, "C3")
	must(t, err, "Request C3")
	if got.HoldsReporter() {
		t.Errorf("C3 still holds its reporter after the erasure: %q", got.ReporterSealed)
	}
	acts, err := s.Activities(ctx, jurA, "C3")
	must(t, err, "Activities C3")
	if len(acts) == 0 || !same(t, "the erasure in C3's history", acts[len(acts)-1], erasure) {
		t.Errorf("C3's history %v does not end with the erasure", acts)
	}
	after, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA})
	must(t, err, "Updates after the erasure")
	same(t, "Updates after an erasure (it lists none)", after.Activities, before.Activities)
	recent, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jurA, Limit: 100})
	must(t, err, "RecentActivities")
	for _, e := range recent {
		if e.Activity.Kind == open311.KindErasure {
			t.Errorf("RecentActivities lists the erasure %s", e.Activity.ID)
		}
	}

	_, err = s.ReporterRequests(ctx, store.ReporterQuery{JurisdictionID: jurA, Cursor: "not-a-cursor"})
	wantKind(t, err, open311.Invalid, "ReporterRequests with a made-up cursor")
}
