package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Store keeps the system's state in one DynamoDB table. It is safe for concurrent use.
type Store struct {
	client *dynamodb.Client
	table  string
	// minFilteredRead is the smallest Limit of a filtered Query (see readSize); a test makes it
	// smaller, to read a geohash cell several times without writing hundreds of requests.
	minFilteredRead int
}

var _ store.Store = (*Store)(nil)

// New returns a Store on the given table, which must have the store's schema (CreateTable makes
// one).
func New(client *dynamodb.Client, table string) *Store {
	return &Store{client: client, table: table, minFilteredRead: 100}
}

// Table-level attribute names and the indexes.
const (
	attrPK       = "PK"
	attrSK       = "SK"
	attrGSI1PK   = "GSI1PK"
	attrGSI1SK   = "GSI1SK"
	attrGSI2PK   = "GSI2PK"
	attrGSI2SK   = "GSI2SK"
	attrGSI3PK   = "GSI3PK"
	attrGSI3SK   = "GSI3SK"
	attrItemType = "ItemType"
	attrTTL      = "expires_at"
	// attrEntry is the map on a listed activity's item holding what a feed entry shows of its
	// request (entryCopy).
	attrEntry = "Entry"
	indexGSI1 = "GSI1"
	indexGSI2 = "GSI2"
	indexGSI3 = "GSI3"
)

// Item types, the value of ItemType.
const (
	typeJurisdiction = "jurisdiction"
	typeService      = "service"
	typeAPIKey       = "apikey"
	typeRequest      = "request"
	typeActivity     = "activity"
	typeToken        = "token"
	typeClientUpdate = "client_update"
	typeUploadSlot   = "upload_slot"
)

// DynamoDB's limits on key attribute sizes, in bytes.
const (
	maxPartitionKey = 2048
	maxSortKey      = 1024
)

// timeLayout is the fixed-width form of times that are compared or sorted on.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime returns t in the fixed-width layout; t must be within years 0 to 9999.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// inRange reports whether t has a four-digit year, so that formatTime keeps its width.
func inRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// esc escapes a key component so that "#" only ever separates components (unescape undoes it).
func esc(s string) string {
	if !strings.ContainsAny(s, "%#") {
		return s
	}
	return strings.NewReplacer("%", "%25", "#", "%23").Replace(s)
}

func jurisdictionKey(id string) (pk, sk string) { return "JURISDICTIONS", "JUR#" + esc(id) }
func serviceKey(j, code string) (pk, sk string) { return "JUR#" + esc(j), "SVC#" + esc(code) }
func apiKeyKey(hash string) (pk, sk string)     { return "KEY#" + esc(hash), "KEY" }

// keyListKey is the key of a key's copy in the partition that lists every key (keys list).
func keyListKey(hash string) (pk, sk string)   { return "KEYS", "KEY#" + esc(hash) }
func requestKey(j, id string) (pk, sk string)  { return "REQ#" + esc(j) + "#" + esc(id), "REQ" }
func tokenKey(j, token string) (pk, sk string) { return "TOK#" + esc(j) + "#" + esc(token), "TOK" }

// clientUpdateKey is the key of the pointer item that reserves a client's update id.
func clientUpdateKey(j, clientUpdateID string) (pk, sk string) {
	return "CUPD#" + esc(j) + "#" + esc(clientUpdateID), "CUPD"
}

// requestsPK is the GSI1 partition of a jurisdiction's public requests.
func requestsPK(j string) string { return "REQS#" + esc(j) }

// hiddenPK is the GSI1 partition of a jurisdiction's requests that are not public (private ones
// and batch requests awaiting moderation): the staff queue's other half. Their GSI1SK is
// requestsSK too.
func hiddenPK(j string) string { return "HIDDEN#" + esc(j) }

// requestsSK is a request's GSI1 sort key (in REQS# or HIDDEN#).
func requestsSK(requested time.Time, id string) string { return formatTime(requested) + "#" + id }

// updatesPK is the GSI1 partition of a jurisdiction's activities on public requests.
func updatesPK(j string) string { return "ACTS#" + esc(j) }

// updatesSK is such an activity's GSI1 sort key: by time, then by id.
func updatesSK(at time.Time, id string) string { return formatTime(at) + "#" + id }

// serviceUpdatesPK is the GSI2 partition of the activities on public requests of one service
// (their GSI2SK is updatesSK).
func serviceUpdatesPK(j, code string) string { return "SACTS#" + esc(j) + "#" + esc(code) }

// geoPK is the GSI2 partition of a jurisdiction's public requests in one geohash cell.
func geoPK(j, cell string) string { return "GEO#" + esc(j) + "#" + cell }

// reportersPK is the GSI3 partition of a jurisdiction's requests that hold a reporter.
func reportersPK(j string) string { return "PD#" + esc(j) }

// reportersSK is a request's GSI3 sort key, in store.ReporterOrder: C#<closed>#<id> for a
// closed request, O#<requested>#<id> for an open one.
func reportersSK(r open311.Request) string {
	closed, at := store.ReporterOrder(r)
	if closed {
		return "C#" + formatTime(at) + "#" + esc(r.ID)
	}
	return "O#" + formatTime(at) + "#" + esc(r.ID)
}

// activitySK orders a request's activities by time, then by the write that made them.
func activitySK(at time.Time, version int64, index int) string {
	return fmt.Sprintf("ACT#%s#%010d#%04d", formatTime(at), version, index)
}

// keyFits reports whether a key is within DynamoDB's size limits; a lookup of a key that does
// not fit can only find nothing.
func keyFits(pk, sk string) bool { return len(pk) <= maxPartitionKey && len(sk) <= maxSortKey }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// marshal encodes a domain value as an item under its JSON field names, with the given keys.
func marshal(v any, itemType, pk, sk string) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) {
		o.TagKey = "json"
	})
	if err != nil {
		return nil, err
	}
	item[attrPK] = str(pk)
	item[attrSK] = str(sk)
	item[attrItemType] = str(itemType)
	return item, nil
}

// unmarshal decodes an item into a domain value; table-level attributes are ignored.
func unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) {
		o.TagKey = "json"
	})
}

// getItem reads one item by key with a strongly consistent read; it returns nil when there is none.
func (s *Store) getItem(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	if !keyFits(pk, sk) {
		return nil, nil
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// queryPartition reads every item of a partition whose sort key begins with prefix, in sort key
// order, following LastEvaluatedKey to the end.
func (s *Store) queryPartition(ctx context.Context, pk, prefix string) ([]map[string]types.AttributeValue, error) {
	if !keyFits(pk, prefix) {
		return nil, nil
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     str(pk),
			":prefix": str(prefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// putItem writes one item unconditionally.
func (s *Store) putItem(ctx context.Context, item map[string]types.AttributeValue) error {
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return err
}

// conditionFailed reports whether err is a write's condition that did not hold, or a transaction
// cancelled by one or by a concurrent transaction on the same items: another writer won.
func conditionFailed(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed", "TransactionConflict":
				return true
			}
		}
		return false
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tc *types.TransactionConflictException
	return errors.As(err, &tc)
}
