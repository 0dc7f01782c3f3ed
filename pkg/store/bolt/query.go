package bolt

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// encodeCursor makes the opaque Page.Next for a position in requests_by_time: the shared
// store.Cursor, so that a next link means the same whichever store answers it.
func encodeCursor(key []byte) string {
	return store.Cursor{Requested: readTime(key[:timeKeyLen]), ID: string(key[timeKeyLen:])}.Encode()
}

// decodeCursor returns the requests_by_time key a cursor continues after.
func decodeCursor(cursor string) ([]byte, error) {
	c, err := store.DecodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	return requestTimeKey(c.Requested, c.ID), nil
}

// QueryRequests returns the public requests (with IncludeHidden, every request) matching q, newest first (ties by id descending),
// one page at a time. It walks the jurisdiction's requests_by_time index backwards from the
// cursor (or from RequestedTo) down to RequestedFrom, reading each request and keeping those
// that match (Within and Near included: there is no spatial index; see
// docs/store-embedded.md), so a page is never empty while more matches follow. Next is set
// when the page is full and the index holds more keys in range; that next page may turn out
// empty, and then has no Next. A Limit above MaxPageSize is taken as MaxPageSize.
func (s *Store) QueryRequests(ctx context.Context, q store.Query) (store.Page, error) {
	const op = "store/bolt.QueryRequests"
	if err := alive(ctx, op); err != nil {
		return store.Page{}, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return store.Page{}, open311.Errorf(open311.Invalid, op, "limit and offset must not be negative")
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	var after []byte
	if q.Cursor != "" && len(q.IDs) == 0 {
		var err error
		if after, err = decodeCursor(q.Cursor); err != nil {
			return store.Page{}, err
		}
	}
	page := store.Page{Requests: []open311.Request{}}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if len(q.IDs) > 0 {
			var err error
			page.Requests, err = s.requestsByID(tx, q)
			return err
		}
		return s.scan(ctx, tx, q, limit, after, &page)
	})
	if err != nil {
		return store.Page{}, fail(op, err)
	}
	return page, nil
}

// requestsByID returns the public requests among q.IDs, each once, newest first; unknown ids
// are left out. Every other field of q is ignored, as the Query doc says.
func (s *Store) requestsByID(tx *bbolt.Tx, q store.Query) ([]open311.Request, error) {
	out := []open311.Request{}
	requests := inJurisdiction(tx, bucketRequests, q.JurisdictionID)
	seen := make(map[string]bool, len(q.IDs))
	for _, id := range q.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, ok, err := s.requests.get(requests, q.JurisdictionID, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("get request %s: %w", id, err)
		}
		if ok && (r.Public() || q.IncludeHidden) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b open311.Request) int {
		return cmp.Or(b.Requested.Compare(a.Requested), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

// scan fills page with the requests matching q, walking requests_by_time newest first from
// just before the cursor position after (when given).
func (s *Store) scan(ctx context.Context, tx *bbolt.Tx, q store.Query, limit int, after []byte, page *store.Page) error {
	byTime := inJurisdiction(tx, bucketRequestsByTS, q.JurisdictionID)
	requests := inJurisdiction(tx, bucketRequests, q.JurisdictionID)
	if byTime == nil || requests == nil {
		return nil
	}
	// upper: the walk starts at the last key before it. Every key at RequestedTo sorts before
	// the encoding of RequestedTo plus a nanosecond, because ids are not empty.
	upper := after
	if !q.RequestedTo.IsZero() {
		if to := appendTime(nil, q.RequestedTo.Add(time.Nanosecond)); upper == nil || bytes.Compare(to, upper) < 0 {
			upper = to
		}
	}
	// lower: the walk stops at the first key before it.
	var lower []byte
	if !q.RequestedFrom.IsZero() {
		lower = appendTime(nil, q.RequestedFrom)
	}
	skip := q.Offset
	var last []byte // the key of the last request taken: valid until the transaction ends
	if len(page.Requests) == 0 && cap(page.Requests) < limit {
		// Sized once for a usual page; a page of hundreds grows as it fills.
		page.Requests = make([]open311.Request, 0, min(limit, 128))
	}
	c := byTime.Cursor()
	for k, v := lastBefore(c, upper); k != nil; k, v = c.Prev() {
		if lower != nil && bytes.Compare(k, lower) < 0 {
			break
		}
		if len(page.Requests) == limit {
			page.Next = encodeCursor(last)
			break
		}
		if len(k) <= timeKeyLen {
			return fmt.Errorf("requests_by_time key %x is too short", k)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("query stopped: %w", err)
		}
		id := k[timeKeyLen:]
		r, ok, err := s.requests.getAt(requests, q.JurisdictionID, id, v, q.Shared)
		if err != nil {
			return fmt.Errorf("get request %s: %w", id, err)
		}
		if !ok {
			return fmt.Errorf("requests_by_time names request %s, which does not exist", id)
		}
		if !matches(r, q) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		page.Requests = append(page.Requests, r)
		last = k
	}
	return nil
}

// lastBefore positions c on the last key before upper (or on the last key, for a nil upper).
func lastBefore(c *bbolt.Cursor, upper []byte) ([]byte, []byte) {
	if upper == nil {
		return c.Last()
	}
	if k, _ := c.Seek(upper); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// matches reports whether r is public (or q includes hidden requests) and passes q's filters
// (IDs and paging aside).
func matches(r open311.Request, q store.Query) bool {
	switch {
	case !r.Public() && !q.IncludeHidden,
		!q.MatchesDetails(r),
		len(q.ServiceCodes) > 0 && !slices.Contains(q.ServiceCodes, r.ServiceCode),
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, r.Status.GeoReport()),
		!q.RequestedFrom.IsZero() && r.Requested.Before(q.RequestedFrom),
		!q.RequestedTo.IsZero() && r.Requested.After(q.RequestedTo),
		!q.UpdatedAfter.IsZero() && !r.Updated.After(q.UpdatedAfter),
		!q.UpdatedBefore.IsZero() && !r.Updated.Before(q.UpdatedBefore),
		q.Within != nil && (r.Point == nil || !q.Within.Contains(*r.Point)),
		q.Near != nil && (r.Point == nil || !q.Near.Contains(*r.Point)):
		return false
	}
	return true
}
