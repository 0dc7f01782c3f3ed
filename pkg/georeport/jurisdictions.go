package georeport

import (
	"encoding/xml"

	"github.com/civicworks/open311/pkg/open311"
)

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
