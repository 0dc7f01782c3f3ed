package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// bucketUpdatesByArea lists, per jurisdiction, each listed activity (those of updates_by_time)
// under every area cell and named area whose feed shows it (store.AreasOf), each key an
// areaUpdateKey, each value the activity's key: RecentActivities' Cell and Area walk it.
var bucketUpdatesByArea = []byte("updates_by_area")

// The kinds of area in updates_by_area's keys.
const (
	areaCell  = 'c'
	areaNamed = 'a'
)

// areaUpdatePrefix is the prefix shared by exactly the updates_by_area keys of one cell or named
// area: its kind, the id's length as a uvarint, then the id.
func areaUpdatePrefix(kind byte, id string) []byte {
	b := binary.AppendUvarint(append(make([]byte, 0, 1+binary.MaxVarintLen64+len(id)+timeKeyLen), kind), uint64(len(id)))
	return append(b, id...)
}

// areaUpdateKey is an activity's key in updates_by_area: its area, then its key in
// updates_by_time.
func areaUpdateKey(kind byte, id string, at time.Time, activityID string) []byte {
	return append(appendTime(areaUpdatePrefix(kind, id), at), activityID...)
}

// indexAreaUpdate lists the activity a of request r (as written with it), stored under key, in
// updates_by_area under each of its cells and named areas. The activity must be listed.
func indexAreaUpdate(tx *bbolt.Tx, jurisdictionID string, r open311.Request, a open311.Activity, key []byte) error {
	cells, areas := store.AreasOf(r, a)
	if len(cells) == 0 && len(areas) == 0 {
		return nil
	}
	b, err := inJurisdictionForWrite(tx, bucketUpdatesByArea, jurisdictionID)
	if err != nil {
		return err
	}
	put := func(kind byte, id string) error {
		if err := b.Put(areaUpdateKey(kind, id, a.At, a.ID), key); err != nil {
			return fmt.Errorf("index area %s of activity %s: %w", id, a.ID, err)
		}
		return nil
	}
	for _, c := range cells {
		if err := put(areaCell, c); err != nil {
			return err
		}
	}
	for _, id := range areas {
		if err := put(areaNamed, id); err != nil {
			return err
		}
	}
	return nil
}

// recentInArea is RecentActivities of a cell or a named area: it walks the area's keys of
// updates_by_area backwards and reads each activity and its request by key, at most 3 × limit
// reads.
func (s *Store) recentInArea(ctx context.Context, q store.RecentQuery, limit int) ([]store.Entry, error) {
	const op = "store/bolt.RecentActivities"
	prefix := areaUpdatePrefix(areaCell, q.Cell)
	if q.Area != "" {
		prefix = areaUpdatePrefix(areaNamed, q.Area)
	}
	out := []store.Entry{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := inJurisdiction(tx, bucketUpdatesByArea, q.JurisdictionID)
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
			if err != nil {
				return fmt.Errorf("updates_by_area lists activity %s of request %s: %w", a.ID, a.RequestID, err)
			}
			e := store.NewEntryRequest(r, a)
			out = append(out, store.Entry{Activity: a, Request: e})
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// migrateFrom4 builds the index schema 5 added to a schema 4 file: updates_by_area, from what
// updates_by_time lists. No request had moved or had named areas before schema 5, so each
// activity is listed in the cell of its request's point.
func migrateFrom4(tx *bbolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketUpdatesByArea); err != nil {
		return err
	}
	return tx.Bucket(bucketUpdatesByTS).ForEachBucket(func(jur []byte) error {
		jurisdictionID := string(jur)
		requests := inJurisdiction(tx, bucketRequests, jurisdictionID)
		return tx.Bucket(bucketUpdatesByTS).Bucket(jur).ForEach(func(_, key []byte) error {
			a, err := getActivity(tx, jurisdictionID, key)
			if err != nil {
				return err
			}
			var r open311.Request
			data := requests.Get([]byte(a.RequestID))
			if data == nil {
				return fmt.Errorf("updates_by_time lists activity %s of request %s, which does not exist", a.ID, a.RequestID)
			}
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("decode request %s of %s: %w", a.RequestID, jurisdictionID, err)
			}
			return indexAreaUpdate(tx, jurisdictionID, r, a, bytes.Clone(key))
		})
	})
}
