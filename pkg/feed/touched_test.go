package feed_test

import (
	"reflect"
	"testing"

	"github.com/civicworks/open311/pkg/feed"
)

func TestTouched(t *testing.T) {
	const j, k = "city.example.org", "town.example.net"
	pothole := feed.Change{JurisdictionID: j, RequestID: "100002", ServiceCode: "pothole"}
	hundred := make([]feed.Change, 100)
	for i := range hundred {
		hundred[i] = pothole
	}
	for _, c := range []struct {
		name    string
		changes []feed.Change
		want    []feed.Feed
	}{
		{"none", nil, nil},
		{"one request", []feed.Change{pothole},
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForService(j, "pothole"), feed.ForJurisdiction(j)}},
		{"a hundred changes to one request", hundred,
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForService(j, "pothole"), feed.ForJurisdiction(j)}},
		{"two requests of a service, out of order", []feed.Change{
			{JurisdictionID: j, RequestID: "100009", ServiceCode: "pothole"}, pothole, pothole},
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForRequest(j, "100009"), feed.ForService(j, "pothole"), feed.ForJurisdiction(j)}},
		{"two services, two jurisdictions", []feed.Change{
			{JurisdictionID: k, RequestID: "7", ServiceCode: "trees"},
			{JurisdictionID: j, RequestID: "100003", ServiceCode: "streetlight"}, pothole,
			{JurisdictionID: k, RequestID: "7", ServiceCode: "trees"}},
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForRequest(j, "100003"), feed.ForService(j, "pothole"),
				feed.ForService(j, "streetlight"), feed.ForJurisdiction(j),
				feed.ForRequest(k, "7"), feed.ForService(k, "trees"), feed.ForJurisdiction(k)}},
		{"service unknown to the caller", []feed.Change{{JurisdictionID: j, RequestID: "100002"}},
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForJurisdiction(j)}},
		{"a moved request: the cells and areas of where it was and where it is", []feed.Change{
			{JurisdictionID: j, RequestID: "100002", ServiceCode: "pothole", Cells: []string{"gcpuvp", "gcpuuz"}, Areas: []string{"ward-2", "ward-1"}},
			{JurisdictionID: j, RequestID: "100002", ServiceCode: "pothole", Cells: []string{"gcpuvp"}, Areas: []string{"ward-2"}}},
			[]feed.Feed{feed.ForRequest(j, "100002"), feed.ForService(j, "pothole"), feed.ForCell(j, "gcpuuz"), feed.ForCell(j, "gcpuvp"),
				feed.ForArea(j, "ward-1"), feed.ForArea(j, "ward-2"), feed.ForJurisdiction(j)}},
		{"no jurisdiction", []feed.Change{{RequestID: "100002", ServiceCode: "pothole"}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := feed.Touched(c.changes)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
			for _, f := range got {
				if err := f.Valid(); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
}
