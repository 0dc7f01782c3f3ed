package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
)

// BackfillReporters gives the requests stored before GSI3 that hold a reporter their GSI3 keys,
// so that the retention and an operator's search see them. It is an operator's migration, not a
// request path: it scans the table for request items holding a sealed or clear reporter and
// no GSI3PK (100 at a time), and sets the keys with one UpdateItem each, conditioned on the
// request's version being the one read (a request written meanwhile has its keys already). It
// returns how many it updated; run again, it updates none.
func (s *Store) BackfillReporters(ctx context.Context) (int, error) {
	const op = "store/dynamo.BackfillReporters"
	in := &dynamodb.ScanInput{
		TableName: aws.String(s.table),
		FilterExpression: aws.String("#type = :request AND attribute_not_exists(" + attrGSI3PK + ") AND " +
			"(attribute_exists(reporter_sealed) OR attribute_exists(reporter))"),
		ExpressionAttributeNames:  map[string]string{"#type": attrItemType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":request": str(typeRequest)},
		Limit:                     aws.Int32(backfillPage),
	}
	updated := 0
	for {
		page, err := s.client.Scan(ctx, in)
		if err != nil {
			return updated, open311.Wrap(op, fmt.Errorf("scan for requests without GSI3 keys: %w", err))
		}
		for _, item := range page.Items {
			var r open311.Request
			if err := unmarshal(item, &r); err != nil {
				return updated, open311.Wrap(op, fmt.Errorf("decode request %v: %w", item[attrPK], err))
			}
			if !r.HoldsReporter() {
				continue
			}
			_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                aws.String(s.table),
				Key:                      key(requestKey(r.JurisdictionID, r.ID)),
				UpdateExpression:         aws.String("SET " + attrGSI3PK + " = :pk, " + attrGSI3SK + " = :sk"),
				ConditionExpression:      aws.String("#version = :read"),
				ExpressionAttributeNames: map[string]string{"#version": "version"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk":   str(reportersPK(r.JurisdictionID)),
					":sk":   str(reportersSK(r)),
					":read": &types.AttributeValueMemberN{Value: fmt.Sprint(r.Version)},
				},
			})
			switch {
			case conditionFailed(err):
				continue // written meanwhile: that write gave it its keys
			case err != nil:
				return updated, open311.Wrap(op, fmt.Errorf("set the GSI3 keys of request %s: %w", r.ID, err))
			}
			updated++
		}
		if page.LastEvaluatedKey == nil {
			return updated, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
