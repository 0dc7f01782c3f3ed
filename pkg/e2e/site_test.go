package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awstest"
)

// TestPublishSite runs the site's publisher built as it is deployed, under the Lambda emulator
// against moto's S3, as CloudFormation runs the Site custom resource: the Create request
// (events/publish-site.json, its ResponseURL pointed at the test) writes the CDN's pages to the
// bucket and answers SUCCESS with the resource's physical id; the Delete request removes them
// and leaves the feeds; every call is one its role allows, and its role grants nothing unused.
func TestPublishSite(t *testing.T) {
	rie := needRIE(t)
	w := newMotoWorld(t, "site")
	ctx := context.Background()
	s3c, table, bucket := w.s3, w.table, w.bucket
	feedKey := "city.example.org/requests.atom"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(feedKey), Body: strings.NewReader("<feed/>")}); err != nil {
		t.Fatal(err)
	}

	// CloudFormation's side: the presigned URL the function answers at.
	var mu sync.Mutex
	var answers []map[string]any
	cfnServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a map[string]any
		if r.Method != http.MethodPut || json.Unmarshal(body, &a) != nil {
			t.Errorf("CloudFormation got %s %s", r.Method, body)
		}
		mu.Lock()
		answers = append(answers, a)
		mu.Unlock()
	}))
	t.Cleanup(cfnServer.Close)

	proxyURL, counter, access := w.access(t, "publish-site")
	em, _ := startFunction(t, rie, "publish-site", "60",
		"TABLE_NAME="+table,
		"FEED_BUCKET="+bucket,
		"OPEN311_ENDPOINT=https://api.city.example.org/open311/v2",
		"WEBAPP_REPORTER_KEY=reporter-of-the-page",
		"WEBAPP_TILE_URL=https://tiles.example.org/{z}/{x}/{y}.png",
		"WEBAPP_MAP_CENTER=51.5,-0.12",
		"AWS_ENDPOINT_URL_S3="+proxyURL)

	raw, err := os.ReadFile(filepath.Join(awstest.Root(), "events", "publish-site.json"))
	if err != nil {
		t.Fatal(err)
	}
	invoke := func(requestType string) map[string]any {
		t.Helper()
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		ev["RequestType"], ev["ResponseURL"] = requestType, cfnServer.URL+"/response"
		if requestType != "Create" {
			ev["PhysicalResourceId"] = "open311-site"
		}
		payload, _ := json.Marshal(ev)
		ictx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if _, err := em.Invoke(ictx, payload); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(answers) == 0 {
			t.Fatalf("%s: the function answered CloudFormation nothing", requestType)
		}
		a := answers[len(answers)-1]
		answers = nil
		return a
	}
	object := func(key string) (string, string, bool) {
		t.Helper()
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return "", "", false
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b), aws.ToString(out.ContentType), true
	}

	a := invoke("Create")
	if a["Status"] != "SUCCESS" || a["PhysicalResourceId"] != "open311-site" || a["LogicalResourceId"] != "Site" {
		t.Errorf("Create answered %v", a)
	}
	// The web app at the root, its modules and config.json as the deployment's parameters say,
	// and the missing-object page naming the API.
	for key, want := range map[string]struct{ ctype, body string }{
		"index.html":            {"text/html; charset=utf-8", `src="app/js/app.js"`},
		"app/js/app.js":         {"text/javascript; charset=utf-8", "import"},
		"app/js/messages/en.js": {"text/javascript; charset=utf-8", "export default"},
		"app/app.css":           {"text/css; charset=utf-8", "body"},
		"app/statuses.json":     {"application/json; charset=utf-8", `"transitions"`},
		"app/config.json": {"application/json; charset=utf-8", `"api_base": "https://api.city.example.org/open311/v2",
  "reporter_key": "reporter-of-the-page",
  "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png"`},
		"errors/404.html": {"text/html; charset=utf-8", "https://api.city.example.org/open311/v2/discovery.json"},
	} {
		body, ct, ok := object(key)
		if !ok || ct != want.ctype || !strings.Contains(body, want.body) {
			t.Errorf("%s: %t, %q:\n%.400s", key, ok, ct, body)
		}
	}
	if body, _, _ := object("app/config.json"); !strings.Contains(body, "51.5,\n    -0.12") {
		t.Errorf("config.json has not the map centre 51.5,-0.12:\n%s", body)
	}
	if a := invoke("Update"); a["Status"] != "SUCCESS" {
		t.Errorf("Update answered %v", a)
	}
	if a := invoke("Delete"); a["Status"] != "SUCCESS" {
		t.Errorf("Delete answered %v", a)
	}
	for _, key := range []string{"index.html", "app/js/app.js", "app/config.json", "errors/404.html", "site.json"} {
		if _, _, ok := object(key); ok {
			t.Errorf("%s is still there after Delete", key)
		}
	}
	if _, _, ok := object(feedKey); !ok {
		t.Error("the Delete removed a feed")
	}
	t.Logf("calls %s", format(counter.take()))

	c := newPolicyCheck(t, map[string]string{"Table": table, "FeedBucket": bucket})
	c.check(t, "publish-site", access.accesses("publish-site"))
	for _, e := range access.errs {
		t.Errorf("a call the test could not read: %s", e)
	}
}
