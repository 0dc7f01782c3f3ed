package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// newDesk returns a desk over a freshly seeded embedded store (the golden test world), whose
// ids come from the list given, and the store.
func newDesk(t *testing.T, ids ...string) (*desk.Desk, *bolt.Store) {
	t.Helper()
	st := world.Store(t)
	return desk.New(desk.Options{Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.List(ids),
		NewToken: apitest.Seq("T-"), DefaultJurisdiction: apitest.Jurisdiction}), st
}

func tree(desc string) open311.Submission {
	return open311.Submission{ServiceCode: "tree", Lat: "40.71", Long: "-74.01", Description: desc}
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	d, st := newDesk(t, "R1", "R2")

	// A report that breaks a rule is refused and uses up no id.
	if _, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: open311.Submission{ServiceCode: "tree"}}); !open311.IsKind(err, open311.Invalid) {
		t.Fatalf("report without a location: %v, want Invalid", err)
	}
	got, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, IdempotencyKey: "k-1", Submission: tree("Branch down")})
	if err != nil || got.Request.ID != "R1" || got.Type != open311.Realtime {
		t.Fatalf("report: %+v %v, want R1", got, err)
	}
	// The same Idempotency-Key answers the first report, whatever else is sent, and stores nothing.
	again, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, IdempotencyKey: "k-1", Submission: tree("Branch down")})
	if err != nil || again.Request.ID != "R1" {
		t.Fatalf("retry: %+v %v, want R1 again", again, err)
	}
	acts, err := st.Activities(ctx, apitest.Jurisdiction, "R1")
	if err != nil || len(acts) != 1 || acts[0].Kind != open311.KindCreated || acts[0].Summary != "Reported to Fallen tree or branch." {
		t.Errorf("activities of R1: %+v %v, want its creation once", acts, err)
	}
	// Without the key, a second report is a second request.
	second, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: tree("Branch down")})
	if err != nil || second.Request.ID != "R2" {
		t.Errorf("second report: %+v %v, want R2", second, err)
	}
	for _, tc := range []struct {
		name string
		in   desk.Report
		kind open311.Kind
		says string
	}{
		{"no key", desk.Report{Submission: tree("")}, open311.Forbidden, "an api_key is required"},
		{"revoked key", desk.Report{Key: apitest.RevokedKey, Submission: tree("")}, open311.Forbidden, "not valid here"},
		{"key of another jurisdiction", desk.Report{Key: apitest.OtherKey, Submission: tree("")}, open311.Forbidden, "not valid here"},
		{"no service", desk.Report{Key: apitest.ReporterKey}, open311.Invalid, "service_code is required"},
		{"unknown service", desk.Report{Key: apitest.ReporterKey, Submission: open311.Submission{ServiceCode: "unicorns"}}, open311.NotFound, `no service with the code "unicorns"`},
		{"long Idempotency-Key", desk.Report{Key: apitest.ReporterKey, IdempotencyKey: strings.Repeat("k", 201), Submission: tree("")}, open311.Invalid, "longer than 200"},
	} {
		_, err := d.Report(ctx, tc.in)
		if !open311.IsKind(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %q", tc.name, err, tc.kind, tc.says)
		}
	}
}

func TestUpdateRules(t *testing.T) {
	ctx := context.Background()
	closed := open311.Closed
	for _, tc := range []struct {
		name string
		in   desk.Update
		kind open311.Kind // 0 (Internal) means no error
		says string
		want open311.Status // the request's status after
	}{
		{"a reporter comments", desk.Update{RequestID: "100004", Key: apitest.ReporterKey, Change: open311.Change{Comment: "Still there."}}, 0, "", open311.Open},
		{"a reporter may not close", desk.Update{RequestID: "100004", Key: apitest.ReporterKey, Change: open311.Change{Status: &closed}}, open311.Forbidden, "only staff keys", open311.Open},
		{"a reporter may not link", desk.Update{RequestID: "100004", Key: apitest.ReporterKey, Change: open311.Change{Links: []open311.Link{{Kind: open311.RelatedTo, TargetID: "100003"}}}}, open311.Forbidden, "only staff keys", open311.Open},
		{"a reporter does not see a private request", desk.Update{RequestID: "100007", Key: apitest.ReporterKey, Change: open311.Change{Comment: "news?"}}, open311.NotFound, `no request with the id "100007"`, open311.Open},
		{"a reporter does not see a batch request yet", desk.Update{RequestID: "100005", Key: apitest.ReporterKey, Change: open311.Change{Comment: "news?"}}, open311.NotFound, `no request with the id "100005"`, open311.Submitted},
		{"staff close", desk.Update{RequestID: "100004", Key: apitest.StaffKey, Change: open311.Change{Status: &closed}}, 0, "", open311.Closed},
		{"staff accept a batch request", desk.Update{RequestID: "100005", Key: apitest.StaffKey, Change: open311.Change{Status: ptr(open311.Open)}}, 0, "", open311.Open},
		{"staff may not skip acceptance", desk.Update{RequestID: "100005", Key: apitest.StaffKey, Change: open311.Change{Status: &closed}}, open311.Invalid, "cannot become closed", open311.Submitted},
		{"nothing to change", desk.Update{RequestID: "100004", Key: apitest.StaffKey}, open311.Invalid, "nothing to change", open311.Open},
		{"an unknown request", desk.Update{RequestID: "999999", Key: apitest.StaffKey, Change: open311.Change{Comment: "hi"}}, open311.NotFound, "999999", ""},
		{"a link to an unknown request", desk.Update{RequestID: "100004", Key: apitest.StaffKey, Change: open311.Change{Links: []open311.Link{{Kind: open311.RelatedTo, TargetID: "999999"}}}}, open311.NotFound, "999999", open311.Open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, st := newDesk(t)
			l, err := d.Update(ctx, tc.in)
			if tc.kind == 0 {
				if err != nil || len(l.Requests) != 1 || l.Requests[0].Status != tc.want || l.Details == nil {
					t.Fatalf("%+v %v, want the request, %s, with its details", l, err, tc.want)
				}
			} else if !open311.IsKind(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v, want %v saying %q", err, tc.kind, tc.says)
			}
			if tc.want == "" {
				return
			}
			r, err := st.Request(ctx, apitest.Jurisdiction, tc.in.RequestID)
			if err != nil || r.Status != tc.want {
				t.Errorf("stored: %s %v, want %s", r.Status, err, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestPostUpdate(t *testing.T) {
	ctx := context.Background()
	d, st := newDesk(t)
	fixed := open311.Closed
	// FixMyStreet sends a status with every update: from a reporter it is ignored, not refused.
	act, err := d.PostUpdate(ctx, desk.Update{RequestID: "100004", Key: apitest.ReporterKey,
		Change: open311.Change{Comment: "It is fixed!", Status: &fixed, ExternalStatus: "fixed", ClientUpdateID: "fms-9"}})
	if err != nil || act.Kind != open311.KindComment || act.Status != open311.Open || act.ExternalStatus != "" {
		t.Fatalf("reporter's update: %+v %v, want a comment leaving it open", act, err)
	}
	// A repeat of the update id answers the same activity and writes nothing.
	again, err := d.PostUpdate(ctx, desk.Update{RequestID: "100004", Key: apitest.ReporterKey,
		Change: open311.Change{Comment: "It is fixed!", ClientUpdateID: "fms-9"}})
	if err != nil || again.ID != act.ID {
		t.Errorf("repeat: %+v %v, want %s again", again, err, act.ID)
	}
	if acts, _ := st.Activities(ctx, apitest.Jurisdiction, "100004"); len(acts) != 2 {
		t.Errorf("100004 has %d activities, want its creation and the comment", len(acts))
	}
	// The same update id for another request, or another update, is a conflict that names no
	// request; another key's update ids are its own.
	for _, u := range []desk.Update{
		{RequestID: "100003", Key: apitest.ReporterKey, Change: open311.Change{Comment: "It is fixed!", ClientUpdateID: "fms-9"}},
		{RequestID: "100004", Key: apitest.ReporterKey, Change: open311.Change{Comment: "Something else", ClientUpdateID: "fms-9"}},
	} {
		_, err = d.PostUpdate(ctx, u)
		if !open311.IsKind(err, open311.Conflict) || strings.Contains(err.Error(), "1000") {
			t.Errorf("update id reused for %s %q: %v, want a Conflict naming no request", u.RequestID, u.Change.Comment, err)
		}
	}
	if _, err := d.PostUpdate(ctx, desk.Update{RequestID: "100003", Key: apitest.StaffKey,
		Change: open311.Change{Comment: "x", ClientUpdateID: "fms-9"}}); err != nil {
		t.Errorf("staff's own fms-9: %v", err)
	}
	// From staff, the status counts, in FixMyStreet's words.
	act, err = d.PostUpdate(ctx, desk.Update{RequestID: "100003", Key: apitest.StaffKey, Signed: "Lamps",
		Change: open311.Change{Comment: "Replaced.", Status: &fixed, ExternalStatus: "fixed"}})
	if err != nil || act.Status != open311.Closed || act.ExternalStatus != "fixed" || act.Who != "Lamps" {
		t.Errorf("staff update: %+v %v, want closed (fixed) by Lamps", act, err)
	}
}

func TestRequestsWindow(t *testing.T) {
	ctx := context.Background()
	d, _ := newDesk(t)
	ids := func(s desk.Search) []string {
		t.Helper()
		l, err := d.Requests(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range l.Requests {
			out = append(out, r.ID)
		}
		return out
	}
	// 100001 is 100 days old: outside the default 90 days, inside a window that asks for it.
	if got := strings.Join(ids(desk.Search{}), ","); got != "100004,100006,100003,100002" {
		t.Errorf("default window: %s", got)
	}
	old := apitest.Now.Add(-101 * 24 * time.Hour)
	if got := strings.Join(ids(desk.Search{Start: old}), ","); got != "100002,100001" {
		t.Errorf("from 101 days ago: %s", got)
	}
	_, err := d.Requests(ctx, desk.Search{Start: old, End: apitest.Now})
	if !open311.IsKind(err, open311.Invalid) || !strings.Contains(err.Error(), "at most 90 days apart") {
		t.Errorf("101 days: %v", err)
	}
}

// countingStore counts the catalog reads of a store.
type countingStore struct {
	desk.Store
	services int
}

func (c *countingStore) Services(ctx context.Context, j string) ([]open311.Service, error) {
	c.services++
	return c.Store.Services(ctx, j)
}

func TestCatalogKeptUntilItsChangesetChanges(t *testing.T) {
	ctx := context.Background()
	st := world.Store(t)
	counting := &countingStore{Store: st}
	d := desk.New(desk.Options{Store: counting, CatalogTTL: -1, DefaultJurisdiction: apitest.Jurisdiction})
	for range 3 {
		if _, err := d.Service(ctx, "", "pothole"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Services(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if counting.services != 1 {
		t.Errorf("the service list was read %d times, want once", counting.services)
	}
	// A catalog change comes with a new changeset: the next call sees it.
	j, err := st.Jurisdiction(ctx, apitest.Jurisdiction)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutService(ctx, open311.Service{JurisdictionID: j.ID, Code: "bench", Name: "Broken bench", Type: open311.Realtime}); err != nil {
		t.Fatal(err)
	}
	j.Changeset = j.Changeset.Add(time.Hour)
	if err := st.PutJurisdiction(ctx, j); err != nil {
		t.Fatal(err)
	}
	if s, err := d.Service(ctx, "", "bench"); err != nil || s.Name != "Broken bench" {
		t.Errorf("after the change: %+v %v, want the new service", s, err)
	}
	if counting.services != 2 {
		t.Errorf("the service list was read %d times, want twice", counting.services)
	}
}

// TestConcurrentRetries sends one report 16 times at once with one Idempotency-Key, as a client
// retrying over a bad connection may: every answer is the first report's, and one is stored.
func TestConcurrentRetries(t *testing.T) {
	ctx := context.Background()
	d, _ := newDesk(t)
	var wg sync.WaitGroup
	got := make([]desk.Receipt, 16)
	errs := make([]error, 16)
	for i := range got {
		wg.Go(func() {
			got[i], errs[i] = d.Report(ctx, desk.Report{Key: apitest.ReporterKey, IdempotencyKey: "retry-1", Submission: tree("Branch down")})
		})
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i].Request.ID != got[0].Request.ID || got[i].Request.ID == "" {
			t.Errorf("retry %d: %s %v, want %s", i, got[i].Request.ID, errs[i], got[0].Request.ID)
		}
	}
	l, err := d.Requests(ctx, desk.Search{ServiceCodes: []string{"tree"}})
	if err != nil || len(l.Requests) != 1 {
		t.Errorf("%d tree requests stored (%v), want 1", len(l.Requests), err)
	}
}

// TestLinkRules links requests of the test world (100002, 100003, 100004 and 100006 public;
// 100005 a batch request waiting for acceptance; 100007 private) as staff.
func TestLinkRules(t *testing.T) {
	ctx := context.Background()
	link := func(kind open311.LinkKind, target string) open311.Change {
		return open311.Change{Links: []open311.Link{{Kind: kind, TargetID: target}}}
	}
	type step struct {
		id     string
		change open311.Change
	}
	for _, tc := range []struct {
		name   string
		before []step // made first, and must succeed
		then   step
		says   string // "" when it must succeed
	}{
		{"public to public", nil, step{"100004", link(open311.DuplicateOf, "100003")}, ""},
		{"public to private", nil, step{"100004", link(open311.RelatedTo, "100007")}, "request 100007 is not public"},
		{"private to public", nil, step{"100007", link(open311.DuplicateOf, "100004")}, "request 100007 is not public"},
		{"public to one not yet accepted", nil, step{"100004", link(open311.ChildOf, "100005")}, "request 100005 is not public"},
		{"private to private", nil, step{"100007", link(open311.RelatedTo, "100005")}, ""},
		{"a duplicate of a duplicate", []step{{"100004", link(open311.DuplicateOf, "100003")}},
			step{"100006", link(open311.DuplicateOf, "100004")}, "request 100004 is itself a duplicate"},
		{"a duplicate of two originals", []step{{"100004", link(open311.DuplicateOf, "100003")}},
			step{"100004", link(open311.DuplicateOf, "100006")}, "a duplicate of another request already"},
		{"the original of its original", []step{{"100004", link(open311.DuplicateOf, "100003")}},
			step{"100003", link(open311.DuplicateOf, "100004")}, "request 100004 is itself a duplicate"},
		{"the parent of its parent", []step{{"100004", link(open311.ChildOf, "100003")}},
			step{"100003", link(open311.ChildOf, "100004")}, "parents cannot make a cycle"},
		{"the parent of its grandparent", []step{{"100004", link(open311.ChildOf, "100003")}, {"100003", link(open311.ChildOf, "100002")}},
			step{"100002", link(open311.ChildOf, "100004")}, "parents cannot make a cycle"},
		{"a grandchild", []step{{"100004", link(open311.ChildOf, "100003")}},
			step{"100003", link(open311.ChildOf, "100002")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, st := newDesk(t)
			for _, s := range tc.before {
				if _, err := d.Update(ctx, desk.Update{RequestID: s.id, Key: apitest.StaffKey, Change: s.change}); err != nil {
					t.Fatalf("before: %v", err)
				}
			}
			r0, _ := st.Request(ctx, apitest.Jurisdiction, tc.then.id)
			_, err := d.Update(ctx, desk.Update{RequestID: tc.then.id, Key: apitest.StaffKey, Change: tc.then.change})
			if tc.says == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !open311.IsKind(err, open311.Invalid) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v, want Invalid saying %q", err, tc.says)
			}
			if r1, _ := st.Request(ctx, apitest.Jurisdiction, tc.then.id); r1.Version != r0.Version {
				t.Errorf("a refused link wrote the request (version %d -> %d)", r0.Version, r1.Version)
			}
		})
	}
}

// TestSearchBounds: every search reads a bounded span, however it is asked.
func TestSearchBounds(t *testing.T) {
	ctx := context.Background()
	d, _ := newDesk(t)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name string
		s    desk.Search
		says string // "" when it must be answered
	}{
		{"updated_after alone is 90 days on", desk.Search{UpdatedAfter: apitest.Now.Add(-200 * day)}, ""},
		{"updated bounds 91 days apart", desk.Search{UpdatedAfter: apitest.Now.Add(-91 * day), UpdatedBefore: apitest.Now}, "at most 90 days apart"},
		{"updated bounds out of order", desk.Search{UpdatedAfter: apitest.Now, UpdatedBefore: apitest.Now.Add(-day)}, "before updated_before"},
		{"a page within the first 1000", desk.Search{PageSize: 100, Page: 11}, ""},
		{"a page beyond the first 1000", desk.Search{PageSize: 100, Page: 12}, "follow the Link header's cursor"},
	} {
		l, err := d.Requests(ctx, tc.s)
		switch {
		case tc.says == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.says != "" && (!open311.IsKind(err, open311.Invalid) || !strings.Contains(err.Error(), tc.says)):
			t.Errorf("%s: %v, want Invalid saying %q", tc.name, err, tc.says)
		case tc.name == "updated_after alone is 90 days on" && len(l.Requests) != 0:
			t.Errorf("%s: %d requests updated 200 to 110 days ago, want none", tc.name, len(l.Requests))
		}
	}
}

// BenchmarkReport stores reports, one at a time, on the embedded store holding the test world
// and none, or 10,000, more requests: what a local POST costs without HTTP and feeds. The
// ratio of the two is the point (a store's write must not grow with what it holds).
func BenchmarkReport(b *testing.B) {
	for _, stored := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("stored=%d", stored), func(b *testing.B) {
			at := apitest.Now.Add(-20 * 24 * time.Hour)
			d := desk.New(desk.Options{Store: world.Store(b), Now: func() time.Time { return at }, DefaultJurisdiction: apitest.Jurisdiction})
			sub := open311.Submission{ServiceCode: "pothole", Lat: "40.71", Long: "-74.0", Attributes: map[string][]string{"size": {"large"}}}
			report := func() {
				at = at.Add(time.Second)
				if _, err := d.Report(context.Background(), desk.Report{Key: apitest.ReporterKey, Submission: sub}); err != nil {
					b.Fatal(err)
				}
			}
			for range stored {
				report()
			}
			b.ResetTimer()
			for b.Loop() {
				report()
			}
		})
	}
}

// TestReporterSealed reports a request with every personal field and finds none of them in
// what the store keeps, and all of them when an operator opens it with the key.
func TestReporterSealed(t *testing.T) {
	ctx := context.Background()
	st := world.Store(t)
	key := seal.NewKey()
	d := desk.New(desk.Options{Store: st, Seal: key, DefaultJurisdiction: apitest.Jurisdiction})
	who := open311.Reporter{Email: "grace@example.net", Phone: "555-0199", FirstName: "Grace", LastName: "Hopper",
		DeviceID: "device-COBOL", AccountID: "acct-1906"}
	sub := tree("Branch down")
	sub.Reporter = who
	got, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: sub})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Request(ctx, apitest.Jurisdiction, got.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(r)
	for _, v := range []string{who.Email, who.Phone, who.FirstName, who.LastName, who.DeviceID, who.AccountID} {
		if strings.Contains(string(stored), v) {
			t.Errorf("%q is stored in clear: %s", v, stored)
		}
	}
	if len(r.ReporterSealed) == 0 || r.Reporter != (open311.Reporter{}) {
		t.Fatalf("stored reporter %+v, sealed %d bytes", r.Reporter, len(r.ReporterSealed))
	}
	opened, err := desk.OpenReporter(ctx, key, r)
	if err != nil || opened != who {
		t.Errorf("opened %+v, %v; want %+v", opened, err, who)
	}
	if _, err := desk.OpenReporter(ctx, seal.NewKey(), r); err == nil {
		t.Error("another key opened it")
	}
	moved := r
	moved.ID = "elsewhere"
	if _, err := desk.OpenReporter(ctx, key, moved); err == nil {
		t.Error("the sealed reporter opened on another request")
	}
}

// countingKeys counts the writes of when keys were last used.
type countingKeys struct {
	store.Store
	touches int
}

func (c *countingKeys) TouchAPIKey(ctx context.Context, hash string, day time.Time) error {
	c.touches++
	return c.Store.TouchAPIKey(ctx, hash, day)
}

// TestKeyLastUsed reports with one key on two days: the key's last use is recorded once a
// day, at the desk's clock (as its expiry is judged), and a key expired by that clock is refused.
func TestKeyLastUsed(t *testing.T) {
	ctx := context.Background()
	st := &countingKeys{Store: world.Store(t)}
	// The desk's clock is ahead of the machine's, so that an expiry judged by the machine's
	// clock would let the expired key through.
	now := time.Date(2099, 3, 4, 23, 30, 0, 0, time.UTC)
	d := desk.New(desk.Options{Store: st, Now: func() time.Time { return now }, DefaultJurisdiction: apitest.Jurisdiction})
	hash := open311.HashKey(apitest.ReporterKey)
	for i, at := range []time.Time{now, now.Add(time.Minute), now.Add(24 * time.Hour)} {
		now = at
		if _, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: tree(fmt.Sprintf("Branch %d", i))}); err != nil {
			t.Fatal(err)
		}
		k, err := st.APIKey(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if want := open311.UsedDay(at); !k.LastUsed.Equal(want) {
			t.Errorf("report %d at %v: last used %v, want %v", i, at, k.LastUsed, want)
		}
	}
	if st.touches != 2 {
		t.Errorf("%d writes of the key's last use for three reports on two days, want 2", st.touches)
	}

	k, err := st.APIKey(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	k.Expires = now.Add(time.Minute)
	if err := st.PutAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	_, err = d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: tree("After expiry")})
	if !open311.IsKind(err, open311.Forbidden) {
		t.Errorf("report with a key expired by the desk's clock: %v, want Forbidden", err)
	}
}

// TestStaffReads reads with a staff key what the public never sees, and checks who sees what:
// staff of the jurisdiction see private and submitted requests and resolve a token before
// acceptance; a reporter key reads as the public; a key of another jurisdiction, or a revoked
// one, is refused; and no read records a key's use (reads never write).
func TestStaffReads(t *testing.T) {
	ctx := context.Background()
	st := &countingKeys{Store: world.Store(t)}
	d := desk.New(desk.Options{Store: st, Now: func() time.Time { return apitest.Now }, DefaultJurisdiction: apitest.Jurisdiction})
	ids := func(key string, s desk.Search) string {
		t.Helper()
		s.Key = key
		l, err := d.Requests(ctx, s)
		if err != nil {
			t.Fatalf("Requests with key %q: %v", key, err)
		}
		var out []string
		for _, r := range l.Requests {
			out = append(out, r.ID)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name, key string
		s         desk.Search
		want      string
	}{
		{"the public", "", desk.Search{}, "100004,100006,100003,100002"},
		{"a reporter", apitest.ReporterKey, desk.Search{}, "100004,100006,100003,100002"},
		{"a reporter's staff filters are ignored", apitest.ReporterKey, desk.Search{DetailedStatuses: []string{"submitted"}}, "100004,100006,100003,100002"},
		{"staff", apitest.StaffKey, desk.Search{}, "100007,100005,100004,100006,100003,100002"},
		{"staff, submitted", apitest.StaffKey, desk.Search{DetailedStatuses: []string{"SUBMITTED"}}, "100005"},
		{"staff, agency", apitest.StaffKey, desk.Search{Agency: "PUBLIC works"}, "100006,100003,100002"},
		{"staff, text", apitest.StaffKey, desk.Search{Text: "private"}, "100007"},
		{"staff, by ids", apitest.StaffKey, desk.Search{IDs: []string{"100005", "100007", "100001"}}, "100007,100005,100001"},
		{"the public, by ids", "", desk.Search{IDs: []string{"100005", "100007", "100001"}}, "100001"},
	} {
		if got := ids(tc.key, tc.s); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := d.Requests(ctx, desk.Search{Key: apitest.StaffKey, DetailedStatuses: []string{"pending"}}); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("an unknown detailed status: %v, want Invalid", err)
	}
	if _, err := d.Requests(ctx, desk.Search{Key: apitest.StaffKey, Text: strings.Repeat("x", desk.MaxFilterText+1)}); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("a q over %d characters: %v, want Invalid", desk.MaxFilterText, err)
	}
	if _, err := d.Requests(ctx, desk.Search{Key: apitest.StaffKey, Agency: strings.Repeat("é", desk.MaxFilterText)}); err != nil {
		t.Errorf("an agency of %d characters (twice as many bytes): %v, want none", desk.MaxFilterText, err)
	}

	if l, err := d.Request(ctx, "", "100007", apitest.StaffKey, true); err != nil || l.Requests[0].ID != "100007" || l.Details == nil {
		t.Errorf("staff's private request: %+v, %v", l, err)
	}
	for _, key := range []string{"", apitest.ReporterKey} {
		if _, err := d.Request(ctx, "", "100007", key, false); !open311.IsKind(err, open311.NotFound) {
			t.Errorf("the private request with key %q: %v, want NotFound", key, err)
		}
		if res, err := d.Token(ctx, "", "TOKEN-PENDING", key); err != nil || res.RequestID != "" {
			t.Errorf("the pending token with key %q: %+v, %v; want the token alone", key, res, err)
		}
	}
	if res, err := d.Token(ctx, "", "TOKEN-PENDING", apitest.StaffKey); err != nil || res.RequestID != "100005" {
		t.Errorf("the pending token for staff: %+v, %v; want its id", res, err)
	}
	for _, key := range []string{apitest.OtherStaffKey, apitest.RevokedKey, "wrong"} {
		if _, err := d.Requests(ctx, desk.Search{Key: key}); !open311.IsKind(err, open311.Forbidden) {
			t.Errorf("Requests with key %q: %v, want Forbidden", key, err)
		}
		if _, err := d.Request(ctx, "", "100007", key, false); !open311.IsKind(err, open311.Forbidden) {
			t.Errorf("Request with key %q: %v, want Forbidden", key, err)
		}
		if _, err := d.Token(ctx, "", "TOKEN-PENDING", key); !open311.IsKind(err, open311.Forbidden) {
			t.Errorf("Token with key %q: %v, want Forbidden", key, err)
		}
	}
	if st.touches != 0 {
		t.Errorf("reads recorded a key's use %d times; reads must never write", st.touches)
	}
}
