package dynamo_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
	"github.com/civicworks/open311/pkg/store/storetest"
)

// TestMain stops the moto server the tests start (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

// opCounter counts the DynamoDB operations a client calls, by operation name.
type opCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// register adds the counting middleware to an operation's stack (a client's APIOptions).
func (c *opCounter) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("open311OperationCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[middleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// take returns the counts since the last take and starts again from zero.
func (c *opCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

var tableSeq atomic.Int64

// newClient returns a DynamoDB client of the endpoint with dummy credentials, counting its
// operations with counter when it is not nil.
func newClient(endpoint string, counter *opCounter) *dynamodb.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		if counter != nil {
			o.APIOptions = append(o.APIOptions, counter.register)
		}
	})
}

// openStore returns a Store on a new, empty table and the counter of its client's operations
// (reset after the table is made). It skips the test when no endpoint is configured.
func openStore(t *testing.T) (*dynamo.Store, *opCounter) {
	t.Helper()
	endpoint := awstest.Endpoint(t)
	counter := &opCounter{n: map[string]int{}}
	client := newClient(endpoint, counter)
	table := fmt.Sprintf("open311-test-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	ctx := context.Background()
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		if n := counter.take(); n["Scan"] > 0 {
			t.Errorf("the store called Scan %d times; it must only make keyed reads", n["Scan"])
		}
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
			t.Logf("delete table %s: %v", table, err)
		}
	})
	counter.take()
	return dynamo.New(client, table), counter
}

// TestStore runs the conformance suite every store must pass, on a new table per subtest. The
// tests of this package run in parallel, each on a moto server of its own (awstest.Endpoint).
func TestStore(t *testing.T) {
	t.Parallel()
	awstest.Require(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openStore(t)
		return s
	})
}

// TestTableSchema checks the table CreateTable makes against the schema docs/store-dynamodb.md
// documents (and template.yaml copies).
func TestTableSchema(t *testing.T) {
	t.Parallel()
	endpoint := awstest.Endpoint(t)
	client := newClient(endpoint, nil)
	ctx := context.Background()
	table := fmt.Sprintf("open311-schema-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.Table
	keys := func(ks []types.KeySchemaElement) string {
		var s []string
		for _, k := range ks {
			s = append(s, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
		}
		return strings.Join(s, ", ")
	}
	var attrs []string
	for _, a := range d.AttributeDefinitions {
		attrs = append(attrs, aws.ToString(a.AttributeName)+" "+string(a.AttributeType))
	}
	slices.Sort(attrs)
	got := map[string]string{
		"attributes": strings.Join(attrs, ", "),
		"key":        keys(d.KeySchema),
		"stream":     fmt.Sprint(d.StreamSpecification != nil && aws.ToBool(d.StreamSpecification.StreamEnabled)),
	}
	if d.StreamSpecification != nil {
		got["stream view"] = string(d.StreamSpecification.StreamViewType)
	}
	if d.BillingModeSummary != nil {
		got["billing"] = string(d.BillingModeSummary.BillingMode)
	}
	for _, g := range d.GlobalSecondaryIndexes {
		got["index "+aws.ToString(g.IndexName)] = keys(g.KeySchema) + "; " + string(g.Projection.ProjectionType)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	got["ttl"] = aws.ToString(ttl.TimeToLiveDescription.AttributeName) + " " + string(ttl.TimeToLiveDescription.TimeToLiveStatus)
	want := map[string]string{
		"attributes":  "GSI1PK S, GSI1SK S, GSI2PK S, GSI2SK S, GSI3PK S, GSI3SK S, GSI4PK S, GSI4SK S, PK S, SK S",
		"key":         "PK HASH, SK RANGE",
		"stream":      "true",
		"stream view": "KEYS_ONLY",
		"billing":     "PAY_PER_REQUEST",
		"index GSI1":  "GSI1PK HASH, GSI1SK RANGE; ALL",
		"index GSI2":  "GSI2PK HASH, GSI2SK RANGE; ALL",
		"index GSI3":  "GSI3PK HASH, GSI3SK RANGE; KEYS_ONLY",
		"index GSI4":  "GSI4PK HASH, GSI4SK RANGE; ALL",
		"ttl":         "expires_at ENABLED",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(d.GlobalSecondaryIndexes) != 4 || len(d.LocalSecondaryIndexes) != 0 {
		t.Errorf("got %d global and %d local indexes, want GSI1 to GSI4 only", len(d.GlobalSecondaryIndexes), len(d.LocalSecondaryIndexes))
	}
}

// Fixtures.
const jur = "city.example.gov"

var t0 = time.Date(2024, time.March, 1, 9, 0, 0, 0, time.UTC)

func newRequest(id string, minutes int) open311.Request {
	at := t0.Add(time.Duration(minutes) * time.Minute)
	return open311.Request{
		ID: id, JurisdictionID: jur, ServiceCode: "pothole", ServiceName: "Pothole",
		Status: open311.Open, Description: "deep hole", Requested: at, Updated: at,
		Point:      &open311.Point{Lat: 37.76, Long: -122.41},
		Attributes: map[string][]string{"size": {"large"}},
		Reporter:   open311.Reporter{Email: "someone@example.org"},
		Version:    1,
	}
}

func created(r open311.Request) open311.Activity {
	return open311.Activity{ID: r.ID + "-a1", RequestID: r.ID, JurisdictionID: r.JurisdictionID,
		At: r.Requested, Who: "reporter", Kind: "created", Status: r.Status}
}

func mustCreate(t *testing.T, s *dynamo.Store, rs ...open311.Request) {
	t.Helper()
	for _, r := range rs {
		if err := s.CreateRequest(context.Background(), r, created(r)); err != nil {
			t.Fatalf("create %s: %v", r.ID, err)
		}
	}
}

func ids(rs []open311.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestOperationCounts pins down the DynamoDB calls of the API's hot paths, as
// docs/store-dynamodb.md promises them.
func TestOperationCounts(t *testing.T) {
	t.Parallel()
	s, counter := openStore(t)
	ctx := context.Background()
	r := newRequest("R1", 0)

	if err := s.CreateRequest(ctx, r, created(r)); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "CreateRequest", counter.take(), map[string]int{"TransactWriteItems": 1})

	batch := newRequest("R2", 1)
	batch.Status, batch.Token = open311.Submitted, "TOKEN2"
	if err := s.CreateRequest(ctx, batch, created(batch)); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "CreateRequest with token", counter.take(), map[string]int{"TransactWriteItems": 1})

	if _, err := s.Request(ctx, jur, "R1"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "Request", counter.take(), map[string]int{"GetItem": 1})

	if _, err := s.Request(ctx, jur, "nope"); !open311.IsKind(err, open311.NotFound) {
		t.Fatalf("Request of an unknown id: got %v, want NotFound", err)
	}
	assertCalls(t, "Request of an unknown id", counter.take(), map[string]int{"GetItem": 1})

	for _, r := range []open311.Request{newRequest("R3", 2), newRequest("R4", 3)} {
		mustCreate(t, s, r)
	}
	counter.take()
	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"R4", "R3", "R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests: got %q, want %q", got, want)
	}
	assertCalls(t, "QueryRequests of one page", counter.take(), map[string]int{"Query": 1})

	// The staff queue: the public and the hidden partition, one Query each, merged.
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Limit: 10, IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"R4", "R3", "R2", "R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests with the hidden ones: got %q, want %q", got, want)
	}
	assertCalls(t, "QueryRequests with the hidden ones", counter.take(), map[string]int{"Query": 2})

	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "QueryRequests of a page that is not the last", counter.take(), map[string]int{"Query": 1})
	if page.Next == "" {
		t.Fatal("QueryRequests with Limit 2 of 3: no Next")
	}
	if _, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Limit: 2, Cursor: page.Next}); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "QueryRequests of the next page", counter.take(), map[string]int{"Query": 1})

	if _, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jur, IDs: []string{"R1", "R3"}}); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "QueryRequests by ids", counter.take(), map[string]int{"BatchGetItem": 1})

	if _, err := s.RequestByToken(ctx, jur, "TOKEN2"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "RequestByToken", counter.take(), map[string]int{"GetItem": 2})

	_, err = store.UpdateRequest(ctx, s, jur, "R1", func(r *open311.Request) ([]open311.Activity, error) {
		r.Status = open311.Closed
		r.Updated = r.Updated.Add(time.Hour)
		return []open311.Activity{{ID: "c1", At: r.Updated, Who: "Public Works", Kind: "status", Status: open311.Closed}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "UpdateRequest", counter.take(), map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1})

	if _, err := s.Activities(ctx, jur, "R1"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "Activities", counter.take(), map[string]int{"Query": 1})

	// A client's update: its id is reserved in the same write, and found with one GetItem.
	_, err = store.UpdateRequest(ctx, s, jur, "R3", func(r *open311.Request) ([]open311.Activity, error) {
		return []open311.Activity{{ID: "u1", At: r.Updated, Who: "reporter", Kind: open311.KindComment, Status: r.Status, ClientUpdateID: "fms-1"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "UpdateRequest with a client update id", counter.take(), map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1})
	if a, err := s.ActivityByClientID(ctx, jur, "fms-1"); err != nil || a.ID != "u1" {
		t.Fatalf("ActivityByClientID: got %v, %v; want u1", a.ID, err)
	}
	assertCalls(t, "ActivityByClientID", counter.take(), map[string]int{"GetItem": 1})
	if _, err := s.ActivityByClientID(ctx, jur, "fms-unknown"); !open311.IsKind(err, open311.NotFound) {
		t.Fatalf("ActivityByClientID of an unknown id: got %v, want NotFound", err)
	}
	assertCalls(t, "ActivityByClientID of an unknown id", counter.take(), map[string]int{"GetItem": 1})

	// Linking two requests: one read of both, one write of both.
	_, err = s.UpdateRequests(ctx, jur, []string{"R3", "R4"}, func(rs []*open311.Request) ([]open311.Activity, error) {
		rs[0].Links = append(rs[0].Links, open311.Link{Kind: open311.RelatedTo, TargetID: "R4"})
		rs[1].Links = append(rs[1].Links, open311.Link{Kind: open311.RelatedTo, TargetID: "R3"})
		return []open311.Activity{
			{ID: "l3", RequestID: "R3", At: rs[0].Updated, Who: "staff", Kind: open311.KindLink, Status: rs[0].Status},
			{ID: "l4", RequestID: "R4", At: rs[1].Updated, Who: "staff", Kind: open311.KindLink, Status: rs[1].Status},
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "UpdateRequests of two requests", counter.take(), map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1})

	// Updates: R1, R3, R4 created, R1 closed, R3 commented, R3 and R4 linked (R2 is submitted).
	up, err := s.Updates(ctx, store.UpdateQuery{JurisdictionID: jur, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "Updates of a page that is not the last", counter.take(), map[string]int{"Query": 1})
	if len(up.Activities) != 4 || up.Next == "" {
		t.Fatalf("Updates with Limit 4: got %d activities, next %q; want 4 and a next page", len(up.Activities), up.Next)
	}
	up, err = s.Updates(ctx, store.UpdateQuery{JurisdictionID: jur, Limit: 4, Cursor: up.Next})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "Updates of the next page", counter.take(), map[string]int{"Query": 1})
	if len(up.Activities) != 3 || up.Next != "" {
		t.Errorf("Updates' second page: got %d activities, next %q; want 3 and no next page", len(up.Activities), up.Next)
	}

	// A search within a few hundred metres reads at most 4 geohash cells; a box too big for
	// the cell limit is one Query of the jurisdiction's listing.
	near := &open311.Circle{Center: open311.Point{Lat: 37.76, Long: -122.41}, Radius: 500}
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Near: near})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"R4", "R3", "R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests near: got %q, want %q", got, want)
	}
	if n := counter.take(); len(n) != 1 || n["Query"] < 1 || n["Query"] > 4 {
		t.Errorf("QueryRequests near made DynamoDB calls %v, want 1 to 4 Query", n)
	}
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Within: &open311.BBox{MinLong: -123, MinLat: 37, MaxLong: -122, MaxLat: 38}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"R4", "R3", "R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests within a big box: got %q, want %q", got, want)
	}
	assertCalls(t, "QueryRequests within a big box", counter.take(), map[string]int{"Query": 1})
}

func assertCalls(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s made DynamoDB calls %v, want %v", what, got, want)
	}
}

// TestRequests exercises the request paths of the store directly; the conformance suite covers
// the contract in full.
func TestRequests(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	ctx := context.Background()
	r := newRequest("R1", 0)
	mustCreate(t, s, r)

	got, err := s.Request(ctx, jur, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("Request:\n got %+v\nwant %+v", got, r)
	}
	if err := s.CreateRequest(ctx, r, created(r)); !open311.IsKind(err, open311.Conflict) {
		t.Errorf("second CreateRequest of R1: got %v, want Conflict", err)
	}

	// A private request is stored and fetched, never listed.
	private := newRequest("P1", 5)
	private.Private = true
	mustCreate(t, s, private)
	if _, err := s.Request(ctx, jur, "P1"); err != nil {
		t.Errorf("Request of a private request: %v", err)
	}
	page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jur})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests: got %q, want %q", got, want)
	}

	// A batch request joins the listing once accepted.
	b := newRequest("B1", 10)
	b.Status, b.Token = open311.Submitted, "T1"
	mustCreate(t, s, b)
	other := newRequest("B2", 11)
	other.Token = "T1"
	if err := s.CreateRequest(ctx, other, created(other)); !open311.IsKind(err, open311.Conflict) {
		t.Errorf("CreateRequest with a taken token: got %v, want Conflict", err)
	}
	if _, err := s.Request(ctx, jur, "B2"); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("a request whose creation conflicted exists: %v", err)
	}
	if got, err := s.RequestByToken(ctx, jur, "T1"); err != nil || got.ID != "B1" {
		t.Errorf("RequestByToken: got %v, %v; want B1", got.ID, err)
	}
	_, err = store.UpdateRequest(ctx, s, jur, "B1", func(r *open311.Request) ([]open311.Activity, error) {
		r.Status = open311.Open
		return []open311.Activity{{ID: "accept", At: r.Updated, Who: "staff", Kind: "status", Status: open311.Open}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err = s.QueryRequests(ctx, store.Query{JurisdictionID: jur})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(page.Requests), []string{"B1", "R1"}; !slices.Equal(got, want) {
		t.Errorf("QueryRequests after accepting B1: got %q, want %q", got, want)
	}
	acts, err := s.Activities(ctx, jur, "B1")
	if err != nil {
		t.Fatal(err)
	}
	var actIDs []string
	for _, a := range acts {
		actIDs = append(actIDs, a.ID)
	}
	if want := []string{"B1-a1", "accept"}; !slices.Equal(actIDs, want) {
		t.Errorf("Activities: got %q, want %q", actIDs, want)
	}
}

// TestUpdateConflict checks that a write between an update's read and its write makes the
// update fail with Conflict and leaves the other write in place.
func TestUpdateConflict(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	ctx := context.Background()
	mustCreate(t, s, newRequest("R1", 0))
	_, err := store.UpdateRequest(ctx, s, jur, "R1", func(r *open311.Request) ([]open311.Activity, error) {
		_, err := store.UpdateRequest(ctx, s, jur, "R1", func(r *open311.Request) ([]open311.Activity, error) {
			r.StatusNotes = "inner"
			return nil, nil
		})
		if err != nil {
			t.Fatalf("inner update: %v", err)
		}
		r.StatusNotes = "outer"
		return nil, nil
	})
	if !open311.IsKind(err, open311.Conflict) {
		t.Fatalf("outer update: got %v, want Conflict", err)
	}
	got, err := s.Request(ctx, jur, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusNotes != "inner" || got.Version != 2 {
		t.Errorf("after the conflict: notes %q version %d, want inner, 2", got.StatusNotes, got.Version)
	}
}

// TestQueryPaging walks pages of a filtered and an unfiltered listing and checks that they
// neither skip nor repeat, including pages that end in the middle of a DynamoDB page.
func TestQueryPaging(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	ctx := context.Background()
	var want []string
	for i := range 25 {
		r := newRequest(fmt.Sprintf("R%02d", i), i/2) // pairs share a requested time
		if i%3 == 0 {
			r.ServiceCode = "graffiti"
		}
		mustCreate(t, s, r)
	}
	for i := 24; i >= 0; i-- {
		want = append(want, fmt.Sprintf("R%02d", i))
	}
	for _, tt := range []struct {
		name  string
		q     store.Query
		want  []string
		limit int
	}{
		{"all", store.Query{JurisdictionID: jur}, want, 4},
		{"graffiti", store.Query{JurisdictionID: jur, ServiceCodes: []string{"graffiti"}}, filter(want, func(i int) bool { return i%3 == 0 }), 3},
		{"offset", store.Query{JurisdictionID: jur, Offset: 5}, want[5:], 7},
		{"requested range", store.Query{JurisdictionID: jur, RequestedFrom: t0.Add(2 * time.Minute), RequestedTo: t0.Add(5 * time.Minute)},
			[]string{"R11", "R10", "R09", "R08", "R07", "R06", "R05", "R04"}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Limit = tt.limit
			var got []string
			for pages := 0; ; pages++ {
				if pages > 30 {
					t.Fatal("paging does not end")
				}
				page, err := s.QueryRequests(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ids(page.Requests)...)
				if page.Next == "" {
					break
				}
				q.Cursor, q.Offset = page.Next, 0
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	if _, err := s.QueryRequests(ctx, store.Query{JurisdictionID: jur, Cursor: "not a cursor!"}); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("bad cursor: got %v, want Invalid", err)
	}
}

func filter(ids []string, keep func(i int) bool) []string {
	var out []string
	for _, id := range ids {
		var i int
		fmt.Sscanf(id, "R%d", &i)
		if keep(i) {
			out = append(out, id)
		}
	}
	return out
}

// TestQueryGeoCells walks geo queries over enough requests that a cell takes more than one
// read, and checks them against the reference (BBox and Circle Contains, newest first). The
// store's smallest filtered read is 10 instead of 100, so that 60 requests do what 600 would.
func TestQueryGeoCells(t *testing.T) {
	t.Parallel()
	s, counter := openStore(t)
	dynamo.SetMinFilteredRead(s, 10)
	ctx := context.Background()
	center := open311.Point{Lat: 37.76, Long: -122.41}
	var all []open311.Request
	for i := range 60 {
		r := newRequest(fmt.Sprintf("G%03d", i), i/3) // triples share a requested time
		// A grid of 6 by 10 points about 400 m apart, around the center, in two cells: 50
		// points in one, many times the smallest read.
		r.Point = &open311.Point{Lat: center.Lat + float64(i%6-3)*0.0037, Long: center.Long + float64(i/6-5)*0.0042}
		switch {
		case i < 3: // the oldest only, so that a search for them reads cells to their ends
			r.ServiceCode = "streetlight"
		case i%7 == 0:
			r.ServiceCode = "graffiti"
		}
		all = append(all, r)
	}
	for i := 0; i < len(all); {
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for k := range errs {
			if i+k < len(all) {
				r := all[i+k]
				wg.Go(func() { errs[k] = s.CreateRequest(ctx, r, created(r)) })
			}
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		i += len(errs)
	}
	counter.take()
	circle := &open311.Circle{Center: center, Radius: 1500}
	box := &open311.BBox{MinLong: -122.43, MinLat: 37.75, MaxLong: -122.40, MaxLat: 37.775}
	for _, tc := range []struct {
		name  string
		q     store.Query
		limit int
		// firstReads is the fewest Query calls of the first page: a cell read more than once.
		firstReads int
	}{
		{"near", store.Query{Near: circle}, 7, 0},
		{"near, pages of 100", store.Query{Near: circle}, 100, 0},
		{"within", store.Query{Within: box}, 9, 0},
		{"within, graffiti", store.Query{Within: box, ServiceCodes: []string{"graffiti"}}, 4, 0},
		// The 3 streetlights are the oldest: the cell of 50 is read to its end, 10 at a time.
		{"around all, streetlights", store.Query{Within: &open311.BBox{MinLong: -122.45, MinLat: 37.74, MaxLong: -122.37, MaxLat: 37.78}, ServiceCodes: []string{"streetlight"}}, 2, 5},
		{"near, offset", store.Query{Near: circle, Offset: 11}, 5, 0},
		{"near, requested range", store.Query{Near: circle, RequestedFrom: t0.Add(20 * time.Minute), RequestedTo: t0.Add(60 * time.Minute)}, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.JurisdictionID, q.Limit = jur, tc.limit
			var want []string
			for i := len(all) - 1; i >= 0; i-- {
				r := all[i]
				if (q.Near == nil || q.Near.Contains(*r.Point)) && (q.Within == nil || q.Within.Contains(*r.Point)) &&
					(len(q.ServiceCodes) == 0 || slices.Contains(q.ServiceCodes, r.ServiceCode)) &&
					(q.RequestedFrom.IsZero() || !r.Requested.Before(q.RequestedFrom)) && (q.RequestedTo.IsZero() || !r.Requested.After(q.RequestedTo)) {
					want = append(want, r.ID)
				}
			}
			// newRequest's times tie in threes; newest first breaks ties by id descending,
			// which the loop above does as the ids grow with i.
			want = want[min(q.Offset, len(want)):]
			var got []string
			for pages := 0; ; pages++ {
				if pages > len(all) {
					t.Fatal("paging does not end")
				}
				page, err := s.QueryRequests(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				n := counter.take()
				if n["Scan"] > 0 || n["Query"] == 0 {
					t.Errorf("page %d made DynamoDB calls %v", pages, n)
				}
				if pages == 0 && n["Query"] < tc.firstReads {
					t.Errorf("the first page made %d Query calls, want at least %d", n["Query"], tc.firstReads)
				}
				got = append(got, ids(page.Requests)...)
				if page.Next == "" {
					break
				}
				q.Cursor, q.Offset = page.Next, 0
			}
			if !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestConflictMessages checks that a cancelled transaction says which condition failed.
func TestConflictMessages(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	ctx := context.Background()
	mustCreate(t, s, newRequest("R1", 0), newRequest("R2", 1))
	comment := func(id, clientID string) func(*open311.Request) ([]open311.Activity, error) {
		return func(r *open311.Request) ([]open311.Activity, error) {
			return []open311.Activity{{ID: id, At: r.Updated, Who: "reporter", Kind: open311.KindComment, Status: r.Status, ClientUpdateID: clientID}}, nil
		}
	}
	if _, err := store.UpdateRequest(ctx, s, jur, "R1", comment("c1", "fms-9")); err != nil {
		t.Fatal(err)
	}
	_, err := store.UpdateRequest(ctx, s, jur, "R2", comment("c2", "fms-9"))
	if !open311.IsKind(err, open311.Conflict) || !strings.Contains(strings.Join(open311.ErrorMessages(err), " "), "client update id fms-9") {
		t.Errorf("reusing a client update id: got %v, want a Conflict naming it", err)
	}
	_, err = store.UpdateRequest(ctx, s, jur, "R1", func(r *open311.Request) ([]open311.Activity, error) {
		if _, err := store.UpdateRequest(ctx, s, jur, "R1", comment("c3", "")); err != nil {
			t.Fatalf("inner update: %v", err)
		}
		return comment("c4", "fms-10")(r)
	})
	if !open311.IsKind(err, open311.Conflict) || !strings.Contains(strings.Join(open311.ErrorMessages(err), " "), "request R1 changed") {
		t.Errorf("losing a race: got %v, want a Conflict saying R1 changed", err)
	}
	if _, err := s.ActivityByClientID(ctx, jur, "fms-10"); !open311.IsKind(err, open311.NotFound) {
		t.Errorf("the client update id of a lost write is taken: %v", err)
	}
}

// TestRecentActivities checks the cost of the aggregate feeds' read, one Query whatever is
// stored, and that activities written before items carried their request's copy are listed
// with their requests read in one BatchGetItem (and only in the jurisdiction's partition,
// since they have no service partition) until BackfillActivities gives them both.
func TestRecentActivities(t *testing.T) {
	t.Parallel()
	s, counter := openStore(t)
	ctx := context.Background()
	var want []string
	for i := range 12 {
		r := newRequest(fmt.Sprintf("R%02d", i), i)
		r.Address = "Corner " + r.ID
		mustCreate(t, s, r)
		want = append([]string{created(r).ID}, want...)
	}
	counter.take()
	for _, q := range []store.RecentQuery{{JurisdictionID: jur, Limit: 5}, {JurisdictionID: jur, ServiceCode: "pothole", Limit: 5}} {
		got, err := s.RecentActivities(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		assertCalls(t, fmt.Sprintf("RecentActivities %+v", q), counter.take(), map[string]int{"Query": 1})
		if ids := entryIDs(got); !slices.Equal(ids, want[:5]) {
			t.Errorf("RecentActivities %+v: got %q, want %q", q, ids, want[:5])
		}
	}

	for _, id := range []string{"R11", "R09", "R08"} {
		if err := dynamo.MakeActivitiesOld(ctx, s, jur, id); err != nil {
			t.Fatal(err)
		}
	}
	counter.take()
	got, err := s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jur, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "RecentActivities with old items", counter.take(), map[string]int{"Query": 1, "BatchGetItem": 1})
	if ids := entryIDs(got); !slices.Equal(ids, want[:5]) {
		t.Errorf("RecentActivities with old items: got %q, want %q", ids, want[:5])
	}
	for _, e := range got {
		r, err := s.Request(ctx, jur, e.Activity.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		if want := store.NewEntryRequest(r, e.Activity); !reflect.DeepEqual(e.Request, want) {
			t.Errorf("entry of %s: request %+v, want %+v", e.Activity.ID, e.Request, want)
		}
	}
	got, err = s.RecentActivities(ctx, store.RecentQuery{JurisdictionID: jur, ServiceCode: "pothole", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if ids, want := entryIDs(got), []string{"R10-a1", "R07-a1", "R06-a1", "R05-a1", "R04-a1"}; !slices.Equal(ids, want) {
		t.Errorf("RecentActivities of the service with old items: got %q, want %q (old items have no service partition)", ids, want)
	}

	// The backfill gives the old items their copy and their service partition, once.
	n, err := s.BackfillActivities(ctx, jur)
	if err != nil || n != 3 {
		t.Fatalf("BackfillActivities: %d items, %v; want the 3 old ones", n, err)
	}
	if n, err := s.BackfillActivities(ctx, jur); err != nil || n != 0 {
		t.Errorf("BackfillActivities again: %d items, %v; want none", n, err)
	}
	counter.take()
	for _, q := range []store.RecentQuery{{JurisdictionID: jur, Limit: 5}, {JurisdictionID: jur, ServiceCode: "pothole", Limit: 5}} {
		got, err := s.RecentActivities(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		assertCalls(t, fmt.Sprintf("RecentActivities %+v after the backfill", q), counter.take(), map[string]int{"Query": 1})
		if ids := entryIDs(got); !slices.Equal(ids, want[:5]) {
			t.Errorf("RecentActivities %+v after the backfill: got %q, want %q", q, ids, want[:5])
		}
		for _, e := range got {
			r, err := s.Request(ctx, jur, e.Activity.RequestID)
			if err != nil {
				t.Fatal(err)
			}
			if want := store.NewEntryRequest(r, e.Activity); !reflect.DeepEqual(e.Request, want) {
				t.Errorf("entry of %s after the backfill: request %+v, want %+v", e.Activity.ID, e.Request, want)
			}
		}
		counter.take()
	}
}

func entryIDs(es []store.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Activity.ID)
	}
	return out
}

// TestBackfillHidden makes a submitted and a private request as the store wrote them before the
// staff queue (no GSI1 keys), and checks that the staff listing misses them until
// BackfillHidden gives them their HIDDEN# keys, once.
func TestBackfillHidden(t *testing.T) {
	t.Parallel()
	endpoint := awstest.Endpoint(t)
	client := newClient(endpoint, nil)
	table := fmt.Sprintf("open311-test-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	ctx := context.Background()
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	s := dynamo.New(client, table)
	public, batch, private := newRequest("R1", 0), newRequest("R2", 1), newRequest("R3", 2)
	batch.Status, batch.Token = open311.Submitted, "TOKEN2"
	private.Private = true
	other := newRequest("R4", 3)
	other.JurisdictionID = "elsewhere.example.org"
	other.Private = true
	mustCreate(t, s, public)
	for _, r := range []open311.Request{batch, private, other} {
		mustCreate(t, s, r)
		if err := dynamo.MakeHiddenRequestOld(ctx, s, r.JurisdictionID, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	staff := func(j string) []string {
		t.Helper()
		page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: j, IncludeHidden: true})
		if err != nil {
			t.Fatal(err)
		}
		return ids(page.Requests)
	}
	if got := staff(jur); !slices.Equal(got, []string{"R1"}) {
		t.Fatalf("staff listing of old items: %q, want only R1 (the others' GSI1 keys are gone)", got)
	}
	if n, err := s.BackfillHidden(ctx, jur); err != nil || n != 2 {
		t.Fatalf("BackfillHidden(%s): %d, %v; want the 2 hidden requests", jur, n, err)
	}
	if got, want := staff(jur), []string{"R3", "R2", "R1"}; !slices.Equal(got, want) {
		t.Errorf("staff listing after the backfill: %q, want %q", got, want)
	}
	if got := staff(other.JurisdictionID); len(got) != 0 {
		t.Errorf("the other jurisdiction was backfilled: %q", got)
	}
	if n, err := s.BackfillHidden(ctx, ""); err != nil || n != 1 {
		t.Errorf("BackfillHidden of every jurisdiction: %d, %v; want 1 (the other's request)", n, err)
	}
	if n, err := s.BackfillHidden(ctx, ""); err != nil || n != 0 {
		t.Errorf("BackfillHidden again: %d, %v; want none", n, err)
	}
	if got, want := staff(other.JurisdictionID), []string{"R4"}; !slices.Equal(got, want) {
		t.Errorf("the other jurisdiction after the backfill: %q, want %q", got, want)
	}
}
