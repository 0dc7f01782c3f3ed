package photo

import (
	"encoding/binary"
	"fmt"
)

// The VP8X flags that announce optional chunks.
const (
	vp8xICC  = 0x20
	vp8xEXIF = 0x08
	vp8xXMP  = 0x04
)

// webpKept is every chunk a cleaned WebP keeps: the extended header, animation and alpha, and
// the bitstreams. EXIF, XMP, ICCP and unknown chunks go.
var webpKept = map[string]bool{"VP8X": true, "ANIM": true, "ANMF": true, "ALPH": true, "VP8 ": true, "VP8L": true}

// cleanWebP keeps the chunks of webpKept, clears the VP8X flags of what was dropped, and keeps an
// EXIF orientation other than upright as a minimal EXIF chunk at the end (where the format puts it).
func cleanWebP(b []byte) ([]byte, int, error) {
	riff := int64(binary.LittleEndian.Uint32(b[4:8]))
	if riff < 4 || 8+riff > int64(len(b)) {
		return nil, 0, truncated("WebP", "its RIFF container")
	}
	body := b[12 : 8+riff] // trailing bytes after the container are dropped
	out := make([]byte, 0, len(b))
	out = append(out, "RIFF\x00\x00\x00\x00WEBP"...)
	o := 1
	vp8x := -1
	for i := 0; i < len(body); {
		if i+8 > len(body) {
			return nil, 0, truncated("WebP", "a chunk header")
		}
		typ := string(body[i : i+4])
		n := int64(binary.LittleEndian.Uint32(body[i+4:]))
		end := int64(i) + 8 + n + n&1
		if n > 1<<31-1 || int64(i)+8+n > int64(len(body)) {
			return nil, 0, truncated("WebP", fmt.Sprintf("chunk %q", typ))
		}
		if end > int64(len(body)) { // a missing pad byte at the very end
			end = int64(len(body))
		}
		switch {
		case typ == "EXIF":
			data := body[i+8 : i+8+int(n)]
			if len(data) >= len(exifHeader) && string(data[:len(exifHeader)]) == exifHeader {
				data = data[len(exifHeader):]
			}
			o = orientation(data)
		case webpKept[typ]:
			if typ == "VP8X" {
				vp8x = len(out)
			}
			out = append(out, body[i:end]...)
			if n&1 == 1 && end-int64(i) == 8+n {
				out = append(out, 0)
			}
		}
		i = int(end)
	}
	if vp8x >= 0 && vp8x+9 <= len(out) {
		flags := out[vp8x+8] &^ (vp8xICC | vp8xEXIF | vp8xXMP)
		if o != 1 {
			flags |= vp8xEXIF
		}
		out[vp8x+8] = flags
	}
	if o != 1 && vp8x >= 0 { // without VP8X a simple WebP cannot carry EXIF
		tiff := minimalEXIF(o)
		out = append(out, "EXIF"...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(tiff)))
		out = append(out, tiff...)
	}
	if vp8x < 0 {
		o = 1
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, o, nil
}
