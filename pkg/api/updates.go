package api

import (
	"net/http"
	"net/url"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
)

// UpdateRequest is POST /requests/{id}, the staff interface: staff change a request's status,
// assignment, expected time, notes and links; anyone with a key may comment. The answer is the
// request as GET /requests/{id}?extensions=true shows it.
var UpdateRequest = Operation{Name: OpUpdateRequest, Routes: []Route{{OpUpdateRequest, http.MethodPost, "/requests/{file}"}},
	handle: (*API).updateRequest}

func (a *API) updateRequest(c call) {
	form, photos, ok := a.formWithPhotos(c)
	if !ok {
		return
	}
	change, err := georeport.StaffUpdate(form)
	if err != nil {
		a.fail(c, err)
		return
	}
	u := update(c, form, c.name, change)
	u.Photos = photos
	l, err := a.desk.Update(c.r.Context(), u)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, a.requests(l))
}

// formWithPhotos reads an update's form with the photos of its media parts (a multipart body
// up to georeport.MaxMediaBodyBytes), as the desk takes them. On failure it has answered.
func (a *API) formWithPhotos(c call) (url.Values, []desk.Upload, bool) {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, georeport.MaxMediaBodyBytes+1)
	form, files, err := georeport.ReadUpdateWithMedia(c.r)
	if err != nil {
		a.fail(c, err)
		return nil, nil, false
	}
	return form, uploads(files), true
}
