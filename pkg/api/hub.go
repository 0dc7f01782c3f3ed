package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/websub"
)

// HubPath is the path of the WebSub hub every feed names (rel="hub").
const HubPath = "/hub"

// MaxHubBodyBytes bounds a subscription request's form: its callback and topic, its secret and
// lease, with room to spare.
const MaxHubBodyBytes = 8 << 10

// Retry-After of a 503 of the hub: when it is busy, and when this server runs none.
const (
	hubBusyRetry = "60"
	hubNoneRetry = "3600"
)

// PostHub is POST /hub: a WebSub subscription request (subscribe or unsubscribe to a feed), taken
// to be verified with its subscriber later (Options.Hub). It speaks WebSub, not GeoReport: its
// answers are plain text.
var PostHub = Operation{Name: OpPostHub, Routes: []Route{{OpPostHub, http.MethodPost, HubPath}}, handle: (*API).postHub}

func (a *API) postHub(c call) {
	if a.opt.Hub == nil {
		c.w.Header().Set("Retry-After", hubNoneRetry)
		writeText(c.w, http.StatusServiceUnavailable, "This server runs no WebSub hub.")
		return
	}
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			writeText(c.w, http.StatusBadRequest, "The body must be a form, application/x-www-form-urlencoded.")
			return
		}
	}
	if c.r.ContentLength > MaxHubBodyBytes {
		writeText(c.w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", MaxHubBodyBytes))
		return
	}
	var body []byte
	var err error
	if c.r.Body != nil { // a server's request always has one; a handler called directly may not
		body, err = io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, MaxHubBodyBytes))
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeText(c.w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", MaxHubBodyBytes))
		return
	}
	if err != nil {
		writeText(c.w, http.StatusBadRequest, "The body could not be read.")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeText(c.w, http.StatusBadRequest, "The body is not a well-formed form.")
		return
	}
	req, err := a.opt.HubPolicy.ParseRequest(form, func(topic string) bool { return a.isTopic(c, topic) })
	if err != nil {
		writeText(c.w, http.StatusBadRequest, hubProblem(err)+".")
		return
	}
	if err := a.opt.Hub.Enqueue(c.r.Context(), req); err != nil {
		if errors.Is(err, websub.ErrBusy) {
			c.w.Header().Set("Retry-After", hubBusyRetry)
			writeText(c.w, http.StatusServiceUnavailable, "The hub is busy; ask again later.")
			return
		}
		a.opt.Logger.Error("internal error", "path", c.r.URL.Path, "err", fmt.Errorf("enqueue a %s request: %w", req.Mode, err))
		writeText(c.w, http.StatusInternalServerError, "Internal error.")
		return
	}
	writeText(c.w, http.StatusAccepted, "Accepted: the hub will ask the callback to confirm.")
}

// hubProblem is what ParseRequest found wrong, as a subscriber reads it.
func hubProblem(err error) string {
	return "Refused: " + strings.TrimPrefix(err.Error(), websub.ErrForbidden.Error()+": ")
}

// isTopic reports whether topic is a feed of this hub: the URL, exactly as the feed names itself
// (rel="self"), of a feed under the feed base of a jurisdiction this API serves.
func (a *API) isTopic(c call, topic string) bool {
	base := strings.TrimRight(a.opt.FeedBase, "/")
	if base == "" {
		return false
	}
	path, ok := strings.CutPrefix(topic, base+"/")
	if !ok {
		return false
	}
	f, err := feed.ParsePath(path)
	if err != nil || f.Valid() != nil || f.URL(base) != topic {
		return false
	}
	j, err := a.desk.Jurisdiction(c.r.Context(), f.JurisdictionID)
	return err == nil && j.ID == f.JurisdictionID
}

// writeText sends a plain-text answer: the hub's, which WebSub subscribers read.
func writeText(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)+1))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
