package feedbuilder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/mmcdole/gofeed"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feedbuilder"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

const j = apitest.Jurisdiction

// The feeds of the two seeded requests the tests touch: 100003 (streetlight) and 100004 (graffiti).
var (
	req3    = j + "/requests/100003.atom"
	req4    = j + "/requests/100004.atom"
	svc3    = j + "/services/streetlight.atom"
	svc4    = j + "/services/graffiti.atom"
	jurFeed = j + "/requests.atom"
	// 100003's point is in the area cell dr5reg and the named area ward-2; 100004 has none.
	cell3 = j + "/areas/cells/dr5reg.atom"
	ward3 = j + "/areas/ward-2.atom"
)

// seeded returns the test world of pkg/api in an embedded store.
func seeded(t *testing.T) store.Store {
	t.Helper()
	return world.Store(t)
}

// publisher keeps feeds in memory and counts what it is asked to do; Publish fails for the paths
// in fail.
type publisher struct {
	mu      sync.Mutex
	files   map[string][]byte
	calls   map[string]int // Publish calls per path
	writes  map[string]int // Publish calls that wrote
	removed map[string]int
	fail    map[string]bool
}

func newPublisher() *publisher {
	return &publisher{files: map[string][]byte{}, calls: map[string]int{}, writes: map[string]int{},
		removed: map[string]int{}, fail: map[string]bool{}}
}

func (p *publisher) Publish(ctx context.Context, path string, body []byte) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[path]++
	if p.fail[path] {
		return false, fmt.Errorf("put %s: service unavailable", path)
	}
	if bytes.Equal(p.files[path], body) {
		return false, nil
	}
	p.files[path] = body
	p.writes[path]++
	return true, nil
}

func (p *publisher) Remove(ctx context.Context, path string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.files, path)
	p.removed[path]++
	return nil
}

// take returns the Publish calls and writes so far and starts counting again.
func (p *publisher) take() (calls, writes map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	calls, writes = p.calls, p.writes
	p.calls, p.writes = map[string]int{}, map[string]int{}
	return calls, writes
}

// handler returns a handler over st and pub whose batch log lines go to log. It sees st as a
// feed.Reader only, which lists no services, so it publishes no feed lists: the tests of feeds
// count feeds alone, and TestFeedList the lists.
func handler(st feed.Reader, pub feed.Publisher, log *bytes.Buffer) *feedbuilder.Handler {
	return &feedbuilder.Handler{
		Store:     readerOnly{st},
		Publisher: pub,
		Options:   feed.Options{FeedBase: "https://feeds.example.org", APIBase: "https://api.example.org/open311/v2"},
		Logger:    slog.New(slog.NewJSONHandler(log, nil)),
	}
}

func str(s string) events.DynamoDBAttributeValue { return events.NewStringAttribute(s) }

// seq is the SequenceNumber of the n-th record of a test batch.
func seq(n int) string { return fmt.Sprintf("4%020d", n) }

// activityRecord is the INSERT of an activity of request id, as the KEYS_ONLY stream sends it.
func activityRecord(n int, id string) events.DynamoDBEventRecord {
	return keysRecord(n, map[string]events.DynamoDBAttributeValue{
		"PK": str("REQ#" + j + "#" + id), "SK": str(fmt.Sprintf("ACT#2026-11-02T15:04:05.000000000Z#%010d#0001", n)),
	})
}

// requestRecord is the MODIFY of request item id, as the KEYS_ONLY stream sends it.
func requestRecord(n int, id string) events.DynamoDBEventRecord {
	r := keysRecord(n, map[string]events.DynamoDBAttributeValue{"PK": str("REQ#" + j + "#" + id), "SK": str("REQ")})
	r.EventName = "MODIFY"
	return r
}

// keysRecord is a record with the given keys and nothing else, as the table's stream sends them.
func keysRecord(n int, keys map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: "INSERT", EventSource: "aws:dynamodb", AWSRegion: "us-east-1",
		Change: events.DynamoDBStreamRecord{Keys: keys, SequenceNumber: seq(n), SizeBytes: 80, StreamViewType: "KEYS_ONLY"}}
}

// failed returns the sequence numbers a response reports.
func failed(resp events.DynamoDBEventResponse) []string {
	var s []string
	for _, f := range resp.BatchItemFailures {
		s = append(s, f.ItemIdentifier)
	}
	return s
}

// logLine decodes the one line a batch logs and empties log.
func logLine(t *testing.T, log *bytes.Buffer) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	log.Reset()
	if len(lines) != 1 {
		t.Fatalf("the batch logged %d lines, want one:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatalf("log line %q: %v", lines[0], err)
	}
	return m
}

// checkCounts checks the counts of a batch's log line.
func checkCounts(t *testing.T, line map[string]any, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
}

// TestCoalesce sends a batch that touches one request a hundred times, then the same batch again:
// the first writes each of the request's five feeds (request, service, cell, ward, jurisdiction)
// once, the replay writes nothing.
func TestCoalesce(t *testing.T) {
	st, pub, log := seeded(t), newPublisher(), &bytes.Buffer{}
	h := handler(st, pub, log)
	var batch events.DynamoDBEvent
	for n := range 100 {
		r := activityRecord(n, "100003")
		if n%10 == 0 {
			r = requestRecord(n, "100003")
		}
		batch.Records = append(batch.Records, r)
	}
	want := map[string]int{req3: 1, svc3: 1, cell3: 1, ward3: 1, jurFeed: 1}
	for _, run := range []struct {
		name   string
		writes map[string]int
		counts map[string]float64
	}{
		{"first", want, map[string]float64{"records": 100, "feeds": 5, "written": 5, "skipped": 0, "failed": 0}},
		{"replay", map[string]int{}, map[string]float64{"records": 100, "feeds": 5, "written": 0, "skipped": 5, "failed": 0}},
	} {
		t.Run(run.name, func(t *testing.T) {
			resp, err := h.Handle(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.BatchItemFailures) != 0 {
				t.Errorf("failures %v, want none", failed(resp))
			}
			calls, writes := pub.take()
			if !maps.Equal(calls, want) {
				t.Errorf("Publish calls %v, want one per feed %v", calls, want)
			}
			if !maps.Equal(writes, run.writes) {
				t.Errorf("writes %v, want %v", writes, run.writes)
			}
			checkCounts(t, logLine(t, log), run.counts)
		})
	}
	// The request's feed is built from the store, with every activity the store holds.
	parsed, err := gofeed.NewParser().ParseString(string(pub.files[req3]))
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Items) != 2 || !strings.Contains(parsed.Title, "100003") {
		t.Errorf("request feed %q with %d entries, want the 2 activities of 100003", parsed.Title, len(parsed.Items))
	}
}

// TestPoisoned sends records whose keys cannot be read among good ones: each is reported alone,
// items no feed follows are ignored, and the good records' feeds are written.
func TestPoisoned(t *testing.T) {
	st, pub, log := seeded(t), newPublisher(), &bytes.Buffer{}
	h := handler(st, pub, log)
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		activityRecord(0, "100003"),
		keysRecord(1, nil), // no keys
		keysRecord(2, map[string]events.DynamoDBAttributeValue{"PK": str("REQ#"), "SK": str("REQ")}),
		requestRecord(3, "100004"),
		keysRecord(4, map[string]events.DynamoDBAttributeValue{"PK": str("JUR#" + j), "SK": str("SVC#pothole")}), // the catalog
		keysRecord(5, map[string]events.DynamoDBAttributeValue{"PK": events.NewNumberAttribute("7"), "SK": str("REQ")}),
		activityRecord(6, "100004"),
	}}
	resp, err := h.Handle(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failed(resp), []string{seq(1), seq(2), seq(5)}; !slices.Equal(got, want) {
		t.Errorf("failures %v, want exactly the poisoned records %v", got, want)
	}
	_, writes := pub.take()
	if want := map[string]int{req3: 1, svc3: 1, req4: 1, svc4: 1, cell3: 1, ward3: 1, jurFeed: 1}; !maps.Equal(writes, want) {
		t.Errorf("writes %v, want %v", writes, want)
	}
	line := logLine(t, log)
	checkCounts(t, line, map[string]float64{"records": 7, "ignored": 1, "poisoned": 3, "feeds": 7, "written": 7, "failed": 0, "failedRecords": 3})
	if line["level"] != "WARN" {
		t.Errorf("a batch with failures logged at %v, want WARN", line["level"])
	}
}

// failingReader fails the reads of one request's activities and, optionally, of one request.
type failingReader struct {
	feed.Reader
	activitiesOf, requestOf string
}

func (r failingReader) Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error) {
	if requestID == r.activitiesOf {
		return nil, errors.New("throughput exceeded")
	}
	return r.Reader.Activities(ctx, jurisdictionID, requestID)
}

func (r failingReader) Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error) {
	if id == r.requestOf {
		return open311.Request{}, errors.New("throughput exceeded")
	}
	return r.Reader.Request(ctx, jurisdictionID, id)
}

// TestFailingFeed checks that a feed that fails fails exactly the records that touched it, and
// that the other feeds of the batch are written.
func TestFailingFeed(t *testing.T) {
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		activityRecord(0, "100003"), requestRecord(1, "100004"), activityRecord(2, "100003"), activityRecord(3, "100004"),
	}}
	for _, tt := range []struct {
		name       string
		reader     func(feed.Reader) feed.Reader
		failPath   string
		wantFailed []string
		wantWrites map[string]int
	}{
		{"store fails a request feed", func(r feed.Reader) feed.Reader { return failingReader{Reader: r, activitiesOf: "100004"} }, "",
			[]string{seq(1), seq(3)}, map[string]int{req3: 1, svc3: 1, svc4: 1, cell3: 1, ward3: 1, jurFeed: 1}},
		{"publisher fails a service feed", nil, svc3,
			[]string{seq(0), seq(2)}, map[string]int{req3: 1, req4: 1, svc4: 1, cell3: 1, ward3: 1, jurFeed: 1}},
		{"publisher fails the jurisdiction feed", nil, jurFeed,
			[]string{seq(0), seq(1), seq(2), seq(3)}, map[string]int{req3: 1, svc3: 1, req4: 1, svc4: 1, cell3: 1, ward3: 1}},
		// A request's service is read from the store (the stream carries keys only); when that
		// read fails, so does the request's feed (which reads it too), and both records of the
		// request fail, its service feed unknown and not written; the rest of the batch is.
		{"the request cannot be read", func(r feed.Reader) feed.Reader { return failingReader{Reader: r, requestOf: "100004"} }, "",
			[]string{seq(1), seq(3)}, map[string]int{req3: 1, svc3: 1, cell3: 1, ward3: 1, jurFeed: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var st feed.Reader = seeded(t)
			if tt.reader != nil {
				st = tt.reader(st)
			}
			pub, log := newPublisher(), &bytes.Buffer{}
			if tt.failPath != "" {
				pub.fail[tt.failPath] = true
			}
			resp, err := handler(st, pub, log).Handle(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			if got := failed(resp); !slices.Equal(got, tt.wantFailed) {
				t.Errorf("failures %v, want %v", got, tt.wantFailed)
			}
			if _, writes := pub.take(); !maps.Equal(writes, tt.wantWrites) {
				t.Errorf("writes %v, want %v", writes, tt.wantWrites)
			}
			line := logLine(t, log)
			if errs, _ := line["errors"].([]any); len(errs) == 0 {
				t.Errorf("the log line names no error: %v", line)
			}
		})
	}
}

// TestStoreIsTheSource checks that a feed comes from the store, the stream carrying keys only: a
// request's record refreshes the feeds of the service the store holds for it, and its entries
// are the store's.
func TestStoreIsTheSource(t *testing.T) {
	st, pub, log := seeded(t), newPublisher(), &bytes.Buffer{}
	resp, err := handler(st, pub, log).Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{requestRecord(0, "100003")}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v, %v", failed(resp), err)
	}
	if body := string(pub.files[req3]); !strings.Contains(body, "Two lights out") {
		t.Errorf("request feed %q: want it built from the store", body)
	}
	if _, ok := pub.files[j+"/services/streetlight.atom"]; !ok {
		t.Error("the feed of the request's service (streetlight, in the store) was not refreshed")
	}
	if _, ok := pub.files[j+"/services/pothole.atom"]; ok {
		t.Error("a service the request is not of was refreshed")
	}
}

// TestNotPublic checks that the feeds of a private request and service are taken down, not
// written, and that this is no failure.
func TestNotPublic(t *testing.T) {
	st, pub, log := seeded(t), newPublisher(), &bytes.Buffer{}
	resp, err := handler(st, pub, log).Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		activityRecord(0, "100007"), // private service code-concern
		activityRecord(1, "999999"), // not in the store
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v, %v", failed(resp), err)
	}
	if want := map[string]int{j + "/requests/100007.atom": 1, j + "/services/code-concern.atom": 1, j + "/requests/999999.atom": 1}; !maps.Equal(pub.removed, want) {
		t.Errorf("removed %v, want %v", pub.removed, want)
	}
	if _, writes := pub.take(); !maps.Equal(writes, map[string]int{jurFeed: 1}) {
		t.Errorf("writes %v, want only the jurisdiction feed", writes)
	}
	checkCounts(t, logLine(t, log), map[string]float64{"feeds": 4, "written": 1, "skipped": 3})
}

// countingReader counts the store reads of feeds, by method.
type countingReader struct {
	feed.Reader
	mu sync.Mutex
	n  map[string]int
}

func (r *countingReader) count(method string) {
	r.mu.Lock()
	r.n[method]++
	r.mu.Unlock()
}

func (r *countingReader) Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	r.count("Jurisdiction")
	return r.Reader.Jurisdiction(ctx, id)
}

func (r *countingReader) Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error) {
	r.count("Service")
	return r.Reader.Service(ctx, jurisdictionID, code)
}

func (r *countingReader) Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error) {
	r.count("Request")
	return r.Reader.Request(ctx, jurisdictionID, id)
}

func (r *countingReader) Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error) {
	r.count("Activities")
	return r.Reader.Activities(ctx, jurisdictionID, requestID)
}

func (r *countingReader) RecentActivities(ctx context.Context, q store.RecentQuery) ([]store.Entry, error) {
	r.count("RecentActivities")
	return r.Reader.RecentActivities(ctx, q)
}

// TestReadsPerBatch checks what a batch reads of the store: its jurisdiction once, whatever the
// number of feeds; per request feed its request and activities; per service feed the service
// and one RecentActivities; one RecentActivities per cell and area feed (100003's cell and
// ward); and one RecentActivities for the jurisdiction feed. The request of
// an activity record is read once more per request of the batch, to know its service.
func TestReadsPerBatch(t *testing.T) {
	rd := &countingReader{Reader: seeded(t), n: map[string]int{}}
	pub, log := newPublisher(), &bytes.Buffer{}
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		activityRecord(0, "100003"), requestRecord(1, "100004"), activityRecord(2, "100003"), activityRecord(3, "100004"),
	}}
	resp, err := handler(rd, pub, log).Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v, %v", failed(resp), err)
	}
	want := map[string]int{"Jurisdiction": 1, "Request": 2 + 2, "Activities": 2, "Service": 2, "RecentActivities": 3 + 2}
	if !maps.Equal(rd.n, want) {
		t.Errorf("a batch of 7 feeds read %v, want %v", rd.n, want)
	}
	checkCounts(t, logLine(t, log), map[string]float64{"feeds": 7, "written": 7})
}

// readerOnly is a store seen as a feed.Reader alone.
type readerOnly struct{ feed.Reader }

// TestFeedList checks that the feed builder publishes a jurisdiction's feed list (OPML) with
// the first batch of its process that touches the jurisdiction, not with the next ones, and
// again once the catalog's changeset moved.
func TestFeedList(t *testing.T) {
	st, pub, log := seeded(t), newPublisher(), &bytes.Buffer{}
	h := handler(st, pub, log)
	h.Store = st // a store that lists services
	const list = j + "/feeds.opml"
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{activityRecord(0, "100003")}}
	for _, run := range []struct {
		name  string
		calls int
	}{{"first", 1}, {"second", 0}} {
		if resp, err := h.Handle(context.Background(), batch); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%s: failures %v, %v", run.name, failed(resp), err)
		}
		if calls, _ := pub.take(); calls[list] != run.calls {
			t.Errorf("%s batch: %d Publish calls of %s, want %d", run.name, calls[list], list, run.calls)
		}
	}
	if body := string(pub.files[list]); !strings.Contains(body, `<opml version="2.0">`) || !strings.Contains(body, "Ward 1 (Financial District)") {
		t.Errorf("the feed list:\n%s", body)
	}
	jur, err := st.Jurisdiction(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	jur.Changeset = jur.Changeset.Add(time.Hour)
	jur.Areas = jur.Areas[:1]
	if err := st.(store.Admin).PutJurisdiction(context.Background(), jur); err != nil {
		t.Fatal(err)
	}
	if resp, err := h.Handle(context.Background(), batch); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after the catalog changed: failures %v, %v", failed(resp), err)
	}
	if _, writes := pub.take(); writes[list] != 1 || strings.Contains(string(pub.files[list]), "Ward 2") {
		t.Errorf("after the catalog changed: %d writes of the list:\n%s", writes[list], pub.files[list])
	}
}
