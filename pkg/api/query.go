package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// MaxRange is the longest requested-date window one query may ask for, and the default window
// (ending now) when it asks for none.
const MaxRange = 90 * 24 * time.Hour

// getRequests answers GET /requests: public requests matching the filters, newest first, with a
// Link header to the next page when there may be one.
func (a *API) getRequests(c call) {
	ctx := c.r.Context()
	params, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		a.fail(c, open311.Errorf(open311.Invalid, "api.getRequests", "the query string is malformed"))
		return
	}
	j, err := a.jurisdiction(ctx, georeport.Field(params, "jurisdiction_id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	ext := extensions(params)
	q, err := parseQuery(params, a.opt.Now(), ext)
	if err != nil {
		a.fail(c, err)
		return
	}
	q.JurisdictionID = j.ID
	page, err := a.opt.Store.QueryRequests(ctx, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	doc, err := a.requestsDoc(ctx, j, page.Requests, ext)
	if err != nil {
		a.fail(c, err)
		return
	}
	setNext(c, params, page.Next)
	a.write(c, doc)
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

// pageSize reads page_size: 1..most, def when absent.
func pageSize(v url.Values, def, most int, p *open311.Problems) int {
	s := georeport.Field(v, "page_size")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		p.Add("page_size must be a whole number from 1 to %d", most)
		return def
	}
	return n
}

// Page sizes of GET /requests with extensions=true, which reads each request's notes.
const (
	DefaultExtendedPageSize = 50
	MaxExtendedPageSize     = 100
)

// MaxRadius is the largest radius of a geo search, in metres.
const MaxRadius = 100_000

// DefaultRadius is the radius of a geo search given lat and long alone, in metres.
const DefaultRadius = 1000

// parseGeo reads lat+long(+radius) and bbox=minLong,minLat,maxLong,maxLat.
func parseGeo(v url.Values, q *store.Query, p *open311.Problems) {
	lat, long, radius := georeport.Field(v, "lat"), georeport.Field(v, "long"), georeport.Field(v, "radius")
	if lat != "" || long != "" || radius != "" {
		pt, err := point(lat, long)
		if err != nil {
			for _, m := range open311.ErrorMessages(err) {
				p.Add("%s", m)
			}
		}
		r := float64(DefaultRadius)
		if radius != "" {
			f, err := strconv.ParseFloat(radius, 64)
			if err != nil || !(f > 0 && f <= MaxRadius) {
				p.Add("radius must be a number of metres, more than 0 and at most %d", MaxRadius)
			}
			r = f
		}
		q.Near = &open311.Circle{Center: pt, Radius: r}
	}
	if s := georeport.Field(v, "bbox"); s != "" {
		parts := strings.Split(s, ",")
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
			q.Within = &open311.BBox{MinLong: f[0], MinLat: f[1], MaxLong: f[2], MaxLat: f[3]}
		}
	}
}

// parseQuery turns GET /requests parameters into a store query, listing every bad parameter.
func parseQuery(v url.Values, now time.Time, extended bool) (store.Query, error) {
	var p open311.Problems
	if ids := list(georeport.Field(v, "service_request_id")); len(ids) > 0 {
		if len(ids) > store.MaxPageSize {
			p.Add("service_request_id lists more than %d ids", store.MaxPageSize)
		}
		return store.Query{IDs: ids}, p.Err("api.parseQuery")
	}
	q := store.Query{ServiceCodes: list(georeport.Field(v, "service_code"))}
	for _, s := range list(georeport.Field(v, "status")) {
		switch s = strings.ToLower(s); s {
		case "open", "closed":
			q.Statuses = append(q.Statuses, s)
		default:
			p.Add("status must be open or closed, not %q", s)
		}
	}
	start := timeParam(v, "start_date", &p)
	end := timeParam(v, "end_date", &p)
	q.UpdatedAfter = timeParam(v, "updated_after", &p)
	q.UpdatedBefore = timeParam(v, "updated_before", &p)
	switch {
	case !start.IsZero() && !end.IsZero():
		if end.Before(start) {
			p.Add("end_date is before start_date")
		} else if end.Sub(start) > MaxRange {
			p.Add("start_date and end_date may be at most 90 days apart")
		}
	case !start.IsZero():
		end = start.Add(MaxRange)
	case !end.IsZero():
		start = end.Add(-MaxRange)
	case q.UpdatedAfter.IsZero() && q.UpdatedBefore.IsZero():
		start = now.Add(-MaxRange) // the default window: the last 90 days
	}
	q.RequestedFrom, q.RequestedTo = start, end
	if !q.UpdatedAfter.IsZero() && !q.UpdatedBefore.IsZero() && !q.UpdatedAfter.Before(q.UpdatedBefore) {
		p.Add("updated_after must be before updated_before")
	}
	if extended {
		q.Limit = pageSize(v, DefaultExtendedPageSize, MaxExtendedPageSize, &p)
	} else {
		q.Limit = pageSize(v, store.MaxPageSize, store.MaxPageSize, &p)
	}
	parseGeo(v, &q, &p)
	q.Cursor = georeport.Field(v, "cursor")
	if s := georeport.Field(v, "page"); s != "" && q.Cursor == "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			p.Add("page must be a whole number from 1")
		} else {
			q.Offset = (n - 1) * q.Limit
		}
	}
	return q, p.Err("api.parseQuery")
}

// list splits a comma-separated parameter, dropping empty items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

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
