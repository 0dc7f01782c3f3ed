package dynamo

import (
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

// TestParseRequestKey reads the partition keys the store writes, with its escaping of "%" and
// "#", and refuses other items' keys and keys the store never writes.
func TestParseRequestKey(t *testing.T) {
	for _, tt := range []struct {
		name  string
		pk    string
		j, id string // empty: an error
	}{
		{"request", "REQ#city.example.org#100003", "city.example.org", "100003"},
		{"escaped", "REQ#a%23b%25c#x%2523y", "a#b%c", "x%23y"},
		{"catalog", "JUR#city.example.org", "", ""},
		{"jurisdictions", "JURISDICTIONS", "", ""},
		{"token", "TOK#city.example.org#T", "", ""},
		{"GSI1-like", "REQS#city.example.org", "", ""},
		{"empty", "", "", ""},
		{"REQ# alone", "REQ#", "", ""},
		{"no id", "REQ#city.example.org", "", ""},
		{"empty id", "REQ#city.example.org#", "", ""},
		{"empty jurisdiction", "REQ##100003", "", ""},
		{"three parts", "REQ#a#b#c", "", ""},
		{"bad escape", "REQ#a#b%2", "", ""},
		{"unknown escape", "REQ#a%20b#c", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, id, err := ParseRequestKey(tt.pk)
			if tt.j == "" {
				if err == nil || !open311.IsKind(err, open311.Invalid) {
					t.Errorf("ParseRequestKey(%q) = %q, %q, %v; want an Invalid error", tt.pk, j, id, err)
				}
				return
			}
			if err != nil || j != tt.j || id != tt.id {
				t.Errorf("ParseRequestKey(%q) = %q, %q, %v; want %q, %q", tt.pk, j, id, err, tt.j, tt.id)
			}
		})
	}
}

// TestRequestKeyRoundTrip checks that ParseRequestKey reads back what requestKey writes, for
// components with every character the escaping is about.
func TestRequestKeyRoundTrip(t *testing.T) {
	for _, c := range [][2]string{
		{"city.example.org", "100003"},
		{"a#b", "c%d"},
		{"%23", "#%25#"},
		{"é #1", "%"},
	} {
		pk, _ := requestKey(c[0], c[1])
		j, id, err := ParseRequestKey(pk)
		if err != nil || j != c[0] || id != c[1] {
			t.Errorf("ParseRequestKey(%q) = %q, %q, %v; want %q, %q", pk, j, id, err, c[0], c[1])
		}
	}
}
