package bucket

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
)

// UploadsClient is what Uploads calls of S3; *s3.Client is one. The role that reads uploads may
// get and delete objects under media.UploadPrefix only (docs/security.md).
type UploadsClient interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ UploadsClient = (*s3.Client)(nil)

// Uploads reads and deletes the photos clients uploaded to their slots, the objects
// uploads/<slot id> of one bucket.
type Uploads struct {
	Client UploadsClient
	Bucket string
}

var _ media.Uploads = (*Uploads)(nil)

// Upload reads uploads/<slot id>: media.ErrNoUpload when there is no such object,
// media.ErrUploadTooLarge when it is longer than open311.MaxUploadBytes.
func (u *Uploads) Upload(ctx context.Context, slotID string) ([]byte, error) {
	key, err := uploadKey(slotID)
	if err != nil {
		return nil, err
	}
	out, err := u.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key)})
	if missing(err) {
		return nil, media.ErrNoUpload
	}
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", u.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, open311.MaxUploadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", u.Bucket, key, err)
	}
	if len(b) > open311.MaxUploadBytes {
		return nil, media.ErrUploadTooLarge
	}
	return b, nil
}

// DeleteUpload deletes uploads/<slot id> (a missing object is no error in S3).
func (u *Uploads) DeleteUpload(ctx context.Context, slotID string) error {
	key, err := uploadKey(slotID)
	if err != nil {
		return err
	}
	if _, err := u.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", u.Bucket, key, err)
	}
	return nil
}

func uploadKey(slotID string) (string, error) {
	if !media.ValidSlotID(slotID) {
		return "", fmt.Errorf("media/bucket: %q is not a slot id", slotID)
	}
	return media.UploadPrefix + slotID, nil
}

// missing reports whether a GetObject's err says there is no such key.
func missing(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}
