package apitest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/url"
	"slices"
	"strings"

	"github.com/civicworks/open311/pkg/photo"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// MediaBase is the base URL the photo cases' photos are served from.
const MediaBase = "https://cdn.city.example.org"

// part is one part of a multipart body: a field, or a file when filename or contentType is set.
type part struct{ name, filename, contentType, body string }

func field(name, value string) part { return part{name: name, body: value} }

func file(name, filename, contentType string, body []byte) part {
	return part{name: name, filename: filename, contentType: contentType, body: string(body)}
}

// multipartParts is a multipart/form-data body of the parts, in order.
func multipartParts(parts ...part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--BOUNDARY\r\nContent-Disposition: form-data; name=\"" + p.name + "\"")
		if p.filename != "" {
			b.WriteString("; filename=\"" + p.filename + "\"")
		}
		b.WriteString("\r\n")
		if p.contentType != "" {
			b.WriteString("Content-Type: " + p.contentType + "\r\n")
		}
		b.WriteString("\r\n" + p.body + "\r\n")
	}
	b.WriteString("--BOUNDARY--\r\n")
	return b.String()
}

// report is a POST of a tree report with photos, as a phone's app sends it.
func report(name, format string, photos ...part) Case {
	parts := []part{field("api_key", ReporterKey), field("service_code", "tree"), field("lat", "40.7128"), field("long", "-74.0060"),
		field("description", "Branch across the path")}
	return Case{Name: name, Method: "POST", Path: "/requests." + format, ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(append(parts, photos...)...)}
}

// bombPNG is a PNG whose header says 100000×100000 pixels: 40 GB once decoded.
func bombPNG() []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"IHDR", ihdr}, {"IDAT", []byte("x\x9c\x03\x00\x00\x00\x00\x01")}, {"IEND", nil}} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(c.data)))
		start := len(out)
		out = append(out, c.typ...)
		out = append(out, c.data...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
	}
	return out
}

// corruptPNG is a PNG whose image data fails its checksum.
func corruptPNG() []byte {
	b := phototest.PNG(20, 20)
	i := bytes.Index(b, []byte("IDAT"))
	b[i+6] ^= 0xFF
	return b
}

var (
	photoJPEG = phototest.JPEG(800, 600, 6) // a phone's photo held sideways, with camera and GPS EXIF
	photoPNG  = phototest.PNG(40, 30)
)

// RemovedPhoto is the name of the photo photo-remove.json takes off request 30000003: the
// third of photo-post-several.json's, which no other case sends.
var RemovedPhoto = mustClean(phototest.JPEG(64, 48, 1)).Name()

func mustClean(b []byte) photo.Photo {
	p, err := photo.Clean(b)
	if err != nil {
		panic(err)
	}
	return p
}

// PhotoCases are the golden exchanges of reports with photos, run in order against one freshly
// seeded world whose photos are stored in a folder and served from MediaBase. Every error
// stores no request and no photo.
var PhotoCases = []Case{
	withID(report("photo-post.json", "json", file("media", "IMG_0001.JPG", "image/jpeg", photoJPEG)), "30000001"),
	withID(report("photo-post.xml", "xml", file("media", "IMG_0001.JPG", "image/jpeg", photoJPEG)), "30000002"),
	withID(report("photo-post-several.json", "json", file("media[]", "a.jpg", "application/octet-stream", photoJPEG),
		file("media[]", "b.png", "image/png", photoPNG), file("media[]", "c.jpg", "image/jpeg", phototest.JPEG(64, 48, 1))), "30000003"),
	withID(report("photo-post-several.xml", "xml", file("media", "b.png", "image/png", photoPNG),
		file("media", "a", "", photoJPEG)), "30000004"),
	{Name: "photo-request.json", Path: "/requests/30000003.json?extensions=true"},
	{Name: "photo-request.xml", Path: "/requests/30000004.xml?extensions=true"},
	// Staff take the third photo of 30000003 off it (by its name; its URL works too).
	staff("photo-remove.json", "/requests/30000003.json", "remove_photo="+RemovedPhoto+"&comment=It+shows+a+neighbour%27s+face"),
	staff("photo-remove-unknown.xml", "/requests/30000004.xml", "remove_photo="+RemovedPhoto),
	reporter("photo-remove-reporter.json", "/requests/30000004.json", "remove_photo="+MediaBase+"/media/"+RemovedPhoto),
	{Name: "photo-post-private.json", ID: "30000005", Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(field("api_key", ReporterKey), field("service_code", "code-concern"), field("address_string", "9 Oak St"),
			file("media", "wiring.jpg", "image/jpeg", photoJPEG))},

	report("photo-not-an-image.json", "json", file("media", "notes.jpg", "image/jpeg", []byte("these are my notes, not a picture"))),
	report("photo-not-an-image.xml", "xml", file("media", "page.html", "text/html", []byte("<html><body>GIF89a</body></html>"))),
	report("photo-declared-type-lies.json", "json", file("media", "a.png", "image/png", photoJPEG)),
	report("photo-declared-type-lies.xml", "xml", file("media", "a.heic", "image/heic", photoPNG)),
	report("photo-corrupt.json", "json", file("media", "a.png", "image/png", corruptPNG())),
	report("photo-corrupt.xml", "xml", file("media", "a.png", "image/png", corruptPNG())),
	report("photo-truncated.json", "json", file("media", "a.jpg", "image/jpeg", photoJPEG[:len(photoJPEG)*2/3])),
	report("photo-truncated.xml", "xml", file("media", "a.jpg", "image/jpeg", photoJPEG[:len(photoJPEG)*2/3])),
	report("photo-bomb.json", "json", file("media", "huge.png", "image/png", bombPNG())),
	report("photo-bomb.xml", "xml", file("media", "huge.png", "image/png", bombPNG())),
	report("photo-empty.json", "json", file("media", "a.jpg", "image/jpeg", nil)),
	report("photo-empty.xml", "xml", file("media", "a.jpg", "image/jpeg", nil)),
	report("photo-too-many.json", "json", file("media[]", "1.png", "image/png", photoPNG), file("media[]", "2.png", "image/png", photoPNG),
		file("media[]", "3.png", "image/png", photoPNG), file("media[]", "4.png", "image/png", photoPNG),
		file("media[]", "5.png", "image/png", photoPNG), file("media[]", "6.png", "image/png", photoPNG)),
	report("photo-too-many.xml", "xml", file("media", "1.png", "image/png", photoPNG), file("media", "2.png", "image/png", photoPNG),
		file("media", "3.png", "image/png", photoPNG), file("media", "4.png", "image/png", photoPNG),
		file("media", "5.png", "image/png", photoPNG), file("media", "6.png", "image/png", photoPNG)),
	report("photo-too-large.json", "json", file("media", "big.jpg", "image/jpeg", bytes.Repeat([]byte{0xFF}, 4<<20))),
	report("photo-too-large.xml", "xml", file("media", "big.jpg", "image/jpeg", bytes.Repeat([]byte{0xFF}, 4<<20))),
	report("photo-other-file-field.json", "json", file("picture", "a.jpg", "image/jpeg", photoJPEG)),
	// Staff take the private report's photo off it: its object under private-media/ goes.
	staff("photo-remove-private.json", "/requests/30000005.json", "remove_photo="+mustClean(photoJPEG).Name()),
	{Name: "photo-invalid-report.xml", Method: "POST", Path: "/requests.xml", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(field("api_key", ReporterKey), field("service_code", "tree"), file("media", "a.jpg", "image/jpeg", photoJPEG))},
	{Name: "photo-no-key.json", Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(field("service_code", "tree"), field("lat", "40.71"), field("long", "-74.01"), file("media", "a.jpg", "image/jpeg", photoJPEG))},

	// Photos with a comment (the staff interface) and with a FixMyStreet update: the same parts,
	// checks and cleaning as a report's, added to the request's photos.
	withPhotos(staff("photo-update.json", "/requests/30000001.json", "comment=Crew+on+site"),
		file("media", "site.jpg", "image/jpeg", updateJPEG)),
	withPhotos(reporter("photo-update-several.xml", "/requests/30000002.xml", "comment=It+is+getting+worse"),
		file("media[]", "1.png", "image/png", updatePNG), file("media[]", "2.jpg", "application/octet-stream", updateJPEG)),
	{Name: "photo-update-request.json", Path: "/requests/30000001.json?extensions=true"},
	withPhotos(reporter("photo-update-fms.json", "/servicerequestupdates.json",
		"service_request_id=30000001&update_id=fms-photo-1&status=OPEN&description=Still+there&updated_datetime=2026-11-02T14%3A00%3A00Z"),
		file("media", "fms.png", "image/png", fmsPNG)),
	withPhotos(staff("photo-update-fms.xml", "/servicerequestupdates.xml",
		"service_request_id=30000002&update_id=fms-photo-2&status=IN_PROGRESS&description=Crew+sent&updated_datetime=2026-11-02T14%3A00%3A00Z"),
		file("media", "fms.png", "image/png", fmsPNG), file("media", "site.jpg", "image/jpeg", updateJPEG)),
	{Name: "photo-update-fms-updates.json", Path: "/servicerequestupdates.json?start_date=2026-11-02T15%3A00%3A00Z&end_date=2026-11-03T00%3A00%3A00Z"},
	// A private request's photo is stored where nothing serves it.
	withPhotos(staff("photo-update-private.json", "/requests/30000005.json", "comment=Wiring+photographed"),
		file("media", "panel.png", "image/png", privatePNG)),

	withPhotos(staff("photo-update-not-an-image.json", "/requests/30000001.json", "comment=See+attached"),
		file("media", "notes.jpg", "image/jpeg", []byte("these are my notes, not a picture"))),
	withPhotos(reporter("photo-update-not-an-image.xml", "/servicerequestupdates.xml", "service_request_id=30000001&description=See+attached"),
		file("media", "fine.png", "image/png", errorPNG), file("media", "page.html", "text/html", []byte("<html><body>GIF89a</body></html>"))),
	withPhotos(staff("photo-update-too-many.json", "/requests/30000001.json", "comment=Six"), sixPhotos("media[]")...),
	withPhotos(reporter("photo-update-too-many.xml", "/servicerequestupdates.xml", "service_request_id=30000001&description=Six"), sixPhotos("media")...),
	withPhotos(Case{Name: "photo-update-other-jurisdiction.json", Method: "POST", Path: "/requests/30000001.json", ContentType: form,
		Body: "api_key=" + OtherStaffKey + "&jurisdiction_id=town.example.net&comment=Ours"}, file("media", "a.png", "image/png", errorPNG)),
	withPhotos(Case{Name: "photo-update-other-jurisdiction.xml", Method: "POST", Path: "/servicerequestupdates.xml", ContentType: form,
		Body: "api_key=" + OtherKey + "&service_request_id=30000001&description=Ours"}, file("media", "a.png", "image/png", errorPNG)),
	withPhotos(reporter("photo-update-reporter-private.json", "/requests/30000005.json", "comment=Mine"), file("media", "a.png", "image/png", errorPNG)),
	withPhotos(staff("photo-update-unknown.xml", "/requests/99999999.xml", "comment=Where"), file("media", "a.png", "image/png", errorPNG)),
	// Refused by the write once the photos were stored: they are removed again.
	withPhotos(staff("photo-update-illegal-transition.json", "/requests/30000001.json", "status=submitted&comment=Back"),
		file("media", "a.png", "image/png", errorPNG)),
	withPhotos(staff("photo-update-fms-illegal.xml", "/servicerequestupdates.xml",
		"service_request_id=30000002&update_id=fms-photo-3&status=OPEN&description=Reopen"), file("media", "a.png", "image/png", errorPNG)),
	// FixMyStreet's staff on the private request: its photo is stored privately; refused by
	// the write (a description too long), the photo stored for it is removed again.
	withPhotos(staff("photo-update-fms-private.json", "/servicerequestupdates.json",
		"service_request_id=30000005&update_id=fms-photo-4&status=INVESTIGATING&description=Inspector+booked"),
		file("media", "meter.png", "image/png", fmsPrivatePNG)),
	withPhotos(staff("photo-update-fms-private-too-long.json", "/servicerequestupdates.json",
		"service_request_id=30000005&description="+strings.Repeat("x", 4001)), file("media", "a.png", "image/png", errorPNG)),
	staff("photo-update-media-id.json", "/requests/30000001.json", "comment=Uploaded&media_id=ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
	withPhotos(staff("photo-update-too-large.json", "/requests/30000001.json", "comment=Big"),
		file("media", "big.jpg", "image/jpeg", bytes.Repeat([]byte{0xFF}, 4<<20))),
}

// The photos of the update cases, none of them sent by a report case.
var (
	updateJPEG    = phototest.JPEG(320, 240, 1)
	updatePNG     = phototest.PNG(24, 18)
	fmsPNG        = phototest.PNG(36, 12)
	privatePNG    = phototest.PNG(12, 36)
	fmsPrivatePNG = phototest.PNG(14, 30)
	errorPNG      = phototest.PNG(8, 8) // refused with its update, so never stored
)

// UpdatePrivatePhotos are the names of the photos photo-update-private.json and
// photo-update-fms-private.json add to the private request 30000005, sorted: the private
// photos left once every photo case has run.
var UpdatePrivatePhotos = sorted(mustClean(privatePNG).Name(), mustClean(fmsPrivatePNG).Name())

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// withPhotos makes a form case multipart, its fields first and then the photo parts.
func withPhotos(c Case, photos ...part) Case {
	var parts []part
	for _, kv := range strings.Split(c.Body, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		parts = append(parts, field(k, v))
	}
	c.ContentType, c.Body = "multipart/form-data; boundary=BOUNDARY", multipartParts(append(parts, photos...)...)
	return c
}

// sixPhotos are six PNG parts of the name: one too many.
func sixPhotos(name string) []part {
	var out []part
	for i := range 6 {
		out = append(out, file(name, fmt.Sprintf("%d.png", i+1), "image/png", errorPNG))
	}
	return out
}

func withID(c Case, id string) Case {
	c.ID = id
	return c
}

// PhotoIDs returns the ids of the requests the photo cases create, in order.
func PhotoIDs() []string {
	var ids []string
	for _, c := range PhotoCases {
		if c.ID != "" {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// PhotoReport is a multipart POST of a report of the service with one JPEG photo (none when
// jpeg is nil): of a public service (tree) at a point, or of a private one (code-concern) at an
// address.
func PhotoReport(service string, jpeg []byte) Case {
	parts := []part{field("api_key", ReporterKey), field("service_code", service), field("lat", "40.7128"), field("long", "-74.0060"),
		field("address_string", "9 Oak St")}
	if jpeg != nil {
		parts = append(parts, file("media", "photo.jpg", "image/jpeg", jpeg))
	}
	return Case{Name: "photo-report-" + service, Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartParts(parts...)}
}

// PhotoURLs reads the photo URLs (extended_attributes.media's url) of a POST's answer in either
// format.
func PhotoURLs(body []byte) ([]string, error) {
	var urls []string
	if bytes.HasPrefix(body, []byte("[")) {
		var doc []struct {
			Extended struct {
				Media []struct {
					URL string `json:"url"`
				} `json:"media"`
			} `json:"extended_attributes"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("read the photo URLs: %w", err)
		}
		for _, r := range doc {
			for _, m := range r.Extended.Media {
				urls = append(urls, m.URL)
			}
		}
		return urls, nil
	}
	for _, s := range strings.Split(string(body), "<url>")[1:] {
		u, _, _ := strings.Cut(s, "</url>")
		urls = append(urls, u)
	}
	return urls, nil
}
