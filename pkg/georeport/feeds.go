package georeport

import "encoding/xml"

// Feeds is the answer to GET /feeds: the Atom feeds covering a place (a top-level array in
// JSON).
type Feeds struct {
	XMLName xml.Name `xml:"feeds" json:"-"`
	Feeds   []Feed   `xml:"feed"`
}

func (f Feeds) list() any { return nonNil(f.Feeds) }

// Feed is one Atom feed: what it follows (kind: jurisdiction, service, area or cell, and the
// service code, area id or geohash it follows), its title and its URL.
type Feed struct {
	Kind  string `xml:"kind" json:"kind"`
	ID    string `xml:"id,omitempty" json:"id,omitempty"`
	Title string `xml:"title" json:"title"`
	URL   string `xml:"url" json:"url"`
}
