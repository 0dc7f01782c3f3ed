package folder_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/folder"
)

var name = strings.Repeat("ab", 32) + ".jpg"

func TestPutAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	for _, private := range []bool{false, true} {
		o := media.Object{Name: name, ContentType: "image/jpeg", Body: []byte("jpeg bytes"), Private: private}
		created, err := s.Put(ctx, o)
		if err != nil || !created {
			t.Fatalf("Put(private %v) = %v, %v; want created", private, created, err)
		}
		if created, err := s.Put(ctx, o); err != nil || created {
			t.Errorf("second Put(private %v) = %v, %v; want not created", private, created, err)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "media", name))
	if err != nil || string(pub) != "jpeg bytes" {
		t.Fatalf("public file = %q, %v", pub, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "private-media", name))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if err := s.Delete(ctx, name, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "private-media", name)); !os.IsNotExist(err) {
		t.Errorf("private photo still there after Delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "media", name)); err != nil {
		t.Errorf("Delete of the private photo removed the public one: %v", err)
	}
	if err := s.Delete(ctx, name, true); err != nil {
		t.Errorf("Delete of a missing photo: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".photo-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestRefusesOtherNames(t *testing.T) {
	t.Parallel()
	s := folder.Store{Public: t.TempDir(), Private: t.TempDir()}
	for _, n := range []string{"../x.jpg", "a.jpg", strings.Repeat("ab", 32) + ".exe", strings.Repeat("AB", 32) + ".jpg", ""} {
		if _, err := s.Put(context.Background(), media.Object{Name: n, Body: []byte("x")}); err == nil {
			t.Errorf("Put(%q) stored it", n)
		}
	}
}
