package georeport

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// Submission decodes a new request's fields. A list attribute's values come as client libraries
// send them: attribute[CODE]=v repeated, attribute[CODE][]=v, or PHP's indexed
// attribute[CODE][0]=v, attribute[CODE][1]=w (kept in index order).
func Submission(v url.Values) open311.Submission {
	s := open311.Submission{
		ServiceCode: Field(v, "service_code"), Lat: Field(v, "lat"), Long: Field(v, "long"),
		AddressString: Field(v, "address_string"), AddressID: Field(v, "address_id"),
		Zipcode: Field(v, "zipcode"), Description: v.Get("description"), MediaURL: Field(v, "media_url"),
		Reporter: open311.Reporter{
			Email: Field(v, "email"), DeviceID: Field(v, "device_id"), AccountID: Field(v, "account_id"),
			FirstName: Field(v, "first_name"), LastName: Field(v, "last_name"), Phone: Field(v, "phone"),
		},
	}
	type field struct {
		code   string
		index  int // -1 for attribute[CODE] and attribute[CODE][]
		name   string
		values []string
	}
	var fields []field
	for name, values := range v {
		if code, index, ok := attributeName(name); ok {
			fields = append(fields, field{code, index, name, values})
		}
	}
	// One order of values whatever the order of the map: by code, unindexed fields first, then
	// by index, then by name (attribute[CODE] before attribute[CODE][], [1] before [01]).
	sort.Slice(fields, func(a, b int) bool {
		x, y := fields[a], fields[b]
		if x.code != y.code {
			return x.code < y.code
		}
		if x.index != y.index {
			return x.index < y.index
		}
		return x.name < y.name
	})
	for _, f := range fields {
		if s.Attributes == nil {
			s.Attributes = map[string][]string{}
		}
		s.Attributes[f.code] = append(s.Attributes[f.code], f.values...)
	}
	return s
}

// attributeName reads "attribute[CODE]", "attribute[CODE][]" and "attribute[CODE][N]" (N a
// whole number), returning CODE and N (-1 when there is none).
func attributeName(name string) (code string, index int, ok bool) {
	rest, ok := strings.CutPrefix(name, "attribute[")
	if !ok {
		return "", 0, false
	}
	index = -1
	if open := strings.LastIndex(rest, "]["); open >= 0 && strings.HasSuffix(rest, "]") {
		n := rest[open+2 : len(rest)-1]
		switch i, err := strconv.Atoi(n); {
		case n == "":
		case err == nil && i >= 0 && i <= maxFormFields && !strings.HasPrefix(n, "+"):
			index = i
		default:
			return "", 0, false
		}
		rest = rest[:open+1]
	}
	code, ok = strings.CutSuffix(rest, "]")
	if !ok || code == "" || strings.ContainsAny(code, "[]") {
		return "", 0, false
	}
	return code, index, true
}

// List splits a comma-separated field ("100001,100003"), dropping empty items.
func List(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// linkFields are the fields of the staff interface that link a request to others, and the link
// each makes.
var linkFields = []struct {
	field string
	kind  open311.LinkKind
}{
	{"duplicate_of", open311.DuplicateOf},
	{"parent_service_request_id", open311.ChildOf},
	{"related_to", open311.RelatedTo},
}

// StaffUpdate decodes a change sent to the staff interface (POST /requests/{id}): status,
// status_notes, agency_responsible, expected_datetime, comment (or description), media_url,
// the links (duplicate_of, parent_service_request_id, related_to: comma-separated ids),
// remove_photo (a photo's name or URL), lat and long (together: the request is moved there) and
// update_id. Fields that are empty are not changed. Malformed values are Invalid, all at once.
func StaffUpdate(form url.Values) (open311.Change, error) {
	var p open311.Problems
	var c open311.Change
	if s := Field(form, "status"); s != "" {
		st := open311.Status(strings.ToLower(s))
		if !st.Valid() {
			p.Add("status %q is not a detailed status (submitted, incomplete, rejected, open, assigned, closed, more_info, in_progress)", s)
		}
		c.Status = &st
	}
	if v := Field(form, "status_notes"); v != "" {
		c.StatusNotes = &v
	}
	if v := Field(form, "agency_responsible"); v != "" {
		c.AgencyResponsible = &v
	}
	if s := Field(form, "expected_datetime"); s != "" {
		t, err := open311.ParseTime(s)
		if err != nil {
			p.Add("expected_datetime must be a date-time with a time zone, such as 2010-05-24T14:03:11Z")
		}
		c.Expected = &t
	}
	c.Comment = form.Get("comment")
	if c.Comment == "" {
		c.Comment = form.Get("description")
	}
	c.MediaURL = Field(form, "media_url")
	c.ClientUpdateID = Field(form, "update_id")
	c.RemovePhoto = Field(form, "remove_photo")
	if lat, long := Field(form, "lat"), Field(form, "long"); lat != "" || long != "" {
		pt, err := open311.ParsePoint(lat, long)
		if err != nil {
			p = append(p, open311.ErrorMessages(err)...)
		}
		c.Point = &pt
	}
	for _, lf := range linkFields {
		for _, id := range List(Field(form, lf.field)) {
			c.Links = append(c.Links, open311.Link{Kind: lf.kind, TargetID: id})
		}
	}
	return c, p.Err("georeport.StaffUpdate")
}

// FixMyStreetUpdate decodes a request update as FixMyStreet posts it (POST /servicerequestupdates):
// the request's id, description, media_url, update_id, and a status in FixMyStreet's words
// (kept as the change's ExternalStatus). updated_datetime is checked but not used: the update's
// time is when it is received.
func FixMyStreetUpdate(form url.Values) (requestID string, c open311.Change, err error) {
	var p open311.Problems
	requestID = Field(form, "service_request_id")
	if requestID == "" {
		p.Add("service_request_id is required")
	}
	c = open311.Change{Comment: form.Get("description"), MediaURL: Field(form, "media_url"), ClientUpdateID: Field(form, "update_id")}
	if word := Field(form, "status"); word != "" {
		st, known := StatusOfWord(word)
		if known {
			c.Status, c.ExternalStatus = &st, strings.ToLower(word)
		} else {
			p.Add("status %q is not one of open, closed, fixed, in_progress, action_scheduled, investigating, duplicate, not_councils_responsibility, no_further_action, internal_referral", word)
		}
	}
	if s := Field(form, "updated_datetime"); s != "" {
		if _, err := open311.ParseTime(s); err != nil {
			p.Add("updated_datetime must be a date-time with a time zone, such as 2010-05-24T14:03:11Z")
		}
	}
	return requestID, c, p.Err("georeport.FixMyStreetUpdate")
}
