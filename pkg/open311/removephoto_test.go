package open311_test

import (
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// TestRemovePhoto takes a request's first photo off it by its URL (media_url moves to the
// next served photo), then the last by its name (media_url empties), and refuses a photo the
// request does not have, with an activity of kind photo for a removal.
func TestRemovePhoto(t *testing.T) {
	a := open311.Photo{Name: "a.jpg", URL: "https://cdn.example.org/media/a.jpg"}
	b := open311.Photo{Name: "b.png", URL: "https://cdn.example.org/media/b.png"}
	r := open311.Request{ID: "1", Status: open311.Open, Media: []open311.Photo{a, b}, MediaURL: a.URL}
	if got, ok := r.RemovePhoto(a.URL); !ok || got.Name != "a.jpg" || r.MediaURL != b.URL || len(r.Media) != 1 {
		t.Fatalf("RemovePhoto(a's URL) = %v, %v; request media %v, media_url %q", got, ok, r.Media, r.MediaURL)
	}
	acts, err := open311.Change{RemovePhoto: "b.png"}.Apply(&r, nil, "staff", time.Unix(0, 0))
	if err != nil || len(acts) != 1 || acts[0].Kind != open311.KindPhoto || acts[0].Summary != "Photo b.png removed." || r.MediaURL != "" || len(r.Media) != 0 {
		t.Fatalf("Apply(remove b) = %+v, %v; request media %v, media_url %q", acts, err, r.Media, r.MediaURL)
	}
	if _, err := (open311.Change{RemovePhoto: "b.png"}).Apply(&r, nil, "staff", time.Unix(0, 0)); !open311.IsKind(err, open311.Invalid) {
		t.Errorf("removing a photo the request has not: %v, want Invalid", err)
	}
	if !(open311.Change{RemovePhoto: "b.png"}).NeedsStaff() {
		t.Error("removing a photo does not need staff")
	}
}
