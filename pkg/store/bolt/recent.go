package bolt

import (
	"bytes"
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// RecentActivities returns the newest activities that Updates lists, of the jurisdiction or of
// one service of it, newest first (ties by id descending), with what a feed entry shows of
// their requests. It walks updates_by_time, or the service's keys of updates_by_service,
// backwards, and reads each activity and its request by key: at most 3 × Limit reads. A Limit
// above MaxPageSize is taken as MaxPageSize.
func (s *Store) RecentActivities(ctx context.Context, q store.RecentQuery) ([]store.Entry, error) {
	const op = "store/bolt.RecentActivities"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if err := store.CheckRecent(op, q); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	if q.Cell != "" || q.Area != "" {
		return s.recentInArea(ctx, q, limit)
	}
	out := []store.Entry{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		top, prefix := bucketUpdatesByTS, []byte(nil)
		if q.ServiceCode != "" {
			top, prefix = bucketUpdatesBySvc, serviceUpdatePrefix(q.ServiceCode)
		}
		b := inJurisdiction(tx, top, q.JurisdictionID)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, key := lastWithPrefix(c, prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, key = c.Prev() {
			a, err := getActivity(tx, q.JurisdictionID, key)
			if err != nil {
				return err
			}
			r, err := s.getRequest(tx, op, q.JurisdictionID, a.RequestID)
			if open311.IsKind(err, open311.NotFound) {
				return fmt.Errorf("%s lists activity %s of request %s, which does not exist", top, a.ID, a.RequestID)
			}
			if err != nil {
				return err
			}
			out = append(out, store.Entry{Activity: a, Request: store.NewEntryRequest(r, a)})
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// lastWithPrefix positions c on the last key that begins with prefix, or, when there is none, on
// a key before them (or nowhere); an empty prefix is the bucket's last key.
func lastWithPrefix(c *bbolt.Cursor, prefix []byte) ([]byte, []byte) {
	end := prefixEnd(prefix)
	if end == nil {
		return c.Last()
	}
	if k, _ := c.Seek(end); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// prefixEnd returns the smallest key greater than every key that begins with prefix, or nil when
// there is none (an empty prefix, or one of 0xff bytes only).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
