package webapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

// TestStatusTableIsOpen311s checks statuses.json move by move against open311.CanMove: the page
// offers exactly the legal moves.
func TestStatusTableIsOpen311s(t *testing.T) {
	b, err := StatusTable()
	if err != nil {
		t.Fatal(err)
	}
	var st statusTable
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Statuses) != len(open311.Statuses) {
		t.Fatalf("statuses: %v", st.Statuses)
	}
	for _, from := range open311.Statuses {
		for _, to := range open311.Statuses {
			offered := false
			for _, n := range st.Transitions[string(from)] {
				offered = offered || n == string(to)
			}
			if offered != open311.CanMove(from, to) {
				t.Errorf("%s → %s: statuses.json says %v, open311 %v", from, to, offered, open311.CanMove(from, to))
			}
		}
		if st.GeoReport[string(from)] != from.GeoReport() {
			t.Errorf("%s: georeport %q", from, st.GeoReport[string(from)])
		}
	}
}

// TestFiles checks the published set: the page, its modules, and config.json as configured.
func TestFiles(t *testing.T) {
	files, err := Files(Config{ReporterKey: "rk", APIBase: "https://api.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"index.html", "app/app.css", "app/js/app.js", "app/js/messages/en.js", "app/config.json", "app/statuses.json"} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s in %v", want, Names(files))
		}
	}
	var cfg Config
	if err := json.Unmarshal(files["app/config.json"], &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ReporterKey != "rk" || cfg.APIBase != "https://api.example.org" || cfg.TileURL != DefaultTileURL || cfg.Language != "en" {
		t.Errorf("config.json: %+v", cfg)
	}
}

var (
	importRe  = regexp.MustCompile(`(?m)^import .* from "(\./[^"]+)";`)
	tCallRe   = regexp.MustCompile(`\bt\("([a-z_]+)"\s*([,)+])`)
	messageRe = regexp.MustCompile(`(?m)^  ([a-z_]+): "`)
)

// TestModulesAndMessages checks that every module a module imports is there, that no page has
// inline script or style (the CSP forbids it), and that every text key a module asks for is in
// the English messages: nothing shows a bare key.
func TestModulesAndMessages(t *testing.T) {
	files, err := Files(Config{})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, m := range messageRe.FindAllStringSubmatch(string(files["app/js/messages/en.js"]), -1) {
		keys[m[1]] = true
	}
	if len(keys) < 50 {
		t.Fatalf("only %d messages read from en.js", len(keys))
	}
	asked := 0
	for _, name := range Names(files) {
		src := string(files[name])
		switch path.Ext(name) {
		case ".js":
			for _, m := range importRe.FindAllStringSubmatch(src, -1) {
				if _, ok := files[path.Join(path.Dir(name), m[1])]; !ok {
					t.Errorf("%s imports %s, which is not there", name, m[1])
				}
			}
			for _, m := range tCallRe.FindAllStringSubmatch(src, -1) {
				asked++
				if m[2] == "+" { // t("status_" + s): a family of keys
					found := false
					for k := range keys {
						found = found || strings.HasPrefix(k, m[1])
					}
					if !found {
						t.Errorf("%s asks for texts %q…, which en.js lacks", name, m[1])
					}
					continue
				}
				if !keys[m[1]] {
					t.Errorf("%s asks for the text %q, which en.js lacks", name, m[1])
				}
			}
		case ".html":
			if strings.Contains(src, "<script>") || strings.Contains(src, "<style") || strings.Contains(src, " style=") || strings.Contains(src, " onclick=") {
				t.Errorf("%s has inline script or style", name)
			}
		}
	}
	if asked < 50 {
		t.Errorf("only %d t() calls found: the pattern no longer matches", asked)
	}
}

// TestHandler serves the page, an asset and config.json, and hands anything else to notFound.
func TestHandler(t *testing.T) {
	nf := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nf", http.StatusTeapot) })
	hd, err := Handler(Config{ReporterKey: "rk"}, nf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, path string
		status       int
		ctype, body  string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", `src="app/js/app.js"`},
		{"GET", "/app/js/map.js", 200, "text/javascript; charset=utf-8", "export function project"},
		{"GET", "/app/config.json", 200, "application/json; charset=utf-8", `"reporter_key": "rk"`},
		{"GET", "/app/statuses.json", 200, "application/json; charset=utf-8", `"submitted": [`},
		{"GET", "/app/nope.js", 418, "", "nf"},
		{"POST", "/", 418, "", "nf"},
	} {
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != c.status || (c.ctype != "" && rec.Header().Get("Content-Type") != c.ctype) || !strings.Contains(string(body), c.body) {
			t.Errorf("%s %s: %d %s %.80q", c.method, c.path, rec.Code, rec.Header().Get("Content-Type"), body)
		}
		if c.status == 200 && rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no CSP", c.path)
		}
	}
}
