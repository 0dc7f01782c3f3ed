package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// requests are the requests a new local stack starts with, so that a first curl shows
// something real. They go through the same validation as a POST.
var requests = []struct {
	age    time.Duration
	sub    open311.Submission
	closed string // closing note, for requests already fixed
}{
	{age: 50 * time.Hour, sub: open311.Submission{ServiceCode: "pothole", Lat: "40.71455", Long: "-74.00712",
		AddressString: "Broadway & Chambers St", Description: "Deep pothole in the right lane, cars swerve around it.",
		Attributes: map[string][]string{"size": {"large"}, "depth_cm": {"12"}, "lane": {"southbound right lane"}}},
		closed: "Filled by the asphalt crew."},
	{age: 26 * time.Hour, sub: open311.Submission{ServiceCode: "streetlight", Lat: "40.71302", Long: "-74.00458",
		Description: "Two lights out in a row on the east side of the street.",
		Attributes:  map[string][]string{"pole_number": {"P-10442"}, "problem": {"out", "flickering"}}}},
	{age: 5 * time.Hour, sub: open311.Submission{ServiceCode: "graffiti", AddressString: "City Hall Park, north bench",
		Attributes: map[string][]string{"surface": {"bench"}, "offensive": {"no"}}}},
	{age: 90 * time.Minute, sub: open311.Submission{ServiceCode: "tree", Lat: "40.71178", Long: "-74.00815",
		Description: "Large branch blocking half the sidewalk after the storm."}},
}

// Count is how many requests SeedRequests writes.
func Count() int { return len(requests) }

// SeedRequests writes the demo requests into a store that holds the jurisdiction j and its
// services, as if they had been reported over the last two days (one of them already closed),
// each with the activities a POST and a staff update would have written.
func SeedRequests(ctx context.Context, st store.Store, j catalog.Jurisdiction, now time.Time) error {
	services := map[string]open311.Service{}
	for _, s := range j.Services {
		services[s.Code] = s
	}
	for _, d := range requests {
		s := services[d.sub.ServiceCode]
		at := now.Add(-d.age)
		r, err := open311.NewRequest(j.Jurisdiction, s, d.sub, at)
		if err != nil {
			return fmt.Errorf("demo request %s: %w", d.sub.ServiceCode, err)
		}
		r.Identify(open311.NewID(8), func() string { return open311.NewID(12) })
		if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
			return fmt.Errorf("demo request %s: %w", d.sub.ServiceCode, err)
		}
		if d.closed == "" {
			continue
		}
		_, err = store.UpdateRequest(ctx, st, j.ID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
			r.Status, r.StatusNotes = open311.Closed, d.closed
			r.AgencyResponsible = "Street Maintenance"
			r.Updated = at.Add(d.age / 2).UTC().Truncate(time.Second)
			return []open311.Activity{{ID: r.ID + "-2", RequestID: r.ID, JurisdictionID: j.ID, At: r.Updated,
				Who: "Street Maintenance", Kind: open311.KindStatus, Summary: "Status: open → closed.", Description: d.closed,
				Status: open311.Closed}}, nil
		})
		if err != nil {
			return fmt.Errorf("close demo request: %w", err)
		}
	}
	return nil
}
