// Package removal gives update-request's API the photos store it deletes the photos staff
// remove from, and tells the CDN, for lambdaconfig.Main. A package of its own so that only that
// function links a CloudFront client.
package removal

import (
	"os"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/lambdaconfig/photos"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/media/cdn"
)

// Option gives a function's API the photos store to delete from (update-request: staff remove
// a photo), the feeds bucket of FEED_BUCKET, its deletions of public photos invalidated on the
// CloudFront distribution FEED_DISTRIBUTION (package cdn) when that is set (template.yaml sets
// it; the emulated stack has no CDN); it names no URL. Without FEED_BUCKET the function does not
// start.
func Option(o *api.Options, env lambdaenv.Env) error {
	st, err := photos.Store(env)
	if err != nil {
		return err
	}
	o.Media = st
	if env.FeedDistribution != "" {
		client := awsrest.NewCloudFront(env.AWS, lambdaenv.ServiceEndpoint(os.Getenv, "CLOUDFRONT"))
		o.Media = &cdn.Forgetting{Store: st, Client: client, Distribution: env.FeedDistribution}
	}
	return nil
}
