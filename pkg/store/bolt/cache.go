package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
)

// requestCacheSize bounds the requests kept decoded: about 2.5 KB each for a request of 1 KB of
// JSON (the stored bytes and the decoded value), so some 20 MB at most.
const requestCacheSize = 8192

// requestCache keeps stored requests decoded, so that a request read again is not decoded
// again. An entry holds the bytes it was decoded from and is used only while the stored bytes
// are the same, so it can never answer anything but the decoding of what the reading
// transaction sees, whatever the order of transactions: a write makes the next read decode
// again (and replace the entry), and nothing needs invalidating. Every read gets its own copy
// (cloneRequest), since callers may change what they are given. It is safe for concurrent use.
type requestCache struct {
	mu      sync.RWMutex
	entries map[string]map[string]*cachedRequest // jurisdiction id -> request id -> entry
	size    int
	off     bool // decode every read (a benchmark's "before")
}

type cachedRequest struct {
	raw []byte // the stored JSON, copied out of the transaction
	r   open311.Request
}

func newRequestCache() *requestCache {
	return &requestCache{entries: map[string]map[string]*cachedRequest{}}
}

// getAt is get for a request whose requests_by_time value, version, holds the version it was
// last written at (versionValue): a cached decoding of that version is the stored request, so
// it is returned without reading the stored bytes. An empty value (a store written before the
// index held versions) is read and compared as get does.
//
// Sound because a request's Version grows by one with every write of it (UpdateRequests), its
// index value is written with it in the same transaction, and the cache is filled only by
// read-only transactions, which see committed writes alone: each committed version of a request
// has one content.
//
// shared hands out the cached request itself, not a copy (store.Query.Shared).
func (c *requestCache) getAt(requests *bbolt.Bucket, jurisdictionID string, id, version []byte, shared bool) (open311.Request, bool, error) {
	if len(version) == 8 && !c.off {
		v := int64(binary.BigEndian.Uint64(version))
		c.mu.RLock()
		e := c.entries[jurisdictionID][string(id)]
		c.mu.RUnlock()
		if e != nil && e.r.Version == v {
			if shared {
				return e.r, true, nil
			}
			return cloneRequest(e.r), true, nil
		}
	}
	return c.get(requests, jurisdictionID, id)
}

// versionValue is a request's requests_by_time value: its version, 8 bytes big-endian.
func versionValue(version int64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(version))
}

// get returns the request stored under id in requests (a jurisdiction's bucket, or nil), and
// whether there is one.
func (c *requestCache) get(requests *bbolt.Bucket, jurisdictionID string, id []byte) (open311.Request, bool, error) {
	if requests == nil || len(id) == 0 {
		return open311.Request{}, false, nil
	}
	data := requests.Get(id)
	if data == nil {
		return open311.Request{}, false, nil
	}
	if c.off {
		var r open311.Request
		if err := json.Unmarshal(data, &r); err != nil {
			return open311.Request{}, false, fmt.Errorf("decode request %s: %w", id, err)
		}
		return r, true, nil
	}
	c.mu.RLock()
	e := c.entries[jurisdictionID][string(id)]
	c.mu.RUnlock()
	if e != nil && bytes.Equal(e.raw, data) {
		return cloneRequest(e.r), true, nil
	}
	e = &cachedRequest{raw: bytes.Clone(data)}
	if err := json.Unmarshal(e.raw, &e.r); err != nil {
		return open311.Request{}, false, fmt.Errorf("decode request %s: %w", id, err)
	}
	if requests.Tx().Writable() {
		// What a writing transaction reads may be its own write, which it may yet roll back.
		return e.r, true, nil
	}
	c.put(jurisdictionID, string(id), e)
	return cloneRequest(e.r), true, nil
}

// put adds or replaces an entry, first evicting one at random when the cache is full.
func (c *requestCache) put(jurisdictionID, id string, e *cachedRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	byID := c.entries[jurisdictionID]
	if byID == nil {
		byID = map[string]*cachedRequest{}
		c.entries[jurisdictionID] = byID
	}
	if _, ok := byID[id]; !ok {
		if c.size >= requestCacheSize {
			c.evictOne()
		}
		c.size++
	}
	byID[id] = e
}

// evictOne removes one entry, whichever map iteration meets first.
func (c *requestCache) evictOne() {
	for j, byID := range c.entries {
		for id := range byID {
			delete(byID, id)
			c.size--
			if len(byID) == 0 {
				delete(c.entries, j)
			}
			return
		}
	}
}

// cloneRequest returns a copy of r that shares no memory with it (TestCloneRequest keeps it in
// step with the fields of open311.Request).
func cloneRequest(r open311.Request) open311.Request {
	if r.Point != nil {
		p := *r.Point
		r.Point = &p
	}
	if r.Attributes != nil {
		attrs := maps.Clone(r.Attributes)
		for k, v := range attrs {
			attrs[k] = slices.Clone(v)
		}
		r.Attributes = attrs
	}
	r.Areas = slices.Clone(r.Areas)
	r.Links = slices.Clone(r.Links)
	r.Media = slices.Clone(r.Media) // open311.Photo holds only values
	r.ReporterSealed = slices.Clone(r.ReporterSealed)
	return r
}
