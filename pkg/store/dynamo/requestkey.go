package dynamo

import (
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// RequestKeyPrefix begins the partition key of a request item and of its activities,
// "REQ#<jurisdiction>#<id>". A consumer of the table's stream selects the records about requests
// by it (template.yaml's filter criteria of the feed builder's stream event say the same).
const RequestKeyPrefix = "REQ#"

// ParseRequestKey returns the jurisdiction and id of the request whose item, or one of whose
// activities, has the partition key pk, as a stream record's Keys carry it. It undoes the
// store's escaping of each component ("%" as "%25", "#" as "%23"). It fails with
// open311.Invalid for a key without RequestKeyPrefix, and for one with it that the store never
// writes: not exactly two non-empty components, or an escape other than those two.
func ParseRequestKey(pk string) (jurisdictionID, id string, err error) {
	const op = "store/dynamo.ParseRequestKey"
	rest, ok := strings.CutPrefix(pk, RequestKeyPrefix)
	if !ok {
		return "", "", open311.Errorf(open311.Invalid, op, "%q is not a request's partition key", pk)
	}
	j, id, ok := strings.Cut(rest, "#")
	if !ok || strings.Contains(id, "#") {
		return "", "", open311.Errorf(open311.Invalid, op, "request key %q does not have two components", pk)
	}
	j, okJ := unescape(j)
	id, okID := unescape(id)
	if !okJ || !okID || j == "" || id == "" {
		return "", "", open311.Errorf(open311.Invalid, op, "request key %q has an empty or badly escaped component", pk)
	}
	return j, id, nil
}

// unescape undoes esc; any "%" sequence that esc does not write is refused.
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
