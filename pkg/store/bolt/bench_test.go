package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// BenchmarkQueryRequests reads the newest page of 50 of a store of 10,000 requests, as
// GET /requests.json?page_size=50 does: with every stored request decoded on every read (the
// store before its cache of decoded requests), and with the cache.
//
//	go test ./pkg/store/bolt -run '^$' -bench QueryRequests
func BenchmarkQueryRequests(b *testing.B) {
	path := filepath.Join(b.TempDir(), "open311.db")
	seedRequests(b, path, 10_000)
	for _, c := range []struct {
		name   string
		decode bool
	}{{"decode-every-read", true}, {"cached", false}} {
		b.Run(c.name, func(b *testing.B) {
			s, err := bolt.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if c.decode {
				bolt.DecodeEveryRead(s)
			}
			ctx := context.Background()
			q := store.Query{JurisdictionID: "city.example.gov", Limit: 50}
			b.ReportAllocs()
			for b.Loop() {
				page, err := s.QueryRequests(ctx, q)
				if err != nil || len(page.Requests) != 50 {
					b.Fatalf("QueryRequests: %d requests, %v", len(page.Requests), err)
				}
			}
		})
	}
}

// seedRequests writes n public requests shaped like the API's (a description, attributes, a
// point, an address, a reporter) to a new store at path, and closes it.
func seedRequests(b *testing.B, path string, n int) {
	b.Helper()
	s, err := bolt.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bolt.SetNoSync(s, true)
	defer bolt.SetNoSync(s, false)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute)
		r := open311.Request{ID: fmt.Sprintf("%06d", i), JurisdictionID: "city.example.gov", ServiceCode: "pothole",
			ServiceName: "Pothole", Status: open311.Open, Description: "Deep pothole in the right lane, by the bus stop; two cars hit it this morning.",
			AgencyResponsible: "Public Works", ServiceNotice: "Fixed within 5 working days", Requested: at, Updated: at,
			Point: &open311.Point{Lat: 40.7 + float64(i%100)/1e4, Long: -74 + float64(i/100)/1e4}, Address: fmt.Sprintf("%d Broadway", i),
			Zipcode: "10007", MediaURL: "https://photos.example.org/p/1.jpg",
			Attributes: map[string][]string{"size": {"large"}, "depth_cm": {"12"}},
			Reporter:   open311.Reporter{Email: "ada@example.net", FirstName: "Ada", LastName: "Lovelace"}, Version: 1}
		if err := s.CreateRequest(ctx, r, r.Created()); err != nil {
			b.Fatal(err)
		}
	}
}
