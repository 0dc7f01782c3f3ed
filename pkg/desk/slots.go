package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/photo"
)

// SlotRequest is a client's ask for an upload slot (POST /media).
type SlotRequest struct {
	JurisdictionID string
	Key            string
	// ContentType is the type of the photo to upload: image/jpeg (the default), image/png,
	// image/webp or image/gif. The upload must be sent with it, and its bytes must be of it.
	ContentType string
}

// Slot is an upload slot handed out: the slot, how to upload to it, the most bytes it takes,
// and until when the upload is taken (the slot itself may be named until Slot.Expires).
type Slot struct {
	open311.UploadSlot
	Form          media.UploadForm
	MaxBytes      int64
	UploadExpires time.Time
	Jurisdiction  open311.Jurisdiction
}

// uploadTypes are the content types a slot takes.
var uploadTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif"}

// NewSlot hands the caller an upload slot for one large photo: stored with its key and
// jurisdiction, and a form that uploads to it until open311.UploadWindow has passed. Invalid
// for another content type, Forbidden without a valid key; a server that takes no uploads
// answers Invalid too.
func (d *Desk) NewSlot(ctx context.Context, in SlotRequest) (Slot, error) {
	const op = "desk.NewSlot"
	j, err := d.Jurisdiction(ctx, in.JurisdictionID)
	if err != nil {
		return Slot{}, err
	}
	who, err := d.authorize(ctx, in.Key, j.ID)
	if err != nil {
		return Slot{}, err
	}
	ct := in.ContentType
	if ct == "" {
		ct = uploadTypes[0]
	}
	if !slices.Contains(uploadTypes, ct) {
		return Slot{}, open311.Errorf(open311.Invalid, op, "content_type must be image/jpeg, image/png, image/webp or image/gif")
	}
	if d.opt.Forms == nil {
		return Slot{}, open311.Errorf(open311.Invalid, op, "this server takes no uploads; send the photo with the report")
	}
	now := d.opt.Now()
	s := open311.UploadSlot{ID: d.opt.NewSlotID(), JurisdictionID: j.ID, KeyID: who.key.ID(), ContentType: ct, Created: now,
		Expires: now.Add(open311.UploadSlotLifetime)}
	if err := d.opt.Store.PutSlot(ctx, s); err != nil {
		return Slot{}, open311.Wrap(op, err)
	}
	until := now.Add(open311.UploadWindow)
	form, err := d.opt.Forms.Form(ctx, s.ID, ct, open311.MaxUploadBytes, until)
	if err != nil {
		return Slot{}, open311.Wrap(op, fmt.Errorf("the form of slot %s: %w", s.ID, err))
	}
	return Slot{UploadSlot: s, Form: form, MaxBytes: open311.MaxUploadBytes, UploadExpires: until, Jurisdiction: j}, nil
}

// checkSlots checks that every slot a report names is the caller's, in its jurisdiction,
// unexpired and unused: Invalid for a slot that is unknown, of another key or jurisdiction, or
// expired, or named twice; Conflict for one another report used.
func (d *Desk) checkSlots(ctx context.Context, j open311.Jurisdiction, who caller, ids []string) ([]open311.UploadSlot, error) {
	const op = "desk.Report"
	var problems []string
	var slots []open311.UploadSlot
	conflict := false
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			problems = append(problems, fmt.Sprintf("media_id %q is given twice", id))
			continue
		}
		s, err := d.opt.Store.Slot(ctx, id)
		switch {
		case open311.IsKind(err, open311.NotFound) || err == nil && (s.KeyID != who.key.ID() || s.JurisdictionID != j.ID):
			problems = append(problems, fmt.Sprintf("media_id %q is not an upload slot of this api_key", id))
		case err != nil:
			return nil, open311.Wrap(op, err)
		case s.RequestID != "":
			problems, conflict = append(problems, fmt.Sprintf("media_id %q was used by another report", id)), true
		case !d.opt.Now().Before(s.Expires):
			problems = append(problems, fmt.Sprintf("media_id %q has expired; ask POST /media for a new slot", id))
		default:
			slots = append(slots, s)
		}
	}
	if len(problems) == 0 {
		return slots, nil
	}
	kind := open311.Invalid
	if conflict && len(problems) == 1 {
		kind = open311.Conflict
	}
	return nil, &open311.Error{Kind: kind, Op: op, Messages: problems}
}

// readUploads reads what was uploaded to each slot, as the photos numbered from first on:
// Invalid for a slot nothing (or too much) was uploaded to.
func (d *Desk) readUploads(ctx context.Context, slots []open311.UploadSlot, first int) ([]Upload, error) {
	const op = "desk.Report"
	if d.opt.Uploads == nil {
		return nil, open311.Errorf(open311.Invalid, op, "this server takes no uploads; send the photo with the report")
	}
	var problems []string
	var out []Upload
	for i, s := range slots {
		id := s.ID
		b, err := d.opt.Uploads.Upload(ctx, id)
		switch {
		case errors.Is(err, media.ErrNoUpload):
			problems = append(problems, fmt.Sprintf("nothing was uploaded to media_id %q", id))
		case errors.Is(err, media.ErrUploadTooLarge):
			problems = append(problems, fmt.Sprintf("photo %d is larger than %d bytes", first+i, open311.MaxUploadBytes))
		case err != nil:
			return nil, open311.Wrap(op, fmt.Errorf("read the upload of slot %s: %w", id, err))
		default:
			out = append(out, Upload{ContentType: s.ContentType, Bytes: b})
		}
	}
	if len(problems) > 0 {
		return nil, &open311.Error{Kind: open311.Invalid, Op: op, Messages: problems}
	}
	return out, nil
}

// deleteUploads removes the uploads of slots, whatever became of the caller's context; one that
// cannot be removed is logged by its slot (S3's lifecycle rule removes it a day later).
func (d *Desk) deleteUploads(ctx context.Context, ids []string) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range ids {
		if err := d.opt.Uploads.DeleteUpload(ctx, id); err != nil {
			slog.ErrorContext(ctx, "an upload was left behind", "slot", id, "error", err.Error())
		}
	}
}

// slotPhotos reads and cleans the photos uploaded to a report's slots, numbered from first on.
// When their bytes are refused, the uploads are deleted: no refused upload stays behind.
func (d *Desk) slotPhotos(ctx context.Context, slots []open311.UploadSlot, first int) ([]photo.Photo, error) {
	ups, err := d.readUploads(ctx, slots, first)
	if err != nil {
		return nil, err
	}
	out, err := cleanPhotos(ups, first)
	if open311.IsKind(err, open311.Invalid) {
		ids := make([]string, 0, len(slots))
		for _, s := range slots {
			ids = append(ids, s.ID)
		}
		d.deleteUploads(ctx, ids)
	}
	return out, err
}
