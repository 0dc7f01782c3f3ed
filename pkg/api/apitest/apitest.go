// Package apitest holds what tests of the API share across runtimes: a fixed world (catalog,
// requests, keys, clock and id sequence), the golden cases that exercise every operation in both
// formats, and the way a response is recorded for comparison with its golden file. The handler
// tests in pkg/api and the Lambda end-to-end tests send the same cases and expect the same bytes.
package apitest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
)

// Now is the fixed time of the test world.
var Now = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

// Keys of the test world.
const (
	ReporterKey = "test-reporter-key"
	StaffKey    = "test-staff-key"
	RevokedKey  = "test-revoked-key"
	OtherKey    = "test-other-city-key" // valid, but for another jurisdiction
	// NosyKey is a second reporter's key, of one who learns the ids other clients chose.
	NosyKey = "test-nosy-reporter-key"
	// OtherStaffKey is a staff key of the other jurisdiction: it sees nothing of this one.
	OtherStaffKey = "test-other-staff-key"
)

// Jurisdiction is the id of the demo catalog's jurisdiction.
const Jurisdiction = "city.example.org"

// CatalogFile is the path of the demo catalog.
func CatalogFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "infra", "catalog", "demo.json")
}

// Seq returns a generator of ids prefix0001, prefix0002, ... safe for concurrent use.
func Seq(prefix string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("%s%04d", prefix, n)
	}
}

// seeded are the requests of the test world: age before Now, submission, and how staff left it.
var seeded = []struct {
	id, token string
	age       time.Duration
	sub       open311.Submission
	status    open311.Status
	notes     string
}{
	{"100001", "", 100 * 24 * time.Hour, open311.Submission{ServiceCode: "pothole", Lat: "40.7", Long: "-74",
		Attributes: map[string][]string{"size": {"small"}}, Description: "Old pothole, outside the default window."}, open311.Closed, "Filled."},
	{"100002", "", 30 * 24 * time.Hour, open311.Submission{ServiceCode: "pothole", Lat: "40.71455", Long: "-74.00712",
		AddressString: "Broadway & Chambers St", Description: "Deep pothole in the right lane.",
		Attributes: map[string][]string{"size": {"large"}, "depth_cm": {"12"}}, MediaURL: "https://photos.example.org/p/1.jpg",
		Reporter: open311.Reporter{Email: "ada@example.net", FirstName: "Ada", LastName: "Lovelace", Phone: "555-0101"}},
		open311.Closed, "Filled by the asphalt crew."},
	{"100003", "", 3 * 24 * time.Hour, open311.Submission{ServiceCode: "streetlight", Lat: "40.71302", Long: "-74.00458",
		Description: "Two lights out <on> the \"east\" side & dark.", Zipcode: "10007",
		Attributes: map[string][]string{"pole_number": {"P-10442"}, "problem": {"out", "flickering"}},
		Reporter:   open311.Reporter{DeviceID: "device-42", AccountID: "acct-7"}}, open311.InProgress, "Crew scheduled."},
	{"100004", "", 5 * time.Hour, open311.Submission{ServiceCode: "graffiti", AddressString: "City Hall Park, north bench",
		AddressID: "CH-000101", Attributes: map[string][]string{"surface": {"bench"}}}, open311.Open, ""},
	{"100005", "TOKEN-PENDING", 2 * time.Hour, open311.Submission{ServiceCode: "bulk-pickup", AddressString: "12 Elm St",
		Attributes: map[string][]string{"items": {"sofa"}}}, open311.Submitted, ""},
	{"100006", "TOKEN-ACCEPTED", 26 * time.Hour, open311.Submission{ServiceCode: "bulk-pickup", AddressString: "14 Elm St",
		Attributes: map[string][]string{"items": {"fridge", "mattress"}}}, open311.Open, "Pickup on Thursday."},
	{"100007", "", time.Hour, open311.Submission{ServiceCode: "code-concern", AddressString: "3 Oak St",
		Description: "Private report.", Reporter: open311.Reporter{Email: "secret@example.net"}}, open311.Open, ""},
}

// Seed fills an empty store with the test world: the demo catalog (changeset one day before
// Now), keys, and the seeded requests with their activities.
func Seed(ctx context.Context, st store.Store) error {
	f, err := catalog.ReadFile(CatalogFile())
	if err != nil {
		return err
	}
	// The golden world is the demo city in its default language: its answers are those of a
	// catalog without translations (the translated ones: pkg/api's TestGoldenLocales).
	f = f.WithoutTranslations()
	if _, err := catalog.Load(ctx, st, f, Now.Add(-24*time.Hour)); err != nil {
		return err
	}
	other := open311.Jurisdiction{ID: "town.example.net", Name: "Other Town", TimeZone: "Europe/Paris",
		Changeset: Now.Add(-48 * time.Hour), URL: "https://open311.town.example.net/v2",
		Boundary: &open311.Boundary{Type: "Polygon", Coordinates: []byte(`[[[2.25,48.81],[2.42,48.81],[2.42,48.91],[2.25,48.91],[2.25,48.81]]]`)}}
	if err := st.PutJurisdiction(ctx, other); err != nil {
		return err
	}
	for _, k := range []open311.APIKey{
		{Hash: open311.HashKey(ReporterKey), Role: open311.RoleReporter, Label: "test reporter", Created: Now},
		{Hash: open311.HashKey(StaffKey), Role: open311.RoleStaff, Label: "Public Works dispatch", Created: Now},
		{Hash: open311.HashKey(RevokedKey), Role: open311.RoleReporter, Label: "revoked", Created: Now, Revoked: true},
		{Hash: open311.HashKey(OtherKey), Role: open311.RoleReporter, JurisdictionID: other.ID, Label: "other", Created: Now},
		{Hash: open311.HashKey(NosyKey), Role: open311.RoleReporter, Label: "nosy reporter", Created: Now},
		{Hash: open311.HashKey(OtherStaffKey), Role: open311.RoleStaff, JurisdictionID: other.ID, Label: "other staff", Created: Now},
	} {
		if err := st.PutAPIKey(ctx, k); err != nil {
			return err
		}
	}
	j := f.Jurisdictions[0]
	services := map[string]open311.Service{}
	for _, s := range j.Services {
		services[s.Code] = s
	}
	for _, d := range seeded {
		at := Now.Add(-d.age)
		r, err := open311.NewRequest(j.Jurisdiction, services[d.sub.ServiceCode], d.sub, at)
		if err != nil {
			return fmt.Errorf("seed %s: %w", d.id, err)
		}
		r.ID, r.Token = d.id, d.token
		if err := desk.SealReporter(ctx, SealKey, &r); err != nil {
			return fmt.Errorf("seed %s: %w", d.id, err)
		}
		if err := st.CreateRequest(ctx, r, open311.Activity{ID: r.ID + "-1", RequestID: r.ID, JurisdictionID: j.ID,
			At: r.Requested, Who: "reporter", Kind: open311.KindCreated, Status: r.Status, Summary: "Reported to " + r.ServiceName + "."}); err != nil {
			return fmt.Errorf("seed %s: %w", d.id, err)
		}
		if d.status == r.Status {
			continue
		}
		_, err = store.UpdateRequest(ctx, st, j.ID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			summary := "Status: " + string(r.Status) + " → " + string(d.status) + "."
			r.Status, r.StatusNotes, r.AgencyResponsible = d.status, d.notes, "Public Works"
			r.Updated = at.Add(d.age / 2)
			if d.status == open311.InProgress {
				r.Expected = Now.Add(48 * time.Hour)
			}
			return []open311.Activity{{ID: r.ID + "-2", RequestID: r.ID, JurisdictionID: j.ID, At: r.Updated,
				Who: "Public Works", Kind: open311.KindStatus, Status: d.status, Summary: summary,
				Description: d.notes}}, nil
		})
		if err != nil {
			return fmt.Errorf("seed %s: %w", d.id, err)
		}
	}
	return nil
}

// SealKey is the key the test world's reporters are sealed with (as the desk seals them).
var SealKey = seal.NewKey()

// Case is one HTTP exchange of the golden suite.
type Case struct {
	Name        string            // golden file name (testdata/golden/Name.txt)
	Method      string            // GET when empty
	Path        string            // path and query
	ContentType string            // of Body
	Body        string            // request body
	Header      map[string]string // extra request headers
	// ID is the id the request a case creates is given, and Token the token of a batch
	// request: the test world's id and token makers hand them out in the order of the cases
	// (see IDs), so that a case added in the middle changes no other case's ids.
	ID, Token string
}

// IDs returns the ids of the requests the cases create, and the tokens of the batch requests
// among them, in the order of the cases: what the test world's NewID and NewToken give out.
func IDs() (ids, tokens []string) {
	for _, c := range Cases {
		if c.ID != "" {
			ids = append(ids, c.ID)
		}
		if c.Token != "" {
			tokens = append(tokens, c.Token)
		}
	}
	return ids, tokens
}

// List returns a maker of ids that hands out the given ones in order, then ids that no case
// expects ("unexpected-1", ...), safe for concurrent use.
func List(ids []string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n <= len(ids) {
			return ids[n-1]
		}
		return fmt.Sprintf("unexpected-%d", n-len(ids))
	}
}

// Request builds the HTTP request of a case against a base URL ("" for httptest).
func (c Case) Request(base string) (*http.Request, error) {
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	var body *strings.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequest(method, base+"/", body)
	} else {
		r, err = http.NewRequest(method, base+"/", nil)
	}
	if err != nil {
		return nil, err
	}
	// The path as a client's request line carries it: "//services.json" is a path, not a host.
	path, query, _ := strings.Cut(c.Path, "?")
	r.URL.RawQuery = query
	if r.URL.Path, err = url.PathUnescape(path); err != nil {
		return nil, err
	}
	r.URL.RawPath = path
	if c.ContentType != "" {
		r.Header.Set("Content-Type", c.ContentType)
	}
	for k, v := range c.Header {
		r.Header.Set(k, v)
	}
	return r, nil
}
