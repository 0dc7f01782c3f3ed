package dynamo_test

import (
	"context"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestBackfillAreas checks that activities written before GSI4 are in no cell feed until
// BackfillAreas gives them the keys of their point's cell, once; a request without a point
// gets none.
func TestBackfillAreas(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	ctx := context.Background()
	located, nowhere := newRequest("R1", 1), newRequest("R2", 2)
	nowhere.Point = nil
	mustCreate(t, s, located, nowhere)
	for _, id := range []string{"R1", "R2"} {
		if err := dynamo.MakeActivitiesArealess(ctx, s, jur, id); err != nil {
			t.Fatal(err)
		}
	}
	cell := open311.Cell(*located.Point)
	inCell := func() int {
		t.Helper()
		es, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jur, Cell: cell})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	if n := inCell(); n != 0 {
		t.Fatalf("before the backfill the cell lists %d activities, want none", n)
	}
	for run, want := range []int{1, 0} {
		if n, err := s.BackfillAreas(ctx, jur); err != nil || n != want {
			t.Errorf("backfill run %d: %d activities, %v; want %d", run+1, n, err, want)
		}
	}
	if n := inCell(); n != 1 {
		t.Errorf("after the backfill the cell lists %d activities, want R1's report", n)
	}
}
