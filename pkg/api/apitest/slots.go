package apitest

import (
	"time"

	"github.com/civicworks/open311/pkg/photo/phototest"
)

// SlotCase is a golden exchange of the upload slots' flow (POST /media, then reports naming
// slots by media_id).
type SlotCase struct {
	Case
	// Uploads are put, before the case is sent, in the slots they name (slot id to bytes), as
	// the client's POST of the slot's form puts them.
	Uploads map[string][]byte
	// Later moves the world's clock on by that much before the case is sent (and for every
	// later case).
	Later time.Duration
}

// SlotCredentials are the access key and secret the slot world signs its forms with, in
// SlotRegion for SlotBucket.
const (
	SlotAccessKey = "AKIDEXAMPLE"
	SlotSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	SlotRegion    = "us-east-1"
	SlotBucket    = "open311-feeds-example"
)

// SlotID is the prefix of the slot world's slot ids (Seq(SlotID): SLOT0001, SLOT0002, ...).
const SlotID = "SLOT"

// slotPost is a POST /media of the reporter, with more form fields.
func slotPost(name, format, body string) Case {
	b := "api_key=" + ReporterKey
	if body != "" {
		b += "&" + body
	}
	return Case{Name: name, Method: "POST", Path: "/media." + format, ContentType: form, Body: b}
}

// slotReport is a report of a fallen tree naming slots, with more form fields.
func slotReport(name, format, more string) Case {
	return Case{Name: name, Method: "POST", Path: "/requests." + format, ContentType: form,
		Body: "api_key=" + ReporterKey + "&service_code=tree&lat=40.7128&long=-74.0060&description=Branch+across+the+path&" + more}
}

var bigJPEG = phototest.JPEG(1600, 1200, 6) // a phone's photo held sideways, with camera and GPS EXIF

// SlotCases are the golden exchanges of upload slots, run in order against one freshly seeded
// world whose slot forms are S3's (package slot, signed with SlotCredentials at the world's
// clock), its uploads and photos in folders. Every error stores no request and no photo.
var SlotCases = []SlotCase{
	{Case: slotPost("slot-post.json", "json", "")},                       // SLOT0001, a JPEG
	{Case: slotPost("slot-post.xml", "xml", "content_type=image%2Fpng")}, // SLOT0002, a PNG
	{Case: slotPost("slot-post-bad-type.json", "json", "content_type=image%2Fheic")},
	{Case: slotPost("slot-post-bad-type.xml", "xml", "content_type=image%2Fsvg%2Bxml")},
	{Case: Case{Name: "slot-post-no-key.xml", Method: "POST", Path: "/media.xml", ContentType: form, Body: "content_type=image%2Fjpeg"}},
	{Case: Case{Name: "slot-post-no-key.json", Method: "POST", Path: "/media.json", ContentType: form, Body: "jurisdiction_id=city.example.org"}},
	{Case: Case{Name: "slot-post-bad-key.json", Method: "POST", Path: "/media.json", ContentType: form, Body: "api_key=nope"}},
	{Case: Case{Name: "slot-post-bad-key.xml", Method: "POST", Path: "/media.xml", ContentType: form, Body: "api_key=" + RevokedKey}},

	{Case: withHeader(withID(slotReport("slot-report.json", "json", "media_id=SLOT0001"), "40000001"), "Idempotency-Key", "slot-report-1"),
		Uploads: map[string][]byte{"SLOT0001": bigJPEG}},
	// The same POST again (a lost answer retried): the same request, not "already used".
	{Case: withHeader(slotReport("slot-report-retry.json", "json", "media_id=SLOT0001"), "Idempotency-Key", "slot-report-1")},
	{Case: slotReport("slot-report-used.xml", "xml", "media_id=SLOT0001")},
	{Case: slotReport("slot-report-used.json", "json", "media_id=SLOT0001")},
	{Case: slotReport("slot-report-unknown.json", "json", "media_id=NOSUCHSLOT")},
	{Case: slotReport("slot-report-unknown.xml", "xml", "media_id=slot0001")}, // ids are case-sensitive
	{Case: Case{Name: "slot-report-other-key.json", Method: "POST", Path: "/requests.json", ContentType: form,
		Body: "api_key=" + NosyKey + "&service_code=tree&lat=40.7128&long=-74.0060&media_id=SLOT0002"}},
	{Case: Case{Name: "slot-report-other-key.xml", Method: "POST", Path: "/requests.xml", ContentType: form,
		Body: "api_key=" + StaffKey + "&service_code=tree&lat=40.7128&long=-74.0060&media_id=SLOT0002"}},
	{Case: slotReport("slot-report-nothing-uploaded.xml", "xml", "media_id=SLOT0002")},
	{Case: slotReport("slot-report-nothing-uploaded.json", "json", "media_id=SLOT0002")},
	{Case: slotReport("slot-report-twice.json", "json", "media_id=SLOT0002&media_id=SLOT0002")},
	{Case: slotReport("slot-report-twice.xml", "xml", "media_id=SLOT0002&media_id%5B%5D=SLOT0002")},
	{Case: slotPost("slot-post-3.json", "json", "")}, // SLOT0003
	{Case: slotReport("slot-report-not-an-image.json", "json", "media_id=SLOT0003"),
		Uploads: map[string][]byte{"SLOT0003": []byte("these are my notes, not a picture")}},
	{Case: slotReport("slot-report-not-an-image.xml", "xml", "media_id=SLOT0003"),
		Uploads: map[string][]byte{"SLOT0003": []byte("<html><body>GIF89a</body></html>")}},
	{Case: slotReport("slot-report-declared-type-lies.xml", "xml", "media_id=SLOT0002"),
		Uploads: map[string][]byte{"SLOT0002": bigJPEG}},
	{Case: slotReport("slot-report-declared-type-lies.json", "json", "media_id=SLOT0002"),
		Uploads: map[string][]byte{"SLOT0002": photoJPEG}},
	{Case: slotPost("slot-post-4.json", "json", "content_type=image%2Fpng")}, // SLOT0004
	// A photo in the body and two slots: three photos, in that order.
	{Case: withID(Case{Name: "slot-report-several.json", Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(field("api_key", ReporterKey), field("service_code", "tree"), field("lat", "40.7128"), field("long", "-74.0060"),
			file("media", "small.png", "image/png", photoPNG), field("media_id", "SLOT0004"), field("media_id[]", "SLOT0003"))}, "40000002"),
		Uploads: map[string][]byte{"SLOT0004": phototest.PNG(900, 700), "SLOT0003": photoJPEG}},
	{Case: slotReport("slot-report-too-many.json", "json", "media_id=A&media_id=B&media_id=C&media_id=D&media_id=E&media_id=F")},
	{Case: slotReport("slot-report-too-many.xml", "xml", "media_id=A&media_id=B&media_id=C&media_id=D&media_id=E&media_id=F")},
	{Case: slotPost("slot-post-5.xml", "xml", "")}, // SLOT0005, named after it expired
	{Case: slotReport("slot-report-expired.xml", "xml", "media_id=SLOT0005"), Uploads: map[string][]byte{"SLOT0005": photoJPEG},
		Later: 61 * time.Minute},
	{Case: slotReport("slot-report-expired.json", "json", "media_id=SLOT0005")},
}

func withHeader(c Case, k, v string) Case {
	c.Header = map[string]string{k: v}
	return c
}

// SlotIDs returns the ids of the requests the slot cases create, in order.
func SlotIDs() []string {
	var ids []string
	for _, c := range SlotCases {
		if c.ID != "" {
			ids = append(ids, c.ID)
		}
	}
	return ids
}
