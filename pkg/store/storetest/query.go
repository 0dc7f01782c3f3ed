package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// queryRequestCount is the size of the query data set.
const queryRequestCount = 40

// seedQueryRequests creates the query data set in jurA and returns it (non-public requests
// included). Requests come in threes sharing a requested time, so ties are broken by id; they
// are created in a shuffled order so that no insertion order gives the right answer by luck.
// Every eighth is of the sparse service "rare", so that filtering on it leaves more
// non-matching requests between two matches than a small page holds. Every fifth has no point;
// the others lie in three places: a city, either side of the antimeridian, and London.
func seedQueryRequests(t *testing.T, s store.Store) []open311.Request {
	t.Helper()
	services := []string{"pothole", "streetlight", "graffiti"}
	all := make([]open311.Request, 0, queryRequestCount)
	for k := range queryRequestCount {
		i := (k * 13) % queryRequestCount // 13 and 40 are coprime: a permutation
		code := services[i%len(services)]
		if i%8 == 5 {
			code = "rare"
		}
		r := open311.Request{
			ID:             fmt.Sprintf("Q%02d", (i*17)%queryRequestCount),
			JurisdictionID: jurA,
			ServiceCode:    code,
			ServiceName:    "Service " + code,
			Status:         open311.Statuses[(i/2)%len(open311.Statuses)],
			Description:    fmt.Sprintf("query request %d", i),
			Requested:      at(60 * (i / 3)),
			Address:        fmt.Sprintf("%d Main St", i),
			Private:        i%7 == 3,
			Version:        1,
		}
		if i%3 == 1 {
			r.AgencyResponsible = []string{"Parks", "Street Maintenance"}[i%2]
		}
		r.Updated = r.Requested.Add(time.Duration((i*7)%11) * 10 * time.Minute)
		r.Point = seedPoint(i)
		create(t, s, r)
		all = append(all, r)
	}
	return all
}

// seedPoint returns the location of the i-th request of the query data set, or nil.
func seedPoint(i int) *open311.Point {
	f := func(n int) float64 { return float64(n) }
	switch {
	case i%5 == 4:
		return nil
	case i%4 == 2: // Fiji, either side of the antimeridian
		long := 179.5 + 0.05*f(i%9)
		if i%3 == 0 {
			long = -long
		}
		return &open311.Point{Lat: -17 + 0.1*f(i%7), Long: long}
	case i%4 == 3:
		return &open311.Point{Lat: 51.5 + 0.01*f(i%5), Long: -0.12 + 0.01*f(i%6)}
	}
	return &open311.Point{Lat: 37.74 + 0.005*f(i%9), Long: -122.46 + 0.006*f(i%7)}
}

// newestFirst orders requests as queries return them: newest requested first, ties by id
// descending.
func newestFirst(a, b open311.Request) int {
	if c := b.Requested.Compare(a.Requested); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// expectedIDs is the reference answer to q over all, ignoring Limit, Offset and Cursor: a
// plain reading of the Query doc comments.
func expectedIDs(all []open311.Request, q store.Query) []string {
	var sel []open311.Request
	for _, r := range all {
		if r.JurisdictionID != q.JurisdictionID || (!r.Public() && !q.IncludeHidden) {
			continue
		}
		if len(q.IDs) > 0 {
			if slices.Contains(q.IDs, r.ID) {
				sel = append(sel, r)
			}
			continue
		}
		switch {
		case len(q.ServiceCodes) > 0 && !slices.Contains(q.ServiceCodes, r.ServiceCode),
			len(q.Statuses) > 0 && !slices.Contains(q.Statuses, r.Status.GeoReport()),
			!q.RequestedFrom.IsZero() && r.Requested.Before(q.RequestedFrom),
			!q.RequestedTo.IsZero() && r.Requested.After(q.RequestedTo),
			!q.UpdatedAfter.IsZero() && !r.Updated.After(q.UpdatedAfter),
			!q.UpdatedBefore.IsZero() && !r.Updated.Before(q.UpdatedBefore),
			q.Within != nil && (r.Point == nil || !q.Within.Contains(*r.Point)),
			q.Near != nil && (r.Point == nil || !q.Near.Contains(*r.Point)),
			len(q.DetailedStatuses) > 0 && !slices.Contains(q.DetailedStatuses, r.Status),
			q.Agency != "" && !strings.EqualFold(q.Agency, r.AgencyResponsible),
			q.Text != "" && !strings.Contains(strings.ToLower(r.Description), strings.ToLower(q.Text)):
			continue
		}
		sel = append(sel, r)
	}
	slices.SortFunc(sel, newestFirst)
	return requestIDs(sel)
}

// walk follows Next from the first page of q to the end and returns the ids seen, in order. It
// fails the test when a page is larger than the limit, an empty page has a Next, a cursor comes
// back twice, or the walk takes more pages than there are requests.
func walk(t *testing.T, s store.Store, q store.Query, maxPages int) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		page, err := s.QueryRequests(t.Context(), q)
		if err != nil {
			t.Fatalf("QueryRequests page %d (cursor %q): %v", pages, q.Cursor, err)
		}
		if q.Limit > 0 && len(page.Requests) > q.Limit {
			t.Errorf("page %d: got %d requests, more than the limit %d", pages, len(page.Requests), q.Limit)
		}
		ids = append(ids, requestIDs(page.Requests)...)
		if page.Next == "" {
			return ids
		}
		if len(page.Requests) == 0 {
			t.Fatalf("page %d is empty but has Next %q: a walk would not know when to stop", pages, page.Next)
		}
		if seen[page.Next] {
			t.Fatalf("page %d: cursor %q came back a second time", pages, page.Next)
		}
		seen[page.Next] = true
		if pages >= maxPages {
			t.Fatalf("walk did not end after %d pages; ids so far %q", pages, ids)
		}
		q.Cursor = page.Next
	}
}

func testQueryOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	rs := []open311.Request{
		minimalRequest("A", at(10)),
		minimalRequest("B", at(30)),
		minimalRequest("C", at(20)),
		minimalRequest("D", at(30)),
		minimalRequest("E", at(0)),
		minimalRequest("F-private", at(40)),
		minimalRequest("G-submitted", at(50)),
		minimalRequest("B2", at(30)),
		minimalRequest("H-closed", at(25)),
		minimalRequest("I-rejected", at(15)),
		// Times a nanosecond and half a second apart are not ties.
		minimalRequest("S-c", at(45)),
		minimalRequest("S-a", at(45).Add(time.Second/2)),
		minimalRequest("S-b", at(45).Add(time.Nanosecond)),
	}
	rs[5].Private = true
	rs[6].Status, rs[6].Token = open311.Submitted, "TOK-G"
	rs[8].Status = open311.Closed
	rs[9].Status = open311.Rejected
	// A requested time in another zone is the same instant as at(30) and ties with B, D, B2.
	rs[3].Requested = rs[3].Requested.In(time.FixedZone("EST", -5*3600))
	for _, r := range rs {
		create(t, s, r)
	}
	want := []string{"S-a", "S-b", "S-c", "D", "B2", "B", "H-closed", "C", "I-rejected", "A", "E"}
	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA})
	must(t, err, "QueryRequests")
	sameIDs(t, "QueryRequests (newest first, ties by id descending, only public)", requestIDs(page.Requests), want)
	if page.Next != "" {
		t.Errorf("QueryRequests of all requests: Next is %q, want \"\" on the only page", page.Next)
	}
	byID := map[string]open311.Request{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	for _, got := range page.Requests {
		same(t, "QueryRequests result "+got.ID, got, byID[got.ID])
	}
	for _, limit := range []int{1, 2, 3} {
		got := walk(t, s, store.Query{JurisdictionID: jurA, Limit: limit}, len(rs)+2)
		sameIDs(t, fmt.Sprintf("walk with limit %d", limit), got, want)
	}

	// A full request (every field) comes back whole from a query too.
	full := fullRequest()
	full.Requested = at(100)
	create(t, s, full)
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: 1})
	must(t, err, "QueryRequests of the newest")
	if len(page.Requests) != 1 {
		t.Fatalf("QueryRequests with limit 1: got %d requests, want 1", len(page.Requests))
	}
	same(t, "QueryRequests of a request with every field", page.Requests[0], full)
}

func testQueryTimeBounds(t *testing.T, s store.Store) {
	ctx := t.Context()
	t1, t2, t3, t4, t5 := at(10), at(20), at(30), at(40), at(50)
	a := minimalRequest("A", t1)
	a.Updated = t5
	b := minimalRequest("B", t2)
	b.Updated = t3
	c := minimalRequest("C", t3)
	c.Updated = t4
	for _, r := range []open311.Request{a, b, c} {
		create(t, s, r)
	}
	ns := time.Nanosecond
	for _, tc := range []struct {
		name string
		q    store.Query
		want []string
	}{
		{"requested from (inclusive)", store.Query{RequestedFrom: t2}, []string{"C", "B"}},
		{"requested from just after", store.Query{RequestedFrom: t2.Add(ns)}, []string{"C"}},
		{"requested to (inclusive)", store.Query{RequestedTo: t2}, []string{"B", "A"}},
		{"requested to just before", store.Query{RequestedTo: t2.Add(-ns)}, []string{"A"}},
		{"requested from and to one instant", store.Query{RequestedFrom: t2, RequestedTo: t2}, []string{"B"}},
		{"requested from after to", store.Query{RequestedFrom: t3, RequestedTo: t1}, nil},
		{"requested to in another zone", store.Query{RequestedTo: t2.In(time.FixedZone("X", 7*3600))}, []string{"B", "A"}},
		{"updated after (exclusive)", store.Query{UpdatedAfter: t4}, []string{"A"}},
		{"updated after just before", store.Query{UpdatedAfter: t4.Add(-ns)}, []string{"C", "A"}},
		{"updated before (exclusive)", store.Query{UpdatedBefore: t4}, []string{"B"}},
		{"updated before just after", store.Query{UpdatedBefore: t4.Add(ns)}, []string{"C", "B"}},
		{"updated between", store.Query{UpdatedAfter: t3, UpdatedBefore: t5}, []string{"C"}},
		{"updated after the last update", store.Query{UpdatedAfter: t5}, nil},
		{"requested and updated", store.Query{RequestedFrom: t1, RequestedTo: t2, UpdatedAfter: t3}, []string{"A"}},
	} {
		tc.q.JurisdictionID = jurA
		page, err := s.QueryRequests(ctx, tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		sameIDs(t, tc.name, requestIDs(page.Requests), tc.want)
		if page.Next != "" {
			t.Errorf("%s: Next is %q, want \"\" on the only page", tc.name, page.Next)
		}
	}
}

// Areas of the query data set's geo cases.
var (
	cityBox    = open311.BBox{MinLong: -122.457, MinLat: 37.742, MaxLong: -122.427, MaxLat: 37.772}
	fijiBox    = open311.BBox{MinLong: 179.7, MinLat: -17.5, MaxLong: -179.7, MaxLat: -16.0}
	cityCircle = open311.Circle{Center: open311.Point{Lat: 37.76, Long: -122.44}, Radius: 1500}
	fijiCircle = open311.Circle{Center: open311.Point{Lat: -16.8, Long: 179.95}, Radius: 40000}
)

// queryCases are the filters run over the query data set.
func queryCases() []struct {
	name string
	q    store.Query
} {
	return []struct {
		name string
		q    store.Query
	}{
		{"everything", store.Query{}},
		{"one service", store.Query{ServiceCodes: []string{"pothole"}}},
		{"two services", store.Query{ServiceCodes: []string{"pothole", "graffiti"}}},
		{"an unknown service", store.Query{ServiceCodes: []string{"nope"}}},
		{"sparse service", store.Query{ServiceCodes: []string{"rare"}}},
		{"open", store.Query{Statuses: []string{"open"}}},
		{"closed", store.Query{Statuses: []string{"closed"}}},
		{"open and closed", store.Query{Statuses: []string{"closed", "open"}}},
		{"requested from", store.Query{RequestedFrom: at(60 * 5)}},
		{"requested to", store.Query{RequestedTo: at(60 * 5)}},
		{"requested at one instant", store.Query{RequestedFrom: at(60 * 5), RequestedTo: at(60 * 5)}},
		{"updated after", store.Query{UpdatedAfter: at(60 * 6)}},
		{"updated before", store.Query{UpdatedBefore: at(60 * 6)}},
		{"updated between", store.Query{UpdatedAfter: at(60 * 3), UpdatedBefore: at(60 * 9)}},
		{"sparse and closed", store.Query{ServiceCodes: []string{"rare"}, Statuses: []string{"closed"}}},
		{"combined", store.Query{
			ServiceCodes:  []string{"pothole", "streetlight"},
			Statuses:      []string{"open"},
			RequestedFrom: at(60 * 2), RequestedTo: at(60 * 11),
			UpdatedAfter: at(60*2 + 30), UpdatedBefore: at(60 * 12),
		}},
		{"within the city", store.Query{Within: &cityBox}},
		{"within a box across the antimeridian", store.Query{Within: &fijiBox}},
		{"within the world", store.Query{Within: &open311.BBox{MinLong: -180, MinLat: -90, MaxLong: 180, MaxLat: 90}}},
		{"near the city centre", store.Query{Near: &cityCircle}},
		{"near the antimeridian", store.Query{Near: &fijiCircle}},
		{"near and within", store.Query{Near: &cityCircle, Within: &cityBox}},
		{"within and open", store.Query{Within: &fijiBox, Statuses: []string{"open"}}},
		{"near, one service, requested from", store.Query{Near: &cityCircle, ServiceCodes: []string{"pothole"}, RequestedFrom: at(60 * 3)}},
		{"within and sparse", store.Query{Within: &fijiBox, ServiceCodes: []string{"rare", "graffiti"}}},
		{"hidden too", store.Query{IncludeHidden: true}},
		{"hidden too, submitted", store.Query{IncludeHidden: true, DetailedStatuses: []open311.Status{open311.Submitted}}},
		{"hidden too, two detailed statuses", store.Query{IncludeHidden: true, DetailedStatuses: []open311.Status{open311.Submitted, open311.Assigned}}},
		{"detailed status", store.Query{DetailedStatuses: []open311.Status{open311.InProgress}}},
		{"detailed status and closed", store.Query{DetailedStatuses: []open311.Status{open311.Open, open311.Closed}, Statuses: []string{"closed"}}},
		{"hidden too, agency", store.Query{IncludeHidden: true, Agency: "street MAINTENANCE"}},
		{"agency", store.Query{Agency: "Parks"}},
		{"hidden too, text", store.Query{IncludeHidden: true, Text: "REQUEST 1"}},
		{"hidden too, text, agency, one service", store.Query{IncludeHidden: true, Text: "request 1", Agency: "parks", ServiceCodes: []string{"pothole", "rare"}}},
		{"hidden too, requested from, updated before", store.Query{IncludeHidden: true, RequestedFrom: at(60 * 3), UpdatedBefore: at(60 * 10)}},
		{"hidden too, within the city", store.Query{IncludeHidden: true, Within: &cityBox}},
		{"hidden too, near the antimeridian", store.Query{IncludeHidden: true, Near: &fijiCircle}},
		{"hidden too, within the world", store.Query{IncludeHidden: true, Within: &open311.BBox{MinLong: -180, MinLat: -90, MaxLong: 180, MaxLat: 90}}},
		{"text of nothing", store.Query{IncludeHidden: true, Text: "no such words"}},
	}
}

func testQueryFilters(t *testing.T, s store.Store) {
	all := seedQueryRequests(t, s)
	// Sanity of the data set itself, so that the cases below test something.
	if n := len(expectedIDs(all, store.Query{JurisdictionID: jurA})); n != 29 {
		t.Fatalf("the query data set has %d public requests, want 29", n)
	}
	if n := len(expectedIDs(all, store.Query{JurisdictionID: jurA, IncludeHidden: true})); n != queryRequestCount {
		t.Fatalf("the query data set has %d requests with the hidden ones, want %d", n, queryRequestCount)
	}
	byID := map[string]open311.Request{}
	for _, r := range all {
		byID[r.ID] = r
	}
	for _, tc := range queryCases() {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.JurisdictionID = jurA
			want := expectedIDs(all, q)
			page, err := s.QueryRequests(t.Context(), q)
			must(t, err, "QueryRequests")
			sameIDs(t, "one page", requestIDs(page.Requests), want)
			if page.Next != "" {
				t.Errorf("one page: Next is %q, want \"\" when everything fits", page.Next)
			}
			for _, got := range page.Requests {
				same(t, "result "+got.ID, got, byID[got.ID])
			}
			// Pages of 2 and 3 end at every place in a tie of three (the data set's ties),
			// pages of 7 across ties.
			for _, limit := range []int{2, 3, 7} {
				q := q
				q.Limit = limit
				got := walk(t, s, q, queryRequestCount+2)
				sameIDs(t, fmt.Sprintf("walk with limit %d", limit), got, want)
			}
		})
	}
}

func testQueryLimitOffset(t *testing.T, s store.Store) {
	ctx := t.Context()
	all := seedQueryRequests(t, s)
	want := expectedIDs(all, store.Query{JurisdictionID: jurA})

	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: 5})
	must(t, err, "QueryRequests with limit 5")
	sameIDs(t, "QueryRequests with limit 5", requestIDs(page.Requests), want[:5])
	if page.Next == "" {
		t.Errorf("QueryRequests with limit 5 of %d: Next is empty, want a cursor", len(want))
	}
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: len(want)})
	must(t, err, "QueryRequests with a limit of exactly the number of matches")
	sameIDs(t, "QueryRequests with a limit of exactly the number of matches", requestIDs(page.Requests), want)
	if page.Next != "" {
		next, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: len(want), Cursor: page.Next})
		must(t, err, "QueryRequests after the last match")
		if len(next.Requests) != 0 || next.Next != "" {
			t.Errorf("QueryRequests after the last match: got %q and Next %q, want nothing", requestIDs(next.Requests), next.Next)
		}
	}

	const limit = 4
	var paged []string
	for offset := 0; offset < len(want)+limit; offset += limit {
		page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: limit, Offset: offset})
		must(t, err, fmt.Sprintf("QueryRequests offset %d", offset))
		end := min(offset+limit, len(want))
		if offset >= len(want) {
			sameIDs(t, fmt.Sprintf("offset %d (past the end)", offset), requestIDs(page.Requests), nil)
			if page.Next != "" {
				t.Errorf("offset %d (past the end): Next is %q, want \"\"", offset, page.Next)
			}
			continue
		}
		sameIDs(t, fmt.Sprintf("offset %d limit %d", offset, limit), requestIDs(page.Requests), want[offset:end])
		paged = append(paged, requestIDs(page.Requests)...)
	}
	sameIDs(t, "all offset pages", paged, want)

	q := store.Query{JurisdictionID: jurA, ServiceCodes: []string{"rare"}, Offset: 1, Limit: 1}
	wantRare := expectedIDs(all, q)
	if len(wantRare) < 3 {
		t.Fatalf("the query data set has %d public rare requests, want at least 3", len(wantRare))
	}
	page, err = s.QueryRequests(ctx, q)
	must(t, err, "QueryRequests of a sparse service with offset 1 limit 1")
	sameIDs(t, "QueryRequests of a sparse service with offset 1 limit 1", requestIDs(page.Requests), wantRare[1:2])
}

func testQueryIDs(t *testing.T, s store.Store) {
	ctx := t.Context()
	all := seedQueryRequests(t, s)
	var public []open311.Request
	var private, submitted string
	for _, r := range all {
		switch {
		case r.Private:
			private = r.ID
		case r.Status == open311.Submitted:
			submitted = r.ID
		default:
			public = append(public, r)
		}
	}
	slices.SortFunc(public, newestFirst)
	older, newer := public[len(public)-1], public[0]
	// Two public requests of the same requested time, to see their tie broken by id.
	var tieHigh, tieLow open311.Request
	for i := 1; i < len(public); i++ {
		if public[i].Requested.Equal(public[i-1].Requested) && public[i].ServiceCode != "rare" && public[i-1].ServiceCode != "rare" {
			tieHigh, tieLow = public[i-1], public[i]
			break
		}
	}
	for _, r := range []open311.Request{older, newer, tieHigh, tieLow} {
		if r.ID == "" || r.ServiceCode == "rare" {
			t.Fatalf("the data set changed: no tie, or %s is of the rare service", r.ID)
		}
	}
	first, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Limit: 1})
	must(t, err, "QueryRequests for a cursor")

	q := store.Query{
		JurisdictionID: jurA,
		IDs:            []string{older.ID, tieLow.ID, private, "Q-NOPE", submitted, newer.ID, tieHigh.ID, older.ID},
		// IDs override everything else, paging included.
		ServiceCodes: []string{"rare"}, Statuses: []string{"closed"},
		RequestedFrom: at(60000), UpdatedBefore: at(-60),
		Limit: 1, Offset: 5, Cursor: first.Next,
	}
	page, err := s.QueryRequests(ctx, q)
	must(t, err, "QueryRequests by ids")
	wantIDs := []string{newer.ID, tieHigh.ID, tieLow.ID, older.ID}
	if tieHigh.ID == newer.ID || tieLow.ID == older.ID {
		t.Fatalf("the data set changed: the tie %s, %s is at an end", tieHigh.ID, tieLow.ID)
	}
	sameIDs(t, "QueryRequests by ids (newest first, ties by id descending, public only, once each, other filters ignored)",
		requestIDs(page.Requests), wantIDs)
	if page.Next != "" {
		t.Errorf("QueryRequests by ids: Next is %q, want \"\"", page.Next)
	}
	if len(page.Requests) == len(wantIDs) {
		same(t, "QueryRequests by ids: first result", page.Requests[0], newer)
	}

	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, IDs: []string{"Q-NOPE", private}})
	must(t, err, "QueryRequests by unknown and private ids")
	sameIDs(t, "QueryRequests by unknown and private ids", requestIDs(page.Requests), nil)

	// With IncludeHidden the private and the submitted request are selected too.
	q.IncludeHidden = true
	page, err = s.QueryRequests(ctx, q)
	must(t, err, "QueryRequests by ids, hidden too")
	hidden := map[string]open311.Request{}
	for _, r := range all {
		if r.ID == private || r.ID == submitted {
			hidden[r.ID] = r
		}
	}
	wantHidden := append([]open311.Request{newer, tieHigh, tieLow, older}, hidden[private], hidden[submitted])
	slices.SortFunc(wantHidden, newestFirst)
	sameIDs(t, "QueryRequests by ids, hidden too", requestIDs(page.Requests), requestIDs(wantHidden))
}

func testQueryCursorStableUnderWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	all := seedQueryRequests(t, s)
	q := store.Query{JurisdictionID: jurA, Limit: 3}
	want := expectedIDs(all, q)

	page, err := s.QueryRequests(ctx, q)
	must(t, err, "QueryRequests first page")
	got := requestIDs(page.Requests)
	if page.Next == "" {
		t.Fatal("QueryRequests first page of limit 3: Next is empty")
	}
	// Between pages: a newer request arrives and a request further down is updated.
	create(t, s, minimalRequest("Q-NEWEST", at(60*100)))
	later := want[len(want)-2]
	_, err = store.UpdateRequest(ctx, s, jurA, later, func(r *open311.Request) ([]open311.Activity, error) {
		r.StatusNotes, r.Updated = "looked at between two pages", at(60*101)
		return []open311.Activity{{ID: "between-pages", RequestID: r.ID, JurisdictionID: jurA,
			At: at(60 * 101), Who: "Public Works", Kind: "comment", Description: "looked at"}}, nil
	})
	must(t, err, "UpdateRequest between pages")

	q.Cursor = page.Next
	got = append(got, walk(t, s, q, queryRequestCount+2)...)
	sameIDs(t, "walk with writes between pages", got, want)
}

func testQueryInvalidCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	create(t, s, minimalRequest("A", at(1)))
	for _, cursor := range []string{"%%%", "not a cursor", "Z2FyYmFnZQ", "AAAA", "=="} {
		_, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jurA, Cursor: cursor})
		wantKind(t, err, open311.Invalid, fmt.Sprintf("QueryRequests with cursor %q", cursor))
	}
}
