package dynamo

import (
	"math"

	"github.com/civicworks/open311/pkg/open311"
)

// geoPrecision is the number of geohash characters of GSI2's partitions: a 5-character cell is
// 360/2^13 degrees of longitude by 180/2^12 degrees of latitude (0.044° each way), about 4.9 km
// by 4.9 km at the equator. Why 5: docs/store-dynamodb.md.
const geoPrecision = 5

// maxGeoCells is the most GSI2 partitions one geo search queries (one Query each per page read);
// a box that needs more is answered from the jurisdiction's GSI1 listing instead (see
// docs/store-dynamodb.md).
const maxGeoCells = 16

// geohashAlphabet is the geohash base-32 alphabet.
const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// geoBits returns how many bits of longitude and of latitude a geohash of the precision has:
// bits alternate starting with longitude, five to a character.
func geoBits(precision int) (longBits, latBits uint) {
	n := uint(5 * precision)
	return (n + 1) / 2, n / 2
}

// cellIndex returns the column (longitude) and row (latitude) of the geohash cell of the
// precision that holds the point; values out of range are clamped to the edge cells.
func cellIndex(lat, long float64, precision int) (col, row uint64) {
	longBits, latBits := geoBits(precision)
	return gridIndex(long, -180, 360, longBits), gridIndex(lat, -90, 180, latBits)
}

// gridIndex returns which of the 2^bits equal slices of [lo, lo+span) holds v, clamped.
func gridIndex(v, lo, span float64, bits uint) uint64 {
	n := uint64(1) << bits
	f := math.Floor((v - lo) / span * float64(n))
	switch {
	case !(f >= 0): // also NaN
		return 0
	case f >= float64(n):
		return n - 1
	}
	return uint64(f)
}

// cellHash returns the geohash of the cell at column col and row row of the precision.
func cellHash(col, row uint64, precision int) string {
	longBits, latBits := geoBits(precision)
	buf := make([]byte, precision)
	var ch byte
	nl, nt := longBits, latBits
	for i := range 5 * precision {
		var bit uint64
		if i%2 == 0 {
			nl--
			bit = col >> nl & 1
		} else {
			nt--
			bit = row >> nt & 1
		}
		ch = ch<<1 | byte(bit)
		if i%5 == 4 {
			buf[i/5] = geohashAlphabet[ch]
			ch = 0
		}
	}
	return string(buf)
}

// geohash returns the geohash of the point at the precision.
func geohash(p open311.Point, precision int) string {
	col, row := cellIndex(p.Lat, p.Long, precision)
	return cellHash(col, row, precision)
}

// coverBox returns the geohashes of the cells of the precision that intersect the box (one that
// crosses the antimeridian included), or ok false when that takes more than max cells or the
// box is not made of finite numbers. A box that contains no point (MinLat above MaxLat) is
// covered by no cells.
func coverBox(b open311.BBox, precision, max int) (cells []string, ok bool) {
	for _, v := range []float64{b.MinLong, b.MinLat, b.MaxLong, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	if b.MinLat > b.MaxLat {
		return nil, true
	}
	c0, r0 := cellIndex(b.MinLat, b.MinLong, precision)
	c1, r1 := cellIndex(b.MaxLat, b.MaxLong, precision)
	type span struct{ from, to uint64 }
	cols := []span{{c0, c1}}
	if b.MinLong > b.MaxLong { // across the antimeridian: east of MinLong, then west of MaxLong
		longBits, _ := geoBits(precision)
		cols = []span{{c0, 1<<longBits - 1}, {0, c1}}
	}
	n := uint64(0)
	for _, s := range cols {
		if s.to >= s.from {
			n += s.to - s.from + 1
		}
	}
	if n*(r1-r0+1) > uint64(max) {
		return nil, false
	}
	for _, s := range cols {
		for c := s.from; c <= s.to && s.to >= s.from; c++ {
			for r := r0; r <= r1; r++ {
				cells = append(cells, cellHash(c, r, precision))
			}
		}
	}
	return cells, true
}
