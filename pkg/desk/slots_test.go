package desk_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestSlotRace sends eight different reports naming one slot at once: exactly one is stored,
// with the photo; every other is a Conflict saying the slot was used, and stored nothing.
func TestSlotRace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := world.Store(t)
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	up := folder.Uploads{Dir: filepath.Join(dir, "uploads"), URL: "https://api.example.org/uploads", Secret: []byte("s")}
	d := desk.New(desk.Options{Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.Seq("R"),
		NewToken: apitest.Seq("T-"), DefaultJurisdiction: apitest.Jurisdiction, Media: m, MediaBase: "https://cdn.example.org",
		Uploads: up, Forms: up})
	s, err := d.NewSlot(ctx, desk.SlotRequest{Key: apitest.ReporterKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(up.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(up.Dir, s.ID), phototest.JPEG(800, 600, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]desk.Receipt, n)
	for i := range n {
		wg.Go(func() {
			sub := tree("Branch down, report " + string(rune('A'+i)))
			got[i], errs[i] = d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: sub, MediaIDs: []string{s.ID}})
		})
	}
	wg.Wait()
	stored := 0
	for i, err := range errs {
		if err == nil {
			stored++
			if len(got[i].Request.Media) != 1 {
				t.Errorf("the stored report has %d photos, want 1", len(got[i].Request.Media))
			}
			continue
		}
		if !open311.IsKind(err, open311.Conflict) {
			t.Errorf("report %d: %v, want a Conflict", i, err)
		}
	}
	if stored != 1 {
		t.Errorf("%d reports naming one slot were stored, want 1", stored)
	}
	if left := files(t, up.Dir); len(left) != 0 {
		t.Errorf("uploads left: %v", left)
	}
}

// TestSlotRetriesRace sends eight copies of one report naming one slot at once, with one
// Idempotency-Key (a client retrying a lost answer): all get the one request stored.
func TestSlotRetriesRace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	up := folder.Uploads{Dir: filepath.Join(dir, "uploads"), URL: "https://api.example.org/uploads", Secret: []byte("s")}
	d := desk.New(desk.Options{Store: world.Store(t), Now: func() time.Time { return apitest.Now }, NewID: apitest.Seq("R"),
		NewToken: apitest.Seq("T-"), DefaultJurisdiction: apitest.Jurisdiction, Media: m, MediaBase: "https://cdn.example.org",
		Uploads: up, Forms: up})
	s, err := d.NewSlot(ctx, desk.SlotRequest{Key: apitest.ReporterKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(up.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(up.Dir, s.ID), phototest.JPEG(800, 600, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, IdempotencyKey: "retry-1", Submission: tree("Branch down"),
				MediaIDs: []string{s.ID}})
			ids[i], errs[i] = r.Request.ID, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] || ids[0] == "" {
			t.Errorf("copy %d: request %q, %v; want the one request %q", i, ids[i], errs[i], ids[0])
		}
	}
}
