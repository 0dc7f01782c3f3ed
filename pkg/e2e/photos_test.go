package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// photoOps are the functions the photo cases reach: the POST of a report, the GET of one,
// staff's update that removes a photo, the updates with photos (the staff interface's and
// FixMyStreet's, and the GET of FixMyStreet's updates), and the upload slots of the slot flow.
var photoOps = []string{api.OpPostRequest, api.OpRequest, api.OpUpdateRequest, api.OpPostRequestUpdate, api.OpRequestUpdates, api.OpPostMedia}

// clashingIDs are what the photo world hands out after the photo cases: the id of a request
// they created, again and again, so that each of the two reports of failedReports finds its id
// taken on every attempt (the desk's 8 retries and the first) and fails after its photos were
// stored.
func clashingIDs() []string {
	return slices.Repeat([]string{apitest.PhotoIDs()[0]}, 2*9)
}

// newPhotoWorld is the world of the photo cases: post-request and get-request over a freshly
// seeded table, photos in the feed bucket.
func newPhotoWorld(t *testing.T) *world {
	t.Helper()
	_, tokens := apitest.IDs()
	return newWorldOf(t, photoOps, append(append(apitest.PhotoIDs(), clashingIDs()...), slotFlowIDs...), tokens)
}

// objects lists the keys of the world's bucket.
func (w *world) objects(t *testing.T) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(w.s3, &s3.ListObjectsV2Input{Bucket: aws.String(w.bucket)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list the bucket: %v", err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// send sends one golden-shaped case through the gateway shim to its function.
func (w *world) send(t testing.TB, c apitest.Case) (string, int, http.Header, []byte, error) {
	t.Helper()
	req, err := c.Request("https://" + e2e.DomainName)
	if err != nil {
		t.Fatal(err)
	}
	op, e, err := w.gw.Event(req)
	if err != nil {
		t.Fatal(err)
	}
	status, header, body, err := w.invoke(t, op, e)
	return op, status, header, body, err
}

// runPhotoCases sends the photo cases, in order, through API Gateway's event shape (a
// multipart body, base64-encoded as API Gateway hands binary bodies over) to post-request,
// get-request, update-request, post-request-update and get-request-updates under the emulator,
// against moto's DynamoDB and S3: each answer is its golden file byte for byte; a refused report
// or update leaves no object in the bucket; every photo a report's POST names is the object
// media/<name> of the bucket with its type and immutable cache lifetime and none of the metadata
// the phone wrote; the private request's photos are under private-media/ alone, and once the
// cases have run only its updates' are left there. Then
// two reports (a public and a private one) that fail after their photos were stored (every id
// they are given is taken) answer 409 and leave no object behind: post-request deleted them.
func runPhotoCases(t *testing.T, w *world) {
	same := 0
	for _, c := range apitest.PhotoCases {
		before := w.objects(t)
		op, status, header, body, err := w.send(t, c)
		t.Run(c.Name, func(t *testing.T) {
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			matchGolden(t, op, c.Name, status, header, body)
			same++
			if status >= 400 {
				if after := w.objects(t); !slices.Equal(after, before) {
					t.Errorf("a refused report or update left objects behind: %v, before %v", after, before)
				}
			}
			if c.Name == "photo-remove.json" && status == http.StatusOK {
				// The distribution was told to forget the photo and its preview.
				out, err := w.cf.ListInvalidations(context.Background(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(w.distribution)})
				if err != nil || out.InvalidationList == nil || len(out.InvalidationList.Items) != 1 {
					t.Errorf("invalidations of the distribution after the removal: %+v, %v; want one", out, err)
				} else {
					inv, err := w.cf.GetInvalidation(context.Background(), &cloudfront.GetInvalidationInput{DistributionId: aws.String(w.distribution), Id: out.InvalidationList.Items[0].Id})
					if err != nil || !slices.Contains(inv.Invalidation.InvalidationBatch.Paths.Items, "/media/"+apitest.RemovedPhoto) {
						t.Errorf("the invalidation %+v, %v; want /media/%s", inv, err, apitest.RemovedPhoto)
					}
				}
			}
			if strings.HasPrefix(c.Name, "photo-remove") && status == http.StatusOK {
				for _, k := range w.objects(t) {
					if strings.Contains(k, apitest.RemovedPhoto) || (c.Name == "photo-remove-private.json" && strings.HasPrefix(k, "private-media/")) {
						t.Errorf("after %s, %s is still in the bucket", c.Name, k)
					}
				}
				return
			}
			if c.Method != http.MethodPost || status != http.StatusOK || strings.HasPrefix(c.Path, "/requests/") {
				return
			}
			for _, u := range photoURLs(t, body) {
				name, ok := strings.CutPrefix(u, apitest.MediaBase+media.PathPrefix)
				if !ok {
					t.Fatalf("photo URL %s is not under %s%s", u, apitest.MediaBase, media.PathPrefix)
				}
				w.checkServed(t, name)
			}
		})
	}
	t.Logf("%d of %d photo cases byte-identical through API Gateway's event, the emulator, DynamoDB and S3", same, len(apitest.PhotoCases))

	var private []string
	for _, k := range w.objects(t) {
		if strings.HasPrefix(k, "private-media/") {
			private = append(private, k)
		}
	}
	var want []string
	for _, name := range apitest.UpdatePrivatePhotos {
		want = append(want, "private-media/"+name)
	}
	if !slices.Equal(private, want) {
		t.Errorf("private photos %v, want %v (the private report's was removed; its update's stays)", private, want)
	}

	t.Run("failed reports leave no photo", func(t *testing.T) {
		before := w.objects(t)
		for i, c := range failedReports() {
			_, status, _, body, err := w.send(t, c)
			// The desk gives up on a clash of ids after its retries, as a conflict.
			if err != nil || status != http.StatusConflict {
				t.Errorf("report %d: %d %s, %v; want 409 (every id it was given is taken)", i+1, status, body, err)
			}
		}
		if after := w.objects(t); !slices.Equal(after, before) {
			t.Errorf("failed reports left objects behind: %v, before %v", after, before)
		}
		var deletes []string
		for _, a := range w.access.accesses(api.OpPostRequest) {
			if a.action == "s3:DeleteObject" {
				deletes = append(deletes, a.resource)
			}
		}
		if len(deletes) != 3 {
			t.Errorf("post-request deleted %v, want the public photo, its preview and the private photo it had stored", deletes)
		}
	})
}

// failedReports are a public (tree) and a private (code-concern) report, each with a photo no
// case sent before.
func failedReports() []apitest.Case {
	return []apitest.Case{
		apitest.PhotoReport("tree", phototest.JPEG(96, 64, 1)),
		apitest.PhotoReport("code-concern", phototest.JPEG(64, 96, 1)),
	}
}

// checkServed checks the object a photo is served from: media/<name> in the bucket, with its
// type and Cache-Control, holding none of the metadata the test's phone wrote, and named by its
// bytes' hash as the wire says.
func (w *world) checkServed(t *testing.T, name string) {
	t.Helper()
	obj, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(w.bucket), Key: aws.String("media/" + name)})
	if err != nil {
		t.Fatalf("photo %s is not in the bucket under media/: %v", name, err)
	}
	b, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range phototest.Secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("served photo %s holds %q", name, s)
		}
	}
	ext := name[strings.LastIndex(name, ".")+1:]
	wantType := map[string]string{"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}[ext]
	if got := aws.ToString(obj.ContentType); got != wantType {
		t.Errorf("photo %s: Content-Type %q, want %q", name, got, wantType)
	}
	if got := aws.ToString(obj.CacheControl); got != media.CacheControl {
		t.Errorf("photo %s: Cache-Control %q, want %q", name, got, media.CacheControl)
	}
	if len(obj.Metadata) != 0 {
		t.Errorf("photo %s carries object metadata %v", name, obj.Metadata)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(b)) + "." + ext; got != name {
		t.Errorf("photo %s holds bytes whose name would be %s", name, got)
	}
}

// photoURLs reads the photo URLs of a POST's answer in either format.
func photoURLs(t *testing.T, body []byte) []string {
	t.Helper()
	urls, err := apitest.PhotoURLs(body)
	if err != nil {
		t.Fatal(err)
	}
	return urls
}
