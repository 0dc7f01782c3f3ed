package main

import (
	"bytes"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/store"
)

// homePage is the local server's index of the API, at /api/ (the web app is at /): links to
// every read of the API, the feeds and the docs.
var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Open311 GeoReport v2 API (local server)</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code{font-size:.95em}</style>
</head>
<body>
<h1>Open311 GeoReport v2 API</h1>
<p><a href="/">The web app</a>: report a problem, recent requests, the staff console.</p>
<p>The local server: the API the Lambda functions serve on AWS, on an embedded store. Every resource
ends in <code>.xml</code> or <code>.json</code>; POSTs need an API key (the server printed one when it started).</p>

<h2>The API</h2>
<ul>
<li>Discovery: <a href="/discovery.xml">discovery.xml</a>, <a href="/discovery.json">discovery.json</a></li>
<li>The OpenAPI 3.1 document of every operation: <a href="/openapi.json">openapi.json</a></li>
<li>Jurisdictions: <a href="/jurisdictions.xml">jurisdictions.xml</a>, <a href="/jurisdictions.json">jurisdictions.json</a></li>
<li>Services: <a href="/services.xml">services.xml</a>, <a href="/services.json">services.json</a></li>
<li>Recent requests: <a href="/requests.xml">requests.xml</a>, <a href="/requests.json">requests.json</a>,
  with notes and links: <a href="/requests.json?extensions=true">requests.json?extensions=true</a></li>
<li>Request updates of the last day (FixMyStreet): <a href="/servicerequestupdates.xml">servicerequestupdates.xml</a>,
  <a href="/servicerequestupdates.json">servicerequestupdates.json</a></li>
</ul>
{{range .Jurisdictions}}
<h2>Feeds of {{.Name}}</h2>
<ul>
<li>{{if .Feed.Exists}}<a href="{{.Feed.URL}}">Every request</a>{{else}}Every request (no activity yet){{end}}</li>
{{range .Services}}<li>{{if .Feed.Exists}}<a href="{{.Feed.URL}}">{{.Name}}</a>{{else}}{{.Name}} (no activity yet){{end}}</li>
{{end}}</ul>
{{end}}
<h2>Docs</h2>
{{if .Docs}}<ul>
{{range .Docs}}<li><a href="/docs/{{.}}">{{.}}</a></li>
{{end}}</ul>{{else}}<p>The docs are the <code>docs/</code> folder of the repository.</p>{{end}}
</body>
</html>
`))

type homeFeed struct {
	URL    string
	Exists bool
}

type homeService struct {
	Name string
	Feed homeFeed
}

type homeJurisdiction struct {
	Name     string
	Feed     homeFeed
	Services []homeService
}

// home answers GET /api/ with the index of the API; other methods get 405.
func home(st store.Catalog, feedsDir, docsDir string) http.Handler {
	feedLink := func(f feed.Feed) homeFeed {
		_, err := os.Stat(filepath.Join(feedsDir, filepath.FromSlash(f.Path())))
		return homeFeed{URL: f.URL("/feeds"), Exists: err == nil}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here.")
			return
		}
		var page struct {
			Jurisdictions []homeJurisdiction
			Docs          []string
		}
		all, err := st.Jurisdictions(r.Context())
		if err != nil {
			writeError(w, r, http.StatusInternalServerError, "Internal error.")
			return
		}
		for _, j := range all {
			hj := homeJurisdiction{Name: j.Name, Feed: feedLink(feed.ForJurisdiction(j.ID))}
			services, err := st.Services(r.Context(), j.ID)
			if err != nil {
				writeError(w, r, http.StatusInternalServerError, "Internal error.")
				return
			}
			for _, s := range services {
				if s.Private() {
					continue // never fed
				}
				hj.Services = append(hj.Services, homeService{Name: s.Name, Feed: feedLink(feed.ForService(j.ID, s.Code))})
			}
			page.Jurisdictions = append(page.Jurisdictions, hj)
		}
		page.Docs = docFiles(docsDir)
		var b bytes.Buffer
		if err := homePage.Execute(&b, page); err != nil {
			writeError(w, r, http.StatusInternalServerError, "Internal error.")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b.Bytes())
	})
}

// docName is the name of a file serveDocs serves: a markdown file of the docs folder itself.
var docName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\.md$`)

// docFiles lists the markdown files of the docs folder, by name.
func docFiles(dir string) []string {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && docName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// serveDocs serves the markdown files of the docs folder under /docs/ as plain text (which a
// browser shows rather than downloads); anything else is the error document.
func serveDocs(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here.")
			return
		}
		name := r.URL.Path[len("/docs/"):]
		if dir == "" || !docName.MatchString(name) {
			writeError(w, r, http.StatusNotFound, "There is no such document: "+r.URL.Path)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			writeError(w, r, http.StatusNotFound, "There is no such document: "+r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	})
}
