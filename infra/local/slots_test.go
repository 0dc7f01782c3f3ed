package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestSlotFlow asks the local server for an upload slot, posts a phone's photo to the slot's
// form (the server's /uploads, as a client posts to S3), reports with its media_id, and gets
// the photo cleaned at its URL; the upload is gone from data/uploads.
func TestSlotFlow(t *testing.T) {
	data := t.TempDir()
	s := startStack(t, Config{Data: data, ReporterKey: "local-reporter", StaffKey: "local-staff"})
	resp, err := http.PostForm(s.base+"/media.json", url.Values{"api_key": {"local-reporter"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var slots []struct {
		MediaID   string          `json:"media_id"`
		UploadURL string          `json:"upload_url"`
		Fields    json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(body, &slots); err != nil || resp.StatusCode != http.StatusOK || len(slots) != 1 {
		t.Fatalf("POST /media.json: %d %s, %v", resp.StatusCode, body, err)
	}
	form := media.UploadForm{URL: slots[0].UploadURL}
	dec := json.NewDecoder(bytes.NewReader(slots[0].Fields))
	_, _ = dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		v, _ := dec.Token()
		form.Fields = append(form.Fields, media.FormField{Name: k.(string), Value: v.(string)})
	}
	if form.URL != s.base+"/uploads" {
		t.Errorf("upload_url %s, want the local server's /uploads", form.URL)
	}
	photo := phototest.JPEG(1600, 1200, 6)
	req, err := form.Request(context.Background(), "IMG_0042.JPG", photo)
	if err != nil {
		t.Fatal(err)
	}
	up, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	upBody, _ := io.ReadAll(up.Body)
	up.Body.Close()
	if up.StatusCode != http.StatusNoContent {
		t.Fatalf("the upload: %d %s", up.StatusCode, upBody)
	}

	resp, err = http.PostForm(s.base+"/requests.json", url.Values{"api_key": {"local-reporter"}, "service_code": {"pothole"},
		"lat": {"40.7128"}, "long": {"-74.006"}, "attribute[size]": {"large"}, "media_id": {slots[0].MediaID}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var created []struct {
		MediaURL string `json:"media_url"`
	}
	if err := json.Unmarshal(body, &created); err != nil || resp.StatusCode != http.StatusOK || len(created) != 1 ||
		!strings.HasPrefix(created[0].MediaURL, s.base+"/media/") {
		t.Fatalf("the report naming the slot: %d %s, %v", resp.StatusCode, body, err)
	}
	served, err := http.Get(created[0].MediaURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(served.Body)
	served.Body.Close()
	if served.StatusCode != http.StatusOK || served.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the photo at %s: %d %s", created[0].MediaURL, served.StatusCode, served.Header.Get("Content-Type"))
	}
	for _, secret := range phototest.Secrets {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the served photo holds %q", secret)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(data, "uploads")); len(left) != 0 {
		t.Errorf("data/uploads still holds %v after the report", left)
	}
}
