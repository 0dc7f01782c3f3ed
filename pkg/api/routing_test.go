package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/open311"
)

// TestPostRoutedByLocation runs a deployment of two jurisdictions and no default: a POST
// without jurisdiction_id goes to the jurisdiction whose boundary holds its lat/long.
func TestPostRoutedByLocation(t *testing.T) {
	st := world.Store(t)
	town := "town.example.net"
	if err := st.PutService(t.Context(), open311.Service{JurisdictionID: town, Code: "tree", Name: "Arbre tombé", Type: open311.Realtime}); err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.Seq("3000"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	post := func(form url.Values) (int, string) {
		form.Set("api_key", apitest.ReporterKey)
		form.Set("service_code", "tree")
		status, _, body := serve(t, h, apitest.Case{Method: "POST", Path: "/requests.json",
			ContentType: "application/x-www-form-urlencoded", Body: form.Encode()})
		return status, string(body)
	}
	for _, tc := range []struct {
		name      string
		lat, long string
		want      string // jurisdiction that stores it, or "" for a refusal
		says      string
	}{
		{"in the city", "40.7128", "-74.0060", apitest.Jurisdiction, ""},
		{"in the town", "48.8566", "2.3522", town, ""},
		{"in no boundary", "0", "0", "", "no jurisdiction served here covers this location"},
		{"without a point", "", "", "", "jurisdiction_id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"address_string": {"somewhere"}}
			if tc.lat != "" {
				form.Set("lat", tc.lat)
				form.Set("long", tc.long)
			}
			status, body := post(form)
			if tc.want == "" {
				if status != 400 || !strings.Contains(body, tc.says) {
					t.Errorf("%d %s, want 400 saying %q", status, body, tc.says)
				}
				return
			}
			var created []struct {
				ID string `json:"service_request_id"`
			}
			if err := json.Unmarshal([]byte(body), &created); status != 200 || err != nil || len(created) != 1 {
				t.Fatalf("%d %s", status, body)
			}
			r, err := st.Request(t.Context(), tc.want, created[0].ID)
			if err != nil {
				t.Fatalf("request %s is not in %s: %v", created[0].ID, tc.want, err)
			}
			if r.Point == nil || r.ServiceCode != "tree" {
				t.Errorf("stored %+v", r)
			}
		})
	}
}
