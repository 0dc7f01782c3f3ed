package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// GetRequests is GET /requests: public requests (with a staff key, every request of its
// jurisdiction: the staff queue) matching the filters, newest first, with a Link header to the
// next page when there may be one.
var GetRequests = Operation{Name: OpRequests, Routes: get(OpRequests, "/requests"), handle: (*API).getRequests}

func (a *API) getRequests(c call) {
	params, err := query(c)
	if err == nil {
		var s desk.Search
		if s, err = search(params); err == nil {
			s.Key = readKey(c.r, params)
			var l desk.Listing
			var lang desk.Language
			if l, err = a.desk.Requests(c.r.Context(), s); err == nil {
				if l, lang, err = a.desk.Localize(c.r.Context(), l, georeport.Languages(c.r)); err == nil {
					setNext(c, params, l.Next)
					georeport.SetLanguage(c.w, lang.Locale, lang.Locales)
					a.write(c, a.requests(l))
					return
				}
			}
		}
	}
	a.fail(c, err)
}

// query parses a GET's query string, refusing a malformed one.
func query(c call) (url.Values, error) {
	params, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return nil, open311.Errorf(open311.Invalid, "api.query", "the query string is malformed")
	}
	return params, nil
}

// MaxRadius is the largest radius of a geo search, in metres.
const MaxRadius = 100_000

// DefaultRadius is the radius of a geo search given lat and long alone, in metres.
const DefaultRadius = 1000

// search decodes GET /requests parameters, listing every malformed one.
func search(v url.Values) (desk.Search, error) {
	var p open311.Problems
	s := desk.Search{
		JurisdictionID: georeport.Field(v, "jurisdiction_id"),
		IDs:            georeport.List(georeport.Field(v, "service_request_id")),
		ServiceCodes:   georeport.List(georeport.Field(v, "service_code")),
		Start:          timeParam(v, "start_date", &p),
		End:            timeParam(v, "end_date", &p),
		UpdatedAfter:   timeParam(v, "updated_after", &p),
		UpdatedBefore:  timeParam(v, "updated_before", &p),
		Cursor:         georeport.Field(v, "cursor"),
		Details:        extensions(v),
		// The staff filters (the desk ignores them without a staff key).
		DetailedStatuses: georeport.List(georeport.Field(v, "detailed_status")),
		Agency:           georeport.Field(v, "agency_responsible"),
		Text:             georeport.Field(v, "q"),
	}
	for _, st := range georeport.List(georeport.Field(v, "status")) {
		switch st = strings.ToLower(st); st {
		case "open", "closed":
			s.Statuses = append(s.Statuses, st)
		default:
			p.Add("status must be open or closed, not %q", st)
		}
	}
	_, most := desk.PageSizes(s.Details)
	s.PageSize = whole(v, "page_size", "page_size must be a whole number from 1 to "+strconv.Itoa(most), &p)
	s.Page = whole(v, "page", "page must be a whole number from 1", &p)
	geo(v, &s, &p)
	return s, p.Err("api.search")
}

// whole reads a whole number of at least 1 (0 when absent), adding says when it is not one.
func whole(v url.Values, name, says string, p *open311.Problems) int {
	s := georeport.Field(v, name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		p.Add("%s", says)
		return 0
	}
	return n
}

// geo reads lat+long(+radius) and bbox=minLong,minLat,maxLong,maxLat.
func geo(v url.Values, s *desk.Search, p *open311.Problems) {
	lat, long, radius := georeport.Field(v, "lat"), georeport.Field(v, "long"), georeport.Field(v, "radius")
	if lat != "" || long != "" || radius != "" {
		pt, err := open311.ParsePoint(lat, long)
		*p = append(*p, open311.ErrorMessages(err)...)
		r := float64(DefaultRadius)
		if radius != "" {
			f, err := strconv.ParseFloat(radius, 64)
			if err != nil || !(f > 0 && f <= MaxRadius) {
				p.Add("radius must be a number of metres, more than 0 and at most %d", MaxRadius)
			}
			r = f
		}
		s.Near = &open311.Circle{Center: pt, Radius: r}
	}
	if b := georeport.Field(v, "bbox"); b != "" {
		parts := strings.Split(b, ",")
		var f [4]float64
		ok := len(parts) == 4
		for i := 0; ok && i < 4; i++ {
			limit := 180.0
			if i%2 == 1 {
				limit = 90
			}
			f[i], ok = open311.ParseCoordinate(strings.TrimSpace(parts[i]), limit)
		}
		if !ok || f[1] > f[3] {
			p.Add("bbox must be minLong,minLat,maxLong,maxLat in decimal degrees, minLat not above maxLat")
		} else {
			s.Within = &open311.BBox{MinLong: f[0], MinLat: f[1], MaxLong: f[2], MaxLat: f[3]}
		}
	}
}

// timeParam reads a date-time parameter (zero when absent).
func timeParam(v url.Values, name string, p *open311.Problems) time.Time {
	s := georeport.Field(v, name)
	if s == "" {
		return time.Time{}
	}
	t, err := open311.ParseTime(s)
	if err != nil {
		p.Add("%s must be a date-time with a time zone, such as 2010-05-24T14:03:11Z", name)
	}
	return t
}
