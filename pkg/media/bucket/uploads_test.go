package bucket_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/bucket"
	"github.com/civicworks/open311/pkg/media/slot"
)

// TestUploads posts a photo to moto's S3 with a slot's presigned form (package slot), then
// reads it back with Uploads, deletes it, and finds nothing there any more. moto checks neither
// the policy nor the signature of a POST (a bad signature and a body over the policy's length
// are taken too): package slot's tests check those.
func TestUploads(t *testing.T) {
	ctx := context.Background()
	endpoint := awstest.Endpoint(t)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1", Credentials: creds})
	const bucketName = "open311-uploads-test"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)}); err != nil {
		t.Fatal(err)
	}
	up := &bucket.Uploads{Client: restClient(t), Bucket: bucketName}
	if _, err := up.Upload(ctx, "NOTHINGHERE"); !errors.Is(err, media.ErrNoUpload) {
		t.Fatalf("Upload of a slot nothing was uploaded to: %v, want ErrNoUpload", err)
	}

	forms := &slot.Forms{Credentials: creds, Region: "us-east-1", Bucket: bucketName, Endpoint: endpoint}
	form, err := forms.Form(ctx, "SLOT1", "image/jpeg", 1<<20, time.Now().Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("\xff\xd8\xff\xe0 the photo's bytes")
	req, err := form.Request(ctx, "big.jpg", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("the presigned POST: %d %s", resp.StatusCode, answer)
	}
	obj, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucketName), Key: aws.String("uploads/SLOT1")})
	if err != nil || aws.ToString(obj.ContentType) != "image/jpeg" {
		t.Fatalf("the uploaded object: %+v, %v; want uploads/SLOT1 of image/jpeg", obj, err)
	}

	got, err := up.Upload(ctx, "SLOT1")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Upload = %q, %v; want what was posted", got, err)
	}
	if err := up.DeleteUpload(ctx, "SLOT1"); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Upload(ctx, "SLOT1"); !errors.Is(err, media.ErrNoUpload) {
		t.Errorf("Upload after DeleteUpload: %v, want ErrNoUpload", err)
	}
	if err := up.DeleteUpload(ctx, "SLOT1"); err != nil {
		t.Errorf("DeleteUpload of nothing: %v", err)
	}
	if _, err := up.Upload(ctx, "../media/x"); err == nil || errors.Is(err, media.ErrNoUpload) {
		t.Errorf("Upload of a slot id with a slash: %v, want a refusal", err)
	}
}
