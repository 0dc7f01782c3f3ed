package open311

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Point is a WGS84 location in decimal degrees.
type Point struct {
	Lat  float64 `json:"lat"`
	Long float64 `json:"long"`
}

// Reporter holds the personal data a reporter may give. It is stored sealed, and never appears in
// any response, feed, log line or error message.
type Reporter struct {
	Email     string `json:"email,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// LinkKind says how two requests are related.
type LinkKind string

// The kinds of link between requests.
const (
	DuplicateOf  LinkKind = "duplicate_of"  // this request reports the same problem as the target
	DuplicatedBy LinkKind = "duplicated_by" // the target is a duplicate of this request
	ParentOf     LinkKind = "parent_of"
	ChildOf      LinkKind = "child_of"
	RelatedTo    LinkKind = "related_to"
)

// Reverse returns the kind of link the target holds back: every link is kept on both requests.
func (k LinkKind) Reverse() LinkKind {
	switch k {
	case DuplicateOf:
		return DuplicatedBy
	case DuplicatedBy:
		return DuplicateOf
	case ParentOf:
		return ChildOf
	case ChildOf:
		return ParentOf
	}
	return RelatedTo
}

// Link relates a request to another one.
type Link struct {
	Kind     LinkKind `json:"kind"`
	TargetID string   `json:"target_id"`
}

// Request is a service request: one concrete, located problem reported to a jurisdiction.
type Request struct {
	ID                string    `json:"id"`
	Token             string    `json:"token,omitempty"`
	JurisdictionID    string    `json:"jurisdiction_id"`
	ServiceCode       string    `json:"service_code"`
	ServiceName       string    `json:"service_name"`
	Status            Status    `json:"status"`
	StatusNotes       string    `json:"status_notes,omitempty"`
	Description       string    `json:"description,omitempty"`
	AgencyResponsible string    `json:"agency_responsible,omitempty"`
	ServiceNotice     string    `json:"service_notice,omitempty"`
	Requested         time.Time `json:"requested"`
	Updated           time.Time `json:"updated"`
	Expected          time.Time `json:"expected,omitzero"`
	// Closed is when the request last became closed (GeoReport "closed": closed or rejected),
	// zero while it is open: what the retention of the reporter's personal data counts from.
	Closed time.Time `json:"closed,omitzero"`
	Point  *Point    `json:"point,omitempty"`
	// Areas are the ids of the jurisdiction's named areas holding Point (Jurisdiction.AreasAt),
	// set when the request is reported or moved.
	Areas      []string            `json:"areas,omitempty"`
	Address    string              `json:"address,omitempty"`
	AddressID  string              `json:"address_id,omitempty"`
	Zipcode    string              `json:"zipcode,omitempty"`
	MediaURL   string              `json:"media_url,omitempty"`
	Attributes map[string][]string `json:"attributes,omitempty"`
	Links      []Link              `json:"links,omitempty"`
	// Media are the photos sent with the report, in the order they came; MediaURL is the
	// first one's URL when the request is public.
	Media []Photo `json:"media,omitempty"`
	// Private requests (blackbox or "private" services) are never listed, fetched or fed publicly.
	Private bool `json:"private,omitempty"`
	// Reporter is what the reporter gave of themselves, on the way in; the desk seals it into
	// ReporterSealed before the request is stored (package seal), so that no store, index,
	// stream or backup holds it in clear, and only an operator's key opens it.
	Reporter       Reporter `json:"reporter,omitzero"`
	ReporterSealed []byte   `json:"reporter_sealed,omitempty"`
	// Version counts the writes of the request; stores use it for optimistic locking.
	Version int64 `json:"version"`
}

// Photo is a photo attached to a request, stored cleaned of its metadata under a name made of
// its bytes' SHA-256 (package photo).
type Photo struct {
	// Name is the stored object's content-addressed name, like "9f86…0a08.jpg".
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	// Width and Height are as the photo displays, its orientation applied.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Size is the stored object's length in bytes.
	Size int64 `json:"size"`
	// URL is where the photo is served, and PreviewURL its preview (at most 640 pixels on the
	// long side); both are empty for a photo of a private request, which is never served, and
	// PreviewURL until a preview exists.
	URL        string `json:"url,omitempty"`
	PreviewURL string `json:"preview_url,omitempty"`
	// Private photos are stored where nothing serves them.
	Private bool `json:"private,omitempty"`
}

// Public reports whether the request may be shown to anyone: not private, and accepted (a batch
// request waiting as submitted has no public id yet).
func (r Request) Public() bool { return !r.Private && r.Status != Submitted }

// HoldsReporter reports whether the request still holds personal data of its reporter, sealed
// or not.
func (r Request) HoldsReporter() bool { return len(r.ReporterSealed) > 0 || r.Reporter != (Reporter{}) }

// ClosedAt returns when the request became closed and whether it is closed. A request closed
// before Closed was recorded counts from its last update, which is never earlier.
func (r Request) ClosedAt() (time.Time, bool) {
	if r.Status.GeoReport() != "closed" {
		return time.Time{}, false
	}
	if r.Closed.IsZero() {
		return r.Updated, true
	}
	return r.Closed, true
}

// Activity is one entry of a request's history: who did what, when, and the request's status
// after it. Every change to a request records at least one, in the same atomic write.
type Activity struct {
	ID             string    `json:"id"` // stable and unique: the update_id clients see
	RequestID      string    `json:"request_id"`
	JurisdictionID string    `json:"jurisdiction_id"`
	At             time.Time `json:"at"`
	// Who is a display name or a role ("reporter", "Public Works"), never personal data.
	Who  string `json:"who"`
	Kind string `json:"kind"` // one of the Activity kinds below
	// Summary says what changed, in words made by the system ("Status: open → assigned.");
	// Description is what the person wrote, if anything.
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	// Status is the request's status after this activity; a KindStatus activity set it.
	Status   Status `json:"status,omitempty"`
	MediaURL string `json:"media_url,omitempty"`
	// ClientUpdateID is the id a client gave the change (FixMyStreet's update_id, a POST's
	// Idempotency-Key), scoped to the API key that sent it. It is unique within a jurisdiction:
	// stores refuse a second activity with the same one (Conflict), which makes a client's retry
	// harmless. ClientPayload is a digest of what the change asked for, so that a retry can be
	// told from another change that reuses the id.
	ClientUpdateID string `json:"client_update_id,omitempty"`
	ClientPayload  string `json:"client_payload,omitempty"`
	// KeyID names the API key that made the change (open311.APIKey.ID), so that every change
	// is accounted for; it is never shown publicly.
	KeyID string `json:"key_id,omitempty"`
	// ExternalStatus is the status word a client sent with the update, kept to answer it back
	// (FixMyStreet's words are finer than the detailed statuses).
	ExternalStatus string `json:"external_status,omitempty"`
	// From is where the request was before the activity moved it (KindMove), and FromAreas the
	// ids of the named areas holding that point, separated by spaces (area ids have none): the area feeds it left show the move too.
	From      *Point `json:"from,omitempty"`
	FromAreas string `json:"from_areas,omitempty"`
	// Media are the photos the activity added to the request (an update with photos), in the
	// order they came; MediaURL is then the first served one's URL unless the client gave one.
	Media []Photo `json:"media,omitempty"`
}

// The kinds of activity.
const (
	KindCreated    = "created"    // the request was reported
	KindStatus     = "status"     // staff moved the request to another status
	KindComment    = "comment"    // someone commented
	KindAssignment = "assignment" // staff assigned the request (agency_responsible)
	KindSchedule   = "schedule"   // staff set or changed expected_datetime
	KindNotes      = "notes"      // staff changed the public status notes
	KindLink       = "link"       // the request was linked to another one
	KindPhoto      = "photo"      // a photo was added to the request with an update, or staff removed one
	KindMove       = "move"       // staff moved the request's point
	// KindErasure records that the reporter's personal data was erased (retention, or a
	// person's request). It is the operator's record, never shown: see Activity.Shown.
	KindErasure = "erasure"
)

// Shown reports whether the activity is part of the request's history that the API and the
// feeds show (to staff too): every kind but an erasure.
func (a Activity) Shown() bool { return a.Kind != KindErasure }

// Submission is a new request as a client sent it: raw strings, not yet validated.
type Submission struct {
	ServiceCode   string
	Lat, Long     string
	AddressString string
	AddressID     string
	Zipcode       string
	Description   string
	MediaURL      string
	Attributes    map[string][]string
	Reporter      Reporter
}

// MaxPhotos is the most photos one report, or one update of a request, may carry.
const MaxPhotos = 5

// MaxRequestPhotos is the most photos a request holds, its report's and its updates' together.
const MaxRequestPhotos = 20

// Limits of free-text fields, in characters.
const (
	MaxDescription = 4000
	MaxShortField  = 1000
	MaxTextValue   = 4000
)

// NewRequest validates a submission against its jurisdiction and service and returns the request
// to store, with every problem found reported at once as an Invalid error; now is the time of
// receipt. The request has no id yet (and a batch request no token): Identify gives them, once
// the submission is known to be good.
func NewRequest(j Jurisdiction, s Service, sub Submission, now time.Time) (Request, error) {
	var p Problems
	r := Request{
		JurisdictionID: j.ID,
		ServiceCode:    s.Code,
		ServiceName:    s.Name,
		Status:         Open,
		Description:    strings.TrimSpace(sub.Description),
		ServiceNotice:  s.Notice,
		Requested:      now.UTC().Truncate(time.Second),
		Address:        strings.TrimSpace(sub.AddressString),
		AddressID:      strings.TrimSpace(sub.AddressID),
		Zipcode:        strings.TrimSpace(sub.Zipcode),
		MediaURL:       strings.TrimSpace(sub.MediaURL),
		Private:        s.Private(),
		Reporter:       sub.Reporter,
		Version:        1,
	}
	r.Updated = r.Requested
	if s.Type == Batch {
		r.Status = Submitted // waits for staff to accept it; its reporter holds a token meanwhile
	}
	lat, long := strings.TrimSpace(sub.Lat), strings.TrimSpace(sub.Long)
	if lat != "" || long != "" {
		pt, err := ParsePoint(lat, long)
		if err != nil {
			p = append(p, ErrorMessages(err)...)
		} else {
			r.Point = &pt
			r.Areas = j.AreasAt(pt)
		}
	}
	if r.Point == nil && r.Address == "" && r.AddressID == "" && lat == "" && long == "" {
		p.Add("a location is required: lat and long, address_string or address_id")
	}
	if r.AddressID != "" && !j.AddressScheme.Valid(r.AddressID) {
		p.Add("address_id %q is not a %s", r.AddressID, j.AddressScheme.Name)
	}
	if n := utf8.RuneCountInString(r.Description); n > MaxDescription {
		p.Add("description is %d characters long; at most %d are accepted", n, MaxDescription)
	}
	for _, f := range []struct{ name, value string }{{"address_string", r.Address}, {"address_id", r.AddressID},
		{"zipcode", r.Zipcode}, {"media_url", r.MediaURL}, {"email", sub.Reporter.Email},
		{"device_id", sub.Reporter.DeviceID}, {"account_id", sub.Reporter.AccountID},
		{"first_name", sub.Reporter.FirstName}, {"last_name", sub.Reporter.LastName}, {"phone", sub.Reporter.Phone}} {
		if utf8.RuneCountInString(f.value) > MaxShortField {
			p.Add("%s is too long; at most %d characters are accepted", f.name, MaxShortField)
		}
	}
	checkMediaURL(r.MediaURL, &p)
	if e := sub.Reporter.Email; e != "" && (!strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n<>")) {
		p.Add("email is not an email address")
	}
	r.Attributes = validateAttributes(s, sub.Attributes, &p)
	if err := p.Err("open311.NewRequest"); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Identify gives a new request its id and, when it waits for acceptance (a batch request), a
// token from newToken, which its reporter follows it by until then.
func (r *Request) Identify(id string, newToken func() string) {
	r.ID = id
	if r.Status == Submitted {
		r.Token = newToken()
	}
}

// Created returns the activity that records the request's creation by its reporter.
func (r Request) Created() Activity {
	return Activity{ID: ActivityID(r.ID, r.Version, 1), RequestID: r.ID, JurisdictionID: r.JurisdictionID,
		At: r.Requested, Who: "reporter", Kind: KindCreated, Summary: "Reported to " + r.ServiceName + ".",
		Status: r.Status}
}

// checkMediaURL adds a problem unless s is empty or an absolute http(s) URL: the one rule for
// every media_url a client sends.
func checkMediaURL(s string, p *Problems) {
	if s == "" {
		return
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("media_url must be an http or https URL")
	}
}
