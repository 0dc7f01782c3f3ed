// Package media is the port of the photos store: where the desk puts the cleaned photos of new
// requests (package photo), and the names and URLs they are served under. Public photos are
// served under /media/ (the CDN in front of the bucket, or the local server's folder); private
// ones are stored where nothing serves them. Adapters: package folder (the local server) and
// package bucket (S3).
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/photo"
)

// CacheControl is what every served photo is sent with: a name is its content's hash, so its
// bytes never change.
const CacheControl = "public, max-age=31536000, immutable"

// PathPrefix is the URL path photos are served under, at the media base URL's host.
const PathPrefix = "/media/"

// PreviewPathPrefix is the URL path previews are served under: apart from the photos, so that
// what makes previews on a photo's arrival is never started by a preview.
const PreviewPathPrefix = "/previews/"

// Object is one photo to store.
type Object struct {
	// Name is the photo's content-addressed name (photo.Photo.Name).
	Name        string
	ContentType string
	Body        []byte
	// Private photos are stored where nothing serves them.
	Private bool
}

// Store holds photos.
type Store interface {
	// Put stores o. A photo of the same name and privacy already there is left as it is (its
	// bytes are the same); created says whether this call stored it, so that a caller undoing
	// a failed report removes only what it added.
	Put(ctx context.Context, o Object) (created bool, err error)
	// Delete removes the photo of that name and privacy, and a public photo's preview; a photo
	// or preview that is not there is no error.
	Delete(ctx context.Context, name string, private bool) error
}

var nameRE = regexp.MustCompile(`^[0-9a-f]{64}\.(jpg|png|webp|gif)$`)

// ValidName reports whether name is a content-addressed photo name: 64 lowercase hex digits and
// an accepted extension. Adapters refuse any other, so that no name can leave their folder.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// URL is the public address of a photo, base being the media base URL (the CDN's or the local
// server's origin, without a trailing slash).
func URL(base, name string) string { return strings.TrimSuffix(base, "/") + PathPrefix + name }

// PreviewURL is the public address of the preview of the photo of that name
// (photo.PreviewName), which may not be made yet.
func PreviewURL(base, name string) string {
	return strings.TrimSuffix(base, "/") + PreviewPathPrefix + photo.PreviewName(name)
}

// Previews is the side of a photos store that previews are made on: the public photo, and where
// its preview goes. Adapters: package folder, and package bucket's Previews.
type Previews interface {
	// Photo reads the public photo of that name.
	Photo(ctx context.Context, name string) ([]byte, error)
	// PutPreview stores the preview of the photo of that name, under photo.PreviewName(name),
	// with its content type and CacheControl (its bytes are made the same from the same photo).
	PutPreview(ctx context.Context, name, contentType string, body []byte) error
}

// UploadPrefix is where the large photos clients upload to their slots (POST /media) are kept
// until the report that names the slot reads them: in the bucket, uploads/<slot id>; never
// served.
const UploadPrefix = "uploads/"

// ErrNoUpload is what Uploads.Upload returns when nothing was uploaded to the slot.
var ErrNoUpload = errors.New("media: nothing was uploaded to the slot")

// ErrUploadTooLarge is what Uploads.Upload returns when the upload is larger than the slot
// allows (open311.MaxUploadBytes), which a store that does not enforce the form's limit must
// tell.
var ErrUploadTooLarge = errors.New("media: the upload is larger than its slot allows")

var slotRE = regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)

// ValidSlotID reports whether id can name an upload slot: 1 to 64 ASCII letters and digits.
// Adapters refuse any other, so that no id can leave their prefix or folder.
func ValidSlotID(id string) bool { return slotRE.MatchString(id) }

// Uploads are the photos uploaded to slots, read by the report that names a slot and deleted
// once it is stored. Adapters: package bucket's Uploads, package folder's Uploads.
type Uploads interface {
	// Upload reads what was uploaded to the slot: ErrNoUpload when nothing was,
	// ErrUploadTooLarge beyond open311.MaxUploadBytes.
	Upload(ctx context.Context, slotID string) ([]byte, error)
	// DeleteUpload removes it; nothing there is no error.
	DeleteUpload(ctx context.Context, slotID string) error
}

// FormField is one field of an upload form.
type FormField struct{ Name, Value string }

// UploadForm is how a client uploads to a slot: a multipart/form-data POST to URL of Fields, in
// order, then the photo as the last part, named "file" (S3's browser-based upload).
type UploadForm struct {
	URL    string
	Fields []FormField
}

// Forms hands out the forms that upload to slots: S3's presigned POST (package slot), or the
// local server's (package folder).
type Forms interface {
	// Form is the form that uploads one photo of the content type (at most maxBytes) to
	// slot id, taken until expires.
	Form(ctx context.Context, id, contentType string, maxBytes int64, expires time.Time) (UploadForm, error)
}

// Request is the POST a client sends to upload body to the form's slot: multipart/form-data of
// the fields, in order, and the file last, as S3 wants it.
func (f UploadForm) Request(ctx context.Context, filename string, body []byte) (*http.Request, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	contentType := "application/octet-stream"
	for _, fl := range f.Fields {
		if err := w.WriteField(fl.Name, fl.Value); err != nil {
			return nil, err
		}
		if strings.EqualFold(fl.Name, "Content-Type") {
			contentType = fl.Value
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req, nil
}
