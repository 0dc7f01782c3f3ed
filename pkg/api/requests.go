package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// PostRequest is POST /requests: a new service request.
var PostRequest = Operation{Name: OpPostRequest, Routes: post(OpPostRequest, "/requests"), handle: (*API).postRequest}

func (a *API) postRequest(c call) {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, georeport.MaxMediaBodyBytes+1)
	form, files, err := georeport.ReadFormWithMedia(c.r)
	if err != nil {
		a.fail(c, err)
		return
	}
	photos := uploads(files)
	got, err := a.desk.Report(c.r.Context(), desk.Report{
		JurisdictionID: georeport.Field(form, "jurisdiction_id"),
		Key:            apiKey(c.r, form),
		IdempotencyKey: c.r.Header.Get("Idempotency-Key"),
		Submission:     georeport.Submission(form),
		Photos:         photos,
		MediaIDs:       mediaIDs(form),
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	// The request is stored: a failure to translate its answer leaves it in the default language.
	if localized, lang, err := a.desk.LocalizeReceipt(c.r.Context(), got, georeport.Languages(c.r)); err == nil {
		got = localized
		georeport.SetLanguage(c.w, lang.Locale, lang.Locales)
	}
	a.write(c, georeport.ServiceRequests{Requests: []any{georeport.NewCreated(got.Request, got.Type)}})
}

// uploads are a form's photo parts as the desk takes them.
func uploads(files []georeport.File) []desk.Upload {
	photos := make([]desk.Upload, 0, len(files))
	for _, f := range files {
		photos = append(photos, desk.Upload{ContentType: f.ContentType, Bytes: f.Bytes})
	}
	return photos
}

// GetToken is GET /tokens/{token}: the id of a batch request once it has one.
var GetToken = Operation{Name: OpToken, Routes: []Route{{OpToken, http.MethodGet, "/tokens/{file}"}}, handle: (*API).getToken}

func (a *API) getToken(c call) {
	q := c.r.URL.Query()
	res, err := a.desk.Token(c.r.Context(), georeport.Field(q, "jurisdiction_id"), c.name, readKey(c.r, q))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.ServiceRequests{Requests: []any{georeport.TokenAnswer{ServiceRequestID: res.RequestID, Token: res.Token}}})
}

// GetRequest is GET /requests/{id}: one public request (with a staff key, any of its
// jurisdiction), as a list of one.
var GetRequest = Operation{Name: OpRequest, Routes: []Route{{OpRequest, http.MethodGet, "/requests/{file}"}}, handle: (*API).getRequest}

func (a *API) getRequest(c call) {
	q := c.r.URL.Query()
	l, err := a.desk.Request(c.r.Context(), georeport.Field(q, "jurisdiction_id"), c.name, readKey(c.r, q), extensions(q))
	var lang desk.Language
	if err == nil {
		l, lang, err = a.desk.Localize(c.r.Context(), l, georeport.Languages(c.r))
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	georeport.SetLanguage(c.w, lang.Locale, lang.Locales)
	a.write(c, a.requests(l))
}

// form reads a POST's form (the body's fields, then the query string's), its body limited to
// one byte more than the documented limit, so that georeport.ReadForm can tell "too large" from
// "just fits". On failure it has answered.
func (a *API) form(c call) (url.Values, bool) {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, georeport.MaxBodyBytes+1)
	form, err := georeport.ReadForm(c.r)
	if err != nil {
		a.fail(c, err)
		return nil, false
	}
	return form, true
}

// apiKey is the caller's API key: the form's api_key, else an Authorization: Bearer header.
func apiKey(r *http.Request, form url.Values) string {
	if k := georeport.Field(form, "api_key"); k != "" {
		return k
	}
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(h)
	}
	return ""
}

// readKey is the API key of a GET: the query's api_key, else an Authorization: Bearer header.
// Unlike a POST's, a GET's key may be in the URL (the only place a GET has for a field), as
// GeoReport clients send it (a Link header then keeps it, as it keeps every field); the
// Bearer header keeps it out of URLs.
func readKey(r *http.Request, q url.Values) string { return apiKey(r, q) }

// update is a change sent to request id by the caller of a form, as the desk takes it.
func update(c call, form url.Values, id string, change open311.Change) desk.Update {
	return desk.Update{JurisdictionID: georeport.Field(form, "jurisdiction_id"), RequestID: id,
		Key: apiKey(c.r, form), Signed: georeport.Field(form, "who"), Change: change, MediaIDs: mediaIDs(form)}
}

// extensions reports whether a GET asks for extended attributes and notes (extensions=true).
func extensions(q url.Values) bool {
	switch strings.ToLower(georeport.Field(q, "extensions")) {
	case "true", "1":
		return true
	}
	return false
}

// mediaIDs are the upload slots a report names: media_id (or media_id[]), each value once or
// repeated, in order.
func mediaIDs(form url.Values) []string {
	var ids []string
	for _, k := range []string{"media_id", "media_id[]"} {
		for _, v := range form[k] {
			if v = strings.TrimSpace(v); v != "" {
				ids = append(ids, v)
			}
		}
	}
	return ids
}
