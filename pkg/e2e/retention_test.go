package e2e_test

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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestRetention runs the retention function built as it is deployed, under the Lambda emulator
// against moto's DynamoDB, on the schedule's event (events/retention.json): of two requests whose
// reporters were sealed as post-request seals them, closed 366 and 364 days ago, with
// PERSONAL_DATA_RETENTION_DAYS=365 only the first loses its reporter; its public history is
// unchanged; every call the function made is one its role allows, and its role grants nothing
// it did not use.
func TestRetention(t *testing.T) {
	rie := needRIE(t)
	w := newMotoWorld(t, "retention")
	ctx := context.Background()
	ddb, table := w.ddb, w.table
	st := dynamo.New(ddb, table)
	if err := apitest.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	key := seal.NewKey()
	reporter := open311.Reporter{Email: "retained@example.net", Phone: "+1 555 0177", FirstName: "Rita", LastName: "Tenney", DeviceID: "dev-ret"}
	now := time.Now()
	for id, days := range map[string]int{"RET-366": 366, "RET-364": 364} {
		requested := now.Add(-400 * 24 * time.Hour).UTC().Truncate(time.Second)
		r := open311.Request{ID: id, JurisdictionID: apitest.Jurisdiction, ServiceCode: "pothole", ServiceName: "Pothole",
			Status: open311.Open, Requested: requested, Updated: requested, Address: "1 Main St", Version: 1, Reporter: reporter}
		if err := desk.SealReporter(ctx, key, &r); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-time.Duration(days) * 24 * time.Hour)
		if _, err := store.UpdateRequest(ctx, st, r.JurisdictionID, id, func(r *open311.Request) ([]open311.Activity, error) {
			closed := open311.Closed
			notes := "Filled."
			return (open311.Change{Status: &closed, StatusNotes: &notes}).Apply(r, nil, "Public Works", at)
		}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := st.Updates(ctx, store.UpdateQuery{JurisdictionID: apitest.Jurisdiction})
	if err != nil {
		t.Fatal(err)
	}

	proxyURL, counter, access := w.access(t, "retention")
	em, logPath := startFunction(t, rie, "retention", "900",
		"TABLE_NAME="+table,
		"PERSONAL_DATA_RETENTION_DAYS=365",
		"AWS_ENDPOINT_URL_DYNAMODB="+proxyURL)
	payload, err := os.ReadFile(filepath.Join(awstest.Root(), "events", "retention.json"))
	if err != nil {
		t.Fatal(err)
	}
	invokeCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := em.Invoke(invokeCtx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Erased       int    `json:"erased"`
		ClosedBefore string `json:"closed_before"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.ErrorMessage != "" {
		t.Fatalf("the function answered %s (%v)", out, err)
	}
	t.Logf("answer %s; calls %s", out, format(counter.take()))

	for id, holds := range map[string]bool{"RET-366": false, "RET-364": true} {
		r, err := st.Request(ctx, apitest.Jurisdiction, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.HoldsReporter() != holds {
			t.Errorf("%s holds its reporter: %t, want %t", id, r.HoldsReporter(), holds)
		}
	}
	if res.Erased < 1 {
		t.Errorf("the function says it erased %d reporters, want RET-366's at least", res.Erased)
	}
	after, err := st.Updates(ctx, store.UpdateQuery{JurisdictionID: apitest.Jurisdiction})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Activities) != len(before.Activities) {
		t.Errorf("the public updates went from %d to %d activities: an erasure is listed", len(before.Activities), len(after.Activities))
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logged), `"request":"RET-366"`) || !strings.Contains(string(logged), `"PersonalDataErased"`) {
		t.Errorf("the function's log names neither the erased request nor its metric:\n%s", tail(logged, 3000))
	}
	for _, v := range []string{reporter.Email, reporter.Phone, reporter.LastName, reporter.DeviceID} {
		if strings.Contains(string(logged), v) {
			t.Errorf("the function's log holds %q", v)
		}
	}
	// Every item of the table (a test may Scan): the erased request and its activities hold no
	// sealed reporter, and no item holds a value in clear.
	items, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range items.Items {
		raw := fmt.Sprint(item)
		for _, v := range []string{reporter.Email, reporter.LastName, reporter.DeviceID} {
			if strings.Contains(raw, v) {
				t.Errorf("item %v holds %q in clear", item["PK"], v)
			}
		}
		if strings.Contains(fmt.Sprint(item["PK"]), "RET-366") {
			if _, ok := item["reporter_sealed"]; ok {
				t.Errorf("item %v of the erased request still holds the sealed reporter", item["SK"])
			}
		}
	}

	c := newPolicyCheck(t, map[string]string{"Table": table})
	c.check(t, "retention", access.accesses("retention"))
	for _, e := range access.errs {
		t.Errorf("a call the test could not read: %s", e)
	}
}
