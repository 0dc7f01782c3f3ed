package georeport

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/open311"
)

// MaxBodyBytes is the largest POST body accepted (documented in the README). Media travels by
// media_url, so a form is text only; 256 KiB leaves room for a 4,000-character description and
// long text attributes even fully percent-encoded.
const MaxBodyBytes = 256 << 10

// maxFormFields bounds the number of fields of a form, so a body of many tiny fields is refused
// before it costs memory.
const maxFormFields = 500

// ReadForm reads a POST's fields from an application/x-www-form-urlencoded or multipart/form-data
// body, with the query string's fields after the body's. It refuses a body over MaxBodyBytes
// (TooLarge), another content type, malformed encoding, file parts and invalid UTF-8 (Invalid).
func ReadForm(r *http.Request) (url.Values, error) {
	const op = "georeport.ReadForm"
	if r.ContentLength > MaxBodyBytes {
		return nil, open311.Errorf(open311.TooLarge, op, "the request body is larger than %d bytes", MaxBodyBytes)
	}
	body := io.LimitReader(r.Body, MaxBodyBytes+1)
	form := url.Values{}
	ct := r.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mediaType, err = "application/x-www-form-urlencoded", nil
	}
	if err != nil {
		return nil, open311.Errorf(open311.Invalid, op, "the Content-Type header is malformed")
	}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			return nil, open311.Errorf(open311.Invalid, op, "the form must be UTF-8, not %s", cs)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, open311.Errorf(open311.Invalid, op, "the request body could not be read")
		}
		if len(b) > MaxBodyBytes {
			return nil, open311.Errorf(open311.TooLarge, op, "the request body is larger than %d bytes", MaxBodyBytes)
		}
		if strings.Count(string(b), "&") >= maxFormFields {
			return nil, open311.Errorf(open311.TooLarge, op, "the form has more than %d fields", maxFormFields)
		}
		form, err = url.ParseQuery(string(b))
		if err != nil {
			return nil, open311.Errorf(open311.Invalid, op, "the form is not valid application/x-www-form-urlencoded")
		}
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, open311.Errorf(open311.Invalid, op, "the multipart form has no boundary")
		}
		if err := readMultipart(multipart.NewReader(body, params["boundary"]), form); err != nil {
			return nil, err
		}
	default:
		return nil, open311.Errorf(open311.Invalid, op,
			"the body must be application/x-www-form-urlencoded or multipart/form-data, not %s", mediaType)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, open311.Errorf(open311.Invalid, op, "the query string is malformed")
	}
	for k, vs := range query {
		form[k] = append(form[k], vs...)
	}
	for k, vs := range form {
		if !utf8.ValidString(k) {
			return nil, open311.Errorf(open311.Invalid, op, "the form holds text that is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, open311.Errorf(open311.Invalid, op, "the field %q is not valid UTF-8", k)
			}
		}
	}
	return form, nil
}

func readMultipart(mr *multipart.Reader, form url.Values) error {
	const op = "georeport.ReadForm"
	fields := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return open311.Errorf(open311.Invalid, op, "the multipart form is malformed")
		}
		if fields++; fields > maxFormFields {
			return open311.Errorf(open311.TooLarge, op, "the form has more than %d fields", maxFormFields)
		}
		name := part.FormName()
		if name == "" {
			return open311.Errorf(open311.Invalid, op, "a part of the multipart form has no field name")
		}
		if part.FileName() != "" {
			return open311.Errorf(open311.Invalid, op, "file uploads are not accepted; give the picture's address as media_url")
		}
		b, err := io.ReadAll(part)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return open311.Errorf(open311.TooLarge, op, "the request body is larger than %d bytes", MaxBodyBytes)
			}
			return open311.Errorf(open311.Invalid, op, "the multipart form is malformed")
		}
		form[name] = append(form[name], string(b))
	}
}

// Field returns a form or query field with surrounding space removed; an empty field is the same
// as an absent one.
func Field(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }
