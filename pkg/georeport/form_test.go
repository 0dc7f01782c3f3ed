package georeport

import (
	"net/http"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

// multipartRequest is a POST of a multipart body whose parts are given as their headers and
// body, separated by a blank line.
func multipartRequest(parts ...string) *http.Request {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--B\r\n" + p + "\r\n")
	}
	b.WriteString("--B--\r\n")
	r, _ := http.NewRequest(http.MethodPost, "/requests.json", strings.NewReader(b.String()))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
	return r
}

func TestReadFormWithMedia(t *testing.T) {
	t.Parallel()
	form, files, err := ReadFormWithMedia(multipartRequest(
		"Content-Disposition: form-data; name=\"service_code\"\r\n\r\ntree",
		"Content-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\nContent-Type: application/octet-stream\r\n\r\nJPEGBYTES",
		"Content-Disposition: form-data; name=\"media[]\"\r\nContent-Type: image/png\r\n\r\nPNGBYTES",
		"Content-Disposition: form-data; name=\"media\"\r\n\r\nhttps://example.org/not-a-file",
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || string(files[0].Bytes) != "JPEGBYTES" || files[0].Filename != "a.jpg" ||
		files[0].ContentType != "application/octet-stream" || string(files[1].Bytes) != "PNGBYTES" || files[1].Field != "media[]" {
		t.Errorf("files = %+v, want the JPEG part and the PNG part (no filename, an image type)", files)
	}
	if form.Get("service_code") != "tree" || form.Get("media") != "https://example.org/not-a-file" {
		t.Errorf("form = %v, want the text parts, a text part named media among them", form)
	}

	var six []string
	for range MaxMedia + 1 {
		six = append(six, "Content-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n\r\nX")
	}
	for _, c := range []struct {
		name  string
		parts []string
		kind  open311.Kind
		says  string
	}{
		{"another file field", []string{"Content-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\nX"},
			open311.Invalid, `"photo" is not accepted`},
		{"six photos", six, open311.Invalid, "at most 5 photos"},
		{"text over 256 KiB", []string{"Content-Disposition: form-data; name=\"description\"\r\n\r\n" + strings.Repeat("x", MaxBodyBytes+1)},
			open311.TooLarge, "text fields are larger than 262144 bytes"},
		{"body over 4 MiB", []string{"Content-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n\r\n" + strings.Repeat("x", MaxMediaBodyBytes)},
			open311.TooLarge, "larger than 4194304 bytes"},
	} {
		_, _, err := ReadFormWithMedia(multipartRequest(c.parts...))
		if !open311.IsKind(err, c.kind) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.kind, c.says)
		}
	}

	// Where photos are not taken, a file part is refused, and the body is held to 256 KiB.
	_, err = ReadForm(multipartRequest("Content-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n\r\nX"))
	if !open311.IsKind(err, open311.Invalid) || !strings.Contains(err.Error(), "file uploads are not accepted here") {
		t.Errorf("ReadForm with a file part: %v", err)
	}
	_, err = ReadForm(multipartRequest("Content-Disposition: form-data; name=\"comment\"\r\n\r\n" + strings.Repeat("x", MaxBodyBytes)))
	if !open311.IsKind(err, open311.TooLarge) {
		t.Errorf("ReadForm of a body over 256 KiB: %v, want TooLarge", err)
	}
}
