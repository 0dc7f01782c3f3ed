package storetest

import (
	"sync"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// slot returns an unused upload slot of jurA.
func slot(id string) open311.UploadSlot {
	return open311.UploadSlot{ID: id, JurisdictionID: jurA, KeyID: "0123456789ab", ContentType: "image/png", Created: at(0), Expires: at(60)}
}

// testSlots: a slot round-trips; its id is taken once; an unknown one is NotFound.
func testSlots(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := slot("SLOTA")
	must(t, s.PutSlot(ctx, a), "PutSlot")
	got, err := s.Slot(ctx, a.ID)
	must(t, err, "Slot")
	same(t, "the slot read back", got, a)
	b := slot("SLOTA")
	b.KeyID = "another-key"
	wantKind(t, s.PutSlot(ctx, b), open311.Conflict, "PutSlot of a taken id")
	got, _ = s.Slot(ctx, a.ID)
	same(t, "the slot after a refused PutSlot of its id", got, a)
	_, err = s.Slot(ctx, "NOSUCHSLOT")
	wantKind(t, err, open311.NotFound, "Slot of an unknown id")
	_, err = s.Slot(ctx, "")
	wantKind(t, err, open311.NotFound, "Slot of the empty id")
}

// testCreateRequestWithSlots: the request and the slots' use are one write; a slot used, or
// unknown, fails the whole write and uses nothing.
func testCreateRequestWithSlots(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"S1", "S2", "S3"} {
		must(t, s.PutSlot(ctx, slot(id)), "PutSlot "+id)
	}
	r := minimalRequest("r1", at(1))
	must(t, s.CreateRequestWithSlots(ctx, r, createdActivity(r), []string{"S1", "S2"}), "CreateRequestWithSlots")
	wantRequest(t, s, "the request that used two slots", r)
	for _, id := range []string{"S1", "S2"} {
		got, err := s.Slot(ctx, id)
		must(t, err, "Slot "+id)
		want := slot(id)
		want.RequestID = "r1"
		same(t, "slot "+id+" after its use", got, want)
	}

	for _, tt := range []struct {
		name  string
		slots []string
	}{
		{"a used slot", []string{"S3", "S1"}},
		{"an unknown slot", []string{"S3", "NOSUCH"}},
	} {
		r2 := minimalRequest("r2", at(2))
		wantKind(t, s.CreateRequestWithSlots(ctx, r2, createdActivity(r2), tt.slots), open311.Conflict, "CreateRequestWithSlots with "+tt.name)
		_, err := s.Request(ctx, jurA, "r2")
		wantKind(t, err, open311.NotFound, "the request refused for "+tt.name)
		got, _ := s.Slot(ctx, "S3")
		same(t, "the other slot of a write refused for "+tt.name, got, slot("S3"))
	}
	// A request id that is taken uses no slot either.
	wantKind(t, s.CreateRequestWithSlots(ctx, r, createdActivity(r), []string{"S3"}), open311.Conflict, "CreateRequestWithSlots of a taken request id")
	got, _ := s.Slot(ctx, "S3")
	same(t, "the slot of a request refused for its id", got, slot("S3"))
}

// testSlotsConcurrent: of many reports naming the same slot at once, exactly one is stored.
func testSlotsConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.PutSlot(ctx, slot("ONCE")), "PutSlot")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := minimalRequest(string(rune('a'+i)), at(i))
			errs[i] = s.CreateRequestWithSlots(ctx, r, createdActivity(r), []string{"ONCE"})
		}()
	}
	wg.Wait()
	stored := 0
	for i, err := range errs {
		if err == nil {
			stored++
			continue
		}
		wantKind(t, err, open311.Conflict, "a concurrent report of the used slot")
		_, rerr := s.Request(ctx, jurA, string(rune('a'+i)))
		wantKind(t, rerr, open311.NotFound, "a refused concurrent report")
	}
	if stored != 1 {
		t.Errorf("%d reports naming one slot were stored, want 1", stored)
	}
}
