package georeport

import (
	"encoding/xml"
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
	// Locales are the languages the catalog is given in (the default first), when it lists
	// any: set by SetLocales, as <locales><locale/>…</locales> in XML.
	Locales    []string    `xml:"-" json:"locales,omitempty"`
	LocaleList *localeList `xml:"locales,omitempty" json:"-"`
}

type localeList struct {
	Locale []string `xml:"locale"`
}

// SetLocales names the catalog's languages (none: neither format says anything).
func (d *Discovery) SetLocales(locales []string) {
	d.Locales, d.LocaleList = nil, nil
	if len(locales) > 0 {
		d.Locales, d.LocaleList = locales, &localeList{Locale: locales}
	}
}

// Endpoint is one API version served, in a discovery document.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     OptTime  `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}
