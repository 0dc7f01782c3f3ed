// Package webapp is the jurisdiction's web app: static HTML, CSS and JavaScript modules (no
// library, no build step) embedded in the binary, plus two generated documents: config.json (where
// the API, the feeds and the map tiles are, and the reporter key the report page posts with) and
// statuses.json (the detailed statuses and their legal moves, from open311's one table).
//
// Files lists every file as a CDN would publish it; Handler serves the same files.
package webapp

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

//go:embed static
var static embed.FS

// DefaultTileURL is OpenStreetMap's standard tile layer, the map's default background.
const DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// Config is what the page is told about its deployment, as app/config.json.
type Config struct {
	// APIBase is the API's base URL without a trailing slash ("" : the page's own origin).
	APIBase string `json:"api_base"`
	// JurisdictionID is sent with every call when set (a deployment of several jurisdictions).
	JurisdictionID string `json:"jurisdiction_id,omitempty"`
	// ReporterKey is the reporter API key the report page posts with. It is public by nature:
	// anyone who loads the page reads it, so it must be a reporter key, never a staff key.
	ReporterKey string `json:"reporter_key"`
	// TileURL is the map tiles' URL template with {z}, {x} and {y}; "" : DefaultTileURL; "none":
	// no tiles (the map draws its markers on a plain grid).
	TileURL string `json:"tile_url"`
	// TileAttribution is shown under the map.
	TileAttribution string `json:"tile_attribution"`
	// Center is the map's centre when there are no requests yet: [lat, long].
	Center [2]float64 `json:"center"`
	// FeedURL is the jurisdiction's Atom feed of every request, linked from the list and the footer.
	FeedURL string `json:"feed_url,omitempty"`
	// Links are extra links of the footer (label → URL), such as the local server's API index.
	Links []Link `json:"links,omitempty"`
	// Language is the messages file the page uses ("en" when empty): js/messages/{Language}.js.
	Language string `json:"language"`
}

// Link is one footer link: its text is the messages' Key (translated with the page), else Label.
type Link struct {
	Key   string `json:"key,omitempty"`
	Label string `json:"label,omitempty"`
	URL   string `json:"url"`
}

// Prefix is the folder of the web app's assets, under the site's root (index.html is at the root).
const Prefix = "app/"

// statusTable is statuses.json: every detailed status in lifecycle order, its GeoReport status,
// and the statuses it may move to.
type statusTable struct {
	Statuses    []string            `json:"statuses"`
	GeoReport   map[string]string   `json:"georeport"`
	Transitions map[string][]string `json:"transitions"`
}

// StatusTable renders statuses.json from open311's transition table.
func StatusTable() ([]byte, error) {
	t := statusTable{GeoReport: map[string]string{}, Transitions: map[string][]string{}}
	for _, s := range open311.Statuses {
		t.Statuses = append(t.Statuses, string(s))
		t.GeoReport[string(s)] = s.GeoReport()
		next := []string{}
		for _, n := range s.Next() {
			next = append(next, string(n))
		}
		t.Transitions[string(s)] = next
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render statuses.json: %w", err)
	}
	return b, nil
}

// Files returns every file of the web app by its path under the site's root ("index.html",
// "app/app.css", "app/config.json", ...), config.json rendered from cfg.
func Files(cfg Config) (map[string][]byte, error) {
	if cfg.TileURL == "" {
		cfg.TileURL = DefaultTileURL
	}
	if cfg.TileAttribution == "" && cfg.TileURL == DefaultTileURL {
		cfg.TileAttribution = "© OpenStreetMap contributors"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	files := map[string][]byte{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		name := strings.TrimPrefix(p, "static/")
		if name != "index.html" {
			name = Prefix + name
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web app files: %w", err)
	}
	c, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render config.json: %w", err)
	}
	files[Prefix+"config.json"] = c
	st, err := StatusTable()
	if err != nil {
		return nil, err
	}
	files[Prefix+"statuses.json"] = st
	return files, nil
}

// ContentType is the Content-Type a file of the web app is served with.
func ContentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Names lists the paths of files, sorted.
func Names(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Handler serves the web app's files: "/" is index.html, "/app/..." the assets. Anything else,
// and a method other than GET or HEAD, is handed to notFound (the caller's error documents).
func Handler(cfg Config, notFound http.Handler) (http.Handler, error) {
	files, err := Files(cfg)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		b, ok := files[name]
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			notFound.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ContentType(name))
		h.Set("Content-Length", strconv.Itoa(len(b)))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		if r.Method == http.MethodHead {
			return
		}
		_, _ = bytes.NewReader(b).WriteTo(w)
	}), nil
}

// ContentSecurityPolicy is the policy the pages need: their own scripts and styles, images from
// anywhere over https (map tiles, photos) and the API and feeds on any origin (its base is
// configurable), nothing inline, no frames.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data: blob:; connect-src 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
