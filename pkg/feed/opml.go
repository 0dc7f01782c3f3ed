package feed

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"net/url"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// OPMLType is the content type of a jurisdiction's feed list (OPMLPath).
const OPMLType = "text/x-opml; charset=utf-8"

// OPMLPath is where a jurisdiction's feed list lives under the feed base, next to its feeds.
func OPMLPath(jurisdictionID string) string { return url.PathEscape(jurisdictionID) + "/feeds.opml" }

// BuildOPML renders the list of a jurisdiction's feeds as OPML 2.0 (opml.org/spec2), for a feed
// reader to subscribe to at once: the jurisdiction's feed, then an outline of its public
// services' feeds and one of its named areas' (area cells are too many to list: GET /feeds lists
// those of a place). Its dateModified is the catalog's changeset, so that the same catalog gives
// the same bytes.
func BuildOPML(j open311.Jurisdiction, services []open311.Service, opt Options) ([]byte, error) {
	type outline struct {
		Text     string    `xml:"text,attr"`
		Title    string    `xml:"title,attr,omitempty"`
		Type     string    `xml:"type,attr,omitempty"`
		XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
		Outlines []outline `xml:"outline"`
	}
	type doc struct {
		XMLName  xml.Name  `xml:"opml"`
		Version  string    `xml:"version,attr"`
		Title    string    `xml:"head>title"`
		Modified string    `xml:"head>dateModified,omitempty"`
		Owner    string    `xml:"head>ownerName"`
		Body     []outline `xml:"body>outline"`
	}
	of := func(f Feed, name string) outline {
		t := Title(j, f, name)
		return outline{Text: t, Title: t, Type: "rss", XMLURL: f.URL(opt.FeedBase)}
	}
	d := doc{Version: "2.0", Title: cmp.Or(j.Name, j.ID) + " feeds", Owner: cmp.Or(j.Name, j.ID),
		Body: []outline{of(ForJurisdiction(j.ID), "")}}
	if !j.Changeset.IsZero() {
		d.Modified = j.Changeset.UTC().Format(time.RFC1123Z)
	}
	svc := outline{Text: "Services"}
	for _, s := range services {
		if !s.Private() {
			svc.Outlines = append(svc.Outlines, of(ForService(j.ID, s.Code), s.Name))
		}
	}
	if len(svc.Outlines) > 0 {
		d.Body = append(d.Body, svc)
	}
	areas := outline{Text: "Areas"}
	for _, a := range j.Areas {
		areas.Outlines = append(areas.Outlines, of(ForArea(j.ID, a.ID), a.Name))
	}
	if len(areas.Outlines) > 0 {
		d.Body = append(d.Body, areas)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, open311.Wrap("feed.BuildOPML", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
