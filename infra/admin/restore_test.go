package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestTableRestore restores a table from another that stands for its point-in-time restore:
// the request changed since is put back, the one made since is deleted (or kept with
// -keep-newer), what is the same is not written, and -dry-run changes nothing.
func TestTableRestore(t *testing.T) {
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	client := dynamoClient(endpoint)
	name := func(what string) string {
		return fmt.Sprintf("admin-restore-%s-%d-%d", what, time.Now().UnixNano(), tableSeq.Add(1))
	}
	live, snap := name("live"), name("snap")
	for _, tb := range []string{live, snap} {
		if err := dynamo.CreateTable(ctx, client, tb); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	req := func(id string, s open311.Status) open311.Request {
		return open311.Request{ID: id, JurisdictionID: "city.example.org", ServiceCode: "pothole", Status: s,
			Requested: at, Updated: at, Address: "1 Main St", Version: 1}
	}
	put := func(table string, rs ...open311.Request) {
		st := dynamo.New(client, table)
		if err := st.PutJurisdiction(ctx, open311.Jurisdiction{ID: "city.example.org", Name: "City"}); err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The point in time: R1 open, R2 open. Since then R1 was closed (by mistake) and R3 made.
	put(snap, req("R1", open311.Open), req("R2", open311.Open))
	put(live, req("R1", open311.Closed), req("R2", open311.Open), req("R3", open311.Open))
	status := func(id string) string {
		r, err := dynamo.New(client, live).Request(ctx, "city.example.org", id)
		if open311.IsKind(err, open311.NotFound) {
			return "none"
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(r.Status)
	}
	global := []string{"-store", "dynamo", "-endpoint", endpoint, "-table", live}
	restore := func(args ...string) string {
		return mustRun(t, append(append(global[:len(global):len(global)], "table", "restore", "-from", snap), args...)...).stdout
	}

	// Items: the jurisdiction, and per request its item and its created activity (R3's two
	// are newer; R1's two differ, the activity recording the status it was created with).
	if out := restore("-dry-run"); !strings.Contains(out, "would write 2 items, would delete 2, kept 0 newer, 3 already the same") {
		t.Errorf("dry run printed %q", out)
	}
	if got := status("R1") + " " + status("R3"); got != "closed open" {
		t.Fatalf("the dry run changed the table: R1 %s", got)
	}
	if out := restore("-keep-newer"); !strings.Contains(out, "wrote 2 items, deleted 0, kept 2 newer, 3 already the same") {
		t.Errorf("restore -keep-newer printed %q", out)
	}
	if got := status("R1") + " " + status("R2") + " " + status("R3"); got != "open open open" {
		t.Errorf("after restore -keep-newer: R1, R2, R3 %s, want open open open", got)
	}
	if out := restore(); !strings.Contains(out, "wrote 0 items, deleted 2, kept 0 newer, 5 already the same") {
		t.Errorf("restore printed %q", out)
	}
	if got := status("R1") + " " + status("R2") + " " + status("R3"); got != "open open none" {
		t.Errorf("after restore: R1, R2, R3 %s, want open open none", got)
	}
	if out := restore(); !strings.Contains(out, "wrote 0 items, deleted 0, kept 0 newer, 5 already the same") {
		t.Errorf("a second restore printed %q", out)
	}

	for _, c := range []struct {
		args []string
		say  string
	}{
		{[]string{"table", "restore"}, "-from names the restored table"},
		{[]string{"table", "restore", "-from", live}, "-from names the restored table"},
	} {
		r := admin(t, append(global[:len(global):len(global)], c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.say) {
			t.Errorf("%v: exit %d, %q", c.args, r.code, r.stderr)
		}
	}
	if r := admin(t, "-data", t.TempDir(), "table", "restore", "-from", snap); r.code != 2 || !strings.Contains(r.stderr, "is for -store dynamo") {
		t.Errorf("table restore on bolt: exit %d, %q", r.code, r.stderr)
	}
}
