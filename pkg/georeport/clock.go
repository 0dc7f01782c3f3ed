package georeport

import (
	"sync/atomic"
	"time"
)

// appendTime appends t at seconds precision with its zone, as open311.FormatTime(t, t.Location())
// writes it (time.RFC3339), without its allocation and with one look-up of the zone: a page of
// requests writes three times a request. The zone's offset is looked up once per period of it
// (lastZone): a time's zone in a zone with daylight saving time is otherwise a search of its
// transitions, the most of what writing a time costs. Times RFC 3339 cannot write as its
// four-digit years or whose offset is not whole minutes go through time's own formatting.
func appendTime(b []byte, t time.Time) []byte {
	unix := t.Unix()
	off := offset(t, unix)
	local := unix + int64(off)
	if off%60 != 0 || local < minRFC3339 || local >= maxRFC3339 {
		return t.Truncate(time.Second).AppendFormat(b, time.RFC3339)
	}
	days, secs := local/86400, local%86400
	if secs < 0 {
		days, secs = days-1, secs+86400
	}
	y, m, d := civil(days)
	var buf [25]byte // 2006-01-02T15:04:05-07:00
	put4(buf[0:4], y)
	buf[4], buf[7], buf[10], buf[13], buf[16] = '-', '-', 'T', ':', ':'
	put2(buf[5:7], m)
	put2(buf[8:10], d)
	put2(buf[11:13], int(secs/3600))
	put2(buf[14:16], int(secs/60%60))
	put2(buf[17:19], int(secs%60))
	if off == 0 {
		buf[19] = 'Z'
		return append(b, buf[:20]...)
	}
	buf[19] = '+'
	if off < 0 {
		buf[19], off = '-', -off
	}
	put2(buf[20:22], off/3600)
	buf[22] = ':'
	put2(buf[23:25], off/60%60)
	return append(b, buf[:]...)
}

// zonePeriod is a span of time in which a zone has one offset: [start, end) in Unix seconds.
type zonePeriod struct {
	loc        *time.Location
	start, end int64
	offset     int
}

// lastZone is the period of the last time written whose offset was looked up.
var lastZone atomic.Pointer[zonePeriod]

// offset is t's zone offset in seconds east of UTC, as t.Zone gives it; unix is t.Unix().
func offset(t time.Time, unix int64) int {
	loc := t.Location()
	if p := lastZone.Load(); p != nil && p.loc == loc && p.start <= unix && unix < p.end {
		return p.offset
	}
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	p := &zonePeriod{loc: loc, start: -1 << 63, end: 1<<63 - 1, offset: off}
	if !start.IsZero() {
		p.start = start.Unix()
	}
	if !end.IsZero() {
		p.end = end.Unix()
	}
	lastZone.Store(p)
	return off
}

// The local times, in seconds since 1970-01-01T00:00:00 of the same clock, of years 0000 and
// 10000: RFC 3339's years are four digits.
const (
	minRFC3339 = -62167219200
	maxRFC3339 = 253402300800
)

// civil is the proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
// days_from_civil, inverted).
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func put2(b []byte, n int) { _, b[0], b[1] = b[1], byte('0'+n/10), byte('0'+n%10) }

func put4(b []byte, n int) {
	_, b[0], b[1], b[2], b[3] = b[3], byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10)
}
