// Package catalog reads catalog files (jurisdictions with their services and service
// definitions, as JSON) and loads them into a store. The local stack seeds itself from one and
// the operator tooling loads them into DynamoDB.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// File is a catalog file: its jurisdictions, each with its services.
type File struct {
	Jurisdictions []Jurisdiction `json:"jurisdictions"`
}

// Jurisdiction is a jurisdiction and its services, as a catalog file holds them.
type Jurisdiction struct {
	open311.Jurisdiction
	Services []open311.Service `json:"services"`
}

// Read decodes and validates a catalog, refusing unknown fields so a typo is not silently lost.
func Read(r io.Reader) (File, error) {
	var f File
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("decode catalog: %w", err)
	}
	if len(f.Jurisdictions) == 0 {
		return File{}, fmt.Errorf("decode catalog: no jurisdictions")
	}
	seen := map[string]bool{}
	for i := range f.Jurisdictions {
		j := &f.Jurisdictions[i]
		if seen[j.ID] {
			// Load would write it twice, the second removing the services of the first.
			return File{}, fmt.Errorf("check catalog: jurisdiction %q appears twice", j.ID)
		}
		seen[j.ID] = true
		for k := range j.Services {
			j.Services[k].JurisdictionID = j.ID
		}
		if err := open311.ValidateCatalog(j.Jurisdiction, j.Services); err != nil {
			return File{}, fmt.Errorf("check catalog: %w", err)
		}
	}
	return f, nil
}

// ReadFile reads a catalog file from disk.
func ReadFile(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("open catalog: %w", err)
	}
	defer fh.Close()
	f, err := Read(fh)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Load writes a catalog into a store: every jurisdiction (its changeset set to now, so clients
// refresh their cached service lists) and service, and removes the services of those
// jurisdictions that the file no longer lists. It returns what it did, one line each.
func Load(ctx context.Context, s interface {
	store.Admin
	store.Catalog
}, f File, now time.Time) ([]string, error) {
	var done []string
	for _, j := range f.Jurisdictions {
		jur := j.Jurisdiction
		jur.Changeset = now.UTC().Truncate(time.Second)
		if err := s.PutJurisdiction(ctx, jur); err != nil {
			return done, fmt.Errorf("put jurisdiction %s: %w", j.ID, err)
		}
		done = append(done, "jurisdiction "+j.ID)
		keep := map[string]bool{}
		for _, svc := range j.Services {
			if err := s.PutService(ctx, svc); err != nil {
				return done, fmt.Errorf("put service %s/%s: %w", j.ID, svc.Code, err)
			}
			keep[svc.Code] = true
			done = append(done, fmt.Sprintf("service %s/%s", j.ID, svc.Code))
		}
		existing, err := s.Services(ctx, j.ID)
		if err != nil {
			return done, fmt.Errorf("list services of %s: %w", j.ID, err)
		}
		var gone []string
		for _, svc := range existing {
			if !keep[svc.Code] {
				gone = append(gone, svc.Code)
			}
		}
		sort.Strings(gone)
		for _, code := range gone {
			if err := s.DeleteService(ctx, j.ID, code); err != nil {
				return done, fmt.Errorf("delete service %s/%s: %w", j.ID, code, err)
			}
			done = append(done, fmt.Sprintf("removed service %s/%s", j.ID, code))
		}
	}
	return done, nil
}

// WithoutTranslations is the catalog in its default language only: no locales, no
// translations (the golden test world, whose answers are those of a catalog in one language).
func (f File) WithoutTranslations() File {
	out := File{Jurisdictions: make([]Jurisdiction, len(f.Jurisdictions))}
	for i, j := range f.Jurisdictions {
		j.Locales = nil
		if j.AddressScheme != nil {
			scheme := *j.AddressScheme
			scheme.Translations = nil
			j.AddressScheme = &scheme
		}
		services := make([]open311.Service, len(j.Services))
		for k, s := range j.Services {
			s.Translations = nil
			attrs := make([]open311.Attribute, len(s.Attributes))
			for n, a := range s.Attributes {
				a.Translations = nil
				attrs[n] = a
			}
			if s.Attributes == nil {
				attrs = nil
			}
			s.Attributes = attrs
			services[k] = s
		}
		j.Services = services
		out.Jurisdictions[i] = j
	}
	return out
}
