package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// reporter is who files the request the tests store: every personal field.
var reporter = open311.Reporter{Email: "ana@example.net", Phone: "+1 555 0100", FirstName: "Ana", LastName: "Núñez",
	DeviceID: "dev-7", AccountID: "acct-9"}

// storeSealed stores request R1 of city.example.org with its reporter sealed by s, as the desk
// does, and checks that the stored request holds none of the reporter's values.
func storeSealed(t *testing.T, st store.Requests, s seal.Sealer) {
	t.Helper()
	ctx := context.Background()
	r := open311.Request{ID: "R1", JurisdictionID: "city.example.org", ServiceCode: "pothole", Status: open311.Open,
		Requested: time.Now(), Updated: time.Now(), Address: "1 Main St", Version: 1, Reporter: reporter}
	if err := desk.SealReporter(ctx, s, &r); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
		t.Fatal(err)
	}
	got, err := st.Request(ctx, r.JurisdictionID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), reporter.Email) || strings.Contains(string(b), "Núñez") || len(got.ReporterSealed) == 0 {
		t.Fatalf("the stored request holds its reporter in clear: %s", b)
	}
}

// wantReporter checks what requests reporter printed.
func wantReporter(t *testing.T, r result) {
	t.Helper()
	var got struct {
		JurisdictionID string           `json:"jurisdiction_id"`
		RequestID      string           `json:"service_request_id"`
		Reporter       open311.Reporter `json:"reporter"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("requests reporter printed %q: %v", r.stdout, err)
	}
	if got.JurisdictionID != "city.example.org" || got.RequestID != "R1" || got.Reporter != reporter {
		t.Errorf("requests reporter printed %+v, want R1 of city.example.org by %+v", got, reporter)
	}
}

// TestReporterBolt opens a sealed reporter of the local stack's store with its key file, and
// says what is wrong without the file, with another key, or for an unknown request.
func TestReporterBolt(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	keyPath := filepath.Join(data, personalKeyFile)
	key, err := seal.KeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	withBolt(t, data, func(st *bolt.Store) { storeSealed(t, st, key) })

	wantReporter(t, mustRun(t, "-data", data, "requests", "reporter", "-jurisdiction", "city.example.org", "-id", "R1"))

	for _, c := range []struct {
		name  string
		setup func()
		args  []string
		code  int
		say   string
	}{
		{"unknown request", nil, []string{"-id", "R2", "-jurisdiction", "city.example.org"}, 1, "no request R2 in jurisdiction city.example.org"},
		{"no id", nil, []string{"-jurisdiction", "city.example.org"}, 2, "give the request's -jurisdiction and -id"},
		{"another key", func() { os.WriteFile(keyPath, []byte(strings.Repeat("ab", 32)+"\n"), 0o600) }, []string{"-id", "R1", "-jurisdiction", "city.example.org"}, 1, "does not open with this key"},
		{"no key file", func() { os.Remove(keyPath) }, []string{"-id", "R1", "-jurisdiction", "city.example.org"}, 1, "no personal data key at " + keyPath},
	} {
		if c.setup != nil {
			c.setup()
		}
		r := admin(t, append([]string{"-data", data, "requests", "reporter"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.say) || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d saying %q", c.name, r.code, r.stdout, r.stderr, c.code, c.say)
		}
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Errorf("requests reporter made a key file")
	}
}

// TestReporterDynamo opens a reporter sealed under a KMS key (moto's), as post-request seals
// it, with the operator's KMS access.
func TestReporterDynamo(t *testing.T) {
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	table := fmt.Sprintf("admin-reporter-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	global := []string{"-store", "dynamo", "-endpoint", endpoint, "-table", table}
	mustRun(t, append(global, "table", "create")...)

	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	kc := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("admin reporter test")})
	if err != nil {
		t.Fatal(err)
	}
	storeSealed(t, dynamo.New(dynamoClient(endpoint), table), kmsseal.New(kc, aws.ToString(k.KeyMetadata.Arn)))

	wantReporter(t, mustRun(t, append(global, "requests", "reporter", "-jurisdiction", "city.example.org", "-id", "R1")...))
}
