package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// fullRequest returns a request of jurA with every field set, times in several zones and with
// sub-second parts.
func fullRequest() open311.Request {
	return open311.Request{
		ID:                "REQ-FULL-1",
		Token:             "TOK-FULL-1",
		JurisdictionID:    jurA,
		ServiceCode:       "pot hole",
		ServiceName:       "Pothole",
		Status:            open311.InProgress,
		StatusNotes:       "Crew 7 on site",
		Description:       "Deep hole — careful!\nSecond line with \"quotes\", <tags> & ampersands.",
		AgencyResponsible: "Public Works",
		ServiceNotice:     "Fixed within 5 working days",
		Requested:         time.Date(2024, 3, 1, 4, 15, 30, 0, time.FixedZone("EST", -5*3600)),
		Updated:           base.Add(2*time.Hour + 123456789*time.Nanosecond),
		Expected:          time.Date(2024, 3, 4, 17, 0, 0, 0, time.FixedZone("CET", 3600)),
		Point:             &open311.Point{Lat: 37.762221815, Long: -122.4651145},
		Address:           "123 Main St",
		AddressID:         "1234-AB",
		Zipcode:           "94122",
		MediaURL:          "https://img.example.com/p/1.jpg?size=large&x=1",
		Media: []open311.Photo{
			{Name: strings.Repeat("ab", 32) + ".jpg", ContentType: "image/jpeg", Width: 3000, Height: 4000, Size: 2345678,
				URL: "https://cdn.example.org/media/" + strings.Repeat("ab", 32) + ".jpg"},
			{Name: strings.Repeat("cd", 32) + ".png", ContentType: "image/png", Width: 40, Height: 30, Size: 1234,
				URL: "https://cdn.example.org/media/" + strings.Repeat("cd", 32) + ".png", PreviewURL: "https://cdn.example.org/media/" + strings.Repeat("cd", 32) + ".png"},
		},
		Attributes: map[string][]string{
			"WHERE":  {"middle"},
			"DEPTH":  {"12"},
			"HAZARD": {"water", "glass", "an oil"},
		},
		Links: []open311.Link{
			{Kind: open311.DuplicateOf, TargetID: "REQ-OTHER"},
			{Kind: open311.RelatedTo, TargetID: "REQ-3"},
			{Kind: open311.ChildOf, TargetID: "REQ-1"},
		},
		Reporter: open311.Reporter{
			Email: "zoe@example.net", DeviceID: "device-42", AccountID: "acct-7",
			FirstName: "Zoë", LastName: "O'Brien", Phone: "+1 555 0100",
		},
		Version: 1,
	}
}

// minimalRequest returns a public request of jurA with only the fields a request must have.
func minimalRequest(id string, requested time.Time) open311.Request {
	return open311.Request{
		ID:             id,
		JurisdictionID: jurA,
		ServiceCode:    "streetlight",
		ServiceName:    "Street light out",
		Status:         open311.Open,
		Requested:      requested,
		Updated:        requested,
		Address:        "Corner of 1st and Main",
		Version:        1,
	}
}

// createdActivity returns the activity recording r's creation.
func createdActivity(r open311.Request) open311.Activity {
	return open311.Activity{
		ID:             r.ID + "-created",
		RequestID:      r.ID,
		JurisdictionID: r.JurisdictionID,
		At:             r.Requested,
		Who:            "reporter",
		Kind:           "created",
		Description:    "Request received",
		Status:         r.Status,
		MediaURL:       r.MediaURL,
	}
}

// create stores r with its created activity, and stops the test if that fails.
func create(t *testing.T, s store.Store, r open311.Request) {
	t.Helper()
	must(t, s.CreateRequest(t.Context(), r, createdActivity(r)), "CreateRequest "+r.ID)
}

// wantRequest checks that the store holds want under its id.
func wantRequest(t *testing.T, s store.Store, what string, want open311.Request) {
	t.Helper()
	got, err := s.Request(t.Context(), want.JurisdictionID, want.ID)
	if err != nil {
		t.Errorf("%s: Request %s: %v", what, want.ID, err)
		return
	}
	same(t, what, got, want)
}

// wantActivities checks that the store holds exactly want as the request's activities, in order.
func wantActivities(t *testing.T, s store.Store, what, jurisdictionID, requestID string, want []open311.Activity) {
	t.Helper()
	got, err := s.Activities(t.Context(), jurisdictionID, requestID)
	if err != nil {
		t.Errorf("%s: Activities of %s: %v", what, requestID, err)
		return
	}
	same(t, what, got, want)
}

func testCreateRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := fullRequest()
	created := createdActivity(full)
	must(t, s.CreateRequest(ctx, full, created), "CreateRequest of a request with every field")
	wantRequest(t, s, "Request with every field", full)
	wantActivities(t, s, "Activities of a new request", jurA, full.ID, []open311.Activity{created})

	minimal := minimalRequest("REQ-MIN-1", at(5))
	create(t, s, minimal)
	got, err := s.Request(ctx, jurA, minimal.ID)
	must(t, err, "Request of a minimal request")
	same(t, "Request of a minimal request", got, minimal)
	if !got.Expected.IsZero() || got.Point != nil || got.Token != "" || got.Reporter != (open311.Reporter{}) {
		t.Errorf("Request of a minimal request: zero fields came back set: %s", show(got))
	}

	// An id that extends another id is another request, with its own activities.
	longer := minimalRequest(minimal.ID+"0", at(5))
	create(t, s, longer)
	wantActivities(t, s, "Activities of a request whose id is a prefix of another's", jurA, minimal.ID,
		[]open311.Activity{createdActivity(minimal)})
	wantActivities(t, s, "Activities of a request whose id extends another's", jurA, longer.ID,
		[]open311.Activity{createdActivity(longer)})

	private := minimalRequest("REQ-PRIV-1", at(6))
	private.Private, private.ServiceCode = true, "a#b"
	create(t, s, private)
	wantRequest(t, s, "Request of a private request", private)

	_, err = s.Request(ctx, jurA, "REQ-NOPE")
	wantKind(t, err, open311.NotFound, "Request of an unknown id")
	_, err = s.Request(ctx, jurA, "REQ-FULL")
	wantKind(t, err, open311.NotFound, "Request of a prefix of an id")
	_, err = s.Request(ctx, jurB, full.ID)
	wantKind(t, err, open311.NotFound, "Request of an id of another jurisdiction")
}

func testCreateRequestConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := fullRequest()
	create(t, s, first)

	again := minimalRequest(first.ID, at(30))
	again.Token = "TOK-OTHER"
	again.Description = "a different request under the same id"
	againCreated := createdActivity(again)
	againCreated.ID = "second-created"
	err := s.CreateRequest(ctx, again, againCreated)
	wantKind(t, err, open311.Conflict, "CreateRequest of an existing id")
	wantRequest(t, s, "Request after a conflicting create", first)
	wantActivities(t, s, "Activities after a conflicting create", jurA, first.ID, []open311.Activity{createdActivity(first)})
	_, err = s.RequestByToken(ctx, jurA, again.Token)
	wantKind(t, err, open311.NotFound, "RequestByToken of the token of a create that lost")

	sameToken := minimalRequest("REQ-SAME-TOKEN", at(31))
	sameToken.Token = first.Token
	err = s.CreateRequest(ctx, sameToken, createdActivity(sameToken))
	wantKind(t, err, open311.Conflict, "CreateRequest with a token already issued")
	_, err = s.Request(ctx, jurA, sameToken.ID)
	wantKind(t, err, open311.NotFound, "Request of a create that lost on its token")
	acts, err := s.Activities(ctx, jurA, sameToken.ID)
	if err == nil && len(acts) != 0 {
		t.Errorf("Activities of a create that lost on its token: got %s, want none", show(acts))
	}
	got, err := s.RequestByToken(ctx, jurA, first.Token)
	must(t, err, "RequestByToken after a conflicting create")
	same(t, "RequestByToken after a conflicting create", got, first)

	// An empty token is no token: any number of requests may have none.
	for _, id := range []string{"REQ-NO-TOKEN-1", "REQ-NO-TOKEN-2", "REQ-NO-TOKEN-3"} {
		create(t, s, minimalRequest(id, at(40)))
	}
}

func testRequestByToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	batch := minimalRequest("REQ-BATCH-1", at(10))
	batch.Status, batch.Token = open311.Submitted, "TOK-BATCH-1"
	other := minimalRequest("REQ-BATCH-2", at(11))
	other.Status, other.Token = open311.Submitted, "TOK-BATCH-10"
	create(t, s, batch)
	create(t, s, other)
	create(t, s, minimalRequest("REQ-NO-TOKEN", at(12)))

	for _, r := range []open311.Request{batch, other} {
		got, err := s.RequestByToken(ctx, jurA, r.Token)
		must(t, err, "RequestByToken "+r.Token)
		same(t, "RequestByToken "+r.Token, got, r)
	}
	// The store returns requests that are not public; hiding them is the API's business.
	wantRequest(t, s, "Request of a submitted request", batch)

	for _, c := range []struct{ what, jur, token string }{
		{"an unknown token", jurA, "TOK-NOPE"},
		{"a prefix of a token", jurA, "TOK-BATCH"},
		{"the empty token", jurA, ""},
		{"a token of another jurisdiction", jurB, batch.Token},
		{"a token of a jurisdiction whose id extends the request's", jurLonger, batch.Token},
	} {
		_, err := s.RequestByToken(ctx, c.jur, c.token)
		wantKind(t, err, open311.NotFound, "RequestByToken of "+c.what)
	}
}

func testJurisdictionIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := fullRequest()
	create(t, s, r)
	inLonger := minimalRequest("REQ-AU-1", at(1))
	inLonger.JurisdictionID, inLonger.Token = jurLonger, "TOK-AU-1"
	create(t, s, inLonger)

	for _, jur := range []string{jurB, jurLonger} {
		_, err := s.Request(ctx, jur, r.ID)
		wantKind(t, err, open311.NotFound, "Request from "+jur+" of a request of "+jurA)
		_, err = s.RequestByToken(ctx, jur, r.Token)
		wantKind(t, err, open311.NotFound, "RequestByToken from "+jur+" of a request of "+jurA)
		acts, err := s.Activities(ctx, jur, r.ID)
		if err == nil && len(acts) != 0 {
			t.Errorf("Activities from %s of a request of %s: got %s, want none", jur, jurA, show(acts))
		}
		_, err = store.UpdateRequest(ctx, s, jur, r.ID, func(*open311.Request) ([]open311.Activity, error) {
			t.Errorf("UpdateRequest from %s called change for a request of %s", jur, jurA)
			return nil, nil
		})
		wantKind(t, err, open311.NotFound, "UpdateRequest from "+jur+" of a request of "+jurA)
	}

	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurB})
	must(t, err, "QueryRequests of jurB")
	sameIDs(t, "QueryRequests of jurB", requestIDs(page.Requests), nil)
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurA})
	must(t, err, "QueryRequests of jurA")
	sameIDs(t, "QueryRequests of jurA", requestIDs(page.Requests), []string{r.ID})
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurLonger})
	must(t, err, "QueryRequests of jurLonger")
	sameIDs(t, "QueryRequests of jurLonger", requestIDs(page.Requests), []string{inLonger.ID})
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurB, IDs: []string{r.ID}})
	must(t, err, "QueryRequests of jurB by the id of a request of jurA")
	sameIDs(t, "QueryRequests of jurB by the id of a request of jurA", requestIDs(page.Requests), nil)
}
