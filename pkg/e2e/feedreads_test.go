package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/mmcdole/gofeed"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/feedtest"
	"github.com/civicworks/open311/pkg/open311"
)

// TestFeedBuilderReadsAreBounded runs the feed builder under the Lambda emulator against moto
// over the feeds' test world (feedtest): the feeds it writes are byte for byte the golden feeds
// of pkg/feed (built there over the embedded store), a change shows in every feed it touches
// after one batch, and what a batch of one record reads (DynamoDB calls and items, counted on
// the wire) is the same at 100 and at 1,000 stored activities.
func TestFeedBuilderReadsAreBounded(t *testing.T) {
	t.Parallel()
	w := newFeedWorld(t, feedtest.Options, feedtest.AddActivities)
	ctx := context.Background()
	j := apitest.Jurisdiction

	t.Run("golden", func(t *testing.T) {
		// An activity of 100003 (streetlight) and the request item of 100002 (pothole): the
		// feeds of the golden files among them.
		ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{streamRecord(0, "100003", ""), streamRecord(1, "100002", "pothole")}}
		if failed, _ := w.invoke(t, ev); len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		for _, g := range feedtest.Golden {
			want, err := os.ReadFile(filepath.Join(awstest.Root(), "pkg", "feed", "testdata", g.File))
			if err != nil {
				t.Fatal(err)
			}
			if _, got := w.object(t, key(g.Feed)); string(got) != string(want) {
				t.Errorf("%s differs from pkg/feed/testdata/%s:\n%s", key(g.Feed), g.File, got)
			}
		}
	})

	t.Run("a change in one batch", func(t *testing.T) {
		const text = "Checked on the night shift: all lamps lit."
		comment(t, w.st, "100003", text, apitest.Now.Add(time.Minute))
		failed, calls := w.invoke(t, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{streamRecord(2, "100003", "")}})
		if len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		touched := []feed.Feed{feed.ForRequest(j, "100003"), feed.ForService(j, "streetlight"), feed.ForCell(j, "dr5reg"),
			feed.ForArea(j, "ward-2"), feed.ForJurisdiction(j)}
		want := map[string]int{}
		for _, f := range touched {
			want[key(f)] = 1
		}
		if puts := s3Calls(calls, "PUT"); !maps.Equal(puts, want) {
			t.Errorf("PUTs %v, want %v", puts, want)
		}
		for _, f := range touched {
			_, body := w.object(t, key(f))
			parsed, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(parsed.Items) == 0 || parsed.Items[0].Content != text {
				t.Errorf("%s: the newest entry is not the new comment:\n%s", f, body)
			}
		}
	})

	t.Run("reads", func(t *testing.T) {
		stored := 0
		for i := 1; i <= 7; i++ {
			acts, err := w.st.Activities(ctx, j, fmt.Sprint(100000+i))
			if err != nil {
				t.Fatal(err)
			}
			stored += len(acts)
		}
		// History: comments on three graffiti requests of their own, in one cell of Ward 3, so that
		// at 100 activities the graffiti, cell, ward and jurisdiction feeds are full already.
		history := []string{"200001", "200002", "200003"}
		for _, id := range history {
			create(t, w, id, "graffiti", apitest.Now.Add(-6*24*time.Hour))
			stored++
		}
		next := 0
		fill := func(to int) {
			t.Helper()
			for stored < to {
				n := min(to-stored, 48) // with the 3 requests and a Ward 3 listing each, a write holds at most 100 items
				_, err := w.st.UpdateRequests(ctx, j, history, func(rs []*open311.Request) ([]open311.Activity, error) {
					acts := make([]open311.Activity, n)
					for i := range acts {
						r := rs[next%len(rs)]
						acts[i] = open311.Activity{ID: fmt.Sprintf("%s-h%04d", r.ID, next), RequestID: r.ID, JurisdictionID: j,
							At: apitest.Now.Add(-6*24*time.Hour + time.Duration(next)*time.Minute), Who: "Public Works",
							Kind: open311.KindComment, Summary: "Comment.", Description: "Looked at it again.", Status: r.Status}
						next++
					}
					return acts, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				stored += n
			}
		}
		// measure fills the table to the given number of activities, the last two of them a new
		// graffiti request and a comment on it, and sends the batch of that comment's record.
		measure := func(activities int, id string) (calls, items map[string]int) {
			t.Helper()
			fill(activities - 2)
			create(t, w, id, "graffiti", apitest.Now.Add(time.Hour))
			comment(t, w.st, id, "Painted over.", apitest.Now.Add(2*time.Hour))
			stored += 2
			failed, all, items := w.invokeCounting(t, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{streamRecord(activities, id, "")}})
			if len(failed) != 0 {
				t.Fatalf("failures %v, want none", failed)
			}
			calls = map[string]int{}
			for op, n := range all {
				if !strings.Contains(op, " ") { // S3 requests are "METHOD key"
					calls[op] = n
				}
			}
			t.Logf("a batch of one activity record at %d stored activities: DynamoDB calls %s (%d), items read %s (%d)",
				activities, format(calls), sum(calls), format(items), sum(items))
			return calls, items
		}
		// The sizes measured: 100 and 1,000 activities, or those of OPEN311_FEED_READS_AT
		// (infra/bench -only feeds asks for 100,1000,10000).
		sizes := []int{100, 1000}
		if v := os.Getenv("OPEN311_FEED_READS_AT"); v != "" {
			sizes = nil
			for _, f := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n < 100 || (len(sizes) > 0 && n <= sizes[len(sizes)-1]) {
					t.Fatalf("OPEN311_FEED_READS_AT=%q: want growing sizes of at least 100", v)
				}
				sizes = append(sizes, n)
			}
		}
		// A process's first batch also publishes the jurisdiction's feed list (one Query of its
		// services, as when its catalog changes): out of the way before measuring, whether or not
		// the subtest above ran in this process.
		if failed, _, _ := w.invokeCounting(t, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{streamRecord(1, "100003", "")}}); len(failed) != 0 {
			t.Fatalf("the warm-up batch: failures %v", failed)
		}
		var firstCalls, firstItems map[string]int
		for i, size := range sizes {
			calls, items := measure(size, fmt.Sprint(300000+i))
			if i == 0 {
				firstCalls, firstItems = calls, items
			}
			// The activity's request (for its service and point), the jurisdiction, the request and
			// the service; the request's activities and one Query of each aggregate feed
			// (service, cell, ward, jurisdiction).
			if want := map[string]int{"GetItem": 4, "Query": 5}; !maps.Equal(calls, want) {
				t.Errorf("calls %v at %d activities, want %v", calls, size, want)
			}
			if !maps.Equal(items, firstItems) || !maps.Equal(calls, firstCalls) {
				t.Errorf("items read %v at %d activities and %v at %d: they grow with what is stored", items, size, firstItems, sizes[0])
			}
			// 4 items by key, the request's 2 activities, and 50 for each aggregate feed.
			if most := 4 + 2 + 4*feed.DefaultEntries; sum(items) > most {
				t.Errorf("the batch read %d items at %d activities, more than %d", sum(items), size, most)
			}
		}
	})
}

// create writes a public request of the service with its creation activity, as the API would,
// at a point of Ward 3 (one cell of it).
func create(t *testing.T, w *feedWorld, id, service string, at time.Time) {
	t.Helper()
	r := open311.Request{ID: id, JurisdictionID: apitest.Jurisdiction, ServiceCode: service, ServiceName: "Graffiti",
		Status: open311.Open, Description: "Tags on the wall.", Requested: at, Updated: at, Address: id + " Center St", Version: 1,
		Point: &open311.Point{Lat: 40.735, Long: -74.01}, Areas: []string{"ward-3"}}
	if err := w.st.CreateRequest(context.Background(), r, r.Created()); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
}

func sum(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
