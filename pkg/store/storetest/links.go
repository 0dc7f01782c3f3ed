package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// linkActivity returns the activity recording that request id was linked to target.
func linkActivity(actID, id, target string, kind open311.LinkKind, status open311.Status, minutes int) open311.Activity {
	return open311.Activity{ID: actID, RequestID: id, JurisdictionID: jurA, At: at(minutes), Who: "Public Works",
		Kind: open311.KindLink, Description: fmt.Sprintf("%s %s", kind, target), Status: status}
}

// wantUnchanged checks that the store still holds each request as given, with its activities.
func wantUnchanged(t *testing.T, s store.Store, what string, acts map[string][]open311.Activity, rs ...open311.Request) {
	t.Helper()
	for _, r := range rs {
		wantRequest(t, s, what+": request "+r.ID, r)
		wantActivities(t, s, what+": activities of "+r.ID, r.JurisdictionID, r.ID, acts[r.ID])
	}
}

func testUpdateRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	dup := minimalRequest("L-DUP", at(0))
	// orig is full, requested at 09:15:30Z; everything below happens later.
	orig := fullRequest()
	orig.ID, orig.Token = "L-ORIG", "TOK-L-ORIG"
	bystander := minimalRequest("L-BYSTANDER", at(2))
	for _, r := range []open311.Request{dup, orig, bystander} {
		create(t, s, r)
	}

	// Mark dup a duplicate of orig, kept on both, and close dup. ids are not in any sorted
	// order, to see that change gets them in the order given.
	ids := []string{orig.ID, dup.ID}
	markedDup := linkActivity("link-dup", dup.ID, orig.ID, open311.DuplicateOf, open311.Open, 30)
	closedDup := open311.Activity{ID: "close-dup", RequestID: dup.ID, JurisdictionID: jurA, At: at(30),
		Who: "Public Works", Kind: open311.KindStatus, Description: "Duplicate", Status: open311.Closed}
	markedOrig := linkActivity("link-orig", orig.ID, dup.ID, open311.DuplicatedBy, orig.Status, 30)
	edit := func(o, d *open311.Request) {
		o.Links = append(o.Links, open311.Link{Kind: open311.DuplicatedBy, TargetID: d.ID})
		d.Links = append(d.Links, open311.Link{Kind: open311.DuplicateOf, TargetID: o.ID})
		d.Status, d.StatusNotes = open311.Closed, "Duplicate of "+o.ID
		o.Updated, d.Updated = at(30), at(30)
	}
	calls := 0
	got, err := s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		calls++
		if len(rs) != 2 {
			return nil, fmt.Errorf("change got %d requests, want 2", len(rs))
		}
		same(t, "first request given to change (the first id's)", *rs[0], orig)
		same(t, "second request given to change (the second id's)", *rs[1], dup)
		edit(rs[0], rs[1])
		// Interleaved: each request's activities keep their order, wherever the others are.
		return []open311.Activity{markedDup, markedOrig, closedDup}, nil
	})
	must(t, err, "UpdateRequests linking two requests")
	if calls != 1 {
		t.Errorf("UpdateRequests called change %d times, want once", calls)
	}
	wantOrig, wantDup := cloneRequest(orig), cloneRequest(dup)
	edit(&wantOrig, &wantDup)
	wantOrig.Version, wantDup.Version = 2, 2
	same(t, "UpdateRequests result (in the order of ids)", got, []open311.Request{wantOrig, wantDup})
	acts := map[string][]open311.Activity{
		orig.ID:      {createdActivity(orig), markedOrig},
		dup.ID:       {createdActivity(dup), markedDup, closedDup},
		bystander.ID: {createdActivity(bystander)},
	}
	wantUnchanged(t, s, "after UpdateRequests", acts, wantOrig, wantDup, bystander)
	byToken, err := s.RequestByToken(ctx, jurA, orig.Token)
	must(t, err, "RequestByToken after UpdateRequests")
	same(t, "RequestByToken after UpdateRequests", byToken, wantOrig)
	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Statuses: []string{"closed"}})
	must(t, err, "QueryRequests of closed requests after UpdateRequests")
	sameIDs(t, "closed requests after UpdateRequests", requestIDs(page.Requests), []string{dup.ID})

	// Three at once, one of them left as it was and without an activity: it is written all the
	// same, version+1.
	related := linkActivity("relate-bystander", bystander.ID, orig.ID, open311.RelatedTo, open311.Open, 40)
	got, err = s.UpdateRequests(ctx, jurA, []string{bystander.ID, dup.ID, orig.ID}, func(rs []*open311.Request) ([]open311.Activity, error) {
		if len(rs) != 3 {
			return nil, fmt.Errorf("change got %d requests, want 3", len(rs))
		}
		same(t, "requests given to the second change", []open311.Request{*rs[0], *rs[1], *rs[2]},
			[]open311.Request{bystander, wantDup, wantOrig})
		rs[0].Links = append(rs[0].Links, open311.Link{Kind: open311.RelatedTo, TargetID: orig.ID})
		rs[2].Links = append(rs[2].Links, open311.Link{Kind: open311.RelatedTo, TargetID: bystander.ID})
		rs[0].Updated, rs[2].Updated = at(40), at(40)
		return []open311.Activity{related}, nil
	})
	must(t, err, "UpdateRequests of three requests")
	wantBystander := cloneRequest(bystander)
	wantBystander.Links = []open311.Link{{Kind: open311.RelatedTo, TargetID: orig.ID}}
	wantBystander.Updated, wantBystander.Version = at(40), 2
	wantOrig.Links = append(wantOrig.Links, open311.Link{Kind: open311.RelatedTo, TargetID: bystander.ID})
	wantOrig.Updated, wantOrig.Version = at(40), 3
	wantDup.Version = 3
	same(t, "UpdateRequests of three requests: result", got, []open311.Request{wantBystander, wantDup, wantOrig})
	acts[bystander.ID] = append(acts[bystander.ID], related)
	wantUnchanged(t, s, "after UpdateRequests of three", acts, wantOrig, wantDup, wantBystander)

	// One id, as store.UpdateRequest calls it.
	got, err = s.UpdateRequests(ctx, jurA, []string{dup.ID}, func(rs []*open311.Request) ([]open311.Activity, error) {
		if len(rs) != 1 {
			return nil, fmt.Errorf("change got %d requests, want 1", len(rs))
		}
		rs[0].StatusNotes, rs[0].Updated = "Duplicate; see the original", at(50)
		return []open311.Activity{{ID: "notes-dup", RequestID: dup.ID, JurisdictionID: jurA, At: at(50),
			Who: "Public Works", Kind: open311.KindNotes, Status: open311.Closed}}, nil
	})
	must(t, err, "UpdateRequests of one request")
	wantDup.StatusNotes, wantDup.Updated, wantDup.Version = "Duplicate; see the original", at(50), 4
	same(t, "UpdateRequests of one request: result", got, []open311.Request{wantDup})
	acts[dup.ID] = append(acts[dup.ID], open311.Activity{ID: "notes-dup", RequestID: dup.ID, JurisdictionID: jurA,
		At: at(50), Who: "Public Works", Kind: open311.KindNotes, Status: open311.Closed})
	wantUnchanged(t, s, "after UpdateRequests of one", acts, wantOrig, wantDup, wantBystander)
}

func testUpdateRequestsAbort(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := fullRequest()
	b := minimalRequest("REQ-B", at(1))
	b.Attributes = map[string][]string{"k": {"v"}}
	b.Links = []open311.Link{{Kind: open311.RelatedTo, TargetID: "REQ-3"}}
	create(t, s, a)
	create(t, s, b)
	acts := map[string][]open311.Activity{a.ID: {createdActivity(a)}, b.ID: {createdActivity(b)}}
	ids := []string{a.ID, b.ID}

	sentinel := errors.New("these two cannot be linked")
	_, err := s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		for _, r := range rs {
			// Scribble over everything, shared parts included: none of it may reach the store.
			r.Status, r.StatusNotes, r.Updated, r.Version = open311.Closed, "scribbled", at(500), 77
			for k := range r.Attributes {
				r.Attributes[k][0] = "999"
			}
			r.Links[0].TargetID = "REQ-CHANGED"
			r.Links = append(r.Links, open311.Link{Kind: open311.ParentOf, TargetID: "REQ-NEW"})
		}
		return []open311.Activity{linkActivity("never-a", a.ID, b.ID, open311.ParentOf, open311.Closed, 500),
			linkActivity("never-b", b.ID, a.ID, open311.ChildOf, open311.Closed, 500)}, fmt.Errorf("link: %w", sentinel)
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("UpdateRequests whose change fails: got error %v, want the change's error", err)
	}
	wantUnchanged(t, s, "after an aborted UpdateRequests", acts, a, b)

	// An activity for a request that is not part of the write.
	_, err = s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].StatusNotes, rs[1].StatusNotes = "linked", "linked"
		return []open311.Activity{linkActivity("ok-a", a.ID, b.ID, open311.RelatedTo, a.Status, 40),
			linkActivity("stray", "REQ-ELSEWHERE", a.ID, open311.RelatedTo, open311.Open, 40)}, nil
	})
	if err == nil {
		t.Error("UpdateRequests returning an activity of a request not among ids: got no error")
	}
	wantUnchanged(t, s, "after UpdateRequests with a stray activity", acts, a, b)
	wantActivities(t, s, "activities of the request the stray activity names", jurA, "REQ-ELSEWHERE", nil)

	for _, c := range []struct {
		what string
		ids  []string
	}{
		{"no ids", nil},
		{"an empty list of ids", []string{}},
		{"an id given twice", []string{a.ID, b.ID, a.ID}},
	} {
		_, err = s.UpdateRequests(ctx, jurA, c.ids, func(rs []*open311.Request) ([]open311.Activity, error) {
			t.Errorf("UpdateRequests with %s called change", c.what)
			for _, r := range rs {
				r.StatusNotes = "must not be written"
			}
			return nil, nil
		})
		wantKind(t, err, open311.Invalid, "UpdateRequests with "+c.what)
	}
	wantUnchanged(t, s, "after UpdateRequests with invalid ids", acts, a, b)

	// Aborted writes are no writes: the next one makes version 2 of each.
	got, err := s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].Updated, rs[1].Updated = at(600), at(600)
		return nil, nil
	})
	must(t, err, "UpdateRequests after aborted ones")
	if len(got) != 2 || got[0].Version != 2 || got[1].Version != 2 {
		t.Errorf("UpdateRequests after aborted ones: got %s, want both at version 2", show(got))
	}
}

func testUpdateRequestsNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := minimalRequest("REQ-1", at(0))
	elsewhere := minimalRequest("REQ-2", at(0))
	elsewhere.JurisdictionID = jurLonger
	create(t, s, a)
	create(t, s, elsewhere)
	for _, ids := range [][]string{
		{a.ID, "REQ-NOPE"},
		{"REQ-NOPE", a.ID},
		{a.ID, "REQ"},
		{a.ID, "REQ-10"},
		{a.ID, elsewhere.ID}, // of another jurisdiction
	} {
		what := fmt.Sprintf("UpdateRequests of %q", ids)
		_, err := s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
			t.Errorf("%s called change", what)
			for _, r := range rs {
				r.StatusNotes = "must not be written"
			}
			return nil, nil
		})
		wantKind(t, err, open311.NotFound, what)
		wantUnchanged(t, s, what, map[string][]open311.Activity{a.ID: {createdActivity(a)}}, a)
		wantUnchanged(t, s, what, map[string][]open311.Activity{elsewhere.ID: {createdActivity(elsewhere)}}, elsewhere)
	}
	_, err := s.Request(ctx, jurA, "REQ-NOPE")
	wantKind(t, err, open311.NotFound, "Request of the unknown id after UpdateRequests")
}

// testUpdateRequestsConcurrent links overlapping pairs of requests, both ways round, while
// other writers update single requests (with store.UpdateRequest); each retries on Conflict.
// Every write must land once.
func testUpdateRequestsConcurrent(t *testing.T, s store.Store) {
	const requests, workers, opsEach, maxAttempts = 5, 10, 6, 1000
	ctx := t.Context()
	id := func(i int) string { return fmt.Sprintf("REQ-PAIR-%d", i%requests) }
	for i := range requests {
		r := minimalRequest(id(i), at(0))
		r.Attributes = map[string][]string{"count": {"0"}}
		create(t, s, r)
	}
	// bump counts one more write to r, notes it and records it with an activity.
	bump := func(r *open311.Request, marker string) (open311.Activity, error) {
		if len(r.Attributes["count"]) != 1 {
			return open311.Activity{}, fmt.Errorf("count attribute of %s is %q", r.ID, r.Attributes["count"])
		}
		n, err := strconv.Atoi(r.Attributes["count"][0])
		if err != nil {
			return open311.Activity{}, fmt.Errorf("count attribute of %s: %w", r.ID, err)
		}
		r.Attributes["count"] = []string{strconv.Itoa(n + 1)}
		r.StatusNotes += marker
		r.Updated = at(10)
		return open311.Activity{ID: "act-" + marker + "-" + r.ID, RequestID: r.ID, JurisdictionID: jurA,
			At: at(10), Who: "staff", Kind: open311.KindComment, Description: marker}, nil
	}
	// touches[i] lists the markers of the writes to request i, for the final check.
	touches := make([][]string, requests)
	links := make([]int, requests)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range opsEach {
				marker := fmt.Sprintf("[%02d-%d]", w, i)
				var ids []string
				if i%3 == 2 {
					ids = []string{id(w)} // a single update between the links
				} else if w%2 == 0 {
					ids = []string{id(w), id(w + 1 + i%2)}
				} else {
					ids = []string{id(w + 1 + i%2), id(w)} // the other way round
				}
				var err error
				for attempt := 1; ; attempt++ {
					if len(ids) == 1 {
						// The single updates go through the helper, so that it is tested
						// under concurrency too.
						_, err = store.UpdateRequest(ctx, s, jurA, ids[0], func(r *open311.Request) ([]open311.Activity, error) {
							act, err := bump(r, marker)
							return []open311.Activity{act}, err
						})
					} else {
						_, err = s.UpdateRequests(ctx, jurA, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
							var acts []open311.Activity
							for j, r := range rs {
								act, err := bump(r, marker)
								if err != nil {
									return nil, err
								}
								r.Links = append(r.Links, open311.Link{Kind: open311.RelatedTo, TargetID: rs[1-j].ID})
								acts = append(acts, act)
							}
							return acts, nil
						})
					}
					if err == nil || !open311.IsKind(err, open311.Conflict) || attempt == maxAttempts {
						break
					}
				}
				if err != nil {
					t.Errorf("write %s of %q: %v", marker, ids, err)
					return
				}
				mu.Lock()
				for _, rid := range ids {
					n, _ := strconv.Atoi(strings.TrimPrefix(rid, "REQ-PAIR-"))
					touches[n] = append(touches[n], marker)
					if len(ids) == 2 {
						links[n]++
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	for i := range requests {
		got, err := s.Request(ctx, jurA, id(i))
		must(t, err, "Request after concurrent links")
		n := len(touches[i])
		if n == 0 {
			t.Fatalf("the test touched %s never: fix the pairing", id(i))
		}
		if got.Version != int64(1+n) {
			t.Errorf("%s: version %d after %d writes, want %d", id(i), got.Version, n, 1+n)
		}
		if c := got.Attributes["count"]; len(c) != 1 || c[0] != strconv.Itoa(n) {
			t.Errorf("%s: count %q after %d writes", id(i), c, n)
		}
		if len(got.Links) != links[i] {
			t.Errorf("%s: %d links after %d links were written", id(i), len(got.Links), links[i])
		}
		acts, err := s.Activities(ctx, jurA, id(i))
		must(t, err, "Activities after concurrent links")
		if len(acts) != 1+n {
			t.Errorf("%s: %d activities after %d writes, want %d", id(i), len(acts), n, 1+n)
		}
		seen := map[string]int{}
		for _, a := range acts {
			seen[a.ID]++
			if a.RequestID != id(i) {
				t.Errorf("%s: holds activity %s of request %s", id(i), a.ID, a.RequestID)
			}
		}
		for _, m := range touches[i] {
			if k := seen["act-"+m+"-"+id(i)]; k != 1 {
				t.Errorf("%s: activity of write %s stored %d times, want once", id(i), m, k)
			}
			if k := strings.Count(got.StatusNotes, m); k != 1 {
				t.Errorf("%s: write %s appears %d times in the status notes, want once", id(i), m, k)
			}
		}
	}
}
