package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
)

type scenario struct {
	t    *testing.T
	base string
	now  *time.Time
}

func (s scenario) post(path string, form url.Values) (int, []byte) {
	s.t.Helper()
	resp, err := http.PostForm(s.base+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s scenario) get(path string, into any) {
	s.t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		s.t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

type extendedRequest struct {
	ID       string `json:"service_request_id"`
	Status   string `json:"status"`
	Agency   string `json:"agency_responsible"`
	Extended struct {
		DetailedStatus string `json:"detailed_status"`
		Duplicate      string `json:"duplicate"`
		Linked         []struct {
			ID       string `json:"service_request_id"`
			Relation string `json:"relation"`
			Status   string `json:"status"`
		} `json:"linked_requests"`
	} `json:"extended_attributes"`
	Notes []struct {
		Type        string `json:"type"`
		Summary     string `json:"summary"`
		Description string `json:"description"`
		Author      string `json:"author"`
		Status      string `json:"status"`
	} `json:"notes"`
}

type requestUpdate struct {
	UpdateID  string `json:"update_id"`
	RequestID string `json:"service_request_id"`
	Status    string `json:"status"`
}

// TestLifeOfARequest follows requests through the HTTP API as a reporter, staff and FixMyStreet
// would: report (batch and realtime), accept, assign, comment, mark a duplicate, close. After
// each step it reads the request's status, its notes and the request updates.
func TestLifeOfARequest(t *testing.T) {
	st := world.Store(t)
	now := apitest.Now
	h := api.New(api.Options{Store: st, Now: func() time.Time { now = now.Add(time.Minute); return now },
		DefaultJurisdiction: apitest.Jurisdiction, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	srv := httptest.NewServer(h)
	defer srv.Close()
	s := scenario{t: t, base: srv.URL, now: &now}
	reporter := func(v url.Values) url.Values { v.Set("api_key", apitest.ReporterKey); return v }
	staff := func(v url.Values) url.Values { v.Set("api_key", apitest.StaffKey); return v }

	// 1. A batch report waits for staff: a token, no public id.
	code, body := s.post("/requests.json", reporter(url.Values{"service_code": {"bulk-pickup"}, "address_string": {"7 Elm St"}, "attribute[items][]": {"sofa", "fridge"}}))
	var created []struct {
		ID    string `json:"service_request_id"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &created); code != 200 || err != nil || created[0].Token == "" || created[0].ID != "" {
		t.Fatalf("batch POST: %d %s", code, body)
	}
	var tok []struct {
		ID string `json:"service_request_id"`
	}
	s.get("/tokens/"+created[0].Token+".json", &tok)
	if tok[0].ID != "" {
		t.Fatalf("token resolves before acceptance: %+v", tok)
	}

	// A second report of the same problem, by someone else.
	code, body = s.post("/requests.json", reporter(url.Values{"service_code": {"bulk-pickup"}, "address_string": {"7 Elm Street"}, "attribute[items]": {"sofa"}}))
	var second []struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &second); code != 200 || err != nil || len(second) != 1 || second[0].Token == "" {
		t.Fatalf("second batch POST: %d %s", code, body)
	}

	// The token's request id is only learned by staff, through the store's token index.
	r, err := st.RequestByToken(t.Context(), apitest.Jurisdiction, created[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	id := r.ID
	r2, err := st.RequestByToken(t.Context(), apitest.Jurisdiction, second[0].Token)
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name     string
		path     string
		form     url.Values
		status   string // GeoReport status after the step
		detailed string
		note     string // part of the newest note's summary or description
		updates  int    // request updates of the request so far (its creation, before acceptance, is none)
	}{
		{"accept", "/requests/" + id + ".json", staff(url.Values{"status": {"open"}, "comment": {"Accepted for pickup."}}), "open", "open", "Status: submitted → open.", 1},
		{"assign", "/requests/" + id + ".json", staff(url.Values{"status": {"assigned"}, "agency_responsible": {"Sanitation"}}), "open", "assigned", "Assigned to Sanitation.", 2},
		{"comment", "/requests/" + id + ".json", reporter(url.Values{"comment": {"Items are by the gate."}}), "open", "assigned", "Items are by the gate.", 3},
		{"fms progress", "/servicerequestupdates.json", staff(url.Values{"service_request_id": {id}, "update_id": {"fms-77"}, "status": {"IN_PROGRESS"}, "description": {"Truck on the way."}}), "open", "in_progress", "Truck on the way.", 4},
		{"accept second", "/requests/" + r2.ID + ".json", staff(url.Values{"status": {"open"}}), "open", "in_progress", "", 4},
		{"duplicate", "/requests/" + r2.ID + ".json", staff(url.Values{"duplicate_of": {id}}), "open", "in_progress", "Linked: duplicated_by " + r2.ID, 5},
		{"close", "/requests/" + id + ".json", staff(url.Values{"status": {"closed"}, "status_notes": {"Collected."}}), "closed", "closed", "Status: in_progress → closed.", 6},
	}
	seenUpdates := map[string]bool{}
	for _, step := range steps {
		code, body := s.post(step.path, step.form)
		if code != 200 {
			t.Fatalf("%s: %d %s", step.name, code, body)
		}
		var got []extendedRequest
		s.get("/requests/"+id+".json?extensions=true", &got)
		if got[0].Status != step.status || got[0].Extended.DetailedStatus != step.detailed {
			t.Errorf("%s: status %s/%s, want %s/%s", step.name, got[0].Status, got[0].Extended.DetailedStatus, step.status, step.detailed)
		}
		last := got[0].Notes[len(got[0].Notes)-1]
		if step.note != "" && !strings.Contains(last.Summary+" "+last.Description, step.note) {
			t.Errorf("%s: newest note %+v does not say %q", step.name, last, step.note)
		}
		var updates []requestUpdate
		s.get("/servicerequestupdates.json?start_date=2026-11-02T00:00:00Z&end_date=2026-11-03T00:00:00Z", &updates)
		n := 0
		for _, u := range updates {
			if u.RequestID == id {
				n++
				seenUpdates[u.UpdateID] = true
			}
		}
		if n != step.updates {
			t.Errorf("%s: %d updates of the request, want %d: %+v", step.name, n, step.updates, updates)
		}
	}
	// The duplicate was closed by the link and names its original.
	var dup []extendedRequest
	s.get("/requests/"+r2.ID+".json?extensions=true", &dup)
	if dup[0].Status != "closed" || dup[0].Extended.Duplicate != id || len(dup[0].Extended.Linked) != 1 || dup[0].Extended.Linked[0].Status != "closed" {
		t.Errorf("duplicate: %+v", dup[0])
	}
	// A repeat of FixMyStreet's update changes nothing and answers the same update id.
	code, body = s.post("/servicerequestupdates.json", staff(url.Values{"service_request_id": {id}, "update_id": {"fms-77"}, "status": {"IN_PROGRESS"}, "description": {"Truck on the way."}}))
	var again []requestUpdate
	if err := json.Unmarshal(body, &again); code != 200 || err != nil || !seenUpdates[again[0].UpdateID] {
		t.Errorf("repeated update: %d %s", code, body)
	}
	var final []extendedRequest
	s.get("/requests/"+id+".json?extensions=true", &final)
	if final[0].Status != "closed" || len(final[0].Notes) != 7 {
		t.Errorf("after the repeat: status %s with %d notes, want closed with 7", final[0].Status, len(final[0].Notes))
	}
	// And the token now resolves to the id.
	s.get("/tokens/"+created[0].Token+".json", &tok)
	if tok[0].ID != id {
		t.Errorf("token resolves to %q, want %q", tok[0].ID, id)
	}
}
