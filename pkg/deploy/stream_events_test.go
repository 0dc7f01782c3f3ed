package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/feedbuilder"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// streamFunctionOfEvent names the stream function of an events/ file: <function>.json or
// <function>-<case>.json; "" for the events of operations.
func streamFunctionOfEvent(file string) string {
	name := strings.TrimSuffix(filepath.Base(file), ".json")
	for _, fn := range streamFunctions {
		if name == fn || strings.HasPrefix(name, fn+"-") {
			return fn
		}
	}
	return ""
}

// streamARN is the shape of a DynamoDB stream's ARN: the table's, then the stream's label.
var streamARN = regexp.MustCompile(`^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$`)

// readStreamEvent decodes an events/ file as a DynamoDB stream batch, refusing unknown fields.
func readStreamEvent(t *testing.T, file string) events.DynamoDBEvent {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e events.DynamoDBEvent
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("not a DynamoDBEvent: %v", err)
	}
	return e
}

// checkStreamShape checks that a batch is what Lambda sends from the table's stream through the
// feed builder's filter: records of one shard in order, with the keys and images of the table's
// stream view (KEYS_ONLY).
func checkStreamShape(t *testing.T, e events.DynamoDBEvent) {
	t.Helper()
	if len(e.Records) == 0 {
		t.Fatal("no Records")
	}
	var prev *big.Int
	for i, r := range e.Records {
		c := r.Change
		errorf := func(format string, args ...any) {
			t.Helper()
			t.Errorf("record %d (%s): "+format, append([]any{i, c.SequenceNumber}, args...)...)
		}
		if r.EventSource != "aws:dynamodb" || r.EventVersion == "" || r.AWSRegion == "" || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.EventID) {
			errorf("eventSource %q, eventVersion %q, awsRegion %q, eventID %q: want aws:dynamodb, a version, a region and a 32-hex id",
				r.EventSource, r.EventVersion, r.AWSRegion, r.EventID)
		}
		if !streamARN.MatchString(r.EventSourceArn) || r.EventSourceArn != e.Records[0].EventSourceArn {
			errorf("eventSourceARN %q: want one stream's ARN for the whole batch", r.EventSourceArn)
		}
		if c.StreamViewType != "KEYS_ONLY" {
			errorf("StreamViewType %q, want the table's KEYS_ONLY", c.StreamViewType)
		}
		if c.SizeBytes <= 0 || c.ApproximateCreationDateTime.IsZero() {
			errorf("SizeBytes %d, ApproximateCreationDateTime %v: want both", c.SizeBytes, c.ApproximateCreationDateTime)
		}
		seq, ok := new(big.Int).SetString(c.SequenceNumber, 10)
		if !ok || len(c.SequenceNumber) < 21 || len(c.SequenceNumber) > 40 {
			errorf("SequenceNumber %q: want 21 to 40 digits", c.SequenceNumber)
		} else if prev != nil && seq.Cmp(prev) <= 0 {
			errorf("SequenceNumber %s does not follow the one before: records of a shard come in order", c.SequenceNumber)
		} else {
			prev = seq
		}
		pk, sk := c.Keys["PK"], c.Keys["SK"]
		if len(c.Keys) != 2 || pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString {
			errorf("Keys %v: want the table's PK and SK, strings", c.Keys)
			continue
		}
		if _, _, err := dynamo.ParseRequestKey(pk.String()); err != nil {
			errorf("PK %q: the feed builder's filter lets only requests' items through: %v", pk.String(), err)
		}
		switch r.EventName {
		case "INSERT", "MODIFY", "REMOVE":
		default:
			errorf("eventName %q, want INSERT, MODIFY or REMOVE", r.EventName)
		}
		// The stream carries keys only: no image, so no reporter's personal data, reaches the
		// feed builder, which reads what it needs from the table.
		if c.NewImage != nil || c.OldImage != nil {
			errorf("a record with images: the table's stream is KEYS_ONLY")
		}
	}
}

// countingDir is a folder publisher that counts the feeds it writes.
type countingDir struct {
	folder.Publisher
	mu      sync.Mutex
	written map[string]int
}

func (d *countingDir) Publish(ctx context.Context, path string, body []byte) (bool, error) {
	written, err := d.Publisher.Publish(ctx, path, body)
	if written {
		d.mu.Lock()
		d.written[path]++
		d.mu.Unlock()
	}
	return written, err
}

// checkStreamEvent checks a stream batch's shape, then hands it to the feed builder over the
// seeded test world, twice: the first time it writes each feed the batch touches once, with no
// failure; the second (a replay) writes nothing.
func checkStreamEvent(t *testing.T, file string) {
	t.Helper()
	e := readStreamEvent(t, file)
	checkStreamShape(t, e)

	st := world.Store(t)
	pub := &countingDir{Publisher: folder.Publisher(t.TempDir()), written: map[string]int{}}
	h := &feedbuilder.Handler{Store: st, Publisher: pub,
		Options: feed.Options{FeedBase: "https://feeds.example.org", APIBase: "https://api.example.org/open311/v2"},
		Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
	// The feeds the batch touches, from its keys and the store.
	var changes []feed.Change
	for _, r := range e.Records {
		j, id, err := dynamo.ParseRequestKey(r.Change.Keys["PK"].String())
		if err != nil {
			t.Fatal(err)
		}
		req, err := st.Request(context.Background(), j, id)
		if err != nil {
			t.Fatalf("%s touches request %s of %s, which the test world does not have: %v", r.Change.SequenceNumber, id, j, err)
		}
		c := feed.Change{JurisdictionID: j, RequestID: id, ServiceCode: req.ServiceCode}
		if req.Point != nil { // and the feeds of its area cell and named areas
			c.Cells, c.Areas = []string{open311.Cell(*req.Point)}, req.Areas
		}
		changes = append(changes, c)
	}
	want := map[string]int{}
	for _, f := range feed.Touched(changes) {
		want[f.Path()] = 1
		if f.Kind == feed.JurisdictionFeed { // and its feed list, with the first batch
			want[feed.OPMLPath(f.JurisdictionID)] = 1
		}
	}
	for _, run := range []struct {
		name string
		want map[string]int
	}{{"first", want}, {"replay", map[string]int{}}} {
		resp, err := h.Handle(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.BatchItemFailures) != 0 {
			t.Errorf("%s: failures %v, want none", run.name, resp.BatchItemFailures)
		}
		if !maps.Equal(pub.written, run.want) {
			t.Errorf("%s: %d records wrote %v, want %v", run.name, len(e.Records), pub.written, run.want)
		}
		pub.written = map[string]int{}
	}
}
