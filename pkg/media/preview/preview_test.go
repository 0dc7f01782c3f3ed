package preview_test

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/media/preview"
	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestMake stores a phone's photo held sideways as the desk does and makes its preview in the
// folder store: at the name the API gave before (photo.PreviewName), upright and 640 pixels
// on its long side, holding none of the phone's metadata; a small photo gets none, and a
// photo that is not stored is an error.
func TestMake(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media"), Previews: filepath.Join(dir, "previews")}
	put := func(b []byte) string {
		t.Helper()
		p, err := photo.Clean(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(ctx, media.Object{Name: p.Name(), ContentType: p.Type.ContentType, Body: p.Bytes}); err != nil {
			t.Fatal(err)
		}
		return p.Name()
	}
	big := put(phototest.JPEG(1600, 1200, 6))
	if made, err := preview.Make(ctx, st, big); err != nil || !made {
		t.Fatalf("Make(%s) = %v, %v; want made", big, made, err)
	}
	b, err := os.ReadFile(filepath.Join(st.Previews, photo.PreviewName(big)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || format != "jpeg" || cfg.Width != 480 || cfg.Height != 640 {
		t.Errorf("preview is %s %d×%d, %v; want jpeg 480×640", format, cfg.Width, cfg.Height, err)
	}
	for _, s := range phototest.Secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("preview holds %q", s)
		}
	}
	small := put(phototest.PNG(320, 200))
	if made, err := preview.Make(ctx, st, small); err != nil || made {
		t.Errorf("Make(%s) of a small photo = %v, %v; want nothing made", small, made, err)
	}
	if _, err := os.Stat(filepath.Join(st.Previews, photo.PreviewName(small))); err == nil {
		t.Error("a small photo got a preview")
	}
	if _, err := preview.Make(ctx, st, photo.PreviewName(small)[:64]+".gif"); err == nil {
		t.Error("Make of a photo that is not stored: no error")
	}
	if _, err := preview.Make(ctx, st, "../x.jpg"); err == nil {
		t.Error("Make of a name that is no photo's: no error")
	}
}
