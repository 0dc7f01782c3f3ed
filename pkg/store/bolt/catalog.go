package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Jurisdictions returns every jurisdiction, ordered by id.
func (s *Store) Jurisdictions(ctx context.Context) ([]open311.Jurisdiction, error) {
	const op = "store/bolt.Jurisdictions"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	out := []open311.Jurisdiction{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketJurisdictions).ForEach(func(k, v []byte) error {
			var j open311.Jurisdiction
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("decode jurisdiction %s: %w", k, err)
			}
			out = append(out, j)
			return nil
		})
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// Jurisdiction returns one jurisdiction, or NotFound.
func (s *Store) Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	const op = "store/bolt.Jurisdiction"
	if err := alive(ctx, op); err != nil {
		return open311.Jurisdiction{}, err
	}
	var j open311.Jurisdiction
	err := s.db.View(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketJurisdictions), []byte(id), &j)
		if err != nil {
			return fmt.Errorf("get jurisdiction %s: %w", id, err)
		}
		if !ok {
			return open311.Errorf(open311.NotFound, op, "jurisdiction %s not found", id)
		}
		return nil
	})
	if err != nil {
		return open311.Jurisdiction{}, fail(op, err)
	}
	return j, nil
}

// PutJurisdiction creates or replaces a jurisdiction.
func (s *Store) PutJurisdiction(ctx context.Context, j open311.Jurisdiction) error {
	const op = "store/bolt.PutJurisdiction"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkKey(op, "jurisdiction id", j.ID); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketJurisdictions), []byte(j.ID), j); err != nil {
			return fmt.Errorf("put jurisdiction %s: %w", j.ID, err)
		}
		return nil
	})
	return fail(op, err)
}

// Services returns a jurisdiction's services ordered by code (bytewise, which for UTF-8 is
// code point order), and an empty list for a jurisdiction without any.
func (s *Store) Services(ctx context.Context, jurisdictionID string) ([]open311.Service, error) {
	const op = "store/bolt.Services"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	out := []open311.Service{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := inJurisdiction(tx, bucketServices, jurisdictionID)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var svc open311.Service
			if err := json.Unmarshal(v, &svc); err != nil {
				return fmt.Errorf("decode service %s/%s: %w", jurisdictionID, k, err)
			}
			out = append(out, svc)
			return nil
		})
	})
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// Service returns one service with its attributes, or NotFound.
func (s *Store) Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error) {
	const op = "store/bolt.Service"
	if err := alive(ctx, op); err != nil {
		return open311.Service{}, err
	}
	var svc open311.Service
	err := s.db.View(func(tx *bbolt.Tx) error {
		ok, err := getJSON(inJurisdiction(tx, bucketServices, jurisdictionID), []byte(code), &svc)
		if err != nil {
			return fmt.Errorf("get service %s/%s: %w", jurisdictionID, code, err)
		}
		if !ok {
			return open311.Errorf(open311.NotFound, op, "service %q not found", code)
		}
		return nil
	})
	if err != nil {
		return open311.Service{}, fail(op, err)
	}
	return svc, nil
}

// PutService creates or replaces a service. The jurisdiction need not exist yet, so that a
// catalog can be loaded in any order.
func (s *Store) PutService(ctx context.Context, svc open311.Service) error {
	const op = "store/bolt.PutService"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkKey(op, "jurisdiction id", svc.JurisdictionID); err != nil {
		return err
	}
	if err := checkKey(op, "service code", svc.Code); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := inJurisdictionForWrite(tx, bucketServices, svc.JurisdictionID)
		if err != nil {
			return err
		}
		if err := putJSON(b, []byte(svc.Code), svc); err != nil {
			return fmt.Errorf("put service %s/%s: %w", svc.JurisdictionID, svc.Code, err)
		}
		return nil
	})
	return fail(op, err)
}

// DeleteService removes a service, or fails with NotFound when there is none; requests made to
// it stay.
func (s *Store) DeleteService(ctx context.Context, jurisdictionID, code string) error {
	const op = "store/bolt.DeleteService"
	if err := alive(ctx, op); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := inJurisdiction(tx, bucketServices, jurisdictionID)
		if b == nil || code == "" || b.Get([]byte(code)) == nil {
			return open311.Errorf(open311.NotFound, op, "service %q not found", code)
		}
		if err := b.Delete([]byte(code)); err != nil {
			return fmt.Errorf("delete service %s/%s: %w", jurisdictionID, code, err)
		}
		return nil
	})
	return fail(op, err)
}

// APIKey returns the key whose hash is given (revoked or not), or NotFound.
func (s *Store) APIKey(ctx context.Context, hash string) (open311.APIKey, error) {
	const op = "store/bolt.APIKey"
	if err := alive(ctx, op); err != nil {
		return open311.APIKey{}, err
	}
	var k open311.APIKey
	err := s.db.View(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketKeys), []byte(hash), &k)
		if err != nil {
			return fmt.Errorf("get api key: %w", err)
		}
		if !ok {
			return open311.Errorf(open311.NotFound, op, "api key not found")
		}
		return nil
	})
	if err != nil {
		return open311.APIKey{}, fail(op, err)
	}
	return k, nil
}

// TouchAPIKey sets a key's LastUsed to day unless it is that late already.
func (s *Store) TouchAPIKey(ctx context.Context, hash string, day time.Time) error {
	const op = "store/bolt.TouchAPIKey"
	if err := alive(ctx, op); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketKeys)
		var k open311.APIKey
		ok, err := getJSON(b, []byte(hash), &k)
		if err != nil || !ok || !k.LastUsed.Before(day) {
			return err
		}
		k.LastUsed = day.UTC()
		return putJSON(b, []byte(hash), k)
	})
	return fail(op, err)
}

// PutAPIKey creates or replaces a key; revoking is a put with Revoked set.
func (s *Store) PutAPIKey(ctx context.Context, k open311.APIKey) error {
	const op = "store/bolt.PutAPIKey"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkKey(op, "api key hash", k.Hash); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketKeys), []byte(k.Hash), k); err != nil {
			return fmt.Errorf("put api key %q: %w", k.Label, err)
		}
		return nil
	})
	return fail(op, err)
}

// APIKeys returns every key, oldest first (ties by hash).
func (s *Store) APIKeys(ctx context.Context) ([]open311.APIKey, error) {
	const op = "store/bolt.APIKeys"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	keys := []open311.APIKey{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketKeys).ForEach(func(h, v []byte) error {
			var k open311.APIKey
			if err := json.Unmarshal(v, &k); err != nil {
				return fmt.Errorf("decode api key %s: %w", h, err)
			}
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		return nil, fail(op, err)
	}
	store.SortKeys(keys)
	return keys, nil
}
