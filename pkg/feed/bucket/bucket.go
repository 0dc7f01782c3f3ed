// Package bucket publishes feeds as objects of an S3 bucket, served by a CDN whose origin is the
// bucket (or a prefix in it). A feed at path is the object Prefix + feed.ObjectKey(path), the
// key S3 looks up when the path is requested. An unchanged feed is recognised by the SHA-256 in
// its object's metadata, with a HEAD, and not written again.
package bucket

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/civicworks/open311/pkg/feed"
)

// shaKey is the object metadata holding the hex SHA-256 of a feed's body, so that an unchanged
// feed is recognised with a HEAD, without downloading it.
const shaKey = "sha256"

// Client is what the publisher calls of S3; *s3.Client is one.
type Client interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ Client = (*s3.Client)(nil)

// Publisher publishes feeds as objects of a bucket.
type Publisher struct {
	Client Client
	Bucket string
	// Prefix is prepended to every key ("" or a folder ending in "/").
	Prefix string
}

var _ feed.Remover = (*Publisher)(nil)

// Publish puts body at the object for path with the feeds' content type and cache control, and
// the body's SHA-256 in its metadata, unless the object's metadata already holds that SHA-256.
func (p *Publisher) Publish(ctx context.Context, path string, body []byte) (bool, error) {
	key, err := p.key(path)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	head, err := p.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(key)})
	switch {
	case err == nil && head.Metadata[shaKey] == digest:
		return false, nil
	case err != nil && !notFound(err):
		return false, fmt.Errorf("head s3://%s/%s: %w", p.Bucket, key, err)
	}
	_, err = p.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(p.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(feed.ContentTypeOf(path)),
		CacheControl:  aws.String(feed.CacheControl),
		Metadata:      map[string]string{shaKey: digest},
	})
	if err != nil {
		return false, fmt.Errorf("put s3://%s/%s: %w", p.Bucket, key, err)
	}
	return true, nil
}

// Remove deletes the object for path (deleting a missing object is no error in S3).
func (p *Publisher) Remove(ctx context.Context, path string) error {
	key, err := p.key(path)
	if err != nil {
		return err
	}
	if _, err := p.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", p.Bucket, key, err)
	}
	return nil
}

func (p *Publisher) key(path string) (string, error) {
	key, err := feed.ObjectKey(path)
	if err != nil {
		return "", err
	}
	return p.Prefix + key, nil
}

// notFound reports whether err says the object does not exist: HEAD has no body, so S3 answers
// a bare 404 that the SDK gives as NotFound (or, from some servers, NoSuchKey).
func notFound(err error) bool {
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey")
}
