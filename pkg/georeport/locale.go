package georeport

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Languages returns the languages a request asks its answer in, most wanted first: the
// `locale` parameter (a BCP 47 tag, as Helsinki's and Mark-a-Spot's GeoReport servers take
// it), then the Accept-Language header's tags by their q-values (RFC 9110 §12.5.4; ties in
// the order given; "*" and q=0 left out; a malformed entry skipped, never an error: the answer
// is then in the default language).
func Languages(r *http.Request) []string {
	var out []string
	if l := strings.TrimSpace(r.URL.Query().Get("locale")); l != "" {
		out = append(out, l)
	}
	type weighted struct {
		tag string
		q   float64
	}
	var ws []weighted
	for _, h := range r.Header.Values("Accept-Language") {
		for _, part := range strings.Split(h, ",") {
			tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			tag = strings.TrimSpace(tag)
			if tag == "" || tag == "*" || len(tag) > 35 {
				continue
			}
			q := 1.0
			if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					continue
				}
				q = f
			}
			if q > 0 {
				ws = append(ws, weighted{tag, q})
			}
		}
	}
	slices.SortStableFunc(ws, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	for _, w := range ws {
		out = append(out, w.tag)
	}
	return out
}

// SetLanguage marks an answer as being in locale, chosen from the request's languages among
// locales (none: a catalog in one language, whose answers are as they always were).
func SetLanguage(w http.ResponseWriter, locale string, locales []string) {
	if len(locales) == 0 || locale == "" {
		return
	}
	w.Header().Set("Content-Language", locale)
	w.Header().Add("Vary", "Accept-Language")
}
