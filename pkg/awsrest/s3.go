package awsrest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// S3 is an S3 client for objects that fit in memory: PutObject, GetObject, DeleteObject.
type S3 struct {
	Caller
	// Endpoint is a custom endpoint ("http://127.0.0.1:5000", moto's) addressed path style
	// (/bucket/key); "" for AWS's own, addressed virtual-hosted style
	// (https://bucket.s3.region.amazonaws.com/key).
	Endpoint string
}

// NewS3 returns the S3 client of a function's AWS configuration, at endpoint when that is
// not nil (lambdaenv.ServiceEndpoint).
func NewS3(cfg aws.Config, endpoint *string) *S3 {
	s := &S3{Caller: Caller{HTTP: cfg.HTTPClient, Credentials: cfg.Credentials, Service: "s3", Region: cfg.Region}}
	if endpoint != nil {
		s.Endpoint = strings.TrimSuffix(*endpoint, "/")
	}
	return s
}

// Put is what PutObject writes beside the body.
type Put struct {
	ContentType, CacheControl string
	// IfNoneMatch makes the PUT conditional on the key's absence (If-None-Match: *): S3
	// answers 412 PreconditionFailed when it exists, 409 ConditionalRequestConflict while
	// another PUT of it is under way.
	IfNoneMatch bool
}

// PutObject writes body as the object bucket/key.
func (s *S3) PutObject(ctx context.Context, bucket, key string, body []byte, p Put) error {
	u, err := s.url(bucket, key)
	if err != nil {
		return err
	}
	h := http.Header{}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	if p.CacheControl != "" {
		h.Set("Cache-Control", p.CacheControl)
	}
	if p.IfNoneMatch {
		h.Set("If-None-Match", "*")
	}
	if body == nil {
		body = []byte{}
	}
	_, err = s.Do(ctx, Request{Method: http.MethodPut, URL: u, Header: h, Body: body})
	return err
}

// ErrTooLarge is GetObject's error for an object over the caller's limit.
var ErrTooLarge = errors.New("object over the limit")

// GetObject reads the object bucket/key, of max bytes at most (ErrTooLarge beyond), and its
// Content-Type. A missing key is an *Error of code NoSuchKey (with s3:ListBucket) or
// AccessDenied (without).
func (s *S3) GetObject(ctx context.Context, bucket, key string, max int64) ([]byte, string, error) {
	u, err := s.url(bucket, key)
	if err != nil {
		return nil, "", err
	}
	if max <= 0 || max > MaxAnswer {
		max = MaxAnswer
	}
	a, err := s.Do(ctx, Request{Method: http.MethodGet, URL: u})
	if err != nil {
		return nil, "", err
	}
	if n, err := strconv.ParseInt(a.Header.Get("Content-Length"), 10, 64); err == nil && n > max || int64(len(a.Body)) > max {
		return nil, "", fmt.Errorf("s3://%s/%s: %w (%d bytes)", bucket, key, ErrTooLarge, max)
	}
	return a.Body, a.Header.Get("Content-Type"), nil
}

// DeleteObject deletes the object bucket/key; deleting a missing key is no error in S3.
func (s *S3) DeleteObject(ctx context.Context, bucket, key string) error {
	u, err := s.url(bucket, key)
	if err != nil {
		return err
	}
	_, err = s.Do(ctx, Request{Method: http.MethodDelete, URL: u})
	return err
}

// url is the object's URL, its key escaped as S3 signs it (every byte but the unreserved
// characters and "/").
func (s *S3) url(bucket, key string) (string, error) {
	if bucket == "" || strings.ContainsAny(bucket, "/?#") || key == "" {
		return "", fmt.Errorf("s3: bucket %q, key %q: not an object", bucket, key)
	}
	if s.Endpoint != "" {
		return s.Endpoint + "/" + bucket + "/" + escapePath(key), nil
	}
	return "https://" + bucket + ".s3." + s.Region + ".amazonaws.com/" + escapePath(key), nil
}

// escapePath escapes a key for an S3 path: RFC 3986's unreserved characters and "/" as they
// are, every other byte as %XX.
func escapePath(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
