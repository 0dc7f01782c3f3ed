// Package store defines where the system keeps its state: the Store interface every backend
// implements, the query it answers, and (in storetest) the conformance suite that proves an
// implementation behaves as the API expects.
//
// Errors returned by a Store are *open311.Error values: open311.NotFound when an item does not
// exist, open311.Conflict when a conditional write loses (an item exists already, or a request
// changed since it was read), open311.Invalid for a malformed cursor, open311.Internal otherwise.
package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// MaxPageSize is the most requests one query returns, as GeoReport v2 allows.
const MaxPageSize = 1000

// Catalog is the read side of jurisdictions and services.
type Catalog interface {
	// Jurisdictions returns every jurisdiction, ordered by id.
	Jurisdictions(ctx context.Context) ([]open311.Jurisdiction, error)
	// Jurisdiction returns one jurisdiction, or NotFound.
	Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error)
	// Services returns a jurisdiction's services ordered by code (an empty list for none).
	Services(ctx context.Context, jurisdictionID string) ([]open311.Service, error)
	// Service returns one service with its attributes, or NotFound.
	Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error)
}

// Keys looks up API keys.
type Keys interface {
	// APIKey returns the key whose hash is given (revoked keys too, with Revoked set), or NotFound.
	APIKey(ctx context.Context, hash string) (open311.APIKey, error)
	// TouchAPIKey records that the key was used on day (a UTC midnight): its LastUsed becomes
	// day unless it is that day or later already. Nothing else of the key changes; an unknown
	// hash is no error and writes nothing.
	TouchAPIKey(ctx context.Context, hash string, day time.Time) error
}

// Requests reads and writes service requests and their activities.
type Requests interface {
	// CreateRequest stores a new request and the activity recording its creation in one atomic
	// write. It fails with Conflict when a request with the same id (or the same non-empty
	// token) exists, and then writes nothing.
	CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error
	// Request returns one request by id, or NotFound. Private and submitted requests are
	// returned too: hiding them from the public is the API's job.
	Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error)
	// RequestByToken returns the request a token was issued for, or NotFound.
	RequestByToken(ctx context.Context, jurisdictionID, token string) (open311.Request, error)
	// QueryRequests returns the requests matching q, newest first, one page at a time.
	QueryRequests(ctx context.Context, q Query) (Page, error)
	// UpdateRequests reads requests of one jurisdiction, lets change modify them (it receives
	// them in the order of ids) and return the activities that record the change, and writes
	// every request (each version+1, Updated set by change) and those activities in one atomic
	// write: all or none. It fails with NotFound if any id is unknown, with Conflict if any of
	// the requests changed meanwhile or an activity's non-empty ClientUpdateID is already used
	// in the jurisdiction, and with Invalid for an empty ids or an id given twice; then nothing
	// is written. An error from change aborts the update and is returned as is. The function
	// UpdateRequest is the one-request case.
	UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error)
	// ActivityByClientID returns the activity recorded with a client's update id, or NotFound.
	ActivityByClientID(ctx context.Context, jurisdictionID, clientUpdateID string) (open311.Activity, error)
	// Updates returns the activities of a jurisdiction whose request was public right after the
	// activity was written, by time (oldest first, ties by id), one page at a time.
	Updates(ctx context.Context, q UpdateQuery) (UpdatePage, error)
	// Activities returns a request's activities, oldest first (those of one instant in the
	// order they were written); an empty list for an unknown request.
	Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error)
	// RecentActivities returns the most recent activities that Updates lists (those written
	// while their request was public) of a jurisdiction, or of one service of it, newest first,
	// ties by activity id descending, at most q.Limit of them, each with what a feed entry shows
	// of its request: the aggregate feeds' read, bounded by q.Limit whatever is stored. An empty
	// list when there are none. It fails with Invalid for a negative Limit, or for a query of
	// more than one of a service, a cell and an area.
	RecentActivities(ctx context.Context, q RecentQuery) ([]Entry, error)
}

// Admin writes the catalog and keys; used by operator tooling and the local stack's seeding.
type Admin interface {
	// PutJurisdiction creates or replaces a jurisdiction.
	PutJurisdiction(ctx context.Context, j open311.Jurisdiction) error
	// PutService creates or replaces a service (with its definition).
	PutService(ctx context.Context, s open311.Service) error
	// DeleteService removes a service, or returns NotFound; requests made to it stay.
	DeleteService(ctx context.Context, jurisdictionID, code string) error
	// PutAPIKey creates or replaces a key (revoking is a put with Revoked set).
	PutAPIKey(ctx context.Context, k open311.APIKey) error
	// APIKeys returns every key, revoked and expired ones too, oldest first (ties by hash):
	// what an operator lists to find a key to revoke.
	APIKeys(ctx context.Context) ([]open311.APIKey, error)
}

// Reporters finds the requests that still hold a reporter's personal data: what the retention
// of personal data erases when its time comes, and what an operator's search for a person reads.
type Reporters interface {
	// ReporterRequests returns requests of one jurisdiction that hold a reporter
	// (open311.Request.HoldsReporter), public or not, one page at a time, in ReporterOrder.
	// With ClosedBefore set it returns only those closed (open311.Request.ClosedAt) before it.
	// It fails with Invalid for a cursor it did not give out.
	ReporterRequests(ctx context.Context, q ReporterQuery) (Page, error)
}

// Slots keeps the upload slots of large photos (POST /media) and uses them up with the request
// that names them.
type Slots interface {
	// PutSlot stores a new slot. It fails with Conflict when a slot of that id exists.
	PutSlot(ctx context.Context, s open311.UploadSlot) error
	// Slot returns the slot of that id, used or not, or NotFound (also once an expired slot
	// is gone: a store may delete a slot some time after it expired).
	Slot(ctx context.Context, id string) (open311.UploadSlot, error)
	// CreateRequestWithSlots is CreateRequest that also marks each slot as used by the request
	// (RequestID), in the same atomic write. It fails with Conflict, writing nothing, when any
	// slot is unknown or used already, as CreateRequest fails.
	CreateRequestWithSlots(ctx context.Context, r open311.Request, created open311.Activity, slotIDs []string) error
}

// Subscriptions keeps the WebSub hub's confirmed subscriptions (package websub). It joins Store
// once every backend implements it.
type Subscriptions interface {
	// PutSubscription creates or replaces the subscription of s.Callback to s.Topic (a
	// renewal replaces the secret and the lease).
	PutSubscription(ctx context.Context, s open311.Subscription) error
	// DeleteSubscription removes the subscription of callback to topic; an unknown one is no
	// error.
	DeleteSubscription(ctx context.Context, topic, callback string) error
	// Subscription returns the subscription of callback to topic whose lease runs at now, or
	// NotFound (also for an expired one, which a store may delete some time after it expired).
	Subscription(ctx context.Context, topic, callback string, now time.Time) (open311.Subscription, error)
	// Subscribers returns the subscriptions of a topic whose lease runs at now, ordered by
	// callback, at most limit (1..MaxPageSize) of them after cursor (an opaque
	// SubscriberPage.Next, "" for the first page): a topic's subscribers are read a page at a
	// time, whatever their number. It fails with Invalid for a cursor it did not give out or a
	// limit out of range.
	Subscribers(ctx context.Context, topic string, now time.Time, cursor string, limit int) (SubscriberPage, error)
}

// SubscriberPage is one page of a topic's subscribers; Next is "" on the last page.
type SubscriberPage struct {
	Subscriptions []open311.Subscription
	Next          string
}

// Store is everything the API and the tooling need.
type Store interface {
	Catalog
	Keys
	Requests
	Reporters
	Admin
	Slots
}

// ReporterQuery selects requests that hold a reporter's personal data.
type ReporterQuery struct {
	JurisdictionID string
	// ClosedBefore, when set, keeps the requests closed before it.
	ClosedBefore time.Time
	// Limit is the page size, 1..MaxPageSize (0 means MaxPageSize).
	Limit int
	// Cursor continues after the last request of a previous page (an opaque Page.Next).
	Cursor string
}

// ReporterOrder is where a request holding a reporter sorts among those of its jurisdiction:
// closed requests first, the longest closed first, then open ones, the oldest first; ties by
// id. closed is whether the request is closed, and at when it closed or was requested.
func ReporterOrder(r open311.Request) (closed bool, at time.Time) {
	if at, closed := r.ClosedAt(); closed {
		return true, at
	}
	return false, r.Requested
}

// Query selects public requests of one jurisdiction. Zero values mean "no filter". Requests that
// are not Public() are returned only with IncludeHidden.
type Query struct {
	JurisdictionID string
	// IncludeHidden also selects the requests that are not Public(): private ones and batch
	// requests awaiting moderation (the staff queue). It applies to IDs too.
	IncludeHidden bool
	// Shared says the caller only reads what the requests' maps, slices and pointers hold (an
	// answer being encoded): a store that keeps requests decoded may then hand out its own
	// instead of copies. A caller that changes a request it got must leave it false.
	Shared bool
	// IDs, when given, selects exactly these requests, each once and newest first, and
	// overrides every other filter (paging included); unknown and non-public ids are left out.
	IDs []string
	// ServiceCodes keeps requests of these services.
	ServiceCodes []string
	// Statuses keeps requests whose GeoReport status ("open", "closed") is listed.
	Statuses []string
	// DetailedStatuses keeps requests whose detailed status is listed.
	DetailedStatuses []open311.Status
	// Agency keeps requests whose agency responsible is Agency, ignoring case.
	Agency string
	// Text keeps requests whose description holds Text, ignoring case.
	Text string
	// RequestedFrom and RequestedTo bound requested time (inclusive).
	RequestedFrom, RequestedTo time.Time
	// UpdatedAfter and UpdatedBefore bound updated time (exclusive).
	UpdatedAfter, UpdatedBefore time.Time
	// Within keeps requests whose point lies in the box; Near keeps requests whose point lies
	// within the circle. Requests without a point are left out by either.
	Within *open311.BBox
	Near   *open311.Circle
	// Limit is the page size, 1..MaxPageSize (0 means MaxPageSize).
	Limit int
	// Offset skips that many matching requests (page-number paging).
	Offset int
	// Cursor continues after the last request of a previous page (an opaque Page.Next).
	Cursor string
}

// MatchesDetails reports whether r passes the filters of q that stores check in Go alone:
// DetailedStatuses, Agency and Text.
func (q Query) MatchesDetails(r open311.Request) bool {
	switch {
	case len(q.DetailedStatuses) > 0 && !slices.Contains(q.DetailedStatuses, r.Status),
		q.Agency != "" && !strings.EqualFold(q.Agency, r.AgencyResponsible),
		q.Text != "" && !strings.Contains(strings.ToLower(r.Description), strings.ToLower(q.Text)):
		return false
	}
	return true
}

// Page is one page of a query: the requests, and a cursor for the next page when there may be one.
type Page struct {
	Requests []open311.Request
	Next     string
}

// UpdateQuery selects activities of one jurisdiction by time, for request updates
// (GET /servicerequestupdates).
type UpdateQuery struct {
	JurisdictionID string
	// From (inclusive) and To (exclusive) bound the activities' time; zero means unbounded.
	From, To time.Time
	// Limit is the page size, 1..MaxPageSize (0 means MaxPageSize).
	Limit int
	// Cursor continues after the last activity of a previous page (an opaque UpdatePage.Next).
	Cursor string
}

// UpdatePage is one page of activities and a cursor for the next page when there may be one.
type UpdatePage struct {
	Activities []open311.Activity
	Next       string
}

// RecentQuery selects the activities an aggregate feed shows: a jurisdiction's, or those of the
// requests of one of its services.
type RecentQuery struct {
	JurisdictionID string
	// ServiceCode, when given, keeps the activities of that service's requests.
	ServiceCode string
	// Cell, when given, keeps the activities listed in that area cell (open311.Cell), and Area
	// those listed in that named area (AreasOf); at most one of ServiceCode, Cell and Area.
	Cell string
	Area string
	// Limit is the most activities returned, 1..MaxPageSize (0 means MaxPageSize).
	Limit int
}

// Entry is an activity with what a feed entry shows of its request.
type Entry struct {
	Activity open311.Activity
	Request  EntryRequest
}

// EntryRequest is what a feed entry shows of the request an activity belongs to: fields that
// never change once a request is created (package open311 changes none of them), which is why a
// store may copy them when it writes the activity.
type EntryRequest struct {
	ID          string
	ServiceCode string
	ServiceName string
	Address     string
	AddressID   string
	Point       *open311.Point
	// Description, MediaURL and Media are the request's on the activity that reports it (of
	// kind open311.KindCreated), the public words and photos of the report; empty on every other.
	Description string
	MediaURL    string
	Media       []open311.Photo
}

// NewEntryRequest returns what an entry of activity a shows of its request r.
func NewEntryRequest(r open311.Request, a open311.Activity) EntryRequest {
	e := EntryRequest{ID: r.ID, ServiceCode: r.ServiceCode, ServiceName: r.ServiceName, Address: r.Address,
		AddressID: r.AddressID, Point: r.Point}
	if a.Kind == open311.KindCreated {
		e.Description, e.MediaURL = r.Description, r.MediaURL
		e.Media = append([]open311.Photo(nil), r.Media...)
		if len(e.Media) == 0 {
			e.Media = nil
		}
	}
	if e.Point != nil {
		p := *e.Point
		e.Point = &p
	}
	return e
}

// UpdateRequest is UpdateRequests of one request: it reads the request, lets change modify it
// and return the activities that record the change, and writes both in one atomic write
// (version+1). It fails as UpdateRequests does: NotFound for an unknown id, Conflict if the
// request changed meanwhile or an activity's ClientUpdateID is taken; an error from change is
// returned as is.
func UpdateRequest(ctx context.Context, st Requests, jurisdictionID, id string, change func(*open311.Request) ([]open311.Activity, error)) (open311.Request, error) {
	rs, err := st.UpdateRequests(ctx, jurisdictionID, []string{id}, func(rs []*open311.Request) ([]open311.Activity, error) {
		return change(rs[0])
	})
	if err != nil {
		return open311.Request{}, err
	}
	return rs[0], nil
}

// SortKeys orders keys as APIKeys returns them: oldest first, ties by hash.
func SortKeys(keys []open311.APIKey) {
	slices.SortFunc(keys, func(a, b open311.APIKey) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Hash, b.Hash)
	})
}
