package photo

import (
	"encoding/binary"
	"fmt"
)

// cleanGIF keeps the header, colour tables, graphic control and plain-text extensions, the
// NETSCAPE2.0 looping extension and every frame, up to the trailer; comments and every other
// application extension (XMP among them) go. The sum of the frames' areas is held to MaxPixels,
// since a full decode allocates every frame.
func cleanGIF(b []byte) ([]byte, error) {
	if len(b) < 13 {
		return nil, truncated("GIF", "its screen descriptor")
	}
	out := make([]byte, 0, len(b))
	i := 13 + colourTable(b[10])
	if i > len(b) {
		return nil, truncated("GIF", "its colour table")
	}
	out = append(out, b[:i]...)
	var area int64
	for {
		if i >= len(b) {
			return nil, truncated("GIF", "its blocks (no trailer)")
		}
		switch b[i] {
		case 0x3B: // trailer
			return append(out, 0x3B), nil
		case 0x21: // extension: label, then sub-blocks
			if i+2 > len(b) {
				return nil, truncated("GIF", "an extension")
			}
			label := b[i+1]
			end, err := subBlocks(b, i+2)
			if err != nil {
				return nil, err
			}
			keep := label == 0xF9 || label == 0x01
			if label == 0xFF && i+3+11 <= len(b) && b[i+2] == 11 && string(b[i+3:i+3+11]) == "NETSCAPE2.0" {
				keep = true
			}
			if keep {
				out = append(out, b[i:end]...)
			}
			i = end
		case 0x2C: // image descriptor, local colour table, LZW code size, sub-blocks
			if i+10 > len(b) {
				return nil, truncated("GIF", "an image descriptor")
			}
			w, h := binary.LittleEndian.Uint16(b[i+5:]), binary.LittleEndian.Uint16(b[i+7:])
			if area += int64(w) * int64(h); area > MaxPixels {
				return nil, fmt.Errorf("%w: its frames hold over %d", ErrTooManyPixels, MaxPixels)
			}
			j := i + 10 + colourTable(b[i+9]) + 1
			if j > len(b) {
				return nil, truncated("GIF", "a frame's colour table")
			}
			end, err := subBlocks(b, j)
			if err != nil {
				return nil, err
			}
			out = append(out, b[i:end]...)
			i = end
		default:
			return nil, fmt.Errorf("%w: GIF has an unknown block %#02x", ErrCorrupt, b[i])
		}
	}
}

// colourTable is the size in bytes of the colour table a packed field announces.
func colourTable(packed byte) int {
	if packed&0x80 == 0 {
		return 0
	}
	return 3 << (int(packed&0x07) + 1)
}

// subBlocks answers where the sub-blocks starting at i end (after their zero terminator).
func subBlocks(b []byte, i int) (int, error) {
	for {
		if i >= len(b) {
			return 0, truncated("GIF", "its data sub-blocks")
		}
		n := int(b[i])
		i++
		if n == 0 {
			return i, nil
		}
		i += n
	}
}
