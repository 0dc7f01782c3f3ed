package api_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// TestGoldenLocales reads a catalog in three languages (English, the default; Spanish, whole;
// Arabic, written right to left, in part) in the language each request asks for, by the
// locale parameter or Accept-Language with its fallbacks, in both formats, and compares each
// whole answer, headers included, with its golden file (testdata/locales). What has no
// translation is in English, never empty; codes and keys are the same in every language.
func TestGoldenLocales(t *testing.T) {
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "locales.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := catalog.ReadFile(filepath.Join("testdata", "locales", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Load(ctx, st, f, apitest.Now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []open311.APIKey{
		{Hash: open311.HashKey("reporter-key"), Role: open311.RoleReporter, Label: "app", Created: apitest.Now},
		{Hash: open311.HashKey("staff-key"), Role: open311.RoleStaff, JurisdictionID: "ciudad.example.org", Label: "Parks desk", Created: apitest.Now},
	} {
		if err := st.PutAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	h := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, DefaultJurisdiction: "ciudad.example.org",
		NewID: apitest.List([]string{"700001"}), NewToken: apitest.List([]string{"T1"}),
		Endpoint: "https://api.ciudad.example.org/open311/v2", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	// The same catalog on a server that publishes feeds, for the feed lists.
	withFeeds := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, DefaultJurisdiction: "ciudad.example.org",
		Endpoint: "https://api.ciudad.example.org/open311/v2", FeedBase: "https://feeds.ciudad.example.org",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	for _, c := range []struct{ name, path, accept string }{
		{"feeds-es.json", "/feeds.json?lat=19.4326&long=-99.1332", "es-MX"},
		{"feeds-ar.xml", "/feeds.xml?lat=19.4326&long=-99.1332&locale=ar", ""},
		{"feeds-default.json", "/feeds.json?lat=19.4326&long=-99.1332", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tc := apitest.Case{Name: c.name, Path: c.path}
			if c.accept != "" {
				tc.Header = map[string]string{"Accept-Language": c.accept}
			}
			status, header, body := serve(t, withFeeds, tc)
			golden(t, filepath.Join("testdata", "locales", c.name+".txt"), apitest.Record(status, header, body))
		})
	}
	// A request with notes: reported, then assigned with a public note; its description and the
	// note are people's words, in whatever language they were written.
	for _, c := range []apitest.Case{
		{Name: "post-es.json", Method: "POST", Path: "/requests.json", ContentType: "application/x-www-form-urlencoded", Header: map[string]string{"Accept-Language": "es"},
			Body: "api_key=reporter-key&service_code=pothole&attribute%5Bsize%5D=large&lat=19.4326&long=-99.1332&description=Hoyo+enorme+frente+al+mercado"},
		{Method: "POST", Path: "/requests/700001.json", ContentType: "application/x-www-form-urlencoded",
			Body: "api_key=staff-key&status=assigned&agency_responsible=Obras+P%C3%BAblicas&status_notes=Crew+on+the+way"},
	} {
		status, header, body := serve(t, h, c)
		if status != 200 {
			t.Fatalf("%s %s: %d %s", c.Method, c.Path, status, body)
		}
		if c.Name != "" {
			golden(t, filepath.Join("testdata", "locales", c.Name+".txt"), apitest.Record(status, header, body))
		}
	}
	for _, c := range []struct {
		name, path, accept string
	}{
		{"request-default.json", "/requests/700001.json?extensions=true", ""},
		{"request-es.json", "/requests/700001.json?extensions=true", "es-ES"},
		{"request-ar.xml", "/requests/700001.xml?extensions=true&locale=ar", ""},
		{"requests-es.xml", "/requests.xml", "es"},
		{"updates-es.json", "/servicerequestupdates.json", "es"},
		{"services-default.json", "/services.json", ""},
		{"services-es-mx.json", "/services.json", "es-MX,es;q=0.9,en;q=0.5"},
		{"services-locale-ar.xml", "/services.xml?locale=ar", "es"},
		{"services-unknown.xml", "/services.xml", "fr-CA, de;q=0.8"},
		{"definition-es.xml", "/services/pothole.xml", "fr;q=1, es;q=0.7, *;q=0.1"},
		{"definition-ar.json", "/services/pothole.json?locale=ar-EG", ""},
		{"definition-q0.json", "/services/pothole.json", "es;q=0, ar;q=0.2"},
		{"definition-unknown-es.json", "/services/nothing.json", "es-AR"},
		{"definition-unknown-ar.xml", "/services/nothing.xml?locale=ar", ""},
		{"request-unknown-es.xml", "/requests/404404.xml", "es"},
		{"requests-bad-status-es.json", "/requests.json?status=pending", "es"},
		{"discovery.json", "/discovery.json", ""},
		{"discovery.xml", "/discovery.xml", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tc := apitest.Case{Name: c.name, Path: c.path}
			if c.accept != "" {
				tc.Header = map[string]string{"Accept-Language": c.accept}
			}
			status, header, body := serve(t, h, tc)
			golden(t, filepath.Join("testdata", "locales", c.name+".txt"), apitest.Record(status, header, body))
		})
	}
}
