package georeport_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// maxFields is the documented limit of a form's fields, query string included (docs/wire.md §4).
const maxFields = 500

// FuzzReadForm sends POSTs of any Content-Type, query string and body, with a length or chunked,
// to the form reader: each is refused as Invalid or TooLarge, or read into fields that are all
// valid UTF-8, at most 500 of them, with no api_key from the URL; and an accepted form sent again
// as application/x-www-form-urlencoded reads back the same fields. Seeds: testdata/fuzz/FuzzReadForm.
func FuzzReadForm(f *testing.F) {
	multipart := "--B\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\ntree\r\n--B--\r\n"
	for _, s := range []struct {
		contentType, query, body string
		chunked                  bool
	}{
		{"application/x-www-form-urlencoded", "", "api_key=k&service_code=tree&lat=40.71&long=-74.01&attribute%5Bsize%5D=large", false},
		{"", "jurisdiction_id=city.example.org", "service_code=tree&attribute%5Bproblem%5D%5B1%5D=out", true},
		{"application/x-www-form-urlencoded; charset=ISO-8859-1", "", "a=b", false},
		{"multipart/form-data; boundary=B", "", multipart, false},
		{"multipart/form-data; boundary====1796160280327===", "", strings.ReplaceAll(multipart, "B", "===1796160280327==="), true},
		{"multipart/form-data; boundary=B", "", "--B\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n\r\nJPEG\r\n--B--\r\n", false},
		{"multipart/form-data", "", multipart, false},
		{"application/json", "", `{"service_code":"tree"}`, false},
		{"text/plain; ===", "api_key=k", "a=%zz&b=%ff", false},
	} {
		f.Add(s.contentType, s.query, []byte(s.body), s.chunked)
	}
	f.Fuzz(func(t *testing.T, contentType, query string, body []byte, chunked bool) {
		r := post(t, contentType, query, body, chunked)
		form, err := georeport.ReadForm(r)
		if err != nil {
			if k := open311.ErrorKind(err); k != open311.Invalid && k != open311.TooLarge {
				t.Fatalf("ReadForm: %v is neither Invalid nor TooLarge", err)
			}
			return
		}
		if q, _ := url.ParseQuery(query); q.Has("api_key") {
			t.Fatalf("ReadForm accepted api_key in the URL %q", query)
		}
		n := 0
		for k, vs := range form {
			if !utf8.ValidString(k) {
				t.Fatalf("ReadForm gave the field name %q, not UTF-8", k)
			}
			for _, v := range vs {
				n++
				if !utf8.ValidString(v) {
					t.Fatalf("ReadForm gave %s=%q, not UTF-8", k, v)
				}
			}
		}
		if n > maxFields {
			t.Fatalf("ReadForm accepted %d fields", n)
		}
		encoded := form.Encode()
		if len(encoded) > georeport.MaxBodyBytes {
			return // a multipart form's fields can take more room encoded
		}
		again, err := georeport.ReadForm(post(t, "application/x-www-form-urlencoded", "", []byte(encoded), false))
		if err != nil {
			t.Fatalf("the fields read (%q) sent again as a form: %v", encoded, err)
		}
		if again.Encode() != encoded {
			t.Fatalf("the fields read (%q) read back as %q", encoded, again.Encode())
		}
	})
}

// post is a POST to /requests.json with the given Content-Type (none when empty), query string
// and body, sent with its length or chunked, limited as the API limits it.
func post(t *testing.T, contentType, query string, body []byte, chunked bool) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/requests.json", nil)
	r.URL.RawQuery = query
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	r.ContentLength = int64(len(body))
	if chunked {
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
	} else {
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, georeport.MaxBodyBytes+1)
	return r
}

// FuzzSubmission checks how a new request's attribute fields are read, in each form clients
// send: attribute[CODE]=v, attribute[CODE][]=v and attribute[CODE][N]=v all give CODE's values
// in one order whatever the order of the form's map (it found that attribute[CODE] and
// attribute[CODE][] together came in either order), the indexed ones in index order after the
// others; a name that is none of these (a code with
// brackets, a negative, signed or huge index) gives no attribute at all. Seeds:
// testdata/fuzz/FuzzSubmission.
func FuzzSubmission(f *testing.F) {
	for _, s := range []struct {
		code, index string
	}{{"size", ""}, {"problem", "[]"}, {"problem", "[1]"}, {"problem", "[0]"}, {"a]b", "[0]"}, {"x", "[-1]"}, {"x", "[+1]"}, {"x", "[99999999999]"}, {"", "[]"}} {
		f.Add(s.code, s.index, "v1", "v2")
	}
	f.Fuzz(func(t *testing.T, code, index, v1, v2 string) {
		name := "attribute[" + code + "]" + index
		// Another field of the same code, unindexed, and one of another code: their values
		// never mix with name's.
		v := url.Values{name: {v1}, "attribute[" + code + "]": {v2}, "attribute[other-code]": {"x"}}
		if name == "attribute["+code+"]" {
			v = url.Values{name: {v1, v2}, "attribute[other-code]": {"x"}}
		}
		sub := georeport.Submission(v)
		if code == "other-code" || strings.ContainsAny(code, "[]") {
			return // no panic is all: "attribute[a][0]" + "" is another code's field
		}
		valid := code != ""
		switch {
		case index == "" || index == "[]":
		case strings.HasPrefix(index, "[") && strings.HasSuffix(index, "]"):
			n, err := strconv.Atoi(index[1 : len(index)-1])
			if err != nil || n < 0 || n > maxFields || strings.HasPrefix(index, "[+") {
				valid = false
			}
		default:
			valid = false
		}
		got := sub.Attributes[code]
		if !valid && code != "" {
			// name is not an attribute field; the unindexed one still is.
			if len(got) != 1 || got[0] != v2 {
				t.Fatalf("%s=%q is not an attribute field, yet attribute %q has %q", name, v1, code, got)
			}
			return
		}
		if !valid {
			if len(sub.Attributes) != 1 || len(sub.Attributes["other-code"]) != 1 {
				t.Fatalf("%s gave attributes %q", name, sub.Attributes)
			}
			return
		}
		want := []string{v1, v2} // attribute[CODE] repeated, in the order sent
		if index != "" {
			// The indexed after the unindexed; attribute[CODE] before attribute[CODE][].
			want = []string{v2, v1}
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("%s=%q and attribute[%s]=%q gave %q, want %q", name, v1, code, v2, got, want)
		}
		if o := sub.Attributes["other-code"]; len(o) != 1 || o[0] != "x" {
			t.Fatalf("attribute[other-code] gave %q", o)
		}
	})
}

// TestSubmissionOrderIsOne is FuzzSubmission's finding as a table: a list attribute sent as
// attribute[CODE] and attribute[CODE][] together, or as [1] and [01], gets one order of values
// every time, not the order of a map's iteration.
func TestSubmissionOrderIsOne(t *testing.T) {
	for _, tc := range []struct {
		form url.Values
		want []string
	}{
		{url.Values{"attribute[problem][]": {"out"}, "attribute[problem]": {"flickering"}}, []string{"flickering", "out"}},
		{url.Values{"attribute[problem][01]": {"b"}, "attribute[problem][1]": {"a"}, "attribute[problem][0]": {"z"}}, []string{"z", "b", "a"}},
	} {
		for range 50 {
			got := georeport.Submission(tc.form).Attributes["problem"]
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("%v gave %q, want %q", tc.form, got, tc.want)
			}
		}
	}
}
