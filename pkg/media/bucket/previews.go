package bucket

import (
	"context"
	"fmt"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// DefaultPreviewPrefix holds the previews of a deployment's feed bucket, served by the CDN as
// /previews/; apart from media/, whose new objects start the preview function.
const DefaultPreviewPrefix = "previews/"

// PreviewClient is what the preview function calls of S3; *awsrest.S3 is one.
type PreviewClient interface {
	GetObject(ctx context.Context, bucket, key string, max int64) ([]byte, string, error)
	PutObject(ctx context.Context, bucket, key string, body []byte, p awsrest.Put) error
}

var _ PreviewClient = (*awsrest.S3)(nil)

// Previews reads public photos under Prefix and writes their previews under PreviewPrefix.
type Previews struct {
	Client                PreviewClient
	Bucket                string
	Prefix, PreviewPrefix string
}

var _ media.Previews = (*Previews)(nil)

// Photo reads the public photo of that name.
func (p *Previews) Photo(ctx context.Context, name string) ([]byte, error) {
	if !media.ValidName(name) {
		return nil, fmt.Errorf("media/bucket: %q is not a photo name", name)
	}
	key := p.Prefix + name
	// A photo is at most the body of a report: a larger object is no photo of one.
	b, _, err := p.Client.GetObject(ctx, p.Bucket, key, maxPhotoBytes)
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", p.Bucket, key, err)
	}
	return b, nil
}

// maxPhotoBytes bounds what Photo reads: a report's body.
const maxPhotoBytes = 4 << 20

// PutPreview puts the preview of the photo of that name, with its type and media.CacheControl.
func (p *Previews) PutPreview(ctx context.Context, name, contentType string, body []byte) error {
	if !media.ValidName(name) {
		return fmt.Errorf("media/bucket: %q is not a photo name", name)
	}
	key := p.PreviewPrefix + photo.PreviewName(name)
	if err := p.Client.PutObject(ctx, p.Bucket, key, body, awsrest.Put{ContentType: contentType, CacheControl: media.CacheControl}); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", p.Bucket, key, err)
	}
	return nil
}
