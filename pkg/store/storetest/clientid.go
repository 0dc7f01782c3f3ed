package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// clientUpdate returns a FixMyStreet-style update of request id with a client's update id.
func clientUpdate(actID, jur, id, clientID string, minutes int) open311.Activity {
	return open311.Activity{ID: actID, RequestID: id, JurisdictionID: jur, At: at(minutes), Who: "FixMyStreet",
		Kind: open311.KindComment, Description: "update " + clientID, Status: open311.Open,
		ClientUpdateID: clientID, ExternalStatus: "INVESTIGATING"}
}

// postUpdate writes acts to request id of jur through store.UpdateRequest, setting Updated and notes.
func postUpdate(t *testing.T, s store.Store, jur, id string, acts ...open311.Activity) (open311.Request, error) {
	t.Helper()
	return store.UpdateRequest(t.Context(), s, jur, id, func(r *open311.Request) ([]open311.Activity, error) {
		r.StatusNotes += "+"
		r.Updated = acts[len(acts)-1].At
		return acts, nil
	})
}

func testClientUpdateID(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1, r2 := minimalRequest("REQ-1", at(0)), minimalRequest("REQ-2", at(0))
	r3 := minimalRequest("REQ-1", at(0)) // the same id and client ids, in another jurisdiction
	r3.JurisdictionID = jurB
	for _, r := range []open311.Request{r1, r2, r3} {
		create(t, s, r)
	}
	notFound := func(jur, clientID, what string) {
		t.Helper()
		a, err := s.ActivityByClientID(ctx, jur, clientID)
		if err == nil {
			t.Errorf("ActivityByClientID %s: got %s, want NotFound", what, show(a))
			return
		}
		wantKind(t, err, open311.NotFound, "ActivityByClientID "+what)
	}
	notFound(jurA, "fms-1", "before any update")

	first := clientUpdate("act-1", jurA, r1.ID, "fms-1", 10)
	first.MediaURL = "https://img.example.com/u/1.jpg"
	got, err := postUpdate(t, s, jurA, r1.ID, first)
	must(t, err, "UpdateRequest with a client update id")
	if got.Version != 2 {
		t.Errorf("UpdateRequest with a client update id: version %d, want 2", got.Version)
	}
	byClient, err := s.ActivityByClientID(ctx, jurA, "fms-1")
	must(t, err, "ActivityByClientID")
	same(t, "ActivityByClientID", byClient, first)
	want1, err := s.Request(ctx, jurA, r1.ID)
	must(t, err, "Request after the first client update")
	acts := map[string][]open311.Activity{r1.ID: {createdActivity(r1), first}, r2.ID: {createdActivity(r2)}}

	// A second use of the id, from the same request, another one, or both at once, is a
	// Conflict and writes nothing.
	_, err = postUpdate(t, s, jurA, r1.ID, clientUpdate("act-again", jurA, r1.ID, "fms-1", 20))
	wantKind(t, err, open311.Conflict, "UpdateRequest reusing a client update id on the same request")
	_, err = postUpdate(t, s, jurA, r2.ID, clientUpdate("act-r2", jurA, r2.ID, "fms-1", 20))
	wantKind(t, err, open311.Conflict, "UpdateRequest reusing a client update id on another request")
	// The reused id comes after a fresh one: the fresh one must not be written either.
	_, err = postUpdate(t, s, jurA, r2.ID, clientUpdate("act-fresh", jurA, r2.ID, "fms-fresh", 20),
		clientUpdate("act-r2", jurA, r2.ID, "fms-1", 20))
	wantKind(t, err, open311.Conflict, "UpdateRequest with a fresh and a reused client update id")
	notFound(jurA, "fms-fresh", "of the fresh id of a write that lost")
	_, err = s.UpdateRequests(ctx, jurA, []string{r2.ID, r1.ID}, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].StatusNotes, rs[1].StatusNotes = "linked", "linked"
		return []open311.Activity{linkActivity("link-2", r2.ID, r1.ID, open311.RelatedTo, open311.Open, 20),
			clientUpdate("act-link", jurA, r1.ID, "fms-1", 20)}, nil
	})
	wantKind(t, err, open311.Conflict, "UpdateRequests reusing a client update id")
	wantUnchanged(t, s, "after reusing a client update id", acts, want1, r2)
	byClient, err = s.ActivityByClientID(ctx, jurA, "fms-1")
	must(t, err, "ActivityByClientID after conflicts")
	same(t, "ActivityByClientID after conflicts", byClient, first)

	// Two activities of one write with the same new id.
	_, err = postUpdate(t, s, jurA, r2.ID, clientUpdate("act-twin-1", jurA, r2.ID, "fms-twin", 30),
		clientUpdate("act-twin-2", jurA, r2.ID, "fms-twin", 30))
	wantKind(t, err, open311.Conflict, "UpdateRequest with two activities of one client update id")
	notFound(jurA, "fms-twin", "of the twins' id")
	wantUnchanged(t, s, "after a write with twin client update ids", acts, want1, r2)

	// A write that change aborted takes no id.
	sentinel := errors.New("refused")
	_, err = store.UpdateRequest(ctx, s, jurA, r2.ID, func(r *open311.Request) ([]open311.Activity, error) {
		return []open311.Activity{clientUpdate("act-aborted", jurA, r2.ID, "fms-2", 40)}, sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("UpdateRequest aborted by change: got %v, want the change's error", err)
	}
	notFound(jurA, "fms-2", "of an aborted write's id")
	second := clientUpdate("act-2", jurA, r2.ID, "fms-2", 41)
	second.ExternalStatus = "ACTION_SCHEDULED"
	_, err = postUpdate(t, s, jurA, r2.ID, second)
	must(t, err, "UpdateRequest with the id of an aborted write")
	byClient, err = s.ActivityByClientID(ctx, jurA, "fms-2")
	must(t, err, "ActivityByClientID of the id of an aborted write")
	same(t, "ActivityByClientID of the id of an aborted write", byClient, second)

	// UpdateRequests takes ids too.
	third := clientUpdate("act-3", jurA, r2.ID, "fms-3", 50)
	_, err = s.UpdateRequests(ctx, jurA, []string{r1.ID, r2.ID}, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].Updated, rs[1].Updated = at(50), at(50)
		return []open311.Activity{third}, nil
	})
	must(t, err, "UpdateRequests with a client update id")
	byClient, err = s.ActivityByClientID(ctx, jurA, "fms-3")
	must(t, err, "ActivityByClientID of UpdateRequests' id")
	same(t, "ActivityByClientID of UpdateRequests' id", byClient, third)

	// The same id in another jurisdiction is another id.
	other := clientUpdate("act-1", jurB, r3.ID, "fms-1", 60)
	other.Description = "the county's update"
	_, err = postUpdate(t, s, jurB, r3.ID, other)
	must(t, err, "UpdateRequest with a client update id used in another jurisdiction")
	byClient, err = s.ActivityByClientID(ctx, jurB, "fms-1")
	must(t, err, "ActivityByClientID in the other jurisdiction")
	same(t, "ActivityByClientID in the other jurisdiction", byClient, other)
	byClient, err = s.ActivityByClientID(ctx, jurA, "fms-1")
	must(t, err, "ActivityByClientID after the other jurisdiction used the id")
	same(t, "ActivityByClientID after the other jurisdiction used the id", byClient, first)
	notFound(jurLonger, "fms-1", "in a jurisdiction whose id extends the one that used it")
	notFound(jurA, "fms", "of a prefix of an id")
	notFound(jurA, "fms-10", "of an id extending a used one")
	notFound(jurA, "", "of the empty id")

	// The empty id is no id.
	for i := range 3 {
		_, err := postUpdate(t, s, jurA, r1.ID, open311.Activity{ID: fmt.Sprintf("no-client-id-%d", i),
			RequestID: r1.ID, JurisdictionID: jurA, At: at(70 + i), Who: "staff", Kind: open311.KindComment})
		must(t, err, "UpdateRequest without a client update id")
	}
	got, err = s.Request(ctx, jurA, r1.ID)
	must(t, err, "Request at the end")
	if got.Version != 6 {
		t.Errorf("version of %s at the end: got %d, want 6 (created, fms-1, fms-3, three without id)", r1.ID, got.Version)
	}
}

// testClientUpdateIDConcurrent sends one client update id from many writers at once, over
// several requests of a jurisdiction; a writer retries a Conflict only while the id is not
// taken. Exactly one activity must be written.
func testClientUpdateIDConcurrent(t *testing.T, s store.Store) {
	const requests, workers, maxAttempts = 3, 10, 1000
	ctx := t.Context()
	id := func(w int) string { return fmt.Sprintf("REQ-%d", w%requests) }
	for i := range requests {
		create(t, s, minimalRequest(id(i), at(0)))
	}
	wrote := make([]bool, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			act := clientUpdate(fmt.Sprintf("act-%02d", w), jurA, id(w), "fms-dup", 10+w)
			for attempt := 1; attempt <= maxAttempts; attempt++ {
				_, err := store.UpdateRequest(ctx, s, jurA, id(w), func(r *open311.Request) ([]open311.Activity, error) {
					r.Updated = act.At
					return []open311.Activity{act}, nil
				})
				if err == nil {
					wrote[w] = true
					return
				}
				if !open311.IsKind(err, open311.Conflict) {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if _, err := s.ActivityByClientID(ctx, jurA, "fms-dup"); err == nil {
					return // taken: the duplicate is refused, as it should be
				} else if !open311.IsKind(err, open311.NotFound) {
					t.Errorf("writer %d: ActivityByClientID: %v", w, err)
					return
				}
			}
			t.Errorf("writer %d: still conflicting after %d attempts", w, maxAttempts)
		})
	}
	wg.Wait()

	var winners []int
	for w, ok := range wrote {
		if ok {
			winners = append(winners, w)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("writers that succeeded: %v, want exactly one", winners)
	}
	var stored []open311.Activity
	var versions int64
	for i := range requests {
		r, err := s.Request(ctx, jurA, id(i))
		must(t, err, "Request after concurrent duplicates")
		versions += r.Version
		acts, err := s.Activities(ctx, jurA, id(i))
		must(t, err, "Activities after concurrent duplicates")
		for _, a := range acts {
			if a.ClientUpdateID != "" {
				stored = append(stored, a)
			}
		}
	}
	w := winners[0]
	want := clientUpdate(fmt.Sprintf("act-%02d", w), jurA, id(w), "fms-dup", 10+w)
	same(t, "activities with the client update id", stored, []open311.Activity{want})
	if versions != requests+1 {
		t.Errorf("versions after one write to %d requests add up to %d, want %d", requests, versions, requests+1)
	}
	byClient, err := s.ActivityByClientID(ctx, jurA, "fms-dup")
	must(t, err, "ActivityByClientID after concurrent duplicates")
	same(t, "ActivityByClientID after concurrent duplicates", byClient, want)
}

// testCreateRequestClientID checks a client id on a request's creation activity (the API keeps
// a POST's Idempotency-Key there): it is found like any other, and a second creation with it is
// a Conflict that writes nothing, neither the request nor its token.
func testCreateRequestClientID(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := minimalRequest("REQ-IDEM-1", at(0))
	created := createdActivity(r)
	created.ClientUpdateID = "idempotency-key:app-1"
	must(t, s.CreateRequest(ctx, r, created), "CreateRequest with a client id")
	got, err := s.ActivityByClientID(ctx, jurA, created.ClientUpdateID)
	must(t, err, "ActivityByClientID of a creation")
	same(t, "ActivityByClientID of a creation", got, created)

	retry := minimalRequest("REQ-IDEM-2", at(1))
	retry.Token = "TOKEN-IDEM-2"
	retryCreated := createdActivity(retry)
	retryCreated.ClientUpdateID = created.ClientUpdateID
	wantKind(t, s.CreateRequest(ctx, retry, retryCreated), open311.Conflict, "CreateRequest reusing a client id")
	if _, err := s.Request(ctx, jurA, retry.ID); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("the refused request was stored: Request = %v, want NotFound", err)
	}
	if _, err := s.RequestByToken(ctx, jurA, retry.Token); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("the refused request's token was stored: RequestByToken = %v, want NotFound", err)
	}
	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA})
	must(t, err, "QueryRequests")
	sameIDs(t, "requests after the refused creation", requestIDs(page.Requests), []string{r.ID})
}
