package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
)

// maxTransactItems is the most items one TransactWriteItems may write.
const maxTransactItems = 100

// requestItem encodes a request, with GSI1 keys of its jurisdiction's REQS# partition when it is
// public (else of its HIDDEN# partition), GSI2 keys when it is public and has a point, and GSI3
// keys when it holds a reporter.
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
		if r.Point != nil {
			item[attrGSI2PK] = str(geoPK(r.JurisdictionID, geohash(*r.Point, geoPrecision)))
			item[attrGSI2SK] = str(requestsSK(r.Requested, r.ID))
		}
	} else {
		item[attrGSI1PK] = str(hiddenPK(r.JurisdictionID))
		item[attrGSI1SK] = str(requestsSK(r.Requested, r.ID))
	}
	if r.HoldsReporter() {
		item[attrGSI3PK] = str(reportersPK(r.JurisdictionID))
		item[attrGSI3SK] = str(reportersSK(r))
	}
	return item, nil
}

// checkRequest refuses a request the table cannot key or order.
func checkRequest(op string, r open311.Request) error {
	var p open311.Problems
	if r.ID == "" || r.JurisdictionID == "" {
		p.Add("a request needs an id and a jurisdiction")
	}
	if !inRange(r.Requested) || !inRange(r.Updated) || !inRange(r.Expected) || !inRange(r.Closed) {
		p.Add("request times must be within the years 0 to 9999")
	}
	pk, sk := requestKey(r.JurisdictionID, r.ID)
	if !keyFits(pk, sk) || !keyFits(geoPK(r.JurisdictionID, strings.Repeat("0", geoPrecision)), requestsSK(r.Requested, r.ID)) ||
		!keyFits(reportersPK(r.JurisdictionID), reportersSK(r)) {
		p.Add("request id or jurisdiction id too long")
	}
	if !keyFits(serviceUpdatesPK(r.JurisdictionID, r.ServiceCode), "") {
		p.Add("service code too long")
	}
	if r.Token != "" {
		if pk, sk := tokenKey(r.JurisdictionID, r.Token); !keyFits(pk, sk) {
			p.Add("request token too long")
		}
	}
	return p.Err(op)
}

// putNew is a transaction item that writes item only if no item has its key.
func (s *Store) putNew(item map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}
}

// putVersion is a transaction item that writes a request's item only if the stored request
// still has the version read.
func (s *Store) putVersion(item map[string]types.AttributeValue, read int64) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("#version = :read"),
		ExpressionAttributeNames: map[string]string{"#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":read": &types.AttributeValueMemberN{Value: fmt.Sprint(read)},
		},
	}}
}

// write is the items of one TransactWriteItems and, for each, what it means for the caller
// when its condition fails.
type write struct {
	items    []types.TransactWriteItem
	conflict []string
}

func (w *write) add(item types.TransactWriteItem, conflict string) {
	w.items = append(w.items, item)
	w.conflict = append(w.conflict, conflict)
}

// commit runs the write as one TransactWriteItems. A cancellation for a failed condition or a
// conflicting transaction is a Conflict error that says, when DynamoDB tells which item failed,
// why (a request changed, an id or token taken, a client update id used); otherwise it says
// fallback.
func (s *Store) commit(ctx context.Context, op string, w write, fallback string) error {
	if len(w.items) > maxTransactItems {
		return open311.Wrap(op, fmt.Errorf("the write has %d items; at most %d fit in one transaction", len(w.items), maxTransactItems))
	}
	_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: w.items})
	if err == nil {
		return nil
	}
	if !conditionFailed(err) {
		return open311.Wrap(op, fmt.Errorf("write %d items: %w", len(w.items), err))
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" && i < len(w.conflict) {
				return open311.Errorf(open311.Conflict, op, "%s", w.conflict[i])
			}
		}
	}
	return open311.Errorf(open311.Conflict, op, "%s", fallback)
}

// CreateRequest writes a new request, its creation activity, its token pointer (when it has a
// token) and its client update id pointer (when the activity has one) in one
// TransactWriteItems; it fails with Conflict when the id, token or client update id is taken.
func (s *Store) CreateRequest(ctx context.Context, r open311.Request, created open311.Activity) error {
	return s.createRequest(ctx, "store/dynamo.CreateRequest", r, created, nil)
}

func (s *Store) createRequest(ctx context.Context, op string, r open311.Request, created open311.Activity, slotIDs []string) error {
	if err := checkRequest(op, r); err != nil {
		return err
	}
	acts, err := ownActivities(op, []*open311.Request{&r}, []open311.Activity{created})
	if err != nil {
		return err
	}
	item, err := requestItem(r)
	if err != nil {
		return open311.Wrap(op, fmt.Errorf("encode request %s: %w", r.ID, err))
	}
	exists := fmt.Sprintf("a request with id %s exists already", r.ID)
	var w write
	w.add(s.putNew(item), exists)
	if err := w.addActivities(s, r, acts[0]); err != nil {
		return open311.Wrap(op, fmt.Errorf("request %s: %w", r.ID, err))
	}
	w.conflict[1] = exists // the activity is in the new request's partition
	if r.Token != "" {
		pk, sk := tokenKey(r.JurisdictionID, r.Token)
		w.add(s.putNew(map[string]types.AttributeValue{
			attrPK:            str(pk),
			attrSK:            str(sk),
			attrItemType:      str(typeToken),
			"request_id":      str(r.ID),
			"jurisdiction_id": str(r.JurisdictionID),
		}), "the token of request "+r.ID+" is taken")
	}
	for _, id := range slotIDs {
		w.add(s.useSlot(id, r.ID), "upload slot "+id+" is unknown or used already")
	}
	return s.commit(ctx, op, w, "a request with id "+r.ID+", its token or its client update id exists already")
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

// UpdateRequests reads requests (one consistent BatchGetItem), lets change modify them, and
// writes them (each version+1, conditioned on the version read) with the activities change
// returns in one TransactWriteItems, so that all are written or none.
func (s *Store) UpdateRequests(ctx context.Context, jurisdictionID string, ids []string, change func([]*open311.Request) ([]open311.Activity, error)) ([]open311.Request, error) {
	const op = "store/dynamo.UpdateRequests"
	if len(ids) == 0 {
		return nil, open311.Errorf(open311.Invalid, op, "no request to update")
	}
	if len(ids) > maxBatchGet {
		return nil, open311.Errorf(open311.Invalid, op, "%d requests in one update; at most %d", len(ids), maxBatchGet)
	}
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, open311.Errorf(open311.Invalid, op, "request %s is given twice", id)
		}
		pk, sk := requestKey(jurisdictionID, id)
		if !keyFits(pk, sk) {
			return nil, open311.Errorf(open311.NotFound, op, "request %s not found", id)
		}
		keys = append(keys, key(pk, sk))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("get requests of %s: %w", jurisdictionID, err))
	}
	found := map[string]open311.Request{}
	for _, item := range items {
		var r open311.Request
		if err := unmarshal(item, &r); err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("decode request of %s: %w", jurisdictionID, err))
		}
		found[r.ID] = r
	}
	reads := make([]open311.Request, len(ids))
	rs := make([]*open311.Request, len(ids))
	for i, id := range ids {
		r, ok := found[id]
		if !ok {
			return nil, open311.Errorf(open311.NotFound, op, "request %s not found", id)
		}
		reads[i], rs[i] = r, &r
	}
	acts, err := change(rs)
	if err != nil {
		return nil, err
	}
	if err := s.writeChanged(ctx, op, reads, rs, acts); err != nil {
		return nil, err
	}
	out := make([]open311.Request, len(rs))
	for i, r := range rs {
		out[i] = *r
	}
	return out, nil
}

// writeChanged writes requests as change left them (each version+1, conditioned on the
// version read) and the activities change returned, in one TransactWriteItems.
func (s *Store) writeChanged(ctx context.Context, op string, reads []open311.Request, rs []*open311.Request, acts []open311.Activity) error {
	var w write
	var ids []string
	for i, r := range rs {
		old := reads[i]
		if r.ID != old.ID || r.JurisdictionID != old.JurisdictionID || r.Token != old.Token {
			return open311.Wrap(op, fmt.Errorf("update of request %s changed its id, jurisdiction or token", old.ID))
		}
		r.Version = old.Version + 1
		if err := checkRequest(op, *r); err != nil {
			return err
		}
		item, err := requestItem(*r)
		if err != nil {
			return open311.Wrap(op, fmt.Errorf("encode request %s: %w", r.ID, err))
		}
		w.add(s.putVersion(item, old.Version), fmt.Sprintf("request %s changed meanwhile; read it again and retry", r.ID))
		ids = append(ids, r.ID)
	}
	byRequest, err := ownActivities(op, rs, acts)
	if err != nil {
		return err
	}
	for i, r := range rs {
		if err := w.addActivities(s, *r, byRequest[i]); err != nil {
			return open311.Wrap(op, fmt.Errorf("request %s: %w", r.ID, err))
		}
	}
	return s.commit(ctx, op, w, "request "+strings.Join(ids, ", ")+" changed meanwhile, or a client update id is used already")
}
