package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
)

// chunked hides a body's length, as a client streaming it with Transfer-Encoding: chunked does.
type chunked struct{ io.Reader }

// TestRefusedInputs sends inputs that cannot be taken, however a client encodes them, and checks
// the status, the error document, and that nothing was stored.
func TestRefusedInputs(t *testing.T) {
	h, st := newWorld(t)
	before := allRequests(t, st)
	const form = "application/x-www-form-urlencoded"
	ok := "api_key=" + apitest.ReporterKey + "&service_code=tree&address_string=1+Elm+St"
	many := strings.Repeat("&x=1", 300)
	big := strings.Repeat("x", 300<<10)
	multipart := func(desc string) string {
		return "--B\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n" + apitest.ReporterKey +
			"\r\n--B\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\ntree\r\n--B\r\nContent-Disposition: form-data; name=\"lat\"\r\n\r\n40.7\r\n" +
			"--B\r\nContent-Disposition: form-data; name=\"long\"\r\n\r\n-74\r\n--B\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n" + desc + "\r\n--B--\r\n"
	}
	for _, tc := range []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		hideLength  bool
		status      int
		says        string
	}{
		{"api_key in the URL of a POST", "POST", "/requests.json?api_key=" + apitest.ReporterKey, form, "service_code=tree&address_string=1+Elm+St", false, 400, "not in the URL"},
		{"a chunked form over the limit", "POST", "/requests.json", form, ok + "&description=" + big, true, 413, "larger than"},
		{"a chunked multipart form over the limit", "POST", "/requests.xml", "multipart/form-data; boundary=B", multipart(big), true, 413, "larger than"},
		{"a sized multipart form over the limit", "POST", "/requests.xml", "multipart/form-data; boundary=B", multipart(big), false, 413, "larger than"},
		{"fields of the body and the query string together over the limit", "POST", "/requests.json?" + strings.TrimPrefix(many, "&"), form, ok + many, false, 413, "more than 500 fields"},
		{"a hexadecimal latitude", "POST", "/requests.json", form, ok + "&lat=0x1.4p5&long=-74", false, 400, "decimal latitude"},
		{"digit separators", "POST", "/requests.json", form, ok + "&lat=40.7&long=-7_4", false, 400, "decimal longitude"},
		{"an infinite longitude", "POST", "/requests.json", form, ok + "&lat=40.7&long=-Inf", false, 400, "decimal longitude"},
		{"a date-time attribute past the year 9999 in UTC", "POST", "/requests.json", form,
			"api_key=" + apitest.ReporterKey + "&service_code=streetlight&address_string=1+Elm+St&attribute%5Bpole_number%5D=P&attribute%5Bnoticed_at%5D=9999-12-31T23:00:00-05:00", false, 400, "noticed_at"},
		{"expected_datetime before the year 0000 in UTC", "POST", "/requests/100004.json", form,
			"api_key=" + apitest.StaffKey + "&expected_datetime=0000-01-01T00:00:00%2B01:00", false, 400, "expected_datetime"},
		{"expected_datetime at the instant that means none", "POST", "/requests/100004.json", form,
			"api_key=" + apitest.StaffKey + "&expected_datetime=0001-01-01T00:00:00Z", false, 400, "expected_datetime"},
		{"start_date at the instant that means none", "GET", "/requests.json?start_date=0001-01-01T00:00:00Z", "", "", false, 400, "start_date"},
		{"end_date past the year 9999", "GET", "/servicerequestupdates.json?end_date=9999-12-31T23:59:59-01:00", "", "", false, 400, "end_date"},
		{"ids with a malformed filter", "GET", "/requests.json?service_request_id=100003&status=pending", "", "", false, 400, "open or closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tc.body)
			if tc.hideLength {
				body = chunked{body}
			}
			req := httptest.NewRequest(tc.method, tc.path, body)
			if tc.hideLength {
				req.ContentLength = -1
				req.TransferEncoding = []string{"chunked"}
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.Bytes())
			}
			doc := parseErrors(t, rec.Header().Get("Content-Type"), rec.Body.Bytes())
			if d := fmt.Sprint(doc.Errors); !strings.Contains(d, tc.says) {
				t.Errorf("errors %s do not say %q", d, tc.says)
			}
		})
	}
	if after := allRequests(t, st); after != before {
		t.Errorf("refused input changed the store:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAcceptedEncodings sends the same report in the encodings clients use, and finds each stored
// with the same values.
func TestAcceptedEncodings(t *testing.T) {
	h, st := newWorld(t)
	fields := url.Values{"api_key": {apitest.ReporterKey}, "service_code": {"streetlight"}, "lat": {"5e-7"}, "long": {"-74.0060"},
		"attribute[pole_number]": {"P-9"}, "attribute[noticed_at]": {"2026-11-01T21:30:00 01:00"}}
	for _, tc := range []struct {
		name, list string // how the list attribute "problem" is sent
	}{
		{"repeated", "attribute%5Bproblem%5D=out&attribute%5Bproblem%5D=flickering"},
		{"with []", "attribute%5Bproblem%5D%5B%5D=out&attribute%5Bproblem%5D%5B%5D=flickering"},
		{"indexed, out of order", "attribute%5Bproblem%5D%5B1%5D=flickering&attribute%5Bproblem%5D%5B0%5D=out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/requests.json", bytes.NewBufferString(fields.Encode()+"&"+tc.list))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
			}
			id := strings.Split(strings.Split(rec.Body.String(), `"service_request_id":"`)[1], `"`)[0]
			r, err := st.Request(t.Context(), apitest.Jurisdiction, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(r.Attributes["problem"], r.Attributes["noticed_at"], r.Point.Lat); got != "[out flickering] [2026-11-01T20:30:00Z] 5e-07" {
				t.Errorf("stored %s", got)
			}
		})
	}
}
