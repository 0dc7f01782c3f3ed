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

// Updates returns the activities of a jurisdiction that were written while their request was
// public, oldest first (ties by id), one page at a time: one Query of GSI1's ACTS#<jurisdiction>
// partition per DynamoDB page read (docs/store-dynamodb.md).
func (s *Store) Updates(ctx context.Context, q store.UpdateQuery) (store.UpdatePage, error) {
	const op = "store/dynamo.Updates"
	limit := q.Limit
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	// lo (inclusive) and hi (exclusive) bound GSI1SK; "" is no bound. hi is a bare time, which
	// no key equals, so BETWEEN excludes it as well.
	var lo, hi, after string
	if t := q.From; !t.IsZero() {
		switch {
		case t.UTC().Year() > 9999:
			return store.UpdatePage{}, nil
		case inRange(t):
			lo = formatTime(t)
		}
	}
	if t := q.To; !t.IsZero() {
		switch {
		case t.UTC().Year() < 0:
			return store.UpdatePage{}, nil
		case inRange(t):
			hi = formatTime(t)
		}
	}
	if q.Cursor != "" {
		c, err := store.DecodeCursor(q.Cursor)
		if err != nil {
			return store.UpdatePage{}, open311.Wrap(op, err)
		}
		switch {
		case c.Requested.UTC().Year() > 9999:
			return store.UpdatePage{}, nil // nothing is newer
		case c.Requested.UTC().Year() < 0:
			// everything is newer: start at the beginning
		default:
			after = updatesSK(c.Requested, c.ID)
			if !keyFits(updatesPK(q.JurisdictionID), after) {
				return store.UpdatePage{}, open311.Errorf(open311.Invalid, op, "the cursor is not one this server gave out")
			}
			// Read from the cursor's own item (a key condition cannot be exclusive at both
			// ends) and skip it: one item more than a page needs.
			lo = max(lo, after)
		}
	}
	if lo != "" && hi != "" && lo >= hi {
		return store.UpdatePage{}, nil
	}
	values := map[string]types.AttributeValue{":pk": str(updatesPK(q.JurisdictionID))}
	cond := "GSI1PK = :pk"
	switch {
	case lo != "" && hi != "":
		cond += " AND GSI1SK BETWEEN :lo AND :hi"
		values[":lo"], values[":hi"] = str(lo), str(hi)
	case lo != "":
		cond += " AND GSI1SK >= :lo"
		values[":lo"] = str(lo)
	case hi != "":
		cond += " AND GSI1SK < :hi"
		values[":hi"] = str(hi)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		ScanIndexForward:          aws.Bool(true),
	}
	var page store.UpdatePage
	for first := true; ; first = false {
		// One more than wanted tells whether the index goes on; the first read also meets the
		// cursor's item.
		n := limit - len(page.Activities) + 1
		if first && after != "" {
			n++
		}
		in.Limit = aws.Int32(int32(n))
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return store.UpdatePage{}, open311.Wrap(op, fmt.Errorf("query updates of %s: %w", q.JurisdictionID, err))
		}
		for i, item := range out.Items {
			var a open311.Activity
			if err := unmarshal(item, &a); err != nil {
				return store.UpdatePage{}, open311.Wrap(op, fmt.Errorf("decode activity of %s: %w", q.JurisdictionID, err))
			}
			if after != "" && updatesSK(a.At, a.ID) <= after {
				continue
			}
			page.Activities = append(page.Activities, a)
			if len(page.Activities) == limit {
				if out.LastEvaluatedKey != nil || i+1 < len(out.Items) {
					page.Next = store.Cursor{Requested: a.At, ID: a.ID}.Encode()
				}
				return page, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
