package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestPhotosServed posts a report with a phone's photo to the local server as a client library
// does (multipart, application/octet-stream), then fetches its media_url under /media/: the
// cleaned photo, with its type and an immutable cache lifetime, holding none of the phone's
// metadata. A private service's photo is stored but not served.
func TestPhotosServed(t *testing.T) {
	data := t.TempDir()
	base := runStack(t, Config{Addr: "127.0.0.1:0", Data: data, Catalog: "../catalog/demo.json",
		ReporterKey: "local-reporter", StaffKey: "local-staff"})
	post := func(fields map[string]string, jpeg []byte) (int, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("media", "IMG_0001.JPG") // application/octet-stream
		fw.Write(jpeg)
		mw.Close()
		resp, err := http.Post(base+"/requests.json", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, body := post(map[string]string{"api_key": "local-reporter", "service_code": "pothole", "lat": "40.7128", "long": "-74.006",
		"attribute[size]": "large"}, phototest.JPEG(320, 240, 6))
	var created []struct {
		MediaURL string `json:"media_url"`
	}
	if err := json.Unmarshal(body, &created); status != 200 || err != nil || len(created) != 1 {
		t.Fatalf("POST: %d %s", status, body)
	}
	u := created[0].MediaURL
	if !strings.HasPrefix(u, base+"/media/") || !strings.HasSuffix(u, ".jpg") {
		t.Fatalf("media_url %q, want a .jpg under %s/media/", u, base)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	photo, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d, Content-Type %q, Cache-Control %q", u, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	for _, s := range phototest.Secrets {
		if bytes.Contains(photo, []byte(s)) {
			t.Errorf("the served photo holds %q", s)
		}
	}

	status, body = post(map[string]string{"api_key": "local-reporter", "service_code": "code-concern", "address_string": "9 Oak St"}, phototest.JPEG(200, 100, 1))
	if status != 200 || strings.Contains(string(body), "/media/") {
		t.Fatalf("private POST: %d %s, want 200 naming no photo", status, body)
	}
	private, _ := filepath.Glob(filepath.Join(data, "private-media", "*.jpg"))
	if len(private) != 1 {
		t.Fatalf("private photos stored: %v, want one", private)
	}
	name := filepath.Base(private[0])
	if _, err := os.Stat(filepath.Join(data, "media", name)); err == nil {
		t.Errorf("the private photo is also in the served folder")
	}
	for _, path := range []string{"/media/" + name, "/media/../private-media/" + name, "/media/", "/media/x.jpg"} {
		if code, _ := get(t, base+path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
}

// TestPreviewServed posts a report with a large photo held sideways to the local server: its
// answer names the preview's URL under /previews/ at once, and within seconds that URL serves the
// preview the background maker made, upright at 480×640, a JPEG with its immutable cache
// lifetime and none of the phone's metadata.
func TestPreviewServed(t *testing.T) {
	base := runStack(t, Config{Addr: "127.0.0.1:0", Data: t.TempDir(), Catalog: "../catalog/demo.json",
		ReporterKey: "local-reporter", StaffKey: "local-staff"})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"api_key": "local-reporter", "service_code": "pothole", "lat": "40.7128", "long": "-74.006", "attribute[size]": "large"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("media", "IMG_0002.JPG")
	fw.Write(phototest.JPEG(1600, 1200, 6))
	mw.Close()
	resp, err := http.Post(base+"/requests.json", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created []struct {
		Extended struct {
			Media []struct {
				URL        string `json:"url"`
				PreviewURL string `json:"preview_url"`
			} `json:"media"`
		} `json:"extended_attributes"`
	}
	if err := json.Unmarshal(b, &created); resp.StatusCode != 200 || err != nil || len(created) != 1 || len(created[0].Extended.Media) != 1 {
		t.Fatalf("POST: %d %s", resp.StatusCode, b)
	}
	u := created[0].Extended.Media[0].PreviewURL
	if !strings.HasPrefix(u, base+"/previews/") || u == created[0].Extended.Media[0].URL {
		t.Fatalf("preview_url %q, want one under %s/previews/", u, base)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		pv, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("GET %s: %d, Content-Type %q, Cache-Control %q", u, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(pv))
		if err != nil || cfg.Width != 480 || cfg.Height != 640 {
			t.Errorf("preview %d×%d, %v; want 480×640", cfg.Width, cfg.Height, err)
		}
		for _, s := range phototest.Secrets {
			if bytes.Contains(pv, []byte(s)) {
				t.Errorf("the preview holds %q", s)
			}
		}
		return
	}
}
