package cdn_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/cdn"
)

type store struct {
	media.Store
	deleted []string
	err     error
}

func (s *store) Delete(_ context.Context, name string, private bool) error {
	s.deleted = append(s.deleted, name)
	return s.err
}

type invalidation struct {
	distribution, reference string
	paths                   []string
}

type client struct {
	got []invalidation
}

func (c *client) CreateInvalidation(_ context.Context, distribution, reference string, paths []string) (string, error) {
	c.got = append(c.got, invalidation{distribution, reference, paths})
	return "I1", nil
}

// TestForgetting deletes a public photo (its paths and its preview's invalidated on the
// distribution), a private one (nothing invalidated: it was never served), and one the store
// fails to delete (nothing invalidated, the error returned).
func TestForgetting(t *testing.T) {
	ctx := context.Background()
	st, c := &store{}, &client{}
	f := &cdn.Forgetting{Store: st, Client: c, Distribution: "E2EXAMPLE"}
	name := strings.Repeat("ab", 32) + ".webp"
	if err := f.Delete(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if len(c.got) != 1 || c.got[0].distribution != "E2EXAMPLE" || !strings.HasPrefix(c.got[0].reference, name+"-") ||
		!slices.Equal(c.got[0].paths, []string{"/media/" + name, "/previews/" + strings.Repeat("ab", 32) + ".png"}) {
		t.Fatalf("invalidations %+v", c.got)
	}
	if err := f.Delete(ctx, name, true); err != nil || len(c.got) != 1 {
		t.Errorf("a private photo's delete: %v, %d invalidations, want none more", err, len(c.got))
	}
	st.err = errors.New("s3 down")
	if err := f.Delete(ctx, name, false); err == nil || len(c.got) != 1 {
		t.Errorf("a failed delete: %v, %d invalidations; want the error and none more", err, len(c.got))
	}
}
