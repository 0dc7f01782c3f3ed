package open311

import (
	"math"
	"strings"
)

// CellPrecision is the geohash length of an area cell, the map square with a feed of its own: 6
// characters, 360/2^15 degrees of longitude by 180/2^15 of latitude (0.011° × 0.0055°), about
// 1.2 km × 0.6 km at the equator and 0.76 km × 0.6 km at 50° north: a neighbourhood, a few
// streets each way. Changing it changes every cell feed's path.
const CellPrecision = 6

// cellBits are the bits of longitude and of latitude of a cell (they alternate, longitude first).
const cellLongBits, cellLatBits = (5*CellPrecision + 1) / 2, 5 * CellPrecision / 2

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// Cell returns the geohash of the area cell that holds p.
func Cell(p Point) string { return cellHash(cellCol(p.Long), cellRow(p.Lat)) }

func cellCol(long float64) uint64 { return gridSlice(long, -180, 360, cellLongBits) }
func cellRow(lat float64) uint64  { return gridSlice(lat, -90, 180, cellLatBits) }

// gridSlice returns which of the 2^bits equal slices of [lo, lo+span) holds v, clamped.
func gridSlice(v, lo, span float64, bits uint) uint64 {
	n := uint64(1) << bits
	f := math.Floor((v - lo) / span * float64(n))
	switch {
	case !(f >= 0):
		return 0
	case f >= float64(n):
		return n - 1
	}
	return uint64(f)
}

// cellHash interleaves a column and a row into a geohash, longitude bit first.
func cellHash(col, row uint64) string {
	var b strings.Builder
	var v, n uint64
	lb, tb := cellLongBits, cellLatBits
	for i := 0; i < 5*CellPrecision; i++ {
		var bit uint64
		if i%2 == 0 {
			lb--
			bit = col >> lb & 1
		} else {
			tb--
			bit = row >> tb & 1
		}
		v, n = v<<1|bit, n+1
		if n == 5 {
			b.WriteByte(geohashAlphabet[v])
			v, n = 0, 0
		}
	}
	return b.String()
}

// ValidCell reports whether s is the geohash of an area cell: CellPrecision characters of the
// geohash alphabet.
func ValidCell(s string) bool {
	if len(s) != CellPrecision {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(geohashAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// CellBox returns the box an area cell covers; the cell must be valid.
func CellBox(cell string) BBox {
	var col, row uint64
	for i := 0; i < 5*CellPrecision; i++ {
		bit := uint64(strings.IndexByte(geohashAlphabet, cell[i/5]) >> (4 - i%5) & 1)
		if i%2 == 0 {
			col = col<<1 | bit
		} else {
			row = row<<1 | bit
		}
	}
	w, h := 360/float64(uint64(1)<<cellLongBits), 180/float64(uint64(1)<<cellLatBits)
	return BBox{MinLong: -180 + float64(col)*w, MaxLong: -180 + float64(col+1)*w, MinLat: -90 + float64(row)*h, MaxLat: -90 + float64(row+1)*h}
}

// MaxCells is the most area cells CellsIn lists: a box of about 8 km × 4 km.
const MaxCells = 64

// CellsIn returns the area cells a box touches, west to east then south to north, and false
// when there are more than MaxCells of them (none are returned then). A box crossing the
// antimeridian is read from its west edge eastwards.
func CellsIn(b BBox) ([]string, bool) {
	c0, c1 := cellCol(b.MinLong), cellCol(b.MaxLong)
	r0, r1 := cellRow(b.MinLat), cellRow(b.MaxLat)
	n := uint64(1) << cellLongBits
	cols := (c1 + n - c0) % n // crossing the antimeridian wraps
	if r1 < r0 || (cols+1)*(r1-r0+1) > MaxCells {
		return nil, false
	}
	var cells []string
	for r := r0; r <= r1; r++ {
		for i := uint64(0); i <= cols; i++ {
			cells = append(cells, cellHash((c0+i)%n, r))
		}
	}
	return cells, true
}
