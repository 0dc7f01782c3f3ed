package bolt

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

var _ store.Subscriptions = (*Store)(nil)

// Buckets of the WebSub hub's subscriptions (schema 6).
var (
	bucketSubscriptions = []byte("subscriptions")
	bucketSubsByExpiry  = []byte("subscriptions_by_expiry")
)

// expiryKey is a subscription's key in subscriptions_by_expiry: its expiry, then its topic
// (length-prefixed, so that no topic's keys run into another's), then its callback.
func expiryKey(expires time.Time, topic, callback string) []byte {
	b := appendTime(make([]byte, 0, timeKeyLen+binary.MaxVarintLen64+len(topic)+len(callback)), expires)
	b = binary.AppendUvarint(b, uint64(len(topic)))
	b = append(b, topic...)
	return append(b, callback...)
}

// readExpiryKey returns the topic and callback of an expiryKey.
func readExpiryKey(k []byte) (topic, callback string, ok bool) {
	if len(k) < timeKeyLen {
		return "", "", false
	}
	rest := k[timeKeyLen:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || uint64(len(rest)-w) < n {
		return "", "", false
	}
	return string(rest[w : w+int(n)]), string(rest[w+int(n):]), true
}

// subscriberCursorPrefix marks the cursors Subscribers gives out, so that another opaque string
// is not read as a position.
const subscriberCursorPrefix = "sub|"

func encodeSubscriberCursor(callback string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(subscriberCursorPrefix + callback))
}

func decodeSubscriberCursor(op, cursor string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	callback, ok := strings.CutPrefix(string(raw), subscriberCursorPrefix)
	if err != nil || !ok || callback == "" {
		return nil, open311.Errorf(open311.Invalid, op, "the cursor is not one this server gave out")
	}
	return []byte(callback), nil
}

// redactCallback is a callback without its query, which may hold the subscriber's own secret.
func redactCallback(callback string) string {
	if i := strings.IndexAny(callback, "?#"); i >= 0 {
		return callback[:i]
	}
	return callback
}

func checkSubscriptionKeys(op, topic, callback string) error {
	if err := checkKey(op, "topic", topic); err != nil {
		return err
	}
	return checkKey(op, "callback", callback)
}

// removeSubscription deletes the subscription of callback to topic and its expiry key, if any,
// and the topic's bucket once it is empty.
func removeSubscription(tx *bbolt.Tx, topic, callback string) error {
	b := tx.Bucket(bucketSubscriptions).Bucket([]byte(topic))
	var old open311.Subscription
	found, err := getJSON(b, []byte(callback), &old)
	if err != nil || !found {
		return err
	}
	if err := tx.Bucket(bucketSubsByExpiry).Delete(expiryKey(old.Expires, topic, callback)); err != nil {
		return fmt.Errorf("delete the expiry of a subscription: %w", err)
	}
	if err := b.Delete([]byte(callback)); err != nil {
		return fmt.Errorf("delete a subscription: %w", err)
	}
	if k, _ := b.Cursor().First(); k == nil {
		if err := tx.Bucket(bucketSubscriptions).DeleteBucket([]byte(topic)); err != nil {
			return fmt.Errorf("delete the empty bucket of a topic: %w", err)
		}
	}
	return nil
}

// PutSubscription creates or replaces the subscription of s.Callback to s.Topic, under
// subscriptions/topic/callback, with its key in subscriptions_by_expiry.
func (s *Store) PutSubscription(ctx context.Context, sub open311.Subscription) error {
	const op = "store/bolt.PutSubscription"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkSubscriptionKeys(op, sub.Topic, sub.Callback); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := removeSubscription(tx, sub.Topic, sub.Callback); err != nil {
			return err
		}
		b, err := tx.Bucket(bucketSubscriptions).CreateBucketIfNotExists([]byte(sub.Topic))
		if err != nil {
			return fmt.Errorf("create the bucket of a topic: %w", err)
		}
		if err := putJSON(b, []byte(sub.Callback), sub); err != nil {
			return err
		}
		return tx.Bucket(bucketSubsByExpiry).Put(expiryKey(sub.Expires, sub.Topic, sub.Callback), nil)
	})
	return fail(op, err)
}

// DeleteSubscription removes the subscription of callback to topic; an unknown one is no error.
func (s *Store) DeleteSubscription(ctx context.Context, topic, callback string) error {
	const op = "store/bolt.DeleteSubscription"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkSubscriptionKeys(op, topic, callback); err != nil {
		return err
	}
	return fail(op, s.db.Update(func(tx *bbolt.Tx) error { return removeSubscription(tx, topic, callback) }))
}

// Subscription returns the subscription of callback to topic whose lease runs at now, or
// NotFound.
func (s *Store) Subscription(ctx context.Context, topic, callback string, now time.Time) (open311.Subscription, error) {
	const op = "store/bolt.Subscription"
	if err := alive(ctx, op); err != nil {
		return open311.Subscription{}, err
	}
	if err := checkSubscriptionKeys(op, topic, callback); err != nil {
		return open311.Subscription{}, err
	}
	var sub open311.Subscription
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketSubscriptions).Bucket([]byte(topic)), []byte(callback), &sub)
		return err
	})
	if err != nil {
		return open311.Subscription{}, fail(op, err)
	}
	if !found || !sub.Active(now) {
		return open311.Subscription{}, open311.Errorf(open311.NotFound, op, "no active subscription of that callback to that topic")
	}
	return sub, nil
}

// Subscribers returns a page of the topic's subscriptions whose lease runs at now, ordered by
// callback: a seek in the topic's bucket to the cursor, then a walk of at most limit active
// ones (and the expired ones among them, which DeleteExpiredSubscriptions removes daily).
// Next is set only when an active subscription follows the page.
func (s *Store) Subscribers(ctx context.Context, topic string, now time.Time, cursor string, limit int) (store.SubscriberPage, error) {
	const op = "store/bolt.Subscribers"
	if err := alive(ctx, op); err != nil {
		return store.SubscriberPage{}, err
	}
	if limit < 1 || limit > store.MaxPageSize {
		return store.SubscriberPage{}, open311.Errorf(open311.Invalid, op, "limit must be 1 to %d, not %d", store.MaxPageSize, limit)
	}
	var after []byte
	if cursor != "" {
		var err error
		if after, err = decodeSubscriberCursor(op, cursor); err != nil {
			return store.SubscriberPage{}, err
		}
	}
	if err := checkKey(op, "topic", topic); err != nil {
		return store.SubscriberPage{}, err
	}
	page := store.SubscriberPage{Subscriptions: []open311.Subscription{}}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSubscriptions).Bucket([]byte(topic))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.First()
		if after != nil {
			k, v = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			var sub open311.Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("decode the subscription of %s: %w", redactCallback(string(k)), err)
			}
			if !sub.Active(now) {
				continue
			}
			if len(page.Subscriptions) == limit {
				page.Next = encodeSubscriberCursor(page.Subscriptions[limit-1].Callback)
				return nil
			}
			page.Subscriptions = append(page.Subscriptions, sub)
		}
		return nil
	})
	if err != nil {
		return store.SubscriberPage{}, fail(op, err)
	}
	return page, nil
}

// DeleteExpiredSubscriptions deletes the subscriptions whose lease ended at or before now (a
// range of subscriptions_by_expiry, oldest first) and returns how many it deleted; the local
// server calls it daily.
func (s *Store) DeleteExpiredSubscriptions(ctx context.Context, now time.Time) (int, error) {
	const op = "store/bolt.DeleteExpiredSubscriptions"
	if err := alive(ctx, op); err != nil {
		return 0, err
	}
	// Keys of leases that ended by now sort before every key of now plus a nanosecond.
	end := appendTime(nil, now.Add(time.Nanosecond))
	n := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var expired [][]byte
		c := tx.Bucket(bucketSubsByExpiry).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			expired = append(expired, bytes.Clone(k))
		}
		for _, k := range expired {
			topic, callback, ok := readExpiryKey(k)
			if !ok {
				return fmt.Errorf("a malformed key in %s", bucketSubsByExpiry)
			}
			var sub open311.Subscription
			found, err := getJSON(tx.Bucket(bucketSubscriptions).Bucket([]byte(topic)), []byte(callback), &sub)
			if err != nil {
				return err
			}
			if found && !sub.Active(now) {
				if err := removeSubscription(tx, topic, callback); err != nil {
					return err
				}
				n++
			}
			// The key goes whatever it named: a renewed subscription has a key of its own.
			if err := tx.Bucket(bucketSubsByExpiry).Delete(k); err != nil {
				return fmt.Errorf("delete an expiry key: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fail(op, err)
	}
	return n, nil
}
