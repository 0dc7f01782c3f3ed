package e2e

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// Stream reads a table's DynamoDB stream as Lambda's event source mapping does, and hands its
// records over as the event Lambda sends the function on the stream.
type Stream struct {
	client *dynamodbstreams.Client
	arn    string
	iters  map[string]*string // shard id -> iterator of what comes next (nil: the shard is closed)
}

// OpenStream opens the stream of table, reading each shard from start: TRIM_HORIZON for every
// record the stream still holds, LATEST for those written from now on.
func OpenStream(ctx context.Context, ddb *dynamodb.Client, client *dynamodbstreams.Client, table string, start streamtypes.ShardIteratorType) (*Stream, error) {
	out, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", table, err)
	}
	arn := aws.ToString(out.Table.LatestStreamArn)
	if arn == "" {
		return nil, fmt.Errorf("table %s has no stream", table)
	}
	desc, err := client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe stream %s: %w", arn, err)
	}
	s := &Stream{client: client, arn: arn, iters: map[string]*string{}}
	for _, shard := range desc.StreamDescription.Shards {
		it, err := client.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: aws.String(arn), ShardId: shard.ShardId, ShardIteratorType: start})
		if err != nil {
			return nil, fmt.Errorf("shard iterator of %s: %w", aws.ToString(shard.ShardId), err)
		}
		s.iters[aws.ToString(shard.ShardId)] = it.ShardIterator
	}
	if len(s.iters) == 0 {
		return nil, errors.New("the stream has no shard")
	}
	return s, nil
}

// Read returns the records written since the last Read (one GetRecords call per open shard),
// as one Lambda event; an event without records when nothing is new.
func (s *Stream) Read(ctx context.Context) (events.DynamoDBEvent, error) {
	var ev events.DynamoDBEvent
	for shard, iter := range s.iters {
		if iter == nil {
			continue
		}
		out, err := s.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return ev, fmt.Errorf("read shard %s: %w", shard, err)
		}
		for _, r := range out.Records {
			ev.Records = append(ev.Records, LambdaRecord(r, s.arn))
		}
		s.iters[shard] = out.NextShardIterator
	}
	return ev, nil
}

// LambdaRecord turns a record of the DynamoDB Streams API into the record of a Lambda event.
func LambdaRecord(r streamtypes.Record, streamARN string) events.DynamoDBEventRecord {
	d := r.Dynamodb
	out := events.DynamoDBEventRecord{
		AWSRegion: aws.ToString(r.AwsRegion), EventID: aws.ToString(r.EventID), EventName: string(r.EventName),
		EventSource: aws.ToString(r.EventSource), EventVersion: aws.ToString(r.EventVersion), EventSourceArn: streamARN,
		Change: events.DynamoDBStreamRecord{
			Keys: lambdaImage(d.Keys), NewImage: lambdaImage(d.NewImage), OldImage: lambdaImage(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber), SizeBytes: aws.ToInt64(d.SizeBytes), StreamViewType: string(d.StreamViewType),
		},
	}
	if d.ApproximateCreationDateTime != nil {
		out.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
	}
	return out
}

func lambdaImage(m map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = lambdaValue(v)
	}
	return out
}

func lambdaValue(v streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = lambdaValue(e)
		}
		return events.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberM:
		return events.NewMapAttribute(lambdaImage(v.Value))
	}
	return events.NewNullAttribute() // a type this SDK version does not know: nothing to read in it
}
