package main

import (
	"net/http"
	"path"

	"github.com/civicworks/open311/pkg/media"
)

// mediaTypes are the content types of the photos' extensions.
var mediaTypes = map[string]string{".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif"}

// serveMedia serves the public photos of the media folder under /media/ (or the previews
// folder under /previews/: prefix) as the CDN does: by
// their content-addressed names only, with their type, media.CacheControl and nosniff. The
// private photos' folder is another one, which nothing serves. Anything else is the GeoReport
// error document.
func serveMedia(prefix, dir string) http.Handler {
	return serveFolder(folderFiles{dir: dir, prefix: prefix, what: "photo", valid: media.ValidName,
		headers: func(h http.Header, name string) {
			h.Set("Content-Type", mediaTypes[path.Ext(name)])
			h.Set("Cache-Control", media.CacheControl)
			h.Set("X-Content-Type-Options", "nosniff")
		}})
}
