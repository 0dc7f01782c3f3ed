package api

import (
	"strconv"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/messages"
	"github.com/civicworks/open311/pkg/open311"
)

// PostRequestUpdate is POST /servicerequestupdates as FixMyStreet sends it: a comment, and from
// a staff key a status in FixMyStreet's words. update_id makes a repeat harmless.
var PostRequestUpdate = Operation{Name: OpPostRequestUpdate, Routes: post(OpPostRequestUpdate, "/servicerequestupdates"),
	handle: (*API).postRequestUpdate}

func (a *API) postRequestUpdate(c call) {
	form, photos, ok := a.formWithPhotos(c)
	if !ok {
		return
	}
	id, change, err := georeport.FixMyStreetUpdate(form)
	if err != nil {
		a.fail(c, err)
		return
	}
	u := update(c, form, id, change)
	u.Photos = photos
	act, err := a.desk.PostUpdate(c.r.Context(), u)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.RequestUpdates{Updates: []any{georeport.UpdateID{UpdateID: act.ID}}})
}

// GetRequestUpdates is GET /servicerequestupdates: the updates of public requests between
// start_date and end_date (default: the last 24 hours; at most 90 days), oldest first.
var GetRequestUpdates = Operation{Name: OpRequestUpdates, Routes: get(OpRequestUpdates, "/servicerequestupdates"),
	handle: (*API).getRequestUpdates}

func (a *API) getRequestUpdates(c call) {
	params, err := query(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	var p open311.Problems
	s := desk.UpdateSearch{
		JurisdictionID: georeport.Field(params, "jurisdiction_id"),
		Start:          timeParam(params, "start_date", &p),
		End:            timeParam(params, "end_date", &p),
		PageSize:       whole(params, "page_size", "page_size must be a whole number from 1 to "+strconv.Itoa(desk.MaxPageSize), &p),
		Cursor:         georeport.Field(params, "cursor"),
	}
	if err := p.Err("api.getRequestUpdates"); err != nil {
		a.fail(c, err)
		return
	}
	u, err := a.desk.Updates(c.r.Context(), s)
	if err != nil {
		a.fail(c, err)
		return
	}
	doc := georeport.RequestUpdates{Updates: make([]any, 0, len(u.Activities))}
	locale := ""
	if j := u.Jurisdiction; len(j.Locales) > 0 {
		locale = j.ChooseLocale(georeport.Languages(c.r))
		georeport.SetLanguage(c.w, locale, j.Locales)
	}
	for _, act := range u.Activities {
		if locale != "" && act.Description == "" {
			// An update without words of its own shows the system's summary, in the language asked.
			act.Summary = messages.TranslateText(locale, act.Summary)
		}
		doc.Updates = append(doc.Updates, georeport.NewRequestUpdate(act, u.Jurisdiction.Location()))
	}
	setNext(c, params, u.Next)
	a.write(c, doc)
}
