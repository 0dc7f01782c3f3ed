package photo

import (
	"encoding/binary"
	"fmt"
)

// cleanJPEG keeps the segments a decoder needs (quantisation and Huffman tables, frame and scan
// headers, restart intervals, the Adobe APP14 colour-transform flag) and the entropy-coded data,
// and drops every APPn (JFIF and its thumbnail, EXIF, XMP, ICC profiles, MPF, IPTC/Photoshop),
// every comment, stray bytes between segments, and anything after EOI. An EXIF orientation other than upright is kept as a
// minimal EXIF APP1 right after SOI.
func cleanJPEG(b []byte) ([]byte, int, error) {
	out := make([]byte, 0, len(b))
	o := 1
	i := 2 // after SOI
	for {
		if i >= len(b) {
			return nil, 0, truncated("JPEG", "its segments (no EOI)")
		}
		if b[i] != 0xFF { // stray bytes between segments, which decoders skip: dropped too
			i++
			continue
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(b) {
			return nil, 0, truncated("JPEG", "a marker")
		}
		m := b[i]
		start := i - 1
		i++
		switch {
		case m == 0xD9: // EOI: the end; trailers (other pictures, vendor data) are dropped
			out = append(out, 0xFF, 0xD9)
			return withOrientation(out, o), o, nil
		case m == 0xD8 || m == 0x00:
			return nil, 0, fmt.Errorf("%w: JPEG has a misplaced marker %#02x", ErrCorrupt, m)
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // markers without a length
			out = append(out, 0xFF, m)
			continue
		}
		if i+2 > len(b) {
			return nil, 0, truncated("JPEG", "a segment length")
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return nil, 0, truncated("JPEG", fmt.Sprintf("segment %#02x", m))
		}
		seg := b[i+2 : i+n]
		end := i + n
		switch {
		case m == 0xE1: // EXIF or XMP: only the orientation survives
			if len(seg) >= len(exifHeader) && string(seg[:len(exifHeader)]) == exifHeader {
				o = orientation(seg[len(exifHeader):])
			}
		case m == 0xEE: // Adobe: decoders need its colour transform; it holds nothing else
			out = append(out, b[start:end]...)
		case m >= 0xE0 && m <= 0xEF, m == 0xFE: // other APPn, COM
		case m == 0xDA: // SOS: the header, then entropy-coded data up to the next real marker
			out = append(out, b[start:end]...)
			j := end
			for {
				if j+1 >= len(b) {
					return nil, 0, truncated("JPEG", "its scan data")
				}
				if b[j] == 0xFF && b[j+1] != 0x00 && (b[j+1] < 0xD0 || b[j+1] > 0xD7) && b[j+1] != 0xFF {
					break
				}
				j++
			}
			out = append(out, b[end:j]...)
			end = j
		default: // tables, frame headers, restart intervals
			out = append(out, b[start:end]...)
		}
		i = end
	}
}

// withOrientation puts SOI and, when o is not upright, a minimal EXIF APP1 in front of body.
func withOrientation(body []byte, o int) []byte {
	out := make([]byte, 0, len(body)+64)
	out = append(out, 0xFF, 0xD8)
	if o != 1 {
		tiff := minimalEXIF(o)
		out = append(out, 0xFF, 0xE1)
		out = binary.BigEndian.AppendUint16(out, uint16(2+len(exifHeader)+len(tiff)))
		out = append(out, exifHeader...)
		out = append(out, tiff...)
	}
	return append(out, body...)
}
