// Package phototest makes the photos tests send: real images with the metadata a phone writes
// (make, model, serial, owner, date and GPS in EXIF), so that a test can check none of it is served.
package phototest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Secrets are the texts the metadata of these photos hold; no cleaned photo may hold any.
var Secrets = []string{"TestCam Inc", "Model X-9", "2026:12:01 07:30:00", "Jane Reporter", "SN-31415926"}

// CameraEXIF is the TIFF body of an EXIF block as a phone writes it: make, model, date, artist,
// serial, orientation, and a GPS IFD with latitude and longitude.
func CameraEXIF(orientation int) []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		data     []byte // inline if at most 4 bytes
	}
	ascii := func(tag uint16, s string) entry { return entry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)} }
	rationals := func(tag uint16, nums ...uint32) entry {
		var d []byte
		for _, n := range nums {
			d = le.AppendUint32(d, n)
			d = le.AppendUint32(d, 100000)
		}
		return entry{tag, 5, uint32(len(nums)), d}
	}
	short := func(tag uint16, v uint16) entry { return entry{tag, 3, 1, le.AppendUint16(nil, v)} }
	long := func(tag uint16, v uint32) entry { return entry{tag, 4, 1, le.AppendUint32(nil, v)} }

	// writeIFD lays out an IFD at off and its out-of-line values after it.
	writeIFD := func(off uint32, es []entry) []byte {
		var ifd, extra []byte
		ifd = le.AppendUint16(ifd, uint16(len(es)))
		dataOff := off + 2 + 12*uint32(len(es)) + 4
		for _, e := range es {
			ifd = le.AppendUint16(ifd, e.tag)
			ifd = le.AppendUint16(ifd, e.typ)
			ifd = le.AppendUint32(ifd, e.count)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				ifd = append(ifd, v...)
				continue
			}
			ifd = le.AppendUint32(ifd, dataOff+uint32(len(extra)))
			extra = append(extra, e.data...)
			if len(extra)%2 == 1 {
				extra = append(extra, 0)
			}
		}
		ifd = le.AppendUint32(ifd, 0)
		return append(ifd, extra...)
	}
	gps := []entry{
		ascii(1, "N"), rationals(2, 4071283, 0, 0), ascii(3, "W"), rationals(4, 7400601, 0, 0),
	}
	ifd0 := func(gpsOff uint32) []entry {
		return []entry{
			ascii(0x010F, "TestCam Inc"), ascii(0x0110, "Model X-9"), short(0x0112, uint16(orientation)),
			ascii(0x0132, "2026:12:01 07:30:00"), ascii(0x013B, "Jane Reporter"),
			ascii(0xA431, "SN-31415926"), long(0x8825, gpsOff),
		}
	}
	first := writeIFD(8, ifd0(0))
	gpsOff := uint32(8 + len(first))
	if gpsOff%2 == 1 {
		gpsOff++
	}
	out := []byte("II*\x00")
	out = le.AppendUint32(out, 8)
	out = append(out, writeIFD(8, ifd0(gpsOff))...)
	for uint32(len(out)) < gpsOff {
		out = append(out, 0)
	}
	return append(out, writeIFD(gpsOff, gps)...)
}

// Picture is a w×h image with a gradient.
func Picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

// JPEG is a w×h JPEG from a phone: its EXIF (CameraEXIF, of orientation o) right after SOI.
func JPEG(w, h, o int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(w, h), &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	exif := append([]byte("Exif\x00\x00"), CameraEXIF(o)...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(exif)+2))
	out = append(out, exif...)
	return append(out, buf.Bytes()[2:]...)
}

// PNG is a w×h PNG with an Author text chunk.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		panic(err)
	}
	enc := buf.Bytes()
	text := []byte("Author\x00Jane Reporter")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc(chunk[4:]))
	out := append([]byte{}, enc[:33]...) // signature and IHDR
	out = append(out, chunk...)
	return append(out, enc[33:]...)
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
