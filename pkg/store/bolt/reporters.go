package bolt

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Reporter index key kinds: closed requests sort before open ones (store.ReporterOrder).
const (
	reporterClosed = 'C'
	reporterOpen   = 'O'
)

// reporterKey is a request's key in the reporters index, or nil when it holds no reporter:
// 'C' T(closed) id for a closed request, 'O' T(requested) id for an open one.
func reporterKey(r open311.Request) []byte {
	if !r.HoldsReporter() {
		return nil
	}
	closed, at := store.ReporterOrder(r)
	kind := byte(reporterOpen)
	if closed {
		kind = reporterClosed
	}
	return append(appendTime([]byte{kind}, at), r.ID...)
}

// indexReporter moves a request in the reporters index from where old (the zero Request for a
// new one) was to where r is.
func indexReporter(tx *bbolt.Tx, old, r open311.Request) error {
	oldKey, newKey := reporterKey(old), reporterKey(r)
	if bytes.Equal(oldKey, newKey) {
		return nil
	}
	b, err := inJurisdictionForWrite(tx, bucketReporters, r.JurisdictionID)
	if err != nil {
		return err
	}
	if oldKey != nil {
		if err := b.Delete(oldKey); err != nil {
			return fmt.Errorf("unindex reporter of request %s: %w", r.ID, err)
		}
	}
	if newKey != nil {
		if err := b.Put(newKey, []byte{}); err != nil {
			return fmt.Errorf("index reporter of request %s: %w", r.ID, err)
		}
	}
	return nil
}

// ReporterRequests walks the jurisdiction's reporters index in order (with ClosedBefore, its
// closed part up to that time); its cursor is the index key of the last request returned.
func (s *Store) ReporterRequests(ctx context.Context, q store.ReporterQuery) (store.Page, error) {
	const op = "store/bolt.ReporterRequests"
	if err := alive(ctx, op); err != nil {
		return store.Page{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	var after []byte
	if q.Cursor != "" {
		var err error
		after, err = base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(after) <= 1+timeKeyLen || (after[0] != reporterClosed && after[0] != reporterOpen) {
			return store.Page{}, open311.Errorf(open311.Invalid, op, "the cursor is not one this store gave out")
		}
	}
	var end []byte // keys at or after end are past the range
	if !q.ClosedBefore.IsZero() {
		end = appendTime([]byte{reporterClosed}, q.ClosedBefore)
	}
	var page store.Page
	err := s.db.View(func(tx *bbolt.Tx) error {
		idx := inJurisdiction(tx, bucketReporters, q.JurisdictionID)
		if idx == nil {
			return nil
		}
		c := idx.Cursor()
		k, _ := c.First()
		if after != nil {
			if k, _ = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, _ = c.Next()
			}
		}
		requests := inJurisdiction(tx, bucketRequests, q.JurisdictionID)
		for ; k != nil && (end == nil || bytes.Compare(k, end) < 0); k, _ = c.Next() {
			if len(page.Requests) == limit {
				page.Next = base64.RawURLEncoding.EncodeToString(after)
				return nil
			}
			id := k[1+timeKeyLen:]
			var r open311.Request
			data := requests.Get(id)
			if data == nil {
				return fmt.Errorf("the reporters index names request %s, which does not exist", id)
			}
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("decode request %s: %w", id, err)
			}
			page.Requests = append(page.Requests, r)
			after = bytes.Clone(k)
		}
		return nil
	})
	if err != nil {
		return store.Page{}, fail(op, err)
	}
	return page, nil
}

// migrateFrom3 builds the index schema 4 added to a schema 3 file: reporters, from every
// stored request that holds a reporter.
func migrateFrom3(tx *bbolt.Tx) error {
	return tx.Bucket(bucketRequests).ForEachBucket(func(jur []byte) error {
		return tx.Bucket(bucketRequests).Bucket(jur).ForEach(func(id, data []byte) error {
			var r open311.Request
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("decode request %s of %s: %w", id, jur, err)
			}
			return indexReporter(tx, open311.Request{}, r)
		})
	})
}
