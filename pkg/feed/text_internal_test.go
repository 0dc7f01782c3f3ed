package feed

import (
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

func TestEscapeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`a "b" 'c'`, `a "b" 'c'`},
		{"<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"},
		{"line\r\nnext\rlast", "line\nnext&#xD;last"},
		{"bell\a nul\x00 tab\t", "bell\uFFFD nul\uFFFD tab\t"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{"→ é 🚧", "→ é 🚧"},
		{"\uFFFE", "\uFFFD"},
	} {
		if got := escapeText(c.in); got != c.want {
			t.Errorf("escapeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestActivityTitle(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, c := range []struct {
		a    open311.Activity
		want string
	}{
		{open311.Activity{Kind: open311.KindStatus, Summary: "Status: open → assigned."}, "Status: open → assigned"},
		{open311.Activity{Kind: open311.KindComment, Summary: "Comment.", Description: "Still there,\n\ntoday."}, "Comment: Still there, today."},
		{open311.Activity{Kind: open311.KindComment, Summary: "Comment.", Description: long}, "Comment: " + strings.Repeat("word ", 14) + "word…"},
		{open311.Activity{Kind: open311.KindComment, Summary: "Comment."}, "Comment"},
		{open311.Activity{Kind: open311.KindCreated}, "Reported"},
		{open311.Activity{Kind: open311.KindLink}, "Link"},
		{open311.Activity{}, "Update"},
	} {
		if got := activityTitle(c.a); got != c.want {
			t.Errorf("activityTitle(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}

func TestTagIDs(t *testing.T) {
	for _, c := range []struct {
		f    Feed
		want string
	}{
		{ForRequest("city.example.org", "42"), "tag:city.example.org,2026:requests/42"},
		{ForRequest("City.Example.org", "a b/c"), "tag:city.example.org,2026:requests/a%20b%2Fc"},
		{ForService("city.example.org", "street light"), "tag:city.example.org,2026:services/street%20light"},
		{ForJurisdiction("city.example.org"), "tag:city.example.org,2026:requests"},
		{ForJurisdiction("Example City"), "tag:open311.invalid,2026:Example%20City/requests"},
	} {
		if got := feedTag(c.f); got != c.want {
			t.Errorf("feedTag(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
	a := open311.Activity{JurisdictionID: "city.example.org", RequestID: "42", ID: "42-3.2"}
	if got, want := entryTag(a), "tag:city.example.org,2026:requests/42/activities/42-3.2"; got != want {
		t.Errorf("entryTag = %q, want %q", got, want)
	}
}
