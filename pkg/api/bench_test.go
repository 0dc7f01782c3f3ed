package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
)

// BenchmarkReads serves reads in process over the embedded store holding the test world and 500
// more requests of the last weeks (so that a page of 50 is full): what a handler costs without
// the network.
func BenchmarkReads(b *testing.B) {
	st := world.Store(b)
	at := apitest.Now.Add(-25 * 24 * time.Hour)
	d := desk.New(desk.Options{Store: st, Now: func() time.Time { return at }, DefaultJurisdiction: apitest.Jurisdiction})
	for i := range 500 {
		at = at.Add(time.Hour)
		if _, err := d.Report(context.Background(), desk.Report{Key: apitest.ReporterKey, Submission: open311.Submission{
			ServiceCode: "pothole", Lat: "40.71", Long: "-74.0", Description: fmt.Sprint("Pothole ", i),
			Attributes: map[string][]string{"size": {"large"}}}}); err != nil {
			b.Fatal(err)
		}
	}
	h := api.New(api.Options{Store: st, DefaultJurisdiction: apitest.Jurisdiction, Now: func() time.Time { return apitest.Now },
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}).Handler()
	for _, path := range []string{"/services.xml", "/requests/100003.json", "/requests.json?page_size=50",
		"/requests.xml?page_size=50", "/requests/100003.json?extensions=true"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}
