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
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(doc)); err == nil {
				t.Errorf("Read accepted %s", doc)
			}
		})
	}
}
