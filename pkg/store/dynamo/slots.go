package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
)

// slotKey is the key of an upload slot's item, alone in its partition.
func slotKey(id string) (pk, sk string) { return "SLOT#" + esc(id), "SLOT" }

// slotKeep is how long after its expiry a slot's item stays before TTL deletes it (which
// DynamoDB does within days, so Slot answers expired slots too until then).
const slotKeep = 24 * time.Hour

// PutSlot writes a new upload slot's item, with expires_at (TTL) a day after the slot
// expires; Conflict when the id is taken.
func (s *Store) PutSlot(ctx context.Context, slot open311.UploadSlot) error {
	const op = "store/dynamo.PutSlot"
	if slot.ID == "" {
		return open311.Errorf(open311.Invalid, op, "slot id is empty")
	}
	pk, sk := slotKey(slot.ID)
	item, err := marshal(slot, typeUploadSlot, pk, sk)
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("encode upload slot %s: %w", slot.ID, err))
	}
	item[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(slot.Expires.Add(slotKeep).Unix(), 10)}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if conditionFailed(err) {
		return open311.Errorf(open311.Conflict, op, "upload slot %s exists already", slot.ID)
	}
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("put upload slot %s: %w", slot.ID, err))
	}
	return nil
}

// Slot reads an upload slot's item (a consistent GetItem), or NotFound.
func (s *Store) Slot(ctx context.Context, id string) (open311.UploadSlot, error) {
	const op = "store/dynamo.Slot"
	pk, sk := slotKey(id)
	if id == "" {
		return open311.UploadSlot{}, open311.Errorf(open311.NotFound, op, "upload slot %q not found", id)
	}
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.UploadSlot{}, open311.Wrap(op, fmt.Errorf("get upload slot %s: %w", id, err))
	}
	if item == nil {
		return open311.UploadSlot{}, open311.Errorf(open311.NotFound, op, "upload slot %s not found", id)
	}
	var slot open311.UploadSlot
	if err := unmarshal(item, &slot); err != nil {
		return open311.UploadSlot{}, open311.Wrap(op, fmt.Errorf("decode upload slot %s: %w", id, err))
	}
	return slot, nil
}

// CreateRequestWithSlots is CreateRequest whose TransactWriteItems also updates each slot's
// item to name the request, on the condition that it exists and names none yet.
func (s *Store) CreateRequestWithSlots(ctx context.Context, r open311.Request, created open311.Activity, slotIDs []string) error {
	return s.createRequest(ctx, "store/dynamo.CreateRequestWithSlots", r, created, slotIDs)
}

// useSlot is the transaction item that marks a slot used by request id.
func (s *Store) useSlot(slotID, id string) types.TransactWriteItem {
	pk, sk := slotKey(slotID)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(s.table),
		Key:                       key(pk, sk),
		UpdateExpression:          aws.String("SET request_id = :id"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(request_id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(id)},
	}}
}
