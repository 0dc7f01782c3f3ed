// Package photo checks the photos reporters send and cleans them of what they reveal.
//
// Clean decides the type from the bytes (JPEG, PNG, WebP or GIF), refuses what is not an image, is
// corrupt or truncated, or is larger than MaxPixels (checked on the header, before any decode),
// removes every metadata block the format can carry except a minimal orientation record, and proves
// that the cleaned bytes decode fully with the dimensions the header declared. The cleaned bytes are
// what is stored and served; their name is their SHA-256. docs/wire.md says what is kept and why.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"

	"golang.org/x/image/webp"
)

// MaxPixels is the largest image accepted, in pixels (width × height; for a GIF, the sum over its
// frames). 24 megapixels holds every phone's and most cameras' photos, and keeps a full decode
// within the API functions' memory.
const MaxPixels = 24_000_000

// MaxDecodedBytes bounds the memory a photo's full decode may take (96 MiB), reckoned from its
// header's dimensions and colour model: 24 megapixels of 8-bit RGBA fit, a 16-bit PNG of the
// same size (8 bytes a pixel) does not.
const MaxDecodedBytes = 96 << 20

// The errors Clean returns, wrapped with what was found; callers tell them apart with errors.Is.
var (
	// ErrEmpty is a photo of zero bytes.
	ErrEmpty = errors.New("the photo is empty")
	// ErrNotImage is bytes that are none of the accepted types.
	ErrNotImage = errors.New("the photo is not a JPEG, PNG, WebP or GIF image")
	// ErrCorrupt is an image of an accepted type that does not decode to its end.
	ErrCorrupt = errors.New("the photo is corrupt or truncated")
	// ErrTooManyPixels is an image whose dimensions exceed MaxPixels, or whose decode would
	// take more than MaxDecodedBytes.
	ErrTooManyPixels = errors.New("the photo has too many pixels")
)

// Type is one accepted image type.
type Type struct {
	// ContentType is the media type served with the photo, like "image/jpeg".
	ContentType string
	// Ext is the extension of the photo's name, with its dot, like ".jpg".
	Ext string
	// Name is what the type is called in messages, like "JPEG".
	Name string
}

// The accepted types.
var (
	JPEG = Type{ContentType: "image/jpeg", Ext: ".jpg", Name: "JPEG"}
	PNG  = Type{ContentType: "image/png", Ext: ".png", Name: "PNG"}
	WebP = Type{ContentType: "image/webp", Ext: ".webp", Name: "WebP"}
	GIF  = Type{ContentType: "image/gif", Ext: ".gif", Name: "GIF"}
)

// Photo is a cleaned photo: the bytes to store and what is known of them.
type Photo struct {
	// Bytes is the cleaned image.
	Bytes []byte
	// Type is the image's type, decided from its bytes.
	Type Type
	// Width and Height are the dimensions of the stored pixel grid.
	Width, Height int
	// Orientation is the EXIF orientation kept in the cleaned bytes (1 to 8; 1 is upright).
	Orientation int
}

// Name is the photo's content-addressed name: the hex SHA-256 of its bytes and its extension.
func (p Photo) Name() string {
	sum := sha256.Sum256(p.Bytes)
	return hex.EncodeToString(sum[:]) + p.Type.Ext
}

// DisplaySize is the photo's width and height as shown, once its orientation is applied.
func (p Photo) DisplaySize() (width, height int) {
	if p.Orientation >= 5 && p.Orientation <= 8 {
		return p.Height, p.Width
	}
	return p.Width, p.Height
}

// Sniff decides the type of b from its first bytes; ok is false when b is none of the accepted types.
func Sniff(b []byte) (t Type, ok bool) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return JPEG, true
	case bytes.HasPrefix(b, []byte(pngSignature)):
		return PNG, true
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, true
	}
	return Type{}, false
}

// Declared reports whether a part's declared Content-Type agrees with the type of its bytes. Only
// image types are judged: an empty, generic (application/octet-stream) or non-image declaration
// leaves the decision to the bytes; an image type other than t (image/png on a JPEG) is a lie.
func Declared(declared string, t Type) bool {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(declared)), ";")
	mt = strings.TrimSpace(mt)
	if !strings.HasPrefix(mt, "image/") {
		return true
	}
	switch mt {
	case "image/jpg", "image/pjpeg":
		mt = "image/jpeg"
	case "image/x-png":
		mt = "image/png"
	}
	return mt == t.ContentType
}

// Clean checks b and returns it cleaned of metadata. Its errors wrap ErrEmpty, ErrNotImage,
// ErrTooManyPixels or ErrCorrupt.
func Clean(b []byte) (Photo, error) {
	if len(b) == 0 {
		return Photo{}, ErrEmpty
	}
	t, ok := Sniff(b)
	if !ok {
		return Photo{}, ErrNotImage
	}
	cfg, err := decodeConfig(t, b)
	if err != nil {
		return Photo{}, fmt.Errorf("%w: %s header: %v", ErrCorrupt, t.Name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Photo{}, fmt.Errorf("%w: %s of %d×%d pixels", ErrCorrupt, t.Name, cfg.Width, cfg.Height)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > MaxPixels {
		return Photo{}, fmt.Errorf("%w: %d×%d is over %d", ErrTooManyPixels, cfg.Width, cfg.Height, MaxPixels)
	}
	if n := pixels * bytesPerPixel(cfg.ColorModel); n > MaxDecodedBytes {
		return Photo{}, fmt.Errorf("%w: %d×%d would decode to %d bytes, over %d", ErrTooManyPixels, cfg.Width, cfg.Height, n, MaxDecodedBytes)
	}
	var cleaned []byte
	orientation := 1
	switch t {
	case JPEG:
		cleaned, orientation, err = cleanJPEG(b)
	case PNG:
		cleaned, orientation, err = cleanPNG(b)
	case WebP:
		cleaned, orientation, err = cleanWebP(b)
	case GIF:
		cleaned, err = cleanGIF(b)
	}
	if err != nil {
		return Photo{}, err
	}
	img, err := decode(t, cleaned)
	if err != nil {
		return Photo{}, fmt.Errorf("%w: %s: %v", ErrCorrupt, t.Name, err)
	}
	if bd := img.Bounds(); bd.Dx() != cfg.Width || bd.Dy() != cfg.Height {
		return Photo{}, fmt.Errorf("%w: %s header says %d×%d, its pixels are %d×%d",
			ErrCorrupt, t.Name, cfg.Width, cfg.Height, bd.Dx(), bd.Dy())
	}
	return Photo{Bytes: cleaned, Type: t, Width: cfg.Width, Height: cfg.Height, Orientation: orientation}, nil
}

// bytesPerPixel is what a decoded pixel of the colour model takes at most (a JPEG's YCbCr
// counted without chroma subsampling, a GIF's frames one byte a pixel each).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK, NYCbCrA and anything else
}

func decodeConfig(t Type, b []byte) (image.Config, error) {
	r := bytes.NewReader(b)
	switch t {
	case JPEG:
		return jpeg.DecodeConfig(r)
	case PNG:
		return png.DecodeConfig(r)
	case WebP:
		return webp.DecodeConfig(r)
	default:
		return gif.DecodeConfig(r)
	}
}

// decode decodes every pixel of b (every frame of a GIF), which is what proves it is whole.
func decode(t Type, b []byte) (image.Image, error) {
	r := bytes.NewReader(b)
	switch t {
	case JPEG:
		return jpeg.Decode(r)
	case PNG:
		return png.Decode(r)
	case WebP:
		return webp.Decode(r)
	default:
		g, err := gif.DecodeAll(r)
		if err != nil {
			return nil, err
		}
		if len(g.Image) == 0 {
			return nil, errors.New("no frames")
		}
		return image.Rectangle{Max: image.Pt(g.Config.Width, g.Config.Height)}, nil
	}
}

// truncated is the error of a walk that ran off the end of the bytes.
func truncated(format, where string) error {
	return fmt.Errorf("%w: %s ends inside %s", ErrCorrupt, format, where)
}
