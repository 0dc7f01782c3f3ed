package georeport

import (
	"encoding/json"
	"encoding/xml"
	"sort"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// Extended is a request's extended_attributes (extensions=true): the detailed status, links
// (Chicago's duplicate and parent_service_request_id, and the draft's {id: status} pairs), the
// feed URL and the submitted attribute values.
type Extended struct {
	DetailedStatus         string          `xml:"detailed_status" json:"detailed_status"`
	Duplicate              OptString       `xml:"duplicate" json:"duplicate"`
	ParentServiceRequestID OptString       `xml:"parent_service_request_id" json:"parent_service_request_id"`
	LinkedRequests         []LinkedRequest `xml:"linked_requests>linked_request" json:"linked_requests"`
	FeedURL                OptString       `xml:"feed_url" json:"feed_url"`
	Attributes             AttributeValues `xml:"attributes" json:"attributes"`
}

// LinkedRequest is one linked request with its current status.
type LinkedRequest struct {
	ServiceRequestID string `xml:"service_request_id" json:"service_request_id"`
	Relation         string `xml:"relation" json:"relation"`
	Status           string `xml:"status" json:"status"`
	DetailedStatus   string `xml:"detailed_status" json:"detailed_status"`
}

// AttributeValues are a request's submitted attribute values: in JSON an object of code to the
// list of values, in XML <attribute><code/><value/>...</attribute> elements.
type AttributeValues map[string][]string

// MarshalJSON prints the values as an object with its keys in order (never null).
func (a AttributeValues) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string][]string(a))
}

// MarshalXML prints one attribute element per code, in code order.
func (a AttributeValues) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type attribute struct {
		Code   string   `xml:"code"`
		Values []string `xml:"value"`
	}
	codes := make([]string, 0, len(a))
	for c := range a {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	list := struct {
		Attributes []attribute `xml:"attribute"`
	}{}
	for _, c := range codes {
		list.Attributes = append(list.Attributes, attribute{c, a[c]})
	}
	return e.EncodeElement(list, start)
}

// Notes is a request's activity list (extensions=true), oldest first.
type Notes struct {
	Notes []Note `xml:"note"`
}

// MarshalJSON prints the notes as a list.
func (n Notes) MarshalJSON() ([]byte, error) { return json.Marshal(nonNil(n.Notes)) }

// Note is one activity: when, what kind, a summary the system wrote, and what the person wrote.
type Note struct {
	Datetime    OptTime   `xml:"datetime" json:"datetime"`
	Type        string    `xml:"type" json:"type"`
	Summary     string    `xml:"summary" json:"summary"`
	Description OptString `xml:"description" json:"description"`
	Author      string    `xml:"author" json:"author"`
	Status      string    `xml:"status" json:"status"`
}

// NewNotes shows activities (never personal data: Who is a display name or role) in loc.
func NewNotes(activities []open311.Activity, loc *time.Location) *Notes {
	n := &Notes{Notes: make([]Note, 0, len(activities))}
	for _, a := range activities {
		n.Notes = append(n.Notes, Note{Datetime: inZone(a.At, loc), Type: a.Kind, Summary: a.Summary,
			Description: OptString(a.Description), Author: a.Who, Status: string(a.Status)})
	}
	return n
}

// NewExtended shows a request's extended attributes; linked maps the linked requests' ids to
// their current state (ids missing from it are not public and left out).
func NewExtended(r open311.Request, linked map[string]open311.Request, feedURL string) *Extended {
	e := &Extended{
		DetailedStatus:         string(r.Status),
		Duplicate:              OptString(r.LinkTarget(open311.DuplicateOf)),
		ParentServiceRequestID: OptString(r.LinkTarget(open311.ChildOf)),
		LinkedRequests:         []LinkedRequest{},
		FeedURL:                OptString(feedURL),
		Attributes:             AttributeValues(r.Attributes),
	}
	for _, l := range r.Links {
		t, ok := linked[l.TargetID]
		if !ok {
			continue
		}
		e.LinkedRequests = append(e.LinkedRequests, LinkedRequest{ServiceRequestID: l.TargetID, Relation: string(l.Kind),
			Status: t.Status.GeoReport(), DetailedStatus: string(t.Status)})
	}
	return e
}

// RequestUpdates is the list of request updates, FixMyStreet's servicerequestupdates (a
// top-level array in JSON).
type RequestUpdates struct {
	XMLName xml.Name `xml:"service_request_updates" json:"-"`
	Updates []any    `xml:"request_update"`
}

func (u RequestUpdates) list() any { return nonNil(u.Updates) }

// RequestUpdate is one activity as FixMyStreet reads it.
type RequestUpdate struct {
	UpdateID         string    `xml:"update_id" json:"update_id"`
	ServiceRequestID string    `xml:"service_request_id" json:"service_request_id"`
	Status           string    `xml:"status" json:"status"`
	UpdatedDatetime  OptTime   `xml:"updated_datetime" json:"updated_datetime"`
	Description      OptString `xml:"description" json:"description"`
	MediaURL         OptString `xml:"media_url" json:"media_url"`
}

// NewRequestUpdate shows an activity as a request update, its status in FixMyStreet's words.
func NewRequestUpdate(a open311.Activity, loc *time.Location) RequestUpdate {
	desc := a.Description
	if desc == "" {
		desc = a.Summary
	}
	return RequestUpdate{UpdateID: a.ID, ServiceRequestID: a.RequestID, Status: UpdateStatusWord(a),
		UpdatedDatetime: inZone(a.At, loc), Description: OptString(desc), MediaURL: OptString(a.MediaURL)}
}

// UpdateID is the answer to a POST of a request update: the id of the update as stored.
type UpdateID struct {
	UpdateID string `xml:"update_id" json:"update_id"`
}

// updateWords is the one table between FixMyStreet's status words and the detailed statuses:
// the status a word sets when staff send it, and (first match) the word a status is shown as.
var updateWords = []struct {
	word   string
	status open311.Status
}{
	{"open", open311.Open},
	{"action_scheduled", open311.Assigned},
	{"in_progress", open311.InProgress},
	{"investigating", open311.MoreInfo},
	{"closed", open311.Closed},
	{"no_further_action", open311.Rejected},
	{"fixed", open311.Closed},
	{"duplicate", open311.Closed},
	{"not_councils_responsibility", open311.Rejected},
	{"internal_referral", open311.Assigned},
}

// StatusOfWord returns the detailed status a FixMyStreet status word (any case) stands for.
func StatusOfWord(word string) (open311.Status, bool) {
	word = strings.ToLower(strings.TrimSpace(word))
	for _, w := range updateWords {
		if w.word == word {
			return w.status, true
		}
	}
	return "", false
}

// UpdateStatusWord is the FixMyStreet word shown for an activity: the word the client sent with
// it, else the word of the status it left the request in.
func UpdateStatusWord(a open311.Activity) string {
	if a.ExternalStatus != "" {
		return strings.ToLower(a.ExternalStatus)
	}
	for _, w := range updateWords {
		if w.status == a.Status {
			return w.word
		}
	}
	return "open" // submitted and incomplete requests are open to FixMyStreet
}

// Jurisdictions is the answer to jurisdiction discovery (a top-level array in JSON).
type Jurisdictions struct {
	XMLName       xml.Name       `xml:"jurisdictions" json:"-"`
	Jurisdictions []Jurisdiction `xml:"jurisdiction"`
}

func (j Jurisdictions) list() any { return nonNil(j.Jurisdictions) }

// Jurisdiction is one jurisdiction: where its API is, and its address id scheme.
type Jurisdiction struct {
	JurisdictionID string         `xml:"jurisdiction_id" json:"jurisdiction_id"`
	Name           string         `xml:"name" json:"name"`
	URL            string         `xml:"url" json:"url"`
	Default        bool           `xml:"default" json:"default"`
	AddressScheme  *AddressScheme `xml:"address_scheme,omitempty" json:"address_scheme,omitempty"`
}

// AddressScheme describes a jurisdiction's address_id values.
type AddressScheme struct {
	Name        string `xml:"name" json:"name"`
	Description string `xml:"description" json:"description"`
	Pattern     string `xml:"pattern" json:"pattern"`
}

// NewJurisdiction shows a jurisdiction, its API at url (its own URL when it has one).
func NewJurisdiction(j open311.Jurisdiction, url string, isDefault bool) Jurisdiction {
	if j.URL != "" {
		url = j.URL
	}
	out := Jurisdiction{JurisdictionID: j.ID, Name: j.Name, URL: url, Default: isDefault}
	if s := j.AddressScheme; s != nil {
		out.AddressScheme = &AddressScheme{Name: s.Name, Description: s.Description, Pattern: s.Pattern}
	}
	return out
}
