package photo

import "encoding/binary"

// exifHeader starts the EXIF payload of a JPEG APP1 segment (and, optionally, of a WebP EXIF chunk).
const exifHeader = "Exif\x00\x00"

const tagOrientation = 0x0112

// orientation reads the Orientation tag from IFD0 of a TIFF structure (the body of EXIF). It
// answers 1 (upright) when the tag is missing, out of range or the structure is damaged: a
// damaged EXIF block is dropped like any other, never a reason to refuse the photo.
func orientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[0:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int64(bo.Uint32(tiff[4:8]))
	if off < 8 || off+2 > int64(len(tiff)) {
		return 1
	}
	n := int64(bo.Uint16(tiff[off:]))
	for i := int64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			return 1
		}
		if bo.Uint16(tiff[e:]) != tagOrientation {
			continue
		}
		typ, count := bo.Uint16(tiff[e+2:]), bo.Uint32(tiff[e+4:])
		if typ != 3 || count != 1 { // SHORT, one value
			return 1
		}
		if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// minimalEXIF is a TIFF structure holding one tag, Orientation, and nothing else: what a cleaned
// photo keeps of its EXIF so that it still displays the right way up.
func minimalEXIF(o int) []byte {
	b := make([]byte, 0, 26)
	b = append(b, "MM\x00*"...)
	b = binary.BigEndian.AppendUint32(b, 8) // IFD0 right after the header
	b = binary.BigEndian.AppendUint16(b, 1) // one entry
	b = binary.BigEndian.AppendUint16(b, tagOrientation)
	b = binary.BigEndian.AppendUint16(b, 3) // SHORT
	b = binary.BigEndian.AppendUint32(b, 1) // one value
	b = binary.BigEndian.AppendUint16(b, uint16(o))
	b = binary.BigEndian.AppendUint16(b, 0) // padding of the value field
	b = binary.BigEndian.AppendUint32(b, 0) // no next IFD
	return b
}
