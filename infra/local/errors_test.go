package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// errorDoc decodes a GeoReport error document of either format and returns its codes and
// descriptions.
func errorDoc(t *testing.T, contentType string, body []byte) (codes []int, descriptions []string) {
	t.Helper()
	var errs []struct {
		Code        int    `xml:"code" json:"code"`
		Description string `xml:"description" json:"description"`
	}
	switch contentType {
	case "application/json; charset=utf-8":
		if err := json.Unmarshal(body, &errs); err != nil {
			t.Fatalf("JSON error document %q: %v", body, err)
		}
	case "text/xml; charset=utf-8":
		var doc struct {
			XMLName xml.Name `xml:"errors"`
			Errors  []struct {
				Code        int    `xml:"code"`
				Description string `xml:"description"`
			} `xml:"error"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("XML error document %q: %v", body, err)
		}
		for _, e := range doc.Errors {
			errs = append(errs, struct {
				Code        int    `xml:"code" json:"code"`
				Description string `xml:"description" json:"description"`
			}{e.Code, e.Description})
		}
	default:
		t.Fatalf("content type %q of %q is not an error document's", contentType, body)
	}
	for _, e := range errs {
		codes, descriptions = append(codes, e.Code), append(descriptions, e.Description)
	}
	return codes, descriptions
}

// raw sends a request as written on one connection and reads the answer.
func raw(t *testing.T, base, request string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to %.60q: %v", request, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestEveryFailureIsAnErrorDocument sends the local server what fails outside the API's
// routes (feeds, the web app, the API index, the docs, and what net/http answers by itself) and expects the
// GeoReport error document with the right status, XML unless the path ends in .json.
func TestEveryFailureIsAnErrorDocument(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir(), Docs: t.TempDir()})
	host := strings.TrimPrefix(s.base, "http://")
	big := strings.Repeat("x", maxHeaderBytes+8<<10)
	for _, tc := range []struct {
		name    string
		request string
		status  int
		json    bool
		want    string // in the description
		allow   string
	}{
		{"unknown feed", "GET /feeds/city.example.org/requests/NOPE.atom HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such feed", ""},
		{"feed folder", "GET /feeds/city.example.org/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such feed", ""},
		{"feed folder without slash", "GET /feeds/city.example.org/requests HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such feed", ""},
		{"feeds root", "GET /feeds/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such feed", ""},
		{"feed as json", "GET /feeds/nope.json HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, true, "no such feed", ""},
		{"feed posted", "POST /feeds/city.example.org/requests.atom HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n", 405, false, "not allowed", "GET, HEAD"},
		{"feed range past the end", "GET /feeds/city.example.org/requests.atom HTTP/1.1\r\nHost: " + host + "\r\nRange: bytes=99999999-\r\n\r\n", 416, false, "Invalid range", ""},
		{"web app posted", "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n", 405, false, "not allowed", "GET, HEAD"},
		{"web app file posted", "POST /app/config.json HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n", 405, true, "not allowed", "GET, HEAD"},
		{"unknown web app file", "GET /app/nope.js HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such file of the web app", ""},
		{"API index posted", "POST /api/ HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n", 405, false, "not allowed", "GET, HEAD"},
		{"unknown doc", "GET /docs/nope.md HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such document", ""},
		{"unknown route", "GET /nope.json HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, true, "no such resource", ""},
		{"a doubled slash is no route, as behind API Gateway", "GET //services.json HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, true, "no such resource", ""},
		{"a dot segment is no route", "GET /feeds/../services.xml HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 404, false, "no such resource", ""},
		{"headers too large", "GET /services.xml HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + big + "\r\n\r\n", 431, false, "at most 64 KiB", ""},
		{"headers too large, json", "GET /services.json?x=1 HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + big + "\r\n\r\n", 431, true, "too large", ""},
		{"malformed host", "GET /services.json HTTP/1.1\r\nHost: a b\r\n\r\n", 400, true, "Malformed Host header.", ""},
		{"missing host", "GET /services.xml HTTP/1.1\r\n\r\n", 400, false, "Missing required Host header.", ""},
		{"malformed request line", "GARBAGE\r\n\r\n", 400, false, "Bad Request.", ""},
		{"unknown transfer coding", "POST /requests.json HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: zip\r\n\r\n", 501, true, "Unsupported transfer encoding.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// As a browser app sends it: every answer, error or not, must be readable there.
			request := strings.Replace(tc.request, " HTTP/1.1\r\n", " HTTP/1.1\r\nOrigin: https://app.example\r\n", 1)
			resp, body := raw(t, s.base, request)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			ct := resp.Header.Get("Content-Type")
			if tc.json != (ct == "application/json; charset=utf-8") {
				t.Errorf("content type %s (json %v)", ct, tc.json)
			}
			codes, descriptions := errorDoc(t, ct, body)
			if len(codes) != 1 || codes[0] != tc.status || !strings.Contains(descriptions[0], tc.want) {
				t.Errorf("error document %v %q, want code %d and %q", codes, descriptions, tc.status, tc.want)
			}
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q", got)
			}
		})
	}

	// The feeds that exist are served, with Atom's type, and a keep-alive connection goes on
	// answering after them.
	resp, body := raw(t, s.base, "GET /feeds/city.example.org/requests.atom HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" || !strings.Contains(string(body), "<feed") {
		t.Errorf("a feed: %d %s %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
