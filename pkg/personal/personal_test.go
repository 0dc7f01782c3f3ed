package personal_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/personal"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

const jur = "city.example.gov"

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// world is a store with a jurisdiction and requests whose reporters are sealed with key.
type world struct {
	st  *bolt.Store
	key seal.Key
}

func newWorld(t *testing.T) world {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.PutJurisdiction(t.Context(), open311.Jurisdiction{ID: jur, Name: "City"}); err != nil {
		t.Fatal(err)
	}
	return world{st: st, key: seal.NewKey()}
}

// file stores a request of rep made at requested and, when closedAgo > 0, closed that long
// before now.
func (w world) file(t *testing.T, id string, rep open311.Reporter, requested time.Time, closedAgo time.Duration) {
	t.Helper()
	ctx := t.Context()
	r := open311.Request{ID: id, JurisdictionID: jur, ServiceCode: "pothole", ServiceName: "Pothole", Status: open311.Open,
		Description: "A hole on Main St", Address: "1 Main St", Requested: requested, Updated: requested, Reporter: rep, Version: 1}
	if err := desk.SealReporter(ctx, w.key, &r); err != nil {
		t.Fatal(err)
	}
	created := open311.Activity{ID: id + "-1", RequestID: id, JurisdictionID: jur, At: requested, Who: "reporter",
		Kind: open311.KindCreated, Status: open311.Open}
	if err := w.st.CreateRequest(ctx, r, created); err != nil {
		t.Fatal(err)
	}
	if closedAgo <= 0 {
		return
	}
	_, err := store.UpdateRequest(ctx, w.st, jur, id, func(r *open311.Request) ([]open311.Activity, error) {
		closed := open311.Closed
		return (open311.Change{Status: &closed, StatusNotes: ptr("Fixed.")}).Apply(r, nil, "Public Works", now.Add(-closedAgo))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

var (
	ana = open311.Reporter{Email: "Ana.Lee@example.org", Phone: "+1 (555) 010-0001", FirstName: "Ana", LastName: "Lee", DeviceID: "dev-ana", AccountID: "acc-ana"}
	bob = open311.Reporter{Email: "bob@example.org", Phone: "555-010-0002", FirstName: "Bob", DeviceID: "dev-bob"}
)

// TestSweep checks the retention of personal data: of requests closed 366 and 364 days ago
// with a retention of 365 days, only the first loses its reporter; open requests and those
// without a reporter are left alone; the erasure is in the request's history but in no public
// listing, and the erased values are nowhere in the store's answers afterwards.
func TestSweep(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	long := now.Add(-400 * day)
	w.file(t, "OLD", ana, long, 366*day)
	w.file(t, "RECENT", bob, long, 364*day)
	w.file(t, "OPEN", ana, long, 0)
	w.file(t, "ANON", open311.Reporter{}, long, 366*day)
	before, err := w.st.Request(ctx, jur, "OLD")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	swept, err := personal.Sweep(ctx, w.st, 365*day, now, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{jur + "/OLD"}; !slices.Equal(swept.Erased, want) {
		t.Fatalf("erased %q, want %q", swept.Erased, want)
	}
	for id, holds := range map[string]bool{"OLD": false, "RECENT": true, "OPEN": true} {
		r, err := w.st.Request(ctx, jur, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.HoldsReporter() != holds {
			t.Errorf("%s holds its reporter: %t, want %t", id, r.HoldsReporter(), holds)
		}
	}
	after, err := w.st.Request(ctx, jur, "OLD")
	if err != nil {
		t.Fatal(err)
	}
	if !after.Updated.Equal(before.Updated) || after.Status != before.Status || after.StatusNotes != before.StatusNotes {
		t.Errorf("the erasure changed what the public sees of OLD: %+v, was %+v", after, before)
	}
	acts, err := w.st.Activities(ctx, jur, "OLD")
	if err != nil {
		t.Fatal(err)
	}
	last := acts[len(acts)-1]
	if last.Kind != open311.KindErasure || last.Who != personal.WhoRetention || last.Summary != open311.ErasedForRetention {
		t.Errorf("OLD's last activity %+v is not the retention's erasure", last)
	}
	updates, err := w.st.Updates(ctx, store.UpdateQuery{JurisdictionID: jur})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range updates.Activities {
		if a.Kind == open311.KindErasure {
			t.Errorf("Updates lists the erasure %s", a.ID)
		}
	}
	if strings.Contains(logs.String(), "Ana") || !strings.Contains(logs.String(), `"request":"OLD"`) {
		t.Errorf("the sweep's log names a value, or not the request: %s", logs.String())
	}
	// The sweep again: nothing more to do.
	if again, err := personal.Sweep(ctx, w.st, 365*day, now, slog.New(slog.DiscardHandler)); err != nil || len(again.Erased) != 0 {
		t.Errorf("a second sweep erased %q (%v), want nothing", again.Erased, err)
	}
	// Zero days keeps everything.
	if none, err := personal.Sweep(ctx, w.st, 0, now.Add(1000*day), nil); err != nil || len(none.Erased) != 0 {
		t.Errorf("a retention of 0 erased %q (%v)", none.Erased, err)
	}
}

// TestFindAndErase checks a person's right of access and to erasure: found by e-mail (any
// case), phone (any punctuation) or device id, the export holds what is stored about them on
// each request, and after the erasure nothing of them is found or stored, while another
// person's requests are untouched.
func TestFindAndErase(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.file(t, "A1", ana, now.Add(-10*day), 0)
	w.file(t, "A2", ana, now.Add(-9*day), 5*day)
	w.file(t, "B1", bob, now.Add(-8*day), 0)
	ids := func(rs []personal.Record) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.RequestID)
		}
		return out
	}
	for _, p := range []personal.Person{{Email: "  ana.lee@EXAMPLE.org "}, {Phone: "15550100001"}, {DeviceID: "dev-ana"}} {
		found, err := personal.Find(ctx, w.st, w.key, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(found); !slices.Equal(got, []string{"A2", "A1"}) { // closed first
			t.Errorf("Find(%+v) = %q, want A2 and A1", p, got)
		}
	}
	found, err := personal.Find(ctx, w.st, w.key, personal.Person{Email: "ana.lee@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	export, err := json.Marshal(found)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{ana.Email, ana.Phone, ana.FirstName, ana.LastName, ana.DeviceID, ana.AccountID, "A hole on Main St"} {
		if !strings.Contains(string(export), v) {
			t.Errorf("the export lacks %q: %s", v, export)
		}
	}
	if strings.Contains(string(export), bob.Email) {
		t.Errorf("the export holds another person's data: %s", export)
	}
	if _, err := personal.Find(ctx, w.st, w.key, personal.Person{Phone: " - "}); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("Find of nobody: %v, want Invalid", err)
	}
	if _, err := personal.Find(ctx, w.st, seal.NewKey(), personal.Person{Email: ana.Email}); err == nil {
		t.Error("Find with another key opened the reporters")
	}

	n, err := personal.Erase(ctx, w.st, found, now)
	if err != nil || n != 2 {
		t.Fatalf("Erase = %d, %v; want 2", n, err)
	}
	if n, err := personal.Erase(ctx, w.st, found, now); err != nil || n != 0 {
		t.Errorf("a second Erase = %d, %v; want 0", n, err)
	}
	if again, err := personal.Find(ctx, w.st, w.key, personal.Person{Email: ana.Email}); err != nil || len(again) != 0 {
		t.Errorf("after the erasure Find = %q, %v; want nothing", ids(again), err)
	}
	if still, err := personal.Find(ctx, w.st, w.key, personal.Person{DeviceID: "dev-bob"}); err != nil || !slices.Equal(ids(still), []string{"B1"}) {
		t.Errorf("another person after the erasure: %q, %v", ids(still), err)
	}
	for _, id := range []string{"A1", "A2"} {
		r, err := w.st.Request(ctx, jur, id)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := w.st.Activities(ctx, jur, id)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := json.Marshal(struct {
			R open311.Request
			A []open311.Activity
		}{r, acts})
		if r.HoldsReporter() || strings.Contains(strings.ToLower(string(stored)), "ana") {
			t.Errorf("%s still holds the person: %s", id, stored)
		}
		if last := acts[len(acts)-1]; last.Kind != open311.KindErasure || last.Summary != open311.ErasedOnRequest || last.Who != personal.WhoOperator {
			t.Errorf("%s's last activity %+v is not the erasure at the person's request", id, last)
		}
	}
}
