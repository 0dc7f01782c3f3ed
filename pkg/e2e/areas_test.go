package e2e_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/mmcdole/gofeed"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/feedtest"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// TestFeedBuilderMovesAreaFeeds moves request 100002 (a pothole in cell dr5reg and Ward 1) to
// a point of another cell in Ward 2, as the staff update would, reads the records the move put
// on the table's stream in moto (the request, its activity and the activity's area listings),
// and sends them as one batch to the feed builder under the Lambda emulator: it writes the
// feeds of both cells and both wards, and a feed reader finds the move as the newest entry of
// each; what the request did before stays in the feeds of where it was.
func TestFeedBuilderMovesAreaFeeds(t *testing.T) {
	t.Parallel()
	w := newFeedWorld(t, feedtest.Options, feedtest.AddActivities)
	ctx := context.Background()
	j := apitest.Jurisdiction
	to := open311.Point{Lat: 40.7101, Long: -73.99}
	oldCell, newCell := "dr5reg", open311.Cell(to)
	if oldCell == newCell {
		t.Fatal("the move stays in its cell")
	}

	stream, err := e2e.OpenStream(ctx, w.ddb, w.streams, w.table, streamtypes.ShardIteratorTypeLatest)
	if err != nil {
		t.Fatal(err)
	}
	jur, err := w.st.Jurisdiction(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.UpdateRequest(ctx, w.st, j, "100002", func(r *open311.Request) ([]open311.Activity, error) {
		c := open311.Change{Point: &to, PointAreas: jur.AreasAt(to), Comment: "The pin was on the wrong block."}
		return c.Apply(r, nil, "Public Works", apitest.Now.Add(time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	for deadline := time.Now().Add(10 * time.Second); len(ev.Records) < 5 && time.Now().Before(deadline); {
		more, err := stream.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ev.Records = append(ev.Records, more.Records...)
	}
	// The request, its activity (with GSI4 keys of the new cell) and three area listings: the
	// old cell, Ward 1 it left and Ward 2 it entered.
	if len(ev.Records) != 5 {
		t.Fatalf("the move put %d records on the stream, want 5", len(ev.Records))
	}
	failed, calls := w.invoke(t, ev)
	if len(failed) != 0 {
		t.Fatalf("failures %v, want none", failed)
	}
	areas := []feed.Feed{feed.ForCell(j, oldCell), feed.ForCell(j, newCell), feed.ForArea(j, "ward-1"), feed.ForArea(j, "ward-2")}
	want := map[string]int{key(feed.ForRequest(j, "100002")): 1, key(feed.ForService(j, "pothole")): 1, key(feed.ForJurisdiction(j)): 1,
		feed.OPMLPath(j): 1} // the feed list, with the process's first batch
	for _, f := range areas {
		want[key(f)] = 1
	}
	if puts := s3Calls(calls, "PUT"); !maps.Equal(puts, want) {
		t.Errorf("PUTs %v, want %v", puts, want)
	}
	if obj, body := w.object(t, feed.OPMLPath(j)); aws.ToString(obj.ContentType) != feed.OPMLType || !strings.Contains(string(body), "areas/ward-2.atom") {
		t.Errorf("the feed list (%s):\n%s", aws.ToString(obj.ContentType), body)
	}
	for _, f := range areas {
		_, body := w.object(t, key(f))
		parsed, err := gofeed.NewParser().ParseString(string(body))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(parsed.Items) == 0 || !strings.HasSuffix(parsed.Items[0].Title, "— Moved to 40.7101, -73.99") {
			t.Errorf("%s: the newest entry is not the move:\n%s", f, body)
			continue
		}
		var before int // 100002's entries before the move: its report and its closing
		for _, it := range parsed.Items[1:] {
			if strings.Contains(it.Title, ": 100002 —") {
				before++
			}
		}
		if where := f.ID == oldCell || f.ID == "ward-1"; where && before != 2 || !where && before != 0 {
			t.Errorf("%s shows %d of 100002's entries before the move", f, before)
		}
	}
}
