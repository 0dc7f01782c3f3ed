package dynamo

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// checkActivity refuses an activity the table cannot key or order.
func checkActivity(op string, a open311.Activity) error {
	var p open311.Problems
	if !inRange(a.At) {
		p.Add("activity times must be within the years 0 to 9999")
	}
	if !keyFits(updatesPK(a.JurisdictionID), updatesSK(a.At, a.ID)) {
		p.Add("activity id too long")
	}
	if a.ClientUpdateID != "" {
		if pk, sk := clientUpdateKey(a.JurisdictionID, a.ClientUpdateID); !keyFits(pk, sk) {
			p.Add("client update id too long")
		}
	}
	return p.Err(op)
}

// activityItem encodes an activity of request r, written by the write that gives r its
// version; index is its place among r's activities in the write. When r is public after the
// write and the activity is one that is shown (not an erasure), the activity is listed (Updates, RecentActivities): it carries GSI1 keys of its
// jurisdiction's partition, GSI2 keys of its service's, GSI4 keys of the cell of r's point, and
// the copy of what a feed entry shows of r (Entry) as it was when written; the further areas
// whose feeds show it get area listing items (areaItems), returned second.
func activityItem(a open311.Activity, r open311.Request, index int) (map[string]types.AttributeValue, []map[string]types.AttributeValue, error) {
	pk, _ := requestKey(a.JurisdictionID, a.RequestID)
	item, err := marshal(a, typeActivity, pk, activitySK(a.At, r.Version, index))
	if err != nil {
		return nil, nil, err
	}
	item["at"] = str(formatTime(a.At))
	if r.Public() && a.Shown() {
		item[attrGSI1PK] = str(updatesPK(a.JurisdictionID))
		item[attrGSI1SK] = str(updatesSK(a.At, a.ID))
		item[attrGSI2PK] = str(serviceUpdatesPK(a.JurisdictionID, r.ServiceCode))
		item[attrGSI2SK] = str(updatesSK(a.At, a.ID))
		entry, err := marshalEntry(store.NewEntryRequest(r, a))
		if err != nil {
			return nil, nil, err
		}
		item[attrEntry] = entry
		listings, err := areaItems(item, r, a)
		return item, listings, err
	}
	return item, nil, nil
}

// clientUpdateItem encodes the pointer item that reserves an activity's client update id; it
// holds a copy of the activity, so that ActivityByClientID is one GetItem.
func clientUpdateItem(a open311.Activity) (map[string]types.AttributeValue, error) {
	pk, sk := clientUpdateKey(a.JurisdictionID, a.ClientUpdateID)
	item, err := marshal(a, typeClientUpdate, pk, sk)
	if err != nil {
		return nil, err
	}
	item["at"] = str(formatTime(a.At))
	return item, nil
}

// addActivities adds the activities of request r (as written, with its new version) and the
// pointer items of their client update ids. The activities must be checked and belong to r.
func (w *write) addActivities(s *Store, r open311.Request, acts []open311.Activity) error {
	for i, a := range acts {
		item, listings, err := activityItem(a, r, i)
		if err != nil {
			return fmt.Errorf("encode activity %s: %w", a.ID, err)
		}
		w.add(s.putNew(item), fmt.Sprintf("request %s changed meanwhile; read it again and retry", r.ID))
		for _, l := range listings {
			w.add(s.putNew(l), fmt.Sprintf("request %s changed meanwhile; read it again and retry", r.ID))
		}
		if a.ClientUpdateID == "" {
			continue
		}
		ptr, err := clientUpdateItem(a)
		if err != nil {
			return fmt.Errorf("encode client update id of activity %s: %w", a.ID, err)
		}
		w.add(s.putNew(ptr), fmt.Sprintf("client update id %s is used already", a.ClientUpdateID))
	}
	return nil
}

// ownActivities returns a copy of the activities of a write of the given requests, each with
// its request and jurisdiction filled in (an activity that does not name its request belongs to
// the only request written), grouped by request in the order of rs. An activity of another
// request, or two with the same client update id, is an error.
func ownActivities(op string, rs []*open311.Request, acts []open311.Activity) ([][]open311.Activity, error) {
	byRequest := make([][]open311.Activity, len(rs))
	clientIDs := map[string]bool{}
	for _, a := range acts {
		if a.RequestID == "" && len(rs) == 1 {
			a.RequestID = rs[0].ID
		}
		if a.JurisdictionID == "" && len(rs) > 0 {
			a.JurisdictionID = rs[0].JurisdictionID
		}
		i := slices.IndexFunc(rs, func(r *open311.Request) bool {
			return r.ID == a.RequestID && r.JurisdictionID == a.JurisdictionID
		})
		if i < 0 {
			return nil, open311.Wrap(op, fmt.Errorf("activity %s belongs to none of the requests written", a.ID))
		}
		if err := checkActivity(op, a); err != nil {
			return nil, err
		}
		if a.ClientUpdateID != "" {
			if clientIDs[a.ClientUpdateID] {
				return nil, open311.Errorf(open311.Conflict, op, "client update id %s is used twice in one write", a.ClientUpdateID)
			}
			clientIDs[a.ClientUpdateID] = true
		}
		byRequest[i] = append(byRequest[i], a)
	}
	return byRequest, nil
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

// ActivityByClientID returns the activity recorded with a client's update id, or NotFound: one
// GetItem of the pointer item, which holds a copy of the activity.
func (s *Store) ActivityByClientID(ctx context.Context, jurisdictionID, clientUpdateID string) (open311.Activity, error) {
	const op = "store/dynamo.ActivityByClientID"
	if clientUpdateID == "" {
		return open311.Activity{}, open311.Errorf(open311.NotFound, op, "no activity has an empty client update id")
	}
	pk, sk := clientUpdateKey(jurisdictionID, clientUpdateID)
	item, err := s.getItem(ctx, pk, sk)
	if err != nil {
		return open311.Activity{}, open311.Wrap(op, fmt.Errorf("get client update id %s: %w", clientUpdateID, err))
	}
	if item == nil {
		return open311.Activity{}, open311.Errorf(open311.NotFound, op, "client update id %s not found", clientUpdateID)
	}
	var a open311.Activity
	if err := unmarshal(item, &a); err != nil {
		return open311.Activity{}, open311.Wrap(op, fmt.Errorf("decode activity of client update id %s: %w", clientUpdateID, err))
	}
	return a, nil
}
