package catalog

import (
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

func TestDemoCatalogCoversEveryDatatype(t *testing.T) {
	f, err := ReadFile("../../infra/catalog/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Jurisdictions) != 1 {
		t.Fatalf("got %d jurisdictions, want 1", len(f.Jurisdictions))
	}
	j := f.Jurisdictions[0]
	if len(j.Services) < 5 {
		t.Errorf("got %d services, want at least 5", len(j.Services))
	}
	types := map[open311.Datatype]bool{}
	var required, informational bool
	for _, s := range j.Services {
		if s.JurisdictionID != j.ID {
			t.Errorf("service %s has jurisdiction %q, want %q", s.Code, s.JurisdictionID, j.ID)
		}
		for _, a := range s.Attributes {
			types[a.Datatype] = true
			required = required || (a.Required && a.Variable)
			informational = informational || !a.Variable
		}
	}
	for _, d := range []open311.Datatype{open311.String, open311.Number, open311.DateTime, open311.Text, open311.SingleValueList, open311.MultiValueList} {
		if !types[d] {
			t.Errorf("no attribute of datatype %s", d)
		}
	}
	if !required || !informational {
		t.Errorf("required attribute: %v, informational attribute: %v; want both", required, informational)
	}
}

// square and ward are a boundary and a named area of catalogs.
const (
	square = `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`
	ward   = `{"id":"w1","name":"Ward 1","boundary":` + square + `}`
)

// TestReadAreaErrors checks that a bad named area is refused with an error naming the
// jurisdiction, the area and what is wrong.
func TestReadAreaErrors(t *testing.T) {
	_, err := Read(strings.NewReader(`{"jurisdictions":[{"id":"city.example","areas":[` + ward + `,{"id":"w1","name":"","boundary":{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}}]}]}`))
	for _, want := range []string{`city.example: area id "w1" appears twice`, `area "w1" has no name`, `area "w1": boundary ring must be closed`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one saying %q", err, want)
		}
	}
	if _, err := Read(strings.NewReader(`{"jurisdictions":[{"id":"city.example","areas":[` + ward + `]}]}`)); err != nil {
		t.Errorf("a good area: %v", err)
	}
}

func TestReadRefusesBadCatalogs(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":   `{"jurisdictions":[{"id":"a","servcies":[]}]}`,
		"no jurisdiction": `{"jurisdictions":[]}`,
		"bad type":        `{"jurisdictions":[{"id":"a","services":[{"service_code":"x","type":"fast"}]}]}`,
		"duplicate order": `{"jurisdictions":[{"id":"a","services":[{"service_code":"x","type":"realtime","attributes":[{"code":"a","datatype":"string","order":1},{"code":"b","datatype":"string","order":1}]}]}]}`,
		"bad zone":        `{"jurisdictions":[{"id":"a","time_zone":"Mars/Olympus"}]}`,
		// Found by FuzzRead's properties: catalogs whose services no client could reach.
		"jurisdiction twice":     `{"jurisdictions":[{"id":"a"},{"id":"a"}]}`,
		"spaced jurisdiction id": `{"jurisdictions":[{"id":" a "}]}`,
		"spaced service code":    `{"jurisdictions":[{"id":"a","services":[{"service_code":" x","type":"batch"}]}]}`,
		"bracketed attribute":    `{"jurisdictions":[{"id":"a","services":[{"service_code":"x","type":"realtime","attributes":[{"variable":true,"code":"a]b","datatype":"string","order":1}]}]}]}`,
		// Named areas (issue 15).
		"area without boundary": `{"jurisdictions":[{"id":"a","areas":[{"id":"w1","name":"Ward 1"}]}]}`,
		"area twice":            `{"jurisdictions":[{"id":"a","areas":[` + ward + `,` + ward + `]}]}`,
		"area with a slash":     `{"jurisdictions":[{"id":"a","areas":[{"id":"w/1","name":"W","boundary":` + square + `}]}]}`,
		"area unknown field":    `{"jurisdictions":[{"id":"a","areas":[{"id":"w1","name":"W","boundry":` + square + `}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(doc)); err == nil {
				t.Errorf("Read accepted %s", doc)
			}
		})
	}
}

// TestDemoCatalogSpeaksThreeLanguages: the demo city's catalog is in English, Spanish and
// Arabic (written right to left), every service named and described in each.
func TestDemoCatalogSpeaksThreeLanguages(t *testing.T) {
	f, err := ReadFile("../../infra/catalog/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	j := f.Jurisdictions[0]
	if strings.Join(j.Locales, " ") != "en es ar" {
		t.Errorf("locales %v, want en es ar", j.Locales)
	}
	for _, s := range j.Services {
		for _, l := range []string{"es", "ar"} {
			if tr := s.Translations[l]; tr.Name == "" || tr.Description == "" {
				t.Errorf("service %s has no name or description in %s", s.Code, l)
			}
		}
	}
}

// TestReadRefusesBadTranslations: each mistake a translated catalog can hold, refused with an
// error that names it (the service, the attribute, the locale, what is wrong).
func TestReadRefusesBadTranslations(t *testing.T) {
	svc := func(extra string) string {
		return `{"jurisdictions":[{"id":"a","locales":["en","es"],"services":[{"service_code":"x","service_name":"X","description":"Ex","type":"realtime",` +
			`"attributes":[{"variable":true,"code":"size","datatype":"singlevaluelist","order":1,"description":"Size","values":[{"key":"s","name":"Small"}]` + extra
	}
	for _, c := range []struct{ name, doc, want string }{
		{"not a tag", `{"jurisdictions":[{"id":"a","locales":["en","español"]}]}`, `locale "español" is not a language tag`},
		{"listed twice", `{"jurisdictions":[{"id":"a","locales":["en","es","ES"]}]}`, `locale "ES" is listed twice`},
		{"no locales", `{"jurisdictions":[{"id":"a","services":[{"service_code":"x","service_name":"X","type":"realtime","translations":{"es":{"service_name":"Equis"}}}]}]}`,
			`service "x": a translation into "es", but jurisdiction a lists no locales`},
		{"unknown locale", svc(`}],"translations":{"fr":{"service_name":"Ixe"}}}]}]}`), `service "x": a translation into "fr", which is not one of jurisdiction a's locales [en es]`},
		{"missing text", svc(`}],"translations":{"es":{"notice":"Aviso"}}}]}]}`), `service "x": a notice in "es", but the service has none to translate`},
		{"attribute locale", svc(`,"translations":{"de":{"description":"Größe"}}}]}]}]}`), `service "x" attribute "size": a translation into "de"`},
		{"attribute text", svc(`,"translations":{"es":{"datatype_description":"Cuánto"}}}]}]}]}`), `service "x" attribute "size": a datatype_description in "es", but the service has none`},
		{"unknown value", svc(`,"translations":{"es":{"values":{"m":"Mediano"}}}}]}]}]}`), `service "x" attribute "size": a name in "es" for the value "m", which the attribute does not have`},
		{"scheme", `{"jurisdictions":[{"id":"a","locales":["en"],"address_scheme":{"name":"Parcel","pattern":"[0-9]+","translations":{"es":{"name":"Parcela"}}}}]}`,
			`jurisdiction a's address scheme: a translation into "es"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read: %v\nwant an error saying %s", err, c.want)
			}
		})
	}
	ok := svc(`,"translations":{"es":{"description":"Tamaño","values":{"s":"Pequeño"}}}}],"translations":{"es":{"service_name":"Equis"}}}]}]}`)
	if _, err := Read(strings.NewReader(ok)); err != nil {
		t.Errorf("a good translated catalog refused: %v", err)
	}
}
