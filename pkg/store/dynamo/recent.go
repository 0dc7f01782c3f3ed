package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// entryCopy is the Entry attribute of a listed activity's item: what a feed entry shows of the
// activity's request, under the request's own JSON names (the request id is the activity's).
type entryCopy struct {
	ServiceCode string          `json:"service_code"`
	ServiceName string          `json:"service_name,omitempty"`
	Address     string          `json:"address,omitempty"`
	AddressID   string          `json:"address_id,omitempty"`
	Point       *open311.Point  `json:"point,omitempty"`
	Description string          `json:"description,omitempty"`
	MediaURL    string          `json:"media_url,omitempty"`
	Media       []open311.Photo `json:"media,omitempty"`
}

func marshalEntry(e store.EntryRequest) (types.AttributeValue, error) {
	return attributevalue.MarshalWithOptions(entryCopy{ServiceCode: e.ServiceCode, ServiceName: e.ServiceName,
		Address: e.Address, AddressID: e.AddressID, Point: e.Point, Description: e.Description, MediaURL: e.MediaURL, Media: e.Media},
		func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
}

// unmarshalEntry decodes the Entry attribute of an activity's item; ok is false when the item has
// none (it was written before activities carried one).
func unmarshalEntry(item map[string]types.AttributeValue, requestID string) (e store.EntryRequest, ok bool, err error) {
	av, ok := item[attrEntry]
	if !ok {
		return e, false, nil
	}
	var c entryCopy
	if err := attributevalue.UnmarshalWithOptions(av, &c, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }); err != nil {
		return e, false, err
	}
	return store.EntryRequest{ID: requestID, ServiceCode: c.ServiceCode, ServiceName: c.ServiceName, Address: c.Address,
		AddressID: c.AddressID, Point: c.Point, Description: c.Description, MediaURL: c.MediaURL, Media: c.Media}, true, nil
}

// RecentActivities returns the newest activities that Updates lists, of the jurisdiction or of
// one service of it, newest first (ties by id descending), with what a feed entry shows of their
// requests: one Query of GSI1's ACTS#<jurisdiction> partition, of GSI2's
// SACTS#<jurisdiction>#<service> partition, or of GSI4's partition of an area cell or named
// area (areaUpdatesPK), backwards, with Limit (more only past 1 MB). An
// activity written before items carried their request's Entry copy has its request read, all
// of them in one BatchGetItem per 100 (docs/store-dynamodb.md).
func (s *Store) RecentActivities(ctx context.Context, q store.RecentQuery) ([]store.Entry, error) {
	const op = "store/dynamo.RecentActivities"
	if err := store.CheckRecent(op, q); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	index, cond, pk := indexGSI1, "GSI1PK = :pk", updatesPK(q.JurisdictionID)
	switch {
	case q.ServiceCode != "":
		index, cond, pk = indexGSI2, "GSI2PK = :pk", serviceUpdatesPK(q.JurisdictionID, q.ServiceCode)
	case q.Cell != "" || q.Area != "":
		index, cond, pk = indexGSI4, attrGSI4PK+" = :pk", areaUpdatesPK(q.JurisdictionID, q.Cell, q.Area)
	}
	out := []store.Entry{}
	if q.JurisdictionID == "" || !keyFits(pk, "") {
		return out, nil
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ScanIndexForward:          aws.Bool(false),
	}
	var missing []int // entries without a copy of their request
	for {
		in.Limit = aws.Int32(int32(limit - len(out)))
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, open311.Wrap(op, fmt.Errorf("query recent activities of %s: %w", pk, err))
		}
		for _, item := range page.Items {
			var a open311.Activity
			if err := unmarshal(item, &a); err != nil {
				return nil, open311.Wrap(op, fmt.Errorf("decode activity of %s: %w", pk, err))
			}
			r, ok, err := unmarshalEntry(item, a.RequestID)
			if err != nil {
				return nil, open311.Wrap(op, fmt.Errorf("decode entry of activity %s: %w", a.ID, err))
			}
			if !ok {
				missing = append(missing, len(out))
			}
			out = append(out, store.Entry{Activity: a, Request: r})
		}
		if len(out) >= limit || page.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	if err := s.fillEntries(ctx, q.JurisdictionID, out, missing); err != nil {
		return nil, open311.Wrap(op, err)
	}
	return out, nil
}

// fillEntries reads the requests of the entries at the indexes missing, in BatchGetItem calls of
// up to 100, and fills in what their entries show of them.
func (s *Store) fillEntries(ctx context.Context, jurisdictionID string, entries []store.Entry, missing []int) error {
	if len(missing) == 0 {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, i := range missing {
		if id := entries[i].Activity.RequestID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	found := make(map[string]open311.Request, len(ids))
	for start := 0; start < len(ids); start += maxBatchGet {
		var keys []map[string]types.AttributeValue
		for _, id := range ids[start:min(start+maxBatchGet, len(ids))] {
			keys = append(keys, key(requestKey(jurisdictionID, id)))
		}
		items, err := s.batchGet(ctx, keys)
		if err != nil {
			return fmt.Errorf("get requests of recent activities of %s: %w", jurisdictionID, err)
		}
		for _, item := range items {
			var r open311.Request
			if err := unmarshal(item, &r); err != nil {
				return fmt.Errorf("decode request of %s: %w", jurisdictionID, err)
			}
			found[r.ID] = r
		}
	}
	for _, i := range missing {
		a := entries[i].Activity
		r, ok := found[a.RequestID]
		if !ok {
			return fmt.Errorf("activity %s is listed, but its request %s does not exist", a.ID, a.RequestID)
		}
		entries[i].Request = store.NewEntryRequest(r, a)
	}
	return nil
}

// backfillPage is how many listed activities BackfillActivities reads at a time: their requests
// fit one BatchGetItem.
const backfillPage = maxBatchGet

// BackfillActivities gives the listed activities of a jurisdiction that were written before
// activities carried their request's Entry copy what RecentActivities reads of them: the copy,
// and the GSI2 keys of their service's partition. It pages through GSI1's ACTS#<jurisdiction>
// partition (100 items a page, projecting what it needs), reads the requests of the items
// without a copy with one BatchGetItem a page, and updates each such item with an UpdateItem
// conditioned on the item existing and still having no copy. It returns how many items it
// updated; run again, it updates none. Activities never change once written, so it is safe to
// run while the API is serving (docs/store-dynamodb.md, Migration).
func (s *Store) BackfillActivities(ctx context.Context, jurisdictionID string) (int, error) {
	const op = "store/dynamo.BackfillActivities"
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(updatesPK(jurisdictionID))},
		// The copy's service_code is always there: it tells whether an item has the copy
		// without reading the copy.
		ProjectionExpression:     aws.String("PK, SK, GSI1SK, request_id, kind, #entry.service_code"),
		ExpressionAttributeNames: map[string]string{"#entry": attrEntry},
		Limit:                    aws.Int32(backfillPage),
	}
	updated := 0
	for {
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return updated, open311.Wrap(op, fmt.Errorf("query activities of %s: %w", jurisdictionID, err))
		}
		n, err := s.backfill(ctx, jurisdictionID, page.Items)
		updated += n
		if err != nil {
			return updated, open311.Wrap(op, err)
		}
		if page.LastEvaluatedKey == nil {
			return updated, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// backfill gives the items without an Entry copy among items (projected by BackfillActivities)
// the copy and their service's GSI2 keys.
func (s *Store) backfill(ctx context.Context, jurisdictionID string, items []map[string]types.AttributeValue) (int, error) {
	type old struct {
		key       map[string]types.AttributeValue
		sk        types.AttributeValue // its GSI1SK, which is its GSI2SK too
		requestID string
	}
	var olds []old
	var entries []store.Entry
	var missing []int
	for _, item := range items {
		if _, ok := item[attrEntry]; ok {
			continue
		}
		var a struct {
			RequestID string `json:"request_id"`
			Kind      string `json:"kind"`
		}
		if err := unmarshal(item, &a); err != nil {
			return 0, fmt.Errorf("decode activity of %s: %w", jurisdictionID, err)
		}
		olds = append(olds, old{key: map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]},
			sk: item[attrGSI1SK], requestID: a.RequestID})
		missing = append(missing, len(entries))
		entries = append(entries, store.Entry{Activity: open311.Activity{RequestID: a.RequestID, Kind: a.Kind}})
	}
	if err := s.fillEntries(ctx, jurisdictionID, entries, missing); err != nil {
		return 0, err
	}
	updated := 0
	for i, o := range olds {
		e := entries[i].Request
		copied, err := marshalEntry(e)
		if err != nil {
			return updated, fmt.Errorf("encode entry of an activity of %s: %w", o.requestID, err)
		}
		_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      o.key,
			UpdateExpression:         aws.String("SET #entry = :entry, GSI2PK = :pk, GSI2SK = :sk"),
			ConditionExpression:      aws.String("attribute_exists(PK) AND attribute_not_exists(#entry)"),
			ExpressionAttributeNames: map[string]string{"#entry": attrEntry},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":entry": copied, ":pk": str(serviceUpdatesPK(jurisdictionID, e.ServiceCode)), ":sk": o.sk,
			},
		})
		if conditionFailed(err) {
			continue // given its copy meanwhile
		}
		if err != nil {
			return updated, fmt.Errorf("update an activity of %s: %w", o.requestID, err)
		}
		updated++
	}
	return updated, nil
}
