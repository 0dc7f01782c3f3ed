package bucket

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// DefaultPreviewPrefix holds the previews of a deployment's feed bucket, served by the CDN as
// /previews/; apart from media/, whose new objects start the preview function.
const DefaultPreviewPrefix = "previews/"

// PreviewClient is what the preview function calls of S3; *s3.Client is one.
type PreviewClient interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ PreviewClient = (*s3.Client)(nil)

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
	out, err := p.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", p.Bucket, key, err)
	}
	defer out.Body.Close()
	// A photo is at most the body of a report; read a little more to notice a larger object.
	b, err := io.ReadAll(io.LimitReader(out.Body, maxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", p.Bucket, key, err)
	}
	if len(b) > maxPhotoBytes {
		return nil, fmt.Errorf("s3://%s/%s is larger than %d bytes: no photo of a report", p.Bucket, key, maxPhotoBytes)
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
	_, err := p.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(p.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(contentType),
		CacheControl:  aws.String(media.CacheControl),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", p.Bucket, key, err)
	}
	return nil
}
