package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

func testJurisdictions(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.Jurisdictions(ctx)
	must(t, err, "Jurisdictions of an empty store")
	if len(got) != 0 {
		t.Errorf("Jurisdictions of an empty store: got %s, want none", show(got))
	}
	_, err = s.Jurisdiction(ctx, jurA)
	wantKind(t, err, open311.NotFound, "Jurisdiction of an empty store")

	town := open311.Jurisdiction{
		ID: "town.example.org", Name: "Town", TimeZone: "Europe/Berlin",
		Contact: "api@town.example.org", KeyService: "https://town.example.org/keys",
		Changeset: time.Date(2024, 2, 3, 4, 5, 6, 789, time.FixedZone("CET", 3600)),
	}
	city := open311.Jurisdiction{
		ID: jurA, Name: "City", TimeZone: "America/New_York",
		Contact: "311@city.example.gov", KeyService: "Ask the city's 311 office",
		Changeset: base,
		AddressScheme: &open311.AddressScheme{
			Name: "parcel id", Description: "the assessor's parcel number", Pattern: `[0-9]{4}-[A-Z]{2}`,
		},
	}
	county := open311.Jurisdiction{ID: jurB, Name: "County"}
	longer := open311.Jurisdiction{ID: jurLonger, Name: "City, Australia", TimeZone: "Australia/Sydney"}
	for _, j := range []open311.Jurisdiction{town, city, longer, county} {
		must(t, s.PutJurisdiction(ctx, j), "PutJurisdiction "+j.ID)
	}

	got, err = s.Jurisdictions(ctx)
	must(t, err, "Jurisdictions")
	same(t, "Jurisdictions (ordered by id)", got, []open311.Jurisdiction{city, longer, county, town})
	for _, j := range []open311.Jurisdiction{town, city, longer, county} {
		g, err := s.Jurisdiction(ctx, j.ID)
		must(t, err, "Jurisdiction "+j.ID)
		same(t, "Jurisdiction "+j.ID, g, j)
	}
	_, err = s.Jurisdiction(ctx, "city.example")
	wantKind(t, err, open311.NotFound, "Jurisdiction of a prefix of an existing id")

	// A put replaces the whole item: the address scheme goes away.
	city.Name, city.AddressScheme, city.Changeset = "City of Example", nil, at(90)
	must(t, s.PutJurisdiction(ctx, city), "PutJurisdiction (replace)")
	g, err := s.Jurisdiction(ctx, jurA)
	must(t, err, "Jurisdiction after replace")
	same(t, "Jurisdiction after replace", g, city)
	got, err = s.Jurisdictions(ctx)
	must(t, err, "Jurisdictions after replace")
	same(t, "Jurisdictions after replace", got, []open311.Jurisdiction{city, longer, county, town})
}

// catalogServices returns services of jurA whose codes need care in keys, in no particular order.
func catalogServices() []open311.Service {
	pothole := open311.Service{
		JurisdictionID: jurA, Code: "pot hole", Name: "Pothole", Description: "A hole in the road.",
		Type: open311.Realtime, Keywords: []string{"road", "hole", "street"}, Group: "Streets",
		Attributes: []open311.Attribute{
			{Variable: false, Code: "NOTE", Datatype: open311.Text, Order: 3,
				Description: "Call 911 if anyone is hurt."},
			{Variable: true, Code: "WHERE", Datatype: open311.SingleValueList, Required: true, Order: 1,
				Description: "Where in the road?", DatatypeDescription: "pick one",
				Values: []open311.AttributeValue{{Key: "middle", Name: "Middle of the lane"},
					{Key: "edge", Name: "Edge"}, {Key: "bike", Name: "Bike lane"}}},
			{Variable: true, Code: "DEPTH", Datatype: open311.Number, Order: 2,
				Description: "Depth in cm", DatatypeDescription: "a whole number"},
			{Variable: true, Code: "HAZARD", Datatype: open311.MultiValueList, Order: 4,
				Description: "What is in it?",
				Values: []open311.AttributeValue{{Key: "water", Name: "Water"},
					{Key: "glass", Name: "Glass"}, {Key: "an oil", Name: "Öl & Benzin"}}},
		},
	}
	svc := func(code, name string, typ open311.ServiceType) open311.Service {
		return open311.Service{JurisdictionID: jurA, Code: code, Name: name, Type: typ, Group: "Misc"}
	}
	return []open311.Service{
		svc("streetlight:out", "Street light out", open311.Realtime),
		pothole,
		svc("signs/damaged", "Damaged sign", open311.Batch),
		svc("v2.trash", "Trash", open311.Realtime),
		svc("Straßenlaterne", "Straßenlaterne defekt", open311.Realtime),
		svc("道路の穴", "道路の穴", open311.Realtime),
		svc("a#b", "Hash in the code", open311.Blackbox),
		svc("100%", "Percent", open311.Realtime),
		svc("pot", "Prefix of another code", open311.Realtime),
		svc("Z", "Capital Z", open311.Realtime),
	}
}

func testServices(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{jurA, jurB, jurLonger} {
		must(t, s.PutJurisdiction(ctx, open311.Jurisdiction{ID: id, Name: id}), "PutJurisdiction "+id)
	}
	got, err := s.Services(ctx, jurA)
	must(t, err, "Services of a jurisdiction without services")
	if len(got) != 0 {
		t.Errorf("Services of a jurisdiction without services: got %s, want none", show(got))
	}
	got, err = s.Services(ctx, "nowhere.example")
	must(t, err, "Services of an unknown jurisdiction")
	if len(got) != 0 {
		t.Errorf("Services of an unknown jurisdiction: got %s, want none", show(got))
	}

	services := catalogServices()
	for _, svc := range services {
		must(t, s.PutService(ctx, svc), "PutService "+svc.Code)
	}
	// The same code elsewhere is another service; a jurisdiction whose id extends jurA's is
	// another jurisdiction.
	inB := open311.Service{JurisdictionID: jurB, Code: "pot hole", Name: "County pothole", Type: open311.Batch}
	inLonger := open311.Service{JurisdictionID: jurLonger, Code: "koala", Name: "Koala on the road", Type: open311.Realtime}
	must(t, s.PutService(ctx, inB), "PutService in jurB")
	must(t, s.PutService(ctx, inLonger), "PutService in jurLonger")

	want := slices.Clone(services)
	slices.SortFunc(want, func(a, b open311.Service) int { return strings.Compare(a.Code, b.Code) })
	got, err = s.Services(ctx, jurA)
	must(t, err, "Services")
	same(t, "Services (ordered by code, only jurA's)", got, want)
	for _, svc := range services {
		g, err := s.Service(ctx, jurA, svc.Code)
		must(t, err, "Service "+svc.Code)
		same(t, "Service "+svc.Code, g, svc)
	}
	got, err = s.Services(ctx, jurB)
	must(t, err, "Services of jurB")
	same(t, "Services of jurB", got, []open311.Service{inB})
	got, err = s.Services(ctx, jurLonger)
	must(t, err, "Services of jurLonger")
	same(t, "Services of jurLonger", got, []open311.Service{inLonger})

	for _, c := range []struct{ what, jur, code string }{
		{"unknown code", jurA, "missing"},
		{"prefix of a code", jurA, "pot h"},
		{"code of another jurisdiction", jurA, "koala"},
		{"unknown jurisdiction", "nowhere.example", "pot hole"},
	} {
		_, err := s.Service(ctx, c.jur, c.code)
		wantKind(t, err, open311.NotFound, "Service of "+c.what)
	}

	// A put replaces the whole service, attributes included.
	replaced := services[1]
	replaced.Name = "Pothole (new form)"
	replaced.Keywords = nil
	replaced.Attributes = []open311.Attribute{{Variable: true, Code: "SIZE", Datatype: open311.String, Order: 1, Description: "How big?"}}
	must(t, s.PutService(ctx, replaced), "PutService (replace)")
	g, err := s.Service(ctx, jurA, replaced.Code)
	must(t, err, "Service after replace")
	same(t, "Service after replace", g, replaced)
	got, err = s.Services(ctx, jurA)
	must(t, err, "Services after replace")
	if len(got) != len(services) {
		t.Errorf("Services after replace: got %d services, want %d", len(got), len(services))
	}

	for _, code := range []string{"a#b", "pot hole"} {
		must(t, s.DeleteService(ctx, jurA, code), "DeleteService "+code)
		_, err = s.Service(ctx, jurA, code)
		wantKind(t, err, open311.NotFound, "Service after DeleteService "+code)
	}
	want = slices.DeleteFunc(want, func(svc open311.Service) bool { return svc.Code == "a#b" || svc.Code == "pot hole" })
	got, err = s.Services(ctx, jurA)
	must(t, err, "Services after DeleteService")
	same(t, "Services after DeleteService", got, want)
	g, err = s.Service(ctx, jurB, "pot hole")
	must(t, err, "Service of jurB after deleting jurA's service of the same code")
	same(t, "Service of jurB after deleting jurA's service of the same code", g, inB)
	wantKind(t, s.DeleteService(ctx, jurA, "pot hole"), open311.NotFound, "DeleteService of a deleted service")
	wantKind(t, s.DeleteService(ctx, jurA, "never there"), open311.NotFound, "DeleteService of an unknown service")
}

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.APIKey(ctx, open311.HashKey("no such secret"))
	wantKind(t, err, open311.NotFound, "APIKey of an empty store")

	staff := open311.APIKey{Hash: open311.HashKey("secret-one"), Role: open311.RoleStaff,
		JurisdictionID: jurA, Label: "Public Works", Created: time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("PST", -8*3600))}
	app := open311.APIKey{Hash: open311.HashKey("secret-two"), Role: open311.RoleReporter,
		Label: "Fix-it app (all jurisdictions)", Created: at(60)}
	for _, k := range []open311.APIKey{staff, app} {
		must(t, s.PutAPIKey(ctx, k), "PutAPIKey "+k.Label)
	}
	for _, k := range []open311.APIKey{staff, app} {
		got, err := s.APIKey(ctx, k.Hash)
		must(t, err, "APIKey "+k.Label)
		same(t, "APIKey "+k.Label, got, k)
	}
	_, err = s.APIKey(ctx, open311.HashKey("secret-three"))
	wantKind(t, err, open311.NotFound, "APIKey of an unknown hash")
	_, err = s.APIKey(ctx, staff.Hash[:32])
	wantKind(t, err, open311.NotFound, "APIKey of a prefix of a hash")

	staff.Revoked = true
	must(t, s.PutAPIKey(ctx, staff), "PutAPIKey (revoke)")
	got, err := s.APIKey(ctx, staff.Hash)
	must(t, err, "APIKey after revoking")
	if !got.Revoked {
		t.Errorf("APIKey after revoking: Revoked is false, want true")
	}
	same(t, "APIKey after revoking", got, staff)

	staff.Revoked = false
	must(t, s.PutAPIKey(ctx, staff), "PutAPIKey (reinstate)")
	got, err = s.APIKey(ctx, staff.Hash)
	must(t, err, "APIKey after reinstating")
	same(t, "APIKey after reinstating", got, staff)
	got, err = s.APIKey(ctx, app.Hash)
	must(t, err, "APIKey of the other key")
	same(t, "APIKey of the other key", got, app)

	// The list: every key, revoked ones too, oldest first, ties by hash, as last put.
	twin := app
	twin.Hash, twin.Label = open311.HashKey("secret-four"), "Twin of the app, same instant"
	must(t, s.PutAPIKey(ctx, twin), "PutAPIKey twin")
	app.Revoked = true
	must(t, s.PutAPIKey(ctx, app), "PutAPIKey (revoke the app)")
	keys, err := s.APIKeys(ctx)
	must(t, err, "APIKeys")
	want := []open311.APIKey{staff, app, twin}
	if twin.Hash < app.Hash {
		want = []open311.APIKey{staff, twin, app}
	}
	same(t, "APIKeys", keys, want)

	// Last used: set to the day given, never moved back, nothing else of the key changed, kept
	// by the list, and kept when the key is put again (revoked) as read.
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	must(t, s.TouchAPIKey(ctx, staff.Hash, day), "TouchAPIKey")
	must(t, s.TouchAPIKey(ctx, staff.Hash, day.AddDate(0, 0, -3)), "TouchAPIKey of an earlier day")
	must(t, s.TouchAPIKey(ctx, open311.HashKey("never stored"), day), "TouchAPIKey of an unknown hash")
	got, err = s.APIKey(ctx, staff.Hash)
	must(t, err, "APIKey after TouchAPIKey")
	staff.LastUsed = day
	same(t, "APIKey after TouchAPIKey", got, staff)
	_, err = s.APIKey(ctx, open311.HashKey("never stored"))
	wantKind(t, err, open311.NotFound, "APIKey of the unknown hash touched")
	must(t, s.TouchAPIKey(ctx, staff.Hash, day.AddDate(0, 0, 1)), "TouchAPIKey of the next day")
	staff.LastUsed = day.AddDate(0, 0, 1)
	keys, err = s.APIKeys(ctx)
	must(t, err, "APIKeys after TouchAPIKey")
	if len(keys) != 3 {
		t.Fatalf("APIKeys after TouchAPIKey: %d keys", len(keys))
	}
	same(t, "APIKeys after TouchAPIKey: the key used", keys[0], staff)
	got.Revoked = true
	got.LastUsed = staff.LastUsed
	must(t, s.PutAPIKey(ctx, got), "PutAPIKey (revoke the key used)")
	got2, err := s.APIKey(ctx, staff.Hash)
	must(t, err, "APIKey after revoking the key used")
	same(t, "APIKey after revoking the key used", got2, got)
}
