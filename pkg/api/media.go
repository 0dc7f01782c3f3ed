package api

import (
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
)

// PostMedia is POST /media: an upload slot for a photo larger than a report's body takes.
var PostMedia = Operation{Name: OpPostMedia, Routes: post(OpPostMedia, "/media"), handle: (*API).postMedia}

func (a *API) postMedia(c call) {
	form, ok := a.form(c)
	if !ok {
		return
	}
	s, err := a.desk.NewSlot(c.r.Context(), desk.SlotRequest{JurisdictionID: georeport.Field(form, "jurisdiction_id"),
		Key: apiKey(c.r, form), ContentType: georeport.Field(form, "content_type")})
	if err != nil {
		a.fail(c, err)
		return
	}
	fields := make([]georeport.FormField, 0, len(s.Form.Fields))
	for _, f := range s.Form.Fields {
		fields = append(fields, georeport.FormField{Name: f.Name, Value: f.Value})
	}
	loc := s.Jurisdiction.Location()
	a.write(c, georeport.MediaSlots{Slots: []georeport.MediaSlot{georeport.NewMediaSlot(s.ID, s.Expires, s.Form.URL, s.UploadExpires,
		s.MaxBytes, s.ContentType, fields, loc)}})
}
