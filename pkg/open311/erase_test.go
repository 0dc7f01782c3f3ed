package open311

import (
	"reflect"
	"testing"
	"time"
)

// TestClosedAt checks that a request records when it closed: closing or rejecting sets Closed,
// a reopening clears it, and a request closed before Closed existed counts from its last update.
func TestClosedAt(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := func(s Status) *Status { return &s }
	r := Request{ID: "A", Status: Open, Requested: t0, Updated: t0, Version: 1}
	if _, closed := r.ClosedAt(); closed {
		t.Fatal("an open request counts as closed")
	}
	steps := []struct {
		to         Status
		at         time.Time
		wantClosed time.Time
	}{
		{Closed, t0.Add(time.Hour), t0.Add(time.Hour)},
		{Open, t0.Add(2 * time.Hour), time.Time{}},
		{Rejected, t0.Add(3 * time.Hour), t0.Add(3 * time.Hour)},
	}
	for _, s := range steps {
		if _, err := (Change{Status: st(s.to)}).Apply(&r, nil, "staff", s.at); err != nil {
			t.Fatalf("to %s: %v", s.to, err)
		}
		if !r.Closed.Equal(s.wantClosed) {
			t.Errorf("after %s at %s: Closed = %s, want %s", s.to, s.at, r.Closed, s.wantClosed)
		}
	}
	// A comment on a closed request moves Updated, not Closed.
	if _, err := (Change{Comment: "Thanks."}).Apply(&r, nil, "reporter", t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if at, closed := r.ClosedAt(); !closed || !at.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("ClosedAt after a comment = %s, %t; want %s, true", at, closed, t0.Add(3*time.Hour))
	}
	old := Request{Status: Closed, Updated: t0}
	if at, closed := old.ClosedAt(); !closed || !at.Equal(t0) {
		t.Errorf("ClosedAt of a request closed before Closed was kept = %s, %t; want its Updated", at, closed)
	}
}

// TestErase checks that an erasure clears every personal field and nothing else, and that its
// activity names no value and is not shown.
func TestErase(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := Request{ID: "A", JurisdictionID: "j", Status: Closed, Updated: t0, Version: 4, Description: "Pothole",
		Reporter:       Reporter{Email: "a@example.org", Phone: "555", FirstName: "Ana", LastName: "Lee", DeviceID: "d", AccountID: "acc"},
		ReporterSealed: []byte("f1sealed")}
	a := Erase(&r, "operator", ErasedOnRequest, t0.Add(time.Hour))
	if r.HoldsReporter() || r.ReporterSealed != nil {
		t.Errorf("after Erase the request still holds its reporter: %+v", r)
	}
	if !r.Updated.Equal(t0) || r.Description != "Pothole" || r.Status != Closed || r.Version != 4 {
		t.Errorf("Erase changed more than the reporter: %+v", r)
	}
	want := Activity{ID: "A-5", RequestID: "A", JurisdictionID: "j", At: t0.Add(time.Hour), Who: "operator",
		Kind: KindErasure, Summary: ErasedOnRequest, Status: Closed}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("activity = %+v, want %+v", a, want)
	}
	if a.Shown() {
		t.Error("an erasure activity is shown")
	}
	if !(Activity{Kind: KindComment}).Shown() {
		t.Error("a comment is not shown")
	}
}
