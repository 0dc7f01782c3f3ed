package catalog

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/georeport"
)

// FuzzRead reads any file as a catalog. A catalog it accepts is one the API can serve and its
// clients can use: one entry per jurisdiction id; ids and codes as a client sends them back
// (no surrounding spaces, which the API trims from every field; attribute codes without the
// brackets of attribute[CODE] fields); an address pattern that compiles as the API anchors
// it; and every service list and definition encodes, as well-formed XML and valid JSON.
// Seeds: testdata/fuzz/FuzzRead, and the demo catalog.
func FuzzRead(f *testing.F) {
	demo, err := os.ReadFile(filepath.Join("..", "..", "infra", "catalog", "demo.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	for _, doc := range []string{
		`{"jurisdictions":[{"id":"a","services":[{"service_code":"x","type":"realtime","attributes":[{"variable":true,"code":"size","datatype":"singlevaluelist","order":1,"values":[{"key":"s","name":"Small"}]}]}]}]}`,
		`{"jurisdictions":[{"id":"a"},{"id":"a"}]}`,
		`{"jurisdictions":[{"id":" a ","services":[{"service_code":" x","type":"batch"}]}]}`,
		`{"jurisdictions":[{"id":"a","services":[{"service_code":"x","type":"realtime","attributes":[{"variable":true,"code":"a]b","datatype":"string","order":1}]}]}]}`,
		`{"jurisdictions":[{"id":"a","time_zone":"Europe/Paris","address_scheme":{"name":"n","description":"d","pattern":"[A-Z]{2}-[0-9]{6}"},"boundary":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, j := range file.Jurisdictions {
			if j.ID == "" || strings.TrimSpace(j.ID) != j.ID {
				t.Fatalf("accepted the jurisdiction id %q, which no client can send back", j.ID)
			}
			if ids[j.ID] {
				t.Fatalf("accepted the jurisdiction %q twice", j.ID)
			}
			ids[j.ID] = true
			if s := j.AddressScheme; s != nil && s.Pattern != "" {
				if _, err := regexp.Compile("^(?:" + s.Pattern + ")$"); err != nil {
					t.Fatalf("accepted the address pattern %q, which does not compile anchored: %v", s.Pattern, err)
				}
			}
			for _, s := range j.Services {
				if s.Code == "" || strings.TrimSpace(s.Code) != s.Code {
					t.Fatalf("accepted the service code %q, which no client can send back", s.Code)
				}
				for _, a := range s.Attributes {
					sub := georeport.Submission(url.Values{"service_code": {s.Code}, "attribute[" + a.Code + "]": {"v"}})
					if got := sub.Attributes[a.Code]; len(got) != 1 {
						t.Fatalf("accepted the attribute code %q, which no attribute[CODE] field can carry", a.Code)
					}
				}
				for _, doc := range []any{georeport.NewServices(j.Services), georeport.NewServiceDefinition(s)} {
					checkDocument(t, doc)
				}
			}
		}
	})
}

// checkDocument encodes a document in both formats: valid JSON, and XML that decodes to its end.
func checkDocument(t *testing.T, doc any) {
	t.Helper()
	b, err := georeport.Marshal(georeport.JSON, doc)
	if err != nil || !json.Valid(b) {
		t.Fatalf("%T: JSON %q, %v", doc, b, err)
	}
	b, err = georeport.Marshal(georeport.XML, doc)
	if err != nil {
		t.Fatalf("%T: XML: %v", doc, err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%T: XML %q: %v", doc, b, err)
		}
	}
}
