package e2e_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twpayne/go-geom/encoding/geojson"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/opendata"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestExportOpenData runs the nightly export built as it is deployed, under the Lambda emulator
// against moto's DynamoDB and S3, on the schedule's event: the bucket then holds the golden
// world's CSV and GeoJSON with its public requests (as the store lists them) and no other, with
// their types; every call is one its role allows, and the role grants nothing unused.
func TestExportOpenData(t *testing.T) {
	rie := needRIE(t)
	w := newMotoWorld(t, "export")
	ctx := context.Background()
	ddb, s3c, table, bucket := w.ddb, w.s3, w.table, w.bucket
	st := dynamo.New(ddb, table)
	if err := apitest.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	proxyURL, counter, access := w.access(t, "export-open-data")
	em, _ := startFunction(t, rie, "export-open-data", "900",
		"TABLE_NAME="+table, "FEED_BUCKET="+bucket,
		"AWS_ENDPOINT_URL_DYNAMODB="+proxyURL, "AWS_ENDPOINT_URL_S3="+proxyURL)
	payload, err := os.ReadFile(filepath.Join(awstest.Root(), "events", "export-open-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	ictx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := em.Invoke(ictx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Exported     map[string]int `json:"exported"`
		ErrorMessage string         `json:"errorMessage"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.ErrorMessage != "" {
		t.Fatalf("the function answered %s (%v)", out, err)
	}
	t.Logf("answer %s; calls %s", out, format(counter.take()))

	// What the store lists as public, every page, is what the files must hold.
	var want []string
	q := store.Query{JurisdictionID: apitest.Jurisdiction, Limit: store.MaxPageSize}
	for {
		p, err := st.QueryRequests(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requests {
			want = append(want, r.ID)
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	get := func(key, wantType string) []byte {
		t.Helper()
		o, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		defer o.Body.Close()
		if aws.ToString(o.ContentType) != wantType {
			t.Errorf("%s: Content-Type %q, want %q", key, aws.ToString(o.ContentType), wantType)
		}
		b, _ := io.ReadAll(o.Body)
		return b
	}
	rows, err := csv.NewReader(strings.NewReader(string(get(apitest.Jurisdiction+"/open-data/requests.csv", opendata.CSVType)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var fc geojson.FeatureCollection
	if err := fc.UnmarshalJSON(get(apitest.Jurisdiction+"/open-data/requests.geojson", opendata.GeoJSONType)); err != nil {
		t.Fatal(err)
	}
	var fromCSV, fromGeo []string
	for _, r := range rows[1:] {
		fromCSV = append(fromCSV, r[0])
	}
	for _, f := range fc.Features {
		fromGeo = append(fromGeo, f.ID)
	}
	if len(want) == 0 || strings.Join(fromCSV, " ") != strings.Join(want, " ") || strings.Join(fromGeo, " ") != strings.Join(want, " ") ||
		res.Exported[apitest.Jurisdiction] != len(want) {
		t.Errorf("exported %v: CSV %q, GeoJSON %q; the store lists %q", res.Exported, fromCSV, fromGeo, want)
	}
	for _, hidden := range []string{"100007", "100005"} { // the golden world's private and unaccepted requests
		if strings.Contains(strings.Join(fromCSV, " "), hidden) {
			t.Errorf("the export lists %s", hidden)
		}
	}

	c := newPolicyCheck(t, map[string]string{"Table": table, "FeedBucket": bucket})
	c.check(t, "export-open-data", access.accesses("export-open-data"))
	for _, e := range access.errs {
		t.Errorf("a call the test could not read: %s", e)
	}
}
