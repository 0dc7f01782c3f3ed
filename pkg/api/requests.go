package api

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// postRequest answers POST /requests: a new service request.
func (a *API) postRequest(c call) {
	const op = "api.postRequest"
	ctx := c.r.Context()
	form, j, _, ok := a.postPreamble(c, "")
	if !ok {
		return
	}
	sub := georeport.Submission(form)
	if sub.ServiceCode == "" {
		a.fail(c, open311.Errorf(open311.Invalid, op, "service_code is required"))
		return
	}
	s, err := a.service(ctx, j, sub.ServiceCode)
	if err != nil {
		a.fail(c, err)
		return
	}
	// Idempotency-Key makes a retried POST answer what the first one did, and store nothing
	// more: the key is kept, unique, on the request's creation activity.
	idem := strings.TrimSpace(c.r.Header.Get("Idempotency-Key"))
	if len(idem) > 200 {
		a.fail(c, open311.Errorf(open311.Invalid, op, "the Idempotency-Key header is longer than 200 characters"))
		return
	}
	var r open311.Request
	for attempt := 0; ; attempt++ {
		if idem != "" {
			if first, found, err := a.createdBefore(ctx, j, idem); err != nil || found {
				if err != nil {
					a.fail(c, err)
					return
				}
				r = first
				break
			}
		}
		r, err = open311.NewRequest(j, s, sub, a.opt.NewID(), a.opt.NewToken(), a.opt.Now())
		if err != nil {
			a.fail(c, err)
			return
		}
		created := open311.Activity{
			ID: open311.ActivityID(r.ID, r.Version, 1), RequestID: r.ID, JurisdictionID: j.ID, At: r.Requested,
			Who: "reporter", Kind: open311.KindCreated, Summary: "Reported to " + s.Name + ".", Status: r.Status,
		}
		if idem != "" {
			created.ClientUpdateID = idempotencyPrefix + idem
		}
		err = a.opt.Store.CreateRequest(ctx, r, created)
		if !open311.IsKind(err, open311.Conflict) || attempt == 2 {
			break // a conflict is a clash of random ids, or a retry racing us: look again
		}
	}
	if err != nil {
		a.fail(c, open311.Wrap(op, err))
		return
	}
	a.write(c, georeport.ServiceRequests{Requests: []any{georeport.NewCreated(r, s.Type)}})
}

// idempotencyPrefix marks the client update ids that hold a POST's Idempotency-Key.
const idempotencyPrefix = "idempotency-key:"

// createdBefore finds the request a POST with the same Idempotency-Key created.
func (a *API) createdBefore(ctx context.Context, j open311.Jurisdiction, key string) (open311.Request, bool, error) {
	act, err := a.opt.Store.ActivityByClientID(ctx, j.ID, idempotencyPrefix+key)
	if open311.IsKind(err, open311.NotFound) {
		return open311.Request{}, false, nil
	}
	if err != nil {
		return open311.Request{}, false, err
	}
	r, err := a.opt.Store.Request(ctx, j.ID, act.RequestID)
	return r, err == nil, err
}

// authorize checks an API key, from the form's api_key or an Authorization: Bearer header.
func (a *API) authorize(ctx context.Context, r *http.Request, secret, jurisdictionID string) (open311.APIKey, error) {
	const op = "api.authorize"
	if secret == "" {
		if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secret = strings.TrimSpace(h)
		}
	}
	if secret == "" {
		return open311.APIKey{}, open311.Errorf(open311.Forbidden, op, "an api_key is required")
	}
	k, err := a.opt.Store.APIKey(ctx, open311.HashKey(secret))
	if open311.IsKind(err, open311.NotFound) || (err == nil && (!k.Matches(secret) || !k.Allows(jurisdictionID))) {
		return open311.APIKey{}, open311.Errorf(open311.Forbidden, op, "the api_key is not valid here")
	}
	if err != nil {
		return open311.APIKey{}, open311.Wrap(op, err)
	}
	return k, nil
}

// getToken answers GET /tokens/{token}: the id of a batch request once it has one.
func (a *API) getToken(c call) {
	ctx := c.r.Context()
	j, err := a.jurisdiction(ctx, georeport.Field(c.r.URL.Query(), "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	r, err := a.opt.Store.RequestByToken(ctx, j.ID, c.name)
	if err == nil && r.Private {
		err = open311.Errorf(open311.NotFound, "", "")
	}
	if open311.IsKind(err, open311.NotFound) {
		err = open311.Errorf(open311.NotFound, "api.getToken", "there is no request with the token %q", c.name)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, georeport.ServiceRequests{Requests: []any{georeport.NewTokenAnswer(r, c.name)}})
}

// getRequest answers GET /requests/{id}: one public request, as a list of one.
func (a *API) getRequest(c call) {
	ctx := c.r.Context()
	j, err := a.jurisdiction(ctx, georeport.Field(c.r.URL.Query(), "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	r, err := a.opt.Store.Request(ctx, j.ID, c.name)
	if err == nil && !r.Public() {
		err = open311.Errorf(open311.NotFound, "", "")
	}
	if open311.IsKind(err, open311.NotFound) {
		err = open311.Errorf(open311.NotFound, "api.getRequest", "there is no request with the id %q", c.name)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	doc, err := a.requestsDoc(ctx, j, []open311.Request{r}, extensions(c.r.URL.Query()))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.write(c, doc)
}

// extensions reports whether a GET asks for extended attributes and notes (extensions=true).
func extensions(q url.Values) bool {
	v, _ := parseBool(georeport.Field(q, "extensions"))
	return v
}

// parseBool reads true/false/1/0 in any case.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// httpMaxBytes limits a POST body to one byte more than the documented limit, so that
// georeport.ReadForm can tell "too large" from "just fits".
func httpMaxBytes(c call) io.ReadCloser {
	return http.MaxBytesReader(c.w, c.r.Body, georeport.MaxBodyBytes+1)
}
