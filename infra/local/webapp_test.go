package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/webapp"
)

// TestWebApp reads the web app at /: the page, its modules, and config.json, which holds the
// reporter key the server printed (never the staff key) and links that answer.
func TestWebApp(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir(), ReporterKey: "reporter-web", StaffKey: "staff-web", TileURL: "none"})
	status, body := get(t, s.base+"/")
	if status != 200 || !strings.Contains(body, `<script type="module" src="app/js/app.js">`) {
		t.Fatalf("GET /: %d %.200s", status, body)
	}
	for _, p := range []string{"/app/js/app.js", "/app/js/report.js", "/app/js/messages/en.js", "/app/app.css", "/app/statuses.json"} {
		if status, _ := get(t, s.base+p); status != 200 {
			t.Errorf("GET %s: %d", p, status)
		}
	}
	resp, err := http.Get(s.base + "/app/js/app.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("app.js: Content-Type %q (a module needs a JavaScript type)", ct)
	}
	status, body = get(t, s.base+"/app/config.json")
	if status != 200 {
		t.Fatalf("config.json: %d", status)
	}
	if strings.Contains(body, "staff-web") {
		t.Fatalf("config.json holds the staff key: %s", body)
	}
	var cfg webapp.Config
	if err := json.Unmarshal([]byte(body), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ReporterKey != "reporter-web" || cfg.TileURL != "none" || cfg.APIBase != "" {
		t.Errorf("config.json: %s", body)
	}
	if cfg.Center != [2]float64{40.72, -74} {
		t.Errorf("centre %v, not the middle of the demo city's boundary", cfg.Center)
	}
	links := []string{cfg.FeedURL}
	for _, l := range cfg.Links {
		links = append(links, s.base+l.URL)
	}
	for _, l := range links {
		if status, _ := get(t, l); status != 200 {
			t.Errorf("link %s: %d", l, status)
		}
	}
}
