package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// seedUpdates writes the request-updates data set in jurA (and a little in jurLonger) and
// returns the activities Updates must list for jurA, in order. Alongside them it writes
// activities that must never be listed: of a private request, of a batch request while it was
// submitted, and of a request after it was made private.
func seedUpdates(t *testing.T, s store.Store) []open311.Activity {
	t.Helper()
	ctx := t.Context()
	act := func(id, req string, minutes int, kind string, status open311.Status) open311.Activity {
		return open311.Activity{ID: id, RequestID: req, JurisdictionID: jurA, At: at(minutes), Who: "Public Works",
			Kind: kind, Description: "about " + req, Status: status}
	}
	write := func(id string, edit func(*open311.Request), acts ...open311.Activity) {
		t.Helper()
		_, err := store.UpdateRequest(ctx, s, jurA, id, func(r *open311.Request) ([]open311.Activity, error) {
			edit(r)
			r.Updated = acts[len(acts)-1].At
			return acts, nil
		})
		must(t, err, "UpdateRequest "+id)
	}
	keep := func(*open311.Request) {}

	p1, p2 := minimalRequest("P1", at(0)), minimalRequest("P2", at(0))
	priv := minimalRequest("PRIV", at(1))
	priv.Private = true
	batch := minimalRequest("BATCH", at(2))
	batch.Status, batch.Token = open311.Submitted, "TOK-BATCH"
	hide := minimalRequest("HIDE", at(8))
	for _, r := range []open311.Request{p1, p2, priv, batch, hide} {
		create(t, s, r)
	}
	elsewhere := minimalRequest("LP1", at(0))
	elsewhere.JurisdictionID = jurLonger
	create(t, s, elsewhere)
	_, err := store.UpdateRequest(ctx, s, jurLonger, elsewhere.ID, func(r *open311.Request) ([]open311.Activity, error) {
		return []open311.Activity{{ID: "lp1-comment", RequestID: r.ID, JurisdictionID: jurLonger, At: at(4),
			Who: "staff", Kind: open311.KindComment}}, nil
	})
	must(t, err, "UpdateRequest in "+jurLonger)

	batchComment := act("batch-early", batch.ID, 3, open311.KindComment, open311.Submitted)
	write(batch.ID, keep, batchComment)
	// Two activities of one write share a time and are listed by id, not in written order; an
	// activity of another request of that time goes between them.
	z, a := act("z-p1-4", p1.ID, 4, open311.KindComment, open311.Open), act("a-p1-4", p1.ID, 4, open311.KindComment, open311.Open)
	write(p1.ID, keep, z, a)
	m := act("m-p2-4", p2.ID, 4, open311.KindAssignment, open311.Open)
	m.At = m.At.In(time.FixedZone("PST", -8*3600)) // the same instant, in another zone
	write(p2.ID, func(r *open311.Request) { r.AgencyResponsible = "Streets" }, m)
	write(priv.ID, keep, act("priv-comment", priv.ID, 5, open311.KindComment, open311.Open))
	accept := act("batch-accept", batch.ID, 6, open311.KindStatus, open311.Open)
	write(batch.ID, func(r *open311.Request) { r.Status = open311.Open }, accept)
	batchLater := act("batch-comment", batch.ID, 7, open311.KindComment, open311.Open)
	write(batch.ID, keep, batchLater)
	hideComment := act("hide-comment", hide.ID, 9, open311.KindComment, open311.Open)
	write(hide.ID, keep, hideComment)
	write(hide.ID, func(r *open311.Request) { r.Private = true }, act("hide-private", hide.ID, 10, open311.KindNotes, open311.Open))
	write(hide.ID, keep, act("hide-later", hide.ID, 12, open311.KindComment, open311.Open))

	link1 := linkActivity("link-p1", p1.ID, p2.ID, open311.RelatedTo, open311.Open, 11)
	link2 := linkActivity("link-p2", p2.ID, p1.ID, open311.RelatedTo, open311.Open, 11)
	_, err = s.UpdateRequests(ctx, jurA, []string{p2.ID, p1.ID}, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].Links = append(rs[0].Links, open311.Link{Kind: open311.RelatedTo, TargetID: p1.ID})
		rs[1].Links = append(rs[1].Links, open311.Link{Kind: open311.RelatedTo, TargetID: p2.ID})
		rs[0].Updated, rs[1].Updated = at(11), at(11)
		return []open311.Activity{link2, link1}, nil
	})
	must(t, err, "UpdateRequests linking P1 and P2")
	fms := clientUpdate("fms-p2", jurA, p2.ID, "fms-77", 13)
	fms.MediaURL = "https://img.example.com/u/77.jpg"
	write(p2.ID, keep, fms)
	// A private request made public: only what is written from then on is listed.
	published := act("priv-public", priv.ID, 14, open311.KindNotes, open311.Open)
	write(priv.ID, func(r *open311.Request) { r.Private = false }, published)

	return []open311.Activity{
		createdActivity(p1), createdActivity(p2),
		a, m, z,
		accept, batchLater,
		createdActivity(hide), hideComment,
		link1, link2,
		fms,
		published,
	}
}

// activityIDs returns the ids of acts in order.
func activityIDs(acts []open311.Activity) []string {
	ids := make([]string, 0, len(acts))
	for _, a := range acts {
		ids = append(ids, a.ID)
	}
	return ids
}

// between is the reference answer to From and To over acts (already in order).
func between(acts []open311.Activity, from, to time.Time) []open311.Activity {
	var out []open311.Activity
	for _, a := range acts {
		if (from.IsZero() || !a.At.Before(from)) && (to.IsZero() || a.At.Before(to)) {
			out = append(out, a)
		}
	}
	return out
}

// walkUpdates follows Next from the first page of q to the end and returns the activities seen.
// It fails the test as walk does for requests.
func walkUpdates(t *testing.T, s store.Store, q store.UpdateQuery, maxPages int) []open311.Activity {
	t.Helper()
	var acts []open311.Activity
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		page, err := s.Updates(t.Context(), q)
		if err != nil {
			t.Fatalf("Updates page %d (cursor %q): %v", pages, q.Cursor, err)
		}
		if q.Limit > 0 && len(page.Activities) > q.Limit {
			t.Errorf("page %d: got %d activities, more than the limit %d", pages, len(page.Activities), q.Limit)
		}
		acts = append(acts, page.Activities...)
		if page.Next == "" {
			return acts
		}
		if len(page.Activities) == 0 {
			t.Fatalf("page %d is empty but has Next %q: a walk would not know when to stop", pages, page.Next)
		}
		if seen[page.Next] {
			t.Fatalf("page %d: cursor %q came back a second time", pages, page.Next)
		}
		seen[page.Next] = true
		if pages >= maxPages {
			t.Fatalf("walk did not end after %d pages; ids so far %q", pages, activityIDs(acts))
		}
		q.Cursor = page.Next
	}
}

func testUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := seedUpdates(t, s)
	page, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA})
	must(t, err, "Updates")
	sameIDs(t, "Updates (oldest first, ties by id, public only)", activityIDs(page.Activities), activityIDs(want))
	same(t, "Updates", page.Activities, want)
	if page.Next != "" {
		t.Errorf("Updates of everything: Next is %q, want \"\" on the only page", page.Next)
	}

	page, err = s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurLonger})
	must(t, err, "Updates of "+jurLonger)
	sameIDs(t, "Updates of "+jurLonger, activityIDs(page.Activities), []string{"LP1-created", "lp1-comment"})
	page, err = s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurB})
	must(t, err, "Updates of a jurisdiction without requests")
	sameIDs(t, "Updates of a jurisdiction without requests", activityIDs(page.Activities), nil)
	if page.Next != "" {
		t.Errorf("Updates of a jurisdiction without requests: Next is %q, want \"\"", page.Next)
	}

	// Listing follows what a write leaves public, not what the request is now: the batch
	// request's early comment stays out, the hidden request's public past stays in.
	for _, id := range []string{"BATCH", "HIDE", "PRIV"} {
		r, err := s.Request(ctx, jurA, id)
		must(t, err, "Request "+id)
		if wantPublic := id != "HIDE"; r.Public() != wantPublic {
			t.Errorf("request %s: Public() is %v, the data set expects %v", id, r.Public(), wantPublic)
		}
	}
}

func testUpdatesTimeBounds(t *testing.T, s store.Store) {
	want := seedUpdates(t, s)
	ns := time.Nanosecond
	for _, tc := range []struct {
		name     string
		from, to time.Time
		count    int // the reference's answer size, to keep the cases meaningful
	}{
		{"from (inclusive)", at(4), time.Time{}, 11},
		{"from just after", at(4).Add(ns), time.Time{}, 8},
		{"to (exclusive)", time.Time{}, at(4), 2},
		{"to just after", time.Time{}, at(4).Add(ns), 5},
		{"from and to", at(4), at(9), 6},
		{"from in another zone", at(11).In(time.FixedZone("X", 7*3600)), time.Time{}, 4},
		{"from and to one instant", at(4), at(4), 0},
		{"from after to", at(9), at(4), 0},
		{"from after the last", at(15), time.Time{}, 0},
		{"to before the first", time.Time{}, at(0), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantHere := between(want, tc.from, tc.to)
			if len(wantHere) != tc.count {
				t.Fatalf("the reference selects %d activities, the case expects %d: the data set changed", len(wantHere), tc.count)
			}
			q := store.UpdateQuery{JurisdictionID: jurA, From: tc.from, To: tc.to}
			page, err := s.Updates(t.Context(), q)
			must(t, err, "Updates")
			same(t, "Updates", page.Activities, wantHere)
			if page.Next != "" {
				t.Errorf("Next is %q, want \"\" on the only page", page.Next)
			}
			q.Limit = 2
			sameIDs(t, "walk with limit 2", activityIDs(walkUpdates(t, s, q, len(want)+2)), activityIDs(wantHere))
		})
	}
}

func testUpdatesPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := seedUpdates(t, s)
	for _, limit := range []int{1, 2, 3, 4, len(want) - 1, len(want), len(want) + 1} {
		got := walkUpdates(t, s, store.UpdateQuery{JurisdictionID: jurA, Limit: limit}, len(want)+2)
		if !sameIDs(t, fmt.Sprintf("walk with limit %d", limit), activityIDs(got), activityIDs(want)) {
			continue
		}
		same(t, fmt.Sprintf("walk with limit %d", limit), got, want)
	}
	page, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA, Limit: 5})
	must(t, err, "Updates with limit 5")
	sameIDs(t, "Updates with limit 5", activityIDs(page.Activities), activityIDs(want[:5]))
	if page.Next == "" {
		t.Fatalf("Updates with limit 5 of %d: Next is empty, want a cursor", len(want))
	}
	page, err = s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA, Limit: len(want)})
	must(t, err, "Updates with a limit of exactly the number of activities")
	if page.Next != "" {
		next, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA, Limit: len(want), Cursor: page.Next})
		must(t, err, "Updates after the last activity")
		if len(next.Activities) != 0 || next.Next != "" {
			t.Errorf("Updates after the last activity: got %q and Next %q, want nothing", activityIDs(next.Activities), next.Next)
		}
	}

	// A cursor is a position: between two pages, an activity written later than it is seen,
	// one written earlier is not.
	q := store.UpdateQuery{JurisdictionID: jurA, Limit: 3, From: at(1)}
	first, err := s.Updates(ctx, q)
	must(t, err, "Updates first page")
	if first.Next == "" {
		t.Fatal("Updates first page of limit 3: Next is empty")
	}
	late := open311.Activity{ID: "late", RequestID: "P1", JurisdictionID: jurA, At: at(100), Who: "staff", Kind: open311.KindComment}
	early := open311.Activity{ID: "early", RequestID: "P2", JurisdictionID: jurA, At: at(2), Who: "staff", Kind: open311.KindComment}
	_, err = postUpdate(t, s, jurA, "P1", late)
	must(t, err, "UpdateRequest between pages")
	_, err = postUpdate(t, s, jurA, "P2", early)
	must(t, err, "UpdateRequest between pages")
	q.Cursor = first.Next
	got := append(first.Activities, walkUpdates(t, s, q, len(want)+2)...)
	sameIDs(t, "walk with writes between pages", activityIDs(got), append(activityIDs(between(want, at(1), time.Time{})), "late"))
}

func testUpdatesInvalidCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	create(t, s, minimalRequest("A", at(1)))
	for _, cursor := range []string{"%%%", "not a cursor", "Z2FyYmFnZQ", "AAAA", "=="} {
		_, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jurA, Cursor: cursor})
		wantKind(t, err, open311.Invalid, fmt.Sprintf("Updates with cursor %q", cursor))
	}
}
