package feed

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
)

// CacheControl is the Cache-Control of published feeds: short, since a feed changes with every
// activity and the CDN should not hide a change for long.
const CacheControl = "public, max-age=60"

// shaKey is the object metadata holding the hex SHA-256 of a feed's body, so that an unchanged
// feed is recognised with a HEAD, without downloading it.
const shaKey = "sha256"

// S3Client is what the S3 publisher calls; *s3.Client is one.
type S3Client interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ S3Client = (*s3.Client)(nil)

// S3 publishes feeds as objects of a bucket, served by a CDN whose origin is the bucket (or its
// Prefix). A feed at path is the object Prefix + path unescaped, the key S3 looks up when the
// path is requested.
type S3 struct {
	Client S3Client
	Bucket string
	// Prefix is prepended to every key ("" or a folder ending in "/").
	Prefix string
}

var _ Remover = (*S3)(nil)

// Publish puts body at the object for path with the feeds' content type and cache control, and
// the body's SHA-256 in its metadata, unless the object's metadata already holds that SHA-256.
func (p *S3) Publish(ctx context.Context, path string, body []byte) (bool, error) {
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
		ContentType:   aws.String(ContentType),
		CacheControl:  aws.String(CacheControl),
		Metadata:      map[string]string{shaKey: digest},
	})
	if err != nil {
		return false, fmt.Errorf("put s3://%s/%s: %w", p.Bucket, key, err)
	}
	return true, nil
}

// Remove deletes the object for path (deleting a missing object is no error in S3).
func (p *S3) Remove(ctx context.Context, path string) error {
	key, err := p.key(path)
	if err != nil {
		return err
	}
	if _, err := p.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", p.Bucket, key, err)
	}
	return nil
}

func (p *S3) key(path string) (string, error) {
	key, err := objectKey(path)
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
