// Package api holds one http.Handler per Open311 operation and the single route table that both
// the local server and the Lambda functions mount. Handlers are plain net/http, receive their
// store through Options and keep no globals, so the same code serves on one machine and on AWS.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Backend is what the handlers need of a store.
type Backend interface {
	store.Catalog
	store.Keys
	store.Requests
}

// Options configure an API. Only Store is required.
type Options struct {
	Store Backend
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
	// Logger receives one line per request (default slog.Default()).
	Logger *slog.Logger
}

// API serves the operations of the route table.
type API struct {
	opt Options

	mu            sync.Mutex
	jurisdictions []open311.Jurisdiction
	fetched       time.Time
}

// New returns an API over the options' store.
func New(opt Options) *API {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = func() string { return open311.NewID(8) }
	}
	if opt.NewToken == nil {
		opt.NewToken = func() string { return open311.NewID(12) }
	}
	if opt.EndpointType == "" {
		opt.EndpointType = "production"
	}
	if opt.CatalogTTL == 0 {
		opt.CatalogTTL = time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &API{opt: opt}
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
	if status == http.StatusInternalServerError || len(msgs) == 0 {
		if status == http.StatusInternalServerError {
			a.opt.Logger.Error("internal error", "path", c.r.URL.Path, "err", err)
		}
		msgs = []string{http.StatusText(status)}
		if status == http.StatusInternalServerError {
			msgs = []string{"Internal error."}
		}
	}
	writeErrors(c.w, c.format, status, msgs...)
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

// jurisdiction picks the jurisdiction a call is about: jurisdiction_id when given (404 when
// unknown), else the default (400 when the deployment serves several and none is configured).
func (a *API) jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	const op = "api.jurisdiction"
	all, err := a.allJurisdictions(ctx)
	if err != nil {
		return open311.Jurisdiction{}, err
	}
	if id == "" {
		id = a.opt.DefaultJurisdiction
	}
	if id == "" {
		if len(all) == 1 {
			return all[0], nil
		}
		if len(all) == 0 {
			return open311.Jurisdiction{}, open311.Errorf(open311.NotFound, op, "this server has no jurisdiction configured yet")
		}
		return open311.Jurisdiction{}, open311.Errorf(open311.Invalid, op, "jurisdiction_id is required: this server serves several jurisdictions")
	}
	for _, j := range all {
		if j.ID == id {
			return j, nil
		}
	}
	return open311.Jurisdiction{}, open311.Errorf(open311.NotFound, op, "jurisdiction %q is not served here", id)
}

// allJurisdictions returns the jurisdiction list, from memory while it is fresh: the catalog
// changes rarely and this keeps single-request reads to one keyed read.
func (a *API) allJurisdictions(ctx context.Context) ([]open311.Jurisdiction, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.opt.Now()
	if a.jurisdictions != nil && a.opt.CatalogTTL > 0 && now.Sub(a.fetched) < a.opt.CatalogTTL {
		return a.jurisdictions, nil
	}
	all, err := a.opt.Store.Jurisdictions(ctx)
	if err != nil {
		return nil, open311.Wrap("api.jurisdictions", err)
	}
	a.jurisdictions, a.fetched = all, now
	return all, nil
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
