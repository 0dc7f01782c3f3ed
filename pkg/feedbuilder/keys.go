package feedbuilder

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// requestPrefix begins the partition key of a request and of its activities in the DynamoDB
// store: REQ#<jurisdiction>#<id> (see package dynamo's doc). The template's filter criteria send
// only records whose PK has this prefix; anything else that reaches the function is ignored.
const requestPrefix = "REQ#"

// keyKind says what a stream record's keys are.
type keyKind int

const (
	keyRequest  keyKind = iota // a request item or one of its activities
	keyOther                   // another item type (catalog, keys, tokens): no feed follows it
	keyPoisoned                // no usable key at all: the record is reported as failed
)

// parseKeys reads the request a stream record is about from its Keys: PK "REQ#<j>#<id>" with each
// component escaped as the store escapes it ("%" as "%25", "#" as "%23"). A PK that begins with
// REQ# but does not hold exactly two valid, non-empty components, a missing PK, or a PK that is
// not a string is poisoned: the store never writes such a key, so retrying cannot help.
func parseKeys(keys map[string]events.DynamoDBAttributeValue) (jurisdictionID, requestID string, kind keyKind) {
	pk, ok := keys["PK"]
	if !ok || pk.DataType() != events.DataTypeString {
		return "", "", keyPoisoned
	}
	rest, ok := strings.CutPrefix(pk.String(), requestPrefix)
	if !ok {
		return "", "", keyOther
	}
	j, id, ok := strings.Cut(rest, "#")
	if !ok || strings.Contains(id, "#") {
		return "", "", keyPoisoned
	}
	j, okJ := unescape(j)
	id, okID := unescape(id)
	if !okJ || !okID || j == "" || id == "" {
		return "", "", keyPoisoned
	}
	return j, id, keyRequest
}

// unescape undoes the store's escaping of a key component; any other "%" sequence is refused.
func unescape(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1 : min(i+3, len(s))] {
		case "25":
			b.WriteByte('%')
		case "23":
			b.WriteByte('#')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// imageServiceCodes returns the service codes that a record's images name: a request item's
// NewImage and OldImage carry its service_code (both, in case it changed); an activity's do not.
func imageServiceCodes(r events.DynamoDBStreamRecord) []string {
	var codes []string
	for _, img := range []map[string]events.DynamoDBAttributeValue{r.NewImage, r.OldImage} {
		v, ok := img["service_code"]
		if !ok || v.DataType() != events.DataTypeString || v.String() == "" {
			continue
		}
		if len(codes) == 0 || codes[0] != v.String() {
			codes = append(codes, v.String())
		}
	}
	return codes
}
