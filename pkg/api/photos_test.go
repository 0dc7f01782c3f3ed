package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/photo/phototest"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// newPhotoWorld is newWorld for the photo cases: its photos are kept in folders under dir
// (media/ and private-media/) and served from apitest.MediaBase.
func newPhotoWorld(t *testing.T) (h http.Handler, st *bolt.Store, dir string) {
	t.Helper()
	st = world.Store(t)
	dir = t.TempDir()
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	h = api.New(api.Options{
		Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.List(apitest.PhotoIDs()),
		NewToken: apitest.Seq("T-"), DefaultJurisdiction: apitest.Jurisdiction, Endpoint: "https://api.city.example.org/open311/v2",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Media: m, MediaBase: apitest.MediaBase,
	}).Handler()
	return h, st, dir
}

// listFiles lists the files under dir, by their path below it.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// TestPhotoGolden sends the photo cases, in order, to one seeded world whose photos are kept in
// a folder, and compares each response with its golden file (-update rewrites them). After an
// error no request and no photo was stored; after a success the photos it names are stored,
// public ones where they are served and without any of the metadata the phone wrote.
func TestPhotoGolden(t *testing.T) {
	h, st, dir := newPhotoWorld(t)
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	for _, c := range apitest.PhotoCases {
		requestsBefore, filesBefore := allRequests(t, st), listFiles(t, dir)
		status, header, body := serve(t, h, c)
		t.Run(c.Name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", c.Name+".txt"), apitest.Record(status, header, body))
			if status >= 400 {
				if after := allRequests(t, st); after != requestsBefore {
					t.Errorf("a refused report or update stored a request:\n before %s\n after  %s", requestsBefore, after)
				}
				if after := listFiles(t, dir); len(after) != len(filesBefore) {
					t.Errorf("a refused report or update left photos behind: %v, before %v", after, filesBefore)
				}
			}
			if c.Name == "photo-remove-private.json" {
				if status != http.StatusOK || len(listFiles(t, m.Private)) != 0 || len(listFiles(t, dir)) != len(filesBefore)-1 {
					t.Errorf("after %d, private photos %v (before: %v); want the one removed, nothing else", status, listFiles(t, m.Private), filesBefore)
				}
				return
			}
			if c.Name == "photo-remove.json" {
				if _, err := os.Stat(filepath.Join(m.Public, apitest.RemovedPhoto)); err == nil || status != http.StatusOK {
					t.Errorf("after %d, the removed photo is still served: %v", status, err)
				}
				if strings.Contains(string(body), apitest.RemovedPhoto) && !strings.Contains(string(body), "Photo "+apitest.RemovedPhoto+" removed.") {
					t.Errorf("the answer still names the removed photo other than in its activity")
				}
				return
			}
			if c.Method == http.MethodPost && status == http.StatusOK {
				for _, u := range photoURLs(t, body) {
					if u == "" {
						continue // a private request's photo: served nowhere
					}
					name := strings.TrimPrefix(u, apitest.MediaBase+"/media/")
					b, err := os.ReadFile(filepath.Join(m.Public, name))
					if err != nil {
						t.Fatalf("%s names %s, which is not stored where it is served: %v", c.Name, u, err)
					}
					for _, s := range phototest.Secrets {
						if bytes.Contains(b, []byte(s)) {
							t.Errorf("served photo %s holds %q", name, s)
						}
					}
				}
			}
		})
	}
	if got := listFiles(t, m.Private); !slices.Equal(got, apitest.UpdatePrivatePhotos) {
		t.Errorf("private photos: %v, want the private request's updates' %v alone (the report's was removed)", got, apitest.UpdatePrivatePhotos)
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
