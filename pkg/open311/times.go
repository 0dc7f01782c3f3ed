package open311

import (
	"strings"
	"time"
)

// ParseTime parses a W3C/ISO 8601 date-time that carries a zone ("Z" or an offset), with or
// without fractional seconds. Naive times are refused: their meaning depends on who reads them.
// A "+" of the offset that a client did not escape in a query string or form arrives as a space
// ("2026-12-01T21:17:16 02:00") and is read as the "+" it was. The time must fall within the
// years 0000 to 9999 in UTC, which every store can keep and order, and may not be the one
// instant, 0001-01-01T00:00:00Z, that stands for "no time" (Invalid).
func ParseTime(s string) (time.Time, error) {
	const op = "open311.ParseTime"
	v := strings.TrimSpace(s)
	if n := len(v); n > 6 && v[n-6] == ' ' && v[n-3] == ':' && strings.Contains(v, "T") {
		v = v[:n-6] + "+" + v[n-5:]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, Errorf(Invalid, op, "%q is not a date-time with a time zone, such as 2010-05-24T14:03:11Z", s)
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 || t.IsZero() {
		return time.Time{}, Errorf(Invalid, op, "%q is outside the years 0000 to 9999 (in UTC) that can be kept", s)
	}
	return t, nil
}

// FormatTime formats t at seconds precision in loc, with "Z" for UTC and an offset otherwise.
func FormatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Truncate(time.Second).Format(time.RFC3339)
}
