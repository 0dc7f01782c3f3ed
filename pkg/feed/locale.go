package feed

import (
	"regexp"
	"slices"
	"strings"

	"github.com/civicworks/open311/pkg/messages"
	"github.com/civicworks/open311/pkg/open311"
)

// feedLocaleRE is the shape of a feed's locale in its path: a language tag of the catalog
// (open311's locales), such as es or pt-BR.
var feedLocaleRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// InLocale returns the feed in locale ("" or the jurisdiction's default: the feed itself).
func (f Feed) InLocale(j open311.Jurisdiction, locale string) Feed {
	if locale == j.DefaultLocale() {
		locale = ""
	}
	f.Locale = locale
	return f
}

// Localized returns feeds with, after each, its versions in the other locales of its
// jurisdiction (locales gives a jurisdiction's; none for a catalog in one language): a change
// that touches a feed touches it in every language.
func Localized(feeds []Feed, locales func(jurisdictionID string) []string) []Feed {
	out := make([]Feed, 0, len(feeds))
	for _, f := range feeds {
		out = append(out, f)
		ls := locales(f.JurisdictionID)
		for i, l := range ls {
			if i == 0 || f.Locale != "" {
				continue // the default is the feed itself
			}
			g := f
			g.Locale = l
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// say is a text the feed builder writes, in the feed's language (package messages).
func (b builder) say(s string) string {
	if b.f.Locale == "" {
		return s
	}
	return messages.TranslateText(b.f.Locale, s)
}

// sayOne is one message the feed builder writes in the feed's language, its values as they are
// (they may hold a ". ", as an address may).
func (b builder) sayOne(s string) string {
	if b.f.Locale == "" {
		return s
	}
	return messages.Translate(b.f.Locale, s)
}

// activityTitle is an entry's title in the feed's language: the summary translated, without its
// final full stop, or, where the summary has no translation, the default language's title.
func (b builder) activityTitle(a open311.Activity) string {
	t := activityTitle(a)
	if b.f.Locale == "" {
		return t
	}
	if strings.HasPrefix(t, "Comment: ") {
		return b.sayOne(t)
	}
	if said := b.say(strings.TrimSpace(a.Summary)); said != strings.TrimSpace(a.Summary) {
		return strings.TrimSuffix(strings.TrimSuffix(said, "."), "。")
	}
	return t
}

// alternates are the feed's versions in its jurisdiction's other languages, each a link
// rel="alternate" with its hreflang (none for a catalog in one language).
func (b builder) alternates() []link {
	if len(b.j.Locales) == 0 {
		return nil
	}
	var out []link
	for _, l := range b.j.Locales {
		g := b.f.InLocale(b.j, l)
		if g == b.f {
			continue
		}
		out = append(out, link{Rel: "alternate", Type: "application/atom+xml", HrefLang: l, Href: g.URL(b.opt.FeedBase)})
	}
	return out
}

// lang is the feed's xml:lang: its locale, or the default's when the jurisdiction lists any.
func (b builder) lang() string {
	if b.f.Locale != "" {
		return b.f.Locale
	}
	return b.j.DefaultLocale()
}
