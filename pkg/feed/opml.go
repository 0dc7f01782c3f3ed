package feed

import (
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
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

// ContentTypeOf is the media type a publisher stores the file at path with: OPMLType for a feed
// list, ContentType for a feed.
func ContentTypeOf(path string) string {
	if strings.HasSuffix(path, "/feeds.opml") {
		return OPMLType
	}
	return ContentType
}

// CatalogReader is what publishing a feed list reads besides the jurisdiction: its services (a
// store.Store is one).
type CatalogReader interface {
	Services(ctx context.Context, jurisdictionID string) ([]open311.Service, error)
}

// PublishOPML builds jurisdiction j's feed list from its services (read from rd) and publishes
// it at OPMLPath; unchanged bytes are not written again.
func PublishOPML(ctx context.Context, rd CatalogReader, pub Publisher, j open311.Jurisdiction, opt Options) (written bool, err error) {
	services, err := rd.Services(ctx, j.ID)
	if err != nil {
		return false, fmt.Errorf("feed list of %s: read services: %w", j.ID, err)
	}
	body, err := BuildOPML(j, services, opt)
	if err != nil {
		return false, err
	}
	if written, err = pub.Publish(ctx, OPMLPath(j.ID), body); err != nil {
		return false, fmt.Errorf("feed list of %s: %w", j.ID, err)
	}
	return written, nil
}
