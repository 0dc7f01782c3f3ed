package feedbuilder

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestParseKeys tells a stream record's keys apart: a request's (read by the DynamoDB store's own
// ParseRequestKey, whose test has the escaping cases), another item's, and unreadable ones.
func TestParseKeys(t *testing.T) {
	s := events.NewStringAttribute
	for _, tt := range []struct {
		name     string
		keys     map[string]events.DynamoDBAttributeValue
		j, id    string
		wantKind keyKind
	}{
		{"request", map[string]events.DynamoDBAttributeValue{"PK": s("REQ#city.example.org#100003"), "SK": s("REQ")}, "city.example.org", "100003", keyRequest},
		{"activity", map[string]events.DynamoDBAttributeValue{"PK": s("REQ#city.example.org#100003"), "SK": s("ACT#2026-11-02T15:04:05.000000000Z#0000000002#0001")}, "city.example.org", "100003", keyRequest},
		{"escaped", map[string]events.DynamoDBAttributeValue{"PK": s("REQ#a%23b%25c#x%2523y")}, "a#b%c", "x%23y", keyRequest},
		{"catalog", map[string]events.DynamoDBAttributeValue{"PK": s("JUR#city.example.org"), "SK": s("SVC#pothole")}, "", "", keyOther},
		{"jurisdictions", map[string]events.DynamoDBAttributeValue{"PK": s("JURISDICTIONS"), "SK": s("JUR#x")}, "", "", keyOther},
		{"token", map[string]events.DynamoDBAttributeValue{"PK": s("TOK#city.example.org#T"), "SK": s("TOK")}, "", "", keyOther},
		{"GSI1-like", map[string]events.DynamoDBAttributeValue{"PK": s("REQS#city.example.org")}, "", "", keyOther},
		{"no keys", nil, "", "", keyPoisoned},
		{"no PK", map[string]events.DynamoDBAttributeValue{"SK": s("REQ")}, "", "", keyPoisoned},
		{"number PK", map[string]events.DynamoDBAttributeValue{"PK": events.NewNumberAttribute("1")}, "", "", keyPoisoned},
		{"three parts", map[string]events.DynamoDBAttributeValue{"PK": s("REQ#a#b#c")}, "", "", keyPoisoned},
		{"unknown escape", map[string]events.DynamoDBAttributeValue{"PK": s("REQ#a%20b#c")}, "", "", keyPoisoned},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, id, kind := parseKeys(tt.keys)
			if j != tt.j || id != tt.id || kind != tt.wantKind {
				t.Errorf("parseKeys = %q, %q, %v; want %q, %q, %v", j, id, kind, tt.j, tt.id, tt.wantKind)
			}
		})
	}
}
