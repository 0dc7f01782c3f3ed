package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/store"
)

// fuzzedReads are the GETs whose query strings FuzzQuery sends, and the largest page each answers.
var fuzzedReads = []struct {
	path string
	most func(q url.Values) int
}{
	{"/requests.json", func(q url.Values) int {
		if e := strings.ToLower(strings.TrimSpace(q.Get("extensions"))); e == "true" || e == "1" {
			return 100
		}
		return 1000
	}},
	{"/servicerequestupdates.json", func(url.Values) int { return 1000 }},
	{"/jurisdictions.json", func(url.Values) int { return 1000 }},
	{"/requests/100003.json", func(url.Values) int { return 1 }},
}

var nextLink = regexp.MustCompile(`^<(/[^>?]*)\?([^>]*)>; rel="next"$`)

// FuzzQuery sends any query string to the reads of the API (the query, geo and date decoding of
// pkg/api, the desk's windows and limits, the store's cursors), over the seeded test world: every
// answer is 200, 400 or 404, JSON; an error is the error document with its status as every code
// and a description; a list is never longer than the page size allows; and a Link to the next
// page is the same path with a cursor the store reads. Seeds: testdata/fuzz/FuzzQuery.
func FuzzQuery(f *testing.F) {
	h, _ := newWorld(f)
	for i, q := range []string{
		"status=open,closed&page_size=2&page=2",
		"start_date=2026-07-01T00:00:00Z&end_date=2026-09-20T00:00:00-04:00",
		"updated_after=2026-11-02T10:00:00-05:00&updated_before=2026-11-02T17:00:00+01:00",
		"lat=40.7130&long=-74.0046&radius=200",
		"bbox=-74.01,40.70,-74.00,40.72&extensions=true&page_size=100",
		"cursor=MjAyNi0xMS0wMlQxNTowNDowNVp8MjAwMDAwMDM&page_size=1",
		"service_request_id=100001,100003&status=pending",
		"start_date=0000-01-01T00:00:00Z",
		"end_date=9999-12-31T23:59:59Z&page=1000",
		"lat=0x1p-2&long=1_0&radius=Inf",
		"jurisdiction_id=nowhere.example",
		"%zz",
	} {
		f.Add(uint8(i), q)
	}
	f.Fuzz(func(t *testing.T, which uint8, rawQuery string) {
		read := fuzzedReads[int(which)%len(fuzzedReads)]
		r := httptest.NewRequest(http.MethodGet, read.path, nil)
		r.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		status, body := rec.Code, rec.Body.Bytes()
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Fatalf("GET %s?%s: %d with Content-Type %q", read.path, rawQuery, status, ct)
		}
		var list []map[string]any
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("GET %s?%s: %d, not a JSON list: %v\n%s", read.path, rawQuery, status, err, body)
		}
		switch status {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusNotFound:
			if len(list) == 0 {
				t.Fatalf("GET %s?%s: %d with no error", read.path, rawQuery, status)
			}
			for _, e := range list {
				if code, _ := e["code"].(float64); int(code) != status || len(e) != 2 || e["description"] == "" {
					t.Fatalf("GET %s?%s: %d, not the error document: %s", read.path, rawQuery, status, body)
				}
			}
			return
		default:
			t.Fatalf("GET %s?%s: %d %s", read.path, rawQuery, status, body)
		}
		q, _ := url.ParseQuery(rawQuery)
		if len(list) > read.most(q) {
			t.Fatalf("GET %s?%s: %d items, more than a page of %d", read.path, rawQuery, len(list), read.most(q))
		}
		link := rec.Header().Get("Link")
		if link == "" {
			return
		}
		m := nextLink.FindStringSubmatch(link)
		if m == nil || m[1] != read.path {
			t.Fatalf("GET %s?%s: Link %q", read.path, rawQuery, link)
		}
		next, err := url.ParseQuery(m[2])
		if err != nil {
			t.Fatalf("GET %s?%s: Link %q: %v", read.path, rawQuery, link, err)
		}
		if _, err := store.DecodeCursor(next.Get("cursor")); err != nil {
			t.Fatalf("GET %s?%s: Link %q holds a cursor the store refuses: %v", read.path, rawQuery, link, err)
		}
	})
}
