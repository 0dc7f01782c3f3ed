package main

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here: photos are read with GET.")
			return
		}
		name := strings.TrimPrefix(r.URL.Path, prefix)
		if !media.ValidName(name) {
			writeError(w, r, http.StatusNotFound, "There is no such photo: "+r.URL.Path)
			return
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			writeError(w, r, http.StatusNotFound, "There is no such photo: "+r.URL.Path)
			return
		}
		defer root.Close()
		f, err := root.Open(name)
		if err != nil {
			status, msg := http.StatusNotFound, "There is no such photo: "+r.URL.Path
			if !errors.Is(err, fs.ErrNotExist) {
				status, msg = http.StatusInternalServerError, "Internal error."
			}
			writeError(w, r, status, msg)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			writeError(w, r, http.StatusNotFound, "There is no such photo: "+r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", mediaTypes[path.Ext(name)])
		w.Header().Set("Cache-Control", media.CacheControl)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, fi.ModTime(), f)
	})
}
