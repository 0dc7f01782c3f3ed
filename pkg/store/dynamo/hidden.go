package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
)

// BackfillHidden gives the requests that are not public and were written before the staff queue
// (which lists them from GSI1's HIDDEN#<jurisdiction> partition) their GSI1 keys: of one
// jurisdiction, or of every one when jurisdictionID is empty. Such requests are in no index, so
// it is an operator's Scan of the table (filtered to request items without GSI1 keys, projecting
// their keys, id, requested time and what tells whether they are public), never a request path's read; each one found is updated
// with an UpdateItem conditioned on the item existing and still having no GSI1 keys (a request
// written meanwhile has them). It returns how many it updated; run again, it updates none, and
// it is safe while the API is serving (docs/store-dynamodb.md, Migration).
func (s *Store) BackfillHidden(ctx context.Context, jurisdictionID string) (int, error) {
	const op = "store/dynamo.BackfillHidden"
	filter := "ItemType = :type AND attribute_not_exists(GSI1PK)"
	values := map[string]types.AttributeValue{":type": str(typeRequest)}
	if jurisdictionID != "" {
		filter += " AND begins_with(PK, :prefix)"
		values[":prefix"] = str("REQ#" + esc(jurisdictionID) + "#")
	}
	p := dynamodb.NewScanPaginator(s.client, &dynamodb.ScanInput{
		TableName:                 aws.String(s.table),
		FilterExpression:          aws.String(filter),
		ExpressionAttributeValues: values,
		ExpressionAttributeNames: map[string]string{"#id": "id", "#j": "jurisdiction_id", "#requested": "requested",
			"#status": "status", "#private": "private"},
		ProjectionExpression: aws.String("PK, SK, #id, #j, #requested, #status, #private"),
	})
	updated := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return updated, open311.Wrap(op, fmt.Errorf("scan for requests without index keys: %w", err))
		}
		for _, item := range page.Items {
			var r struct {
				ID             string `json:"id"`
				JurisdictionID string `json:"jurisdiction_id"`
				Requested      string `json:"requested"`
				open311.Request
			}
			if err := unmarshal(item, &r); err != nil {
				return updated, open311.Wrap(op, fmt.Errorf("decode a request's keys: %w", err))
			}
			if r.Request.Public() {
				continue // every store wrote a public request with its REQS# keys
			}
			if len(r.Requested) != len(timeLayout) {
				return updated, open311.Wrap(op, fmt.Errorf("request %s of %s: requested time %q is not fixed-width", r.ID, r.JurisdictionID, r.Requested))
			}
			_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:           aws.String(s.table),
				Key:                 map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]},
				UpdateExpression:    aws.String("SET GSI1PK = :pk, GSI1SK = :sk"),
				ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(GSI1PK)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": str(hiddenPK(r.JurisdictionID)), ":sk": str(r.Requested + "#" + r.ID),
				},
			})
			if conditionFailed(err) {
				continue // written again meanwhile, with its keys
			}
			if err != nil {
				return updated, open311.Wrap(op, fmt.Errorf("update request %s of %s: %w", r.ID, r.JurisdictionID, err))
			}
			updated++
		}
	}
	return updated, nil
}
