package bucket_test

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/bucket"
)

// TestMain stops the moto server the tests start (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

// TestPublishesOnlyChanges publishes to moto's S3: an unchanged body is not written again,
// and objects carry the content type, cache control and digest subscribers and the builder need.
func TestPublishesOnlyChanges(t *testing.T) {
	ctx := context.Background()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(awstest.Endpoint(t)),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	const name = "open311-feeds-test"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	pub := &bucket.Publisher{Client: client, Bucket: name, Prefix: "feeds/"}
	f := feed.ForService("city.example.org", "street light")
	const key = "feeds/city.example.org/services/street light.atom"
	for i, c := range []struct {
		body    string
		written bool
	}{{"<feed>1</feed>", true}, {"<feed>1</feed>", false}, {"<feed>2</feed>", true}, {"<feed>2</feed>", false}} {
		written, err := pub.Publish(ctx, f.Path(), []byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if written != c.written {
			t.Errorf("publish %d (%s): written %v, want %v", i, c.body, written, c.written)
		}
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if string(got) != c.body {
			t.Errorf("publish %d: object holds %q, want %q", i, got, c.body)
		}
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ContentType); got != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := aws.ToString(head.CacheControl); got != "public, max-age=60" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := head.Metadata["sha256"]; len(got) != 64 {
		t.Errorf("sha256 metadata %q", got)
	}

	if err := pub.Remove(ctx, f.Path()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String(key)}); err == nil {
		t.Error("the object is still there after Remove")
	}
	if err := pub.Remove(ctx, f.Path()); err != nil {
		t.Errorf("removing a missing feed: %v", err)
	}
	if written, err := pub.Publish(ctx, f.Path(), []byte("<feed>2</feed>")); err != nil || !written {
		t.Errorf("publishing after Remove: written %v, %v", written, err)
	}
}
