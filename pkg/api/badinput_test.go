package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/store"
)

type errorsDoc struct {
	Errors []struct {
		Code        int    `xml:"code" json:"code"`
		Description string `xml:"description" json:"description"`
	} `xml:"error"`
}

// parseErrors reads an error document in either format, failing the test if it is not one.
func parseErrors(t *testing.T, contentType string, body []byte) errorsDoc {
	t.Helper()
	var doc errorsDoc
	switch contentType {
	case "application/json; charset=utf-8":
		if err := json.Unmarshal(body, &doc.Errors); err != nil {
			t.Fatalf("not a JSON error document: %v\n%s", err, body)
		}
	case "text/xml; charset=utf-8":
		var x struct {
			XMLName xml.Name `xml:"errors"`
			errorsDoc
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			t.Fatalf("not an XML error document: %v\n%s", err, body)
		}
		doc = x.errorsDoc
	default:
		t.Fatalf("content type %q is not an error document's", contentType)
	}
	if len(doc.Errors) == 0 {
		t.Fatalf("error document lists no error:\n%s", body)
	}
	return doc
}

// allRequests describes every request of the test jurisdiction, whatever its age or
// visibility: its id and version, so that any write shows.
func allRequests(t *testing.T, st store.Requests) string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		p, err := st.QueryRequests(context.Background(), store.Query{JurisdictionID: apitest.Jurisdiction, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requests {
			out = append(out, fmt.Sprintf("%s@%d", r.ID, r.Version))
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	for _, id := range []string{"100005", "100007"} { // not public: read them one by one
		r, err := st.Request(context.Background(), apitest.Jurisdiction, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s@%d", r.ID, r.Version))
	}
	return strings.Join(out, " ")
}

// TestBadInput sends every kind of bad input the API must refuse and checks the status, the
// error document, and that nothing was stored.
func TestBadInput(t *testing.T) {
	h, st := newWorld(t)
	before := allRequests(t, st)
	byName := map[string]apitest.Case{}
	for _, c := range apitest.Cases {
		byName[c.Name] = c
	}
	for _, tc := range []struct {
		golden string
		status int
		says   string // part of a description
	}{
		{"unknown-route.json", 404, "no such resource"},
		{"unknown-route.xml", 404, "no such resource"},
		{"wrong-method.xml", 405, "not allowed"},
		{"wrong-method.json", 405, "not allowed"},
		{"post-no-key.xml", 403, "api_key is required"},
		{"post-bad-key.json", 403, "not valid"},
		{"post-revoked-key.json", 403, "not valid"},
		{"post-key-of-other-jurisdiction.xml", 403, "not valid"},
		{"post-unknown-service.xml", 404, `"unicorns"`},
		{"definition-unknown.json", 404, `"no such:service"`},
		{"request-unknown.xml", 404, `"424242"`},
		{"request-private.json", 404, `"100007"`},
		{"token-unknown.json", 404, `"NOPE"`},
		{"services-unknown-jurisdiction.json", 404, "nowhere.example"},
		{"post-no-location.xml", 400, "location is required"},
		{"post-half-coordinate.json", 400, "together"},
		{"post-bad-coordinates.xml", 400, "between -90 and 90"},
		{"post-missing-required.json", 400, `"size"`},
		{"post-several-problems.xml", 400, `"huge"`},
		{"post-naive-datetime.json", 400, "time zone"},
		{"post-no-service-code.json", 400, "service_code is required"},
		{"post-bad-address-id.json", 400, "parcel number"},
		{"post-description-too-long.xml", 400, "4001 characters"},
		{"post-too-large.json", 413, "larger than"},
		{"post-malformed-form.xml", 400, "form-urlencoded"},
		{"post-invalid-utf8.json", 400, "UTF-8"},
		{"post-wrong-content-type.json", 400, "application/json"},
		{"post-file-upload.xml", 400, "photo 1 is not a JPEG, PNG, WebP or GIF image"},
		{"post-broken-multipart.json", 400, "malformed"},
		{"requests-bad-status.json", 400, "open or closed"},
		{"requests-bad-dates.xml", 400, "end_date must be a date-time"},
		{"requests-range-too-long.json", 400, "90 days"},
		{"requests-bad-page-size.xml", 400, "page_size"},
		{"requests-bad-cursor.json", 400, "cursor"},
		{"requests-bad-bbox.json", 400, "bbox"},
		{"requests-bad-radius.xml", 400, "radius"},
		{"jurisdictions-half-point.xml", 400, "together"},
		{"update-reporter-status.json", 403, "only staff keys"},
		{"update-illegal-transition.json", 400, "cannot become submitted"},
		{"update-nothing.xml", 400, "nothing to change"},
		{"update-unknown.json", 404, "999999"},
		{"update-link-self.xml", 400, "itself"},
		{"update-private.json", 404, `"100007"`},
		{"fms-post-unknown-status.xml", 400, `"BROKEN"`},
		{"fms-post-no-request.json", 400, "service_request_id is required"},
		{"fms-get-range-too-long.json", 400, "90 days"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			c, ok := byName[tc.golden]
			if !ok {
				t.Fatalf("no golden case %s", tc.golden)
			}
			status, header, body := serve(t, h, c)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			doc := parseErrors(t, header.Get("Content-Type"), body)
			var all []string
			for _, e := range doc.Errors {
				if e.Code != tc.status {
					t.Errorf("error code %d, want %d", e.Code, tc.status)
				}
				all = append(all, e.Description)
			}
			if !strings.Contains(strings.Join(all, " | "), tc.says) {
				t.Errorf("descriptions %q do not say %q", all, tc.says)
			}
			if tc.status == http.StatusMethodNotAllowed && header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
	if after := allRequests(t, st); after != before {
		t.Errorf("bad input changed the store:\nbefore %s\nafter  %s", before, after)
	}
}
