package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// cloneRequest returns a copy of r that shares no map, slice or pointer with it.
func cloneRequest(r open311.Request) open311.Request {
	if r.Attributes != nil {
		m := make(map[string][]string, len(r.Attributes))
		for k, v := range r.Attributes {
			m[k] = slices.Clone(v)
		}
		r.Attributes = m
	}
	r.Links = slices.Clone(r.Links)
	if r.Point != nil {
		p := *r.Point
		r.Point = &p
	}
	return r
}

// update applies edit to a request through store.UpdateRequest, recording it as one comment activity
// with the given id, and stops the test if that fails.
func update(t *testing.T, s store.Store, id, activityID string, edit func(*open311.Request)) open311.Request {
	t.Helper()
	got, err := store.UpdateRequest(t.Context(), s, jurA, id, func(r *open311.Request) ([]open311.Activity, error) {
		edit(r)
		return []open311.Activity{{ID: activityID, RequestID: r.ID, JurisdictionID: r.JurisdictionID,
			At: r.Updated, Who: "Public Works", Kind: "comment", Description: activityID}}, nil
	})
	must(t, err, "UpdateRequest "+id)
	return got
}

func testUpdateRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := fullRequest()
	created := createdActivity(r)
	must(t, s.CreateRequest(ctx, r, created), "CreateRequest")

	assign := func(p *open311.Request) {
		p.Status, p.StatusNotes, p.AgencyResponsible = open311.Assigned, "Sent to crew 7", "Streets"
		p.Updated, p.Expected = at(180), at(60*24*5)
		p.Attributes["DEPTH"] = []string{"14"}
		p.Links = append(p.Links, open311.Link{Kind: open311.ParentOf, TargetID: "REQ-9"})
		p.Point = &open311.Point{Lat: 37.7623, Long: -122.4652}
	}
	assigned := open311.Activity{ID: "act-assigned", RequestID: r.ID, JurisdictionID: jurA, At: at(180),
		Who: "Streets", Kind: "status", Description: "Sent to crew 7", Status: open311.Assigned}
	got, err := store.UpdateRequest(ctx, s, jurA, r.ID, func(p *open311.Request) ([]open311.Activity, error) {
		same(t, "the request given to change", *p, r)
		assign(p)
		return []open311.Activity{assigned}, nil
	})
	must(t, err, "UpdateRequest")
	want := cloneRequest(r)
	assign(&want)
	want.Version = 2
	same(t, "UpdateRequest result", got, want)
	wantRequest(t, s, "Request after UpdateRequest", want)
	wantActivities(t, s, "Activities after UpdateRequest", jurA, r.ID, []open311.Activity{created, assigned})

	// Two activities of one update share their time; they keep the order they were given in,
	// whatever their ids.
	comment := open311.Activity{ID: "z-comment", RequestID: r.ID, JurisdictionID: jurA, At: at(200),
		Who: "Crew 7", Kind: "comment", Description: "Bigger than reported", MediaURL: "https://img.example.com/2.jpg"}
	started := open311.Activity{ID: "a-started", RequestID: r.ID, JurisdictionID: jurA, At: at(200),
		Who: "Crew 7", Kind: "status", Status: open311.InProgress}
	got, err = store.UpdateRequest(ctx, s, jurA, r.ID, func(p *open311.Request) ([]open311.Activity, error) {
		same(t, "the request given to the second change", *p, want)
		p.Status, p.Updated = open311.InProgress, at(200)
		return []open311.Activity{comment, started}, nil
	})
	must(t, err, "second UpdateRequest")
	want.Status, want.Updated, want.Version = open311.InProgress, at(200), 3
	same(t, "second UpdateRequest result", got, want)
	wantRequest(t, s, "Request after the second UpdateRequest", want)
	wantActivities(t, s, "Activities after the second UpdateRequest", jurA, r.ID,
		[]open311.Activity{created, assigned, comment, started})
	// More activities of one instant than one decimal digit counts keep their order too.
	var burst []open311.Activity
	for i := range 12 {
		burst = append(burst, open311.Activity{ID: fmt.Sprintf("burst-%c", 'z'-i), RequestID: r.ID,
			JurisdictionID: jurA, At: at(300), Who: "Crew 7", Kind: "comment", Description: fmt.Sprint(i)})
	}
	got, err = store.UpdateRequest(ctx, s, jurA, r.ID, func(p *open311.Request) ([]open311.Activity, error) {
		p.Updated = at(300)
		return burst, nil
	})
	must(t, err, "UpdateRequest with a burst of activities")
	want.Updated, want.Version = at(300), 4
	same(t, "UpdateRequest with a burst of activities", got, want)
	wantActivities(t, s, "Activities after a burst", jurA, r.ID,
		append([]open311.Activity{created, assigned, comment, started}, burst...))

	byToken, err := s.RequestByToken(ctx, jurA, r.Token)
	must(t, err, "RequestByToken after updates")
	same(t, "RequestByToken after updates", byToken, want)
}

func testUpdateRequestAbort(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := fullRequest()
	create(t, s, r)

	sentinel := errors.New("a pothole is closed by a crew only")
	_, err := store.UpdateRequest(ctx, s, jurA, r.ID, func(p *open311.Request) ([]open311.Activity, error) {
		// Scribble over everything, shared parts included: none of it may reach the store.
		p.Status, p.StatusNotes, p.Updated, p.Version = open311.Closed, "closed", at(500), 77
		p.Attributes["DEPTH"][0] = "999"
		p.Attributes["NEW"] = []string{"x"}
		p.Links[0].TargetID = "REQ-CHANGED"
		p.Point.Lat = 0
		p.Reporter.Email = "changed@example.net"
		return []open311.Activity{{ID: "never", RequestID: r.ID, JurisdictionID: jurA, At: at(500), Kind: "status"}},
			fmt.Errorf("close %s: %w", p.ID, sentinel)
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("UpdateRequest whose change fails: got error %v, want the change's error", err)
	}
	wantRequest(t, s, "Request after an aborted update", r)
	wantActivities(t, s, "Activities after an aborted update", jurA, r.ID, []open311.Activity{createdActivity(r)})

	forbidden := open311.Errorf(open311.Forbidden, "storetest.change", "only staff may close requests")
	_, err = store.UpdateRequest(ctx, s, jurA, r.ID, func(p *open311.Request) ([]open311.Activity, error) {
		p.Status = open311.Closed
		return nil, forbidden
	})
	if !errors.Is(err, forbidden) {
		t.Errorf("UpdateRequest whose change fails with a kind: got error %v, want the change's error", err)
	}
	wantKind(t, err, open311.Forbidden, "UpdateRequest whose change fails with Forbidden")
	wantRequest(t, s, "Request after a forbidden update", r)

	// Aborted updates are no writes: the next one still makes version 2.
	got := update(t, s, r.ID, "act-after-abort", func(p *open311.Request) { p.Updated = at(600) })
	if got.Version != 2 {
		t.Errorf("Version after two aborted updates and one update: got %d, want 2", got.Version)
	}
	wantActivities(t, s, "Activities after aborted updates and one update", jurA, r.ID, []open311.Activity{
		createdActivity(r),
		{ID: "act-after-abort", RequestID: r.ID, JurisdictionID: jurA, At: at(600), Who: "Public Works",
			Kind: "comment", Description: "act-after-abort"},
	})
}

func testUpdateRequestNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	create(t, s, minimalRequest("REQ-1", at(0)))
	for _, id := range []string{"REQ-NOPE", "REQ", "REQ-10"} {
		_, err := store.UpdateRequest(ctx, s, jurA, id, func(p *open311.Request) ([]open311.Activity, error) {
			t.Errorf("UpdateRequest of unknown id %s called change", id)
			return nil, nil
		})
		wantKind(t, err, open311.NotFound, "UpdateRequest of unknown id "+id)
		_, err = s.Request(ctx, jurA, id)
		wantKind(t, err, open311.NotFound, "Request after UpdateRequest of unknown id "+id)
	}
}

// testUpdateRequestQueries checks that queries and the token lookup follow updates.
func testUpdateRequestQueries(t *testing.T, s store.Store) {
	ctx := t.Context()
	batch := minimalRequest("U-BATCH", at(10))
	batch.Status, batch.Token = open311.Submitted, "TOK-U"
	for _, r := range []open311.Request{batch, minimalRequest("U-X", at(20)),
		minimalRequest("U-Y", at(30)), minimalRequest("U-Z", at(40))} {
		create(t, s, r)
	}
	query := func(what string, q store.Query, want ...string) {
		t.Helper()
		q.JurisdictionID = jurA
		page, err := s.QueryRequests(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		sameIDs(t, what, requestIDs(page.Requests), want)
		q.Limit = 1
		sameIDs(t, what+" (walked one by one)", walk(t, s, q, 10), want)
	}
	query("before updates", store.Query{}, "U-Z", "U-Y", "U-X")

	// A batch request is accepted: it becomes public, and its token still finds it.
	update(t, s, "U-BATCH", "accept", func(r *open311.Request) { r.Status, r.Updated = open311.Open, at(50) })
	query("after accepting the batch request", store.Query{}, "U-Z", "U-Y", "U-X", "U-BATCH")
	got, err := s.RequestByToken(ctx, jurA, "TOK-U")
	must(t, err, "RequestByToken after accepting")
	if got.Status != open311.Open || got.Version != 2 {
		t.Errorf("RequestByToken after accepting: got status %q version %d, want %q version 2", got.Status, got.Version, open311.Open)
	}

	update(t, s, "U-X", "close", func(r *open311.Request) { r.Status, r.Updated = open311.Closed, at(60) })
	query("closed after closing one", store.Query{Statuses: []string{"closed"}}, "U-X")
	query("open after closing one", store.Query{Statuses: []string{"open"}}, "U-Z", "U-Y", "U-BATCH")
	query("updated after the close", store.Query{UpdatedAfter: at(55)}, "U-X")

	update(t, s, "U-Y", "hide", func(r *open311.Request) { r.Private, r.Updated = true, at(70) })
	query("after making one private", store.Query{}, "U-Z", "U-X", "U-BATCH")

	update(t, s, "U-Z", "redate", func(r *open311.Request) { r.Requested, r.Updated = at(5), at(80) })
	query("after moving one's requested time", store.Query{}, "U-X", "U-BATCH", "U-Z")
	query("requested up to the new time", store.Query{RequestedTo: at(5)}, "U-Z")
	query("requested from the old time", store.Query{RequestedFrom: at(40)})
}
