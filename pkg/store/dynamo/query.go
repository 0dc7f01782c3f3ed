package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// maxFilterCodes is the most service codes put in a FilterExpression (the operand limit of IN);
// longer lists are filtered in Go only.
const maxFilterCodes = 100

// maxBatchGet is the most keys one BatchGetItem may ask for.
const maxBatchGet = 100

// QueryRequests returns the public requests (with IncludeHidden, every request) matching q,
// newest first, one page at a time: one Query of GSI1 per DynamoDB page read
// (docs/store-dynamodb.md), or BatchGetItem when q.IDs is given. With IncludeHidden it merges
// the jurisdiction's REQS# and HIDDEN# partitions (and GSI2's cells, for a geo search).
func (s *Store) QueryRequests(ctx context.Context, q store.Query) (store.Page, error) {
	const op = "store/dynamo.QueryRequests"
	if len(q.IDs) > 0 {
		rs, err := s.requestsByID(ctx, q.JurisdictionID, q.IDs, q.IncludeHidden)
		if err != nil {
			return store.Page{}, open311.Wrap(op, err)
		}
		return store.Page{Requests: rs}, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	var cursor *store.Cursor
	if q.Cursor != "" {
		c, err := store.DecodeCursor(q.Cursor)
		if err != nil {
			return store.Page{}, open311.Wrap(op, err)
		}
		if pk, sk := requestKey(q.JurisdictionID, c.ID); !keyFits(pk, sk) {
			return store.Page{}, open311.Errorf(open311.Invalid, op, "the cursor is not one this server gave out")
		}
		cursor = &c
	}
	f := newFilter(q)
	f.minRead = s.minFilteredRead
	if f.empty {
		return store.Page{}, nil
	}
	skip := max(q.Offset, 0)
	var parts []partition
	if cells, ok := f.cover(); ok {
		for _, cell := range cells {
			parts = append(parts, partition{gsi2, geoPK(q.JurisdictionID, cell)})
		}
	} else if q.IncludeHidden {
		parts = append(parts, partition{gsi1, requestsPK(q.JurisdictionID)})
	}
	if q.IncludeHidden {
		parts = append(parts, partition{gsi1, hiddenPK(q.JurisdictionID)})
	}
	if len(parts) > 0 {
		return s.queryPartitions(ctx, op, q.JurisdictionID, f, parts, cursor, skip, limit)
	}
	in := f.input(s.table, gsi1, requestsPK(q.JurisdictionID))
	if cursor != nil {
		var after string // GSI1SK of the cursor: results continue below it
		switch {
		case cursor.Requested.UTC().Year() < 0:
			return store.Page{}, nil // nothing is older
		case cursor.Requested.UTC().Year() > 9999:
			// everything is older: start at the top
		default:
			after = requestsSK(cursor.Requested, cursor.ID)
		}
		if f.lo != "" && after != "" && after <= f.lo {
			return store.Page{}, nil // everything after the cursor is older than RequestedFrom
		}
		if f.hi != "" && after > f.hi {
			after = "" // everything in range comes after the cursor: start at the top
		}
		if after != "" {
			pk, sk := requestKey(q.JurisdictionID, cursor.ID)
			in.ExclusiveStartKey = map[string]types.AttributeValue{
				attrPK: str(pk), attrSK: str(sk),
				attrGSI1PK: str(requestsPK(q.JurisdictionID)), attrGSI1SK: str(after),
			}
		}
	}
	var page store.Page
	for {
		wanted := skip + limit - len(page.Requests)
		in.Limit = aws.Int32(f.readSize(wanted))
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return store.Page{}, open311.Wrap(op, fmt.Errorf("query requests of %s: %w", q.JurisdictionID, err))
		}
		for i, item := range out.Items {
			var r open311.Request
			if err := unmarshal(item, &r); err != nil {
				return store.Page{}, open311.Wrap(op, fmt.Errorf("decode request of %s: %w", q.JurisdictionID, err))
			}
			if !f.match(r) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			page.Requests = append(page.Requests, r)
			if len(page.Requests) == limit {
				if out.LastEvaluatedKey != nil || f.anyMatch(out.Items[i+1:]) {
					page.Next = store.Cursor{Requested: r.Requested, ID: r.ID}.Encode()
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

// requestsByID reads the public requests (with hidden, every request) with the given ids, each
// once, newest first (the order of every listing), with BatchGetItem.
func (s *Store) requestsByID(ctx context.Context, jurisdictionID string, ids []string, hidden bool) ([]open311.Request, error) {
	var uniq []string
	for _, id := range ids {
		pk, sk := requestKey(jurisdictionID, id)
		if keyFits(pk, sk) && !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	found := map[string]open311.Request{}
	for start := 0; start < len(uniq); start += maxBatchGet {
		chunk := uniq[start:min(start+maxBatchGet, len(uniq))]
		keys := make([]map[string]types.AttributeValue, 0, len(chunk))
		for _, id := range chunk {
			keys = append(keys, key(requestKey(jurisdictionID, id)))
		}
		items, err := s.batchGet(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("get requests of %s: %w", jurisdictionID, err)
		}
		for _, item := range items {
			var r open311.Request
			if err := unmarshal(item, &r); err != nil {
				return nil, fmt.Errorf("decode request of %s: %w", jurisdictionID, err)
			}
			found[r.ID] = r
		}
	}
	var rs []open311.Request
	for _, r := range found {
		if r.Public() || hidden {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b open311.Request) int {
		if c := b.Requested.Compare(a.Requested); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return rs, nil
}

// batchGet reads up to 100 items by key with consistent reads, retrying the keys DynamoDB leaves
// unprocessed with a growing pause.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	pause := 20 * time.Millisecond
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt > 0 {
			if attempt > 8 {
				return nil, fmt.Errorf("%d keys still unprocessed after %d attempts", len(keys), attempt)
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(pause):
			}
			pause *= 2
		}
		out, err := s.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{
				s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
			},
		})
		if err != nil {
			return nil, err
		}
		items = append(items, out.Responses[s.table]...)
		keys = out.UnprocessedKeys[s.table].Keys
	}
	return items, nil
}
