package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Listing is requests as a caller may see them, in their jurisdiction, with a cursor to the
// next page when there may be one.
type Listing struct {
	Jurisdiction open311.Jurisdiction
	Requests     []open311.Request
	Next         string
	// Details, when asked for, holds each request's activities (by request id) and the current
	// state of the public requests they link to (by id; the others are left out).
	Details *Details
}

// Details are what a request's extended view shows besides the request itself.
type Details struct {
	Activities map[string][]open311.Activity
	Linked     map[string]open311.Request
}

// Request returns one public request, with its details when asked; with a staff key of its
// jurisdiction, any request of it (private, or awaiting moderation, too). A key that is not
// valid here is Forbidden; a reporter key reads as the public.
func (d *Desk) Request(ctx context.Context, jurisdictionID, id, key string, details bool) (Listing, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return Listing{}, err
	}
	staff, err := d.reader(ctx, key, j.ID)
	if err != nil {
		return Listing{}, err
	}
	r, err := d.opt.Store.Request(ctx, j.ID, id)
	if err == nil && !r.Public() && !staff {
		err = open311.Errorf(open311.NotFound, "", "not public")
	}
	if open311.IsKind(err, open311.NotFound) {
		return Listing{}, open311.Errorf(open311.NotFound, "desk.Request", "there is no request with the id %q", id)
	}
	if err != nil {
		return Listing{}, err
	}
	return d.listing(ctx, j, []open311.Request{r}, "", details)
}

// Resolved is what a token tells its caller: the token, and the id of its request once the
// caller may know it (else empty).
type Resolved struct {
	Token, RequestID string
}

// Token resolves a batch token: the public learns its request's id once staff have accepted
// it, and private requests are not found; staff of its jurisdiction (key given) learn the id of
// any, before acceptance too. A key that is not valid here is Forbidden; a reporter key reads
// as the public.
func (d *Desk) Token(ctx context.Context, jurisdictionID, token, key string) (Resolved, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return Resolved{}, err
	}
	staff, err := d.reader(ctx, key, j.ID)
	if err != nil {
		return Resolved{}, err
	}
	r, err := d.opt.Store.RequestByToken(ctx, j.ID, token)
	if err == nil && r.Private && !staff {
		err = open311.Errorf(open311.NotFound, "", "private")
	}
	if open311.IsKind(err, open311.NotFound) {
		return Resolved{}, open311.Errorf(open311.NotFound, "desk.Token", "there is no request with the token %q", token)
	}
	if err != nil {
		return Resolved{}, err
	}
	res := Resolved{Token: token}
	if r.Public() || staff {
		res.RequestID = r.ID
	}
	return res, nil
}

// Page sizes of a search: requests alone, and with their details (each request's activities
// are read, so those pages are smaller).
const (
	MaxPageSize             = store.MaxPageSize
	DefaultDetailedPageSize = 50
	MaxDetailedPageSize     = 100
)

// PageSizes returns the default and the largest page size of a search, with or without details.
func PageSizes(details bool) (def, most int) {
	if details {
		return DefaultDetailedPageSize, MaxDetailedPageSize
	}
	return MaxPageSize, MaxPageSize
}

// Search selects public requests of a jurisdiction (GET /requests), or with a staff key of the
// jurisdiction every request of it (the staff queue). Zero values mean no filter.
type Search struct {
	JurisdictionID string
	// Key is the caller's API key, if any: a staff key's search also selects the requests the
	// public never sees, and may use the staff filters below. A reporter key searches as the
	// public; a key that is not valid here is Forbidden.
	Key string
	// DetailedStatuses, Agency and Text are the staff filters (ignored without a staff key, so
	// that the public answer stays what it is): detailed statuses as clients spell them (any
	// case), the agency responsible (any case), words of the description (any case).
	DetailedStatuses []string
	Agency, Text     string
	// IDs selects exactly these requests (at most MaxPageSize) and overrides every other filter.
	IDs          []string
	ServiceCodes []string
	Statuses     []string // GeoReport statuses: open, closed
	// Start and End bound the requested time as the client gave them (see open311.Window); with
	// neither, the window is the last 90 days, unless an updated bound is given.
	Start, End                  time.Time
	UpdatedAfter, UpdatedBefore time.Time
	Near                        *open311.Circle
	Within                      *open311.BBox
	// PageSize is 1..PageSizes' most (0: the default); Page counts from 1 (0: the first);
	// Cursor continues a previous page and overrides Page.
	PageSize, Page int
	Cursor         string
	Details        bool
}

// Requests returns a page of the public requests a search selects, newest first.
func (d *Desk) Requests(ctx context.Context, s Search) (Listing, error) {
	const op = "desk.Requests"
	j, err := d.Jurisdiction(ctx, s.JurisdictionID)
	if err != nil {
		return Listing{}, err
	}
	staff, err := d.reader(ctx, s.Key, j.ID)
	if err != nil {
		return Listing{}, err
	}
	if !staff {
		s.DetailedStatuses, s.Agency, s.Text = nil, "", ""
	}
	q, err := d.query(s)
	if err != nil {
		return Listing{}, err
	}
	// A listing is only encoded (Localize changes a request's own fields, never what they share).
	q.JurisdictionID, q.IncludeHidden, q.Shared = j.ID, staff, true
	page, err := d.opt.Store.QueryRequests(ctx, q)
	if err != nil {
		return Listing{}, open311.Wrap(op, err)
	}
	return d.listing(ctx, j, page.Requests, page.Next, s.Details)
}

// query turns a search into a store query, listing every rule it breaks.
func (d *Desk) query(s Search) (store.Query, error) {
	const op = "desk.Requests"
	var p open311.Problems
	if len(s.IDs) > 0 {
		if len(s.IDs) > MaxPageSize {
			p.Add("service_request_id lists more than %d ids", MaxPageSize)
		}
		return store.Query{IDs: s.IDs}, p.Err(op)
	}
	q := store.Query{ServiceCodes: s.ServiceCodes, Statuses: s.Statuses, Near: s.Near, Within: s.Within, Cursor: s.Cursor,
		Agency: s.Agency, Text: s.Text}
	for _, st := range s.DetailedStatuses {
		if v := open311.Status(strings.ToLower(st)); v.Valid() {
			q.DetailedStatuses = append(q.DetailedStatuses, v)
		} else {
			p.Add("detailed_status %q is not a detailed status (submitted, incomplete, rejected, open, assigned, closed, more_info, in_progress)", st)
		}
	}
	if utf8.RuneCountInString(s.Agency) > MaxFilterText || utf8.RuneCountInString(s.Text) > MaxFilterText {
		p.Add("agency_responsible and q may be at most %d characters", MaxFilterText)
	}
	updated := !s.UpdatedAfter.IsZero() || !s.UpdatedBefore.IsZero()
	if !s.Start.IsZero() || !s.End.IsZero() || !updated {
		var err error
		q.RequestedFrom, q.RequestedTo, err = open311.Window(s.Start, s.End, d.opt.Now(), open311.MaxWindow)
		p = append(p, open311.ErrorMessages(err)...)
	}
	if updated {
		// The updated bounds are a window of their own, at most MaxWindow wide (both exclusive).
		after, before := s.UpdatedAfter, s.UpdatedBefore
		switch {
		case after.IsZero():
			after = before.Add(-open311.MaxWindow)
		case before.IsZero():
			before = after.Add(open311.MaxWindow)
		case !after.Before(before):
			p.Add("updated_after must be before updated_before")
		case before.Sub(after) > open311.MaxWindow:
			p.Add("updated_after and updated_before may be at most 90 days apart")
		}
		q.UpdatedAfter, q.UpdatedBefore = after, before
	}
	def, most := PageSizes(s.Details)
	q.Limit = def
	if s.PageSize != 0 {
		if s.PageSize < 1 || s.PageSize > most {
			p.Add("page_size must be a whole number from 1 to %d", most)
		} else {
			q.Limit = s.PageSize
		}
	}
	if s.Page != 0 && s.Cursor == "" {
		switch {
		case s.Page < 1:
			p.Add("page must be a whole number from 1")
		case (s.Page-1)*q.Limit > MaxOffset:
			p.Add("page %d starts beyond the first %d requests: follow the Link header's cursor to go further", s.Page, MaxOffset)
		default:
			q.Offset = (s.Page - 1) * q.Limit
		}
	}
	return q, p.Err(op)
}

// MaxFilterText is the longest agency_responsible or q filter, in characters: the longest agency a
// request may have.
const MaxFilterText = 1000

// MaxOffset is how many requests a page number may skip: skipping is reading, so pages further
// on are reached by the cursor of the Link header, which reads nothing twice.
const MaxOffset = 1000

// DefaultUpdatesWindow is the span of request updates listed when a client gives no dates.
const DefaultUpdatesWindow = 24 * time.Hour

// UpdateSearch selects the updates of a jurisdiction's public requests by time
// (GET /servicerequestupdates).
type UpdateSearch struct {
	JurisdictionID string
	// Start and End bound the updates' time (inclusive) as the client gave them; with neither,
	// the last DefaultUpdatesWindow.
	Start, End time.Time
	PageSize   int // 1..MaxPageSize; 0: MaxPageSize
	Cursor     string
}

// Updates is a page of request updates, oldest first.
type Updates struct {
	Jurisdiction open311.Jurisdiction
	Activities   []open311.Activity
	Next         string
}

// Updates returns a page of the updates an update search selects.
func (d *Desk) Updates(ctx context.Context, s UpdateSearch) (Updates, error) {
	const op = "desk.Updates"
	j, err := d.Jurisdiction(ctx, s.JurisdictionID)
	if err != nil {
		return Updates{}, err
	}
	var p open311.Problems
	from, to, err := open311.Window(s.Start, s.End, d.opt.Now(), DefaultUpdatesWindow)
	p = append(p, open311.ErrorMessages(err)...)
	q := store.UpdateQuery{JurisdictionID: j.ID, From: from, Limit: MaxPageSize, Cursor: s.Cursor}
	if !to.IsZero() {
		q.To = to.Add(time.Second) // the end is inclusive, and times are kept to the second
	}
	if s.PageSize != 0 {
		if s.PageSize < 1 || s.PageSize > MaxPageSize {
			p.Add("page_size must be a whole number from 1 to %d", MaxPageSize)
		} else {
			q.Limit = s.PageSize
		}
	}
	if err := p.Err(op); err != nil {
		return Updates{}, err
	}
	page, err := d.opt.Store.Updates(ctx, q)
	if err != nil {
		return Updates{}, open311.Wrap(op, err)
	}
	return Updates{Jurisdiction: j, Activities: page.Activities, Next: page.Next}, nil
}

// listing shows requests, with their details when asked: one keyed read for the linked
// requests' states per MaxPageSize links, and one per request for its activities.
func (d *Desk) listing(ctx context.Context, j open311.Jurisdiction, rs []open311.Request, next string, details bool) (Listing, error) {
	l := Listing{Jurisdiction: j, Requests: rs, Next: next}
	if !details {
		return l, nil
	}
	l.Details = &Details{Activities: map[string][]open311.Activity{}, Linked: map[string]open311.Request{}}
	var ids []string
	for _, r := range rs {
		for _, link := range r.Links {
			ids = append(ids, link.TargetID)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), MaxPageSize)
		page, err := d.opt.Store.QueryRequests(ctx, store.Query{JurisdictionID: j.ID, IDs: ids[:n]})
		if err != nil {
			return Listing{}, err
		}
		for _, t := range page.Requests {
			l.Details.Linked[t.ID] = t
		}
		ids = ids[n:]
	}
	for _, r := range rs {
		acts, err := d.opt.Store.Activities(ctx, j.ID, r.ID)
		if err != nil {
			return Listing{}, err
		}
		l.Details.Activities[r.ID] = shown(acts)
	}
	return l, nil
}

// shown keeps the activities the API shows (open311.Activity.Shown): an erasure of personal
// data is the operator's record, never part of an answer.
func shown(acts []open311.Activity) []open311.Activity {
	out := acts[:0:0]
	for _, a := range acts {
		if a.Shown() {
			out = append(out, a)
		}
	}
	return out
}
