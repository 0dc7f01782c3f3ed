package georeport

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestSplitFormat(t *testing.T) {
	for in, want := range map[string]struct {
		base string
		f    Format
		ok   bool
	}{
		"638344.json":    {"638344", JSON, true},
		"a.b.xml":        {"a.b", XML, true},
		"sign: bent.xml": {"sign: bent", XML, true},
		".json":          {"", XML, false},
		"638344":         {"", XML, false},
		"638344.html":    {"", XML, false},
	} {
		base, f, ok := SplitFormat(in)
		if base != want.base || f != want.f || ok != want.ok {
			t.Errorf("SplitFormat(%q) = %q %v %v, want %+v", in, base, f, ok, want)
		}
	}
}

func TestSubmissionAttributes(t *testing.T) {
	v, err := url.ParseQuery("service_code=x&attribute[a]=1&attribute[b][]=2&attribute[b][]=3&attribute[]=bad&attribute[c=bad&email=&lat=+1+")
	if err != nil {
		t.Fatal(err)
	}
	s := Submission(v)
	want := map[string][]string{"a": {"1"}, "b": {"2", "3"}}
	if !reflect.DeepEqual(s.Attributes, want) {
		t.Errorf("attributes %v, want %v", s.Attributes, want)
	}
	if s.Lat != "1" || s.Reporter.Email != "" || s.ServiceCode != "x" {
		t.Errorf("fields %+v", s)
	}
}

func TestOptionalValues(t *testing.T) {
	type doc struct {
		S OptString `xml:"s" json:"s"`
		F OptFloat  `xml:"f" json:"f"`
		T OptTime   `xml:"t" json:"t"`
	}
	empty, _ := Marshal(JSON, doc{})
	if got := string(empty); got != "{\"s\":null,\"f\":null,\"t\":null}\n" {
		t.Errorf("empty JSON %s", got)
	}
	loc := time.FixedZone("", -5*3600)
	full := doc{S: "<a & b>", F: OptFloat{-74.006, true}, T: OptTime{time.Date(2026, 1, 2, 3, 4, 5, 6, loc)}}
	j, _ := Marshal(JSON, full)
	if got := string(j); got != "{\"s\":\"<a & b>\",\"f\":-74.006,\"t\":\"2026-01-02T03:04:05-05:00\"}\n" {
		t.Errorf("JSON %s", got)
	}
	x, _ := Marshal(XML, full)
	if got := string(x); got != "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<doc><s>&lt;a &amp; b&gt;</s><f>-74.006</f><t>2026-01-02T03:04:05-05:00</t></doc>\n" {
		t.Errorf("XML %s", got)
	}
}
