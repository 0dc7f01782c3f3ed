// Package folder publishes feeds as files in a folder, for a web server to serve: the local
// stack serves it with http.FileServer under /feeds/, so that a feed's URL path finds its file
// (feed.ObjectKey). Unchanged bytes are not written again.
package folder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/civicworks/open311/pkg/feed"
)

// Publisher publishes feeds as files in the folder it names. Writes are atomic: a reader sees
// the old file or the new one, never part of one.
type Publisher string

var _ feed.Remover = Publisher("")

// Publish writes body to the file for path unless the file holds the same bytes.
func (p Publisher) Publish(ctx context.Context, path string, body []byte) (bool, error) {
	name, err := p.file(path)
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
func (p Publisher) Remove(ctx context.Context, path string) error {
	name, err := p.file(path)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove feed %s: %w", name, err)
	}
	return nil
}

// file returns the file name of the feed at path.
func (p Publisher) file(path string) (string, error) {
	key, err := feed.ObjectKey(path)
	if err != nil {
		return "", err
	}
	return filepath.Join(string(p), filepath.FromSlash(key)), nil
}
