package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // the preview's format
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/bucket"
	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
	"github.com/civicworks/open311/pkg/samtemplate"
)

// awsJSON calls an AWS JSON-protocol API of moto (EventBridge, SQS) the way the SDK would, with
// a request moto accepts unsigned, and decodes the answer into out.
func awsJSON(t *testing.T, endpoint, service, target string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if service == "sqs" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", target, err, b)
		}
	}
}

// TestPreview runs functions/preview under the Lambda emulator on the event moto's S3 itself
// sends: the feed bucket sends its events to EventBridge (as template.yaml's
// NotificationConfiguration says), a rule with the template's own pattern (its bucket bound)
// hands them to a queue, and the test gives the function what the queue received after a photo
// was stored under media/ as post-request stores it. The preview is then under previews/ at the
// name the API gave, upright, 640 pixels on its long side, with its type and cache lifetime and
// none of the phone's metadata; a photo of 640 pixels gets none, and storing a preview starts
// nothing (the rule matches media/ only). The function's S3 calls are checked against its role.
func TestPreview(t *testing.T) {
	t.Parallel()
	rie, err := e2e.FindRIE()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Lambda emulator is needed under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	name := fmt.Sprintf("open311-e2e-previews-%d", time.Now().UnixNano())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Read(filepath.Join(awstest.Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if on := samtemplate.At(tpl, "Resources", "FeedBucket", "Properties", "NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled"); on != true {
		t.Fatalf("template.yaml's FeedBucket does not send its events to EventBridge (%v)", on)
	}
	// What template.yaml's FeedBucket says: events to EventBridge.
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(name),
		NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}}}); err != nil {
		t.Fatal(err)
	}
	// The rule of template.yaml's PreviewFunction, its pattern bound to this bucket, with a queue
	// as its target instead of the function, so that the test holds the event moto sends.
	pattern, err := json.Marshal(samtemplate.At(tpl, "Resources", "PreviewFunction", "Properties", "Events", "PhotoCreated", "Properties", "Pattern"))
	if err != nil {
		t.Fatal(err)
	}
	bound := strings.Replace(string(pattern), `{"Ref":"FeedBucket"}`, `"`+name+`"`, 1)
	if bound == string(pattern) {
		t.Fatalf("the pattern %s names no FeedBucket", pattern)
	}
	var queue struct{ QueueUrl string }
	awsJSON(t, endpoint, "sqs", "AmazonSQS.CreateQueue", map[string]any{"QueueName": name}, &queue)
	queueARN := "arn:aws:sqs:us-east-1:" + e2e.AccountID + ":" + name
	awsJSON(t, endpoint, "events", "AWSEvents.PutRule", map[string]any{"Name": name, "EventPattern": bound, "State": "ENABLED"}, nil)
	awsJSON(t, endpoint, "events", "AWSEvents.PutTargets", map[string]any{"Rule": name, "Targets": []map[string]any{{"Id": "queue", "Arn": queueARN}}}, nil)
	receive := func() []json.RawMessage {
		t.Helper()
		var out struct{ Messages []struct{ Body string } }
		awsJSON(t, endpoint, "sqs", "AmazonSQS.ReceiveMessage", map[string]any{"QueueUrl": queue.QueueUrl, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1}, &out)
		var bodies []json.RawMessage
		for _, m := range out.Messages {
			bodies = append(bodies, json.RawMessage(m.Body))
		}
		return bodies
	}

	// The function, under the emulator, its S3 calls through a recording proxy.
	dir := t.TempDir()
	bins, err := e2e.Build(ctx, awstest.Root(), dir, runtime.GOARCH, []string{e2e.LambdaTags}, "./functions/preview")
	if err != nil {
		t.Fatal(err)
	}
	counter, err := newCallCounter(endpoint, name)
	if err != nil {
		t.Fatal(err)
	}
	access := newAccessLog(keySchema{}, name)
	proxy := httptest.NewServer(access.of("preview", counter))
	t.Cleanup(proxy.Close)
	logPath := filepath.Join(dir, "preview.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	em, err := e2e.Start(rie, bins["./functions/preview"], []string{
		"PATH=" + os.Getenv("PATH"), "TABLE_NAME=unused", "FEED_BUCKET=" + name, "AWS_ENDPOINT_URL_S3=" + proxy.URL,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_LAMBDA_FUNCTION_NAME=preview",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024", "AWS_LAMBDA_FUNCTION_TIMEOUT=60",
	}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Stop)
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("--- output of preview ---\n%s", tail(b, 3000))
			}
		}
	})

	// Two photos stored as post-request stores them: one larger than its preview, one not.
	st := &bucket.Store{Client: awsrest.NewS3(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}, aws.String(endpoint)),
		Bucket: name, Prefix: bucket.DefaultPrefix, PrivatePrefix: bucket.DefaultPrivatePrefix}
	stored := map[string]bool{}
	for _, b := range [][]byte{phototest.JPEG(1600, 1200, 6), phototest.PNG(640, 400)} {
		p, err := photo.Clean(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(ctx, media.Object{Name: p.Name(), ContentType: p.Type.ContentType, Body: p.Bytes}); err != nil {
			t.Fatal(err)
		}
		w, h := p.DisplaySize()
		stored[p.Name()] = photo.NeedsPreview(w, h)
	}
	// And a private one, whose event the rule does not pass on.
	if _, err := st.Put(ctx, media.Object{Name: strings.Repeat("ab", 32) + ".jpg", ContentType: "image/jpeg", Body: phototest.JPEG(900, 900, 1), Private: true}); err != nil {
		t.Fatal(err)
	}
	evs := receive()
	if len(evs) != len(stored) {
		t.Fatalf("the queue got %d events for %d public photos: %s", len(evs), len(stored), evs)
	}
	for _, ev := range evs {
		out, err := em.Invoke(ctx, ev)
		if err != nil || string(out) != "null" {
			t.Fatalf("invoke with %s: %s, %v", ev, out, err)
		}
	}
	for name0, needs := range stored {
		key := bucket.DefaultPreviewPrefix + photo.PreviewName(name0)
		obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
		if !needs {
			if err == nil {
				obj.Body.Close()
				t.Errorf("%s of a 640-pixel photo was made", key)
			}
			continue
		}
		if err != nil {
			t.Fatalf("the preview %s is not there: %v", key, err)
		}
		b, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != "jpeg" || cfg.Width != 480 || cfg.Height != 640 {
			t.Errorf("preview %s: %s %d×%d, %v; want an upright jpeg 480×640", key, format, cfg.Width, cfg.Height, err)
		}
		if aws.ToString(obj.ContentType) != "image/jpeg" || aws.ToString(obj.CacheControl) != media.CacheControl || len(obj.Metadata) != 0 {
			t.Errorf("preview %s: Content-Type %q, Cache-Control %q, metadata %v", key, aws.ToString(obj.ContentType), aws.ToString(obj.CacheControl), obj.Metadata)
		}
		for _, s := range append(phototest.Secrets, "Exif") {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("preview %s holds %q", key, s)
			}
		}
	}
	if evs := receive(); len(evs) != 0 {
		t.Errorf("storing the preview started %d events: %s", len(evs), evs)
	}

	t.Run("policy", func(t *testing.T) {
		c := newPolicyCheck(t, map[string]string{"FeedBucket": name})
		c.check(t, "preview", access.accesses("preview"))
		for _, e := range access.errs {
			t.Errorf("a call the test could not read: %s", e)
		}
	})
}
