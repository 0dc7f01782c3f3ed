// Package cdn tells the CloudFront distribution that serves photos of the photos staff
// remove: a removed photo's object is gone from the bucket, but an edge that cached it (for a
// year: its name never changes) would serve it on. Forgetting deletes through the store, then
// invalidates the photo's and its preview's paths.
package cdn

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// Client is what Forgetting calls of CloudFront; *awsrest.CloudFront is one (see package
// awsrest for why not the SDK's client).
type Client interface {
	CreateInvalidation(ctx context.Context, distribution, callerReference string, paths []string) (string, error)
}

var _ Client = (*awsrest.CloudFront)(nil)

// Forgetting is a photos store whose Delete of a public photo also invalidates its paths on
// the distribution. A private photo was never served: nothing to invalidate.
type Forgetting struct {
	media.Store
	Client       Client
	Distribution string // the distribution's id
	// Now gives the invalidation's caller reference (its time); time.Now when nil.
	Now func() time.Time
}

// Delete deletes the photo through the store, then, for a public one, invalidates
// /media/<name> and /previews/<preview name>.
func (f *Forgetting) Delete(ctx context.Context, name string, private bool) error {
	if err := f.Store.Delete(ctx, name, private); err != nil {
		return err
	}
	if private {
		return nil
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	paths := []string{media.PathPrefix + name, media.PreviewPathPrefix + photo.PreviewName(name)}
	_, err := f.Client.CreateInvalidation(ctx, f.Distribution, name+"-"+strconv.FormatInt(now().UnixNano(), 10), paths)
	if err != nil {
		return fmt.Errorf("invalidate %v on distribution %s: %w", paths, f.Distribution, err)
	}
	return nil
}
