// Package bucket stores photos as objects of an S3 bucket: public ones under Prefix, the origin
// path the CDN serves as /media/, private ones under PrivatePrefix, which no CDN behaviour and
// no public policy reaches. Objects carry their content type and media.CacheControl.
package bucket

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// The prefixes of a deployment's feeds bucket.
const (
	DefaultPrefix        = "media/"
	DefaultPrivatePrefix = "private-media/"
)

// Client is what the store calls of S3; *awsrest.S3 is one (not the SDK's S3 client, which
// would add a megabyte to each function that stores photos: see package awsrest). It never
// reads: a function that stores photos may only put and delete them (docs/security.md).
type Client interface {
	PutObject(ctx context.Context, bucket, key string, body []byte, p awsrest.Put) error
	DeleteObject(ctx context.Context, bucket, key string) error
}

var _ Client = (*awsrest.S3)(nil)

// Store keeps photos in one bucket.
type Store struct {
	Client Client
	Bucket string
	// Prefix holds public photos and PrivatePrefix private ones (each "" or ending in "/";
	// they must differ); PreviewPrefix, when set, the previews that Delete removes with their
	// photo.
	Prefix, PrivatePrefix, PreviewPrefix string
}

var _ media.Store = (*Store)(nil)

// Put puts the photo's object unless it is there already: one conditional PUT (If-None-Match:
// *), which S3 refuses with 412 when the key exists (and 409 while another PUT of it is under
// way, whose bytes are the same). So no read is needed, and none is granted: a HEAD of a
// missing key would need s3:GetObject and s3:ListBucket to tell "absent" from "forbidden".
func (s *Store) Put(ctx context.Context, o media.Object) (bool, error) {
	key, err := s.key(o.Name, o.Private)
	if err != nil {
		return false, err
	}
	cache := media.CacheControl
	if o.Private {
		cache = "private, no-store"
	}
	err = s.Client.PutObject(ctx, s.Bucket, key, o.Body, awsrest.Put{ContentType: o.ContentType, CacheControl: cache, IfNoneMatch: true})
	if exists(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put s3://%s/%s: %w", s.Bucket, key, err)
	}
	return true, nil
}

// Delete deletes the photo's object and, for a public photo, its preview's under
// PreviewPrefix when that is set (deleting a missing object is no error in S3).
func (s *Store) Delete(ctx context.Context, name string, private bool) error {
	key, err := s.key(name, private)
	if err != nil {
		return err
	}
	keys := []string{key}
	if !private && s.PreviewPrefix != "" {
		keys = append(keys, s.PreviewPrefix+photo.PreviewName(name))
	}
	for _, k := range keys {
		if err := s.Client.DeleteObject(ctx, s.Bucket, k); err != nil {
			return fmt.Errorf("delete s3://%s/%s: %w", s.Bucket, k, err)
		}
	}
	return nil
}

func (s *Store) key(name string, private bool) (string, error) {
	if !media.ValidName(name) {
		return "", fmt.Errorf("media/bucket: %q is not a photo name", name)
	}
	if s.Prefix == s.PrivatePrefix {
		return "", errors.New("media/bucket: public and private photos need different prefixes")
	}
	if private {
		return s.PrivatePrefix + name, nil
	}
	return s.Prefix + name, nil
}

// exists reports whether a conditional PUT's err says the key is there already (412
// PreconditionFailed) or being written by another PUT (409 ConditionalRequestConflict).
func exists(err error) bool {
	switch awsrest.ErrorCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}
