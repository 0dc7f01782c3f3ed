package bolt

import (
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
)

// PutSlot stores a new upload slot under its id in upload_slots; Conflict when the id is taken.
func (s *Store) PutSlot(ctx context.Context, slot open311.UploadSlot) error {
	const op = "store/bolt.PutSlot"
	if err := alive(ctx, op); err != nil {
		return err
	}
	if err := checkKey(op, "slot id", slot.ID); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUploadSlots)
		if b.Get([]byte(slot.ID)) != nil {
			return open311.Errorf(open311.Conflict, op, "upload slot %s exists already", slot.ID)
		}
		return putJSON(b, []byte(slot.ID), slot)
	})
	return fail(op, err)
}

// Slot returns the upload slot of that id, or NotFound. Slots are kept: the embedded store
// holds few of them.
func (s *Store) Slot(ctx context.Context, id string) (open311.UploadSlot, error) {
	const op = "store/bolt.Slot"
	if err := alive(ctx, op); err != nil {
		return open311.UploadSlot{}, err
	}
	var slot open311.UploadSlot
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketUploadSlots), []byte(id), &slot)
		return err
	})
	if err != nil {
		return open311.UploadSlot{}, fail(op, err)
	}
	if !found {
		return open311.UploadSlot{}, open311.Errorf(open311.NotFound, op, "upload slot %s not found", id)
	}
	return slot, nil
}

// CreateRequestWithSlots is CreateRequest that marks the slots used by the request in the same
// transaction.
func (s *Store) CreateRequestWithSlots(ctx context.Context, r open311.Request, created open311.Activity, slotIDs []string) error {
	return s.createRequest(ctx, "store/bolt.CreateRequestWithSlots", r, created, slotIDs)
}

// useSlots marks each slot used by request id, within tx; Conflict when one is unknown or used.
func useSlots(tx *bbolt.Tx, op string, slotIDs []string, id string) error {
	b := tx.Bucket(bucketUploadSlots)
	for _, sid := range slotIDs {
		var slot open311.UploadSlot
		found, err := getJSON(b, []byte(sid), &slot)
		if err != nil {
			return fmt.Errorf("read upload slot %s: %w", sid, err)
		}
		if !found || slot.RequestID != "" {
			return open311.Errorf(open311.Conflict, op, "upload slot %s is unknown or used already", sid)
		}
		slot.RequestID = id
		if err := putJSON(b, []byte(sid), slot); err != nil {
			return fmt.Errorf("use upload slot %s: %w", sid, err)
		}
	}
	return nil
}
