package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/mmcdole/gofeed"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// The feed builder's configuration in the test: where subscribers would fetch the feeds, and the
// API its entries link to.
const (
	testFeedBase = "https://feeds.city.example.org"
	testAPIBase  = "https://api.city.example.org/open311/v2"
)

// s3Calls returns the S3 requests of counts with the given method, by key.
func s3Calls(counts map[string]int, method string) map[string]int {
	out := map[string]int{}
	for k, v := range counts {
		if key, ok := strings.CutPrefix(k, method+" "); ok {
			out[key] = v
		}
	}
	return out
}

// feedWorld is the feed builder running under the emulator against moto's DynamoDB and S3, over
// a seeded table and an empty bucket.
type feedWorld struct {
	opt     feed.Options // the feed builder's bases
	em      *e2e.Emulator
	logPath string
	counter *callCounter
	ddb     *dynamodb.Client
	streams *dynamodbstreams.Client
	s3      *s3.Client
	st      *dynamo.Store
	table   string
	bucket  string
	access  *accessLog // what the function's calls touched, for its policy
}

// newFeedWorld starts the feed builder with the feed and API bases of opt, over a table seeded
// with apitest.Seed and then, when more is given, written to by more.
func newFeedWorld(t *testing.T, opt feed.Options, more func(context.Context, store.Requests) error) *feedWorld {
	t.Helper()
	rie, err := e2e.FindRIE()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Lambda emulator is needed under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	w := &feedWorld{
		opt:    opt,
		table:  fmt.Sprintf("open311-feeds-%d", time.Now().UnixNano()),
		bucket: fmt.Sprintf("open311-feeds-%d", time.Now().UnixNano()),
		ddb: dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: creds},
			func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		streams: dynamodbstreams.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: creds},
			func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		s3: s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: creds},
			func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true }),
	}
	if err := dynamo.CreateTable(ctx, w.ddb, w.table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		if _, err := w.ddb.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(w.table)}); err != nil {
			t.Logf("delete table %s: %v", w.table, err)
		}
	})
	w.st = dynamo.New(w.ddb, w.table)
	if err := apitest.Seed(ctx, w.st); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if more != nil {
		if err := more(ctx, w.st); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	if _, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}

	counter, err := newCallCounter(endpoint, w.bucket)
	if err != nil {
		t.Fatal(err)
	}
	w.counter = counter
	w.access = newAccessLog(describeKeys(t, w.ddb, w.table), w.bucket)
	proxy := httptest.NewServer(w.access.of("feed-builder", w.counter))
	t.Cleanup(proxy.Close)

	dir := t.TempDir()
	bins, err := e2e.Build(ctx, awstest.Root(), dir, runtime.GOARCH, []string{e2e.LambdaTags}, "./functions/feed-builder")
	if err != nil {
		t.Fatal(err)
	}
	w.logPath = filepath.Join(dir, "feed-builder.log")
	log, err := os.Create(w.logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"TABLE_NAME=" + w.table,
		"FEED_BUCKET=" + w.bucket,
		"OPEN311_FEED_BASE=" + opt.FeedBase,
		"OPEN311_ENDPOINT=" + opt.APIBase,
		// The SDK's own variables point both clients at moto, through the counting proxy.
		"AWS_ENDPOINT_URL_DYNAMODB=" + proxy.URL,
		"AWS_ENDPOINT_URL_S3=" + proxy.URL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_LAMBDA_FUNCTION_NAME=feed-builder",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60",
	}
	w.em, err = e2e.Start(rie, bins["./functions/feed-builder"], env, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.em.Stop)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if b, err := os.ReadFile(w.logPath); err == nil {
			t.Logf("--- output of feed-builder (last 3000 bytes) ---\n%s", tail(b, 3000))
		}
	})
	return w
}

// invoke sends a stream batch to the function and returns the sequence numbers it reports as
// failed, and the counts of its calls.
func (w *feedWorld) invoke(t *testing.T, ev events.DynamoDBEvent) (failed []string, calls map[string]int) {
	t.Helper()
	failed, calls, _ = w.invokeCounting(t, ev)
	return failed, calls
}

// invokeCounting is invoke that also returns the items the batch read, by DynamoDB operation.
func (w *feedWorld) invokeCounting(t *testing.T, ev events.DynamoDBEvent) (failed []string, calls, items map[string]int) {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w.counter.take()
	w.counter.takeItems()
	out, err := w.em.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	calls, items = w.counter.take(), w.counter.takeItems()
	var resp struct {
		events.DynamoDBEventResponse
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	if resp.ErrorType != "" || resp.ErrorMessage != "" {
		t.Fatalf("the function failed: %s", out)
	}
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed, calls, items
}

// object reads a feed from the bucket.
func (w *feedWorld) object(t *testing.T, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	obj, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return obj, body
}

// etags returns the ETag of every object of the bucket.
func (w *feedWorld) etags(t *testing.T) map[string]string {
	t.Helper()
	out, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(w.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, o := range out.Contents {
		tags[aws.ToString(o.Key)] = aws.ToString(o.ETag)
	}
	return tags
}

// lastBatchLog returns the last batch line the function logged.
func (w *feedWorld) lastBatchLog(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(w.logPath)
	if err != nil {
		t.Fatal(err)
	}
	var last map[string]any
	for _, line := range strings.Split(string(b), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "feed batch" {
			last = m
		}
	}
	if last == nil {
		t.Fatalf("the function logged no batch line:\n%s", tail(b, 3000))
	}
	if id, _ := last["requestId"].(string); id == "" {
		t.Errorf("the batch line has no requestId (the function's logger adds the invocation's): %v", last)
	}
	return last
}

// readEventFile decodes an events/ file as a DynamoDB stream event.
func readEventFile(t *testing.T, name string) events.DynamoDBEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(awstest.Root(), "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// streamRecord is a stream record of an item of request id, as DynamoDB sends it: the request
// item (MODIFY, its service code in the images) or an activity (INSERT).
func streamRecord(n int, id, serviceCode string) events.DynamoDBEventRecord {
	s := events.NewStringAttribute
	pk := s("REQ#" + apitest.Jurisdiction + "#" + id)
	r := events.DynamoDBEventRecord{
		EventID: fmt.Sprintf("%032x", n), EventName: "INSERT", EventVersion: "1.1", EventSource: "aws:dynamodb", AWSRegion: "us-east-1",
		EventSourceArn: "arn:aws:dynamodb:us-east-1:123456789012:table/open311-Table-E2E/stream/2026-11-02T15:04:05.000",
		Change: events.DynamoDBStreamRecord{
			Keys:           map[string]events.DynamoDBAttributeValue{"PK": pk, "SK": s(fmt.Sprintf("ACT#2026-11-27T10:00:00.000000000Z#%010d#0001", n))},
			SequenceNumber: fmt.Sprintf("7%027d", n), SizeBytes: 90, StreamViewType: "KEYS_ONLY",
		},
	}
	if serviceCode != "" { // the request item itself (the stream carries its keys only)
		r.EventName = "MODIFY"
		r.Change.Keys["SK"] = s("REQ")
	}
	return r
}

// comment writes a staff comment on a request through the store, as the API would.
func comment(t *testing.T, st *dynamo.Store, id, text string, at time.Time) {
	t.Helper()
	_, err := store.UpdateRequest(context.Background(), st, apitest.Jurisdiction, id, func(r *open311.Request) ([]open311.Activity, error) {
		return open311.Change{Comment: text}.Apply(r, nil, "Public Works", at)
	})
	if err != nil {
		t.Fatalf("comment on %s: %v", id, err)
	}
}

// key is the object key of a feed.
func key(f feed.Feed) string {
	k, err := url.PathUnescape(f.Path())
	if err != nil {
		panic(err)
	}
	return k
}

// TestFeedBuilder runs the feed builder under the Lambda emulator against moto's DynamoDB and S3:
// the sample batch of events/ writes the feeds it touches, a replay writes nothing, a batch that
// touches a request many times writes its feeds once, a poisoned record is reported alone while
// the rest of its batch is applied, and records read from moto's DynamoDB stream after writes
// through the store are turned into the feeds of those writes.
func TestFeedBuilder(t *testing.T) {
	t.Parallel()
	w := newFeedWorld(t, feed.Options{FeedBase: testFeedBase, APIBase: testAPIBase}, nil)
	j := apitest.Jurisdiction
	var (
		req3 = key(feed.ForRequest(j, "100003"))
		req4 = key(feed.ForRequest(j, "100004"))
		svc3 = key(feed.ForService(j, "streetlight"))
		svc4 = key(feed.ForService(j, "graffiti"))
		jur  = key(feed.ForJurisdiction(j))
		// 100003's point: the area cell dr5reg, in Ward 2; 100004 has none.
		cell3 = key(feed.ForCell(j, "dr5reg"))
		ward3 = key(feed.ForArea(j, "ward-2"))
	)

	t.Run("sample", func(t *testing.T) {
		ev := readEventFile(t, "feed-builder.json")
		failed, calls := w.invoke(t, ev)
		if len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		puts := s3Calls(calls, "PUT")
		// and, with the process's first batch, the jurisdiction's feed list
		if want := map[string]int{req3: 1, req4: 1, svc3: 1, svc4: 1, cell3: 1, ward3: 1, jur: 1, feed.OPMLPath(j): 1}; !maps.Equal(puts, want) {
			t.Errorf("%d records: PUTs %v, want one per touched feed %v", len(ev.Records), puts, want)
		}
		for _, c := range []struct {
			key, title, request string
		}{{req3, "100003", "100003"}, {req4, "100004", "100004"}, {svc3, "", ""}, {svc4, "", ""}, {jur, "", ""}} {
			obj, body := w.object(t, c.key)
			if got := aws.ToString(obj.ContentType); got != feed.ContentType {
				t.Errorf("%s: Content-Type %q", c.key, got)
			}
			if got := aws.ToString(obj.CacheControl); got != feed.CacheControl {
				t.Errorf("%s: Cache-Control %q", c.key, got)
			}
			parsed, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Errorf("%s: gofeed: %v", c.key, err)
				continue
			}
			if parsed.Title == "" || !strings.Contains(parsed.Title, c.title) || len(parsed.Items) == 0 {
				t.Errorf("%s: title %q with %d entries", c.key, parsed.Title, len(parsed.Items))
			}
			if self := w.opt.FeedBase + "/" + c.key; !slices.Contains(parsed.Links, self) && parsed.FeedLink != self {
				t.Errorf("%s: no self link %s in %v", c.key, self, parsed.Links)
			}
			if c.request != "" {
				acts, err := w.st.Activities(context.Background(), j, c.request)
				if err != nil {
					t.Fatal(err)
				}
				if len(parsed.Items) != len(acts) {
					t.Errorf("%s: %d entries, want the %d activities the store holds", c.key, len(parsed.Items), len(acts))
				}
			}
			t.Logf("%-40s %-60q %d entries", c.key, parsed.Title, len(parsed.Items))
		}
		line := w.lastBatchLog(t)
		t.Logf("log: %v", line)
	})

	t.Run("replay", func(t *testing.T) {
		before := w.etags(t)
		failed, calls := w.invoke(t, readEventFile(t, "feed-builder.json"))
		if len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		if puts := s3Calls(calls, "PUT"); len(puts) != 0 {
			t.Errorf("a replay wrote %v, want nothing", puts)
		}
		if heads := s3Calls(calls, "HEAD"); len(heads) != 7 {
			t.Errorf("HEADs %v, want one per touched feed", heads)
		}
		if after := w.etags(t); !maps.Equal(before, after) {
			t.Errorf("objects changed: %v, then %v", before, after)
		}
		line := w.lastBatchLog(t)
		if line["written"] != 0.0 || line["skipped"] != 7.0 {
			t.Errorf("log %v, want 0 written, 7 skipped", line)
		}
	})

	t.Run("coalesce", func(t *testing.T) {
		comment(t, w.st, "100003", "Crew 4 is on site.", time.Now())
		const n = 100
		var ev events.DynamoDBEvent
		for i := range n {
			code := ""
			if i%4 == 0 {
				code = "streetlight"
			}
			ev.Records = append(ev.Records, streamRecord(i, "100003", code))
		}
		failed, calls := w.invoke(t, ev)
		if len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		if puts := s3Calls(calls, "PUT"); !maps.Equal(puts, map[string]int{req3: 1, svc3: 1, cell3: 1, ward3: 1, jur: 1}) {
			t.Errorf("%d records about 100003: PUTs %v, want its 5 feeds once each", n, puts)
		}
		_, body := w.object(t, req3)
		if !strings.Contains(string(body), "Crew 4 is on site.") {
			t.Errorf("the request's feed lacks the new comment:\n%s", body)
		}
		t.Logf("%d records: DynamoDB and S3 calls %s", n, format(calls))
	})

	t.Run("poisoned", func(t *testing.T) {
		poisoned := streamRecord(1, "100001", "")
		poisoned.Change.Keys = map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("REQ#"), "SK": events.NewStringAttribute("REQ")}
		noKeys := streamRecord(3, "100002", "")
		noKeys.Change.Keys = nil
		ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
			streamRecord(0, "100001", "pothole"), poisoned, streamRecord(2, "100006", ""),
		}}
		failed, calls := w.invoke(t, ev)
		if want := []string{poisoned.Change.SequenceNumber}; !slices.Equal(failed, want) {
			t.Errorf("failures %v, want exactly the poisoned record %v", failed, want)
		}
		want := map[string]int{key(feed.ForRequest(j, "100001")): 1, key(feed.ForService(j, "pothole")): 1,
			key(feed.ForRequest(j, "100006")): 1, key(feed.ForService(j, "bulk-pickup")): 1,
			key(feed.ForCell(j, "dr5rs1")): 1} // 100001's cell; its Ward 2 feed is unchanged since "sample"
		if puts := s3Calls(calls, "PUT"); !maps.Equal(puts, want) {
			t.Errorf("PUTs %v, want the good records' feeds %v", puts, want)
		}

		// A record without keys at all is reported alone too.
		ev.Records = []events.DynamoDBEventRecord{noKeys, streamRecord(4, "100004", "")}
		if failed, _ := w.invoke(t, ev); !slices.Equal(failed, []string{noKeys.Change.SequenceNumber}) {
			t.Errorf("failures %v, want exactly the record without keys %s", failed, noKeys.Change.SequenceNumber)
		}
	})

	t.Run("stream", func(t *testing.T) {
		comment(t, w.st, "100004", "Scheduled for cleaning on Monday.", time.Now())
		comment(t, w.st, "100002", "Checked again: still filled.", time.Now())
		ev := readStream(t, w)
		if len(ev.Records) == 0 {
			t.Fatal("the stream holds no records")
		}
		failed, calls := w.invoke(t, ev)
		if len(failed) != 0 {
			t.Fatalf("failures %v, want none", failed)
		}
		puts := s3Calls(calls, "PUT")
		// Everything since the seed is in the stream: the two comments change the feeds of
		// 100004 and 100002, their services and the jurisdiction; 100003's feeds were written
		// after its comment (coalesce), and the others' are as the earlier batches left them.
		want := map[string]int{req4: 1, svc4: 1, key(feed.ForRequest(j, "100002")): 1, key(feed.ForService(j, "pothole")): 1,
			cell3: 1, key(feed.ForArea(j, "ward-1")): 1, jur: 1}
		if !maps.Equal(puts, want) {
			t.Errorf("PUTs %v, want %v", puts, want)
		}
		// The private request (100007, code-concern) and the one not yet accepted (100005) have
		// no public feed: theirs are taken down (nothing was there).
		deletes := s3Calls(calls, "DELETE")
		for _, k := range []string{key(feed.ForRequest(j, "100007")), key(feed.ForRequest(j, "100005")), key(feed.ForService(j, "code-concern"))} {
			if deletes[k] != 1 {
				t.Errorf("DELETEs %v, want one of %s", deletes, k)
			}
		}
		for _, c := range []struct{ key, text string }{{req4, "Scheduled for cleaning on Monday."}, {key(feed.ForRequest(j, "100002")), "Checked again: still filled."}} {
			_, body := w.object(t, c.key)
			parsed, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatalf("%s: %v", c.key, err)
			}
			if len(parsed.Items) == 0 || parsed.Items[0].Content != c.text {
				t.Errorf("%s: newest entry is not the comment %q", c.key, c.text)
			}
		}
		line := w.lastBatchLog(t)
		if ignored, _ := line["ignored"].(float64); ignored == 0 {
			t.Errorf("log %v: the catalog's and keys' records of the stream should be ignored", line)
		}
		t.Logf("%d stream records: %v; calls %s", len(ev.Records), line, format(calls))
	})

	t.Run("policy", func(t *testing.T) {
		c := newPolicyCheck(t, map[string]string{"Table": w.table, "FeedBucket": w.bucket})
		c.check(t, "feed-builder", w.access.accesses("feed-builder"))
		for _, e := range w.access.errs {
			t.Errorf("a call the test could not read: %s", e)
		}
	})
}

// readStream reads every record of the table's stream from its start (TRIM_HORIZON) and turns
// them into the event Lambda would send.
func readStream(t *testing.T, w *feedWorld) events.DynamoDBEvent {
	t.Helper()
	ctx := context.Background()
	st, err := e2e.OpenStream(ctx, w.ddb, w.streams, w.table, streamtypes.ShardIteratorTypeTrimHorizon)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	for {
		more, err := st.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(more.Records) == 0 {
			return ev
		}
		ev.Records = append(ev.Records, more.Records...)
	}
}
