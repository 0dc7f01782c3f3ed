package open311

import (
	"regexp"
	"slices"
	"strings"
)

// Translations of a catalog's texts, per locale (a BCP 47 tag of Jurisdiction.Locales). Only
// people-facing texts are translated; codes, keys and ids never change with the language. A
// text with no translation in a locale is shown in the jurisdiction's default language (its
// first locale), never empty.

// ServiceText is a service's texts in one locale; empty fields keep the default text.
type ServiceText struct {
	Name        string   `json:"service_name,omitempty"`
	Description string   `json:"description,omitempty"`
	Notice      string   `json:"notice,omitempty"`
	Group       string   `json:"group,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

// AttributeText is an attribute's texts in one locale: its description, its datatype's, and the
// names of its list values by key.
type AttributeText struct {
	Description         string            `json:"description,omitempty"`
	DatatypeDescription string            `json:"datatype_description,omitempty"`
	Values              map[string]string `json:"values,omitempty"`
}

// SchemeText is an address scheme's name and description in one locale.
type SchemeText struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// DefaultLocale is the jurisdiction's default language (its first locale), "" when it lists none.
func (j Jurisdiction) DefaultLocale() string {
	if len(j.Locales) == 0 {
		return ""
	}
	return j.Locales[0]
}

// ChooseLocale picks, of the jurisdiction's locales, the first that the preferences (BCP 47
// tags, most wanted first) ask for: a tag matches a locale equal to it, or else its shorter
// forms do ("es-MX" matches "es-MX", then "es"; case aside). None matching, the default; ""
// for a jurisdiction without locales.
func (j Jurisdiction) ChooseLocale(prefs []string) string {
	for _, p := range prefs {
		for tag := strings.TrimSpace(p); tag != ""; {
			for _, l := range j.Locales {
				if strings.EqualFold(l, tag) {
					return l
				}
			}
			i := strings.LastIndexByte(tag, '-')
			if i < 0 {
				break
			}
			tag = tag[:i]
		}
	}
	return j.DefaultLocale()
}

// In returns the service with its texts in locale, each falling back to the default text
// where it has no translation (the service itself for the default locale or "").
func (s Service) In(locale string) Service {
	t, ok := s.Translations[locale]
	if locale == "" || (!ok && !s.attributesTranslated(locale)) {
		return s
	}
	s.Name = cmpOr(t.Name, s.Name)
	s.Description = cmpOr(t.Description, s.Description)
	s.Notice = cmpOr(t.Notice, s.Notice)
	s.Group = cmpOr(t.Group, s.Group)
	if len(t.Keywords) > 0 {
		s.Keywords = t.Keywords
	}
	attrs := make([]Attribute, len(s.Attributes))
	for i, a := range s.Attributes {
		if at, ok := a.Translations[locale]; ok {
			a.Description = cmpOr(at.Description, a.Description)
			a.DatatypeDescription = cmpOr(at.DatatypeDescription, a.DatatypeDescription)
			if len(at.Values) > 0 {
				values := make([]AttributeValue, len(a.Values))
				for k, v := range a.Values {
					v.Name = cmpOr(at.Values[v.Key], v.Name)
					values[k] = v
				}
				a.Values = values
			}
		}
		attrs[i] = a
	}
	s.Attributes = attrs
	return s
}

func (s Service) attributesTranslated(locale string) bool {
	return slices.ContainsFunc(s.Attributes, func(a Attribute) bool { _, ok := a.Translations[locale]; return ok })
}

// In returns the scheme with its name and description in locale (falling back to the default).
func (s *AddressScheme) In(locale string) *AddressScheme {
	if s == nil {
		return nil
	}
	t, ok := s.Translations[locale]
	if !ok {
		return s
	}
	c := *s
	c.Name, c.Description = cmpOr(t.Name, s.Name), cmpOr(t.Description, s.Description)
	return &c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// localeRE is the shape of the BCP 47 tags a catalog may list: a language of 2 or 3 letters,
// then subtags (script, region, variant) of 1 to 8 letters or digits.
var localeRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// validateLocales checks a jurisdiction's locales and every translation of its catalog: a
// locale listed, of a text the default language has.
func validateLocales(p *Problems, j Jurisdiction, services []Service) {
	known := map[string]bool{}
	for _, l := range j.Locales {
		switch {
		case !localeRE.MatchString(l):
			p.Add("jurisdiction %s: locale %q is not a language tag (BCP 47: \"en\", \"es-MX\")", j.ID, l)
		case known[strings.ToLower(l)]:
			p.Add("jurisdiction %s: locale %q is listed twice", j.ID, l)
		}
		known[strings.ToLower(l)] = true
	}
	listed := func(where, l string) bool {
		if !known[strings.ToLower(l)] {
			if len(j.Locales) == 0 {
				p.Add("%s: a translation into %q, but jurisdiction %s lists no locales", where, l, j.ID)
			} else {
				p.Add("%s: a translation into %q, which is not one of jurisdiction %s's locales %v", where, l, j.ID, j.Locales)
			}
			return false
		}
		return true
	}
	missing := func(where, field, l string, has bool, text string) {
		if text != "" && !has {
			p.Add("%s: a %s in %q, but the service has none to translate", where, field, l)
		}
	}
	if s := j.AddressScheme; s != nil {
		for _, l := range sortedKeys(s.Translations) {
			if listed("jurisdiction "+j.ID+"'s address scheme", l) {
				t := s.Translations[l]
				if t.Description != "" && s.Description == "" {
					p.Add("jurisdiction %s's address scheme: a description in %q, but the scheme has none to translate", j.ID, l)
				}
			}
		}
	}
	for _, s := range services {
		where := "service " + quote(s.Code)
		for _, l := range sortedKeys(s.Translations) {
			if !listed(where, l) {
				continue
			}
			t := s.Translations[l]
			missing(where, "description", l, s.Description != "", t.Description)
			missing(where, "notice", l, s.Notice != "", t.Notice)
			missing(where, "group", l, s.Group != "", t.Group)
			missing(where, "service_name", l, s.Name != "", t.Name)
		}
		for _, a := range s.Attributes {
			aw := where + " attribute " + quote(a.Code)
			for _, l := range sortedKeys(a.Translations) {
				if !listed(aw, l) {
					continue
				}
				t := a.Translations[l]
				missing(aw, "description", l, a.Description != "", t.Description)
				missing(aw, "datatype_description", l, a.DatatypeDescription != "", t.DatatypeDescription)
				for _, k := range sortedKeys(t.Values) {
					if !a.HasKey(k) {
						p.Add("%s: a name in %q for the value %q, which the attribute does not have", aw, l, k)
					}
				}
			}
		}
	}
}

func quote(s string) string { return `"` + s + `"` }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
