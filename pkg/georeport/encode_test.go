package georeport

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// nasty are strings that test every escape of both formats.
var nasty = []string{"", "plain", "<a & b>", `"quoted" 'single'`, `back\slash`, "\n\r\t\b\f", "\x00\x1f\x7f",
	"é ü 中文 🚧", "\u2028\u2029", "bad \xff\xfe utf-8", "]]>", "\uFFFE \uFFFF", "&amp; already"}

// documents returns documents of every type with appenders, holding the nasty strings.
func documents() []any {
	loc := time.FixedZone("", -5*3600)
	at := time.Date(2026, 11, 2, 15, 4, 5, 600, time.UTC)
	var docs []any
	for i, s := range nasty {
		r := open311.Request{ID: s, ServiceCode: s, ServiceName: s, Status: open311.Status(s), StatusNotes: s,
			Description: s, AgencyResponsible: s, ServiceNotice: s, Requested: at, Updated: at.Add(time.Hour), Address: s,
			AddressID: s, Zipcode: s, MediaURL: s, Attributes: map[string][]string{s: {s, "x"}, "b" + s: {s}}}
		if i%2 == 0 {
			r.Point, r.Expected = &open311.Point{Lat: -33.865143, Long: 151.2099}, at
		}
		if i%3 == 0 {
			r.Media = []open311.Photo{{Name: s, ContentType: s, Width: 4000, Height: i, URL: s, PreviewURL: s}, {ContentType: s}}
		}
		r.Links = []open311.Link{{Kind: open311.DuplicateOf, TargetID: "t" + s}, {Kind: open311.RelatedTo, TargetID: "gone"}}
		shown := NewRequest(r, loc)
		extended := shown
		extended.Extended = NewExtended(r, map[string]open311.Request{"t" + s: {Status: open311.Closed}}, s)
		act := open311.Activity{ID: s, RequestID: s, At: at, Who: s, Kind: s, Summary: s, Description: s, Status: open311.Status(s), MediaURL: s}
		extended.Notes = NewNotes([]open311.Activity{act, {}}, loc)
		bare := shown
		bare.Extended, bare.Notes = &Extended{}, &Notes{}
		docs = append(docs,
			ServiceRequests{Requests: []any{shown, extended, bare, NewCreated(r, open311.Realtime), NewCreated(r, open311.Batch),
				NewCreated(r, open311.Blackbox), NewTokenAnswer(r, s), TokenAnswer{Token: s}}},
			NewServices([]open311.Service{{Code: s, Name: s, Description: s, Type: open311.ServiceType(s), Keywords: []string{s, s}, Group: s,
				Attributes: []open311.Attribute{{Code: s}}}, {}}),
			NewServiceDefinition(open311.Service{Code: s, Attributes: []open311.Attribute{
				{Variable: true, Code: s, Datatype: open311.Datatype(s), Required: true, DatatypeDescription: s, Order: -i, Description: s,
					Values: []open311.AttributeValue{{Key: s, Name: s}, {}}}, {Code: "plain", Order: i}}}),
			ServiceDefinition{ServiceCode: s},
			RequestUpdates{Updates: []any{NewRequestUpdate(act, loc), NewRequestUpdate(open311.Activity{ExternalStatus: s}, time.UTC), UpdateID{UpdateID: s}}},
			NewErrors(400+i, s, s+s),
		)
	}
	return append(docs, ServiceRequests{}, Services{}, RequestUpdates{}, Errors{})
}

// TestAppendersMatchEncoders holds every appender to what encoding/json and encoding/xml write
// from the struct tags, for documents with every kind of character in every field.
func TestAppendersMatchEncoders(t *testing.T) {
	for i, doc := range documents() {
		if _, ok := doc.(appender); !ok {
			t.Fatalf("document %d (%T) has no appender", i, doc)
		}
		for _, f := range []Format{JSON, XML} {
			got, err := Marshal(f, doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := marshalReflect(f, doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("document %d (%T) in %s:\n got %q\nwant %q", i, doc, f.Suffix(), got, want)
			}
		}
	}
}

// FuzzJSONString holds jsonString to encoding/json's escaping (HTML escaping off).
func FuzzJSONString(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := jsonString(nil, s); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("jsonString(%q) = %s, want %s", s, got, want.Bytes())
		}
	})
}

// FuzzXMLText holds xmlText, which skips escaping for plain text, to xml.EscapeText.
func FuzzXMLText(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := xmlText(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("xmlText(%q) = %s, want %s", s, got, want.Bytes())
		}
	})
}

// TestMemoShowsTheRequestAsItIs writes a page twice (the second time from the memo), then with
// one request changed and with two requests of the same id (as two jurisdictions may have):
// every time the bytes are what encoding/json and encoding/xml write of the page as it is then.
func TestMemoShowsTheRequestAsItIs(t *testing.T) {
	doc := page(5)
	same := func(label string, doc ServiceRequests) {
		t.Helper()
		for _, f := range []Format{JSON, XML} {
			got, err := Marshal(f, doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := marshalReflect(f, doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s in %s:\n got %s\nwant %s", label, f.Suffix(), got, want)
			}
		}
	}
	same("first", doc)
	same("again", doc)
	changed := doc.Requests[2].(Request)
	changed.Status, changed.UpdatedDatetime = "closed", OptTime{changed.UpdatedDatetime.Time.Add(time.Minute)}
	doc.Requests[2] = changed
	same("a request changed", doc)
	moved := doc.Requests[3].(Request)
	moved.Lat.Value += 1e-9
	doc.Requests[3] = moved
	same("a request moved by a nanodegree", doc)
	twin := doc.Requests[0].(Request)
	twin.Description = "Another jurisdiction's request of the same id"
	doc.Requests = append(doc.Requests, twin, doc.Requests[0])
	same("two requests of one id", doc)
}
