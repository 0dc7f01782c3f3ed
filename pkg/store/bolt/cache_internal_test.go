package bolt

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// TestCloneRequest checks that cloneRequest copies every field of open311.Request and that the
// copy shares no memory with the original: changing what any of its maps, slices and pointers
// hold leaves the original as it was. A reference field added to Request fails the test until
// cloneRequest copies it.
func TestCloneRequest(t *testing.T) {
	var refs []string
	rt := reflect.TypeFor[open311.Request]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Chan, reflect.Func:
			refs = append(refs, f.Name)
		case reflect.Struct:
			if f.Type != reflect.TypeFor[time.Time]() && f.Type != reflect.TypeFor[open311.Reporter]() {
				refs = append(refs, f.Name+" (a struct cloneRequest does not know)")
			}
		}
	}
	if want := []string{"Point", "Areas", "Attributes", "Links", "Media", "ReporterSealed"}; !slices.Equal(refs, want) {
		t.Fatalf("open311.Request's reference fields are %q; cloneRequest copies %q: teach it the new ones", refs, want)
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[open311.Reporter]()) {
		if f.Type.Kind() != reflect.String {
			t.Fatalf("open311.Reporter has a field %s that is not a string: teach cloneRequest to copy it", f.Name)
		}
	}

	r := open311.Request{ID: "R1", JurisdictionID: "j", ServiceCode: "pothole", Point: &open311.Point{Lat: 1, Long: 2}, Areas: []string{"ward-1"},
		Attributes: map[string][]string{"size": {"large"}, "empty": {}}, Links: []open311.Link{{Kind: open311.RelatedTo, TargetID: "R2"}},
		Media:    []open311.Photo{{Name: "p.jpg", URL: "https://cdn.example.org/media/p.jpg"}},
		Reporter: open311.Reporter{Email: "a@example.net"}, ReporterSealed: []byte("f1sealed"), Requested: time.Unix(1, 0), Version: 3}
	before, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	c := cloneRequest(r)
	if !reflect.DeepEqual(c, r) {
		t.Fatalf("clone %+v differs from %+v", c, r)
	}
	c.Point.Lat = 9
	c.Attributes["size"][0] = "small"
	c.Attributes["new"] = []string{"x"}
	c.Links[0].TargetID = "R9"
	c.Areas[0] = "ward-9"
	c.Media[0].URL = ""
	c.Reporter.Email = "b@example.net"
	c.ReporterSealed[0] = 'x'
	if after, _ := json.Marshal(r); string(after) != string(before) {
		t.Errorf("changing the clone changed the original:\n%s\n%s", before, after)
	}
	if got := cloneRequest(open311.Request{}); got.Attributes != nil || got.Areas != nil || got.Links != nil || got.Media != nil || got.Point != nil || got.ReporterSealed != nil {
		t.Errorf("the clone of an empty request is %+v, want nil maps, slices and pointers kept nil", got)
	}
}

// TestRequestCacheIsBounded fills the cache past its bound across jurisdictions: it keeps at
// most requestCacheSize entries, and the entry just put is there.
func TestRequestCacheIsBounded(t *testing.T) {
	c := newRequestCache()
	for i := range requestCacheSize + 100 {
		j, id := []string{"a", "b", "c"}[i%3], fmt.Sprint(i)
		c.put(j, id, &cachedRequest{raw: []byte(id)})
		if c.entries[j][id] == nil {
			t.Fatalf("entry %s/%s is not there right after put", j, id)
		}
		c.put(j, id, &cachedRequest{raw: []byte(id)}) // replacing adds nothing
	}
	n := 0
	for _, byID := range c.entries {
		n += len(byID)
	}
	if n != requestCacheSize || c.size != n {
		t.Errorf("the cache holds %d entries (counts %d), want %d", n, c.size, requestCacheSize)
	}
}

// TestListingsFollowEveryWrite lists a request after each kind of write: a listing is served
// from the cache by the version in the time index, so each must show the request as last
// committed. A change rolled back (its function fails after editing the request) is never
// shown, not even once another change commits the version the rolled-back one would have had;
// a store written before the index held versions (empty values) is read and compared.
func TestListingsFollowEveryWrite(t *testing.T) {
	ctx := t.Context()
	s, err := Open(filepath.Join(t.TempDir(), "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	when := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r := open311.Request{ID: "REQ-1", JurisdictionID: "city.example.gov", ServiceCode: "pothole", Status: open311.Open,
		Requested: when, Updated: when, Version: 1}
	if err := s.CreateRequest(ctx, r, open311.Activity{ID: "REQ-1-created", RequestID: r.ID, JurisdictionID: r.JurisdictionID,
		At: when, Who: "reporter", Kind: "created", Status: r.Status}); err != nil {
		t.Fatal(err)
	}
	listed := func(want string) {
		t.Helper()
		for range 2 { // the first read may fill the cache, the second is served from it
			page, err := s.QueryRequests(ctx, store.Query{JurisdictionID: r.JurisdictionID, Limit: 10})
			if err != nil || len(page.Requests) != 1 || page.Requests[0].StatusNotes != want {
				t.Fatalf("listing: %+v, %v; want one request with status notes %q", page.Requests, err, want)
			}
		}
	}
	note := func(notes string, fail bool) error {
		_, err := store.UpdateRequest(ctx, s, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			r.StatusNotes = notes
			if fail {
				return nil, errors.New("the change fails")
			}
			return nil, nil
		})
		return err
	}
	listed("")
	if err := note("rolled back", true); err == nil {
		t.Fatal("a failing change: no error")
	}
	listed("")
	if err := note("first", false); err != nil {
		t.Fatal(err)
	}
	listed("first")
	if err := note("second", false); err != nil {
		t.Fatal(err)
	}
	listed("second")

	// The index as a store of the previous schema wrote it: empty values.
	if err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRequestsByTS).Bucket([]byte(r.JurisdictionID))
		return b.Put(requestTimeKey(r.Requested, r.ID), []byte{})
	}); err != nil {
		t.Fatal(err)
	}
	listed("second")
	if err := note("third", false); err != nil {
		t.Fatal(err)
	}
	listed("third")
}
