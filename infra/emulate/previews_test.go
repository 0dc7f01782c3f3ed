package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg" // the preview's format
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestEmulatedPreview posts a report with a large photo held sideways to the emulated stack:
// post-request stores it in moto's bucket, the preview function (on the stand-in of the
// EventBridge rule) makes its preview, and within seconds the preview_url the answer gave serves
// it, upright at 480×640, under the feed base as the CDN would.
func TestEmulatedPreview(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts every function")
	}
	s := startEmulated(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"api_key": reporterKey, "service_code": "pothole", "lat": "40.7128", "long": "-74.006", "attribute[size]": "large"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("media", "IMG_0003.JPG")
	fw.Write(phototest.JPEG(1600, 1200, 6))
	mw.Close()
	resp, err := http.Post(s.base+"/requests.json", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created []struct {
		Extended struct {
			Media []struct {
				PreviewURL string `json:"preview_url"`
			} `json:"media"`
		} `json:"extended_attributes"`
	}
	if err := json.Unmarshal(b, &created); resp.StatusCode != 200 || err != nil || len(created) != 1 || len(created[0].Extended.Media) != 1 {
		t.Fatalf("POST: %d %s", resp.StatusCode, b)
	}
	u := created[0].Extended.Media[0].PreviewURL
	if !strings.HasPrefix(u, s.base+"/feeds/previews/") {
		t.Fatalf("preview_url %q, want one under %s/feeds/previews/", u, s.base)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		pv, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound && time.Now().Before(deadline) {
			continue
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(pv))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || err != nil || cfg.Width != 480 || cfg.Height != 640 {
			t.Fatalf("GET %s: %d %q, %d×%d, %v; want a 480×640 JPEG", u, resp.StatusCode, resp.Header.Get("Content-Type"), cfg.Width, cfg.Height, err)
		}
		return
	}
}
