package api_test

import (
	"bytes"
	"io"
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
// and that no API key does either; and that what the private and blackbox requests hold
// appears only in the answers to a staff key (which must show it, or the staff cases would
// prove nothing).
func TestPersonalDataNeverShown(t *testing.T) {
	st := world.Store(t)
	var logs bytes.Buffer
	h := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, DefaultJurisdiction: apitest.Jurisdiction,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	var bodies, public bytes.Buffer
	for _, c := range apitest.Cases {
		_, _, body := serve(t, h, c)
		bodies.Write(body)
		if !strings.Contains(c.Path+"\n"+c.Body+"\n"+c.Header["Authorization"], apitest.StaffKey) {
			public.Write(body)
		}
	}
	for _, path := range []string{"/requests.json?updated_after=2026-08-10T00:00:00Z", "/requests.xml?updated_after=2026-08-10T00:00:00Z",
		"/requests.json?service_request_id=100001,100002,100003,100004,100005,100006,100007&extensions=true",
		"/servicerequestupdates.xml?start_date=2026-09-01T00:00:00Z&end_date=2026-11-03T00:00:00Z"} {
		_, _, body := serve(t, h, apitest.Case{Path: path})
		bodies.Write(body)
		public.Write(body)
	}
	if !strings.Contains(bodies.String(), "100003") {
		t.Fatal("the responses do not show the seeded requests; the test would prove nothing")
	}
	for _, secret := range []string{"ada@example.net", "Lovelace", "555-0101", "device-42", "acct-7",
		"secret@example.net", "someone@example.net", "jo@example.net", "Bloggs",
		apitest.ReporterKey, apitest.StaffKey} {
		if strings.Contains(bodies.String(), secret) {
			t.Errorf("%q appears in a response", secret)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("%q appears in the log", secret)
		}
	}
	// The blackbox request 20000007 and the private 100007: staff see them, nobody else.
	for _, hidden := range []string{"Unsafe wiring", "9 Oak St", "Private report.", "3 Oak St"} {
		if strings.Contains(public.String(), hidden) {
			t.Errorf("%q, of a request the public never sees, appears in an answer without a staff key", hidden)
		}
		if !strings.Contains(bodies.String(), hidden) {
			t.Errorf("%q appears in no answer to staff: the sweep of the public answers would prove nothing", hidden)
		}
		if strings.Contains(logs.String(), hidden) {
			t.Errorf("%q appears in the log", hidden)
		}
	}
}

// TestClientIDsAreTheCallers replays, with a second reporter's key, the ids a victim's client
// chose (an Idempotency-Key on a blackbox report, an update_id on a private request), and
// reuses ids with other bodies: nobody learns of a request they may not see, and no error
// names another request.
func TestClientIDsAreTheCallers(t *testing.T) {
	st := world.Store(t)
	h := api.New(api.Options{Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.Seq("V"),
		DefaultJurisdiction: apitest.Jurisdiction, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	post := func(path, key, idem, body string) (int, string) {
		t.Helper()
		c := apitest.Case{Method: "POST", Path: path, ContentType: "application/x-www-form-urlencoded",
			Body: "api_key=" + key + "&" + body}
		if idem != "" {
			c.Header = map[string]string{"Idempotency-Key": idem}
		}
		status, _, b := serve(t, h, c)
		return status, string(b)
	}
	// The victim: a blackbox report with an Idempotency-Key, and a comment (update_id) by staff
	// on the private request 100007.
	const blackbox = "service_code=code-concern&address_string=9+Oak+St&description=Unsafe+wiring"
	if status, body := post("/requests.json", apitest.ReporterKey, "victim-1", blackbox); status != 200 || strings.Contains(body, "V0001") {
		t.Fatalf("victim's report: %d %s (a blackbox report answers no id)", status, body)
	}
	if status, body := post("/requests/100007.json", apitest.StaffKey, "", "comment=Inspector+booked&update_id=victim-u1"); status != 200 {
		t.Fatalf("staff comment: %d %s", status, body)
	}

	for _, tc := range []struct {
		name, path, key, idem, body string
		status                      int
		says                        string // in the body
		never                       []string
	}{
		{"another key's Idempotency-Key is a new report of its own", "/requests.json", apitest.NosyKey, "victim-1",
			"service_code=tree&lat=40.71&long=-74.01", 200, `"service_request_id":"V0002"`, []string{"V0001"}},
		{"that key's own Idempotency-Key again, with the victim's body", "/requests.json", apitest.NosyKey, "victim-1",
			blackbox, 409, "sent before with another report", []string{"V0001", "V0002"}},
		{"the same key and Idempotency-Key with another report", "/requests.json", apitest.ReporterKey, "victim-1",
			"service_code=tree&lat=40.71&long=-74.01", 409, "sent before with another report", []string{"V0001", "V0002"}},
		{"another key's update_id on a private request", "/requests/100007.json", apitest.NosyKey, "",
			"comment=Inspector+booked&update_id=victim-u1", 404, `no request with the id \"100007\"`, []string{"Inspector", "3 Oak St"}},
		{"another key's update_id through FixMyStreet", "/servicerequestupdates.json", apitest.NosyKey, "",
			"service_request_id=100007&update_id=victim-u1&description=Inspector+booked", 404, `no request with the id \"100007\"`, []string{"Inspector"}},
		{"the same update_id for another request names none", "/requests/100003.json", apitest.StaffKey, "",
			"comment=Other&update_id=victim-u1", 409, "already used for another update", []string{"100007"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(tc.path, tc.key, tc.idem, tc.body)
			if status != tc.status || !strings.Contains(body, tc.says) {
				t.Errorf("%d %s, want %d saying %s", status, body, tc.status, tc.says)
			}
			for _, s := range tc.never {
				if strings.Contains(body, s) {
					t.Errorf("the answer shows %q: %s", s, body)
				}
			}
		})
	}
}
