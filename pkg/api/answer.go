package api

import (
	"net/url"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// requests shows a listing as a service requests document in its jurisdiction's zone, with
// extended attributes and notes when the listing has details.
func (a *API) requests(l desk.Listing) georeport.ServiceRequests {
	doc := georeport.ServiceRequests{Requests: make([]any, 0, len(l.Requests))}
	loc := l.Jurisdiction.Location()
	// One allocation for the page's requests, each in the document by its address (a value
	// would be copied to the heap one by one to go in the list).
	outs := make([]georeport.Request, len(l.Requests))
	for i, r := range l.Requests {
		out := &outs[i]
		*out = georeport.NewRequest(r, loc)
		if d := l.Details; d != nil {
			out.Extended = georeport.NewExtended(r, d.Linked, a.feedURL(r))
			out.Notes = georeport.NewNotes(d.Activities[r.ID], loc)
		}
		doc.Requests = append(doc.Requests, out)
	}
	return doc
}

// feedURL is the address of a request's Atom feed, when feeds are configured.
func (a *API) feedURL(r open311.Request) string {
	if a.opt.FeedBase == "" {
		return ""
	}
	return feed.ForRequest(r.JurisdictionID, r.ID).URL(a.opt.FeedBase)
}

// setNext gives the Link header to the next page: the same query, with the cursor.
func setNext(c call, params url.Values, cursor string) {
	if cursor == "" {
		return
	}
	next := url.Values{}
	for k, v := range params {
		if k != "page" && k != "cursor" {
			next[k] = v
		}
	}
	next.Set("cursor", cursor)
	c.w.Header().Set("Link", "<"+c.r.URL.EscapedPath()+"?"+next.Encode()+`>; rel="next"`)
}
