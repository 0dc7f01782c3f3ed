package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// SetMinFilteredRead sets the smallest Limit of s's filtered Queries (100 by default), so that a
// test reads a geohash cell more than once with a few dozen requests.
func SetMinFilteredRead(s *Store, n int) { s.minFilteredRead = n }

// MakeActivitiesOld rewrites the listed activity items of a request as the store wrote them
// before RecentActivities: without the Entry copy of their request and without GSI2 keys.
func MakeActivitiesOld(ctx context.Context, s *Store, jurisdictionID, requestID string) error {
	pk, _ := requestKey(jurisdictionID, requestID)
	items, err := s.queryPartition(ctx, pk, "ACT#")
	if err != nil {
		return err
	}
	for _, item := range items {
		if _, listed := item[attrGSI1PK]; !listed {
			continue
		}
		delete(item, attrEntry)
		delete(item, attrGSI2PK)
		delete(item, attrGSI2SK)
		if err := s.putItem(ctx, item); err != nil {
			return err
		}
	}
	return nil
}

// MakeRequestOld rewrites a request's item as the store wrote it before GSI3: without its keys.
func MakeRequestOld(ctx context.Context, s *Store, jurisdictionID, requestID string) error {
	pk, sk := requestKey(jurisdictionID, requestID)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return err
	}
	delete(item, attrGSI3PK)
	delete(item, attrGSI3SK)
	return s.putItem(ctx, item)
}

// MakeHiddenRequestOld rewrites a request's item as the store wrote it before the staff queue:
// a request that is not public then had no GSI1 keys.
func MakeHiddenRequestOld(ctx context.Context, s *Store, jurisdictionID, requestID string) error {
	pk, sk := requestKey(jurisdictionID, requestID)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil || item == nil {
		return err
	}
	delete(item, attrGSI1PK)
	delete(item, attrGSI1SK)
	return s.putItem(ctx, item)
}

// SlotExpiresAt reads the TTL attribute (expires_at) of an upload slot's item, in Unix seconds.
func SlotExpiresAt(ctx context.Context, s *Store, id string) (string, error) {
	pk, sk := slotKey(id)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil || item == nil {
		return "", err
	}
	n, _ := item[attrTTL].(*types.AttributeValueMemberN)
	if n == nil {
		return "", nil
	}
	return n.Value, nil
}

// MakeActivitiesArealess rewrites the activity items of a request as the store wrote them before
// GSI4: without its keys.
func MakeActivitiesArealess(ctx context.Context, s *Store, jurisdictionID, requestID string) error {
	pk, _ := requestKey(jurisdictionID, requestID)
	items, err := s.queryPartition(ctx, pk, "ACT#")
	if err != nil {
		return err
	}
	for _, item := range items {
		delete(item, attrGSI4PK)
		delete(item, attrGSI4SK)
		if err := s.putItem(ctx, item); err != nil {
			return err
		}
	}
	return nil
}
