// Package bolt is the embedded store.Store of the local stack: a single file on
// go.etcd.io/bbolt, no server, no cgo.
//
// Its invariants: items are the JSON of the domain structs, under one top-level bucket per kind
// of item and a nested bucket per jurisdiction, so no key of one jurisdiction is ever read as
// another's; writers are serialised, so UpdateRequests reads, changes and writes in one
// transaction and never loses to a concurrent update; every commit is fsynced before it is
// acknowledged; the file is locked while open, and a second Open fails after a second instead of
// waiting. The file records its schema; Open refuses other schemas, except 1 to 5, which it
// migrates. A request is decoded once and kept decoded while its stored bytes stay the same;
// every read gets its own copy.
//
// Why bbolt, the buckets and their key encodings, and the migration: docs/store-embedded.md.
package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

var _ store.Store = (*Store)(nil)

// Top-level bucket names; docs/store-embedded.md says what each holds.
var (
	bucketMeta          = []byte("meta")
	bucketJurisdictions = []byte("jurisdictions")
	bucketKeys          = []byte("keys")
	bucketServices      = []byte("services")
	bucketRequests      = []byte("requests")
	bucketRequestsByTS  = []byte("requests_by_time")
	bucketTokens        = []byte("tokens")
	bucketActivities    = []byte("activities")
	bucketClientUpdates = []byte("client_updates")
	bucketUpdatesByTS   = []byte("updates_by_time")
	bucketUpdatesBySvc  = []byte("updates_by_service")
	bucketReporters     = []byte("reporters")
	bucketUploadSlots   = []byte("upload_slots")
)

var topBuckets = [][]byte{bucketMeta, bucketJurisdictions, bucketKeys, bucketServices,
	bucketRequests, bucketRequestsByTS, bucketTokens, bucketActivities,
	bucketClientUpdates, bucketUpdatesByTS, bucketUpdatesBySvc, bucketReporters,
	bucketUploadSlots, bucketUpdatesByArea, bucketSubscriptions, bucketSubsByExpiry}

// schemaVersion names the layout above; a file of another layout is refused rather than
// misread, except schemas 1 to 5, which Open migrates.
const schemaVersion = "6"

var schemaKey = []byte("schema")

// lockTimeout is how long Open waits for another process to let go of the file.
const lockTimeout = time.Second

// maxKeyLen bounds ids, codes, tokens and hashes, well inside bbolt's key size limit once they
// are combined with the other parts of a key.
const maxKeyLen = 4096

// Store is a store.Store kept in one bbolt file. It is safe for concurrent use.
type Store struct {
	db *bbolt.DB
	// requests keeps stored requests decoded: every read of a request goes through it.
	requests *requestCache
}

// Open opens (creating it if need be) the store in the file at path. The file holds personal
// data, so it is created readable by its owner only. While open, the file is locked: a second
// Open of the same file, from this process or another, fails after a second.
func Open(path string) (*Store, error) {
	const op = "store/bolt.Open"
	// The free list is not written with every commit (it is rebuilt from the file when it is
	// opened): writing it made a commit's cost grow with the file, a POST 1.8 times slower at
	// 10,000 requests than on a fresh store. Commits stay atomic and durable either way.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, open311.Wrap(op, fmt.Errorf("open %s: still locked by another user of the file after %s: %w", path, lockTimeout, err))
	}
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("open %s: %w", path, err))
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range topBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get(schemaKey); {
		case v == nil:
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) == "1":
			// Schema 1's migration builds updates_by_service with the rest of the indexes.
			if err := migrateFrom1(tx); err != nil {
				return fmt.Errorf("migrate from schema 1: %w", err)
			}
			if err := migrateFrom3(tx); err != nil {
				return fmt.Errorf("migrate from schema 1: %w", err)
			}
			if err := migrateFrom4(tx); err != nil {
				return fmt.Errorf("migrate from schema 1: %w", err)
			}
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) == "2":
			if err := migrateFrom2(tx); err != nil {
				return fmt.Errorf("migrate from schema 2: %w", err)
			}
			if err := migrateFrom3(tx); err != nil {
				return fmt.Errorf("migrate from schema 2: %w", err)
			}
			if err := migrateFrom4(tx); err != nil {
				return fmt.Errorf("migrate from schema 2: %w", err)
			}
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) == "3":
			if err := migrateFrom3(tx); err != nil {
				return fmt.Errorf("migrate from schema 3: %w", err)
			}
			if err := migrateFrom4(tx); err != nil {
				return fmt.Errorf("migrate from schema 3: %w", err)
			}
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) == "4":
			if err := migrateFrom4(tx); err != nil {
				return fmt.Errorf("migrate from schema 4: %w", err)
			}
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) == "5":
			// Schema 6 added the subscriptions' buckets, created empty above: nothing to build.
			return meta.Put(schemaKey, []byte(schemaVersion))
		case string(v) != schemaVersion:
			return fmt.Errorf("the file has schema version %q; this program knows version %q only", v, schemaVersion)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, open311.Wrap(op, fmt.Errorf("prepare %s: %w", path, err))
	}
	return &Store{db: db, requests: newRequestCache()}, nil
}

// Close releases the file. Writes were already durable when they returned.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return open311.Wrap("store/bolt.Close", fmt.Errorf("close %s: %w", s.db.Path(), err))
	}
	return nil
}

// fail returns err as the Store returns errors: an *open311.Error made inside a transaction
// passes as it is, anything else becomes an Internal error of op.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *open311.Error
	if errors.As(err, &e) {
		return err
	}
	return open311.Wrap(op, err)
}

// alive refuses to start work for a context that is already done.
func alive(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return open311.Wrap(op, fmt.Errorf("not started: %w", err))
	}
	return nil
}

// checkKey rejects a string that cannot be a key: empty, or too long.
func checkKey(op, what, k string) error {
	if k == "" {
		return open311.Errorf(open311.Invalid, op, "%s is empty", what)
	}
	if len(k) > maxKeyLen {
		return open311.Errorf(open311.Invalid, op, "%s is longer than %d bytes", what, maxKeyLen)
	}
	return nil
}

// inJurisdiction returns the jurisdiction's bucket under the top-level bucket top, or nil when
// the jurisdiction has nothing there yet.
func inJurisdiction(tx *bbolt.Tx, top []byte, jurisdictionID string) *bbolt.Bucket {
	if jurisdictionID == "" {
		return nil
	}
	return tx.Bucket(top).Bucket([]byte(jurisdictionID))
}

// inJurisdictionForWrite returns the jurisdiction's bucket under top, creating it if need be.
func inJurisdictionForWrite(tx *bbolt.Tx, top []byte, jurisdictionID string) (*bbolt.Bucket, error) {
	b, err := tx.Bucket(top).CreateBucketIfNotExists([]byte(jurisdictionID))
	if err != nil {
		return nil, fmt.Errorf("create bucket %s/%s: %w", top, jurisdictionID, err)
	}
	return b, nil
}

// putJSON stores v as JSON under key.
func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("put %T: %w", v, err)
	}
	return nil
}

// getJSON decodes the JSON under key into v and reports whether there was any.
func getJSON(b *bbolt.Bucket, key []byte, v any) (bool, error) {
	if b == nil || len(key) == 0 {
		return false, nil
	}
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("decode %T: %w", v, err)
	}
	return true, nil
}
