package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// The XML namespaces of the documents.
const (
	atomNS   = "http://www.w3.org/2005/Atom"
	georssNS = "http://www.georss.org/georss"
)

// ContentType is the media type feeds are served with.
const ContentType = "application/atom+xml; charset=utf-8"

// CacheControl is the Cache-Control feeds are served with: short, since a feed changes with
// every activity and the CDN should not hide a change for long.
const CacheControl = "public, max-age=60"

// document is an Atom feed document (RFC 4287 section 4.1.1) with GeoRSS-Simple points.
type document struct {
	XMLName  xml.Name `xml:"feed"`
	Xmlns    string   `xml:"xmlns,attr"`
	Georss   string   `xml:"xmlns:georss,attr"`
	Lang     string   `xml:"xml:lang,attr,omitempty"`
	ID       string   `xml:"id"`
	Title    text     `xml:"title"`
	Subtitle *text    `xml:"subtitle,omitempty"`
	Updated  string   `xml:"updated"`
	Author   person   `xml:"author"`
	Links    []link   `xml:"link"`
	Point    string   `xml:"georss:point,omitempty"`
	Entries  []entry  `xml:"entry"`
}

// entry is an Atom entry: one activity of a request.
type entry struct {
	ID         string     `xml:"id"`
	Title      text       `xml:"title"`
	Updated    string     `xml:"updated"`
	Published  string     `xml:"published"`
	Author     *person    `xml:"author,omitempty"`
	Links      []link     `xml:"link"`
	Categories []category `xml:"category"`
	Summary    *text      `xml:"summary,omitempty"`
	Content    *text      `xml:"content,omitempty"`
	Point      string     `xml:"georss:point,omitempty"`
}

type person struct {
	Name text `xml:"name"`
}

type link struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
	Length   int64  `xml:"length,attr,omitempty"`
}

type category struct {
	Term string `xml:"term,attr"`
}

// text is an Atom text construct of type "text" (the default, so the attribute is left out):
// plain text, escaped by escapeText so that the files stay readable.
type text struct {
	Body string `xml:",innerxml"`
}

// plain returns the text construct holding s.
func plain(s string) text { return text{Body: escapeText(s)} }

// plainPtr is plain for optional elements: nil for empty text.
func plainPtr(s string) *text {
	if s == "" {
		return nil
	}
	t := plain(s)
	return &t
}

// escapeText escapes s as XML character data: the three markup characters as entities, a
// carriage return as a character reference (a parser would fold it), and characters XML cannot
// carry (control characters, invalid UTF-8) as U+FFFD. Quotes stay as they are, unlike
// encoding/xml's escaping, since they are harmless outside attributes.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r)
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// render writes the document with its XML declaration, indented, ending in a newline.
func (d document) render() ([]byte, error) {
	d.Xmlns, d.Georss = atomNS, georssNS
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode atom feed %s: %w", d.ID, err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
