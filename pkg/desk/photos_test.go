package desk_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// failingStore refuses every new request, as a store that lost its table would.
type failingStore struct{ desk.Store }

func (failingStore) CreateRequest(context.Context, open311.Request, open311.Activity) error {
	return errors.New("the table is gone")
}

// photoDesk is a desk over the golden world with photos kept in a temporary folder.
func photoDesk(t *testing.T, st desk.Store) (*desk.Desk, folder.Store) {
	t.Helper()
	dir := t.TempDir()
	m := folder.Store{Public: filepath.Join(dir, "media"), Private: filepath.Join(dir, "private-media")}
	return desk.New(desk.Options{Store: st, Now: func() time.Time { return apitest.Now }, NewID: apitest.Seq("P"),
		NewToken: apitest.Seq("T-"), DefaultJurisdiction: apitest.Jurisdiction, Media: m, MediaBase: "https://cdn.example.org"}), m
}

// files lists the photos stored in a folder.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestReportWithPhotos(t *testing.T) {
	ctx := context.Background()
	d, m := photoDesk(t, world.Store(t))
	big, small := phototest.JPEG(800, 600, 6), phototest.PNG(40, 30)
	got, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: tree("Branch down"),
		Photos: []desk.Upload{{ContentType: "application/octet-stream", Bytes: big}, {ContentType: "image/png", Bytes: small}}})
	if err != nil {
		t.Fatal(err)
	}
	r := got.Request
	if len(r.Media) != 2 {
		t.Fatalf("request has %d photos, want 2", len(r.Media))
	}
	first, second := r.Media[0], r.Media[1]
	if r.MediaURL != first.URL || !strings.HasPrefix(first.URL, "https://cdn.example.org/media/") || !strings.HasSuffix(first.URL, ".jpg") {
		t.Errorf("media_url %q, first photo's URL %q", r.MediaURL, first.URL)
	}
	// Its preview is named before it is made: the photo's hash under /previews/.
	if want := "https://cdn.example.org/previews/" + strings.TrimPrefix(first.URL, "https://cdn.example.org/media/"); first.Width != 600 ||
		first.Height != 800 || first.ContentType != "image/jpeg" || first.PreviewURL != want {
		t.Errorf("first photo %+v, want 600×800 (rotated) image/jpeg with the preview %s", first, want)
	}
	if second.Width != 40 || second.Height != 30 || second.PreviewURL != second.URL {
		t.Errorf("second photo %+v, want 40×30, its own preview", second)
	}
	stored := files(t, m.Public)
	if len(stored) != 2 {
		t.Fatalf("public folder holds %v, want the two photos", stored)
	}
	for _, name := range stored {
		b, _ := os.ReadFile(filepath.Join(m.Public, name))
		for _, s := range phototest.Secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("stored photo %s holds %q", name, s)
			}
		}
	}

	// A private service's photos are stored where nothing serves them, and have no URL.
	priv, err := d.Report(ctx, desk.Report{Key: apitest.ReporterKey, Submission: open311.Submission{ServiceCode: "code-concern",
		AddressString: "9 Oak St", Description: "Unsafe wiring"}, Photos: []desk.Upload{{Bytes: phototest.JPEG(64, 48, 1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := priv.Request.Media; len(p) != 1 || p[0].URL != "" || p[0].PreviewURL != "" || !p[0].Private || priv.Request.MediaURL != "" {
		t.Errorf("private request's photos %+v, media_url %q; want one, private, without URLs", p, priv.Request.MediaURL)
	}
	if got := files(t, m.Private); len(got) != 1 {
		t.Errorf("private folder holds %v, want one photo", got)
	}
	if got := files(t, m.Public); len(got) != 2 {
		t.Errorf("public folder holds %v after a private report, want the two photos of before", got)
	}
}

func plain(t *testing.T) desk.Store { return world.Store(t) }

func TestReportWithPhotosStoresNothingOnError(t *testing.T) {
	ctx := context.Background()
	jpg := phototest.JPEG(64, 48, 1)
	for _, c := range []struct {
		name  string
		store func(t *testing.T) desk.Store
		in    desk.Report
		kind  open311.Kind
		says  string
	}{
		{"invalid report", plain, desk.Report{Key: apitest.ReporterKey, Submission: open311.Submission{ServiceCode: "tree"},
			Photos: []desk.Upload{{Bytes: jpg}}}, open311.Invalid, "location"},
		{"bad key", plain, desk.Report{Key: "wrong", Submission: tree(""), Photos: []desk.Upload{{Bytes: jpg}}}, open311.Forbidden, ""},
		{"one bad photo of two", plain, desk.Report{Key: apitest.ReporterKey, Submission: tree(""),
			Photos: []desk.Upload{{Bytes: jpg}, {Bytes: []byte("not a photo")}}}, open311.Invalid, "photo 2 is not a JPEG, PNG, WebP or GIF image"},
		{"declared type lies", plain, desk.Report{Key: apitest.ReporterKey, Submission: tree(""),
			Photos: []desk.Upload{{ContentType: "image/gif", Bytes: jpg}}}, open311.Invalid, "photo 1 is declared image/gif but its bytes are a JPEG image"},
		{"too many", plain, desk.Report{Key: apitest.ReporterKey, Submission: tree(""),
			Photos: make([]desk.Upload, open311.MaxPhotos+1)}, open311.Invalid, "at most 5 photos"},
		{"store fails", func(t *testing.T) desk.Store { return failingStore{world.Store(t)} }, desk.Report{Key: apitest.ReporterKey,
			Submission: tree(""), Photos: []desk.Upload{{Bytes: jpg}, {Bytes: phototest.PNG(8, 8)}}}, open311.Internal, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, m := photoDesk(t, c.store(t))
			_, err := d.Report(ctx, c.in)
			if err == nil || !open311.IsKind(err, c.kind) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Report = %v, want %v saying %q", err, c.kind, c.says)
			}
			if got := append(files(t, m.Public), files(t, m.Private)...); len(got) != 0 {
				t.Errorf("a failed report left photos behind: %v", got)
			}
		})
	}
}

func TestReportWithPhotosNeedsAMediaStore(t *testing.T) {
	d, _ := newDesk(t, "R1")
	_, err := d.Report(context.Background(), desk.Report{Key: apitest.ReporterKey, Submission: tree(""),
		Photos: []desk.Upload{{Bytes: phototest.JPEG(16, 16, 1)}}})
	if !open311.IsKind(err, open311.Invalid) || !strings.Contains(err.Error(), "takes no photos") {
		t.Errorf("Report = %v, want Invalid: this server takes no photos", err)
	}
}
