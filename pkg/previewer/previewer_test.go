package previewer_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
	"github.com/civicworks/open311/pkg/previewer"
)

// TestHandle sends the handler the event S3 sends EventBridge when a photo arrives (the sample
// events/preview.json, its key changed to a stored photo's): the preview is made. Events of
// another bucket, of a preview, of a name that is no photo's or of another kind make nothing
// and are no error (a retry would not change them); a photo that is not there is an error.
func TestHandle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media"), Previews: filepath.Join(dir, "previews")}
	p, err := photo.Clean(phototest.JPEG(1200, 900, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, media.Object{Name: p.Name(), ContentType: p.Type.ContentType, Body: p.Bytes}); err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile(filepath.Join("..", "..", "events", "preview.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := &previewer.Handler{Previews: st, Bucket: "open311-feedbucket-example", Prefix: "media/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	event := func(bucket, key, detailType string) events.EventBridgeEvent {
		var e events.EventBridgeEvent
		if err := json.Unmarshal(sample, &e); err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		d["bucket"].(map[string]any)["name"] = bucket
		d["object"].(map[string]any)["key"] = key
		e.Detail, _ = json.Marshal(d)
		e.DetailType = detailType
		return e
	}
	previewFile := filepath.Join(st.Previews, photo.PreviewName(p.Name()))
	for _, c := range []struct {
		name    string
		e       events.EventBridgeEvent
		wantErr bool
	}{
		{"another bucket", event("someone-else", "media/"+p.Name(), "Object Created"), false},
		{"a preview", event(h.Bucket, "previews/"+p.Name(), "Object Created"), false},
		{"no photo's name", event(h.Bucket, "media/notes.txt", "Object Created"), false},
		{"another kind", event(h.Bucket, "media/"+p.Name(), "Object Deleted"), false},
		{"a missing photo", event(h.Bucket, "media/"+photo.PreviewName(p.Name())[:64]+".png", "Object Created"), true},
	} {
		if err := h.Handle(ctx, c.e); (err != nil) != c.wantErr {
			t.Errorf("%s: %v, want an error %v", c.name, err, c.wantErr)
		}
		if _, err := os.Stat(previewFile); err == nil {
			t.Fatalf("%s made the preview", c.name)
		}
	}
	if err := h.Handle(ctx, event(h.Bucket, "media/"+p.Name(), "Object Created")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(previewFile); err != nil {
		t.Errorf("the photo's event made no preview: %v", err)
	}
}
