package feed_test

import (
	"net/url"
	"testing"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/open311"
)

func TestPaths(t *testing.T) {
	const base = "https://d1234.cloudfront.net/"
	for _, c := range []struct {
		f          feed.Feed
		path, url_ string
	}{
		{feed.ForRequest("city.example.org", "100003"), "city.example.org/requests/100003.atom",
			"https://d1234.cloudfront.net/city.example.org/requests/100003.atom"},
		{feed.ForService("city.example.org", "street light:LED"), "city.example.org/services/street%20light:LED.atom",
			"https://d1234.cloudfront.net/city.example.org/services/street%20light:LED.atom"},
		{feed.ForJurisdiction("city.example.org"), "city.example.org/requests.atom",
			"https://d1234.cloudfront.net/city.example.org/requests.atom"},
		{feed.ForCell("city.example.org", "gcpuvp"), "city.example.org/areas/cells/gcpuvp.atom",
			"https://d1234.cloudfront.net/city.example.org/areas/cells/gcpuvp.atom"},
		{feed.ForArea("city.example.org", "ward-3"), "city.example.org/areas/ward-3.atom",
			"https://d1234.cloudfront.net/city.example.org/areas/ward-3.atom"},
		{feed.ForArea("city.example.org", "cells"), "city.example.org/areas/cells.atom",
			"https://d1234.cloudfront.net/city.example.org/areas/cells.atom"},
		{feed.ForRequest("Example City", "a/b?c#d%e"), "Example%20City/requests/a%2Fb%3Fc%23d%25e.atom",
			"https://d1234.cloudfront.net/Example%20City/requests/a%2Fb%3Fc%23d%25e.atom"},
	} {
		if got := c.f.Path(); got != c.path {
			t.Errorf("%+v: Path() = %q, want %q", c.f, got, c.path)
		}
		if got := c.f.URL(base); got != c.url_ {
			t.Errorf("%+v: URL() = %q, want %q", c.f, got, c.url_)
		}
		if _, err := url.Parse(c.f.URL(base)); err != nil {
			t.Errorf("%+v: URL does not parse: %v", c.f, err)
		}
		back, err := feed.ParsePath(c.f.Path())
		if err != nil || back != c.f {
			t.Errorf("ParsePath(%q) = %+v, %v; want %+v", c.f.Path(), back, err, c.f)
		}
	}
}

func TestParsePathRefusesOtherPaths(t *testing.T) {
	for _, p := range []string{"", "requests.atom", "city.example.org", "city.example.org/requests", "city.example.org/requests/",
		"city.example.org/requests/.atom", "city.example.org/requests/1.xml", "city.example.org/other/1.atom",
		"city.example.org/requests/a/b.atom", "/requests.atom", "a%zz/requests.atom", "a b/requests.atom",
		"city.example.org/areas/cells/gcpuv.atom", "city.example.org/areas/cells/gcpuva.atom", "city.example.org/areas/cells/.atom",
		"city.example.org/areas/.atom", "city.example.org/areas/a/b/c.atom"} {
		if f, err := feed.ParsePath(p); !open311.IsKind(err, open311.Invalid) {
			t.Errorf("ParsePath(%q) = %+v, %v; want Invalid", p, f, err)
		}
	}
}
