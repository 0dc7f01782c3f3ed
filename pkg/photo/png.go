package photo

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

const pngSignature = "\x89PNG\r\n\x1a\n"

// pngKept is every chunk a cleaned PNG keeps: the critical chunks, those that change how pixels
// display (transparency, gamma, chromaticities, sRGB, cICP, significant bits, background, pixel
// density) and the APNG frame chunks. Everything else goes: tEXt, zTXt, iTXt, eXIf, tIME, iCCP
// (a profile carries a free-text description), sPLT (a named palette), private chunks.
var pngKept = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "cICP": true, "sBIT": true,
	"bKGD": true, "pHYs": true, "acTL": true, "fcTL": true, "fdAT": true,
}

// cleanPNG keeps the chunks of pngKept, in order, up to IEND; an eXIf orientation other than
// upright is kept as a minimal eXIf chunk before the first IDAT.
func cleanPNG(b []byte) ([]byte, int, error) {
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	o := 1
	wroteEXIF := false
	for i := len(pngSignature); ; {
		if i+8 > len(b) {
			return nil, 0, truncated("PNG", "its chunks (no IEND)")
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		end := int64(i) + 12 + n
		if n > 1<<31-1 || end > int64(len(b)) {
			return nil, 0, truncated("PNG", fmt.Sprintf("chunk %q", typ))
		}
		data := b[i+8 : i+8+int(n)]
		switch {
		case typ == "eXIf":
			o = orientation(data)
		case typ == "IDAT" && !wroteEXIF:
			if o != 1 {
				out = appendPNGChunk(out, "eXIf", minimalEXIF(o))
			}
			wroteEXIF = true
			out = append(out, b[i:end]...)
		case pngKept[typ]:
			out = append(out, b[i:end]...)
		}
		i = int(end)
		if typ == "IEND" {
			return out, o, nil
		}
	}
}

func appendPNGChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}
