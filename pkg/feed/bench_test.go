package feed_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// BenchmarkBuildFeed builds a jurisdiction feed over the embedded store holding 100 and 10,000
// activities (of 100 requests, all within the last week): the time per feed should not grow with
// what is stored.
//
//	go test ./pkg/feed -run '^$' -bench BuildFeed
func BenchmarkBuildFeed(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("activities=%d", n), func(b *testing.B) {
			st := benchStore(b, 100, n)
			ctx := context.Background()
			f := feed.ForJurisdiction(benchJurisdiction)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := feed.Build(ctx, st, f, options); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

const benchJurisdiction = "bench.example.org"

// benchStore returns an embedded store holding requests public requests and activities
// activities in all (each request's creation, then comments spread over the requests), written
// in the last week.
func benchStore(b *testing.B, requests, activities int) store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(b.TempDir(), "open311.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.PutJurisdiction(ctx, open311.Jurisdiction{ID: benchJurisdiction, Name: "Bench City", TimeZone: "America/New_York"}); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-7 * 24 * time.Hour).Truncate(time.Second)
	step := 7 * 24 * time.Hour / time.Duration(activities)
	ids := make([]string, requests)
	for i := range requests {
		ids[i] = fmt.Sprintf("%06d", i)
		at := start.Add(time.Duration(i) * step)
		r := open311.Request{ID: ids[i], JurisdictionID: benchJurisdiction, ServiceCode: []string{"pothole", "streetlight", "graffiti"}[i%3],
			ServiceName: "Service", Status: open311.Open, Description: "A description of the problem, as a reporter writes it.",
			Requested: at, Updated: at, Address: fmt.Sprintf("%d Main St", i), Point: &open311.Point{Lat: 40.7 + float64(i)/1e4, Long: -74},
			Attributes: map[string][]string{"size": {"large"}}, Version: 1}
		created := open311.Activity{ID: r.ID + "-1", RequestID: r.ID, JurisdictionID: r.JurisdictionID, At: at, Who: "reporter",
			Kind: open311.KindCreated, Status: r.Status, Summary: "Reported."}
		if err := st.CreateRequest(ctx, r, created); err != nil {
			b.Fatal(err)
		}
	}
	if activities <= requests {
		return st
	}
	_, err = st.UpdateRequests(ctx, benchJurisdiction, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
		var acts []open311.Activity
		for i := requests; i < activities; i++ {
			r := rs[i%requests]
			at := start.Add(time.Duration(i) * step)
			acts = append(acts, open311.Activity{ID: fmt.Sprintf("%s-c%d", r.ID, i), RequestID: r.ID, JurisdictionID: r.JurisdictionID,
				At: at, Who: "Public Works", Kind: open311.KindComment, Status: r.Status, Summary: "Comment.",
				Description: "Crew on the way."})
			r.Updated = at
		}
		return acts, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}
