package feed

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/civicworks/open311/pkg/open311"
)

// Publisher stores rendered feeds where subscribers fetch them.
type Publisher interface {
	// Publish stores body at path (a Feed's Path), unless what is stored there has the same
	// bytes; written says whether it wrote.
	Publish(ctx context.Context, path string, body []byte) (written bool, err error)
}

// Remover is a Publisher that can take a feed down, for a request that stopped being public.
type Remover interface {
	// Remove deletes the feed at path; a feed that is not there is no error.
	Remove(ctx context.Context, path string) error
}

// Refresh builds a feed from the store and publishes it, and is what runs for each feed that
// Touched returns. A feed with no public subject (Build's NotFound) is removed when pub is a
// Remover, and otherwise left alone; written is false then.
func Refresh(ctx context.Context, rd Reader, pub Publisher, f Feed, opt Options) (written bool, err error) {
	body, err := Build(ctx, rd, f, opt)
	if open311.IsKind(err, open311.NotFound) {
		if rm, ok := pub.(Remover); ok {
			if err := rm.Remove(ctx, f.Path()); err != nil {
				return false, fmt.Errorf("refresh %s: %w", f, err)
			}
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	written, err = pub.Publish(ctx, f.Path(), body)
	if err != nil {
		return false, fmt.Errorf("refresh %s: %w", f, err)
	}
	return written, nil
}

// ObjectKey returns the name under which a publisher stores the feed at path: the path
// unescaped, which is what S3 and net/http's file server look up when the path is requested (so
// a service code with a space is stored with the space). It refuses, with open311.Invalid, paths
// that would leave the folder or the bucket's prefix.
func ObjectKey(path string) (string, error) {
	key, err := url.PathUnescape(path)
	if err != nil || !filepath.IsLocal(key) || filepath.ToSlash(filepath.Clean(key)) != key {
		return "", open311.Errorf(open311.Invalid, "feed.ObjectKey", "%q is not a feed path", path)
	}
	return key, nil
}
