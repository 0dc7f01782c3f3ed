package store_test

import (
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// FuzzDecodeCursor checks the cursors clients send back (a Link header's, or anything else): a
// cursor is refused as Invalid, or it names a position (a time and a non-empty id) whose own
// encoding decodes to the same position, so that following a page's next link again is the
// same query. Seeds: testdata/fuzz/FuzzDecodeCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, c := range []store.Cursor{
		{Requested: time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC), ID: "20000003"},
		{Requested: time.Date(2026, 11, 2, 15, 4, 5, 250_000_000, time.UTC), ID: "a|b"},
	} {
		f.Add(c.Encode())
	}
	for _, s := range []string{"not-a-cursor", "", "MjAyNi0xMS0wMlQxNTowNDowNVp8", "fA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := store.DecodeCursor(s)
		if err != nil {
			if !open311.IsKind(err, open311.Invalid) {
				t.Fatalf("DecodeCursor(%q): %v is not Invalid", s, err)
			}
			return
		}
		if c.ID == "" {
			t.Fatalf("DecodeCursor(%q) = %+v: no id", s, c)
		}
		again, err := store.DecodeCursor(c.Encode())
		if err != nil || !again.Requested.Equal(c.Requested) || again.ID != c.ID {
			t.Fatalf("DecodeCursor(%q) = %+v, encoded %q, decodes to %+v, %v", s, c, c.Encode(), again, err)
		}
	})
}
