// Package media is the port of the photos store: where the desk puts the cleaned photos of new
// requests (package photo), and the names and URLs they are served under. Public photos are
// served under /media/ (the CDN in front of the bucket, or the local server's folder); private
// ones are stored where nothing serves them. Adapters: package folder (the local server) and
// package bucket (S3).
package media

import (
	"context"
	"regexp"
	"strings"

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
