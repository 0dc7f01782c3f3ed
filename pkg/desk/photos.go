package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/photo"
)

// Upload is a photo as a client sent it: the Content-Type it declared (which the bytes may
// contradict) and the bytes.
type Upload struct {
	ContentType string
	Bytes       []byte
}

// cleanPhotos checks and cleans a report's photos (package photo); every problem of every photo
// is one Invalid error, numbered as the photos came, the first being photo first.
func cleanPhotos(uploads []Upload, first int) ([]photo.Photo, error) {
	const op = "desk.Report"
	if len(uploads) == 0 {
		return nil, nil
	}
	var problems []string
	var out []photo.Photo
	for i, u := range uploads {
		n := first + i
		if t, ok := photo.Sniff(u.Bytes); ok && !photo.Declared(u.ContentType, t) {
			declared, _, _ := strings.Cut(u.ContentType, ";")
			declared = strings.TrimSpace(declared)
			if len(declared) > 100 || !utf8.ValidString(declared) {
				declared = "another type"
			}
			problems = append(problems, fmt.Sprintf("photo %d is declared %s but its bytes are a %s image", n, declared, t.Name))
			continue
		}
		p, err := photo.Clean(u.Bytes)
		switch {
		case err == nil:
			out = append(out, p)
		case errors.Is(err, photo.ErrEmpty):
			problems = append(problems, fmt.Sprintf("photo %d is empty", n))
		case errors.Is(err, photo.ErrNotImage):
			problems = append(problems, fmt.Sprintf("photo %d is not a JPEG, PNG, WebP or GIF image", n))
		case errors.Is(err, photo.ErrTooManyPixels):
			problems = append(problems, fmt.Sprintf("photo %d is too large: at most %d pixels, and %d bytes once decoded", n,
				photo.MaxPixels, photo.MaxDecodedBytes))
		case errors.Is(err, photo.ErrCorrupt):
			problems = append(problems, fmt.Sprintf("photo %d is corrupt or truncated", n))
		default:
			return nil, open311.Wrap(op, fmt.Errorf("clean photo %d: %w", n, err))
		}
	}
	if len(problems) > 0 {
		return nil, &open311.Error{Kind: open311.Invalid, Op: op, Messages: problems}
	}
	return out, nil
}

// storedPhotos is what a report put in the media store: the request's photos, and the objects
// this report created, which undo removes when the report fails after all.
type storedPhotos struct {
	photos  []open311.Photo
	created []media.Object
}

// putPhotos stores a report's cleaned photos, private ones where nothing serves them. On an
// error it has removed what it created.
func (d *Desk) putPhotos(ctx context.Context, photos []photo.Photo, private bool) (storedPhotos, error) {
	const op = "desk.Report"
	var s storedPhotos
	if len(photos) == 0 {
		return s, nil
	}
	if d.opt.Media == nil {
		return s, open311.Errorf(open311.Invalid, op, "this server takes no photos; give the picture's address as media_url")
	}
	for _, p := range photos {
		o := media.Object{Name: p.Name(), ContentType: p.Type.ContentType, Body: p.Bytes, Private: private}
		created, err := d.opt.Media.Put(ctx, o)
		if err != nil {
			d.undo(ctx, s)
			return storedPhotos{}, open311.Wrap(op, fmt.Errorf("store photo %s: %w", o.Name, err))
		}
		if created {
			s.created = append(s.created, o)
		}
		w, h := p.DisplaySize()
		ph := open311.Photo{Name: o.Name, ContentType: o.ContentType, Width: w, Height: h, Size: int64(len(p.Bytes)), Private: private}
		if !private {
			// A larger photo's preview is named now and made moments after it is stored (on
			// AWS by the preview function on the bucket's event, locally in the background).
			ph.URL, ph.PreviewURL = media.URL(d.opt.MediaBase, o.Name), media.URL(d.opt.MediaBase, o.Name)
			if photo.NeedsPreview(w, h) {
				ph.PreviewURL = media.PreviewURL(d.opt.MediaBase, o.Name)
			}
		}
		s.photos = append(s.photos, ph)
	}
	return s, nil
}

// undo removes the photos a failed report created, whatever became of the caller's context; a
// photo that cannot be removed is logged (by its name, which says nothing of anyone).
func (d *Desk) undo(ctx context.Context, s storedPhotos) {
	ctx = context.WithoutCancel(ctx)
	for _, o := range s.created {
		if err := d.opt.Media.Delete(ctx, o.Name, o.Private); err != nil {
			slog.ErrorContext(ctx, "a failed report's photo was left behind", "photo", o.Name, "private", o.Private, "error", err.Error())
		}
	}
}

// removePhoto deletes the object of a photo staff took off a request (named by its name or its
// URL), with its preview. The request is already written without it; an object that cannot be
// deleted is logged by its name (which says nothing of anyone) for an operator. A photo of the
// same bytes on another request goes too: its name is its content's, and what staff take down
// is the picture.
func (d *Desk) removePhoto(ctx context.Context, nameOrURL string, private bool) {
	name := nameOrURL
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if !media.ValidName(name) {
		return
	}
	if err := d.opt.Media.Delete(context.WithoutCancel(ctx), name, private); err != nil {
		slog.ErrorContext(ctx, "a removed photo was left behind", "photo", name, "private", private, "error", err.Error())
	}
}
