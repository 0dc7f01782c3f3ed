package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// slotFlowIDs are the ids of the requests runSlotFlow creates, after the photo cases'.
var slotFlowIDs = []string{"40000101"}

// slotAnswer is what the test reads of POST /media.json's answer.
type slotAnswer struct {
	MediaID   string            `json:"media_id"`
	UploadURL string            `json:"upload_url"`
	MaxBytes  int64             `json:"max_bytes"`
	Fields    map[string]string `json:"fields"`
}

// runSlotFlow is the slot flow under the emulator against moto: post-media hands out a slot
// whose form is S3's presigned POST; the test posts a phone's 12-megapixel-class photo (EXIF
// with GPS and camera) to it as a browser would (a multipart POST straight to S3, not through
// the API); post-request, given the media_id, stores the photo cleaned under media/ and
// deletes the upload; the same media_id on another report is 409, and a slot's upload that is
// not an image is refused and deleted.
func runSlotFlow(t *testing.T, w *world) {
	ctx := context.Background()
	slotOf := func(t *testing.T) (slotAnswer, media.UploadForm) {
		t.Helper()
		c := apitest.Case{Name: "slot", Method: "POST", Path: "/media.json", ContentType: "application/x-www-form-urlencoded",
			Body: "api_key=" + apitest.ReporterKey + "&content_type=image%2Fjpeg"}
		op, status, _, body, err := w.send(t, c)
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s: %d %s, %v", op, status, body, err)
		}
		var doc []slotAnswer
		if err := json.Unmarshal(body, &doc); err != nil || len(doc) != 1 {
			t.Fatalf("the slot answer %s: %v", body, err)
		}
		s := doc[0]
		// The form as the answer gives it, its fields in the answer's order.
		var ordered struct {
			Fields json.RawMessage `json:"fields"`
		}
		var raw []json.RawMessage
		_ = json.Unmarshal(body, &raw)
		_ = json.Unmarshal(raw[0], &ordered)
		form := media.UploadForm{URL: s.UploadURL}
		dec := json.NewDecoder(strings.NewReader(string(ordered.Fields)))
		_, _ = dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			v, _ := dec.Token()
			form.Fields = append(form.Fields, media.FormField{Name: k.(string), Value: v.(string)})
		}
		if s.Fields["key"] != "uploads/"+s.MediaID || s.Fields["x-amz-signature"] == "" || s.Fields["policy"] == "" {
			t.Fatalf("the slot's fields %v", s.Fields)
		}
		return s, form
	}
	upload := func(t *testing.T, form media.UploadForm, body []byte) {
		t.Helper()
		req, err := form.Request(ctx, "IMG_0042.JPG", body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("the presigned POST to %s: %d %s", form.URL, resp.StatusCode, answer)
		}
	}
	report := func(t *testing.T, mediaID string) (int, []byte) {
		t.Helper()
		c := apitest.Case{Name: "slot-report", Method: "POST", Path: "/requests.json", ContentType: "application/x-www-form-urlencoded",
			Body: "api_key=" + apitest.ReporterKey + "&service_code=tree&lat=40.7128&long=-74.0060&media_id=" + mediaID}
		op, status, _, body, err := w.send(t, c)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return status, body
	}
	uploads := func() []string {
		var out []string
		for _, k := range w.objects(t) {
			if strings.HasPrefix(k, media.UploadPrefix) {
				out = append(out, k)
			}
		}
		return out
	}

	s, form := slotOf(t)
	photo := phototest.JPEG(1600, 1200, 6)
	upload(t, form, photo)
	obj, err := w.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(w.bucket), Key: aws.String("uploads/" + s.MediaID)})
	if err != nil || aws.ToString(obj.ContentType) != "image/jpeg" || aws.ToInt64(obj.ContentLength) != int64(len(photo)) {
		t.Fatalf("the uploaded object: %+v, %v", obj, err)
	}

	status, body := report(t, s.MediaID)
	if status != http.StatusOK {
		t.Fatalf("the report naming the slot: %d %s", status, body)
	}
	urls := photoURLs(t, body)
	if len(urls) != 1 || !strings.Contains(string(body), `"service_request_id":"`+slotFlowIDs[0]+`"`) {
		t.Fatalf("the report's answer %s; want request %s with one photo", body, slotFlowIDs[0])
	}
	name, ok := strings.CutPrefix(urls[0], apitest.MediaBase+media.PathPrefix)
	if !ok {
		t.Fatalf("photo URL %s", urls[0])
	}
	w.checkServed(t, name) // media/<name>, its type and cache lifetime, none of the phone's EXIF
	if left := uploads(); len(left) != 0 {
		t.Errorf("uploads left after the report: %v", left)
	}

	if status, body := report(t, s.MediaID); status != http.StatusConflict || !strings.Contains(string(body), "was used by another report") {
		t.Errorf("a second report naming the used slot: %d %s; want 409", status, body)
	}

	bad, badForm := slotOf(t)
	upload(t, badForm, []byte("these are my notes, not a picture"))
	before := w.objects(t)
	if status, body := report(t, bad.MediaID); status != http.StatusBadRequest || !strings.Contains(string(body), "is not a JPEG, PNG, WebP or GIF image") {
		t.Errorf("a report naming a slot whose upload is not an image: %d %s; want 400", status, body)
	}
	after := w.objects(t)
	if slices.Contains(after, "uploads/"+bad.MediaID) || len(after) != len(before)-1 {
		t.Errorf("after the refused upload, the bucket holds %v (before %v); want the upload gone and nothing else changed", after, before)
	}
}
