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

// MaxBodyBytes is the largest POST body of text accepted (docs/wire.md), and the most the text
// fields of a form with photos may take: 256 KiB leaves room for a 4,000-character description
// and long text attributes even fully percent-encoded.
const MaxBodyBytes = 256 << 10

// MaxMediaBodyBytes is the largest multipart body with photos accepted (4 MiB, 4,194,304 bytes):
// API Gateway hands a binary body to Lambda base64-encoded (4/3 as long) in an event that must
// fit the 6 MB (6,291,456 bytes) of a synchronous invocation, which leaves 5.59 MB for the body
// and room for the event's other fields.
const MaxMediaBodyBytes = 4 << 20

// MaxMedia is the most photos one report may carry.
const MaxMedia = open311.MaxPhotos

// File is a photo sent as a file part of a multipart form.
type File struct {
	// Field is the part's name (media or media[]); Filename and ContentType are what the client
	// declared, which the bytes may contradict.
	Field, Filename, ContentType string
	Bytes                        []byte
}

// maxFormFields bounds the number of fields of a form, so a body of many tiny fields is refused
// before it costs memory.
const maxFormFields = 500

// ReadForm reads a POST's fields from an application/x-www-form-urlencoded or multipart/form-data
// body, with the query string's fields after the body's. It refuses a body over MaxBodyBytes,
// however it is sent (with a Content-Length or chunked), and more than maxFormFields fields,
// query string included (TooLarge); another content type, malformed encoding, file parts,
// invalid UTF-8, and an api_key in the URL, where logs and proxies keep it (Invalid).
func ReadForm(r *http.Request) (url.Values, error) {
	form, _, err := readForm(r, "")
	return form, err
}

// ReadFormWithMedia is ReadForm for a new report: a multipart/form-data body may also carry up
// to MaxMedia file parts named media or media[] (their bytes unjudged here), in a body of at
// most MaxMediaBodyBytes whose text parts take at most MaxBodyBytes. More photos are Invalid, a
// larger body TooLarge, and a file part of another name Invalid.
func ReadFormWithMedia(r *http.Request) (url.Values, []File, error) {
	return readForm(r, "a report")
}

// ReadUpdateWithMedia is ReadFormWithMedia for an update of a request (a comment or a
// FixMyStreet update with photos): the same parts and limits, MaxMedia photos an update.
func ReadUpdateWithMedia(r *http.Request) (url.Values, []File, error) {
	return readForm(r, "an update")
}

// readForm reads a form; with media (what carries the photos, "a report" or "an update", as
// its limit's error names it) it takes photos too.
func readForm(r *http.Request, media string) (url.Values, []File, error) {
	const op = "georeport.ReadForm"
	withMedia := media != ""
	mediaType, params, err := contentType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, nil, err
	}
	limit := int64(MaxBodyBytes)
	if withMedia && mediaType == "multipart/form-data" {
		limit = MaxMediaBodyBytes
	}
	if r.ContentLength > limit {
		return nil, nil, tooLarge(limit)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, nil, open311.Errorf(open311.Invalid, op, "the query string is malformed")
	}
	if query.Has("api_key") {
		return nil, nil, open311.Errorf(open311.Invalid, op, "api_key belongs in the form body or an Authorization: Bearer header, not in the URL")
	}
	queryFields := 0
	for _, vs := range query {
		queryFields += len(vs)
	}
	body := &capped{r: r.Body, left: limit}
	form := url.Values{}
	var files []File
	switch mediaType {
	case "application/x-www-form-urlencoded":
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			return nil, nil, open311.Errorf(open311.Invalid, op, "the form must be UTF-8, not %s", cs)
		}
		b, err := io.ReadAll(body)
		if body.over || isMaxBytes(err) {
			return nil, nil, tooLarge(limit)
		}
		if err != nil {
			return nil, nil, open311.Errorf(open311.Invalid, op, "the request body could not be read")
		}
		if strings.Count(string(b), "&")+queryFields >= maxFormFields {
			return nil, nil, tooManyFields()
		}
		form, err = url.ParseQuery(string(b))
		if err != nil {
			return nil, nil, open311.Errorf(open311.Invalid, op, "the form is not valid application/x-www-form-urlencoded")
		}
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, nil, open311.Errorf(open311.Invalid, op, "the multipart form has no boundary")
		}
		files, err = readMultipart(multipart.NewReader(body, params["boundary"]), form, maxFormFields-queryFields, media, limit)
		if body.over {
			return nil, nil, tooLarge(limit)
		}
		if err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, open311.Errorf(open311.Invalid, op,
			"the body must be application/x-www-form-urlencoded or multipart/form-data, not %s", mediaType)
	}
	for k, vs := range query {
		form[k] = append(form[k], vs...)
	}
	for k, vs := range form {
		if !utf8.ValidString(k) {
			return nil, nil, open311.Errorf(open311.Invalid, op, "the form holds text that is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, nil, open311.Errorf(open311.Invalid, op, "the field %q is not valid UTF-8", k)
			}
		}
	}
	return form, files, nil
}

// contentType reads a POST's Content-Type (a form when there is none). A multipart boundary
// that holds characters RFC 2045 wants quoted but is not ("boundary====1796160280327===", as a
// widely used Android client sends it) is read by its plain meaning: the rest of the parameter.
func contentType(ct string) (string, map[string]string, error) {
	if strings.TrimSpace(ct) == "" {
		return "application/x-www-form-urlencoded", nil, nil
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err == nil {
		return mediaType, params, nil
	}
	media, rest, _ := strings.Cut(ct, ";")
	if strings.EqualFold(strings.TrimSpace(media), "multipart/form-data") {
		for _, p := range strings.Split(rest, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(name, "boundary") && value != "" && !strings.ContainsAny(value, "\" \t") {
				return "multipart/form-data", map[string]string{"boundary": value}, nil
			}
		}
	}
	return "", nil, open311.Errorf(open311.Invalid, "georeport.ReadForm", "the Content-Type header is malformed")
}

// capped reads at most left bytes of r, and notes when r holds more.
type capped struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		c.over = true
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		c.over = true
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func tooLarge(limit int64) error {
	return open311.Errorf(open311.TooLarge, "georeport.ReadForm", "the request body is larger than %d bytes", limit)
}

func tooManyFields() error {
	return open311.Errorf(open311.TooLarge, "georeport.ReadForm", "the form has more than %d fields", maxFormFields)
}

// readMultipart adds the fields of a multipart form to form, at most most of them, their text
// at most MaxBodyBytes; with media (see readForm) it returns the media file parts, at most MaxMedia.
func readMultipart(mr *multipart.Reader, form url.Values, most int, media string, limit int64) ([]File, error) {
	withMedia := media != ""
	const op = "georeport.ReadForm"
	fields, text := 0, 0
	var files []File
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		}
		if isMaxBytes(err) {
			return nil, tooLarge(limit)
		}
		if err != nil {
			return nil, open311.Errorf(open311.Invalid, op, "the multipart form is malformed")
		}
		if fields++; fields > most {
			return nil, tooManyFields()
		}
		name := part.FormName()
		if name == "" {
			return nil, open311.Errorf(open311.Invalid, op, "a part of the multipart form has no field name")
		}
		isFile := part.FileName() != ""
		if name == "media" || name == "media[]" {
			ct, _, _ := strings.Cut(strings.ToLower(part.Header.Get("Content-Type")), ";")
			isFile = isFile || (ct != "" && strings.TrimSpace(ct) != "text/plain")
		}
		switch {
		case isFile && !withMedia:
			return nil, open311.Errorf(open311.Invalid, op, "file uploads are not accepted here; give the picture's address as media_url")
		case isFile && name != "media" && name != "media[]":
			return nil, open311.Errorf(open311.Invalid, op, "the file part %q is not accepted: photos are sent as parts named media (or media[])", name)
		case isFile && len(files) == MaxMedia:
			return nil, open311.Errorf(open311.Invalid, op, "%s may carry at most %d photos", media, MaxMedia)
		}
		b, err := io.ReadAll(part)
		if isMaxBytes(err) {
			return nil, tooLarge(limit)
		}
		if err != nil {
			return nil, open311.Errorf(open311.Invalid, op, "the multipart form is malformed")
		}
		if isFile {
			files = append(files, File{Field: name, Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Bytes: b})
			continue
		}
		if text += len(b); text > MaxBodyBytes {
			return nil, open311.Errorf(open311.TooLarge, op, "the form's text fields are larger than %d bytes", MaxBodyBytes)
		}
		form[name] = append(form[name], string(b))
	}
}

// Field returns a form or query field with surrounding space removed; an empty field is the same
// as an absent one.
func Field(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }
