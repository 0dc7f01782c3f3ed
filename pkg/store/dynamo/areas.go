package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// GSI4 lists activities by area: its partitions are the area cells and named areas
// (areaUpdatesPK), each ordered by time then activity id (updatesSK), as GSI1 lists a
// jurisdiction's. A listed activity carries GSI4 keys of the cell of its request's point; each
// further area whose feed shows it (a named area holding the point, the cell and areas a move
// left) is an area listing item of its own.
const (
	attrGSI4PK = "GSI4PK"
	attrGSI4SK = "GSI4SK"
	indexGSI4  = "GSI4"
	// typeAreaListing is an area listing item: a copy of a listed activity, with its Entry,
	// keyed in its request's partition (areaListingSK) and listed in GSI4 under one area.
	typeAreaListing = "area_listing"
	// areaListingPrefix begins the sort keys of area listing items, apart from "ACT#" so that
	// reading a request's activities never meets them.
	areaListingPrefix = "AREA#"
)

// areaUpdatesPK is the GSI4 partition of one area cell ("c#" and its geohash) or one named
// area ("a#" and its id) of a jurisdiction.
func areaUpdatesPK(j string, cell, area string) string {
	if cell != "" {
		return "AACTS#" + esc(j) + "#c#" + cell
	}
	return "AACTS#" + esc(j) + "#a#" + esc(area)
}

// areaListingSK is the sort key of the area listing item of an activity (whose own sort key is
// activitySK) in the partition GSI4 lists it under.
func areaListingSK(activitySK, gsi4PK string) string {
	return areaListingPrefix + strings.TrimPrefix(activitySK, "ACT#") + "#" + gsi4PK
}

// ParseAreaListingSK reads which area cell or named area an area listing item's sort key lists
// its activity in: the feed builder reads it from a stream record's keys, so a record of a
// listing item names the area feed it changes. ok is false for any other sort key.
func ParseAreaListingSK(sk string) (cell, area string, ok bool) {
	if !strings.HasPrefix(sk, areaListingPrefix) {
		return "", "", false
	}
	i := strings.Index(sk, "#AACTS#")
	if i < 0 {
		return "", "", false
	}
	// What follows is <escaped jurisdiction>#c#<cell> or <escaped jurisdiction>#a#<escaped area>.
	_, rest, _ := strings.Cut(sk[i+len("#AACTS#"):], "#")
	kind, id, _ := strings.Cut(rest, "#")
	switch kind {
	case "c":
		if !open311.ValidCell(id) {
			return "", "", false
		}
		return id, "", true
	case "a":
		area, ok := unescape(id)
		return "", area, ok && area != ""
	}
	return "", "", false
}

// areaItems returns the GSI4 keys of activity item (a listed activity of request r, as
// written) for the cell of r's point, and the area listing items for every other area its feed
// shows it in.
func areaItems(item map[string]types.AttributeValue, r open311.Request, a open311.Activity) ([]map[string]types.AttributeValue, error) {
	cells, areas := store.AreasOf(r, a)
	home := ""
	if r.Point != nil {
		home = open311.Cell(*r.Point)
	}
	sk := updatesSK(a.At, a.ID)
	var pks []string
	for _, c := range cells {
		if c == home {
			item[attrGSI4PK], item[attrGSI4SK] = str(areaUpdatesPK(a.JurisdictionID, c, "")), str(sk)
			continue
		}
		pks = append(pks, areaUpdatesPK(a.JurisdictionID, c, ""))
	}
	for _, id := range areas {
		pks = append(pks, areaUpdatesPK(a.JurisdictionID, "", id))
	}
	var out []map[string]types.AttributeValue
	activitySK := item[attrSK].(*types.AttributeValueMemberS).Value
	for _, pk := range pks {
		if !keyFits(pk, sk) {
			return nil, fmt.Errorf("area key %s too long", pk)
		}
		listing := make(map[string]types.AttributeValue, len(item))
		for k, v := range item {
			listing[k] = v
		}
		delete(listing, attrGSI1PK)
		delete(listing, attrGSI1SK)
		delete(listing, attrGSI2PK)
		delete(listing, attrGSI2SK)
		listing[attrSK] = str(areaListingSK(activitySK, pk))
		listing[attrItemType] = str(typeAreaListing)
		listing[attrGSI4PK], listing[attrGSI4SK] = str(pk), str(sk)
		out = append(out, listing)
	}
	return out, nil
}

// BackfillAreas gives the listed activities of a jurisdiction that were written before GSI4
// their GSI4 keys: the area cell of the point their Entry copy shows. It pages through GSI1's
// ACTS#<jurisdiction> partition (100 items a page, projecting the keys and the copy's point)
// and updates each item with a point and no GSI4PK with one UpdateItem, conditioned on the item
// existing and still having none. Named areas did not exist before GSI4, so no area listing is
// missing. Run after BackfillActivities (an item without its copy is skipped); run again, it
// updates none. It returns how many items it updated (docs/store-dynamodb.md).
func (s *Store) BackfillAreas(ctx context.Context, jurisdictionID string) (int, error) {
	const op = "store/dynamo.BackfillAreas"
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(updatesPK(jurisdictionID))},
		ProjectionExpression:      aws.String("PK, SK, GSI1SK, " + attrGSI4PK + ", #entry.point"),
		ExpressionAttributeNames:  map[string]string{"#entry": attrEntry},
		Limit:                     aws.Int32(backfillPage),
	}
	updated := 0
	for {
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return updated, open311.Wrap(op, fmt.Errorf("query activities of %s: %w", jurisdictionID, err))
		}
		for _, item := range page.Items {
			if _, done := item[attrGSI4PK]; done {
				continue
			}
			var copied struct {
				Point *open311.Point `json:"point"`
			}
			if av, ok := item[attrEntry]; !ok {
				continue
			} else if err := attributevalue.UnmarshalWithOptions(av, &copied, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }); err != nil {
				return updated, open311.Wrap(op, fmt.Errorf("decode the entry of an activity of %s: %w", jurisdictionID, err))
			}
			if copied.Point == nil {
				continue
			}
			_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:           aws.String(s.table),
				Key:                 map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]},
				UpdateExpression:    aws.String("SET " + attrGSI4PK + " = :pk, " + attrGSI4SK + " = :sk"),
				ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(" + attrGSI4PK + ")"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": str(areaUpdatesPK(jurisdictionID, open311.Cell(*copied.Point), "")), ":sk": item[attrGSI1SK],
				},
			})
			if conditionFailed(err) {
				continue // given its keys meanwhile
			}
			if err != nil {
				return updated, open311.Wrap(op, fmt.Errorf("update an activity of %s: %w", jurisdictionID, err))
			}
			updated++
		}
		if page.LastEvaluatedKey == nil {
			return updated, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
