package open311

import "time"

// UploadSlot is a place a client was given to upload one large photo to, outside the body of a
// report (POST /media), and that a report names later by its id (media_id). A slot belongs to
// the API key that asked for it, in one jurisdiction, and is used by one request at most.
type UploadSlot struct {
	ID             string `json:"id"`
	JurisdictionID string `json:"jurisdiction_id"`
	// KeyID is the id (APIKey.ID) of the key that asked for the slot: no other key may use it.
	KeyID string `json:"key_id"`
	// ContentType is the type the photo is uploaded as (the form requires it).
	ContentType string    `json:"content_type"`
	Created     time.Time `json:"created"`
	// Expires is when the slot can no longer be named by a report.
	Expires time.Time `json:"expires"`
	// RequestID is the request that used the slot; empty while it is unused.
	RequestID string `json:"request_id,omitempty"`
}

// UploadSlotLifetime is how long a slot may be named by a report after it was handed out.
const UploadSlotLifetime = time.Hour

// UploadWindow is how long a client may upload to a slot after it was handed out.
const UploadWindow = 15 * time.Minute

// MaxUploadBytes is the largest photo a slot takes (20 MiB).
const MaxUploadBytes = 20 << 20
