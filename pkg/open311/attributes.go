package open311

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// validateAttributes checks submitted attribute values against the service definition and
// returns them cleaned (trimmed, de-duplicated, datetimes normalised to UTC).
func validateAttributes(s Service, given map[string][]string, p *Problems) map[string][]string {
	byCode := map[string]Attribute{}
	for _, a := range s.Attributes {
		byCode[a.Code] = a
	}
	out := map[string][]string{}
	codes := make([]string, 0, len(given))
	for code := range given {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		a, ok := byCode[code]
		switch {
		case !ok:
			p.Add("attribute %q is not part of service %q", code, s.Code)
		case !a.Variable:
			p.Add("attribute %q is informational and takes no value", code)
		}
	}
	for _, a := range s.Attributes {
		if !a.Variable {
			continue
		}
		var values []string
		for _, v := range given[a.Code] {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			if a.Required {
				p.Add("attribute %q (%s) is required", a.Code, a.Description)
			}
			continue
		}
		if a.Datatype != MultiValueList && len(values) > 1 {
			p.Add("attribute %q takes one value, not %d", a.Code, len(values))
			continue
		}
		v := values[0]
		switch a.Datatype {
		case Number:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				p.Add("attribute %q must be a number", a.Code)
				continue
			}
		case DateTime:
			t, err := ParseTime(v)
			if err != nil {
				p.Add("attribute %q must be a date-time with a time zone, such as 2010-05-24T14:03:11Z", a.Code)
				continue
			}
			values = []string{FormatTime(t, time.UTC)}
		case String:
			if utf8.RuneCountInString(v) > MaxShortField {
				p.Add("attribute %q is too long; at most %d characters are accepted", a.Code, MaxShortField)
				continue
			}
		case Text:
			if utf8.RuneCountInString(v) > MaxTextValue {
				p.Add("attribute %q is too long; at most %d characters are accepted", a.Code, MaxTextValue)
				continue
			}
		case SingleValueList, MultiValueList:
			seen, uniq, bad := map[string]bool{}, []string(nil), false
			for _, k := range values {
				if !a.HasKey(k) {
					p.Add("attribute %q: %q is not one of its values", a.Code, k)
					bad = true
				}
				if !seen[k] {
					seen[k] = true
					uniq = append(uniq, k)
				}
			}
			if bad {
				continue
			}
			values = uniq
		}
		out[a.Code] = values
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
