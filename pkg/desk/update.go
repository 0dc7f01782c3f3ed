package desk

import (
	"context"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// Update is a change to a request as a client asks for it.
type Update struct {
	JurisdictionID string // empty: the default jurisdiction
	RequestID      string
	Key            string // the caller's API key (its secret)
	// Signed is the display name staff sign the change with (empty: their key's label); it is
	// ignored for reporters, who are always "reporter".
	Signed string
	Change open311.Change
	// Photos are photos sent with the update (at most open311.MaxPhotos), checked and cleaned
	// as a report's are, stored (a private request's where nothing serves them) and added to
	// the request; anyone who may comment may send them.
	Photos []Upload
	// MediaIDs are upload slots the update names: refused, since only a report takes them.
	MediaIDs []string
}

// Update applies a change from the staff interface (POST /requests/{id}): staff move a request
// through its statuses, assign it, set its expected time and notes and link it to others;
// anyone with a key may comment. It answers the request as written, with its details.
func (d *Desk) Update(ctx context.Context, u Update) (Listing, error) {
	const op = "desk.Update"
	j, err := d.Jurisdiction(ctx, u.JurisdictionID)
	if err != nil {
		return Listing{}, err
	}
	who, err := d.authorize(ctx, u.Key, j.ID)
	if err != nil {
		return Listing{}, err
	}
	if u.Change.Empty() && len(u.Photos) == 0 {
		return Listing{}, open311.Errorf(open311.Invalid, op, "nothing to change: give a comment, a status, status_notes, agency_responsible, expected_datetime, a link, remove_photo, or lat and long")
	}
	if !who.staff() && u.Change.NeedsStaff() {
		return Listing{}, open311.Errorf(open311.Forbidden, op, "only staff keys may change a request's status, notes, assignment, expected time, links or photos; reporter keys may comment")
	}
	if u.Change.RemovePhoto != "" && d.opt.Media == nil {
		return Listing{}, open311.Errorf(open311.Invalid, op, "this server keeps no photos: there is none to remove")
	}
	c, stored, err := d.updatePhotos(ctx, j, who, u.RequestID, u.Photos, u.MediaIDs, u.Change)
	if err != nil {
		return Listing{}, err
	}
	_, r, err := d.apply(ctx, j, u.RequestID, c, who, u.Signed)
	if stored != nil && (err != nil || r == nil) {
		d.undo(ctx, *stored) // refused, or a repeat that stored them the first time
	}
	if err == nil && r == nil { // a repeated update_id: answer with the request as it is now
		r, err = d.visible(ctx, j, u.RequestID, who)
	} else if err == nil && u.Change.RemovePhoto != "" {
		// The request no longer names the photo: its object (and preview) go too.
		d.removePhoto(ctx, u.Change.RemovePhoto, r.Private)
	}
	if err != nil {
		return Listing{}, err
	}
	return d.listing(ctx, j, []open311.Request{*r}, "", true)
}

// visible reads a request the caller may see: any for staff, public ones for reporters.
func (d *Desk) visible(ctx context.Context, j open311.Jurisdiction, id string, who caller) (*open311.Request, error) {
	r, err := d.opt.Store.Request(ctx, j.ID, id)
	if err == nil && !who.staff() && !r.Public() {
		err = open311.Errorf(open311.NotFound, "desk.visible", "there is no request with the id %q", id)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// PostUpdate applies a request update as FixMyStreet sends it (POST /servicerequestupdates): a
// comment, and from a staff key a status (in FixMyStreet's words, kept in the change's
// ExternalStatus). A reporter's status is ignored: FixMyStreet sends one with every update.
// It returns the activity recorded; a repeated update_id returns the one recorded the first time.
func (d *Desk) PostUpdate(ctx context.Context, u Update) (open311.Activity, error) {
	j, err := d.Jurisdiction(ctx, u.JurisdictionID)
	if err != nil {
		return open311.Activity{}, err
	}
	who, err := d.authorize(ctx, u.Key, j.ID)
	if err != nil {
		return open311.Activity{}, err
	}
	c := u.Change
	if !who.staff() {
		c.Status, c.ExternalStatus = nil, ""
	}
	c, stored, err := d.updatePhotos(ctx, j, who, u.RequestID, u.Photos, u.MediaIDs, c)
	if err != nil {
		return open311.Activity{}, err
	}
	act, r, err := d.apply(ctx, j, u.RequestID, c, who, u.Signed)
	if stored != nil && (err != nil || r == nil) {
		d.undo(ctx, *stored) // refused, or a repeat that stored them the first time
	}
	if err == nil && r == nil && !who.staff() { // a repeat: answer only what the caller may see
		_, err = d.visible(ctx, j, u.RequestID, who)
	}
	return act, err
}

// updatePhotos refuses upload slots (ids), checks and cleans an update's photos, then stores them as the request's privacy
// asks (the request must be one the caller may see: NotFound before anything is stored), and
// returns the change carrying them and what undo removes should the update fail; with no
// photos it returns the change as it is and nothing to undo.
func (d *Desk) updatePhotos(ctx context.Context, j open311.Jurisdiction, who caller, id string, ups []Upload, ids []string, c open311.Change) (open311.Change, *storedPhotos, error) {
	const op = "desk.Update"
	if len(ids) > 0 {
		return c, nil, open311.Errorf(open311.Invalid, op, "media_id is taken by POST /requests only; send an update's photos as media parts")
	}
	if len(ups) == 0 {
		return c, nil, nil
	}
	if len(ups) > open311.MaxPhotos {
		return c, nil, open311.Errorf(open311.Invalid, op, "an update may carry at most %d photos", open311.MaxPhotos)
	}
	photos, err := cleanPhotos(ups, 1)
	if err != nil {
		return c, nil, err
	}
	r, err := d.visible(ctx, j, id, who)
	if open311.IsKind(err, open311.NotFound) {
		return c, nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", id)
	}
	if err != nil {
		return c, nil, err
	}
	s, err := d.putPhotos(ctx, photos, r.Private)
	if err != nil {
		return c, nil, err
	}
	c.Photos = s.photos
	return c, &s, nil
}

// apply writes a change to a request, and to the requests it links, in one atomic write, trying
// again when another writer got there first. It returns the request's activity and the request
// as written. An update_id the caller used before for this same change returns the activity
// recorded then and no request: nothing is written; used for another change, it is a Conflict
// (which names no request). A reporter may only change public requests and link nothing; the
// requests a change names must all exist.
func (d *Desk) apply(ctx context.Context, j open311.Jurisdiction, id string, c open311.Change, who caller, signed string) (open311.Activity, *open311.Request, error) {
	const op = "desk.apply"
	if err := c.Check(id); err != nil {
		return open311.Activity{}, nil, err
	}
	ids := []string{id}
	for _, l := range c.Links {
		ids = append(ids, l.TargetID)
	}
	given := c.ClientUpdateID
	c.ClientUpdateID = who.scoped(updateID, given)
	payload := ""
	if c.ClientUpdateID != "" {
		what := c
		what.ClientUpdateID = ""
		payload = digest(struct {
			ID string
			C  open311.Change
		}{id, what})
	}
	c.Zone = j.Location()
	if c.Point != nil {
		c.PointAreas = j.AreasAt(*c.Point)
	}
	author := who.author(signed)
	for attempt := 0; ; attempt++ {
		if c.ClientUpdateID != "" {
			act, err := d.opt.Store.ActivityByClientID(ctx, j.ID, c.ClientUpdateID)
			switch {
			case err == nil && (act.RequestID != id || act.ClientPayload != payload):
				return open311.Activity{}, nil, open311.Errorf(open311.Conflict, op, "update_id %q was already used for another update; give each update its own", given)
			case err == nil:
				return act, nil, nil // answered before: the caller reads the request
			case !open311.IsKind(err, open311.NotFound):
				return open311.Activity{}, nil, err
			}
		}
		if err := d.checkParents(ctx, j, id, c.Links); err != nil {
			return open311.Activity{}, nil, err
		}
		var recorded open311.Activity
		written, err := d.opt.Store.UpdateRequests(ctx, j.ID, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
			for _, r := range rs {
				if !who.staff() && !r.Public() {
					return nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", r.ID)
				}
			}
			if err := checkLinks(rs[0], rs[1:], c.Links); err != nil {
				return nil, err
			}
			acts, err := c.Apply(rs[0], rs[1:], author, d.opt.Now())
			if err != nil {
				return nil, err
			}
			for i := range acts {
				acts[i].KeyID = who.key.ID()
			}
			acts[0].ClientPayload = payload
			recorded = acts[0]
			return acts, nil
		})
		switch {
		case open311.IsKind(err, open311.Conflict) && attempt < maxRetries:
			continue // another writer won, or the same update_id raced in: read again
		case open311.IsKind(err, open311.NotFound) && !strings.HasPrefix(strings.Join(open311.ErrorMessages(err), ""), "there is no"):
			// The store's own words name its item; say it as the GET of the request does.
			return recorded, nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", missing(err, ids))
		case err != nil:
			return recorded, nil, err
		}
		return recorded, &written[0], nil
	}
}

// checkLinks refuses links that would show the id of a request that is not public in a public
// document (its extended attributes, notes, feed and updates show its links): a public request
// and one that is private or not yet accepted cannot be linked, in either direction. It also
// refuses duplicates of duplicates, which is what keeps duplicates free of cycles: a request
// can be marked a duplicate of an original only.
func checkLinks(r *open311.Request, targets []*open311.Request, links []open311.Link) error {
	const op = "desk.checkLinks"
	var p open311.Problems
	for i, l := range links {
		t := targets[i]
		if r.Public() != t.Public() {
			hidden := t.ID
			if !r.Public() {
				hidden = r.ID
			}
			p.Add("request %s is not public (it is private, or waits for acceptance): a public request cannot be linked to it, since its public documents would show the id; accept it first", hidden)
			continue
		}
		if l.Kind != open311.DuplicateOf {
			continue
		}
		if orig := t.LinkTarget(open311.DuplicateOf); orig != "" {
			p.Add("request %s is itself a duplicate: mark %s a duplicate of the original instead", t.ID, r.ID)
		}
		if orig := r.LinkTarget(open311.DuplicateOf); orig != "" && orig != t.ID {
			p.Add("request %s is a duplicate of another request already", r.ID)
		}
	}
	return p.Err(op)
}

// maxDepth bounds how far up checkParents follows parents.
const maxDepth = 20

// checkParents refuses to make a request the child of one of its own descendants, which would
// make a cycle of parents: it follows the new parents' own parents up, reading each, at most
// maxDepth levels.
func (d *Desk) checkParents(ctx context.Context, j open311.Jurisdiction, id string, links []open311.Link) error {
	const op = "desk.checkParents"
	var level []string
	for _, l := range links {
		if l.Kind == open311.ChildOf {
			level = append(level, l.TargetID)
		}
	}
	seen := map[string]bool{}
	for depth := 0; len(level) > 0; depth++ {
		if depth == maxDepth {
			return open311.Errorf(open311.Invalid, op, "the parents above request %s go more than %d levels up", id, maxDepth)
		}
		var next []string
		for _, p := range level {
			if p == id {
				return open311.Errorf(open311.Invalid, op, "request %s is above the parent it would be given: parents cannot make a cycle", id)
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			r, err := d.opt.Store.Request(ctx, j.ID, p)
			if open311.IsKind(err, open311.NotFound) {
				continue // the update itself reports a missing request
			}
			if err != nil {
				return open311.Wrap(op, err)
			}
			for _, l := range r.Links {
				if l.Kind == open311.ChildOf {
					next = append(next, l.TargetID)
				}
			}
		}
		level = next
	}
	return nil
}

// missing returns the id among ids that a store's NotFound names, or the first.
func missing(err error, ids []string) string {
	msg := strings.Join(open311.ErrorMessages(err), " ")
	for _, id := range ids {
		if strings.Contains(msg, " "+id+" ") {
			return id
		}
	}
	return ids[0]
}
