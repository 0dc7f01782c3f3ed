package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// TestRetentionAtStart checks that the local server erases, when it starts, the reporters of
// requests closed longer ago than -retention-days (366 days ago with 365: erased; 364: kept),
// and says so in its log without naming a value.
func TestRetentionAtStart(t *testing.T) {
	data := t.TempDir()
	s := startStack(t, Config{Data: data, RetentionDays: 365})
	if err := s.stop(nil); err != nil {
		t.Fatal(err)
	}
	key, err := seal.KeyFile(filepath.Join(data, personalKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(data, storeFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jurs, err := db.Jurisdictions(ctx)
	if err != nil || len(jurs) == 0 {
		t.Fatalf("jurisdictions %v, %v", jurs, err)
	}
	jur := jurs[0].ID
	now := time.Now()
	for id, closedAgo := range map[string]int{"OLD-366": 366, "OLD-364": 364} {
		requested := now.Add(-400 * 24 * time.Hour).UTC().Truncate(time.Second)
		r := open311.Request{ID: id, JurisdictionID: jur, ServiceCode: "pothole", ServiceName: "Pothole", Status: open311.Open,
			Requested: requested, Updated: requested, Address: "1 Main St", Version: 1,
			Reporter: open311.Reporter{Email: "kept-or-not@example.net", Phone: "555 0142"}}
		if err := desk.SealReporter(ctx, key, &r); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateRequest(ctx, r, r.Created()); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-time.Duration(closedAgo) * 24 * time.Hour)
		if _, err := store.UpdateRequest(ctx, db, jur, id, func(r *open311.Request) ([]open311.Activity, error) {
			closed := open311.Closed
			return (open311.Change{Status: &closed}).Apply(r, nil, "Public Works", at)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s = startStack(t, Config{Data: data, RetentionDays: 365})
	// What anyone can read afterwards, and the server's log: none of the erased values.
	for _, path := range []string{"/requests/OLD-366.json?extensions=true", "/requests/OLD-366.xml?extensions=true",
		"/feeds/" + jur + "/requests/OLD-366.atom", "/feeds/" + jur + "/requests.atom", "/servicerequestupdates.json"} {
		var resp *http.Response
		var body []byte
		// The erasure is a write: the request's feed follows it in the background.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			var err error
			if resp, err = http.Get(s.base + path); err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || time.Now().After(deadline) {
				break
			}
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", path, resp.StatusCode, body)
		}
		for _, v := range []string{"kept-or-not", "555 0142", "erasure", "erased"} {
			if strings.Contains(strings.ToLower(string(body)), v) {
				t.Errorf("GET %s shows %q:\n%s", path, v, body)
			}
		}
	}
	if err := s.stop(nil); err != nil {
		t.Fatal(err)
	}
	if log := s.log.String(); !strings.Contains(log, `"msg":"retention","erased":1`) || strings.Contains(log, "kept-or-not") {
		t.Errorf("the server's log does not say it erased one reporter, or names a value:\n%s", log)
	}
	db, err = bolt.Open(filepath.Join(data, storeFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, holds := range map[string]bool{"OLD-366": false, "OLD-364": true} {
		r, err := db.Request(ctx, jur, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.HoldsReporter() != holds {
			t.Errorf("%s holds its reporter: %t, want %t", id, r.HoldsReporter(), holds)
		}
	}
}
