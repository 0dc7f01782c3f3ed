// Package desk is the service desk of an Open311 system: every rule of a change to a service
// request, and of what a caller may see, over a store. It takes and returns plain values of
// package open311, so an HTTP handler (package api) only decodes, calls one function and encodes,
// and the local server and every Lambda function run the same rules.
//
// Errors are *open311.Error values: Invalid for a request that breaks a rule, NotFound for what
// does not exist or is not the caller's to see, Forbidden for a missing or wrong API key or a
// role that may not do something, Conflict when a client's id is used for something else, and
// the store's errors otherwise.
package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
)

// Store is what the desk needs of a store.
type Store interface {
	store.Catalog
	store.Keys
	store.Requests
	store.Slots
}

// Options configure a Desk. Only Store is required.
type Options struct {
	Store Store
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NewID makes request ids and NewToken batch tokens (default: 8 and 12 random characters).
	NewID, NewToken func() string
	// DefaultJurisdiction serves calls without a jurisdiction_id; when empty, a deployment with
	// exactly one jurisdiction serves that one.
	DefaultJurisdiction string
	// Seal seals what reporters give of themselves before it is stored (default: a key of this
	// process's that nobody keeps, so that what tests report is sealed too; the local server and
	// the post-request function give theirs).
	Seal seal.Sealer
	// CatalogTTL is how long the jurisdiction list is kept in memory (default 60s; negative:
	// never). A jurisdiction's services are kept for as long as its changeset stays the same.
	CatalogTTL time.Duration
	// Media stores the photos of reports; without it a report with photos is refused.
	Media media.Store
	// MediaBase is the base URL photos are served from (media.URL), the CDN's or the local
	// server's origin.
	MediaBase string
	// Uploads holds the photos uploaded to slots, and Forms hands out the forms that upload
	// them (NewSlot); without Forms no slot is handed out, and without Uploads a report that
	// names one is refused.
	Uploads media.Uploads
	Forms   media.Forms
	// NewSlotID makes upload slot ids (default: 26 random characters).
	NewSlotID func() string
}

// Desk applies the rules of the service desk to one store. It is safe for concurrent use.
type Desk struct {
	opt Options

	mu            sync.Mutex
	jurisdictions []open311.Jurisdiction
	fetched       time.Time
	catalog       map[string]services // by jurisdiction id
}

// New returns a Desk over the options' store.
func New(opt Options) *Desk {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = func() string { return open311.NewID(8) }
	}
	if opt.NewToken == nil {
		opt.NewToken = func() string { return open311.NewID(12) }
	}
	if opt.NewSlotID == nil {
		opt.NewSlotID = func() string { return open311.NewID(26) }
	}
	if opt.CatalogTTL == 0 {
		opt.CatalogTTL = time.Minute
	}
	if opt.Seal == nil {
		opt.Seal = seal.NewKey()
	}
	return &Desk{opt: opt, catalog: map[string]services{}}
}

// Now is the desk's clock.
func (d *Desk) Now() time.Time { return d.opt.Now() }

// maxRetries bounds how often a write is tried again after losing a race to another writer.
const maxRetries = 8

// caller is the holder of a valid API key, in one jurisdiction.
type caller struct {
	key open311.APIKey
}

func (c caller) staff() bool { return c.key.Role == open311.RoleStaff }

// author names the caller in an activity: staff by the name they sign with (at most 100
// characters) or their key's label, anyone else as "reporter". Never personal data.
func (c caller) author(signed string) string {
	if !c.staff() {
		return "reporter"
	}
	if signed != "" && len(signed) <= 100 {
		return signed
	}
	if c.key.Label != "" {
		return c.key.Label
	}
	return "staff"
}

// The kinds of id a client chooses, each a namespace of its own within the caller's.
const (
	idempotencyKey = "idempotency-key"
	updateID       = "update-id"
)

// scoped returns the stored form of an id the caller chose: its kind and the caller's key id
// before it, so that no other key, and no id of another kind, can ever meet it.
func (c caller) scoped(kind, id string) string {
	if id == "" {
		return ""
	}
	return kind + ":" + c.key.ID() + ":" + id
}

// digest is a short digest of what a change asked for, kept with the client's id.
func digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("desk: digest: " + err.Error()) // plain data always encodes
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// authorize checks an API key's secret for a jurisdiction, and records the key's first use of
// the day.
func (d *Desk) authorize(ctx context.Context, secret, jurisdictionID string) (caller, error) {
	c, err := d.check(ctx, secret, jurisdictionID)
	if err != nil {
		return caller{}, err
	}
	if day := open311.UsedDay(d.opt.Now()); c.key.LastUsed.Before(day) {
		// The first use of the day is recorded for keys list. Not recording it must not
		// refuse the caller: a failure here loses a date, never a report.
		_ = d.opt.Store.TouchAPIKey(ctx, c.key.Hash, day)
	}
	return c, nil
}

// check checks an API key's secret for a jurisdiction, and records nothing.
func (d *Desk) check(ctx context.Context, secret, jurisdictionID string) (caller, error) {
	const op = "desk.authorize"
	if secret == "" {
		return caller{}, open311.Errorf(open311.Forbidden, op, "an api_key is required")
	}
	k, err := d.opt.Store.APIKey(ctx, open311.HashKey(secret))
	if open311.IsKind(err, open311.NotFound) || (err == nil && (!k.Matches(secret) || !k.AllowsAt(jurisdictionID, d.opt.Now()))) {
		return caller{}, open311.Errorf(open311.Forbidden, op, "the api_key is not valid here")
	}
	if err != nil {
		return caller{}, open311.Wrap(op, err)
	}
	return caller{key: k}, nil
}

// reader tells whether the caller of a read (GET) is staff of the jurisdiction: no key reads as
// the public, and so does a valid reporter key; a key that is not valid here is Forbidden, as
// on a write. A read records no use of the key, so that the functions that only read never
// write (docs/security.md).
func (d *Desk) reader(ctx context.Context, secret, jurisdictionID string) (staff bool, err error) {
	if secret == "" {
		return false, nil
	}
	c, err := d.check(ctx, secret, jurisdictionID)
	if err != nil {
		return false, err
	}
	return c.staff(), nil
}
