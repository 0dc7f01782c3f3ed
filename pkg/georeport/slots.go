package georeport

import (
	"encoding/xml"
	"time"
)

// MediaSlots is the answer to POST /media: one upload slot, a list of one as a POST's answer
// is (<media_slots><media_slot>, in JSON a top-level array).
type MediaSlots struct {
	XMLName xml.Name    `xml:"media_slots" json:"-"`
	Slots   []MediaSlot `xml:"media_slot"`
}

func (m MediaSlots) list() any { return nonNil(m.Slots) }

// MediaSlot is an upload slot: the media_id a report names it by and until when, and the form
// that uploads the photo (a multipart/form-data POST to upload_url of the fields, in order, and
// the photo last as the part "file"), of at most max_bytes, until upload_expires_datetime.
type MediaSlot struct {
	MediaID               string     `xml:"media_id" json:"media_id"`
	ExpiresDatetime       OptTime    `xml:"expires_datetime" json:"expires_datetime"`
	UploadURL             string     `xml:"upload_url" json:"upload_url"`
	UploadExpiresDatetime OptTime    `xml:"upload_expires_datetime" json:"upload_expires_datetime"`
	MaxBytes              int64      `xml:"max_bytes" json:"max_bytes"`
	ContentType           string     `xml:"content_type" json:"content_type"`
	Fields                FormFields `xml:"fields" json:"fields"`
}

// FormFields are the fields of an upload form, in order: in XML
// <fields><field><name/><value/></field></fields>, in JSON an object of name to value (in the
// same order), as S3's SDKs give a presigned POST's fields.
type FormFields struct {
	Fields []FormField `xml:"field"`
}

// FormField is one field of an upload form.
type FormField struct {
	Name  string `xml:"name"`
	Value string `xml:"value"`
}

// MarshalJSON prints the fields as an object, in their order.
func (f FormFields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, fl := range f.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := marshalString(fl.Name)
		if err != nil {
			return nil, err
		}
		v, err := marshalString(fl.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// NewMediaSlot shows a slot, its times in the jurisdiction's zone.
func NewMediaSlot(id string, expires time.Time, url string, uploadExpires time.Time, maxBytes int64, contentType string,
	fields []FormField, loc *time.Location) MediaSlot {
	return MediaSlot{MediaID: id, ExpiresDatetime: inZone(expires, loc), UploadURL: url, UploadExpiresDatetime: inZone(uploadExpires, loc),
		MaxBytes: maxBytes, ContentType: contentType, Fields: FormFields{Fields: fields}}
}
