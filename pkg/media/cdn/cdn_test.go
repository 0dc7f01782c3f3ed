package cdn_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

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

type client struct {
	got []*cloudfront.CreateInvalidationInput
}

func (c *client) CreateInvalidation(_ context.Context, in *cloudfront.CreateInvalidationInput, _ ...func(*cloudfront.Options)) (*cloudfront.CreateInvalidationOutput, error) {
	c.got = append(c.got, in)
	return &cloudfront.CreateInvalidationOutput{}, nil
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
	if len(c.got) != 1 || aws.ToString(c.got[0].DistributionId) != "E2EXAMPLE" ||
		!slices.Equal(c.got[0].InvalidationBatch.Paths.Items, []string{"/media/" + name, "/previews/" + strings.Repeat("ab", 32) + ".png"}) ||
		aws.ToInt32(c.got[0].InvalidationBatch.Paths.Quantity) != 2 {
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
