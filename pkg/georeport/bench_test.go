package georeport

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// page is a page of n requests as a city's listing holds them: located, described, with notes
// and attributes.
func page(n int) ServiceRequests {
	loc := time.FixedZone("", -5*3600)
	at := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	doc := ServiceRequests{}
	for i := range n {
		r := open311.Request{ID: strconv.Itoa(200000 + i), ServiceCode: "pothole", ServiceName: "Pothole",
			Status: open311.InProgress, StatusNotes: "Crew scheduled for Thursday.", Description: "Deep pothole <in> the \"right\" lane & more.",
			AgencyResponsible: "Street Maintenance", Requested: at.Add(-time.Duration(i) * time.Hour), Updated: at,
			Expected: at.Add(48 * time.Hour), Point: &open311.Point{Lat: 40.71455, Long: -74.00712}, Address: "Broadway & Chambers St",
			MediaURL: "https://photos.example.org/p/1.jpg"}
		doc.Requests = append(doc.Requests, NewRequest(r, loc))
	}
	return doc
}

// BenchmarkEncodeRequests encodes a page of 50 requests in each format: by the documents'
// appenders (what the API does) the first time the page's requests are shown and again (when
// their bytes are copied from the memo), and, as the baseline, by encoding/json and encoding/xml.
func BenchmarkEncodeRequests(b *testing.B) {
	doc := page(50)
	forget := func() { jsonMemo.m.Clear(); xmlMemo.m.Clear() }
	for _, f := range []Format{JSON, XML} {
		for _, enc := range []struct {
			name   string
			fn     func(Format, any) ([]byte, error)
			before func()
		}{{"appenders-first", Marshal, forget}, {"appenders-again", Marshal, func() {}}, {"reflection", marshalReflect, func() {}}} {
			b.Run("page-of-50."+f.Suffix()+"/"+enc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					enc.before()
					if _, err := enc.fn(f, doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkReadPostForm(b *testing.B) {
	body := "api_key=test-reporter-key&service_code=pothole&lat=40.7128&long=-74.0060&attribute%5Bsize%5D=medium" +
		"&attribute%5Bdepth_cm%5D=12&description=" + strings.Repeat("Hole+near+the+bus+stop+", 20) + "&email=someone%40example.net&first_name=Sam"
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/requests.json", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, err := ReadForm(r)
		if err != nil {
			b.Fatal(err)
		}
		if s := Submission(form); s.ServiceCode != "pothole" {
			b.Fatal(s)
		}
	}
}
