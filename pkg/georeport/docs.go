package georeport

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// Specification is the URL that names GeoReport v2 in discovery documents.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Discovery is the discovery document (an object in JSON).
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  OptTime    `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// Endpoint is one API version served, in a discovery document.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     OptTime  `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// Services is the service list (a top-level array in JSON).
type Services struct {
	XMLName  xml.Name  `xml:"services" json:"-"`
	Services []Service `xml:"service"`
}

func (s Services) list() any { return nonNil(s.Services) }

// Service is one entry of the service list.
type Service struct {
	ServiceCode string `xml:"service_code" json:"service_code"`
	ServiceName string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

// NewServices builds the service list of a catalog.
func NewServices(services []open311.Service) Services {
	out := Services{Services: make([]Service, 0, len(services))}
	for _, s := range services {
		out.Services = append(out.Services, Service{
			ServiceCode: s.Code, ServiceName: s.Name, Description: s.Description,
			Metadata: s.Metadata(), Type: string(s.Type), Keywords: strings.Join(s.Keywords, ","), Group: s.Group,
		})
	}
	return out
}

// ServiceDefinition is a service's attributes (an object in JSON).
type ServiceDefinition struct {
	XMLName     xml.Name    `xml:"service_definition" json:"-"`
	ServiceCode string      `xml:"service_code" json:"service_code"`
	Attributes  []Attribute `xml:"attributes>attribute" json:"attributes"`
}

// Attribute is one field of a service definition.
type Attribute struct {
	Variable            bool   `xml:"variable" json:"variable"`
	Code                string `xml:"code" json:"code"`
	Datatype            string `xml:"datatype" json:"datatype"`
	Required            bool   `xml:"required" json:"required"`
	DatatypeDescription string `xml:"datatype_description" json:"datatype_description"`
	Order               int    `xml:"order" json:"order"`
	Description         string `xml:"description" json:"description"`
	// Values of a list attribute; other attributes have none, and no <values> element.
	Values    []Value `xml:"-" json:"values,omitempty"`
	XMLValues *Values `xml:"values,omitempty" json:"-"`
}

// Values wraps a list attribute's values in XML.
type Values struct {
	Values []Value `xml:"value"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// NewServiceDefinition builds the definition document of a service, attributes in their order.
func NewServiceDefinition(s open311.Service) ServiceDefinition {
	d := ServiceDefinition{ServiceCode: s.Code, Attributes: make([]Attribute, 0, len(s.Attributes))}
	attrs := append([]open311.Attribute(nil), s.Attributes...)
	sortAttributes(attrs)
	for _, a := range attrs {
		out := Attribute{Variable: a.Variable, Code: a.Code, Datatype: string(a.Datatype), Required: a.Required,
			DatatypeDescription: a.DatatypeDescription, Order: a.Order, Description: a.Description}
		for _, v := range a.Values {
			out.Values = append(out.Values, Value(v))
		}
		if len(out.Values) > 0 {
			out.XMLValues = &Values{Values: out.Values}
		}
		d.Attributes = append(d.Attributes, out)
	}
	return d
}

func sortAttributes(a []open311.Attribute) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].Order < a[j-1].Order; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

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

// Created is the answer to a POST: the new id or a token (never both), and the service notice.
type Created struct {
	ServiceRequestID string    `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token            string    `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice    OptString `xml:"service_notice" json:"service_notice"`
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

// Errors is the error document (a top-level array in JSON).
type Errors struct {
	XMLName xml.Name `xml:"errors" json:"-"`
	Errors  []Error  `xml:"error"`
}

func (e Errors) list() any { return nonNil(e.Errors) }

// Error is one error: the HTTP status as code, and a description an end user can read.
type Error struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// NewErrors builds an error document of one status with one error per description.
func NewErrors(status int, descriptions ...string) Errors {
	e := Errors{}
	for _, d := range descriptions {
		e.Errors = append(e.Errors, Error{Code: status, Description: d})
	}
	return e
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
