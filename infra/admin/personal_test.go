package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/personal"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

var other = open311.Reporter{Email: "bo@example.net", Phone: "555 0199", FirstName: "Bo", DeviceID: "dev-8"}

// storePeople stores, sealed by s: P-OLD by reporter, closed 400 days ago; P-NEW by reporter,
// open; P-BO by other, closed 400 days ago.
func storePeople(t *testing.T, st store.Requests, s seal.Sealer) {
	t.Helper()
	ctx := context.Background()
	long := time.Now().Add(-500 * 24 * time.Hour).UTC().Truncate(time.Second)
	for _, c := range []struct {
		id     string
		rep    open311.Reporter
		closed bool
	}{{"P-OLD", reporter, true}, {"P-NEW", reporter, false}, {"P-BO", other, true}} {
		r := open311.Request{ID: c.id, JurisdictionID: "city.example.org", ServiceCode: "pothole", ServiceName: "Pothole",
			Status: open311.Open, Requested: long, Updated: long, Address: "1 Main St", Description: "A hole", Version: 1, Reporter: c.rep}
		if err := desk.SealReporter(ctx, s, &r); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
			t.Fatal(err)
		}
		if !c.closed {
			continue
		}
		_, err := store.UpdateRequest(ctx, st, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			closed := open311.Closed
			return (open311.Change{Status: &closed}).Apply(r, nil, "Public Works", time.Now().Add(-400*24*time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkPersonal runs personal find, sweep and erase with the global flags given, and checks
// what each says and what the store holds after each.
func checkPersonal(t *testing.T, global []string, holds func(id string) bool) {
	t.Helper()
	find := func(args ...string) []personal.Record {
		t.Helper()
		r := mustRun(t, append(append(global, "personal", "find"), args...)...)
		var recs []personal.Record
		if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
			t.Fatalf("personal find printed %q: %v", r.stdout, err)
		}
		return recs
	}
	ids := func(recs []personal.Record) string {
		var out []string
		for _, r := range recs {
			out = append(out, r.RequestID)
		}
		return strings.Join(out, " ")
	}
	recs := find("-email", strings.ToUpper(reporter.Email))
	if got := ids(recs); got != "P-OLD P-NEW" {
		t.Fatalf("personal find -email: %q, want P-OLD P-NEW", got)
	}
	if recs[0].Reporter != reporter || recs[0].JurisdictionID != "city.example.org" || recs[0].Description != "A hole" {
		t.Errorf("the export of P-OLD: %+v", recs[0])
	}
	if got := ids(find("-device-id", other.DeviceID)); got != "P-BO" {
		t.Errorf("personal find -device-id: %q, want P-BO", got)
	}

	r := mustRun(t, append(global, "personal", "sweep", "-days", "365")...)
	if !strings.Contains(r.stdout, "erased the reporter of 2 requests") || !strings.Contains(r.stdout, "city.example.org/P-OLD") {
		t.Errorf("personal sweep said %q, want P-OLD and P-BO erased", r.stdout)
	}
	for id, want := range map[string]bool{"P-OLD": false, "P-BO": false, "P-NEW": true} {
		if holds(id) != want {
			t.Errorf("after the sweep %s holds its reporter: %t, want %t", id, !want, want)
		}
	}
	r = mustRun(t, append(global, "personal", "erase", "-phone", "+1-555-0100")...)
	if strings.TrimSpace(r.stdout) != "erased the reporter of 1 requests: city.example.org/P-NEW" {
		t.Errorf("personal erase said %q", r.stdout)
	}
	if holds("P-NEW") {
		t.Error("after personal erase P-NEW holds its reporter")
	}
	if got := find("-email", reporter.Email); len(got) != 0 {
		t.Errorf("after the erasure personal find found %q", ids(got))
	}
	if bad := admin(t, append(global, "personal", "find")...); bad.code != 2 || !strings.Contains(bad.stderr, "give the person's -email, -phone or -device-id") {
		t.Errorf("personal find without a person: exit %d, %q", bad.code, bad.stderr)
	}
}

// TestPersonalBolt runs the person's export, the sweep and the erasure on the local stack's store.
func TestPersonalBolt(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	key, err := seal.KeyFile(filepath.Join(data, personalKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	withBolt(t, data, func(st *bolt.Store) { storePeople(t, st, key) })
	checkPersonal(t, []string{"-data", data}, func(id string) (holds bool) {
		withBolt(t, data, func(st *bolt.Store) {
			r, err := st.Request(context.Background(), "city.example.org", id)
			if err != nil {
				t.Fatal(err)
			}
			holds = r.HoldsReporter()
		})
		return holds
	})
}

// TestPersonalDynamo runs them on a DynamoDB table (moto's) with reporters sealed under a KMS key,
// and then finds none of the erased reporters' sealed values in any item of the table.
func TestPersonalDynamo(t *testing.T) {
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	table := fmt.Sprintf("admin-personal-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	global := []string{"-store", "dynamo", "-endpoint", endpoint, "-table", table}
	mustRun(t, append(global, "table", "create")...)
	mustRun(t, append(global, "catalog", "load", demoCatalog)...)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	kc := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("admin personal test")})
	if err != nil {
		t.Fatal(err)
	}
	client := dynamoClient(endpoint)
	st := dynamo.New(client, table)
	storePeople(t, st, kmsseal.New(kc, aws.ToString(k.KeyMetadata.Arn)))
	checkPersonal(t, global, func(id string) bool {
		r, err := st.Request(ctx, "city.example.org", id)
		if err != nil {
			t.Fatal(err)
		}
		return r.HoldsReporter()
	})
	// Every item of the table (a test may Scan): no request holds a sealed reporter any more,
	// and no item names it.
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		if _, ok := item["reporter_sealed"]; ok {
			t.Errorf("item %v still holds a sealed reporter", item["PK"])
		}
		if _, ok := item["GSI3PK"]; ok {
			t.Errorf("item %v is still in the index of reporters", item["PK"])
		}
	}
}
