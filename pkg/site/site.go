// Package site is what the CDN serves besides the feeds and photos: the web app (package webapp:
// index.html, the distribution's root, and app/..., its config.json made from Config) and the
// page of a missing object (errors/404.html, which CloudFront shows for S3's 403), published to
// the feed bucket by a deploy (the stack's Site custom
// resource, functions/publish-site). Publish writes what changed and removes what a previous
// version published and this one no longer has, which the manifest (ManifestKey) records.
package site

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strings"

	"github.com/civicworks/open311/pkg/webapp"
)

//go:embed static
var static embed.FS

// apiURLPlaceholder is what the pages' files hold where Config.APIURL goes.
const apiURLPlaceholder = "{{.APIURL}}"

// ManifestKey is the object listing the keys the last Publish wrote.
const ManifestKey = "site.json"

// CacheControl is the site's pages' Cache-Control: a deploy's change shows within minutes.
const CacheControl = "public, max-age=300"

// Config is what the pages say about the deployment.
type Config struct {
	// APIURL is the GeoReport API's base URL (no trailing slash).
	APIURL string
	// ReporterKey is the reporter API key the web app's report page posts with (public by
	// nature: every visitor of the page reads it); empty, the page cannot file reports.
	ReporterKey string
	// TileURL is the web app's map tiles ("" : OpenStreetMap's; "none": no tiles).
	TileURL string
	// MapCenter is where the web app's maps open, [lat, long].
	MapCenter [2]float64
}

// Object is one file as it is published.
type Object struct {
	Key          string
	ContentType  string
	CacheControl string
	Body         []byte
}

// Objects renders the site's files for c: the web app's, with its config.json, and this
// package's own pages, in each of whose HTML files {{.APIURL}} becomes c.APIURL.
func Objects(c Config) ([]Object, error) {
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	app, err := webapp.Files(webapp.Config{APIBase: c.APIURL, ReporterKey: c.ReporterKey, TileURL: c.TileURL, Center: c.MapCenter,
		Links: []webapp.Link{{Key: "footer_api", URL: c.APIURL + "/discovery.json"}}})
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	var out []Object
	for _, name := range webapp.Names(app) {
		out = append(out, Object{Key: name, ContentType: webapp.ContentType(name), CacheControl: CacheControl, Body: app[name]})
	}
	files, err := fs.Sub(static, "static")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	err = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if strings.HasSuffix(p, ".html") {
			// The one placeholder, escaped for HTML. Not html/template: its reflective method
			// calls keep every method of the AWS SDK in the binary (4.5 MiB more).
			body = bytes.ReplaceAll(body, []byte(apiURLPlaceholder), []byte(html.EscapeString(c.APIURL)))
			ct = "text/html; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		if _, ok := app[p]; ok {
			return fmt.Errorf("%s is both the web app's and the site's", p)
		}
		out = append(out, Object{Key: p, ContentType: ct, CacheControl: CacheControl, Body: body})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	return out, nil
}

// Bucket is where the site is published: the feed bucket (package bucket), or a test's.
type Bucket interface {
	// Get returns an object's body, and false when there is none.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Put writes an object.
	Put(ctx context.Context, o Object) error
	// Delete removes an object; a missing one is no error.
	Delete(ctx context.Context, key string) error
}

// Published is what a Publish or Unpublish did.
type Published struct {
	Written []string `json:"written"`
	Deleted []string `json:"deleted"`
}

// Publish writes every object, then the manifest listing them, then deletes what the previous
// manifest listed that objs do not have. A failure part way leaves every page there (old or
// new); run again, it completes.
func Publish(ctx context.Context, b Bucket, objs []Object) (Published, error) {
	old, err := manifest(ctx, b)
	if err != nil {
		return Published{}, err
	}
	var out Published
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		if o.Key == ManifestKey {
			return out, fmt.Errorf("site: a file may not be named %s", ManifestKey)
		}
		if err := b.Put(ctx, o); err != nil {
			return out, fmt.Errorf("site: put %s: %w", o.Key, err)
		}
		out.Written = append(out.Written, o.Key)
		keys = append(keys, o.Key)
	}
	slices.Sort(keys)
	m, err := json.Marshal(keys)
	if err != nil {
		return out, err
	}
	if err := b.Put(ctx, Object{Key: ManifestKey, ContentType: "application/json", CacheControl: CacheControl, Body: m}); err != nil {
		return out, fmt.Errorf("site: put %s: %w", ManifestKey, err)
	}
	for _, k := range old {
		if slices.Contains(keys, k) {
			continue
		}
		if err := b.Delete(ctx, k); err != nil {
			return out, fmt.Errorf("site: delete %s: %w", k, err)
		}
		out.Deleted = append(out.Deleted, k)
	}
	return out, nil
}

// Unpublish deletes what the manifest lists, then the manifest.
func Unpublish(ctx context.Context, b Bucket) (Published, error) {
	old, err := manifest(ctx, b)
	if err != nil {
		return Published{}, err
	}
	var out Published
	for _, k := range append(old, ManifestKey) {
		if err := b.Delete(ctx, k); err != nil {
			return out, fmt.Errorf("site: delete %s: %w", k, err)
		}
		out.Deleted = append(out.Deleted, k)
	}
	return out, nil
}

// manifest returns the keys the last Publish wrote (none before the first).
func manifest(ctx context.Context, b Bucket) ([]string, error) {
	body, ok, err := b.Get(ctx, ManifestKey)
	if err != nil {
		return nil, fmt.Errorf("site: get %s: %w", ManifestKey, err)
	}
	if !ok {
		return nil, nil
	}
	var keys []string
	if err := json.Unmarshal(body, &keys); err != nil {
		return nil, fmt.Errorf("site: %s is not a list of keys: %w", ManifestKey, err)
	}
	for _, k := range keys {
		if k == "" || k == ManifestKey || strings.HasPrefix(k, "/") || strings.Contains(k, "..") {
			return nil, fmt.Errorf("site: %s lists %q, which is no page of the site", ManifestKey, k)
		}
	}
	return keys, nil
}
