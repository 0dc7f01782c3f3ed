package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
)

// Report is a new request as a client sends it.
type Report struct {
	// JurisdictionID names the jurisdiction; empty: the default one, or on a deployment of
	// several with no default the one whose boundary holds the submission's point.
	JurisdictionID string
	// Key is the caller's API key (its secret).
	Key string
	// IdempotencyKey, when given, makes a retry answer what the first report did and store
	// nothing more.
	IdempotencyKey string
	Submission     open311.Submission
	// Photos are the photos sent with the report (at most open311.MaxPhotos with MediaIDs'),
	// checked and cleaned of their metadata before they are stored (package photo).
	Photos []Upload
	// MediaIDs name upload slots (NewSlot) of the caller's whose photos come with the report
	// after Photos: each read, cleaned and stored as they are, the slot used up by the request
	// in the request's own write, its upload deleted once the request is stored.
	MediaIDs []string
}

// Receipt is what a reporter is told of a stored report: the request, and the type of its
// service (a batch request is answered with its token, a realtime one with its id).
type Receipt struct {
	Request open311.Request
	Type    open311.ServiceType
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in characters.
const MaxIdempotencyKey = 200

// Report validates and stores a new request with the activity recording its creation, in one
// write. The request gets an id (and a batch request its token) only once it is known to be
// good. An Idempotency-Key is the caller's own: a retry with it answers what the first report
// did and stores nothing; the same key with another report is a Conflict.
//
// Photos are checked and cleaned before anything is stored, stored once the request is known
// to be good (a private service's where nothing serves them), and removed again when the
// request cannot be stored: a failed report leaves no photo behind. The request's media_url is
// its first public photo's URL. The upload slots MediaIDs names (NewSlot) must be the caller's,
// unexpired and unused (checkSlots); their photos follow Photos, and the slots are used up in
// the request's own write, so that of reports naming one slot only one is stored (the others
// are a Conflict, but a retry with the first one's Idempotency-Key, which gets that request).
func (d *Desk) Report(ctx context.Context, in Report) (_ Receipt, err error) {
	const op = "desk.Report"
	j, err := d.jurisdictionAt(ctx, in.JurisdictionID, in.Submission)
	if err != nil {
		return Receipt{}, err
	}
	who, err := d.authorize(ctx, in.Key, j.ID)
	if err != nil {
		return Receipt{}, err
	}
	if in.Submission.ServiceCode == "" {
		return Receipt{}, open311.Errorf(open311.Invalid, op, "service_code is required")
	}
	s, err := d.service(ctx, j, in.Submission.ServiceCode)
	if err != nil {
		return Receipt{}, err
	}
	idem := strings.TrimSpace(in.IdempotencyKey)
	if utf8.RuneCountInString(idem) > MaxIdempotencyKey {
		return Receipt{}, open311.Errorf(open311.Invalid, op, "the Idempotency-Key header is longer than %d characters", MaxIdempotencyKey)
	}
	if len(in.Photos)+len(in.MediaIDs) > open311.MaxPhotos {
		return Receipt{}, open311.Errorf(open311.Invalid, op, "a report may carry at most %d photos", open311.MaxPhotos)
	}
	photos, err := cleanPhotos(in.Photos, 1)
	if err != nil {
		return Receipt{}, err
	}
	clientID, payload := who.scoped(idempotencyKey, idem), ""
	if clientID != "" {
		names := make([]string, 0, len(photos))
		for _, p := range photos {
			names = append(names, p.Name())
		}
		payload = digest(struct {
			J string
			S open311.Submission
			P []string `json:",omitempty"`
			M []string `json:",omitempty"`
		}{j.ID, in.Submission, names, in.MediaIDs})
	}
	uploaded := len(in.MediaIDs) == 0 // whether the slots' photos are among photos
	var stored *storedPhotos
	defer func() {
		if err != nil && stored != nil {
			d.undo(ctx, *stored)
		}
	}()
	for attempt := 0; ; attempt++ {
		if clientID != "" {
			first, found, err := d.createdBefore(ctx, j, clientID, payload)
			if err != nil || found {
				return Receipt{Request: first, Type: s.Type}, err
			}
		}
		r, err := open311.NewRequest(j, s, in.Submission, d.opt.Now())
		if err != nil {
			return Receipt{}, err
		}
		if len(in.MediaIDs) > 0 {
			// Checked on every attempt: a report that lost its slot to another is told so.
			slots, err := d.checkSlots(ctx, j, who, in.MediaIDs)
			if err != nil {
				// A slot used since the look above may be this report's own retry's.
				if first, ok := d.retried(ctx, j, clientID, payload); ok && open311.IsKind(err, open311.Conflict) {
					return Receipt{Request: first, Type: s.Type}, nil
				}
				return Receipt{}, err
			}
			if !uploaded {
				more, err := d.slotPhotos(ctx, slots, len(in.Photos)+1)
				if err != nil {
					// A report that lost the race for its slots finds their uploads gone: it is
					// told what became of them (the first of its retries, or another report).
					if first, ok := d.retried(ctx, j, clientID, payload); ok {
						return Receipt{Request: first, Type: s.Type}, nil
					}
					if _, used := d.checkSlots(ctx, j, who, in.MediaIDs); used != nil {
						return Receipt{}, used
					}
					return Receipt{}, err
				}
				photos, uploaded = append(photos, more...), true
			}
		}
		if stored == nil && len(photos) > 0 {
			s, err := d.putPhotos(ctx, photos, r.Private)
			if err != nil {
				return Receipt{}, err
			}
			stored = &s
		}
		if stored != nil {
			r.Media = stored.photos
			if !r.Private {
				r.MediaURL = stored.photos[0].URL
			}
		}
		r.Identify(d.opt.NewID(), d.opt.NewToken)
		if err := SealReporter(ctx, d.opt.Seal, &r); err != nil {
			return Receipt{}, err
		}
		created := r.Created()
		created.KeyID, created.ClientUpdateID, created.ClientPayload = who.key.ID(), clientID, payload
		if len(in.MediaIDs) > 0 {
			err = d.opt.Store.CreateRequestWithSlots(ctx, r, created, in.MediaIDs)
		} else {
			err = d.opt.Store.CreateRequest(ctx, r, created)
		}
		if err == nil {
			if len(in.MediaIDs) > 0 {
				d.deleteUploads(ctx, in.MediaIDs)
			}
			return Receipt{Request: r, Type: s.Type}, nil
		}
		// A conflict is a clash of random ids, or a retry with the same Idempotency-Key that
		// got there first (whose request the next look finds): try again.
		if !open311.IsKind(err, open311.Conflict) || attempt == maxRetries {
			return Receipt{}, open311.Wrap(op, err)
		}
	}
}

// retried finds the request a copy of this report (its client id and payload) stored while this
// one ran, for a report that finds its slots taken; ok is false when there is none (or no
// client id, or the look fails: the caller's own error is then the answer).
func (d *Desk) retried(ctx context.Context, j open311.Jurisdiction, clientID, payload string) (open311.Request, bool) {
	if clientID == "" {
		return open311.Request{}, false
	}
	first, found, err := d.createdBefore(ctx, j, clientID, payload)
	return first, err == nil && found
}

// createdBefore finds the request a report with the same client id created; the same id with
// another report is a Conflict.
func (d *Desk) createdBefore(ctx context.Context, j open311.Jurisdiction, clientID, payload string) (open311.Request, bool, error) {
	act, err := d.opt.Store.ActivityByClientID(ctx, j.ID, clientID)
	if open311.IsKind(err, open311.NotFound) {
		return open311.Request{}, false, nil
	}
	if err != nil {
		return open311.Request{}, false, err
	}
	if act.ClientPayload != payload {
		return open311.Request{}, false, open311.Errorf(open311.Conflict, "desk.Report",
			"this Idempotency-Key was sent before with another report; give each new report a new key")
	}
	r, err := d.opt.Store.Request(ctx, j.ID, act.RequestID)
	return r, err == nil, err
}

// SealReporter replaces what a new request's reporter gave of themselves with its sealed form,
// bound to the request (package seal); the desk does it to every report before it is stored.
func SealReporter(ctx context.Context, s seal.Sealer, r *open311.Request) error {
	if r.Reporter == (open311.Reporter{}) {
		return nil
	}
	plain, err := json.Marshal(r.Reporter)
	if err != nil {
		return open311.Wrap("desk.SealReporter", err)
	}
	sealed, err := s.Seal(ctx, plain, ReporterContext(r.JurisdictionID, r.ID))
	if err != nil {
		return open311.Wrap("desk.SealReporter", fmt.Errorf("seal the reporter of %s: %w", r.ID, err))
	}
	r.Reporter, r.ReporterSealed = open311.Reporter{}, sealed
	return nil
}

// ReporterContext is what a request's sealed reporter is bound to: its jurisdiction and id.
func ReporterContext(jurisdictionID, id string) string { return jurisdictionID + "/" + id }

// OpenReporter opens a stored request's sealed reporter with an operator's key.
func OpenReporter(ctx context.Context, o seal.Opener, r open311.Request) (open311.Reporter, error) {
	if len(r.ReporterSealed) == 0 {
		return r.Reporter, nil
	}
	plain, err := o.Open(ctx, r.ReporterSealed, ReporterContext(r.JurisdictionID, r.ID))
	if err != nil {
		return open311.Reporter{}, fmt.Errorf("open the reporter of %s: %w", r.ID, err)
	}
	var rep open311.Reporter
	if err := json.Unmarshal(plain, &rep); err != nil {
		return open311.Reporter{}, fmt.Errorf("read the reporter of %s: %w", r.ID, err)
	}
	return rep, nil
}
