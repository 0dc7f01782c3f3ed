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

// updateTimeKey is an activity's key in updates_by_time: its time, then its id, so that byte
// order is Updates' order.
func updateTimeKey(at time.Time, id string) []byte {
	return append(appendTime(make([]byte, 0, timeKeyLen+len(id)), at), id...)
}

// indexClientUpdate records that the activity stored under key holds its client update id, or
// fails with Conflict when the jurisdiction already has an activity of that id.
func indexClientUpdate(tx *bbolt.Tx, op, jurisdictionID string, a open311.Activity, key []byte) error {
	if a.ClientUpdateID == "" {
		return nil
	}
	if len(a.ClientUpdateID) > maxKeyLen {
		return open311.Errorf(open311.Invalid, op, "client update id is longer than %d bytes", maxKeyLen)
	}
	b, err := inJurisdictionForWrite(tx, bucketClientUpdates, jurisdictionID)
	if err != nil {
		return err
	}
	if b.Get([]byte(a.ClientUpdateID)) != nil {
		return open311.Errorf(open311.Conflict, op, "the update id %q was already used", a.ClientUpdateID)
	}
	if err := b.Put([]byte(a.ClientUpdateID), key); err != nil {
		return fmt.Errorf("index client update id of activity %s: %w", a.ID, err)
	}
	return nil
}

// serviceUpdatePrefix is the prefix shared by exactly the updates_by_service keys of one
// service: the code's length as a uvarint, then the code.
func serviceUpdatePrefix(code string) []byte {
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(code)+timeKeyLen), uint64(len(code)))
	return append(b, code...)
}

// serviceUpdateKey is an activity's key in updates_by_service: its request's service, then its
// key in updates_by_time.
func serviceUpdateKey(code string, at time.Time, id string) []byte {
	return append(appendTime(serviceUpdatePrefix(code), at), id...)
}

// indexUpdate lists the activity stored under key in updates_by_time and, under its request's
// service, in updates_by_service. Two listed activities of one time and id would be one entry,
// so the second is refused with Conflict.
func indexUpdate(tx *bbolt.Tx, op, jurisdictionID string, a open311.Activity, serviceCode string, key []byte) error {
	b, err := inJurisdictionForWrite(tx, bucketUpdatesByTS, jurisdictionID)
	if err != nil {
		return err
	}
	k := updateTimeKey(a.At, a.ID)
	if b.Get(k) != nil {
		return open311.Errorf(open311.Conflict, op, "an update %s of that time is already listed", a.ID)
	}
	if err := b.Put(k, key); err != nil {
		return fmt.Errorf("index time of activity %s: %w", a.ID, err)
	}
	return indexServiceUpdate(tx, jurisdictionID, a, serviceCode, key)
}

// indexServiceUpdate lists the activity stored under key in updates_by_service.
func indexServiceUpdate(tx *bbolt.Tx, jurisdictionID string, a open311.Activity, serviceCode string, key []byte) error {
	b, err := inJurisdictionForWrite(tx, bucketUpdatesBySvc, jurisdictionID)
	if err != nil {
		return err
	}
	if err := b.Put(serviceUpdateKey(serviceCode, a.At, a.ID), key); err != nil {
		return fmt.Errorf("index service and time of activity %s: %w", a.ID, err)
	}
	return nil
}

// getActivity reads the activity under key in the jurisdiction's activities; an index naming
// a key that holds nothing is an error.
func getActivity(tx *bbolt.Tx, jurisdictionID string, key []byte) (open311.Activity, error) {
	var a open311.Activity
	ok, err := getJSON(inJurisdiction(tx, bucketActivities, jurisdictionID), key, &a)
	if err != nil {
		return open311.Activity{}, fmt.Errorf("get activity %x: %w", key, err)
	}
	if !ok {
		return open311.Activity{}, fmt.Errorf("an index names activity %x, which does not exist", key)
	}
	return a, nil
}

// ActivityByClientID returns the activity recorded with a client's update id, or NotFound.
func (s *Store) ActivityByClientID(ctx context.Context, jurisdictionID, clientUpdateID string) (open311.Activity, error) {
	const op = "store/bolt.ActivityByClientID"
	if err := alive(ctx, op); err != nil {
		return open311.Activity{}, err
	}
	var a open311.Activity
	err := s.db.View(func(tx *bbolt.Tx) error {
		var key []byte
		if b := inJurisdiction(tx, bucketClientUpdates, jurisdictionID); b != nil && clientUpdateID != "" {
			key = b.Get([]byte(clientUpdateID))
		}
		if key == nil {
			return open311.Errorf(open311.NotFound, op, "no update was recorded with that update id")
		}
		var err error
		a, err = getActivity(tx, jurisdictionID, key)
		return err
	})
	if err != nil {
		return open311.Activity{}, fail(op, err)
	}
	return a, nil
}

// Updates returns the activities listed in the jurisdiction's updates_by_time (those whose
// request was public right after they were written), oldest first, ties by id, from From
// (inclusive) or just after the cursor, up to To (exclusive). The index holds nothing else, so
// Next is set exactly when more activities follow in range. A Limit above MaxPageSize is taken
// as MaxPageSize.
func (s *Store) Updates(ctx context.Context, q store.UpdateQuery) (store.UpdatePage, error) {
	const op = "store/bolt.Updates"
	if err := alive(ctx, op); err != nil {
		return store.UpdatePage{}, err
	}
	if q.Limit < 0 {
		return store.UpdatePage{}, open311.Errorf(open311.Invalid, op, "limit must not be negative")
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	var after []byte
	if q.Cursor != "" {
		c, err := store.DecodeCursor(q.Cursor)
		if err != nil {
			return store.UpdatePage{}, err
		}
		after = updateTimeKey(c.Requested, c.ID)
	}
	// from: the walk starts at the first key at or after it, and after the cursor.
	var from []byte
	if !q.From.IsZero() {
		from = appendTime(nil, q.From)
	}
	// to: the walk stops at the first key at or after it; every key of time To is, because
	// ids are not empty.
	var to []byte
	if !q.To.IsZero() {
		to = appendTime(nil, q.To)
	}
	page := store.UpdatePage{Activities: []open311.Activity{}}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := inJurisdiction(tx, bucketUpdatesByTS, q.JurisdictionID)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		switch {
		case after != nil && bytes.Compare(after, from) >= 0:
			if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
		case from != nil:
			k, v = c.Seek(from)
		default:
			k, v = c.First()
		}
		for ; k != nil && (to == nil || bytes.Compare(k, to) < 0); k, v = c.Next() {
			if len(page.Activities) == limit {
				last := page.Activities[limit-1]
				page.Next = store.Cursor{Requested: last.At, ID: last.ID}.Encode()
				break
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("updates stopped: %w", err)
			}
			a, err := getActivity(tx, q.JurisdictionID, v)
			if err != nil {
				return err
			}
			page.Activities = append(page.Activities, a)
		}
		return nil
	})
	if err != nil {
		return store.UpdatePage{}, fail(op, err)
	}
	return page, nil
}

// migrateFrom1 builds the indexes schemas 2 and 3 added to a schema 1 file: the client update
// ids of its activities (the first activity of an id keeps it), and the time and service
// indexes of the activities of requests that are public now (schema 1 did not record whether
// they were when each activity was written).
func migrateFrom1(tx *bbolt.Tx) error {
	const op = "store/bolt.migrateFrom1"
	return tx.Bucket(bucketActivities).ForEachBucket(func(jur []byte) error {
		jurisdictionID := string(jur)
		requests := inJurisdiction(tx, bucketRequests, jurisdictionID)
		type listing struct {
			public  bool
			service string
		}
		known := map[string]listing{}
		return tx.Bucket(bucketActivities).Bucket(jur).ForEach(func(key, data []byte) error {
			var a open311.Activity
			if err := json.Unmarshal(data, &a); err != nil {
				return fmt.Errorf("decode activity %x of %s: %w", key, jurisdictionID, err)
			}
			l, ok := known[a.RequestID]
			if !ok {
				var r open311.Request
				found, err := getJSON(requests, []byte(a.RequestID), &r)
				if err != nil {
					return fmt.Errorf("get request %s: %w", a.RequestID, err)
				}
				l = listing{public: found && r.Public(), service: r.ServiceCode}
				known[a.RequestID] = l
			}
			key = bytes.Clone(key)
			if err := indexClientUpdate(tx, op, jurisdictionID, a, key); err != nil && !open311.IsKind(err, open311.Conflict) {
				return err
			}
			if l.public && a.ID != "" {
				if err := indexUpdate(tx, op, jurisdictionID, a, l.service, key); err != nil && !open311.IsKind(err, open311.Conflict) {
					return err
				}
			}
			return nil
		})
	})
}

// migrateFrom2 builds the index schema 3 added to a schema 2 file: updates_by_service, from
// what updates_by_time lists, each activity under its request's service.
func migrateFrom2(tx *bbolt.Tx) error {
	return tx.Bucket(bucketUpdatesByTS).ForEachBucket(func(jur []byte) error {
		jurisdictionID := string(jur)
		requests := inJurisdiction(tx, bucketRequests, jurisdictionID)
		services := map[string]string{}
		return tx.Bucket(bucketUpdatesByTS).Bucket(jur).ForEach(func(_, key []byte) error {
			a, err := getActivity(tx, jurisdictionID, key)
			if err != nil {
				return err
			}
			code, ok := services[a.RequestID]
			if !ok {
				var r open311.Request
				found, err := getJSON(requests, []byte(a.RequestID), &r)
				if err != nil {
					return fmt.Errorf("get request %s: %w", a.RequestID, err)
				}
				if !found {
					return fmt.Errorf("updates_by_time lists activity %s of request %s, which does not exist", a.ID, a.RequestID)
				}
				code = r.ServiceCode
				services[a.RequestID] = code
			}
			return indexServiceUpdate(tx, jurisdictionID, a, code, bytes.Clone(key))
		})
	})
}
