package api

import (
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// GetJurisdictions is GET /jurisdictions: which jurisdictions serve a point (lat, long), falling
// back to the default one; without a point, all of them.
var GetJurisdictions = Operation{Name: OpJurisdictions, Routes: get(OpJurisdictions, "/jurisdictions"), handle: (*API).getJurisdictions}

func (a *API) getJurisdictions(c call) {
	ctx := c.r.Context()
	q := c.r.URL.Query()
	lat, long := georeport.Field(q, "lat"), georeport.Field(q, "long")
	var dir desk.Directory
	var err error
	if lat == "" && long == "" {
		dir, err = a.desk.Directory(ctx)
	} else {
		var pt open311.Point
		if pt, err = open311.ParsePoint(lat, long); err == nil {
			dir, err = a.desk.JurisdictionsAt(ctx, pt)
		}
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	base := a.baseURL(c.r)
	doc := georeport.Jurisdictions{Jurisdictions: []georeport.Jurisdiction{}}
	for _, j := range dir.All {
		doc.Jurisdictions = append(doc.Jurisdictions, georeport.NewJurisdiction(j, base, dir.HasDefault && j.ID == dir.Default.ID))
	}
	a.write(c, doc)
}
