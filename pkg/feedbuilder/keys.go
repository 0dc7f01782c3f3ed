package feedbuilder

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/store/dynamo"
)

// keyKind says what a stream record's keys are.
type keyKind int

const (
	keyRequest  keyKind = iota // a request item or one of its activities
	keyOther                   // another item type (catalog, keys, tokens): no feed follows it
	keyPoisoned                // no usable key at all: the record is reported as failed
)

// parseKeys reads the request a stream record is about from its Keys, as the DynamoDB store
// writes them (dynamo.ParseRequestKey). The template's filter criteria send only records whose
// PK has dynamo.RequestKeyPrefix; anything else that reaches the function is ignored. A missing
// PK, a PK that is not a string, or a request key the store never writes is poisoned: retrying
// cannot help.
func parseKeys(keys map[string]events.DynamoDBAttributeValue) (jurisdictionID, requestID string, kind keyKind) {
	pk, ok := keys["PK"]
	if !ok || pk.DataType() != events.DataTypeString {
		return "", "", keyPoisoned
	}
	if !strings.HasPrefix(pk.String(), dynamo.RequestKeyPrefix) {
		return "", "", keyOther
	}
	j, id, err := dynamo.ParseRequestKey(pk.String())
	if err != nil {
		return "", "", keyPoisoned
	}
	return j, id, keyRequest
}

// listedArea reads, from the keys of an area listing item (dynamo.ParseAreaListingSK), the
// area cell or named area it lists its activity in.
func listedArea(keys map[string]events.DynamoDBAttributeValue) (cell, area string, ok bool) {
	sk, found := keys["SK"]
	if !found || sk.DataType() != events.DataTypeString {
		return "", "", false
	}
	return dynamo.ParseAreaListingSK(sk.String())
}
