package store

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// Cursor is a position in the newest-first order of requests: just after the request with this
// requested time and id. Every store encodes it the same way, so a client's "next" link means
// the same thing whichever store answers it (in DynamoDB it is the ExclusiveStartKey's sort key).
type Cursor struct {
	Requested time.Time
	ID        string
}

// Encode returns the opaque, URL-safe form of the cursor.
func (c Cursor) Encode() string {
	raw := c.Requested.UTC().Format(time.RFC3339Nano) + "|" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor reads an opaque cursor, or fails with Invalid.
func DecodeCursor(s string) (Cursor, error) {
	bad := open311.Errorf(open311.Invalid, "store.DecodeCursor", "the cursor is not one this server gave out")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return Cursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{Requested: t, ID: id}, nil
}
