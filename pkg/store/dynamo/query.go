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

// filter is a query turned into a GSI1 Query: key condition bounds, a FilterExpression, and the
// same tests done in Go.
type filter struct {
	empty    bool   // nothing can match: skip the read
	lo, hi   string // GSI1SK bounds: lo inclusive, hi exclusive; "" for none
	codes    []string
	statuses []open311.Status
	// updated bounds, exclusive, as fixed-width strings; "" for none
	updatedAfter, updatedBefore string
	// within and near are the geo filters, checked in Go only
	within *open311.BBox
	near   *open311.Circle
	// hidden lets requests that are not public match
	hidden bool
	// details holds the filters checked in Go only (store.Query.MatchesDetails)
	details store.Query
	inGo    bool // details holds an Agency or a Text
	// minRead is the smallest read of a filtered Query (Store.minFilteredRead)
	minRead int
	expr    []string
	names   map[string]string
	values  map[string]types.AttributeValue
}

// newFilter turns the filters of q (all but IDs and paging) into a filter.
func newFilter(q store.Query) *filter {
	f := &filter{names: map[string]string{}, values: map[string]types.AttributeValue{}}
	if !q.RequestedFrom.IsZero() {
		switch {
		case q.RequestedFrom.UTC().Year() > 9999:
			f.empty = true
		case inRange(q.RequestedFrom):
			f.lo = formatTime(q.RequestedFrom)
		}
	}
	if !q.RequestedTo.IsZero() {
		hi := q.RequestedTo.Add(time.Nanosecond)
		switch {
		case hi.UTC().Year() < 0:
			f.empty = true
		case inRange(hi):
			f.hi = formatTime(hi)
		}
	}
	if f.lo != "" && f.hi != "" && f.lo >= f.hi {
		f.empty = true
	}
	f.within, f.near = q.Within, q.Near
	f.hidden = q.IncludeHidden
	f.details = store.Query{Agency: q.Agency, Text: q.Text}
	f.inGo = q.Agency != "" || q.Text != ""

	for _, c := range q.ServiceCodes {
		if !slices.Contains(f.codes, c) {
			f.codes = append(f.codes, c)
		}
	}
	if len(f.codes) > 0 && len(f.codes) <= maxFilterCodes {
		f.names["#code"] = "service_code"
		var ps []string
		for i, c := range f.codes {
			p := fmt.Sprintf(":code%d", i)
			f.values[p] = str(c)
			ps = append(ps, p)
		}
		f.expr = append(f.expr, "#code IN ("+strings.Join(ps, ", ")+")")
	}

	if len(q.Statuses) > 0 || len(q.DetailedStatuses) > 0 {
		for _, st := range open311.Statuses {
			if (len(q.Statuses) == 0 || slices.Contains(q.Statuses, st.GeoReport())) &&
				(len(q.DetailedStatuses) == 0 || slices.Contains(q.DetailedStatuses, st)) {
				f.statuses = append(f.statuses, st)
			}
		}
		if len(f.statuses) == 0 {
			f.empty = true // only unknown statuses, or none of both lists, were asked for
		}
		if len(f.statuses) < len(open311.Statuses) {
			f.names["#status"] = "status"
			var ps []string
			for i, st := range f.statuses {
				p := fmt.Sprintf(":status%d", i)
				f.values[p] = str(string(st))
				ps = append(ps, p)
			}
			f.expr = append(f.expr, "#status IN ("+strings.Join(ps, ", ")+")")
		}
	}

	if t := q.UpdatedAfter; !t.IsZero() {
		switch {
		case t.UTC().Year() > 9999:
			f.empty = true
		case inRange(t):
			f.updatedAfter = formatTime(t)
			f.names["#updated"] = "updated"
			f.values[":updatedAfter"] = str(f.updatedAfter)
			f.expr = append(f.expr, "#updated > :updatedAfter")
		}
	}
	if t := q.UpdatedBefore; !t.IsZero() {
		switch {
		case t.UTC().Year() < 0:
			f.empty = true
		case inRange(t):
			f.updatedBefore = formatTime(t)
			f.names["#updated"] = "updated"
			f.values[":updatedBefore"] = str(f.updatedBefore)
			f.expr = append(f.expr, "#updated < :updatedBefore")
		}
	}
	return f
}

// index names a secondary index and its key attributes.
type index struct{ name, pk, sk string }

var (
	gsi1 = index{indexGSI1, attrGSI1PK, attrGSI1SK}
	gsi2 = index{indexGSI2, attrGSI2PK, attrGSI2SK}
)

// input returns the Query of one partition of an index whose sort key is <requested>#<id>
// (GSI1's REQS# partitions, GSI2's GEO# ones) for the filter, newest first. With both bounds
// the key condition is BETWEEN, inclusive of hi: match leaves out an item whose key is hi.
func (f *filter) input(table string, ix index, pk string) *dynamodb.QueryInput {
	values := map[string]types.AttributeValue{":pk": str(pk)}
	for k, v := range f.values {
		values[k] = v
	}
	cond := ix.pk + " = :pk"
	switch {
	case f.lo != "" && f.hi != "":
		cond += " AND " + ix.sk + " BETWEEN :lo AND :hi"
		values[":lo"], values[":hi"] = str(f.lo), str(f.hi)
	case f.lo != "":
		cond += " AND " + ix.sk + " >= :lo"
		values[":lo"] = str(f.lo)
	case f.hi != "":
		cond += " AND " + ix.sk + " < :hi"
		values[":hi"] = str(f.hi)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(ix.name),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		ScanIndexForward:          aws.Bool(false),
	}
	if len(f.expr) > 0 {
		in.FilterExpression = aws.String(strings.Join(f.expr, " AND "))
		in.ExpressionAttributeNames = f.names
	}
	return in
}

// readSize is the Query Limit for a read that still wants n matches. Without a filter every
// item read matches, and one more than wanted tells whether the index goes on; with one,
// DynamoDB applies Limit before filtering, so reads are larger: twice what is wanted, at least
// minRead (100) and at most 1000.
func (f *filter) readSize(n int) int32 {
	if len(f.expr) == 0 && len(f.codes) == 0 && f.within == nil && f.near == nil && !f.inGo {
		return int32(min(n+1, 1<<30))
	}
	return int32(min(max(2*n, f.minRead), 1000))
}

// anyMatch reports whether one of the items (the rest of a page) matches.
func (f *filter) anyMatch(items []map[string]types.AttributeValue) bool {
	for _, item := range items {
		var r open311.Request
		if unmarshal(item, &r) != nil || f.match(r) {
			return true // an item that does not decode is reported when the next page reads it
		}
	}
	return false
}

// match does in Go what the key condition and FilterExpression do in DynamoDB, so that the
// result does not depend on which parts went into the expression.
func (f *filter) match(r open311.Request) bool {
	if !r.Public() && !f.hidden {
		return false
	}
	if f.inGo && !f.details.MatchesDetails(r) {
		return false
	}
	if len(f.codes) > 0 && !slices.Contains(f.codes, r.ServiceCode) {
		return false
	}
	if len(f.statuses) > 0 && !slices.Contains(f.statuses, r.Status) {
		return false
	}
	u := formatTime(r.Updated)
	if f.updatedAfter != "" && u <= f.updatedAfter {
		return false
	}
	if f.updatedBefore != "" && u >= f.updatedBefore {
		return false
	}
	if f.within != nil && (r.Point == nil || !f.within.Contains(*r.Point)) {
		return false
	}
	if f.near != nil && (r.Point == nil || !f.near.Contains(*r.Point)) {
		return false
	}
	sk := requestsSK(r.Requested, r.ID)
	return (f.lo == "" || sk >= f.lo) && (f.hi == "" || sk < f.hi)
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
