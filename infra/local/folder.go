package main

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// folderFiles is what serveFolder serves of a folder, as the CDN serves the same objects.
type folderFiles struct {
	dir    string // the folder
	prefix string // the URL path prefix it is served under ("/feeds/")
	what   string // what a file is, for the error documents ("feed", "photo")
	// valid reports whether a name (the path after prefix) is one the CDN would serve.
	valid func(name string) bool
	// headers sets the answer's headers for a file of that name (its type, cache lifetime).
	headers func(h http.Header, name string)
}

// serveFolder serves the files of a folder under its prefix with GET and HEAD (conditional and
// range requests included), opened within the folder only (os.Root). Anything else (another
// method, an invalid name, a missing file, a folder) is the GeoReport error document.
func serveFolder(ff folderFiles) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here: "+ff.what+"s are read with GET.")
			return
		}
		missing := "There is no such " + ff.what + ": " + r.URL.Path
		name := strings.TrimPrefix(r.URL.Path, ff.prefix)
		if !fs.ValidPath(name) || !ff.valid(name) {
			writeError(w, r, http.StatusNotFound, missing)
			return
		}
		root, err := os.OpenRoot(ff.dir)
		if err != nil {
			writeError(w, r, http.StatusNotFound, missing)
			return
		}
		defer root.Close()
		f, err := root.Open(name)
		if err != nil {
			status, msg := http.StatusNotFound, missing
			if !errors.Is(err, fs.ErrNotExist) {
				status, msg = http.StatusInternalServerError, "Internal error."
			}
			writeError(w, r, status, msg)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			writeError(w, r, http.StatusNotFound, missing)
			return
		}
		ff.headers(w.Header(), name)
		http.ServeContent(w, r, name, fi.ModTime(), f)
	})
}
