package georeport

import (
	"encoding/xml"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

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
