package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// maxTransactItems is the most items one TransactWriteItems may write.
const maxTransactItems = 100

// requestItem encodes a request, with GSI1 keys when it is public.
func requestItem(r open311.Request) (map[string]types.AttributeValue, error) {
	pk, sk := requestKey(r.JurisdictionID, r.ID)
	item, err := marshal(r, typeRequest, pk, sk)
	if err != nil {
		return nil, err
	}
	item["requested"] = str(formatTime(r.Requested))
	item["updated"] = str(formatTime(r.Updated))
	if r.Expected.IsZero() {
		delete(item, "expected")
	} else {
		item["expected"] = str(formatTime(r.Expected))
	}
	if r.Public() {
		item[attrGSI1PK] = str(requestsPK(r.JurisdictionID))
		item[attrGSI1SK] = str(requestsSK(r.Requested, r.ID))
	}
	return item, nil
}

// checkRequest refuses a request the table cannot key or order.
func checkRequest(op string, r open311.Request) error {
	var p open311.Problems
	if r.ID == "" || r.JurisdictionID == "" {
		p.Add("a request needs an id and a jurisdiction")
	}
	if !inRange(r.Requested) || !inRange(r.Updated) || !inRange(r.Expected) {
		p.Add("request times must be within the years 0 to 9999")
	}
	pk, sk := requestKey(r.JurisdictionID, r.ID)
	if !keyFits(pk, sk) {
		p.Add("request id or jurisdiction id too long")
	}
	if r.Token != "" {
		if pk, sk := tokenKey(r.JurisdictionID, r.Token); !keyFits(pk, sk) {
			p.Add("request token too long")
		}
	}
	return p.Err(op)
}

// activityItem encodes an activity of the request write that has the given version; index is
// its place in that write.
func activityItem(a open311.Activity, version int64, index int) (map[string]types.AttributeValue, error) {
	pk, _ := requestKey(a.JurisdictionID, a.RequestID)
	item, err := marshal(a, typeActivity, pk, activitySK(a.At, version, index))
	if err != nil {
		return nil, err
	}
	item["at"] = str(formatTime(a.At))
	return item, nil
}

// activityItems encodes the activities of one request write, filling in which request they
// belong to when they do not say.
func activityItems(r open311.Request, acts []open311.Activity) ([]map[string]types.AttributeValue, error) {
	items := make([]map[string]types.AttributeValue, 0, len(acts))
	for i, a := range acts {
		if a.RequestID == "" {
			a.RequestID = r.ID
		}
		if a.JurisdictionID == "" {
			a.JurisdictionID = r.JurisdictionID
		}
		if a.RequestID != r.ID || a.JurisdictionID != r.JurisdictionID {
			return nil, fmt.Errorf("activity %s belongs to another request", a.ID)
		}
		if !inRange(a.At) {
			return nil, fmt.Errorf("activity %s: time out of range", a.ID)
		}
		item, err := activityItem(a, r.Version, i)
		if err != nil {
			return nil, fmt.Errorf("encode activity %s: %w", a.ID, err)
		}
		items = append(items, item)
	}
	return items, nil
}

// putNew is a transaction item that writes item only if no item has its key.
func (s *Store) putNew(item map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}
}

// CreateRequest writes a new request, its creation activity and its token pointer (when it has
// a token) in one TransactWriteItems; it fails with Conflict when the id or token is taken.
func (s *Store) CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error {
	const op = "store/dynamo.CreateRequest"
	if err := checkRequest(op, r); err != nil {
		return err
	}
	item, err := requestItem(r)
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("encode request %s: %w", r.ID, err))
	}
	acts, err := activityItems(r, []open311.Activity{created})
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("request %s: %w", r.ID, err))
	}
	writes := []types.TransactWriteItem{s.putNew(item), s.putNew(acts[0])}
	if r.Token != "" {
		pk, sk := tokenKey(r.JurisdictionID, r.Token)
		writes = append(writes, s.putNew(map[string]types.AttributeValue{
			attrPK:            str(pk),
			attrSK:            str(sk),
			attrItemType:      str(typeToken),
			"request_id":      str(r.ID),
			"jurisdiction_id": str(r.JurisdictionID),
		}))
	}
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if conditionFailed(err) {
		return open311.Errorf(open311.Conflict, op, "a request with id %s or its token exists already", r.ID)
	}
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("write request %s: %w", r.ID, err))
	}
	return nil
}

// Request returns one request by id (whether public or not), or NotFound.
func (s *Store) Request(ctx context.Context, jurisdictionID, id string) (open311.Request, error) {
	const op = "store/dynamo.Request"
	r, ok, err := s.request(ctx, jurisdictionID, id)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, err)
	}
	if !ok {
		return open311.Request{}, open311.Errorf(open311.NotFound, op, "request %s not found", id)
	}
	return r, nil
}

// request reads one request with a consistent GetItem; ok is false when there is none.
func (s *Store) request(ctx context.Context, jurisdictionID, id string) (r open311.Request, ok bool, err error) {
	pk, sk := requestKey(jurisdictionID, id)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return r, false, fmt.Errorf("get request %s: %w", id, err)
	}
	if item == nil {
		return r, false, nil
	}
	if err := unmarshal(item, &r); err != nil {
		return r, false, fmt.Errorf("decode request %s: %w", id, err)
	}
	return r, true, nil
}

// RequestByToken returns the request a token was issued for, or NotFound: a GetItem of the
// token pointer, then one of the request.
func (s *Store) RequestByToken(ctx context.Context, jurisdictionID, token string) (open311.Request, error) {
	const op = "store/dynamo.RequestByToken"
	pk, sk := tokenKey(jurisdictionID, token)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("get token %s: %w", token, err))
	}
	var ptr struct {
		RequestID string `json:"request_id"`
	}
	if item != nil {
		if err := unmarshal(item, &ptr); err != nil {
			return open311.Request{}, open311.Wrap(op, fmt.Errorf("decode token %s: %w", token, err))
		}
	}
	if ptr.RequestID == "" {
		return open311.Request{}, open311.Errorf(open311.NotFound, op, "token %s not found", token)
	}
	r, ok, err := s.request(ctx, jurisdictionID, ptr.RequestID)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, err)
	}
	if !ok {
		return open311.Request{}, open311.Errorf(open311.NotFound, op, "token %s not found", token)
	}
	return r, nil
}

// UpdateRequest reads a request, lets change modify it, and writes it (version+1) with the
// activities change returns in one TransactWriteItems conditioned on the version read. Losing
// to a concurrent write is a Conflict; it does not retry.
func (s *Store) UpdateRequest(ctx context.Context, jurisdictionID, id string, change func(*open311.Request) ([]open311.Activity, error)) (open311.Request, error) {
	const op = "store/dynamo.UpdateRequest"
	r, ok, err := s.request(ctx, jurisdictionID, id)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, err)
	}
	if !ok {
		return open311.Request{}, open311.Errorf(open311.NotFound, op, "request %s not found", id)
	}
	read := r.Version
	token := r.Token
	acts, err := change(&r)
	if err != nil {
		return open311.Request{}, err
	}
	if r.ID != id || r.JurisdictionID != jurisdictionID || r.Token != token {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("update of request %s changed its id, jurisdiction or token", id))
	}
	if len(acts) > maxTransactItems-1 {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("update of request %s records %d activities; at most %d fit in one write", id, len(acts), maxTransactItems-1))
	}
	r.Version = read + 1
	if err := checkRequest(op, r); err != nil {
		return open311.Request{}, err
	}
	item, err := requestItem(r)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("encode request %s: %w", id, err))
	}
	actItems, err := activityItems(r, acts)
	if err != nil {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("request %s: %w", id, err))
	}
	writes := []types.TransactWriteItem{{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("#version = :read"),
		ExpressionAttributeNames: map[string]string{"#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":read": &types.AttributeValueMemberN{Value: fmt.Sprint(read)},
		},
	}}}
	for _, a := range actItems {
		writes = append(writes, s.putNew(a))
	}
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if conditionFailed(err) {
		return open311.Request{}, open311.Errorf(open311.Conflict, op, "request %s changed meanwhile; read it again and retry", id)
	}
	if err != nil {
		return open311.Request{}, open311.Wrap(op, fmt.Errorf("write request %s: %w", id, err))
	}
	return r, nil
}

// Activities returns a request's activities, oldest first (an empty list for an unknown request),
// with one Query of the request's partition.
func (s *Store) Activities(ctx context.Context, jurisdictionID, requestID string) ([]open311.Activity, error) {
	const op = "store/dynamo.Activities"
	pk, _ := requestKey(jurisdictionID, requestID)
	items, err := s.queryPartition(ctx, pk, "ACT#")
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("query activities of %s: %w", requestID, err))
	}
	acts := make([]open311.Activity, 0, len(items))
	for _, item := range items {
		var a open311.Activity
		if err := unmarshal(item, &a); err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("decode activity of %s: %w", requestID, err))
		}
		acts = append(acts, a)
	}
	return acts, nil
}

// UpdateRequests is not implemented yet.
func (s *Store) UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error) {
	return nil, open311.Errorf(open311.Internal, "store/dynamo.UpdateRequests", "not implemented yet")
}

// ActivityByClientID is not implemented yet.
func (s *Store) ActivityByClientID(ctx context.Context, jurisdictionID, clientUpdateID string) (open311.Activity, error) {
	return open311.Activity{}, open311.Errorf(open311.Internal, "store/dynamo.ActivityByClientID", "not implemented yet")
}

// Updates is not implemented yet.
func (s *Store) Updates(ctx context.Context, q store.UpdateQuery) (store.UpdatePage, error) {
	return store.UpdatePage{}, open311.Errorf(open311.Internal, "store/dynamo.Updates", "not implemented yet")
}
