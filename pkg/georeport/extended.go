package georeport

import (
	"encoding/xml"
	"sort"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// Extended is a request's extended_attributes (extensions=true): the detailed status, links
// (Chicago's duplicate and parent_service_request_id, and the draft's {id: status} pairs), the
// feed URL, the submitted attribute values and the photos.
type Extended struct {
	DetailedStatus         string          `xml:"detailed_status" json:"detailed_status"`
	Duplicate              OptString       `xml:"duplicate" json:"duplicate"`
	ParentServiceRequestID OptString       `xml:"parent_service_request_id" json:"parent_service_request_id"`
	LinkedRequests         []LinkedRequest `xml:"linked_requests>linked_request" json:"linked_requests"`
	FeedURL                OptString       `xml:"feed_url" json:"feed_url"`
	Attributes             AttributeValues `xml:"attributes" json:"attributes"`
	// Media lists the request's photos; absent when it has none.
	Media *MediaList `xml:"media,omitempty" json:"media,omitempty"`
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
	return marshalJSON(map[string][]string(a))
}

// codes returns the attribute codes in order.
func (a AttributeValues) codes() []string {
	codes := make([]string, 0, len(a))
	for c := range a {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// MarshalXML prints one attribute element per code, in code order.
func (a AttributeValues) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type attribute struct {
		Code   string   `xml:"code"`
		Values []string `xml:"value"`
	}
	codes := a.codes()
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
func (n Notes) MarshalJSON() ([]byte, error) { return marshalJSON(nonNil(n.Notes)) }

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
		Duplicate:              OptString(shown(r.LinkTarget(open311.DuplicateOf), linked)),
		ParentServiceRequestID: OptString(shown(r.LinkTarget(open311.ChildOf), linked)),
		LinkedRequests:         []LinkedRequest{},
		FeedURL:                OptString(feedURL),
		Attributes:             AttributeValues(r.Attributes),
		Media:                  newMediaList(r.Media),
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

// shown is id when linked holds it (the request is public), else nothing.
func shown(id string, linked map[string]open311.Request) string {
	if _, ok := linked[id]; ok {
		return id
	}
	return ""
}
