package folder

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
)

// Uploads keeps the photos uploaded to slots as files of Dir, for the local server, and hands
// out the forms that upload to them: a multipart/form-data POST to URL (the local server's
// upload path, which ServeHTTP answers) shaped like S3's, whose fields are signed with Secret so
// that only a slot's own form, before it expires, writes the slot's file.
type Uploads struct {
	Dir    string
	URL    string
	Secret []byte
	// Now is the clock that expires forms (default time.Now).
	Now func() time.Time
}

var (
	_ media.Uploads = Uploads{}
	_ media.Forms   = Uploads{}
)

// Form is the form of slot id: the fields key, Content-Type, expires (Unix seconds) and max
// (bytes), then their signature.
func (u Uploads) Form(ctx context.Context, id, contentType string, maxBytes int64, expires time.Time) (media.UploadForm, error) {
	if !media.ValidSlotID(id) {
		return media.UploadForm{}, fmt.Errorf("media/folder: %q is not a slot id", id)
	}
	fields := []media.FormField{{Name: "key", Value: media.UploadPrefix + id}, {Name: "Content-Type", Value: contentType},
		{Name: "expires", Value: strconv.FormatInt(expires.Unix(), 10)}, {Name: "max", Value: strconv.FormatInt(maxBytes, 10)}}
	fields = append(fields, media.FormField{Name: "signature", Value: u.sign(fields)})
	return media.UploadForm{URL: u.URL, Fields: fields}, nil
}

func (u Uploads) sign(fields []media.FormField) string {
	m := hmac.New(sha256.New, u.Secret)
	for _, f := range fields {
		fmt.Fprintf(m, "%s=%s\n", f.Name, f.Value)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Upload reads the slot's file: media.ErrNoUpload when there is none.
func (u Uploads) Upload(ctx context.Context, slotID string) ([]byte, error) {
	file, err := u.file(slotID)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, media.ErrNoUpload
	}
	if err != nil {
		return nil, fmt.Errorf("read upload %s: %w", file, err)
	}
	if len(b) > open311.MaxUploadBytes {
		return nil, media.ErrUploadTooLarge
	}
	return b, nil
}

// DeleteUpload removes the slot's file, if there is one.
func (u Uploads) DeleteUpload(ctx context.Context, slotID string) error {
	file, err := u.file(slotID)
	if err != nil {
		return err
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove upload %s: %w", file, err)
	}
	return nil
}

func (u Uploads) file(slotID string) (string, error) {
	if !media.ValidSlotID(slotID) {
		return "", fmt.Errorf("media/folder: %q is not a slot id", slotID)
	}
	if u.Dir == "" {
		return "", errors.New("media/folder: no folder for uploads")
	}
	return filepath.Join(u.Dir, slotID), nil
}

// ServeHTTP takes the POST of a slot's form, as S3 takes a presigned POST: the fields the form
// gave, unchanged and signed, then the file, at most max bytes, before the form expires. It
// answers 204 when the file is written, else 400, 403 (a form not signed here or expired) or
// 413, with a line of text saying why.
func (u Uploads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "an upload is a POST of its slot's form", http.StatusMethodNotAllowed)
		return
	}
	status, msg := u.receive(r)
	if status != http.StatusNoContent {
		http.Error(w, msg, status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (u Uploads) receive(r *http.Request) (int, string) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return http.StatusBadRequest, "an upload is multipart/form-data"
	}
	r.Body = http.MaxBytesReader(nil, r.Body, open311.MaxUploadBytes+64<<10)
	mr := multipart.NewReader(r.Body, params["boundary"])
	var fields []media.FormField
	for {
		p, err := mr.NextPart()
		if err != nil {
			return http.StatusBadRequest, "the form has no file part"
		}
		if p.FormName() != "file" {
			v, err := io.ReadAll(io.LimitReader(p, 4<<10))
			if err != nil {
				return http.StatusBadRequest, "a field of the form cannot be read"
			}
			fields = append(fields, media.FormField{Name: p.FormName(), Value: string(v)})
			continue
		}
		return u.write(fields, p)
	}
}

// write checks the fields before the file and writes the file, atomically.
func (u Uploads) write(fields []media.FormField, file io.Reader) (int, string) {
	if len(fields) != 5 || fields[4].Name != "signature" || !hmac.Equal([]byte(u.sign(fields[:4])), []byte(fields[4].Value)) {
		return http.StatusForbidden, "the form was not given by this server"
	}
	id, _ := strings.CutPrefix(fields[0].Value, media.UploadPrefix)
	expires, _ := strconv.ParseInt(fields[2].Value, 10, 64)
	maxBytes, _ := strconv.ParseInt(fields[3].Value, 10, 64)
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	if now().Unix() > expires {
		return http.StatusForbidden, "the form has expired"
	}
	name, err := u.file(id)
	if err != nil {
		return http.StatusBadRequest, "the form names no slot"
	}
	b, err := io.ReadAll(io.LimitReader(file, maxBytes+1))
	switch {
	case err != nil:
		return http.StatusBadRequest, "the file cannot be read"
	case int64(len(b)) > maxBytes:
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d bytes", maxBytes)
	case len(b) == 0:
		return http.StatusBadRequest, "the file is empty"
	}
	if err := writeFile(name, b, 0o600); err != nil {
		return http.StatusInternalServerError, "the file cannot be written"
	}
	return http.StatusNoContent, ""
}
