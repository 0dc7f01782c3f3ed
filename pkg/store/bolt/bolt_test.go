package bolt_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/storetest"
)

// openTemp opens a store in a fresh file that is closed and removed when t ends.
func openTemp(t *testing.T) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "open311.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

var when = time.Date(2024, time.March, 1, 9, 0, 0, 0, time.UTC)

func sampleRequest(id string) open311.Request {
	return open311.Request{
		ID: id, Token: "TOK-" + id, JurisdictionID: "city.example.gov", ServiceCode: "pothole",
		ServiceName: "Pothole", Status: open311.Open, Requested: when, Updated: when,
		Address: "1 Main St", Reporter: open311.Reporter{Email: "someone@example.net"}, Version: 1,
	}
}

func sampleCreated(r open311.Request) open311.Activity {
	return open311.Activity{ID: r.ID + "-created", RequestID: r.ID, JurisdictionID: r.JurisdictionID,
		At: r.Requested, Who: "reporter", Kind: "created", Status: r.Status}
}

// durabilityChild names the environment variable that makes TestDurableAfterKill the child
// process: it holds the path of the file to write.
const durabilityChild = "OPEN311_BOLT_DURABILITY_CHILD"

// writtenMarker is what the child prints once CreateRequest has returned.
const writtenMarker = "open311-bolt-test: written"

// TestDurableAfterKill writes a request in a child process that is killed with SIGKILL right
// after the write returns, without Close, and checks the request is there on reopening.
func TestDurableAfterKill(t *testing.T) {
	if path := os.Getenv(durabilityChild); path != "" {
		writeAndWait(path)
		return
	}
	path := filepath.Join(t.TempDir(), "open311.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurableAfterKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), durabilityChild+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	written := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == writtenMarker {
				written <- true
				return
			}
		}
		written <- false
	}()
	select {
	case ok := <-written:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("child ended without writing; stderr:\n%s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not write within 30s; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	err = cmd.Wait()
	killed = true
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("child was meant to die of the kill, but Wait says %v", err)
	}

	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	want := sampleRequest("REQ-DURABLE")
	got, err := s.Request(t.Context(), want.JurisdictionID, want.ID)
	if err != nil {
		t.Fatalf("Request after kill: %v", err)
	}
	if got.Version != 2 || got.Status != open311.Assigned || got.Reporter != want.Reporter {
		t.Errorf("Request after kill: got version %d status %q reporter %+v, want version 2 status %q reporter %+v",
			got.Version, got.Status, got.Reporter, open311.Assigned, want.Reporter)
	}
	acts, err := s.Activities(t.Context(), want.JurisdictionID, want.ID)
	if err != nil {
		t.Fatalf("Activities after kill: %v", err)
	}
	if len(acts) != 2 || acts[1].ID != "assigned" {
		t.Errorf("Activities after kill: got %+v, want the created and the assigned one", acts)
	}
}

// writeAndWait is the child of TestDurableAfterKill: it creates and updates a request, says so,
// and waits to be killed, never closing the store.
func writeAndWait(path string) {
	s, err := bolt.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	r := sampleRequest("REQ-DURABLE")
	if err := s.CreateRequest(ctx, r, sampleCreated(r)); err != nil {
		fmt.Fprintln(os.Stderr, "create:", err)
		os.Exit(2)
	}
	_, err = store.UpdateRequest(ctx, s, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
		r.Status, r.Updated = open311.Assigned, when.Add(time.Hour)
		return []open311.Activity{{ID: "assigned", RequestID: r.ID, JurisdictionID: r.JurisdictionID,
			At: r.Updated, Who: "Streets", Kind: "status", Status: open311.Assigned}}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "update:", err)
		os.Exit(2)
	}
	fmt.Println(writtenMarker)
	time.Sleep(time.Minute)
	fmt.Fprintln(os.Stderr, "child was not killed")
	os.Exit(3)
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "open311.db")
	first, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	defer first.Close()
	start := time.Now()
	second, err := bolt.Open(path)
	if err == nil {
		second.Close()
		t.Fatal("second Open of a file in use: got no error")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("second Open took %s to fail, want about a second", d)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "locked") {
		t.Errorf("second Open: error %q does not name the file and the lock", err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "open311.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	j := open311.Jurisdiction{ID: "city.example.gov", Name: "City", Changeset: when}
	svc := open311.Service{JurisdictionID: j.ID, Code: "pothole", Name: "Pothole", Type: open311.Realtime}
	key := open311.APIKey{Hash: open311.HashKey("s3cret"), Role: open311.RoleStaff, Created: when}
	r := sampleRequest("REQ-1")
	for _, err := range []error{s.PutJurisdiction(ctx, j), s.PutService(ctx, svc), s.PutAPIKey(ctx, key),
		s.CreateRequest(ctx, r, sampleCreated(r))} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = bolt.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.Jurisdiction(ctx, j.ID); err != nil || got.Name != j.Name {
		t.Errorf("Jurisdiction after reopen: got %+v, %v", got, err)
	}
	if got, err := s.Service(ctx, j.ID, svc.Code); err != nil || got.Name != svc.Name {
		t.Errorf("Service after reopen: got %+v, %v", got, err)
	}
	if got, err := s.APIKey(ctx, key.Hash); err != nil || got.Role != key.Role {
		t.Errorf("APIKey after reopen: got %+v, %v", got, err)
	}
	if page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: j.ID}); err != nil || len(page.Requests) != 1 {
		t.Errorf("QueryRequests after reopen: got %+v, %v", page, err)
	}
	if got, err := s.RequestByToken(ctx, j.ID, r.Token); err != nil || got.ID != r.ID {
		t.Errorf("RequestByToken after reopen: got %+v, %v", got, err)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-store.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a bolt file\n"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := bolt.Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a text file: got no error")
	}
	if _, err := bolt.Open(filepath.Join(t.TempDir(), "missing-dir", "open311.db")); err == nil {
		t.Fatal("Open in a missing directory: got no error")
	}
}

func TestUpdateRequestGuardsIdentity(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	r := sampleRequest("REQ-1")
	if err := s.CreateRequest(ctx, r, sampleCreated(r)); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*open311.Request){
		"id":           func(r *open311.Request) { r.ID = "REQ-2" },
		"jurisdiction": func(r *open311.Request) { r.JurisdictionID = "county.example.gov" },
		"version":      func(r *open311.Request) { r.Version = 41 },
	} {
		_, err := store.UpdateRequest(ctx, s, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			edit(r)
			r.StatusNotes = "must not be written"
			return nil, nil
		})
		if !open311.IsKind(err, open311.Internal) || err == nil {
			t.Errorf("UpdateRequest changing the %s: got error %v, want an internal error", name, err)
		}
		got, err := s.Request(ctx, r.JurisdictionID, r.ID)
		if err != nil || got.StatusNotes != "" || got.Version != 1 {
			t.Errorf("Request after UpdateRequest changing the %s: got %+v, %v; want it unchanged", name, got, err)
		}
	}
}

func TestUpdateRequestMovesToken(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	a, b := sampleRequest("REQ-A"), sampleRequest("REQ-B")
	for _, r := range []open311.Request{a, b} {
		if err := s.CreateRequest(ctx, r, sampleCreated(r)); err != nil {
			t.Fatal(err)
		}
	}
	setToken := func(id, token string) error {
		_, err := store.UpdateRequest(ctx, s, a.JurisdictionID, id, func(r *open311.Request) ([]open311.Activity, error) {
			r.Token = token
			return nil, nil
		})
		return err
	}
	if err := setToken(a.ID, "TOK-NEW"); err != nil {
		t.Fatalf("UpdateRequest giving a new token: %v", err)
	}
	if got, err := s.RequestByToken(ctx, a.JurisdictionID, "TOK-NEW"); err != nil || got.ID != a.ID {
		t.Errorf("RequestByToken of the new token: got %q, %v; want %s", got.ID, err, a.ID)
	}
	if _, err := s.RequestByToken(ctx, a.JurisdictionID, a.Token); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("RequestByToken of the replaced token: got %v, want NotFound", err)
	}
	if err := setToken(b.ID, "TOK-NEW"); !open311.IsKind(err, open311.Conflict) {
		t.Errorf("UpdateRequest taking another request's token: got %v, want Conflict", err)
	}
	if got, err := s.RequestByToken(ctx, a.JurisdictionID, b.Token); err != nil || got.ID != b.ID || got.Version != 1 {
		t.Errorf("RequestByToken of a request whose token change failed: got %+v, %v", got, err)
	}
	if err := setToken(b.ID, ""); err != nil {
		t.Fatalf("UpdateRequest removing a token: %v", err)
	}
	if _, err := s.RequestByToken(ctx, a.JurisdictionID, b.Token); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("RequestByToken of a removed token: got %v, want NotFound", err)
	}
}

func TestInvalidInput(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	long := strings.Repeat("x", 5000)
	noID := sampleRequest("")
	noJurisdiction := sampleRequest("REQ-1")
	noJurisdiction.JurisdictionID = ""
	for what, err := range map[string]error{
		"PutJurisdiction without id":         s.PutJurisdiction(ctx, open311.Jurisdiction{Name: "x"}),
		"PutService without code":            s.PutService(ctx, open311.Service{JurisdictionID: "j", Name: "x"}),
		"PutService without jurisdiction":    s.PutService(ctx, open311.Service{Code: "c"}),
		"PutService with a huge code":        s.PutService(ctx, open311.Service{JurisdictionID: "j", Code: long}),
		"PutAPIKey without hash":             s.PutAPIKey(ctx, open311.APIKey{Label: "x"}),
		"CreateRequest without id":           s.CreateRequest(ctx, noID, sampleCreated(noID)),
		"CreateRequest without jurisdiction": s.CreateRequest(ctx, noJurisdiction, sampleCreated(noJurisdiction)),
	} {
		if !open311.IsKind(err, open311.Invalid) {
			t.Errorf("%s: got %v, want Invalid", what, err)
		}
	}
	for what, q := range map[string]store.Query{
		"negative limit":  {JurisdictionID: "j", Limit: -1},
		"negative offset": {JurisdictionID: "j", Offset: -1},
	} {
		if _, err := s.QueryRequests(ctx, q); !open311.IsKind(err, open311.Invalid) {
			t.Errorf("QueryRequests with %s: got %v, want Invalid", what, err)
		}
	}
	if _, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: "j", Limit: -1}); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("Updates with a negative limit: got %v, want Invalid", err)
	}

	r := sampleRequest("REQ-1")
	if err := s.CreateRequest(ctx, r, sampleCreated(r)); err != nil {
		t.Fatal(err)
	}
	for what, act := range map[string]open311.Activity{
		"without id":                       {RequestID: r.ID, At: when},
		"with a huge client update id":     {ID: "a", RequestID: r.ID, At: when, ClientUpdateID: long},
		"of a request not being updated":   {ID: "a", RequestID: "REQ-2", At: when},
		"without a request id":             {ID: "a", At: when},
		"listed twice at the same instant": {ID: r.ID + "-created", RequestID: r.ID, At: when},
	} {
		_, err := store.UpdateRequest(ctx, s, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			r.StatusNotes = "must not be written"
			act.JurisdictionID = r.JurisdictionID
			return []open311.Activity{act}, nil
		})
		if err == nil {
			t.Errorf("UpdateRequest with an activity %s: got no error", what)
		}
	}
	got, err := s.Request(ctx, r.JurisdictionID, r.ID)
	if err != nil || got.Version != 1 || got.StatusNotes != "" {
		t.Errorf("Request after refused activities: got %+v, %v; want it unchanged", got, err)
	}
	if acts, err := s.Activities(ctx, r.JurisdictionID, r.ID); err != nil || len(acts) != 1 {
		t.Errorf("Activities after refused activities: got %+v, %v; want the created one only", acts, err)
	}
}

// TestMigrate turns a store into a file of an older schema (schema 1: no client update, time or
// service index of activities; schema 2: no service index; schema 3: no index of the requests
// holding a reporter; schema 4: no index of activities by area; schema 5: no subscriptions) and checks that Open builds what is
// missing and moves the file to the current schema.
func TestMigrate(t *testing.T) {
	for _, tc := range []struct {
		schema string
		drop   []string
	}{
		{"1", []string{"client_updates", "updates_by_time", "updates_by_service", "reporters", "updates_by_area"}},
		{"2", []string{"updates_by_service", "reporters", "updates_by_area"}},
		{"3", []string{"reporters", "updates_by_area"}},
		{"4", []string{"updates_by_area"}},
		{"5", []string{"subscriptions", "subscriptions_by_expiry"}},
	} {
		t.Run("from schema "+tc.schema, func(t *testing.T) {
			t.Parallel()
			testMigrate(t, tc.schema, tc.drop)
		})
	}
}

func testMigrate(t *testing.T, schema string, drop []string) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "open311.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, light := sampleRequest("REQ-PUBLIC"), sampleRequest("REQ-PRIVATE"), sampleRequest("REQ-LIGHT")
	priv.Private = true
	pub.Point = &open311.Point{Lat: 51.5007, Long: -0.1246}
	light.ServiceCode, light.Requested = "streetlight", when.Add(time.Minute)
	pub.ReporterSealed, priv.ReporterSealed, light.ReporterSealed = []byte("sealed"), []byte("sealed"), nil
	light.Reporter = open311.Reporter{}
	for _, r := range []open311.Request{pub, priv, light} {
		if err := s.CreateRequest(ctx, r, sampleCreated(r)); err != nil {
			t.Fatal(err)
		}
	}
	fms := open311.Activity{ID: "fms", RequestID: pub.ID, JurisdictionID: pub.JurisdictionID, At: when.Add(time.Hour),
		Who: "FixMyStreet", Kind: open311.KindComment, ClientUpdateID: "fms-1", ExternalStatus: "FIXED"}
	if _, err := store.UpdateRequest(ctx, s, pub.JurisdictionID, pub.ID, func(r *open311.Request) ([]open311.Activity, error) {
		return []open311.Activity{fms}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	setSchema(t, path, schema, drop...)

	s, err = bolt.Open(path)
	if err != nil {
		t.Fatalf("Open of a schema %s file: %v", schema, err)
	}
	check := func(when string) {
		t.Helper()
		holders, err := s.ReporterRequests(ctx, store.ReporterQuery{JurisdictionID: pub.JurisdictionID})
		if err != nil {
			t.Fatalf("ReporterRequests %s: %v", when, err)
		}
		var holding []string
		for _, r := range holders.Requests {
			holding = append(holding, r.ID)
		}
		if want := []string{priv.ID, pub.ID}; !slices.Equal(holding, want) { // one instant: by id
			t.Errorf("ReporterRequests %s: got %q, want %q", when, holding, want)
		}
		page, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: pub.JurisdictionID})
		if err != nil {
			t.Fatalf("Updates %s: %v", when, err)
		}
		var ids []string
		for _, a := range page.Activities {
			ids = append(ids, a.ID)
		}
		if want := []string{pub.ID + "-created", light.ID + "-created", "fms"}; !slices.Equal(ids, want) {
			t.Errorf("Updates %s: got %q, want %q", when, ids, want)
		}
		if got, err := s.ActivityByClientID(ctx, pub.JurisdictionID, "fms-1"); err != nil || got.ID != "fms" {
			t.Errorf("ActivityByClientID %s: got %+v, %v", when, got, err)
		}
		for code, want := range map[string][]string{"pothole": {"fms", pub.ID + "-created"}, "streetlight": {light.ID + "-created"}, "": {"fms", light.ID + "-created", pub.ID + "-created"}} {
			entries, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: pub.JurisdictionID, ServiceCode: code})
			if err != nil {
				t.Fatalf("RecentActivities %s: %v", when, err)
			}
			var ids []string
			for _, e := range entries {
				ids = append(ids, e.Activity.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("RecentActivities of service %q %s: got %q, want %q", code, when, ids, want)
			}
		}
	}
	check("after the migration")
	if entries, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: pub.JurisdictionID, Cell: "gcpuvp"}); err != nil ||
		len(entries) != 2 || entries[0].Activity.ID != "fms" {
		t.Errorf("RecentActivities of the cell of %s after the migration: %d entries, %v", pub.ID, len(entries), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = bolt.Open(path); err != nil {
		t.Fatalf("reopen after the migration: %v", err)
	}
	defer s.Close()
	check("after reopening the migrated file")
}

// TestOpenRefusesOtherSchemas checks that a file of an unknown schema is refused, not misread.
func TestOpenRefusesOtherSchemas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "open311.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	setSchema(t, path, "7")
	if s, err := bolt.Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a schema 7 file: got no error")
	} else if !strings.Contains(err.Error(), `"7"`) {
		t.Errorf("Open of a schema 7 file: error %q does not name the schema", err)
	}
}

// setSchema rewrites a closed store file's schema version and deletes the named top buckets.
func setSchema(t *testing.T, path, version string, drop ...string) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range drop {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return fmt.Errorf("delete bucket %s: %w", name, err)
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte(version))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorsNameTheOperation(t *testing.T) {
	s := openTemp(t)
	_, err := s.Request(t.Context(), "city.example.gov", "REQ-NOPE")
	var e *open311.Error
	if !errors.As(err, &e) || e.Op != "store/bolt.Request" || e.Kind != open311.NotFound {
		t.Errorf("Request of an unknown id: got %#v, want a NotFound *open311.Error of op store/bolt.Request", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Jurisdictions(ctx); err == nil {
		t.Error("Jurisdictions with a cancelled context: got no error")
	}
}

func TestSubscriptions(t *testing.T) {
	storetest.TestSubscriptions(t, func(t *testing.T) store.Subscriptions { return openTemp(t) })
}

// TestDeleteExpiredSubscriptions: the daily clean-up deletes the subscriptions whose lease ended
// (and only those: not one renewed after an expiry was indexed), and a second run finds none.
func TestDeleteExpiredSubscriptions(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	topic := "https://cdn.example.org/feeds/city.example.gov/requests.atom"
	sub := func(cb string, expires time.Time) open311.Subscription {
		return open311.Subscription{Topic: topic, Callback: cb, Created: when, Expires: expires}
	}
	for _, x := range []open311.Subscription{
		sub("https://old.example.net/", when.Add(time.Hour)),
		sub("https://renewed.example.net/", when.Add(time.Hour)),
		sub("https://live.example.net/", when.Add(48*time.Hour)),
		{Topic: topic + "/other", Callback: "https://old.example.net/", Created: when, Expires: when.Add(2 * time.Hour)},
		sub("https://renewed.example.net/", when.Add(72*time.Hour)),
	} {
		if err := s.PutSubscription(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredSubscriptions(ctx, when.Add(24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSubscriptions: %d, %v; want 2 deleted", n, err)
	}
	for cb, wantFound := range map[string]bool{"https://old.example.net/": false, "https://renewed.example.net/": true, "https://live.example.net/": true} {
		// Read at the time they were written, so that only a deletion hides them.
		_, err := s.Subscription(ctx, topic, cb, when)
		if found := err == nil; found != wantFound {
			t.Errorf("%s after the clean-up: %v, want found %v", cb, err, wantFound)
		}
	}
	if n, err := s.DeleteExpiredSubscriptions(ctx, when.Add(24*time.Hour)); err != nil || n != 0 {
		t.Errorf("a second clean-up: %d, %v; want none", n, err)
	}
}
