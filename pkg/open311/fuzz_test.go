package open311_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// FuzzParseTime checks what every date-time a client sends becomes: an Invalid error, or a time
// within the years 0000 to 9999 in UTC that is not the instant standing for none, which reads
// back the same instant when formatted as the wire formats it (FormatTime, at seconds) and in
// full (RFC 3339 with nanoseconds). Seeds: testdata/fuzz/FuzzParseTime.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-01T21:30:00.250-05:00", "2026-12-01T21:17:16 02:00", "2010-05-24T14:03:11Z",
		"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-11-01T21:30:00", "yesterday"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := open311.ParseTime(s)
		if err != nil {
			if !open311.IsKind(err, open311.Invalid) {
				t.Fatalf("ParseTime(%q): %v is not Invalid", s, err)
			}
			return
		}
		if y := got.UTC().Year(); y < 0 || y > 9999 || got.IsZero() {
			t.Fatalf("ParseTime(%q) = %v: outside the years that can be kept", s, got)
		}
		wire := open311.FormatTime(got, time.UTC)
		back, err := open311.ParseTime(wire)
		if err != nil || !back.Equal(got.Truncate(time.Second)) {
			if got.Truncate(time.Second).IsZero() {
				return // 0001-01-01T00:00:00.5Z is kept; its second is the one instant refused
			}
			t.Fatalf("ParseTime(%q) = %v, formatted %q, reads back %v, %v", s, got, wire, back, err)
		}
		full := got.Format(time.RFC3339Nano)
		if back, err := open311.ParseTime(full); err != nil || !back.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v, formatted %q, reads back %v, %v", s, got, full, back, err)
		}
	})
}

// FuzzParseCoordinate checks the coordinates clients send: a coordinate is accepted only as a
// plain decimal within its limit, and the number the wire writes back (the shortest exact
// decimal) is accepted again as the same number. ParsePoint agrees with it, and its errors are
// Invalid. Seeds: testdata/fuzz/FuzzParseCoordinate.
func FuzzParseCoordinate(f *testing.F) {
	for _, s := range [][2]string{{"40.7128", "-74.0060"}, {"5e-7", "+180"}, {"0x1p-2", "1_0"}, {"Inf", "NaN"},
		{"90.0000001", "-180.5"}, {".5", "5."}, {"", "1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, lat, long string) {
		la, okLat := open311.ParseCoordinate(lat, 90)
		lo, okLong := open311.ParseCoordinate(long, 180)
		for _, c := range []struct {
			s     string
			v     float64
			ok    bool
			limit float64
		}{{lat, la, okLat, 90}, {long, lo, okLong, 180}} {
			if !c.ok {
				continue
			}
			if math.IsNaN(c.v) || math.Abs(c.v) > c.limit {
				t.Fatalf("ParseCoordinate(%q, %v) = %v", c.s, c.limit, c.v)
			}
			if strings.ContainsAny(c.s, "xXpP_iInN") {
				t.Fatalf("ParseCoordinate(%q) accepted what is not a plain decimal", c.s)
			}
			wire := strconv.FormatFloat(c.v, 'f', -1, 64)
			if back, ok := open311.ParseCoordinate(wire, c.limit); !ok || back != c.v {
				t.Fatalf("ParseCoordinate(%q) = %v, written %q, reads back %v, %v", c.s, c.v, wire, back, ok)
			}
		}
		pt, err := open311.ParsePoint(lat, long)
		switch {
		case err != nil && !open311.IsKind(err, open311.Invalid):
			t.Fatalf("ParsePoint(%q, %q): %v is not Invalid", lat, long, err)
		case err == nil && !(okLat && okLong && pt.Lat == la && pt.Long == lo):
			t.Fatalf("ParsePoint(%q, %q) = %v, but the coordinates alone read %v %v, %v %v", lat, long, pt, la, okLat, lo, okLong)
		case err != nil && okLat && okLong && lat != "" && long != "":
			t.Fatalf("ParsePoint(%q, %q) refused coordinates that read alone: %v", lat, long, err)
		}
	})
}
