package api

import (
	"net/http"

	"github.com/civicworks/open311/pkg/georeport"
)

// UpdateRequest is POST /requests/{id}, the staff interface: staff change a request's status,
// assignment, expected time, notes and links; anyone with a key may comment. The answer is the
// request as GET /requests/{id}?extensions=true shows it.
var UpdateRequest = Operation{Name: OpUpdateRequest, Routes: []Route{{OpUpdateRequest, http.MethodPost, "/requests/{file}"}},
	handle: (*API).updateRequest}

func (a *API) updateRequest(c call) {
	form, ok := a.form(c)
	if !ok {
		return
	}
	change, err := georeport.StaffUpdate(form)
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.desk.Update(c.r.Context(), update(c, form, c.name, change))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, a.requests(l))
}
