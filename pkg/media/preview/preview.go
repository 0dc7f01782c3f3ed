// Package preview makes the preview of a public photo once it is stored: on AWS the preview
// function on the bucket's "Object Created" events of media/ (package previewer), locally the
// local server in the background. The API names the preview's URL before it exists
// (media.PreviewURL); a photo no larger than photo.PreviewSide is its own preview and gets none.
package preview

import (
	"context"
	"fmt"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/photo"
)

// Make makes and stores the preview of the public photo of that name; made is false for a
// photo that needs none. Making it again makes the same bytes.
func Make(ctx context.Context, p media.Previews, name string) (made bool, err error) {
	if !media.ValidName(name) {
		return false, fmt.Errorf("preview: %q is not a photo name", name)
	}
	b, err := p.Photo(ctx, name)
	if err != nil {
		return false, fmt.Errorf("preview of %s: %w", name, err)
	}
	pv, ok, err := photo.MakePreview(b)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("preview of %s: %w", name, err)
		}
		return false, err
	}
	if err := p.PutPreview(ctx, name, pv.Type.ContentType, pv.Bytes); err != nil {
		return false, fmt.Errorf("preview of %s: %w", name, err)
	}
	return true, nil
}
