package folder_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/folder"
)

// TestUploads posts to the local server's upload path with a slot's form: what the form allows
// is written and read back; a changed field, an expired form, a file over its limit and an
// empty one are refused and write nothing.
func TestUploads(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	u := folder.Uploads{Dir: t.TempDir(), Secret: []byte("local secret"), Now: func() time.Time { return now }}
	srv := httptest.NewServer(u)
	defer srv.Close()
	u.URL = srv.URL + "/uploads"

	post := func(f media.UploadForm, body []byte) int {
		t.Helper()
		req, err := f.Request(ctx, "a.jpg", body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	form := func(id string, expires time.Time) media.UploadForm {
		f, err := u.Form(ctx, id, "image/jpeg", 10, expires)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}

	if got := post(form("OK", now.Add(time.Minute)), []byte("0123456789")); got != http.StatusNoContent {
		t.Errorf("a good upload: %d, want 204", got)
	}
	if b, err := u.Upload(ctx, "OK"); err != nil || string(b) != "0123456789" {
		t.Errorf("Upload = %q, %v", b, err)
	}
	changed := form("TAMPERED", now.Add(time.Minute))
	changed.Fields[3].Value = "1000000" // a larger max than signed
	for _, tt := range []struct {
		name string
		form media.UploadForm
		body []byte
		want int
	}{
		{"a changed field", changed, []byte("x"), http.StatusForbidden},
		{"an expired form", form("EXPIRED", now.Add(-time.Second)), []byte("x"), http.StatusForbidden},
		{"a file over the form's limit", form("LARGE", now.Add(time.Minute)), bytes.Repeat([]byte("x"), 11), http.StatusRequestEntityTooLarge},
		{"an empty file", form("EMPTY", now.Add(time.Minute)), nil, http.StatusBadRequest},
	} {
		if got := post(tt.form, tt.body); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
		id := tt.form.Fields[0].Value[len(media.UploadPrefix):]
		if _, err := u.Upload(ctx, id); !errors.Is(err, media.ErrNoUpload) {
			t.Errorf("%s: Upload: %v, want ErrNoUpload", tt.name, err)
		}
	}
	if err := u.DeleteUpload(ctx, "OK"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Upload(ctx, "OK"); !errors.Is(err, media.ErrNoUpload) {
		t.Errorf("Upload after DeleteUpload: %v", err)
	}
}
