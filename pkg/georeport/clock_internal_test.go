package georeport

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendTime holds appendTime to what time.RFC3339 writes of the time at seconds precision,
// in zones east and west of UTC, with daylight saving time and historical offsets that are not
// whole minutes, across and beyond the years RFC 3339 can write.
func TestAppendTime(t *testing.T) {
	var zones []*time.Location
	for _, name := range []string{"UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo", "Europe/Dublin", "Africa/Monrovia"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	zones = append(zones, time.FixedZone("-00:30", -1800), time.FixedZone("+14", 14*3600), time.FixedZone("odd", 3601))
	check := func(tm time.Time) {
		t.Helper()
		want := tm.Truncate(time.Second).Format(time.RFC3339)
		if got := string(appendTime(nil, tm)); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
	edges := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 23, 59, 59, 0, time.UTC), time.Date(1600, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 5, 59, 59, 0, time.UTC),
		{},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, loc := range zones {
		for _, e := range edges {
			check(e.In(loc))
		}
		for range 20000 {
			check(time.Unix(r.Int64N(2*maxRFC3339)-maxRFC3339, r.Int64N(1e9)).In(loc))
		}
	}
}

func BenchmarkAppendTime(b *testing.B) {
	loc, _ := time.LoadLocation("America/New_York")
	tm := time.Date(2026, 10, 18, 11, 4, 5, 123, loc)
	buf := make([]byte, 0, 64)
	b.Run("appendTime", func(b *testing.B) {
		for b.Loop() {
			buf = appendTime(buf[:0], tm)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for b.Loop() {
			buf = tm.Truncate(time.Second).AppendFormat(buf[:0], time.RFC3339)
		}
	})
}
