package demo

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// KeyLabel is the label of a local stack's API key of a role ("local staff"), which the notes
// of the requests it changes show as their author.
func KeyLabel(role open311.Role) string { return "local " + string(role) }

// ExampleRequest returns the id of a request for the printed examples: the newest open public
// request of the first jurisdiction (one a staff key may assign), else "ID".
func ExampleRequest(ctx context.Context, st store.Requests, jurisdictions []open311.Jurisdiction) string {
	if len(jurisdictions) == 0 {
		return "ID"
	}
	page, err := st.QueryRequests(ctx, store.Query{JurisdictionID: jurisdictions[0].ID, Statuses: []string{"open"}, Limit: 20})
	if err != nil {
		return "ID"
	}
	for _, r := range page.Requests {
		if r.Status == open311.Open {
			return r.ID
		}
	}
	return "ID"
}

// Try is what a local stack prints after its first line: its keys and the README's examples,
// against its base URL, with a real request id.
type Try struct {
	Base                  string // http://127.0.0.1:8080
	ReporterKey, StaffKey string
	Jurisdictions         []open311.Jurisdiction
	RequestID             string // from ExampleRequest
	Browser               bool   // the base serves the web app at /
}

// Print writes the keys and the examples.
func (t Try) Print(out io.Writer) {
	jur := "JURISDICTION"
	if len(t.Jurisdictions) > 0 {
		jur = url.PathEscape(t.Jurisdictions[0].ID)
	}
	browser := ""
	if t.Browser {
		browser = fmt.Sprintf(" (or open %s/ in a browser)", t.Base)
	}
	fmt.Fprintf(out, `Reporter API key: %[2]s
Staff API key:    %[3]s

Try%[6]s:
  curl %[1]s/discovery.json
  curl %[1]s/services.xml
  curl %[1]s/services/pothole.json
  curl '%[1]s/requests.json?status=open&page_size=2'
  curl -d api_key=%[2]s -d service_code=pothole -d lat=40.7128 -d long=-74.006 -d 'attribute[size]=large' %[1]s/requests.json
  curl %[1]s/requests/%[5]s.xml
  curl -d api_key=%[3]s -d status=assigned -d agency_responsible='Street Maintenance' %[1]s/requests/%[5]s.json
  curl -d api_key=%[2]s -d comment='Still there this morning' %[1]s/requests/%[5]s.xml
  curl '%[1]s/requests/%[5]s.json?extensions=true'
  curl -H "Authorization: Bearer %[3]s" '%[1]s/requests.json?detailed_status=submitted'
  curl %[1]s/feeds/%[4]s/requests.atom
  curl %[1]s/feeds/%[4]s/requests/%[5]s.atom
  curl '%[1]s/feeds.json?lat=40.71455&long=-74.00712'
  curl %[1]s/feeds/%[4]s/feeds.opml
  curl -H 'Accept-Language: es' %[1]s/services.json
Stop with Ctrl-C.
`, t.Base, t.ReporterKey, t.StaffKey, jur, t.RequestID, browser)
}
