package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
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

// objectKey returns the name under which a feed at path is stored: the path unescaped, which is
// what S3 and net/http's file server look up when the path is requested (so a service code with a
// space is stored with the space). It refuses paths that would leave the folder or bucket prefix.
func objectKey(path string) (string, error) {
	key, err := url.PathUnescape(path)
	if err != nil || !filepath.IsLocal(key) || filepath.ToSlash(filepath.Clean(key)) != key {
		return "", open311.Errorf(open311.Invalid, "feed.objectKey", "%q is not a feed path", path)
	}
	return key, nil
}

// Dir publishes feeds as files in a folder, for a web server to serve (the local stack serves
// it with http.FileServer under /feeds/, so a feed's URL path finds its file). Writes are
// atomic: a reader sees the old file or the new one, never part of one.
type Dir string

var _ Remover = Dir("")

// Publish writes body to the file for path unless the file holds the same bytes.
func (d Dir) Publish(ctx context.Context, path string, body []byte) (bool, error) {
	name, err := d.file(path)
	if err != nil {
		return false, err
	}
	old, err := os.ReadFile(name)
	if err == nil && bytes.Equal(old, body) {
		return false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read feed %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return false, fmt.Errorf("make folder for feed %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".feed-*.tmp")
	if err != nil {
		return false, fmt.Errorf("write feed %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	_, err = tmp.Write(body)
	if err == nil {
		err = tmp.Chmod(0o644) // feeds are public
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return false, fmt.Errorf("write feed %s: %w", name, err)
	}
	return true, nil
}

// Remove deletes the file for path, if there is one.
func (d Dir) Remove(ctx context.Context, path string) error {
	name, err := d.file(path)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove feed %s: %w", name, err)
	}
	return nil
}

// file returns the file name of the feed at path.
func (d Dir) file(path string) (string, error) {
	key, err := objectKey(path)
	if err != nil {
		return "", err
	}
	return filepath.Join(string(d), filepath.FromSlash(key)), nil
}
