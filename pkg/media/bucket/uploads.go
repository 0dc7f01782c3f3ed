package bucket

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
)

// UploadsClient is what Uploads calls of S3; *awsrest.S3 is one. The role that reads uploads
// may get and delete objects under media.UploadPrefix only (docs/security.md).
type UploadsClient interface {
	GetObject(ctx context.Context, bucket, key string, max int64) ([]byte, string, error)
	DeleteObject(ctx context.Context, bucket, key string) error
}

var _ UploadsClient = (*awsrest.S3)(nil)

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
	b, _, err := u.Client.GetObject(ctx, u.Bucket, key, open311.MaxUploadBytes)
	switch {
	case missing(err):
		return nil, media.ErrNoUpload
	case errors.Is(err, awsrest.ErrTooLarge):
		return nil, media.ErrUploadTooLarge
	case err != nil:
		return nil, fmt.Errorf("get s3://%s/%s: %w", u.Bucket, key, err)
	}
	return b, nil
}

// DeleteUpload deletes uploads/<slot id> (a missing object is no error in S3).
func (u *Uploads) DeleteUpload(ctx context.Context, slotID string) error {
	key, err := uploadKey(slotID)
	if err != nil {
		return err
	}
	if err := u.Client.DeleteObject(ctx, u.Bucket, key); err != nil {
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

// missing reports whether a GetObject's err says there is no such key: NoSuchKey, or
// AccessDenied, which is what S3 answers for a missing key to a role that may get objects
// under the prefix but not list the bucket (post-request's, which may read uploads/ alone).
func missing(err error) bool {
	switch awsrest.ErrorCode(err) {
	case "NoSuchKey", "AccessDenied":
		return true
	}
	return false
}
