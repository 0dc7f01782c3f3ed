// Package folder stores photos as files, for the local server: public ones in Public, which it
// serves under /media/, private ones in Private, which nothing serves. Writes are atomic.
package folder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/civicworks/open311/pkg/media"
)

// Store keeps photos in two folders.
type Store struct {
	// Public is the folder served under /media/; Private is never served.
	Public, Private string
}

var _ media.Store = Store{}

// Put writes the photo's file unless it is there already.
func (s Store) Put(ctx context.Context, o media.Object) (bool, error) {
	name, err := s.file(o.Name, o.Private)
	if err != nil {
		return false, err
	}
	if _, err := os.Stat(name); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("look for photo %s: %w", name, err)
	}
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("make folder for photo %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, ".photo-*.tmp")
	if err != nil {
		return false, fmt.Errorf("write photo %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	_, err = tmp.Write(o.Body)
	if err == nil {
		mode := os.FileMode(0o644)
		if o.Private {
			mode = 0o600
		}
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return false, fmt.Errorf("write photo %s: %w", name, err)
	}
	return true, nil
}

// Delete removes the photo's file, if there is one.
func (s Store) Delete(ctx context.Context, name string, private bool) error {
	file, err := s.file(name, private)
	if err != nil {
		return err
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove photo %s: %w", file, err)
	}
	return nil
}

func (s Store) file(name string, private bool) (string, error) {
	if !media.ValidName(name) {
		return "", fmt.Errorf("media/folder: %q is not a photo name", name)
	}
	dir := s.Public
	if private {
		dir = s.Private
	}
	if dir == "" {
		return "", fmt.Errorf("media/folder: no folder for photo %s (private %v)", name, private)
	}
	return filepath.Join(dir, name), nil
}
