package api

import (
	"slices"
	"strings"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/opendata"
)

// The specifications discovery names for the bulk open data's endpoints.
const (
	SpecCSV     = "https://www.rfc-editor.org/rfc/rfc4180"
	SpecGeoJSON = "https://www.rfc-editor.org/rfc/rfc7946"
)

// GetDiscovery is GET /discovery: who runs this API and which versions it serves where.
var GetDiscovery = Operation{Name: OpDiscovery, Routes: get(OpDiscovery, "/discovery"), handle: (*API).getDiscovery}

func (a *API) getDiscovery(c call) {
	dir, err := a.desk.Directory(c.r.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	var d georeport.Discovery
	for _, j := range dir.All {
		if j.Changeset.After(d.Changeset.Time) {
			d.Changeset.Time = j.Changeset
		}
	}
	if dir.HasDefault {
		d.Contact, d.KeyService = dir.Default.Contact, dir.Default.KeyService
		d.Changeset.Time = d.Changeset.Time.In(dir.Default.Location())
		d.SetLocales(dir.Default.Locales)
	} else if len(dir.All) > 0 {
		d.Contact, d.KeyService = dir.All[0].Contact, dir.All[0].KeyService
	}
	// This API, then the APIs of jurisdictions served elsewhere (each once), then this API's
	// OpenAPI document: an endpoint whose specification is the document's address, which
	// GeoReport clients, looking for GeoReport's specification, pass over.
	base := a.baseURL(c.r)
	urls := []string{base}
	for _, j := range dir.All {
		if j.URL != "" && !slices.Contains(urls, j.URL) {
			urls = append(urls, j.URL)
		}
	}
	for _, u := range urls {
		d.Endpoints = append(d.Endpoints, georeport.Endpoint{
			Specification: georeport.Specification,
			URL:           u,
			Changeset:     d.Changeset,
			Type:          a.opt.EndpointType,
			Formats:       []string{"text/xml", "application/json"},
		})
	}
	d.Endpoints = append(d.Endpoints, georeport.Endpoint{
		Specification: base + OpenAPIPath,
		URL:           base,
		Changeset:     d.Changeset,
		Type:          a.opt.EndpointType,
		Formats:       []string{"text/xml", "application/json"},
	})
	// Where feeds are published, each jurisdiction's bulk open data (package opendata), as
	// endpoints whose specification is their format's: CSV (RFC 4180) and GeoJSON (RFC 7946).
	if a.opt.FeedBase != "" {
		for _, j := range dir.All {
			for _, e := range []struct{ spec, path, format string }{
				{SpecCSV, opendata.CSVPath(j.ID), "text/csv"},
				{SpecGeoJSON, opendata.GeoJSONPath(j.ID), "application/geo+json"},
			} {
				d.Endpoints = append(d.Endpoints, georeport.Endpoint{Specification: e.spec,
					URL: strings.TrimRight(a.opt.FeedBase, "/") + "/" + e.path, Changeset: d.Changeset,
					Type: a.opt.EndpointType, Formats: []string{e.format}})
			}
		}
	}
	a.write(c, d)
}

// GetServices is GET /services: the jurisdiction's service list.
var GetServices = Operation{Name: OpServices, Routes: get(OpServices, "/services"), handle: (*API).getServices}

func (a *API) getServices(c call) {
	services, lang, err := a.desk.ServicesIn(c.r.Context(), georeport.Field(c.r.URL.Query(), "jurisdiction_id"), georeport.Languages(c.r))
	if err != nil {
		a.fail(c, err)
		return
	}
	georeport.SetLanguage(c.w, lang.Locale, lang.Locales)
	a.write(c, georeport.NewServices(services))
}

// GetServiceDefinition is GET /services/{code}: a service's attributes.
var GetServiceDefinition = Operation{Name: OpServiceDefinition,
	Routes: []Route{{OpServiceDefinition, "GET", "/services/{file}"}}, handle: (*API).getServiceDefinition}

func (a *API) getServiceDefinition(c call) {
	s, lang, err := a.desk.ServiceIn(c.r.Context(), georeport.Field(c.r.URL.Query(), "jurisdiction_id"), c.name, georeport.Languages(c.r))
	if err != nil {
		a.fail(c, err)
		return
	}
	georeport.SetLanguage(c.w, lang.Locale, lang.Locales)
	a.write(c, georeport.NewServiceDefinition(s))
}
