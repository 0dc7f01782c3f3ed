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
	if u.Change.Empty() {
		return Listing{}, open311.Errorf(open311.Invalid, op, "nothing to change: give a comment, a status, status_notes, agency_responsible, expected_datetime or a link")
	}
	if !who.staff() && u.Change.NeedsStaff() {
		return Listing{}, open311.Errorf(open311.Forbidden, op, "only staff keys may change a request's status, notes, assignment, expected time or links; reporter keys may comment")
	}
	_, r, err := d.apply(ctx, j, u.RequestID, u.Change, who, u.Signed)
	if err == nil && r == nil { // a repeated update_id: answer with the request as it is now
		var now open311.Request
		now, err = d.opt.Store.Request(ctx, j.ID, u.RequestID)
		r = &now
	}
	if err != nil {
		return Listing{}, err
	}
	return d.listing(ctx, j, []open311.Request{*r}, "", true)
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
	act, _, err := d.apply(ctx, j, u.RequestID, c, who, u.Signed)
	return act, err
}

// apply writes a change to a request, and to the requests it links, in one atomic write, trying
// again when another writer got there first. It returns the request's activity and the request
// as written. A client update id already used for this request returns the activity recorded
// then and no request: nothing is written. A reporter may only change public requests and link
// nothing; the requests a change names must all exist.
func (d *Desk) apply(ctx context.Context, j open311.Jurisdiction, id string, c open311.Change, who caller, signed string) (open311.Activity, *open311.Request, error) {
	const op = "desk.apply"
	if err := c.Check(id); err != nil {
		return open311.Activity{}, nil, err
	}
	ids := []string{id}
	for _, l := range c.Links {
		ids = append(ids, l.TargetID)
	}
	c.Zone = j.Location()
	author := who.author(signed)
	for attempt := 0; ; attempt++ {
		if cid := c.ClientUpdateID; cid != "" {
			act, err := d.opt.Store.ActivityByClientID(ctx, j.ID, cid)
			switch {
			case err == nil && act.RequestID != id:
				return open311.Activity{}, nil, open311.Errorf(open311.Conflict, op, "update_id %q was already used for request %q", cid, act.RequestID)
			case err == nil:
				return act, nil, nil // answered before: the caller reads the request
			case !open311.IsKind(err, open311.NotFound):
				return open311.Activity{}, nil, err
			}
		}
		var recorded open311.Activity
		written, err := d.opt.Store.UpdateRequests(ctx, j.ID, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
			for _, r := range rs {
				if !who.staff() && !r.Public() {
					return nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", r.ID)
				}
			}
			acts, err := c.Apply(rs[0], rs[1:], author, d.opt.Now())
			if err != nil {
				return nil, err
			}
			recorded = acts[0]
			return acts, nil
		})
		switch {
		case open311.IsKind(err, open311.Conflict) && attempt < maxRetries:
			continue // another writer won, or the same update_id raced in: read again
		case open311.IsKind(err, open311.NotFound) && len(open311.ErrorMessages(err)) == 0:
			return recorded, nil, open311.Errorf(open311.NotFound, op, "one of the requests %s does not exist", strings.Join(ids, ", "))
		case err != nil:
			return recorded, nil, err
		}
		return recorded, &written[0], nil
	}
}
