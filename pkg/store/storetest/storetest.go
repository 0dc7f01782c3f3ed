// Package storetest is the conformance suite of store.Store. Every implementation runs Run
// against fresh, empty stores of its own kind and must pass it unchanged:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := bolt.Open(filepath.Join(t.TempDir(), "open311.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite pins down what the interface's doc comments leave to be read between the lines:
// orders and tie-breaks, inclusive and exclusive bounds, paging that neither skips nor repeats
// and always ends, error kinds, and updates that lose nothing under concurrency. Beyond the doc
// comments it expects:
//   - DeleteService of a service that does not exist fails with NotFound;
//   - Request and RequestByToken return requests that are not Public (the API decides what to
//     show; the store only keeps Query results public);
//   - an empty Token is no token: requests without one never conflict on it;
//   - activities with the same At keep the order in which they were written;
//   - a query page that comes back empty has Next "", so walking Next always terminates;
//   - with IDs, a repeated id is returned once, and Limit, Offset and Cursor are ignored;
//   - Within and Near given together both apply; IDs override them as they override every
//     other filter; a point on a box's edge is in the box, and open311.BBox.Contains and
//     open311.Circle.Contains are the reference answers (a store may look up an index by
//     Circle.Bounds, but must filter by Contains);
//   - activities are stored exactly as given: the store neither fills nor checks Status,
//     ClientUpdateID or ExternalStatus, it only keeps ClientUpdateID unique.
//
// store.UpdateRequest, the helper over UpdateRequests of one id, is tested once against each
// store: by UpdateRequest, UpdateRequestAbort, UpdateRequestNotFound and UpdateRequestQueries,
// and by the single updates of UpdateRequestsConcurrent.
//
// UpdateRequests, as the suite reads its doc comment:
//   - change receives the requests in the order of ids, and the result is in that order too;
//     every request is written with version+1, even one that change left as it was;
//   - each activity change returns is stored with the request its RequestID names, in the
//     order returned; an activity naming a request that is not among ids fails the update
//     (an error of any kind) and nothing is written;
//   - an empty ids, or an id given twice, is Invalid: change is not called, nothing is written;
//   - NotFound (change not called, nothing written) if any id is unknown in the jurisdiction.
//
// Client update ids (Activity.ClientUpdateID):
//   - the empty id is no id: any number of activities may have none, and ActivityByClientID
//     of "" is NotFound;
//   - a taken id fails the whole write with Conflict, whichever request of the jurisdiction
//     holds it, and so do two activities of one write that share an id; a write that failed
//     or was aborted by change takes no id;
//   - the suite gives created activities (CreateRequest) no client update id, so what a store
//     does with one there is not specified.
//
// Updates, as the suite reads its doc comment:
//   - whether an activity is listed is decided when it is written, by its request being
//     Public() right after that write (CreateRequest's activity included): activities written
//     while a request was public stay listed after it is made private, and those written while
//     it was private or submitted stay unlisted after it becomes public;
//   - the order is At oldest first, then activity ID ascending (byte order), which for one
//     request may differ from Activities' order of writing;
//   - an Updates page that comes back empty has Next "", as for queries; a cursor that is not
//     one the store gave out is Invalid.
//
// RecentActivities, as the suite reads its doc comment:
//   - it lists exactly what Updates lists, in the opposite order: At newest first, then activity
//     ID descending (byte order), cut after Limit; with a ServiceCode, those of the requests of
//     that service (a code with a space included), and nothing for a code no request has;
//   - each entry's Request is store.NewEntryRequest of the request and the activity: the suite
//     never changes those fields of a request after creating it (the domain never does), so
//     whether a store copies them when it writes an activity or reads them later is not
//     specified;
//   - a negative Limit is Invalid; a Limit above MaxPageSize is taken as MaxPageSize.
//
// Times are compared with time.Equal semantics (location and monotonic reading are ignored) and
// nil and empty slices and maps are treated alike; everything else must round-trip exactly.
// Timestamps are fixed, so a failure reproduces.
package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Run runs the conformance suite as subtests of t, in parallel. open must return a fresh, empty
// store each time it is called; it is called once per subtest with that subtest's t, so it can
// register cleanups (closing the store, removing its files) with t.Cleanup, and it must be safe
// to call from parallel subtests.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Jurisdictions", testJurisdictions},
		{"Services", testServices},
		{"APIKeys", testAPIKeys},
		{"CreateRequest", testCreateRequest},
		{"CreateRequestConflict", testCreateRequestConflict},
		{"RequestByToken", testRequestByToken},
		{"JurisdictionIsolation", testJurisdictionIsolation},
		{"QueryOrder", testQueryOrder},
		{"QueryTimeBounds", testQueryTimeBounds},
		{"QueryFilters", testQueryFilters},
		{"QueryLimitOffset", testQueryLimitOffset},
		{"QueryIDs", testQueryIDs},
		{"QueryCursorStableUnderWrites", testQueryCursorStableUnderWrites},
		{"QueryInvalidCursor", testQueryInvalidCursor},
		{"UpdateRequest", testUpdateRequest},
		{"UpdateRequestAbort", testUpdateRequestAbort},
		{"UpdateRequestNotFound", testUpdateRequestNotFound},
		{"UpdateRequestQueries", testUpdateRequestQueries},
		{"UpdateRequests", testUpdateRequests},
		{"UpdateRequestsAbort", testUpdateRequestsAbort},
		{"UpdateRequestsNotFound", testUpdateRequestsNotFound},
		{"UpdateRequestsConcurrent", testUpdateRequestsConcurrent},
		{"ClientUpdateID", testClientUpdateID},
		{"ClientUpdateIDConcurrent", testClientUpdateIDConcurrent},
		{"CreateRequestClientID", testCreateRequestClientID},
		{"Updates", testUpdates},
		{"UpdatesTimeBounds", testUpdatesTimeBounds},
		{"UpdatesPaging", testUpdatesPaging},
		{"UpdatesInvalidCursor", testUpdatesInvalidCursor},
		{"RecentActivities", testRecentActivities},
		{"RecentActivitiesFollowWrites", testRecentActivitiesFollowWrites},
		{"RecentInAreas", testRecentInAreas},
		{"QueryGeo", testQueryGeo},
		{"ReporterRequests", testReporterRequests},
		{"Slots", testSlots},
		{"CreateRequestWithSlots", testCreateRequestWithSlots},
		{"SlotsConcurrent", testSlotsConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each on a store of its own
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tt.run(t, s)
		})
	}
}

// Jurisdiction ids of the suite. jurLonger starts with jurA, to catch key designs that select a
// jurisdiction's items by a plain prefix.
const (
	jurA      = "city.example.gov"
	jurB      = "county.example.gov"
	jurLonger = "city.example.gov.au"
)

// base is the suite's fixed clock: every timestamp is base plus an offset.
var base = time.Date(2024, time.March, 1, 9, 0, 0, 0, time.UTC)

// at returns base plus the given number of minutes.
func at(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

// must stops the test when a call that has to work fails.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantKind reports an error unless err is an *open311.Error of the given kind.
func wantKind(t *testing.T, err error, kind open311.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want kind %q", what, kind)
		return
	}
	if !open311.IsKind(err, kind) {
		t.Errorf("%s: got error %q of kind %q, want kind %q", what, err, open311.ErrorKind(err), kind)
	}
}

// same reports an error unless got and want are equal after normalising both: times compared
// as instants, nil and empty slices and maps alike.
func same(t *testing.T, what string, got, want any) bool {
	t.Helper()
	g, w := normalize(got), normalize(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got: %s\nwant: %s", what, show(g), show(w))
		return false
	}
	return true
}

// show renders a value for a failure message; JSON shows times with their offsets and follows
// pointers, which %+v does not.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// normalize returns v with every time in UTC (so time.Equal instants are DeepEqual) and empty
// slices and maps made nil. It knows the domain types the suite compares.
// normKey compares a key's times as instants.
func normKey(k open311.APIKey) open311.APIKey {
	k.Created, k.Expires = k.Created.UTC(), k.Expires.UTC()
	return k
}

func normalize(v any) any {
	switch x := v.(type) {
	case open311.Jurisdiction:
		return normJurisdiction(x)
	case []open311.Jurisdiction:
		return normSlice(x, normJurisdiction)
	case open311.Service:
		return normService(x)
	case []open311.Service:
		return normSlice(x, normService)
	case open311.APIKey:
		return normKey(x)
	case []open311.APIKey:
		return normSlice(x, normKey)
	case open311.Request:
		return normRequest(x)
	case []open311.Request:
		return normSlice(x, normRequest)
	case open311.Activity:
		return normActivity(x)
	case []open311.Activity:
		return normSlice(x, normActivity)
	case []store.Entry:
		return normSlice(x, func(e store.Entry) store.Entry {
			e.Activity = normActivity(e.Activity)
			return e
		})
	}
	return v
}

func normSlice[T any](xs []T, f func(T) T) []T {
	if len(xs) == 0 {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func normJurisdiction(j open311.Jurisdiction) open311.Jurisdiction {
	j.Changeset = j.Changeset.UTC()
	return j
}

func normService(s open311.Service) open311.Service {
	s.Keywords = emptyToNil(s.Keywords)
	s.Attributes = normSlice(s.Attributes, func(a open311.Attribute) open311.Attribute {
		a.Values = emptyToNil(a.Values)
		return a
	})
	return s
}

func normRequest(r open311.Request) open311.Request {
	r.Requested, r.Updated, r.Expected = r.Requested.UTC(), r.Updated.UTC(), r.Expected.UTC()
	if len(r.Attributes) == 0 {
		r.Attributes = nil
	} else {
		m := make(map[string][]string, len(r.Attributes))
		for k, v := range r.Attributes {
			m[k] = emptyToNil(v)
		}
		r.Attributes = m
	}
	r.Links = emptyToNil(r.Links)
	return r
}

func normActivity(a open311.Activity) open311.Activity {
	a.At = a.At.UTC()
	return a
}

func emptyToNil[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

// requestIDs returns the ids of rs in order.
func requestIDs(rs []open311.Request) []string {
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// sameIDs reports an error unless got and want list the same ids in the same order.
func sameIDs(t *testing.T, what string, got, want []string) bool {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got ids %q\nwant ids %q", what, got, want)
		return false
	}
	return true
}
