package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CopyResult counts what CopyTable found and did.
type CopyResult struct {
	Same    int // items already as in the source
	Written int // items of the source put into the target (new or different)
	Deleted int // items of the target the source does not have, deleted
	Kept    int // such items kept (KeepNewer)
}

// CopyOptions says how CopyTable treats the target's own items.
type CopyOptions struct {
	// KeepNewer keeps the items the source does not have (written after its point in time)
	// instead of deleting them.
	KeepNewer bool
	// DryRun counts what would change and changes nothing.
	DryRun bool
}

// CopyTable makes table to hold what table from holds: the way back from a point-in-time
// restore, which DynamoDB makes into a new table, to the stack's own table (its stream, roles,
// alarms and outputs stay as they are, and the stream has the feed builder rebuild the feeds of
// every request it changes). It writes only the items that differ and deletes those from does
// not have (unless KeepNewer). It is an operator's tool, never on a request's path, and the one
// use of Scan besides the backfills: both tables are read whole, page by page, keeping a 32-byte
// digest per item of to (about 100 bytes an item in memory).
//
// Writes made to the target while it runs may be overwritten: stop writers first (see the
// runbook).
func CopyTable(ctx context.Context, client *dynamodb.Client, from, to string, o CopyOptions) (CopyResult, error) {
	var res CopyResult
	if from == to {
		return res, fmt.Errorf("copy table %s onto itself", from)
	}
	target := map[string][sha256.Size]byte{}
	err := scan(ctx, client, to, func(item map[string]types.AttributeValue) error {
		k, d, err := digestItem(item)
		target[k] = d
		return err
	})
	if err != nil {
		return res, fmt.Errorf("read %s: %w", to, err)
	}
	err = scan(ctx, client, from, func(item map[string]types.AttributeValue) error {
		k, d, err := digestItem(item)
		if err != nil {
			return err
		}
		old, ok := target[k]
		delete(target, k)
		if ok && old == d {
			res.Same++
			return nil
		}
		res.Written++
		if o.DryRun {
			return nil
		}
		_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(to), Item: item})
		return err
	})
	if err != nil {
		return res, fmt.Errorf("copy %s to %s (%d items written): %w", from, to, res.Written, err)
	}
	for k := range target {
		if o.KeepNewer {
			res.Kept++
			continue
		}
		res.Deleted++
		if o.DryRun {
			continue
		}
		var key struct{ PK, SK string }
		if err := json.Unmarshal([]byte(k), &key); err != nil {
			return res, err
		}
		if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(to), Key: map[string]types.AttributeValue{
			attrPK: str(key.PK), attrSK: str(key.SK),
		}}); err != nil {
			return res, fmt.Errorf("delete from %s (%d deleted): %w", to, res.Deleted-1, err)
		}
	}
	return res, nil
}

// scan reads every item of a table, a page at a time.
func scan(ctx context.Context, client *dynamodb.Client, table string, each func(map[string]types.AttributeValue) error) error {
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range out.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// digestItem returns an item's key (its PK and SK, as JSON) and a digest of all of it.
func digestItem(item map[string]types.AttributeValue) (string, [sha256.Size]byte, error) {
	var m map[string]any
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		return "", [sha256.Size]byte{}, err
	}
	b, err := json.Marshal(m) // maps marshal with sorted keys: equal items, equal bytes
	if err != nil {
		return "", [sha256.Size]byte{}, err
	}
	pk, _ := m[attrPK].(string)
	sk, _ := m[attrSK].(string)
	k, _ := json.Marshal(struct{ PK, SK string }{pk, sk})
	return string(k), sha256.Sum256(b), nil
}
