// Package bucket publishes the site (package site) to an S3 bucket: the feed bucket, whose
// distribution serves it.
package bucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/civicworks/open311/pkg/site"
)

// Client is what the bucket calls of S3; *s3.Client is one.
type Client interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ Client = (*s3.Client)(nil)

// Bucket is a site.Bucket on one S3 bucket.
type Bucket struct {
	Client Client
	Name   string
}

var _ site.Bucket = (*Bucket)(nil)

// Get returns an object's body, and false when S3 says there is none.
func (b *Bucket) Get(ctx context.Context, key string) ([]byte, bool, error) {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get s3://%s/%s: %w", b.Name, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return nil, false, fmt.Errorf("read s3://%s/%s: %w", b.Name, key, err)
	}
	return body, true, nil
}

// Put writes an object with its content type and cache control.
func (b *Bucket) Put(ctx context.Context, o site.Object) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(o.Key),
		Body: bytes.NewReader(o.Body), ContentType: aws.String(o.ContentType), CacheControl: aws.String(o.CacheControl)})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", b.Name, o.Key, err)
	}
	return nil
}

// Delete removes an object (S3 answers a missing one with success).
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if _, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", b.Name, key, err)
	}
	return nil
}

// notFound reports whether err is S3's answer for a key that is not there.
func notFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}
