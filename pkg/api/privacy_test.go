package api_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
)

// TestPersonalDataNeverShown runs every golden case and then reads every request back, and
// checks that no personal field given on POST (or seeded) appears in a response or a log line,
// and that no API key does either.
func TestPersonalDataNeverShown(t *testing.T) {
	st := world.Store(t)
	var logs bytes.Buffer
	h := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, DefaultJurisdiction: apitest.Jurisdiction,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	var bodies bytes.Buffer
	for _, c := range apitest.Cases {
		_, _, body := serve(t, h, c)
		bodies.Write(body)
	}
	for _, path := range []string{"/requests.json?updated_after=2000-01-01T00:00:00Z", "/requests.xml?updated_after=2000-01-01T00:00:00Z",
		"/requests.json?service_request_id=100001,100002,100003,100004,100005,100006,100007&extensions=true",
		"/servicerequestupdates.xml?start_date=2026-09-01T00:00:00Z&end_date=2026-11-03T00:00:00Z"} {
		_, _, body := serve(t, h, apitest.Case{Path: path})
		bodies.Write(body)
	}
	if !strings.Contains(bodies.String(), "100003") {
		t.Fatal("the responses do not show the seeded requests; the test would prove nothing")
	}
	for _, secret := range []string{"ada@example.net", "Lovelace", "555-0101", "device-42", "acct-7",
		"secret@example.net", "someone@example.net", "Unsafe wiring", "jo@example.net", "Bloggs",
		apitest.ReporterKey, apitest.StaffKey} {
		if strings.Contains(bodies.String(), secret) {
			t.Errorf("%q appears in a response", secret)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("%q appears in the log", secret)
		}
	}
}
