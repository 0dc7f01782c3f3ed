package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/media/slot"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// TestSlotGolden sends the slot cases, in order, to one seeded world whose slots are S3's
// presigned POSTs (package slot, signed at the world's clock) and whose uploads and photos are
// kept in folders, and compares each answer with its golden file (-update rewrites them). An
// upload is put in its slot's file before its case, as the client's POST would. After an error
// no request and no photo was stored, and an upload refused for its bytes is gone; after a
// report, its uploads are gone and its photos are served, without the metadata the phone wrote.
func TestSlotGolden(t *testing.T) {
	st := world.Store(t)
	dir := t.TempDir()
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	up := folder.Uploads{Dir: filepath.Join(dir, "uploads")}
	var later atomic.Int64
	now := func() time.Time { return apitest.Now.Add(time.Duration(later.Load())) }
	h := api.New(api.Options{
		Store: st, Now: now, NewID: apitest.List(apitest.SlotIDs()), NewToken: apitest.Seq("T-"), NewSlotID: apitest.Seq(apitest.SlotID),
		DefaultJurisdiction: apitest.Jurisdiction, Endpoint: "https://api.city.example.org/open311/v2",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Media: m, MediaBase: apitest.MediaBase,
		Uploads: up, Forms: &slot.Forms{Credentials: credentials.NewStaticCredentialsProvider(apitest.SlotAccessKey, apitest.SlotSecretKey, ""),
			Region: apitest.SlotRegion, Bucket: apitest.SlotBucket, Now: now},
	}).Handler()
	photos := func() []string { return append(listFiles(t, m.Public), listFiles(t, m.Private)...) }
	for _, c := range apitest.SlotCases {
		for id, b := range c.Uploads {
			if err := os.MkdirAll(up.Dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(up.Dir, id), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		later.Add(int64(c.Later))
		requestsBefore, photosBefore := allRequests(t, st), photos()
		status, header, body := serve(t, h, c.Case)
		t.Run(c.Name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", c.Name+".txt"), apitest.Record(status, header, body))
			if status >= 500 {
				t.Errorf("answered %d: no case of the slots may fail inside", status)
			}
			uploads := listFiles(t, up.Dir)
			if status >= 400 {
				if after := allRequests(t, st); after != requestsBefore {
					t.Errorf("a refused report stored a request:\n before %s\n after  %s", requestsBefore, after)
				}
				if after := photos(); !slices.Equal(after, photosBefore) {
					t.Errorf("a refused report left photos behind: %v, before %v", after, photosBefore)
				}
				if strings.Contains(c.Name, "not-an-image") || strings.Contains(c.Name, "declared-type-lies") {
					for id := range c.Uploads {
						if slices.Contains(uploads, id) {
							t.Errorf("the refused upload of %s is still there", id)
						}
					}
				}
				return
			}
			if !strings.HasPrefix(c.Path, "/requests") {
				return
			}
			for id := range c.Uploads {
				if slices.Contains(uploads, id) {
					t.Errorf("the upload of %s is still there after its report", id)
				}
			}
			urls := photoURLs(t, body)
			if len(urls) == 0 {
				t.Fatalf("the report names no photo")
			}
			for _, u := range urls {
				b, err := os.ReadFile(filepath.Join(m.Public, strings.TrimPrefix(u, apitest.MediaBase+"/media/")))
				if err != nil {
					t.Fatalf("%s names %s, which is not stored where it is served: %v", c.Name, u, err)
				}
				for _, s := range phototest.Secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("served photo %s holds %q", u, s)
					}
				}
			}
		})
	}
	// The expired slot's upload is left to the bucket's lifecycle rule (a day).
	if got := listFiles(t, up.Dir); !slices.Equal(got, []string{"SLOT0005"}) {
		t.Errorf("uploads left: %v, want the expired slot's alone", got)
	}
}
