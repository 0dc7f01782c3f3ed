package georeport

import (
	"encoding/xml"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// ServiceRequests is a list of requests (a top-level array in JSON): the answer to queries, to
// a single request (a list of one), to a POST and to a token.
type ServiceRequests struct {
	XMLName  xml.Name `xml:"service_requests" json:"-"`
	Requests []any    `xml:"request"`
}

func (s ServiceRequests) list() any { return nonNil(s.Requests) }

// Request is a service request as GET answers show it. Personal data has no field here.
type Request struct {
	ServiceRequestID  string    `xml:"service_request_id" json:"service_request_id"`
	Status            string    `xml:"status" json:"status"`
	StatusNotes       OptString `xml:"status_notes" json:"status_notes"`
	ServiceName       string    `xml:"service_name" json:"service_name"`
	ServiceCode       string    `xml:"service_code" json:"service_code"`
	Description       OptString `xml:"description" json:"description"`
	AgencyResponsible OptString `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     OptString `xml:"service_notice" json:"service_notice"`
	RequestedDatetime OptTime   `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   OptTime   `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  OptTime   `xml:"expected_datetime" json:"expected_datetime"`
	Address           OptString `xml:"address" json:"address"`
	AddressID         OptString `xml:"address_id" json:"address_id"`
	Zipcode           OptString `xml:"zipcode" json:"zipcode"`
	Lat               OptFloat  `xml:"lat" json:"lat"`
	Long              OptFloat  `xml:"long" json:"long"`
	MediaURL          OptString `xml:"media_url" json:"media_url"`
	// Extended and Notes are shown with extensions=true only.
	Extended *Extended `xml:"extended_attributes,omitempty" json:"extended_attributes,omitempty"`
	Notes    *Notes    `xml:"notes,omitempty" json:"notes,omitempty"`
}

// NewRequest shows a request with its times in loc (the jurisdiction's zone).
func NewRequest(r open311.Request, loc *time.Location) Request {
	out := Request{
		ServiceRequestID: r.ID, Status: r.Status.GeoReport(), StatusNotes: OptString(r.StatusNotes),
		ServiceName: r.ServiceName, ServiceCode: r.ServiceCode, Description: OptString(r.Description),
		AgencyResponsible: OptString(r.AgencyResponsible), ServiceNotice: OptString(r.ServiceNotice),
		RequestedDatetime: inZone(r.Requested, loc), UpdatedDatetime: inZone(r.Updated, loc),
		ExpectedDatetime: inZone(r.Expected, loc), Address: OptString(r.Address),
		AddressID: OptString(r.AddressID), Zipcode: OptString(r.Zipcode), MediaURL: OptString(r.MediaURL),
	}
	if r.Point != nil {
		out.Lat = OptFloat{Value: r.Point.Lat, Set: true}
		out.Long = OptFloat{Value: r.Point.Long, Set: true}
	}
	return out
}

func inZone(t time.Time, loc *time.Location) OptTime {
	if t.IsZero() {
		return OptTime{}
	}
	return OptTime{Time: t.In(loc)}
}

// Created is the answer to a POST: the new id or a token (never both), and the service notice;
// for a public request with photos also its media_url and the photos (extended_attributes.media).
type Created struct {
	ServiceRequestID string           `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token            string           `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice    OptString        `xml:"service_notice" json:"service_notice"`
	MediaURL         OptString        `xml:"media_url,omitempty" json:"media_url,omitempty"`
	Extended         *CreatedExtended `xml:"extended_attributes,omitempty" json:"extended_attributes,omitempty"`
}

// NewCreated builds the POST answer of a stored request of a service of the given type.
func NewCreated(r open311.Request, t open311.ServiceType) Created {
	c := Created{ServiceNotice: OptString(r.ServiceNotice)}
	switch t {
	case open311.Realtime:
		c.ServiceRequestID = r.ID
	case open311.Batch:
		c.Token = r.Token
	}
	if t != open311.Blackbox && !r.Private && len(r.Media) > 0 {
		c.MediaURL = OptString(r.MediaURL)
		c.Extended = &CreatedExtended{Media: NewMedia(r.Media)}
	}
	return c
}

// TokenAnswer is the answer to a token look-up: the token, and the id once there is a public one.
type TokenAnswer struct {
	ServiceRequestID string `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token            string `xml:"token" json:"token"`
}

// NewTokenAnswer shows a token's request: its id only when it is public.
func NewTokenAnswer(r open311.Request, token string) TokenAnswer {
	a := TokenAnswer{Token: token}
	if r.Public() {
		a.ServiceRequestID = r.ID
	}
	return a
}
