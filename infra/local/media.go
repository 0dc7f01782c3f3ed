package main

import (
	"net/http"
	"path"

	"github.com/civicworks/open311/pkg/media"
)

// mediaTypes are the content types of the photos' extensions.
var mediaTypes = map[string]string{".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif"}

// serveMedia serves the public photos of the media folder under /media/ as the CDN does: by
// their content-addressed names only, with their type, media.CacheControl and nosniff. The
// private photos' folder is another one, which nothing serves. Anything else is the GeoReport
// error document.
func serveMedia(dir string) http.Handler {
	return serveFolder(folderFiles{dir: dir, prefix: media.PathPrefix, what: "photo", valid: media.ValidName,
		headers: func(h http.Header, name string) {
			h.Set("Content-Type", mediaTypes[path.Ext(name)])
			h.Set("Cache-Control", media.CacheControl)
			h.Set("X-Content-Type-Options", "nosniff")
		}})
}
