package dynamo

import (
	"testing"
	"time"
)

// TestAreaListingSK checks that the feed builder reads back, from an area listing item's sort
// key, the cell or named area it lists its activity in, and nothing from other sort keys.
func TestAreaListingSK(t *testing.T) {
	act := activitySK(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), 3, 0)
	for _, c := range []struct {
		sk         string
		cell, area string
		ok         bool
	}{
		{areaListingSK(act, areaUpdatesPK("city.example.org", "dr5reg", "")), "dr5reg", "", true},
		{areaListingSK(act, areaUpdatesPK("a#b.example", "", "ward-2")), "", "ward-2", true},
		{areaListingSK(act, areaUpdatesPK("city.example.org", "", "odd#id%")), "", "odd#id%", true},
		{act, "", "", false},
		{"REQ", "", "", false},
		{"AREA#x#AACTS#j#c#dr5re", "", "", false},
		{"AREA#x#AACTS#j#z#dr5reg", "", "", false},
	} {
		cell, area, ok := ParseAreaListingSK(c.sk)
		if cell != c.cell || area != c.area || ok != c.ok {
			t.Errorf("ParseAreaListingSK(%q) = %q, %q, %v; want %q, %q, %v", c.sk, cell, area, ok, c.cell, c.area, c.ok)
		}
	}
}
