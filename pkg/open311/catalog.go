package open311

import (
	"regexp"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Lambda's provided.al2023 image has no zoneinfo; jurisdictions need theirs
)

// Jurisdiction is a government (or organisation) that takes service requests, conventionally
// identified by its web domain (for example "city.example.gov").
type Jurisdiction struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	TimeZone   string `json:"time_zone"`   // IANA name; times on the wire carry its offset
	Contact    string `json:"contact"`     // who to ask about the API
	KeyService string `json:"key_service"` // how to get an API key
	// Changeset is when the catalog last changed; clients refresh cached service lists on change.
	Changeset time.Time `json:"changeset"`
	// AddressScheme is the jurisdiction's own third-party address id scheme, if it has one.
	AddressScheme *AddressScheme `json:"address_scheme,omitempty"`
	// URL is the base URL of the GeoReport API that serves the jurisdiction (for jurisdiction
	// discovery); empty means this deployment's own.
	URL string `json:"url,omitempty"`
	// Areas are the jurisdiction's named areas (wards, districts), each with a feed of its own.
	Areas []Area `json:"areas,omitempty"`
	// Boundary is the jurisdiction's area, used to route a location to the jurisdiction serving it.
	Boundary *Boundary `json:"boundary,omitempty"`
	// Locales are the languages (BCP 47 tags) the catalog's texts are given in, the default
	// first; none for a catalog in one language (locale.go).
	Locales []string `json:"locales,omitempty"`
}

// Location returns the jurisdiction's time zone, or UTC when it has none or an unknown one.
// Zones are loaded once per process: every time on the wire is shown in one.
func (j Jurisdiction) Location() *time.Location {
	if j.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := zones.Load(j.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(j.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(j.TimeZone, loc)
	return loc
}

// zones holds the time zones loaded, by name.
var zones sync.Map

// AddressScheme describes the identifiers a jurisdiction uses for addresses (address_id).
type AddressScheme struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Pattern     string `json:"pattern"` // a regular expression an address_id must match in full
	// Translations are its name and description in other locales of the jurisdiction.
	Translations map[string]SchemeText `json:"translations,omitempty"`
}

// Valid reports whether id is an address id of this scheme.
func (s *AddressScheme) Valid(id string) bool {
	if s == nil || s.Pattern == "" {
		return true
	}
	re, err := regexp.Compile("^(?:" + s.Pattern + ")$")
	if err != nil {
		return false
	}
	return re.MatchString(id)
}

// ServiceType says what a POST of a request to the service returns.
type ServiceType string

// The service types of GeoReport v2.
const (
	Realtime ServiceType = "realtime" // POST returns a service_request_id
	Batch    ServiceType = "batch"    // POST returns a token, resolved to an id later
	Blackbox ServiceType = "blackbox" // POST returns neither; requests are never public
)

// Service is one kind of request a jurisdiction takes (a pothole, a broken street light).
type Service struct {
	JurisdictionID string      `json:"jurisdiction_id"`
	Code           string      `json:"service_code"`
	Name           string      `json:"service_name"`
	Description    string      `json:"description"`
	Type           ServiceType `json:"type"`
	Keywords       []string    `json:"keywords"`
	Group          string      `json:"group"`
	// Notice is told to reporters on submission (service_notice), e.g. the expected response time.
	Notice     string      `json:"notice,omitempty"`
	Attributes []Attribute `json:"attributes"`
	// Translations are its texts in other locales of the jurisdiction (locale.go).
	Translations map[string]ServiceText `json:"translations,omitempty"`
}

// Metadata reports whether the service has a definition with attributes.
func (s Service) Metadata() bool { return len(s.Attributes) > 0 }

// Private reports whether the service's requests are kept out of every public listing and feed:
// blackbox services and services with the keyword "private".
func (s Service) Private() bool {
	if s.Type == Blackbox {
		return true
	}
	for _, k := range s.Keywords {
		if strings.EqualFold(strings.TrimSpace(k), "private") {
			return true
		}
	}
	return false
}

// Datatype is the type of an attribute's value.
type Datatype string

// The attribute datatypes of GeoReport v2.
const (
	String          Datatype = "string"
	Number          Datatype = "number"
	DateTime        Datatype = "datetime"
	Text            Datatype = "text"
	SingleValueList Datatype = "singlevaluelist"
	MultiValueList  Datatype = "multivaluelist"
)

// Attribute is one field of a service definition.
type Attribute struct {
	// Variable false means the attribute is informational text only and takes no value.
	Variable            bool             `json:"variable"`
	Code                string           `json:"code"`
	Datatype            Datatype         `json:"datatype"`
	Required            bool             `json:"required"`
	DatatypeDescription string           `json:"datatype_description"`
	Order               int              `json:"order"`
	Description         string           `json:"description"`
	Values              []AttributeValue `json:"values,omitempty"`
	// Translations are its texts in other locales of the jurisdiction (locale.go).
	Translations map[string]AttributeText `json:"translations,omitempty"`
}

// AttributeValue is one choice of a list attribute.
type AttributeValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// IsList reports whether the attribute takes values from its list.
func (a Attribute) IsList() bool {
	return a.Datatype == SingleValueList || a.Datatype == MultiValueList
}

// HasKey reports whether key is one of the attribute's list keys.
func (a Attribute) HasKey(key string) bool {
	for _, v := range a.Values {
		if v.Key == key {
			return true
		}
	}
	return false
}

// ValidateCatalog checks a jurisdiction's services for the mistakes a catalog file can hold.
func ValidateCatalog(j Jurisdiction, services []Service) error {
	var p Problems
	if strings.TrimSpace(j.ID) == "" {
		p.Add("a jurisdiction needs an id")
	} else if strings.TrimSpace(j.ID) != j.ID {
		p.Add("jurisdiction id %q has spaces around it, which clients' jurisdiction_id never has", j.ID)
	}
	if j.TimeZone != "" {
		if _, err := time.LoadLocation(j.TimeZone); err != nil {
			p.Add("jurisdiction %s: unknown time zone %q", j.ID, j.TimeZone)
		}
	}
	if j.AddressScheme != nil && j.AddressScheme.Pattern != "" {
		if _, err := regexp.Compile(j.AddressScheme.Pattern); err != nil {
			p.Add("jurisdiction %s: address scheme pattern does not compile: %v", j.ID, err)
		}
	}
	validateAreas(&p, j)
	if j.Boundary != nil {
		if err := j.Boundary.Validate(); err != nil {
			p.Add("jurisdiction %s: %v", j.ID, err)
		}
	}
	validateLocales(&p, j, services)
	seen := map[string]bool{}
	for _, s := range services {
		if s.Code == "" {
			p.Add("a service of %s has no code", j.ID)
		} else if strings.TrimSpace(s.Code) != s.Code {
			p.Add("service code %q has spaces around it, which clients' service_code never has", s.Code)
		}
		if seen[s.Code] {
			p.Add("service code %q appears twice", s.Code)
		}
		seen[s.Code] = true
		switch s.Type {
		case Realtime, Batch, Blackbox:
		default:
			p.Add("service %q: type must be realtime, batch or blackbox", s.Code)
		}
		orders, codes := map[int]bool{}, map[string]bool{}
		for _, a := range s.Attributes {
			if a.Code == "" {
				p.Add("service %q: an attribute has no code", s.Code)
			} else if strings.ContainsAny(a.Code, "[]") {
				p.Add("service %q: attribute code %q holds a bracket, which no attribute[CODE] field can carry", s.Code, a.Code)
			}
			if codes[a.Code] {
				p.Add("service %q: attribute code %q appears twice", s.Code, a.Code)
			}
			codes[a.Code] = true
			if a.Order <= 0 || orders[a.Order] {
				p.Add("service %q: attribute %q needs a positive order unique within the service", s.Code, a.Code)
			}
			orders[a.Order] = true
			switch a.Datatype {
			case String, Number, DateTime, Text:
			case SingleValueList, MultiValueList:
				if len(a.Values) == 0 && a.Variable {
					p.Add("service %q: list attribute %q has no values", s.Code, a.Code)
				}
			default:
				p.Add("service %q: attribute %q has unknown datatype %q", s.Code, a.Code, a.Datatype)
			}
		}
	}
	return p.Err("open311.ValidateCatalog")
}
