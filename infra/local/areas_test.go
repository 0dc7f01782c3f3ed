package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/feed"
)

// TestAreaFeedsLocally asks the local server which feeds cover the point of a seeded pothole,
// fetches the listed area cell and ward feeds (the follower wrote them after seeding) and the
// jurisdiction's OPML feed list, whose every feed GET /feeds lists too.
func TestAreaFeedsLocally(t *testing.T) {
	base := runStack(t, Config{Data: t.TempDir()})
	get := func(url, wantType string) []byte {
		t.Helper()
		var resp *http.Response
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			var err error
			if resp, err = http.Get(url); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 404 || time.Now().After(deadline) { // the follower may still be writing
				break
			}
			resp.Body.Close()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != wantType {
			t.Fatalf("GET %s: %d %s\n%s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		return body
	}
	var list []struct{ Kind, ID, Title, URL string }
	if err := json.Unmarshal(get(base+"/feeds.json?lat=40.71455&long=-74.00712", "application/json; charset=utf-8"), &list); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range list {
		listed[f.URL] = true
		if f.Kind == "cell" || f.Kind == "area" {
			if body := get(f.URL, feed.ContentType); !strings.Contains(string(body), "<title>"+xmlText(f.Title)+"</title>") {
				t.Errorf("%s is not titled %q:\n%s", f.URL, f.Title, body)
			}
		}
	}
	if !listed[base+"/feeds/city.example.org/areas/cells/dr5reg.atom"] || !listed[base+"/feeds/city.example.org/areas/ward-1.atom"] {
		t.Errorf("the pothole's cell and ward are not listed: %v", listed)
	}
	var opml struct {
		Top []struct {
			URL string `xml:"xmlUrl,attr"`
		} `xml:"body>outline"`
	}
	body := get(base+"/feeds/city.example.org/feeds.opml", feed.OPMLType)
	if err := xml.Unmarshal(body, &opml); err != nil {
		t.Fatal(err)
	}
	var nested struct {
		Outlines []struct {
			URL string `xml:"xmlUrl,attr"`
		} `xml:"body>outline>outline"`
	}
	if err := xml.Unmarshal(body, &nested); err != nil {
		t.Fatal(err)
	}
	urls := []string{opml.Top[0].URL}
	for _, o := range nested.Outlines {
		urls = append(urls, o.URL)
	}
	wards := 0
	for _, u := range urls {
		if strings.Contains(u, "/areas/") {
			wards++
			continue // the list of a point names only the wards holding it
		}
		if !listed[u] {
			t.Errorf("the OPML lists %s, which GET /feeds does not", u)
		}
	}
	if wards != 3 || len(urls) < 4 {
		t.Errorf("the OPML lists %v", urls)
	}
}

// xmlText escapes s as Atom's text shows it.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
