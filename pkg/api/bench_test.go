package api_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
)

// BenchmarkReads serves reads of the test world on the embedded store, in process: what a
// handler costs without the network.
func BenchmarkReads(b *testing.B) {
	st := world.Store(b)
	h := api.New(api.Options{Store: st, DefaultJurisdiction: apitest.Jurisdiction,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}).Handler()
	for _, path := range []string{"/services.xml", "/requests/100003.json", "/requests.json?page_size=50", "/requests/100003.json?extensions=true"} {
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
