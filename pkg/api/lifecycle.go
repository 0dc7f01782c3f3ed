package api

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// maxRetries bounds how often an update is tried again after losing a race to another writer.
const maxRetries = 8

// linkFields are the form fields that link a request to others, and the link each makes.
var linkFields = []struct {
	field string
	kind  open311.LinkKind
}{
	{"duplicate_of", open311.DuplicateOf},
	{"parent_service_request_id", open311.ChildOf},
	{"related_to", open311.RelatedTo},
}

// update is one update a client asked for: the change to the request and its links.
type update struct {
	change open311.Change
	links  []open311.Link
}

// parseUpdate reads the staff interface's form fields (status, status_notes,
// agency_responsible, expected_datetime, comment, media_url, links, update_id).
func parseUpdate(form url.Values) (update, error) {
	var p open311.Problems
	var u update
	if s := georeport.Field(form, "status"); s != "" {
		st := open311.Status(strings.ToLower(s))
		if !st.Valid() {
			p.Add("status %q is not a detailed status (submitted, incomplete, rejected, open, assigned, closed, more_info, in_progress)", s)
		}
		u.change.Status = &st
	}
	if _, ok := form["status_notes"]; ok && georeport.Field(form, "status_notes") != "" {
		v := georeport.Field(form, "status_notes")
		u.change.StatusNotes = &v
	}
	if v := georeport.Field(form, "agency_responsible"); v != "" {
		u.change.AgencyResponsible = &v
	}
	if s := georeport.Field(form, "expected_datetime"); s != "" {
		t, err := open311.ParseTime(s)
		if err != nil {
			p.Add("expected_datetime must be a date-time with a time zone, such as 2010-05-24T14:03:11Z")
		}
		u.change.Expected = &t
	}
	u.change.Comment = form.Get("comment")
	if u.change.Comment == "" {
		u.change.Comment = form.Get("description")
	}
	u.change.MediaURL = georeport.Field(form, "media_url")
	if u.change.MediaURL != "" {
		if mu, err := url.Parse(u.change.MediaURL); err != nil || (mu.Scheme != "http" && mu.Scheme != "https") || mu.Host == "" {
			p.Add("media_url must be an http or https URL")
		}
	}
	u.change.ClientUpdateID = georeport.Field(form, "update_id")
	for _, lf := range linkFields {
		for _, id := range list(georeport.Field(form, lf.field)) {
			u.links = append(u.links, open311.Link{Kind: lf.kind, TargetID: id})
		}
	}
	return u, p.Err("api.parseUpdate")
}

// who names the author of an update: staff by the name they give or their key's label,
// anyone else as "reporter". Never personal data from the form.
func who(k open311.APIKey, form url.Values) string {
	if k.Role != open311.RoleStaff {
		return "reporter"
	}
	if w := georeport.Field(form, "who"); w != "" && len(w) <= 100 {
		return w
	}
	if k.Label != "" {
		return k.Label
	}
	return "staff"
}

// apply writes an update to a request (and the requests it links) in one atomic write, trying
// again when another writer got there first, and returns the activity and the request as
// written. A client update id already used returns the activity it recorded and no request:
// nothing is written.
func (a *API) apply(ctx context.Context, j open311.Jurisdiction, id string, u update, author string, staff bool) (open311.Activity, *open311.Request, error) {
	const op = "api.apply"
	ids := []string{id}
	for _, l := range u.links {
		if l.TargetID == id {
			return open311.Activity{}, nil, open311.Errorf(open311.Invalid, op, "a request cannot be linked to itself")
		}
		ids = append(ids, l.TargetID)
	}
	if len(ids) > 20 {
		return open311.Activity{}, nil, open311.Errorf(open311.Invalid, op, "at most 19 requests can be linked at once")
	}
	for attempt := 0; ; attempt++ {
		if cid := u.change.ClientUpdateID; cid != "" {
			if act, err := a.opt.Store.ActivityByClientID(ctx, j.ID, cid); err == nil {
				if act.RequestID != id {
					return open311.Activity{}, nil, open311.Errorf(open311.Conflict, op, "update_id %q was already used for request %q", cid, act.RequestID)
				}
				return act, nil, nil // answered before: the caller reads the request
			} else if !open311.IsKind(err, open311.NotFound) {
				return open311.Activity{}, nil, err
			}
		}
		var recorded open311.Activity
		written, err := a.opt.Store.UpdateRequests(ctx, j.ID, ids, func(rs []*open311.Request) ([]open311.Activity, error) {
			r := rs[0]
			if !staff && !r.Public() {
				return nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", id)
			}
			now := a.opt.Now()
			change := u.change
			change.Zone = j.Location()
			var linked []string
			for i, l := range u.links {
				t := rs[i+1]
				if !t.Public() && !staff {
					return nil, open311.Errorf(open311.NotFound, op, "there is no request with the id %q", t.ID)
				}
				if r.AddLink(l.Kind, t.ID) {
					t.AddLink(l.Kind.Reverse(), r.ID)
					linked = append(linked, string(l.Kind)+" "+t.ID)
				}
				if l.Kind == open311.DuplicateOf && change.Status == nil && open311.CanMove(r.Status, open311.Closed) {
					closed := open311.Closed
					change.Status = &closed // marking a duplicate closes it
					if change.StatusNotes == nil && r.StatusNotes == "" {
						notes := "Duplicate of " + t.ID + "."
						change.StatusNotes = &notes
					}
				}
			}
			act, err := change.Apply(r, open311.ActivityID(r.ID, r.Version+1, 1), author, now)
			if err != nil {
				return nil, err
			}
			if len(linked) > 0 {
				act.Summary = strings.TrimSuffix(strings.TrimSuffix(act.Summary, "Comment."), " ")
				act.Summary = strings.TrimSpace(act.Summary + " Linked: " + strings.Join(linked, ", ") + ".")
				if act.Kind == open311.KindComment {
					act.Kind = open311.KindLink
				}
			}
			acts := []open311.Activity{act}
			for i := range u.links {
				t := rs[i+1]
				if !containsLink(t.Links, u.links[i].Kind.Reverse(), r.ID) {
					continue
				}
				t.Updated = act.At
				acts = append(acts, open311.Activity{ID: open311.ActivityID(t.ID, t.Version+1, 1), RequestID: t.ID,
					JurisdictionID: j.ID, At: act.At, Who: author, Kind: open311.KindLink, Status: t.Status,
					Summary: "Linked: " + string(u.links[i].Kind.Reverse()) + " " + r.ID + "."})
			}
			recorded = act
			return acts, nil
		})
		if open311.IsKind(err, open311.Conflict) && attempt < maxRetries {
			continue // another writer won, or the same update_id raced in: read again
		}
		if open311.IsKind(err, open311.NotFound) && len(open311.ErrorMessages(err)) == 0 {
			err = open311.Errorf(open311.NotFound, op, "one of the requests %s does not exist", strings.Join(ids, ", "))
		}
		if err != nil {
			return recorded, nil, err
		}
		return recorded, &written[0], nil
	}
}

func containsLink(links []open311.Link, kind open311.LinkKind, target string) bool {
	for _, l := range links {
		if l.Kind == kind && l.TargetID == target {
			return true
		}
	}
	return false
}

// updateRequest answers POST /requests/{id}: staff change a request's status, assignment,
// expected time, notes and links; anyone with a key may comment. The answer is the request as
// GET /requests/{id}?extensions=true shows it.
func (a *API) updateRequest(c call) {
	ctx := c.r.Context()
	form, j, key, ok := a.postPreamble(c, "")
	if !ok {
		return
	}
	u, err := parseUpdate(form)
	if err == nil && u.change.Empty() && len(u.links) == 0 {
		err = open311.Errorf(open311.Invalid, "api.updateRequest", "nothing to change: give a comment, a status, status_notes, agency_responsible, expected_datetime or a link")
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	staff := key.Role == open311.RoleStaff
	if !staff && (u.change.NeedsStaff() || len(u.links) > 0) {
		a.fail(c, open311.Errorf(open311.Forbidden, "api.updateRequest", "only staff keys may change a request's status, notes, assignment, expected time or links; reporter keys may comment"))
		return
	}
	_, r, err := a.apply(ctx, j, c.name, u, who(key, form), staff)
	if err == nil && r == nil { // a repeated update_id: answer with the request as it is now
		var now open311.Request
		now, err = a.opt.Store.Request(ctx, j.ID, c.name)
		r = &now
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	doc, err := a.requestsDoc(ctx, j, []open311.Request{*r}, true)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, doc)
}

// postPreamble reads a POST's form, its jurisdiction and its key; on failure it has answered.
func (a *API) postPreamble(c call, lat string) (url.Values, open311.Jurisdiction, open311.APIKey, bool) {
	c.r.Body = httpMaxBytes(c)
	form, err := georeport.ReadForm(c.r)
	if err != nil {
		a.fail(c, err)
		return nil, open311.Jurisdiction{}, open311.APIKey{}, false
	}
	j, err := a.jurisdictionAt(c.r.Context(), georeport.Field(form, "jurisdiction_id"), georeport.Field(form, "lat"), georeport.Field(form, "long"))
	if err != nil {
		a.fail(c, err)
		return nil, open311.Jurisdiction{}, open311.APIKey{}, false
	}
	key, err := a.authorize(c.r.Context(), c.r, georeport.Field(form, "api_key"), j.ID)
	if err != nil {
		a.fail(c, err)
		return nil, open311.Jurisdiction{}, open311.APIKey{}, false
	}
	return form, j, key, true
}

// postRequestUpdate answers POST /servicerequestupdates as FixMyStreet sends it: a comment,
// and for staff keys a status in FixMyStreet's words. update_id makes a repeat harmless.
func (a *API) postRequestUpdate(c call) {
	const op = "api.postRequestUpdate"
	ctx := c.r.Context()
	form, j, key, ok := a.postPreamble(c, "")
	if !ok {
		return
	}
	var p open311.Problems
	id := georeport.Field(form, "service_request_id")
	if id == "" {
		p.Add("service_request_id is required")
	}
	u := update{change: open311.Change{Comment: form.Get("description"), MediaURL: georeport.Field(form, "media_url"),
		ClientUpdateID: georeport.Field(form, "update_id")}}
	staff := key.Role == open311.RoleStaff
	if word := georeport.Field(form, "status"); word != "" {
		st, known := georeport.StatusOfWord(word)
		switch {
		case !known:
			p.Add("status %q is not one of open, closed, fixed, in_progress, action_scheduled, investigating, duplicate, not_councils_responsibility, no_further_action, internal_referral", word)
		case staff:
			u.change.Status, u.change.ExternalStatus = &st, strings.ToLower(word)
		}
	}
	if s := georeport.Field(form, "updated_datetime"); s != "" {
		if _, err := open311.ParseTime(s); err != nil {
			p.Add("updated_datetime must be a date-time with a time zone, such as 2010-05-24T14:03:11Z")
		}
	}
	if u.change.MediaURL != "" {
		if mu, err := url.Parse(u.change.MediaURL); err != nil || (mu.Scheme != "http" && mu.Scheme != "https") || mu.Host == "" {
			p.Add("media_url must be an http or https URL")
		}
	}
	if err := p.Err(op); err != nil {
		a.fail(c, err)
		return
	}
	act, _, err := a.apply(ctx, j, id, u, who(key, form), staff)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.RequestUpdates{Updates: []any{georeport.UpdateID{UpdateID: act.ID}}})
}

// getRequestUpdates answers GET /servicerequestupdates: the activities of public requests
// between start_date and end_date (default: the last 24 hours; at most 90 days), oldest first.
func (a *API) getRequestUpdates(c call) {
	ctx := c.r.Context()
	params, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		a.fail(c, open311.Errorf(open311.Invalid, "api.getRequestUpdates", "the query string is malformed"))
		return
	}
	j, err := a.jurisdiction(ctx, georeport.Field(params, "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	var p open311.Problems
	start, end := timeParam(params, "start_date", &p), timeParam(params, "end_date", &p)
	switch {
	case start.IsZero() && end.IsZero():
		end = a.opt.Now()
		start = end.Add(-24 * time.Hour)
	case start.IsZero():
		start = end.Add(-MaxRange)
	case end.IsZero():
		end = start.Add(MaxRange)
	}
	if end.Before(start) {
		p.Add("end_date is before start_date")
	} else if end.Sub(start) > MaxRange {
		p.Add("start_date and end_date may be at most 90 days apart")
	}
	q := store.UpdateQuery{JurisdictionID: j.ID, From: start, To: end.Add(time.Second), Limit: store.MaxPageSize,
		Cursor: georeport.Field(params, "cursor")}
	q.Limit = pageSize(params, store.MaxPageSize, store.MaxPageSize, &p)
	if err := p.Err("api.getRequestUpdates"); err != nil {
		a.fail(c, err)
		return
	}
	page, err := a.opt.Store.Updates(ctx, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	doc := georeport.RequestUpdates{Updates: make([]any, 0, len(page.Activities))}
	for _, act := range page.Activities {
		doc.Updates = append(doc.Updates, georeport.NewRequestUpdate(act, j.Location()))
	}
	setNext(c, params, page.Next)
	a.write(c, doc)
}

// getJurisdictions answers GET /jurisdictions: which jurisdictions serve a point (lat, long),
// falling back to the default one; without a point, all of them.
func (a *API) getJurisdictions(c call) {
	ctx := c.r.Context()
	q := c.r.URL.Query()
	all, err := a.allJurisdictions(ctx)
	if err != nil {
		a.fail(c, err)
		return
	}
	def, _ := a.jurisdiction(ctx, "")
	base := a.baseURL(c.r)
	doc := georeport.Jurisdictions{Jurisdictions: []georeport.Jurisdiction{}}
	lat, long := georeport.Field(q, "lat"), georeport.Field(q, "long")
	if lat == "" && long == "" {
		for _, j := range all {
			doc.Jurisdictions = append(doc.Jurisdictions, georeport.NewJurisdiction(j, base, j.ID == def.ID))
		}
		a.write(c, doc)
		return
	}
	pt, err := point(lat, long)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, j := range serving(all, pt) {
		doc.Jurisdictions = append(doc.Jurisdictions, georeport.NewJurisdiction(j, base, j.ID == def.ID))
	}
	if len(doc.Jurisdictions) == 0 && def.ID != "" {
		doc.Jurisdictions = append(doc.Jurisdictions, georeport.NewJurisdiction(def, base, true))
	}
	a.write(c, doc)
}

// serving returns the jurisdictions whose boundary contains the point.
func serving(all []open311.Jurisdiction, pt open311.Point) []open311.Jurisdiction {
	var out []open311.Jurisdiction
	for _, j := range all {
		if j.Boundary.Contains(pt) {
			out = append(out, j)
		}
	}
	return out
}

// point reads a lat/long pair, both required.
func point(lat, long string) (open311.Point, error) {
	var p open311.Problems
	la, okLat := open311.ParseCoordinate(lat, 90)
	lo, okLong := open311.ParseCoordinate(long, 180)
	if lat == "" || long == "" {
		p.Add("lat and long must be given together")
	} else {
		if !okLat {
			p.Add("lat must be a decimal latitude between -90 and 90")
		}
		if !okLong {
			p.Add("long must be a decimal longitude between -180 and 180")
		}
	}
	return open311.Point{Lat: la, Long: lo}, p.Err("api.point")
}

// jurisdictionAt is jurisdiction, but a POST without jurisdiction_id on a deployment of several
// jurisdictions and no default is routed by its location.
func (a *API) jurisdictionAt(ctx context.Context, id, lat, long string) (open311.Jurisdiction, error) {
	j, err := a.jurisdiction(ctx, id)
	if err == nil || id != "" || !open311.IsKind(err, open311.Invalid) || lat == "" || long == "" {
		return j, err
	}
	pt, perr := point(lat, long)
	if perr != nil {
		return open311.Jurisdiction{}, perr
	}
	all, aerr := a.allJurisdictions(ctx)
	if aerr != nil {
		return open311.Jurisdiction{}, aerr
	}
	if s := serving(all, pt); len(s) > 0 {
		return s[0], nil
	}
	return open311.Jurisdiction{}, open311.Errorf(open311.Invalid, "api.jurisdictionAt", "no jurisdiction served here covers this location; give jurisdiction_id")
}

// requestsDoc shows requests in a jurisdiction's zone, with extended attributes and notes when
// extended: one keyed read for the linked requests' statuses, one per request for its notes.
func (a *API) requestsDoc(ctx context.Context, j open311.Jurisdiction, rs []open311.Request, extended bool) (georeport.ServiceRequests, error) {
	doc := georeport.ServiceRequests{Requests: make([]any, 0, len(rs))}
	loc := j.Location()
	linked := map[string]open311.Request{}
	if extended {
		var ids []string
		for _, r := range rs {
			for _, l := range r.Links {
				ids = append(ids, l.TargetID)
			}
		}
		for len(ids) > 0 {
			n := min(len(ids), store.MaxPageSize)
			page, err := a.opt.Store.QueryRequests(ctx, store.Query{JurisdictionID: j.ID, IDs: ids[:n]})
			if err != nil {
				return doc, err
			}
			for _, t := range page.Requests {
				linked[t.ID] = t
			}
			ids = ids[n:]
		}
	}
	for _, r := range rs {
		out := georeport.NewRequest(r, loc)
		if extended {
			acts, err := a.opt.Store.Activities(ctx, j.ID, r.ID)
			if err != nil {
				return doc, err
			}
			out.Extended = georeport.NewExtended(r, linked, a.feedURL(r))
			out.Notes = georeport.NewNotes(acts, loc)
		}
		doc.Requests = append(doc.Requests, out)
	}
	return doc, nil
}

// feedURL is the address of a request's Atom feed, when feeds are configured.
func (a *API) feedURL(r open311.Request) string {
	if a.opt.FeedBase == "" {
		return ""
	}
	return strings.TrimRight(a.opt.FeedBase, "/") + "/" + url.PathEscape(r.JurisdictionID) + "/requests/" + url.PathEscape(r.ID) + ".atom"
}
