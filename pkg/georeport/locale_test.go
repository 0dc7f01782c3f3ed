package georeport_test

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/open311"
)

// TestLanguages: the locale parameter first, then Accept-Language by q-value (ties in order),
// and the locale each list chooses of a jurisdiction's en (default), es, ar and pt-BR.
func TestLanguages(t *testing.T) {
	j := open311.Jurisdiction{Locales: []string{"en", "es", "ar", "pt-BR"}}
	for _, c := range []struct {
		query, accept string
		prefs         []string
		chosen        string
	}{
		{"", "", nil, "en"},
		{"", "es", []string{"es"}, "es"},
		{"", "es-MX", []string{"es-MX"}, "es"},
		{"", "ES-mx", []string{"ES-mx"}, "es"},
		{"", "es-419;q=0.9, ar;q=1", []string{"ar", "es-419"}, "ar"},
		{"", "fr-CA, fr;q=0.9, es;q=0.5", []string{"fr-CA", "fr", "es"}, "es"},
		{"", "fr, de", []string{"fr", "de"}, "en"},
		{"", "pt", []string{"pt"}, "en"}, // pt-BR is not what pt asks for: only shorter forms fall back
		{"", "pt-BR", []string{"pt-BR"}, "pt-BR"},
		{"", "zh-Hant-TW, ar-EG;q=0.3", []string{"zh-Hant-TW", "ar-EG"}, "ar"},
		{"", "es;q=0, ar;q=0.2", []string{"ar"}, "ar"},
		{"", "*;q=0.5, es;q=0.1", []string{"es"}, "es"},
		{"", "es;q=abc, ar;q=2, en;q=0.4", []string{"en"}, "en"},
		{"locale=ar", "es", []string{"ar", "es"}, "ar"},
		{"locale=xx", "es", []string{"xx", "es"}, "es"},
		{"locale=", "es", []string{"es"}, "es"},
	} {
		r := httptest.NewRequest("GET", "/services.json?"+c.query, nil)
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		prefs := georeport.Languages(r)
		if !slices.Equal(prefs, c.prefs) {
			t.Errorf("?%s, Accept-Language %q: languages %q, want %q", c.query, c.accept, prefs, c.prefs)
		}
		if got := j.ChooseLocale(prefs); got != c.chosen {
			t.Errorf("?%s, Accept-Language %q: chose %q, want %q", c.query, c.accept, got, c.chosen)
		}
	}
	if got := (open311.Jurisdiction{}).ChooseLocale([]string{"es"}); got != "" {
		t.Errorf("a jurisdiction without locales chose %q", got)
	}
}
