package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"

	"golang.org/x/image/draw"
)

// PreviewSide is the long side, in pixels, of a photo's preview at most; a photo no larger
// is its own preview.
const PreviewSide = 640

// previewQuality is the JPEG quality of a JPEG's preview.
const previewQuality = 85

// NeedsPreview reports whether a photo shown width × height is larger than its preview.
func NeedsPreview(width, height int) bool { return max(width, height) > PreviewSide }

// PreviewType is the type of the preview of a photo of type t: a JPEG for a JPEG, a PNG for
// the others (their transparency kept; the standard library writes no WebP, and a preview
// shows one frame of a GIF).
func PreviewType(t Type) Type {
	if t == JPEG {
		return JPEG
	}
	return PNG
}

// PreviewName is the name of the preview of the photo of that name: the photo's hash with its
// preview type's extension. It is known before the preview is made, so the API can give its
// URL at once.
func PreviewName(name string) string {
	hash, ext, _ := strings.Cut(name, ".")
	if "."+ext == JPEG.Ext {
		return hash + JPEG.Ext
	}
	return hash + PNG.Ext
}

// Preview is a photo's preview, upright, at most PreviewSide pixels on its long side.
type Preview struct {
	Bytes         []byte
	Type          Type
	Width, Height int
}

// MakePreview makes the preview of photo bytes b: b is cleaned again (so anything stored is
// checked as a report's photo is, limits included), decoded, turned upright by its orientation,
// scaled down to at most PreviewSide on its long side and encoded without any metadata (the
// encoders write none). ok is false for a photo no larger than its preview, which needs none.
func MakePreview(b []byte) (p Preview, ok bool, err error) {
	src, err := Clean(b)
	if err != nil {
		return Preview{}, false, err
	}
	w, h := src.DisplaySize()
	if !NeedsPreview(w, h) {
		return Preview{}, false, nil
	}
	img, _, err := image.Decode(bytes.NewReader(src.Bytes))
	if err != nil {
		return Preview{}, false, fmt.Errorf("%w: decode %s: %v", ErrCorrupt, src.Type.Name, err)
	}
	// Scale the stored grid first (its long side maps to the shown long side), then turn it.
	sw, sh := scaled(src.Width, src.Height)
	small := image.NewRGBA(image.Rect(0, 0, sw, sh))
	draw.CatmullRom.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	up := Upright(small, src.Orientation)
	p = Preview{Type: PreviewType(src.Type), Width: up.Bounds().Dx(), Height: up.Bounds().Dy()}
	var buf bytes.Buffer
	if p.Type == JPEG {
		err = jpeg.Encode(&buf, up, &jpeg.Options{Quality: previewQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, up)
	}
	if err != nil {
		return Preview{}, false, fmt.Errorf("encode the preview: %w", err)
	}
	p.Bytes = buf.Bytes()
	return p, true, nil
}

// scaled is w × h scaled so that its long side is PreviewSide (rounded, at least 1 pixel).
func scaled(w, h int) (int, int) {
	long := max(w, h)
	sw := max(1, (w*PreviewSide+long/2)/long)
	sh := max(1, (h*PreviewSide+long/2)/long)
	return sw, sh
}

// Upright returns img as an EXIF orientation o (1 to 8) says it is shown: flipped or turned so
// that its top is up. Orientation 1 (or any other value) returns img itself.
func Upright(img *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			// The source pixel shown at (x, y).
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := img.PixOffset(sx+img.Rect.Min.X, sy+img.Rect.Min.Y)
			copy(out.Pix[out.PixOffset(x, y):][:4], img.Pix[si:si+4])
		}
	}
	return out
}
