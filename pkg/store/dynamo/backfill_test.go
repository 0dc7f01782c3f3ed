package dynamo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestBackfillReporters checks that requests stored before GSI3 are invisible to the retention
// until BackfillReporters gives them their keys, once, and only to those holding a reporter.
func TestBackfillReporters(t *testing.T) {
	t.Parallel()
	s, counter := openStore(t)
	ctx := context.Background()
	anon := newRequest("R2", 2)
	anon.Reporter = open311.Reporter{}
	mustCreate(t, s, newRequest("R1", 1), anon, newRequest("R3", 3))
	for _, id := range []string{"R1", "R2", "R3"} {
		if err := dynamo.MakeRequestOld(ctx, s, jur, id); err != nil {
			t.Fatal(err)
		}
	}
	holding := func() []string {
		t.Helper()
		p, err := s.ReporterRequests(ctx, store.ReporterQuery{JurisdictionID: jur})
		if err != nil {
			t.Fatal(err)
		}
		return ids(p.Requests)
	}
	if got := holding(); len(got) != 0 {
		t.Fatalf("before the backfill ReporterRequests = %q, want none (old items have no GSI3 keys)", got)
	}
	for run, want := range []int{2, 0} {
		n, err := s.BackfillReporters(ctx)
		if err != nil || n != want {
			t.Errorf("backfill run %d: %d requests, %v; want %d", run+1, n, err, want)
		}
	}
	counter.take() // the backfill scans, as an operator's migration may; no request path does
	if got := holding(); !slices.Equal(got, []string{"R1", "R3"}) {
		t.Errorf("after the backfill ReporterRequests = %q, want R1 R3", got)
	}
}
