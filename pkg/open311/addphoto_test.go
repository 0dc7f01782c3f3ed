package open311_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// TestAddPhotos adds photos with a comment: they join the request's, media_url becomes the
// first served one's when the request had none, the activity (of kind photo) names and carries
// them, a photo of bytes the request has already is not added twice, a reporter needs no staff
// key for it, and a request never holds more than MaxRequestPhotos.
func TestAddPhotos(t *testing.T) {
	a := open311.Photo{Name: "a.jpg", URL: "https://cdn.example.org/media/a.jpg", ContentType: "image/jpeg"}
	b := open311.Photo{Name: "b.png", URL: "https://cdn.example.org/media/b.png", ContentType: "image/png"}
	r := open311.Request{ID: "1", Status: open311.Open}
	c := open311.Change{Comment: "Worse now", Photos: []open311.Photo{a, b}}
	if c.NeedsStaff() || c.Empty() {
		t.Fatalf("photos with a comment: NeedsStaff %v, Empty %v; want neither", c.NeedsStaff(), c.Empty())
	}
	acts, err := c.Apply(&r, nil, "reporter", time.Unix(0, 0))
	if err != nil || len(acts) != 1 {
		t.Fatalf("Apply = %+v, %v", acts, err)
	}
	act := acts[0]
	if act.Kind != open311.KindPhoto || act.Summary != "Photo a.jpg added. Photo b.png added." || act.Description != "Worse now" ||
		act.MediaURL != a.URL || len(act.Media) != 2 || len(r.Media) != 2 || r.MediaURL != a.URL {
		t.Fatalf("activity %+v; request media %v, media_url %q", act, r.Media, r.MediaURL)
	}
	acts, err = open311.Change{Photos: []open311.Photo{b}}.Apply(&r, nil, "reporter", time.Unix(0, 0))
	if !open311.IsKind(err, open311.Invalid) || len(r.Media) != 2 {
		t.Errorf("the same photo again, alone: %+v, %v, media %v; want Invalid (nothing changes), two photos", acts, err, r.Media)
	}

	full := open311.Request{ID: "2", Status: open311.Open}
	for i := range open311.MaxRequestPhotos {
		full.Media = append(full.Media, open311.Photo{Name: fmt.Sprintf("%d.jpg", i)})
	}
	_, err = open311.Change{Photos: []open311.Photo{a}}.Apply(&full, nil, "staff", time.Unix(0, 0))
	if !open311.IsKind(err, open311.Invalid) || !strings.Contains(strings.Join(open311.ErrorMessages(err), ""), "over 20") {
		t.Errorf("a 21st photo: %v, want Invalid naming the limit", err)
	}
}
