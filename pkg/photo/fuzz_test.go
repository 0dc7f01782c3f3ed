package photo_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// FuzzClean feeds Clean arbitrary bytes (seeded with photos of every type carrying metadata): it
// never panics, and what it accepts is no larger than what came in, sniffs as the type it says,
// and is accepted again unchanged (cleaning is idempotent).
func FuzzClean(f *testing.F) {
	f.Add(phototest.JPEG(16, 12, 6))
	f.Add(phototest.PNG(8, 8))
	f.Add(gifWithMetadata(f))
	f.Add(webpWithMetadata(f, 3))
	if b, err := os.ReadFile("testdata/rose.lossy-with-alpha.webp"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := photo.Clean(b)
		if err != nil {
			return
		}
		if t2, ok := photo.Sniff(p.Bytes); !ok || t2 != p.Type {
			t.Fatalf("cleaned bytes sniff as %v %v, Clean said %s", t2, ok, p.Type.Name)
		}
		if len(p.Bytes) > len(b)+64 {
			t.Fatalf("cleaned %d bytes into %d", len(b), len(p.Bytes))
		}
		again, err := photo.Clean(p.Bytes)
		if err != nil {
			t.Fatalf("the cleaned photo is refused: %v", err)
		}
		if !bytes.Equal(again.Bytes, p.Bytes) || again.Orientation != p.Orientation {
			t.Fatal("cleaning a cleaned photo changed it")
		}
	})
}
