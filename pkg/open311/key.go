package open311

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// Role is what an API key may do.
type Role string

// The roles. Reporters create requests and comment; staff also move requests through their life.
const (
	RoleReporter Role = "reporter"
	RoleStaff    Role = "staff"
)

// APIKey is a stored API key. Only the SHA-256 of the secret is kept: keys are long random
// strings, so a fast hash is enough and the secret never rests in the store.
type APIKey struct {
	Hash           string    `json:"hash"` // hex SHA-256 of the secret
	Role           Role      `json:"role"`
	JurisdictionID string    `json:"jurisdiction_id,omitempty"` // empty: every jurisdiction
	Label          string    `json:"label"`                     // who holds it, for operators
	Created        time.Time `json:"created"`
	// Expires, when not zero, is the instant from which the key no longer works.
	Expires time.Time `json:"expires,omitzero"`
	Revoked bool      `json:"revoked,omitempty"`
	// LastUsed is the last day (UTC midnight) the key was used, recorded at most once a day
	// (store.Keys.TouchAPIKey); zero when it never was.
	LastUsed time.Time `json:"last_used,omitzero"`
}

// UsedDay is the day LastUsed records for a use at now: its UTC midnight.
func UsedDay(now time.Time) time.Time { return now.UTC().Truncate(24 * time.Hour) }

// ID names the key without revealing it: the first 12 hex digits of its hash, what activities
// record of the key that made them.
func (k APIKey) ID() string { return k.Hash[:min(12, len(k.Hash))] }

// HashKey returns the stored form of a key's secret.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Matches reports, in constant time, whether secret is this key's secret.
func (k APIKey) Matches(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(HashKey(secret)), []byte(k.Hash)) == 1
}

// Allows reports whether the key may act in the jurisdiction now: not revoked, not expired,
// and for that jurisdiction or every one. AllowsAt is the same at a given instant.
func (k APIKey) Allows(jurisdictionID string) bool { return k.AllowsAt(jurisdictionID, time.Now()) }

// AllowsAt reports whether the key may act in the jurisdiction at the instant now.
func (k APIKey) AllowsAt(jurisdictionID string, now time.Time) bool {
	return !k.Revoked && !k.ExpiredAt(now) && (k.JurisdictionID == "" || k.JurisdictionID == jurisdictionID)
}

// ExpiredAt reports whether the key has expired at the instant now.
func (k APIKey) ExpiredAt(now time.Time) bool { return !k.Expires.IsZero() && !now.Before(k.Expires) }

var idAlphabet = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewSecret returns a new random API key secret.
func NewSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return idAlphabet.EncodeToString(b)
}

// NewID returns a new random identifier of n characters (5 bits each) from an alphabet without
// look-alike letters, for request ids and tokens.
func NewID(n int) string {
	b := make([]byte, (n*5+7)/8)
	_, _ = rand.Read(b)
	return strings.ToUpper(idAlphabet.EncodeToString(b)[:n])
}
