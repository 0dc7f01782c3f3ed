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
)

// timeKeyLen is the length of an encoded time.
const timeKeyLen = 12

// appendTime appends t's 12-byte order-preserving encoding: Unix seconds with the sign bit
// flipped (so that times before 1970, the zero time included, sort first), then nanoseconds.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// readTime decodes appendTime's encoding.
func readTime(b []byte) time.Time {
	return time.Unix(int64(binary.BigEndian.Uint64(b)^(1<<63)), int64(binary.BigEndian.Uint32(b[8:]))).UTC()
}

// requestTimeKey is a request's key in requests_by_time: requested time, then id.
func requestTimeKey(requested time.Time, id string) []byte {
	return append(appendTime(make([]byte, 0, timeKeyLen+len(id)), requested), id...)
}

// activityPrefix is the prefix shared by exactly the activity keys of one request.
func activityPrefix(requestID string) []byte {
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(requestID)), uint64(len(requestID)))
	return append(b, requestID...)
}

// activityKey orders a request's activities by time, then by the order they were written.
func activityKey(requestID string, at time.Time, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(appendTime(activityPrefix(requestID), at), seq)
}

// CreateRequest stores a new request and the activity recording its creation in one
// transaction. It fails with Conflict when the jurisdiction has a request of that id, or one
// that was issued the same (non-empty) token.
func (s *Store) CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error {
	return s.createRequest(ctx, "store/bolt.CreateRequest", r, created, nil)
}

func (s *Store) createRequest(ctx context.Context, op string, r open311.Request, created open311.Activity, slotIDs []string) error {
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkKey(op, "jurisdiction id", r.JurisdictionID); err != nil {
		return err
	}
	if err := checkKey(op, "request id", r.ID); err != nil {
		return err
	}
	if len(r.Token) > maxKeyLen {
		return open311.Errorf(open311.Invalid, op, "token is longer than %d bytes", maxKeyLen)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		requests, err := inJurisdictionForWrite(tx, bucketRequests, r.JurisdictionID)
		if err != nil {
			return err
		}
		if requests.Get([]byte(r.ID)) != nil {
			return open311.Errorf(open311.Conflict, op, "request %s already exists", r.ID)
		}
		if err := useSlots(tx, op, slotIDs, r.ID); err != nil {
			return err
		}
		if r.Token != "" {
			tokens, err := inJurisdictionForWrite(tx, bucketTokens, r.JurisdictionID)
			if err != nil {
				return err
			}
			if tokens.Get([]byte(r.Token)) != nil {
				return open311.Errorf(open311.Conflict, op, "the token was already issued for another request")
			}
			if err := tokens.Put([]byte(r.Token), []byte(r.ID)); err != nil {
				return fmt.Errorf("index token of request %s: %w", r.ID, err)
			}
		}
		if err := putJSON(requests, []byte(r.ID), r); err != nil {
			return fmt.Errorf("put request %s: %w", r.ID, err)
		}
		byTime, err := inJurisdictionForWrite(tx, bucketRequestsByTS, r.JurisdictionID)
		if err != nil {
			return err
		}
		if err := byTime.Put(requestTimeKey(r.Requested, r.ID), versionValue(r.Version)); err != nil {
			return fmt.Errorf("index requested time of request %s: %w", r.ID, err)
		}
		if err := indexReporter(tx, open311.Request{}, r); err != nil {
			return err
		}
		return addActivities(tx, op, r.JurisdictionID, []open311.Activity{created}, map[string]open311.Request{r.ID: r})
	})
	return fail(op, err)
}

// addActivities appends activities to their requests' histories, in the order given, and
// indexes them: by client update id (Conflict if one is taken) and, when their request is
// public after this write, by time and by service and time for Updates and RecentActivities.
// written holds every request of the write as it is after it; an activity whose RequestID is
// not there is refused.
func addActivities(tx *bbolt.Tx, op, jurisdictionID string, acts []open311.Activity, written map[string]open311.Request) error {
	if len(acts) == 0 {
		return nil
	}
	b, err := inJurisdictionForWrite(tx, bucketActivities, jurisdictionID)
	if err != nil {
		return err
	}
	for _, a := range acts {
		r, ok := written[a.RequestID]
		if !ok {
			return fmt.Errorf("activity %s names request %q, which this write does not change", a.ID, a.RequestID)
		}
		if err := checkKey(op, "activity id", a.ID); err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("number activity %s of request %s: %w", a.ID, a.RequestID, err)
		}
		key := activityKey(a.RequestID, a.At, seq)
		if err := putJSON(b, key, a); err != nil {
			return fmt.Errorf("put activity %s of request %s: %w", a.ID, a.RequestID, err)
		}
		if err := indexClientUpdate(tx, op, jurisdictionID, a, key); err != nil {
			return err
		}
		if r.Public() && a.Shown() {
			if err := indexUpdate(tx, op, jurisdictionID, a, r.ServiceCode, key); err != nil {
				return err
			}
			if err := indexAreaUpdate(tx, jurisdictionID, r, a, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// getRequest reads one request inside a transaction, or returns NotFound of op.
func (s *Store) getRequest(tx *bbolt.Tx, op, jurisdictionID, id string) (open311.Request, error) {
	r, ok, err := s.requests.get(inJurisdiction(tx, bucketRequests, jurisdictionID), jurisdictionID, []byte(id))
	if err != nil {
		return open311.Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	if !ok {
		return open311.Request{}, open311.Errorf(open311.NotFound, op, "request %s not found", id)
	}
	return r, nil
}

// Request returns one request by id, public or not, or NotFound.
func (s *Store) Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error) {
	const op = "store/bolt.Request"
	if err := alive(ctx, op); err != nil {
		return open311.Request{}, err
	}
	var r open311.Request
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		r, err = s.getRequest(tx, op, jurisdictionID, id)
		return err
	})
	if err != nil {
		return open311.Request{}, fail(op, err)
	}
	return r, nil
}

// RequestByToken returns the request a token was issued for, or NotFound.
func (s *Store) RequestByToken(ctx context.Context, jurisdictionID, token string) (open311.Request, error) {
	const op = "store/bolt.RequestByToken"
	if err := alive(ctx, op); err != nil {
		return open311.Request{}, err
	}
	var r open311.Request
	err := s.db.View(func(tx *bbolt.Tx) error {
		tokens := inJurisdiction(tx, bucketTokens, jurisdictionID)
		var id []byte
		if tokens != nil && token != "" {
			id = tokens.Get([]byte(token))
		}
		if id == nil {
			return open311.Errorf(open311.NotFound, op, "no request was issued that token")
		}
		var err error
		r, err = s.getRequest(tx, op, jurisdictionID, string(id))
		if open311.IsKind(err, open311.NotFound) {
			return fmt.Errorf("the token index names request %s, which does not exist", id)
		}
		return err
	})
	if err != nil {
		return open311.Request{}, fail(op, err)
	}
	return r, nil
}

// UpdateRequests reads several requests of a jurisdiction, lets change modify them and return
// the activities that record the change, and writes them all in one write transaction. Writers
// are serialised, so no request can change between the read and the write: there is never a
// Conflict from a concurrent update, and each version written is the version read plus one.
// Each activity goes to the request its RequestID names, which must be one of ids. change must
// not alter a request's ID, JurisdictionID or Version (an Internal error, nothing written); an
// error from change aborts the update and is returned as is. A change of Requested or Token
// moves the request in the time and token indexes; a token issued for another request, or a
// client update id already used in the jurisdiction, is a Conflict. An empty ids or an id
// given twice is Invalid.
func (s *Store) UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error) {
	const op = "store/bolt.UpdateRequests"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, open311.Errorf(open311.Invalid, op, "no request to update")
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, open311.Errorf(open311.Invalid, op, "request %s is listed twice", id)
		}
		seen[id] = true
	}
	var (
		out       []open311.Request
		changeErr error
	)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		olds := make([]open311.Request, len(ids))
		rs := make([]open311.Request, len(ids))
		ptrs := make([]*open311.Request, len(ids))
		for i, id := range ids {
			var err error
			if olds[i], err = s.getRequest(tx, op, jurisdictionID, id); err != nil {
				return err
			}
			// change gets its own decoding, sharing nothing with old, so that whatever it does
			// to maps and slices cannot leak into what is compared or written on failure.
			if rs[i], err = s.getRequest(tx, op, jurisdictionID, id); err != nil {
				return err
			}
			ptrs[i] = &rs[i]
		}
		acts, err := change(ptrs)
		if err != nil {
			changeErr = err
			return err
		}
		requests := tx.Bucket(bucketRequests).Bucket([]byte(jurisdictionID))
		written := make(map[string]open311.Request, len(ids))
		for i, id := range ids {
			old, r := olds[i], &rs[i]
			switch {
			case r.ID != old.ID || r.JurisdictionID != old.JurisdictionID:
				return fmt.Errorf("change of request %s altered its id or jurisdiction", id)
			case r.Version != old.Version:
				return fmt.Errorf("change of request %s altered its version from %d to %d", id, old.Version, r.Version)
			}
			r.Version = old.Version + 1
			if err := reindex(tx, op, old, *r); err != nil {
				return err
			}
			if err := putJSON(requests, []byte(id), *r); err != nil {
				return fmt.Errorf("put request %s: %w", id, err)
			}
			written[id] = *r
		}
		if err := addActivities(tx, op, jurisdictionID, acts, written); err != nil {
			return err
		}
		out = rs
		return nil
	})
	if changeErr != nil {
		return nil, changeErr
	}
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// reindex moves a request in the time, reporter and token indexes when an update changed what
// they key on.
func reindex(tx *bbolt.Tx, op string, old, r open311.Request) error {
	if err := indexReporter(tx, old, r); err != nil {
		return err
	}
	// The time index's value is the request's version (see requestCache.getAt): written with
	// every write of the request, even when its key stays.
	byTime, err := inJurisdictionForWrite(tx, bucketRequestsByTS, r.JurisdictionID)
	if err != nil {
		return err
	}
	if oldKey, newKey := requestTimeKey(old.Requested, old.ID), requestTimeKey(r.Requested, r.ID); !bytes.Equal(oldKey, newKey) {
		if err := byTime.Delete(oldKey); err != nil {
			return fmt.Errorf("unindex requested time of request %s: %w", r.ID, err)
		}
	}
	if err := byTime.Put(requestTimeKey(r.Requested, r.ID), versionValue(r.Version)); err != nil {
		return fmt.Errorf("index requested time of request %s: %w", r.ID, err)
	}
	if old.Token == r.Token {
		return nil
	}
	if len(r.Token) > maxKeyLen {
		return open311.Errorf(open311.Invalid, op, "token is longer than %d bytes", maxKeyLen)
	}
	tokens, err := inJurisdictionForWrite(tx, bucketTokens, r.JurisdictionID)
	if err != nil {
		return err
	}
	if old.Token != "" && string(tokens.Get([]byte(old.Token))) == r.ID {
		if err := tokens.Delete([]byte(old.Token)); err != nil {
			return fmt.Errorf("unindex token of request %s: %w", r.ID, err)
		}
	}
	if r.Token != "" {
		if owner := tokens.Get([]byte(r.Token)); owner != nil && string(owner) != r.ID {
			return open311.Errorf(open311.Conflict, op, "the token was already issued for another request")
		}
		if err := tokens.Put([]byte(r.Token), []byte(r.ID)); err != nil {
			return fmt.Errorf("index token of request %s: %w", r.ID, err)
		}
	}
	return nil
}

// Activities returns a request's activities, oldest first (by At, then in the order written),
// and an empty list for a request without any.
func (s *Store) Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error) {
	const op = "store/bolt.Activities"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	out := []open311.Activity{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := inJurisdiction(tx, bucketActivities, jurisdictionID)
		if b == nil || requestID == "" {
			return nil
		}
		prefix := activityPrefix(requestID)
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var a open311.Activity
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode activity of request %s: %w", requestID, err)
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}
