package photo_test

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestMakePreview makes the previews of phone photos: upright, at most 640 pixels on the long
// side with the photo's shape, of the preview type its name says, holding none of the metadata
// the phone wrote (no EXIF at all, not even the orientation, which is applied), decoding to the
// size it says; a photo no larger than 640 needs none.
func TestMakePreview(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		b     []byte
		typ   photo.Type
		w, h  int
		needs bool
	}{
		{"12-megapixel JPEG", phototest.JPEG(4000, 3000, 1), photo.JPEG, 640, 480, true},
		{"JPEG held sideways", phototest.JPEG(800, 600, 6), photo.JPEG, 480, 640, true},
		{"JPEG upside down", phototest.JPEG(1280, 720, 3), photo.JPEG, 640, 360, true},
		{"wide PNG", phototest.PNG(1000, 200), photo.PNG, 640, 128, true},
		{"PNG of 640", phototest.PNG(640, 480), photo.Type{}, 0, 0, false},
		{"small JPEG turned", phototest.JPEG(600, 400, 8), photo.Type{}, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, ok, err := photo.MakePreview(c.b)
			if err != nil || ok != c.needs {
				t.Fatalf("MakePreview: ok %v, %v; want ok %v", ok, err, c.needs)
			}
			if !ok {
				return
			}
			if p.Type != c.typ || p.Width != c.w || p.Height != c.h {
				t.Errorf("preview %s %d×%d, want %s %d×%d", p.Type.Name, p.Width, p.Height, c.typ.Name, c.w, c.h)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Bytes))
			if err != nil || cfg.Width != c.w || cfg.Height != c.h || "."+strings.Replace(format, "jpeg", "jpg", 1) != c.typ.Ext {
				t.Errorf("preview decodes as %s %d×%d, %v", format, cfg.Width, cfg.Height, err)
			}
			for _, s := range append(phototest.Secrets, "Exif", "tEXt") {
				if bytes.Contains(p.Bytes, []byte(s)) {
					t.Errorf("preview holds %q", s)
				}
			}
			clean, err := photo.Clean(c.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := photo.PreviewName(clean.Name()); got != strings.TrimSuffix(clean.Name(), clean.Type.Ext)+c.typ.Ext {
				t.Errorf("PreviewName(%s) = %s", clean.Name(), got)
			}
		})
	}
	if _, _, err := photo.MakePreview([]byte("not a photo")); err == nil {
		t.Error("MakePreview of bytes that are no photo: no error")
	}
}

// TestUpright turns a 3×2 picture of four coloured corners by each EXIF orientation and checks
// which corner shows top left and top right, and the shown size, as the EXIF standard says.
func TestUpright(t *testing.T) {
	t.Parallel()
	tl, tr, bl, br := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 0, 255}
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(0, 0, tl)
	img.Set(2, 0, tr)
	img.Set(0, 1, bl)
	img.Set(2, 1, br)
	for _, c := range []struct {
		o                 int
		topLeft, topRight color.RGBA
		width, height     int
	}{
		{1, tl, tr, 3, 2}, {2, tr, tl, 3, 2}, {3, br, bl, 3, 2}, {4, bl, br, 3, 2},
		{5, tl, bl, 2, 3}, {6, bl, tl, 2, 3}, {7, br, tr, 2, 3}, {8, tr, br, 2, 3},
	} {
		up := photo.Upright(img, c.o)
		w, h := up.Bounds().Dx(), up.Bounds().Dy()
		if w != c.width || h != c.height || up.RGBAAt(0, 0) != c.topLeft || up.RGBAAt(w-1, 0) != c.topRight {
			t.Errorf("orientation %d: %d×%d, top left %v, top right %v; want %d×%d, %v, %v",
				c.o, w, h, up.RGBAAt(0, 0), up.RGBAAt(w-1, 0), c.width, c.height, c.topLeft, c.topRight)
		}
	}
}

// BenchmarkPreview12MP makes the preview of a 12-megapixel (4000 × 3000) phone JPEG held
// sideways: the cleaning again, the full decode, the scaling, the turn and the encode, what the
// preview function does per photo (compare BenchmarkClean12MP, the API's part).
func BenchmarkPreview12MP(b *testing.B) {
	in := phototest.JPEG(4000, 3000, 6)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := photo.MakePreview(in); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
