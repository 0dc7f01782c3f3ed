package feed

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// Kind says what a feed follows.
type Kind string

// The kinds of feed.
const (
	RequestFeed      Kind = "request"      // one request's activities
	ServiceFeed      Kind = "service"      // recent activities of a service's public requests
	JurisdictionFeed Kind = "jurisdiction" // recent activities of a jurisdiction's public requests
	CellFeed         Kind = "cell"         // recent activities listed in an area cell (open311.Cell)
	AreaFeed         Kind = "area"         // recent activities listed in a named area of the catalog
)

// Feed names one feed. It is a comparable value: equal feeds are the same file.
type Feed struct {
	Kind           Kind
	JurisdictionID string
	// ID is the request id of a request feed, the service code of a service feed, the geohash of
	// a cell feed, the area id of an area feed, and empty for a jurisdiction feed.
	ID string
	// Locale is the language of the feed's texts, one of the jurisdiction's locales other than
	// its default; "" for the feed in the default language (locale.go).
	Locale string
}

// ForRequest returns the feed of one request.
func ForRequest(jurisdictionID, requestID string) Feed {
	return Feed{Kind: RequestFeed, JurisdictionID: jurisdictionID, ID: requestID}
}

// ForService returns the feed of a service's requests.
func ForService(jurisdictionID, serviceCode string) Feed {
	return Feed{Kind: ServiceFeed, JurisdictionID: jurisdictionID, ID: serviceCode}
}

// ForJurisdiction returns the feed of a jurisdiction's requests.
func ForJurisdiction(jurisdictionID string) Feed {
	return Feed{Kind: JurisdictionFeed, JurisdictionID: jurisdictionID}
}

// ForCell returns the feed of an area cell, a geohash of open311.CellPrecision characters.
func ForCell(jurisdictionID, cell string) Feed {
	return Feed{Kind: CellFeed, JurisdictionID: jurisdictionID, ID: cell}
}

// ForArea returns the feed of a named area of the jurisdiction's catalog.
func ForArea(jurisdictionID, areaID string) Feed {
	return Feed{Kind: AreaFeed, JurisdictionID: jurisdictionID, ID: areaID}
}

// Path returns where the feed lives under the feed base, each component escaped with
// url.PathEscape:
//
//	{jurisdiction}/requests/{id}.atom     a request
//	{jurisdiction}/services/{code}.atom   a service
//	{jurisdiction}/requests.atom          a jurisdiction
//	{jurisdiction}/areas/cells/{geohash}.atom  an area cell
//	{jurisdiction}/areas/{id}.atom        a named area
//
// It is the URL path of the feed under the feed base and what a Publisher is given; a publisher
// stores the feed where a web server or S3 looks when that path is requested (ObjectKey).
func (f Feed) Path() string {
	p := f.basePath()
	if f.Locale != "" {
		// The feed in another language: {path}.{locale}.atom (requests.es.atom).
		p = strings.TrimSuffix(p, ".atom") + "." + f.Locale + ".atom"
	}
	return p
}

func (f Feed) basePath() string {
	j := url.PathEscape(f.JurisdictionID)
	switch f.Kind {
	case RequestFeed:
		return j + "/requests/" + url.PathEscape(f.ID) + ".atom"
	case ServiceFeed:
		return j + "/services/" + url.PathEscape(f.ID) + ".atom"
	case CellFeed:
		return j + "/areas/cells/" + url.PathEscape(f.ID) + ".atom"
	case AreaFeed:
		return j + "/areas/" + url.PathEscape(f.ID) + ".atom"
	default:
		return j + "/requests.atom"
	}
}

// URL returns the feed's address under base, the public URL the feeds are served from (a CDN,
// or the local server's /feeds/).
func (f Feed) URL(base string) string {
	return strings.TrimRight(base, "/") + "/" + f.Path()
}

// String returns the feed's path, for logs and errors.
func (f Feed) String() string { return f.Path() }

// Valid reports, as an Invalid error, a feed that names nothing: an unknown kind, an empty
// jurisdiction, or a request or service feed without its id.
func (f Feed) Valid() error {
	const op = "feed.Feed.Valid"
	switch {
	case f.Kind != RequestFeed && f.Kind != ServiceFeed && f.Kind != JurisdictionFeed && f.Kind != CellFeed && f.Kind != AreaFeed:
		return open311.Errorf(open311.Invalid, op, "unknown kind of feed %q", f.Kind)
	case f.Kind == CellFeed && !open311.ValidCell(f.ID):
		return open311.Errorf(open311.Invalid, op, "%q is not an area cell: a geohash of %d characters", f.ID, open311.CellPrecision)
	case f.JurisdictionID == "":
		return open311.Errorf(open311.Invalid, op, "a feed needs a jurisdiction")
	case f.Kind != JurisdictionFeed && f.ID == "":
		return open311.Errorf(open311.Invalid, op, "a %s feed needs an id", f.Kind)
	case f.Kind == JurisdictionFeed && f.ID != "":
		return open311.Errorf(open311.Invalid, op, "a jurisdiction feed has no id")
	case f.Locale != "" && !feedLocaleRE.MatchString(f.Locale):
		return open311.Errorf(open311.Invalid, op, "%q is not a locale a feed can be in", f.Locale)
	}
	return nil
}

// ParsePath reads a path made by Path back into its feed, or fails with Invalid.
func ParsePath(path string) (Feed, error) {
	bad := open311.Errorf(open311.Invalid, "feed.ParsePath", "%q is not the path of a feed", path)
	var locale string
	if rest, ok := strings.CutSuffix(path, ".atom"); ok {
		if i := strings.LastIndexByte(rest, '.'); i > strings.LastIndexByte(rest, '/') && feedLocaleRE.MatchString(rest[i+1:]) {
			locale, path = rest[i+1:], rest[:i]+".atom"
		}
	}
	f, err := parseBasePath(path, bad)
	if err != nil {
		return Feed{}, err
	}
	f.Locale = locale
	return f, nil
}

func parseBasePath(path string, bad error) (Feed, error) {
	parts := strings.Split(path, "/")
	unescape := func(s string) (string, bool) {
		v, err := url.PathUnescape(s)
		return v, err == nil && v != "" && url.PathEscape(v) == s
	}
	j, ok := unescape(parts[0])
	if !ok {
		return Feed{}, bad
	}
	var f Feed
	switch {
	case len(parts) == 2 && parts[1] == "requests.atom":
		f = ForJurisdiction(j)
	case len(parts) == 4 && parts[1] == "areas" && parts[2] == "cells" && strings.HasSuffix(parts[3], ".atom"):
		f = ForCell(j, strings.TrimSuffix(parts[3], ".atom"))
		if f.Valid() != nil {
			return Feed{}, bad
		}
	case len(parts) == 3 && parts[1] == "areas" && strings.HasSuffix(parts[2], ".atom"):
		id, ok := unescape(strings.TrimSuffix(parts[2], ".atom"))
		if !ok {
			return Feed{}, bad
		}
		f = ForArea(j, id)
	case len(parts) == 3 && (parts[1] == "requests" || parts[1] == "services") && strings.HasSuffix(parts[2], ".atom"):
		id, ok := unescape(strings.TrimSuffix(parts[2], ".atom"))
		if !ok {
			return Feed{}, bad
		}
		f = ForRequest(j, id)
		if parts[1] == "services" {
			f = ForService(j, id)
		}
	default:
		return Feed{}, bad
	}
	return f, nil
}

// tagDate is the date part of every tag: URI (RFC 4151) minted here: the year this scheme of
// feed and entry ids was adopted, when the jurisdictions' domains were theirs. It is fixed
// forever, since changing it would change every id and make readers show old entries as new.
const tagDate = "2026"

// tagID returns the tag: URI of something of a jurisdiction, specific being its path within
// (components already escaped). The jurisdiction id is the tagging authority when it is a domain
// name, as it conventionally is; otherwise the reserved domain "open311.invalid" is the
// authority and the escaped jurisdiction id leads the specific part, which keeps ids unique.
func tagID(jurisdictionID, specific string) string {
	if isDomain(jurisdictionID) {
		return "tag:" + strings.ToLower(jurisdictionID) + "," + tagDate + ":" + specific
	}
	return "tag:open311.invalid," + tagDate + ":" + url.PathEscape(jurisdictionID) + "/" + specific
}

// isDomain reports whether s is a DNS name as RFC 4151's authorityName allows.
func isDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// feedTag returns the tag: URI of a feed.
func feedTag(f Feed) string {
	t := baseFeedTag(f)
	if f.Locale != "" {
		t += "." + f.Locale // another document than the default language's
	}
	return t
}

func baseFeedTag(f Feed) string {
	switch f.Kind {
	case RequestFeed:
		return tagID(f.JurisdictionID, "requests/"+url.PathEscape(f.ID))
	case ServiceFeed:
		return tagID(f.JurisdictionID, "services/"+url.PathEscape(f.ID))
	case CellFeed:
		return tagID(f.JurisdictionID, "areas/cells/"+url.PathEscape(f.ID))
	case AreaFeed:
		return tagID(f.JurisdictionID, "areas/"+url.PathEscape(f.ID))
	default:
		return tagID(f.JurisdictionID, "requests")
	}
}

// entryTag returns the tag: URI of an activity: the same in every feed that shows it.
func entryTag(a open311.Activity) string {
	return tagID(a.JurisdictionID, fmt.Sprintf("requests/%s/activities/%s", url.PathEscape(a.RequestID), url.PathEscape(a.ID)))
}
