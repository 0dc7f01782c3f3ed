package dynamo

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// ReporterRequests returns a jurisdiction's requests that hold a reporter, in
// store.ReporterOrder: one Query of the jurisdiction's GSI3 partition (keys only; with
// ClosedBefore, its C# range up to that time), then one consistent BatchGetItem of the requests,
// which are checked again (the index is eventually consistent), so a page may hold fewer than
// Limit requests while Next says there may be more.
func (s *Store) ReporterRequests(ctx context.Context, q store.ReporterQuery) (store.Page, error) {
	const op = "store/dynamo.ReporterRequests"
	limit := q.Limit
	if limit <= 0 || limit > maxBatchGet {
		limit = maxBatchGet
	}
	pk := reportersPK(q.JurisdictionID)
	cond := attrGSI3PK + " = :pk"
	values := map[string]types.AttributeValue{":pk": str(pk)}
	if !q.ClosedBefore.IsZero() {
		if !inRange(q.ClosedBefore) {
			return store.Page{}, open311.Errorf(open311.Invalid, op, "closed-before time out of range")
		}
		cond += " AND " + attrGSI3SK + " BETWEEN :lo AND :hi"
		values[":lo"], values[":hi"] = str("C#"), str("C#"+formatTime(q.ClosedBefore))
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI3),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		Limit:                     aws.Int32(int32(limit)),
	}
	if q.Cursor != "" {
		start, err := decodeReporterCursor(q.Cursor, q.JurisdictionID)
		if err != nil {
			return store.Page{}, open311.Wrap(op, err)
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.client.Query(ctx, in)
	if err != nil {
		return store.Page{}, open311.Wrap(op, fmt.Errorf("query requests holding a reporter in %s: %w", q.JurisdictionID, err))
	}
	var page store.Page
	if len(out.LastEvaluatedKey) > 0 {
		page.Next = encodeReporterCursor(out.LastEvaluatedKey)
	}
	if len(out.Items) == 0 {
		return page, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(out.Items))
	for _, item := range out.Items {
		keys = append(keys, map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]})
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return store.Page{}, open311.Wrap(op, fmt.Errorf("get requests holding a reporter in %s: %w", q.JurisdictionID, err))
	}
	for _, item := range items {
		var r open311.Request
		if err := unmarshal(item, &r); err != nil {
			return store.Page{}, open311.Wrap(op, fmt.Errorf("decode request of %s: %w", q.JurisdictionID, err))
		}
		if !r.HoldsReporter() {
			continue
		}
		if at, closed := r.ClosedAt(); !q.ClosedBefore.IsZero() && (!closed || !at.Before(q.ClosedBefore)) {
			continue
		}
		page.Requests = append(page.Requests, r)
	}
	slices.SortFunc(page.Requests, func(a, b open311.Request) int { return strings.Compare(reportersSK(a), reportersSK(b)) })
	return page, nil
}

// encodeReporterCursor is the opaque form of a GSI3 position: the request's key and its GSI3
// sort key.
func encodeReporterCursor(last map[string]types.AttributeValue) string {
	get := func(name string) string {
		if v, ok := last[name].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(get(attrPK) + "\n" + get(attrGSI3SK)))
}

// decodeReporterCursor reads encodeReporterCursor's form back into an ExclusiveStartKey of the
// jurisdiction's GSI3 partition, or fails with Invalid.
func decodeReporterCursor(cursor, jurisdictionID string) (map[string]types.AttributeValue, error) {
	bad := open311.Errorf(open311.Invalid, "store/dynamo.ReporterRequests", "the cursor is not one this store gave out")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	pk, sk, ok := strings.Cut(string(raw), "\n")
	prefix, _ := requestKey(jurisdictionID, "")
	if !ok || !strings.HasPrefix(pk, prefix) || !(strings.HasPrefix(sk, "C#") || strings.HasPrefix(sk, "O#")) {
		return nil, bad
	}
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str("REQ"),
		attrGSI3PK: str(reportersPK(jurisdictionID)), attrGSI3SK: str(sk)}, nil
}
