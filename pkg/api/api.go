// Package api is the HTTP side of the Open311 GeoReport v2 API: the route table, each route
// with its handler, which the local server and the Lambda functions mount alike. A handler only
// decodes the form or query (package georeport), calls one function of the service desk
// (package desk), and encodes the answer or the error document. Error kinds map to HTTP statuses
// here, in one place; internal errors are logged and never shown.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/messages"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/websub"
)

// Options configure an API. Only Store is required.
type Options struct {
	Store desk.Store
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NewID makes request ids and NewToken batch tokens (default: 8 and 12 random characters).
	NewID, NewToken func() string
	// DefaultJurisdiction serves requests without jurisdiction_id; when empty, a deployment with
	// exactly one jurisdiction serves that one.
	DefaultJurisdiction string
	// Endpoint is the public base URL named in discovery; when empty it is derived from each request.
	Endpoint string
	// EndpointType is "production" (default) or "test", as discovery says.
	EndpointType string
	// FeedBase is the base URL of the Atom feeds (extended_attributes.feed_url); empty: none.
	FeedBase string
	// CatalogTTL is how long the jurisdiction list is kept in memory (default 60s; negative: never).
	CatalogTTL time.Duration
	// Seal seals what reporters give of themselves before it is stored (see desk.Options.Seal).
	Seal seal.Sealer
	// Logger receives one line per request (default slog.Default()).
	Logger *slog.Logger
	// EMF makes each request's log line a CloudWatch Embedded Metric Format document of its
	// metrics (package metrics), as the Lambda functions log it.
	EMF bool
	// Metrics, when set, counts every request (the local server's /metrics).
	Metrics *metrics.Counters
	// Media stores the photos sent with reports, served from MediaBase (see desk.Options);
	// without it a report with photos is refused.
	Media     media.Store
	MediaBase string
	// Uploads and Forms are the upload slots of large photos (see desk.Options); NewSlotID
	// makes their ids (default: random).
	Uploads   media.Uploads
	Forms     media.Forms
	NewSlotID func() string
	// Hub takes the WebSub subscription requests of POST /hub (HubPath) to have them verified;
	// without it the route answers 503. HubPolicy says which callbacks it takes, and the topics
	// it takes are the feeds under FeedBase.
	Hub       websub.Intents
	HubPolicy websub.Policy
}

// API serves the operations of the route table over one service desk.
type API struct {
	desk *desk.Desk
	opt  Options
}

// New returns an API over the options' store.
func New(opt Options) *API {
	if opt.EndpointType == "" {
		opt.EndpointType = "production"
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	d := desk.New(desk.Options{Store: opt.Store, Now: opt.Now, NewID: opt.NewID, NewToken: opt.NewToken,
		DefaultJurisdiction: opt.DefaultJurisdiction, CatalogTTL: opt.CatalogTTL, Seal: opt.Seal,
		Media: opt.Media, MediaBase: opt.MediaBase, Uploads: opt.Uploads, Forms: opt.Forms, NewSlotID: opt.NewSlotID})
	return &API{desk: d, opt: opt}
}

// call is one request routed to an operation: the format from the suffix, and for {file}
// routes the decoded name before the suffix.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	format georeport.Format
	name   string
}

// write sends a document with status 200.
func (a *API) write(c call, doc any) {
	if err := georeport.Write(c.w, c.format, http.StatusOK, doc); err != nil {
		a.opt.Logger.Error("write response", "err", err)
	}
}

// fail sends the error document for err: its kind picks the status; internal errors are
// logged and shown only as "Internal error.".
func (a *API) fail(c call, err error) {
	status := statusOf(err)
	msgs := open311.ErrorMessages(err)
	if status == http.StatusInternalServerError {
		a.opt.Logger.Error("internal error", "path", c.r.URL.Path, "err", err)
		msgs = []string{"Internal error."}
	} else if len(msgs) == 0 {
		msgs = []string{http.StatusText(status)}
	}
	if locale, locales := a.errorLanguage(c); locale != "" {
		for i, m := range msgs {
			msgs[i] = messages.Translate(locale, m)
		}
		georeport.SetLanguage(c.w, locale, locales)
	}
	writeErrors(c.w, c.format, status, msgs...)
}

// errorLanguage is the language of an error answer: of the request's jurisdiction's locales
// (jurisdiction_id, else the default), the one the request asks for, as for the catalog; ""
// when the jurisdiction lists none, or is not known (the answer is then in English).
func (a *API) errorLanguage(c call) (string, []string) {
	id := c.r.URL.Query().Get("jurisdiction_id")
	if id == "" && c.r.PostForm != nil {
		id = c.r.PostForm.Get("jurisdiction_id")
	}
	j, err := a.desk.Jurisdiction(c.r.Context(), id)
	if err != nil || len(j.Locales) == 0 {
		return "", nil
	}
	return j.ChooseLocale(georeport.Languages(c.r)), j.Locales
}

func writeErrors(w http.ResponseWriter, f georeport.Format, status int, msgs ...string) {
	_ = georeport.Write(w, f, status, georeport.NewErrors(status, msgs...))
}

// statusOf maps an error kind to its HTTP status; the one place that does.
func statusOf(err error) int {
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable
	}
	switch open311.ErrorKind(err) {
	case open311.Invalid:
		return http.StatusBadRequest
	case open311.NotFound:
		return http.StatusNotFound
	case open311.Forbidden:
		return http.StatusForbidden
	case open311.Conflict:
		return http.StatusConflict
	case open311.TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// baseURL is the public base of this API: the configured endpoint, or the request's scheme and host.
func (a *API) baseURL(r *http.Request) string {
	if a.opt.Endpoint != "" {
		return strings.TrimRight(a.opt.Endpoint, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return (&url.URL{Scheme: scheme, Host: r.Host}).String()
}
