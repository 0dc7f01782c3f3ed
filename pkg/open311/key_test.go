package open311

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestKeyExpiry(t *testing.T) {
	t.Parallel()
	end := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	k := APIKey{Hash: HashKey("s"), Role: RoleStaff, JurisdictionID: "j", Expires: end}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{end.Add(-time.Nanosecond), true}, {end, false}, {end.Add(time.Hour), false}} {
		if got := k.AllowsAt("j", c.at); got != c.want || k.ExpiredAt(c.at) == c.want {
			t.Errorf("AllowsAt(%v) = %v, ExpiredAt %v; want %v", c.at, got, k.ExpiredAt(c.at), c.want)
		}
	}
	if k.AllowsAt("other", end.Add(-time.Hour)) {
		t.Error("an unexpired key allows another jurisdiction")
	}
	// A key without Expires never expires; Allows is AllowsAt now.
	k.Expires = time.Time{}
	if !k.AllowsAt("j", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) || !k.Allows("j") {
		t.Error("a key without Expires expired")
	}
	k.Expires = time.Now().Add(-time.Minute)
	if k.Allows("j") {
		t.Error("Allows lets an expired key act")
	}

	// Stored keys without the field read as never expiring, and a zero Expires is not written.
	b, err := json.Marshal(APIKey{Hash: "h", Role: RoleReporter, Label: "l"})
	if err != nil || strings.Contains(string(b), "expires") {
		t.Errorf("a key without expiry marshals as %s, %v", b, err)
	}
	var old APIKey
	if err := json.Unmarshal([]byte(`{"hash":"h","role":"reporter","label":"l","created":"2026-01-01T00:00:00Z"}`), &old); err != nil || !old.Expires.IsZero() {
		t.Errorf("an old key reads as %+v, %v", old, err)
	}
}
