package api

import (
	"context"
	"slices"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// getDiscovery answers GET /discovery: who runs this API and which versions it serves where.
func (a *API) getDiscovery(c call) {
	all, err := a.allJurisdictions(c.r.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	var d georeport.Discovery
	for _, j := range all {
		if j.Changeset.After(d.Changeset.Time) {
			d.Changeset.Time = j.Changeset
		}
	}
	if j, err := a.jurisdiction(c.r.Context(), ""); err == nil {
		d.Contact, d.KeyService = j.Contact, j.KeyService
		d.Changeset.Time = d.Changeset.Time.In(j.Location())
	} else if len(all) > 0 {
		d.Contact, d.KeyService = all[0].Contact, all[0].KeyService
	}
	// This API, then the APIs of jurisdictions served elsewhere (each once).
	urls := []string{a.baseURL(c.r)}
	for _, j := range all {
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
	a.write(c, d)
}

// getServices answers GET /services: the jurisdiction's service list.
func (a *API) getServices(c call) {
	q := c.r.URL.Query()
	j, err := a.jurisdiction(c.r.Context(), georeport.Field(q, "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	services, err := a.opt.Store.Services(c.r.Context(), j.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.NewServices(services))
}

// getServiceDefinition answers GET /services/{code}: a service's attributes.
func (a *API) getServiceDefinition(c call) {
	j, err := a.jurisdiction(c.r.Context(), georeport.Field(c.r.URL.Query(), "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	s, err := a.service(c.r.Context(), j, c.name)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.NewServiceDefinition(s))
}

// service finds a service of a jurisdiction, with a readable 404.
func (a *API) service(ctx context.Context, j open311.Jurisdiction, code string) (open311.Service, error) {
	s, err := a.opt.Store.Service(ctx, j.ID, code)
	if open311.IsKind(err, open311.NotFound) {
		return open311.Service{}, open311.Errorf(open311.NotFound, "api.service", "there is no service with the code %q", code)
	}
	return s, err
}
