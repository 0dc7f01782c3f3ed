package open311

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Change is what someone asks to change of a request in one update. Nil fields stay as they are.
type Change struct {
	Status            *Status
	StatusNotes       *string
	AgencyResponsible *string
	Expected          *time.Time
	Comment           string // free text, recorded as the activity's description
	MediaURL          string
	ExternalStatus    string // the client's own status word, kept for answering it back
	ClientUpdateID    string
	// Links relate the request to others (Apply receives the targets in this order).
	Links []Link
	// RemovePhoto names a photo of the request (Photo.Name, or its URL) that staff take off it.
	RemovePhoto string
	// Photos are photos added to the request with the update, already stored (the desk cleans
	// and stores them); anyone who may comment may add them.
	Photos []Photo
	// Point moves the request there (staff correcting where it is); PointAreas are the named
	// areas holding it (Jurisdiction.AreasAt), which the caller finds.
	Point      *Point
	PointAreas []string
	Zone       *time.Location // of times in the summary (the jurisdiction's); UTC when nil
}

// MaxLinks is the most requests one change may link a request to.
const MaxLinks = 19

// NeedsStaff reports whether the change needs a staff key: everything but a comment does.
func (c Change) NeedsStaff() bool {
	return c.Status != nil || c.StatusNotes != nil || c.AgencyResponsible != nil || c.Expected != nil || len(c.Links) > 0 ||
		c.RemovePhoto != "" || c.Point != nil
}

// Empty reports whether the change changes nothing and says nothing.
func (c Change) Empty() bool {
	return !c.NeedsStaff() && c.Comment == "" && c.MediaURL == "" && len(c.Photos) == 0
}

// Check reports what makes the change impossible before any request is read: a link to the
// request itself, or more links than MaxLinks (Invalid).
func (c Change) Check(requestID string) error {
	const op = "open311.Change.Check"
	for _, l := range c.Links {
		if l.TargetID == requestID {
			return Errorf(Invalid, op, "a request cannot be linked to itself")
		}
	}
	if len(c.Links) > MaxLinks {
		return Errorf(Invalid, op, "at most %d requests can be linked at once", MaxLinks)
	}
	return nil
}

// Apply makes the change to r, written by who at now, and returns the activities recording it:
// r's first (its id the one r's next version gives), then one on each of targets (the requests
// c.Links name, in their order) that the change newly links to r, since every link is kept on
// both requests. Marking r a duplicate closes it, when it can be closed and the change sets no
// status, with notes naming the original when it has none. Apply refuses an illegal status
// transition, an invalid media_url and over-long text (Invalid). A status equal to the current
// one is no transition and is ignored; a change that then changes nothing and says nothing is
// refused (Invalid), so that no empty activity is ever recorded.
func (c Change) Apply(r *Request, targets []*Request, who string, now time.Time) ([]Activity, error) {
	const op = "open311.Change.Apply"
	if len(targets) != len(c.Links) {
		return nil, Wrap(op, fmt.Errorf("%d targets for %d links", len(targets), len(c.Links)))
	}
	now = now.UTC().Truncate(time.Second)
	var linked []string
	var reverse []Activity
	for i, l := range c.Links {
		t := targets[i]
		if r.AddLink(l.Kind, t.ID) {
			t.AddLink(l.Kind.Reverse(), r.ID)
			linked = append(linked, string(l.Kind)+" "+t.ID)
			t.Updated = now
			reverse = append(reverse, Activity{ID: ActivityID(t.ID, t.Version+1, 1), RequestID: t.ID,
				JurisdictionID: t.JurisdictionID, At: now, Who: who, Kind: KindLink, Status: t.Status,
				Summary: "Linked: " + string(l.Kind.Reverse()) + " " + r.ID + "."})
		}
		if l.Kind == DuplicateOf && c.Status == nil && CanMove(r.Status, Closed) {
			closed := Closed
			c.Status = &closed
			if c.StatusNotes == nil && r.StatusNotes == "" {
				notes := "Duplicate of " + t.ID + "."
				c.StatusNotes = &notes
			}
		}
	}
	act, err := c.apply(r, ActivityID(r.ID, r.Version+1, 1), who, now, linked)
	if err != nil {
		return nil, err
	}
	return append([]Activity{act}, reverse...), nil
}

// apply makes the change to r itself and returns the activity recording it, linked naming the
// links just made ("duplicate_of 100003").
func (c Change) apply(r *Request, activityID, who string, now time.Time, linked []string) (Activity, error) {
	const op = "open311.Change.Apply"
	var p Problems
	kind := KindComment
	var summary []string
	if c.Status != nil && *c.Status != r.Status {
		to := *c.Status
		switch {
		case !to.Valid():
			p.Add("status %q is not one of %s", to, joinStatuses(Statuses))
		case !CanMove(r.Status, to):
			p.Add("a request that is %s cannot become %s; from %s it can become %s", r.Status, to, r.Status, joinStatuses(r.Status.Next()))
		default:
			summary = append(summary, fmt.Sprintf("Status: %s → %s.", r.Status, to))
			switch {
			case to.GeoReport() == "open":
				r.Closed = time.Time{}
			case r.Status.GeoReport() == "open":
				r.Closed = now
			}
			r.Status, kind = to, KindStatus
		}
	}
	if c.AgencyResponsible != nil && *c.AgencyResponsible != r.AgencyResponsible {
		v := strings.TrimSpace(*c.AgencyResponsible)
		if utf8.RuneCountInString(v) > MaxShortField {
			p.Add("agency_responsible is too long; at most %d characters are accepted", MaxShortField)
		}
		r.AgencyResponsible = v
		if v == "" {
			summary = append(summary, "No longer assigned.")
		} else {
			summary = append(summary, fmt.Sprintf("Assigned to %s.", v))
		}
		if kind == KindComment {
			kind = KindAssignment
		}
	}
	if c.Expected != nil && !c.Expected.Equal(r.Expected) {
		r.Expected = c.Expected.UTC().Truncate(time.Second)
		zone := c.Zone
		if zone == nil {
			zone = time.UTC
		}
		summary = append(summary, "Expected by "+FormatTime(r.Expected, zone)+".")
		if kind == KindComment {
			kind = KindSchedule
		}
	}
	if c.StatusNotes != nil && *c.StatusNotes != r.StatusNotes {
		v := strings.TrimSpace(*c.StatusNotes)
		if utf8.RuneCountInString(v) > MaxDescription {
			p.Add("status_notes is too long; at most %d characters are accepted", MaxDescription)
		}
		r.StatusNotes = v
		summary = append(summary, "Status notes updated.")
		if kind == KindComment {
			kind = KindNotes
		}
	}
	if c.RemovePhoto != "" {
		if removed, ok := r.RemovePhoto(c.RemovePhoto); !ok {
			p.Add("request %s has no photo %q", r.ID, c.RemovePhoto)
		} else {
			summary = append(summary, fmt.Sprintf("Photo %s removed.", removed.Name))
			if kind == KindComment {
				kind = KindPhoto
			}
		}
	}
	if n := len(r.Media) + len(c.Photos); len(c.Photos) > 0 && n > MaxRequestPhotos {
		p.Add("request %s holds %d photos: with %d more it would hold over %d", r.ID, len(r.Media), len(c.Photos), MaxRequestPhotos)
	}
	var added []Photo
	mediaURL := strings.TrimSpace(c.MediaURL)
	for _, ph := range c.Photos {
		if slices.ContainsFunc(r.Media, func(have Photo) bool { return have.Name == ph.Name }) {
			continue // the same bytes are there already: one photo, not two
		}
		added = append(added, ph)
		r.Media = append(r.Media, ph)
		summary = append(summary, fmt.Sprintf("Photo %s added.", ph.Name))
		if ph.URL != "" && r.MediaURL == "" {
			r.MediaURL = ph.URL
		}
		if ph.URL != "" && mediaURL == "" {
			mediaURL = ph.URL
		}
		if kind == KindComment {
			kind = KindPhoto
		}
	}
	var from *Point
	var fromAreas string
	if c.Point != nil && (r.Point == nil || *r.Point != *c.Point) {
		to := *c.Point
		if to.Lat < -90 || to.Lat > 90 || to.Long < -180 || to.Long > 180 {
			p.Add("lat must be within -90 and 90 and long within -180 and 180")
		}
		from, fromAreas = r.Point, strings.Join(r.Areas, " ")
		r.Point, r.Areas = &to, append([]string(nil), c.PointAreas...)
		if len(r.Areas) == 0 {
			r.Areas = nil
		}
		summary = append(summary, fmt.Sprintf("Moved to %s, %s.", strconv.FormatFloat(to.Lat, 'f', -1, 64), strconv.FormatFloat(to.Long, 'f', -1, 64)))
		if kind == KindComment {
			kind = KindMove
		}
	}
	comment := strings.TrimSpace(c.Comment)
	if n := utf8.RuneCountInString(comment); n > MaxDescription {
		p.Add("the comment is %d characters long; at most %d are accepted", n, MaxDescription)
	}
	media := mediaURL
	checkMediaURL(strings.TrimSpace(c.MediaURL), &p)
	if err := p.Err(op); err != nil {
		return Activity{}, err
	}
	if len(linked) > 0 {
		summary = append(summary, "Linked: "+strings.Join(linked, ", ")+".")
		if kind == KindComment {
			kind = KindLink
		}
	}
	if len(summary) == 0 {
		if comment == "" && strings.TrimSpace(c.MediaURL) == "" && len(added) == 0 {
			return Activity{}, Errorf(Invalid, op, "nothing changes: the request is already as this update asks, and the update says nothing")
		}
		summary = append(summary, "Comment.")
	}
	r.Updated = now
	return Activity{
		ID: activityID, RequestID: r.ID, JurisdictionID: r.JurisdictionID, At: now, Who: who, Kind: kind,
		Summary: strings.Join(summary, " "), Description: comment, Status: r.Status, MediaURL: media,
		ClientUpdateID: c.ClientUpdateID, ExternalStatus: c.ExternalStatus, From: from, FromAreas: fromAreas, Media: added,
	}, nil
}

// ActivityID returns the id of the n-th (from 1) activity written by the write that brings a
// request to version: "<request id>-<version>", then "-<version>.<n>" for further ones.
func ActivityID(requestID string, version int64, n int) string {
	if n <= 1 {
		return fmt.Sprintf("%s-%d", requestID, version)
	}
	return fmt.Sprintf("%s-%d.%d", requestID, version, n)
}

// AddLink records a link from r to target (and nothing if it is there already), returning
// whether it added one.
func (r *Request) AddLink(kind LinkKind, target string) bool {
	for _, l := range r.Links {
		if l.Kind == kind && l.TargetID == target {
			return false
		}
	}
	r.Links = append(r.Links, Link{Kind: kind, TargetID: target})
	return true
}

// LinkTarget returns the target of r's first link of the kind, or "".
func (r Request) LinkTarget(kind LinkKind) string {
	for _, l := range r.Links {
		if l.Kind == kind {
			return l.TargetID
		}
	}
	return ""
}

func joinStatuses(ss []Status) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// RemovePhoto takes the photo named (its Name, or its URL) off r, and returns it. The request's
// media_url, when it was that photo's URL, becomes the next served photo's, or nothing.
func (r *Request) RemovePhoto(nameOrURL string) (Photo, bool) {
	for i, ph := range r.Media {
		if ph.Name != nameOrURL && (ph.URL == "" || ph.URL != nameOrURL) {
			continue
		}
		r.Media = append(r.Media[:i:i], r.Media[i+1:]...)
		if ph.URL != "" && r.MediaURL == ph.URL {
			r.MediaURL = ""
			for _, next := range r.Media {
				if next.URL != "" {
					r.MediaURL = next.URL
					break
				}
			}
		}
		return ph, true
	}
	return Photo{}, false
}
