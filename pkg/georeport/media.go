package georeport

import (
	"strconv"

	"github.com/civicworks/open311/pkg/open311"
)

// Media is one photo of a request, as extended_attributes.media lists it: its URL and its
// preview's (null for a photo that is not served, and the preview's until it is made), its
// dimensions as it displays, and its content type.
type Media struct {
	URL         OptString `xml:"url" json:"url"`
	PreviewURL  OptString `xml:"preview_url" json:"preview_url"`
	Width       int       `xml:"width" json:"width"`
	Height      int       `xml:"height" json:"height"`
	ContentType string    `xml:"content_type" json:"content_type"`
}

// MediaList is a request's photos: in JSON a list, in XML <media><photo>...</photo></media>.
type MediaList struct {
	Photos []Media `xml:"photo"`
}

// MarshalJSON prints the photos as a list.
func (m MediaList) MarshalJSON() ([]byte, error) { return marshalJSON(nonNil(m.Photos)) }

// newMediaList shows a request's photos; nil when it has none.
func newMediaList(photos []open311.Photo) *MediaList {
	if len(photos) == 0 {
		return nil
	}
	return &MediaList{Photos: NewMedia(photos)}
}

// NewMedia shows a request's photos; nil when it has none.
func NewMedia(photos []open311.Photo) []Media {
	if len(photos) == 0 {
		return nil
	}
	out := make([]Media, 0, len(photos))
	for _, p := range photos {
		out = append(out, Media{URL: OptString(p.URL), PreviewURL: OptString(p.PreviewURL), Width: p.Width, Height: p.Height,
			ContentType: p.ContentType})
	}
	return out
}

// CreatedExtended is the extended_attributes of a POST's answer: the photos it stored.
type CreatedExtended struct {
	Media []Media `xml:"media>photo" json:"media"`
}

func appendMediaJSON(b []byte, media []Media) []byte {
	b = append(b, '[')
	for i, m := range media {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonOptString(jsonKey(append(b, '{'), "url", true), m.URL)
		b = jsonOptString(jsonKey(b, "preview_url", false), m.PreviewURL)
		b = strconv.AppendInt(jsonKey(b, "width", false), int64(m.Width), 10)
		b = strconv.AppendInt(jsonKey(b, "height", false), int64(m.Height), 10)
		b = jsonString(jsonKey(b, "content_type", false), m.ContentType)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendMediaXML(b []byte, media []Media) []byte {
	b = xmlOpen(b, "media")
	for _, m := range media {
		b = xmlOpen(b, "photo")
		b = xmlElem(b, "url", string(m.URL))
		b = xmlElem(b, "preview_url", string(m.PreviewURL))
		b = xmlElem(b, "width", strconv.Itoa(m.Width))
		b = xmlElem(b, "height", strconv.Itoa(m.Height))
		b = xmlElem(b, "content_type", m.ContentType)
		b = xmlClose(b, "photo")
	}
	return xmlClose(b, "media")
}
