package dynamo_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestSlotItem checks what the table holds of an upload slot: its item carries expires_at, the
// TTL attribute, a day after the slot expires (DynamoDB then deletes it, within days), and a
// report that uses it is one TransactWriteItems.
func TestSlotItem(t *testing.T) {
	t.Parallel()
	s, counter := openStore(t)
	ctx := context.Background()
	expires := time.Date(2026, 11, 2, 16, 4, 5, 0, time.UTC)
	slot := open311.UploadSlot{ID: "SLOTTTL", JurisdictionID: "city.example.org", KeyID: "0123456789ab", ContentType: "image/jpeg",
		Created: expires.Add(-time.Hour), Expires: expires}
	if err := s.PutSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	got, err := dynamo.SlotExpiresAt(ctx, s, slot.ID)
	if want := strconv.FormatInt(expires.Add(24*time.Hour).Unix(), 10); err != nil || got != want {
		t.Errorf("expires_at = %q, %v; want %s (a day after the slot expires)", got, err, want)
	}
	r := newRequest("r-slot", 1)
	r.JurisdictionID = slot.JurisdictionID
	counter.take()
	if err := s.CreateRequestWithSlots(ctx, r, created(r), []string{slot.ID}); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, "CreateRequestWithSlots", counter.take(), map[string]int{"TransactWriteItems": 1})
	used, err := s.Slot(ctx, slot.ID)
	if err != nil || used.RequestID != "r-slot" {
		t.Errorf("the used slot: %+v, %v", used, err)
	}
}
