package open311

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{Submitted, Open, true}, {Submitted, Rejected, true}, {Submitted, Closed, false},
		{Open, Assigned, true}, {Open, InProgress, true}, {Open, Submitted, false},
		{Assigned, Closed, true}, {InProgress, Closed, true}, {InProgress, Open, false},
		{MoreInfo, InProgress, true}, {Closed, Open, true}, {Closed, InProgress, false},
		{Rejected, Open, true}, {Rejected, Closed, false}, {Open, Open, false},
	} {
		if got := CanMove(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanMove(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
	for _, s := range Statuses {
		want := "open"
		if s == Closed || s == Rejected {
			want = "closed"
		}
		if got := s.GeoReport(); got != want {
			t.Errorf("%s.GeoReport() = %s, want %s", s, got, want)
		}
		for _, n := range s.Next() {
			if !n.Valid() {
				t.Errorf("%s moves to unknown status %s", s, n)
			}
		}
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2010-05-24T14:03:11Z":           "2010-05-24T14:03:11Z",
		"2010-05-24T14:03:11.5-05:00":    "2010-05-24T19:03:11Z",
		" 2010-05-24T14:03:11+02:00 ":    "2010-05-24T12:03:11Z",
		"2010-05-24T14:03:11.123456789Z": "2010-05-24T14:03:11Z",
	} {
		got, err := ParseTime(in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", in, err)
			continue
		}
		if s := FormatTime(got, time.UTC); s != want {
			t.Errorf("ParseTime(%q) = %s, want %s", in, s, want)
		}
	}
	for _, in := range []string{"2010-05-24T14:03:11", "2010-05-24", "yesterday", "", "2010-05-24 14:03:11Z"} {
		if _, err := ParseTime(in); !IsKind(err, Invalid) {
			t.Errorf("ParseTime(%q) = %v, want an Invalid error", in, err)
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	if got := FormatTime(time.Date(2026, 7, 1, 12, 0, 0, 900, time.UTC), ny); got != "2026-07-01T08:00:00-04:00" {
		t.Errorf("FormatTime in New York = %s", got)
	}
}

func testService() Service {
	return Service{Code: "svc", Name: "Svc", Type: Realtime, Attributes: []Attribute{
		{Variable: false, Code: "note", Datatype: Text, Order: 1},
		{Variable: true, Code: "kind", Datatype: SingleValueList, Required: true, Order: 2, Values: []AttributeValue{{"a", "A"}, {"b", "B"}}},
		{Variable: true, Code: "many", Datatype: MultiValueList, Order: 3, Values: []AttributeValue{{"x", "X"}, {"y", "Y"}}},
		{Variable: true, Code: "n", Datatype: Number, Order: 4},
		{Variable: true, Code: "when", Datatype: DateTime, Order: 5},
		{Variable: true, Code: "s", Datatype: String, Order: 6},
	}}
}

func TestNewRequest(t *testing.T) {
	j := Jurisdiction{ID: "j", AddressScheme: &AddressScheme{Name: "parcel", Pattern: "[0-9]{3}"}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	sub := Submission{ServiceCode: "svc", Lat: "45.5", Long: "-122.25", AddressID: "123", Description: "  hi  ",
		Attributes: map[string][]string{"kind": {"a"}, "many": {"y", "x", "y"}, "n": {"-1.5e3"}, "when": {"2026-01-01T10:00:00+01:00"}},
		Reporter:   Reporter{Email: "a@b.c"}}
	r, err := NewRequest(j, testService(), sub, now)
	if err != nil {
		t.Fatal(err)
	}
	tokens := 0
	newToken := func() string { tokens++; return "TOK" }
	r.Identify("ID1", newToken)
	if tokens != 0 {
		t.Errorf("a realtime request was given a token")
	}
	want := Request{ID: "ID1", JurisdictionID: "j", ServiceCode: "svc", ServiceName: "Svc", Status: Open,
		Description: "hi", Requested: now.Truncate(time.Second), Updated: now.Truncate(time.Second),
		Point: &Point{45.5, -122.25}, AddressID: "123", Reporter: Reporter{Email: "a@b.c"}, Version: 1,
		Attributes: map[string][]string{"kind": {"a"}, "many": {"y", "x"}, "n": {"-1.5e3"}, "when": {"2026-01-01T09:00:00Z"}}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
	batch := testService()
	batch.Type = Batch
	r, err = NewRequest(j, batch, sub, now)
	r.Identify("ID2", newToken)
	if err != nil || r.Status != Submitted || r.Token != "TOK" || r.Public() {
		t.Errorf("batch request: status %s token %q public %v err %v", r.Status, r.Token, r.Public(), err)
	}
}

func TestNewRequestProblems(t *testing.T) {
	j := Jurisdiction{ID: "j", AddressScheme: &AddressScheme{Name: "parcel", Pattern: "[0-9]{3}"}}
	ok := map[string][]string{"kind": {"a"}}
	for _, tc := range []struct {
		name string
		sub  Submission
		says []string
	}{
		{"no location", Submission{Attributes: ok}, []string{"a location is required"}},
		{"half point", Submission{Lat: "1", Attributes: ok}, []string{"together"}},
		{"lat range", Submission{Lat: "-90.5", Long: "0", Attributes: ok}, []string{"between -90 and 90"}},
		{"long range", Submission{Lat: "0", Long: "180.1", Attributes: ok}, []string{"between -180 and 180"}},
		{"not numbers", Submission{Lat: "NaN", Long: "Inf", Attributes: ok}, []string{"latitude", "longitude"}},
		{"address id", Submission{AddressID: "12a", Attributes: ok}, []string{`"12a" is not a parcel`}},
		{"required", Submission{AddressString: "x"}, []string{`"kind"`}},
		{"not in list", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"c"}}}, []string{`"c" is not one of`}},
		{"two values", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a", "b"}}}, []string{"one value"}},
		{"multi not in list", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "many": {"x", "z"}}}, []string{`"z"`}},
		{"number", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "n": {"12abc"}}}, []string{"number"}},
		{"datetime", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "when": {"2026-01-01T10:00:00"}}}, []string{"time zone"}},
		{"unknown attribute", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "zz": {"1"}}}, []string{`"zz" is not part`}},
		{"informational", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "note": {"1"}}}, []string{"informational"}},
		{"long description", Submission{AddressString: "x", Attributes: ok, Description: strings.Repeat("é", 4001)}, []string{"4001 characters"}},
		{"long string", Submission{AddressString: "x", Attributes: map[string][]string{"kind": {"a"}, "s": {strings.Repeat("s", 1001)}}}, []string{"too long"}},
		{"media url", Submission{AddressString: "x", Attributes: ok, MediaURL: "javascript:alert(1)"}, []string{"media_url"}},
		{"email", Submission{AddressString: "x", Attributes: ok, Reporter: Reporter{Email: "nobody"}}, []string{"email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRequest(j, testService(), tc.sub, time.Now())
			if !IsKind(err, Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			msgs := strings.Join(ErrorMessages(err), " | ")
			for _, s := range tc.says {
				if !strings.Contains(msgs, s) {
					t.Errorf("messages %q do not say %q", msgs, s)
				}
			}
		})
	}
	// The full 4,000 characters are accepted.
	if _, err := NewRequest(j, testService(), Submission{AddressString: "x", Attributes: ok, Description: strings.Repeat("é", 4000)}, time.Now()); err != nil {
		t.Errorf("4000-character description refused: %v", err)
	}
}

func TestKeys(t *testing.T) {
	secret := NewSecret()
	k := APIKey{Hash: HashKey(secret), Role: RoleReporter, JurisdictionID: "j"}
	if !k.Matches(secret) || k.Matches(secret+"x") || k.Matches("") {
		t.Error("Matches does not tell the secret apart")
	}
	if strings.Contains(k.Hash, secret) || len(k.Hash) != 64 {
		t.Errorf("hash %q", k.Hash)
	}
	if !k.Allows("j") || k.Allows("other") {
		t.Error("Allows ignores the jurisdiction")
	}
	k.Revoked = true
	if k.Allows("j") {
		t.Error("a revoked key allows")
	}
	if a, b := NewID(8), NewID(8); a == b || len(a) != 8 {
		t.Errorf("NewID gave %q and %q", a, b)
	}
}
