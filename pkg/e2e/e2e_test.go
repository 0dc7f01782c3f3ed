package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestMain stops the moto server the test starts (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

// callCounter is a reverse proxy in front of the DynamoDB server that counts the operations the
// functions call, by the X-Amz-Target header every DynamoDB API call carries, and the items each
// returns (read from the responses: a Query's Count, a GetItem's Item, a BatchGetItem's
// Responses). The functions are separate processes, so an SDK middleware in them could not
// report to the test; the proxy sees the same calls on the wire (an SDK retry would count twice,
// which moto gives no cause for).
type callCounter struct {
	proxy  *httputil.ReverseProxy
	bucket string // when S3 requests are counted too: the bucket, whose keys name them
	mu     sync.Mutex
	n      map[string]int // since the last take
	items  map[string]int // items read, by DynamoDB operation, since the last take
	total  map[string]int
}

// newCallCounter proxies to target, counting DynamoDB calls by operation and, when bucket is
// given, S3 requests of that bucket as "METHOD key" ("PUT city.example.org/requests.atom").
func newCallCounter(target, bucket string) (*callCounter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	c := &callCounter{proxy: httputil.NewSingleHostReverseProxy(u), bucket: bucket,
		n: map[string]int{}, items: map[string]int{}, total: map[string]int{}}
	c.proxy.ModifyResponse = c.countItems
	return c, nil
}

func (c *callCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	if _, name, ok := strings.Cut(op, "."); ok {
		op = name // DynamoDB
	} else {
		// S3, path style (the endpoint is an IP address): /bucket/key.
		key := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/"+c.bucket), "/")
		if k, err := url.PathUnescape(key); err == nil {
			key = k
		}
		op = r.Method + " " + key
	}
	c.mu.Lock()
	c.n[op]++
	c.total[op]++
	c.mu.Unlock()
	c.proxy.ServeHTTP(w, r)
}

// countItems adds the items a DynamoDB response returns to the counts; the body is passed on
// unchanged (its X-Amz-Crc32 still holds).
func (c *callCounter) countItems(resp *http.Response) error {
	_, op, ok := strings.Cut(resp.Request.Header.Get("X-Amz-Target"), ".")
	if !ok || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	var out struct {
		Count     int
		Item      map[string]json.RawMessage
		Responses map[string][]json.RawMessage
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("count the items of %s: %w", op, err)
	}
	n := out.Count
	if out.Item != nil {
		n++
	}
	for _, items := range out.Responses {
		n += len(items)
	}
	c.mu.Lock()
	c.items[op] += n
	c.mu.Unlock()
	return nil
}

// take returns the counts of calls since the last take and starts again from zero; takeItems
// does the same for the items read.
func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

func (c *callCounter) takeItems() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.items
	c.items = map[string]int{}
	return n
}

func (c *callCounter) totals() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.total)
}

// format writes counts as "GetItem:1 Query:2" in name order.
func format(n map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s:%d", k, n[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// world is every function of the route table running under its own emulator, over one seeded
// table, behind the gateway shim.
type world struct {
	gw      *e2e.Gateway
	fns     map[string]*e2e.Emulator
	logs    map[string]string // operation -> file with its emulator's and function's output
	counter *callCounter
	invokes map[string]int // per operation, how many invokes so far
	table   string
	access  *accessLog // what each function's calls touched, for its policy
	db      *dynamodb.Client
	kms     *kms.Client
	keyID   string // of the KMS key that seals personal data
	streams *dynamodbstreams.Client
	s3      *s3.Client
	bucket  string // the feed bucket, where post-request stores photos
	cf      *cloudfront.Client
	// distribution is the id of the distribution serving the bucket.
	distribution string
}

// newWorld builds every function with the e2e tag, creates and seeds a table on the DynamoDB
// server, and starts one emulator per function, each pointed at the counting proxy; the
// requests it creates get the golden cases' ids.
func newWorld(t *testing.T) *world {
	t.Helper()
	ids, tokens := apitest.IDs()
	return newWorldOf(t, api.Names(), ids, tokens)
}

// newWorldOf is newWorld of the functions of ops alone, handing out ids and tokens to the
// requests they create.
func newWorldOf(t testing.TB, ops, ids, tokens []string) *world {
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

	counter, err := newCallCounter(endpoint, "")
	if err != nil {
		t.Fatal(err)
	}

	client := dynamodb.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	table := fmt.Sprintf("open311-e2e-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
			t.Logf("delete table %s: %v", table, err)
		}
	})
	if err := apitest.Seed(ctx, dynamo.New(client, table)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// The KMS key that seals reporters' personal data (template.yaml's PersonalDataKey).
	kmsClient := kms.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	key, err := kmsClient.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("e2e personal data")})
	if err != nil {
		t.Fatalf("create the KMS key: %v", err)
	}

	// The feed bucket (template.yaml's FeedBucket), where post-request stores photos.
	s3Client := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	bucketName := strings.Replace(table, "e2e", "e2e-feeds", 1)
	if _, err := s3Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}

	// The distribution that serves the bucket (template.yaml's FeedDistribution), which
	// update-request tells of the photos staff remove.
	cf := cloudfront.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cloudfront.Options) { o.BaseEndpoint = aws.String(endpoint) })
	dist, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String(bucketName), Comment: aws.String("e2e"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("FeedBucket"),
			DomainName: aws.String(bucketName + ".s3.us-east-1.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("FeedBucket"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
	}})
	if err != nil {
		t.Fatalf("create the distribution: %v", err)
	}

	var pkgs []string
	for _, op := range ops {
		pkgs = append(pkgs, "./functions/"+op)
	}
	dir := t.TempDir()
	bins, err := e2e.Build(ctx, awstest.Root(), dir, runtime.GOARCH, []string{"e2e", e2e.LambdaTags}, pkgs...)
	if err != nil {
		t.Fatal(err)
	}

	w := &world{gw: &e2e.Gateway{Routes: api.GatewayRoutes()}, fns: map[string]*e2e.Emulator{},
		logs: map[string]string{}, counter: counter, invokes: map[string]int{},
		table: table, access: newAccessLog(describeKeys(t, client, table), bucketName),
		db: client, kms: kmsClient, keyID: aws.ToString(key.KeyMetadata.KeyId), s3: s3Client, bucket: bucketName,
		cf: cf, distribution: aws.ToString(dist.Distribution.Id),
		streams: dynamodbstreams.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
			func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })}
	for _, op := range ops {
		// Each function has a proxy address of its own, so that its calls are told apart.
		proxy := httptest.NewServer(w.access.of(op, counter))
		t.Cleanup(proxy.Close)
		env := []string{
			"PATH=" + os.Getenv("PATH"),
			"TABLE_NAME=" + table,
			"AWS_ENDPOINT_URL_DYNAMODB=" + proxy.URL,
			"AWS_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=test",
			"AWS_SECRET_ACCESS_KEY=test",
			"AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONFIG_FILE=/nonexistent",
			"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
			"AWS_LAMBDA_FUNCTION_NAME=" + op,
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
			"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
			"OPEN311_DEFAULT_JURISDICTION=" + apitest.Jurisdiction,
			"OPEN311_ENDPOINT=https://api.city.example.org/open311/v2",
			"OPEN311_TEST_FIXED_CLOCK=" + apitest.Now.Format(time.RFC3339Nano),
			"OPEN311_TEST_IDS=" + strings.Join(ids, ","),
			"OPEN311_TEST_TOKENS=" + strings.Join(tokens, ","),
		}
		if op == api.OpPostRequest {
			env = append(env, "OPEN311_PERSONAL_DATA_KEY="+aws.ToString(key.KeyMetadata.Arn), "AWS_ENDPOINT_URL_KMS="+proxy.URL,
				// Its photos, as template.yaml gives them: the feed bucket, served from the CDN.
				"FEED_BUCKET="+bucketName, "AWS_ENDPOINT_URL_S3="+proxy.URL, "OPEN311_FEED_BASE="+apitest.MediaBase,
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512")
		}
		if op == api.OpPostMedia {
			// The upload slots' presigned POSTs to the feed bucket, as template.yaml gives it.
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_ENDPOINT_URL_S3="+proxy.URL)
		}
		if op == api.OpFeeds {
			env = append(env, "OPEN311_FEED_BASE="+apitest.FeedBase) // the feeds it lists, as apitest.FeedCases want
		}
		if op == api.OpUpdateRequest {
			// The photos staff remove, and those sent with an update, as template.yaml gives it
			// the bucket; they are served from the CDN (its answers name no feed here, so the
			// base is OPEN311_MEDIA_BASE's, not OPEN311_FEED_BASE's as on AWS).
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_ENDPOINT_URL_S3="+proxy.URL, "OPEN311_MEDIA_BASE="+apitest.MediaBase,
				"FEED_DISTRIBUTION="+aws.ToString(dist.Distribution.Id), "AWS_ENDPOINT_URL_CLOUDFRONT="+proxy.URL,
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512")
		}
		if op == api.OpPostRequestUpdate {
			// The photos sent with a FixMyStreet update, as for update-request.
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_ENDPOINT_URL_S3="+proxy.URL, "OPEN311_MEDIA_BASE="+apitest.MediaBase,
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512")
		}
		logPath := filepath.Join(dir, op+".log")
		log, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { log.Close() })
		em, err := e2e.Start(rie, bins["./functions/"+op], env, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(em.Stop)
		w.fns[op], w.logs[op] = em, logPath
	}
	// Cleanups run last-in first-out: every emulator is stopped before the logs are closed,
	// and the logs are shown (below) before the temporary folder is removed.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, op := range ops {
			if b, err := os.ReadFile(w.logs[op]); err == nil {
				t.Logf("--- output of %s (last 3000 bytes) ---\n%s", op, tail(b, 3000))
			}
		}
	})
	return w
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// invoke sends an event to a function and decodes its answer as API Gateway would.
func (w *world) invoke(t testing.TB, op string, e events.APIGatewayV2HTTPRequest) (int, http.Header, []byte, error) {
	t.Helper()
	em, ok := w.fns[op]
	if !ok {
		return 0, nil, nil, fmt.Errorf("no function for operation %q", op)
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return 0, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w.invokes[op]++
	out, err := em.Invoke(ctx, payload)
	if err != nil {
		return 0, nil, nil, err
	}
	return e2e.Response(out)
}

// callsOf is what one golden case made its function call.
type callsOf struct {
	name, op string
	invoke   int // 1 for the function's first invoke (its cold start)
	calls    map[string]int
}

// TestFunctions runs every function under the Lambda emulator against moto. It sends the golden
// cases of TestGolden (in order, to the world TestGolden uses) through the gateway shim and
// expects the golden files byte for byte; counts the DynamoDB calls of each operation; and sends
// every events/ file to its function.
//
// Nothing in the golden cases answers differently on AWS than through the shim, so every case
// is compared in full; what API Gateway itself would answer without calling a function is
// outside them: CORS preflights (OPTIONS with Origin, answered from CorsConfiguration), bodies
// over its 10 MB limit (the 300 KiB post-too-large body reaches the function, which answers 413
// as the local server does), and throttling (429).
// matchGolden compares an answer of op, recorded, with pkg/api's golden file of that name and
// returns the golden file.
func matchGolden(t *testing.T, op, name string, status int, header http.Header, body []byte) []byte {
	t.Helper()
	got := apitest.Record(status, header, body)
	path := filepath.Join(awstest.Root(), "pkg", "api", "testdata", "golden", name+".txt")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: response differs from %s (-want +got):\n%s", op, path, apitest.Diff(want, got))
	}
	return want
}

func TestFunctions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	pw := newPhotoWorld(t)
	var calls []callsOf

	t.Run("golden", func(t *testing.T) {
		same := 0
		for _, c := range apitest.Cases {
			req, err := c.Request("https://" + e2e.DomainName)
			if err != nil {
				t.Fatal(err)
			}
			op, e, err := w.gw.Event(req)
			if err != nil {
				t.Fatal(err)
			}
			w.counter.take()
			status, header, body, err := w.invoke(t, op, e)
			calls = append(calls, callsOf{c.Name, op, w.invokes[op], w.counter.take()})
			t.Run(c.Name, func(t *testing.T) {
				if err != nil {
					t.Fatalf("%s: %v", op, err)
				}
				want := matchGolden(t, op, c.Name, status, header, body)
				if wire := apitest.Body(want); !bytes.Equal(body, wire) {
					t.Fatalf("%s: the body's bytes are not the golden's:\n got %q\nwant %q", op, body, wire)
				}
				same++
			})
		}
		t.Logf("%d of %d golden cases byte-identical through API Gateway's event, the emulator and DynamoDB", same, len(apitest.Cases))
	})

	t.Run("feed lists", func(t *testing.T) {
		for _, c := range apitest.FeedCases {
			req, err := c.Request("https://" + e2e.DomainName)
			if err != nil {
				t.Fatal(err)
			}
			op, e, err := w.gw.Event(req)
			if err != nil {
				t.Fatal(err)
			}
			status, header, body, err := w.invoke(t, op, e)
			t.Run(c.Name, func(t *testing.T) {
				if err != nil {
					t.Fatalf("%s: %v", op, err)
				}
				matchGolden(t, op, c.Name, status, header, body)
			})
		}
	})

	t.Run("photos", func(t *testing.T) { runPhotoCases(t, pw) })
	t.Run("slots", func(t *testing.T) { runSlotFlow(t, pw) })

	t.Run("calls", func(t *testing.T) {
		for _, c := range calls {
			t.Logf("%-40s %-24s invoke %2d  %s", c.name, c.op, c.invoke, format(c.calls))
		}
		// The cases in order make these invokes: the first of each function is cold (the process
		// reads the jurisdiction list once, and a jurisdiction's services once per changeset, then
		// keeps them), the later ones warm: a warm get-services reads nothing, and the second
		// post-request (post-realtime.json) is a warm create without a token. The first use of a
		// key in the day records it (UpdateItem); a read with a key records nothing.
		for _, want := range []struct {
			op     string
			invoke int
			calls  map[string]int
		}{
			{api.OpServices, 1, map[string]int{"Query": 2}},
			{api.OpServices, 2, map[string]int{}},
			{api.OpServiceDefinition, 2, map[string]int{}},
			{api.OpRequest, 2, map[string]int{"GetItem": 1}},
			{api.OpRequests, 1, map[string]int{"Query": 2}},
			{api.OpRequests, 2, map[string]int{"Query": 1}},
			// staff-requests.json: the staff key read (no UpdateItem: reads record no use), and
			// GSI1's REQS# and HIDDEN# partitions, one Query each.
			{api.OpRequests, 16, map[string]int{"GetItem": 1, "Query": 2}},
			{api.OpPostRequest, 1, map[string]int{"GetItem": 1, "Query": 2, "TransactWriteItems": 1, "GenerateDataKey": 1, "UpdateItem": 1}},
			{api.OpPostRequest, 2, map[string]int{"GetItem": 1, "TransactWriteItems": 1}},
		} {
			i := slices.IndexFunc(calls, func(c callsOf) bool { return c.op == want.op && c.invoke == want.invoke })
			if i < 0 {
				t.Errorf("no golden case makes invoke %d of %s", want.invoke, want.op)
				continue
			}
			if got := calls[i].calls; !maps.Equal(got, want.calls) {
				t.Errorf("%s (invoke %d of %s) called %s, want %s", calls[i].name, want.invoke, want.op, format(got), format(want.calls))
			}
		}
	})

	t.Run("personal data", func(t *testing.T) {
		// What the golden cases' reporters gave (post-realtime.xml: an email and a first name)
		// and the test world's, sealed: in no item of the table, read as an export would read it,
		// nor in any record of its stream, and opened again with KMS's Decrypt, which only an operator's role may call.
		ctx := context.Background()
		secrets := []string{"someone@example.net", "Sam", "ada@example.net", "Lovelace", "555-0101", "device-42", "acct-7", "secret@example.net"}
		var items []map[string]dbtypes.AttributeValue
		p := dynamodb.NewScanPaginator(w.db, &dynamodb.ScanInput{TableName: aws.String(w.table)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, out.Items...)
		}
		var dump strings.Builder
		for _, item := range items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(m)
			dump.Write(b)
		}
		if !strings.Contains(dump.String(), `"reporter_sealed"`) {
			t.Fatal("no item holds a sealed reporter: the test would prove nothing")
		}
		for _, s := range secrets {
			if strings.Contains(dump.String(), s) {
				t.Errorf("%q is in the table in clear", s)
			}
		}
		// The table's stream, as the feed builder receives it: keys only.
		stream, err := e2e.OpenStream(ctx, w.db, w.streams, w.table, streamtypes.ShardIteratorTypeTrimHorizon)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := stream.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		records, _ := json.Marshal(ev)
		if len(ev.Records) == 0 || !strings.Contains(string(records), "REQ#") {
			t.Fatalf("the stream holds %d records, none of a request: the test would prove nothing", len(ev.Records))
		}
		for _, s := range secrets {
			if strings.Contains(string(records), s) {
				t.Errorf("%q is in a stream record in clear", s)
			}
		}
		t.Logf("%d items of the table and %d stream records hold none of %d personal values in clear", len(items), len(ev.Records), len(secrets))

		r, err := dynamo.New(w.db, w.table).Request(ctx, apitest.Jurisdiction, "20000001")
		if err != nil {
			t.Fatal(err)
		}
		who, err := desk.OpenReporter(ctx, kmsseal.NewOpener(w.kms), r)
		if err != nil || who.Email != "someone@example.net" || who.FirstName != "Sam" {
			t.Errorf("opened %+v, %v; want what post-realtime.xml gave", who, err)
		}
	})

	t.Run("key last used", func(t *testing.T) {
		// Each function that takes a key records the key's first use of the day (keys list shows
		// it): one UpdateItem of the key's item, then none that day. A new staff key per
		// function, each refused after its key is accepted (nothing to change, no service), so
		// the world's requests stay as the golden cases left them.
		ctx := context.Background()
		st := dynamo.New(w.db, w.table)
		for _, c := range []struct{ op, path, body string }{
			{api.OpPostRequest, "/requests.json", ""},
			{api.OpUpdateRequest, "/requests/100003.json", ""},
			{api.OpPostRequestUpdate, "/servicerequestupdates.json", "&service_request_id=100003"},
			{api.OpPostMedia, "/media.json", "&content_type=image%2Fheic"},
		} {
			secret := "e2e-key-used-by-" + c.op
			k := open311.APIKey{Hash: open311.HashKey(secret), Role: open311.RoleStaff, JurisdictionID: apitest.Jurisdiction,
				Label: c.op, Created: apitest.Now}
			if err := st.PutAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 2; i++ {
				req, err := http.NewRequest(http.MethodPost, "https://"+e2e.DomainName+c.path, strings.NewReader("api_key="+secret+c.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				op, e, err := w.gw.Event(req)
				if err != nil || op != c.op {
					t.Fatalf("%s: operation %q, %v", c.path, op, err)
				}
				w.counter.take()
				status, _, body, err := w.invoke(t, op, e)
				calls := w.counter.take()
				if err != nil || status < 400 || status == http.StatusForbidden || status >= 500 {
					t.Errorf("%s call %d: %d %s, %v; want a 4xx after the key is accepted", c.op, i, status, body, err)
				}
				if want := map[int]int{1: 1, 2: 0}[i]; calls["UpdateItem"] != want {
					t.Errorf("%s call %d of the day with a key: UpdateItem:%d (%s), want %d", c.op, i, calls["UpdateItem"], format(calls), want)
				}
			}
			got, err := st.APIKey(ctx, k.Hash)
			if want := open311.UsedDay(apitest.Now); err != nil || !got.LastUsed.Equal(want) {
				t.Errorf("%s: key last used %v, %v; want %v", c.op, got.LastUsed, err, want)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		// Every request's log line, of every function, is an EMF document of its metrics.
		lines := 0
		for op, path := range w.logs {
			out, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"msg":"request"`) {
					continue
				}
				lines++
				if err := metrics.CheckEMF([]byte(line)); err != nil {
					t.Errorf("%s: %v\n%s", op, err, line)
				}
				if !strings.Contains(line, `"operation":"`+op+`"`) && op != api.OpFallback {
					t.Errorf("%s: a line of another operation: %s", op, line)
				}
			}
		}
		if lines < len(apitest.Cases) {
			t.Errorf("%d request lines in the functions' logs for %d cases", lines, len(apitest.Cases))
		}
	})

	t.Run("events", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(awstest.Root(), "events", "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatal("no events/*.json")
		}
		sort.Strings(files)
		for _, file := range files {
			name := filepath.Base(file)
			if strings.HasPrefix(name, "feed-builder") {
				continue // a DynamoDB stream batch: TestFeedBuilder sends it to the feed builder
			}
			op := operationOfEvent(name)
			if op == "" {
				// An event of a function that API Gateway does not invoke (a stream consumer)
				// is not an HTTP API event; that function's own tests send it.
				fn := strings.TrimSuffix(name, ".json")
				if _, err := os.Stat(filepath.Join(awstest.Root(), "functions", fn, "main.go")); err == nil {
					t.Logf("%-36s not sent: functions/%s is not behind the HTTP API", name, fn)
					continue
				}
				t.Errorf("%s: names no operation of the route table and no function", name)
				continue
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var e events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(data, &e); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			status, _, body, err := w.invoke(t, op, e)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			ok := status >= 200 && status < 300
			if op == api.OpFallback {
				ok = status == http.StatusNotFound || status == http.StatusMethodNotAllowed
			}
			if op == api.OpPostHub { // no WebSub hub runs on AWS yet (functions/post-hub)
				ok = status == http.StatusServiceUnavailable && strings.Contains(string(body), "no WebSub hub")
			}
			if !ok {
				t.Errorf("%s: %s answered %d: %.300s", name, op, status, body)
				continue
			}
			t.Logf("%-36s %-24s %d", name, op, status)
		}
	})

	t.Run("policies", func(t *testing.T) {
		// The photo world's calls count with the golden world's (its table and bucket bound to
		// the same names: only the resources' names differ, which the policies do not name).
		c := newPolicyCheck(t, map[string]string{"Table": w.table, "PersonalDataKey": w.keyID, "FeedBucket": w.bucket, "FeedDistribution": w.distribution})
		for _, op := range api.Names() {
			did := w.access.accesses(op)
			for _, a := range pw.access.accesses(op) {
				// Recorded as the golden world's resources, so that one policy binding judges all.
				a.resource = strings.NewReplacer(pw.table, w.table, pw.bucket, w.bucket, pw.keyID, w.keyID, pw.distribution, w.distribution).Replace(a.resource)
				did = append(did, a)
			}
			c.check(t, op, did)
		}
		for _, e := range append(w.access.errs, pw.access.errs...) {
			t.Errorf("a call the test could not read: %s", e)
		}
	})

	if n := w.counter.totals()["Scan"]; n > 0 {
		t.Errorf("the functions called Scan %d times; they must only make keyed reads", n)
	}
	t.Logf("DynamoDB calls of the whole run: %s", format(w.counter.totals()))
}

// operationOfEvent names the operation of an events/ file: <operation>.json, or
// <operation>-<case>.json for the longest operation name that fits.
func operationOfEvent(file string) string {
	name := strings.TrimSuffix(file, ".json")
	best := ""
	for _, op := range api.Names() {
		if (name == op || strings.HasPrefix(name, op+"-")) && len(op) > len(best) {
			best = op
		}
	}
	return best
}

// TestTestBuildLinksNoBolt checks that the e2e build of the functions, which adds the golden
// clock (pkg/lambdaconfig/testclock.go and pkg/api/apitest), still links no embedded store: the
// functions under test are the deployed ones plus a clock, nothing local-only.
func TestTestBuildLinksNoBolt(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-tags", "e2e,"+e2e.LambdaTags, "./functions/...")
	cmd.Dir = awstest.Root()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "go.etcd.io/bbolt") || strings.HasSuffix(dep, "/pkg/store/bolt") || strings.Contains(dep, "/infra/") {
			t.Errorf("the e2e build of the functions links %s", dep)
		}
	}
}
