package dynamo

import (
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

// FuzzParseRequestKey checks the partition keys of stream records: a key is refused as Invalid,
// or it is exactly the key the store writes for the jurisdiction and id it reads (so no two
// keys name one request, and no key names a request the store could not have written); and
// every jurisdiction and id the store writes reads back. Seeds: testdata/fuzz/FuzzParseRequestKey.
func FuzzParseRequestKey(f *testing.F) {
	for _, s := range [][3]string{
		{"REQ#city.example.org#100003", "city.example.org", "100003"},
		{"REQ#a%23b%25c#x%2523y", "a#b%c", "x%23y"},
		{"REQ#a#b%2", "é #1", "%"},
		{"JUR#city.example.org", "", "#"},
		{"REQ##", "%25", "%2"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, pk, j, id string) {
		gotJ, gotID, err := ParseRequestKey(pk)
		if err != nil {
			if !open311.IsKind(err, open311.Invalid) {
				t.Fatalf("ParseRequestKey(%q): %v is not Invalid", pk, err)
			}
		} else {
			if gotJ == "" || gotID == "" {
				t.Fatalf("ParseRequestKey(%q) = %q, %q: an empty component", pk, gotJ, gotID)
			}
			if written, _ := requestKey(gotJ, gotID); written != pk {
				t.Fatalf("ParseRequestKey(%q) = %q, %q, whose key the store writes as %q", pk, gotJ, gotID, written)
			}
		}
		if j == "" || id == "" {
			return
		}
		written, _ := requestKey(j, id)
		if backJ, backID, err := ParseRequestKey(written); err != nil || backJ != j || backID != id {
			t.Fatalf("requestKey(%q, %q) = %q reads back %q, %q, %v", j, id, written, backJ, backID, err)
		}
	})
}
