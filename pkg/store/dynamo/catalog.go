package dynamo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Jurisdictions returns every jurisdiction, ordered by id, from one partition.
func (s *Store) Jurisdictions(ctx context.Context) ([]open311.Jurisdiction, error) {
	const op = "store/dynamo.Jurisdictions"
	pk, _ := jurisdictionKey("")
	items, err := s.queryPartition(ctx, pk, "JUR#")
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("query jurisdictions: %w", err))
	}
	js := make([]open311.Jurisdiction, 0, len(items))
	for _, item := range items {
		var j open311.Jurisdiction
		if err := unmarshal(item, &j); err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("decode jurisdiction: %w", err))
		}
		js = append(js, j)
	}
	sort.Slice(js, func(a, b int) bool { return js[a].ID < js[b].ID })
	return js, nil
}

// Jurisdiction returns one jurisdiction, or NotFound.
func (s *Store) Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	const op = "store/dynamo.Jurisdiction"
	pk, sk := jurisdictionKey(id)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.Jurisdiction{}, open311.Wrap(op, fmt.Errorf("get jurisdiction %s: %w", id, err))
	}
	if item == nil {
		return open311.Jurisdiction{}, open311.Errorf(open311.NotFound, op, "jurisdiction %s not found", id)
	}
	var j open311.Jurisdiction
	if err := unmarshal(item, &j); err != nil {
		return open311.Jurisdiction{}, open311.Wrap(op, fmt.Errorf("decode jurisdiction %s: %w", id, err))
	}
	return j, nil
}

// Services returns a jurisdiction's services ordered by code, from the jurisdiction's partition.
func (s *Store) Services(ctx context.Context, jurisdictionID string) ([]open311.Service, error) {
	const op = "store/dynamo.Services"
	pk, _ := serviceKey(jurisdictionID, "")
	items, err := s.queryPartition(ctx, pk, "SVC#")
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("query services of %s: %w", jurisdictionID, err))
	}
	ss := make([]open311.Service, 0, len(items))
	for _, item := range items {
		var sv open311.Service
		if err := unmarshal(item, &sv); err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("decode service of %s: %w", jurisdictionID, err))
		}
		ss = append(ss, sv)
	}
	sort.Slice(ss, func(a, b int) bool { return ss[a].Code < ss[b].Code })
	return ss, nil
}

// Service returns one service with its attributes, or NotFound.
func (s *Store) Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error) {
	const op = "store/dynamo.Service"
	pk, sk := serviceKey(jurisdictionID, code)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.Service{}, open311.Wrap(op, fmt.Errorf("get service %s of %s: %w", code, jurisdictionID, err))
	}
	if item == nil {
		return open311.Service{}, open311.Errorf(open311.NotFound, op, "service %s not found", code)
	}
	var sv open311.Service
	if err := unmarshal(item, &sv); err != nil {
		return open311.Service{}, open311.Wrap(op, fmt.Errorf("decode service %s of %s: %w", code, jurisdictionID, err))
	}
	return sv, nil
}

// APIKey returns the key whose hash is given (revoked or not), or NotFound.
func (s *Store) APIKey(ctx context.Context, hash string) (open311.APIKey, error) {
	const op = "store/dynamo.APIKey"
	pk, sk := apiKeyKey(hash)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.APIKey{}, open311.Wrap(op, fmt.Errorf("get api key: %w", err))
	}
	if item == nil {
		return open311.APIKey{}, open311.Errorf(open311.NotFound, op, "API key not found")
	}
	var k open311.APIKey
	if err := unmarshal(item, &k); err != nil {
		return open311.APIKey{}, open311.Wrap(op, fmt.Errorf("decode api key: %w", err))
	}
	return k, nil
}

// PutJurisdiction creates or replaces a jurisdiction.
func (s *Store) PutJurisdiction(ctx context.Context, j open311.Jurisdiction) error {
	const op = "store/dynamo.PutJurisdiction"
	if j.ID == "" {
		return open311.Errorf(open311.Invalid, op, "a jurisdiction needs an id")
	}
	pk, sk := jurisdictionKey(j.ID)
	item, err := marshal(j, typeJurisdiction, pk, sk)
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("encode jurisdiction %s: %w", j.ID, err))
	}
	if err := s.putItem(ctx, item); err != nil {
		return open311.Wrap(op, fmt.Errorf("put jurisdiction %s: %w", j.ID, err))
	}
	return nil
}

// PutService creates or replaces a service with its definition.
func (s *Store) PutService(ctx context.Context, sv open311.Service) error {
	const op = "store/dynamo.PutService"
	if sv.JurisdictionID == "" || sv.Code == "" {
		return open311.Errorf(open311.Invalid, op, "a service needs a jurisdiction and a code")
	}
	pk, sk := serviceKey(sv.JurisdictionID, sv.Code)
	item, err := marshal(sv, typeService, pk, sk)
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("encode service %s of %s: %w", sv.Code, sv.JurisdictionID, err))
	}
	if err := s.putItem(ctx, item); err != nil {
		return open311.Wrap(op, fmt.Errorf("put service %s of %s: %w", sv.Code, sv.JurisdictionID, err))
	}
	return nil
}

// DeleteService removes a service; requests made to it stay. It fails with NotFound when there
// is no such service (a DeleteItem conditioned on the item existing).
func (s *Store) DeleteService(ctx context.Context, jurisdictionID, code string) error {
	const op = "store/dynamo.DeleteService"
	pk, sk := serviceKey(jurisdictionID, code)
	if !keyFits(pk, sk) {
		return open311.Errorf(open311.NotFound, op, "service %s not found", code)
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(pk, sk),
		ConditionExpression: aws.String("attribute_exists(PK)"),
	})
	if conditionFailed(err) {
		return open311.Errorf(open311.NotFound, op, "service %s not found", code)
	}
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("delete service %s of %s: %w", code, jurisdictionID, err))
	}
	return nil
}

// PutAPIKey creates or replaces a key; revoking is a put with Revoked set. The key's item (read
// by the API, one GetItem by hash) and its copy in the KEYS partition (read by APIKeys) are
// written together in one transaction, so the list never misses or outlives a change.
func (s *Store) PutAPIKey(ctx context.Context, k open311.APIKey) error {
	const op = "store/dynamo.PutAPIKey"
	if k.Hash == "" {
		return open311.Errorf(open311.Invalid, op, "an API key needs a hash")
	}
	var puts []types.TransactWriteItem
	for _, key := range []func(string) (string, string){apiKeyKey, keyListKey} {
		pk, sk := key(k.Hash)
		item, err := marshal(k, typeAPIKey, pk, sk)
		if err != nil {
			return open311.Wrap(op, fmt.Errorf("encode api key: %w", err))
		}
		puts = append(puts, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}})
	}
	if _, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		return open311.Wrap(op, fmt.Errorf("put api key: %w", err))
	}
	return nil
}

// TouchAPIKey sets the last_used of a key's item (not its copy in the list) to day, with one
// UpdateItem conditioned on the item existing and on last_used being earlier or absent: a key
// used all day is written once, and two functions racing write it once.
func (s *Store) TouchAPIKey(ctx context.Context, hash string, day time.Time) error {
	const op = "store/dynamo.TouchAPIKey"
	pk, sk := apiKeyKey(hash)
	if !keyFits(pk, sk) {
		return nil
	}
	d, err := attributevalue.Marshal(day.UTC())
	if err != nil {
		return open311.Wrap(op, err)
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(pk, sk),
		UpdateExpression:          aws.String("SET last_used = :day"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(last_used) OR last_used < :day)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":day": d},
	})
	if err != nil && !conditionFailed(err) {
		return open311.Wrap(op, fmt.Errorf("touch api key: %w", err))
	}
	return nil
}

// APIKeys returns every key, oldest first (ties by hash): one Query of the KEYS partition for
// the list, and BatchGetItem of the keys' own items (100 at a time) for when each was last used,
// which only those record. Keys stored before the partition existed are not in it until they
// are put again (revoked, say); none was ever deployed.
func (s *Store) APIKeys(ctx context.Context) ([]open311.APIKey, error) {
	const op = "store/dynamo.APIKeys"
	pk, _ := keyListKey("")
	items, err := s.queryPartition(ctx, pk, "KEY#")
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("query api keys: %w", err))
	}
	keys := make([]open311.APIKey, 0, len(items))
	var ids []map[string]types.AttributeValue
	for _, item := range items {
		var k open311.APIKey
		if err := unmarshal(item, &k); err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("decode api key: %w", err))
		}
		keys = append(keys, k)
		ids = append(ids, key(apiKeyKey(k.Hash)))
	}
	used := map[string]time.Time{}
	for start := 0; start < len(ids); start += maxBatchGet {
		got, err := s.batchGet(ctx, ids[start:min(start+maxBatchGet, len(ids))])
		if err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("read api keys: %w", err))
		}
		for _, item := range got {
			var k open311.APIKey
			if err := unmarshal(item, &k); err != nil {
				return nil, open311.Wrap(op, fmt.Errorf("decode api key: %w", err))
			}
			used[k.Hash] = k.LastUsed
		}
	}
	for i := range keys {
		keys[i].LastUsed = used[keys[i].Hash]
	}
	store.SortKeys(keys)
	return keys, nil
}
