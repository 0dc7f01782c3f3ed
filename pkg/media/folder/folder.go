// Package folder stores photos as files, for the local server: public ones in Public, which it
// serves under /media/, private ones in Private, which nothing serves, previews in Previews,
// served under /previews/. Writes are atomic.
package folder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// Store keeps photos in two folders, and their previews in a third.
type Store struct {
	// Public is the folder served under /media/; Private is never served; Previews is served
	// under /previews/.
	Public, Private, Previews string
}

var (
	_ media.Store    = Store{}
	_ media.Previews = Store{}
)

// Photo reads the public photo of that name.
func (s Store) Photo(ctx context.Context, name string) ([]byte, error) {
	file, err := s.file(name, false)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read photo %s: %w", file, err)
	}
	return b, nil
}

// PutPreview writes the preview of the photo of that name into Previews, atomically.
func (s Store) PutPreview(ctx context.Context, name, contentType string, body []byte) error {
	if !media.ValidName(name) {
		return fmt.Errorf("media/folder: %q is not a photo name", name)
	}
	if s.Previews == "" {
		return fmt.Errorf("media/folder: no folder for previews")
	}
	file := filepath.Join(s.Previews, photo.PreviewName(name))
	if err := writeFile(file, body, 0o644); err != nil {
		return fmt.Errorf("write preview %s: %w", file, err)
	}
	return nil
}

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
	mode := os.FileMode(0o644)
	if o.Private {
		mode = 0o600
	}
	if err := writeFile(name, o.Body, mode); err != nil {
		return false, fmt.Errorf("write photo %s: %w", name, err)
	}
	return true, nil
}

// Delete removes the photo's file, and a public photo's preview, if there are.
func (s Store) Delete(ctx context.Context, name string, private bool) error {
	file, err := s.file(name, private)
	if err != nil {
		return err
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove photo %s: %w", file, err)
	}
	if private || s.Previews == "" {
		return nil
	}
	pv := filepath.Join(s.Previews, photo.PreviewName(name))
	if err := os.Remove(pv); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove preview %s: %w", pv, err)
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

// writeFile writes body to name atomically (a temporary file renamed), making its folder.
func writeFile(name string, body []byte, mode os.FileMode) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".photo-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	_, err = tmp.Write(body)
	if err == nil {
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
	return err
}
