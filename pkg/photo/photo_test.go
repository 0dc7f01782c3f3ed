package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
	"golang.org/x/image/webp"
)

// secrets are what the test images carry in their metadata; no cleaned photo may hold any of them.
var secrets = []string{
	"TestCam Inc", "Model X-9", "2026:12:01 07:30:00", "Jane Reporter", "SN-31415926",
	"xmpmeta", "photoshop:City", "8BIM", "secret comment", "ICC_PROFILE", "TRAILER-SECRET",
	string(binary.LittleEndian.AppendUint32(nil, 4071283)), // GPS latitude numerator
	string(binary.LittleEndian.AppendUint32(nil, 7400601)), // GPS longitude numerator
}

const xmp = `<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description photoshop:City="Springfield" tiff:Artist="Jane Reporter"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`

// picture is a w×h image with a gradient, so that every pixel is checked after cleaning.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
	return append(s, payload...)
}

// jpegWithMetadata encodes img and puts in every metadata segment a camera or an editor writes,
// and a trailer after EOI.
func jpegWithMetadata(t testing.TB, img image.Image, orientation int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	out := []byte{0xFF, 0xD8}
	out = append(out, segment(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"))...)
	out = append(out, segment(0xE1, append([]byte("Exif\x00\x00"), phototest.CameraEXIF(orientation)...))...)
	out = append(out, segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmp...))...)
	out = append(out, segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01Jane Reporter's profile"))...)
	out = append(out, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x50\x00\x0dJane Reporter"))...)
	out = append(out, segment(0xFE, []byte("secret comment"))...)
	out = append(out, enc[2:]...)
	return append(out, "TRAILER-SECRET"...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngWithMetadata encodes img and adds text, time and EXIF chunks before its first IDAT.
func pngWithMetadata(t testing.TB, img image.Image, orientation int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	ihdrEnd := 8 + 25
	var meta []byte
	meta = append(meta, pngChunk("tEXt", []byte("Author\x00Jane Reporter"))...)
	meta = append(meta, pngChunk("zTXt", []byte("Comment\x00\x00x\x9c+NM.J-Q\x48\xce\xcf\xcdM\xcd+\x01\x00\x2c\x1a\x05\x3f"))...)
	meta = append(meta, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+xmp))...)
	meta = append(meta, pngChunk("tIME", []byte{0x07, 0xEA, 12, 1, 7, 30, 0})...)
	meta = append(meta, pngChunk("eXIf", phototest.CameraEXIF(orientation))...)
	meta = append(meta, pngChunk("iCCP", []byte("ICC_PROFILE\x00\x00x\x9c\x03\x00\x00\x00\x00\x01"))...)
	out := append([]byte{}, enc[:ihdrEnd]...)
	out = append(out, meta...)
	out = append(out, enc[ihdrEnd:]...)
	return append(out, "TRAILER-SECRET"...)
}

func riffChunk(typ string, data []byte) []byte {
	c := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// webpWithMetadata wraps the lossless gopher (75×100) in an extended WebP with ICC, EXIF and XMP.
func webpWithMetadata(t testing.TB, orientation int) []byte {
	t.Helper()
	simple, err := os.ReadFile("testdata/gopher.lossless.webp")
	if err != nil {
		t.Fatal(err)
	}
	vp8l := simple[12:]
	vp8x := []byte{0x20 | 0x08 | 0x04, 0, 0, 0}
	w, h := 75-1, 100-1
	vp8x = append(vp8x, byte(w), byte(w>>8), byte(w>>16), byte(h), byte(h>>8), byte(h>>16))
	body := []byte("WEBP")
	body = append(body, riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("ICCP", []byte("ICC_PROFILE Jane Reporter's profile"))...)
	body = append(body, vp8l...)
	body = append(body, riffChunk("EXIF", append([]byte("Exif\x00\x00"), phototest.CameraEXIF(orientation)...))...)
	body = append(body, riffChunk("XMP ", []byte(xmp))...)
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	out = append(out, body...)
	return append(out, "TRAILER-SECRET"...)
}

// gifWithMetadata encodes a two-frame looping animation and adds a comment and an XMP application
// extension.
func gifWithMetadata(t testing.TB) []byte {
	t.Helper()
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	var frames []*image.Paletted
	for f := range 2 {
		p := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		for i := range p.Pix {
			p.Pix[i] = uint8((i + f) % 4)
		}
		frames = append(frames, p)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: frames, Delay: []int{10, 10}, LoopCount: 0}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	// after the header, the screen descriptor and its global colour table
	at := 13
	if enc[10]&0x80 != 0 {
		at += 3 << (int(enc[10]&7) + 1)
	}
	ext := []byte{0x21, 0xFE, 14}
	ext = append(ext, "secret comment"...)
	ext = append(ext, 0)
	ext = append(ext, 0x21, 0xFF, 11)
	ext = append(ext, "XMP DataXMP"...)
	for rest := []byte(xmp); len(rest) > 0; {
		n := min(len(rest), 255)
		ext = append(ext, byte(n))
		ext = append(ext, rest[:n]...)
		rest = rest[n:]
	}
	ext = append(ext, 0)
	out := append([]byte{}, enc[:at]...)
	out = append(out, ext...)
	out = append(out, enc[at:]...)
	return append(out, "TRAILER-SECRET"...)
}

func assertNoSecrets(t *testing.T, b []byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("cleaned photo still holds %q", s)
		}
	}
	if bytes.HasSuffix(b, []byte("TRAILER-SECRET")) {
		t.Error("cleaned photo keeps the bytes after its end")
	}
}

// onlyOrientation asserts that tiff is a TIFF structure whose IFD0 holds exactly the Orientation
// tag with value want, and nothing follows it.
func onlyOrientation(t *testing.T, tiff []byte, want int) {
	t.Helper()
	if len(tiff) < 8 {
		t.Fatalf("EXIF of %d bytes", len(tiff))
	}
	var bo binary.ByteOrder = binary.BigEndian
	if string(tiff[:2]) == "II" {
		bo = binary.LittleEndian
	}
	off := bo.Uint32(tiff[4:])
	n := bo.Uint16(tiff[off:])
	if n != 1 {
		t.Fatalf("EXIF IFD0 has %d entries, want only Orientation", n)
	}
	e := tiff[off+2:]
	if tag, v := bo.Uint16(e), bo.Uint16(e[8:]); tag != 0x0112 || int(v) != want {
		t.Errorf("EXIF entry is tag %#04x = %d, want Orientation = %d", tag, v, want)
	}
	if next := bo.Uint32(e[12:]); next != 0 {
		t.Errorf("EXIF has a next IFD at %d", next)
	}
	if end := int(off) + 2 + 12 + 4; len(tiff) != end {
		t.Errorf("EXIF is %d bytes, want %d: something follows the orientation", len(tiff), end)
	}
}

func samePixels(t *testing.T, got, want image.Image) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("cleaned photo is %v, original %v", got.Bounds(), want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) changed in cleaning", x, y)
			}
		}
	}
}

// jpegSegments lists the markers of a JPEG's segments up to its first scan.
func jpegSegments(t *testing.T, b []byte) (markers []byte, app1 [][]byte) {
	t.Helper()
	for i := 2; i+4 <= len(b); {
		m := b[i+1]
		markers = append(markers, m)
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m == 0xE1 {
			app1 = append(app1, b[i+4:i+2+n])
		}
		if m == 0xDA {
			return markers, app1
		}
		i += 2 + n
	}
	t.Fatal("JPEG without a scan")
	return nil, nil
}

func TestCleanJPEG(t *testing.T) {
	t.Parallel()
	for _, o := range []int{1, 6} {
		img := picture(64, 48)
		in := jpegWithMetadata(t, img, o)
		p, err := photo.Clean(in)
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		if p.Type != photo.JPEG || p.Width != 64 || p.Height != 48 || p.Orientation != o {
			t.Errorf("Clean = %s %d×%d orientation %d, want JPEG 64×48 orientation %d", p.Type.Name, p.Width, p.Height, p.Orientation, o)
		}
		assertNoSecrets(t, p.Bytes)
		markers, app1 := jpegSegments(t, p.Bytes)
		for _, m := range markers {
			if m >= 0xE0 && m <= 0xEF && m != 0xE1 || m == 0xFE {
				t.Errorf("cleaned JPEG keeps segment %#02x", m)
			}
		}
		switch {
		case o == 1 && len(app1) != 0:
			t.Errorf("upright JPEG keeps %d APP1 segments", len(app1))
		case o != 1 && len(app1) != 1:
			t.Fatalf("JPEG of orientation %d has %d APP1 segments, want one minimal EXIF", o, len(app1))
		case o != 1:
			onlyOrientation(t, bytes.TrimPrefix(app1[0], []byte("Exif\x00\x00")), o)
		}
		got, err := jpeg.Decode(bytes.NewReader(p.Bytes))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := jpeg.Decode(bytes.NewReader(in))
		samePixels(t, got, want)
		if w, h := p.DisplaySize(); o == 6 && (w != 48 || h != 64) {
			t.Errorf("DisplaySize of a rotated 64×48 = %d×%d, want 48×64", w, h)
		}
	}
}

// TestCleanJPEGWithStrayBytes cleans a JPEG with bytes between two segments, as some cameras
// write it: decoders skip them, and so does cleaning, which drops them with the metadata.
func TestCleanJPEGWithStrayBytes(t *testing.T) {
	t.Parallel()
	in := jpegWithMetadata(t, picture(32, 32), 1)
	com := bytes.Index(in, []byte{0xFF, 0xFE})
	stray := append(append(append([]byte{}, in[:com]...), "\x00\x00JUNK-SECRET"...), in[com:]...)
	p, err := photo.Clean(stray)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Bytes, []byte("JUNK-SECRET")) {
		t.Error("cleaned JPEG keeps the stray bytes")
	}
	assertNoSecrets(t, p.Bytes)
	got, err := jpeg.Decode(bytes.NewReader(p.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := jpeg.Decode(bytes.NewReader(in))
	samePixels(t, got, want)
}

func TestCleanPNG(t *testing.T) {
	t.Parallel()
	img := picture(30, 20)
	in := pngWithMetadata(t, img, 8)
	p, err := photo.Clean(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != photo.PNG || p.Width != 30 || p.Height != 20 || p.Orientation != 8 {
		t.Errorf("Clean = %s %d×%d orientation %d", p.Type.Name, p.Width, p.Height, p.Orientation)
	}
	assertNoSecrets(t, p.Bytes)
	var types []string
	for i := 8; i+8 <= len(p.Bytes); {
		n := int(binary.BigEndian.Uint32(p.Bytes[i:]))
		typ := string(p.Bytes[i+4 : i+8])
		types = append(types, typ)
		if typ == "eXIf" {
			onlyOrientation(t, p.Bytes[i+8:i+8+n], 8)
		}
		i += 12 + n
	}
	if got := strings.Join(types, " "); !strings.HasPrefix(got, "IHDR eXIf IDAT") || !strings.HasSuffix(got, "IEND") ||
		strings.ContainsAny(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(got, "IHDR", ""), "eXIf", ""), "IDAT", ""), "IEND", ""), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		t.Errorf("cleaned PNG chunks = %s, want IHDR eXIf IDAT... IEND", got)
	}
	got, err := png.Decode(bytes.NewReader(p.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, got, img)
}

func TestCleanWebP(t *testing.T) {
	t.Parallel()
	for _, o := range []int{1, 3} {
		in := webpWithMetadata(t, o)
		p, err := photo.Clean(in)
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		if p.Type != photo.WebP || p.Width != 75 || p.Height != 100 || p.Orientation != o {
			t.Errorf("Clean = %s %d×%d orientation %d", p.Type.Name, p.Width, p.Height, p.Orientation)
		}
		assertNoSecrets(t, p.Bytes)
		b := p.Bytes
		if riff := binary.LittleEndian.Uint32(b[4:]); int(riff) != len(b)-8 {
			t.Errorf("RIFF size %d for %d bytes", riff, len(b))
		}
		var types []string
		for i := 12; i+8 <= len(b); {
			typ := string(b[i : i+4])
			n := int(binary.LittleEndian.Uint32(b[i+4:]))
			types = append(types, typ)
			switch typ {
			case "VP8X":
				wantFlags := byte(0)
				if o != 1 {
					wantFlags = 0x08
				}
				if b[i+8] != wantFlags {
					t.Errorf("VP8X flags %#02x, want %#02x", b[i+8], wantFlags)
				}
			case "EXIF":
				onlyOrientation(t, b[i+8:i+8+n], o)
			}
			i += 8 + n + n&1
		}
		want := "VP8X VP8L"
		if o != 1 {
			want += " EXIF"
		}
		if got := strings.Join(types, " "); got != want {
			t.Errorf("cleaned WebP chunks = %s, want %s", got, want)
		}
		got, err := webp.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		simple, _ := os.ReadFile("testdata/gopher.lossless.webp")
		orig, _ := webp.Decode(bytes.NewReader(simple))
		samePixels(t, got, orig)
	}
}

// TestCleanWebPWithAlpha adds EXIF (orientation 8) and XMP chunks to an extended lossy WebP
// with an alpha channel: cleaning keeps the alpha chunk and flag, drops the metadata, keeps the
// orientation, and the pixels are the same.
func TestCleanWebPWithAlpha(t *testing.T) {
	t.Parallel()
	orig, err := os.ReadFile("testdata/rose.lossy-with-alpha.webp")
	if err != nil {
		t.Fatal(err)
	}
	body := append([]byte{}, orig[12:]...)
	body[8] |= 0x08 | 0x04 // VP8X: EXIF and XMP follow
	body = append(body, riffChunk("EXIF", phototest.CameraEXIF(8))...)
	body = append(body, riffChunk("XMP ", []byte(xmp))...)
	in := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	in = append(append(in, "WEBP"...), body...)
	p, err := photo.Clean(in)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, p.Bytes)
	if p.Orientation != 8 {
		t.Errorf("orientation %d, want 8", p.Orientation)
	}
	if flags := p.Bytes[20]; flags != 0x10|0x08 {
		t.Errorf("VP8X flags %#02x, want alpha and EXIF (0x18)", flags)
	}
	if !bytes.Contains(p.Bytes, []byte("ALPH")) {
		t.Error("the alpha chunk was dropped")
	}
	got, err := webp.Decode(bytes.NewReader(p.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := webp.Decode(bytes.NewReader(orig))
	samePixels(t, got, want)
}

func TestCleanGIF(t *testing.T) {
	t.Parallel()
	in := gifWithMetadata(t)
	p, err := photo.Clean(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != photo.GIF || p.Width != 40 || p.Height != 30 || p.Orientation != 1 {
		t.Errorf("Clean = %s %d×%d orientation %d", p.Type.Name, p.Width, p.Height, p.Orientation)
	}
	assertNoSecrets(t, p.Bytes)
	if bytes.Contains(p.Bytes, []byte("XMP DataXMP")) {
		t.Error("cleaned GIF keeps the XMP application extension")
	}
	if !bytes.Contains(p.Bytes, []byte("NETSCAPE2.0")) {
		t.Error("cleaned GIF lost its looping extension")
	}
	g, err := gif.DecodeAll(bytes.NewReader(p.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := gif.DecodeAll(bytes.NewReader(in))
	if len(g.Image) != 2 || g.LoopCount != orig.LoopCount {
		t.Errorf("cleaned GIF has %d frames, loop %d; want 2, loop %d", len(g.Image), g.LoopCount, orig.LoopCount)
	}
	for i := range g.Image {
		samePixels(t, g.Image[i], orig.Image[i])
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	a, err := photo.Clean(jpegWithMetadata(t, picture(16, 16), 1))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	_ = jpeg.Encode(&plain, picture(16, 16), &jpeg.Options{Quality: 90})
	b, err := photo.Clean(plain.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a.Name() != b.Name() {
		t.Errorf("the same picture with and without metadata has names %s and %s", a.Name(), b.Name())
	}
	if !strings.HasSuffix(a.Name(), ".jpg") || len(a.Name()) != 64+4 {
		t.Errorf("Name = %s, want 64 hex digits and .jpg", a.Name())
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	jpg := jpegWithMetadata(t, picture(64, 48), 1)
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, picture(20, 20))
	pngBytes := pngBuf.Bytes()

	// a PNG that says it is 100000×100000 pixels; its data would take 40 GB decoded
	bombPNG := []byte(pngSignature)
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	bombPNG = append(bombPNG, pngChunk("IHDR", ihdr)...)
	bombPNG = append(bombPNG, pngChunk("IDAT", []byte("x\x9c\x03\x00\x00\x00\x00\x01"))...)
	bombPNG = append(bombPNG, pngChunk("IEND", nil)...)

	// a JPEG whose frame header claims 60000×60000
	bombJPEG := append([]byte{}, jpg...)
	sof := bytes.Index(bombJPEG, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(bombJPEG[sof+5:], 60000)
	binary.BigEndian.PutUint16(bombJPEG[sof+7:], 60000)

	// a GIF of a 4000×4000 screen with two full frames: each passes, together they are 32 megapixels
	bombGIF := []byte("GIF89a")
	bombGIF = binary.LittleEndian.AppendUint16(bombGIF, 4000)
	bombGIF = binary.LittleEndian.AppendUint16(bombGIF, 4000)
	bombGIF = append(bombGIF, 0x80, 0, 0, 0, 0, 0, 255, 255, 255)
	for range 2 {
		bombGIF = append(bombGIF, 0x2C, 0, 0, 0, 0)
		bombGIF = binary.LittleEndian.AppendUint16(bombGIF, 4000)
		bombGIF = binary.LittleEndian.AppendUint16(bombGIF, 4000)
		bombGIF = append(bombGIF, 0, 2, 2, 0x4C, 0x01, 0)
	}
	bombGIF = append(bombGIF, 0x3B)

	// a 16-bit RGBA PNG of 5000×4000: 20 megapixels, under MaxPixels, but 160 MB decoded
	deepPNG := []byte(pngSignature)
	ihdr = binary.BigEndian.AppendUint32(nil, 5000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 4000)
	ihdr = append(ihdr, 16, 6, 0, 0, 0)
	deepPNG = append(deepPNG, pngChunk("IHDR", ihdr)...)
	deepPNG = append(deepPNG, pngChunk("IDAT", []byte("x\x9c\x03\x00\x00\x00\x00\x01"))...)
	deepPNG = append(deepPNG, pngChunk("IEND", nil)...)

	badCRC := append([]byte{}, pngBytes...)
	idat := bytes.Index(badCRC, []byte("IDAT"))
	badCRC[idat+6] ^= 0xFF

	for _, c := range []struct {
		name string
		in   []byte
		want error
	}{
		{"zero bytes", nil, photo.ErrEmpty},
		{"text", []byte("hello, this is not a picture"), photo.ErrNotImage},
		{"html", []byte("<html><body>GIF89a</body></html>"), photo.ErrNotImage},
		{"jpeg signature only", []byte{0xFF, 0xD8, 0xFF}, photo.ErrCorrupt},
		{"truncated jpeg", jpg[:len(jpg)*2/3], photo.ErrCorrupt},
		{"jpeg without its end", jpg[:bytes.LastIndex(jpg, []byte{0xFF, 0xD9})], photo.ErrCorrupt},
		{"truncated png", pngBytes[:len(pngBytes)-20], photo.ErrCorrupt},
		{"png with a damaged IDAT", badCRC, photo.ErrCorrupt},
		{"truncated gif", gifWithMetadata(t)[:200], photo.ErrCorrupt},
		{"truncated webp", webpWithMetadata(t, 1)[:300], photo.ErrCorrupt},
		{"png bomb", bombPNG, photo.ErrTooManyPixels},
		{"jpeg bomb", bombJPEG, photo.ErrTooManyPixels},
		{"gif of many frames", bombGIF, photo.ErrTooManyPixels},
		{"16-bit png too large to decode", deepPNG, photo.ErrTooManyPixels},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := photo.Clean(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("Clean = %v, %v; want %v", p.Type, err, c.want)
			}
			if p.Bytes != nil {
				t.Error("a refused photo has bytes")
			}
		})
	}
}

const pngSignature = "\x89PNG\r\n\x1a\n"

func TestDeclared(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		declared string
		t        photo.Type
		want     bool
	}{
		{"", photo.JPEG, true},
		{"application/octet-stream", photo.PNG, true},
		{"image/jpeg", photo.JPEG, true},
		{"IMAGE/JPG", photo.JPEG, true},
		{"image/png; name=x.png", photo.PNG, true},
		{"image/png", photo.JPEG, false},
		{"image/heic", photo.JPEG, false},
		{"image/gif", photo.WebP, false},
	} {
		if got := photo.Declared(c.declared, c.t); got != c.want {
			t.Errorf("Declared(%q, %s) = %v, want %v", c.declared, c.t.Name, got, c.want)
		}
	}
}

// BenchmarkClean12MP cleans a 12-megapixel (4000×3000) JPEG from a phone, EXIF and GPS included:
// the time and memory of the API's path for one photo.
func BenchmarkClean12MP(b *testing.B) {
	in := jpegWithMetadata(b, picture(4000, 3000), 6)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := photo.Clean(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCleanPNGAtLimit cleans a PNG of MaxPixels (4898×4898, a gradient that compresses to
// well under the body limit): the most memory one photo's full decode takes.
func BenchmarkCleanPNGAtLimit(b *testing.B) {
	img := image.NewGray(image.Rect(0, 0, 4898, 4898))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 4898)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := photo.Clean(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCleanRGBAPNGAtLimit is BenchmarkCleanPNGAtLimit in colour with alpha, which decodes to
// four bytes a pixel.
func BenchmarkCleanRGBAPNGAtLimit(b *testing.B) {
	img := image.NewNRGBA(image.Rect(0, 0, 4898, 4898))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / (4 * 4898))
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := photo.Clean(in); err != nil {
			b.Fatal(err)
		}
	}
}
