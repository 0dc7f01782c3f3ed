package bucket_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/bucket"
)

// TestMain stops the moto server the tests start (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

// restClient is the store's S3 client (package awsrest) on moto; the tests check what it
// wrote with the SDK's.
func restClient(t *testing.T) *awsrest.S3 {
	return awsrest.NewS3(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		aws.String(awstest.Endpoint(t)))
}

// TestPutAndDelete stores a public and a private photo in moto's S3: each under its prefix, with
// its content type and cache control, written once, and removed by Delete.
func TestPutAndDelete(t *testing.T) {
	ctx := context.Background()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(awstest.Endpoint(t)),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	const bucketName = "open311-media-test"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)}); err != nil {
		t.Fatal(err)
	}
	st := &bucket.Store{Client: restClient(t), Bucket: bucketName, Prefix: bucket.DefaultPrefix, PrivatePrefix: bucket.DefaultPrivatePrefix}
	name := strings.Repeat("0f", 32) + ".png"
	for _, c := range []struct {
		private bool
		key     string
		cache   string
	}{
		{false, "media/" + name, "public, max-age=31536000, immutable"},
		{true, "private-media/" + name, "private, no-store"},
	} {
		o := media.Object{Name: name, ContentType: "image/png", Body: []byte("png bytes"), Private: c.private}
		if created, err := st.Put(ctx, o); err != nil || !created {
			t.Fatalf("Put(private %v) = %v, %v; want created", c.private, created, err)
		}
		if created, err := st.Put(ctx, o); err != nil || created {
			t.Errorf("second Put(private %v) = %v, %v; want not created", c.private, created, err)
		}
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucketName), Key: aws.String(c.key)})
		if err != nil {
			t.Fatalf("get %s: %v", c.key, err)
		}
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if string(body) != "png bytes" || aws.ToString(obj.ContentType) != "image/png" || aws.ToString(obj.CacheControl) != c.cache {
			t.Errorf("%s holds %q, Content-Type %q, Cache-Control %q; want png bytes, image/png, %s",
				c.key, body, aws.ToString(obj.ContentType), aws.ToString(obj.CacheControl), c.cache)
		}
	}
	if err := st.Delete(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucketName), Key: aws.String("media/" + name)}); err == nil {
		t.Error("the public photo is still there after Delete")
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucketName), Key: aws.String("private-media/" + name)}); err != nil {
		t.Errorf("deleting the public photo took the private one: %v", err)
	}
	if err := st.Delete(ctx, name, false); err != nil {
		t.Errorf("deleting a missing photo: %v", err)
	}
	if _, err := st.Put(ctx, media.Object{Name: "../feeds/x.atom", Body: []byte("x")}); err == nil {
		t.Error("Put stored an object under a name that is no photo's")
	}
}

// TestPreviews reads a public photo from moto's S3 and writes its preview under previews/ with
// its type and cache control; a photo that is not there is an error.
func TestPreviews(t *testing.T) {
	ctx := context.Background()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(awstest.Endpoint(t)),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	const bucketName = "open311-previews-test"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)}); err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("1e", 32) + ".webp"
	if _, err := (&bucket.Store{Client: restClient(t), Bucket: bucketName, Prefix: bucket.DefaultPrefix, PrivatePrefix: bucket.DefaultPrivatePrefix}).
		Put(ctx, media.Object{Name: name, ContentType: "image/webp", Body: []byte("webp bytes")}); err != nil {
		t.Fatal(err)
	}
	p := &bucket.Previews{Client: restClient(t), Bucket: bucketName, Prefix: bucket.DefaultPrefix, PreviewPrefix: bucket.DefaultPreviewPrefix}
	if b, err := p.Photo(ctx, name); err != nil || string(b) != "webp bytes" {
		t.Fatalf("Photo = %q, %v", b, err)
	}
	if err := p.PutPreview(ctx, name, "image/png", []byte("png bytes")); err != nil {
		t.Fatal(err)
	}
	key := "previews/" + strings.Repeat("1e", 32) + ".png"
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucketName), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "png bytes" || aws.ToString(obj.ContentType) != "image/png" || aws.ToString(obj.CacheControl) != media.CacheControl {
		t.Errorf("%s holds %q, %q, %q", key, body, aws.ToString(obj.ContentType), aws.ToString(obj.CacheControl))
	}
	if _, err := p.Photo(ctx, strings.Repeat("2e", 32)+".jpg"); err == nil {
		t.Error("Photo of a photo that is not there: no error")
	}
}
