package awsrest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/awstest"
)

// TestMain stops the moto servers the tests start (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

var testConfig = aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}

// TestS3OnMoto writes, reads and deletes objects in moto's S3 with the package's client, and
// checks each with the SDK's: the body, its type and cache control, a conditional PUT refused
// when the key exists, a key that needs escaping, a missing key, an object over the limit.
func TestS3OnMoto(t *testing.T) {
	ctx := context.Background()
	endpoint := awstest.Endpoint(t)
	sdk := s3.NewFromConfig(testConfig, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	const bucket = "open311-awsrest-test"
	if _, err := sdk.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	c := awsrest.NewS3(testConfig, aws.String(endpoint+"/"))

	for _, key := range []string{"media/plain.jpg", "odd keys/é ü+=&?#%.png"} {
		body := []byte("bytes of " + key)
		if err := c.PutObject(ctx, bucket, key, body, awsrest.Put{ContentType: "image/png", CacheControl: "public, max-age=60", IfNoneMatch: true}); err != nil {
			t.Fatalf("PutObject(%q): %v", key, err)
		}
		obj, err := sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("the SDK's GetObject(%q): %v", key, err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if string(got) != string(body) || aws.ToString(obj.ContentType) != "image/png" || aws.ToString(obj.CacheControl) != "public, max-age=60" {
			t.Errorf("%q holds %q (%s, %s)", key, got, aws.ToString(obj.ContentType), aws.ToString(obj.CacheControl))
		}
		err = c.PutObject(ctx, bucket, key, []byte("other"), awsrest.Put{IfNoneMatch: true})
		if code := awsrest.ErrorCode(err); code != "PreconditionFailed" {
			t.Errorf("a second conditional PUT of %q: %v (code %q), want PreconditionFailed", key, err, code)
		}
		b, ct, err := c.GetObject(ctx, bucket, key, 1<<20)
		if err != nil || string(b) != string(body) || ct != "image/png" {
			t.Errorf("GetObject(%q) = %q, %q, %v", key, b, ct, err)
		}
		if _, _, err := c.GetObject(ctx, bucket, key, 3); !errors.Is(err, awsrest.ErrTooLarge) {
			t.Errorf("GetObject(%q) of at most 3 bytes: %v, want ErrTooLarge", key, err)
		}
		if err := c.DeleteObject(ctx, bucket, key); err != nil {
			t.Fatalf("DeleteObject(%q): %v", key, err)
		}
		if _, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
			t.Errorf("%q is still there after DeleteObject", key)
		}
		if err := c.DeleteObject(ctx, bucket, key); err != nil {
			t.Errorf("deleting a missing key: %v", err)
		}
	}
	if _, _, err := c.GetObject(ctx, bucket, "media/none.jpg", 0); awsrest.ErrorCode(err) != "NoSuchKey" {
		t.Errorf("GetObject of a missing key: %v, want NoSuchKey", err)
	}
	if err := c.PutObject(ctx, "no-such-bucket-here", "k", []byte("x"), awsrest.Put{}); awsrest.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("PutObject to a missing bucket: %v, want NoSuchBucket", err)
	}
}

// TestCloudFrontOnMoto makes an invalidation on a moto distribution and reads it back with
// the SDK: the paths asked for, under the caller reference given.
func TestCloudFrontOnMoto(t *testing.T) {
	ctx := context.Background()
	endpoint := awstest.Endpoint(t)
	sdk := cloudfront.NewFromConfig(testConfig, func(o *cloudfront.Options) { o.BaseEndpoint = aws.String(endpoint) })
	dist, err := sdk.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("awsrest-test"), Comment: aws.String("test"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("o"), DomainName: aws.String("example.s3.amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("o"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := awsrest.NewCloudFront(testConfig, aws.String(endpoint))
	paths := []string{"/media/a.jpg", "/previews/a.png"}
	id, err := c.CreateInvalidation(ctx, aws.ToString(dist.Distribution.Id), "ref-1", paths)
	if err != nil || id == "" {
		t.Fatalf("CreateInvalidation = %q, %v", id, err)
	}
	inv, err := sdk.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: dist.Distribution.Id, Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if b := inv.Invalidation.InvalidationBatch; aws.ToString(b.CallerReference) != "ref-1" || strings.Join(b.Paths.Items, " ") != strings.Join(paths, " ") {
		t.Errorf("invalidation %s: reference %q, paths %v", id, aws.ToString(b.CallerReference), b.Paths.Items)
	}
	if _, err := c.CreateInvalidation(ctx, "ENOSUCH", "ref-2", paths); err == nil {
		t.Error("an invalidation of a missing distribution: no error")
	}
}

// TestRetries: a call that fails with 503 is tried again and succeeds; one refused with 403 is
// not tried again; every try is signed for its service and region, with its payload's hash.
func TestRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		auth := r.Header.Get("Authorization")
		if !strings.Contains(auth, "/us-east-1/s3/aws4_request") || r.Header.Get("X-Amz-Content-Sha256") == "" {
			t.Errorf("call %d: Authorization %q, X-Amz-Content-Sha256 %q", n, auth, r.Header.Get("X-Amz-Content-Sha256"))
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/flaky") && n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
		case strings.HasSuffix(r.URL.Path, "/denied"):
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	c := awsrest.NewS3(testConfig, aws.String(srv.URL))
	if err := c.PutObject(context.Background(), "b", "flaky", []byte("x"), awsrest.Put{}); err != nil || calls.Load() != 2 {
		t.Errorf("a PUT answered 503 then 200: %v after %d calls, want success after 2", err, calls.Load())
	}
	calls.Store(0)
	err := c.DeleteObject(context.Background(), "b", "denied")
	var e *awsrest.Error
	if !errors.As(err, &e) || e.StatusCode != 403 || e.Code != "AccessDenied" || calls.Load() != 1 {
		t.Errorf("a DELETE answered 403: %v after %d calls, want AccessDenied after 1", err, calls.Load())
	}
}
